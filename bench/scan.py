"""Space-time scan benchmark (issue 4): numba kernel vs a plain vectorised NumPy scan.

Full run: Jawa Timur village boundaries (8,494 villages, centroids in UTM 49S) with
synthetic weekly counts (population ~ lognormal around 4,500, 27 cases per 1,000 per year,
seasonal factor, gamma village effect, one planted outbreak) × 52 weeks; windows of up to
50 nearest villages (≤ 50 % of the population) × up to 4 weeks ending in the last week;
999 Monte Carlo replications. ``--quick``: the demo district (250 villages, its own counts).

The plain NumPy scan (:func:`layers.diarrhoea.scan_reference.scan_numpy`: same windows,
likelihood and null, one array expression per replication) is far too slow to run 999 times on every
benchmark: it is timed on a few replications and **scaled per replication to 999** — said so
in the table. Both are measured in the same run, medians of repetitions. The purely spatial
flavour (``max_weeks=1``) is timed as well, to compare with the ~14 ms per replication of
``shared/docs/stack.md``.
"""

from __future__ import annotations

import json
import os
from typing import Any

import geopandas as gpd
import numba
import numpy as np
import pandas as pd

from bench.common import REPO, SHARED_DATA, Row, median, print_table, timed
from layers.diarrhoea.scan import SpaceTimeScan, expected_counts, warm_up
from layers.diarrhoea.scan_reference import scan_numpy

JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
DEMO = REPO / "data" / "geo" / "demo_9901"
REPS = 999


def _centroids_m(gdf: gpd.GeoDataFrame) -> np.ndarray:
    cen = gdf.to_crs(gdf.estimate_utm_crs()).geometry.centroid
    return np.c_[cen.x.to_numpy(), cen.y.to_numpy()]


def jatim_data(weeks: int = 52, seed: int = 35) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, population, centroids) on the Jawa Timur villages, synthetic counts."""
    gdf = gpd.read_parquet(JATIM, columns=["kode_desa", "geometry"])
    xy = _centroids_m(gdf)
    rng = np.random.default_rng(seed)
    n = len(gdf)
    pop = np.round(rng.lognormal(np.log(4500), 0.6, n))
    season = 1 + 0.4 * np.cos(2 * np.pi * (np.arange(weeks) - 2) / 52)
    effect = rng.gamma(4.0, 0.25, n)
    mu = np.outer(pop * effect * 27 / 1000 / 52, season)
    # one planted outbreak: the 8 villages nearest a random village, RR 3, last 3 weeks
    centre = rng.integers(n)
    near = np.argsort(np.hypot(*(xy - xy[centre]).T))[:8]
    mu[near, -3:] *= 3.0
    return rng.poisson(mu), pop, xy


def demo_data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(counts, population, centroids) of the demo district, 52 weeks to its last week."""
    gdf = gpd.read_file(DEMO / "desa.geojson")
    codes = gdf["kode_desa"].tolist()
    cases = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype={"kode_desa": str})
    cases["key"] = cases["tahun"] * 100 + cases["minggu"]
    keys = sorted(cases["key"].unique())[-52:]
    counts = (cases[cases["key"].isin(keys)]
              .pivot_table(index="kode_desa", columns="key", values="kasus", aggfunc="sum")
              .reindex(index=codes, columns=keys).fillna(0).astype(int).to_numpy())
    pend = pd.read_csv(DEMO / "penduduk.csv", dtype={"kode_desa": str})
    last_year = max(keys) // 100
    pop = (pend[pend["tahun"] == last_year].set_index("kode_desa")["jumlah"]
           .reindex(codes).to_numpy(dtype=float))
    return counts, pop, _centroids_m(gdf)


def run(quick: bool = False) -> dict[str, Any]:
    dataset = "demo_9901 (250 villages)" if quick else "Jawa Timur (8,494 villages)"
    counts, pop, xy = demo_data() if quick else jatim_data()
    expected = expected_counts(counts, pop)
    reps_np = 10 if quick else 20
    repeats = 3 if quick else 2
    compile_s, _ = timed(warm_up)
    rows: list[Row] = []
    record: dict[str, Any] = {
        "dataset": dataset, "villages": int(counts.shape[0]), "weeks": int(counts.shape[1]),
        "cases": int(counts.sum()), "threads": numba.get_num_threads(),
        "cpus": os.cpu_count(), "reps": REPS, "numpy_reps_timed": reps_np,
        "warm_up_s": compile_s,
    }
    for label, max_weeks in (("space-time, ≤4 weeks", 4), ("purely spatial, 1 week", 1)):
        kw = {"max_k": 50, "max_pop_share": 0.5, "max_weeks": max_weeks}
        scan = SpaceTimeScan(counts, expected, xy, permutations=0, **kw)  # warm caches
        obs = scan_numpy(counts, expected, xy, permutations=0, **kw)
        ours, ours0, np1, np0 = [], [], [], []
        for _ in range(repeats):
            ours.append(timed(lambda kw=kw: SpaceTimeScan(
                counts, expected, xy, permutations=REPS, seed=1, **kw))[0])
            ours0.append(timed(lambda kw=kw: SpaceTimeScan(
                counts, expected, xy, permutations=0, **kw))[0])
            np1.append(timed(lambda kw=kw: scan_numpy(
                counts, expected, xy, permutations=reps_np, seed=1, **kw))[0])
            np0.append(timed(lambda kw=kw: scan_numpy(
                counts, expected, xy, permutations=0, **kw))[0])
        scan = SpaceTimeScan(counts, expected, xy, permutations=REPS, seed=1, **kw)
        # per replication = (time with R reps - time without) / R, medians of the repeats
        ours_s, base0 = median(ours), median(np0)
        ours_rep = (ours_s - median(ours0)) / REPS
        np_rep = (median(np1) - base0) / reps_np
        np_total = base0 + REPS * np_rep
        agree = abs(obs[0] - scan.llr) <= 1e-9 * max(1.0, scan.llr)
        scaled = f"plain NumPy ({reps_np} reps timed, scaled to {REPS})"
        rows += [
            Row(dataset, f"{label}: scan, {REPS} reps", ours_s, np_total, "s", scaled),
            Row(dataset, f"{label}: per replication", ours_rep * 1e3, np_rep * 1e3, "ms",
                f"plain NumPy ({reps_np} reps timed)"),
        ]
        if max_weeks == 4:
            rows.append(Row(dataset, f"{label}: scan, {REPS} reps", ours_s, 10.0, "s",
                            "issue target 10 s"))
        top = scan.clusters[0] if scan.clusters else None
        record[label] = {
            "numba_s": ours, "numba_setup_s": ours0, "numba_per_rep_s": ours_rep,
            "numpy_setup_s": np0, "numpy_with_reps_s": np1, "numpy_per_rep_s": np_rep,
            "numpy_scaled_s": np_total,
            "speed_up": np_total / ours_s, "windows": scan.n_windows,
            "observed_llr_equal": bool(agree),
            "top_cluster": None if top is None else top.as_dict(),
        }
    print_table(f"Space-time scan (threads={numba.get_num_threads()}, numba warm-up "
                f"{compile_s:.1f} s not included)", rows)
    for label in ("space-time, ≤4 weeks", "purely spatial, 1 week"):
        r = record[label]
        print(f"{label}: {r['windows']:,} windows/data set, speed-up "
              f"{r['speed_up']:.1f}×, observed LLR equal to NumPy: {r['observed_llr_equal']}")
    record["rows"] = [r.as_dict() for r in rows]
    return record


if __name__ == "__main__":
    print(json.dumps(run(quick=True)["rows"], indent=1))
