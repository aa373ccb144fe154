"""The dashboard served from PostgreSQL + PostGIS: same routes, same layer values as SQLite."""

from __future__ import annotations

from pathlib import Path

import geobuf
import pytest
from sqlalchemy.orm import Session

from dashboard import geo_routes
from dashboard.app import create_app
from layers import base
from layers.demo import load
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from tests.postgis import PostgisCluster

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
pytestmark = pytest.mark.postgis


@pytest.fixture(scope="module")
def databases(postgis_cluster: PostgisCluster, tmp_path_factory: pytest.TempPathFactory):
    urls = {
        "postgis": postgis_cluster.new_database(),
        "sqlite": f"sqlite:///{tmp_path_factory.mktemp('app') / 'pws.sqlite'}",
    }
    for url in urls.values():
        engine = store_engine.make_engine(url)
        store_engine.upgrade(engine)
        load.load_demo_dir(engine, DEMO)
        engine.dispose()
    return urls


def test_geometry_route_serves_every_village_from_postgis(databases) -> None:
    app = create_app(databases["postgis"])
    engine = store_engine.make_engine(databases["postgis"])
    with Session(engine) as session:
        version = queries.geometry_version(session)
        n = len(queries.village_table(session, Scope.everything()))
    response = app.server.test_client().get(geo_routes.village_url(version, Scope.everything()))
    assert response.status_code == 200
    features = geobuf.decode(response.data)["features"]
    assert len(features) == n == 250


def test_layer_values_equal_on_both_databases(databases) -> None:
    results = {}
    for name, url in databases.items():
        engine = store_engine.make_engine(url)
        with Session(engine) as session:
            week = EpiWeek(*queries.available_weeks(session, Scope.everything(), "diare_akut")[-1])
            layer = base.from_config({"type": "insidens"})
            results[name] = layer.load(session, Scope.of(["99.01.03"]), week).values()
        engine.dispose()
    assert results["postgis"] == results["sqlite"]
    assert results["postgis"] and all(k.startswith("99.01.03.") for k in results["postgis"])
