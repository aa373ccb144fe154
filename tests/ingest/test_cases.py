"""The weekly cases importer: long, wide and dated layouts; every bad input reported."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from layers.ingest import run_import, undo_last
from layers.scope import Scope
from tests.ingest.helpers import DEMO, assert_same, demo_engine, dump

EVERYTHING = Scope.everything()


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return demo_engine(tmp_path)


def demo_cases() -> pd.DataFrame:
    return pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)


def stored(engine: Engine, tahun: int, minggu: int) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT kode_desa, kasus FROM kasus_mingguan WHERE tahun=:t AND minggu=:m"
        ), {"t": tahun, "m": minggu}).all()
    return dict(rows)


def test_long_file_updates_counts_and_undo_restores(engine: Engine, tmp_path: Path) -> None:
    week = demo_cases().query("tahun == '2025' and minggu == '10'").copy()
    week["kasus"] = (week["kasus"].astype(int) + 5).astype(str)
    path = tmp_path / "w10.csv"
    week.to_csv(path, index=False)
    before = dump(engine)

    report = run_import(engine, "kasus", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert report.written["updated"] == len(week) == 250
    expected = dict(zip(week["kode_desa"], week["kasus"].astype(int), strict=True))
    assert stored(engine, 2025, 10) == expected

    again = run_import(engine, "kasus", path, user="uji", scope=EVERYTHING)
    assert again.status == "ok" and stored(engine, 2025, 10) == expected  # idempotent

    undo_last(engine, "uji")
    undo_last(engine, "uji")
    assert_same(before, dump(engine))


def test_wide_layout_and_header_aliases(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(
        "Kode Desa;Tahun;Penyakit;M1;M2;M3\n"
        "9901012001;2025;diare;4;0;7\n"
        "99.01.01.2002;2025;Diare Akut;1;2;3\n",
        encoding="utf-8",
    )
    report = run_import(engine, "kasus", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert report.mapped_columns["Kode Desa"] == "kode_desa"
    assert stored(engine, 2025, 3)["99.01.01.2001"] == 7
    assert stored(engine, 2025, 2)["99.01.01.2002"] == 2
    assert report.written["kasus_mingguan"] == 6


def test_dates_become_epi_weeks(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "dated.csv"
    # 2025-W01 starts Sun 29 Dec 2024, so Sun 2 Mar 2025 starts W10 and Wed 5 Mar is in
    # 2025-W10; Thu 1 Jan 2026 is in 2025-W53 (28 Dec 2025 - 3 Jan 2026)
    path.write_text("kode_desa,penyakit,tanggal,kasus\n99.01.01.2001,diare_akut,2025-03-05,9\n"
                    "99.01.01.2001,diare_akut,01/01/2026,11\n", encoding="utf-8")
    report = run_import(engine, "kasus", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert stored(engine, 2025, 10)["99.01.01.2001"] == 9
    assert stored(engine, 2025, 53)["99.01.01.2001"] == 11


def test_every_problem_is_reported_and_nothing_written(engine: Engine, tmp_path: Path) -> None:
    future = dt.date.today() + dt.timedelta(days=30)
    path = tmp_path / "bad.csv"
    path.write_text(
        "kode_desa,penyakit,tahun,minggu,kasus,kematian\n"
        "99.01.01.2001,diare_akut,2025,10,3,0\n"       # row 2 fine
        "99.01.99.2001,diare_akut,2025,10,3,0\n"       # row 3 unknown village
        "35100120,diare_akut,2025,10,3,0\n"            # row 4 malformed code
        "99.01.01.2002,diare_akut,2025,10,-1,0\n"      # row 5 negative
        "99.01.01.2003,diare_akut,2025,10,2.5,0\n"     # row 6 not an integer
        "99.01.01.2004,diare_akut,2025,54,1,0\n"       # row 7 week 54
        "99.01.01.2005,diare_akut,2025,10,1,4\n"       # row 8 deaths > cases
        "99.01.01.2001,diare_akut,2025,10,5,0\n"       # row 9 duplicate of row 2
        f"99.01.01.2006,diare_akut,{future.year + 1},1,1,0\n"  # row 10 future week
        "99.01.01.2007,diare_akut,2024,53,1,0\n",      # row 11: 2024 has 52 weeks
        encoding="utf-8",
    )
    before = dump(engine)
    report = run_import(engine, "kasus", path, user="uji", scope=EVERYTHING)
    assert report.status == "ditolak"
    found = {(p.row, p.column, p.code) for p in report.problems}
    assert found == {
        (3, "kode_desa", "unknown_code"), (4, "kode_desa", "bad_code"),
        (5, "kasus", "too_small"), (6, "kasus", "not_integer"), (7, "minggu", "too_large"),
        (8, "kematian", "deaths_gt_cases"), (9, "kode_desa", "duplicate"),
        (10, "minggu", "future"), (11, "minggu", "bad_week"),
    }
    assert report.rows_ok == 1 and report.rows_total == 10
    assert all(p.message.id and p.message.en and p.message.id != p.message.en
               for p in report.problems)  # fmt: skip
    assert_same(before, dump(engine))
    with engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM impor_log ORDER BY id DESC")).scalar()
    assert status == "ditolak"


def test_scope_rejects_rows_of_other_regions(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("kode_desa,penyakit,tahun,minggu,kasus\n99.01.01.2001,diare_akut,2025,5,1\n"
                    "99.01.02.2001,diare_akut,2025,5,1\n", encoding="utf-8")
    before = dump(engine)
    report = run_import(engine, "kasus", path, user="uji", scope=Scope.of(["99.01.01"]))
    assert [(p.row, p.code) for p in report.problems] == [(3, "out_of_scope")]
    assert_same(before, dump(engine))


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8-sig"])
def test_encodings(engine: Engine, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes("kode_desa,penyakit,tahun,minggu,kasus,sumber_catatan\n"
                     "99.01.01.2001,diare_akut,2025,5,8,Puskesmas Señor\n".encode(encoding))
    report = run_import(engine, "kasus", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert stored(engine, 2025, 5)["99.01.01.2001"] == 8
    assert bool(report.notes) == (encoding == "latin-1")


def _xlsx(path: Path, rows: list[list[object]], merged: str | None = None,
          second_sheet: bool = False) -> Path:  # fmt: skip
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merged:
        sheet.merge_cells(merged)
    if second_sheet:
        book.create_sheet("Lain").append(["x", "y"])
        book["Lain"].append([1, 2])
    book.save(path)
    return path


def test_xlsx_values_formulas_merged_headers_and_sheets(engine: Engine, tmp_path: Path) -> None:
    header = ["kode_desa", "penyakit", "tahun", "minggu", "kasus"]
    good = _xlsx(tmp_path / "ok.xlsx", [header, ["99.01.01.2001", "diare_akut", 2025, 6, 12]])
    assert run_import(engine, "kasus", good, user="u", scope=EVERYTHING).status == "ok"
    assert stored(engine, 2025, 6)["99.01.01.2001"] == 12

    before = dump(engine)
    formula = _xlsx(tmp_path / "f.xlsx", [header, ["99.01.01.2001", "diare_akut", 2025, 6, "=1+2"]])
    report = run_import(engine, "kasus", formula, user="u", scope=EVERYTHING)
    assert [(p.code, p.row, p.column) for p in report.problems] == [("formula", 2, "E2")]
    merged = _xlsx(tmp_path / "m.xlsx", [header, ["99.01.01.2001", "diare_akut", 2025, 6, 1]],
                   merged="A1:B1")
    assert run_import(engine, "kasus", merged, user="u", scope=EVERYTHING).problems[0].code \
        == "merged_header"
    sheets = _xlsx(tmp_path / "s.xlsx", [header, ["99.01.01.2001", "diare_akut", 2025, 6, 1]],
                   second_sheet=True)
    assert run_import(engine, "kasus", sheets, user="u", scope=EVERYTHING).problems[0].code \
        == "sheet"
    ok = run_import(engine, "kasus", sheets, user="u", scope=EVERYTHING,
                    options={"sheet": "Sheet"})
    assert ok.status == "ok", ok.text("en")
    assert_same({k: v for k, v in before.items() if k != "kasus_mingguan"},
                {k: v for k, v in dump(engine).items() if k != "kasus_mingguan"})


@pytest.mark.parametrize("content,code", [
    (b"", "empty"),
    (b"kode_desa,penyakit,tahun,minggu,kasus\n", "empty"),
    (b"PK\x03\x04truncated", "corrupt"),
])  # fmt: skip
def test_broken_files(engine: Engine, tmp_path: Path, content: bytes, code: str) -> None:
    path = tmp_path / ("x.xlsx" if content.startswith(b"PK") else "x.csv")
    path.write_bytes(content)
    report = run_import(engine, "kasus", path, user="u", scope=EVERYTHING)
    assert report.status == "ditolak"
    assert [p.code for p in report.problems] == [code]


def test_too_large_file_is_refused(engine: Engine, tmp_path: Path) -> None:
    from layers.ingest.problems import Rejected
    from layers.ingest.readers import read_table

    path = tmp_path / "big.csv"
    path.write_text("kode_desa,kasus\n" + "99.01.01.2001,1\n" * 1000, encoding="utf-8")
    with pytest.raises(Rejected) as info:
        read_table(path, max_bytes=1000)
    assert info.value.problems[0].code == "too_large"
