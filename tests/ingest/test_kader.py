"""The kader importer: wide and list skill layouts, every bad input, undo, scope, encodings."""

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
from layers.ingest.kader import KaderImporter
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.run import run_import, undo_last
from layers.scope import Scope
from tests.ingest.helpers import (
    ALL_TABLES,
    DEMO,
    assert_refused,
    assert_same,
    demo_store,
    pws,
    rows,
)

EVERYTHING = Scope.everything()
#: a small slice of the roster keeps most tests fast (the full file has 196k skill rows)
SLICE = 40


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


def demo(rows: int | None = SLICE) -> pd.DataFrame:
    frame = pd.read_csv(DEMO / "kader.csv", dtype=str, keep_default_na=False)
    return frame if rows is None else frame.head(rows)


def stored(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kader and their skills as facts (by kader code, posyandu by name), ids left out."""
    with engine.connect() as conn:
        kader = pd.read_sql(text(
            "SELECT k.kode, k.posyandu, f.nama AS posyandu_tersimpan, k.kode_desa, k.aktif, "
            "k.tanggal_asesmen FROM kader k LEFT JOIN fasilitas f ON f.id = k.posyandu_id "
            "ORDER BY k.kode"), conn)  # fmt: skip
        skills = pd.read_sql(text(
            "SELECT k.kode, s.keterampilan, s.lulus, s.tanggal FROM kader_keterampilan s "
            "JOIN kader k ON k.id = s.kader_id ORDER BY k.kode, s.keterampilan"), conn)
    return kader, skills


def clear(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM kader_keterampilan"))
        conn.execute(text("DELETE FROM kader"))


def run(engine: Engine, path: Path, scope: Scope = EVERYTHING, **options: object):  # noqa: ANN201
    return run_import(engine, "kader", path, user="uji", scope=scope, options=options)


def as_list_layout(frame: pd.DataFrame) -> pd.DataFrame:
    """The same roster with one ``keterampilan`` column listing the passed codes."""
    skills = [c for c in frame.columns if c[:2] in ("PP", "BB", "IH", "UR", "DL")]
    listed = frame[skills].apply(
        lambda r: "; ".join(", ".join(c for c in skills[k:k + 7] if r[c] == "1")
                            for k in range(0, len(skills), 7)), axis=1)  # fmt: skip
    return frame.drop(columns=skills).assign(keterampilan=listed)


def test_registered_under_its_name(store: Engine, tmp_path: Path) -> None:
    """``pws import kader`` is this importer (the same word in both languages)."""
    assert importer_for("kader") is importer_for("KADER") is KaderImporter
    path = tmp_path / "kader.csv"
    demo().to_csv(path, index=False)
    logged = rows(store, ("impor_log",))
    done = pws(store, "import", "kader", path, "--dry-run", "--json")
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert (report["jenis"], report["status"], report["rows_ok"]) == ("kader", "diperiksa", SLICE)
    assert rows(store, ("impor_log",)) == logged  # a dry run logs nothing


def test_demo_file_round_trips(store: Engine) -> None:
    kader, skills = stored(store)
    clear(store)
    report = run(store, DEMO / "kader.csv")
    assert report.status == "ok", report.text("en")
    assert report.written["kader"] == len(kader) == 7857
    assert report.written["kader_keterampilan"] == len(skills) == 7857 * 25
    again_kader, again_skills = stored(store)
    pd.testing.assert_frame_equal(again_kader, kader)
    pd.testing.assert_frame_equal(again_skills, skills)
    assert again_kader["posyandu_tersimpan"].notna().all()  # every posyandu resolved


def test_xlsx_and_list_layout_import_like_wide_csv(store: Engine, tmp_path: Path) -> None:
    frame = demo()
    frame.to_csv(tmp_path / "k.csv", index=False)
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([int(v) if v in ("0", "1") else dt.date.fromisoformat(v)
                      if len(v) == 10 and v[4] == "-" else v for v in row])  # fmt: skip
    book.save(tmp_path / "k.xlsx")
    as_list_layout(frame).to_csv(tmp_path / "list.csv", index=False)
    clear(store)
    results = []
    for name in ("k.csv", "k.xlsx", "list.csv"):
        report = run(store, tmp_path / name)
        assert report.status == "ok", report.text("en")
        results.append(stored(store))
        undo_last(store, "uji")
        assert stored(store)[0].empty
    assert len(results[0][0]) == SLICE and len(results[0][1]) == SLICE * 25
    for kader, skills in results[1:]:
        pd.testing.assert_frame_equal(kader, results[0][0])
        pd.testing.assert_frame_equal(skills, results[0][1])


def test_reimport_is_idempotent_and_undo_restores(store: Engine, tmp_path: Path) -> None:
    frame = demo()
    frame["PP1"] = frame["PP1"].map({"0": "1", "1": "0"})
    frame.loc[3, "aktif"] = "tidak aktif"
    new = frame.iloc[[0]].assign(kader_id="K-BARU-1", posyandu="Posyandu Tak Terdaftar")
    frame = pd.concat([frame, new], ignore_index=True)
    path = tmp_path / "k.csv"
    frame.to_csv(path, index=False)
    before = rows(store)

    first = run(store, path)
    assert first.status == "ok", first.text("en")
    assert (first.written["kader"], first.written["kader_keterampilan"]) == (41, 41 * 25)
    after_first = stored(store)
    kader = after_first[0].set_index("kode")
    assert not kader.loc[frame.loc[3, "kader_id"], "aktif"]
    assert kader.loc["K-BARU-1", "posyandu"] == "Posyandu Tak Terdaftar"
    assert pd.isna(kader.loc["K-BARU-1", "posyandu_tersimpan"])  # kept as text only
    second = run(store, path)
    assert second.written["inserted"] == 0 and second.written["updated"] == 41 * 26
    for got, want in zip(stored(store), after_first, strict=True):
        pd.testing.assert_frame_equal(got, want)

    undo_last(store, "uji")
    undo_last(store, "uji")
    assert_same(before, rows(store))


def test_skill_codes_come_from_the_lookup_table(store: Engine, tmp_path: Path) -> None:
    with store.begin() as conn:
        conn.execute(text("INSERT INTO keterampilan (kode, kelompok, urut, label_id, label_en, "
                          "terkonfirmasi) SELECT 'XX1', kelompok, 99, 'Uji', 'Test', 0 "
                          "FROM keterampilan WHERE kode = 'PP1'"))  # fmt: skip
    frame = demo(2)[["kader_id", "posyandu", "kode_desa", "aktif", "tanggal_asesmen", "PP1"]]
    path = tmp_path / "k.csv"
    frame.assign(XX1=["1", "0"]).to_csv(path, index=False)
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    skills = stored(store)[1].query("kode in @frame.kader_id and keterampilan == 'XX1'")
    assert skills["lulus"].tolist() == [1, 0]


TODAY = dt.date(2025, 12, 31)
BAD = {
    "unknown_skill_column": (lambda f: f.assign(PP9="1"), "unknown_skill", 1, "PP9"),
    "unknown_listed_skill": (lambda f: as_list_layout(f).assign(
        keterampilan=lambda g: g["keterampilan"].mask(g.index == 2, "PP1, ZZ9")),
        "unknown_skill", 4, "keterampilan"),
    "future_date": (lambda f: f.assign(tanggal_asesmen=f["tanggal_asesmen"].mask(
        f.index == 5, "2026-01-05")), "future", 7, "tanggal_asesmen"),
    "bad_date": (lambda f: f.assign(tanggal_asesmen=f["tanggal_asesmen"].mask(
        f.index == 5, "kemarin")), "bad_date", 7, "tanggal_asesmen"),
    "bad_active_flag": (lambda f: f.assign(aktif=f["aktif"].mask(f.index == 1, "mungkin")),
                        "bad_flag", 3, "aktif"),
    "bad_skill_value": (lambda f: f.assign(BB3=f["BB3"].mask(f.index == 6, "2")),
                        "bad_flag", 8, "BB3"),
    "duplicate": (lambda f: pd.concat([f, f.iloc[[0]]], ignore_index=True),
                  "duplicate", SLICE + 2, "kader_id"),
    # a kader in two posyandu: its own problem on the later row, not a generic duplicate
    "two_posyandu": (lambda f: pd.concat([f, f.iloc[[2]].assign(posyandu="Posyandu Lain")],
                                         ignore_index=True),
                     "two_posyandu", SLICE + 2, "posyandu"),
    "two_posyandu_in_the_middle": (lambda f: pd.concat(
        [f.head(10), f.iloc[[2]].assign(posyandu="Posyandu Lain"), f.iloc[10:]],
        ignore_index=True), "two_posyandu", 12, "posyandu"),
    "two_villages": (lambda f: pd.concat([f, f.iloc[[2]].assign(kode_desa="99.01.01.1002")],
                                         ignore_index=True),
                     "two_posyandu", SLICE + 2, "posyandu"),
    # one problem per kader: a third posyandu and an exact repeat add none
    "three_posyandu_once": (lambda f: pd.concat(
        [f, f.iloc[[2]].assign(posyandu="Posyandu Lain"), f.iloc[[2]],
         f.iloc[[2]].assign(posyandu="Posyandu Ketiga")], ignore_index=True),
        "two_posyandu", SLICE + 2, "posyandu"),
    "two_posyandu_one_unnamed": (lambda f: pd.concat([f, f.iloc[[2]].assign(posyandu="")],
                                                     ignore_index=True),
                                 "two_posyandu", SLICE + 2, "posyandu"),
    "unknown_village": (lambda f: f.assign(kode_desa=f["kode_desa"].mask(f.index == 0,
                                                                         "99.01.01.2999")),
                        "unknown_code", 2, "kode_desa"),
    "empty_id": (lambda f: f.assign(kader_id=f["kader_id"].mask(f.index == 9, "")),
                 "missing", 11, "kader_id"),
    "both_layouts": (lambda f: f.assign(keterampilan="PP1"), "layout", 1, "keterampilan"),
    "missing_column": (lambda f: f.drop(columns="kode_desa"), "missing_column", 1, "kode_desa"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_reported_and_nothing_written(store: Engine, tmp_path: Path,
                                                   case: str) -> None:  # fmt: skip
    assert_refused(lambda path: run(store, path, today=TODAY),
                   store, ALL_TABLES, BAD[case], demo(), tmp_path / "bad.csv")


def test_active_flag_spellings(store: Engine, tmp_path: Path) -> None:
    spellings = {"1": True, "0": False, "ya": True, "tidak": False, "TRUE": True,
                 "false": False, "Aktif": True, "Tidak Aktif": False}  # fmt: skip
    frame = demo(len(spellings)).assign(aktif=list(spellings))
    path = tmp_path / "k.csv"
    frame.to_csv(path, index=False)
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    kader = stored(store)[0].set_index("kode").loc[frame["kader_id"], "aktif"]
    assert [bool(v) for v in kader] == list(spellings.values())


def test_scope_rejects_other_kecamatan(store: Engine, tmp_path: Path) -> None:
    frame = demo(None)
    frame = pd.concat([frame.head(30), frame[~frame["kode_desa"].str.startswith("99.01.01.")]
                       .head(5)], ignore_index=True)  # fmt: skip
    path = tmp_path / "k.csv"
    frame.to_csv(path, index=False)
    before = rows(store)
    report = run(store, path, scope=Scope.of(["99.01.01"]))
    assert report.status == "ditolak"
    assert [(p.code, p.row) for p in report.problems] == [("out_of_scope", r)
                                                          for r in range(32, 37)]  # fmt: skip
    assert_same(before, rows(store))


def test_kader_id_of_another_region_is_refused(store: Engine, tmp_path: Path) -> None:
    other = demo(None).query("~kode_desa.str.startswith('99.01.01.')").iloc[[0]]
    mine = demo(1)
    frame = mine.assign(kader_id=other["kader_id"].item())
    path = tmp_path / "k.csv"
    frame.to_csv(path, index=False)
    report = run(store, path, scope=Scope.of(["99.01.01"]))
    assert [(p.code, p.row, p.column) for p in report.problems] == [
        ("out_of_scope", 2, "kader_id")]


def test_latin1_csv_reads(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "kader_id;posyandu;kode_desa;aktif;tanggal_asesmen;keterampilan\n"
        "K-LATIN-1;Posyandu Melati Ñ;9901011001;ya;15/03/2025;PP1 PP2 BB1\n"
        .encode("latin-1"))  # fmt: skip
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    kader, skills = stored(store)
    row = kader.set_index("kode").loc["K-LATIN-1"]
    assert (row["posyandu"], row["kode_desa"]) == ("Posyandu Melati Ñ", "99.01.01.1001")
    assert str(row["tanggal_asesmen"]) == "2025-03-15"
    passed = skills.query("kode == 'K-LATIN-1' and lulus == 1")["keterampilan"].tolist()
    assert sorted(passed) == ["BB1", "PP1", "PP2"]
    assert len(skills.query("kode == 'K-LATIN-1'")) == 25


def _problems(store: Engine, frame: pd.DataFrame, path: Path) -> list[Problem]:
    frame.to_csv(path, index=False)
    before = rows(store)
    report = run(store, path, today=TODAY)
    assert report.status == "ditolak"
    assert_same(before, rows(store))
    return report.problems


def test_two_posyandu_names_the_kader_both_posyandu_and_rows(store: Engine,
                                                             tmp_path: Path) -> None:  # fmt: skip
    frame = demo()
    kader = frame.loc[2, "kader_id"]
    first = frame.loc[2, "posyandu"]
    spoilt = pd.concat([frame, frame.iloc[[2]].assign(posyandu=" Posyandu Lain ")],
                       ignore_index=True)  # fmt: skip
    [problem] = _problems(store, spoilt, tmp_path / "k.csv")
    assert (problem.code, problem.row, problem.column, problem.value) == (
        "two_posyandu", SLICE + 2, "posyandu", "Posyandu Lain")
    assert problem.message("id") == (
        f"Kader {kader} tercatat di dua posyandu: {first} (baris 4) dan Posyandu Lain "
        f"(baris {SLICE + 2}). Satu kader hanya di satu posyandu: sisakan satu baris.")
    assert problem.message("en") == (
        f"Kader {kader} is listed in two posyandu: {first} (row 4) and Posyandu Lain "
        f"(row {SLICE + 2}). A kader belongs to one posyandu: keep one row.")


def test_two_posyandu_message_lists_every_posyandu_and_village(store: Engine,
                                                               tmp_path: Path) -> None:  # fmt: skip
    frame = demo()
    kader, first = frame.loc[2, "kader_id"], frame.loc[2, "posyandu"]
    village = frame.loc[2, "kode_desa"]
    spoilt = pd.concat([frame, frame.iloc[[2]].assign(posyandu="posyandu   LAIN"),
                        frame.iloc[[2]].assign(posyandu="Posyandu Lain"),  # the same, loosely
                        frame.iloc[[2]].assign(kode_desa="99.01.01.1002")],
                       ignore_index=True)  # fmt: skip
    [problem] = _problems(store, spoilt, tmp_path / "k.csv")
    assert (problem.row, problem.value) == (SLICE + 2, "posyandu   LAIN")
    assert problem.message("id").startswith(
        f"Kader {kader} tercatat di 3 posyandu: {first} (desa {village}, baris 4), posyandu   "
        f"LAIN (desa {village}, baris {SLICE + 2}) dan {first} (desa 99.01.01.1002, baris "
        f"{SLICE + 4}).")
    assert problem.message("en").startswith(f"Kader {kader} is listed in 3 posyandu: ")
    assert f"(village 99.01.01.1002, row {SLICE + 4})." in problem.message("en")


def test_a_refused_village_row_is_no_second_posyandu(
        store: Engine, tmp_path: Path) -> None:  # fmt: skip
    frame = demo()
    spoilt = pd.concat([frame, frame.iloc[[2]].assign(kode_desa="99.01.01.2999",
                                                      posyandu="Posyandu Lain")],
                       ignore_index=True)  # fmt: skip
    problems = _problems(store, spoilt, tmp_path / "k.csv")
    # the refused row is still a repeat of the kader id, but not a second posyandu
    assert [(p.code, p.row, p.column) for p in problems] == [
        ("duplicate", SLICE + 2, "kader_id"), ("unknown_code", SLICE + 2, "kode_desa")]


def _notes(report: ImportReport, lang: str) -> list[str]:
    return [n(lang) for n in report.notes]


def test_reimport_of_the_stored_roster_has_no_posyandu_notes(store: Engine,
                                                             tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "k.csv"
    demo().to_csv(path, index=False)
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    assert _notes(report, "en") == []


def test_a_stored_kader_moved_to_another_posyandu_of_the_region_is_noted(
        store: Engine, tmp_path: Path) -> None:  # fmt: skip
    frame = demo()
    one, two = frame.loc[0, "kader_id"], frame.loc[1, "kader_id"]
    old = frame.loc[0, "posyandu"]
    frame.loc[0, "posyandu"] = "Posyandu Melati 2"  # a stored posyandu of the same village
    frame.loc[1, ["kode_desa", "posyandu"]] = ["99.01.01.1002", "Posyandu Kamboja 1"]
    path = tmp_path / "k.csv"
    frame.to_csv(path, index=False)
    report = run(store, path, scope=Scope.of(["99.01.01"]))
    assert report.status == "ok", report.text("en")  # a transfer is allowed
    assert _notes(report, "id") == [
        f"2 kader tersimpan pindah posyandu (mis. {one}: {old} → Posyandu Melati 2; {two}: "
        f"{old} (99.01.01.1001) → Posyandu Kamboja 1 (99.01.01.1002))."]
    assert _notes(report, "en") == [
        f"2 stored kader move to another posyandu (e.g. {one}: {old} → Posyandu Melati 2; "
        f"{two}: {old} (99.01.01.1001) → Posyandu Kamboja 1 (99.01.01.1002))."]
    kader = stored(store)[0].set_index("kode")
    assert kader.loc[one, "posyandu_tersimpan"] == "Posyandu Melati 2"
    assert tuple(kader.loc[two, ["kode_desa", "posyandu_tersimpan"]]) == (
        "99.01.01.1002", "Posyandu Kamboja 1")


def test_posyandu_names_not_stored_are_kept_and_noted_once(store: Engine,
                                                           tmp_path: Path) -> None:  # fmt: skip
    clear(store)  # new kader: no move note
    with store.begin() as conn:  # a village whose facilities are not imported yet
        conn.execute(text("DELETE FROM fasilitas WHERE jenis = 'posyandu' "
                          "AND kode_desa = '99.01.01.1002'"))  # fmt: skip
    every = demo(None)
    frame = pd.concat([every[every["kode_desa"] == kode].head(4)
                       for kode in ("99.01.01.1001", "99.01.01.1002")], ignore_index=True)
    frame.loc[[0, 1, 2], "posyandu"] = ["Posyandu Anggrek", "posyandu  anggrek", "Posyandu X"]
    in_1002 = frame.index[frame["kode_desa"] == "99.01.01.1002"]
    assert len(in_1002) == 4
    path = tmp_path / "k.csv"
    frame.to_csv(path, index=False)
    report = run(store, path)
    assert report.status == "ok", report.text("en")  # not an error
    n = 3 + len(in_1002)
    shown = (f"'Posyandu Anggrek' (99.01.01.1001), 'Posyandu X' (99.01.01.1001), "
             f"{frame.loc[in_1002[0], 'posyandu']!r} (99.01.01.1002)")
    names = 2 + frame.loc[in_1002, "posyandu"].nunique()
    more = " …" if names > 3 else ""
    assert _notes(report, "id") == [
        f"{n} kader dengan nama posyandu yang tidak ada di antara posyandu tersimpan desanya "
        f"({names} nama, mis. {shown}{more}); nama disimpan sebagai teks (1 desa belum punya "
        "posyandu tersimpan). Impor data fasilitas untuk menautkannya."]
    assert _notes(report, "en") == [
        f"{n} kader with a posyandu name not found among their village's stored posyandu "
        f"({names} names, e.g. {shown}{more}); the name is kept as text (1 villages have no "
        "stored posyandu yet). Import the facilities to link them."]
    kader = stored(store)[0].set_index("kode")
    assert kader.loc[frame.loc[0, "kader_id"], "posyandu"] == "Posyandu Anggrek"
    assert kader["posyandu_tersimpan"].isna().sum() == n


def test_unknown_skill_header_comes_with_the_rows_problems(store: Engine,
                                                           tmp_path: Path) -> None:  # fmt: skip
    before = rows(store, ALL_TABLES)
    frame = demo().assign(XX9="1")
    frame.loc[5, "tanggal_asesmen"] = "2026-01-05"
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    report = run(store, path, today=TODAY)
    found = {(p.code, p.column) for p in report.problems}
    assert report.status == "ditolak"
    assert {("unknown_skill", "XX9"), ("future", "tanggal_asesmen")} <= found
    assert rows(store, ALL_TABLES) == before


def test_a_missing_skill_column_is_noted(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    demo().drop(columns=["DL5", "UR1"]).to_csv(path, index=False)
    report = run(store, path)
    assert report.status == "ok", report.text("en")
    assert any("UR1, DL5" in n and "not assessed" in n for n in _notes(report, "en"))
    assert any("UR1, DL5" in n and "belum dinilai" in n for n in _notes(report, "id"))
    path_all = tmp_path / "all.csv"
    demo().to_csv(path_all, index=False)
    assert not any("Skill columns" in n for n in _notes(run(store, path_all), "en"))
