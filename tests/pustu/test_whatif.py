"""What-if toggles give exactly what a full recomputation gives."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from layers.pustu.planner import Instance, evaluate, greedy, marginal_gains, served_mask
from layers.pustu.whatif import WhatIf


def instance(seed: int, villages: int = 150, sites: int = 80) -> Instance:
    rng = np.random.default_rng(seed)
    cover = (sparse.random(villages, sites, density=0.04, random_state=rng, data_rvs=np.ones)
             + sparse.eye(villages, sites))  # fmt: skip
    fixed = rng.random(sites) < 0.2
    served = rng.random(villages) < 0.05
    pop = rng.integers(0, 8000, villages).astype(float)
    return Instance(cover, pop, fixed=fixed, served=served)


def full_ranking(inst: Instance, open_sites: set[int], k: int) -> tuple[list[int], list[float]]:
    gains = marginal_gains(inst, served_mask(inst, sorted(open_sites)))
    rows = [(-g, j) for j, g in enumerate(gains)
            if not inst.fixed[j] and j not in open_sites and g > 0]  # fmt: skip
    rows.sort()
    return [j for _, j in rows[:k]], [-g for g, _ in rows[:k]]


@pytest.mark.parametrize("seed", range(6))
def test_toggles_equal_a_full_recomputation(seed: int) -> None:
    inst = instance(seed)
    rng = np.random.default_rng(1000 + seed)
    w = WhatIf(inst)
    open_sites: set[int] = set()
    before = served_mask(inst, [])
    for site in rng.choice(inst.candidates, 120):
        change = w.toggle(int(site))
        open_sites ^= {int(site)}
        assert change.added == (int(site) in open_sites)
        after = served_mask(inst, sorted(open_sites))
        assert sorted(change.villages) == np.flatnonzero(after != before).tolist()
        newly = evaluate(inst, sorted(open_sites))
        assert change.newly_served == pytest.approx(newly)
        assert w.served_population == pytest.approx(inst.population[after].sum())
        assert change.coverage_pct == pytest.approx(
            100 * inst.population[after].sum() / inst.population.sum())
        assert change.delta == pytest.approx(
            inst.population[after].sum() - inst.population[before].sum())
        np.testing.assert_allclose(w.gains, marginal_gains(inst, after), atol=1e-6)
        np.testing.assert_array_equal(w.served, after)
        assert w.ranking(7) == full_ranking(inst, open_sites, 7)
        for j in list(open_sites)[:3]:
            assert w.loss(j) == pytest.approx(newly - evaluate(inst, sorted(open_sites - {j})))
        before = after
    assert set(w.planned) == open_sites


def test_starts_from_a_plan_and_fixed_sites_stay() -> None:
    inst = instance(9)
    p = greedy(inst, 6)
    w = WhatIf.from_plan(inst, p)
    assert w.planned == p.sites
    assert w.newly_served == pytest.approx(p.newly_served)
    assert w.coverage_pct == pytest.approx(p.coverage_pct)
    fixed = int(np.flatnonzero(inst.fixed)[0])
    with pytest.raises(ValueError, match="fixed"):
        w.toggle(fixed)
    with pytest.raises(ValueError, match="already"):
        w.add(p.sites[0])
    closed = int(next(j for j in inst.candidates if j not in p.sites))
    with pytest.raises(ValueError, match="not in the plan"):
        w.remove(closed)
    with pytest.raises(IndexError):
        w.toggle(inst.n_sites)
    # the greedy's next pick is the what-if ranking's first, with the same gain
    seven = greedy(inst, 7)
    assert seven.sites[:6] == p.sites and len(seven.sites) == 7
    assert w.ranking(1) == ([seven.sites[6]], [seven.gains[6]])


def test_ranking_breaks_ties_by_column_and_keeps_them_at_the_cut() -> None:
    cover = sparse.csc_matrix(np.eye(5))
    inst = Instance(cover, np.array([10.0, 30, 30, 30, 0]))
    w = WhatIf(inst)
    assert w.ranking(2) == ([1, 2], [30.0, 30.0])
    assert w.ranking(10) == ([1, 2, 3, 0], [30.0, 30.0, 30.0, 10.0])  # site 4 adds nobody
    assert w.ranking(0) == ([], [])
