"""Meeting minutes (notulen): the actions agreed at a lokakarya mini, per region and date.

Typed on the closing slide during the meeting — who (*siapa*), what (*apa*), by when
(*kapan*, a date) — and stored in ``notulen`` (migration 0008), one row per region and
meeting date (saving again the same day replaces that day's list). The next meeting's
closing slide shows the latest earlier minutes again, so the room checks what was done.
Every entry is checked (text lengths, a real date) before anything is written, and a
region outside the caller's scope is refused.

Examples
--------
>>> clean([{"siapa": " Bidan desa ", "apa": "Kunjungan rumah", "kapan": "2026-01-15"}])
[{'siapa': 'Bidan desa', 'apa': 'Kunjungan rumah', 'kapan': '2026-01-15'}]
>>> clean([{"siapa": "", "apa": "", "kapan": ""}])  # an empty row is dropped
[]
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import codes
from layers.present.deck import DeckError
from layers.scope import Scope
from layers.store.models import Notulen
from layers.text import Text

FIELDS = ("siapa", "apa", "kapan")
LIMITS = {"siapa": 120, "apa": 500, "kapan": 10}
MAX_ACTIONS = 50
BAD = Text("Baris {row}: {why}.", "Row {row}: {why}.")
WHY = {
    "shape": Text("isian tidak dikenali", "entry not recognised"),
    "long": Text("'{field}' terlalu panjang (maks. {n} huruf)",
                 "'{field}' is too long (at most {n} characters)"),
    "date": Text("'kapan' harus tanggal (TTTT-BB-HH), bukan '{value}'",
                 "'kapan' must be a date (YYYY-MM-DD), not '{value}'"),
    "what": Text("'apa' tidak boleh kosong", "'apa' cannot be empty"),
    "many": Text("paling banyak {n} tindakan", "at most {n} actions"),
}  # fmt: skip
OUTSIDE = Text("Wilayah {kode} tidak ada dalam cakupan Anda.",
               "Region {kode} is not within your scope.")  # fmt: skip


@dataclass(frozen=True)
class Minutes:
    """One meeting's minutes."""

    region: str
    date: dt.date
    week: str | None
    actions: list[dict[str, str]]


def _bad(row: int, why: Text) -> DeckError:
    return DeckError(Text(BAD.id.format(row=row, why=why.id), BAD.en.format(row=row, why=why.en)))


def clean(actions: object) -> list[dict[str, str]]:
    """The actions, stripped and checked (DeckError naming the row); empty rows dropped."""
    if not isinstance(actions, list):
        raise _bad(1, WHY["shape"])
    if len(actions) > MAX_ACTIONS:
        raise _bad(MAX_ACTIONS + 1, WHY["many"].format(n=MAX_ACTIONS))
    out = []
    for row, item in enumerate(actions, start=1):
        if not isinstance(item, dict) or any(
                not isinstance(item.get(f, ""), str) for f in FIELDS):
            raise _bad(row, WHY["shape"])
        entry = {f: " ".join(str(item.get(f, "") or "").split()) for f in FIELDS}
        if not any(entry.values()):
            continue
        for f in FIELDS:
            if len(entry[f]) > LIMITS[f]:
                raise _bad(row, WHY["long"].format(field=f, n=LIMITS[f]))
        if not entry["apa"]:
            raise _bad(row, WHY["what"])
        if entry["kapan"]:
            try:
                dt.date.fromisoformat(entry["kapan"])
            except ValueError:
                raise _bad(row, WHY["date"].format(value=entry["kapan"][:20])) from None
        out.append(entry)
    return out


def _region(scope: Scope, region: str) -> str:
    if not codes.is_valid(region) or not scope.allows(region):
        raise DeckError(OUTSIDE.format(kode=str(region)[:40]))
    return codes.normalize(region)


def _minutes(row: Notulen) -> Minutes:
    try:
        actions = json.loads(row.tindakan)
    except ValueError:
        actions = []
    return Minutes(row.kode_wilayah, row.tanggal, row.minggu,
                   [a for a in actions if isinstance(a, dict)])  # fmt: skip


def save(session: Session, scope: Scope, region: str, date: dt.date, week: str | None,
         actions: object, user: str | None = None) -> Minutes:  # fmt: skip
    """Store the meeting's actions (replacing that day's), committed; checked first."""
    kode = _region(scope, region)
    found = clean(actions)
    n = Notulen
    row = session.scalar(select(n).where(n.kode_wilayah == kode, n.tanggal == date))
    now = dt.datetime.now(dt.UTC)
    if row is None:
        row = Notulen(kode_wilayah=kode, tanggal=date, minggu=week, tindakan=json.dumps(found),
                      pengguna=user, diubah=now)  # fmt: skip
        session.add(row)
    else:
        row.tindakan, row.minggu, row.pengguna, row.diubah = json.dumps(found), week, user, now
    session.commit()
    return _minutes(row)


def on(session: Session, scope: Scope, region: str, date: dt.date) -> Minutes | None:
    """The minutes of the meeting on ``date`` (None: none typed yet)."""
    kode = _region(scope, region)
    n = Notulen
    row = session.scalar(select(n).where(n.kode_wilayah == kode, n.tanggal == date))
    return None if row is None else _minutes(row)


def previous(session: Session, scope: Scope, region: str, before: dt.date) -> Minutes | None:
    """The latest minutes of the region before ``before`` with at least one action."""
    kode = _region(scope, region)
    n = Notulen
    rows = session.scalars(select(n).where(n.kode_wilayah == kode, n.tanggal < before)
                           .order_by(n.tanggal.desc()).limit(20))  # fmt: skip
    for row in rows:
        found = _minutes(row)
        if found.actions:
            return found
    return None
