"""Hot-spot benchmark (issue 4): Getis-Ord Gi* and Local Moran's I, warm, 999 permutations.

Full run: the Jawa Timur village boundaries (8,494 villages) with a synthetic weekly
incidence per 1,000 (population ~ lognormal around 4,500, a smooth regional risk surface, a
gamma village effect and one planted hot spot of the 30 villages nearest a random village
at 3× the risk; Poisson cases of one week). ``--quick``: Kabupaten Banyuwangi (35.10, 217
villages) from the same file.

Figures, each the median of 5 warm calls beside a baseline timed in the same run:

* Gi* with 999 conditional permutations (``esda.G_Local`` exactly as
  :class:`layers.diarrhoea.hotspots.HotSpots` calls it) **vs the same statistic with its
  analytical normal-approximation p-value only** (``permutations=0``: ``Zs``/``p_norm``);
* Local Moran's I, the same way (``permutations=0``: analytical moments only);
* the whole :func:`layers.diarrhoea.hotspots.hot_spots` call (both statistics, folded
  p-values, FDR classes) vs the weights build (:func:`layers.diarrhoea.weights.build_weights`,
  uncached — what the per-boundary-version cache saves);
* the cold first call in this process (esda's numba kernels compiled; what
  :func:`layers.diarrhoea.weights.warm_up` moves to start-up) vs the warm call.

esda runs single-threaded here (``n_jobs=1``), as in the application.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import esda
import geopandas as gpd
import numba
import numpy as np
import pandas as pd

from bench.common import SHARED_DATA, Row, median, print_table, timed
from layers.diarrhoea.hotspots import _private, hot_spots
from layers.diarrhoea.weights import VillageWeights, build_weights

JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
BANYUWANGI = "35.10"
PERMUTATIONS = 999
REPEATS = 5
SEED = 12345


def boundaries(quick: bool) -> gpd.GeoDataFrame:
    """Jawa Timur villages (``kode_desa, geometry``), or Banyuwangi's with ``quick``."""
    gdf = gpd.read_parquet(JATIM, columns=["kode_desa", "geometry"])
    if quick:
        gdf = gdf[gdf["kode_desa"].str.startswith(BANYUWANGI + ".")]
    return gdf.reset_index(drop=True)


def synthetic_incidence(gdf: gpd.GeoDataFrame, seed: int = 35) -> pd.Series:
    """One week's incidence per 1,000 per village (index ``kode_desa``), with a hot spot."""
    rng = np.random.default_rng(seed)
    pts = gdf.to_crs(gdf.estimate_utm_crs()).geometry.representative_point()
    xy = np.c_[pts.x.to_numpy(), pts.y.to_numpy()]
    n = len(gdf)
    pop = np.round(rng.lognormal(np.log(4500), 0.6, n))
    # smooth regional risk: a few broad bumps (~30 km) over the area
    risk = np.ones(n)
    for centre in xy[rng.integers(n, size=6)]:
        risk += 0.8 * np.exp(-np.sum((xy - centre) ** 2, axis=1) / (2 * 30_000.0**2))
    risk *= rng.gamma(4.0, 0.25, n)
    near = np.argsort(np.hypot(*(xy - xy[rng.integers(n)]).T))[: min(30, n)]
    risk[near] *= 3.0
    cases = rng.poisson(pop * risk * 27 / 1000 / 52)
    return pd.Series(cases / pop * 1000, index=gdf["kode_desa"].astype(str).to_numpy())


def _gi(y: np.ndarray, vw: VillageWeights, permutations: int) -> Any:
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", DeprecationWarning)
        return esda.G_Local(y, _private(vw.w_star), transform="R", permutations=permutations,
                            star=True, keep_simulations=permutations > 0, n_jobs=1,
                            seed=SEED)  # fmt: skip


def _lisa(y: np.ndarray, vw: VillageWeights, permutations: int) -> Any:
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", DeprecationWarning)
        return esda.Moran_Local(y, _private(vw.w), transformation="r",
                                permutations=permutations, keep_simulations=permutations > 0,
                                n_jobs=1, seed=SEED)  # fmt: skip


def _median_of(fn: Any, repeats: int) -> tuple[float, list[float]]:
    times = [timed(fn)[0] for _ in range(repeats)]
    return median(times), times


def run(quick: bool = False) -> dict[str, Any]:
    """Time Gi* / Local Moran's I (warm and cold) beside their same-run baselines."""
    gdf = boundaries(quick)
    dataset = (f"Banyuwangi ({len(gdf):,} villages)" if quick
               else f"Jawa Timur ({len(gdf):,} villages)")  # fmt: skip
    values = synthetic_incidence(gdf)
    weights_s, vw = timed(lambda: build_weights(gdf, code_column="kode_desa"))
    y = values.reindex(list(vw.w.id_order)).to_numpy(dtype=float)

    # cold: the first call in this process compiles esda's numba kernels
    cold_s, result = timed(lambda: hot_spots(values, vw, PERMUTATIONS, SEED))
    cold_lisa_s, _ = timed(lambda: _lisa(y, vw, PERMUTATIONS))  # already compiled by now

    weights_med, weights_all = _median_of(
        lambda: build_weights(gdf, code_column="kode_desa"), REPEATS)
    gi_med, gi_all = _median_of(lambda: _gi(y, vw, PERMUTATIONS), REPEATS)
    gi0_med, gi0_all = _median_of(lambda: _gi(y, vw, 0), REPEATS)
    lisa_med, lisa_all = _median_of(lambda: _lisa(y, vw, PERMUTATIONS), REPEATS)
    lisa0_med, lisa0_all = _median_of(lambda: _lisa(y, vw, 0), REPEATS)
    hs_med, hs_all = _median_of(lambda: hot_spots(values, vw, PERMUTATIONS, SEED), REPEATS)

    perms = f"{PERMUTATIONS} perms"
    rows = [
        Row(dataset, f"Gi*, {perms} (warm)", gi_med, gi0_med, "s",
            "Gi* analytical (normal approx.) p only"),
        Row(dataset, f"Local Moran's I, {perms} (warm)", lisa_med, lisa0_med, "s",
            "Local Moran analytical moments only"),
        Row(dataset, f"hot_spots(): Gi* + LISA + FDR, {perms} (warm)", hs_med, weights_med,
            "s", "weights build (uncached)"),
        Row(dataset, "hot_spots(): first call, cold", cold_s, hs_med, "s",
            "the same call warm"),
    ]  # fmt: skip
    print_table(f"Hot spots (median of {REPEATS}; esda n_jobs=1, numba threads="
                f"{numba.get_num_threads()})", rows)  # fmt: skip
    hot = result.hot()
    print(f"cold first call {cold_s:.2f} s (numba compile included); weights "
          f"{vw.w.n:,} villages, {vw.w.nonzero:,} links, {len(vw.islands)} islands; "
          f"{len(hot)} hot-spot villages found")  # fmt: skip
    return {
        "dataset": dataset, "villages": int(len(gdf)), "permutations": PERMUTATIONS,
        "repeats": REPEATS, "numba_threads": numba.get_num_threads(),
        "cold_first_call_s": cold_s, "lisa_after_cold_s": cold_lisa_s,
        "first_weights_build_s": weights_s, "weights_build_s": weights_all,
        "gi_s": gi_all, "gi_analytical_s": gi0_all, "lisa_s": lisa_all,
        "lisa_analytical_s": lisa0_all, "hot_spots_s": hs_all,
        "hot_villages": len(hot), "islands": len(vw.islands),
        "rows": [r.as_dict() for r in rows],
    }  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(run(quick=True)["rows"], indent=1))
