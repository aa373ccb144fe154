"""Background-job tickets stay with the deployment and scope that made them (issue 8.3).

Two deployments on one machine — one for the whole district, one limited to a kecamatan —
get different job folders; and a scan ticket is bound to the server scope that made it, so
a token carried from one to the other finds nothing, in a request or in the job process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dash.exceptions import PreventUpdate

from dashboard import jobs
from dashboard.pages import peta_scan
from layers.scope import Scope

KEC = "99.01.01"


def test_each_deployment_has_its_own_job_folder(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.delenv("PWS_JOBS_DIR", raising=False)
    monkeypatch.setenv("PWS_DATABASE_URL", "sqlite:////srv/pws.sqlite")
    monkeypatch.delenv("PWS_SCOPE", raising=False)
    district = jobs.jobs_dir()
    monkeypatch.setenv("PWS_SCOPE", KEC)
    kecamatan = jobs.jobs_dir()
    monkeypatch.setenv("PWS_SECRET_KEY", "another secret")
    other_secret = jobs.jobs_dir()
    assert len({district, kecamatan, other_secret}) == 3
    assert district.parent == kecamatan.parent  # all under the temp folder, per user
    monkeypatch.setenv("PWS_JOBS_DIR", str(tmp_path / "jobs"))
    assert jobs.jobs_dir() == tmp_path / "jobs" and (tmp_path / "jobs").is_dir()


def test_a_scan_ticket_is_bound_to_the_scope_that_made_it() -> None:
    everything, kecamatan = Scope.everything().key, Scope.of([KEC]).key
    token = jobs.new_ticket("scan", {"week": "2025-W10", "scope": Scope.everything()},
                            everything)  # fmt: skip
    assert jobs.ticket("scan", token, everything)["week"] == "2025-W10"  # its own: found
    assert jobs.ticket("scan", token, kecamatan) is None  # another deployment's: unknown
    assert jobs.ticket("upload", token, everything) is None  # another kind: unknown
    # the background job checks it too: the scoped deployment's job refuses the token
    with pytest.raises(PreventUpdate):
        peta_scan.run_scan(lambda _: None, token, "id", kecamatan)


def test_zoom_and_download_refuse_a_token_of_another_scope(tmp_path: Path) -> None:
    from dashboard.app import create_app
    from dashboard.testing import loaded_database

    demo = Path(__file__).resolve().parents[1] / "data" / "geo" / "demo_9901"
    url = loaded_database(demo, tmp_path / "demo.sqlite")
    scoped = create_app(url, Scope.of([KEC]))
    result = {"clusters": [], "bounds": [[[-7.0, 110.0], [-6.9, 110.1]]], "week": "2025-W10"}
    foreign = jobs.new_ticket("scan", {"scope": Scope.everything(), "result": result},
                              Scope.everything().key)  # fmt: skip
    own = jobs.new_ticket("scan", {"scope": Scope.of([KEC]), "result": result},
                          Scope.of([KEC]).key)  # fmt: skip
    with scoped.server.test_request_context():
        assert peta_scan._stored(own) is not None  # in scope: the stored result is used
        assert peta_scan._stored(foreign) is None


def test_the_page_accepts_what_the_importers_accept() -> None:
    from layers.ingest import readers

    assert jobs.UPLOAD_MAX_BYTES == readers.MAX_BYTES == readers.MAX_MB * 1024 * 1024
