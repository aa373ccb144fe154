"""Facility points (``/geo/titik/...``) come from the shared cache, keyed by the store's
versions: encoded once, a revalidation answered (304) before any loading, gzip made once, a
new import a new ETag with the new points."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask.testing import FlaskClient

from dashboard import geo_routes
from dashboard.app import create_app
from layers import catalog, overlays  # noqa: F401 - catalog registers the overlays
from layers.ingest.run import run_import
from layers.scope import Scope
from layers.store.engine import make_engine
from tests.ingest.helpers import DEMO, demo_engine

EVERYTHING = Scope.everything()
URL = geo_routes.overlay_url(EVERYTHING, "fasilitas")


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    engine = demo_engine(tmp_path)
    yield engine.url.render_as_string(hide_password=False)
    engine.dispose()


@pytest.fixture
def new_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str):  # noqa: ANN201
    """A new app on the demo copy each call; its own empty cache folder each time (a cold
    cache) unless ``folder`` is given."""
    monkeypatch.delenv("PWS_REDIS_URL", raising=False)
    made = iter(range(100))

    def new(folder: Path | None = None) -> FlaskClient:
        folder = folder or tmp_path / f"cache-{next(made)}"
        monkeypatch.setenv("PWS_CACHE_DIR", str(folder))
        return create_app(db_url).server.test_client()

    return new


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every load of the facility overlay (what a cache hit and a 304 must not do)."""
    overlay = overlays.OVERLAYS["fasilitas"]
    calls: list[str] = []
    original = overlay.load

    def counted(session, scope):  # noqa: ANN001, ANN202
        calls.append(scope.key)
        return original(session, scope)

    monkeypatch.setattr(overlay, "load", counted)
    return calls


def _made(caplog: pytest.LogCaptureFixture, namespace: str) -> int:
    return sum(1 for r in caplog.records
               if r.name == "pws.cache" and r.getMessage().startswith(f"made {namespace} in "))


def test_points_are_encoded_once_and_revalidated_cheaply(
    new_client, loads: list[str], caplog: pytest.LogCaptureFixture  # noqa: ANN001
) -> None:
    caplog.set_level(logging.INFO, logger="pws.cache")
    client = new_client()
    first = client.get(URL)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"].strip('"')
    assert etag.startswith("titik-")
    assert len(json.loads(first.data)["features"]) > 10
    again = client.get(URL)
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert loads == ["all"] and _made(caplog, "titik") == 1
    not_modified = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    assert not_modified.headers["Cache-Control"] == "private, no-cache"
    assert loads == ["all"]
    # gzip: compressed once per cache entry, its own ETag, revalidated as cheaply
    zipped = client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == first.data
    assert zipped.headers["ETag"].strip('"') == f"{etag}-gz"
    client.get(URL, headers={"Accept-Encoding": "gzip"})
    assert _made(caplog, "titik.gz") == 1 and _made(caplog, "titik") == 1
    gz_304 = client.get(URL, headers={"Accept-Encoding": "gzip",
                                      "If-None-Match": zipped.headers["ETag"]})  # fmt: skip
    assert gz_304.status_code == 304 and gz_304.headers["ETag"] == zipped.headers["ETag"]
    assert loads == ["all"]


def test_another_worker_reads_the_shared_entry(new_client, loads: list[str],  # noqa: ANN001
                                               tmp_path: Path) -> None:  # fmt: skip
    shared = tmp_path / "shared"
    body = new_client(shared).get(URL).data
    assert new_client(shared).get(URL).data == body  # another app: its memory tier is empty
    assert loads == ["all"]


def test_a_revalidation_costs_no_load_even_when_cold(new_client,  # noqa: ANN001
                                                     loads: list[str]) -> None:  # fmt: skip
    etag = new_client().get(URL).headers["ETag"]
    assert loads == ["all"]
    response = new_client().get(URL, headers={"If-None-Match": etag})  # empty cache
    assert response.status_code == 304
    assert loads == ["all"]


def test_an_import_changes_the_etag_and_the_points(new_client, db_url: str,  # noqa: ANN001
                                                   tmp_path: Path) -> None:  # fmt: skip
    shared = tmp_path / "shared"
    client = new_client(shared)
    before = client.get(URL)
    posyandu = client.get(geo_routes.overlay_url(EVERYTHING, "posyandu"))
    names = [f["properties"]["n"] for f in json.loads(posyandu.data)["features"]]
    facilities = pd.read_csv(DEMO / "fasilitas.csv", dtype=str, keep_default_na=False)
    extra = facilities[facilities["jenis"] == "pustu"].head(1).assign(nama="Pustu Uji Cache")
    path = tmp_path / "tambah.csv"
    extra.to_csv(path, index=False)
    engine = make_engine(db_url)
    report = run_import(engine, "fasilitas", path, user="uji", scope=EVERYTHING)
    engine.dispose()
    assert report.ok, report
    after = client.get(URL, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    got = [f["properties"]["n"] for f in json.loads(after.data)["features"]]
    old = [f["properties"]["n"] for f in json.loads(before.data)["features"]]
    assert sorted(got) == sorted([*old, "Pustu Uji Cache"])
    assert "Pustu Uji Cache" not in names
