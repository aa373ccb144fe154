"""The population importer (``penduduk``): round trip, XLSX, every bad input, undo, scope."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from layers.ingest.base import importer_for
from layers.ingest.population import PopulationImporter
from layers.ingest.run import run_import, undo_last
from layers.scope import Scope
from tests.ingest.helpers import (
    DEMO,
    NO_SKILLS,
    assert_refused,
    assert_same,
    demo_store,
    pws,
    rows,
)

EVERYTHING = Scope.everything()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO / "penduduk.csv", dtype=str)


def stored(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(text("SELECT * FROM penduduk"), conn)
    return frame.drop(columns="impor_id").sort_values(["kode_desa", "tahun"]) \
        .reset_index(drop=True)  # fmt: skip


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([v if c == "kode_desa" else int(v) for c, v in zip(frame.columns, row,
                                                                          strict=True)])
    book.save(path)
    return path


def test_registered_under_both_names(store: Engine) -> None:
    """``pws import population`` is this importer: a dry run checks every demo row."""
    assert importer_for("penduduk") is importer_for("population") is PopulationImporter
    logged = rows(store, ("impor_log",))
    done = pws(store, "import", "population", DEMO / "penduduk.csv", "--dry-run", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["jenis"], report["status"], report["rows_ok"]) == ("penduduk", "diperiksa",
                                                                      500)  # fmt: skip
    assert rows(store, ("impor_log",)) == logged  # a dry run logs nothing


def test_demo_file_round_trips(store: Engine) -> None:
    loaded = stored(store)
    with store.begin() as conn:
        conn.execute(text("DELETE FROM penduduk"))
    report = run_import(store, "penduduk", DEMO / "penduduk.csv", user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert report.written == {"penduduk": 500, "inserted": 500, "updated": 0}
    pd.testing.assert_frame_equal(stored(store), loaded)


def test_xlsx_imports_like_csv(store: Engine, tmp_path: Path) -> None:
    frame = demo().head(60)
    frame.to_csv(tmp_path / "p.csv", index=False)
    write_xlsx(frame, tmp_path / "p.xlsx")
    with store.begin() as conn:
        conn.execute(text("DELETE FROM penduduk"))
    assert run_import(store, "penduduk", tmp_path / "p.csv", user="uji",
                      scope=EVERYTHING).status == "ok"  # fmt: skip
    from_csv = stored(store)
    undo_last(store, "uji")
    assert stored(store).empty
    report = run_import(store, "penduduk", tmp_path / "p.xlsx", user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert len(from_csv) == 60
    pd.testing.assert_frame_equal(stored(store), from_csv)


def test_reimport_is_idempotent_and_undo_restores(store: Engine, tmp_path: Path) -> None:
    frame = demo().head(40)
    frame["jumlah"] = (frame["jumlah"].astype(int) + 10).astype(str)
    extra = frame.iloc[[0, 2]].assign(tahun="2023")  # new rows too
    frame = pd.concat([frame, extra], ignore_index=True)
    path = tmp_path / "p.csv"
    frame.to_csv(path, index=False)
    before = rows(store, NO_SKILLS)

    first = run_import(store, "penduduk", path, user="uji", scope=EVERYTHING)
    assert first.written == {"penduduk": 42, "inserted": 2, "updated": 40}, first.text("en")
    after_first = stored(store)
    second = run_import(store, "penduduk", path, user="uji", scope=EVERYTHING)
    assert second.written == {"penduduk": 42, "inserted": 0, "updated": 42}
    pd.testing.assert_frame_equal(stored(store), after_first)
    row = after_first.query("kode_desa == '99.01.01.1001' and tahun == 2024")
    assert row["jumlah"].item() == 9348 + 10

    undo_last(store, "uji")
    pd.testing.assert_frame_equal(stored(store), after_first)
    undo_last(store, "uji")
    assert_same(before, rows(store, NO_SKILLS))


def test_missing_group_column_keeps_stored_groups(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("Kode Desa,Tahun,Jumlah Penduduk\n99.01.01.1001,2024,9999\n")
    report = run_import(store, "penduduk", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert report.mapped_columns == {"Kode Desa": "kode_desa", "Tahun": "tahun",
                                     "Jumlah Penduduk": "jumlah"}  # fmt: skip
    row = stored(store).query("kode_desa == '99.01.01.1001' and tahun == 2024")
    assert (row["jumlah"].item(), row["balita"].item()) == (9999, 707)


NEXT_YEAR = dt.date.today().year + 1
BAD = {
    "negative": (lambda f: f.assign(jumlah=f["jumlah"].mask(f.index == 3, "-5")),
                 "too_small", 5, "jumlah"),
    "decimal": (lambda f: f.assign(bayi=f["bayi"].mask(f.index == 0, "12.5")),
                "not_integer", 2, "bayi"),
    "text": (lambda f: f.assign(lansia=f["lansia"].mask(f.index == 1, "banyak")),
             "not_integer", 3, "lansia"),
    "old_year": (lambda f: f.assign(tahun=f["tahun"].mask(f.index == 2, "1999")),
                 "too_small", 4, "tahun"),
    "future_year": (lambda f: f.assign(tahun=f["tahun"].mask(f.index == 2, str(NEXT_YEAR + 1))),
                    "too_large", 4, "tahun"),
    "group_gt_total": (lambda f: f.assign(balita=f["balita"].mask(f.index == 4, "99999")),
                       "group_gt_total", 6, "balita"),
    "duplicate": (lambda f: pd.concat([f, f.iloc[[1]]], ignore_index=True),
                  "duplicate", 12, "kode_desa"),
    "unknown_village": (lambda f: f.assign(kode_desa=f["kode_desa"].mask(f.index == 6,
                                                                         "99.01.01.2999")),
                        "unknown_code", 8, "kode_desa"),
    "malformed_code": (lambda f: f.assign(kode_desa=f["kode_desa"].mask(f.index == 7, "99.01.X")),
                       "bad_code", 9, "kode_desa"),
    "missing_value": (lambda f: f.assign(jumlah=f["jumlah"].mask(f.index == 8, "")),
                      "missing", 10, "jumlah"),
    "missing_column": (lambda f: f.drop(columns="jumlah"), "missing_column", 1, "jumlah"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_reported_and_nothing_written(store: Engine, tmp_path: Path,
                                                   case: str) -> None:  # fmt: skip
    assert_refused(lambda path: run_import(store, "penduduk", path, user="uji", scope=EVERYTHING),
                   store, NO_SKILLS, BAD[case], demo().head(10), tmp_path / "bad.csv")


def test_every_problem_is_reported_not_just_the_first(store: Engine, tmp_path: Path) -> None:
    frame = demo().head(10)
    frame.loc[2, "jumlah"] = "-1"
    frame.loc[5, "bumil"] = "x"
    frame.loc[9, "tahun"] = "1800"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    report = run_import(store, "penduduk", path, user="uji", scope=EVERYTHING)
    assert [(p.row, p.column) for p in report.problems] == [(4, "jumlah"), (7, "bumil"),
                                                            (11, "tahun")]  # fmt: skip
    assert report.rows_ok == 7


def test_scope_rejects_other_kecamatan(store: Engine) -> None:
    before = rows(store)
    report = run_import(store, "penduduk", DEMO / "penduduk.csv", user="uji",
                        scope=Scope.of(["99.01.01"]))  # fmt: skip
    outside = demo().query("~kode_desa.str.startswith('99.01.01.')")
    assert report.status == "ditolak"
    assert {p.code for p in report.problems} == {"out_of_scope"}
    assert report.problem_count == len(outside) > 0
    assert report.problems[0].row == int(outside.index[0]) + 2
    assert_same(before, rows(store))
    inside = demo().query("kode_desa.str.startswith('99.01.01.')")
    assert report.rows_ok == len(inside)
