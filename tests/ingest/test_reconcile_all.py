"""Village names instead of codes work alike in every tabular importer (issue 3, item 6).

``fasilitas``, ``penduduk`` and ``kader`` (like ``kasus``, see test_villages.py) take
``desa`` + ``kecamatan`` when a file has no village-code column: exact or normalised names
import at once, a typo rejects the whole file with ``needs_confirmation`` and a review file,
and the review file approved (``setuju = ya``) and passed as ``konfirmasi`` lets it in.
The names are those of the demo district (data/geo/demo_9901/desa.geojson).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from layers.ingest import villages
from layers.ingest.base import read_mapped
from layers.ingest.columns import Column
from layers.ingest.problems import ImportReport
from layers.ingest.run import run_import
from layers.scope import Scope
from tests.ingest.helpers import NO_SKILLS, assert_same, demo_store, rows

EVERYTHING = Scope.everything()
#: (name as an office writes it, kecamatan as written, the code it means)
EXACT = [("Sukamulyo", "Purwoarum", "99.01.01.1001"),
         ("DESA WONOTENGAH", "Kec. PURWOARUM", "99.01.01.1002"),
         ("Kel. Purworejo", "purwoarum", "99.01.01.1003")]  # fmt: skip
#: the same with a typo in the second village (one letter dropped: 'Wonotngah')
TYPO = [EXACT[0], ("Wonotngah", "Purwoarum", "99.01.01.1002"), EXACT[2]]


@dataclass(frozen=True)
class Kind:
    """How to write a by-name file for one importer and read back the codes it stored."""

    jenis: str
    #: (index, desa, kecamatan) -> one CSV row as a dict
    row: Callable[[int, str, str], dict[str, str]]
    #: SQL giving (key, kode_desa) for the rows the file wrote
    stored: str
    #: the key of row ``index`` in that query
    key: Callable[[int], str]


KINDS = [
    Kind("fasilitas",
         lambda i, d, k: {"nama": f"Posyandu Uji {i}", "jenis": "posyandu", "desa": d,
                          "kecamatan": k, "perawat": "0", "bidan": "1"},
         "SELECT nama, kode_desa FROM fasilitas WHERE nama LIKE 'Posyandu Uji %'",
         lambda i: f"Posyandu Uji {i}"),
    Kind("penduduk",
         lambda i, d, k: {"Nama Desa": d, "Kecamatan": k, "tahun": "2024",
                          "jumlah": str(7000 + i), "balita": "500"},
         "SELECT CAST(jumlah AS TEXT), kode_desa FROM penduduk WHERE tahun = 2024 "
         "AND jumlah BETWEEN 7000 AND 7009",
         lambda i: str(7000 + i)),
    Kind("kader",
         lambda i, d, k: {"kader_id": f"K-UJI-{i}", "posyandu": "Posyandu Uji",
                          "kelurahan": d, "kec": k, "aktif": "ya"},
         "SELECT kode, kode_desa FROM kader WHERE kode LIKE 'K-UJI-%'",
         lambda i: f"K-UJI-{i}"),
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


def _write(kind: Kind, names: list[tuple[str, str, str]], path: Path) -> Path:
    pd.DataFrame([kind.row(i, d, k) for i, (d, k, _) in enumerate(names)]).to_csv(path,
                                                                                   index=False)
    return path


def _run(engine: Engine, kind: Kind, path: Path, **options: object) -> ImportReport:
    return run_import(engine, kind.jenis, path, user="uji", scope=EVERYTHING, options=options)


def _stored(engine: Engine, kind: Kind) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text(kind.stored)).all())


def _expected(kind: Kind, names: list[tuple[str, str, str]]) -> dict[str, str]:
    return {kind.key(i): kode for i, (_, _, kode) in enumerate(names)}


def _snapshot(engine: Engine) -> tuple[dict[str, list[tuple]], int]:
    with engine.connect() as conn:
        skills = conn.execute(text("SELECT COUNT(*) FROM kader_keterampilan")).scalar_one()
    return rows(engine, NO_SKILLS), skills


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.jenis)
def test_exact_names_import_with_the_right_codes(store: Engine, tmp_path: Path,
                                                 kind: Kind) -> None:  # fmt: skip
    path = _write(kind, EXACT, tmp_path / f"{kind.jenis}.csv")
    report = _run(store, kind, path)
    assert report.status == "ok", report.text("en")
    assert _stored(store, kind) == _expected(kind, EXACT)
    assert "3 names (exact 1, spelling normalised 2)" in " ".join(n("en") for n in report.notes)
    assert not (tmp_path / f"{kind.jenis}.tinjauan.csv").exists()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.jenis)
def test_a_typo_is_refused_until_the_review_file_confirms_it(store: Engine, tmp_path: Path,
                                                             kind: Kind) -> None:  # fmt: skip
    path = _write(kind, TYPO, tmp_path / f"{kind.jenis}.csv")
    before = _snapshot(store)
    report = _run(store, kind, path)
    assert report.status == "ditolak"
    assert [(p.row, p.column, p.value, p.code) for p in report.problems] == [
        (3, "nama_desa", "Wonotngah", "needs_confirmation")]
    assert "Wonotengah (99.01.01.1002" in report.problems[0].message("en")
    after = _snapshot(store)
    assert_same(before[0], after[0])  # nothing written, not even the exact names
    assert before[1] == after[1]
    review = tmp_path / f"{kind.jenis}.tinjauan.csv"
    assert review.exists()

    frame = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame["metode"]) == ["exact", "fuzzy", "normalised"]
    assert list(frame["setuju"]) == ["ya", "", "ya"]
    frame.loc[frame["metode"] == "fuzzy", "setuju"] = "ya"
    frame.to_csv(review, index=False)
    report = _run(store, kind, path, konfirmasi=str(review))
    assert report.status == "ok", report.text("en")
    assert _stored(store, kind) == _expected(kind, TYPO)
    assert "3 names (exact 1, spelling normalised 1, confirmed 1)" in " ".join(
        n("en") for n in report.notes)


def test_facility_points_still_locate_and_names_place_the_rest(store: Engine,
                                                               tmp_path: Path) -> None:
    """With names, a facility row with coordinates is placed by its point, one without by
    its name; a name that does not match is refused by name."""
    path = tmp_path / "f.csv"
    path.write_text("nama,jenis,desa,kecamatan,lon,lat\n"
                    "Posyandu Uji 0,posyandu,Sukamulyo,Purwoarum,111.924138,-5.439741\n"
                    "Posyandu Uji 1,posyandu,Wonotengah,Purwoarum,,\n")  # fmt: skip
    report = run_import(store, "fasilitas", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert _stored(store, KINDS[0]) == {"Posyandu Uji 0": "99.01.01.1001",
                                        "Posyandu Uji 1": "99.01.01.1002"}  # fmt: skip
    path.write_text("nama,jenis,desa,kecamatan\nPosyandu Uji 2,posyandu,Kampung Fiktif,"
                    "Purwoarum\n")  # fmt: skip
    report = run_import(store, "fasilitas", path, user="uji", scope=EVERYTHING,
                        options={"tinjauan": ""})  # fmt: skip
    assert report.status == "ditolak"
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (2, "nama_desa", "unknown_name")]


def test_any_importer_reading_kode_desa_gets_names_for_free(tmp_path: Path) -> None:
    """The switch to names lives in read_mapped: any column set with ``kode_desa``."""
    path = tmp_path / "x.csv"
    path.write_text("Desa,Kecamatan,nilai\nSukamulyo,Purwoarum,1\n")
    columns = (Column(villages.CODE, ("kode",)), Column("nilai"))
    read = read_mapped(path, columns, {}, ImportReport("uji", "x.csv"))
    assert read is not None and read.by_name
    assert list(read.frame["nama_desa"]) == ["Sukamulyo"]
    path.write_text("kode,Desa,nilai\n99.01.01.1001,Sukamulyo,1\n")
    read = read_mapped(path, columns, {}, ImportReport("uji", "x.csv"))
    assert read is not None and not read.by_name and "nama_desa" not in read.frame
