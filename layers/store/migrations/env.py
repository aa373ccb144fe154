"""Alembic environment of the store: runs migrations on a given or configured connection.

Owns how Alembic reaches the database. :func:`layers.store.engine.upgrade` passes an open
connection through ``config.attributes["connection"]``; without one (the ``alembic`` command
line) an engine is built from ``PWS_DATABASE_URL`` via :func:`layers.store.engine.make_engine`.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from layers.store.models import Base

config = context.config
target_metadata = Base.metadata


#: tables PostGIS creates itself; autogenerate must not propose dropping them
POSTGIS_TABLES = frozenset({"spatial_ref_sys", "geometry_columns", "geography_columns"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave PostGIS's own tables out of autogenerate comparisons."""
    return not (type_ == "table" and reflected and compare_to is None and name in POSTGIS_TABLES)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the connection handed over by the caller, or on a fresh engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from layers.store.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
