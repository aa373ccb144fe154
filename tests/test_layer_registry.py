"""Every registered layer is documented and speaks both languages (datasette-style)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from layers import (
    base,
    catalog,  # noqa: F401 - registers every map layer
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "layers.md"


def documented_types() -> set[str]:
    return set(re.findall(r"^## `([a-z_]+)`", DOCS.read_text(encoding="utf-8"), re.MULTILINE))


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_is_documented(kind: str) -> None:
    assert kind in documented_types(), f"layer {kind!r} has no section in docs/layers.md"


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_strings_exist_in_both_languages(kind: str) -> None:
    cls = base.REGISTRY[kind]
    layer = cls()
    for text in (cls.title, cls.description):
        assert text.id.strip() and text.en.strip()
        assert text.id != text.en, f"{kind}: untranslated {text.id!r}"
    legend = layer.legend()
    assert legend.title.id and legend.title.en
    for entry in [*legend.classes, legend.no_data]:
        assert entry.label.id.strip() and entry.label.en.strip()
        assert re.fullmatch(r"#[0-9a-f]{6}", entry.color)


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_config_round_trips(kind: str) -> None:
    layer = base.REGISTRY[kind]()
    assert dataclasses.is_dataclass(layer)
    assert base.from_config(layer.config()) == layer


def test_docs_name_no_unregistered_layer() -> None:
    assert documented_types() <= set(base.REGISTRY)


def test_unknown_type_and_option_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown layer type"):
        base.from_config({"type": "tidak_ada"})
    with pytest.raises(TypeError):
        base.from_config({"type": "insidens", "bogus": 1})
