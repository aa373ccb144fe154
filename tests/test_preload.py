"""The index page preloads the map page's first geometry: the very URLs the map fetches,
only on the map page, and never at the cost of the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from dashboard import preload
from dashboard.app import create_app
from dashboard.testing import component_props, loaded_database, page_layout
from layers.scope import Scope

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
LINK = re.compile(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous">')


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO, tmp_path_factory.mktemp("preload") / "demo.sqlite")


def _layout_urls(client: FlaskClient, search: str = "") -> list[str]:
    """The first village geometry and the kecamatan outlines the map page's layout names."""
    layout = page_layout(client, search)
    return [component_props(layout, "desa")["url"], component_props(layout, "kecamatan")["url"]]


@pytest.mark.parametrize("scope", [None, Scope.of(["99.01.01"])], ids=["all", "kecamatan"])
def test_the_map_page_preloads_what_its_map_fetches(database: str, scope: Scope | None) -> None:
    client = create_app(database, scope).server.test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert LINK.findall(response.get_data(as_text=True)) == _layout_urls(client)
    # a variant of the geometry asked in the URL is the one preloaded
    raw = LINK.findall(client.get("/?detail=asli&format=geojson").get_data(as_text=True))
    assert raw == _layout_urls(client, "?detail=asli&format=geojson")
    assert raw[0].endswith("/desa-asli.geojson")


def test_other_pages_preload_nothing(database: str) -> None:
    client = create_app(database).server.test_client()
    for path in ("/impor", "/presentasi/dek"):
        response = client.get(path)
        assert response.status_code == 200 and 'rel="preload"' not in response.get_data(
            as_text=True)


def test_a_failing_preload_leaves_the_page_whole(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    def broken(search: str) -> list[str]:
        raise RuntimeError("database gone")

    monkeypatch.setattr(preload, "first_geometry", broken)
    response = create_app(database).server.test_client().get("/")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "_dash-config" in text and 'rel="preload"' not in text
