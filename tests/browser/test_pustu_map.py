"""The Pustu gap map and its planning tool in the browser (issue 9): villages coloured by
class, the distance option changes the access figures, a click in planning mode adds a
planned Pustu and the coverage shown moves as the planner computes it, and the village
panel has its Pustu section."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from layers import base
from layers.pustu import plan_state
from layers.scope import Scope
from layers.store import engine as store_engine
from tests.browser.mapdriver import (
    choose,
    click_village,
    fill_colors,
    open_map,
    wait_values_applied,
)

pytestmark = pytest.mark.browser


def _open_pustu(page: Page, url: str) -> str:
    open_map(page, url, 250)
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", base.REGISTRY["pustu"].title.id)
    return wait_values_applied(page, stamp)


def test_gap_map_colours_villages_by_class(page: Page, live_app) -> None:
    _open_pustu(page, live_app.url)
    engine = store_engine.make_engine(live_app.database_url)
    with Session(engine) as session:
        result = base.from_config({"type": "pustu"}).load(session, Scope.everything(), None)
    engine.dispose()
    expected = {k: result.legend.color_of(int(c))
                for k, c in zip(result.table["kode_desa"], result.table["klass"], strict=True)}
    assert fill_colors(page) == expected
    assert len(set(expected.values())) >= 3  # several classes in the demo
    expect(page.locator("#period-wrap")).to_be_hidden()  # a snapshot: no period control
    expect(page.locator("#legend")).to_contain_text("garis lurus")
    expect(page.locator("#plan-section")).to_be_visible()
    # the Puskesmas option changes what the Puskesmas-only class means, in the legend and
    # in the summary's coverage
    legend = page.locator("#legend")
    expect(legend).to_contain_text("(dihitung terlayani)")
    stamp = page.evaluate("window.pws.current.stamp")
    page.locator(".pws-option .pws-flag input").first.click()
    wait_values_applied(page, stamp)
    expect(legend).to_contain_text("(tetap dihitung menuju target)")


def test_distance_option_and_what_if_click_update_the_coverage(page: Page, live_app) -> None:
    stamp = _open_pustu(page, live_app.url)
    distance = page.locator(".pws-option input[type=number]").first
    distance.fill("2")
    distance.press("Enter")
    wait_values_applied(page, stamp)
    coverage = page.locator("#plan-coverage")
    expect(coverage).to_contain_text("%")
    engine = store_engine.make_engine(live_app.database_url)
    with Session(engine) as session:
        data = plan_state.cached_planning_data(session, Scope.everything(), 2.0, True)
        before = plan_state.step(data, [])
        best = before.next_sites[0][0]
        after = plan_state.step(data, [], best)
    engine.dispose()
    shown = float(re.sub(r"[^\d,]", "", coverage.inner_text()).replace(",", "."))
    assert shown == pytest.approx(before.coverage_pct, abs=0.05)

    page.click("#plan-mode input")
    click_village(page, best)
    expect(page.locator("#plan-note")).to_contain_text(best)
    expect(page.locator("#plan-count")).to_have_text("1")
    shown = float(re.sub(r"[^\d,]", "", coverage.inner_text()).replace(",", "."))
    assert shown == pytest.approx(after.coverage_pct, abs=0.05)
    page.wait_for_function(f"() => window.pws.outlines.rencana"
                           f" && window.pws.outlines.rencana.villages['{best}']")
    expect(page.locator("#legend-rencana")).to_be_visible()
    # the village panel has the Pustu section
    expect(page.locator("#panel-section-pustu")).to_be_visible()


def test_suggest_states_the_gap_save_compare_and_download(page: Page, live_app) -> None:
    stamp = _open_pustu(page, live_app.url)
    distance = page.locator(".pws-option input[type=number]").first
    distance.fill("2")
    distance.press("Enter")
    wait_values_applied(page, stamp)
    page.fill("#plan-n", "3")
    page.click("#plan-suggest")
    note = page.locator("#plan-note")
    expect(note).to_contain_text("Usulan greedy")
    expect(note).to_contain_text("selisih paling besar")
    expect(page.locator("#plan-count")).to_have_text("3")
    # saved by name, listed, compared on today's data
    page.fill("#plan-name", "Usulan uji")
    page.click("#plan-save")
    expect(page.locator("#plan-save-msg")).to_contain_text("disimpan")
    table = page.locator("#plan-compare-table")
    expect(table).to_contain_text("Usulan uji")
    page.click("#plan-clear")
    expect(page.locator("#plan-count")).to_have_text("0")
    choose(page, "plan-saved", "Usulan uji")
    page.click("#plan-load")
    expect(page.locator("#plan-count")).to_have_text("3")
    with page.expect_download() as download:
        page.click("#plan-download-ranking")
    assert download.value.suggested_filename == "peringkat_pustu.xlsx"
    with page.expect_download() as download:
        page.click("#plan-download-plan")
    assert download.value.suggested_filename == "rencana_pustu.xlsx"
