"""The Layer interface: the spine of the design.

A map layer is a small frozen dataclass registered under a ``type`` string (as DHIS2
Maps' loaders or datasette's facets). Its fields are its options, so a layer is a
serialisable config, ``{"type": "insidens", "penyakit": "diare_akut"}``, that survives a
JSON round trip (:meth:`Layer.config`, :func:`from_config`). It is pure — no Dash. A layer
declares:

* its **period kind** (:data:`WEEKLY`, :data:`YEARLY` or :data:`SNAPSHOT`, the current
  state) and, through :meth:`Layer.periods`, which periods hold data for a scope;
* its **options**: fields declared with :func:`option` (choice / number / flag, id/en
  labels, default, bounds). The map page renders a control for each and passes the chosen
  values back through :func:`from_config`, which validates them (a crafted value from the
  browser is a :class:`ValueError`, never a wider query). Fields declared without
  :func:`option` are settings of a saved config that the page does not offer;
* its **legend** (:meth:`Layer.legend`) and, given a session, a
  :class:`~layers.scope.Scope` and a period, its per-village values
  (:meth:`Layer.load` → :class:`LayerResult`);
* how its values **aggregate** to kecamatan, kabupaten and province for the national and
  provincial zoom (:meth:`Layer.aggregation`, one of :mod:`layers.aggregate`);
* optionally the **point overlays** drawn while it is chosen (:attr:`Layer.overlays`, ids of
  :mod:`layers.overlays`). Village panel sections are registered apart
  (:mod:`layers.panel`), since a village's panel gathers every layer family.

The dashboard draws every layer the same way, so adding a layer means one module in
``layers/``, one line in :mod:`layers.catalog`, its section in ``docs/layers.md`` and its
tests — never an edit of the map page. ``tests/test_layer_registry.py`` fails when a
registered layer lacks its docs or its strings in either language.
"""

from __future__ import annotations

import dataclasses
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pandas as pd
from sqlalchemy.orm import Session

from layers.classify import NO_DATA, NO_DATA_COLOR
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.text import Text

if TYPE_CHECKING:
    from layers.aggregate import Aggregation

#: columns every LayerResult.table has (layers may add more)
RESULT_COLUMNS = ("kode_desa", "value", "klass", "label")

PeriodKind = Literal["weekly", "yearly", "snapshot"]
WEEKLY: PeriodKind = "weekly"
YEARLY: PeriodKind = "yearly"
SNAPSHOT: PeriodKind = "snapshot"
PERIOD_KINDS: tuple[PeriodKind, ...] = (WEEKLY, YEARLY, SNAPSHOT)
#: what a layer is computed for: an epi week, a year, or None (the current state)
Period = EpiWeek | int | None


def parse_period(kind: PeriodKind, text: object) -> Period:
    """The period of ``kind`` written as ``text`` (``2025-W10``, ``2025``; ignored for a
    snapshot). Raises :class:`ValueError` for anything else, e.g. a crafted value."""
    if kind == SNAPSHOT:
        return None
    if not isinstance(text, str):
        raise ValueError(f"not a period: {text!r}")
    if kind == WEEKLY:
        return EpiWeek.parse(text)
    if len(text) == 4 and text.isdigit():
        return int(text)
    raise ValueError(f"not a year: {text!r}")


def period_text(period: Period) -> str | None:
    """The inverse of :func:`parse_period` (None for a snapshot)."""
    return None if period is None else str(period)


# --------------------------------------------------------------------------- legend


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


def no_data_result(kode_desa: Sequence[str], legend: Legend, summary: Text,
                   lang: str) -> LayerResult:  # fmt: skip
    """Every village as no data, its label the ``summary`` (e.g. no case data at all)."""
    table = pd.DataFrame({"kode_desa": list(kode_desa), "value": math.nan,
                          "klass": NO_DATA, "label": summary(lang)})  # fmt: skip
    return LayerResult(table=table, legend=legend, summary=summary)


# --------------------------------------------------------------------------- options

OptionKind = Literal["choice", "number", "flag"]
OptionValue = str | int | float | bool


@dataclass(frozen=True)
class Choice:
    """One value of a choice option and its label."""

    value: str | int | float
    label: Text


@dataclass(frozen=True)
class Option:
    """How the page offers a layer field: a control of ``kind`` with id/en labels.

    ``choices`` is a tuple of :class:`Choice` or a function returning one (for choices read
    from a shipped, editable lookup such as the 25 kader skills); ``minimum``/``maximum``
    bound a number, inclusive.
    """

    kind: OptionKind
    label: Text
    choices: tuple[Choice, ...] | Callable[[], Sequence[Choice]] = ()
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    help: Text | None = None

    def choice_list(self) -> tuple[Choice, ...]:
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def validate(self, value: object, default: OptionValue) -> OptionValue:
        """``value`` checked against this option (ValueError when it does not fit)."""
        if self.kind == "flag":
            if not isinstance(value, bool):
                raise ValueError(f"{self.label.en}: expected true or false, got {value!r}")
            return value
        if self.kind == "choice":
            for choice in self.choice_list():
                if type(choice.value) is type(value) and choice.value == value:
                    return value  # type: ignore[return-value]
            raise ValueError(f"{self.label.en}: {value!r} is not one of the choices")
        return _number(self, value, default)


def _number(spec: Option, value: object, default: OptionValue) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{spec.label.en}: expected a number, got {value!r}")
    if isinstance(default, int):
        if float(value) != int(value):
            raise ValueError(f"{spec.label.en}: expected a whole number, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum):
        raise ValueError(f"{spec.label.en}: {value!r} is outside "
                         f"{spec.minimum}–{spec.maximum}")
    return value


def option(default: OptionValue, label: Text, *, choices: Any = (),
           minimum: float | None = None, maximum: float | None = None,
           step: float | None = None, help: Text | None = None) -> Any:  # noqa: A002
    """A dataclass field the page offers as a control (its kind follows from the default:
    a bool is a flag, a field with ``choices`` a choice, else a number)."""
    if isinstance(default, bool):
        kind: OptionKind = "flag"
    elif choices:
        kind = "choice"
    elif isinstance(default, int | float):
        kind = "number"
    else:
        raise TypeError(f"option default {default!r} needs choices")
    spec = Option(kind, label, choices, minimum, maximum, step, help)
    return field(default=default, metadata={"option": spec})


@dataclass(frozen=True)
class OptionField:
    """An offered option of a layer type: its field name, spec and default."""

    name: str
    spec: Option
    default: OptionValue


# --------------------------------------------------------------------------- layers


class Layer(ABC):
    """Base class of map layers. Subclasses are frozen dataclasses whose fields are options.

    Every field needs a JSON-safe default (checked by :func:`register`).
    """

    type: ClassVar[str]
    title: ClassVar[Text]
    description: ClassVar[Text]
    period_kind: ClassVar[PeriodKind] = WEEKLY
    #: ids of the point overlays (:mod:`layers.overlays`) drawn while this layer is chosen
    overlays: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def legend(self) -> Legend:
        """The layer's classes and title in both languages."""

    @abstractmethod
    def load(self, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
        """Compute the layer for every village in ``scope`` in ``period`` (an
        :class:`~layers.epiweek.EpiWeek` for a weekly layer, a year for a yearly one,
        None for a snapshot)."""

    def aggregation(self) -> Aggregation:
        """How the village values roll up to regions (:mod:`layers.aggregate`).

        The default, the median class, suits any ordinal legend; a layer with a natural
        numerator (cases, people) or a yes/no class overrides it with a
        :class:`~layers.aggregate.Rate` or a :class:`~layers.aggregate.Share`.
        """
        from layers.aggregate import MedianClass  # layers.aggregate imports this module

        return MedianClass()

    def periods(self, session: Session, scope: Scope) -> list[Period]:
        """The periods holding data for ``scope``, newest first (a snapshot: none).

        Weekly and yearly layers override this; the page offers exactly these.
        """
        return []

    def no_periods_text(self) -> Text:
        """Shown over the map when a weekly or yearly layer has no period with data."""
        return Text("Belum ada data untuk lapisan ini.", "No data for this layer yet.")

    @classmethod
    def options(cls) -> tuple[OptionField, ...]:
        """The fields offered on the page, in declaration order."""
        return tuple(
            OptionField(f.name, f.metadata["option"], f.default)
            for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            if "option" in f.metadata
        )

    def config(self) -> dict[str, Any]:
        """The JSON-safe config that recreates this layer via :func:`from_config`."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return {"type": self.type, **{k: _jsonable(v) for k, v in values.items()}}


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, tuple | list) else value


REGISTRY: dict[str, type[Layer]] = {}


def register(cls: type[Layer]) -> type[Layer]:
    """Class decorator: make a layer available under its ``type``."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} must be a dataclass (its fields are its options)")
    if cls.type in REGISTRY and REGISTRY[cls.type] is not cls:
        raise ValueError(f"layer type {cls.type!r} registered twice")
    if cls.period_kind not in PERIOD_KINDS:
        raise ValueError(f"{cls.__name__}: unknown period kind {cls.period_kind!r}")
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} needs a default")
        json.dumps(_jsonable(f.default), allow_nan=False)  # no inf/NaN: not JSON
    REGISTRY[cls.type] = cls
    return cls


def unregister(kind: str) -> None:
    """Remove a layer type (tests that register a throwaway layer)."""
    REGISTRY.pop(kind, None)


def from_config(config: object) -> Layer:
    """Build a layer from ``{"type": ..., **options}``.

    Offered options are validated (:meth:`Option.validate`), other fields must keep the
    type of their default (a JSON list becomes the tuple it was). Unknown types, unknown
    fields or wrong values raise :class:`ValueError`.
    """
    if not isinstance(config, dict):
        raise ValueError(f"a layer config is a mapping, not {type(config).__name__}")
    options = dict(config)
    kind = options.pop("type", None)
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise ValueError(f"unknown layer type {kind!r}; known: {sorted(REGISTRY)}")
    cls = REGISTRY[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(options) - set(fields))
    if unknown:
        raise ValueError(f"layer {kind!r} has no option {unknown}")
    clean = {}
    for name, value in options.items():
        f = fields[name]
        spec = f.metadata.get("option")
        clean[name] = spec.validate(value, f.default) if spec else _like(value, f.default, name)
    return cls(**clean)


def _like(value: Any, default: Any, name: str) -> Any:
    """``value`` as the type of ``default``: a tuple from a JSON list of the same length,
    an int where a float is expected."""
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or len(value) != len(default):
            raise ValueError(f"{name}: expected a list of {len(default)}, got {value!r}")
        return tuple(_like(v, default[0], name) for v in value) if default else tuple(value)
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ValueError(f"{name}: expected {type(default).__name__}, got {value!r}")
        return value
    if isinstance(default, float) and isinstance(value, int | float):
        return float(value)
    if isinstance(default, int) and isinstance(value, int):
        return value
    if isinstance(default, str) and isinstance(value, str):
        return value
    raise ValueError(f"{name}: expected {type(default).__name__}, got {value!r}")
