"""The Pustu planner on synthetic sparse matrices: greedy vs exact, fixed sites, format."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import sparse

from layers.pustu.planner import (
    GREEDY_RATIO,
    Instance,
    evaluate,
    exact,
    greedy,
    marginal_gains,
    plan,
    served_mask,
)


def random_instance(seed: int, villages: int = 30, sites: int = 14, density: float = 0.15,
                    n_fixed: int = 2, n_served: int = 2) -> Instance:  # fmt: skip
    """Villages × sites with a random sparse cover, some fixed sites, some served villages."""
    rng = np.random.default_rng(seed)
    cover = sparse.random(villages, sites, density=density, random_state=rng,
                          data_rvs=np.ones).tocsc()  # fmt: skip
    pop = rng.integers(0, 6000, villages).astype(float)
    fixed = np.zeros(sites, dtype=bool)
    fixed[rng.choice(sites, n_fixed, replace=False)] = True
    served = np.zeros(villages, dtype=bool)
    served[rng.choice(villages, n_served, replace=False)] = True
    return Instance(cover, pop, fixed=fixed, served=served,
                    village_codes=[f"v{i:02d}" for i in range(villages)],
                    site_codes=[f"s{j:02d}" for j in range(sites)])  # fmt: skip


def brute_force(inst: Instance, n: int) -> float:
    """The optimum by trying every set of n candidates."""
    k = min(n, len(inst.candidates))
    return max(evaluate(inst, list(c)) for c in itertools.combinations(inst.candidates, k))


def naive_greedy(inst: Instance, n: int) -> list[int]:
    """The plain greedy: every step, every candidate's gain from scratch, ties to lower j."""
    chosen: list[int] = []
    for _ in range(min(n, len(inst.candidates))):
        base = evaluate(inst, chosen)
        best, best_gain = -1, 0.0
        for j in inst.candidates:
            if j in chosen:
                continue
            gain = evaluate(inst, [*chosen, j]) - base
            if gain > best_gain:
                best, best_gain = int(j), gain
        if best < 0:
            break
        chosen.append(best)
    return chosen


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_optimal_and_greedy_within_its_bound(seed: int) -> None:
    inst = random_instance(seed)
    n = 1 + seed % 4
    optimum = brute_force(inst, n)
    g = greedy(inst, n)
    h = exact(inst, n, solver="highs")
    s = exact(inst, n, solver="spopt")
    assert h.optimal and s.optimal
    assert h.newly_served == pytest.approx(optimum)
    assert s.newly_served == pytest.approx(optimum)
    assert h.newly_served >= g.newly_served
    assert g.newly_served >= GREEDY_RATIO * optimum - 1e-9
    # the greedy's own bound is a true upper bound, and never below what it found
    assert g.newly_served <= optimum <= g.bound + 1e-9
    assert h.bound >= h.newly_served - 1e-6


@pytest.mark.parametrize("seed", SEEDS)
def test_lazy_greedy_is_the_plain_greedy(seed: int) -> None:
    inst = random_instance(seed, villages=40, sites=20)
    assert list(greedy(inst, 6).sites) == naive_greedy(inst, 6)


def test_greedy_can_be_beaten_and_the_gap_is_stated() -> None:
    # the classic trap: one big site first, then two that would have covered it all
    cover = sparse.csc_matrix(np.array([
        [1, 1, 0],
        [1, 1, 0],
        [1, 0, 1],
        [1, 0, 1],
        [0, 1, 0],
        [0, 0, 1],
    ]))  # fmt: skip
    pop = np.array([10, 10, 10, 10, 9, 9], dtype=float)
    inst = Instance(cover, pop)
    g = greedy(inst, 2)
    assert g.sites == (0, 1) and g.newly_served == 49
    assert not g.optimal and g.status == "heuristic"
    best = plan(inst, 2, exact_too=True, solver="highs")
    assert set(best.sites) == {1, 2} and best.newly_served == 58 and best.optimal
    assert best.greedy_newly_served == 49
    assert best.gap == pytest.approx((58 - 49) / 58)
    assert plan(inst, 2, exact_too=True, solver="spopt").newly_served == 58


def test_fixed_sites_count_as_served_and_never_as_gain() -> None:
    # site 0 is an existing Pustu serving villages 0-2; site 1 reaches the same villages
    # plus village 3; site 2 reaches villages 4 and 5
    cover = sparse.csc_matrix(np.array([
        [1, 1, 0],
        [1, 1, 0],
        [1, 1, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 0, 1],
    ]))  # fmt: skip
    pop = np.array([5000, 5000, 5000, 100, 300, 300], dtype=float)
    inst = Instance(cover, pop, fixed=np.array([True, False, False]))
    assert inst.base_served.tolist() == [True, True, True, False, False, False]
    for p in (greedy(inst, 1), exact(inst, 1, solver="highs"), exact(inst, 1, solver="spopt")):
        assert p.sites == (2,) and p.newly_served == 600
        assert p.base_served == 15000 and p.total_served == 15600
        assert p.coverage_pct == pytest.approx(100 * 15600 / 15700)
    both = greedy(inst, 2)
    assert both.sites == (2, 1) and both.gains == (600.0, 100.0)
    with pytest.raises(ValueError, match="fixed"):
        evaluate(inst, [0])


def test_villages_served_without_a_site_are_no_gain() -> None:
    cover = sparse.csc_matrix(np.array([[1, 0], [1, 0], [0, 1]]))
    pop = np.array([1000, 1000, 500], dtype=float)
    inst = Instance(cover, pop, served=np.array([True, True, False]))  # a Puskesmas in each
    for p in (greedy(inst, 1), exact(inst, 1, solver="highs"), exact(inst, 1, solver="spopt")):
        assert p.sites == (1,) and p.newly_served == 500 and p.base_served == 2000


def test_sites_that_add_nobody_are_left_out() -> None:
    cover = sparse.csc_matrix(np.array([[1, 1, 0], [0, 0, 0], [0, 0, 1]]))
    pop = np.array([700, 50, 0], dtype=float)  # site 2 reaches only an empty village
    inst = Instance(cover, pop)
    for p in (greedy(inst, 3), exact(inst, 3, solver="highs"), exact(inst, 3, solver="spopt")):
        assert p.sites == (0,) and p.requested == 3 and p.newly_served == 700
    assert greedy(inst, 3).optimal  # its bound is met: nothing else can add anyone


def test_both_solvers_are_deterministic() -> None:
    inst = random_instance(5, villages=120, sites=60, density=0.05, n_fixed=10)
    for solver in ("highs", "spopt"):
        first, second = exact(inst, 8, solver=solver), exact(inst, 8, solver=solver)
        assert first.sites == second.sites and first.gains == second.gains
    assert greedy(inst, 8).sites == greedy(inst, 8).sites


@pytest.mark.parametrize("seed", range(4))
def test_highs_and_spopt_agree_on_larger_instances(seed: int) -> None:
    inst = random_instance(100 + seed, villages=200, sites=90, density=0.03, n_fixed=15,
                           n_served=10)  # fmt: skip
    h, s = exact(inst, 10, solver="highs"), exact(inst, 10, solver="spopt")
    assert h.optimal and s.optimal
    assert h.newly_served == pytest.approx(s.newly_served)
    assert evaluate(inst, h.sites) == pytest.approx(h.newly_served)


def test_plan_figures_add_up() -> None:
    inst = random_instance(3, villages=60, sites=30, density=0.08)
    p = plan(inst, 5, exact_too=True)
    assert p.newly_served == pytest.approx(sum(p.gains))
    assert p.total_served == pytest.approx(p.base_served + p.newly_served)
    served = served_mask(inst, p.sites)
    assert p.total_served == pytest.approx(inst.population[served].sum())
    assert p.codes == tuple(inst.site_codes[j] for j in p.sites)
    assert p.solver == "spopt"  # small: "auto" takes spopt
    assert p.as_dict()["sites"] == list(p.codes)
    # the gains are in greedy order: each is the best left after the sites before it
    chosen: list[int] = []
    for site, gain in zip(p.sites, p.gains, strict=True):
        left = marginal_gains(inst, served_mask(inst, chosen))[list(set(p.sites) - set(chosen))]
        assert gain == pytest.approx(left.max())
        chosen.append(site)


def test_bad_input_is_refused() -> None:
    cover = sparse.csc_matrix(np.eye(3))
    with pytest.raises(ValueError, match="finite"):
        Instance(cover, np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="shape"):
        Instance(cover, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="n must"):
        greedy(Instance(cover, np.ones(3)), -1)
    with pytest.raises(ValueError, match="solver"):
        exact(Instance(cover, np.ones(3)), 1, solver="cbc")  # type: ignore[arg-type]


def test_more_sites_than_candidates_and_none() -> None:
    cover = sparse.csc_matrix(np.eye(3))
    inst = Instance(cover, np.array([3.0, 2.0, 1.0]), fixed=np.array([False, True, False]))
    assert greedy(inst, 10).sites == (0, 2)
    assert exact(inst, 10, solver="highs").sites == (0, 2)
    assert greedy(inst, 0).sites == () and exact(inst, 0).newly_served == 0


def test_at_the_time_limit_the_plan_is_never_worse_than_the_greedy() -> None:
    rng = np.random.default_rng(0)
    cover = sparse.random(600, 400, density=0.01, random_state=rng, data_rvs=np.ones) + \
        sparse.eye(600, 400)  # fmt: skip
    inst = Instance(cover, rng.integers(100, 5000, 600).astype(float))
    g = greedy(inst, 40)
    alone = exact(inst, 40, solver="highs", time_limit=1e-9)
    assert not alone.optimal and alone.status == "time limit reached"
    assert alone.bound > g.newly_served  # HiGHS' bound, not a proof
    p = plan(inst, 40, exact_too=True, solver="highs", time_limit=1e-9)
    assert not p.optimal and p.newly_served >= g.newly_served
    assert p.greedy_newly_served == g.newly_served and p.gap == 0.0
    assert g.newly_served <= p.bound <= g.bound
