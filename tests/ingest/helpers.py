"""Shared helpers for importer tests: a demo store per test, table dumps to compare, the CLI."""

from __future__ import annotations

import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text

from dashboard import testing
from dashboard.cli import main
from layers.ingest.problems import ImportReport
from layers.store import engine as store_engine

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "geo" / "demo_9901"
DATA_TABLES = ("wilayah", "penduduk", "fasilitas", "kasus_mingguan", "kader",
               "kader_keterampilan", "meta")  # fmt: skip
#: the data tables plus the undo copies (impor_log is expected to grow: it records rejected files)
ALL_TABLES = (*DATA_TABLES, "impor_cadangan")
#: the same without the 196k skill rows most importers cannot reach (keeps their suites fast)
NO_SKILLS = tuple(t for t in ALL_TABLES if t != "kader_keterampilan")


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


def demo_store(tmp_path: Path) -> Iterator[Engine]:
    """:func:`demo_engine` for a yield fixture: the engine is disposed of after the test."""
    engine = demo_engine(tmp_path)
    yield engine
    engine.dispose()


def dump(engine: Engine, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, pd.DataFrame]:
    """Every row of the data tables, sorted, for before/after comparisons."""
    out = {}
    with engine.connect() as conn:
        for table in tables:
            frame = pd.read_sql(text(f"SELECT * FROM {table}"), conn)
            out[table] = frame.sort_values(list(frame.columns[:4])).reset_index(drop=True)
    return out


def rows(engine: Engine, tables: tuple[str, ...] = ALL_TABLES) -> dict[str, list[tuple]]:
    """Every row of ``tables`` as raw values, in a fixed order (fast, exact: no pandas)."""
    out = {}
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in tables:
            width = len(cursor.execute(f"SELECT * FROM {table} LIMIT 0").description)
            order = ", ".join(str(i + 1) for i in range(width))
            out[table] = cursor.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
    finally:
        raw.close()
    return out


#: a bad-input case: how to spoil a good file, then the one problem expected (code, row, column)
BadCase = tuple[Callable[[pd.DataFrame], pd.DataFrame], str, int, str]


def assert_refused(run: Callable[[Path], ImportReport], engine: Engine,
                          tables: tuple[str, ...], case: BadCase, good: pd.DataFrame,
                          path: Path) -> None:  # fmt: skip
    """Spoil ``good`` as ``case`` says, save it as CSV at ``path`` and import it with ``run``:
    it is refused with the one expected problem, worded in both languages, and ``tables``
    keep every row."""
    mangle, code, row, column = case
    mangle(good).to_csv(path, index=False)
    before = rows(engine, tables)
    report = run(path)
    assert report.status == "ditolak"
    found = [(p.code, p.row, p.column) for p in report.problems]
    assert found == [(code, row, column)], report.text("en")
    assert report.problems[0].message("id") != report.problems[0].message("en")
    assert_same(before, rows(engine, tables))


def assert_same(before: dict[str, pd.DataFrame] | dict[str, list[tuple]],
                after: dict[str, pd.DataFrame] | dict[str, list[tuple]]) -> None:  # fmt: skip
    """Compare two :func:`dump` (frames) or two :func:`rows` (raw rows) snapshots by table."""
    for table, old in before.items():
        if isinstance(old, pd.DataFrame):
            pd.testing.assert_frame_equal(old, after[table], obj=table)
        else:
            assert old == after[table], f"table {table} changed"


def pws(engine: Engine | str, *args: object) -> Result:
    """``pws ARGS`` run in-process (click's CliRunner) on the store of ``engine`` (or a URL)."""
    url = engine if isinstance(engine, str) else engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, [str(a) for a in args], env={"PWS_DATABASE_URL": url})
