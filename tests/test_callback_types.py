"""Every callback of the app answers wrong-typed inputs with no update, never a 500.

A Dash callback can be called by anyone with crafted JSON. The callbacks are enumerated from
``/_dash-dependencies`` (so a new callback is covered without editing this file), and each is
POSTed crafted values: every input and state at once, and each one alone with the others
empty. Malformed request bodies are sent too. A sample of honest requests shows the endpoint
answers real calls with data (a test that only ever saw refusals could not fail).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from dashboard.app import create_app
from dashboard.testing import loaded_database
from layers.scope import Scope

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
KEC = "99.01.01"
CRAFTED: list[Any] = [[], {}, ["99.01.02"], {"kode": "99", "type": "x"}, 12345, -1.5, True,
                      "x" * 300, "../../etc/passwd", "' OR 1=1 --", None]  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    url = loaded_database(DEMO, tmp_path_factory.mktemp("callback_types") / "demo.sqlite")
    return create_app(url, Scope.of([KEC])).server.test_client()


@pytest.fixture(scope="module")
def callbacks(client: FlaskClient) -> list[dict]:
    deps = client.get("/_dash-dependencies").get_json()
    server_side = [d for d in deps if not d.get("clientside_function")]
    # the scan, the import and the panel are among them: the enumeration is not empty
    outputs = " ".join(d["output"] for d in server_side)
    for needle in ("layer-values.data", "panel.children", "scan-job.data", "impor-report"):
        assert needle in outputs
    return server_side


def _outputs(output: str) -> Any:
    def one(text: str) -> dict[str, Any]:
        ident, prop = text.rsplit(".", 1)
        return {"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop}

    if output.startswith(".."):
        return [one(part) for part in output[2:-2].split("...")]
    return one(output)


def _item(spec: dict, value: Any) -> Any:
    """One input or state of a request; a wildcard one is a list of matching components."""
    if spec["id"].startswith("{"):
        pattern = json.loads(spec["id"])
        ident = {k: (v if isinstance(v, str) else "x") for k, v in pattern.items()}
        return [{"id": ident, "property": spec["property"], "value": value}]
    return {"id": spec["id"], "property": spec["property"], "value": value}


def _body(dep: dict, values: list[Any]) -> dict:
    specs = [*dep["inputs"], *dep["state"]]
    items = [_item(s, v) for s, v in zip(specs, values, strict=True)]
    first = dep["inputs"][0]
    return {
        "output": dep["output"], "outputs": _outputs(dep["output"]),
        "inputs": items[:len(dep["inputs"])], "state": items[len(dep["inputs"]):],
        "changedPropIds": [f"{first['id']}.{first['property']}"],
    }  # fmt: skip


def _post(client: FlaskClient, body: Any) -> int:
    response = client.post("/_dash-update-component", json=body)
    return response.status_code


def test_every_callback_refuses_crafted_types_without_a_500(
    client: FlaskClient, callbacks: list[dict]
) -> None:
    failures = []
    for dep in callbacks:
        n = len(dep["inputs"]) + len(dep["state"])
        cases = [[value] * n for value in CRAFTED]
        cases += [[value if i == j else None for j in range(n)]
                  for i in range(n) for value in CRAFTED[:6]]  # fmt: skip
        for values in cases:
            status = _post(client, _body(dep, values))
            if status >= 500:
                failures.append((dep["output"], values, status))
    assert not failures, f"{len(failures)} crafted calls failed, first: {failures[:3]}"


@pytest.mark.parametrize("body", [
    {}, [], "x", {"output": "layer-values.data"},
    {"output": "layer-values.data", "outputs": {}, "inputs": "x", "changedPropIds": []},
    {"output": "no-such.children", "outputs": {"id": "no-such", "property": "children"},
     "inputs": [], "state": [], "changedPropIds": []},
])  # fmt: skip
def test_malformed_bodies_are_refused_without_a_500(client: FlaskClient, body: Any) -> None:
    assert _post(client, body) < 500


def test_the_same_endpoint_answers_honest_calls(client: FlaskClient,
                                                callbacks: list[dict]) -> None:  # fmt: skip
    (values,) = [d for d in callbacks if d["output"].startswith("..layer-values.data")]
    honest = ["insidens", "2025-W10", None, [], "id", None, None, None]
    body = _body(values, honest)
    body["inputs"][3] = []  # no option control on the page for this call
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    got = response.get_json()["response"]["layer-values"]["data"]["k"]
    # one class per village of the scope (the kecamatan), none left out
    assert got and set(got) <= set("0123456789-")
