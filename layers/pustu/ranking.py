"""The planning problem from the store, and the ranked list of villages for a new Pustu.

:func:`planning_data` reads a scope's villages, population and facilities (through
:mod:`layers.store.queries`) and builds the planner's
:class:`~layers.pustu.planner.Instance` (:func:`build`, pure):

* **villages** (rows) at their populated point (:func:`layers.pustu.access.populated_points`);
  population of the latest year up to ``tahun``; a village without a figure is no-data
  (``penduduk`` NaN, counted in :attr:`PlanningData.no_population`) and weighs 0;
* **sites** (columns): every active Pustu (fixed; at its own position, or its village's
  populated point when it has none), then every village without an active Pustu as a
  candidate (a Pustu at its populated point);
* a site serves the village it stands in and every village whose populated point lies
  within ``distance_m`` of it, straight-line (:func:`layers.pustu.access.coverage`, UTM zone
  of each village) — never travel time;
* with ``puskesmas_serves`` (default) a village with an active Puskesmas in it counts as
  served (it is, by the Puskesmas) but stays a candidate.

Only facilities inside the scope are seen (every read is scoped): a village at the scope's
edge may be served by a Pustu across the border that this plan does not know.

:func:`rank` orders the candidates: first the greedy order (each village newly serves the
most people after those ranked above it, :mod:`layers.pustu.planner`), then the villages
whose reach is already served, farthest from an active Pustu first. Each row says why, in
Indonesian and English: the people it would newly serve (itself and how many villages
around), its own population, the straight-line distance to the nearest active Pustu and
Puskesmas, a planned Pustu already there, and the weeks of diarrhoea alerts in the last
:data:`ALERT_WEEKS` weeks when case data exist (:func:`alert_weeks`, through
:mod:`layers.diarrhoea.service`).

Examples
--------
Four villages 1 km apart on the equator, an active Pustu in the first, 1.1 km reach: C
serves itself and D; then B and D add nobody, D ranked first (farther from the Pustu):

>>> import geopandas as gpd, pandas as pd, shapely
>>> boxes = [shapely.box(110 + 0.009 * i - 0.001, -0.001, 110 + 0.009 * i + 0.001, 0.001)
...          for i in range(4)]
>>> villages = gpd.GeoDataFrame({"kode": ["A", "B", "C", "D"], "nama": ["Satu", "Dua", "Tiga",
...     "Empat"], "kode_kec": "K", "nama_kec": "Kec"}, geometry=boxes, crs="EPSG:4326")
>>> pop = pd.DataFrame({"kode_desa": ["A", "B", "C", "D"], "jumlah": [900, 400, 700, 300]})
>>> fac = pd.DataFrame({"id": [1], "jenis": ["pustu"], "kode_desa": ["A"], "lon": [110.0],
...     "lat": [0.0], "status": ["aktif"]})
>>> data = build(villages, pop, fac, distance_m=1100)
>>> data.instance.base_served.tolist()
[True, True, False, False]
>>> ranked = rank(data)
>>> ranked[["kode_desa", "tambahan", "desa_baru"]].values.tolist()
[['C', 1000.0, 2], ['D', 0.0, 0], ['B', 0.0, 0]]
>>> print(ranked["alasan_en"][0])
Would serve 1,000 people not yet served (this village and 1 more); population 700; \
nearest active Pustu 2.0 km; no Puskesmas in the region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sqlalchemy.orm import Session

from layers.pustu import access, service
from layers.pustu.planner import Instance, lazy_greedy, marginal_gains
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

#: default straight-line distance within which a Pustu serves a village, metres
DISTANCE_M = 5000.0
#: weeks of diarrhoea alerts a reason counts (ending in the newest week with data)
ALERT_WEEKS = 12
#: columns of :func:`rank`
RANK_COLUMNS = ["urut", "kode_desa", "nama", "kode_kec", "nama_kec", "penduduk", "tambahan",
                "jangkauan", "desa_baru", "jarak_pustu_m", "jarak_puskesmas_m",
                "pustu_rencana", "minggu_peringatan", "alasan_id", "alasan_en"]  # fmt: skip


@dataclass(frozen=True, eq=False)
class PlanningData:
    """The planning problem of a scope and the facts the reasons quote.

    Attributes
    ----------
    instance : Instance
        Rows: ``villages`` in order; columns: the active Pustu (fixed, labelled
        ``pustu:<id>``) then the candidate villages (labelled with their village code).
    villages : DataFrame
        ``kode, nama, kode_kec, nama_kec, penduduk`` (NaN: no data), ``lon, lat`` (the
        populated point), ``pustu_aktif, pustu_rencana, puskesmas`` (counts in the village),
        ``jarak_pustu_m, jarak_puskesmas_m`` (to the nearest active one; inf: none in
        scope; NaN: village without a boundary), ``terlayani`` (served before any plan),
        ``kandidat``.
    site_village : ndarray of int
        Per column: the row of the village the site stands in.
    distance_m : float
    puskesmas_serves : bool
    """

    instance: Instance
    villages: pd.DataFrame
    site_village: np.ndarray
    distance_m: float
    puskesmas_serves: bool

    @property
    def no_population(self) -> int:
        """Villages without a population figure (no-data: weigh 0, never 'zero people')."""
        return int(self.villages["penduduk"].isna().sum())

    def site_of(self, kode_desa: str) -> int:
        """The candidate column of a village (``KeyError`` when it is not a candidate)."""
        found = np.flatnonzero(self.instance.site_codes == kode_desa)
        if not len(found):
            raise KeyError(kode_desa)
        return int(found[0])


def _points(frame: pd.DataFrame, fallback: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Facility lon/lat, the village's populated point where a facility has none."""
    xy = np.array(frame[["lon", "lat"]], dtype=float).reshape(-1, 2)
    missing = ~np.isfinite(xy).all(axis=1)
    xy[missing] = fallback[rows[missing]]
    return xy


def build(villages: pd.DataFrame, population: pd.DataFrame, facilities: pd.DataFrame,
          distance_m: float = DISTANCE_M, *, puskesmas_serves: bool = True) -> PlanningData:
    """The planning problem from frames (see the module docstring).

    Parameters
    ----------
    villages
        ``kode, nama, kode_kec, nama_kec`` and either ``lon, lat`` (the populated points,
        e.g. :func:`layers.pustu.service.village_points`, cached) or ``geometry``
        (:func:`layers.store.queries.villages`; the points are then computed here).
    population
        ``kode_desa, jumlah`` (:func:`layers.store.queries.population`).
    facilities
        ``id, jenis, kode_desa, lon, lat, status`` (:func:`layers.store.queries.facilities`);
        facilities of villages not listed are ignored.
    distance_m
        Straight-line distance within which a Pustu serves a village, metres (> 0).
    puskesmas_serves
        A village with an active Puskesmas in it counts as served.
    """
    if not np.isfinite(distance_m) or distance_m <= 0:
        raise ValueError(f"distance_m must be a number > 0, not {distance_m!r}")
    v = villages.reset_index(drop=True)
    codes = v["kode"].astype(str).to_numpy(dtype=object)
    row_of = pd.Series(np.arange(len(v)), index=codes)
    if {"lon", "lat"} <= set(v.columns):
        pts = v[["lon", "lat"]].to_numpy(dtype=float)
    else:
        pts = access.populated_points(v.geometry)[["lon", "lat"]].to_numpy(dtype=float)
    pop = pd.Series(population.set_index("kode_desa")["jumlah"]).reindex(codes).astype(float)
    fac = facilities[facilities["kode_desa"].isin(row_of.index)
                     & (facilities["status"] == "aktif")]  # fmt: skip
    pustu, pkm = fac[fac["jenis"] == "pustu"], fac[fac["jenis"] == "puskesmas"]
    pustu_rows = row_of.loc[pustu["kode_desa"]].to_numpy(dtype=int)
    pkm_rows = row_of.loc[pkm["kode_desa"]].to_numpy(dtype=int)
    n_pustu = np.bincount(pustu_rows, minlength=len(v))
    n_pkm = np.bincount(pkm_rows, minlength=len(v))
    planned = facilities[(facilities["jenis"] == "pustu") & (facilities["status"] == "rencana")]
    n_planned = planned["kode_desa"].map(row_of).dropna().astype(int)
    n_planned = np.bincount(n_planned.to_numpy(dtype=int), minlength=len(v))
    cand_rows = np.flatnonzero(n_pustu == 0)
    site_rows = np.concatenate([pustu_rows, cand_rows]).astype(int)
    site_xy = np.vstack([_points(pustu, pts, pustu_rows), pts[cand_rows]])
    near = access.coverage(pts, site_xy, float(distance_m))
    own = sparse.csr_matrix((np.ones(len(site_rows), dtype=bool),
                             (site_rows, np.arange(len(site_rows)))),
                            shape=near.shape)  # fmt: skip
    cover = (near + own).astype(bool)
    fixed = np.arange(len(site_rows)) < len(pustu_rows)
    served = (n_pkm > 0) if puskesmas_serves else np.zeros(len(v), dtype=bool)
    site_codes = [f"pustu:{i}" for i in pustu["id"]] + list(codes[cand_rows])
    inst = Instance(cover, pop.fillna(0.0).to_numpy(), fixed=fixed, served=served,
                    village_codes=codes, site_codes=site_codes)  # fmt: skip
    d_pustu, _ = access.nearest(pts, _points(pustu, pts, pustu_rows))
    d_pkm, _ = access.nearest(pts, _points(pkm, pts, pkm_rows))
    table = pd.DataFrame({
        "kode": codes, "nama": v["nama"].to_numpy(), "kode_kec": v["kode_kec"].to_numpy(),
        "nama_kec": v["nama_kec"].to_numpy(), "penduduk": pop.to_numpy(),
        "lon": pts[:, 0], "lat": pts[:, 1], "pustu_aktif": n_pustu,
        "pustu_rencana": n_planned, "puskesmas": n_pkm, "jarak_pustu_m": d_pustu,
        "jarak_puskesmas_m": d_pkm, "terlayani": inst.base_served, "kandidat": n_pustu == 0,
    })  # fmt: skip
    return PlanningData(inst, table, site_rows, float(distance_m), bool(puskesmas_serves))


def planning_data(session: Session, scope: Scope, distance_m: float = DISTANCE_M, *,
                  tahun: int | None = None, puskesmas_serves: bool = True) -> PlanningData:
    """:func:`build` on the store: the scope's villages, population of ``tahun`` (default:
    this year; the latest earlier year where a village has none) and facilities."""
    year = dt.date.today().year if tahun is None else int(tahun)
    # the populated points come from the layer's cache (per boundary version), so a new
    # distance or a new scope never re-reads and re-processes the polygons
    villages = queries.village_table(session, scope)
    points = service.village_points(session, scope).set_index("kode")
    villages = villages.assign(lon=points["lon"].reindex(villages["kode"]).to_numpy(),
                               lat=points["lat"].reindex(villages["kode"]).to_numpy())
    return build(villages, queries.population(session, scope, year),
                 queries.facilities(session, scope), distance_m,
                 puskesmas_serves=puskesmas_serves)  # fmt: skip


# --------------------------------------------------------------------------- alerts


def alert_weeks(session: Session, scope: Scope, weeks: int = ALERT_WEEKS,
                penyakit: str = "diare_akut") -> pd.Series | None:  # fmt: skip
    """Weeks in alert per village among the ``weeks`` weeks ending in the newest week with
    case data of ``penyakit`` in scope, under the disease's stored rule; None when the scope
    has no case data (the reasons then say nothing of alerts).

    Returns
    -------
    Series or None
        Indexed by village code (every village of the scope), name ``minggu_peringatan``.
    """
    from layers.diarrhoea import service
    from layers.diarrhoea.alerts import reads, weekly_alerts

    last = service.latest_week(session, scope, penyakit)
    if last is None:
        return None
    rule = service.rule_for(session, penyakit)
    ranges = sorted((a, b) for k in range(weeks) for a, b in reads(rule, last - k))
    merged: list[list] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    data = pd.concat([service.series(session, scope, penyakit, a, b) for a, b in merged],
                     ignore_index=True).drop_duplicates(["kode_desa", "tahun", "minggu"])
    codes = queries.village_table(session, scope)["kode"].tolist()
    total = pd.Series(0, index=pd.Index(codes, name="kode_desa"), name="minggu_peringatan")
    for k in range(weeks):
        result = weekly_alerts(data, rule, last - k, villages=codes)
        total = total.add(pd.Series(result.alert.astype(int), index=result.kode_desa),
                          fill_value=0).astype(int)  # fmt: skip
    return total.reindex(codes).fillna(0).astype(int).rename("minggu_peringatan")


# --------------------------------------------------------------------------- ranking

R_SERVES = Text("melayani {n} penduduk yang belum terlayani",
                "would serve {n} people not yet served")
R_ITSELF = Text("desa ini dan {k} desa lain", "this village and {k} more")
R_ITSELF_ONLY = Text("desa ini saja", "this village only")
R_OTHERS = Text("{k} desa sekitar; desa ini sudah terlayani",
                "{k} village(s) nearby; this one is served already")
R_NONE = Text("semua desa dalam {km} km sudah terlayani",
              "every village within {km} km is served already")
R_POP = Text("penduduk {n}", "population {n}")
R_NO_POP = Text("penduduk tidak ada data", "population: no data")
R_PUSTU = Text("Pustu aktif terdekat {km} km", "nearest active Pustu {km} km")
R_NO_PUSTU = Text("tidak ada Pustu aktif di wilayah ini", "no active Pustu in the region")
R_PKM = Text("Puskesmas terdekat {km} km", "nearest Puskesmas {km} km")
R_NO_PKM = Text("tidak ada Puskesmas di wilayah ini", "no Puskesmas in the region")
R_PLANNED = Text("sudah ada Pustu rencana", "a Pustu is already planned here")
R_ALERTS = Text("{n} minggu peringatan diare dalam {w} minggu terakhir",
                "{n} weeks of diarrhoea alerts in the last {w} weeks")
R_NO_ALERTS = Text("tanpa peringatan diare dalam {w} minggu terakhir",
                   "no diarrhoea alerts in the last {w} weeks")
R_STRAIGHT = Text("jarak garis lurus", "straight-line distance")


def _km(metres: float, lang: str) -> str:
    return fmt_number(metres / 1000.0, lang, 1)


def _reason(lang: str, gain: float, itself: bool, others: int, own: float, d_pustu: float,
            d_pkm: float, planned: bool, alerts: float | None,
            distance_km: str) -> str:  # fmt: skip
    parts = []
    if gain > 0:
        where = (R_ITSELF.format(k=others) if others else R_ITSELF_ONLY) if itself else \
            R_OTHERS.format(k=others)  # fmt: skip
        parts.append(f"{R_SERVES.format(n=fmt_number(gain, lang))(lang)} ({where(lang)})")
    else:
        parts.append(R_NONE.format(km=distance_km)(lang))
    parts.append((R_POP.format(n=fmt_number(own, lang)) if own == own else R_NO_POP)(lang))
    if d_pustu == d_pustu:
        parts.append((R_PUSTU.format(km=_km(d_pustu, lang)) if np.isfinite(d_pustu)
                      else R_NO_PUSTU)(lang))  # fmt: skip
        parts.append((R_PKM.format(km=_km(d_pkm, lang)) if np.isfinite(d_pkm)
                      else R_NO_PKM)(lang))  # fmt: skip
    if planned:
        parts.append(R_PLANNED(lang))
    if alerts is not None:
        parts.append((R_ALERTS.format(n=int(alerts), w=ALERT_WEEKS) if alerts > 0
                      else R_NO_ALERTS.format(w=ALERT_WEEKS))(lang))  # fmt: skip
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def rank(data: PlanningData, alerts: pd.Series | None = None) -> pd.DataFrame:
    """Every candidate village, best first, with its reasons (see the module docstring).

    Parameters
    ----------
    data
        The planning problem (:func:`build` / :func:`planning_data`).
    alerts
        Alert weeks per village code (:func:`alert_weeks`); None: no case data.

    Returns
    -------
    DataFrame
        :data:`RANK_COLUMNS`: ``urut`` (1, 2, …), the village, ``penduduk`` (own, NaN: no
        data), ``tambahan`` (people newly served after the villages ranked above),
        ``jangkauan`` (newly served were it the only new Pustu), ``desa_baru`` (villages
        newly served, in rank order), distances in metres, ``pustu_rencana`` (a planned
        Pustu there), ``minggu_peringatan`` (NaN without case data), ``alasan_id`` /
        ``alasan_en``.
    """
    inst, v = data.instance, data.villages
    order, gains = lazy_greedy(inst, len(inst.candidates))
    rest = np.setdiff1d(inst.candidates, order)
    rest_rows = data.site_village[rest]
    far = v["jarak_pustu_m"].to_numpy(dtype=float)[rest_rows]
    own = v["penduduk"].fillna(-1).to_numpy(dtype=float)[rest_rows]
    rest = rest[np.lexsort((rest_rows, -own, -np.nan_to_num(far, nan=-1.0)))]
    sites = np.concatenate([np.asarray(order, dtype=int), rest]).astype(int)
    added = np.concatenate([gains, np.zeros(len(rest))])
    alone = marginal_gains(inst, inst.base_served)[sites]
    served = inst.base_served.copy()
    itself, others = np.zeros(len(sites), dtype=bool), np.zeros(len(sites), dtype=int)
    for k, j in enumerate(sites):
        rows = inst.column(j)
        new = rows[~served[rows] & (inst.population[rows] > 0)]
        served[rows] = True
        itself[k] = data.site_village[j] in new
        others[k] = len(new) - int(itself[k])
    rows = data.site_village[sites]
    picked = v.iloc[rows].reset_index(drop=True)
    weeks = None if alerts is None else \
        alerts.reindex(picked["kode"]).fillna(0).to_numpy(dtype=float)  # fmt: skip
    km = fmt_number(data.distance_m / 1000.0, "id", 1)
    km_en = fmt_number(data.distance_m / 1000.0, "en", 1)
    out = pd.DataFrame({
        "urut": np.arange(1, len(sites) + 1), "kode_desa": picked["kode"],
        "nama": picked["nama"], "kode_kec": picked["kode_kec"], "nama_kec": picked["nama_kec"],
        "penduduk": picked["penduduk"].astype(float), "tambahan": added.astype(float),
        "jangkauan": alone.astype(float), "desa_baru": others + itself,
        "jarak_pustu_m": picked["jarak_pustu_m"], "jarak_puskesmas_m": picked["jarak_puskesmas_m"],
        "pustu_rencana": picked["pustu_rencana"].to_numpy() > 0,
        "minggu_peringatan": np.nan if weeks is None else weeks,
    })  # fmt: skip
    for lang, dist in (("id", km), ("en", km_en)):
        out[f"alasan_{lang}"] = [
            _reason(lang, r.tambahan, bool(i), int(o), r.penduduk, r.jarak_pustu_m,
                    r.jarak_puskesmas_m, bool(r.pustu_rencana),
                    None if weeks is None else r.minggu_peringatan, dist)
            for r, i, o in zip(out.itertuples(index=False), itself, others, strict=True)
        ]  # fmt: skip
    return out[RANK_COLUMNS]


def reasons(frame: pd.DataFrame, lang: str) -> pd.Series:
    """The ``alasan`` column of a :func:`rank` frame in ``lang``."""
    return frame["alasan_en" if lang == "en" else "alasan_id"]


__all__ = ["ALERT_WEEKS", "DISTANCE_M", "RANK_COLUMNS", "PlanningData", "R_STRAIGHT",
           "alert_weeks", "build", "planning_data", "rank", "reasons"]  # fmt: skip
