"""The map's kecamatan filter: listed in full for a small scope, searched on the server for
a large one — matching, options, and the server's scope on every search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient

from dashboard import context
from dashboard.app import create_app
from dashboard.i18n import t
from dashboard.pages import peta_kecamatan
from dashboard.testing import component_props, loaded_database, page_layout
from layers.scope import Scope

DEMO = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
TABLE = pd.DataFrame({
    "kode": ["35.01.01", "35.01.02", "35.02.01", "35.02.02", "35.03.01"],
    "nama": ["Donorojo", "Punung", "Sukorejo", "Ngrayun Sukorejo", "Sukorejo"],
    "kab": ["Pacitan", "Pacitan", "Ponorogo", "Ponorogo", "Trenggalek"],
})  # fmt: skip


def test_matching_every_word_in_name_kabupaten_or_code() -> None:
    assert peta_kecamatan.matching(TABLE, "SUKO")["kode"].tolist() == [
        "35.02.01", "35.03.01", "35.02.02"]  # names starting with the query first
    assert peta_kecamatan.matching(TABLE, "sukorejo trenggalek")["kode"].tolist() == ["35.03.01"]
    assert peta_kecamatan.matching(TABLE, "35.01")["kode"].tolist() == ["35.01.01", "35.01.02"]
    assert peta_kecamatan.matching(TABLE, "zzz").empty
    # regex characters are text, not patterns
    assert peta_kecamatan.matching(TABLE, ".*").empty


def test_matching_empty_query_gives_the_first_by_code_up_to_the_limit() -> None:
    assert peta_kecamatan.matching(TABLE, "  ", limit=2)["kode"].tolist() == [
        "35.01.01", "35.01.02"]


def test_searched_options_label_keep_the_value_and_count_the_rest(
        monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(peta_kecamatan, "SEARCH_RESULTS", 2)
    options = peta_kecamatan.searched_options(TABLE, "", "35.03.01", "id")
    # the chosen kecamatan stays an option (else the dropdown shows no value)
    assert options[0] == {"label": "Sukorejo — Trenggalek", "value": "35.03.01"}
    assert options[-1]["disabled"] is True
    assert [o["value"] for o in options[:-1]] == ["35.03.01", "35.01.01", "35.01.02"]
    assert options[-1]["label"] == t("filter.kecamatan.more", "id", n=2)
    assert "ketik" in options[-1]["label"]
    english = peta_kecamatan.searched_options(TABLE, "", None, "en")[-1]["label"]
    assert "type a name" in english and "ketik" not in english
    # a query's matches have no such line; the chosen one is kept
    found = peta_kecamatan.searched_options(TABLE, "punung", "35.03.01", "en")
    assert [o["value"] for o in found] == ["35.03.01", "35.01.02"]


# ------------------------------------------------------------ the search on the server


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return loaded_database(DEMO, tmp_path_factory.mktemp("kec_search") / "demo.sqlite")


def _client(database: str, scope: Scope | None) -> FlaskClient:
    return create_app(database, scope).server.test_client()


def _search(client: FlaskClient, query: Any, value: Any = None, lang: str = "id") -> Any:
    deps = {d["output"]: d for d in client.get("/_dash-dependencies").get_json()}
    assert "kec.options" in deps
    body = {
        "output": "kec.options",
        "outputs": {"id": "kec", "property": "options"},
        "inputs": [{"id": "kec-query", "property": "data", "value": query}],
        "state": [{"id": "kec", "property": "value", "value": value},
                  {"id": "lang", "property": "data", "value": lang}],
        "changedPropIds": ["kec-query.data"],
    }  # fmt: skip
    return client.post("/_dash-update-component", json=body)


def _options(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.data[:300]
    return response.get_json()["response"]["kec"]["options"]


def demo_kecamatan(database: str) -> pd.DataFrame:
    """:func:`peta_kecamatan.names` of a database, everything in scope (also read by the
    browser test of the searched dropdown)."""
    app = create_app(database)
    with app.server.app_context():
        app_ctx = context.current()
        with app_ctx.session() as session:
            return peta_kecamatan.names(session, app_ctx.scope())


def test_search_finds_by_name_in_the_scope_only(database: str) -> None:
    table = demo_kecamatan(database)
    inside, outside = table.iloc[0], table.iloc[1]
    scoped = _client(database, Scope.of([inside["kode"]]))
    # within the scope the same request returns the kecamatan, with its kabupaten
    found = _options(_search(scoped, inside["nama"][:4]))
    assert {"label": f"{inside['nama']} — {inside['kab']}", "value": inside["kode"]} in found
    # another kecamatan's name finds nothing: the scope is the server's
    other = _options(_search(scoped, outside["nama"]))
    assert outside["kode"] not in {o["value"] for o in other}
    everything = _client(database, None)
    assert outside["kode"] in {o["value"] for o in _options(_search(everything, outside["nama"]))}


@pytest.mark.parametrize("query", [["x"], {"q": 1}, 12, "x" * 500])
def test_crafted_search_does_not_crash(database: str, query: Any) -> None:
    client = _client(database, None)
    response = _search(client, query)
    assert response.status_code == 204  # nothing updated
    assert _options(_search(client, ""))  # the same endpoint answers a real search


def test_small_scope_lists_every_kecamatan_by_name(database: str) -> None:
    table = demo_kecamatan(database)
    assert len(table) <= peta_kecamatan.LISTED_MAX
    layout = page_layout(_client(database, None), "")
    kec = component_props(layout, "kec")
    assert kec["options"] == [{"label": n, "value": k}
                              for k, n in zip(table["kode"], table["nama"], strict=True)]
    assert component_props(layout, "kec-mode")["data"] == peta_kecamatan.LISTED


def test_large_scope_layout_sends_only_a_few_and_the_chosen(
        database: str, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    table = demo_kecamatan(database)
    chosen = table.iloc[-1]
    monkeypatch.setattr(peta_kecamatan, "LISTED_MAX", 2)
    monkeypatch.setattr(peta_kecamatan, "SEARCH_RESULTS", 3)
    layout = page_layout(_client(database, None), f"?kec={chosen['kode']}")
    kec = component_props(layout, "kec")
    values = [o["value"] for o in kec["options"]]
    assert kec["value"] == chosen["kode"]
    # the chosen one, the first three by code, then "… more: type a name to search"
    assert values == [chosen["kode"], *table["kode"].head(3), peta_kecamatan.MORE]
    assert kec["options"][-1]["label"] == t("filter.kecamatan.more", "id", n=len(table) - 4)
    assert component_props(layout, "kec-mode")["data"] == peta_kecamatan.SEARCHED
