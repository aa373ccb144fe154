"""The map's what-if state by village codes (layers/pustu/plan_state.py) on the demo store:
each step equals a full recomputation; codes from the browser that are not candidates of the
server's scope are dropped; the planning problem is built once per scope and distance."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from layers.pustu import plan_state, planner
from layers.scope import Scope

KM = 2.0  # at 5 km the demo district is already fully served


def test_a_step_equals_a_full_recomputation(session: Session) -> None:
    data = plan_state.cached_planning_data(session, Scope.everything(), KM, False)
    first = plan_state.step(data, [])
    assert first.planned == [] and first.newly_served_population == 0
    assert 0 < first.coverage_pct < 100
    best, gain = first.next_sites[0]
    added = plan_state.step(data, [], best)
    assert added.added and added.toggled == best and added.planned == [best]
    assert added.newly_served_population == pytest.approx(gain)
    direct = planner.evaluate(data.instance, [data.site_of(best)])
    assert added.newly_served_population == pytest.approx(direct)
    assert added.served_population == pytest.approx(
        data.instance.base_population + direct)
    assert best in added.newly_served  # it serves itself
    removed = plan_state.step(data, added.planned, best)
    assert not removed.added and removed.planned == []
    assert removed.served_population == pytest.approx(first.served_population)


def test_suggest_is_the_greedy_plan(session: Session) -> None:
    data = plan_state.cached_planning_data(session, Scope.everything(), KM, False)
    view = plan_state.suggest(data, 4)
    plan = planner.greedy(data.instance, 4)
    assert view.planned == list(plan.codes) and len(view.planned) == 4
    assert view.newly_served_population == pytest.approx(plan.newly_served)
    assert view.coverage_pct == pytest.approx(plan.coverage_pct)


def test_codes_from_the_browser_are_checked(session: Session) -> None:
    kec = Scope.of(["99.01.01"])
    data = plan_state.cached_planning_data(session, kec, KM, False)
    inside = plan_state.step(data, []).next_sites[0][0]
    assert inside.startswith("99.01.01.")
    outside = "99.01.02.2001"
    crafted = [outside, "' OR 1=1", 12, None, ["x"], {"kode": inside}, inside, inside]
    view = plan_state.step(data, crafted, outside)
    assert view.planned == [inside]  # only the in-scope candidate, once
    assert view.toggled is None  # a click outside the scope toggles nothing
    assert all(k.startswith("99.01.01.") for k in view.newly_served)
    # an existing Pustu's village is not a candidate: clicking it changes nothing
    fixed = [str(c) for c, f in zip(data.instance.site_codes, data.instance.fixed,
                                    strict=True) if f]  # fmt: skip
    assert fixed and all(c.startswith("pustu:") for c in fixed)
    assert plan_state.step(data, [], fixed[0]).planned == []


def test_the_problem_is_built_once_per_scope_and_distance(session: Session) -> None:
    a = plan_state.cached_planning_data(session, Scope.everything(), KM, False)
    assert plan_state.cached_planning_data(session, Scope.everything(), KM, False) is a
    assert plan_state.cached_planning_data(session, Scope.everything(), 3.0, False) is not a
    assert plan_state.cached_planning_data(session, Scope.of(["99.01.01"]), KM, False) is not a
