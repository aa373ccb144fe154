"""The facilities importer (``fasilitas``): locations, parents, every bad input, undo, scope."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from layers.ingest.base import importer_for
from layers.ingest.facilities import FacilitiesImporter
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
FACTS = ["nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan",
         "kode_fasyankes", "induk"]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


def demo() -> pd.DataFrame:
    return pd.read_csv(DEMO / "fasilitas.csv", dtype=str, keep_default_na=False)


def stored(engine: Engine) -> pd.DataFrame:
    """Facilities as facts (parent by name, coordinates to 6 decimals), ids left out."""
    with engine.connect() as conn:
        frame = pd.read_sql(text(
            "SELECT f.*, p.nama AS induk FROM fasilitas f "
            "LEFT JOIN fasilitas p ON p.id = f.induk_id"), conn)  # fmt: skip
    frame[["lon", "lat"]] = frame[["lon", "lat"]].round(6)
    return frame[FACTS].sort_values(["kode_desa", "jenis", "nama"]).reset_index(drop=True)


def clear(engine: Engine) -> None:
    with engine.begin() as conn:
        for sql in ("DELETE FROM kader_keterampilan", "DELETE FROM kader",
                    "UPDATE fasilitas SET induk_id = NULL", "DELETE FROM fasilitas"):
            conn.execute(text(sql))


def run(engine: Engine, path: Path, scope: Scope = EVERYTHING):  # noqa: ANN201
    return run_import(engine, "fasilitas", path, user="uji", scope=scope)


def test_registered_under_both_names(store: Engine) -> None:
    """``pws import facilities`` is this importer: a dry run checks every demo row."""
    assert importer_for("fasilitas") is importer_for("facilities") is FacilitiesImporter
    logged = rows(store, ("impor_log",))
    done = pws(store, "import", "facilities", DEMO / "fasilitas.csv", "--dry-run", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["jenis"], report["status"], report["rows_ok"]) == ("fasilitas", "diperiksa",
                                                                      1230)  # fmt: skip
    assert rows(store, ("impor_log",)) == logged  # a dry run logs nothing


def test_demo_file_round_trips(store: Engine) -> None:
    loaded = stored(store)
    clear(store)
    report = run(store, DEMO / "fasilitas.csv")
    assert report.status == "ok", report.text("en")
    assert report.written == {"fasilitas": 1230, "inserted": 1230, "updated": 0}
    again = stored(store)
    assert len(again) == len(loaded) == 1230
    assert again["induk"].notna().sum() == 1212  # every pustu and posyandu has its parent
    pd.testing.assert_frame_equal(again, loaded)


def test_xlsx_imports_like_csv(store: Engine, tmp_path: Path) -> None:
    frame = demo().query("kode_desa.str.startswith('99.01.01.')")
    frame.to_csv(tmp_path / "f.csv", index=False)
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.to_dict("records"):
        sheet.append([
            None if v == "" else float(v) if c in ("lon", "lat")
            else int(v) if c in ("perawat", "bidan") else v
            for c, v in row.items()
        ])  # fmt: skip
    book.save(tmp_path / "f.xlsx")
    clear(store)
    assert run(store, tmp_path / "f.csv").status == "ok"
    from_csv = stored(store)
    undo_last(store, "uji")
    assert stored(store).empty
    report = run(store, tmp_path / "f.xlsx")
    assert report.status == "ok", report.text("en")
    assert len(from_csv) == len(frame) == 119
    pd.testing.assert_frame_equal(stored(store), from_csv)


def test_points_alone_find_their_village_and_kinds_normalised(store: Engine,
                                                              tmp_path: Path) -> None:
    frame = demo().query("kode_desa.str.startswith('99.01.02.')")
    truth = frame["kode_desa"].tolist()
    frame = frame.drop(columns="kode_desa")
    frame["jenis"] = frame["jenis"].replace({"pustu": "Puskesmas Pembantu", "puskesmas": "PKM",
                                             "posyandu": "POSYANDU"})  # fmt: skip
    path = tmp_path / "points.csv"
    frame.rename(columns={"lon": "Longitude", "lat": "Latitude"}).to_csv(path, index=False)
    clear(store)
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    assert report.mapped_columns == {"Longitude": "lon", "Latitude": "lat"}
    got = stored(store)
    expected = frame.assign(kode_desa=truth)
    assert sorted(zip(got["nama"], got["kode_desa"], got["jenis"], strict=True)) == sorted(
        zip(expected["nama"], expected["kode_desa"],
            expected["jenis"].str.lower().map({"puskesmas pembantu": "pustu", "pkm": "puskesmas",
                                               "posyandu": "posyandu"}), strict=True))  # fmt: skip


def test_stored_parent_and_absent_columns_kept(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("nama,jenis,kode_desa,induk\n"
                    "Posyandu Baru,posyandu,99.01.01.1001,puskesmas  PURWOARUM\n"
                    "Pustu Sukamulyo,pustu,99.01.01.1001,Puskesmas Bumimakmur\n")  # fmt: skip
    report = run(store, path)
    assert report.written == {"fasilitas": 2, "inserted": 1, "updated": 1}, report.text("en")
    got = stored(store).set_index("nama")
    assert got.loc["Posyandu Baru", "induk"] == "Puskesmas Purwoarum"
    assert got.loc["Posyandu Baru", "status"] == "aktif"
    assert (got.loc["Posyandu Baru", "perawat"], got.loc["Posyandu Baru", "bidan"]) == (0, 0)
    assert pd.isna(got.loc["Posyandu Baru", "lon"])
    # an existing facility keeps the coordinates and staffing the file does not mention
    assert got.loc["Pustu Sukamulyo", "induk"] == "Puskesmas Bumimakmur"
    assert (got.loc["Pustu Sukamulyo", "lon"], got.loc["Pustu Sukamulyo", "perawat"]) == \
        (111.924138, 1)  # fmt: skip


def test_reimport_is_idempotent_and_undo_restores(store: Engine, tmp_path: Path) -> None:
    frame = demo().query("kode_desa.str.startswith('99.01.01.')").copy()
    frame["perawat"] = (frame["perawat"].astype(int) + 1).astype(str)
    frame = pd.concat([frame, pd.DataFrame([{
        "nama": "Puskesmas Baru", "jenis": "puskesmas", "kode_desa": "99.01.01.1001",
        "lon": "", "lat": "", "status": "rencana", "perawat": "2", "bidan": "3", "induk": "",
    }, {
        "nama": "Posyandu Anyar", "jenis": "posyandu", "kode_desa": "99.01.01.1002",
        "lon": "", "lat": "", "status": "", "perawat": "", "bidan": "", "induk": "Puskesmas Baru",
    }])], ignore_index=True)  # fmt: skip
    path = tmp_path / "f.csv"
    frame.to_csv(path, index=False)
    before = rows(store)

    first = run(store, path)
    assert first.written == {"fasilitas": 121, "inserted": 2, "updated": 119}, first.text("en")
    after_first = stored(store)
    assert after_first.set_index("nama").loc["Posyandu Anyar", "induk"] == "Puskesmas Baru"
    second = run(store, path)
    assert second.written == {"fasilitas": 121, "inserted": 0, "updated": 121}
    pd.testing.assert_frame_equal(stored(store), after_first)

    undo_last(store, "uji")
    pd.testing.assert_frame_equal(stored(store), after_first)
    undo_last(store, "uji")
    assert_same(before, rows(store))


def _set(column: str, index: int, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def mangle(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        frame.loc[index, column] = value
        return frame

    return mangle


def _swap(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[3, ["lon", "lat"]] = [frame.loc[3, "lat"], frame.loc[3, "lon"]]
    return frame


def _elsewhere(frame: pd.DataFrame) -> pd.DataFrame:
    """Row 4's point moved ~5 km south: no longer in its village."""
    return _set("lat", 2, str(float(frame.loc[2, "lat"]) - 0.05))(frame)


def _uncoded_far_point(frame: pd.DataFrame) -> pd.DataFrame:
    frame = _set("kode_desa", 5, "")(frame)
    return _set("lon", 5, "120.5")(_set("lat", 5, "-2.5")(frame))


BAD = {
    "swapped": (_swap, "swapped", 5, "lon"),
    "outside_indonesia": (_set("lon", 1, "10.5"), "outside_indonesia", 3, "lon"),
    "not_a_number": (_set("lat", 1, "lima"), "not_number", 3, "lat"),
    "half_a_point": (_set("lat", 4, ""), "missing", 6, "lat"),
    "point_outside_village": (_elsewhere, "point_outside_village", 4, "lon"),
    "point_in_no_village": (_uncoded_far_point, "no_village", 7, "lon"),
    "no_location": (lambda f: _set("lon", 6, "")(_set("lat", 6, "")(_set("kode_desa", 6, "")(f))),
                    "missing", 8, "kode_desa"),
    "negative_staff": (_set("perawat", 2, "-1"), "too_small", 4, "perawat"),
    "text_staff": (_set("bidan", 7, "dua"), "not_integer", 9, "bidan"),
    "unknown_parent": (_set("induk", 8, "Puskesmas Entah"), "unknown_parent", 10, "induk"),
    "bad_kind": (_set("jenis", 0, "apotek"), "bad_choice", 2, "jenis"),
    "bad_status": (_set("status", 1, "tutup"), "bad_choice", 3, "status"),
    "duplicate": (lambda f: pd.concat([f, f.iloc[[4]]], ignore_index=True),
                  "duplicate", 12, "kode_desa"),
    "unknown_village": (_set("kode_desa", 0, "99.01.01.2999"), "unknown_code", 2, "kode_desa"),
    "malformed_code": (_set("kode_desa", 0, "99-01"), "bad_code", 2, "kode_desa"),
    "empty_name": (_set("nama", 9, ""), "missing", 11, "nama"),
    "fasyankes_twice": (lambda f: f.assign(kode_fasyankes=["P1", "P2", "P1", *[""] * 7]),
                        "duplicate", 4, "kode_fasyankes"),
    "missing_column": (lambda f: f.drop(columns="lat"), "missing_column", 1, "lat"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_reported_and_nothing_written(store: Engine, tmp_path: Path,
                                                   case: str) -> None:  # fmt: skip
    assert_refused(lambda path: run(store, path),
                   store, NO_SKILLS, BAD[case], demo().head(10), tmp_path / "bad.csv")


def test_swapped_point_says_so(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    _swap(demo().head(10)).to_csv(path, index=False)
    problem = run(store, path).problems[0]
    assert "lon dan lat tertukar?" in problem.message("id")
    assert "swapped" in problem.message("en")


def test_point_outside_village_names_where_it_is(store: Engine, tmp_path: Path) -> None:
    frame = demo().head(10)
    other = demo().query("kode_desa == '99.01.02.1002'").iloc[0]
    frame.loc[0, ["lon", "lat"]] = [other["lon"], other["lat"]]
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    problem = run(store, path).problems[0]
    assert (problem.code, problem.row) == ("point_outside_village", 2)
    assert "99.01.02.1002" in problem.message("id") and "99.01.01.1001" in problem.message("en")


def test_scope_rejects_other_kecamatan(store: Engine) -> None:
    before = rows(store)
    report = run(store, DEMO / "fasilitas.csv", scope=Scope.of(["99.01.01"]))
    outside = demo().query("~kode_desa.str.startswith('99.01.01.')")
    assert report.status == "ditolak"
    assert {p.code for p in report.problems} == {"out_of_scope"}
    assert report.problem_count == len(outside) > 0
    assert report.rows_ok == 1230 - len(outside)
    assert_same(before, rows(store))


def test_scope_applies_to_points_without_codes(store: Engine, tmp_path: Path) -> None:
    frame = demo().query("kode_desa.str.startswith('99.01.02.')").head(3).assign(kode_desa="")
    path = tmp_path / "points.csv"
    frame.to_csv(path, index=False)
    report = run(store, path, scope=Scope.of(["99.01.01"]))
    assert [(p.code, p.row) for p in report.problems] == [("out_of_scope", r) for r in (2, 3, 4)]


def test_latin1_csv_reads(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "nama;jenis;kode_desa;lon;lat;status;perawat;bidan;induk\n"
        "Posyandu Melati Ñ;Posyandu;9901011001;111,9288;-5,4326;aktif;0;0;Puskesmas Purwoarum\n"
        .encode("latin-1"))  # fmt: skip
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    assert any("Latin-1" in n("en") for n in report.notes)
    got = stored(store).set_index("nama").loc["Posyandu Melati Ñ"]
    assert (got["kode_desa"], got["lon"], got["lat"]) == ("99.01.01.1001", 111.9288, -5.4326)
