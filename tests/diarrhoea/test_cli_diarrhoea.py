"""`pws alerts`, `pws klb` and `pws scan` as installed, against a copy of the demo store
(and a store with boundaries only)."""

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
    assert "ratio to the mean of the same weeks" in lines[0] and "not yet confirmed" in lines[0]
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
    assert len(lines) - 2 == sum(c["p_value"] < 0.05 for c in data["clusters"])  # as the map


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
        (("alerts", "--region", "99.01", "--week", "2025-W54"), "di luar 1–53"),
        (("scan", "--region", "99.01", "--week", "2025-13"), "bukan minggu epidemiologi"),
        (("klb", "--region", "99.01", "--week", "W53"), "bukan minggu epidemiologi"),
        (("alerts", "--region", "abc", "--week", "2025-W53"), "bukan kode wilayah"),
        (("scan", "--region", "99.77", "--week", "2025-W53"), "bukan wilayah di basis data"),
        (("klb", "--week", "2025-W53"), "Opsi '--region' wajib diisi"),
        (("alerts", "--region", "99.01", "--week", "2025-W54", "--lang", "en"),
         "outside 1–53"),
        (("scan", "--region", "99.01", "--week", "2025-13", "--lang", "en"), "not an epi week"),
        (("alerts", "--region", "abc", "--week", "2025-W53", "--lang", "en"),
         "not a region code"),
        (("scan", "--region", "99.77", "--week", "2025-W53", "--lang", "en"),
         "not a region in the database"),
        (("klb", "--week", "2025-W53", "--lang", "en"), "Missing option '--region'"),
        (("alerts", "--region", "99.01", "--week", "2025-W50", "--penyakit", "diare akuut"),
         "penyakit 'diare akuut' tidak dikenal"),
    ],
)
def test_usage_errors_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    out = run(db, *args)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stderr


def test_a_disease_by_its_name(db: Path) -> None:
    out = run(db, "alerts", "--region", "99.01.09", "--week", "2025-W50", "--penyakit",
              "Diare Akut", "--json")  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["penyakit"] == "diare_akut"


# --------------------------------------------------------------------------- no case data


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the demo's village boundaries and nothing else."""
    from layers.ingest import run_import
    from layers.scope import Scope
    from layers.store.engine import make_engine, upgrade
    from tests.ingest.helpers import DEMO

    path = tmp_path_factory.mktemp("bare") / "pws.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    report = run_import(engine, "batas", DEMO / "desa.geojson", user="test",
                        scope=Scope.everything())  # fmt: skip
    assert report.ok, report.text("en")
    engine.dispose()
    return path


COMMANDS = [("alerts",), ("klb",), ("scan", "--reps", "9")]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_no_case_data_at_all_is_said_not_no_alerts(bare: Path, command: tuple[str, ...]) -> None:
    base = (command[0], "--region", "99.01.09", "--week", "2025-W10", *command[1:])
    out = run(bare, *base)
    assert out.returncode == 1, out.stdout + out.stderr
    assert ("tidak ada data kasus Diare akut di Srisari (99.01.09) untuk 2025-W10 "
            "(belum ada data sama sekali)") in out.stderr  # fmt: skip
    assert "tidak ada peringatan" not in out.stdout and "tidak ada klaster" not in out.stdout
    english = run(bare, *base, "--lang", "en")
    assert english.returncode == 1
    assert ("no case data for Acute diarrhoea in Srisari (99.01.09) for 2025-W10 "
            "(no data at all)") in english.stderr  # fmt: skip
    as_json = run(bare, *base, "--json", "--lang", "en")
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout) == {"ok": False, "error": english.stderr.strip()}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("week", ["2026-W02", "2023-W40"], ids=["after", "before"])
def test_a_week_outside_the_case_data(db: Path, command: tuple[str, ...], week: str) -> None:
    base = (command[0], "--region", "99.01.09", "--week", week, *command[1:])
    out = run(db, *base)
    assert out.returncode == 1, out.stdout + out.stderr
    assert (f"tidak ada data kasus Diare akut di Srisari (99.01.09) untuk {week} "
            "(data: 2024-W01–2025-W53)") in out.stderr  # fmt: skip
    english = run(db, *base, "--lang", "en")
    assert english.returncode == 1
    assert (f"no case data for Acute diarrhoea in Srisari (99.01.09) for {week} "
            "(data: 2024-W01–2025-W53)") in english.stderr  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_the_last_and_first_weeks_with_data_still_work(db: Path,
                                                       command: tuple[str, ...]) -> None:
    for week in ("2025-W53", "2024-W01"):
        out = run(db, command[0], "--region", "99.01.09", "--week", week, *command[1:],
                  "--json")  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["week"] == week
