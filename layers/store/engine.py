"""Database connection of the store: URL, engine, migrations, sessions.

Owns where the data lives (``PWS_DATABASE_URL``, default a SQLite file under ``var/``),
how engines are configured per backend (SQLite pragmas), and running the Alembic
migrations programmatically (no ``alembic.ini`` needed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "PWS_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _var_dir() -> Path:
    """``<repo root>/var`` for a source checkout / editable install, else ``./var``."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").exists():  # installed into site-packages
        root = Path.cwd()
    return root / "var"


def database_url() -> str:
    """The database URL: ``$PWS_DATABASE_URL`` or ``sqlite:///<repo>/var/pws.sqlite``.

    The ``var/`` directory is created when the default is used.
    """
    url = os.environ.get(ENV_URL, "").strip()
    if url:
        return url
    var = _var_dir()
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'pws.sqlite'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (default :func:`database_url`).

    Parameters
    ----------
    url
        SQLAlchemy URL: ``sqlite:///path`` or ``postgresql+psycopg://…``. A plain
        ``postgresql://`` URL is given the psycopg 3 driver.
    **kwargs
        Passed to :func:`sqlalchemy.create_engine`.

    Returns
    -------
    Engine
        On SQLite, every connection has foreign keys enforced and WAL journaling.
    """
    url = url or database_url()
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config() -> Config:
    """An Alembic config pointing at the package's migrations (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database of ``engine`` to ``revision`` (default the newest)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database of ``engine`` back to ``revision`` (tests of a migration)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
