"""Diarrhoea map layers: weekly alert status (``peringatan``) and Gi* hot spots (``titik_panas``).

Both are ordinary registered layers (:mod:`layers.base`): the map page draws them like any
other, from a per-village ``klass`` and ``label``. The numbers come from
:mod:`layers.diarrhoea.service`, so the map, the command line and the tests agree.
Documented in ``docs/layers.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers import aggregate, classify, textvec
from layers.base import (
    Choice,
    Layer,
    LayerResult,
    Legend,
    LegendClass,
    Period,
    no_data_result,
    option,
    register,
)
from layers.diarrhoea import service
from layers.diarrhoea.hotspots import (
    DEFAULT_FAMILY,
    FAMILIES,
    FAMILY_NAMES,
    NOT_SIGNIFICANT,
    p_text,
)
from layers.diarrhoea.rules import UNCONFIRMED
from layers.indicators import (
    DISEASE,
    NO_REPORT,
    CaseWeeks,
    cases_texts,
    disease_choices,
    disease_name,
    require_week,
)
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

# --------------------------------------------------------------------------- peringatan

ALERT = Text("Peringatan", "Alert")
THRESHOLD = Text("ambang", "threshold")
NOT_ENOUGH_BASELINE = Text("Data dasar tidak cukup", "Not enough baseline")

#: alert statuses with a legend class, in legend order (``no_report`` is the no-data class)
ALERT_STATUSES = ("alert", "no_alert", "no_baseline")


@register
@dataclass(frozen=True)
class AlertLayer(CaseWeeks, Layer):
    """Weekly alert status per village under the disease's stored rule (SKDR-style)."""

    type: ClassVar[str] = "peringatan"
    title: ClassVar[Text] = Text("Peringatan mingguan", "Weekly alerts")
    description: ClassVar[Text] = Text(
        "Status peringatan dini tiap desa pada minggu terpilih menurut aturan penyakit "
        "(ambang yang dapat diubah Dinkes): kasus dibanding ambang.",
        "Each village's early-warning status in the selected week under the disease's rule "
        "(a threshold the health office can edit): cases against the threshold.",
    )

    penyakit: str = option("diare_akut", DISEASE, choices=disease_choices)

    def aggregation(self) -> aggregate.Aggregation:
        """The share of the reporting villages that alert."""
        return aggregate.Share((ALERT_STATUSES.index("alert"),),
                               Text("dengan peringatan", "with an alert"))

    def legend(self) -> Legend:
        disease = disease_name(self.penyakit)
        return Legend(
            title=Text(f"{disease.id}: peringatan minggu ini",
                       f"{disease.en}: alerts this week"),  # fmt: skip
            classes=(
                LegendClass("#d7301f", Text("Peringatan (kasus ≥ ambang)",
                                            "Alert (cases ≥ threshold)")),  # fmt: skip
                LegendClass("#c7e9c0", Text("Tidak ada peringatan", "No alert")),
                LegendClass("#9e9ac8", NOT_ENOUGH_BASELINE),
            ),
            no_data=LegendClass(classify.NO_DATA_COLOR, NO_REPORT),
        )

    def load(self, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
        week = require_week(period)
        codes = queries.village_codes(session, scope)
        result = service.alerts_for(session, scope, week, self.penyakit, villages=codes)
        frame = result.frame(reasons=False)  # the map shows the label, not the reasons
        table = pd.DataFrame({"kode_desa": pd.Series(codes, dtype=str)}).merge(
            frame, on="kode_desa", how="left")
        status = table["status"].fillna("no_report")
        klass = status.map({s: i for i, s in enumerate(ALERT_STATUSES)})
        table["status"] = status
        table["klass"] = klass.fillna(classify.NO_DATA).astype(int)
        table["value"] = table["observed"].astype(float)
        table["label"] = alert_labels(status.to_numpy(dtype=object),
                                      table["observed"].to_numpy(float),
                                      table["threshold"].to_numpy(float), lang)  # fmt: skip
        n_alert = int((status == "alert").sum())
        rule = result.rule
        unconfirmed = Text("", "") if rule.terkonfirmasi else Text(
            f" ({UNCONFIRMED.id})", f" ({UNCONFIRMED.en})")  # fmt: skip
        described = rule.describe()
        summary = Text(
            f"{n_alert} dari {len(table)} desa dalam peringatan, minggu {week}; aturan: "
            f"{described.id}{unconfirmed.id}",
            f"{n_alert} of {len(table)} villages in alert, week {week}; rule: "
            f"{described.en}{unconfirmed.en}",
        )
        recent = int((table.get("baseline_source") == "recent").sum()) \
            if "baseline_source" in table else 0
        if rule.jenis == "ratio_to_history" and recent:
            summary = Text(
                f"{summary.id}; {recent} desa tanpa riwayat tahun lalu memakai 5 minggu "
                "sebelum jeda 2 minggu",
                f"{summary.en}; {recent} villages without last year's history use the 5 weeks "
                "before a 2-week guard band",
            )
        return LayerResult(table=table, legend=self.legend(), summary=summary)


def alert_labels(status: np.ndarray, observed: np.ndarray, threshold: np.ndarray,
                 lang: str) -> np.ndarray:  # fmt: skip
    """The tooltip of every village, one format per status: no report; its cases and a
    baseline too short; in alert (cases ≥ threshold); or cases < threshold."""
    cases = cases_texts(observed, lang)
    whole = np.isfinite(threshold) & (threshold == np.floor(threshold))
    thr = textvec.join(f"{THRESHOLD(lang)} ", np.where(
        whole, textvec.numbers(threshold, lang, 0), textvec.numbers(threshold, lang, 1)))
    return textvec.choose(
        [status == "no_report", status == "no_baseline", status == "alert"],
        [NO_REPORT(lang), textvec.join(cases, f"; {NOT_ENOUGH_BASELINE(lang).lower()}"),
         textvec.join(f"{ALERT(lang)}: ", cases, " ≥ ", thr)],
        textvec.join(cases, " < ", thr),
    )


# --------------------------------------------------------------------------- titik_panas

#: Gi* classes in legend order (hot first), as named by :mod:`layers.diarrhoea.hotspots`
HOTSPOT_CLASSES = ("hot_99", "hot_95", "hot_90", "ns", "cold_90", "cold_95", "cold_99")
_HOTSPOT_COLORS = ("#d7301f", "#fc8d59", "#fdcc8a", "#f7f7f7", "#bdd7e7", "#6baed6", "#2171b5")
_HOTSPOT_TEXT = {
    "hot_99": Text("Titik panas (99%)", "Hot spot (99%)"),
    "hot_95": Text("Titik panas (95%)", "Hot spot (95%)"),
    "hot_90": Text("Titik panas (90%)", "Hot spot (90%)"),
    "ns": Text("Tidak signifikan", "Not significant"),
    "cold_90": Text("Titik dingin (90%)", "Cold spot (90%)"),
    "cold_95": Text("Titik dingin (95%)", "Cold spot (95%)"),
    "cold_99": Text("Titik dingin (99%)", "Cold spot (99%)"),
}


@register
@dataclass(frozen=True)
class HotSpotLayer(CaseWeeks, Layer):
    """Getis-Ord Gi* hot and cold spots of the week's incidence, permutation p-values."""

    type: ClassVar[str] = "titik_panas"
    title: ClassVar[Text] = Text("Titik panas (Gi*)", "Hot spots (Gi*)")
    description: ClassVar[Text] = Text(
        "Desa yang bersama tetangganya memiliki insidens minggu ini jauh di atas (titik panas) "
        "atau di bawah (titik dingin) wilayah lainnya, uji permutasi Getis-Ord Gi*.",
        "Villages whose incidence this week, together with their neighbours', is well above "
        "(hot spot) or below (cold spot) the rest of the area: Getis-Ord Gi* permutation test.",
    )

    penyakit: str = option("diare_akut", DISEASE, choices=disease_choices)
    per: int = 1000
    permutations: int = option(999, Text("Permutasi", "Permutations"),
                               choices=tuple(Choice(n, Text(str(n), str(n)))
                                             for n in (99, 999, 9999)))  # fmt: skip
    fdr: bool = option(True, Text("Koreksi FDR", "FDR correction"))
    family: str = option(DEFAULT_FAMILY, Text("Keluarga uji FDR", "FDR family"),
                         choices=tuple(Choice(f, FAMILY_NAMES[f]) for f in FAMILIES))
    refine: bool = True
    seed: int = service.DEFAULT_SEED

    def aggregation(self) -> aggregate.Aggregation:
        """The share of villages that are hot spots at any confidence."""
        hot = tuple(i for i, c in enumerate(HOTSPOT_CLASSES) if c.startswith("hot"))
        return aggregate.Share(hot, Text("titik panas", "that are hot spots"))

    def legend(self) -> Legend:
        name = FAMILY_NAMES[self.family]
        title = (Text(f"Titik panas Gi* (FDR per {name.id})",
                      f"Gi* hot spots (FDR within each {name.en})") if self.fdr
                 else Text("Titik panas Gi* (tanpa koreksi FDR)",
                           "Gi* hot spots (no FDR correction)"))  # fmt: skip
        return Legend(
            title=title,
            classes=tuple(
                LegendClass(color, _HOTSPOT_TEXT[name])
                for name, color in zip(HOTSPOT_CLASSES, _HOTSPOT_COLORS, strict=True)
            ),
            no_data=LegendClass(classify.NO_DATA_COLOR, NO_REPORT),
        )

    def load(self, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
        week = require_week(period)
        try:
            result = service.hotspots_for(
                session, scope, week, self.penyakit, per=self.per,
                permutations=self.permutations, seed=self.seed, fdr=self.fdr,
                family=self.family, refine=self.refine,
            )  # fmt: skip
        except ValueError:  # fewer than two villages, or nobody reported
            summary = Text(f"Titik panas tidak dapat dihitung untuk minggu {week} (perlu "
                           "≥ 2 desa dan ada laporan)",
                           f"Hot spots cannot be computed for week {week} (needs ≥ 2 "
                           "villages and some reports)")  # fmt: skip
            villages = queries.village_table(session, scope)["kode"].astype(str)
            return no_data_result(villages, self.legend(), summary, lang)
        res = result.table.reset_index()
        reported = res["reported"].astype(bool)
        gi_class = res["gi_class"].astype(str)
        klass = gi_class.map({c: i for i, c in enumerate(HOTSPOT_CLASSES)}).astype(int)
        table = pd.DataFrame({
            "kode_desa": res["kode_desa"].astype(str),
            "value": res["incidence"].astype(float),
            "klass": np.where(reported, klass, classify.NO_DATA),
            "gi_class": gi_class,
            "gi_p": res["gi_p"].astype(float),
            "gi_z": res["gi_z"].astype(float),
            "reported": reported,
        })  # fmt: skip
        table["label"] = hotspot_labels(gi_class.to_numpy(dtype=object),
                                        table["value"].to_numpy(float),
                                        table["gi_p"].to_numpy(float),
                                        reported.to_numpy(bool), self.per, lang)  # fmt: skip
        shown = gi_class[reported]
        hot = int(shown.str.startswith("hot").sum())
        cold = int(shown.str.startswith("cold").sum())
        method = result.hot_spots.method()
        summary = Text(
            f"{hot} desa titik panas, {cold} titik dingin, minggu {week}; {method.id}",
            f"{hot} hot-spot villages, {cold} cold, week {week}; {method.en}",
        )
        return LayerResult(table=table, legend=self.legend(), summary=summary)


def hotspot_labels(gi_class: np.ndarray, value: np.ndarray, p: np.ndarray,
                   reported: np.ndarray, per: int, lang: str) -> np.ndarray:  # fmt: skip
    """The tooltip of every village: no report, or its class, incidence per ``per`` and
    p-value (a permutation p-value takes few distinct values: each is written once)."""
    names = {c: t(lang) for c, t in _HOTSPOT_TEXT.items()}
    name = pd.Series(gi_class, dtype=object).map(names).fillna(names[NOT_SIGNIFICANT])
    distinct, where = np.unique(p, return_inverse=True)
    p_texts = np.array([p_text(float(x), lang) for x in distinct], dtype=object)[where]
    rate = textvec.join(textvec.numbers(value, lang, 2), f" per {fmt_number(per, lang)}")
    shown = textvec.join(name.to_numpy(dtype=object), " · ", rate, " · p = ", p_texts)
    return np.where(reported, shown, NO_REPORT(lang)).astype(object)
