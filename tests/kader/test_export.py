"""The kader workbooks (:mod:`layers.kader.export`) on a spoiled copy of the demo store:
sheets and headers in both languages (no Indonesian header in the English workbook), codes
as text, counts as numbers, missing values as empty cells, the numbers equal to a
plain-Python recomputation from the store's rows (:mod:`tests.kader.recompute`)."""

from __future__ import annotations

import datetime as dt
import doctest
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

import layers.kader.export
from layers.kader import service
from layers.kader.export import gaps_xlsx, levels_xlsx
from layers.kader.priority import training_priority
from layers.scope import Scope
from layers.store import queries
from tests.kader.recompute import (
    EMPTY_POSYANDU,
    KEC,
    NO_POP,
    PART_POP,
    SPOILED,
    STALE,
    UNDATED,
    Expected,
    proper_names,
    recompute,
    spoil,
)
from tests.test_language_mix import foreign_words

TODAY = dt.date(2026, 1, 15)  # a fixed day: the stale marks do not move with the clock
LEVEL_NAMES = {"id": {"belum": "Belum berstrata", "purwa": "Purwa", "madya": "Madya",
                      "utama": "Utama"},
               "en": {"belum": "No level yet", "purwa": "Purwa", "madya": "Madya",
                      "utama": "Utama"}}  # fmt: skip
HEADERS = {
    "id": {
        "Desa": ["Peringkat", "Kode desa", "Nama desa", "Posyandu", "Kader", "Kader aktif",
                 "Belum berstrata (kader aktif)", "Purwa (kader aktif)", "Madya (kader aktif)",
                 "Utama (kader aktif)", "Kader aktif per posyandu", "Keterampilan kurang",
                 "Kode keterampilan kurang", "Sasaran tak terlayani", "Bobot",
                 "Asesmen usang (kader aktif)", "Tanpa tanggal asesmen (kader aktif)"],
        "Posyandu": ["Peringkat", "Kode desa", "Nama desa", "Posyandu", "Kader", "Kader aktif",
                     "Di bawah norma (5)", "Belum berstrata (kader aktif)",
                     "Purwa (kader aktif)", "Madya (kader aktif)", "Utama (kader aktif)",
                     "Keterampilan kurang", "Kode keterampilan kurang",
                     "Sasaran tak terlayani", "Asesmen usang (kader aktif)",
                     "Tanpa tanggal asesmen (kader aktif)"],
        "Prioritas pelatihan": ["Puskesmas", "Peringkat", "Kode keterampilan", "Keterampilan",
                                "Kelompok", "Posyandu yang kurang", "Penduduk terjangkau",
                                "Daftar posyandu"],
        "Kader": ["Kode kader", "Posyandu", "Kode desa", "Nama desa", "Aktif", "Strata",
                  "Kelompok lengkap", "Jumlah kelompok lengkap", "Tanggal asesmen",
                  "Asesmen usang"],
    },
    "en": {
        "Villages": ["Rank", "Village code", "Village", "Posyandu", "Kader", "Active kader",
                     "No level yet (active kader)", "Purwa (active kader)",
                     "Madya (active kader)", "Utama (active kader)",
                     "Active kader per posyandu", "Skills missing", "Missing skill codes",
                     "People unserved", "Weighted by", "Stale assessments (active kader)",
                     "No assessment date (active kader)"],
        "Posyandu": ["Rank", "Village code", "Village", "Posyandu", "Kader", "Active kader",
                     "Below the norm (5)", "No level yet (active kader)",
                     "Purwa (active kader)", "Madya (active kader)", "Utama (active kader)",
                     "Skills missing", "Missing skill codes", "People unserved",
                     "Stale assessments (active kader)", "No assessment date (active kader)"],
        "Training priority": ["Puskesmas", "Rank", "Skill code", "Skill", "Group",
                              "Posyandu lacking it", "People reached", "The posyandu"],
        "Kader": ["Kader code", "Posyandu", "Village code", "Village", "Active", "Level",
                  "Complete groups", "Number of complete groups", "Assessment date",
                  "Stale assessment"],
    },
}


@pytest.fixture(scope="module")
def db(store: Engine) -> Engine:
    spoil(store)
    return store


@pytest.fixture(scope="module")
def books(db: Engine) -> dict[str, Workbook]:
    scope = Scope.of([KEC])
    with Session(db) as session:
        gaps = service.gaps_for(session, scope, today=TODAY)
        priority = training_priority(session, scope, gaps)
        villages = queries.village_table(session, scope)
    out = {}
    for lang in ("id", "en"):
        out[f"gaps_{lang}"] = load_workbook(io.BytesIO(gaps_xlsx(gaps, priority, lang,
                                                                 f"Purwoarum ({KEC})")))
        out[f"levels_{lang}"] = load_workbook(io.BytesIO(levels_xlsx(
            gaps, lang, f"Purwoarum ({KEC})", villages)))  # fmt: skip
    return out


@pytest.fixture(scope="module")
def expected(db: Engine) -> Expected:
    return recompute(db, KEC, TODAY)


def _rows(book: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return list(book[sheet].iter_rows(min_row=2, values_only=True))


def _notes(book: Workbook) -> dict[str, Any]:
    return {r[0]: r[1] for r in book.worksheets[-1].iter_rows(values_only=True)
            if r[0] is not None}  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
def test_sheets_and_headers(books: dict[str, Workbook], lang: str) -> None:
    notes = {"id": "Keterangan", "en": "Notes"}[lang]
    gaps, levels = books[f"gaps_{lang}"], books[f"levels_{lang}"]
    assert gaps.sheetnames == [*list(HEADERS[lang])[:3], notes]
    assert levels.sheetnames == ["Kader", notes]
    for sheet, heads in HEADERS[lang].items():
        book = levels if sheet == "Kader" else gaps
        assert [c.value for c in book[sheet][1]] == heads, sheet
        assert book[sheet].freeze_panes == "A2" and book[sheet].auto_filter.ref


def test_no_indonesian_in_the_english_workbooks(books: dict[str, Workbook],
                                                db: Engine) -> None:  # fmt: skip
    def cells(book: Workbook) -> list[str]:
        return [v for ws in book for row in ws.iter_rows(values_only=True) for v in row
                if isinstance(v, str)]  # fmt: skip

    english = {"en": set(), "id": set()}
    for kind in ("gaps", "levels"):
        english["en"] |= set(cells(books[f"{kind}_en"]))
        english["id"] |= set(cells(books[f"{kind}_id"]))
    # every Indonesian header and notes label that is not the same word in both languages
    said_id = {h for heads in HEADERS["id"].values() for h in heads} | {
        k for kind in ("gaps", "levels") for k in _notes(books[f"{kind}_id"])}
    same = {h for heads in HEADERS["en"].values() for h in heads} | {
        k for kind in ("gaps", "levels") for k in _notes(books[f"{kind}_en"])}
    only_id = said_id - same
    assert len(only_id) > 30 and not only_id & english["en"]
    assert not {"Keterangan", "Desa", "Prioritas pelatihan"} & set(
        books["gaps_en"].sheetnames)
    names = proper_names(db)
    for lang in ("id", "en"):
        text = "\n".join(sorted(english[lang]))
        assert foreign_words(text, lang, names) == [], lang
    assert "sasaran kelompok" in english["id"] and "group target population" in english["en"]


def test_village_sheet_equals_the_rows(books: dict[str, Workbook], expected: Expected) -> None:
    ws = books["gaps_id"]["Desa"]
    rows = _rows(books["gaps_id"], "Desa")
    assert [r[1] for r in rows] == expected.village_order()
    for i, r in enumerate(rows, start=2):
        want = expected.villages[r[1]]
        assert ws.cell(row=i, column=2).number_format == "@" and isinstance(r[1], str)
        assert r[0] == want["peringkat"] and r[3] == want["posyandu"]
        assert (r[4], r[5]) == (want["kader"], want["kader_aktif"])
        assert list(r[6:10]) == [want["level"][k] for k in expected.levels]
        assert all(isinstance(v, int) for v in r[3:10])  # numbers, never text
        assert r[11] == want["kurang"]
        assert r[12] == (" ".join(want["missing"]) or None)
        if want["sasaran"] is None:
            assert r[13] is None
        else:
            assert r[13] == round(want["sasaran"])
        assert (r[15], r[16]) == (want["stale"], want["tanpa_tanggal"])
    by_code = {r[1]: r for r in rows}
    no_pop = by_code[NO_POP]
    assert no_pop[13] is None and no_pop[14] is None and no_pop[11] > 0  # empty, never 0
    assert by_code[PART_POP][14] == "seluruh penduduk desa"
    complete = [r for r in rows if r[11] == 0]
    assert complete and all(r[0] is None and r[12] is None for r in complete)
    assert by_code[SPOILED][15] == len(STALE) and by_code[SPOILED][16] == 1


def test_posyandu_sheet_equals_the_rows(books: dict[str, Workbook], expected: Expected) -> None:
    rows = _rows(books["gaps_en"], "Posyandu")
    assert len(rows) == len(expected.posyandu)
    want = {(k[0], p["nama"]): p for k, p in expected.posyandu.items()}
    for r in rows:
        p = want[(r[1], r[3])]
        assert (r[0], r[4], r[5]) == (p["peringkat"], p["kader"], p["kader_aktif"])
        assert r[6] == ("yes" if p["below_norm"] else "no")
        assert list(r[7:11]) == [p["level"][k] for k in expected.levels]
        assert (r[11], r[12]) == (p["kurang"], " ".join(p["missing"]) or None)
        assert r[13] == (None if p["sasaran"] is None else round(p["sasaran"]))
    empty = next(r for r in rows if r[3] == EMPTY_POSYANDU)
    assert empty[4] == 0 and empty[11] == len(expected.codes)  # a real 0 kader: a number
    assert sum(r[6] == "yes" for r in rows) > 0


def test_training_sheet_equals_the_rows(books: dict[str, Workbook], expected: Expected,
                                        db: Engine) -> None:  # fmt: skip
    rows = _rows(books["gaps_id"], "Prioritas pelatihan")
    with db.connect() as c:
        pkm = dict(c.execute(text(
            "SELECT nama, id FROM fasilitas WHERE jenis = 'puskesmas'")).all())
        groups = dict(c.execute(text("SELECT kode, label_id FROM kelompok_keterampilan")).all())
    got = {(pkm[r[0]], r[2]): r for r in rows}
    assert set(got) == set(expected.training)
    for key, want in expected.training.items():
        r = got[key]
        assert r[5] == want["posyandu"]
        assert r[6] == (None if want["sasaran"] is None else round(want["sasaran"]))
        assert r[4] == groups[expected.group_of[key[1]]]
    assert [r[1] for r in rows if r[0] == rows[0][0]][:3] == [1, 2, 3]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_levels_sheet_equals_the_rows(books: dict[str, Workbook], expected: Expected,
                                      lang: str) -> None:  # fmt: skip
    book = books[f"levels_{lang}"]
    rows = _rows(book, "Kader")
    assert [r[0] for r in rows] == sorted(expected.kader)
    yes, no = {"id": ("ya", "tidak"), "en": ("yes", "no")}[lang]
    for i, r in enumerate(rows, start=2):
        k = expected.kader[r[0]]
        assert (r[1], r[2], r[4]) == (k["posyandu_nama"], k["kode_desa"],
                                      yes if k["aktif"] else no)  # fmt: skip
        assert r[5] == LEVEL_NAMES[lang][k["level"]]
        assert r[6] == (" ".join(k["groups_complete"]) or None)
        assert r[7] == len(k["groups_complete"])
        assert r[8] == k["tanggal_asesmen"]
        assert r[9] == (None if k["stale"] is None else yes if k["stale"] else no)
        assert book["Kader"].cell(row=i, column=3).number_format == "@"
    by_code = {r[0]: r for r in rows}
    assert by_code[UNDATED][8] is None and by_code[UNDATED][9] is None
    assert all(by_code[k][9] == yes for k in STALE)
    assert {r[3] for r in rows} >= {"Wonotengah", "Sukamulyo"}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_notes(books: dict[str, Workbook], lang: str) -> None:
    notes = _notes(books[f"gaps_{lang}"])
    keys = {"id": ("Wilayah", "File aturan strata", "Asesmen usang setelah (bulan)",
                   "Norma kader aktif per posyandu", "Dibuat", "Desa tanpa angka penduduk"),
            "en": ("Region", "Level rule file", "Assessment stale after (months)",
                   "Norm of active kader per posyandu", "Generated",
                   "Villages without a population figure")}[lang]  # fmt: skip
    region, rule, stale, norm, made, no_pop = (notes[k] for k in keys)
    assert (region, rule, stale, norm, no_pop) == (f"Purwoarum ({KEC})", "strata_kader.csv",
                                                   24, 5, 1)  # fmt: skip
    assert dt.datetime.fromisoformat(made).date() >= dt.date.today() - dt.timedelta(days=1)
    text = " ".join(notes)
    weights = {"id": ("penduduk sasaran kelompok", "seluruh penduduk desa"),
               "en": ("target population of the skill's group", "whole village population")}
    assert all(w in text for w in weights[lang])
    level = {"id": "Strata Purwa", "en": "Level Purwa"}[lang]
    assert notes[level] == {"id": "PP, BB + 1 dari IH, UR, DL",
                            "en": "PP, BB + 1 of IH, UR, DL"}[lang]  # fmt: skip
    levels = _notes(books[f"levels_{lang}"])
    assert levels[keys[1]] == "strata_kader.csv" and levels[keys[2]] == 24


def test_bad_language() -> None:
    with pytest.raises(ValueError, match="lang"):
        levels_xlsx(None, "fr")  # type: ignore[arg-type]


def test_docstring_examples() -> None:
    result = doctest.testmod(layers.kader.export, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
