"""The slide model: registered slide kinds build slides of pure blocks for one meeting.

A slide kind (like a village panel section, :mod:`layers.panel`) is a registered class
with an ``id``, a bilingual ``title``, a default ``order`` and ``build(ctx)`` returning a
:class:`Slide`: a title, a subtitle, blocks — the panel's :class:`~layers.panel.Facts`,
:class:`~layers.panel.Table`, :class:`~layers.panel.BarChart`, :class:`~layers.panel.Note`
and a :class:`MapFigure` (a layer drawn server-side by :mod:`layers.render`) — and speaker
notes holding the numbers. Every number is read live from the store for the deck's scope
(the server's scope narrowed to the region) and week; case counts go through the context's
:class:`~layers.present.suppress.Suppression` (on for documents that leave the office).

Renderers (the presentation page, PPTX, PDF) know only blocks, never a slide kind.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from layers import codes
from layers.epiweek import EpiWeek
from layers.panel import BarChart, Facts, Note, Table
from layers.present.suppress import ON_SCREEN, Suppression
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, TextError


@dataclass(frozen=True)
class MapFigure:
    """A map of layer ``layer`` (a :func:`layers.base.from_config` config) in ``period``
    (``period_text``; None for a snapshot) over the deck's region, or over ``region`` when
    given (a kecamatan inside it)."""

    layer: dict[str, Any]
    period: str | None
    caption: str
    region: str | None = None


Block = Facts | Table | BarChart | Note | MapFigure


@dataclass
class Slide:
    """One slide in one language."""

    kind: str
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    #: speaker notes: the slide's numbers as sentences (PPTX notes, the page's notes)
    notes: str = ""


class DeckError(TextError):
    """A deck that cannot be built (e.g. a region outside the scope); ``text`` says why."""


@dataclass
class DeckContext:
    """What every slide kind reads: the session, the scope narrowed to the region, the
    region's code, name and level, the epi week (None without case data), the language,
    the suppression, and today's date (the meeting's)."""

    session: Session
    scope: Scope
    region: str
    region_name: str
    level: str
    week: EpiWeek | None
    lang: str
    suppress: Suppression = ON_SCREEN
    today: dt.date = field(default_factory=dt.date.today)

    def t(self, text: Text) -> str:
        return text(self.lang)


class SlideKind(ABC):
    """Base class of slide kinds."""

    id: ClassVar[str]
    title: ClassVar[Text]
    #: default position in a new deck (ascending)
    order: ClassVar[int] = 100
    #: the slide takes input during the meeting (the closing slide's agreed actions)
    editable: ClassVar[bool] = False

    @abstractmethod
    def build(self, ctx: DeckContext) -> Slide:
        """The slide for ``ctx`` (never None: a slide with no data says so)."""


KINDS: dict[str, SlideKind] = {}


def register(cls: type[SlideKind]) -> type[SlideKind]:
    """Class decorator: offer a slide kind in every deck."""
    if cls.id in KINDS and type(KINDS[cls.id]) is not cls:
        raise ValueError(f"slide kind {cls.id!r} registered twice")
    KINDS[cls.id] = cls()
    return cls


def unregister(kind: str) -> None:
    KINDS.pop(kind, None)


def ordered() -> list[SlideKind]:
    return sorted(KINDS.values(), key=lambda k: (k.order, k.id))


NOT_IN_SCOPE = Text("Wilayah {kode} tidak ada dalam cakupan Anda.",
                    "Region {kode} is not within your scope.")  # fmt: skip


def context(session: Session, scope: Scope, region: str, week: EpiWeek | None, lang: str,
            suppress: Suppression = ON_SCREEN, today: dt.date | None = None) -> DeckContext:
    """The context of a deck for ``region`` within the server's ``scope`` (DeckError when
    it lies outside); ``week`` None takes the newest week with case data."""
    from layers.diarrhoea.service import latest_week

    if not codes.is_valid(region):
        raise DeckError(NOT_IN_SCOPE.format(kode=str(region)[:40]))
    region = codes.normalize(region)
    narrowed = scope.narrow(region)
    found = queries.region(session, scope, region) if not narrowed.is_empty else None
    if found is None:
        raise DeckError(NOT_IN_SCOPE.format(kode=region))
    week = week if week is not None else latest_week(session, narrowed)
    return DeckContext(session, narrowed, region, str(found["nama"]), str(found["level"]),
                       week, lang, suppress, today or dt.date.today())  # fmt: skip


def build(ctx: DeckContext, kinds: list[str] | None = None) -> list[Slide]:
    """The slides of ``kinds`` (default: every registered kind in order) for ``ctx``."""
    from layers.present import slides  # noqa: F401  (registers the kinds)

    chosen = [KINDS[k] for k in kinds if k in KINDS] if kinds is not None else ordered()
    return [kind.build(ctx) for kind in chosen]
