"""The app's server-side context: database, the request's scope, and caches.

The scope is decided here, on the server, for every request and callback — never
from region codes the browser sends. Until user accounts exist the whole
deployment has one scope, from ``PWS_SCOPE`` (comma-separated region codes; empty =
everything, the embedded single-office demo).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from layers.scope import Scope
from layers.store import engine as store_engine

EXTENSION_KEY = "pws"


def scope_from_env() -> Scope:
    raw = os.environ.get("PWS_SCOPE", "").strip()
    if not raw:
        return Scope.everything()
    return Scope.of(part.strip() for part in raw.split(",") if part.strip())


class BytesCache:
    """A small thread-safe LRU cache of encoded responses."""

    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size

    def get_or_make(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: a slow encode must not block other keys
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value


@dataclass
class AppContext:
    engine: Engine
    scope_resolver: Callable[[], Scope] = scope_from_env
    geo_cache: BytesCache = field(default_factory=BytesCache)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def scope(self) -> Scope:
        return self.scope_resolver()


def make_context(database_url: str | None = None, scope: Scope | None = None) -> AppContext:
    engine = store_engine.make_engine(database_url)
    store_engine.upgrade(engine)
    if scope is None:
        return AppContext(engine)
    return AppContext(engine, scope_resolver=lambda: scope)


def current() -> AppContext:
    """The context of the running app (inside a request or callback)."""
    return flask.current_app.extensions[EXTENSION_KEY]
