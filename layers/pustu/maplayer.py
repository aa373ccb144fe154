"""Map layer ``pustu``: every village by its Pustu class (a snapshot of the current state).

Classes (:mod:`layers.pustu.classes`): active Pustu with minimum staff; active but without
perawat, without bidan, or without both; only a planned Pustu; no Pustu but a Puskesmas in
the village; no Pustu. The tooltip says the class, the straight-line distances to the
nearest active Pustu and Puskesmas, the population (or that there is no figure) and
whether the village lies beyond the distance option; the summary line gives coverage,
staffing, unserved population and progress toward the target year. The numbers come from
:func:`layers.pustu.service.gaps_for`. Draws the overlay ``status_pustu``. Documented in
``docs/layers.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers import aggregate, textvec
from layers.base import (
    SNAPSHOT,
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
from layers.classify import NO_DATA_COLOR
from layers.pustu import service
from layers.pustu.classes import CLASS_COLORS, CLASS_TEXT, CLASSES
from layers.pustu.service import STRAIGHT_LINE, PustuGaps
from layers.pustu.summary import DEFAULT_TARGET_YEAR, TARGET_YEARS
from layers.scope import Scope
from layers.text import Text, fmt_number

DISTANCE = Text("Jarak layanan (km, garis lurus)", "Service distance (km, straight line)")
PUSKESMAS_SERVES = Text("Puskesmas di desa dihitung melayani desa",
                        "A Puskesmas in the village counts as serving it")  # fmt: skip
TARGET_YEAR = Text("Tahun target satu Pustu per desa", "Target year of one Pustu per village")
TARGET_CHOICES = tuple(
    Choice(year, Text(f"{year} (target kementerian)", f"{year} (ministry's target)")
           if year == DEFAULT_TARGET_YEAR else Text(str(year), str(year)))
    for year in TARGET_YEARS
)  # fmt: skip
NO_POPULATION = Text("penduduk: tidak ada data", "population: no data")
PEOPLE = Text("jiwa", "people")
NEAREST_PUSTU = Text("Pustu terdekat", "Nearest Pustu")
NEAREST_PUSKESMAS = Text("Puskesmas terdekat", "nearest Puskesmas")
STRAIGHT = Text("garis lurus", "straight line")
BEYOND_PUSTU = Text("di luar {km} km dari Pustu aktif", "beyond {km} km of an active Pustu")
BEYOND_BOTH = Text("di luar {km} km dari Pustu atau Puskesmas aktif",
                   "beyond {km} km of an active Pustu or Puskesmas")
DOUBLE = Text("{n} Pustu aktif — periksa data", "{n} active Pustu — check the data")
PKM_SERVED = Text(" (dihitung terlayani)", " (counted as served)")
PKM_TARGET = Text(" (tetap dihitung menuju target)", " (still counted toward the target)")
MAIN = Text(
    "{n} dari {desa} desa punya Pustu aktif; cakupan {cov}; tenaga minimal {staff} (kurang "
    "perawat/bidan {short}); penduduk di luar {km} km: {people}{no_pop}; {target}. {line}",
    "{n} of {desa} villages have an active Pustu; coverage {cov}; minimum staff {staff} "
    "(short perawat/bidan {short}); people beyond {km} km: {people}{no_pop}; {target}. {line}",
)
NO_POP = Text(" ({n} desa tanpa data penduduk)", " ({n} villages without population figures)")
TARGET_LEFT = Text("target {year}: {still} desa lagi, {per} per tahun",
                   "target {year}: {still} villages still to cover, {per} a year")
TARGET_PASSED = Text("tahun target {year} sudah lewat: {still} desa belum tercakup",
                     "target year {year} has passed: {still} villages not covered")


@register
@dataclass(frozen=True)
class PustuLayer(Layer):
    """The Pustu gap map: class of each village, straight-line access, target progress."""

    type: ClassVar[str] = "pustu"
    title: ClassVar[Text] = Text("Pustu per desa", "Pustu per village")
    description: ClassVar[Text] = Text(
        "Setiap desa menurut Pustu-nya (ILP: satu Pustu per desa, minimal 1 perawat + 1 "
        "bidan): aktif dengan tenaga minimal, kurang perawat/bidan, hanya rencana, tanpa "
        "Pustu, atau tanpa Pustu tetapi ada Puskesmas. " + STRAIGHT_LINE.id,
        "Each village by its Pustu (ILP: one Pustu per village, at least 1 perawat + 1 "
        "bidan): active with minimum staff, lacking a perawat/bidan, only planned, none, or "
        "none but a Puskesmas. " + STRAIGHT_LINE.en,
    )
    period_kind: ClassVar[PeriodKind] = SNAPSHOT
    overlays: ClassVar[tuple[str, ...]] = ("status_pustu",)

    jarak_km: float = option(service.DEFAULT_DISTANCE_KM, DISTANCE, minimum=0.5, maximum=50,
                             step=0.5, help=STRAIGHT_LINE)  # fmt: skip
    puskesmas_melayani: bool = option(True, PUSKESMAS_SERVES)
    tahun_target: int = option(DEFAULT_TARGET_YEAR, TARGET_YEAR, choices=TARGET_CHOICES)

    def aggregation(self) -> aggregate.Aggregation:
        """The share of villages without an active Pustu (a Puskesmas in the village
        counts as served when the option says so, as on the village map)."""
        unserved = ("rencana", "tidak_ada") if self.puskesmas_melayani else \
            ("rencana", "puskesmas", "tidak_ada")
        return aggregate.Share(tuple(CLASSES.index(c) for c in unserved),
                               Text("tanpa Pustu aktif", "without an active Pustu"))

    def legend(self) -> Legend:
        labels = dict(CLASS_TEXT)
        extra = PKM_SERVED if self.puskesmas_melayani else PKM_TARGET
        pkm = labels["puskesmas"]
        labels["puskesmas"] = Text(pkm.id + extra.id, pkm.en + extra.en)
        km = km_text(self.jarak_km, "id"), km_text(self.jarak_km, "en")
        return Legend(
            title=Text(f"Pustu per desa (akses: {km[0]} km garis lurus, bukan waktu tempuh)",
                       f"Pustu per village (access: {km[1]} km straight line, not travel "
                       "time)"),
            classes=tuple(LegendClass(CLASS_COLORS[k], labels[k]) for k in CLASSES),
            no_data=LegendClass(NO_DATA_COLOR, Text("Tidak ada data", "No data")),
        )  # fmt: skip

    def load(self, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
        gaps = service.gaps_for(session, scope, distance_km=self.jarak_km,
                                puskesmas_served=self.puskesmas_melayani,
                                target_year=self.tahun_target)  # fmt: skip
        return self.result(gaps, lang)

    def result(self, gaps: PustuGaps, lang: str = "id") -> LayerResult:
        """The layer's table and summary from a computed gap table (pure)."""
        v = gaps.villages
        index = {k: i for i, k in enumerate(CLASSES)}
        km = v["jarak_pustu_m"].to_numpy(float) / 1000
        table = v.assign(
            kode_desa=v["kode_desa"].astype(str),
            value=np.where(np.isfinite(km), km, np.nan),
            klass=v["kelas"].map(index).astype(int),
        ).reset_index(drop=True)
        table["label"] = labels(gaps, lang, self.puskesmas_melayani)
        return LayerResult(table=table, legend=self.legend(), summary=summary_text(gaps))


def km_text(km: float, lang: str) -> str:
    """A distance option in km as the pages write it.

    Examples
    --------
    >>> km_text(5.0, "id"), km_text(2.5, "id"), km_text(2.5, "en")
    ('5', '2,5', '2.5')
    """
    return fmt_number(km, lang, 0 if float(km).is_integer() else 1)


def labels(gaps: PustuGaps, lang: str, puskesmas_served: bool) -> list[str]:
    """The tooltip of every village of ``gaps`` in ``lang`` (each part one format over all
    villages: class, a double Pustu, the distances, the population, beyond the distance)."""
    v = gaps.villages
    if v.empty:
        return []
    beyond = (BEYOND_BOTH if puskesmas_served else BEYOND_PUSTU)(lang).format(
        km=km_text(gaps.distance_m / 1000, lang))
    kelas = pd.Series(v["kelas"].to_numpy(dtype=object))
    out = kelas.map({k: t(lang) for k, t in CLASS_TEXT.items()}).to_numpy(dtype=object)
    double = v["pustu_ganda"].to_numpy(bool)
    if double.any():
        out = np.where(double, textvec.join(out, " · ", textvec.fill(
            DOUBLE(lang), n=textvec.integers(v["pustu_aktif"].to_numpy()))), out)
    penduduk = v["penduduk"].to_numpy(float)
    people = np.where(np.isnan(penduduk), NO_POPULATION(lang), textvec.join(
        textvec.numbers(penduduk, lang), f" {PEOPLE(lang)}")).astype(object)
    out = textvec.join(
        out, f" · {NEAREST_PUSTU(lang)} ", distance_texts(v["jarak_pustu_m"], lang),
        f", {NEAREST_PUSKESMAS(lang)} ", distance_texts(v["jarak_puskesmas_m"], lang),
        f" ({STRAIGHT(lang)}) · ", people)
    served = v["terlayani"].to_numpy(bool)
    return np.where(served, out, textvec.join(out, f" · {beyond}")).tolist()


def distance_texts(metres: pd.Series | np.ndarray, lang: str) -> np.ndarray:
    """:func:`~layers.pustu.service.distance_text` of every distance."""
    d = np.asarray(pd.to_numeric(pd.Series(metres), errors="coerce"), dtype=float)
    known = np.isfinite(d)
    with np.errstate(invalid="ignore"):
        near = known & (d < 1000)
    m = textvec.join(textvec.numbers(np.where(near, np.rint(d), np.nan), lang), " m")
    km = textvec.join(textvec.numbers(d / 1000, lang, 1), " km")
    return textvec.choose([~known, near], ["–", m], km)


def summary_text(gaps: PustuGaps) -> Text:
    """The layer's one-line summary in both languages (coverage, staffing, unserved
    population, target progress, problems, and that distances are straight lines)."""
    t = gaps.total()
    if not t["desa"]:
        return Text("Tidak ada desa dalam cakupan.", "No villages in scope.")
    return Text(_summary(gaps, t, "id"), _summary(gaps, t, "en"))


def _pct(value: object, lang: str) -> str:
    return "–" if pd.isna(value) else f"{fmt_number(float(value), lang, 1)} %"


def _summary(gaps: PustuGaps, t: dict[str, object], lang: str) -> str:
    def num(key: str) -> str:
        return fmt_number(float(t[key]), lang)  # type: ignore[arg-type]

    unserved = t["penduduk_tidak_terlayani"]
    no_pop = int(t["desa_tanpa_penduduk"])  # type: ignore[call-overload]
    target = TARGET_LEFT if t["tahun_tersisa"] else TARGET_PASSED
    text = MAIN(lang).format(
        n=num("dengan_pustu"), desa=num("desa"), cov=_pct(t["cakupan_pct"], lang),
        staff=_pct(t["staf_minimal_pct"], lang),
        short=f"{num('kurang_perawat')}/{num('kurang_bidan')}",
        km=km_text(gaps.distance_m / 1000, lang),
        people="–" if pd.isna(unserved) else num("penduduk_tidak_terlayani"),
        no_pop=NO_POP(lang).format(n=no_pop) if no_pop else "",
        target=target(lang).format(year=gaps.target_year, still=num("belum_tercakup"),
                                   per=num("per_tahun")),
        line=STRAIGHT_LINE(lang),
    )  # fmt: skip
    problems = [p(lang) for p in gaps.problems]
    return text + ("" if not problems else " " + "; ".join(problems) + ".")
