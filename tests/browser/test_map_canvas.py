"""A scope of many villages draws them on a canvas (``peta.CANVAS_ABOVE_VILLAGES``; Jawa
Timur's 8,494 open and repaint faster so): the same colours as the SVG paths a district
gets, the same tooltip and panel, the facility points still SVG paths above them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dashboard.pages import peta
from tests.browser.mapdriver import VILLAGE_PATHS, open_map, wait_values_applied

pytestmark = pytest.mark.browser

#: a grid of points over the map (left of the legend): [kode, x, y, fill] of the village
#: path each lands on, away from its borders (SVG only: elementFromPoint finds the path)
SVG_SAMPLES_JS = """() => {
    const box = document.querySelector('#map').getBoundingClientRect(), out = [];
    const byPath = new Map(Object.entries(window.pws.layers).map(([k, l]) => [l._path, k]));
    for (let fy = 0.15; fy < 0.9; fy += 0.035)
        for (let fx = 0.1; fx < 0.7; fx += 0.025) {
            const x = Math.round(box.left + box.width * fx);
            const y = Math.round(box.top + box.height * fy);
            const el = document.elementFromPoint(x, y), k = byPath.get(el);
            // inside a village, 4 px from any border (a border mixes two fills and a stroke)
            const inside = [[-4, 0], [4, 0], [0, -4], [0, 4]].every(
                ([dx, dy]) => document.elementFromPoint(x + dx, y + dy) === el);
            if (k && inside) out.push([k, x, y, el.getAttribute('fill')]);
        }
    return out; }"""
#: the colour the villages' canvas shows at page points [[x, y], ...]
CANVAS_PIXELS_JS = """(points) => {
    const canvas = document.querySelector('.leaflet-overlay-pane canvas');
    const c = canvas.getBoundingClientRect(), k = canvas.width / c.width;
    const ctx = canvas.getContext('2d');
    return points.map(([x, y]) => {
        const d = ctx.getImageData(Math.round((x - c.left) * k), Math.round((y - c.top) * k),
                                   1, 1).data;
        return [d[0], d[1], d[2]];
    }); }"""


def _rgb(color: str) -> tuple[int, ...]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))


def _nearest(rgb: list[int], palette: list[str]) -> str:
    return min(palette, key=lambda c: sum((a - b) ** 2 for a, b in zip(rgb, _rgb(c),
                                                                       strict=True)))  # fmt: skip


def test_many_villages_draw_on_a_canvas_in_the_colours_of_the_svg_map(
        page: Page, live_app, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    open_map(page, live_app.url, 250)  # 250 villages: SVG paths
    samples = page.evaluate(SVG_SAMPLES_JS)
    palette = page.evaluate("[...window.pws.current.colors, window.pws.current.no_data]")
    assert len(samples) >= 30 and len({s[3] for s in samples}) >= 2, samples

    monkeypatch.setattr(peta, "CANVAS_ABOVE_VILLAGES", 100)  # the demo counts as many now
    page.goto(live_app.url)
    wait_values_applied_on_canvas(page, 250)
    assert page.locator(VILLAGE_PATHS).count() == 0
    # the points stay SVG paths above the canvas (a canvas there would take its events)
    expect(page.locator(".leaflet-titik-pane path.pws-titik-puskesmas").first).to_be_attached()
    pixels = page.evaluate(CANVAS_PIXELS_JS, [[x, y] for _, x, y, _ in samples])
    shown = list(zip(samples, pixels, strict=True))
    same = [s for s, rgb in shown if _nearest(rgb, palette) == s[3]]
    # the same class colour under each point (a marker can cover one on the SVG map)
    assert len(same) >= 0.95 * len(samples), [(s, rgb) for s, rgb in shown if s not in same]

    # a village on the canvas still shows its tooltip and opens its panel
    kode, x, y, _ = same[len(same) // 2]
    name = page.evaluate("(k) => window.pws.layers[k].feature.properties.nama", kode)
    page.mouse.move(x, y)
    expect(page.locator(".leaflet-tooltip.pws-tooltip")).to_contain_text(name)
    page.mouse.click(x, y)
    expect(page.locator("#panel-code")).to_have_text(kode)


def test_a_new_week_repaints_the_canvas_in_its_classes(
        page: Page, live_app, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    open_map(page, live_app.url, 250)
    samples = page.evaluate(SVG_SAMPLES_JS)  # interior points of villages, on SVG
    monkeypatch.setattr(peta, "CANVAS_ABOVE_VILLAGES", 100)
    page.goto(live_app.url)
    wait_values_applied_on_canvas(page, 250)
    palette = page.evaluate("[...window.pws.current.colors, window.pws.current.no_data]")
    before = page.evaluate("window.pws.current.stamp")
    weeks = page.evaluate("window.pws.fast.periods")
    page.click("#period")
    page.get_by_role("option").nth(5).click()  # not one fetched ahead: from the route
    page.wait_for_function("(prev) => window.pws.current.stamp !== prev"
                           " && window.pws.confirmed === window.pws.current.stamp",
                           arg=before)  # fmt: skip
    assert page.evaluate("window.pws.current.stamp").split("|")[1] == weeks[5]
    page.wait_for_timeout(300)  # the canvas paints on the next frame
    # each point shows the class this week's values give its village
    expected = page.evaluate(
        """(codes) => codes.map(k => {
            const cur = window.pws.current;
            const c = cur.k.charAt(window.pws.layers[k].feature.properties.i);
            return c === '-' ? cur.no_data : cur.colors[parseInt(c, 36)]; })""",
        [s[0] for s in samples])  # fmt: skip
    pixels = page.evaluate(CANVAS_PIXELS_JS, [[x, y] for _, x, y, _ in samples])
    same = [e for e, rgb in zip(expected, pixels, strict=True) if _nearest(rgb, palette) == e]
    assert len(same) >= 0.95 * len(samples)
    # and the week changed the colours of some of them (else this proves nothing)
    assert sum(e != s[3] for e, s in zip(expected, samples, strict=True)) >= 5


def wait_values_applied_on_canvas(page: Page, n: int) -> None:
    """Every village layer on the map and the values applied (no paths to count)."""
    page.wait_for_function(
        "(n) => window.pws && window.pws.current && window.pws.levelsIdle()"
        " && document.querySelector('.leaflet-overlay-pane canvas')"
        " && Object.values(window.pws.layers).filter(l => l._map).length === n",
        arg=n, timeout=60_000)  # fmt: skip
    page.wait_for_timeout(300)  # the canvas paints on the next frame


def test_the_renderer_can_be_forced_either_way(page: Page, live_app) -> None:
    page.goto(f"{live_app.url}/?render=canvas")
    wait_values_applied_on_canvas(page, 250)
    assert page.locator(VILLAGE_PATHS).count() == 0
    assert "render=canvas" in page.url  # the view kept in the URL keeps it
    open_map(page, f"{live_app.url}/?render=svg", 250)
    wait_values_applied(page)
