"""XLSX templates: headers, examples, validation, the Petunjuk sheet, and that they import."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.workbook import Workbook as BookType
from sqlalchemy import Engine

from dashboard import testing
from layers.ingest import REGISTRY, run_import, templates
from layers.ingest import cases as cases_importer
from layers.scope import Scope
from layers.store import engine as store_engine

DEMO = Path(__file__).resolve().parents[2] / "data" / "geo" / "demo_9901"
TABULAR = ("kasus", "fasilitas", "penduduk", "kader")


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = tmp_path_factory.mktemp("tpl") / "pws.sqlite"
    engine = store_engine.make_engine(testing.loaded_database(DEMO, path))
    yield engine
    engine.dispose()


def book(jenis: str) -> BookType:
    return load_workbook(io.BytesIO(templates.template_bytes(jenis)))


def validations(ws: object) -> dict[str, object]:
    """Data validations by the header of the column they cover."""
    headers = {c.column_letter: c.value for c in ws[1]}  # type: ignore[index]
    out = {}
    for dv in ws.data_validations.dataValidation:  # type: ignore[attr-defined]
        for rng in dv.sqref.ranges:
            letter = rng.coord.split(":")[0].rstrip("0123456789")
            assert rng.min_row == 2 and rng.max_row > 1000
            out[headers[letter]] = dv
    return out


@pytest.mark.parametrize("jenis", TABULAR)
def test_data_sheet_headers_examples_and_format(jenis: str) -> None:
    spec = templates.spec(jenis)
    wb = book(jenis)
    assert wb.sheetnames == [templates.DATA_SHEET, templates.NOTE_SHEET]
    ws = wb[templates.DATA_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers == [f.name for f in spec.columns]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    rows = list(ws.iter_rows(min_row=2, max_row=1 + len(spec.examples), values_only=True))
    assert 2 <= len(rows) <= 3
    kode = headers.index("kode_desa")
    for row in rows:
        assert isinstance(row[kode], str) and row[kode].startswith("99.01.")
    letter = ws.cell(row=1, column=kode + 1).column_letter
    assert ws[f"{letter}2"].number_format == "@"
    assert ws[f"{letter}500"].number_format == "@"  # empty rows the user fills in
    assert ws.column_dimensions[letter].number_format == "@"


def test_validation_rules() -> None:
    kasus = validations(book("kasus")[templates.DATA_SHEET])
    assert (kasus["minggu"].type, kasus["minggu"].formula1, kasus["minggu"].formula2) == (
        "whole", "1", "53")  # fmt: skip
    for count in ("kasus", "kematian"):
        assert (kasus[count].type, kasus[count].operator, kasus[count].formula1) == (
            "whole", "greaterThanOrEqual", "0")  # fmt: skip
    fas = validations(book("fasilitas")[templates.DATA_SHEET])
    assert fas["jenis"].type == "list"
    kinds = {f.name: f for f in templates.spec("fasilitas").fields}["jenis"].allowed
    assert {"puskesmas", "pustu", "posyandu"} <= set(kinds)  # the importer's list when registered
    assert fas["jenis"].formula1 == '"' + ",".join(kinds) + '"'
    assert fas["status"].formula1 == '"aktif,rencana"'
    assert fas["perawat"].type == fas["bidan"].type == "whole"
    assert (fas["lat"].type, fas["lat"].formula1, fas["lat"].formula2) == ("decimal", "-12", "7")
    kader = validations(book("kader")[templates.DATA_SHEET])
    assert kader["aktif"].formula1 == kader["BB7"].formula1 == '"1,0"'
    assert kader["tanggal_asesmen"].type == "date"
    pend = validations(book("penduduk")[templates.DATA_SHEET])
    assert {"jumlah", "bayi", "lansia"} <= {k for k, v in pend.items() if v.type == "whole"}


@pytest.mark.parametrize("jenis", TABULAR)
def test_petunjuk_lists_every_column(jenis: str) -> None:
    spec = templates.spec(jenis)
    ws = book(jenis)[templates.NOTE_SHEET]
    cells = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    text = "\n".join(str(c) for row in cells for c in row if c is not None)
    assert "Petunjuk" in text and "Instructions" in text
    by_name = {str(row[0]).split("\n")[0]: row for row in cells if row and row[0]}
    for f in spec.fields:
        row = by_name[f.name]
        assert row[1].startswith(("ya", "tidak")) and "\n" in row[1]  # Indonesian, English
        if f.aliases:
            assert row[2] == ", ".join(f.aliases)
        for allowed in f.allowed:
            assert allowed in row[3]
        assert row[4] == f"{f.description.id}\n{f.description.en}"


def test_kader_has_a_column_per_shipped_skill() -> None:
    headers = [f.name for f in templates.spec("kader").columns]
    skills = [h for h in headers if h[:2] in ("PP", "BB", "IH", "UR", "DL")]
    assert len(skills) == 25 and skills[0] == "PP1" and skills[-1] == "DL5"


def test_kasus_aliases_come_from_the_importer() -> None:
    spec = templates.spec("kasus")
    assert spec.source == "importer"
    by_name = {f.name: f for f in spec.fields}
    assert by_name["kode_desa"].aliases == cases_importer.CODE_ALIASES
    assert {c.name for c in cases_importer.COLUMNS} <= set(by_name)
    assert not by_name["tanggal"].in_template  # documented alternative, not a header


def test_batas_is_a_note_on_formats() -> None:
    wb = book("batas")
    assert wb.sheetnames == [templates.NOTE_SHEET]
    text = "\n".join(str(v) for row in wb.active.iter_rows(values_only=True) for v in row if v)
    for word in ("shapefile", "GeoPackage", "GeoJSON", "GeoParquet", "--crs", "--kolom-kode"):
        assert word in text


def test_write_template_and_unknown_kind(tmp_path: Path) -> None:
    path = templates.write_template("penduduk", tmp_path / "sub" / "penduduk.xlsx")
    assert load_workbook(path)[templates.DATA_SHEET]["C1"].value == "jumlah"
    with pytest.raises(KeyError):
        templates.template_bytes("nope")


def test_data_sheet_detection(tmp_path: Path) -> None:
    path = templates.write_template("kasus", tmp_path / "k.xlsx")
    assert templates.data_sheet(path) == templates.DATA_SHEET
    plain = Workbook()
    plain.create_sheet("Lain")
    plain.save(tmp_path / "two.xlsx")
    assert templates.data_sheet(tmp_path / "two.xlsx") is None
    (tmp_path / "k.csv").write_text("kode_desa\n")
    assert templates.data_sheet(tmp_path / "k.csv") is None
    (tmp_path / "broken.xlsx").write_bytes(templates.template_bytes("kasus")[:500])
    assert templates.data_sheet(tmp_path / "broken.xlsx") is None


@pytest.mark.parametrize("jenis", TABULAR)
def test_examples_pass_the_importer(jenis: str, demo_engine: Engine, tmp_path: Path) -> None:
    """A template filled with its own examples validates (dry run) with its importer."""
    assert jenis in REGISTRY, f"a template without an importer: {jenis!r}"
    path = templates.write_template(jenis, tmp_path / f"{jenis}.xlsx")
    report = run_import(demo_engine, jenis, path, user="uji", scope=Scope.everything(),
                        options={"sheet": templates.data_sheet(path)}, dry_run=True)  # fmt: skip
    assert report.ok, report.text("en")
    assert report.rows_ok == report.rows_total == len(templates.spec(jenis).examples)
