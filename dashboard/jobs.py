"""Background jobs: the ticket store (uploads, imports, scans), their engines, the scan runner.

A browser holds only random tokens. Behind each token the server keeps a *ticket* in a
per-user diskcache (:func:`jobs_cache`, shared by every gunicorn worker and by the
background-callback processes): an upload (saved file, name, size), an import job (file,
kind, importer options, scope, user and a key naming the app's database) or a map-page scan
job (scope, week, parameters, database key; the job adds its result, :func:`update_ticket`).
A job process rebuilds its engine from that key through the database URL kept in this
process's memory, never on disk (:func:`database_key`, :func:`job_engine`, :func:`run_ticket`).

A scan job runs :func:`layers.diarrhoea.service.scan_for` in a freshly *spawned* process
(:func:`run_scan`): numba's OpenMP threads, started by the web server's warm-up, do not
survive a fork.
"""

from __future__ import annotations

import base64
import binascii
import functools
import getpass
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import diskcache
from sqlalchemy import make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from layers import spawned
from layers.diarrhoea import service
from layers.diarrhoea.scan import Cluster
from layers.epiweek import EpiWeek
from layers.ingest import run as ingest_run
from layers.ingest.base import Progress
from layers.ingest.problems import ImportReport
from layers.ingest.readers import MAX_BYTES
from layers.scope import Scope
from layers.store import engine as store_engine

#: the largest file the page accepts: the importers' one limit
UPLOAD_MAX_BYTES = MAX_BYTES
#: uploads and job tickets older than this are forgotten
TICKET_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^\w.\-]+")
T = TypeVar("T")

#: database key -> URL (with its password), filled by :func:`database_key` in this process
#: (the page calls it when it registers) and inherited by the forked job processes; only the
#: key goes into a ticket on disk
_DATABASES: dict[str, str] = {}


def deployment_id() -> str:
    """A name for this deployment: its database, scope and secret (environment).

    Two deployments on one machine (say a province-wide one and one limited to a
    kecamatan) never share a job folder, so a ticket or a background result of one is
    unknown to the other.
    """
    parts = (os.environ.get("PWS_DATABASE_URL", ""), os.environ.get("PWS_SCOPE", ""),
             os.environ.get("PWS_SECRET_KEY", ""))  # fmt: skip
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:12]


def jobs_dir() -> Path:
    """Where uploads, tickets and background results live.

    ``PWS_JOBS_DIR`` when set; else a per-user, per-deployment temp folder
    (``$TMPDIR/pws-jobs-<user>-<deployment>``): the same for every gunicorn worker and job
    process of a deployment, different for another deployment.
    """
    configured = os.environ.get("PWS_JOBS_DIR", "").strip()
    folder = Path(configured) if configured else (
        Path(tempfile.gettempdir()) / f"pws-jobs-{getpass.getuser()}-{deployment_id()}")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


@functools.cache
def jobs_cache() -> diskcache.Cache:
    """The diskcache behind the background-callback manager and the page's tickets."""
    return diskcache.Cache(str(jobs_dir() / "cache"))


def _uploads_dir() -> Path:
    return jobs_dir() / "uploads"


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:24]


def database_key(engine: Engine) -> str:
    """A stable name for the app's database; the same in every worker of a deployment."""
    url = engine.url.render_as_string(hide_password=False)
    key = _url_key(url)
    _DATABASES[key] = url
    return key


def database_url(key: str) -> str | None:
    """The URL behind ``key``: from this process's memory (inherited by a forked job), else
    the configured database if it is the one named (a job started by spawn, not fork)."""
    if key in _DATABASES:
        return _DATABASES[key]
    configured = make_url(store_engine.database_url()).render_as_string(hide_password=False)
    return configured if _url_key(configured) == key else None


def ticket(kind: str, token: object, scope_key: str | None = None) -> dict[str, Any] | None:
    """The server-side record behind a token the browser holds (None if unknown).

    With ``scope_key`` (the server's scope of the caller), a ticket made under another scope
    is unknown too: every use of a scope-bound ticket checks it.
    """
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    found = jobs_cache().get(f"pws-{kind}:{token}")
    if not isinstance(found, dict):
        return None
    if scope_key is not None and found.get("server_scope") != scope_key:
        return None
    return found


def new_ticket(kind: str, data: dict[str, Any], scope_key: str | None = None) -> str:
    """Keep ``data`` behind a new random token; ``scope_key`` binds it to the server scope
    that made it (stored as ``server_scope``, checked by :func:`ticket`)."""
    token = secrets.token_hex(16)
    if scope_key is not None:
        data = {**data, "server_scope": scope_key}
    jobs_cache().set(f"pws-{kind}:{token}", data, expire=TICKET_SECONDS)
    return token


def update_ticket(kind: str, token: str, data: dict[str, Any]) -> None:
    """Replace the record behind an existing token (e.g. a job adding its result)."""
    if not _TOKEN.match(token):
        raise ValueError("not a ticket token")
    jobs_cache().set(f"pws-{kind}:{token}", data, expire=TICKET_SECONDS)


@contextmanager
def job_engine(key: str) -> Iterator[Engine | None]:
    """An engine of its own on the database named by ``key`` (None when unknown), disposed
    when the block ends."""
    url = database_url(key)
    if url is None:
        yield None
        return
    engine = store_engine.make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _sweep_uploads(now: float | None = None) -> None:
    """Delete upload folders older than the ticket lifetime."""
    now = time.time() if now is None else now
    folder = _uploads_dir()
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        try:
            if now - child.stat().st_mtime > TICKET_SECONDS:
                shutil.rmtree(child, ignore_errors=True)
        except OSError:
            continue


def save_upload(contents: str, filename: str,
                scope_key: str | None = None) -> tuple[str, Path, str]:  # fmt: skip
    """Save a ``dcc.Upload`` data URL to its own temp folder; return (token, path, name).
    ``scope_key`` binds the upload's ticket to the server scope (:func:`new_ticket`).

    Raises :class:`ValueError` for a malformed or too large upload.
    """
    _, _, payload = contents.partition(",")
    if len(payload) > UPLOAD_MAX_BYTES * 4 // 3 + 8:
        raise ValueError("too large")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64") from exc
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValueError("too large")
    display = Path(str(filename).replace("\\", "/")).name[:200] or "upload"
    stem, suffix = os.path.splitext(display)
    safe = (_UNSAFE.sub("_", stem)[:80] or "upload") + _UNSAFE.sub("", suffix.lower())[:10]
    _sweep_uploads()
    folder = _uploads_dir() / secrets.token_hex(16)
    folder.mkdir(parents=True, mode=0o700)
    path = folder / safe
    path.write_bytes(data)
    token = new_ticket("upload", {"path": str(path), "name": display, "size": len(data)},
                       scope_key)  # fmt: skip
    return token, path, display


def run_ticket(job: dict[str, Any], progress: Progress, then: Callable[[Engine], T]
               ) -> tuple[ImportReport, T] | None:  # fmt: skip
    """Run a job ticket's import on an engine of its own (None: its database is unknown);
    ``then`` reads what it needs from that engine before the engine is closed."""
    with job_engine(job["db"]) as engine:
        if engine is None:
            return None
        report = ingest_run.run_import(
            engine, job["jenis"], Path(job["path"]), user=job["user"], scope=job["scope"],
            options=job.get("options"), progress=progress, display_name=job["name"],
        )
        return report, then(engine)


def _scan_in(session: Session, scope: Scope, week: str, max_weeks: int, reps: int,
             progress: Callable[[int, int], None]) -> list[Cluster]:
    """The scan as the spawned child runs it (a module-level function: pickled)."""
    return service.scan_for(session, scope, EpiWeek.parse(week), max_weeks=max_weeks,
                            reps=reps, progress=progress).clusters


def run_scan(engine: Engine, job: dict[str, Any],
             progress: Callable[[int, int], None]) -> list[Cluster]:  # fmt: skip
    """Run :func:`service.scan_for` for a scan ticket in a spawned process; its clusters.

    The job process is a fork of the web server, which has already run the scan's numba
    kernels (start-up warm-up) in GNU OpenMP threads: OpenMP refuses to run in a forked
    child ("fork() called from a process already using GNU OpenMP"). A spawned process
    starts clean and loads the kernels from numba's on-disk cache. It is a child of the job,
    so the cancel button (which kills the job and its children) stops it too.
    """
    return spawned.call(engine, _scan_in, (job["scope"], job["week"], job["max_weeks"],
                                           job["reps"]), progress, name="pws-scan")
