"""Programme data on any set of villages: population, facilities and cadres.

Works on the synthetic district and on real boundary files alike: the input is a
village GeoDataFrame with the shared-file columns (``kode_desa``, ``nama_desa``,
``jenis``, ``kode_kec``, ``nama_kec``, ... , geometry). Weekly cases live in
:mod:`.cases`; :func:`programme_data` puts everything together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..epiweek import EpiWeek
from .cases import Outbreak, weekly_cases
from .kader import kader_table
from .names import posyandu_names
from .rng import stream

#: share of the population in each target group (Indonesian programme estimates)
TARGET_SHARES: dict[str, float] = {
    "bayi": 0.018,
    "balita": 0.08,
    "bumil": 0.02,
    "remaja": 0.17,
    "usia_produktif": 0.60,
    "lansia": 0.11,
}
PENDUDUK_COLUMNS = ["kode_desa", "tahun", "jumlah", *TARGET_SHARES]
FASILITAS_COLUMNS = [
    "nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan", "induk",
]  # fmt: skip
_JENIS_ORDER = {"puskesmas": 0, "pustu": 1, "posyandu": 2}


@dataclass(frozen=True)
class Programme:
    """All generated programme tables for one village set (rows in a stable order)."""

    penduduk: pd.DataFrame
    fasilitas: pd.DataFrame
    kader: pd.DataFrame
    kasus: pd.DataFrame
    klaster: list[Outbreak]
    params: dict[str, Any] = field(default_factory=dict)


def prepare_villages(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Villages in EPSG:4326, sorted by ``kode_desa``, with a fresh 0..n-1 index."""
    missing = {"kode_desa", "nama_desa", "kode_kec", "nama_kec"} - set(villages.columns)
    if missing:
        raise ValueError(f"village layer lacks columns: {sorted(missing)}")
    out = villages if villages.crs is None else villages.to_crs("EPSG:4326")
    return out.sort_values("kode_desa", kind="stable").reset_index(drop=True)


def population(
    villages: gpd.GeoDataFrame,
    years: list[int],
    rng: np.random.Generator,
    median: float = 4000.0,
    growth: float = 0.01,
) -> pd.DataFrame:
    """Population and target groups per village and year (integers).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Prepared villages (see :func:`prepare_villages`).
    years : list of int
        Consecutive years; the first is drawn, later ones grow by about ``growth``.
    rng : numpy.random.Generator
        Source of randomness.
    median : float
        Median desa population (lognormal); kelurahan are about 1.8 times larger.
    growth : float
        Mean yearly growth rate.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PENDUDUK_COLUMNS`, sorted by ``kode_desa, tahun``.
    """
    n = len(villages)
    kelurahan = (villages.get("jenis", pd.Series(["desa"] * n)) == "kelurahan").to_numpy()
    base = median * np.exp(rng.normal(0.0, 0.45, n)) * np.where(kelurahan, 1.8, 1.0)
    rates = rng.normal(growth, 0.004, n)
    shares = {g: s * rng.uniform(0.9, 1.1, n) for g, s in TARGET_SHARES.items()}
    frames = []
    for i, year in enumerate(years):
        total = np.round(base * (1.0 + rates) ** i).astype(int)
        frame = {"kode_desa": villages["kode_desa"].to_numpy(), "tahun": year, "jumlah": total}
        for group, share in shares.items():
            frame[group] = np.round(total * share).astype(int)
        frames.append(pd.DataFrame(frame))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["kode_desa", "tahun"], kind="stable").reset_index(drop=True)


def points_inside(
    geom: shapely.Geometry, n: int, rng: np.random.Generator, decimals: int = 6
) -> np.ndarray:
    """``n`` random points strictly inside ``geom``, rounded to ``decimals``.

    Rejection sampling in the bounding box with :func:`shapely.contains_xy` (checked
    after rounding); a point that cannot be found falls back to the polygon's
    representative point.
    """
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    found: list[np.ndarray] = []
    for _ in range(40):
        if sum(len(f) for f in found) >= n:
            break
        xy = np.round(rng.uniform([minx, miny], [maxx, maxy], size=(max(16, 4 * n), 2)), decimals)
        found.append(xy[shapely.contains_xy(geom, xy[:, 0], xy[:, 1])])
    pts = np.concatenate(found) if found else np.empty((0, 2))
    if len(pts) < n:
        rep = np.round(shapely.get_coordinates(geom.representative_point()), decimals)
        pts = np.concatenate([pts, np.repeat(rep, n - len(pts), axis=0)])
    return pts[:n]


def facilities(
    villages: gpd.GeoDataFrame,
    penduduk: pd.DataFrame,
    rng: np.random.Generator,
    pustu_share: float = 0.6,
    pustu_planned_share: float = 0.08,
) -> pd.DataFrame:
    """Puskesmas, Pustu and Posyandu with positions inside their village.

    One Puskesmas per kecamatan (in its most populous village, latest year); an active
    Pustu in ``round(pustu_share * n)`` villages without a Puskesmas, a planned
    ('rencana') Pustu in about ``pustu_planned_share`` of the rest; 2-6 Posyandu per
    village (more in larger villages).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FASILITAS_COLUMNS`, sorted by ``kode_desa``, kind, name.
    """
    latest = penduduk[penduduk["tahun"] == penduduk["tahun"].max()].set_index("kode_desa")
    pop = latest.loc[villages["kode_desa"], "jumlah"].to_numpy()
    n = len(villages)
    host: dict[str, int] = {}
    for kec, idx in villages.groupby("kode_kec", sort=True).indices.items():
        host[kec] = int(idx[np.argmax(pop[idx])])
    puskesmas_name = {kec: f"Puskesmas {villages.at[i, 'nama_kec']}" for kec, i in host.items()}
    has_pkm = np.zeros(n, dtype=bool)
    has_pkm[list(host.values())] = True
    candidates = np.flatnonzero(~has_pkm)
    n_pustu = min(len(candidates), round(pustu_share * n))
    pustu = set(rng.choice(candidates, size=n_pustu, replace=False).tolist())
    rest = [i for i in candidates if i not in pustu]
    planned = {i for i in rest if rng.random() < pustu_planned_share}
    rows: list[dict[str, Any]] = []
    for i in range(n):
        v = villages.iloc[i]
        induk = puskesmas_name[v["kode_kec"]]
        n_pos = int(np.clip(round(pop[i] / 1000.0 * rng.uniform(0.7, 1.3)), 2, 6))
        kinds: list[tuple[str, str, str, int, int, str]] = []
        if has_pkm[i]:
            kinds.append(
                (
                    "puskesmas",
                    induk,
                    "aktif",
                    int(rng.integers(6, 19)),
                    int(rng.integers(5, 15)),
                    "",
                )
            )
        if i in pustu:
            staff = (int(rng.random() < 0.8), int(rng.random() < 0.85))
            kinds.append(("pustu", f"Pustu {v['nama_desa']}", "aktif", *staff, induk))
        elif i in planned:
            kinds.append(("pustu", f"Pustu {v['nama_desa']}", "rencana", 0, 0, induk))
        kinds += [("posyandu", name, "aktif", 0, 0, induk) for name in posyandu_names(n_pos, rng)]
        pts = points_inside(v.geometry, len(kinds), rng)
        for (jenis, nama, status, perawat, bidan, parent), (lon, lat) in zip(
            kinds, pts, strict=True
        ):
            rows.append(
                {
                    "nama": nama, "jenis": jenis, "kode_desa": v["kode_desa"],
                    "lon": float(lon), "lat": float(lat), "status": status,
                    "perawat": perawat, "bidan": bidan, "induk": parent,
                }
            )  # fmt: skip
    out = pd.DataFrame(rows, columns=FASILITAS_COLUMNS)
    out["_k"] = out["jenis"].map(_JENIS_ORDER)
    out = out.sort_values(["kode_desa", "_k", "nama"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


def programme_data(
    villages: gpd.GeoDataFrame,
    seed: int,
    first_week: str = "2024-W01",
    last_week: str = "2025-W53",
    **case_options: Any,
) -> Programme:
    """Generate all programme tables for ``villages``.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Village polygons with the shared-file columns (any CRS; used in EPSG:4326).
    seed : int
        Master seed; the same seed and villages give the same tables.
    first_week, last_week : str
        Period of the weekly case series (epi weeks, ``2025-W07``); the population is
        generated for every year the period touches.
    **case_options
        Passed on to :func:`.cases.weekly_cases` (``base_rate``, ``n_outbreaks``, ...).

    Returns
    -------
    Programme
    """
    vill = prepare_villages(villages)
    first, last = EpiWeek.parse(first_week), EpiWeek.parse(last_week)
    if last < first:
        raise ValueError("last_week lies before first_week")
    years = list(range(first.year, last.year + 1))
    penduduk = population(vill, years, stream(seed, "population"))
    fasilitas = facilities(vill, penduduk, stream(seed, "facilities"))
    posyandu = fasilitas[fasilitas["jenis"] == "posyandu"]
    kader = kader_table(posyandu, stream(seed, "kader"), assessed_until=last.end)
    kasus, klaster, case_params = weekly_cases(
        vill, penduduk, first, last, stream(seed, "cases"), **case_options
    )
    params = {"minggu_pertama": str(first), "minggu_terakhir": str(last), **case_params}
    return Programme(penduduk, fasilitas, kader, kasus, klaster, params)
