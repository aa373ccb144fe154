"""The import page's tickets stay with the server scope that made them (issue 8.3, import).

Two apps on one demo store and one job folder (what two deployments sharing a machine and a
folder would be): one unscoped, one limited to kecamatan 99.01.01. An upload ticket or an
import-job ticket made by the unscoped one is unknown to the scoped one — in its requests
(check, run, file-type hint) and in its background import, which runs in a job process
without a request — while the scoped app's own tickets work end to end.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from dash.exceptions import PreventUpdate
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, text

from dashboard import jobs
from dashboard.app import create_app
from dashboard.pages import impor
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_engine
from tests.test_impor_callbacks import Page, _texts

KEC = "99.01.01"
MINE = ["99.01.01.1001", "99.01.01.1002"]


@pytest.fixture
def store(tmp_path: Path) -> Engine:
    engine = demo_engine(tmp_path)
    yield engine
    engine.dispose()


def _pages(store: Engine) -> tuple[Page, Page]:
    url = store.url.render_as_string(hide_password=False)
    return (Page(create_app(url, None).server.test_client()),
            Page(create_app(url, Scope.of([KEC])).server.test_client()))  # fmt: skip


def _csv(add: int) -> bytes:
    demo = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    week = demo[(demo["tahun"] == "2025") & (demo["minggu"] == "10")
                & demo["kode_desa"].isin(MINE)].copy()  # fmt: skip
    week["kasus"] = (week["kasus"].astype(int) + add).astype(str)
    return week.to_csv(index=False).encode()


def _upload(page: Page, body: bytes, name: str = "w10.csv") -> str:
    data = "data:text/csv;base64," + base64.b64encode(body).decode()
    got = page.post("impor-upload.contents", {"impor-upload.contents": data,
                                              "impor-upload.filename": name,
                                              "impor-lang.data": "en"})  # fmt: skip
    assert got.status_code == 200, got.data
    return got.get_json()["response"]["impor-upload-token"]["data"]


def _check(page: Page, token: str) -> dict[str, Any]:
    got = page.post("impor-check.n_clicks", {"impor-check.n_clicks": 1,
                                             "impor-upload-token.data": token,
                                             "impor-jenis.value": "kasus",
                                             "impor-lang.data": "en"})  # fmt: skip
    assert got.status_code == 200, got.data
    return got.get_json()["response"]


def _run(page: Page, checked: dict[str, Any]) -> Any:
    return page.post("impor-run.n_clicks", {"impor-run.n_clicks": 1,
                                            "impor-checked.data": checked,
                                            "impor-lang.data": "en"})  # fmt: skip


def _cases(engine: Engine) -> dict[str, int]:
    marks = ", ".join(f"'{k}'" for k in MINE)
    with engine.connect() as conn:
        return dict(conn.execute(text(
            "SELECT kode_desa, kasus FROM kasus_mingguan WHERE tahun = 2025 AND minggu = 10 "
            f"AND penyakit = 'diare_akut' AND kode_desa IN ({marks})")).all())  # fmt: skip


def test_an_unscoped_upload_is_unknown_to_a_scoped_server(store: Engine) -> None:
    everything, scoped = _pages(store)
    foreign = _upload(everything, _csv(1))
    own_checked = _check(everything, foreign)["impor-checked"]["data"]
    assert own_checked and own_checked["upload"] == foreign  # its own server checks it
    # the same token on the scoped server: no such upload
    refused = _check(scoped, foreign)
    assert "The uploaded file is gone" in _texts(refused["impor-report"]["children"])
    assert refused["impor-checked"]["data"] is None
    # nor may that server's check ticket start an import there
    assert _run(scoped, own_checked).status_code == 204
    assert jobs.ticket("upload", foreign, Scope.of([KEC]).key) is None
    assert jobs.ticket("upload", foreign, Scope.everything().key) is not None


def test_an_unscoped_import_job_is_unknown_to_the_scoped_background_import(
        store: Engine) -> None:  # fmt: skip
    everything, scoped = _pages(store)
    before = _cases(store)
    checked = _check(everything, _upload(everything, _csv(5)))["impor-checked"]["data"]
    started = _run(everything, checked)
    assert started.status_code == 200, started.data
    job = started.get_json()["response"]["impor-job"]["data"]
    assert jobs.ticket("job", job, Scope.everything().key) is not None
    assert jobs.ticket("job", job, Scope.of([KEC]).key) is None
    with pytest.raises(PreventUpdate):  # the scoped deployment's job process refuses it
        impor.run_job(lambda _: None, job, "en", Scope.of([KEC]).key)
    assert _cases(store) == before  # nothing was imported


def test_an_in_scope_upload_checks_and_imports(store: Engine) -> None:
    _, scoped = _pages(store)
    before = _cases(store)
    token = _upload(scoped, _csv(7))
    response = _check(scoped, token)
    checked = response["impor-checked"]["data"]
    assert checked and checked["upload"] == token, _texts(response["impor-report"])
    started = _run(scoped, checked)
    assert started.status_code == 200, started.data
    job = started.get_json()["response"]["impor-job"]["data"]
    progress: list[tuple] = []
    done = impor.run_job(progress.append, job, "en", Scope.of([KEC]).key)
    said = _texts(json.loads(json.dumps(done[0], cls=PlotlyJSONEncoder)))
    assert "Import #" in said and "finished" in said, said
    assert _cases(store) == {k: v + 7 for k, v in before.items()}
    assert progress  # the bar moved
