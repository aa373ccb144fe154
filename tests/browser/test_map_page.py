"""The map page in a real browser: what a district official sees and does."""

from __future__ import annotations

import json
import re

import geobuf
import pytest
from playwright.sync_api import Page, Request, expect
from sqlalchemy.orm import Session

from dashboard.testing import NEAR_FETCHED_JS
from layers import base
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from tests.browser.mapdriver import (
    VILLAGE_PATHS,
    choose,
    fill_colors,
    open_map,
    village_at_map_centre,
    wait_values_applied,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(live_app):
    """Facts about the demo read from the database, to check the page against."""
    engine = store_engine.make_engine(live_app.database_url)
    with Session(engine) as session:
        villages = queries.village_table(session, Scope.everything())
        weeks = queries.available_weeks(session, Scope.everything(), "diare_akut")
        facilities = queries.facilities(session, Scope.everything())
        kec = queries.regions(session, Scope.everything(), "kec")
    engine.dispose()
    return {"villages": villages, "weeks": weeks, "facilities": facilities, "kec": kec}


def test_map_draws_every_village_markers_and_legend(page: Page, live_app, demo) -> None:
    n = len(demo["villages"])
    open_map(page, live_app.url, n)
    assert page.locator(VILLAGE_PATHS).count() == n

    # one marker per facility, in the facility pane above the polygons
    fac = demo["facilities"]
    for jenis in ("puskesmas", "pustu", "posyandu"):
        markers = page.locator(f".leaflet-titik-pane path.pws-titik-{jenis}, "
                               f".leaflet-titik-pane path.pws-titik-{jenis}-rencana")
        expect(markers).to_have_count(int((fac["jenis"] == jenis).sum()))
    # kecamatan outlines drawn
    expect(page.locator(".leaflet-kecamatan-pane path")).to_have_count(len(demo["kec"]))

    legend = page.locator("#legend")
    expect(legend).to_contain_text("Diare akut")
    expect(legend).to_contain_text("0 kasus")
    expect(legend).to_contain_text("Puskesmas")

    # every polygon is painted with a legend colour, and more than one class shows
    legend_colors = set(page.evaluate("window.pws.current.colors"))
    legend_colors.add(page.evaluate("window.pws.current.no_data"))
    colors = fill_colors(page)
    assert len(colors) == n
    assert set(colors.values()) <= legend_colors
    assert len(set(colors.values())) >= 3


def test_colours_match_the_layer_for_the_week(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    week = EpiWeek(*demo["weeks"][-1])
    engine = store_engine.make_engine(live_app.database_url)
    with Session(engine) as session:
        result = base.from_config({"type": "insidens"}).load(session, Scope.everything(), week)
    engine.dispose()
    expected = {
        k: result.legend.color_of(int(c))
        for k, c in zip(result.table["kode_desa"], result.table["klass"], strict=True)
    }
    assert fill_colors(page) == expected


def test_hover_shows_tooltip_and_click_opens_panel(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    kode, x, y = village_at_map_centre(page)
    row = demo["villages"].set_index("kode").loc[kode]

    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip.pws-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(row["nama"])
    expect(tooltip).to_contain_text(row["nama_kec"])
    expect(tooltip).to_contain_text("kasus")

    page.mouse.click(x, y)
    expect(page.locator("#panel-name")).to_have_text(row["nama"])
    expect(page.locator("#panel-code")).to_have_text(kode)
    # the weekly series chart is drawn with one bar per reported week
    expect(page.locator("#panel-diare-chart .bars path").first).to_be_visible()
    bars = page.locator("#panel-diare-chart .bars path").count()
    assert bars == len(demo["weeks"])


def test_language_toggle_switches_ui_strings(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    expect(page.locator(".pws-controls")).to_contain_text("Minggu epidemiologi")
    page.click("#lang-switch")
    expect(page.locator(".pws-controls")).to_contain_text("Epidemiological week")
    expect(page.locator(".pws-header")).to_contain_text("Local area monitoring")
    expect(page.locator("#legend")).to_contain_text("Acute diarrhoea")
    expect(page.locator("#legend")).to_contain_text("0 cases")
    assert "lang=en" in page.url
    page.click("#lang-switch")
    expect(page.locator(".pws-controls")).to_contain_text("Minggu epidemiologi")


def test_changing_week_sends_values_not_geometry(page: Page, live_app, demo) -> None:
    requests: list[Request] = []
    page.on("request", lambda r: requests.append(r))
    open_map(page, live_app.url, len(demo["villages"]))
    geometry_requests = [r for r in requests if "/geo/" in r.url]
    assert any("desa-" in r.url for r in geometry_requests)
    before = fill_colors(page)
    stamp = page.evaluate("window.pws.current.stamp")
    requests.clear()

    older = EpiWeek(*demo["weeks"][-3])
    responses = []
    page.on("response", lambda r: "_dash-update" in r.url and responses.append(r))
    choose(page, "period", str(older))
    new_stamp = wait_values_applied(page, stamp)
    assert str(older) in new_stamp

    assert not [r for r in requests if "/geo/" in r.url], "geometry was fetched again"
    bodies = [r.body() for r in responses]
    values_payloads = [b for b in bodies if b"layer-values" in b]
    assert values_payloads, "no values update seen"
    for body in values_payloads:
        assert b"coordinates" not in body
        payload = json.loads(body)
        data = payload["response"]["layer-values"]["data"]
        # one class character per village; no tooltip text travels with the week
        assert len(data["k"]) == len(demo["villages"])
        assert set(data["k"]) <= set("0123456789-")
        assert "kasus" not in json.dumps(data) and data["agg"] is None
    after = fill_colors(page)
    assert after.keys() == before.keys()
    assert after != before, "the map did not recolour"
    # the same polygons were restyled, not rebuilt
    assert page.locator(VILLAGE_PATHS).count() == len(demo["villages"])


#: in the page, in order: each Dash callback request (its outputs) and each set of values
#: applied (its stamp), with where the values came from
ORDER_JS = """() => {
    const log = window.__order = [];
    const fetch0 = window.fetch;
    window.fetch = function (url, opts) {
        if (String(url).includes('_dash-update-component')) {
            log.push('dash ' + JSON.parse(opts.body).output);
        } else if (String(url).includes('/nilai/values.json')) {
            log.push('route ' + new URL(url, location.href).searchParams.get('period'));
        }
        return fetch0.apply(this, arguments);
    };
    const apply0 = window.pws.applyValues;
    window.pws.applyValues = function (data, fromDash) {
        log.push((fromDash ? 'dash-applied ' : 'applied ') + data.stamp.split('|')[1]);
        return apply0.apply(window.pws, arguments);
    };
}"""

def test_a_new_week_is_painted_before_dash_answers(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    page.wait_for_function(NEAR_FETCHED_JS)
    weeks = page.evaluate("window.pws.fast.periods")
    page.evaluate(ORDER_JS)
    # the week next to the one shown: fetched ahead, painted with no request at all
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "period", weeks[1])
    stamp = wait_values_applied(page, stamp)
    order = page.evaluate("window.__order")
    dash = [e for e in order if e.startswith("dash ")]
    assert order[0] == f"applied {weeks[1]}", order
    assert len(dash) == 1 and "layer-values.data" in dash[0], order  # no scan request
    assert order.index(dash[0]) > 0 and f"dash-applied {weeks[1]}" in order
    assert not [e for e in order if e.startswith("route ")], order
    # its summary and download link come with Dash's answer, after the colours
    expect(page.locator("#legend-summary")).to_contain_text(weeks[1])
    expect(page.locator("#map-download")).to_have_attribute("href", re.compile(weeks[1]))

    # a week further away: asked of the values route, painted, then Dash asked
    page.evaluate("window.__order.length = 0")
    choose(page, "period", weeks[7])
    wait_values_applied(page, stamp)
    order = page.evaluate("window.__order")
    dash_at = [i for i, e in enumerate(order) if e.startswith("dash ")]
    assert len(dash_at) == 1, order  # (the weeks around the first are fetched ahead meanwhile)
    assert order.index(f"route {weeks[7]}") < order.index(f"applied {weeks[7]}") < dash_at[0]
    expect(page.locator("#legend-summary")).to_contain_text(weeks[7])


def test_weeks_chosen_quickly_end_on_the_last(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    page.wait_for_function(NEAR_FETCHED_JS)
    weeks = page.evaluate("window.pws.fast.periods")
    # the first week's answer from the values route arrives after the second week's
    page.evaluate("""(slow) => { const fetch0 = window.fetch;
        window.fetch = (url, opts) => String(url).includes('period=' + slow)
            ? new Promise(done => setTimeout(() => done(fetch0(url, opts)), 700))
            : fetch0(url, opts); }""", weeks[9])
    for week in (weeks[9], weeks[1]):  # a far one (asked of the route), a near one (kept)
        choose(page, "period", week)
    page.wait_for_timeout(2500)  # every answer is in
    assert page.evaluate("window.pws.current.stamp").split("|")[1] == weeks[1]
    assert page.evaluate("window.pws.confirmed").split("|")[1] == weeks[1]
    expect(page.locator("#period")).to_contain_text(weeks[1])
    expect(page.locator("#legend-summary")).to_contain_text(weeks[1])


def test_kecamatan_filter_fades_villages_outside(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    stamp = page.evaluate("window.pws.current.stamp")
    kec = demo["kec"].iloc[0]
    choose(page, "kec", kec["nama"])
    wait_values_applied(page, stamp)
    inside = set(demo["villages"].loc[demo["villages"]["kode_kec"] == kec["kode"], "kode"])
    colors = fill_colors(page)
    faded = {k for k, c in colors.items() if c == "#f4f4f4"}
    assert faded == set(colors) - inside


def _rings(geometry: dict) -> list:
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" \
        else geometry["coordinates"]  # fmt: skip
    return [ring for polygon in polygons for ring in polygon]


#: [kode, vertices] of each kecamatan outline drawn (Leaflet drops each ring's closing one)
KEC_OUTLINES_JS = """() => { const out = [];
    const count = (x) => Array.isArray(x) ? x.reduce((n, y) => n + count(y), 0) : 1;
    window.pws.leafletMap().eachLayer(l => {
        if (l.options && l.options.pane === 'kecamatan' && l.getLatLngs && l._path
                && l._path.isConnected) {
            out.push([l.feature.properties.kode, count(l.getLatLngs())]);
        }
    });
    return out; }"""


def test_kecamatan_outlines_are_refined_with_the_villages(page: Page, live_app, demo) -> None:
    asked: list[str] = []
    page.on("request", lambda r: "/kecamatan" in r.url and asked.append(r.url))
    open_map(page, live_app.url, len(demo["villages"]))  # opens at the finer detail's zoom
    assert [u.rsplit("/", 1)[1] for u in asked] == ["kecamatan.geobuf", "kecamatan-sedang.json"]
    finer = page.request.get(asked[1]).json()["features"]
    first = geobuf.decode(page.request.get(asked[0]).body())["features"]
    drawn = page.evaluate(KEC_OUTLINES_JS)
    # every kecamatan drawn once, with the finer outline (not the first one besides it)
    assert sorted(k for k, _ in drawn) == sorted(demo["kec"]["kode"])
    assert sorted(k for k, _ in drawn) == sorted(f["properties"]["kode"] for f in finer)
    first_vertices = sum(len(ring) - 1 for f in first for ring in _rings(f["geometry"]))
    finer_vertices = sum(len(ring) - 1 for f in finer for ring in _rings(f["geometry"]))
    assert finer_vertices > first_vertices
    assert sum(n for _, n in drawn) == finer_vertices
    expect(page.locator(".leaflet-kecamatan-pane path")).to_have_count(len(drawn))
    # zooming out and in again fetches nothing more
    page.evaluate("window.pws.leafletMap().setZoom(9)")
    page.wait_for_function("() => window.pws.leafletMap().getZoom() === 9"
                           " && window.pws.levelsIdle()")
    page.evaluate("window.pws.leafletMap().setZoom(11)")
    page.wait_for_function("() => window.pws.leafletMap().getZoom() === 11"
                           " && window.pws.levelsIdle()")
    assert len(asked) == 2
    assert sorted(page.evaluate(KEC_OUTLINES_JS)) == sorted(drawn)
