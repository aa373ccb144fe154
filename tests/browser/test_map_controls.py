"""The map's controls under real use at 1366×768: the point overlays switch off and on
without a console error and are not fetched while off; a layer option given a value it
cannot take keeps its default and says so while the other options still apply; a layer
with many options still fits the map in the window (issue 10's new-user trial)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.pages import peta_points
from tests.browser.mapdriver import choose, open_map, wait_values_applied

pytestmark = pytest.mark.browser
POSYANDU_MARKERS = ".leaflet-titik-pane path.pws-titik-posyandu"


def test_point_overlays_switch_without_errors_and_off_means_not_fetched(
        page: Page, live_app) -> None:  # fmt: skip
    fetched: list[str] = []
    page.on("request", lambda r: "/geo/titik/" in r.url and fetched.append(r.url))
    open_map(page, live_app.url, 250)
    expect(page.locator(POSYANDU_MARKERS).first).to_be_attached()
    assert any(u.endswith("/posyandu.geojson") for u in fetched)
    switch = page.get_by_label("Posyandu", exact=True)
    switch.uncheck()
    expect(page.locator(POSYANDU_MARKERS)).to_have_count(0)
    fetched.clear()
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", "Pustu per desa")  # another layer, another period control
    wait_values_applied(page, stamp)
    assert not any(u.endswith("/posyandu.geojson") for u in fetched), fetched
    switch.check()
    expect(page.locator(POSYANDU_MARKERS).first).to_be_attached()
    assert any(u.endswith("/posyandu.geojson") for u in fetched)
    page.get_by_label("Puskesmas & Pustu", exact=True).uncheck()
    expect(page.locator(".leaflet-titik-pane path.pws-titik-puskesmas")).to_have_count(0)


def test_a_value_an_option_cannot_take_is_said_and_the_rest_applies(page: Page,
                                                                    live_app) -> None:  # fmt: skip
    open_map(page, live_app.url, 250)
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", "Kompetensi kader")
    stamp = wait_values_applied(page, stamp)
    norm = page.locator('input[id*="norma"]')
    norm.fill("0")
    norm.press("Enter")
    warning = page.locator(".pws-option-warning")
    # the browser sends nothing for a number outside the box's min–max
    expect(warning).to_have_text("Norma kader per posyandu: nilai – tidak dipakai (kosong atau "
                                 "di luar 1–20); dipakai 5.")
    dropdown = page.locator('[id*="tampilan"]').first
    dropdown.click()
    page.get_by_role("option", name="Jumlah keterampilan yang belum dimiliki").click()
    stamp = wait_values_applied(page, stamp)
    expect(page.locator("#legend h4")).to_have_text(
        "Keterampilan yang tidak dimiliki kader aktif mana pun")
    expect(warning).to_be_visible()  # the bad value is still there, still said
    norm.fill("")
    norm.press("Enter")
    expect(warning).to_contain_text("nilai – tidak dipakai (kosong atau di luar 1–20)")
    norm.fill("6")
    norm.press("Enter")
    expect(warning).to_have_count(0)


def test_a_layer_with_many_options_still_fits_the_window(page: Page, live_app) -> None:
    open_map(page, live_app.url, 250)
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", "Kompetensi kader")
    wait_values_applied(page, stamp)
    sizes = page.evaluate("""() => ({
        page: document.scrollingElement.scrollHeight,
        map: document.querySelector('.pws-map').getBoundingClientRect().bottom,
        leaflet: document.querySelector('.pws-map').clientHeight,
        pane: window.pws.leafletMap().getSize().y})""")
    assert sizes["page"] <= 768 and sizes["map"] <= 768, sizes
    assert sizes["pane"] == sizes["leaflet"], sizes  # Leaflet was told the map's new size
    expect(page.locator(".pws-legend-summary")).to_be_in_viewport()
    # the diarrhoea scan folds away on a layer without weeks: the layer's own tool shows
    expect(page.locator("#scan-section")).not_to_have_attribute("open", "")
    expect(page.locator("#kader-section summary")).to_be_in_viewport()


def test_many_points_draw_on_a_canvas_with_their_colours_and_tooltips(
        page: Page, live_app, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # the demo's 200-odd Puskesmas and Pustu count as "many" here (Jawa Timur has 5,963)
    monkeypatch.setattr(peta_points, "SVG_POINTS_UP_TO", 100)
    open_map(page, live_app.url, 250)
    page.wait_for_function("() => document.querySelector('.leaflet-titik-pane canvas')")
    expect(page.locator(".leaflet-titik-pane path.pws-titik-puskesmas")).to_have_count(0)
    page.get_by_label("Posyandu", exact=True).uncheck()  # its points would cover some
    page.wait_for_function("() => !document.querySelector('.leaflet-titik-pane path')"
                           " && window.pws.levelsIdle()")
    page.wait_for_timeout(300)  # the canvas redraws on the next frame
    # a Puskesmas on screen: its page position and the pixel its canvas shows there
    found = page.evaluate("""() => {
        const map = window.pws.leafletMap(), box = map.getContainer().getBoundingClientRect();
        const canvas = document.querySelector('.leaflet-titik-pane canvas');
        const c = canvas.getBoundingClientRect(), ctx = canvas.getContext('2d');
        const out = [];
        map.eachLayer(l => {
            const cls = ' ' + l.options.className + ' ';
            if (!(l instanceof L.CircleMarker) || !cls.includes(' pws-titik-puskesmas ')) return;
            const p = map.latLngToContainerPoint(l.getLatLng());
            const x = box.left + p.x, y = box.top + p.y;
            if (x < c.left + 10 || y < c.top + 10 || x > c.right - 300 || y > c.bottom - 10) {
                return;  // off the map, or under the legend
            }
            const k = canvas.width / c.width;
            const px = ctx.getImageData(Math.round((x - c.left) * k), Math.round((y - c.top) * k),
                                        1, 1).data;
            out.push({x, y, name: l.feature.properties.n, rgb: [px[0], px[1], px[2]]});
        });
        return out;
    }""")
    assert found, "no Puskesmas marker on screen"
    puskesmas_red = (0xB2, 0x18, 0x2B)
    red = [f for f in found
           if max(abs(a - b) for a, b in zip(f["rgb"], puskesmas_red, strict=True)) <= 40]
    # most show their red (a neighbouring Pustu's blue can lie over one)
    assert len(red) >= 0.8 * len(found), found
    first = red[0]
    page.mouse.move(first["x"], first["y"])
    expect(page.locator(".leaflet-tooltip.pws-tooltip")).to_contain_text(first["name"])
