"""The `pws` command as installed (console script), against a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text

PWS = Path(sys.executable).with_name("pws")
BANYUWANGI = (
    Path(__file__).resolve().parents[1].parent
    / "shared" / "data" / "boundaries" / "desa_3510_banyuwangi.geojson"
)


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PWS_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run([str(PWS), *args], env=env, capture_output=True, text=True, check=True,
                          timeout=300)


def test_demo_on_real_boundaries_then_load(tmp_path: Path) -> None:
    db = tmp_path / "pws.sqlite"
    out = tmp_path / "banyuwangi"
    run("demo", "--boundaries", str(BANYUWANGI), "--out", str(out), "--seed", "7", db=db)
    cases = pd.read_csv(out / "kasus_mingguan.csv", dtype={"kode_desa": str})
    assert cases["kode_desa"].nunique() == 217
    assert cases["kode_desa"].str.startswith("35.10.").all()

    loaded = run("load-demo", str(out), "--json", db=db)
    counts = json.loads(loaded.stdout.strip().splitlines()[-1])
    assert counts["kasus_mingguan"] == len(cases)
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        villages = conn.execute(text("SELECT count(*) FROM wilayah WHERE level='desa'")).scalar()
        kec = conn.execute(text("SELECT count(*) FROM wilayah WHERE level='kec'")).scalar()
        logged = conn.execute(text("SELECT count(*) FROM impor_log")).scalar()
    assert (villages, kec) == (217, 25)
    assert logged >= 5

    again = run("load-demo", str(out), "--if-empty", "--lang", "en", db=db)
    assert "nothing loaded" in again.stdout
    said = run("load-demo", str(out), "--if-empty", db=db)
    assert "tidak ada yang dimuat" in said.stdout
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM kasus_mingguan")).scalar() == len(cases)


def test_db_upgrade_creates_schema_with_skills(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    result = run("db", "upgrade", "--lang", "en", db=db)
    assert "latest migration" in result.stdout
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        groups = dict(conn.execute(
            text("SELECT kelompok, count(*) FROM keterampilan GROUP BY kelompok")
        ).all())
    assert groups == {"PP": 4, "BB": 7, "IH": 6, "UR": 3, "DL": 5}


def test_demo_is_deterministic_per_seed(tmp_path: Path) -> None:
    db = tmp_path / "unused.sqlite"
    run("demo", "--out", str(tmp_path / "a"), "--seed", "3", db=db)
    run("demo", "--out", str(tmp_path / "b"), "--seed", "3", db=db)
    for name in ("desa.geojson", "kasus_mingguan.csv", "fasilitas.csv", "kader.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_every_group_takes_lang_after_help() -> None:
    from click.testing import CliRunner

    from dashboard.cli import main

    for group in ("kader", "pustu", "db"):
        out = CliRunner().invoke(main, [group, "--help", "--lang", "en"])
        assert out.exit_code == 0, out.output
        assert "Options:" in out.output and "Opsi" not in out.output
        out = CliRunner().invoke(main, [group, "--help"])
        assert "Opsi:" in out.output


def test_xlsx_folder_problems_are_usage_errors_in_the_language(tmp_path) -> None:
    from click.testing import CliRunner

    from dashboard.cli import main

    missing = tmp_path / "tidak_ada" / "x.xlsx"
    for args, word in ((["--xlsx", str(missing)], "tidak ada"),
                       (["--xlsx", str(tmp_path)], "adalah folder")):
        out = CliRunner().invoke(main, ["kader", "levels", "--region", "99.01", *args])
        assert out.exit_code == 2 and word in out.output, out.output
        assert "Traceback" not in out.output
    out = CliRunner().invoke(main, ["kader", "levels", "--region", "99.01", "--lang", "en",
                                    "--xlsx", str(missing)])
    assert out.exit_code == 2 and "does not exist" in out.output
