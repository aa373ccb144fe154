"""The map's layer values (dashboard/layer_values.py): compact, cached per data version,
their tooltip texts served by a scope-checked route that refuses crafted input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient

from dashboard import context, layer_values
from dashboard.app import create_app
from dashboard.testing import loaded_database
from layers import base
from layers.scope import Scope
from layers.store import queries

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
KEC = "99.01.01"
WEEK = "2025-W10"


def test_encode_classes() -> None:
    assert layer_values.encode_classes(np.array([0, 2, 3]), np.array([1, -1, 11]), 5) == "1.-b."
    assert layer_values.encode_classes(np.array([], dtype=int), np.array([], dtype=int), 2) == ".."


@pytest.mark.parametrize(("layer", "period", "kec", "lang"), [
    ({"type": "nope"}, WEEK, None, "id"),
    ({"type": "insidens", "per": "x"}, WEEK, None, "id"),
    ("{not json", WEEK, None, "id"),
    ({"type": "insidens"}, "2025-W99", None, "id"),
    ({"type": "insidens"}, WEEK, "99.01' OR 1=1", "id"),
    ({"type": "insidens"}, WEEK, None, "fr"),
])  # fmt: skip
def test_parse_refuses_crafted_requests(layer: Any, period: Any, kec: Any, lang: Any) -> None:
    with pytest.raises(ValueError):
        layer_values.parse(layer, period, kec, lang)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    url = loaded_database(DEMO, tmp_path_factory.mktemp("values") / "demo.sqlite")
    return create_app(url, Scope.of([KEC])).server


@pytest.fixture()
def client(server: Any) -> FlaskClient:
    return server.test_client()


def _order(server: Any) -> list[str]:
    with server.app_context():
        ctx = context.current()
        with ctx.session() as session:
            return queries.village_table(session, ctx.scope())["kode"].tolist()


def test_values_are_computed_once_per_data_version(
        server: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    calls: list[str] = []
    cls = base.REGISTRY["insidens"]
    original = cls.load
    monkeypatch.setattr(cls, "load", lambda self, *a, **k: calls.append("x") or original(
        self, *a, **k))  # fmt: skip
    req = layer_values.parse({"type": "insidens", "per": 10_000}, WEEK, None, "id")
    with server.app_context():
        ctx = context.current()
        first = layer_values.values(ctx, req)
        again = layer_values.values(ctx, req)
        assert first.body == again.body and len(calls) == 1
        payload = layer_values.browser_payload(req, first, regions=False)
        assert "labels" in payload and isinstance(payload["labels"], str)
        assert len(payload["k"]) == len(_order(server)) and payload["agg"] is None
        assert "kasus" not in json.dumps(payload)  # no tooltip text travels with a week
        # another data version (an import, an undo) is another key: computed again
        monkeypatch.setattr(queries, "data_version", lambda session, jenis=None: "other")
        layer_values.values(ctx, req)
        assert len(calls) == 2


def test_aggregates_only_for_a_drill_down_map(
        server: Any, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    calls: list[str] = []
    original = layer_values._aggregates
    monkeypatch.setattr(layer_values, "_aggregates",
                        lambda *a: calls.append("agg") or original(*a))  # fmt: skip
    req = layer_values.parse({"type": "insidens", "per": 100}, WEEK, None, "en")
    with server.app_context():
        ctx = context.current()
        villages = layer_values.values(ctx, req)
        assert villages.body["agg"] is None and not calls  # a map of villages: none made
        regions = layer_values.values(ctx, req, regions=True)
        assert calls == ["agg"]
        assert set(regions.body["agg"]["levels"]) == set(layer_values.AGGREGATE_LEVELS)
        assert regions.body["k"] == villages.body["k"]
        payload = layer_values.browser_payload(req, regions, regions=True)
    assert payload["agg"] == regions.body["agg"]
    # its labels URL names the entry with the aggregates: read, not computed again
    assert "agg=1" in payload["labels"]
    response = client.get(payload["labels"])
    assert response.status_code == 200
    assert response.get_json() == regions.body["labels"] and calls == ["agg"]


def test_the_values_route_gives_the_store_of_another_period(
        server: Any, client: FlaskClient) -> None:  # fmt: skip
    req = layer_values.parse({"type": "insidens", "per": 100}, WEEK, None, "en")
    with server.app_context():
        ctx = context.current()
        payload = layer_values.browser_payload(req, layer_values.values(ctx, req), False)
        other = layer_values.parse({"type": "insidens", "per": 100}, "2025-W11", None, "en")
        expected = layer_values.browser_payload(other, layer_values.values(ctx, other), False)
    assert "period" not in payload["values"]  # the page adds the period it wants
    response = client.get(payload["values"] + "&period=2025-W11")
    assert response.status_code == 200 and response.headers["ETag"]
    assert response.get_json() == expected
    assert response.get_json()["k"] != payload["k"]  # another week, other classes


def test_the_values_route_never_leaves_the_scope(client: FlaskClient, server: Any) -> None:
    inside = _route(client, layer_values.VALUES_PATH, kec=KEC).get_json()["k"]
    assert len(inside) == len(_order(server)) and set(inside) != {"."}  # within scope: data
    for other in ("99.01.02", "99.01.02.2001"):  # another kecamatan, another's village
        assert set(_route(client, layer_values.VALUES_PATH, kec=other).get_json()["k"]) == {"."}
    assert _route(client, layer_values.VALUES_PATH, kec="99").get_json()["k"] == inside


def _route(client: FlaskClient, path: str, **query: str) -> Any:
    args = {"layer": json.dumps({"type": "insidens"}), "period": WEEK, "lang": "en", **query}
    return client.get(path, query_string=args)


def _labels(client: FlaskClient, **query: str) -> Any:
    return _route(client, layer_values.LABELS_PATH, **query)


def test_labels_follow_the_values_order(client: FlaskClient, server: Any) -> None:
    response = _labels(client)
    assert response.status_code == 200
    labels = response.get_json()
    order = _order(server)
    assert len(labels) == len(order) and all(isinstance(t, str) and t for t in labels)
    assert any("case" in t for t in labels)  # English texts
    assert response.headers["ETag"]
    assert _labels(client, lang="id").get_json() != labels


def test_labels_never_leave_the_scope(client: FlaskClient, server: Any) -> None:
    inside = _labels(client, kec=KEC).get_json()
    assert all(isinstance(t, str) for t in inside)  # the same request within scope
    for other in ("99.01.02", "99", "99.01.02.2001"):
        labels = _labels(client, kec=other).get_json()
        assert len(labels) == len(_order(server))
        if other == "99":  # wider than the scope: narrowed to it, never widened
            assert labels == inside
        else:
            assert labels == [None] * len(labels)


@pytest.mark.parametrize("query", [
    {"layer": "{oops"}, {"layer": json.dumps({"type": "nope"})}, {"period": "2025-W77"},
    {"kec": "%"}, {"kec": "99.01' OR 1=1 --"}, {"lang": "xx"}, {"layer": ""},
])  # fmt: skip
@pytest.mark.parametrize("path", [layer_values.LABELS_PATH, layer_values.VALUES_PATH])
def test_crafted_requests_are_400(client: FlaskClient, query: dict[str, str], path: str) -> None:
    assert _route(client, path).status_code == 200
    assert _route(client, path, **query).status_code == 400
