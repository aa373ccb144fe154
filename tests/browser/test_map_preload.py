"""The map's first geometry is fetched once, by the index page's preload, and the map is
drawn from it (dashboard/preload.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.mapdriver import open_map

pytestmark = pytest.mark.browser


def test_first_geometry_comes_from_the_preload(page: Page, live_app) -> None:
    requested: list[str] = []
    page.on("request", lambda r: "/geo/" in r.url and requested.append(r.url))
    open_map(page, live_app.url, 250)
    for name in ("/desa-rendah.geobuf", "/kecamatan.geobuf"):
        # one request, the preload's: the map's own fetch was served from it
        assert len([u for u in requested if u.endswith(name)]) == 1, requested
        entries = page.evaluate(
            "(n) => performance.getEntriesByType('resource')"
            ".filter(e => e.name.endsWith(n)).map(e => e.initiatorType)", name)
        assert entries == ["link"], (name, entries)
