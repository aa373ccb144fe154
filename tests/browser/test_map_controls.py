"""The map's controls under real use at 1366×768: the point overlays switch off and on
without a console error and are not fetched while off; a layer option given a value it
cannot take keeps its default and says so while the other options still apply; a layer
with many options still fits the map in the window (issue 10's new-user trial); a scope
with many kecamatan finds them by typing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.i18n import t
from dashboard.pages import peta_kecamatan
from tests.browser.mapdriver import choose, open_map, wait_values_applied
from tests.test_peta_kecamatan import demo_kecamatan

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



@pytest.mark.parametrize("lang", ["id", "en"])
def test_many_kecamatan_are_found_by_typing_a_name(
        page: Page, live_app, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    # a province has hundreds of kecamatan, the nation thousands: listed in full, the
    # dropdown's own index of them took the page 0.9 s before the map could draw
    table = demo_kecamatan(live_app.database_url)
    monkeypatch.setattr(peta_kecamatan, "LISTED_MAX", 3)
    monkeypatch.setattr(peta_kecamatan, "SEARCH_RESULTS", 4)
    open_map(page, f"{live_app.url}/?lang={lang}", 250)
    page.click("#kec")
    menu = page.locator(f"[id='{page.get_attribute('#kec', 'aria-controls')}']")
    options = menu.get_by_role("option")
    expect(options).to_have_count(5)
    more = t("filter.kecamatan.more", lang, n=len(table) - 4)
    expect(options.last).to_have_text(more)
    other = t("filter.kecamatan.more", "en" if lang == "id" else "id", n=len(table) - 4)
    assert other not in page.inner_text("body")
    # the last kecamatan is not among the first four: typing its name finds it, with its
    # kabupaten (names repeat across a province)
    target = table.iloc[-1]
    page.locator(".dash-dropdown-search input, input.dash-dropdown-search").first.fill(
        target["nama"])
    option = menu.get_by_role("option", name=f"{target['nama']} — {target['kab']}")
    expect(option).to_be_visible()
    stamp = page.evaluate("window.pws.current.stamp")
    option.click()
    stamp = wait_values_applied(page, stamp)
    assert f"|{target['kode']}|" in stamp
    expect(page.locator("#kec")).to_contain_text(target["nama"])
