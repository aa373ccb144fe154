"""The drill-down of a scope too large to draw at once (issue 12): provinces, then
kabupaten, then the villages of the kabupaten in view, each coloured as the layer
aggregates; a week change recolours without fetching geometry.

The demo district stands in for the nation: ``PWS_MAP_MAX_VILLAGES`` below its 250
villages makes the map drill down exactly as it does for the 74,840 villages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from dashboard import map_geometry
from layers import aggregate, base, catalog  # noqa: F401 - registers every layer
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import engine as store_engine
from tests.browser.mapdriver import VILLAGE_PATHS, choose, fill_colors, wait_values_applied

WEEK = "2025-W50"  # the planted outbreak: some villages alert
REGION = ".leaflet-overlay-pane path.pws-wilayah-{}"


@pytest.fixture()
def drill(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PWS_MAP_MAX_VILLAGES", "100")


def _expected(database_url: str, week: str) -> tuple[dict[str, str], dict[str, str]]:
    """Village and kabupaten/province colours of the alert layer, recomputed here."""
    layer = base.from_config({"type": "peringatan"})
    engine = store_engine.make_engine(database_url)
    with Session(engine) as session:
        result = layer.load(session, Scope.everything(), EpiWeek.parse(week), "id")
    engine.dispose()
    legend = result.legend
    villages = {k: legend.color_of(c) for k, c in
                zip(result.table["kode_desa"], result.table["klass"], strict=True)}  # fmt: skip
    regions = {}
    table = result.table
    for level in ("prov", "kab"):
        parents = aggregate.parent_codes(table["kode_desa"], level)
        for code in set(parents):
            rows = table[parents == code]
            known = rows[rows["klass"] >= 0]
            share = (known["klass"] == 0).mean()  # class 0: alert
            klass = 0 if share == 0 else 1 + sum(share >= b for b in aggregate.SHARE_BOUNDS[1:])
            regions[code] = aggregate.SHARE_COLORS[klass]
    return villages, regions


def _zoom(page: Page, zoom: float) -> None:
    page.evaluate("(z) => window.pws.levelState.map.setZoom(z, {animate: false})", zoom)


def _region_fills(page: Page, level: str) -> dict[str, str]:
    return page.evaluate(
        """(lvl) => Object.fromEntries(Object.entries(window.pws.layers)
              .filter(([k, l]) => l.feature.properties.lvl === lvl && l._path
                      && l._path.isConnected)
              .map(([k, l]) => [k, l._path.getAttribute('fill')]))""", level)


def test_drill_down_provinces_kabupaten_villages(page: Page, live_app, drill) -> None:
    villages, regions = _expected(live_app.database_url, WEEK)
    geometry: list[str] = []
    page.on("request", lambda r: "/geo/" in r.url and geometry.append(r.url))
    page.goto(f"{live_app.url}/?layer=peringatan&period={WEEK}")
    page.wait_for_function("() => window.pws && window.pws.current && window.pws.levelState.map")
    assert page.evaluate("window.pws.geo.mode") == "wilayah"

    # country zoom: the province, coloured by its share of alerting villages
    _zoom(page, map_geometry.KAB_ZOOM - 1)
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 1",
                           arg=REGION.format("prov"))  # fmt: skip
    assert page.locator(VILLAGE_PATHS).count() == 0
    assert _region_fills(page, "prov") == {"99": regions["99"]}
    legend = page.locator("#legend .pws-legend-wilayah h4")
    expect(legend).to_be_visible()
    expect(legend).to_have_text("Persentase desa dengan peringatan")
    expect(page.locator("#legend .pws-legend-desa")).to_be_hidden()

    # kabupaten zoom: the kabupaten replace the province
    _zoom(page, map_geometry.KAB_ZOOM + 0.5)
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 1",
                           arg=REGION.format("kab"))  # fmt: skip
    expect(page.locator(REGION.format("prov"))).to_have_count(0)
    assert _region_fills(page, "kab") == {"99.01": regions["99.01"]}

    # village zoom: the kabupaten's villages, in the layer's village colours
    _zoom(page, map_geometry.DESA_ZOOM + 2)
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length === n",
                           arg=[VILLAGE_PATHS, len(villages)])  # fmt: skip
    expect(page.locator(REGION.format("kab"))).to_have_count(0)
    expect(page.locator("#legend .pws-legend-desa h4")).to_be_visible()
    assert fill_colors(page) == villages
    assert any("/desa-" in u and u.endswith("/99.01.json") for u in geometry)

    # a week change recolours the drawn villages; no geometry travels
    stamp = page.evaluate("window.pws.current.stamp")
    geometry.clear()
    choose(page, "period", "2025-W51")
    wait_values_applied(page, stamp)
    after, _ = _expected(live_app.database_url, "2025-W51")
    page.wait_for_function("() => true")
    assert fill_colors(page) == after
    assert after != villages
    assert geometry == [], f"a week change fetched geometry: {geometry}"


def test_drill_down_in_english(page: Page, live_app, drill) -> None:
    page.goto(f"{live_app.url}/?lang=en&layer=pustu")
    page.wait_for_function("() => window.pws && window.pws.current && window.pws.levelState.map")
    _zoom(page, map_geometry.KAB_ZOOM - 1)
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 1",
                           arg=REGION.format("prov"))  # fmt: skip
    expect(page.locator("#legend .pws-legend-wilayah h4")).to_have_text(
        "Share of villages without an active Pustu")
    # hover the province: the centre of its polygon on the screen
    x, y = page.evaluate("""() => {
        const r = window.pws.layers['99']._path.getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height / 2]; }""")
    page.mouse.move(x, y)
    tip = page.locator(".pws-tooltip")
    expect(tip).to_contain_text("villages without an active Pustu")
    expect(tip).not_to_contain_text("desa")
    # the Pustu points belong to the village zoom: their pane is not displayed over regions
    display = "() => getComputedStyle(document.querySelector('.leaflet-titik-pane')).display"
    assert page.evaluate(display) == "none"
    _zoom(page, map_geometry.DESA_ZOOM + 2)
    page.wait_for_function(f"() => ({display})() !== 'none'")
    expect(page.locator("path.pws-titik").first).to_be_visible()
