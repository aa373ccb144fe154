"""Real village boundaries (../shared/data) loaded into the store and drawn in the browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dashboard import testing
from layers.demo import generate_demo
from tests.browser.mapdriver import VILLAGE_PATHS, fill_colors, open_map

pytestmark = pytest.mark.browser

BOUNDARIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "boundaries"
FILES = [
    "desa_3510_banyuwangi.geojson",
    "desa_1906_belitung_timur.geojson",
    "kaltim/desa_6409_penajam_paser_utara.geojson",
]


@pytest.mark.parametrize("name", FILES, ids=lambda n: Path(n).stem)
def test_real_district_is_drawn(name: str, page: Page, tmp_path: Path) -> None:
    source = BOUNDARIES / name
    features = json.loads(source.read_text(encoding="utf-8"))["features"]
    codes = {f["properties"]["kode_desa"] for f in features}
    folder = tmp_path / "data"
    generate_demo(folder, boundaries=source, first_week="2025-W48", last_week="2025-W53")
    db = testing.loaded_database(folder, tmp_path / "pws.sqlite")

    with testing.serve(db) as url:
        open_map(page, url, len(codes))
        colors = fill_colors(page)
        assert set(colors) == codes
        assert "#eeeeee" not in colors.values(), "some villages were never coloured"
        kab_name = features[0]["properties"]["nama_kec"]
        page.click("#kec")
        expect(page.get_by_role("option", name=kab_name).first).to_be_visible()
        assert page.locator(VILLAGE_PATHS).count() == len(codes)
        # Leave the page before this test's server stops: a request still in flight (the
        # dropdown's callback, a finer geometry chunk) would fail and log a console error.
        page.goto("about:blank")
