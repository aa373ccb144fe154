"""The Layer interface v2 in the browser: a throwaway snapshot layer, registered by this
test only, shows up on the map page without any edit of the page.

It is listed, its option control appears, changing the option recolours the map, its
village panel section shows, and it draws on a database that holds boundaries only (no
case data at all), where the weekly layers say they have no data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from dashboard import testing
from layers import base, panel
from layers.ingest import run as ingest_run
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from layers.text import Text
from tests.browser.mapdriver import (
    VILLAGE_PATHS,
    choose,
    fill_colors,
    open_map,
    switch_language,
    village_at_map_centre,
    wait_values_applied,
)

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[2] / "data" / "geo" / "demo_9901"
LOW, HIGH = "#1b9e77", "#d95f02"


@dataclass(frozen=True)
class DigitLayer(base.Layer):
    """Villages whose code ends in a digit below ``batas`` are LOW, the others HIGH."""

    type: ClassVar[str] = "uji_digit"
    title: ClassVar[Text] = Text("Uji digit kode", "Code digit test")
    description: ClassVar[Text] = Text("Lapisan uji.", "A test layer.")
    period_kind: ClassVar[base.PeriodKind] = base.SNAPSHOT

    batas: int = base.option(5, Text("Batas digit", "Digit limit"), minimum=0, maximum=10)

    def legend(self) -> base.Legend:
        return base.Legend(Text("Digit terakhir", "Last digit"), (
            base.LegendClass(LOW, Text("di bawah batas", "below the limit")),
            base.LegendClass(HIGH, Text("batas atau lebih", "limit or more")),
        ))  # fmt: skip

    def load(self, session: Session, scope: Scope, period: base.Period,
             lang: str = "id") -> base.LayerResult:  # fmt: skip
        assert period is None  # a snapshot is never given a period
        kode = queries.village_table(session, scope)["kode"]
        digit = kode.str[-1].astype(int)
        klass = (digit >= self.batas).astype(int)
        table = pd.DataFrame({"kode_desa": kode, "value": digit.astype(float), "klass": klass,
                              "label": [f"digit {d}" for d in digit]})  # fmt: skip
        return base.LayerResult(table, self.legend(), Text("uji", "test"))


class DigitSection(panel.PanelSection):
    id: ClassVar[str] = "uji_digit"
    title: ClassVar[Text] = Text("Bagian uji", "Test section")
    order: ClassVar[int] = 1

    def blocks(self, session: Session, village: Scope, kode: str, period: base.Period,
               lang: str) -> list[panel.Block]:  # fmt: skip
        return [panel.Facts(((Text("Digit terakhir", "Last digit")(lang), kode[-1]),))]


@pytest.fixture
def digit_layer() -> Iterator[None]:
    base.register(DigitLayer)
    panel.register(DigitSection)
    try:
        yield
    finally:
        base.unregister(DigitLayer.type)
        panel.unregister(DigitSection.id)


@pytest.fixture(scope="module")
def boundaries_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app on a database holding the demo's village boundaries and nothing else."""
    url = f"sqlite:///{tmp_path_factory.mktemp('batas') / 'pws.sqlite'}"
    engine = store_engine.make_engine(url)
    store_engine.upgrade(engine)
    report = ingest_run.run_import(engine, "batas", DEMO / "desa.geojson", user="uji",
                                   scope=Scope.everything())
    assert report.ok, report.problems[:3]
    with Session(engine) as session:
        assert queries.available_weeks(session, Scope.everything(), "diare_akut") == []
        assert len(queries.village_table(session, Scope.everything())) == 250
    engine.dispose()
    with testing.serve(url) as served:
        yield served


def test_a_registered_snapshot_layer_is_drawn_without_editing_the_page(
    page: Page, live_app, digit_layer: None
) -> None:
    open_map(page, live_app.url, 250)
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", DigitLayer.title.id)
    stamp = wait_values_applied(page, stamp)
    assert stamp.startswith("uji_digit|")
    # a snapshot layer has no period control; its option control is there, with its label
    expect(page.locator("#period-wrap")).to_be_hidden()
    option = page.locator(".pws-option")
    expect(option).to_contain_text("Batas digit")
    expect(page.locator("#legend")).to_contain_text("batas atau lebih")

    colors = fill_colors(page)
    assert len(colors) == 250
    expected = {k: LOW if int(k[-1]) < 5 else HIGH for k in colors}
    assert colors == expected

    # a new option value recolours the same polygons: every code ends in a digit >= 0
    option.locator("input").fill("0")
    option.locator("input").press("Enter")
    wait_values_applied(page, stamp)
    assert set(fill_colors(page).values()) == {HIGH}
    assert page.locator(VILLAGE_PATHS).count() == 250

    # the panel shows the layer family's section before the diarrhoea one (order 1 < 10)
    kode, x, y = village_at_map_centre(page)
    page.mouse.click(x, y)
    expect(page.locator("#panel-code")).to_have_text(kode)
    section = page.locator("#panel-section-uji_digit")
    expect(section).to_contain_text("Bagian uji")
    expect(section).to_contain_text("Digit terakhir")
    expect(section.locator("dd")).to_have_text(kode[-1])
    ids = page.eval_on_selector_all(".pws-panel-section", "els => els.map(e => e.id)")
    assert ids[:2] == ["panel-section-uji_digit", "panel-section-diare"]

    # in English the same view comes back: layer, option value, open village (the URL)
    assert "layer=uji_digit" in page.url and "opt_batas=0" in page.url
    switch_language(page, 250, "en")
    expect(page.locator("#layer")).to_contain_text(DigitLayer.title.en)
    expect(page.locator(".pws-option")).to_contain_text("Digit limit")
    assert page.locator(".pws-option input").input_value() == "0"
    expect(page.locator("#legend")).to_contain_text("limit or more")
    assert set(fill_colors(page).values()) == {HIGH}
    expect(page.locator("#panel-code")).to_have_text(kode)
    expect(page.locator("#panel-section-uji_digit")).to_contain_text("Test section")
    assert "lang=en" in page.url


def test_a_database_without_case_data_opens_on_the_snapshot_layer(
    page: Page, boundaries_only: str, digit_layer: None
) -> None:
    open_map(page, boundaries_only, 250)
    # the map opens on the first registered snapshot layer: the weekly default has no data
    first = page.evaluate("window.pws.current.stamp").split("|")[0]
    assert base.REGISTRY[first].period_kind == base.SNAPSHOT
    expect(page.locator("#period-wrap")).to_be_hidden()
    stamp = page.evaluate("window.pws.current.stamp")
    if first != DigitLayer.type:
        choose(page, "layer", DigitLayer.title.id)
        wait_values_applied(page, stamp)
    assert set(fill_colors(page).values()) == {LOW, HIGH}

    # a weekly layer on it: no week to offer, every village no data, and it says why
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", "Insidens mingguan")
    wait_values_applied(page, stamp)
    no_data = page.evaluate("window.pws.current.no_data")
    assert set(fill_colors(page).values()) == {no_data}
    expect(page.locator("#legend")).to_contain_text("Belum ada data kasus diare akut")


@pytest.fixture
def weekly_layers_only() -> Iterator[None]:
    """The registry without its snapshot layers (restored afterwards)."""
    removed = {k: c for k, c in base.REGISTRY.items() if c.period_kind == base.SNAPSHOT}
    for kind in removed:
        base.unregister(kind)
    try:
        yield
    finally:
        for cls in removed.values():
            base.register(cls)


def test_without_any_snapshot_layer_the_weekly_default_says_no_data(
    page: Page, boundaries_only: str, weekly_layers_only: None
) -> None:
    open_map(page, boundaries_only, 250)
    assert page.evaluate("window.pws.current.stamp").startswith("insidens|")
    expect(page.locator("#legend")).to_contain_text("Belum ada data kasus diare akut")
    # the village panel still opens: no diarrhoea section without case data
    kode, x, y = village_at_map_centre(page)
    page.mouse.click(x, y)
    expect(page.locator("#panel-code")).to_have_text(kode)
    expect(page.locator("#panel-section-diare")).to_have_count(0)
