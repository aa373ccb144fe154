"""The app under measurement: served on localhost in a thread, with the shared cache's
computations collected (``pws.cache``'s ``made …`` lines) and a way to empty that cache;
the two village geometries measured (served and raw); environment settings for a while.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from dashboard import context, testing
from dashboard.app import create_app
from dashboard.cache import SharedCache
from layers.scope import Scope
from layers.store import queries

#: the village geometry variants (detail, format): the served default and the raw baseline
SERVED = ("rendah", "geobuf")
RAW = ("asli", "geojson")


class _Made(logging.Handler):
    """Collects the shared cache's ``made <namespace> in <ms> ms (<bytes> bytes)`` lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.made: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("made ") and len(record.args or ()) == 3:
            namespace, ms, size = record.args  # type: ignore[misc]
            with self._lock:
                self.made.append({"namespace": namespace, "ms": float(ms), "bytes": int(size)})

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            out, self.made = self.made, []
        return out


@dataclass
class Server:
    """The app served on localhost, with its context (to give it a fresh cache)."""

    base: str
    app: Any
    ctx: context.AppContext
    cache_root: Path
    made: _Made

    def fresh_cache(self) -> None:
        """A new, empty shared cache (memory tier and folder): the next requests are cold."""
        self.ctx.geo_cache = SharedCache(directory=tempfile.mkdtemp(dir=self.cache_root),
                                         store=self.ctx.geo_cache.store)  # fmt: skip
        self.made.take()

    def info(self) -> tuple[str, Scope, int]:
        """The boundary version, the scope and its number of villages."""
        with self.app.server.app_context():
            scope = self.ctx.scope()
            with self.ctx.session() as session:
                version = queries.geometry_version(session)
                n = len(queries.village_table(session, scope))
        return version, scope, n


@contextmanager
def serving(database_url: str, cache_root: Path, scope: Scope | None = None) -> Iterator[Server]:
    """The app on a free port in a thread (as :func:`dashboard.testing.serve`), on a fresh
    shared cache; the ``pws.cache`` log's computations are collected."""
    made = _Made()
    cache_log = logging.getLogger("pws.cache")
    level, propagate = cache_log.level, cache_log.propagate
    cache_log.addHandler(made)
    cache_log.setLevel(logging.INFO)
    cache_log.propagate = False
    app = create_app(database_url, scope)
    server = make_server("127.0.0.1", testing.free_port(), app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    srv = Server(f"http://127.0.0.1:{server.server_port}", app,
                 app.server.extensions[context.EXTENSION_KEY], cache_root, made)  # fmt: skip
    srv.fresh_cache()
    try:
        yield srv
    finally:
        server.shutdown()
        thread.join(timeout=10)
        cache_log.removeHandler(made)
        cache_log.setLevel(level)
        cache_log.propagate = propagate


@contextmanager
def environ(**values: str) -> Iterator[None]:
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
