"""Real gunicorn with two workers shares one cache: the same payload is computed once.

Starts ``gunicorn --workers 2 --threads 4 dashboard.wsgi:server`` (as ``make run`` does) on a
copy of the demo store, once with the filesystem cache and once with Redis
(tests/redis_server.py), fires 20 concurrent requests at a village geometry URL and 20 at a
facility points URL (half of them asking for gzip), and checks from the logs that at least
two worker pids answered (access log ``%(p)s %(U)s``) while each payload and each
compression was made exactly once across the workers (``made <namespace> in …`` on the
logger ``pws.cache``). Also: background work runs in spawned, not forked, processes.
"""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session

from dashboard import geo_routes
from layers import spawned
from layers.scope import Scope
from layers.store import queries
from tests import spawn_probe
from tests.ingest.helpers import demo_engine
from tests.redis_server import free_port, redis_server, redis_url  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
EVERYTHING = Scope.everything()
CONCURRENT = 20
#: extra rounds fired only when one worker happened to take every request of the first
MAX_ROUNDS = 6
#: the gunicorn config: pws.cache at INFO on stderr, and a line once a worker has the app
CONFIG = '''
import logging
import os
import sys


def post_worker_init(worker):
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(process)d %(name)s %(message)s"))
    logger = logging.getLogger("pws.cache")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    print(f"pws-ready {os.getpid()}", file=sys.stderr, flush=True)
'''


@dataclass
class Gunicorn:
    base: str
    out: Path
    err: Path

    def access(self) -> list[tuple[str, str]]:
        """(pid, path) of every request answered so far."""
        found = re.findall(r"^<(\d+)> (\S+)$", self.out.read_text(), re.MULTILINE)
        return [(pid, path) for pid, path in found]

    def made(self, namespace: str) -> int:
        return len(re.findall(rf"^\d+ pws\.cache made {re.escape(namespace)} in \d+ ms",
                              self.err.read_text(), re.MULTILINE))  # fmt: skip


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A copy of the demo store: its URL and geometry version."""
    engine = demo_engine(tmp_path_factory.mktemp("multiworker"))
    with Session(engine) as session:
        version = queries.geometry_version(session)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    return url, version


@contextmanager
def gunicorn(folder: Path, env: dict[str, str]) -> Iterator[Gunicorn]:
    """Two gunicorn workers serving the app; stopped (SIGTERM to the master) afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gunicorn_conf.py").write_text(CONFIG)
    port = free_port()
    server = Gunicorn(f"http://127.0.0.1:{port}", folder / "out.log", folder / "err.log")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PWS_")}
    environment.update({"PWS_WARMUP": "0", "PWS_JOBS_DIR": str(folder / "jobs"),
                        "PWS_CACHE_DIR": str(folder / "cache"), **env})  # fmt: skip
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "--threads", "4", "--timeout", "120",
               "--access-logfile", "-", "--access-logformat", "%(p)s %(U)s",
               "--config", str(folder / "gunicorn_conf.py"), "dashboard.wsgi:server"]
    with server.out.open("wb") as out, server.err.open("wb") as err:
        proc = subprocess.Popen(command, cwd=REPO, env=environment, stdout=out, stderr=err)
    try:
        deadline = time.monotonic() + 240
        while len(set(re.findall(r"pws-ready (\d+)", server.err.read_text()))) < 2:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited ({proc.returncode}):\n"
                            f"{server.err.read_text()[-3000:]}")  # fmt: skip
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn's workers not ready:\n{server.err.read_text()[-3000:]}")
            time.sleep(0.2)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def _get(url: str, zipped: bool) -> bytes:
    request = urllib.request.Request(url, headers={
        "Accept-Encoding": "gzip" if zipped else "identity"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 200
        data = response.read()
        encoded = response.headers.get("Content-Encoding") == "gzip"
    assert encoded == zipped
    return gzip.decompress(data) if encoded else data


def _burst(server: Gunicorn, path: str) -> set[bytes]:
    """CONCURRENT requests at ``path`` released together, every other one asking for gzip;
    the distinct bodies (decoded)."""
    barrier = threading.Barrier(CONCURRENT)

    def one(i: int) -> bytes:
        barrier.wait()
        return _get(server.base + path, zipped=i % 2 == 0)

    with ThreadPoolExecutor(CONCURRENT) as pool:
        return set(pool.map(one, range(CONCURRENT)))


def _check_shared(server: Gunicorn, path: str, namespace: str) -> None:
    bodies = _burst(server, path)
    rounds = 1
    while len({pid for pid, p in server.access() if p == path}) < 2 and rounds < MAX_ROUNDS:
        bodies |= _burst(server, path)  # the kernel gave one worker every connection
        rounds += 1
    time.sleep(0.5)  # the log lines of the last requests
    pids = {pid for pid, p in server.access() if p == path}
    assert len(pids) >= 2, f"one worker answered all {rounds * CONCURRENT} requests"
    assert sum(1 for _, p in server.access() if p == path) == rounds * CONCURRENT
    assert len(bodies) == 1 and len(next(iter(bodies))) > 1024
    assert server.made(namespace) == 1, server.err.read_text()[-3000:]
    assert server.made(f"{namespace}.gz") == 1, server.err.read_text()[-3000:]


def _run(server: Gunicorn, version: str) -> None:
    _check_shared(server, geo_routes.village_url(version, EVERYTHING), "desa")
    _check_shared(server, geo_routes.overlay_url(EVERYTHING, "fasilitas"), "titik")


def test_two_workers_share_the_filesystem_cache(demo_db: tuple[str, str],
                                                tmp_path: Path) -> None:  # fmt: skip
    url, version = demo_db
    with gunicorn(tmp_path / "fs", {"PWS_DATABASE_URL": url}) as server:
        _run(server, version)
    assert any((tmp_path / "fs" / "cache").rglob("*.val"))  # large payloads as files


def test_two_workers_share_redis(demo_db: tuple[str, str], tmp_path: Path,
                                 redis_url: str) -> None:  # noqa: F811  # fmt: skip
    url, version = demo_db
    with gunicorn(tmp_path / "redis", {"PWS_DATABASE_URL": url,
                                       "PWS_REDIS_URL": redis_url}) as server:  # fmt: skip
        _run(server, version)
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).scan_iter("pws:v1:*")]
    # pws:v1:<code>:<store>:<namespace>:<sha1>
    namespaces = {k.split(":")[4] for k in keys if not k.endswith(":lock")}
    assert {"desa", "desa.gz", "titik", "titik.gz"} <= namespaces
    assert not (tmp_path / "redis" / "cache").exists()  # the fallback never used


def test_background_work_is_spawned_not_forked(tmp_path: Path) -> None:
    """The scan job and the deck export run through layers.spawned (spawn: numba's OpenMP
    threads do not survive a fork): the child does not inherit the parent's state."""
    engine = demo_engine(tmp_path)
    spawn_probe.MARK = "parent"
    try:
        mark, pid = spawned.call(engine, spawn_probe.probe, ())
    finally:
        spawn_probe.MARK = None
        engine.dispose()
    assert pid != os.getpid()
    assert mark is None  # a fork would have carried "parent" over
