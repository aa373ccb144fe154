"""Indicator layers: per-village rates from weekly case counts and population.

The first layer of the map, ``insidens``: weekly incidence of a disease (default
diare akut) per 1,000 people. Fixed class breaks keep colours comparable between
weeks. With the programme estimate of ~27 diarrhoea cases served per 1,000 people
per year (10 % of the 270/1,000 incidence, domain.md §4.3) an ordinary village week
is about 0.5 per 1,000, so the classes centre there.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers import classify
from layers.base import Layer, LayerResult, Legend, LegendClass, register
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

DISEASES: dict[str, Text] = {
    "diare_akut": Text("Diare akut", "Acute diarrhoea"),
}


@register
@dataclass(frozen=True)
class IncidenceLayer(Layer):
    """Weekly incidence per ``per`` people of one disease, in fixed classes."""

    type: ClassVar[str] = "insidens"
    title: ClassVar[Text] = Text("Insidens mingguan", "Weekly incidence")
    description: ClassVar[Text] = Text(
        "Kasus baru dalam minggu epidemiologi terpilih per 1.000 penduduk desa.",
        "New cases in the selected epidemiological week per 1,000 village residents.",
    )

    penyakit: str = "diare_akut"
    per: int = 1000
    #: inclusive upper bounds of the classes; the last is open-ended
    bounds: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, float("inf"))

    def legend(self) -> Legend:
        unit = Text(f"per {fmt_number(self.per, 'id')}", f"per {fmt_number(self.per, 'en')}")
        colors = classify.PALETTES["YlOrRd5"]
        labels = [Text("0 kasus", "0 cases")]
        for lower, upper in itertools.pairwise(self.bounds):
            low_id, low_en = fmt_number(lower, "id", 1), fmt_number(lower, "en", 1)
            if np.isinf(upper):
                labels.append(Text(f"> {low_id}", f"> {low_en}"))
            else:
                up_id, up_en = fmt_number(upper, "id", 1), fmt_number(upper, "en", 1)
                labels.append(Text(f"> {low_id} – {up_id}", f"> {low_en} – {up_en}"))
        disease = DISEASES.get(self.penyakit, Text(self.penyakit, self.penyakit))
        title = Text(
            f"{disease.id}: kasus {unit.id} penduduk", f"{disease.en}: cases {unit.en} people"
        )
        return Legend(
            title=title,
            classes=tuple(LegendClass(c, t) for c, t in zip(colors, labels, strict=True)),
            no_data=LegendClass(classify.NO_DATA_COLOR, Text("Tidak ada laporan", "No report")),
        )

    def load(
        self, session: Session, scope: Scope, week: EpiWeek, lang: str = "id"
    ) -> LayerResult:
        villages = queries.village_table(session, scope)[["kode"]].rename(
            columns={"kode": "kode_desa"}
        )
        cases = queries.weekly_cases(session, scope, self.penyakit, week.year, week.week)
        pop = queries.population(session, scope, week.year)
        table = villages.merge(cases, on="kode_desa", how="left").merge(
            pop, on="kode_desa", how="left"
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = table["kasus"] / table["jumlah"].where(table["jumlah"] > 0) * self.per
        table["value"] = rate.astype(float)
        table["klass"] = classify.fixed(table["value"], self.bounds)
        table["label"] = [
            _label(k, v, self.per, lang) for k, v in zip(table["kasus"], rate, strict=True)
        ]
        reported = int(table["kasus"].notna().sum())
        total = int(table["kasus"].fillna(0).sum())
        summary = Text(
            f"{fmt_number(total, 'id')} kasus di {reported} desa melapor, minggu {week}",
            f"{fmt_number(total, 'en')} cases in {reported} reporting villages, week {week}",
        )
        return LayerResult(table=table, legend=self.legend(), summary=summary)


def _label(kasus: float, rate: float, per: int, lang: str) -> str:
    if pd.isna(kasus):
        return "Tidak ada laporan" if lang != "en" else "No report"
    n = fmt_number(kasus, lang)
    cases = f"{n} kasus" if lang != "en" else f"{n} case{'s' if kasus != 1 else ''}"
    if pd.isna(rate):
        unknown = "penduduk tidak diketahui" if lang != "en" else "population unknown"
        return f"{cases} ({unknown})"
    return f"{cases} · {fmt_number(rate, lang, 2)} per {fmt_number(per, lang)}"
