"""Shared helpers for importer tests: a demo store per test, table dumps to compare."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from dashboard import testing
from layers.store import engine as store_engine

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "geo" / "demo_9901"
DATA_TABLES = ("wilayah", "penduduk", "fasilitas", "kasus_mingguan", "kader",
               "kader_keterampilan", "meta")  # fmt: skip


@functools.cache
def _template() -> Path:
    """The demo loaded once per test process; tests get copies of the file."""
    path = Path(tempfile.mkdtemp(prefix="pws-demo-")) / "pws.sqlite"
    engine = store_engine.make_engine(testing.loaded_database(DEMO, path))
    with engine.connect() as conn:  # fold the WAL into the main file so one file is enough
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def demo_engine(tmp_path: Path) -> Engine:
    """A fresh SQLite store with the demo district loaded (a copy of a per-process template)."""
    target = tmp_path / "pws.sqlite"
    shutil.copyfile(_template(), target)
    return store_engine.make_engine(f"sqlite:///{target}")


def dump(engine: Engine, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, pd.DataFrame]:
    """Every row of the data tables, sorted, for before/after comparisons."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            frame = pd.read_sql(text(f"SELECT * FROM {table}"), conn)
            out[table] = frame.sort_values(list(frame.columns[:4])).reset_index(drop=True)
    return out


def assert_same(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> None:
    for table, frame in before.items():
        pd.testing.assert_frame_equal(frame, after[table], obj=table)
