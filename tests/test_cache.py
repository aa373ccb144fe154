"""The shared payload cache (dashboard/cache.py) on both backends: the filesystem and a real
Redis server (tests/redis_server.py) — get/set, single computation across threads and
spawned processes, the in-process byte bound, and the fallback when Redis is down."""

from __future__ import annotations

import logging
import multiprocessing
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import diskcache
import pytest
import redis
from sqlalchemy import create_engine

from dashboard import cache as cache_module
from dashboard.cache import SharedCache, code_version, redacted_url, storage_key, store_key
from dashboard.context import AppContext
from tests import cache_race
from tests.redis_server import RedisServer, free_port, redis_server, redis_url  # noqa: F401

BACKENDS = ["filesystem", "redis"]
Factory = Callable[..., SharedCache]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def config(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """Constructor arguments of a cache on the backend (a fresh folder, an empty Redis)."""
    out: dict[str, Any] = {"directory": str(tmp_path / "payloads"), "store": "teststore"}
    if backend == "redis":
        out["redis_url"] = request.getfixturevalue("redis_url")
    return out


@pytest.fixture
def new_cache(config: dict[str, Any]) -> Factory:
    """A new cache on the same backend each call: another worker's view of it."""
    return lambda **more: SharedCache(**{**config, **more})


def _made(caplog: pytest.LogCaptureFixture, namespace: str) -> int:
    return sum(1 for r in caplog.records
               if r.name == "pws.cache" and r.getMessage().startswith(f"made {namespace} in "))


# --------------------------------------------------------------------------- keys


def test_code_version_follows_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A payload cached by other code (an upgrade: another format) is never served."""
    import dashboard.cache as cache_module

    assert re.fullmatch(r"[0-9a-f]{10}", code_version())
    assert code_version() == code_version()
    for folder in ("layers", "dashboard"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.py").write_text("A = 1\n")
    (tmp_path / "dashboard" / "cache.py").write_text("")
    monkeypatch.setattr(cache_module, "__file__", str(tmp_path / "dashboard" / "cache.py"))
    before = cache_module.code_version()
    (tmp_path / "layers" / "x.py").write_text("A = 2\n")
    assert cache_module.code_version() != before


def test_storage_key_is_stable_readable_and_checked() -> None:
    key = ("desa", "v1", "all", "sedang", "geobuf")
    name = storage_key(key, "abc123")
    prefix, digest = name.rsplit(":", 1)
    assert prefix == f"pws:v1:{code_version()}:abc123:desa"
    assert len(digest) == 40 and int(digest, 16) >= 0
    assert storage_key(key, "abc123") == name
    assert storage_key(key, "other") != name  # another database
    assert storage_key(("desa", "v2", "all", "sedang", "geobuf"), "abc123") != name
    assert storage_key(("a b/c", 1, None)).startswith(f"pws:v1:{code_version()}:-:a_b_c:")
    for bad in ((), (1, "x"), ("desa", 1.5), ("desa", b"x"), ("desa", ("nested",))):
        with pytest.raises(TypeError):
            storage_key(bad)  # type: ignore[arg-type]


def test_redacted_url_drops_credentials() -> None:
    assert redacted_url("redis://:s3cret@cache.local:6380/2") == "redis://cache.local:6380/2"
    assert redacted_url("rediss://user:s3cret@10.0.0.5/0?password=x") == "rediss://10.0.0.5/0"
    assert redacted_url("redis://[::1]:6379") == "redis://[::1]:6379"
    assert "s3cret" not in redacted_url("unix://:s3cret@/run/redis.sock?password=s3cret")


def test_store_key_names_the_database() -> None:
    assert store_key("sqlite:///a.sqlite") == store_key("sqlite:///a.sqlite")
    assert store_key("sqlite:///a.sqlite") != store_key("sqlite:///b.sqlite")
    assert len(store_key("x")) == 12


# --------------------------------------------------------------------------- both backends


def test_get_and_set(new_cache: Factory, backend: str) -> None:
    one = new_cache()
    assert one.backend == backend
    assert one.get(("desa", "v", 1)) is None
    one.set(("desa", "v", 1), b"payload")
    assert one.get(("desa", "v", 1)) == b"payload"
    assert one.get(("desa", "v", 2)) is None
    other = new_cache()  # another worker: its memory is empty, the backend is shared
    assert not other.in_memory(("desa", "v", 1))
    assert other.get(("desa", "v", 1)) == b"payload"
    assert other.in_memory(("desa", "v", 1))
    with pytest.raises(TypeError):
        one.set(("desa", "v", 3), "not bytes")  # type: ignore[arg-type]


def test_get_or_make_computes_once(new_cache: Factory,
                                   caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="pws.cache")
    calls: list[int] = []

    def make() -> bytes:
        calls.append(1)
        return b"x" * 5000

    one, other = new_cache(), new_cache()
    assert one.get_or_make(("titik", "fasilitas", "all"), make) == b"x" * 5000
    assert one.get_or_make(("titik", "fasilitas", "all"), make) == b"x" * 5000
    assert other.get_or_make(("titik", "fasilitas", "all"), make) == b"x" * 5000
    assert other.get(("titik", "fasilitas", "all")) == b"x" * 5000
    assert len(calls) == 1
    assert _made(caplog, "titik") == 1
    message = next(r.getMessage() for r in caplog.records if r.name == "pws.cache"
                   and r.getMessage().startswith("made "))  # fmt: skip
    assert message.endswith("ms (5000 bytes)"), message
    # another key is another computation
    assert other.get_or_make(("titik", "posyandu", "all"), lambda: b"p") == b"p"
    assert _made(caplog, "titik") == 2


def test_threads_missing_together_compute_once(new_cache: Factory) -> None:
    shared = new_cache()
    calls: list[int] = []
    barrier = threading.Barrier(8)
    results: list[bytes] = []

    def make() -> bytes:
        calls.append(1)
        time.sleep(0.3)
        return b"slow"

    def worker() -> None:
        barrier.wait()
        results.append(shared.get_or_make(("desa", "race"), make))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert results == [b"slow"] * 8
    assert len(calls) == 1


def test_a_failed_make_leaves_nothing_and_frees_the_key(new_cache: Factory) -> None:
    one = new_cache()

    def broken() -> bytes:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        one.get_or_make(("desa", "k"), broken)
    assert one.get(("desa", "k")) is None
    start = time.monotonic()
    assert new_cache().get_or_make(("desa", "k"), lambda: b"ok") == b"ok"  # lock released
    assert time.monotonic() - start < 5
    with pytest.raises(TypeError):
        one.get_or_make(("desa", "str"), lambda: "text")  # type: ignore[arg-type, return-value]


def test_two_processes_compute_once(config: dict[str, Any], tmp_path: Path) -> None:
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    out = tmp_path / "race"
    out.mkdir()
    procs = [spawn.Process(target=cache_race.race, args=(config, barrier, str(out), i))
             for i in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    made = sorted(path.name for path in out.glob("made-*"))
    assert len(made) == 1, made
    winner = made[0].removeprefix("made-")
    values = {(out / f"value-{i}").read_bytes() for i in (0, 1)}
    assert values == {f"value of {winner}".encode()}
    assert SharedCache(**config).get(cache_race.KEY) == f"value of {winner}".encode()


# --------------------------------------------------------------------------- memory tier


def test_memory_tier_is_bounded_by_bytes(tmp_path: Path) -> None:
    one = SharedCache(directory=tmp_path / "c", memory_bytes=1000)
    for i in range(3):
        one.set(("desa", i), bytes([i]) * 400)
        assert one.memory_bytes <= 1000
    assert one.memory_bytes == 800
    assert not one.in_memory(("desa", 0))  # the least recently used went first
    assert one.in_memory(("desa", 1)) and one.in_memory(("desa", 2))
    assert one.get(("desa", 0)) == bytes([0]) * 400  # still in the backend
    assert one.in_memory(("desa", 0)) and not one.in_memory(("desa", 1))
    # a value larger than the whole tier is returned and stored, never held in memory
    big = one.get_or_make(("desa", "big"), lambda: b"b" * 2000)
    assert big == b"b" * 2000 and not one.in_memory(("desa", "big"))
    assert one.memory_bytes <= 1000
    assert SharedCache(directory=tmp_path / "c").get(("desa", "big")) == big
    # replacing a key does not count it twice
    one.set(("desa", 2), b"z" * 100)
    assert one.memory_bytes == sum(len(v) for v in (bytes([0]) * 400, b"z" * 100))


def test_no_memory_tier(tmp_path: Path) -> None:
    one = SharedCache(directory=tmp_path / "c", memory_bytes=0)
    one.set(("desa", 1), b"v")
    assert not one.in_memory(("desa", 1)) and one.memory_bytes == 0
    assert one.get(("desa", 1)) == b"v"


# --------------------------------------------------------------------------- backends


def test_filesystem_backend_is_a_size_limited_diskcache(tmp_path: Path) -> None:
    one = SharedCache(directory=tmp_path / "c", disk_bytes=5 * 1024 * 1024, ttl_seconds=60)
    assert one.backend == "filesystem" and one.directory == tmp_path / "c"
    one.set(("desa", 1), b"v" * 100_000)
    with diskcache.Cache(str(tmp_path / "c")) as raw:
        assert raw.size_limit == 5 * 1024 * 1024
        name = storage_key(("desa", 1))
        value, expire_time = raw.get(name, expire_time=True)
        assert value == b"v" * 100_000
        assert 0 < expire_time - time.time() <= 60


def test_redis_entries_have_a_ttl(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    one = SharedCache(directory=tmp_path / "c", redis_url=redis_url, store="s")
    one.set(("desa", 1), b"v")
    client = redis.Redis.from_url(redis_url)
    ttl = client.ttl(storage_key(("desa", 1), "s"))
    assert 29 * 24 * 3600 < ttl <= 30 * 24 * 3600
    assert client.get(storage_key(("desa", 1), "s")) == b"v"
    assert not (tmp_path / "c").exists()  # nothing on the filesystem while Redis answers


def test_redis_unreachable_falls_back_without_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pws.cache")
    port = free_port()  # nothing listens there
    url = f"redis://:s3cretpw@127.0.0.1:{port}/0"
    one = SharedCache(directory=tmp_path / "c", redis_url=url)
    assert one.backend == "filesystem"
    assert one.get_or_make(("desa", 1), lambda: b"made anyway") == b"made anyway"
    one.set(("desa", 2), b"two")
    assert one.get(("desa", 2)) == b"two"
    assert SharedCache(directory=tmp_path / "c").get(("desa", 1)) == b"made anyway"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert f"127.0.0.1:{port}" in warnings[0].getMessage()
    assert all("s3cretpw" not in r.getMessage() for r in caplog.records)


def test_redis_going_away_falls_back(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    caplog.set_level(logging.INFO, logger="pws.cache")
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        one = SharedCache(directory=tmp_path / "c", redis_url=server.url, memory_bytes=0)
        one.set(("desa", 1), b"on redis")
        assert one.backend == "redis"
    finally:
        server.stop()
    assert one.get(("desa", 1)) is None  # gone with the server; not an error
    assert one.backend == "filesystem"
    assert one.get_or_make(("desa", 2), lambda: b"on disk") == b"on disk"
    assert SharedCache(directory=tmp_path / "c").get(("desa", 2)) == b"on disk"
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()
    # Redis is tried again after the retry interval (still down: no second warning)
    monkeypatch.setattr(cache_module, "REDIS_RETRY_SECONDS", 0.0)
    one._down_until = 0.0
    assert one.get_or_make(("desa", 3), lambda: b"three") == b"three"
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


# --------------------------------------------------------------------------- settings


def test_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                  redis_url: str) -> None:  # noqa: F811  # fmt: skip
    monkeypatch.setenv("PWS_CACHE_DIR", str(tmp_path / "env-cache"))
    monkeypatch.setenv("PWS_CACHE_MEMORY_MB", "0.001")  # 1048 bytes
    monkeypatch.delenv("PWS_REDIS_URL", raising=False)
    one = SharedCache.from_env(store="s")
    assert one.backend == "filesystem" and one.directory == tmp_path / "env-cache"
    one.set(("desa", 1), b"a" * 1000)
    assert one.in_memory(("desa", 1))
    one.set(("desa", 2), b"b" * 1100)
    assert not one.in_memory(("desa", 2))
    monkeypatch.setenv("PWS_REDIS_URL", redis_url)
    monkeypatch.setenv("PWS_CACHE_TTL_DAYS", "1")
    two = SharedCache.from_env(store="s")
    assert two.backend == "redis"
    two.set(("desa", 1), b"r")
    assert 0 < redis.Redis.from_url(redis_url).ttl(storage_key(("desa", 1), "s")) <= 86400
    for name, bad in (("PWS_CACHE_MEMORY_MB", "lots"), ("PWS_CACHE_DISK_MB", "-1")):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValueError, match=name):
            SharedCache.from_env()
        monkeypatch.delenv(name)


def test_default_directory_is_beside_the_jobs_cache(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.delenv("PWS_CACHE_DIR", raising=False)
    monkeypatch.delenv("PWS_REDIS_URL", raising=False)
    monkeypatch.setenv("PWS_JOBS_DIR", str(tmp_path / "jobs"))
    assert SharedCache.from_env().directory == tmp_path / "jobs" / "payloads"


def test_app_context_cache_is_shared_and_named_by_database(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:  # fmt: skip
    monkeypatch.setenv("PWS_CACHE_DIR", str(tmp_path / "ctx-cache"))
    monkeypatch.delenv("PWS_REDIS_URL", raising=False)
    a = AppContext(create_engine(f"sqlite:///{tmp_path / 'a.sqlite'}"))
    b = AppContext(create_engine(f"sqlite:///{tmp_path / 'b.sqlite'}"))
    assert isinstance(a.geo_cache, SharedCache) and a.cache is a.geo_cache
    assert a.cache.directory == tmp_path / "ctx-cache"
    assert a.cache.store == store_key(f"sqlite:///{tmp_path / 'a.sqlite'}") != b.cache.store
    a.cache.set(("desa", "i1"), b"database a")
    assert b.cache.get(("desa", "i1")) is None  # same versions, another database
