"""The saved deck of a region: which slides, in which order, hidden or not.

Stored in ``dek_presentasi`` (one row per region; migration 0008). A region without a row
shows :func:`default_deck`: every registered slide kind in its default order, none hidden.
Loading keeps a saved deck usable as slide kinds come and go: an id no longer registered is
dropped, a new kind is appended (hidden: the office chose its slides before it existed).
Saving checks every entry (known ids, each once, a boolean ``hidden``) and refuses a region
outside the caller's scope — the page never passes a code the server did not check.

Examples
--------
>>> deck = Deck((Entry("judul", False), Entry("diare", True)))
>>> deck.shown()
['judul']
>>> Deck.from_json('[{"id": "judul", "hidden": false}]', known=["judul", "kader"]).entries
(Entry(id='judul', hidden=False), Entry(id='kader', hidden=True))
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import codes
from layers.present.deck import DeckError, ordered
from layers.scope import Scope
from layers.store.models import DekPresentasi
from layers.text import Text

BAD_DECK = Text("Daftar slide tidak valid: {why}.", "Invalid slide list: {why}.")
OUTSIDE = Text("Wilayah {kode} tidak ada dalam cakupan Anda.",
               "Region {kode} is not within your scope.")  # fmt: skip


@dataclass(frozen=True)
class Entry:
    id: str
    hidden: bool


@dataclass(frozen=True)
class Deck:
    """Slides in order with their hidden flag."""

    entries: tuple[Entry, ...]

    def shown(self) -> list[str]:
        return [e.id for e in self.entries if not e.hidden]

    def to_json(self) -> str:
        return json.dumps([{"id": e.id, "hidden": e.hidden} for e in self.entries])

    @classmethod
    def from_json(cls, text: str, known: Sequence[str]) -> Deck:
        """A stored deck, reconciled with the ``known`` kinds (see module doc)."""
        try:
            raw = json.loads(text)
        except ValueError:
            raw = []
        seen: set[str] = set()
        entries = []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, dict) and item.get("id") in known and item["id"] not in seen:
                seen.add(item["id"])
                entries.append(Entry(item["id"], bool(item.get("hidden", False))))
        entries += [Entry(k, True) for k in known if k not in seen]
        return cls(tuple(entries))


def known_kinds() -> list[str]:
    from layers.present import slides  # noqa: F401  (registers the kinds)

    return [k.id for k in ordered()]


def default_deck() -> Deck:
    return Deck(tuple(Entry(k, False) for k in known_kinds()))


def validate(entries: object) -> Deck:
    """A deck from a page's list of ``{"id", "hidden"}`` (DeckError saying what is wrong)."""
    known = known_kinds()
    if not isinstance(entries, list) or not entries:
        raise DeckError(BAD_DECK.format(why="kosong / empty"))
    out, seen = [], set()
    for item in entries:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise DeckError(BAD_DECK.format(why="bentuk / shape"))
        if item["id"] not in known:
            raise DeckError(BAD_DECK.format(why=item["id"][:40]))
        if item["id"] in seen:
            raise DeckError(BAD_DECK.format(why=f"{item['id']} 2×"))
        if not isinstance(item.get("hidden", False), bool):
            raise DeckError(BAD_DECK.format(why="hidden"))
        seen.add(item["id"])
        out.append(Entry(item["id"], bool(item.get("hidden", False))))
    return Deck(tuple(out + [Entry(k, True) for k in known if k not in seen]))


def _region(scope: Scope, region: str) -> str:
    if not codes.is_valid(region) or not scope.allows(region):
        raise DeckError(OUTSIDE.format(kode=str(region)[:40]))
    return codes.normalize(region)


def load_deck(session: Session, scope: Scope, region: str) -> Deck:
    """The region's saved deck, else the default one. Reading also serves a region wider
    than the scope that holds part of it (a kecamatan's officer presenting the kabupaten's
    deck over their own kecamatan, as :func:`layers.present.deck.context` narrows it);
    saving does not."""
    if codes.is_valid(region) and not scope.narrow(region).is_empty:
        kode = codes.normalize(region)
    else:
        kode = _region(scope, region)
    row = session.get(DekPresentasi, kode)
    return default_deck() if row is None else Deck.from_json(row.slide, known_kinds())


def save_deck(session: Session, scope: Scope, region: str, deck: Deck,
              user: str | None = None) -> None:  # fmt: skip
    """Store ``deck`` for ``region`` (committed)."""
    kode = _region(scope, region)
    row = session.get(DekPresentasi, kode)
    now = dt.datetime.now(dt.UTC)
    if row is None:
        session.add(DekPresentasi(kode_wilayah=kode, slide=deck.to_json(), pengguna=user,
                                  diubah=now))  # fmt: skip
    else:
        row.slide, row.pengguna, row.diubah = deck.to_json(), user, now
    session.commit()


def reset_deck(session: Session, scope: Scope, region: str) -> None:
    """Forget the region's saved deck (back to the default)."""
    kode = _region(scope, region)
    row = session.scalar(select(DekPresentasi).where(DekPresentasi.kode_wilayah == kode))
    if row is not None:
        session.delete(row)
        session.commit()
