"""``pws pustu plan`` in a fresh process against a copy of the demo store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from layers.pustu.planner import greedy
from layers.pustu.ranking import planning_data
from layers.scope import Scope
from layers.store.engine import make_engine
from tests.ingest.helpers import demo_engine

#: the command as ``pws`` runs it once ``dashboard/cli/__init__.py`` imports the module
COMMAND = ("import sys, dashboard.cli.pustu_plan; from dashboard.cli import main; "
           "main(sys.argv[1:])")  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_plan")
    demo_engine(folder).dispose()
    return folder / "pws.sqlite"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PWS_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run([sys.executable, "-c", COMMAND, "pustu", "plan", *args], env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def test_json_exact_is_clean_and_adds_up(db: Path) -> None:
    out = run(db, "--region", "99.01", "--n", "6", "--distance-km", "1.5",
              "--exact", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # nothing but the JSON on stdout (no solver banner)
    assert data["requested"] == 6 and len(data["sites"]) == 6
    assert data["newly_served"] == sum(s["terlayani_baru"] for s in data["sites"])
    assert data["total_served"] == data["base_served"] + data["newly_served"]
    assert data["optimal"] and data["solver"] in ("highs", "spopt")
    assert data["greedy_newly_served"] <= data["newly_served"] and data["gap"] >= 0
    assert data["coverage_pct"] == pytest.approx(100 * data["total_served"] / data["population"],
                                                 abs=1e-3)  # fmt: skip
    assert "garis lurus" in data["straight_line"] and data["distance_km"] == 1.5
    with Session(make_engine(f"sqlite:///{db}")) as session:
        problem = planning_data(session, Scope.of(["99.01"]), 1500)
    assert data["greedy_newly_served"] == greedy(problem.instance, 6).newly_served


def test_table_in_english_states_greedy_against_the_bound(db: Path, tmp_path: Path) -> None:
    book_path = tmp_path / "rencana.xlsx"
    out = run(db, "--region", "990102", "--n", "3", "--distance-km", "1.5", "--lang", "en",
              "--xlsx", str(book_path))  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("Bumimakmur (99.01.02): 3 new Pustu, service distance 1.5 km")
    assert "straight line, not travel time" in lines[0]
    assert lines[1].startswith("people newly served ")
    assert lines[2].startswith("greedy ") and "the optimum is at most" in lines[2]
    assert lines[4].split()[:3] == ["#", "code", "village"]
    codes = [line.split()[1] for line in lines[5:]]
    assert len(codes) == 3 and all(c.startswith("99.01.02.") for c in codes)
    assert "written" in out.stderr
    book = load_workbook(book_path)
    assert [r[1].value for r in book["Plan"].iter_rows(min_row=2)] == codes


def test_exact_table_and_bad_input(db: Path) -> None:
    out = run(db, "--region", "99.01.02", "--n", "2", "--distance-km", "2", "--exact")
    assert out.returncode == 0, out.stderr
    assert "vs optimal" in out.stdout.splitlines()[2] and "selisih" in out.stdout
    assert run(db, "--region", "99.77", "--n", "2").returncode == 2
    assert run(db, "--region", "99.01", "--n", "0").returncode == 2
    bad = run(db, "--region", "99.01", "--n", "2", "--exact", "--time-limit", "0", "--lang",
              "en")  # fmt: skip
    assert bad.returncode == 2 and "is not a number > 0" in bad.stderr
