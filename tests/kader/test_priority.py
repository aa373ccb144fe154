"""Training priority: people per skill group, the Puskesmas of a posyandu, the ranking.

A hand-made district whose every figure is worked out below by hand, then the demo store
(every gap once, its weight from the population table read with plain SQL).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from layers.kader.gaps import KaderGaps, compute
from layers.kader.priority import (
    NO_PUSKESMAS,
    population_targets,
    puskesmas_of,
    rank,
    share_targets,
    target_columns,
    training_priority,
)
from layers.kader.roster import from_frames, load_roster
from layers.kader.skills import SkillBook
from layers.scope import Scope
from tests.ingest.helpers import demo_engine

BOOK = SkillBook.shipped()
GROUPS = ("PP", "BB", "IH", "UR", "DL")
EVERYTHING = Scope.everything()
TODAY = dt.date(2026, 3, 31)
NAN = float("nan")


def population(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    cols = ["jumlah", "bayi", "balita", "bumil", "remaja", "usia_produktif", "lansia"]
    return pd.DataFrame([{"kode_desa": k, **{c: v.get(c, NAN) for c in cols}}
                         for k, v in rows.items()], columns=["kode_desa", *cols])  # fmt: skip


# ------------------------------------------------------------------ people per group


def test_the_shipped_target_mapping() -> None:
    assert target_columns() == {"PP": ("jumlah",), "BB": ("balita",), "IH": ("bumil",),
                                "UR": ("remaja",), "DL": ("usia_produktif", "lansia")}


def test_share_targets_by_group_or_by_population() -> None:
    people = share_targets(population({
        "a": {"jumlah": 1000, "bayi": 20, "balita": 80, "bumil": 25, "remaja": 150,
              "usia_produktif": 500, "lansia": 100},
        "b": {"jumlah": 800, "bayi": 10, "balita": 60, "remaja": 90, "usia_produktif": 400,
              "lansia": 70},  # no bumil: every group falls back to the population
        "c": {"jumlah": 500},
    }), GROUPS).set_index("kode_desa")  # fmt: skip
    assert people.loc["a", list(GROUPS)].tolist() == [1000, 80, 25, 150, 600]
    assert people.loc["b", list(GROUPS)].tolist() == [800] * 5
    assert people.loc["c", list(GROUPS)].tolist() == [500] * 5
    assert people["bobot"].tolist() == ["kelompok", "penduduk", "penduduk"]


def test_share_targets_looks_only_at_the_groups_asked_for() -> None:
    frame = population({"b": {"jumlah": 800, "balita": 60, "remaja": 90}})
    people = share_targets(frame, ("PP", "BB"))
    assert people[["PP", "BB", "bobot"]].values.tolist() == [[800, 60, "kelompok"]]
    assert share_targets(frame, ("PP", "BB", "IH"))["bobot"].tolist() == ["penduduk"]


def test_share_targets_with_an_edited_mapping() -> None:
    frame = population({"a": {"jumlah": 1000, "bayi": 20, "balita": 80, "bumil": 25}})
    people = share_targets(frame, ("PP", "BB", "IH", "XX"),
                           {"PP": ("jumlah",), "BB": ("bayi", "balita"), "IH": ("bumil",)})
    # a group the mapping does not know weighs the whole population
    assert people[["PP", "BB", "IH", "XX", "bobot"]].values.tolist() == [
        [1000, 100, 25, 1000, "kelompok"]]


def test_population_targets_take_the_latest_year(session: Session) -> None:
    got = population_targets(session, Scope.of(["99.01.02"])).set_index("kode_desa")
    want = {r[0]: r[1:] for r in session.execute(text(
        "SELECT p.kode_desa, p.tahun, p.jumlah, p.balita, p.lansia FROM penduduk p "
        "WHERE p.kode_desa LIKE '99.01.02.%' AND p.tahun = "
        "(SELECT max(q.tahun) FROM penduduk q WHERE q.kode_desa = p.kode_desa)"))}
    assert sorted(got.index) == sorted(want) and len(want) > 0
    for kode, (tahun, jumlah, balita, lansia) in want.items():
        assert got.loc[kode, ["tahun", "jumlah", "balita", "lansia"]].tolist() == [
            tahun, jumlah, balita, lansia]  # fmt: skip


# ------------------------------------------------------------------ the Puskesmas


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Engine]:
    engine = demo_engine(tmp_path)
    yield engine
    engine.dispose()


def puskesmas_in(s: Session, kecamatan: str) -> list[tuple[int, str]]:
    return [tuple(r) for r in s.execute(text(
        "SELECT id, nama FROM fasilitas WHERE jenis = 'puskesmas' AND kode_desa LIKE :k "
        "ORDER BY id"), {"k": kecamatan + ".%"})]  # type: ignore[misc]


def test_puskesmas_of_parent_kecamatan_or_none(fresh: Engine) -> None:
    with Session(fresh) as s:
        (p1, n1), = puskesmas_in(s, "99.01.01")
        (p3, n3), = puskesmas_in(s, "99.01.03")
        (p4, n4), = puskesmas_in(s, "99.01.04")
        (p5, n5), = puskesmas_in(s, "99.01.05")
        village3 = s.execute(text("SELECT min(kode) FROM wilayah WHERE level = 'desa' "
                                  "AND kode LIKE '99.01.03.%'")).scalar_one()  # fmt: skip
        # a second Puskesmas in 99.01.03, with a higher id: the kecamatan's first stays p3
        s.execute(text("INSERT INTO fasilitas (nama, jenis, kode_desa, status, perawat, bidan) "
                       "VALUES ('Puskesmas Kedua', 'puskesmas', :d, 'aktif', 0, 0)"),
                  {"d": village3})  # fmt: skip
        (_, _), (p_new, _) = puskesmas_in(s, "99.01.03")
        pustu = s.execute(text("SELECT min(id) FROM fasilitas WHERE jenis = 'pustu'")).scalar()
        posyandu = pd.DataFrame({
            "induk_id": pd.array([p1, None, p_new, pustu, None], dtype="Int64"),
            "kode_desa": ["99.01.02.2001", village3, village3, "99.01.04.2001", "99.01.99.2001"],
        })  # fmt: skip
        got = puskesmas_of(s, EVERYTHING, posyandu)
        assert got["puskesmas_id"].tolist() == [p1, p3, p_new, p4, pd.NA]
        assert got["puskesmas"].tolist() == [n1, n3, "Puskesmas Kedua", n4, NO_PUSKESMAS]
        # in a scope: a parent outside it is not seen; the kecamatan's own one is
        scoped = puskesmas_of(s, Scope.of(["99.01.05"]), pd.DataFrame({
            "induk_id": pd.array([p1, None], dtype="Int64"),
            "kode_desa": ["99.01.05.2001", "99.01.06.2001"]}))  # fmt: skip
        assert scoped["puskesmas_id"].tolist() == [p5, pd.NA]
        assert scoped["puskesmas"].tolist() == [n5, NO_PUSKESMAS]


# ------------------------------------------------------------------ ranking, by hand

VILLAGES = {"A": "35.10.01.2001", "B": "35.10.01.2002", "C": "35.10.01.2003",
            "D": "35.10.02.2001", "E": "35.10.02.2002"}  # fmt: skip
#: posyandu -> (village, Puskesmas, skills its one kader lacks)
POSYANDU = {
    "A1": ("A", (1, "Puskesmas Satu"), ("DL2",)),
    "A2": ("A", (1, "Puskesmas Satu"), ("BB3", "UR1", "DL2")),
    "C1": ("C", (1, "Puskesmas Satu"), ("PP1",)),
    "B1": ("B", (2, "Puskesmas Dua"), ("DL2",)),
    "D1": ("D", (2, "Puskesmas Dua"), ("IH1", "IH2", "IH3", "IH4", "IH5", "IH6")),
    "E1": ("E", (2, "Puskesmas Dua"), ()),
}
PEOPLE = population({
    VILLAGES["A"]: {"jumlah": 1000, "bayi": 20, "balita": 100, "bumil": 30, "remaja": 200,
                    "usia_produktif": 500, "lansia": 100},
    VILLAGES["B"]: {"jumlah": 3000},  # no groups: the whole population
    # C: no population row at all
    VILLAGES["D"]: {"jumlah": 900, "bayi": 15, "balita": 90, "bumil": 40, "remaja": 100,
                    "usia_produktif": 400, "lansia": 80},
    VILLAGES["E"]: {"jumlah": 700, "bayi": 10, "balita": 50, "bumil": 20, "remaja": 80,
                    "usia_produktif": 300, "lansia": 60},
})  # fmt: skip
NAMES = pd.DataFrame({"kode": list(VILLAGES.values()),
                      "nama": [f"Desa {k}" for k in VILLAGES]})  # fmt: skip


def hand_made() -> tuple[KaderGaps, pd.DataFrame]:
    kader = pd.DataFrame({
        "kode": [f"k-{p}" for p in POSYANDU],
        "kode_desa": [VILLAGES[v] for v, _, _ in POSYANDU.values()],
        "posyandu_id": pd.NA, "posyandu_nama": list(POSYANDU), "aktif": True,
        "tanggal_asesmen": pd.Timestamp("2025-06-01"),
    })  # fmt: skip
    passed = pd.DataFrame([(f"k-{p}", c) for p, (_, _, lack) in POSYANDU.items()
                           for c in BOOK.codes if c not in lack],
                          columns=["kode", "keterampilan"])  # fmt: skip
    gaps = compute(from_frames(kader, passed, BOOK), today=TODAY)
    pkm = [POSYANDU[n][1] for n in gaps.posyandu["nama"]]
    puskesmas = pd.DataFrame({"puskesmas_id": pd.array([p[0] for p in pkm], dtype="Int64"),
                              "puskesmas": [p[1] for p in pkm]})  # fmt: skip
    return gaps, puskesmas


def test_rank_skills_per_puskesmas() -> None:
    gaps, puskesmas = hand_made()
    out = rank(gaps, share_targets(PEOPLE, BOOK.groups), puskesmas, NAMES)
    skills = out.skills
    satu = skills[skills["puskesmas"] == "Puskesmas Satu"]
    # DL2: A's 500 + 100 adults shared by its two posyandu, both lacking it: 600
    assert satu["keterampilan"].tolist() == ["DL2", "UR1", "BB3", "PP1"]
    assert satu["peringkat"].tolist() == [1, 2, 3, 4]
    assert satu["sasaran"].tolist()[:3] == [600, 100, 50] and math.isnan(satu["sasaran"].iloc[3])
    assert satu["posyandu"].tolist() == [2, 1, 1, 1]
    assert satu["daftar_posyandu"].iloc[0] == "A1 (Desa A), A2 (Desa A)"
    assert satu["kelompok"].tolist() == ["DL", "UR", "BB", "PP"]
    assert (satu["puskesmas_id"] == 1).all()
    dua = skills[skills["puskesmas"] == "Puskesmas Dua"]
    # B has no groups: DL2 weighs its whole population; D's six IH skills tie at 40 each
    assert dua["keterampilan"].tolist() == ["DL2", "IH1", "IH2", "IH3", "IH4", "IH5", "IH6"]
    assert dua["peringkat"].tolist() == list(range(1, 8))
    assert dua["sasaran"].tolist() == [3000, 40, 40, 40, 40, 40, 40]
    assert len(skills) == len(satu) + len(dua)


def test_rank_posyandu_and_villages() -> None:
    gaps, puskesmas = hand_made()
    out = rank(gaps, share_targets(PEOPLE, BOOK.groups), puskesmas, NAMES)
    pos = out.posyandu
    # E1 lacks nothing: not listed; C1 has no population: last
    assert pos["nama"].tolist() == ["B1", "A2", "A1", "D1", "C1"]
    assert pos["peringkat"].tolist() == [1, 2, 3, 4, 5]
    assert pos["sasaran"].tolist()[:4] == [3000, 50 + 100 + 300, 300, 6 * 40]
    assert math.isnan(pos["sasaran"].iloc[4])
    assert pos["kurang"].tolist() == [1, 3, 1, 6, 1]
    assert pos["puskesmas"].tolist() == ["Puskesmas Dua", "Puskesmas Satu", "Puskesmas Satu",
                                         "Puskesmas Dua", "Puskesmas Satu"]  # fmt: skip
    assert pos["nama_desa"].tolist() == ["Desa B", "Desa A", "Desa A", "Desa D", "Desa C"]
    v = out.villages
    # village A: A1's kader holds BB3 and UR1, so only DL2 is missing there (all 600 adults)
    assert v["nama_desa"].tolist() == ["Desa B", "Desa A", "Desa D", "Desa C", "Desa E"]
    assert v["peringkat"].tolist()[:4] == [1, 2, 3, 4] and pd.isna(v["peringkat"].iloc[4])
    assert v["sasaran"].tolist()[:3] == [3000, 600, 240] and math.isnan(v["sasaran"].iloc[3])
    assert v["kurang"].tolist() == [1, 1, 6, 1, 0]
    assert v["bobot"].tolist()[:3] == ["penduduk", "kelompok", "kelompok"]
    assert pd.isna(v["bobot"].iloc[3])


def test_rank_lists_every_gap_once_with_its_people() -> None:
    gaps, puskesmas = hand_made()
    out = rank(gaps, share_targets(PEOPLE, BOOK.groups), puskesmas, NAMES)
    got = {(n, c): s for n, c, s in out.gaps[["nama", "keterampilan", "sasaran"]].values}
    want = {("A1", "DL2"): 300, ("A2", "BB3"): 50, ("A2", "UR1"): 100, ("A2", "DL2"): 300,
            ("C1", "PP1"): NAN, ("B1", "DL2"): 3000,
            **{("D1", f"IH{i}"): 40 for i in range(1, 7)}}  # fmt: skip
    assert len(out.gaps) == len(want) == 12
    assert got.keys() == want.keys()
    for key, people in want.items():
        assert (math.isnan(got[key]) and math.isnan(people)) or got[key] == people, key


def test_rank_without_any_population() -> None:
    gaps, puskesmas = hand_made()
    empty = share_targets(population({}), BOOK.groups)
    out = rank(gaps, empty, puskesmas)
    assert out.posyandu["sasaran"].isna().all()
    assert out.posyandu["peringkat"].tolist() == list(range(1, 6))  # kept, in table order
    for _, group in out.skills.groupby("puskesmas"):
        assert group["peringkat"].tolist() == list(range(1, len(group) + 1))
    assert out.villages["nama_desa"].isna().all()  # no names given: the code names the place
    satu = out.skills[out.skills["puskesmas"] == "Puskesmas Satu"].set_index("keterampilan")
    assert satu.at["DL2", "daftar_posyandu"] == f"A1 ({VILLAGES['A']}), A2 ({VILLAGES['A']})"


# ------------------------------------------------------------------ the demo store


def test_demo_priority_lists_every_gap_once(session: Session) -> None:
    gaps = compute(load_roster(session, EVERYTHING), today=TODAY)
    out = training_priority(session, EVERYTHING, gaps)
    pairs = list(zip(out.gaps["posyandu"], out.gaps["keterampilan"], strict=True))
    assert len(pairs) == len(set(pairs)) == int(gaps.posyandu["kurang"].sum()) > 0
    want = {(p, c) for i, p in enumerate(gaps.posyandu["posyandu"])
            for c in gaps.missing("posyandu", i)}  # fmt: skip
    assert set(pairs) == want

    # the weight: the village's latest target of the skill's group, shared by its posyandu
    latest = {r[0]: r[1:] for r in session.execute(text(
        "SELECT p.kode_desa, p.jumlah, p.balita, p.bumil, p.remaja, p.usia_produktif, p.lansia "
        "FROM penduduk p WHERE p.tahun = (SELECT max(q.tahun) FROM penduduk q "
        "WHERE q.kode_desa = p.kode_desa)"))}  # fmt: skip
    count = dict(session.execute(text("SELECT kode_desa, count(*) FROM fasilitas "
                                      "WHERE jenis = 'posyandu' GROUP BY kode_desa")).all())
    group = dict(session.execute(text("SELECT kode, kelompok FROM keterampilan")).all())
    parent = dict(session.execute(text(
        "SELECT p.id, f.nama FROM fasilitas p JOIN fasilitas f ON f.id = p.induk_id "
        "WHERE p.jenis = 'posyandu'")).all())  # fmt: skip
    for row in out.gaps.itertuples():
        jumlah, balita, bumil, remaja, produktif, lansia = latest[row.kode_desa]
        target = {"PP": jumlah, "BB": balita, "IH": bumil, "UR": remaja,
                  "DL": produktif + lansia}[group[row.keterampilan]]  # fmt: skip
        assert row.sasaran == pytest.approx(target / count[row.kode_desa]), row
        assert row.puskesmas == parent[int(row.posyandu[1:])], row

    # skills: ranks 1..n per Puskesmas, people never increasing, every gap counted once
    skills = out.skills
    for name, rows in skills.groupby("puskesmas"):
        assert rows["peringkat"].tolist() == list(range(1, len(rows) + 1)), name
        assert (np.diff(rows["sasaran"].to_numpy()) <= 1e-9).all(), name
        mine = out.gaps[out.gaps["puskesmas"] == name]
        assert rows["posyandu"].sum() == len(mine)
        assert rows["sasaran"].sum() == pytest.approx(mine["sasaran"].sum())
        assert sorted(rows["keterampilan"]) == sorted(set(mine["keterampilan"]))
    assert set(skills["puskesmas"]) <= set(parent.values())

    pos = out.posyandu
    assert pos["peringkat"].tolist() == list(range(1, len(pos) + 1))
    assert len(pos) == int((gaps.posyandu["kurang"] > 0).sum())
    assert (np.diff(pos["sasaran"].to_numpy()) <= 1e-9).all()
    v = out.villages
    ranked = v[v["peringkat"].notna()]
    assert ranked["peringkat"].tolist() == list(range(1, len(ranked) + 1))
    assert len(ranked) == int((gaps.villages["kurang"] > 0).sum())
    assert (v["bobot"] == "kelompok").all()  # the demo reports every group
    assert v["nama_desa"].notna().all()
