"""Pustu gaps on the store: read through the Scope, class, measure, summarise. No Dash.

The one place the map layer (:mod:`layers.pustu.maplayer`), the village panel
(:mod:`layers.pustu.panel`) and ``pws pustu gaps`` get their numbers from. Every read goes
through :mod:`layers.store.queries` with the caller's :class:`~layers.scope.Scope`, so the
nearest Pustu or Puskesmas of a village is the nearest one **inside the scope** (a facility
just across the kabupaten border of a kabupaten scope is not seen).

What a village gets (:func:`build_gaps`, pure):

* its class (:func:`layers.pustu.classes.village_classes`) and whether it counts as
  covered toward the target (``tercakup``);
* its populated point (:func:`layers.pustu.access.populated_points`) and the straight-line
  distance in metres, in its own UTM zone, to the nearest active Pustu, active Puskesmas
  and planned Pustu of the scope. A facility stored without coordinates stands at its
  village's populated point;
* ``terlayani`` (:func:`served`): an active Pustu in the village or within the distance
  — or, when the office counts a Puskesmas as serving (``puskesmas_served``), an active
  Puskesmas in it or within the distance; ``terlayani_rencana`` the same once the planned
  Pustu are active;
* its population of the current year (the latest earlier year when that one is missing);
  a village without any figure has ``penduduk`` NaN — no data, never zero.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers import codes
from layers.pustu import access, classes, summary
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, fmt_number

DEFAULT_DISTANCE_KM = 5.0
#: the sentence every page, list and export carries with the distances
STRAIGHT_LINE = Text(
    "Jarak adalah garis lurus dari titik permukiman desa, bukan waktu tempuh.",
    "Distances are straight lines from the village's populated point, not travel time.",
)
#: columns of :attr:`PustuGaps.villages`
VILLAGE_COLUMNS = (
    "kode_desa", "nama", "kode_kec", "nama_kec", "kode_kab", "nama_kab", *classes.COLUMNS[1:],
    "tercakup", "lon", "lat", "sumber_titik", "epsg", "jarak_pustu_m", "pustu_terdekat",
    "pustu_terdekat_nama", "jarak_puskesmas_m", "puskesmas_terdekat",
    "puskesmas_terdekat_nama", "jarak_rencana_m", "rencana_terdekat_nama", "penduduk",
    "tahun_penduduk", "terlayani", "terlayani_rencana",
)  # fmt: skip
#: columns of :attr:`PustuGaps.facilities`
FACILITY_COLUMNS = ("id", "nama", "jenis", "kode_desa", "status", "perawat", "bidan",
                    "induk_id", "lon", "lat", "lokasi_desa")  # fmt: skip
_SHOWN_CODES = 5


@dataclass
class PustuGaps:
    """The gap table of a scope and its summaries.

    ``villages`` has :data:`VILLAGE_COLUMNS`, one row per village by code; ``facilities``
    the scope's Pustu and Puskesmas (:data:`FACILITY_COLUMNS`; ``lokasi_desa`` True where
    the position is the village's point); ``problems`` what the data made the figures
    skip or merge, said in both languages.
    """

    villages: pd.DataFrame
    facilities: pd.DataFrame
    distance_m: float
    puskesmas_served: bool
    target_year: int
    current_year: int
    problems: list[Text] = field(default_factory=list)

    def kecamatan(self) -> pd.DataFrame:
        """Figures per kecamatan (:func:`layers.pustu.summary.summarise`)."""
        return summary.summarise(self.villages, "kec", self.target_year, self.current_year)

    def kabupaten(self) -> pd.DataFrame:
        """Figures per kabupaten/kota."""
        return summary.summarise(self.villages, "kab", self.target_year, self.current_year)

    def total(self) -> dict[str, object]:
        """Figures of the whole scope."""
        return summary.total(self.villages, self.target_year, self.current_year)

    def lacking(self) -> pd.DataFrame:
        """The villages without an active Pustu (every class but the active ones)."""
        return self.villages[~self.villages["kelas"].isin(classes.ACTIVE)]


def served(own: pd.Series | np.ndarray, distance_m: np.ndarray, limit_m: float) -> np.ndarray:
    """A facility in the village, or the nearest one within ``limit_m`` (inclusive; a NaN
    distance is not within)."""
    with np.errstate(invalid="ignore"):
        near = np.asarray(distance_m, dtype=float) <= limit_m
    return np.asarray(own, dtype=bool) | near


def _codes_text(kodes: list[str]) -> str:
    shown = ", ".join(kodes[:_SHOWN_CODES])
    return shown + (f" (+{len(kodes) - _SHOWN_CODES})" if len(kodes) > _SHOWN_CODES else "")


def _village_points(villages: pd.DataFrame) -> pd.DataFrame:
    """``lon, lat, sumber`` of each village: given columns, else from its geometry."""
    if {"lon", "lat", "sumber_titik"} <= set(villages.columns):
        return pd.DataFrame({"lon": villages["lon"].to_numpy(float),
                             "lat": villages["lat"].to_numpy(float),
                             "sumber": villages["sumber_titik"].to_numpy()})  # fmt: skip
    return access.populated_points(villages.geometry, villages.get(access.GIVEN_LON),
                                   villages.get(access.GIVEN_LAT))  # fmt: skip


def _facility_points(facilities: pd.DataFrame, points: pd.DataFrame,
                     kodes: pd.Index) -> pd.DataFrame:  # fmt: skip
    """Pustu and Puskesmas of the listed villages, a missing position at the village point."""
    # an index look-up, not isin(kodes): pandas turns each code into an Arrow scalar there
    inside = kodes.get_indexer(facilities["kode_desa"].astype(str)) >= 0
    fac = facilities.loc[facilities["jenis"].isin(("pustu", "puskesmas")).to_numpy()
                         & inside].copy()  # fmt: skip
    for col in ("lon", "lat"):
        fac[col] = pd.to_numeric(fac[col], errors="coerce").astype(float)
    missing = fac["lon"].isna() | fac["lat"].isna()
    row = kodes.get_indexer(fac["kode_desa"])
    fac.loc[missing, "lon"] = points["lon"].to_numpy()[row[missing.to_numpy()]]
    fac.loc[missing, "lat"] = points["lat"].to_numpy()[row[missing.to_numpy()]]
    fac["lokasi_desa"] = missing
    for col in FACILITY_COLUMNS:
        if col not in fac:
            fac[col] = None
    return fac[list(FACILITY_COLUMNS)].reset_index(drop=True)


def _nearest(origin: np.ndarray, epsg: np.ndarray, fac: pd.DataFrame,
             mask: pd.Series) -> tuple[np.ndarray, list[object], list[object]]:  # fmt: skip
    chosen = fac.loc[mask]
    d, j = access.nearest(origin, chosen[["lon", "lat"]].to_numpy(float), epsg=epsg)
    if chosen.empty:
        return d, [None] * len(d), [None] * len(d)
    take = np.maximum(j, 0)
    ids = np.where(j >= 0, chosen["id"].to_numpy(dtype=object)[take], None)
    names = np.where(j >= 0, chosen["nama"].to_numpy(dtype=object)[take], None)
    return d, ids.tolist(), names.tolist()


def build_gaps(villages: pd.DataFrame, facilities: pd.DataFrame, population: pd.DataFrame,
               *, distance_m: float = DEFAULT_DISTANCE_KM * 1000,
               puskesmas_served: bool = True, target_year: int = summary.DEFAULT_TARGET_YEAR,
               current_year: int | None = None,
               kabupaten_names: dict[str, str] | None = None) -> PustuGaps:  # fmt: skip
    """The gap table of a set of villages (pure: no store).

    Parameters
    ----------
    villages
        ``kode, nama, kode_kec, nama_kec`` and either a ``geometry`` (EPSG:4326, optional
        given points :data:`~layers.pustu.access.GIVEN_LON`/``GIVEN_LAT``) or ready
        ``lon, lat, sumber_titik``.
    facilities
        ``id, nama, jenis, kode_desa, lon, lat, status, perawat, bidan`` (as
        :func:`layers.store.queries.facilities`).
    population
        ``kode_desa, jumlah``, optionally ``tahun`` (then the latest year up to the current
        one is used); a village without a row has no figure.
    distance_m
        The access distance in metres (straight line).
    puskesmas_served
        Whether an active Puskesmas in (or within the distance of) a village serves it
        and covers it toward the target.
    target_year, current_year
        For the progress figures (current year: this calendar year when None).
    kabupaten_names
        Names by kabupaten code (default: the code).

    Examples
    --------
    Two villages 1 km apart on the equator, a Pustu in the first, no population for the
    second:

    >>> v = pd.DataFrame({"kode": ["A", "B"], "nama": ["a", "b"], "kode_kec": ["K", "K"],
    ...                   "nama_kec": ["k", "k"], "lon": [110.0, 110.009], "lat": [0.0, 0.0],
    ...                   "sumber_titik": ["pusat", "pusat"]})
    >>> f = pd.DataFrame({"id": [1], "nama": ["Pustu A"], "jenis": ["pustu"],
    ...                   "kode_desa": ["A"], "lon": [110.0], "lat": [0.0],
    ...                   "status": ["aktif"], "perawat": [1], "bidan": [1]})
    >>> gaps = build_gaps(v, f, pd.DataFrame({"kode_desa": ["A"], "jumlah": [900]}),
    ...                   distance_m=2000, current_year=2026)
    >>> cols = ["kelas", "jarak_pustu_m", "terlayani", "penduduk"]
    >>> gaps.villages[cols].round(0).values.tolist()
    [['lengkap', 0.0, True, 900.0], ['tidak_ada', 1002.0, True, nan]]
    """
    current_year = summary.this_year() if current_year is None else int(current_year)
    kodes = pd.Index(villages["kode"].astype(str), name="kode_desa")
    # plain object codes: pandas' isin on Arrow strings turns every code into an Arrow
    # scalar (a third of a province call); the classes are the same
    table, ignored = classes.village_classes(
        kodes.to_numpy(dtype=object), facilities.astype({"kode_desa": object}))
    points = _village_points(villages.reset_index(drop=True))
    origin = points[["lon", "lat"]].to_numpy(float)
    epsg = access.utm_epsg(origin[:, 0], origin[:, 1])
    fac = _facility_points(facilities, points, kodes)
    active = fac["status"] == "aktif"
    d_pustu, pustu_id, pustu_name = _nearest(origin, epsg, fac, active & (fac["jenis"] == "pustu"))
    d_pkm, pkm_id, pkm_name = _nearest(origin, epsg, fac, active & (fac["jenis"] == "puskesmas"))
    d_plan, _, plan_name = _nearest(origin, epsg, fac,
                                    (fac["status"] == "rencana") & (fac["jenis"] == "pustu"))
    own_pkm = (table["puskesmas"] > 0).to_numpy() & puskesmas_served
    by_pkm = served(own_pkm, d_pkm, distance_m) if puskesmas_served else own_pkm
    now = served(table["pustu_aktif"] > 0, d_pustu, distance_m) | by_pkm
    planned = served(table["pustu_rencana"] > 0, d_plan, distance_m)
    pop = _population(population, current_year)
    names = kabupaten_names or {}
    kec = villages["kode_kec"].astype(str).to_numpy()
    kab = _parents(kec)
    out = table.assign(
        nama=villages["nama"].to_numpy(), kode_kec=kec,
        nama_kec=villages["nama_kec"].to_numpy(), kode_kab=kab,
        nama_kab=_names_of(kab, names),
        tercakup=classes.covered(table, puskesmas_served).to_numpy(),
        lon=origin[:, 0], lat=origin[:, 1], sumber_titik=points["sumber"].to_numpy(),
        epsg=epsg, jarak_pustu_m=d_pustu, pustu_terdekat=pustu_id,
        pustu_terdekat_nama=pustu_name, jarak_puskesmas_m=d_pkm, puskesmas_terdekat=pkm_id,
        puskesmas_terdekat_nama=pkm_name, jarak_rencana_m=d_plan,
        rencana_terdekat_nama=plan_name,
        penduduk=pd.to_numeric(pop["jumlah"].reindex(kodes), errors="coerce").to_numpy(float),
        tahun_penduduk=(pop["tahun"].reindex(kodes).to_numpy() if "tahun" in pop
                        else np.full(len(kodes), np.nan)),
        terlayani=now, terlayani_rencana=now | planned,
    )  # fmt: skip
    gaps = PustuGaps(out[list(VILLAGE_COLUMNS)], fac, float(distance_m), bool(puskesmas_served),
                     int(target_year), current_year)  # fmt: skip
    gaps.problems = _problems(gaps, ignored)
    return gaps


def _parents(kec: np.ndarray) -> list[str]:
    """The kabupaten of each kecamatan code (the code itself when it is not a valid code),
    worked out once per distinct kecamatan."""
    which, distinct = pd.factorize(kec)
    parent = np.array([codes.parent(k) if codes.is_valid(k) else k for k in distinct],
                      dtype=object)  # fmt: skip
    return parent[which].tolist()


def _names_of(kodes: list[str], names: dict[str, str]) -> list[str]:
    """The name of each code (the code itself when unnamed), looked up once per code."""
    which, distinct = pd.factorize(np.asarray(kodes, dtype=object))
    return np.array([names.get(k, k) for k in distinct] + [None],
                    dtype=object)[which].tolist()  # fmt: skip


def _population(population: pd.DataFrame, current_year: int) -> pd.DataFrame:
    """One figure per village: with ``tahun``, the latest year up to ``current_year``."""
    if "tahun" in population:
        population = population.loc[pd.to_numeric(population["tahun"]) <= current_year]
        population = population.sort_values(["kode_desa", "tahun"], kind="stable")
    return population.drop_duplicates("kode_desa", keep="last").set_index("kode_desa")


def _problems(gaps: PustuGaps, ignored: classes.Ignored) -> list[Text]:
    v = gaps.villages
    found: list[Text] = []
    double = v.loc[v["pustu_ganda"], "kode_desa"].tolist()
    if double:
        found.append(Text(
            f"{len(double)} desa dengan lebih dari satu Pustu aktif ({_codes_text(double)}): "
            "dihitung satu desa, tenaganya dijumlahkan; periksa file fasilitas",
            f"{len(double)} villages with more than one active Pustu ({_codes_text(double)}): "
            "counted as one village, their staff summed; check the facility file"))
    bad = v.loc[v["staf_tidak_sah"], "kode_desa"].tolist()
    if bad:
        found.append(Text(
            f"{len(bad)} desa dengan jumlah tenaga Pustu yang bukan bilangan bulat ≥ 0 "
            f"({_codes_text(bad)}): dihitung 0",
            f"{len(bad)} villages whose Pustu staffing is not a whole number ≥ 0 "
            f"({_codes_text(bad)}): counted as 0"))
    no_pop = v.loc[v["penduduk"].isna(), "kode_desa"].tolist()
    if no_pop:
        found.append(Text(
            f"{len(no_pop)} desa tanpa data penduduk ({_codes_text(no_pop)}): tidak dihitung "
            "dalam penduduk terlayani maupun tidak terlayani",
            f"{len(no_pop)} villages without population figures ({_codes_text(no_pop)}): in "
            "neither the served nor the unserved population"))
    no_point = v.loc[v["sumber_titik"] == "kosong", "kode_desa"].tolist()
    if no_point:
        found.append(Text(
            f"{len(no_point)} desa tanpa batas wilayah ({_codes_text(no_point)}): tanpa jarak",
            f"{len(no_point)} villages without a boundary ({_codes_text(no_point)}): no "
            "distances"))
    placed = int(gaps.facilities["lokasi_desa"].sum())
    if placed:
        found.append(Text(
            f"{placed} Pustu/Puskesmas tanpa koordinat: jaraknya diukur dari titik desanya",
            f"{placed} Pustu/Puskesmas without coordinates: placed at their village's point"))
    if ignored.outside or ignored.status:
        n = ignored.outside + ignored.status
        found.append(Text(
            f"{n} Pustu/Puskesmas diabaikan (di luar desa yang ditampilkan atau status selain "
            "aktif/rencana)",
            f"{n} Pustu/Puskesmas ignored (outside the villages shown, or a status other than "
            "aktif/rencana)"))
    return found


# --------------------------------------------------------------------------- store

#: populated points per (store, boundary version, scope): polygons are read once per version
_POINTS: OrderedDict[tuple[str, str, str], pd.DataFrame] = OrderedDict()
_POINTS_KEPT = 16


def village_points(session: Session, scope: Scope) -> pd.DataFrame:
    """``kode, lon, lat, sumber_titik`` of the scope's villages, cached per boundary version.

    The polygons are read (:func:`layers.store.queries.villages`) only when the boundary
    version or the scope changes; a layer option change reuses the points.
    """
    key = (session.get_bind().url.render_as_string(hide_password=True),
           queries.geometry_version(session), scope.key)  # fmt: skip
    if key in _POINTS:
        _POINTS.move_to_end(key)
        return _POINTS[key]
    polygons = queries.villages(session, scope)
    points = access.populated_points(polygons.geometry)
    found = pd.DataFrame({"kode": polygons["kode"].to_numpy(), "lon": points["lon"],
                          "lat": points["lat"], "sumber_titik": points["sumber"]})  # fmt: skip
    _POINTS[key] = found
    while len(_POINTS) > _POINTS_KEPT:
        _POINTS.popitem(last=False)
    return found


def gaps_for(session: Session, scope: Scope, *, distance_km: float = DEFAULT_DISTANCE_KM,
             puskesmas_served: bool = True, target_year: int = summary.DEFAULT_TARGET_YEAR,
             current_year: int | None = None) -> PustuGaps:  # fmt: skip
    """:func:`build_gaps` of every village in ``scope``, read from the store.

    Population: the current year's figure, else the latest earlier one.
    """
    current_year = summary.this_year() if current_year is None else int(current_year)
    # the villages and their population in one query; only the Pustu and Puskesmas
    found = queries.village_population(session, scope, current_year)
    villages = found[["kode", "nama", "jenis", "kode_kec", "nama_kec"]]
    population = found.loc[found["tahun"].notna(), ["kode", "jumlah", "tahun"]].rename(
        columns={"kode": "kode_desa"})
    points = village_points(session, scope).set_index("kode").reindex(villages["kode"])
    villages = villages.assign(lon=points["lon"].to_numpy(), lat=points["lat"].to_numpy(),
                               sumber_titik=points["sumber_titik"].fillna("kosong").to_numpy())
    facilities = queries.facilities_of(session, scope, ("pustu", "puskesmas"))
    kab = queries.region_names(session, scope, "kab")
    return build_gaps(villages, facilities, population, distance_m=float(distance_km) * 1000,
                      puskesmas_served=puskesmas_served, target_year=target_year,
                      current_year=current_year,
                      kabupaten_names=dict(zip(kab["kode"], kab["nama"], strict=True)))


def distance_text(metres: float, lang: str) -> str:
    """A distance as the pages write it: ``850 m``, ``2,4 km``; ``–`` when unknown, ``∞``
    (none in the scope) as a dash too.

    Examples
    --------
    >>> distance_text(850.4, "id"), distance_text(2449.0, "id"), distance_text(2449.0, "en")
    ('850 m', '2,4 km', '2.4 km')
    """
    if metres is None or not np.isfinite(metres):
        return "–"
    if metres < 1000:
        return f"{fmt_number(round(metres), lang)} m"
    return f"{fmt_number(metres / 1000, lang, 1)} km"
