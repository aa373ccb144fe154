"""Pustu planner benchmark (issue 9): greedy, exact and what-if on Jawa Timur's villages.

Data: the real Jawa Timur village boundaries (``desa_35_jawa_timur.parquet``, 8,494
villages, 38 kabupaten/kota) with synthetic programme data generated in-process by
:mod:`layers.demo.programme` (as ``pws demo --boundaries`` does): population of 2025, one
Puskesmas per kecamatan and an active Pustu in :data:`PUSTU_SHARE` of the other villages,
placed at random — fewer than the demo's 60 % so that a plan has something to do (Jawa
Timur's villages lie ~2.4 km apart: at 5 km almost everything is reached). Every village
without an active Pustu is a candidate. The planning problem is built by
:func:`layers.pustu.ranking.build` (populated points, coverage per UTM zone), at the
default distance (5 km) and at 2 km (a harder problem: more villages unserved).

Printed, each beside a baseline measured in the same run (timings: medians of
:data:`REPEATS`, warm):

* the province, N = 100: the lazy greedy beside a naive greedy that recomputes the served
  villages from the chosen sites and every candidate's gain from scratch at each step (one
  sparse matrix-vector product per step — vectorised, not a Python loop over candidates);
  the exact solver (sparse MILP, HiGHS) beside the greedy; the greedy's gap to the optimum
  beside the gap its own bound allows; building the planning problem beside the greedy;
* the largest kabupaten (35.24, 474 villages), N = 10: the exact solver beside the greedy,
  spopt's MCLP (PuLP + HiGHS) beside the sparse MILP, the gap;
* what-if on that kabupaten: one toggle (median and worst of :data:`TOGGLES`) beside a full
  recomputation of the same figures and next-site ranking; rebuilding the state from the
  planned villages plus one toggle (what the map's planning tool does per click) beside the
  200 ms budget.

``--quick``: the embedded demo district (250 villages, its own facilities) only.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from bench.common import REPO, SHARED_DATA, Row, median, print_table, timed
from layers.pustu import planner
from layers.pustu.planner import Instance, marginal_gains, served_mask
from layers.pustu.ranking import PlanningData, build
from layers.pustu.whatif import WhatIf

JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
DEMO = REPO / "data" / "geo" / "demo_9901"
SEED = 9901
#: share of the villages without a Puskesmas that get an active Pustu
PUSTU_SHARE = 0.2
KABUPATEN = "35.24"
DISTANCES_M = (5000.0, 2000.0)
REPEATS = 5
TOGGLES = 200
BUDGET_S = 0.200
TIME_LIMIT = 600.0


def jatim() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Jawa Timur villages, synthetic population and facilities (see the module docstring)."""
    from layers.demo.programme import facilities, population, prepare_villages
    from layers.demo.rng import stream

    villages = prepare_villages(gpd.read_parquet(JATIM))
    penduduk = population(villages, [2025], stream(SEED, "population"))
    fac = facilities(villages, penduduk, stream(SEED, "facilities"), pustu_share=PUSTU_SHARE)
    frame = villages.rename(columns={"kode_desa": "kode", "nama_desa": "nama"})
    return frame, penduduk, fac.assign(id=np.arange(len(fac)))


def demo() -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """The embedded demo district with its own facilities."""
    villages = gpd.read_file(DEMO / "desa.geojson").rename(
        columns={"kode_desa": "kode", "nama_desa": "nama"})  # fmt: skip
    penduduk = pd.read_csv(DEMO / "penduduk.csv", dtype={"kode_desa": str})
    penduduk = penduduk[penduduk["tahun"] == penduduk["tahun"].max()]
    fac = pd.read_csv(DEMO / "fasilitas.csv", dtype={"kode_desa": str})
    return villages, penduduk, fac.assign(id=np.arange(len(fac)))


def naive_greedy(inst: Instance, n: int) -> list[int]:
    """The baseline: every step, served villages and every candidate's gain from scratch."""
    chosen: list[int] = []
    cand = inst.candidates
    sub = inst.cover[:, cand].tocsc()
    for _ in range(min(n, len(cand))):
        served = served_mask(inst, chosen)
        gains = np.asarray(sub.T @ np.where(served, 0.0, inst.population)).ravel()
        best = int(np.argmax(gains))  # the first of the best: the lower column
        if gains[best] <= 0:
            break
        chosen.append(int(cand[best]))
    return chosen


def _median(fn: Any, repeats: int = REPEATS) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        seconds, result = timed(fn)
        times.append(seconds)
    return median(times), result


def _pct(x: float) -> float:
    return 100.0 * x


def _ms(seconds: float) -> float:
    """Timings are printed in ms (bench.common rounds seconds below 1 s to whole ms)."""
    return 1000.0 * seconds


def _warm_spopt() -> None:
    """Import spopt and PuLP and solve once, so that no timing holds an import."""
    from scipy import sparse

    planner.exact(Instance(sparse.eye(3, format="csc"), np.ones(3)), 1, solver="spopt")


def solvers(label: str, inst: Instance, n: int, spopt: bool) -> tuple[list[Row], dict]:
    """Greedy (lazy and naive), exact (HiGHS, optionally spopt), gaps."""
    planner.greedy(inst, n)  # warm: cached properties of the instance
    g_s, g = _median(lambda: planner.greedy(inst, n))
    naive_s, naive = _median(lambda: naive_greedy(inst, n), 3)
    assert naive == list(g.sites), "the lazy greedy must choose what the naive one does"
    e_s, e = _median(lambda: planner.exact(inst, n, solver="highs", time_limit=TIME_LIMIT,
                                           start=list(g.sites)), 3)  # fmt: skip
    gap = (e.newly_served - g.newly_served) / e.newly_served if e.newly_served else 0.0
    rows = [
        Row(label, f"greedy N={n} (lazy gains)", _ms(g_s), _ms(naive_s), "ms",
            "naive greedy, coverage recomputed each step"),
        Row(label, f"exact N={n}: sparse MILP, HiGHS (optimal: {e.optimal})", _ms(e_s),
            _ms(g_s), "ms", "greedy"),
        Row(label, "greedy's gap to the optimum", _pct(gap), _pct(g.bound_gap), "%",
            "gap the greedy's own bound allows"),
    ]  # fmt: skip
    record = {"n": n, "greedy_s": g_s, "naive_s": naive_s, "exact_s": e_s,
              "greedy_newly_served": g.newly_served, "optimal_newly_served": e.newly_served,
              "optimal": e.optimal, "gap": gap, "greedy_bound": g.bound,
              "greedy_bound_gap": g.bound_gap, "sites": len(g.sites),
              "coverage_before_pct": 100 * g.base_served / g.population,
              "coverage_after_pct": e.coverage_pct}  # fmt: skip
    if spopt:
        s_s, s = _median(lambda: planner.exact(inst, n, solver="spopt",
                                               time_limit=TIME_LIMIT), 1)  # fmt: skip
        assert abs(s.newly_served - e.newly_served) < 1e-6, "spopt and HiGHS must agree"
        rows.append(Row(label, f"exact N={n}: spopt MCLP (PuLP + HiGHS)", _ms(s_s), _ms(e_s),
                        "ms", "sparse MILP, HiGHS"))  # fmt: skip
        record["spopt_s"] = s_s
    return rows, record


def whatif(label: str, inst: Instance, planned: list[int]) -> tuple[list[Row], dict]:
    """One toggle vs a full recomputation; rebuild + toggle vs the 200 ms budget."""
    rng = np.random.default_rng(SEED)
    w = WhatIf(inst, planned)
    sites = rng.choice(inst.candidates, TOGGLES)
    toggle_times = []
    for j in sites:
        start = time.perf_counter()
        w.toggle(int(j))
        w.ranking(10)
        toggle_times.append(time.perf_counter() - start)
    open_now = list(w.planned)

    def full() -> Any:
        served = served_mask(inst, open_now)
        gains = marginal_gains(inst, served)
        cand = inst.candidates[~np.isin(inst.candidates, open_now)]
        order = np.lexsort((cand, -gains[cand]))[:10]
        return float(inst.population[served].sum()), cand[order]

    full_s, _ = _median(full, 20)
    first = int(inst.candidates[0])

    def rebuild() -> Any:
        state = WhatIf(inst, planned)
        return state.toggle(first), state.ranking(10)

    rebuild_s, _ = _median(rebuild, 20)
    rows = [
        Row(label, "what-if: one toggle + next-site ranking (median)",
            _ms(median(toggle_times)), _ms(full_s), "ms", "full recomputation of the same figures"),
        Row(label, "what-if: one toggle + ranking (worst)", _ms(max(toggle_times)),
            _ms(BUDGET_S), "ms", "the 200 ms budget"),
        Row(label, f"what-if: rebuild from {len(planned)} planned + toggle (as the map does)",
            _ms(rebuild_s), _ms(BUDGET_S), "ms", "the 200 ms budget"),
    ]  # fmt: skip
    return rows, {"toggle_median_s": median(toggle_times), "toggle_max_s": max(toggle_times),
                  "full_recompute_s": full_s, "rebuild_toggle_s": rebuild_s,
                  "toggles": TOGGLES}  # fmt: skip


def problem(villages: gpd.GeoDataFrame, penduduk: pd.DataFrame, fac: pd.DataFrame,
            distance_m: float) -> tuple[float, PlanningData]:  # fmt: skip
    return _median(lambda: build(villages, penduduk, fac, distance_m), 3)


def _describe(data: PlanningData) -> str:
    inst = data.instance
    return (f"{inst.n_villages:,} villages, {int(inst.fixed.sum()):,} Pustu, "
            f"{len(inst.candidates):,} candidates, {data.distance_m / 1000:g} km")


def run(quick: bool = False) -> dict[str, Any]:
    """Every figure of the module docstring."""
    rows: list[Row] = []
    records: dict[str, Any] = {}
    _warm_spopt()
    if quick:
        villages, penduduk, fac = demo()
        for distance in DISTANCES_M:
            build_s, data = problem(villages, penduduk, fac, distance)
            label = f"Demo district ({_describe(data)})"
            found, record = solvers(label, data.instance, 10, spopt=True)
            g = planner.greedy(data.instance, 10)
            more, wrec = whatif(label, data.instance, list(g.sites))
            rows += found + more
            records[label] = {**record, **wrec, "build_s": build_s}
    else:
        villages, penduduk, fac = jatim()
        kab = villages[villages["kode"].str.startswith(f"{KABUPATEN}.")]
        name = str(kab["nama_kab"].iloc[0])
        for distance in DISTANCES_M:
            build_s, data = problem(villages, penduduk, fac, distance)
            label = f"Jawa Timur ({_describe(data)})"
            found, record = solvers(label, data.instance, 100, spopt=False)
            g_s = record["greedy_s"]
            rows += found
            rows.append(Row(label, "building the planning problem (points, coverage)",
                            _ms(build_s), _ms(g_s), "ms", "greedy N=100 on it"))  # fmt: skip
            records[label] = {**record, "build_s": build_s}
            _, kdata = problem(kab, penduduk, fac, distance)
            klabel = f"{name} {KABUPATEN} ({_describe(kdata)})"
            found, record = solvers(klabel, kdata.instance, 10, spopt=True)
            g = planner.greedy(kdata.instance, 10)
            more, wrec = whatif(klabel, kdata.instance, list(g.sites))
            rows += found + more
            records[klabel] = {**record, **wrec}
    print_table(f"Pustu planner (medians of up to {REPEATS}; Pustu in {PUSTU_SHARE:.0%} of "
                "the villages without a Puskesmas, synthetic)", rows)  # fmt: skip
    return {"pustu_share": PUSTU_SHARE, "seed": SEED, "datasets": records,
            "rows": [r.as_dict() for r in rows]}  # fmt: skip


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
