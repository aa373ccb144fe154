"""The store: database schema, connection, region helpers and the scoped read queries.

Owns persistence. Submodules:

* :mod:`layers.store.types` — portable geometry column (PostGIS / WKB);
* :mod:`layers.store.models` — the canonical tables (design.md §4);
* :mod:`layers.store.engine` — URL, engine, Alembic ``upgrade``, sessions;
* :mod:`layers.store.regions` — regions dissolved from villages, polygon repair, areas;
* :mod:`layers.store.queries` — the one place data is read, always through a ``Scope``.
"""

from layers.store.engine import database_url, make_engine, session_factory, upgrade

__all__ = ["database_url", "make_engine", "session_factory", "upgrade"]
