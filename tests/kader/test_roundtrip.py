"""Import → layer round trip: a roster written as a file, imported, read back by the map layer.

The roster is a slice of the demo kader (six villages in three kecamatan) made to cover the
level rule (Utama, Madya, Purwa, none), skills not assessed (blank cells), a village whose
kader are all inactive, villages with a skill or a whole group missing and a posyandu name
that is not a stored facility. It is written in each supported layout — one column per skill
(CSV and XLSX) and one ``keterampilan`` list of codes — into a demo store whose kader were
removed (boundaries and facilities stay). Every expected number is recomputed here in plain
Python from the rows of the file as written (its own reading of the level rule: Purwa = PP +
BB + one other whole group, Madya = PP + BB + IH + one other whole group, Utama = all five),
never through :mod:`layers.kader`.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from layers.ingest.run import run_import, undo_last
from layers.kader.maplayer import KaderLayer
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_store

EVERYTHING = Scope.everything()
#: the roster's villages (six in three kecamatan) and how many of their demo kader it lists
SIZES = {"99.01.01.1001": 45, "99.01.01.1002": 6, "99.01.01.1003": 6, "99.01.02.1002": 6,
         "99.01.02.2006": 6, "99.01.05.2001": 18}  # fmt: skip
VILLAGES = tuple(SIZES)
GROUPS = ("PP", "BB", "IH", "UR", "DL")
NORM = 5
#: the views checked and their option values
VIEWS = {"strata": {}, "kurang": {}, "rasio": {"norma": NORM},
         "skill DL2": {"tampilan": "keterampilan", "keterampilan": "DL2"},
         "group UR": {"tampilan": "keterampilan", "keterampilan": "UR"}}  # fmt: skip


# ---------------------------------------------------------------------- the file


def roster() -> pd.DataFrame:
    """The wide roster (strings, ``""`` for a blank cell)."""
    every = pd.read_csv(DEMO / "kader.csv", dtype=str, keep_default_na=False)
    frame = pd.concat([every[every["kode_desa"] == v].head(n) for v, n in SIZES.items()],
                      ignore_index=True)  # fmt: skip
    assert len(frame) == sum(SIZES.values())  # the demo has that many
    skills = skill_columns(frame)
    assert len(skills) == 25 and {c[:2] for c in skills} == set(GROUPS)

    def only(row: int, groups: set[str], but: tuple[str, ...] = ()) -> None:
        frame.loc[row, skills] = ["1" if c[:2] in groups and c not in but else "0"
                                  for c in skills]  # fmt: skip

    frame.loc[frame["kode_desa"].isin(VILLAGES[:2]), "aktif"] = "1"
    only(0, set(GROUPS))  # Utama
    only(1, {"PP", "BB", "IH", "DL"})  # Madya
    only(2, {"PP", "BB", "UR"})  # Purwa
    only(3, {"PP", "BB"})  # PP + BB only: no level
    only(4, {"BB", "IH", "UR", "DL"})  # PP incomplete: no level
    only(5, set(GROUPS), but=("PP3",))  # one skill of PP missing: no level
    only(6, {"PP", "BB", "IH"})  # Purwa (IH is the other group), not Madya
    only(7, {"PP", "BB", "IH", "UR"}, but=("UR2",))  # a fourth group only partly held: Purwa
    frame.loc[8, ["IH1", "IH2", "DL4"]] = ""  # not assessed
    frame.loc[9, "posyandu"] = "Posyandu Belum Terdaftar"  # kept as text
    v1 = int(frame.index[frame["kode_desa"] == VILLAGES[1]][0])  # 2 of its 6 at Purwa
    for row in range(v1, v1 + 6):
        only(row, {"PP", "BB", "UR"} if row in (v1 + 3, v1 + 4) else {"PP", "BB"})
    frame.loc[frame["kode_desa"] == VILLAGES[2], "aktif"] = "0"  # no active kader
    frame.loc[frame["kode_desa"] == VILLAGES[3], "DL2"] = "0"  # one skill missing
    in_v4 = frame["kode_desa"] == VILLAGES[4]
    frame.loc[in_v4, [c for c in skills if c[:2] in ("UR", "DL")]] = "0"  # 8 missing
    frame.loc[in_v4 & (frame.index % 2 == 0), "aktif"] = "0"
    frame.loc[frame["kode_desa"] == VILLAGES[5], ["PP1", "BB2", "IH3"]] = ""
    return frame


def skill_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c[:2] in GROUPS and c[2:].isdigit()]


def as_list(frame: pd.DataFrame) -> pd.DataFrame:
    """One ``keterampilan`` column listing the passed codes (a blank cell: not passed)."""
    skills = skill_columns(frame)
    listed = frame[skills].apply(lambda r: ", ".join(c for c in skills if r[c] == "1"), axis=1)
    return frame.drop(columns=skills).assign(keterampilan=listed)


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """As a spreadsheet saves it: numbers as numbers, dates as dates, blanks empty."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if v == "" else int(v) if v in ("0", "1") else
                      dt.date.fromisoformat(v) if len(v) == 10 and v[4] == "-" else v
                      for v in row])  # fmt: skip
    book.save(path)
    return path


def file_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a written file as text (blank: ``""``), read without pandas."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))
    sheet = load_workbook(path, read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    head = [str(h) for h in values[0]]

    def cell(v: Any) -> str:
        return "" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else str(v)

    return [dict(zip(head, map(cell, r), strict=True)) for r in values[1:]]


# ---------------------------------------------------------------------- plain recomputation


def held_skills(row: dict[str, str]) -> set[str]:
    if "keterampilan" in row:
        return {c.strip().upper() for c in row["keterampilan"].split(",") if c.strip()}
    return {c for c in row if c[:2] in GROUPS and c[2:].isdigit() and row[c] == "1"}


def level(held: set[str], codes: list[str]) -> int:
    """0 none, 1 Purwa, 2 Madya, 3 Utama — the rule as the issue states it."""
    whole = {g for g in GROUPS if all(c in held for c in codes if c[:2] == g)}
    if whole == set(GROUPS):
        return 3
    if {"PP", "BB", "IH"} <= whole and len(whole - {"PP", "BB", "IH"}) >= 1:
        return 2
    if {"PP", "BB"} <= whole and len(whole - {"PP", "BB"}) >= 1:
        return 1
    return 0


def loose(name: str) -> str:
    return " ".join(name.lower().split())


def expected(rows: list[dict[str, str]], codes: list[str], stored: dict[str, set[str]]
             ) -> dict[str, dict[str, tuple[float, int]]]:  # fmt: skip
    """Per view, per village of the file: ``(value, klass)`` computed row by row."""
    out: dict[str, dict[str, tuple[float, int]]] = {view: {} for view in VIEWS}
    for village in sorted({r["kode_desa"] for r in rows}):
        kader = [r for r in rows if r["kode_desa"] == village]
        active = [r for r in kader if r["aktif"] == "1"]
        union: set[str] = set().union(*(held_skills(r) for r in active))
        missing = [c for c in codes if c not in union]
        purwa = sum(1 for r in active if level(held_skills(r), codes) >= 1)
        share = purwa / len(active) if active else math.nan
        if not active:
            strata = 0
        else:
            strata = 1 if share < 0.25 else 2 if share < 0.5 else 3 if share < 0.75 else 4
        out["strata"][village] = (share, strata)
        n = len(missing)
        out["kurang"][village] = (n, 0 if n == 0 else 1 if n <= 2 else 2 if n <= 5 else
                                  3 if n <= 10 else 4)  # fmt: skip
        out["skill DL2"][village] = (int("DL2" in missing), int("DL2" in missing))
        ur = sum(1 for c in missing if c[:2] == "UR")
        out["group UR"][village] = (ur, 0 if ur == 0 else 2 if ur == len(
            [c for c in codes if c[:2] == "UR"]) else 1)
        posyandu = stored.get(village, set()) | {loose(r["posyandu"]) for r in kader}
        ratio = len(active) / len(posyandu)
        out["rasio"][village] = (ratio, 0 if not active else 1 if ratio < NORM / 2 else
                                 2 if ratio < NORM else 3)  # fmt: skip
    return out


# ---------------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    """The demo store without kader: boundaries, population and facilities only."""
    for engine in demo_store(tmp_path):
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM kader_keterampilan"))
            conn.execute(text("DELETE FROM kader"))
        yield engine


def stored_posyandu(engine: Engine) -> dict[str, set[str]]:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT kode_desa, nama FROM fasilitas "
                                  "WHERE jenis = 'posyandu'")).all()  # fmt: skip
    out: dict[str, set[str]] = {}
    for village, name in found:
        out.setdefault(village, set()).add(loose(name))
    return out


def skill_codes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [c for (c,) in conn.execute(text("SELECT kode FROM keterampilan"))]


def layer_tables(engine: Engine, scope: Scope = EVERYTHING) -> dict[str, pd.DataFrame]:
    out = {}
    with Session(engine) as session:
        for view, options in VIEWS.items():
            layer = KaderLayer(**{"tampilan": view, **options})  # type: ignore[arg-type]
            out[view] = layer.load(session, scope, None, "id").table
    return out


def imported(engine: Engine, path: Path) -> None:
    report = run_import(engine, "kader", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    assert report.written["kader"] == sum(SIZES.values())


def all_villages(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [c for (c,) in conn.execute(text(
            "SELECT kode FROM wilayah WHERE level = 'desa' ORDER BY kode"))]


def assert_matches(tables: dict[str, pd.DataFrame],
                   want: dict[str, dict[str, tuple[float, int]]], villages: list[str]
                   ) -> None:  # fmt: skip
    """Each view's table lists every village; the file's have the plain values and classes,
    the others are no data (class -1, no value), never zero."""
    for view, table in tables.items():
        assert table["kode_desa"].tolist() == villages, view
        got = table.set_index("kode_desa")
        for village in villages:
            value, klass = got.at[village, "value"], int(got.at[village, "klass"])
            if village not in want[view]:
                assert (klass, math.isnan(value)) == (-1, True), (view, village)
                continue
            expect_value, expect_klass = want[view][village]
            assert klass == expect_klass, (view, village, value)
            if math.isnan(expect_value):
                assert math.isnan(value), (view, village)
            else:
                assert value == pytest.approx(expect_value), (view, village)


# ---------------------------------------------------------------------- tests


def test_the_roster_covers_what_the_round_trip_must_show(store: Engine, tmp_path: Path) -> None:
    """The file is not trivial: every class of the views the plain code distinguishes."""
    path = tmp_path / "wide.csv"
    roster().to_csv(path, index=False)
    rows = file_rows(path)
    codes = skill_codes(store)
    assert [level(held_skills(r), codes) for r in rows[:8]] == [3, 2, 1, 0, 0, 0, 1, 1]
    want = expected(rows, codes, stored_posyandu(store))
    assert set(want["strata"]) == set(VILLAGES)
    assert [k for _, k in want["strata"].values()] == [4, 2, 0, 1, 3, 1]
    assert want["strata"][VILLAGES[1]][0] == pytest.approx(2 / 6)
    assert {k for _, k in want["kurang"].values()} == {0, 2, 3, 4}
    assert {k for _, k in want["rasio"].values()} == {0, 1, 2, 3}
    assert {k for _, k in want["skill DL2"].values()} == {0, 1}
    assert {k for _, k in want["group UR"].values()} == {0, 1, 2}
    assert sum(1 for r in rows if r["DL4"] == "") >= 1
    assert "Posyandu Belum Terdaftar" in {r["posyandu"] for r in rows}


@pytest.mark.parametrize("layout", ["wide.csv", "wide.xlsx", "list.csv"])
def test_import_then_layer_equals_plain_recomputation(store: Engine, tmp_path: Path,
                                                      layout: str) -> None:  # fmt: skip
    frame = roster()
    path = tmp_path / layout
    if layout == "wide.xlsx":
        write_xlsx(frame, path)
    else:
        (as_list(frame) if layout == "list.csv" else frame).to_csv(path, index=False)
    villages = all_villages(store)
    assert len(villages) > len(VILLAGES)
    assert_matches(layer_tables(store), {v: {} for v in VIEWS}, villages)  # nothing yet

    imported(store, path)
    want = expected(file_rows(path), skill_codes(store), stored_posyandu(store))
    assert_matches(layer_tables(store), want, villages)
    # a kecamatan's scope gives the same rows for its villages, and only those
    scoped = layer_tables(store, Scope.of(["99.01.01"]))
    mine = [v for v in villages if v.startswith("99.01.01.")]
    assert_matches(scoped, {view: {v: w for v, w in by.items() if v in mine}
                            for view, by in want.items()}, mine)  # fmt: skip

    undo_last(store, "uji")
    assert_matches(layer_tables(store), {v: {} for v in VIEWS}, villages)


def test_wide_and_list_layouts_give_identical_layer_tables(store: Engine,
                                                           tmp_path: Path) -> None:  # fmt: skip
    frame = roster()
    paths = [tmp_path / "wide.csv", write_xlsx(frame, tmp_path / "wide.xlsx"),
             tmp_path / "list.csv"]  # fmt: skip
    frame.to_csv(paths[0], index=False)
    as_list(frame).to_csv(paths[2], index=False)
    results = []
    for path in paths:
        imported(store, path)
        results.append(layer_tables(store))
        undo_last(store, "uji")
    empty = layer_tables(store)
    assert all((t["klass"] == -1).all() for t in empty.values())
    for view in VIEWS:
        assert (results[0][view]["klass"] >= 0).sum() == len(VILLAGES), view
        for other in results[1:]:
            pd.testing.assert_frame_equal(other[view], results[0][view], obj=view)
