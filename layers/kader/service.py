"""The kader numbers of a scope read from the store, cached per data version.

The roster (the only heavy read: one row per kader and per passed skill) is kept per
(store, data version, scope) — any import, load or undo changes the version
(:func:`layers.store.queries.data_version`) — so switching the map's view or its options
recomputes only the aggregates (:func:`layers.kader.gaps.compute`, milliseconds).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from sqlalchemy.orm import Session

from layers.kader.gaps import DEFAULT_NORM, DEFAULT_STALE_MONTHS, KaderGaps, compute
from layers.kader.roster import Roster, load_roster
from layers.kader.strata import StrataRule, load_rule
from layers.scope import Scope
from layers.store import queries

_ROSTERS: OrderedDict[tuple[str, str, str], Roster] = OrderedDict()
_KEPT = 16


def roster(session: Session, scope: Scope) -> Roster:
    """:func:`~layers.kader.roster.load_roster`, cached per data version and scope."""
    key = (session.get_bind().url.render_as_string(hide_password=True),
           queries.data_version(session), scope.key)  # fmt: skip
    if key in _ROSTERS:
        _ROSTERS.move_to_end(key)
        return _ROSTERS[key]
    found = load_roster(session, scope)
    _ROSTERS[key] = found
    while len(_ROSTERS) > _KEPT:
        _ROSTERS.popitem(last=False)
    return found


def gaps_for(session: Session, scope: Scope, *, today: dt.date | None = None,
             stale_months: int = DEFAULT_STALE_MONTHS, norm: int = DEFAULT_NORM,
             rule: StrataRule | None = None) -> KaderGaps:  # fmt: skip
    """Levels and gaps of every kader in ``scope`` (the rule: ``$PWS_STRATA_KADER`` or the
    shipped file, checked against the store's skill groups)."""
    found = roster(session, scope)
    rule = rule or load_rule(groups=found.book.groups)
    return compute(found, rule, today=today, stale_months=stale_months, norm=norm)


def has_kader(session: Session, scope: Scope) -> bool:
    """Whether any kader record lies in ``scope``."""
    return len(roster(session, scope).kader) > 0
