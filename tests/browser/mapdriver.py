"""Helpers that read the map as a person sees it (shared by the browser tests)."""

from __future__ import annotations

from playwright.sync_api import Page

VILLAGE_PATHS = ".leaflet-overlay-pane path.pws-desa"


def open_map(page: Page, url: str, expected_villages: int) -> None:
    """Open the map and wait until every village polygon is drawn and coloured, and the
    geometry the view needs has arrived (the finer chunks of the zoom, pws_levels.js)."""
    page.goto(url)
    wait_map_drawn(page, expected_villages)


def wait_map_drawn(page: Page, expected_villages: int, lang: str | None = None) -> None:
    """Wait until the page's map has drawn every village polygon, applied its values (in
    ``lang`` when given) and fetched the geometry its view needs."""
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n",
        arg=[VILLAGE_PATHS, expected_villages],
        timeout=60_000,
    )
    page.wait_for_function(
        "(lang) => window.pws && window.pws.current"
        " && (!lang || window.pws.current.stamp.includes('|' + lang + '|'))",
        arg=lang,
        timeout=30_000,
    )
    wait_values_applied(page)
    page.wait_for_function("() => window.pws.levelsIdle()", timeout=60_000)


def switch_language(page: Page, expected_villages: int, lang: str) -> None:
    """Click the language link and wait for the new page's map, coloured in ``lang``:
    the values can arrive before the polygons are drawn (on a busy machine)."""
    page.click("#lang-switch")
    wait_map_drawn(page, expected_villages, lang)


def wait_values_applied(page: Page, previous_stamp: str | None = None) -> str:
    """Wait until the browser applied a (new) set of layer values, and Dash's values
    callback answered for them too (a new week is painted before: its legend summary and
    link come with that answer, ``pws.confirmed``); return its stamp."""
    page.wait_for_function(
        "(prev) => window.pws && window.pws.current && window.pws.current.stamp !== prev"
        " && window.pws.confirmed === window.pws.current.stamp"
        " && document.querySelectorAll('.leaflet-overlay-pane path.pws-desa').length > 0",
        arg=previous_stamp,
        timeout=30_000,
    )
    return page.evaluate("window.pws.current.stamp")


def fill_colors(page: Page) -> dict[str, str]:
    """{kode: fill colour} of every drawn village polygon."""
    return page.evaluate(
        """() => Object.fromEntries(Object.entries(window.pws.layers)
              .filter(([k, l]) => l._path && l._path.isConnected)
              .map(([k, l]) => [k, l._path.getAttribute('fill')]))"""
    )


def village_at_map_centre(page: Page) -> tuple[str, float, float]:
    """The village polygon under a point near the map centre: (kode, x, y) in page pixels."""
    return tuple(page.evaluate(
        """() => {
            const box = document.querySelector('#map').getBoundingClientRect();
            for (let dy = 0; dy < 200; dy += 7) {
              const x = box.left + box.width / 2, y = box.top + box.height / 2 + dy;
              const el = document.elementFromPoint(x, y);
              for (const [k, l] of Object.entries(window.pws.layers)) {
                if (l._path === el) return [k, x, y];
              }
            }
            return null;
        }"""
    ))


def choose(page: Page, dropdown_id: str, option_text: str) -> None:
    """Pick an option in a dcc.Dropdown by its visible text, typing it into the menu's
    search box first (long lists are virtualised: far options are not in the page)."""
    page.click(f"#{dropdown_id}")
    search = page.locator(".dash-dropdown-search input, input.dash-dropdown-search")
    if search.count():
        search.first.fill(option_text)
    page.get_by_role("option", name=option_text).first.click()


def click_village(page: Page, kode: str) -> None:
    """Click a point that lies on the village's own polygon."""
    point = page.evaluate(
        """(kode) => { const p = window.pws.layers[kode]._path, r = p.getBoundingClientRect();
            for (let fy = 0.5, i = 0; i < 9; i++, fy = 0.1 + i * 0.1)
              for (let fx = 0.1; fx < 0.95; fx += 0.1) {
                const x = r.left + r.width * fx, y = r.top + r.height * fy;
                if (document.elementFromPoint(x, y) === p) return [x, y];
              }
            return null; }""",
        kode,
    )
    assert point, f"no visible point of {kode}"
    page.mouse.click(*point)
