"""The app's server-side context: database, the request's scope, and the shared cache.

The scope is decided here, on the server, for every request and callback — never
from region codes the browser sends. Until user accounts exist the whole
deployment has one scope, from ``PWS_SCOPE`` (comma-separated region codes; empty =
everything, the embedded single-office demo).

The cache of encoded payloads (:class:`dashboard.cache.SharedCache`) is shared by every
worker of the deployment; its keys name the database (:func:`dashboard.cache.store_key`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import flask
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from dashboard.cache import SharedCache, store_key
from layers.scope import Scope
from layers.store import engine as store_engine

EXTENSION_KEY = "pws"


def scope_from_env() -> Scope:
    raw = os.environ.get("PWS_SCOPE", "").strip()
    if not raw:
        return Scope.everything()
    return Scope.of(part.strip() for part in raw.split(",") if part.strip())


@dataclass
class AppContext:
    engine: Engine
    scope_resolver: Callable[[], Scope] = scope_from_env
    #: the shared cache of encoded payloads; by default as the environment configures it
    #: (:meth:`SharedCache.from_env`), keyed by this engine's database
    geo_cache: SharedCache = None  # type: ignore[assignment]  # made in __post_init__

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine)
        if self.geo_cache is None:
            url = self.engine.url.render_as_string(hide_password=False)
            self.geo_cache = SharedCache.from_env(store=store_key(url))

    @property
    def cache(self) -> SharedCache:
        """The shared cache (the same object as :attr:`geo_cache`)."""
        return self.geo_cache

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
