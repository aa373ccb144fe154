"""The server's shared cache of encoded payloads (bytes), the same for every gunicorn worker.

:class:`SharedCache` keeps what the geometry and overlay routes (and any other part of the
server) encode once, so several workers do not each recompute it. Two tiers:

* in front, a small in-process LRU bounded by total bytes (``PWS_CACHE_MEMORY_MB``, default
  256 MiB; ``0`` turns it off): a hit costs no I/O;
* behind it, a backend shared by every worker:

  - the filesystem by default: a :class:`diskcache.Cache` in ``PWS_CACHE_DIR`` (default: the
    folder ``payloads`` in the deployment's jobs folder, beside the jobs cache,
    :func:`dashboard.jobs.jobs_dir`), bounded by ``PWS_CACHE_DISK_MB`` (default 2 GiB) —
    diskcache's own ``size_limit`` culling evicts the least recently stored entries;
  - Redis when ``PWS_REDIS_URL`` is set (the ``redis`` package): entries are written with a
    TTL (``PWS_CACHE_TTL_DAYS``, default 30 days, ``0``: none; Redis's own ``EX``; the
    filesystem entries expire after the same time through diskcache's ``expire``). Memory
    is bounded by the Redis server's ``maxmemory`` policy, not here. When Redis cannot be
    reached the cache logs one warning (its URL without credentials) and uses the
    filesystem backend instead, trying Redis again every :data:`REDIS_RETRY_SECONDS`: a
    cache outage is never a 500.

Keys are tuples of ``str``/``int``/``None`` whose first element names the kind of payload
(its *namespace*, e.g. ``"desa"``). They must name immutable content — put the store
versions in them (:func:`layers.store.queries.geometry_version`, ``data_version``) — since a
worker's in-process tier never learns that another worker overwrote a key. The stored key is
``pws:v1:<code>:<store>:<namespace>:<sha1 of the tuple's repr>``, ``<code>`` the code's
version (:func:`code_version`), ``<store>`` naming the database
(:func:`store_key`) so deployments sharing one Redis, or tests sharing one folder, never
read each other's payloads.

:meth:`SharedCache.get_or_make` is single-flight: when several threads or workers miss the
same key at once, one computes and the others wait for it. Threads of one process wait on a
per-key :class:`threading.Lock`; processes on a per-key lock of the backend —
:class:`diskcache.Lock` (diskcache's recipe, in a separate non-evicting cache) or redis-py's
:class:`redis.lock.Lock` — that expires after :data:`LOCK_SECONDS`, so a worker killed while
computing blocks the others no longer than that. After taking the lock the backend is read
again: the value a previous holder stored is used, not recomputed.

Written here by hand, because neither diskcache nor redis-py offers it: the key derivation,
the byte-bounded in-process LRU (``functools.lru_cache`` bounds by count, not size), the
per-key thread locks, the check-lock-recheck sequence, the failover from Redis to the
filesystem, and the log line of each computation: ``made <namespace> in <ms> ms (<bytes>
bytes)`` at INFO on the logger ``pws.cache``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import diskcache

log = logging.getLogger("pws.cache")



def code_version() -> str:
    """A hash of the code that makes the payloads (``layers/`` and ``dashboard/``, sources
    and assets): a payload cached by another version of the code is never served, even
    from a cache that outlived an upgrade (a payload's format follows the code)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    for folder in ("layers", "dashboard"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".js", ".csv") and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


#: the prefix of every stored key: the key format's version, then the code's
KEY_PREFIX = f"pws:v1:{code_version()}:"
MIB = 1024 * 1024
DEFAULT_MEMORY_BYTES = 256 * MIB
DEFAULT_DISK_BYTES = 2048 * MIB
DEFAULT_TTL_SECONDS = 30 * 24 * 3600
#: the longest one worker holds a key's lock while computing; the others wait at most this
LOCK_SECONDS = 120.0
#: after Redis failed, the filesystem backend is used this long before Redis is tried again
REDIS_RETRY_SECONDS = 30.0
_SAFE = re.compile(r"[^A-Za-z0-9_.\-]+")
T = TypeVar("T")
Release = Callable[[], None]


def redacted_url(url: str) -> str:
    """``url`` without user, password or query (which may carry a password), for logs."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = parts.port
    except ValueError:
        return "<unparsable URL>"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def store_key(database_url: str) -> str:
    """A short name for a database (its URL, password included, hashed): the ``<store>``
    part of every key, the same in every worker of a deployment."""
    return hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]


def storage_key(key: tuple, store: str = "") -> str:
    """The backend's string key for a key tuple: ``pws:v1:<code>:<store>:<namespace>:<sha1>``.

    Raises :class:`TypeError` for an empty tuple, a first element that is not a string, or
    an element that is not ``str``, ``int`` or ``None`` (whose ``repr`` is not stable).
    """
    if not isinstance(key, tuple) or not key or not isinstance(key[0], str):
        raise TypeError("a cache key is a non-empty tuple starting with its namespace (str)")
    for part in key:
        if part is not None and not isinstance(part, str | int):
            raise TypeError(f"a cache key holds str, int or None, not {type(part).__name__}")
    namespace = _SAFE.sub("_", key[0])[:40] or "_"
    digest = hashlib.sha1(repr(key).encode("utf-8")).hexdigest()
    return f"{KEY_PREFIX}{store or '-'}:{namespace}:{digest}"


class _Memory:
    """The in-process tier: an LRU of byte strings bounded by their total length."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.total = 0
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.total -= len(old)
            if len(value) > self.max_bytes:
                return  # larger than the whole tier: the backend alone keeps it
            self._items[key] = value
            self.total += len(value)
            while self.total > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.total -= len(dropped)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items


class _Store(Protocol):
    """A shared backend: string keys, byte values, a per-key lock across processes."""

    label: str

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...

    def acquire(self, key: str) -> Release: ...


class _FileStore:
    """The filesystem backend: diskcache (size limit, expiry and the lock recipe are its own).

    The caches are opened lazily and again in a forked child (an SQLite connection must not
    cross a fork).
    """

    label = "filesystem"

    def __init__(self, directory: Path, size_limit: int, ttl_seconds: float,
                 lock_seconds: float) -> None:  # fmt: skip
        self.directory = directory
        self._size_limit = size_limit
        self._ttl = ttl_seconds if ttl_seconds > 0 else None
        self._lock_seconds = lock_seconds
        self._pid: int | None = None
        self._open_lock = threading.Lock()
        self._data: diskcache.Cache | None = None
        self._locks: diskcache.Cache | None = None

    def _caches(self) -> tuple[diskcache.Cache, diskcache.Cache]:
        with self._open_lock:
            if self._pid != os.getpid() or self._data is None or self._locks is None:
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._data = diskcache.Cache(str(self.directory), size_limit=self._size_limit,
                                             eviction_policy="least-recently-stored")
                # locks apart, never evicted: diskcache.Lock assumes its key stays
                self._locks = diskcache.Cache(str(self.directory / "locks"),
                                              eviction_policy="none")
                self._pid = os.getpid()
            return self._data, self._locks

    def get(self, key: str) -> bytes | None:
        value = self._caches()[0].get(key, default=None, retry=True)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        self._caches()[0].set(key, value, expire=self._ttl, retry=True)

    def acquire(self, key: str) -> Release:
        lock = diskcache.Lock(self._caches()[1], key, expire=self._lock_seconds)
        lock.acquire()  # spins until free, or until a dead holder's entry expires
        return lock.release


class _RedisStore:
    """The Redis backend: ``GET``/``SET … EX`` and redis-py's lock (its own expiry).

    redis-py's connection pool reconnects by itself in a forked child.
    """

    label = "redis"

    def __init__(self, url: str, ttl_seconds: float, lock_seconds: float) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self._errors = redis.RedisError
        # one immediate retry (a pooled connection a restarted server dropped), then the
        # failover: no backoff of seconds on every request while Redis is down
        self._client = redis.Redis.from_url(url, socket_connect_timeout=2.0,
                                            socket_timeout=30.0, retry=Retry(NoBackoff(), 1))
        self._ttl = max(1, round(ttl_seconds)) if ttl_seconds > 0 else None
        self._lock_seconds = lock_seconds

    def ping(self) -> None:
        self._client.ping()

    def get(self, key: str) -> bytes | None:
        value = self._client.get(key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        self._client.set(key, value, ex=self._ttl)

    def acquire(self, key: str) -> Release:
        lock = self._client.lock(f"{key}:lock", timeout=self._lock_seconds,
                                 blocking_timeout=self._lock_seconds)  # fmt: skip
        if not lock.acquire():
            log.warning("waited %.0f s for another worker's lock; computing too",
                        self._lock_seconds)  # fmt: skip
            return lambda: None

        def release() -> None:
            # the lock expired while computing, or Redis went away meanwhile
            with contextlib.suppress(self._errors):
                lock.release()

        return release


class SharedCache:
    """Encoded payloads shared by every worker: in-process LRU in front of a shared backend.

    The API the server uses: :meth:`get_or_make`, :meth:`get`, :meth:`set` (see the module
    docstring for the tiers, the keys, the locks and the log line).
    """

    def __init__(self, *, directory: Path | str | None = None, redis_url: str | None = None,
                 store: str = "", memory_bytes: int = DEFAULT_MEMORY_BYTES,
                 disk_bytes: int = DEFAULT_DISK_BYTES,
                 ttl_seconds: float = DEFAULT_TTL_SECONDS,
                 lock_seconds: float = LOCK_SECONDS) -> None:  # fmt: skip
        """``directory``: the filesystem backend's folder (default :func:`default_directory`;
        with Redis, where the fallback goes); ``redis_url``: use Redis; ``store``: the
        database's name in the keys (:func:`store_key`)."""
        self.store = store
        self._memory = _Memory(max(0, memory_bytes))
        folder = Path(directory) if directory is not None else default_directory()
        self._files = _FileStore(folder, disk_bytes, ttl_seconds, lock_seconds)
        self._redis: _RedisStore | None = None
        self._redis_url = redacted_url(redis_url) if redis_url else None
        self._redis_password = urlsplit(redis_url).password if redis_url else None
        self._down_until = 0.0
        self._outage = False
        self._state_lock = threading.Lock()
        self._inflight: dict[str, list[Any]] = {}
        self._inflight_lock = threading.Lock()
        if redis_url:
            self._redis = _RedisStore(redis_url, ttl_seconds, lock_seconds)
            try:
                self._redis.ping()
            except self._redis._errors as exc:
                self._redis_failed(exc)
            else:
                log.info("shared cache: redis at %s", self._redis_url)

    @classmethod
    def from_env(cls, store: str = "") -> SharedCache:
        """The cache as the environment configures it (``PWS_REDIS_URL``, ``PWS_CACHE_DIR``,
        ``PWS_CACHE_MEMORY_MB``, ``PWS_CACHE_DISK_MB``, ``PWS_CACHE_TTL_DAYS``)."""
        directory = os.environ.get("PWS_CACHE_DIR", "").strip()
        return cls(
            directory=Path(directory) if directory else None,
            redis_url=os.environ.get("PWS_REDIS_URL", "").strip() or None,
            store=store,
            memory_bytes=round(_number("PWS_CACHE_MEMORY_MB", 256) * MIB),
            disk_bytes=round(_number("PWS_CACHE_DISK_MB", 2048) * MIB),
            ttl_seconds=_number("PWS_CACHE_TTL_DAYS", 30) * 24 * 3600,
        )

    # ----------------------------------------------------------------------- the API

    def get(self, key: tuple) -> bytes | None:
        """The value under ``key`` (memory, then the backend), or None."""
        name = storage_key(key, self.store)
        value = self._memory.get(name)
        if value is None:
            value = self._shared(lambda s: s.get(name))
            if value is not None:
                self._memory.put(name, value)
        return value

    def set(self, key: tuple, value: bytes) -> None:
        """Keep ``value`` under ``key`` in memory and in the backend."""
        if not isinstance(value, bytes):
            raise TypeError(f"the shared cache keeps bytes, not {type(value).__name__}")
        name = storage_key(key, self.store)
        self._memory.put(name, value)
        self._shared(lambda s: s.set(name, value))

    def get_or_make(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        """The value under ``key``; on a miss ``make()`` computes it — once across threads and
        workers — and it is stored. Each computation is logged (``made …``)."""
        name = storage_key(key, self.store)
        value = self._memory.get(name)
        if value is not None:
            return value
        with self._one_thread(name):
            value = self._memory.get(name)
            if value is None:
                value = self._shared(lambda s: s.get(name))
            if value is None:
                release = self._shared(lambda s: s.acquire(name))
                try:
                    value = self._shared(lambda s: s.get(name))  # stored while we waited?
                    if value is None:
                        value = self._make(key[0], make)
                        self._shared(lambda s: s.set(name, value))
                finally:
                    release()
            self._memory.put(name, value)
        return value

    # ----------------------------------------------------------------------- state

    @property
    def backend(self) -> str:
        """The backend in use now: ``"redis"`` or ``"filesystem"``."""
        return self._current().label

    @property
    def directory(self) -> Path:
        """The filesystem backend's folder (with Redis: where the fallback goes)."""
        return self._files.directory

    @property
    def memory_bytes(self) -> int:
        """Bytes held by the in-process tier now (at most its bound)."""
        return self._memory.total

    def in_memory(self, key: tuple) -> bool:
        """Whether the in-process tier holds ``key`` now."""
        return storage_key(key, self.store) in self._memory

    # ----------------------------------------------------------------------- internals

    @staticmethod
    def _make(namespace: str, make: Callable[[], bytes]) -> bytes:
        start = time.perf_counter()
        value = make()
        if not isinstance(value, bytes):
            raise TypeError(f"make() returned {type(value).__name__}, not bytes")
        ms = (time.perf_counter() - start) * 1000
        log.info("made %s in %.0f ms (%d bytes)", namespace, ms, len(value))
        return value

    @contextmanager
    def _one_thread(self, name: str) -> Iterator[None]:
        """One thread of this process at a time per key (the others wait, then hit memory)."""
        with self._inflight_lock:
            entry = self._inflight.setdefault(name, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._inflight_lock:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._inflight[name]

    def _current(self) -> _Store:
        if self._redis is not None and time.monotonic() >= self._down_until:
            return self._redis
        return self._files

    def _shared(self, op: Callable[[_Store], T]) -> T:
        """``op`` on the backend in use; on a Redis error, on the filesystem instead."""
        store = self._current()
        if store is not self._redis or self._redis is None:
            return op(store)
        try:
            result = op(store)
        except self._redis._errors as exc:
            self._redis_failed(exc)
            return op(self._files)
        if self._outage:
            with self._state_lock:
                if self._outage:
                    self._outage = False
                    log.info("redis at %s is back: shared cache on redis again",
                             self._redis_url)  # fmt: skip
        return result

    def _redis_failed(self, exc: Exception) -> None:
        with self._state_lock:
            self._down_until = time.monotonic() + REDIS_RETRY_SECONDS
            if self._outage:
                return
            self._outage = True
        reason = str(exc)
        if self._redis_password:
            reason = reason.replace(self._redis_password, "***")
        log.warning("redis at %s unreachable (%s: %s): shared cache on the filesystem "
                    "(%s) until it answers", self._redis_url, type(exc).__name__, reason,
                    self._files.directory)  # fmt: skip


def default_directory() -> Path:
    """The filesystem backend's default folder: ``payloads`` in the deployment's jobs folder
    (beside the jobs cache), the same for every worker of a deployment."""
    from dashboard.jobs import jobs_dir  # the jobs module is heavy; only when needed

    return jobs_dir() / "payloads"


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value < 0:
        raise ValueError(f"{name} must not be negative, not {raw!r}")
    return value
