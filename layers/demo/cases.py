"""Weekly diarrhoea cases per village with planted outbreaks (ground truth).

Expected cases per village-week = population x ``base_rate`` / 1000 / 52 x a seasonal
factor (peak in the rainy season, December-February) x a per-village random effect
(gamma, mean 1). Counts are Poisson, deaths binomial with a small CFR. A few outbreaks
are planted over groups of adjacent villages for a few consecutive weeks (relative risk
``rr``); the first always ends in the last week of the period so that a "current week"
analysis finds it.

The default ``base_rate`` of 27 cases per 1,000 per year is the 10 % service target of
the national incidence of 270 per 1,000 (domain.md §4.3).
"""

from __future__ import annotations

from typing import Any, TypedDict

import geopandas as gpd
import numpy as np
import pandas as pd

from ..epiweek import EpiWeek, week_range
from .adjacency import neighbours

KASUS_COLUMNS = ["kode_desa", "penyakit", "tahun", "minggu", "kasus", "kematian"]
PENYAKIT = "diare_akut"


class Outbreak(TypedDict):
    """One planted outbreak: villages (codes), start year/week, duration, relative risk."""

    villages: list[str]
    tahun: int
    minggu_mulai: int
    minggu: int
    rr: float


def seasonal_factor(weeks: list[EpiWeek], amplitude: float, peak_day: int = 15) -> np.ndarray:
    """``1 + amplitude * cos(...)`` peaking at day-of-year ``peak_day`` (mean 1)."""
    doy = np.array([(w.start.toordinal() + 3 - w.start.replace(month=1, day=1).toordinal())
                    for w in weeks], dtype=float)  # fmt: skip
    return 1.0 + amplitude * np.cos(2 * np.pi * (doy - peak_day) / 365.25)


def grow_cluster(
    rng: np.random.Generator, adjacency: list[list[int]], size: int, excluded: set[int]
) -> list[int]:
    """A random connected set of ``size`` villages avoiding ``excluded``."""
    n = len(adjacency)
    for _ in range(200):
        start = int(rng.integers(n))
        if start in excluded:
            continue
        cluster = [start]
        while len(cluster) < size:
            frontier = sorted(
                {nb for v in cluster for nb in adjacency[v]} - set(cluster) - excluded
            )
            if not frontier:
                break
            cluster.append(frontier[int(rng.integers(len(frontier)))])
        if len(cluster) == size:
            return sorted(cluster)
    raise ValueError(f"no connected group of {size} free adjacent villages found")


def weekly_cases(
    villages: gpd.GeoDataFrame,
    penduduk: pd.DataFrame,
    first: EpiWeek,
    last: EpiWeek,
    rng: np.random.Generator,
    base_rate: float = 27.0,
    seasonal_amplitude: float = 0.4,
    village_shape: float = 4.0,
    cfr: float = 0.001,
    n_outbreaks: int = 3,
    outbreak_size: tuple[int, int] = (5, 8),
    outbreak_weeks: tuple[int, int] = (2, 4),
    outbreak_rr: tuple[float, float] = (3.0, 5.0),
) -> tuple[pd.DataFrame, list[Outbreak], dict[str, Any]]:
    """Weekly case counts for every village and week, with planted outbreaks.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Prepared villages (EPSG:4326, sorted by ``kode_desa``).
    penduduk : pandas.DataFrame
        Population per village and year (every year of the period).
    first, last : EpiWeek
        The period, inclusive.
    rng : numpy.random.Generator
        Source of randomness.
    base_rate : float
        Cases served per 1,000 population per year.
    seasonal_amplitude : float
        Relative rise at the rainy-season peak (0.4 = +40 %).
    village_shape : float
        Shape of the gamma village effect (mean 1, CV ``1/sqrt(shape)``).
    cfr : float
        Case fatality ratio.
    n_outbreaks : int
        Outbreaks to plant at most (a small district may have room for fewer; at least
        one is always planted).
    outbreak_size, outbreak_weeks : tuple of int
        Inclusive ranges of villages and consecutive weeks per outbreak.
    outbreak_rr : tuple of float
        Range of the relative risk.

    Returns
    -------
    tuple
        The case table (:data:`KASUS_COLUMNS`, sorted by village, year, week), the
        planted outbreaks (sorted by start) and the parameters used.
    """
    weeks = list(week_range(first, last))
    codes = villages["kode_desa"].to_numpy()
    pop = penduduk.pivot(index="kode_desa", columns="tahun", values="jumlah").loc[codes]
    week_pop = pop[[w.year for w in weeks]].to_numpy(dtype=float)
    effect = rng.gamma(village_shape, 1.0 / village_shape, len(codes))
    season = seasonal_factor(weeks, seasonal_amplitude)
    mu = week_pop * (base_rate / 1000.0 / 52.0) * season[None, :] * effect[:, None]
    adjacency = neighbours(villages.geometry.to_numpy())
    outbreaks: list[Outbreak] = []
    taken: set[int] = set()
    warmup = min(8, max(0, len(weeks) - outbreak_weeks[1]))
    for k in range(n_outbreaks):
        size = int(rng.integers(outbreak_size[0], outbreak_size[1] + 1))
        duration = min(len(weeks), int(rng.integers(outbreak_weeks[0], outbreak_weeks[1] + 1)))
        rr = round(float(rng.uniform(*outbreak_rr)), 1)
        if k == 0:
            end = len(weeks) - 1
        else:
            end = int(rng.integers(min(warmup + duration - 1, len(weeks) - 1), len(weeks)))
        start = end - duration + 1
        try:
            cluster = grow_cluster(rng, adjacency, size, taken)
        except ValueError:
            if not outbreaks:
                raise
            break  # a small district has room for fewer outbreaks than asked
        taken |= set(cluster) | {nb for v in cluster for nb in adjacency[v]}
        mu[cluster, start : end + 1] *= rr
        outbreaks.append(
            Outbreak(
                villages=[str(codes[v]) for v in cluster],
                tahun=weeks[start].year,
                minggu_mulai=weeks[start].week,
                minggu=duration,
                rr=rr,
            )
        )
    cases = rng.poisson(mu)
    deaths = rng.binomial(cases, cfr)
    table = pd.DataFrame(
        {
            "kode_desa": np.repeat(codes, len(weeks)),
            "penyakit": PENYAKIT,
            "tahun": np.tile([w.year for w in weeks], len(codes)),
            "minggu": np.tile([w.week for w in weeks], len(codes)),
            "kasus": cases.ravel(),
            "kematian": deaths.ravel(),
        },
        columns=KASUS_COLUMNS,
    )
    outbreaks.sort(key=lambda o: (o["tahun"], o["minggu_mulai"], o["villages"]))
    params = {
        "penyakit": PENYAKIT,
        "kasus_per_1000_per_tahun": base_rate,
        "amplitudo_musiman": seasonal_amplitude,
        "bentuk_efek_desa": village_shape,
        "cfr": cfr,
        "jumlah_klaster": len(outbreaks),
    }
    return table, outbreaks, params
