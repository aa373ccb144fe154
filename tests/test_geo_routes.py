"""dashboard/geo_routes.py through the Flask test client, on apps over the demo district.

Expected villages and facilities come from the raw demo files, not from the store.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import geobuf
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from dashboard import geo_routes
from dashboard.app import create_app
from dashboard.testing import loaded_database
from layers import catalog, overlays  # noqa: F401 - catalog registers the overlays
from layers.scope import Scope
from layers.store import queries
from layers.store.engine import make_engine

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
KEC = "99.01.01"
EVERYTHING = Scope.everything()
RESTRICTED = Scope.of([KEC])


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO, tmp_path_factory.mktemp("geo_routes") / "demo.sqlite")


@pytest.fixture(scope="module")
def version(db_url: str) -> str:
    engine = make_engine(db_url)
    with Session(engine) as session:
        value = queries.geometry_version(session)
    engine.dispose()
    assert value != "0"
    return value


@pytest.fixture(scope="module")
def client(db_url: str) -> FlaskClient:
    return create_app(db_url).server.test_client()


@pytest.fixture(scope="module")
def restricted_client(db_url: str) -> FlaskClient:
    return create_app(db_url, RESTRICTED).server.test_client()


@pytest.fixture(scope="module")
def raw_villages() -> pd.DataFrame:
    return pd.DataFrame(gpd.read_file(DEMO / "desa.geojson").drop(columns="geometry"))


@pytest.fixture(scope="module")
def raw_facilities() -> pd.DataFrame:
    return pd.read_csv(DEMO / "fasilitas.csv", dtype={"kode_desa": str})


def _features(body: bytes) -> list[dict]:
    return geobuf.decode(body)["features"]


def test_village_geobuf_one_feature_per_village(
    client: FlaskClient, version: str, raw_villages: pd.DataFrame
) -> None:
    response = client.get(geo_routes.village_url(version, EVERYTHING))
    assert response.status_code == 200
    assert response.mimetype == "application/x-protobuf"
    assert "Content-Encoding" not in response.headers  # none asked for
    features = _features(response.data)
    assert len(features) == len(raw_villages) == 250
    got = {f["properties"]["kode"]: f["properties"] for f in features}
    assert set(got) == set(raw_villages["kode_desa"])
    for row in raw_villages.itertuples():
        assert got[row.kode_desa]["nama"] == row.nama_desa
        assert got[row.kode_desa]["kec"] == row.nama_kec
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}


def test_village_cache_headers_and_etag(client: FlaskClient, version: str) -> None:
    url = geo_routes.village_url(version, EVERYTHING)
    first = client.get(url)
    cache_control = first.headers["Cache-Control"]
    assert "immutable" in cache_control
    assert "private" in cache_control
    assert "public" not in cache_control
    etag = first.headers["ETag"]
    assert etag
    second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == etag
    # another detail level is another resource
    other = client.get(geo_routes.village_url(version, EVERYTHING, "rendah"),
                       headers={"If-None-Match": etag})  # fmt: skip
    assert other.status_code == 200
    assert other.headers["ETag"] != etag
    assert len(other.data) < len(first.data)


def test_village_gzip(client: FlaskClient, version: str) -> None:
    url = geo_routes.village_url(version, EVERYTHING)
    plain = client.get(url)
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers.get("Vary", "")
    assert len(zipped.data) < len(plain.data)
    assert gzip.decompress(zipped.data) == plain.data


@pytest.mark.parametrize(
    "mangle",
    [
        lambda v, k: f"/geo/{v}x/{k}/desa-sedang.geobuf",   # wrong version
        lambda v, k: f"/geo/0/{k}/desa-sedang.geobuf",      # version before any load
        lambda v, k: f"/geo/{v}/{k}0/desa-sedang.geobuf",   # wrong scope key
        lambda v, k: f"/geo/{v}/abcdef012345/desa-sedang.geobuf",
        lambda v, k: f"/geo/{v}/{k}/desa-ultra.geobuf",     # unknown detail
        lambda v, k: f"/geo/{v}/{k}/desa-sedang.shp",       # unknown format
        lambda v, k: f"/geo/{v}x/{k}/kecamatan.geobuf",
        lambda v, k: f"/geo/{v}/{k}0/kecamatan.geobuf",
        lambda v, k: f"/geo/{v}/{k}/kecamatan-ultra.json",  # unknown outline detail
        lambda v, k: f"/geo/{v}/{k}/kecamatan-tinggi.json",  # a detail outlines lack
        lambda v, k: f"/geo/{v}/{k}0/kecamatan-sedang.json",
        lambda v, k: f"/geo/titik/{k}0/fasilitas.geojson",
    ],
)
def test_bad_urls_are_404(client: FlaskClient, version: str, mangle) -> None:  # noqa: ANN001
    assert client.get(geo_routes.village_url(version, EVERYTHING)).status_code == 200
    response = client.get(mangle(version, EVERYTHING.key))
    assert response.status_code == 404


def test_asli_geojson_variant(
    client: FlaskClient, version: str, raw_villages: pd.DataFrame
) -> None:
    url = geo_routes.village_url(version, EVERYTHING, "asli", "geojson")
    assert url.endswith("/desa-asli.geojson")
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    collection = json.loads(response.data)
    assert collection["type"] == "FeatureCollection"
    assert sorted(f["properties"]["kode"] for f in collection["features"]) == sorted(
        raw_villages["kode_desa"]
    )
    # "asli" is unsimplified: as many vertices as the source file
    raw = gpd.read_file(DEMO / "desa.geojson")
    n_raw = int(shapely.get_num_coordinates(raw.geometry.values).sum())
    shapes = [shapely.geometry.shape(f["geometry"]) for f in collection["features"]]
    n_got = int(shapely.get_num_coordinates(shapes).sum())
    assert n_got == n_raw


def _facility_features(client: FlaskClient, scope: Scope) -> list[dict]:
    """Points of both facility overlays (Puskesmas/Pustu and Posyandu), with their kind."""
    features = []
    for overlay_id in ("fasilitas", "posyandu"):
        overlay = overlays.OVERLAYS[overlay_id]
        response = client.get(geo_routes.overlay_url(scope, overlay_id))
        assert response.status_code == 200
        assert "no-cache" in response.headers["Cache-Control"]
        part = json.loads(response.data)["features"]
        for f in part:
            f["properties"]["key"] = overlay.classes[f["properties"]["k"]].key
        assert all(f["properties"]["key"].startswith("posyandu") == (overlay_id == "posyandu")
                   for f in part)  # fmt: skip
        features += part
    return features


def test_facilities_everything(client: FlaskClient, raw_facilities: pd.DataFrame) -> None:
    features = _facility_features(client, EVERYTHING)
    assert len(features) == len(raw_facilities)
    got = Counter(f["properties"]["key"] for f in features)
    expected = Counter(j if s == "aktif" else f"{j}-rencana"
                       for j, s in zip(raw_facilities["jenis"], raw_facilities["status"],
                                       strict=True))  # fmt: skip
    assert got == expected and len(got) >= 4
    assert client.get(f"/geo/titik/{EVERYTHING.key}/semua.geojson").status_code == 404
    response = client.get(geo_routes.overlay_url(EVERYTHING, "fasilitas"))
    again = client.get(geo_routes.overlay_url(EVERYTHING, "fasilitas"),
                       headers={"If-None-Match": response.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304


def test_kecamatan_everything(client: FlaskClient, version: str,
                              raw_villages: pd.DataFrame) -> None:  # fmt: skip
    response = client.get(geo_routes.kecamatan_url(version, EVERYTHING))
    assert response.status_code == 200
    codes = sorted(f["properties"]["kode"] for f in _features(response.data))
    assert codes == sorted(raw_villages["kode_kec"].unique())


def test_kecamatan_outlines_at_each_detail_cover_the_same_kecamatan(
        client: FlaskClient, version: str) -> None:  # fmt: skip
    first = client.get(geo_routes.kecamatan_url(version, EVERYTHING))
    finer = client.get(geo_routes.kecamatan_url(version, EVERYTHING, "sedang"))
    assert finer.status_code == 200 and finer.mimetype == "application/geo+json"
    assert "immutable" in finer.headers["Cache-Control"]
    coarse, fine = _features(first.data), json.loads(finer.data)["features"]
    assert sorted(f["properties"]["kode"] for f in fine) == \
        sorted(f["properties"]["kode"] for f in coarse)  # fmt: skip
    # the finer outlines keep more of each boundary's vertices
    coarse_shapes = shapely.from_geojson([json.dumps(f["geometry"]) for f in coarse])
    fine_shapes = shapely.from_geojson([json.dumps(f["geometry"]) for f in fine])
    assert shapely.get_num_coordinates(fine_shapes).sum() > \
        shapely.get_num_coordinates(coarse_shapes).sum()  # fmt: skip


# ------------------------------------------------------------------- restricted scope


def test_restricted_villages(
    restricted_client: FlaskClient, version: str, raw_villages: pd.DataFrame
) -> None:
    expected = set(raw_villages.loc[raw_villages["kode_kec"] == KEC, "kode_desa"])
    assert 0 < len(expected) < len(raw_villages)
    for detail in ("sedang", "asli"):
        response = restricted_client.get(geo_routes.village_url(version, RESTRICTED, detail))
        assert response.status_code == 200
        codes = [f["properties"]["kode"] for f in _features(response.data)]
        assert len(codes) == len(expected)
        assert set(codes) == expected


def test_restricted_facilities(
    restricted_client: FlaskClient, raw_facilities: pd.DataFrame
) -> None:
    features = _facility_features(restricted_client, RESTRICTED)
    expected = raw_facilities[raw_facilities["kode_desa"].str.startswith(KEC + ".")]
    assert 0 < len(expected) < len(raw_facilities)
    assert sorted(f["properties"]["n"] for f in features) == sorted(expected["nama"])


def test_restricted_kecamatan(restricted_client: FlaskClient, version: str) -> None:
    response = restricted_client.get(geo_routes.kecamatan_url(version, RESTRICTED))
    assert response.status_code == 200
    assert [f["properties"]["kode"] for f in _features(response.data)] == [KEC]
    finer = restricted_client.get(geo_routes.kecamatan_url(version, RESTRICTED, "sedang"))
    assert [f["properties"]["kode"] for f in json.loads(finer.data)["features"]] == [KEC]


def test_restricted_rejects_other_scope_keys(
    restricted_client: FlaskClient, client: FlaskClient, version: str
) -> None:
    assert RESTRICTED.key != EVERYTHING.key == "all"
    for url in (
        geo_routes.village_url(version, EVERYTHING),
        geo_routes.village_url(version, EVERYTHING, "asli", "geojson"),
        geo_routes.kecamatan_url(version, EVERYTHING),
        geo_routes.kecamatan_url(version, EVERYTHING, "sedang"),
        geo_routes.overlay_url(EVERYTHING, "fasilitas"),
        geo_routes.overlay_url(EVERYTHING, "posyandu"),
        geo_routes.village_url(version, Scope.of(["99.01.02"])),
        geo_routes.village_url(version, Scope.of(["99"])),
    ):
        assert restricted_client.get(url).status_code == 404, url
    # and the other way round: the unrestricted app does not serve a restricted key
    assert client.get(geo_routes.village_url(version, RESTRICTED)).status_code == 404
