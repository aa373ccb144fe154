"""Village panel sections: what each layer family says about one village, as pure data.

Clicking a village opens a panel: a generic head (name, code, kecamatan, population,
facilities), then every registered :class:`PanelSection` in ``order``. A section returns
plain blocks — :class:`Facts`, :class:`Table`, :class:`BarChart`, :class:`Note` — already
in the requested language; the dashboard renders blocks generically and knows nothing of
the section. A section with nothing to say (e.g. no case data) returns None and is left
out. Registered like layers (:mod:`layers.base`); documented in ``docs/layers.md``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from sqlalchemy.orm import Session

from layers.base import Period
from layers.scope import Scope
from layers.text import Text


@dataclass(frozen=True)
class Facts:
    """Label/value pairs."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A small table of already formatted cells."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Line:
    """A line over a bar chart (e.g. an alert threshold); NaN breaks it."""

    x: tuple[str, ...]
    y: tuple[float, ...]
    name: str
    hover: tuple[str, ...] = ()


@dataclass(frozen=True)
class BarChart:
    """Bars at ``x`` (ISO dates or labels), one of them highlighted, an optional line."""

    x: tuple[str, ...]
    y: tuple[float, ...]
    name: str
    y_title: str
    hover: tuple[str, ...] = ()
    highlight: int | None = None
    line: Line | None = None


@dataclass(frozen=True)
class Note:
    """A sentence; ``tone`` picks its style."""

    text: str
    tone: Literal["hint", "ok", "bad"] = "hint"


Block = Facts | Table | BarChart | Note


@dataclass
class Section:
    """A loaded section: its id, title and blocks in one language."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


class PanelSection(ABC):
    """Base class of the village panel's sections."""

    id: ClassVar[str]
    title: ClassVar[Text]
    #: sections are shown by ascending order
    order: ClassVar[int] = 100
    #: the section also reads the village's surroundings (``area``: its kabupaten within
    #: the server's scope), e.g. the nearest facility in a neighbouring village
    uses_area: ClassVar[bool] = False

    @abstractmethod
    def blocks(self, session: Session, village: Scope, kode: str, period: Period,
               lang: str) -> list[Block] | None:  # fmt: skip
        """The section for village ``kode``; ``village`` is the server's scope narrowed to
        it, ``period`` the map's current one (None on a snapshot layer). A section with
        :attr:`uses_area` also gets ``area=`` (a wider scope, never wider than the server's)."""

    def load(self, session: Session, village: Scope, kode: str, period: Period,
             lang: str, area: Scope | None = None) -> Section | None:  # fmt: skip
        extra = {"area": area} if self.uses_area and area is not None else {}
        found = self.blocks(session, village, kode, period, lang, **extra)
        return None if found is None else Section(self.id, self.title(lang), found)


SECTIONS: dict[str, PanelSection] = {}


def register(cls: type[PanelSection]) -> type[PanelSection]:
    """Class decorator: add a section to every village panel."""
    if cls.id in SECTIONS and type(SECTIONS[cls.id]) is not cls:
        raise ValueError(f"panel section {cls.id!r} registered twice")
    SECTIONS[cls.id] = cls()
    return cls


def unregister(section_id: str) -> None:
    """Remove a section (tests that register a throwaway one)."""
    SECTIONS.pop(section_id, None)


def ordered() -> list[PanelSection]:
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.id))
