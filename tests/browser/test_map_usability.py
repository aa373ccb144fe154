"""What a district official at a 1366×768 laptop sees and does on the map (issue 8 items
10–13, 15, 16): the legend leaves the villages visible and folds away, the view survives a
language switch, facility markers answer a click, the open village is marked and its panel
closes, the week picker is searchable, and a scan stopped by a new week says so."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
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


@pytest.fixture(scope="module")
def demo(live_app) -> dict:
    engine = store_engine.make_engine(live_app.database_url)
    with Session(engine) as session:
        villages = queries.village_table(session, Scope.everything())
        facilities = queries.facilities(session, Scope.everything())
        kec = queries.regions(session, Scope.everything(), "kec")
    engine.dispose()
    return {"villages": villages, "facilities": facilities, "kec": kec}


def _box(page: Page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_legend_leaves_every_village_visible_and_folds(page: Page, live_app) -> None:
    open_map(page, live_app.url, 250)
    page.wait_for_timeout(500)  # the map settles on its bounds
    legend = _box(page, "#legend-box")
    hidden = page.evaluate(
        """(lg) => Object.values(window.pws.layers).filter(l => {
              const b = l._path.getBoundingClientRect();
              return b.right > lg.x && b.left < lg.x + lg.width
                  && b.bottom > lg.y && b.top < lg.y + lg.height; }).length""",
        legend,
    )
    assert hidden == 0, f"{hidden} villages lie under the legend"
    expect(page.locator("#legend")).to_contain_text("Pustu (rencana)")  # faded markers
    page.click("#legend-box summary")
    expect(page.locator("#legend")).to_be_hidden()
    assert _box(page, "#legend-box")["height"] < 40
    page.click("#legend-box summary")
    expect(page.locator("#legend")).to_be_visible()


def test_language_switch_keeps_the_view(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, 250)
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", "Peringatan mingguan")
    stamp = wait_values_applied(page, stamp)
    choose(page, "period", "2025-W50")
    stamp = wait_values_applied(page, stamp)
    kec = demo["kec"].sort_values("kode").iloc[8]  # 99.01.09, the planted outbreak
    choose(page, "kec", kec["nama"])
    stamp = wait_values_applied(page, stamp)
    before = fill_colors(page)
    kode, x, y = village_at_map_centre(page)
    page.mouse.click(x, y)
    expect(page.locator("#panel-code")).to_have_text(kode)
    page.wait_for_function(f"() => location.search.includes('desa={kode}')")

    switch_language(page, 250, "en")
    assert page.evaluate("window.pws.current.stamp").startswith(
        f"peringatan|2025-W50|{kec['kode']}|en|")
    expect(page.locator("#layer")).to_contain_text("Weekly alerts")
    expect(page.locator("#period")).to_contain_text("2025-W50")
    expect(page.locator("#kec")).to_contain_text(kec["nama"])
    expect(page.locator("#panel-code")).to_have_text(kode)
    expect(page.locator(".pws-controls")).to_contain_text("Epidemiological week")
    assert fill_colors(page) == before
    # a copied link reproduces the view too
    other = page.context.new_page()
    other.goto(page.url)
    other.wait_for_function("() => window.pws && window.pws.current"
                            " && window.pws.current.stamp.startsWith('peringatan|2025-W50')")
    expect(other.locator("#panel-code")).to_have_text(kode)
    other.close()


def test_crafted_view_in_the_url_falls_back_safely(page: Page, live_app) -> None:
    open_map(page, f"{live_app.url}/?layer=nope&period=2099-W99&kec=98.01&desa=99'--"
                   "&opt_penyakit=campak", 250)
    stamp = page.evaluate("window.pws.current.stamp")
    assert stamp.startswith("insidens|2025-W53||id|")
    expect(page.locator("#panel")).to_contain_text("Klik sebuah desa")


def test_facility_click_shows_details_and_village_tooltips_stay_on_top(
    page: Page, live_app, demo
) -> None:
    open_map(page, live_app.url, 250)
    z = page.evaluate("""() => ['.leaflet-titik-pane', '.leaflet-tooltip-pane'].map(
                           s => getComputedStyle(document.querySelector(s)).zIndex)""")
    assert int(z[0]) < int(z[1]), z
    marker = page.locator(".leaflet-titik-pane path.pws-titik-puskesmas").first
    marker.dispatch_event("click")  # a posyandu may lie over it; the click is the marker's
    popup = page.locator(".leaflet-popup.pws-popup")
    expect(popup).to_be_visible()
    names = set(demo["facilities"].loc[demo["facilities"]["jenis"] == "puskesmas", "nama"])
    text = popup.inner_text()
    assert any(n in text for n in names), text
    assert "Puskesmas" in text and "Perawat" in text and "Bidan" in text


def test_open_village_is_marked_and_its_panel_closes(page: Page, live_app) -> None:
    open_map(page, live_app.url, 250)
    kode, x, y = village_at_map_centre(page)
    page.mouse.click(x, y)
    expect(page.locator("#panel-code")).to_have_text(kode)
    stroke = f"window.pws.layers['{kode}']._path.getAttribute('stroke')"
    page.wait_for_function(f"() => {stroke} === '#000000'")
    expect(page.locator("#panel-close")).to_be_visible()
    # the panel is scrolled into view in the side area; the page itself does not move
    page.wait_for_timeout(800)
    assert page.evaluate("window.scrollY") == 0
    expect(page.locator("#panel-name")).to_be_in_viewport()
    expect(page.locator(".pws-header")).to_be_in_viewport()
    page.click("#panel-close")
    expect(page.locator("#panel")).to_contain_text("Klik sebuah desa")
    page.wait_for_function(f"() => {stroke} !== '#000000'")
    expect(page.locator("#panel-close")).to_be_hidden()
    assert "desa=" not in page.url


def test_week_picker_searches_and_count_follows_the_filter(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, 250)
    expect(page.locator("#village-count")).to_have_text("250 desa/kelurahan")
    page.click("#period")
    # the week picker's options (checklists elsewhere on the page have options too)
    options = page.get_by_role("option").filter(has_text="Minggu ")
    expect(options.first).to_contain_text("2025-W53")  # newest first
    assert options.count() >= 8  # more than a handful visible at once
    search = page.get_by_placeholder("Cari")  # the dropdown's own texts are Indonesian too
    search.fill("2024-W10")
    expect(options.first).to_contain_text("2024-W10")  # the best match first, few others
    assert options.count() <= 3
    stamp = page.evaluate("window.pws.current.stamp")
    options.first.click()
    wait_values_applied(page, stamp)
    kec = demo["kec"].sort_values("kode").iloc[0]
    n = int((demo["villages"]["kode_kec"] == kec["kode"]).sum())
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "kec", kec["nama"])
    wait_values_applied(page, stamp)
    expect(page.locator("#village-count")).to_have_text(f"{n} desa/kelurahan")
    assert page.locator(VILLAGE_PATHS).count() == 250  # the others are faded, not removed


def test_a_new_week_during_a_scan_says_the_scan_stopped(page: Page, live_app) -> None:
    open_map(page, live_app.url, 250)
    page.click("#scan-run")
    # each stage says what it is doing (reading, starting the engine, replications)
    expect(page.locator("#scan-progress-label")).to_contain_text(
        re.compile(r"Membaca data kasus 52 minggu|Menyiapkan pemindaian 250 desa|Replikasi \d+"))
    choose(page, "period", "2025-W40")
    expect(page.locator("#scan-cancelled")).to_contain_text("minggu atau kecamatan diubah")
    expect(page.locator("#scan-run")).to_be_enabled()
