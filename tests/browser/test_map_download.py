"""The map page's download link (*Unduh peta (PNG)*): visible on an office laptop screen,
and its address gives the PNG of what the page shows — the layer, its options, the period
and the kecamatan filter — drawn on the server (``/peta.png``)."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from dashboard.map_image_route import DOWNLOAD
from layers import base, catalog  # noqa: F401 - registers the layers
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from tests.browser.conftest import VIEWPORT
from tests.browser.mapdriver import choose, open_map, wait_values_applied

pytestmark = pytest.mark.browser
LINK = "#map-download"


@pytest.fixture(scope="module")
def demo(live_app):
    engine = store_engine.make_engine(live_app.database_url)
    with Session(engine) as session:
        villages = queries.village_table(session, Scope.everything())
        kec = queries.regions(session, Scope.everything(), "kec")
    engine.dispose()
    return {"villages": villages, "kec": kec}


def _query(page: Page) -> tuple[str, dict[str, str]]:
    href = page.get_attribute(LINK, "href")
    assert href
    parts = urlsplit(href)
    return href, {k: v[0] for k, v in parse_qs(parts.query).items()}


def _png(page: Page, base_url: str, href: str) -> Image.Image:
    response = page.request.get(base_url + href)
    assert response.status == 200, response.text()
    assert response.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(response.body()))
    assert image.format == "PNG"
    return image.convert("RGB")


def _colors(image: Image.Image) -> set[tuple[int, int, int]]:
    return {color for _, color in image.getcolors(image.width * image.height)}


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _wait_href(page: Page, needle: str) -> None:
    page.wait_for_function(
        "([sel, s]) => (document.querySelector(sel).getAttribute('href') || '').includes(s)",
        arg=[LINK, needle])


def test_the_link_is_visible_and_gives_the_current_layer(page: Page, live_app, demo) -> None:
    open_map(page, live_app.url, len(demo["villages"]))
    link = page.locator(LINK)
    expect(link).to_be_visible()
    expect(link).to_have_text(DOWNLOAD.id)
    box = link.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0
    assert box["x"] + box["width"] <= VIEWPORT["width"]
    assert box["y"] + box["height"] <= VIEWPORT["height"]

    href, query = _query(page)
    assert href.startswith("/peta.png?")
    period = page.evaluate("window.pws.current.stamp").split("|")[1]
    assert json.loads(query["layer"])["type"] == "insidens"
    assert query["period"] == period and query["lang"] == "id"
    image = _png(page, live_app.url, href)
    assert image.size == (1600, 1000)
    legend = base.from_config(json.loads(query["layer"])).legend()
    assert {_rgb(c.color) for c in legend.classes} <= _colors(image)

    # another layer: the link follows, and its image has that layer's colours
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", "Peringatan mingguan")
    wait_values_applied(page, stamp)
    _wait_href(page, "peringatan")
    href, query = _query(page)
    config = json.loads(query["layer"])
    assert config["type"] == "peringatan" and config["penyakit"] == "diare_akut"
    image = _png(page, live_app.url, href)
    alert = base.from_config(config).legend().classes[0].color
    assert _rgb(alert) in _colors(image)


def test_the_link_follows_the_kecamatan_filter_and_language(page: Page, live_app,
                                                            demo) -> None:  # fmt: skip
    open_map(page, f"{live_app.url}/?lang=en", len(demo["villages"]))
    expect(page.locator(LINK)).to_have_text(DOWNLOAD.en)
    kec = demo["kec"].iloc[1]
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "kec", kec["nama"])
    wait_values_applied(page, stamp)
    _wait_href(page, f"region={kec['kode']}")
    href, query = _query(page)
    assert query["lang"] == "en" and query["region"] == kec["kode"]
    image = _png(page, live_app.url, href)
    assert image.size == (1600, 1000)
    svg = page.request.get(live_app.url + href.replace("/peta.png", "/peta.svg"))
    assert svg.status == 200
    assert f"{kec['nama']} ({kec['kode']})" in svg.text()
