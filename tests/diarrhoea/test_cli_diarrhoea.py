"""`pws alerts`, `pws klb` and `pws scan` as installed, against a copy of the demo store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.diarrhoea.test_service import PLANTED
from tests.ingest.helpers import demo_engine

PWS = Path(sys.executable).with_name("pws")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    demo_engine(folder).dispose()
    return folder / "pws.sqlite"


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PWS_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run([str(PWS), *args], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_alerts_json(db: Path) -> None:
    out = run(db, "alerts", "--region", "99.01", "--week", "2025-W50", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["week"] == "2025-W50" and data["rule"]["jenis"] == "ratio_to_history"
    assert sum(data["counts"].values()) == 250
    alerted = {v["kode_desa"] for v in data["villages"]}
    assert alerted >= PLANTED and len(alerted) == data["counts"]["alert"]
    row = next(v for v in data["villages"] if v["kode_desa"] in PLANTED)
    assert row["observed"] >= row["threshold"] and row["status"] == "alert"


def test_alerts_table_and_region_scope(db: Path) -> None:
    out = run(db, "alerts", "--region", "990109", "--week", "2025w50", "--all",
              "--lang", "en")  # fmt: skip
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "ratio_to_history" in lines[0] and "not yet confirmed" in lines[0]
    assert lines[2].split()[:4] == ["code", "village", "observed", "threshold"]
    codes = [line.split()[0] for line in lines[3:]]
    assert codes and all(c.startswith("99.01.09.") for c in codes)
    assert "99.01.09.2001" in codes


def test_scan_json_and_table(db: Path) -> None:
    args = ("scan", "--region", "99.01", "--week", "2025-W53", "--reps", "99", "--seed", "1")
    out = run(db, *args, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["reps"], data["seed"], data["max_weeks"], data["villages"]) == (99, 1, 4, 250)
    top = data["clusters"][0]
    assert top["end_week"] == "2025-W53" and top["p_value"] <= 0.05
    assert len(set(top["villages"]) & PLANTED) / len(PLANTED) >= 0.8
    assert {"observed", "expected", "relative_risk", "llr", "n_weeks"} <= set(top)

    table = run(db, *args, "--lang", "en", "--alpha", "0.05")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[1].split() == ["#", "villages", "observed", "expected", "RR", "LLR", "p-value",
                                "weeks"]  # fmt: skip
    assert lines[2].split()[0] == "1" and "2025-W50…2025-W53" in lines[2]
    assert len(lines) - 2 == sum(c["p_value"] <= 0.05 for c in data["clusters"])


def test_klb_json_and_table(db: Path) -> None:
    out = run(db, "klb", "--region", "99.01.09", "--week", "2025-W53", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert "bukan penetapan KLB" in data["caveat"]
    assert {s["kode"] for s in data["signals"]} <= {f"99.01.09.{i}" for i in range(1000, 3000)}
    assert any(s["kriteria"] == "bulan_2x" and s["kode"] in PLANTED for s in data["signals"])
    table = run(db, "klb", "--region", "99.01.09", "--week", "2025-W53", "--level", "kec")
    assert table.returncode == 0, table.stderr
    assert "bukan penetapan KLB" in table.stdout.splitlines()[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("alerts", "--region", "99.01", "--week", "2025-W54"), "outside 1–53"),
        (("scan", "--region", "99.01", "--week", "2025-13"), "not an epi week"),
        (("klb", "--region", "99.01", "--week", "W53"), "not an epi week"),
        (("alerts", "--region", "abc", "--week", "2025-W53"), "not a region code"),
        (("scan", "--region", "99.77", "--week", "2025-W53"), "not a region in the database"),
        (("klb", "--week", "2025-W53"), "Missing option '--region'"),
    ],
)
def test_usage_errors_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    out = run(db, *args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stderr
