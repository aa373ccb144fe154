"""A planner's what-if state by village codes: what the map's planning tool shows.

The browser holds only the list of village codes where the planner put a new Pustu; each
request rebuilds the state from them on the scope's cached :class:`PlanningData`
(:func:`cached_planning_data`) — codes that are not candidate villages of the server's
scope are dropped, never trusted — and applies one toggle or a greedy suggestion through
:class:`~layers.pustu.whatif.WhatIf` (incremental: one toggle touches one column). The result
says what the tool shows: coverage, people served and newly served, the planned villages and
the villages they newly serve (outlined on the map), and where to build next.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from layers.pustu import planner
from layers.pustu.ranking import PlanningData, planning_data
from layers.pustu.whatif import WhatIf
from layers.scope import Scope
from layers.store import queries

#: planning problems kept in memory (one per scope, distance and data version)
KEPT = 8
_CACHE: OrderedDict[tuple, PlanningData] = OrderedDict()
_LOCK = threading.Lock()


def data_version(session: Session) -> tuple[str, int]:
    """Changes with any boundary load, import or undo (the newest log entry)."""
    log = queries.import_log(session, Scope.everything(), limit=1)
    newest = int(log["id"].iloc[0]) if len(log) else 0
    status = str(log["status"].iloc[0]) if len(log) else ""
    return queries.geometry_version(session), newest * 10 + len(status)


def cached_planning_data(session: Session, scope: Scope, distance_km: float,
                         puskesmas_serves: bool) -> PlanningData:  # fmt: skip
    """:func:`layers.pustu.ranking.planning_data`, built once per scope, distance, option and
    data version (a what-if click must not rebuild the coverage matrix)."""
    key = (session.get_bind().url.render_as_string(hide_password=True), data_version(session),
           scope.key, float(distance_km), bool(puskesmas_serves))  # fmt: skip
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    data = planning_data(session, scope, float(distance_km) * 1000,
                         puskesmas_serves=puskesmas_serves)  # fmt: skip
    with _LOCK:
        _CACHE[key] = data
        while len(_CACHE) > KEPT:
            _CACHE.popitem(last=False)
    return data


@dataclass(frozen=True)
class PlanView:
    """What the planning tool shows after a step.

    Attributes
    ----------
    planned : list of str
        Village codes with a new (planned-here) Pustu, in the order they were added.
    newly_served : list of str
        Villages served only thanks to the planned Pustu.
    served_population, newly_served_population, population, coverage_pct : float
    served_villages, villages : int
    next_sites : list of tuple (str, float)
        The best villages to add next and the people each would newly serve.
    toggled : str or None
        The village the step added or removed (None when the click was not a candidate).
    added : bool
    """

    planned: list[str]
    newly_served: list[str]
    served_population: float
    newly_served_population: float
    population: float
    coverage_pct: float
    served_villages: int
    villages: int
    next_sites: list[tuple[str, float]]
    toggled: str | None = None
    added: bool = False
    #: after a suggestion: the most any plan of that size could newly serve (the greedy's
    #: own upper bound), so the page can state the greedy/optimal gap
    bound: float | None = None


def _sites(data: PlanningData, codes: Iterable[object]) -> list[int]:
    """Candidate columns of the given village codes; anything else dropped."""
    out: list[int] = []
    for code in codes:
        if not isinstance(code, str):
            continue
        try:
            site = data.site_of(code)
        except KeyError:
            continue
        if not data.instance.fixed[site] and site not in out:
            out.append(site)
    return out


def view(data: PlanningData, whatif: WhatIf, toggled: str | None = None, added: bool = False,
         next_k: int = 10, bound: float | None = None) -> PlanView:  # fmt: skip
    """The figures of ``whatif`` on ``data`` by village codes."""
    inst = data.instance
    served = whatif.served
    ranked, gains = whatif.ranking(next_k)
    return PlanView(
        planned=[str(inst.site_codes[s]) for s in whatif.planned],
        newly_served=[str(c) for c in inst.village_codes[served & ~inst.base_served]],
        served_population=float(whatif.served_population),
        newly_served_population=float(whatif.newly_served),
        population=float(inst.total_population),
        coverage_pct=float(whatif.coverage_pct),
        served_villages=int(served.sum()), villages=int(inst.n_villages),
        next_sites=[(str(inst.site_codes[s]), float(g)) for s, g in zip(ranked, gains,
                                                                       strict=True)],
        toggled=toggled, added=added, bound=bound,
    )  # fmt: skip


def step(data: PlanningData, planned: Iterable[object], toggle: object = None) -> PlanView:
    """Rebuild the state from the ``planned`` codes, then toggle village ``toggle`` when it is
    a candidate (a village without an active Pustu in the scope)."""
    whatif = WhatIf(data.instance, _sites(data, planned))
    sites = _sites(data, [toggle])
    if not sites:
        return view(data, whatif)
    change = whatif.toggle(sites[0])
    return view(data, whatif, toggled=str(toggle), added=change.added)


def suggest(data: PlanningData, n: int) -> PlanView:
    """A greedy plan of ``n`` new Pustu (the planner's interactive solver) as a state."""
    plan = planner.greedy(data.instance, n)
    return view(data, WhatIf.from_plan(data.instance, plan), bound=plan.bound)


def as_plan(data: PlanningData, planned: Iterable[object]) -> planner.Plan:
    """The planned villages as a planner's answer (for the XLSX export and saving)."""
    return planner.manual(data.instance, _sites(data, planned))
