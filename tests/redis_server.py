"""A throwaway Redis server for the tests that need one (the shared cache's Redis backend).

``redis_server`` (module scope) starts ``redis-server`` on a free localhost port in a temp
folder, without persistence (``--save '' --appendonly no``), and stops it afterwards;
``redis_url`` (per test) is its URL with the database emptied first. Without the
``redis-server`` binary the fixture FAILS saying how to install it — these tests are never
skipped. Import the fixtures where they are needed::

    from tests.redis_server import redis_server, redis_url  # noqa: F401
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

BINARY = "redis-server"


def free_port() -> int:
    """A TCP port free on localhost now (as dashboard.testing's, without importing the app)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisUnavailable(RuntimeError):
    """redis-server is missing or did not start."""


class RedisServer:
    """One redis-server process on 127.0.0.1, its files in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> None:
        binary = shutil.which(BINARY)
        if binary is None:
            raise RedisUnavailable(
                f"{BINARY} not found: install the Debian package redis-server "
                "(`make test` as root does, through scripts/install-system-deps.sh)")
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "redis.log").open("wb")
        self._process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)  # fmt: skip
        log.close()
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1.0)
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                output = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RedisUnavailable(f"{BINARY} exited ({self._process.returncode}): {output}")
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RedisUnavailable(f"{BINARY} did not answer within {timeout} s") \
                        from None
                time.sleep(0.05)
        client.close()

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
    except RedisUnavailable as exc:
        pytest.fail(f"the test Redis server could not be started: {exc}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The test server's URL, its database emptied."""
    client = redis_server.client()
    client.flushdb()
    client.close()
    return redis_server.url
