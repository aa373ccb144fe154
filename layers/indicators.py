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
from sqlalchemy.orm import Session

from layers import aggregate, classify, diseases, textvec
from layers.base import (
    WEEKLY,
    Choice,
    Layer,
    LayerResult,
    Legend,
    LegendClass,
    Period,
    PeriodKind,
    option,
    register,
)
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

#: the diseases offered, from the shipped catalogue (layers/data/penyakit.csv)
DISEASES: dict[str, Text] = diseases.DISEASES
NO_REPORT = Text("Tidak ada laporan", "No report")
DISEASE = Text("Penyakit", "Disease")
POPULATION_UNKNOWN = Text("penduduk tidak diketahui", "population unknown")


def disease_choices() -> tuple[Choice, ...]:
    return tuple(Choice(code, name) for code, name in DISEASES.items())


def disease_name(penyakit: str) -> Text:
    return DISEASES.get(penyakit, Text(penyakit, penyakit))


def cases_text(n: float, lang: str) -> str:
    """``12 kasus`` / ``12 cases`` (``1 case``)."""
    count = fmt_number(n, lang)
    return Text(f"{count} kasus", f"{count} case{'' if n == 1 else 's'}")(lang)


class CaseWeeks:
    """Mixin of the weekly layers over case counts of ``self.penyakit``: their periods are
    the epi weeks with any case data in the scope."""

    period_kind: ClassVar[PeriodKind] = WEEKLY
    penyakit: str

    def periods(self, session: Session, scope: Scope) -> list[Period]:
        weeks = queries.available_weeks(session, scope, self.penyakit)
        return [EpiWeek(y, w) for y, w in reversed(weeks)]

    def no_periods_text(self) -> Text:
        name = disease_name(self.penyakit)
        return Text(f"Belum ada data kasus {name.id.lower()} di wilayah ini.",
                    f"No {name.en.lower()} case data in this region yet.")  # fmt: skip


@register
@dataclass(frozen=True)
class IncidenceLayer(CaseWeeks, Layer):
    """Weekly incidence per ``per`` people of one disease, in fixed classes."""

    type: ClassVar[str] = "insidens"
    title: ClassVar[Text] = Text("Insidens mingguan", "Weekly incidence")
    description: ClassVar[Text] = Text(
        "Kasus baru dalam minggu epidemiologi terpilih per 1.000 penduduk desa.",
        "New cases in the selected epidemiological week per 1,000 village residents.",
    )

    penyakit: str = option("diare_akut", DISEASE, choices=disease_choices)
    per: int = 1000
    #: inclusive upper bounds of the classes above "0 cases"; the last class is open-ended
    bounds: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0)

    def aggregation(self) -> aggregate.Aggregation:
        """Cases over the population of the reporting villages, in the village classes."""
        return aggregate.Rate("kasus", "jumlah", self.per, self.bounds)

    def legend(self) -> Legend:
        unit = Text(f"per {fmt_number(self.per, 'id')}", f"per {fmt_number(self.per, 'en')}")
        colors = classify.PALETTES["YlOrRd5"]  # bounds keep their 4 values (from_config)
        labels = [Text("0 kasus", "0 cases")]
        for lower, upper in itertools.pairwise(self.bounds):
            low_id, low_en = fmt_number(lower, "id", 1), fmt_number(lower, "en", 1)
            up_id, up_en = fmt_number(upper, "id", 1), fmt_number(upper, "en", 1)
            labels.append(Text(f"> {low_id} – {up_id}", f"> {low_en} – {up_en}"))
        top = self.bounds[-1]
        labels.append(Text(f"> {fmt_number(top, 'id', 1)}", f"> {fmt_number(top, 'en', 1)}"))
        disease = disease_name(self.penyakit)
        title = Text(
            f"{disease.id}: kasus {unit.id} penduduk", f"{disease.en}: cases {unit.en} people"
        )
        return Legend(
            title=title,
            classes=tuple(LegendClass(c, t) for c, t in zip(colors, labels, strict=True)),
            no_data=LegendClass(classify.NO_DATA_COLOR, NO_REPORT),
        )

    def load(self, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
        week = require_week(period)
        table = queries.village_week(session, scope, self.penyakit, week.year, week.week)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = table["kasus"] / table["jumlah"].where(table["jumlah"] > 0) * self.per
        table["value"] = rate.astype(float)
        table["klass"] = classify.fixed(table["value"], (*self.bounds, float("inf")))
        table["label"] = labels(table["kasus"].to_numpy(float), table["value"].to_numpy(),
                                self.per, lang)  # fmt: skip
        reported = int(table["kasus"].notna().sum())
        total = int(table["kasus"].fillna(0).sum())
        summary = Text(
            f"{fmt_number(total, 'id')} kasus di {reported} desa melapor, minggu {week}",
            f"{fmt_number(total, 'en')} cases in {reported} reporting villages, week {week}",
        )
        return LayerResult(table=table, legend=self.legend(), summary=summary)


def require_week(period: Period) -> EpiWeek:
    if not isinstance(period, EpiWeek):
        raise ValueError(f"a weekly layer needs an epi week, not {period!r}")
    return period


def cases_texts(kasus: np.ndarray, lang: str) -> np.ndarray:
    """:func:`cases_text` of every count (NaN: ``–``, as :func:`fmt_number`)."""
    kasus = np.asarray(kasus, dtype=float)
    noun = " kasus" if lang != "en" else np.where(kasus == 1, " case", " cases").astype(object)
    return textvec.join(textvec.numbers(kasus, lang), noun)


def labels(kasus: np.ndarray, rate: np.ndarray, per: int, lang: str) -> np.ndarray:
    """The tooltip of every village: no report; its cases and that its population is
    unknown; or its cases and incidence per ``per`` (one format per class)."""
    cases = cases_texts(kasus, lang)
    rates = textvec.numbers(rate, lang, 2)
    return textvec.choose(
        [np.isnan(kasus), np.isnan(rate)],
        [NO_REPORT(lang), textvec.join(cases, f" ({POPULATION_UNKNOWN(lang)})")],
        textvec.join(cases, " · ", rates, f" per {fmt_number(per, lang)}"),
    )
