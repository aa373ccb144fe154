"""The village panel's diarrhoea section: weekly cases with the alert threshold line.

The first :class:`~layers.panel.PanelSection`. Bars are the village's weekly case counts
(the map's week highlighted; on a map without a week, the newest week with data); the
stepped line is the alert threshold of the disease's stored rule
(:func:`~layers.diarrhoea.service.threshold_line`) for the 52 weeks up to that week.
Documented in ``docs/layers.md``.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sqlalchemy.orm import Session

from layers.base import Period
from layers.diarrhoea import service
from layers.epiweek import EpiWeek
from layers.indicators import DISEASES
from layers.panel import BarChart, Block, Line, PanelSection, register
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

CASES = Text("Kasus", "Cases")
THRESHOLD = Text("Ambang peringatan", "Alert threshold")


@register
class DiarrhoeaSection(PanelSection):
    """Weekly diarrhoea cases of the village and the alert threshold."""

    id: ClassVar[str] = "diare"
    title: ClassVar[Text] = Text("Kasus mingguan diare akut", "Weekly acute diarrhoea cases")
    order: ClassVar[int] = 10
    penyakit: ClassVar[str] = service.DEFAULT_PENYAKIT

    def blocks(self, session: Session, village: Scope, kode: str, period: Period,
               lang: str) -> list[Block] | None:  # fmt: skip
        series = queries.case_series(session, village, kode, self.penyakit)
        if series.empty:
            return None
        week = period if isinstance(period, EpiWeek) else service.latest_week(
            session, village, self.penyakit)  # fmt: skip
        weeks = [EpiWeek(int(y), int(w)) for y, w in zip(series["tahun"], series["minggu"],
                                                         strict=True)]  # fmt: skip
        labels = [str(w) for w in weeks]
        line = None
        threshold = service.threshold_line(session, series, kode, week, self.penyakit)
        if threshold is not None:
            values = threshold["threshold"].astype(float)
            line = Line(
                x=tuple(w.start.isoformat() for w in threshold["week"]),
                y=tuple(float(v) for v in values), name=THRESHOLD(lang),
                hover=tuple(f"{w}: {fmt_number(v, lang, 1)}" if not np.isnan(v) else f"{w}: –"
                            for w, v in zip(threshold["week"], values, strict=True)),
            )  # fmt: skip
        disease = DISEASES.get(self.penyakit, Text(self.penyakit, self.penyakit))
        return [BarChart(
            x=tuple(w.start.isoformat() for w in weeks),
            y=tuple(float(v) for v in series["kasus"]),
            name=f"{CASES(lang)} ({disease(lang).lower()})", y_title=CASES(lang),
            hover=tuple(f"{lab}: {fmt_number(v, lang)}"
                        for lab, v in zip(labels, series["kasus"], strict=True)),
            highlight=labels.index(str(week)) if week is not None and str(week) in labels
            else None,
            line=line,
        )]  # fmt: skip
