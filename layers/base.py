"""The Layer interface: the spine of the design.

A map layer is a small frozen dataclass registered under a ``type`` string (as DHIS2
Maps' loaders or datasette's facets). Its fields are its options, so a layer is a
serialisable config: ``{"type": "insidens", "penyakit": "diare_akut"}``.
It is pure — no Dash: given a session, a :class:`~layers.scope.Scope` and an epi week
it returns a :class:`LayerResult`, a per-village table plus a legend. The dashboard
draws every layer the same way, so adding a layer means adding one module and its
tests, not touching the map code.

Every registered layer must carry its strings in Indonesian and English and be
described in ``docs/layers.md``; ``tests/test_layer_registry.py`` fails otherwise.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd
from sqlalchemy.orm import Session

from layers.classify import NO_DATA_COLOR
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.text import Text

#: columns every LayerResult.table has (layers may add more)
RESULT_COLUMNS = ("kode_desa", "value", "klass", "label")


@dataclass(frozen=True)
class LegendClass:
    """One legend entry: a colour and what it means."""

    color: str
    label: Text


@dataclass(frozen=True)
class Legend:
    """The classes of a layer, in order; ``klass`` indexes ``classes``."""

    title: Text
    classes: tuple[LegendClass, ...]
    no_data: LegendClass = LegendClass(NO_DATA_COLOR, Text("Tidak ada data", "No data"))

    def color_of(self, klass: int) -> str:
        return self.classes[klass].color if klass >= 0 else self.no_data.color

    def to_dict(self, lang: str) -> dict[str, Any]:
        """A JSON-ready legend in one language (what the browser receives)."""
        return {
            "title": self.title(lang),
            "classes": [{"color": c.color, "label": c.label(lang)} for c in self.classes],
            "no_data": {"color": self.no_data.color, "label": self.no_data.label(lang)},
        }


@dataclass
class LayerResult:
    """What a layer gives for one scope and period.

    ``table`` has one row per village in scope with ``kode_desa``, ``value`` (float,
    NaN when unknown), ``klass`` (index into ``legend.classes``, -1 = no data) and
    ``label`` (the tooltip text in the requested language), plus layer-specific
    columns.
    """

    table: pd.DataFrame
    legend: Legend
    summary: Text = field(default_factory=lambda: Text("", ""))

    def __post_init__(self) -> None:
        missing = [c for c in RESULT_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"layer table lacks columns {missing}")

    def values(self) -> dict[str, list[Any]]:
        """``{kode_desa: [klass, label]}`` — the only thing re-sent on a change."""
        return {
            kode: [int(k), label]
            for kode, k, label in zip(
                self.table["kode_desa"], self.table["klass"], self.table["label"], strict=True
            )
        }


class Layer(ABC):
    """Base class of map layers. Subclasses are frozen dataclasses whose fields are options."""

    type: ClassVar[str]
    title: ClassVar[Text]
    description: ClassVar[Text]

    @abstractmethod
    def load(
        self, session: Session, scope: Scope, week: EpiWeek, lang: str = "id"
    ) -> LayerResult:
        """Compute the layer for every village in ``scope`` in ``week``."""

    def config(self) -> dict[str, Any]:
        """The serialisable config that recreates this layer via :func:`from_config`."""
        return {"type": self.type, **dataclasses.asdict(self)}  # type: ignore[call-overload]


REGISTRY: dict[str, type[Layer]] = {}


def register(cls: type[Layer]) -> type[Layer]:
    """Class decorator: make a layer available under its ``type``."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} must be a dataclass (its fields are its options)")
    if cls.type in REGISTRY and REGISTRY[cls.type] is not cls:
        raise ValueError(f"layer type {cls.type!r} registered twice")
    REGISTRY[cls.type] = cls
    return cls


def from_config(config: dict[str, Any]) -> Layer:
    """Build a layer from ``{"type": ..., **options}``; unknown types or options fail."""
    options = dict(config)
    kind = options.pop("type", None)
    if kind not in REGISTRY:
        raise ValueError(f"unknown layer type {kind!r}; known: {sorted(REGISTRY)}")
    return REGISTRY[kind](**options)
