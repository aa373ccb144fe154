"""Space-time scan statistic (layers/diarrhoea/scan.py): brute force, null calibration, demo.

1. The LLR and the most likely cluster equal a brute-force reference that enumerates every
   cylinder in plain Python, on 30 random small cases (12 villages × 6 weeks).
2. Under the null the share of runs with p ≤ 0.05 is 5 % ± 2 %: 1,000 seeded runs × 99
   replications on 20 villages × 4 weeks. With 99 replications ``p = rank/100`` so
   P(p ≤ 0.05) = 0.05 exactly for a valid test; the band [30, 70] of 1,000 runs is left with
   probability 0.0030 by Binomial(1000, 0.05) (exact: P(X ≤ 29) + P(X ≥ 71)).
3. The planted outbreak of the demo district that ends in 2025-W53 is the most likely cluster
   of a scan whose last week is 2025-W53.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numba
import numpy as np
import pandas as pd
import pytest

from layers.diarrhoea.scan import SpaceTimeScan, expected_counts, llr_poisson
from layers.diarrhoea.scan_reference import scan_numpy
from layers.epiweek import EpiWeek

DEMO = Path(__file__).resolve().parents[2] / "data" / "geo" / "demo_9901"


# --------------------------------------------------------------------------- reference
def brute_force(counts: np.ndarray, expected: np.ndarray, xy: np.ndarray, max_k: int,
                max_share: float, max_weeks: int) -> tuple[float, frozenset[int], int]:
    """Every cylinder enumerated in plain Python: (max LLR, its villages, its weeks)."""
    n, t = counts.shape
    total = int(counts.sum())
    exp = expected * (total / expected.sum())
    pop = [float(exp[i].sum()) for i in range(n)]
    limit = max_share * sum(pop)
    best, best_set, best_l = 0.0, frozenset(), 0
    for i in range(n):
        order = sorted(range(n), key=lambda j: (math.dist(xy[i], xy[j]), j))
        for k in range(1, min(max_k, n) + 1):
            members = order[:k]
            if sum(pop[j] for j in members) > limit:
                break
            for length in range(1, min(max_weeks, t) + 1):
                weeks = range(t - length, t)
                c = sum(int(counts[j, w]) for j in members for w in weeks)
                e = sum(float(exp[j, w]) for j in members for w in weeks)
                if c > e:
                    llr = c * math.log(c / e)
                    if total - c > 0:
                        llr += (total - c) * math.log((total - c) / (total - e))
                    if llr > best + 1e-9:
                        best, best_set, best_l = llr, frozenset(members), length
    return best, best_set, best_l


def random_case(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, float, int]:
    rng = np.random.default_rng(seed)
    n, t = 12, 6
    pop = rng.uniform(200, 2000, n)
    xy = rng.uniform(0, 10_000, (n, 2))
    mu = np.outer(pop / pop.sum(), np.full(t, 1 / t)) * rng.uniform(40, 300)
    hot = rng.choice(n, size=rng.integers(1, 4), replace=False)
    mu[hot, t - rng.integers(1, 4):] *= rng.uniform(1, 4)
    counts = rng.poisson(mu)
    expected = expected_counts(counts, pop)
    max_k = int(rng.integers(1, n + 1))
    share = float(rng.choice([0.25, 0.5, 1.0]))
    max_weeks = int(rng.integers(1, t + 1))
    return counts, expected, xy, max_k, share, max_weeks


# --------------------------------------------------------------------------- 1. brute force
@pytest.mark.parametrize("seed", range(30))
def test_matches_brute_force(seed: int) -> None:
    counts, expected, xy, max_k, share, max_weeks = random_case(seed)
    ref_llr, ref_set, ref_l = brute_force(counts, expected, xy, max_k, share, max_weeks)
    s = SpaceTimeScan(counts, expected, xy, max_k=max_k, max_pop_share=share,
                      max_weeks=max_weeks, permutations=19, seed=seed)
    assert s.llr == pytest.approx(ref_llr, rel=1e-9, abs=1e-9)
    np_llr, _, _ = scan_numpy(counts, expected, xy, max_k=max_k, max_pop_share=share,
                              max_weeks=max_weeks)
    assert np_llr == pytest.approx(ref_llr, rel=1e-9, abs=1e-9)
    if ref_llr == 0:
        assert s.clusters == []
        return
    top = s.clusters[0]
    assert frozenset(int(v) for v in top.villages) == ref_set
    assert top.n_weeks == ref_l
    assert top.end_week == counts.shape[1] - 1
    assert top.start_week == counts.shape[1] - ref_l
    # the reported figures are those of the window
    c = int(counts[sorted(ref_set)][:, -ref_l:].sum())
    e = float(expected[sorted(ref_set)][:, -ref_l:].sum() * counts.sum() / expected.sum())
    assert top.observed == c
    assert top.expected == pytest.approx(e)
    assert top.llr == pytest.approx(llr_poisson(c, e, counts.sum()))
    total = counts.sum()
    assert top.relative_risk == pytest.approx((c / e) / ((total - c) / (total - e)))
    # secondary clusters: decreasing LLR, no shared village, p from the same maxima
    seen: set[int] = set()
    for cl in s.clusters:
        assert not seen & set(cl.villages)
        seen |= set(cl.villages)
        assert cl.p_value == (1 + np.count_nonzero(s.sim >= cl.llr)) / 20
    assert [cl.llr for cl in s.clusters] == sorted((cl.llr for cl in s.clusters), reverse=True)


def test_replications_seeded_and_thread_independent() -> None:
    counts, expected, xy, *_ = random_case(3)
    a = SpaceTimeScan(counts, expected, xy, max_k=6, permutations=199, seed=7)
    b = SpaceTimeScan(counts, expected, xy, max_k=6, permutations=199, seed=7)
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        c = SpaceTimeScan(counts, expected, xy, max_k=6, permutations=199, seed=7)
    finally:
        numba.set_num_threads(threads)
    d = SpaceTimeScan(counts, expected, xy, max_k=6, permutations=199, seed=8)
    np.testing.assert_array_equal(a.sim, b.sim)
    np.testing.assert_array_equal(a.sim, c.sim)
    assert not np.array_equal(a.sim, d.sim)


def test_expected_counts() -> None:
    counts = np.array([[1, 2, 3], [4, 0, 2], [0, 0, 0], [3, 3, 0]])
    pop = np.array([100.0, 300.0, np.nan, 200.0])
    e = expected_counts(counts, pop)
    assert e.sum() == pytest.approx(counts.sum())
    # populated villages: proportional to population, even over weeks
    assert e[1, 0] / e[0, 0] == pytest.approx(3.0)
    np.testing.assert_allclose(e[0], e[0, 0])
    # missing population: pseudo-population from history (no past cases -> half a case)
    rate = (6 + 6 + 6) / 600
    assert e[2, 0] / e[0, 0] == pytest.approx((0.5 / rate) / 100)
    hist = np.array([[5], [5], [10], [0]])
    e2 = expected_counts(counts, pop, history=hist)
    assert e2[2, 0] / e2[0, 0] == pytest.approx((10 / (10 / 600)) / 100)
    e3 = expected_counts(counts, pop[[0, 1, 3, 3]], adjust_time=True)
    np.testing.assert_allclose(e3.sum(axis=0), counts.sum(axis=0))


# --------------------------------------------------------------------------- 2. null
def test_null_size() -> None:
    rng = np.random.default_rng(20250)
    n, t, runs = 20, 4, 1000
    significant = 0
    for run in range(runs):
        pop = rng.uniform(500, 5000, n)
        xy = rng.uniform(0, 20_000, (n, 2))
        prob = np.outer(pop / pop.sum(), np.full(t, 1 / t)).ravel()
        counts = rng.multinomial(300, prob).reshape(n, t)
        s = SpaceTimeScan(counts, expected_counts(counts, pop), xy, max_k=10, max_weeks=4,
                          permutations=99, seed=run)
        significant += s.p_sim <= 0.05
    assert 30 <= significant <= 70, f"{significant} of {runs} runs had p <= 0.05"


# --------------------------------------------------------------------------- 3. demo
def test_planted_cluster_demo() -> None:
    desa = gpd.read_file(DEMO / "desa.geojson")
    centroids = desa.to_crs(desa.estimate_utm_crs()).geometry.centroid
    xy = np.c_[centroids.x, centroids.y]
    codes = desa["kode_desa"].tolist()
    cases = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype={"kode_desa": str})
    cases["week"] = [str(EpiWeek(y, w)) for y, w in zip(cases.tahun, cases.minggu, strict=True)]
    last = EpiWeek(2025, 53)
    weeks = [str(last - i) for i in range(51, -1, -1)]
    counts = (cases[cases.week.isin(weeks)]
              .pivot_table(index="kode_desa", columns="week", values="kasus", aggfunc="sum")
              .reindex(index=codes, columns=weeks).fillna(0).astype(int))
    pend = pd.read_csv(DEMO / "penduduk.csv", dtype={"kode_desa": str})
    pop = pend[pend.tahun == 2025].set_index("kode_desa")["jumlah"].reindex(codes).to_numpy()
    planted = next(p for p in json.loads((DEMO / "klaster_tertanam.json").read_text())
                   if EpiWeek(p["tahun"], p["minggu_mulai"]) + (p["minggu"] - 1) == last)

    s = SpaceTimeScan(counts, expected_counts(counts.to_numpy(), pop, adjust_time=True), xy,
                      max_k=50, max_weeks=4, permutations=99, seed=1)
    top = s.clusters[0]
    found, truth = set(top.villages), set(planted["villages"])
    assert top.end_week == "2025-W53" and top.n_weeks == planted["minggu"]
    assert top.p_value == pytest.approx(0.01)
    # the circle holds >= 80 % of the planted villages ...
    assert len(found & truth) / len(truth) >= 0.8
    # ... and >= 80 % of the circle's cases in those weeks come from planted villages
    # (the planted group is not circular: extra low-count neighbours fill the circle)
    last_weeks = counts.iloc[:, -top.n_weeks:].sum(axis=1)
    assert last_weeks[sorted(found & truth)].sum() / last_weeks[sorted(found)].sum() >= 0.8


def test_null_draw_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two exact multinomial samplers (alias method / sequential binomials) agree."""
    from scipy.stats import ks_2samp

    from layers.diarrhoea import scan as scan_module

    rng = np.random.default_rng(5)
    pop = rng.uniform(100, 1000, 8)
    xy = rng.uniform(0, 1000, (8, 2))
    counts = rng.poisson(np.outer(pop / pop.sum(), np.full(5, 400.0)))
    expected = expected_counts(counts, pop)
    sims = {}
    for per_cell in (10**9, 0):  # every draw by alias method / by binomials
        monkeypatch.setattr(scan_module, "_ALIAS_PER_CELL", per_cell)
        sims[per_cell] = SpaceTimeScan(counts, expected, xy, max_k=4, max_weeks=3,
                                       permutations=3000, seed=per_cell % 97).sim
    assert ks_2samp(sims[10**9], sims[0]).pvalue > 0.001
