"""The import page's callbacks, POSTed as a browser (or an attacker) would.

A deployment scoped to kecamatan 99.01.01 (``PWS_SCOPE``) on the demo district: undo must
never reach an import of another office, the log lists only imports that touched the scope,
the undo names what it would undo and asks first, trusted loads are not offered, and a
crafted request (wrong types anywhere) gets no update (204), never a 500. Callback ids come
from ``/_dash-dependencies``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from dashboard.app import create_app
from layers.ingest import run_import
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_engine

KEC = "99.01.01"
MINE = ["99.01.01.1001", "99.01.01.1002"]
THEIRS = ["99.01.05.2001", "99.01.05.2002"]
EVERYTHING = Scope.everything()


def _week_file(path: Path, kodes: list[str], add: int) -> Path:
    demo = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    week = demo[(demo["tahun"] == "2025") & (demo["minggu"] == "10")
                & demo["kode_desa"].isin(kodes)].copy()  # fmt: skip
    week["kasus"] = (week["kasus"].astype(int) + add).astype(str)
    week.to_csv(path, index=False)
    return path


def _cases(engine: Engine, kodes: list[str]) -> dict[str, int]:
    marks = ", ".join(f"'{k}'" for k in kodes)
    with engine.connect() as conn:
        rows = conn.execute(text(
            f"SELECT kode_desa, kasus FROM kasus_mingguan WHERE tahun = 2025 AND minggu = 10 "
            f"AND penyakit = 'diare_akut' AND kode_desa IN ({marks})")).all()  # fmt: skip
    return dict(rows)  # type: ignore[arg-type]


def _status(engine: Engine, impor_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT status FROM impor_log WHERE id = :i"),
                            {"i": impor_id}).scalar_one()  # fmt: skip


class Page:
    """POSTs to the callbacks of one app, each found by its first input (``id.prop``)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        deps = client.get("/_dash-dependencies").get_json()
        # server-side, answered in the request (not the background import, nor Dash's own
        # cancel helper)
        self.deps = [d for d in deps if not d.get("clientside_function")
                     and not d.get("background") and d["output"] != "impor-cancel.id"]

    @staticmethod
    def first_input(dep: dict) -> str:
        first = dep["inputs"][0]
        return f"{first['id']}.{first['property']}"

    def dep(self, first_input: str) -> dict:
        (found,) = [d for d in self.deps if self.first_input(d) == first_input]
        return found

    @staticmethod
    def outputs(output: str) -> Any:
        def one(part: str) -> dict[str, Any]:
            ident, prop = part.rsplit(".", 1)
            return {"id": json.loads(ident) if ident.startswith("{") else ident,
                    "property": prop.split("@")[0]}  # fmt: skip

        if output.startswith(".."):
            return [one(p) for p in output[2:-2].split("...")]
        return one(output)

    def body(self, dep: dict, values: dict[str, Any]) -> dict:
        """A request body: ``values`` by ``id.prop``; a wildcard input is a list of
        ``(id, value)`` matches under its ``type.prop``; anything not given is None."""

        def item(spec: dict) -> Any:
            if spec["id"].startswith("{"):
                pattern = json.loads(spec["id"])
                key = f"{pattern['type']}.{spec['property']}"
                return [{"id": ident, "property": spec["property"], "value": value}
                        for ident, value in values.get(key, [])]  # fmt: skip
            return {"id": spec["id"], "property": spec["property"],
                    "value": values.get(f"{spec['id']}.{spec['property']}")}  # fmt: skip

        return {"output": dep["output"], "outputs": self.outputs(dep["output"]),
                "inputs": [item(i) for i in dep["inputs"]],
                "state": [item(s) for s in dep["state"]],
                "changedPropIds": [self.first_input(dep)]}  # fmt: skip

    def post(self, first_input: str, values: dict[str, Any]) -> Any:
        body = self.body(self.dep(first_input), values)
        return self.client.post("/_dash-update-component", json=body)


def _texts(node: Any) -> str:
    """Every string inside a Dash component tree (JSON), joined."""
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        return " ".join(_texts(v) for k, v in node.items() if k in ("props", "children"))
    if isinstance(node, list):
        return " ".join(_texts(v) for v in node)
    return ""


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    engine = demo_engine(tmp_path)
    yield engine
    engine.dispose()


def _page(store: Engine, scope: Scope | None) -> Page:
    url = store.url.render_as_string(hide_password=False)
    return Page(create_app(url, scope).server.test_client())


def _ask(page: Page, lang: str = "id") -> dict:
    got = page.post("impor-undo.n_clicks", {"impor-undo.n_clicks": 1, "impor-lang.data": lang})
    assert got.status_code == 200, got.data
    return got.get_json()["response"]


def _yes(page: Page, impor_id: Any, lang: str = "id") -> dict:
    got = page.post("impor-undo-yes.n_clicks", {"impor-undo-yes.n_clicks": 1,
                                                "impor-undo-id.data": impor_id,
                                                "impor-lang.data": lang})  # fmt: skip
    assert got.status_code == 200, got.data
    return got.get_json()["response"]


def _route(page: Page, lang: str = "id") -> str:
    got = page.post("url.pathname", {"url.pathname": "/impor", "url.search": f"?lang={lang}"})
    assert got.status_code == 200, got.data
    return json.dumps(got.get_json()["response"]["page"]["children"], ensure_ascii=False)


# ------------------------------------------------------------------ item 1: cross-scope undo


def test_scoped_undo_never_touches_another_offices_import(store: Engine, tmp_path: Path) -> None:
    before = _cases(store, THEIRS)
    theirs = run_import(store, "kasus", _week_file(tmp_path / "lain.csv", THEIRS, 7),
                        user="dinkes-lain", scope=Scope.of(["99.01.05"]))  # fmt: skip
    assert theirs.status == "ok"
    written = _cases(store, THEIRS)
    assert written != before
    page = _page(store, Scope.of([KEC]))

    # the button is disabled with the reason, the question is never asked
    html = _route(page)
    assert f"#{theirs.impor_id}" in html and "lain.csv" not in html
    asked = _ask(page)
    assert asked["impor-undo-confirm"]["style"] == {"display": "none"}
    assert "di luar wilayah Anda" in _texts(asked["impor-undo-result"]["children"])
    # the crafted "yes" with the other office's id is refused, saying why, in both languages
    for lang, why in (("id", "di luar wilayah Anda"), ("en", "outside yours")):
        answer = _yes(page, theirs.impor_id, lang)
        assert why in _texts(answer["impor-undo-result"]["children"])
        assert answer["impor-undo"]["disabled"] is True
    assert _cases(store, THEIRS) == written
    assert _status(store, theirs.impor_id) == "ok"

    # within the scope the same request undoes the office's own import
    before_mine = _cases(store, MINE)
    mine = run_import(store, "kasus", _week_file(tmp_path / "saya.csv", MINE, 3), user="web",
                      scope=Scope.of([KEC]))  # fmt: skip
    assert _cases(store, MINE) != before_mine
    assert "saya.csv" in _texts(_ask(page)["impor-undo-question"]["children"])
    answer = _yes(page, mine.impor_id)
    done = _texts(answer["impor-undo-result"]["children"])
    assert f"#{mine.impor_id}" in done and "saya.csv" in done and "dibatalkan" in done
    assert _cases(store, MINE) == before_mine
    assert _status(store, mine.impor_id) == "dibatalkan"
    # …and then the other office's import is next: refused again
    assert "di luar wilayah Anda" in _texts(_yes(page, theirs.impor_id)["impor-undo-result"])
    assert _cases(store, THEIRS) == written


def test_the_confirmed_id_must_be_the_one_undone(store: Engine, tmp_path: Path) -> None:
    first = run_import(store, "kasus", _week_file(tmp_path / "a.csv", MINE, 1), user="web",
                       scope=Scope.of([KEC]))  # fmt: skip
    second = run_import(store, "kasus", _week_file(tmp_path / "b.csv", MINE, 2), user="web",
                        scope=Scope.of([KEC]))  # fmt: skip
    page = _page(store, Scope.of([KEC]))
    stale = _yes(page, first.impor_id)  # confirmed #first, but #second is the newest
    assert f"#{second.impor_id}" in _texts(stale["impor-undo-result"])
    assert (_status(store, first.impor_id), _status(store, second.impor_id)) == ("ok", "ok")
    assert "dibatalkan" in _texts(_yes(page, second.impor_id)["impor-undo-result"])


# ------------------------------------------------------------------ item 2: scoped log


def test_scoped_page_lists_only_imports_that_touched_the_scope(store: Engine,
                                                               tmp_path: Path) -> None:  # fmt: skip
    run_import(store, "kasus", _week_file(tmp_path / "kantor_lain.csv", THEIRS, 7),
               user="dinkes-lain", scope=EVERYTHING)  # fmt: skip
    refused = tmp_path / "ditolak_lain.csv"
    refused.write_text("kode_desa,penyakit,tahun,minggu,kasus\n99.01.05.2001,diare_akut,2025,"
                       "10,-1\n")  # fmt: skip
    run_import(store, "kasus", refused, user="dinkes-lain", scope=Scope.of(["99.01.05"]))
    run_import(store, "kasus", _week_file(tmp_path / "kantor_saya.csv", MINE, 3), user="web",
               scope=Scope.of([KEC]))  # fmt: skip
    scoped = _route(_page(store, Scope.of([KEC])))
    assert "kantor_saya.csv" in scoped
    assert "kantor_lain.csv" not in scoped and "dinkes-lain" not in scoped
    assert "ditolak_lain.csv" not in scoped
    everything = _route(_page(store, None))
    assert {"kantor_saya.csv", "kantor_lain.csv", "ditolak_lain.csv"} <= {
        f for f in ("kantor_saya.csv", "kantor_lain.csv", "ditolak_lain.csv") if f in everything}


# ------------------------------------------------------------------ item 6: trusted loads


def test_trusted_loads_are_not_offered_for_undo(store: Engine) -> None:
    page = _page(store, None)
    html = _route(page)
    reason = "pemuat tepercaya"
    assert reason in html and '"disabled": true' in html.replace("True", "true")
    asked = _ask(page)
    assert reason in _texts(asked["impor-undo-result"]["children"])
    assert asked["impor-undo-confirm"]["style"] == {"display": "none"}
    with store.connect() as conn:
        newest = conn.execute(text("SELECT max(id) FROM impor_log")).scalar_one()
        statuses = set(conn.execute(text("SELECT status FROM impor_log")).scalars())
    assert statuses == {"dimuat"}
    answer = _yes(page, newest, "en")
    assert "trusted loader" in _texts(answer["impor-undo-result"]["children"])
    with store.connect() as conn:
        assert set(conn.execute(text("SELECT status FROM impor_log")).scalars()) == {"dimuat"}


def test_undo_names_the_import_and_asks_first(store: Engine, tmp_path: Path) -> None:
    done = run_import(store, "kasus", _week_file(tmp_path / "w10.csv", MINE, 4), user="dinkes",
                      scope=EVERYTHING)  # fmt: skip
    page = _page(store, None)
    assert f"#{done.impor_id} · Kasus mingguan (SKDR) · w10.csv" in _route(page)
    asked = _ask(page, "en")
    question = _texts(asked["impor-undo-question"]["children"])
    assert question.startswith(f"Undo import #{done.impor_id} · Weekly cases (SKDR) · w10.csv · ")
    assert question.split(" · ")[-1].startswith("dinkes")
    assert asked["impor-undo-confirm"]["style"] == {"display": "block"}
    assert asked["impor-undo-id"]["data"] == done.impor_id
    assert _status(store, done.impor_id) == "ok"  # asking undoes nothing
    dep = page.dep("impor-undo-yes.n_clicks")
    body = page.body(dep, {"impor-undo-no.n_clicks": 1, "impor-undo-id.data": done.impor_id,
                           "impor-lang.data": "en"})  # fmt: skip
    kept = page.client.post("/_dash-update-component",
                            json={**body, "changedPropIds": ["impor-undo-no.n_clicks"]})
    assert "Nothing was undone." in _texts(kept.get_json()["response"]["impor-undo-result"])
    assert _status(store, done.impor_id) == "ok"
    answer = _yes(page, done.impor_id, "en")
    assert f"Import #{done.impor_id} · Weekly cases (SKDR) · w10.csv" in _texts(
        answer["impor-undo-result"])
    assert "dibatalkan" not in _texts(answer["impor-undo-result"])  # English throughout
    # the next one is a trusted load: named as such, the button disabled
    assert answer["impor-undo"]["disabled"] is True
    assert "trusted loader" in answer["impor-undo-target"]["children"]


# ------------------------------------------------------------------ item 4: crafted types

CRAFTED: list[Any] = [["kasus"], {"jenis": "kasus"}, 12, -1.5, True, "x" * 300,
                      "../../etc/passwd", [["id"]]]  # fmt: skip
#: honest requests by first input: what the page itself sends
HONEST: dict[str, dict[str, Any]] = {
    "impor-jenis.value": {"impor-jenis.value": "kasus", "impor-lang.data": "id"},
    "impor-upload.contents": {"impor-upload.contents": "data:text/csv;base64,YSxiCjEsMgo=",
                              "impor-upload.filename": "a.csv", "impor-lang.data": "id"},
    "impor-upload-token.data": {"impor-jenis.value": "batas", "impor-lang.data": "id"},
    "impor-check.n_clicks": {"impor-check.n_clicks": 1, "impor-jenis.value": "kasus",
                             "impor-lang.data": "id"},
    "impor-cancel.n_clicks": {"impor-cancel.n_clicks": 1, "impor-lang.data": "id"},
    "impor-undo.n_clicks": {"impor-undo.n_clicks": 1, "impor-lang.data": "id"},
    "impor-undo-yes.n_clicks": {"impor-undo-yes.n_clicks": 1, "impor-undo-id.data": 999,
                                "impor-lang.data": "id"},
}


@pytest.fixture(scope="module")
def scoped_page(tmp_path_factory: pytest.TempPathFactory) -> Page:
    engine = demo_engine(tmp_path_factory.mktemp("impor_types"))
    return _page(engine, Scope.of([KEC]))


def _impor_deps(page: Page) -> list[dict]:
    found = [d for d in page.deps if "impor" in d["output"]]
    firsts = {page.first_input(d) for d in found}
    assert set(HONEST) <= firsts and "impor-run.n_clicks" in firsts, firsts
    return found


def test_every_import_callback_answers_crafted_types_with_no_update(scoped_page: Page) -> None:
    """Each input and state of every import-page callback, one at a time, gets each crafted
    value (the others as the page sends them, or empty): never a 500. Where the crafted
    value is of the wrong type for what it is (language, kind, clicks, token, stores) the
    answer is "no update" (204)."""
    page = scoped_page
    for dep in _impor_deps(page):
        honest = HONEST.get(page.first_input(dep), {"impor-lang.data": "id"})
        for spec in [*dep["inputs"], *dep["state"]]:
            for bad in CRAFTED:
                if spec["id"].startswith("{"):
                    pattern = json.loads(spec["id"])
                    ident = {k: (v if isinstance(v, str) else "kasus") for k, v in pattern.items()}
                    key = f"{pattern['type']}.{spec['property']}"
                    values = {**honest, key: [(ident, bad)]}
                else:
                    values = {**honest, f"{spec['id']}.{spec['property']}": bad}
                got = page.client.post("/_dash-update-component", json=page.body(dep, values))
                where = (page.first_input(dep), spec["id"], spec["property"], bad)
                assert got.status_code in (200, 204), (*where, got.status_code, got.data[:300])
                if spec["id"] in ("impor-lang", "impor-jenis"):
                    assert got.status_code == 204, where


@pytest.mark.parametrize("first_input", sorted(HONEST))
def test_honest_import_requests_are_answered(scoped_page: Page, first_input: str) -> None:
    """The same callbacks with the types the page sends get an answer (so the refusals
    above are not a callback that never answers)."""
    got = scoped_page.post(first_input, HONEST[first_input])
    assert got.status_code == 200, (first_input, got.data)
    assert got.get_json()["response"]


@pytest.mark.parametrize("bad", CRAFTED)
def test_a_wrong_typed_kind_gets_no_update(scoped_page: Page, bad: Any) -> None:
    for first_input in ("impor-jenis.value", "impor-upload-token.data", "impor-check.n_clicks"):
        got = scoped_page.post(first_input, {**HONEST[first_input], "impor-jenis.value": bad})
        assert got.status_code == 204, (first_input, bad, got.data)


def test_a_crafted_check_ticket_gets_no_update(scoped_page: Page) -> None:
    for checked in (["x"], {"upload": ["x"], "jenis": "kasus"}, {"upload": "0" * 32,
                                                                 "jenis": ["kasus"]}, 5):
        got = scoped_page.post("impor-run.n_clicks", {"impor-run.n_clicks": 1,
                                                      "impor-checked.data": checked,
                                                      "impor-lang.data": "id"})  # fmt: skip
        assert got.status_code == 204, (checked, got.data)


# ------------------------------------------------------------------ item 17: kinds and types


def test_page_opens_on_cases_with_that_kinds_formats_and_the_one_limit(
        scoped_page: Page) -> None:  # fmt: skip
    from layers.ingest.readers import MAX_MB

    html = _route(scoped_page)
    assert '"id": "impor-jenis"' in html and '"value": "kasus"' in html
    assert f"Format: .csv, .xlsx; paling besar {MAX_MB} MB." in html
    assert '"accept"' not in html  # the browser drops a file its accept filter refuses
    for jenis, lang, formats in (("kasus", "id", ".csv, .xlsx"),
                                 ("batas", "en", ".zip, .shp, .gpkg")):  # fmt: skip
        got = scoped_page.post("impor-jenis.value", {"impor-jenis.value": jenis,
                                                     "impor-lang.data": lang})  # fmt: skip
        hint = got.get_json()["response"]["impor-upload-hint"]["children"]
        assert formats in hint and f"{MAX_MB} MB" in hint, hint


def _upload(page: Page, name: str, body: bytes) -> str:
    import base64

    data = "data:application/octet-stream;base64," + base64.b64encode(body).decode()
    got = page.post("impor-upload.contents", {"impor-upload.contents": data,
                                              "impor-upload.filename": name,
                                              "impor-lang.data": "id"})  # fmt: skip
    assert got.status_code == 200, got.data
    return got.get_json()["response"]["impor-upload-token"]["data"]


def test_a_file_of_the_wrong_type_is_named_as_such(scoped_page: Page) -> None:
    token = _upload(scoped_page, "laporan.pdf", b"%PDF-1.4 not a table")
    for lang, jenis, words in (("id", "kasus", "Jenis file .pdf tidak bisa diimpor sebagai "
                                               "Kasus mingguan (SKDR); yang diterima: .csv, "
                                               ".xlsx."),
                               ("en", "batas", "A .pdf file cannot be imported as "
                                               "Administrative boundaries")):  # fmt: skip
        got = scoped_page.post("impor-upload-token.data", {
            "impor-upload-token.data": token, "impor-jenis.value": jenis,
            "impor-lang.data": lang})  # fmt: skip
        assert words in _texts(got.get_json()["response"]["impor-file-msg"]["children"])
    geo = _upload(scoped_page, "batas.geojson", b'{"type": "FeatureCollection"}')
    got = scoped_page.post("impor-upload-token.data", {
        "impor-upload-token.data": geo, "impor-jenis.value": "kasus", "impor-lang.data": "en"})
    said = _texts(got.get_json()["response"]["impor-file-msg"]["children"])
    assert ".geojson files are taken as: Administrative boundaries" in said, said
    fine = scoped_page.post("impor-upload-token.data", {
        "impor-upload-token.data": geo, "impor-jenis.value": "batas", "impor-lang.data": "en"})
    assert fine.get_json()["response"]["impor-file-msg"]["children"] == []
    # the check says it too, in the report
    checked = scoped_page.post("impor-check.n_clicks", {
        "impor-check.n_clicks": 1, "impor-upload-token.data": token,
        "impor-jenis.value": "kasus", "impor-lang.data": "id"})  # fmt: skip
    report = _texts(checked.get_json()["response"]["impor-report"]["children"])
    assert "Jenis file .pdf tidak bisa diimpor" in report, report
