"""A process killed in the middle of writing an import leaves the database as it was."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
from sqlalchemy import text

from tests.ingest.helpers import DEMO, assert_same, demo_engine, dump

CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import layers.ingest.cases as cases
    from layers.ingest import run_import
    from layers.scope import Scope
    from layers.store.engine import make_engine

    real_upsert = cases.upsert

    def upsert_then_die(*args, **kwargs):
        real_upsert(*args, **kwargs)          # every row is written in the transaction ...
        os.kill(os.getpid(), signal.SIGKILL)  # ... and the process dies before the commit

    cases.upsert = upsert_then_die
    run_import(make_engine(sys.argv[1]), "kasus", Path(sys.argv[2]), user="crash",
               scope=Scope.everything())
""")


def test_killed_import_changes_nothing(tmp_path: Path) -> None:
    engine = demo_engine(tmp_path)
    url = str(engine.url)
    cases = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    year = cases[cases["tahun"] == "2025"].copy()
    year["kasus"] = "99"
    path = tmp_path / "all2025.csv"
    year.to_csv(path, index=False)
    before = dump(engine)
    engine.dispose()

    child = subprocess.run([sys.executable, "-c", CHILD, url, str(path)], cwd=Path.cwd(),
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]

    assert_same(before, dump(engine))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(text("SELECT count(*) FROM kasus_mingguan WHERE kasus = 99")).scalar() \
            == 0
