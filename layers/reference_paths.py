"""The former row-by-row paths of the map layers' values, for checking and benchmarking only.

Each registered layer's ``load`` used to build its table from ORM rows with a Python label
per village (and, for ``titik_panas``, esda's classes rebuilding the sparse weights on every
call). The layers now read with set-based queries and build labels per class
(``bench/layer_values.py``). These are frozen copies of the former paths — the same reads,
the same per-row formatting — so that the tests can assert that the new paths give the same
tables and the benchmark can print each layer beside its former self in the same run.
Nothing in the application calls this module.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from libpysal.weights import W
from sqlalchemy.orm import Session

from layers import classify
from layers.base import Layer, LayerResult, Period, no_data_result
from layers.classify import NO_DATA
from layers.diarrhoea import hotspots as hs
from layers.diarrhoea import service as dsvc
from layers.diarrhoea.alerts import reads, weekly_alerts
from layers.diarrhoea.weights import weights_for_scope
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

# --------------------------------------------------------------------------- insidens


def incidence(layer: Any, session: Session, scope: Scope, period: Period,
              lang: str = "id") -> LayerResult:  # fmt: skip
    """The former ``IncidenceLayer.load``: three frames merged, a label per village."""
    from layers.indicators import require_week

    week = require_week(period)
    villages = queries.village_table(session, scope)[["kode"]].rename(
        columns={"kode": "kode_desa"}
    )
    cases = queries.weekly_cases(session, scope, layer.penyakit, week.year, week.week)
    pop = queries.population(session, scope, week.year)
    table = villages.merge(cases, on="kode_desa", how="left").merge(
        pop, on="kode_desa", how="left"
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = table["kasus"] / table["jumlah"].where(table["jumlah"] > 0) * layer.per
    table["value"] = rate.astype(float)
    table["klass"] = classify.fixed(table["value"], (*layer.bounds, float("inf")))
    table["label"] = [
        _incidence_label(k, v, layer.per, lang) for k, v in zip(table["kasus"], rate, strict=True)
    ]
    reported = int(table["kasus"].notna().sum())
    total = int(table["kasus"].fillna(0).sum())
    summary = Text(
        f"{fmt_number(total, 'id')} kasus di {reported} desa melapor, minggu {week}",
        f"{fmt_number(total, 'en')} cases in {reported} reporting villages, week {week}",
    )
    return LayerResult(table=table, legend=layer.legend(), summary=summary)


def _incidence_label(kasus: float, rate: float, per: int, lang: str) -> str:
    from layers.indicators import NO_REPORT, POPULATION_UNKNOWN, cases_text

    if pd.isna(kasus):
        return NO_REPORT(lang)
    if pd.isna(rate):
        return f"{cases_text(kasus, lang)} ({POPULATION_UNKNOWN(lang)})"
    return f"{cases_text(kasus, lang)} · {fmt_number(rate, lang, 2)} per {fmt_number(per, lang)}"


# --------------------------------------------------------------------------- peringatan


def alerts(layer: Any, session: Session, scope: Scope, period: Period,
           lang: str = "id") -> LayerResult:  # fmt: skip
    """The former ``AlertLayer.load``: one frame per week range the rule reads, every
    village's reason sentences, a label per village."""
    from layers.diarrhoea.maplayers import ALERT_STATUSES
    from layers.diarrhoea.rules import UNCONFIRMED
    from layers.indicators import require_week

    week = require_week(period)
    rule = dsvc.rule_for(session, layer.penyakit)
    parts = [dsvc.series(session, scope, layer.penyakit, first, last)
             for first, last in reads(rule, week)]  # fmt: skip
    data = pd.concat(parts, ignore_index=True).drop_duplicates(["kode_desa", "tahun", "minggu"])
    villages_list = queries.village_table(session, scope)["kode"].tolist()
    result = weekly_alerts(data, rule, week, villages=villages_list)
    frame = result.frame()
    villages = queries.village_table(session, scope)[["kode"]].rename(
        columns={"kode": "kode_desa"}
    )
    table = villages.merge(frame, on="kode_desa", how="left")
    status = table["status"].fillna("no_report")
    klass = status.map({s: i for i, s in enumerate(ALERT_STATUSES)})
    table["status"] = status
    table["klass"] = klass.fillna(classify.NO_DATA).astype(int)
    table["value"] = table["observed"].astype(float)
    table["label"] = [
        _alert_label(s, o, t, lang)
        for s, o, t in zip(status, table["observed"], table["threshold"], strict=True)
    ]
    n_alert = int((status == "alert").sum())
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
    return LayerResult(table=table, legend=layer.legend(), summary=summary)


def _alert_label(status: str, observed: float, threshold: float, lang: str) -> str:
    from layers.diarrhoea.maplayers import ALERT, NOT_ENOUGH_BASELINE, THRESHOLD
    from layers.indicators import NO_REPORT, cases_text

    if status == "no_report":
        return NO_REPORT(lang)
    cases = cases_text(observed, lang)
    if status == "no_baseline":
        return f"{cases}; {NOT_ENOUGH_BASELINE(lang).lower()}"
    decimals = 0 if float(threshold).is_integer() else 1
    thr = f"{THRESHOLD(lang)} {fmt_number(threshold, lang, decimals)}"
    if status == "alert":
        return f"{ALERT(lang)}: {cases} ≥ {thr}"
    return f"{cases} < {thr}"


# --------------------------------------------------------------------------- titik_panas


def esda_first_stage(y: np.ndarray, w: W, w_star: W, matrices: Callable[[], hs.Matrices],
                     permutations: int, seed: int) -> hs.FirstStage:  # fmt: skip
    """The former first stage: esda's ``G_Local`` and ``Moran_Local`` classes, each on a
    private copy of its weights (whose sparse matrix esda rebuilds from the dicts)."""
    g, m = hs._esda(y, w, w_star, permutations, seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        z_sim = np.asarray(g.z_sim, dtype=float)
    return hs.FirstStage(gs=np.asarray(g.Gs, dtype=float), zs=np.asarray(g.Zs, dtype=float),
                         z_sim=z_sim, r_gs=g.rGs, lisa=np.asarray(m.Is, dtype=float),
                         lisa_q=np.asarray(m.q, dtype=int), r_lisa=m.rlisas)  # fmt: skip


def sorted_draws(rng: np.random.Generator, i: int, n: int, k: int, count: int) -> np.ndarray:
    """The former second-stage draws: duplicates found by sorting every row."""
    if k * (k - 1) <= 4 * (n - 1):
        draw = rng.integers(0, n - 1, size=(count, k))
        while k > 1:
            ordered = np.sort(draw, axis=1)
            bad = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
            if not len(bad):
                break
            draw[bad] = rng.integers(0, n - 1, size=(len(bad), k))
    else:
        draw = np.argsort(rng.random((count, n - 1)), axis=1)[:, :k]
    return draw + (draw >= i)


class FormerHotSpots(hs.HotSpots):
    """:class:`~layers.diarrhoea.hotspots.HotSpots` through the former esda classes and
    the former second-stage draws."""

    _first_stage = staticmethod(esda_first_stage)
    _draws = staticmethod(sorted_draws)


def hotspots(layer: Any, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
    """The former ``HotSpotLayer.load``: three frames merged, the former statistic, a label
    per village."""
    from layers.diarrhoea.maplayers import HOTSPOT_CLASSES
    from layers.indicators import require_week

    week = require_week(period)
    villages = queries.village_table(session, scope)[["kode"]].rename(
        columns={"kode": "kode_desa"})
    cases = queries.weekly_cases(session, scope, layer.penyakit, week.year, week.week)
    pop = queries.population(session, scope, week.year)[["kode_desa", "jumlah"]]
    inc = villages.merge(cases[["kode_desa", "kasus"]], on="kode_desa", how="left").merge(
        pop, on="kode_desa", how="left")
    kasus = pd.to_numeric(inc["kasus"], errors="coerce").astype(float)
    jumlah = pd.to_numeric(inc["jumlah"], errors="coerce").astype(float)
    inc["kasus"], inc["jumlah"] = kasus, jumlah
    inc["incidence"] = kasus / jumlah.where(jumlah > 0) * layer.per
    inc["reported"] = inc["incidence"].notna()
    try:
        weights = weights_for_scope(session, scope)
        values = inc.set_index("kode_desa")["incidence"]
        if not values.notna().any():
            raise ValueError("nobody reported")
        result = FormerHotSpots(values.fillna(float(values.mean())), weights,
                                permutations=layer.permutations, seed=layer.seed,
                                fdr=layer.fdr, family=layer.family,
                                refine=layer.refine)  # fmt: skip
    except ValueError:  # fewer than two villages, or nobody reported
        summary = Text(f"Titik panas tidak dapat dihitung untuk minggu {week} (perlu "
                       "≥ 2 desa dan ada laporan)",
                       f"Hot spots cannot be computed for week {week} (needs ≥ 2 "
                       "villages and some reports)")  # fmt: skip
        codes = queries.village_table(session, scope)["kode"].astype(str)
        return no_data_result(codes, layer.legend(), summary, lang)
    extra = inc.set_index("kode_desa")[["kasus", "jumlah", "incidence", "reported"]]
    res = result.table.join(extra).reset_index()
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
    table["label"] = [
        _hotspot_label(c, v, p, ok, layer.per, lang)
        for c, v, p, ok in zip(gi_class, table["value"], table["gi_p"], reported, strict=True)
    ]
    shown = gi_class[reported]
    hot = int(shown.str.startswith("hot").sum())
    cold = int(shown.str.startswith("cold").sum())
    method = result.method()
    summary = Text(
        f"{hot} desa titik panas, {cold} titik dingin, minggu {week}; {method.id}",
        f"{hot} hot-spot villages, {cold} cold, week {week}; {method.en}",
    )
    return LayerResult(table=table, legend=layer.legend(), summary=summary)


def _hotspot_label(gi_class: str, value: float, p: float, reported: bool, per: int,
                   lang: str) -> str:  # fmt: skip
    from layers.diarrhoea.maplayers import _HOTSPOT_TEXT
    from layers.indicators import NO_REPORT

    if not reported:
        return NO_REPORT(lang)
    rate = f"{fmt_number(value, lang, 2)} per {fmt_number(per, lang)}"
    name = _HOTSPOT_TEXT.get(gi_class, _HOTSPOT_TEXT[hs.NOT_SIGNIFICANT])(lang)
    return f"{name} · {rate} · p = {hs.p_text(p, lang)}"


# --------------------------------------------------------------------------- kader

_ROSTERS: OrderedDict[tuple[str, str, str], Any] = OrderedDict()


def clear_caches() -> None:
    """Forget the former paths' own caches (a cold call)."""
    _ROSTERS.clear()


def kader_roster(session: Session, scope: Scope) -> Any:
    """The former roster read (:func:`layers.kader.roster.load_roster`: every passed skill
    as a row), cached per data version and scope as the service did."""
    from layers.kader.roster import load_roster

    key = (session.get_bind().url.render_as_string(hide_password=True),
           queries.data_version(session), scope.key)  # fmt: skip
    if key not in _ROSTERS:
        _ROSTERS[key] = load_roster(session, scope)
        while len(_ROSTERS) > 4:
            _ROSTERS.popitem(last=False)
    return _ROSTERS[key]


def kader(layer: Any, session: Session, scope: Scope, period: Period,
          lang: str = "id") -> LayerResult:  # fmt: skip
    """The former ``KaderLayer.load``: the roster of every passed skill row, a tooltip per
    village built row by row."""
    from layers.kader.gaps import compute
    from layers.kader.maplayer import NO_KADER_DATA, summary_text
    from layers.kader.strata import load_rule

    found = kader_roster(session, scope)
    gaps = compute(found, load_rule(groups=found.book.groups),
                   stale_months=layer.umur_asesmen, norm=layer.norma)  # fmt: skip
    villages = queries.village_table(session, scope)["kode"].astype(str).tolist()
    value, klass = layer.values(gaps)
    labels = kader_tooltips(gaps, layer, lang)
    found_table = pd.DataFrame({"kode_desa": gaps.villages["kode_desa"].astype(str),
                                "value": value, "klass": klass,
                                "label": pd.Series(labels, dtype=object)})  # fmt: skip
    table = pd.DataFrame({"kode_desa": list(villages)}).merge(found_table, on="kode_desa",
                                                              how="left")  # fmt: skip
    none = table["klass"].isna()
    table["klass"] = table["klass"].fillna(NO_DATA).astype(int)
    table.loc[none, "label"] = NO_KADER_DATA.label(lang)
    return LayerResult(table=table, legend=layer.legend(),
                       summary=summary_text(gaps, layer, int(none.sum())))


def kader_tooltips(gaps: Any, layer: Any, lang: str) -> list[str]:
    """The former per-village tooltip loop of the ``kader`` layer."""
    from layers.kader import maplayer as km

    v = gaps.villages
    missing = gaps.missing_lists("villages")
    p = gaps.posyandu
    low = p.loc[p["kader_aktif"] < gaps.norm, "kode_desa"].value_counts()
    below = low.reindex(v["kode_desa"]).fillna(0).astype(int).to_numpy()
    chosen = [c for c in layer.chosen() if c in gaps.book.codes]
    chosen_idx = [gaps.book.codes.index(c) for c in chosen]
    skill = layer.chosen_label(lang)
    view = layer.tampilan
    out = []
    for i, row in enumerate(v.itertuples(index=False)):
        head = km.ACTIVE(lang).format(n=fmt_number(row.kader_aktif, lang), p=row.posyandu)
        if row.kader > row.kader_aktif:
            head += km.INACTIVE(lang).format(n=row.kader - row.kader_aktif)
        mix = km.MIX(lang).format(pct=km._pct(row.purwa_plus, lang))
        lacks = (km.LACKS(lang).format(n=row.kurang, codes=km._codes(missing[i])) if row.kurang
                 else km.COMPLETE(lang))  # fmt: skip
        norm = km.BELOW(lang).format(n=below[i], p=row.posyandu, norm=gaps.norm)
        parts = {"strata": [mix, head, lacks], "kurang": [lacks, head, mix],
                 "rasio": [km.PER(lang).format(n=fmt_number(row.per_posyandu, lang, 1)), norm,
                           head, mix, lacks]}.get(view, [head, mix, lacks])  # fmt: skip
        if view == "keterampilan" and chosen:
            holders = gaps.village_holders[i, chosen_idx]
            if len(chosen) == 1:
                lead = (km.CAN if holders[0] else km.CANNOT)(lang).format(n=int(holders[0]),
                                                                          skill=skill)
            else:
                lacking = [c for c, h in zip(chosen, holders, strict=True) if h == 0]
                lead = (km.GROUP_GAP(lang).format(skill=skill, codes=km._codes(lacking))
                        if lacking else km.GROUP_OK(lang).format(skill=skill))
            parts.insert(0, lead)
        if view != "rasio" and below[i]:
            parts.append(norm)
        if row.stale:
            parts.append(km.STALE(lang).format(n=row.stale, m=gaps.stale_months))
        out.append(" · ".join(parts))
    return out


# --------------------------------------------------------------------------- pustu


def pustu(layer: Any, session: Session, scope: Scope, period: Period,
          lang: str = "id") -> LayerResult:  # fmt: skip
    """The former ``PustuLayer.load``: every facility of the scope read, a tooltip per
    village built row by row."""
    from layers.pustu import service as psvc
    from layers.pustu import summary as psummary
    from layers.pustu.classes import CLASSES
    from layers.pustu.maplayer import summary_text

    current_year = psummary.this_year()
    villages = queries.village_table(session, scope)
    points = psvc.village_points(session, scope).set_index("kode").reindex(villages["kode"])
    villages = villages.assign(lon=points["lon"].to_numpy(), lat=points["lat"].to_numpy(),
                               sumber_titik=points["sumber_titik"].fillna("kosong").to_numpy())
    facilities = queries.facilities(session, scope)
    population = queries.population(session, scope, current_year)
    kab = queries.region_names(session, scope, "kab")
    gaps = psvc.build_gaps(villages, facilities, population,
                           distance_m=float(layer.jarak_km) * 1000,
                           puskesmas_served=layer.puskesmas_melayani,
                           target_year=layer.tahun_target, current_year=current_year,
                           kabupaten_names=dict(zip(kab["kode"], kab["nama"], strict=True)))
    v = gaps.villages
    index = {k: i for i, k in enumerate(CLASSES)}
    km = v["jarak_pustu_m"].to_numpy(float) / 1000
    table = v.assign(
        kode_desa=v["kode_desa"].astype(str),
        value=np.where(np.isfinite(km), km, np.nan),
        klass=v["kelas"].map(index).astype(int),
    ).reset_index(drop=True)
    table["label"] = pustu_labels(gaps, lang, layer.puskesmas_melayani)
    return LayerResult(table=table, legend=layer.legend(), summary=summary_text(gaps))


def pustu_labels(gaps: Any, lang: str, puskesmas_served: bool) -> list[str]:
    """The former per-village tooltip loop of the ``pustu`` layer."""
    from layers.pustu import maplayer as pm
    from layers.pustu.classes import CLASS_TEXT
    from layers.pustu.service import distance_text

    v = gaps.villages
    beyond = (pm.BEYOND_BOTH if puskesmas_served else pm.BEYOND_PUSTU)(lang).format(
        km=pm.km_text(gaps.distance_m / 1000, lang))
    out = []
    for row in v.itertuples(index=False):
        parts = [CLASS_TEXT[row.kelas](lang)]
        if row.pustu_ganda:
            parts.append(pm.DOUBLE(lang).format(n=row.pustu_aktif))
        parts.append(f"{pm.NEAREST_PUSTU(lang)} {distance_text(row.jarak_pustu_m, lang)}, "
                     f"{pm.NEAREST_PUSKESMAS(lang)} "
                     f"{distance_text(row.jarak_puskesmas_m, lang)} ({pm.STRAIGHT(lang)})")
        parts.append(pm.NO_POPULATION(lang) if pd.isna(row.penduduk)
                     else f"{fmt_number(row.penduduk, lang)} {pm.PEOPLE(lang)}")
        if not row.terlayani:
            parts.append(beyond)
        out.append(" · ".join(parts))
    return out


# --------------------------------------------------------------------------- all

#: the former ``load`` of each registered layer type
FORMER = {"insidens": incidence, "peringatan": alerts, "titik_panas": hotspots,
          "kader": kader, "pustu": pustu}  # fmt: skip


def former_load(layer: Layer, session: Session, scope: Scope, period: Period,
                lang: str = "id") -> LayerResult:  # fmt: skip
    """``layer``'s values through its former path."""
    return FORMER[layer.type](layer, session, scope, period, lang)


def village_codes(session: Session, scope: Scope) -> Sequence[str]:
    """The scope's village codes (for comparing tables row by row)."""
    return queries.village_table(session, scope)["kode"].tolist()


__all__ = ["FORMER", "FormerHotSpots", "former_load", "esda_first_stage", "sorted_draws",
           "EpiWeek"]  # fmt: skip
