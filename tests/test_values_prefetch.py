"""The weeks around the one shown are computed in the background, in the server's scope,
so that stepping through weeks reads each from the shared cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard import context, layer_values, values_prefetch
from dashboard.app import create_app
from dashboard.testing import loaded_database
from layers import base
from layers.scope import Scope

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
WEEK = "2025-W40"
KEC = "99.01.01"


def test_neighbours_nearest_first_older_before_newer() -> None:
    listed = ["W53", "W52", "W51", "W50", "W49"]
    assert values_prefetch.neighbours(listed, "W51", 2) == ["W50", "W52", "W49", "W53"]
    assert values_prefetch.neighbours(listed, "W53", 2) == ["W52", "W51"]
    assert values_prefetch.neighbours(listed, "W49", 1) == ["W50"]
    assert values_prefetch.neighbours(listed, "W40", 2) == []
    assert values_prefetch.neighbours(listed, None, 2) == []
    assert values_prefetch.neighbours(listed, "W51", 0) == []


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO, tmp_path_factory.mktemp("prefetch") / "demo.sqlite")


def _ask_values(client: FlaskClient, week: str) -> None:
    deps = {d["output"]: d for d in client.get("/_dash-dependencies").get_json()}
    (output,) = [k for k in deps if k.startswith("..layer-values.data")]
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in output[2:-2].split("...")]  # fmt: skip
    body = {
        "output": output, "outputs": outputs,
        "inputs": [{"id": "layer", "property": "value", "value": "insidens"},
                   {"id": "period-shown", "property": "data", "value": week},
                   {"id": "kec", "property": "value", "value": None}, []],
        "state": [{"id": "lang", "property": "data", "value": "id"},
                  {"id": "geo-config", "property": "data", "value": {"mode": "desa"}},
                  {"id": "legend-key", "property": "data", "value": None},
                  {"id": "village-count", "property": "children", "value": None}],
        "changedPropIds": ["period-shown.data"],
    }  # fmt: skip
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.data[:300]


def _counting_loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Scope]]:
    calls: list[tuple[str, Scope]] = []
    cls = base.REGISTRY["insidens"]
    original = cls.load
    monkeypatch.setattr(cls, "load", lambda self, session, scope, period, lang: calls.append(
        (base.period_text(period), scope)) or original(self, session, scope, period, lang))
    return calls


def _weeks(server: Any, scope: Scope) -> list[str]:
    with server.app_context(), context.current().session() as session:
        return [base.period_text(p) for p in base.REGISTRY["insidens"]().periods(session, scope)]


@pytest.mark.parametrize("scope", [None, Scope.of([KEC])], ids=["everything", "kecamatan"])
def test_the_weeks_around_are_computed_in_the_servers_scope(
        database: str, scope: Scope | None, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(values_prefetch, "DELAY_S", 0.0)
    monkeypatch.setenv("PWS_PREFETCH_PERIODS", "2")
    calls = _counting_loads(monkeypatch)
    app = create_app(database, scope)
    _ask_values(app.server.test_client(), WEEK)
    assert values_prefetch.wait_idle()
    server_scope = scope or Scope.everything()
    weeks = _weeks(app.server, server_scope)
    around = values_prefetch.neighbours(weeks, WEEK, 2)
    assert len(around) == 4
    # the week asked, then its neighbours, each once, every one in the server's scope
    assert sorted(w for w, _ in calls) == sorted([WEEK, *around])
    assert {s for _, s in calls} == {server_scope}
    # a later week change to a neighbour is read from the cache: nothing computed
    calls.clear()
    with app.server.app_context():
        req = layer_values.parse({"type": "insidens"}, around[0], None, "id")
        found = layer_values.values(context.current(), req)
    assert found.body["n"] > 0 and calls == []


def test_none_when_switched_off(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(values_prefetch, "DELAY_S", 0.0)
    monkeypatch.setenv("PWS_PREFETCH_PERIODS", "0")
    calls = _counting_loads(monkeypatch)
    _ask_values(create_app(database).server.test_client(), "2025-W30")
    assert values_prefetch.wait_idle()
    assert [w for w, _ in calls] == ["2025-W30"]
