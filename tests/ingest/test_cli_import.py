"""`pws import`, `pws undo`, `pws imports`, `pws template` as installed, on a demo SQLite file,
and in-process (click's CliRunner) for the kinds' English names and the help."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, text

from dashboard import testing
from dashboard.cli import ProgressBar, progress_for
from layers.ingest import templates
from tests.ingest.helpers import pws as cli

PWS = Path(sys.executable).with_name("pws")
REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "geo" / "demo_9901"


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo district loaded once; each test works on a copy."""
    path = tmp_path_factory.mktemp("base") / "pws.sqlite"
    testing.loaded_database(DEMO, path)
    return path


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "pws.sqlite"
    shutil.copy(base_db, path)
    return path


def pws(*args: str, db: Path, stderr: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PWS_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run([str(PWS), *map(str, args)], env=env, text=True, timeout=120,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE if stderr is None else stderr)  # fmt: skip


def cases(db: Path) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT kode_desa, penyakit, tahun, minggu, kasus, kematian "
                                 "FROM kasus_mingguan ORDER BY 1, 2, 3, 4")).all()  # fmt: skip
    engine.dispose()
    return [tuple(r) for r in rows]


def log_count(db: Path) -> int:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM impor_log")).scalar_one()
    engine.dispose()
    return int(count)


def week_file(path: Path, codes: list[str], add: int = 5) -> pd.DataFrame:
    """Demo week 2025-W10 of ``codes`` with ``add`` more cases each, written to ``path``."""
    demo = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    week = demo[(demo["tahun"] == "2025") & (demo["minggu"] == "10")
                & demo["kode_desa"].isin(codes)].copy()  # fmt: skip
    week["kasus"] = (week["kasus"].astype(int) + add).astype(str)
    week.to_csv(path, index=False)
    return week


def stored_week(db: Path, codes: list[str]) -> dict[str, int]:
    return {r[0]: r[4] for r in cases(db) if r[0] in codes and r[2] == 2025 and r[3] == 10}


CODES = ["99.01.01.1001", "99.01.01.1002", "99.01.02.2015"]


def test_good_file_then_bad_file_then_undo_and_log(db: Path, tmp_path: Path) -> None:
    before = stored_week(db, CODES)
    week = week_file(tmp_path / "w10.csv", CODES)

    good = pws("import", "kasus", tmp_path / "w10.csv", "--user", "dinkes", db=db)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "w10.csv: berhasil, 3/3 baris valid" in good.stdout and "pws undo" in good.stdout
    assert "baris kasus mingguan: 3, baris baru: 0, baris diperbarui: 3" in good.stdout
    expected = dict(zip(week["kode_desa"], week["kasus"].astype(int), strict=True))
    assert stored_week(db, CODES) == expected != before

    bad_path = tmp_path / "bad.csv"
    bad_path.write_text("kode_desa,penyakit,tahun,minggu,kasus,kematian\n"
                        "99.01.01.1001,diare_akut,2025,11,-3,0\n"
                        "99.01.01.1002,diare_akut,2025,60,4,0\n"
                        "99.01.09.9999,diare_akut,2025,11,4,0\n"
                        "99.01.01.1003,diare_akut,2025,11,2,5\n"
                        "99.01.01.1004,diare_akut,2025,11,2,0\n")  # fmt: skip
    snapshot = cases(db)
    bad = pws("import", "kasus", bad_path, "--json", "--lang", "en", db=db)
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["status"] == "ditolak" and report["rows_ok"] == 1
    seen = {(p["row"], p["column"], p["value"]) for p in report["problems"]}
    assert {(2, "kasus", "-3"), (3, "minggu", "60"), (4, "kode_desa", "99.01.09.9999"),
            (5, "kematian", 5)} <= seen  # fmt: skip
    assert all(p["message"] for p in report["problems"])
    assert cases(db) == snapshot

    listed = pws("imports", "--json", db=db)
    assert listed.returncode == 0
    mine = [r for r in json.loads(listed.stdout) if r["jenis"] == "kasus"]
    assert [(r["file"], r["status"], r["rows_ok"], r["rows_rejected"]) for r in mine] == [
        ("w10.csv", "ok", 3, 0), ("bad.csv", "ditolak", 1, 4)]  # fmt: skip
    assert mine[0]["user"] == "dinkes" and len(mine[0]["sha256"]) == 12

    wrong = pws("undo", "--id", "1", "--lang", "en", db=db)  # a demo load, not the newest
    assert wrong.returncode == 1
    assert f"Only the newest import (#{mine[0]['id']}) can be undone, not #1." in wrong.stderr
    wrong_json = pws("undo", "--id", "1", "--json", db=db)
    assert wrong_json.returncode == 1 and json.loads(wrong_json.stdout)["ok"] is False
    assert stored_week(db, CODES) == expected

    undone = pws("undo", "--json", db=db)
    assert undone.returncode == 0, undone.stderr
    outcome = json.loads(undone.stdout)
    assert outcome["impor_id"] == mine[0]["id"] and outcome["counts"]["restored"] == 3
    assert (outcome["jenis"], outcome["file"], outcome["user"]) == ("kasus", "w10.csv", "dinkes")
    assert stored_week(db, CODES) == before

    human = pws("imports", "--lang", "en", db=db)
    lines = human.stdout.splitlines()
    assert "rejected" in lines[0] and lines[0].split()[1] == "kind"
    mine_lines = {line.split()[0]: line for line in lines[1:]}
    assert mine_lines[str(mine[0]["id"])].split()[1] == "cases"
    assert mine_lines[str(mine[0]["id"])].endswith("undone")
    assert mine_lines[str(mine[1]["id"])].endswith("rejected")
    assert mine_lines["1"].split()[1] == "boundaries"  # the demo's load of ``wilayah``
    assert "dibatalkan" not in human.stdout and "ditolak" not in human.stdout
    indo = pws("imports", db=db).stdout.splitlines()
    assert indo[0].split()[1] == "jenis" and indo[1].split()[1] == "batas"
    assert any(line.endswith("dibatalkan") for line in indo)


def test_human_report_in_both_languages(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("kode_desa,tahun,minggu,kasus\n99.01.01.1001,2025,11,dua\n")
    indo = pws("import", "kasus", path, "--penyakit", "diare_akut", db=db)
    assert indo.returncode == 1
    assert "ditolak" in indo.stdout and "baris 2, kolom kasus, nilai 'dua'" in indo.stdout
    english = pws("import", "kasus", path, "--penyakit", "diare_akut", "--lang", "en", db=db)
    assert "row 2, column kasus, value 'dua': Must be a whole number." in english.stdout


def test_dry_run_writes_nothing(db: Path, tmp_path: Path) -> None:
    week_file(tmp_path / "w10.csv", CODES)
    snapshot, logged = cases(db), log_count(db)
    dry = pws("import", "kasus", tmp_path / "w10.csv", "--dry-run", "--json", db=db)
    assert dry.returncode == 0
    assert json.loads(dry.stdout)["status"] == "diperiksa"
    assert (cases(db), log_count(db)) == (snapshot, logged)


def test_scope_rejects_rows_elsewhere(db: Path, tmp_path: Path) -> None:
    week_file(tmp_path / "w10.csv", CODES)
    snapshot = cases(db)
    refused = pws("import", "kasus", tmp_path / "w10.csv", "--scope", "99.01.01", "--json", db=db)
    assert refused.returncode == 1
    problems = json.loads(refused.stdout)["problems"]
    assert [(p["kolom"], p["nilai"], p["kode"]) for p in problems] == [
        ("kode_desa", "99.01.02.2015", "out_of_scope")]  # fmt: skip
    assert cases(db) == snapshot

    inside = week_file(tmp_path / "inside.csv", CODES[:2])
    ok = pws("import", "kasus", tmp_path / "inside.csv", "--scope", "99.01.01", db=db)
    assert ok.returncode == 0, ok.stdout
    expected = dict(zip(inside["kode_desa"], inside["kasus"].astype(int), strict=True))
    assert stored_week(db, CODES[:2]) == expected


def test_usage_errors_exit_2(db: Path, tmp_path: Path) -> None:
    good = tmp_path / "w10.csv"
    week_file(good, CODES)
    logged = log_count(db)
    unknown = pws("import", "nope", good, db=db)
    assert unknown.returncode == 2 and "kasus" in unknown.stderr  # choices from the registry
    assert pws("import", "kasus", tmp_path / "missing.csv", db=db).returncode == 2
    assert pws("import", "kasus", good, "--scope", "not-a-code", db=db).returncode == 2
    assert pws("import", "kasus", good, "--crs", "utm49s", db=db).returncode == 2
    assert pws("template", "nope", "--out", tmp_path / "x.xlsx", db=db).returncode == 2
    assert log_count(db) == logged  # nothing was attempted


def test_template_filled_with_its_examples_imports(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "templat_kasus.xlsx"
    made = pws("template", "kasus", "--out", out, db=db)
    assert made.returncode == 0 and out.exists()
    imported = pws("import", "kasus", out, "--json", db=db)  # no --sheet: Petunjuk is skipped
    assert imported.returncode == 0, imported.stdout
    report = json.loads(imported.stdout)
    assert report["status"] == "ok" and report["rows_ok"] == report["rows_total"] == 3
    stored = {(r[0], r[2], r[3]): r[4] for r in cases(db)}
    assert stored[("99.01.02.2015", 2025, 11)] == 7


def test_progress_bar_on_a_terminal(db: Path) -> None:
    """A long import (the demo's 26,250 case rows) draws a bar on a tty stderr."""
    leader, follower = pty.openpty()
    try:
        done = pws("import", "kasus", DEMO / "kasus_mingguan.csv", db=db, stderr=follower)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
    assert done.returncode == 0, done.stdout
    shown = b"".join(chunks).decode()
    # which stage names show depends on timing (the bar appears after 0.5 s); the bar and
    # its end do not
    assert "[#" in shown and "] 100%" in shown, shown


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_without_json() -> None:
    assert isinstance(progress_for(False, _Terminal()), ProgressBar)
    assert progress_for(True, _Terminal()) is None
    assert progress_for(False, io.StringIO()) is None


def test_progress_bar_drawing() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, delay=0.0, width=10)
    bar(0, 4, "baca")
    bar(2, 4, "tulis")
    bar(2, 4, "tulis")  # unchanged: not redrawn
    bar(4, 4, "selesai")
    bar.close()
    assert stream.getvalue() == ("\rmembaca       [----------]   0%"
                                 "\rmenulis       [#####-----]  50%"
                                 "\rselesai       [##########] 100%\n")  # fmt: skip
    english = io.StringIO()
    bar = ProgressBar(english, delay=0.0, width=10, lang="en")
    bar(1, 2, "tulis")
    bar.close()
    assert english.getvalue() == "\rwriting       [#####-----]  50%\n"
    quiet = io.StringIO()
    slow = ProgressBar(quiet, delay=60.0)
    slow(1, 2, "baca")
    slow.close()
    assert quiet.getvalue() == ""


def test_village_names_review_file_then_confirmed_import(db: Path, tmp_path: Path) -> None:
    """Names instead of codes: a typo is proposed in a review file, confirmed, imported."""
    villages = pd.read_json(DEMO / "desa.geojson")["features"].map(lambda f: f["properties"])
    first = villages.iloc[0]
    typo = first["nama_desa"][:-1] + ("a" if first["nama_desa"][-1] != "a" else "e")
    src = tmp_path / "nama.csv"
    src.write_text("nama_desa,nama_kec,penyakit,tahun,minggu,kasus\n"
                   f"{typo},{first['nama_kec']},diare_akut,2025,20,41\n", encoding="utf-8")
    before = cases(db)

    refused = pws("import", "kasus", src, "--json", db=db)
    assert refused.returncode == 1
    assert any(p["kode"] == "needs_confirmation" for p in json.loads(refused.stdout)["problems"])
    assert cases(db) == before
    review = src.with_name("nama.tinjauan.csv")
    proposals = pd.read_csv(review, dtype=str, keep_default_na=False)
    assert list(proposals["kode_desa_usulan"]) == [first["kode_desa"]]

    proposals["setuju"] = "ya"
    proposals.to_csv(review, index=False)
    done = pws("import", "kasus", src, "--konfirmasi", review, db=db)
    assert done.returncode == 0, done.stdout + done.stderr
    stored = {(r[0], r[2], r[3]): r[4] for r in cases(db)}
    assert stored[(first["kode_desa"], 2025, 20)] == 41


# ------------------------------------------------------------------ English kinds (in-process)


def test_import_boundaries_in_english_end_to_end(tmp_path: Path) -> None:
    """`pws import boundaries` on the demo boundary file: 250 villages and their regions
    written, logged as ``batas``, undone by `pws undo`."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    done = cli(url, "import", "boundaries", DEMO / "desa.geojson", "--user", "dinkes", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["jenis"], report["status"], report["rows_ok"]) == ("batas", "ok", 250)
    assert report["written"]["desa"] == 250 and report["written"]["kec"] == 18
    engine = create_engine(url)
    with engine.connect() as conn:
        levels = dict(conn.execute(text("SELECT level, count(*) FROM wilayah GROUP BY 1")).all())
        log = conn.execute(text("SELECT id, jenis, file, pengguna, status FROM impor_log")).all()
    assert levels == {"prov": 1, "kab": 1, "kec": 18, "desa": 250}
    assert [tuple(r) for r in log] == [(report["impor_id"], "batas", "desa.geojson", "dinkes",
                                        "ok")]  # fmt: skip
    listed = cli(url, "imports", "--json")
    assert [(r["id"], r["jenis"]) for r in json.loads(listed.stdout)] == [(report["impor_id"],
                                                                          "batas")]  # fmt: skip
    undone = cli(url, "undo", "--json")
    assert undone.exit_code == 0, undone.output
    assert json.loads(undone.stdout)["impor_id"] == report["impor_id"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM wilayah")).scalar_one() == 0
    engine.dispose()


def test_unknown_kind_exits_2_listing_both_sets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    for args in (("import", "village", DEMO / "penduduk.csv"),
                 ("template", "village", "--out", tmp_path / "t.xlsx")):  # fmt: skip
        refused = cli(url, *args)
        assert refused.exit_code == 2, refused.output
        assert "'village' bukan salah satu jenis" in refused.output
        assert "nama Indonesia: batas, kasus, fasilitas, kader, penduduk" in refused.output
        assert "nama Inggris: boundaries, cases, facilities, kader, population" in refused.output
        english = cli(url, *args, "--lang", "en")
        assert english.exit_code == 2, english.output
        assert "'village' is not one of the kinds" in english.output
        assert "Indonesian: batas, kasus, fasilitas, kader, penduduk" in english.output
        assert "English: boundaries, cases, facilities, kader, population" in english.output
    assert not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("command", ["import", "template"])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_help_lists_each_kind_on_one_line_with_both_names(command: str, lang: str,
                                                          tmp_path: Path) -> None:  # fmt: skip
    """Both names (the argument takes either), and what the kind is in the help's language."""
    from layers.ingest.base import kind_names

    shown = cli(f"sqlite:///{tmp_path / 'x.sqlite'}", command, "--help", "--lang", lang)
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    kinds = kind_names()
    assert len(kinds) == 5
    for jenis, english, title in kinds:
        names = jenis if english == jenis else f"{jenis}, {english}"
        line = [n for n in lines if n.strip().startswith(names + " ")]
        assert len(line) == 1, shown.output
        assert line[0].split(None, len(names.split()))[-1] == title(lang)


def test_template_in_english(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    made = cli(url, "template", "cases", "--out", tmp_path / "cases.xlsx", "--lang", "en")
    assert made.exit_code == 0 and made.stdout.startswith("cases template written: "), made.output
    book = load_workbook(tmp_path / "cases.xlsx")
    assert book.sheetnames == [templates.DATA_SHEET, templates.NOTE_SHEET]
    headers = [c.value for c in book[templates.DATA_SHEET][1]]
    assert headers == [f.name for f in templates.spec("kasus").columns]
    note = cli(url, "template", "boundaries", "--out", tmp_path / "batas.xlsx")
    assert note.exit_code == 0 and note.stdout.startswith("templat batas ditulis: "), note.output
    assert load_workbook(tmp_path / "batas.xlsx").sheetnames == [templates.NOTE_SHEET]
