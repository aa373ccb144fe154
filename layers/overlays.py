"""Point overlays: facilities (or any points) drawn over the village polygons, by class.

An overlay is a small registered class, like a layer (:mod:`layers.base`): an ``id``, a
title and its point classes (colour, size, label in id/en), and a pure :meth:`load` that
returns the points of a scope with the index of their class. The map draws every overlay
the same way — its points from one cacheable route, their look from the classes — so the
Puskesmas/Pustu/Posyandu markers are an overlay (:mod:`layers.facility_points`) and a new
layer adds its own (e.g. Pustu by status) without touching the map code.

An overlay with ``always = True`` is offered in the map's overlay control whatever layer
is chosen; one with ``always = False`` is drawn only while a layer names it in
:attr:`layers.base.Layer.overlays`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd
from sqlalchemy.orm import Session

from layers.scope import Scope
from layers.text import Text

#: columns of :meth:`PointOverlay.load`: position, class index, name; then any extras
POINT_COLUMNS = ("lon", "lat", "klass", "nama")


@dataclass(frozen=True)
class PointClass:
    """How the points of one class look, and what they mean; ``key`` names the class in the
    page (CSS class ``pws-titik-<key>``)."""

    key: str
    color: str
    label: Text
    radius: float = 4.0
    #: fill opacity (lower for planned, not yet existing facilities)
    opacity: float = 0.95


class PointOverlay(ABC):
    """Base class of point overlays."""

    id: ClassVar[str]
    title: ClassVar[Text]
    classes: ClassVar[tuple[PointClass, ...]]
    always: ClassVar[bool] = True
    #: extra columns of :meth:`load` shown when a point is clicked, with their labels
    details: ClassVar[tuple[tuple[str, Text], ...]] = ()

    @abstractmethod
    def load(self, session: Session, scope: Scope) -> pd.DataFrame:
        """Points in ``scope``: :data:`POINT_COLUMNS` plus the :attr:`details` columns.

        ``klass`` indexes :attr:`classes`; a point of no class is left out.
        """

    def count(self, session: Session, scope: Scope) -> int:
        """How many points :meth:`load` gives (overlays with a cheaper count override it)."""
        return len(self.load(session, scope))

    def on_by_default(self, count: int) -> bool:
        """Whether the overlay starts switched on, given how many points it has."""
        return True


OVERLAYS: dict[str, PointOverlay] = {}


def register(cls: type[PointOverlay]) -> type[PointOverlay]:
    """Class decorator: make an overlay available under its ``id``."""
    if cls.id in OVERLAYS and type(OVERLAYS[cls.id]) is not cls:
        raise ValueError(f"overlay {cls.id!r} registered twice")
    OVERLAYS[cls.id] = cls()
    return cls


def unregister(overlay_id: str) -> None:
    """Remove an overlay (tests that register a throwaway one)."""
    OVERLAYS.pop(overlay_id, None)
