"""``pws pustu gaps`` in a fresh process (the command registers itself on ``pws`` when
imported, as ``dashboard/cli/__init__.py`` will) against a spoiled copy of the demo store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.orm import Session

from layers.pustu import service
from layers.scope import Scope
from tests.ingest.helpers import demo_engine
from tests.test_language_mix import _names, foreign_words

#: runs every argument list through ``pws`` (click's runner) in one process, as JSON
SCRIPT = """
import json, sys
from click.testing import CliRunner
import dashboard.cli.pustu
from dashboard.cli import main
out = []
for args in json.loads(sys.argv[1]):
    r = CliRunner().invoke(main, args, prog_name="pws")
    out.append({"code": r.exit_code, "stdout": r.stdout, "stderr": r.stderr})
print(json.dumps(out))
"""
KEC = "99.01.01"
NO_POP = "99.01.01.2011"  # a village without a Pustu; its population is deleted
TWIN = "99.01.01.1001"  # gets a second active Pustu


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli_gaps")
    engine = demo_engine(folder)
    with Session(engine) as s:
        s.execute(text("DELETE FROM penduduk WHERE kode_desa = :k"), {"k": NO_POP})
        s.execute(text("INSERT INTO fasilitas (nama, jenis, kode_desa, status, perawat, bidan) "
                       "VALUES ('Pustu Kembar', 'pustu', :k, 'aktif', 0, 0)"), {"k": TWIN})
        s.commit()
    engine.dispose()
    return folder / "pws.sqlite"


@pytest.fixture(scope="module")
def runs(db: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("xlsx")
    calls = {
        "id": ["pustu", "gaps", "--region", KEC],
        "en": ["pustu", "gaps", "--region", KEC.replace(".", ""), "--lang", "en"],
        "json": ["pustu", "gaps", "--region", KEC, "--json", "--distance-km", "1",
                 "--lang", "en"],
        "json_target": ["pustu", "gaps", "--region", KEC, "--json", "--puskesmas-target",
                        "--target-year", "2027"],
        "xlsx_id": ["pustu", "gaps", "--region", KEC, "--xlsx", str(out / "gaps_id.xlsx")],
        "xlsx_en": ["pustu", "gaps", "--region", KEC, "--xlsx", str(out / "gaps_en.xlsx"),
                    "--lang", "en"],
        "unknown_region": ["pustu", "gaps", "--region", "98.01"],
        "bad_code": ["pustu", "gaps", "--region", "9x"],
        "too_far": ["pustu", "gaps", "--region", KEC, "--distance-km", "60", "--lang", "en"],
        "too_near": ["pustu", "gaps", "--region", KEC, "--distance-km", "0.1"],
        "bad_year": ["pustu", "gaps", "--region", KEC, "--target-year", "2030"],
        "csv": ["pustu", "gaps", "--region", KEC, "--xlsx", str(out / "gaps.csv")],
        "help_id": ["pustu", "gaps", "--help"],
        "help_en": ["pustu", "gaps", "--help", "--lang", "en"],
        "group_id": ["pustu", "--help"],
        "group_en": ["--lang", "en", "pustu", "--help"],
    }
    env = {**os.environ, "PWS_DATABASE_URL": f"sqlite:///{db}"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(list(calls.values()))],
                          env=env, capture_output=True, text=True, timeout=300, check=True)
    results = dict(zip(calls, json.loads(done.stdout.splitlines()[-1]), strict=True))
    results["_dir"] = out
    return results


@pytest.fixture(scope="module")
def gaps(db: Path) -> service.PustuGaps:
    from layers.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db}")
    with Session(engine) as s:
        found = service.gaps_for(s, Scope.of([KEC]))
    engine.dispose()
    return found


def test_text_lists_every_village_without_an_active_pustu(runs: dict, gaps: Any) -> None:
    run = runs["id"]
    assert run["code"] == 0, run["stderr"]
    lines = run["stdout"].splitlines()
    assert lines[0].startswith(f"Purwoarum ({KEC}): ")
    assert service.STRAIGHT_LINE.id in lines[0]
    assert "1 desa tanpa data penduduk" in lines[0] and TWIN in lines[0]
    lacking = gaps.lacking()["kode_desa"].tolist()
    assert f"{len(lacking)} desa tanpa Pustu aktif:" in lines
    listed = [line.split()[0] for line in lines[lines.index(
        f"{len(lacking)} desa tanpa Pustu aktif:") + 2:]]
    assert listed == lacking
    row = next(line for line in lines if line.startswith(NO_POP))
    assert " – " in row  # no population: a dash, never 0
    assert runs["en"]["code"] == 0
    assert f"{len(lacking)} villages without an active Pustu:" in runs["en"]["stdout"]


def test_json_adds_up(runs: dict, gaps: Any) -> None:
    run = runs["json"]
    assert run["code"] == 0, run["stderr"]
    data = json.loads(run["stdout"])
    assert (data["region"], data["distance_km"], data["target_year"]) == (KEC, 1.0, 2028)
    assert data["puskesmas_served"] is True
    assert data["straight_line"] == service.STRAIGHT_LINE.en
    lacking = gaps.lacking()
    assert [v["kode_desa"] for v in data["villages"]] == lacking["kode_desa"].tolist()
    no_pop = next(v for v in data["villages"] if v["kode_desa"] == NO_POP)
    assert no_pop["penduduk"] is None and no_pop["kelas"] == "tidak_ada"
    total = data["total"]
    assert total["penduduk_terlayani"] + total["penduduk_tidak_terlayani"] == total["penduduk"]
    assert total["desa_tanpa_penduduk"] == 1 and total["desa"] == len(gaps.villages)
    assert data["kecamatan"][0]["kode"] == KEC and data["kabupaten"][0]["kode"] == "99.01"
    assert any(TWIN in p for p in data["problems"])
    # 1 km instead of 5: more people unserved than the default
    assert total["penduduk_tidak_terlayani"] > gaps.total()["penduduk_tidak_terlayani"]
    target = json.loads(runs["json_target"]["stdout"])
    assert target["puskesmas_served"] is False and target["target_year"] == 2027
    pkm = sum(v["kelas"] == "puskesmas" for v in target["villages"])
    assert pkm > 0 and target["total"]["tercakup"] == total["tercakup"] - pkm
    assert target["total"]["tahun_tersisa"] == 2027 - target["current_year"] + 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_xlsx(runs: dict, gaps: Any, lang: str) -> None:
    run = runs[f"xlsx_{lang}"]
    assert run["code"] == 0, run["stderr"]
    assert "gaps_" in run["stderr"]  # "ditulis: …" on stderr, the table stays on stdout
    book = load_workbook(runs["_dir"] / f"gaps_{lang}.xlsx")
    names = {"id": ["Desa tanpa Pustu aktif", "Kecamatan", "Kabupaten", "Keterangan"],
             "en": ["Villages without active Pustu", "Kecamatan", "Kabupaten", "Notes"]}
    assert book.sheetnames == names[lang]
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == gaps.lacking()["kode_desa"].tolist()
    assert sheet["A2"].number_format == "@" and isinstance(sheet["A2"].value, str)
    pop = {r[0]: r[10] for r in rows}
    assert pop[NO_POP] is None
    assert all(isinstance(p, int) for k, p in pop.items() if k != NO_POP)
    kec = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert kec[0][0] == KEC and kec[0][2] == len(gaps.villages)
    notes = " ".join(str(c) for row in book.worksheets[3].iter_rows(values_only=True)
                     for c in row if c is not None)
    assert service.STRAIGHT_LINE(lang) in notes and TWIN in notes


@pytest.mark.parametrize(("name", "says"), [
    ("unknown_region", "bukan wilayah di basis data"),
    ("bad_code", "bukan kode wilayah"),
    ("too_far", "60 km is outside 0.5–50 km"),
    ("too_near", "0,1 km di luar 0,5–50 km"),
    ("bad_year", "2030"),
    ("csv", ".xlsx"),
])
def test_usage_errors(runs: dict, name: str, says: str) -> None:
    run = runs[name]
    assert run["code"] == 2 and says in run["stderr"], run


def test_no_word_of_the_other_language(runs: dict) -> None:
    names = _names()
    for key, lang in (("id", "id"), ("en", "en"), ("help_id", "id"), ("help_en", "en"),
                      ("group_id", "id"), ("group_en", "en"), ("too_far", "en"),
                      ("too_near", "id")):
        shown = runs[key]["stdout"] + runs[key]["stderr"]
        assert shown.strip() and foreign_words(shown, lang, names) == [], (key, shown)
    for lang in ("id", "en"):
        book = load_workbook(runs["_dir"] / f"gaps_{lang}.xlsx")
        cells = "\n".join([*book.sheetnames, *(str(v) for ws in book for row in ws.iter_rows(
            values_only=True) for v in row if isinstance(v, str))])  # fmt: skip
        assert foreign_words(cells, lang, names) == [], lang
