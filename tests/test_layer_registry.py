"""Every registered layer, overlay and panel section is documented and speaks both
languages (datasette-style); layer configs survive JSON; options are validated."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from layers import (
    base,
    catalog,  # noqa: F401 - registers every map layer, overlay and section
    overlays,
    panel,
)
from layers.text import Text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "layers.md"


def _docs() -> str:
    return DOCS.read_text(encoding="utf-8")


def documented_types() -> set[str]:
    return set(re.findall(r"^## `([a-z_]+)`", _docs(), re.MULTILINE))


def _bilingual(text: Text, what: str) -> None:
    assert text.id.strip() and text.en.strip(), what
    assert text.id != text.en, f"{what}: untranslated {text.id!r}"


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_is_documented(kind: str) -> None:
    assert kind in documented_types(), f"layer {kind!r} has no section in docs/layers.md"


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_strings_exist_in_both_languages(kind: str) -> None:
    cls = base.REGISTRY[kind]
    layer = cls()
    for text in (cls.title, cls.description):
        _bilingual(text, kind)
    legend = layer.legend()
    assert legend.title.id and legend.title.en
    for entry in [*legend.classes, legend.no_data]:
        assert entry.label.id.strip() and entry.label.en.strip()
        assert re.fullmatch(r"#[0-9a-f]{6}", entry.color)
    if cls.period_kind != base.SNAPSHOT:
        _bilingual(layer.no_periods_text(), f"{kind} no_periods_text")
    for opt in cls.options():
        _bilingual(opt.spec.label, f"{kind}.{opt.name}")
        for choice in opt.spec.choice_list():
            assert choice.label.id.strip() and choice.label.en.strip()


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_config_survives_a_json_round_trip(kind: str) -> None:
    layer = base.REGISTRY[kind]()
    assert dataclasses.is_dataclass(layer)
    config = layer.config()
    text = json.dumps(config, allow_nan=False)  # strict JSON: no inf, no NaN, no tuples
    assert json.loads(text) == config
    assert base.from_config(json.loads(text)) == layer
    assert base.from_config(json.loads(text)).config() == config


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_options_are_documented_with_their_defaults(kind: str) -> None:
    cls = base.REGISTRY[kind]
    section = _docs().split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
    for f in dataclasses.fields(cls):
        assert f"| `{f.name}` |" in section, f"{kind}: option {f.name} not in its docs table"
    for opt in cls.options():
        # every offered option accepts its own default, and every offered choice
        assert base.from_config({"type": kind, opt.name: opt.default}) == cls()
        for choice in opt.spec.choice_list():
            layer = base.from_config({"type": kind, opt.name: choice.value})
            assert getattr(layer, opt.name) == choice.value


def test_docs_name_no_unregistered_layer() -> None:
    assert documented_types() <= set(base.REGISTRY)


@pytest.mark.parametrize("overlay_id", sorted(overlays.OVERLAYS))
def test_overlays_are_documented_and_bilingual(overlay_id: str) -> None:
    overlay = overlays.OVERLAYS[overlay_id]
    assert f"### Overlay `{overlay_id}`" in _docs()
    assert overlay.title.id.strip() and overlay.title.en.strip()
    assert overlay.classes
    for point in overlay.classes:
        _bilingual(point.label, f"{overlay_id} class")
        assert re.fullmatch(r"#[0-9a-f]{6}", point.color)
    for _, label in overlay.details:
        _bilingual(label, f"{overlay_id} detail")


@pytest.mark.parametrize("section_id", sorted(panel.SECTIONS))
def test_panel_sections_are_documented_and_bilingual(section_id: str) -> None:
    section = panel.SECTIONS[section_id]
    assert f"### Panel section `{section_id}`" in _docs()
    _bilingual(section.title, section_id)


def test_layers_name_only_registered_overlays() -> None:
    for kind, cls in base.REGISTRY.items():
        assert set(cls.overlays) <= set(overlays.OVERLAYS), kind


def test_unknown_type_and_option_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown layer type"):
        base.from_config({"type": "tidak_ada"})
    with pytest.raises(ValueError, match="no option"):
        base.from_config({"type": "insidens", "bogus": 1})
    with pytest.raises(ValueError, match="mapping"):
        base.from_config(["insidens"])


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"type": "insidens", "penyakit": "diare akuut"}, "not one of the choices"),
        ({"type": "insidens", "penyakit": ["diare_akut"]}, "not one of the choices"),
        ({"type": "titik_panas", "fdr": "yes"}, "true or false"),
        ({"type": "titik_panas", "fdr": 1}, "true or false"),
        ({"type": "titik_panas", "permutations": 1000}, "not one of the choices"),
        ({"type": "titik_panas", "permutations": "999"}, "not one of the choices"),
        ({"type": "insidens", "bounds": [0, 1]}, "list of 4"),
        ({"type": "insidens", "bounds": "0,1,2,3"}, "list of 4"),
        ({"type": "insidens", "per": "1000"}, "expected int"),
        ({"type": "insidens", "per": True}, "expected int"),
    ],
)
def test_crafted_option_values_are_refused(config: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        base.from_config(config)


@dataclass(frozen=True)
class _Numbered(base.Layer):
    """A throwaway layer with a bounded number option and a flag (registered only while
    its test runs: a layer registered at import would show on every map of the session)."""

    type: ClassVar[str] = "_uji_angka"
    title: ClassVar[Text] = Text("Uji", "Test")
    description: ClassVar[Text] = Text("Uji", "Test")
    period_kind: ClassVar[base.PeriodKind] = base.SNAPSHOT

    jarak_km: float = base.option(5.0, Text("Jarak (km)", "Distance (km)"), minimum=0.5,
                                  maximum=50)  # fmt: skip
    jumlah: int = base.option(3, Text("Jumlah", "Count"), minimum=1, maximum=10)
    semua: bool = base.option(False, Text("Semua", "All"))

    def legend(self) -> base.Legend:
        return base.Legend(Text("Uji", "Test"), ())

    def load(self, session, scope, period, lang="id"):  # noqa: ANN001, ANN201
        raise AssertionError("not loaded here")


def test_number_options_are_bounded_and_typed() -> None:
    base.register(_Numbered)
    try:
        assert base.from_config({"type": "_uji_angka", "jarak_km": 2}).jarak_km == 2.0
        assert base.from_config({"type": "_uji_angka", "jumlah": 4.0}).jumlah == 4
        for bad in (0.1, 51, float("inf"), float("nan"), "5", None, True):
            with pytest.raises(ValueError):
                base.from_config({"type": "_uji_angka", "jarak_km": bad})
        with pytest.raises(ValueError, match="whole number"):
            base.from_config({"type": "_uji_angka", "jumlah": 2.5})
        kinds = {o.name: o.spec.kind for o in _Numbered.options()}
        assert kinds == {"jarak_km": "number", "jumlah": "number", "semua": "flag"}
        assert _Numbered.periods(_Numbered(), None, None) == []  # type: ignore[arg-type]
    finally:
        base.unregister("_uji_angka")


def test_register_refuses_what_json_cannot_carry() -> None:
    with pytest.raises(ValueError):
        @base.register
        @dataclass(frozen=True)
        class _Inf(_Numbered):
            type: ClassVar[str] = "_uji_inf"
            bounds: tuple[float, ...] = (0.0, float("inf"))
    assert "_uji_inf" not in base.REGISTRY


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [("weekly", "2025-W10", "2025-W10"), ("yearly", "2025", 2025), ("snapshot", "x", None)],
)
def test_periods_parse_and_print(kind: base.PeriodKind, text: str, expected: object) -> None:
    period = base.parse_period(kind, text)
    assert str(period) == str(expected) if expected is not None else period is None
    assert base.period_text(period) == (None if expected is None else text)


@pytest.mark.parametrize(("kind", "text"), [("weekly", "2025"), ("weekly", None),
                                             ("yearly", "2025-W10"), ("yearly", 2025),
                                             ("yearly", "20255")])  # fmt: skip
def test_bad_periods_are_refused(kind: base.PeriodKind, text: object) -> None:
    with pytest.raises(ValueError):
        base.parse_period(kind, text)


def test_collecting_the_tests_registers_no_throwaway_layer() -> None:
    # every registered layer comes from layers/ (a test's own layer would show on the map
    # pages of every other test in the session)
    assert all(cls.__module__.startswith("layers.") for cls in base.REGISTRY.values())


@pytest.mark.parametrize("kind", sorted(base.REGISTRY))
def test_layer_aggregation_is_documented(kind: str) -> None:
    section = _docs().split(f"## `{kind}`", 1)[1].split("\n## ", 1)[0]
    name = type(base.REGISTRY[kind]().aggregation()).__name__
    assert f"**Aggregated** (`{name}`)" in section, \
        f"{kind}: its aggregation ({name}) is not said in docs/layers.md"
