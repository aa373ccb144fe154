"""The kader level rule (Purwa / Madya / Utama from whole skill groups) on hand-made records.

Every boundary of domain.md §1.3 from skills held (one skill short of a group, a third
group only partly held, IH complete but BB not, Madya with UR or DL, all five), inactive
kader in the aggregates, an office's own rule file (a path or ``$PWS_STRATA_KADER``) and
the rule files that must be refused, with a message in both languages saying where.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layers.kader.gaps import KaderGaps, compute
from layers.kader.roster import Roster, from_frames
from layers.kader.skills import SkillBook
from layers.kader.strata import ENV, RuleError, StrataRule, load_rule, parse_rule

BOOK = SkillBook.shipped()
GROUPS = ("PP", "BB", "IH", "UR", "DL")
VILLAGE = "35.10.01.2001"
TODAY = dt.date(2025, 6, 1)
#: group sizes of domain.md §1.1 (4 + 7 + 6 + 3 + 5 = 25)
SIZES = {"PP": 4, "BB": 7, "IH": 6, "UR": 3, "DL": 5}
HEADER = "kode,urut,label_id,label_en,wajib,pilihan,jumlah_pilihan\n"


def spec_level(complete: set[str]) -> int:
    """domain.md §1.3 written out: 0 belum, 1 Purwa, 2 Madya, 3 Utama."""
    if set(GROUPS) <= complete:
        return 3
    if {"PP", "BB", "IH"} <= complete and complete & {"UR", "DL"}:
        return 2
    if {"PP", "BB"} <= complete and complete & {"IH", "UR", "DL"}:
        return 1
    return 0


def skills(*groups: str, without: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> set[str]:
    """Every skill of ``groups``, less ``without``, plus ``extra`` single skills."""
    held = {c for g in groups for c in BOOK.members(g)} | set(extra)
    assert set(without) <= held | set(BOOK.codes), without
    return held - set(without)


def roster_of(*kader: tuple[str, str, bool, set[str]]) -> Roster:
    """Kader ``(kode, posyandu name, active, skills passed)``, all in one village."""
    frame = pd.DataFrame({
        "kode": [k[0] for k in kader], "kode_desa": VILLAGE, "posyandu_id": pd.NA,
        "posyandu_nama": [k[1] for k in kader], "aktif": [k[2] for k in kader],
        "tanggal_asesmen": pd.to_datetime(["2025-01-02"] * len(kader)),
    })  # fmt: skip
    passed = pd.DataFrame([(k[0], s) for k in kader for s in sorted(k[3])],
                          columns=["kode", "keterampilan"])  # fmt: skip
    return from_frames(frame, passed, BOOK)


def gaps_of(*kader: tuple[str, str, bool, set[str]], rule: StrataRule | None = None) -> KaderGaps:
    return compute(roster_of(*kader), rule, today=TODAY)


def level_of(held: set[str], rule: StrataRule | None = None) -> int:
    return int(gaps_of(("k1", "Mawar", True, held), rule=rule).kader.at[0, "level"])


def write(tmp_path: Path, text: str, name: str = "strata.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_book_has_the_five_groups_of_the_domain() -> None:
    assert BOOK.groups == GROUPS
    assert {g: len(BOOK.members(g)) for g in GROUPS} == SIZES
    assert len(BOOK.codes) == len(set(BOOK.codes)) == 25


def test_shipped_rule_is_the_domain_rule() -> None:
    rule = load_rule()
    assert rule.keys == ["belum", "purwa", "madya", "utama"]
    assert [(s.wajib, s.pilihan, s.jumlah_pilihan) for s in rule.strata] == [
        (("PP", "BB"), ("IH", "UR", "DL"), 1),
        (("PP", "BB", "IH"), ("UR", "DL"), 1),
        (GROUPS, (), 0),
    ]
    assert rule.names("id") == ["Belum berstrata", "Purwa", "Madya", "Utama"]
    assert rule.name(0, "en") == "No level yet"


def test_every_combination_of_whole_groups() -> None:
    """All 32 patterns of complete groups, vectorised, against the rule written out."""
    patterns = list(itertools.product([False, True], repeat=len(GROUPS)))
    complete = np.array(patterns, dtype=bool)
    got = load_rule().levels(complete, GROUPS).tolist()
    want = [spec_level({g for g, ok in zip(GROUPS, p, strict=True) if ok}) for p in patterns]
    assert got == want
    # the column order of ``complete`` is whatever ``groups`` says
    reversed_groups = GROUPS[::-1]
    assert load_rule().levels(complete[:, ::-1], reversed_groups).tolist() == want


@pytest.mark.parametrize("code", BOOK.codes)
def test_one_skill_short_of_a_group(code: str) -> None:
    """A kader holding 24 of the 25 skills: the group of the missing one is not complete."""
    short = BOOK.group_of_skill(code)
    want = spec_level(set(GROUPS) - {short})
    assert level_of(set(BOOK.codes) - {code}) == want
    # and the expectations that matter most, spelled out
    assert want == {"PP": 0, "BB": 0, "IH": 1, "UR": 2, "DL": 2}[short]


CASES: dict[str, tuple[set[str], int]] = {
    "nothing": (set(), 0),
    "PP and BB only (11 skills)": (skills("PP", "BB"), 0),
    "PP complete, one BB skill missing, the rest whole": (
        skills("PP", "BB", "IH", "UR", "DL", without=("BB4",)), 0),
    "PP and BB, one BB skill missing, plus UR": (skills("PP", "BB", "UR", without=("BB7",)), 0),
    "Purwa by UR": (skills("PP", "BB", "UR"), 1),
    "Purwa by DL": (skills("PP", "BB", "DL"), 1),
    "Purwa by IH": (skills("PP", "BB", "IH"), 1),
    "Purwa with one skill of the third group (UR) missing": (
        skills("PP", "BB", "UR", without=("UR3",)), 0),
    "Purwa with one skill of the third group (IH) missing": (
        skills("PP", "BB", "IH", without=("IH6",)), 0),
    "Purwa with one skill of the third group (DL) missing": (
        skills("PP", "BB", "DL", without=("DL1",)), 0),
    "a third group only partly held": (skills("PP", "BB", extra=("UR1", "UR2")), 0),
    "three other groups each partly held": (
        skills("PP", "BB", "IH", "UR", "DL", without=("IH1", "UR1", "DL5")), 0),
    "IH complete but BB not": (skills("PP", "IH", "UR", "DL", extra=("BB1", "BB2")), 0),
    "IH complete, no BB at all": (skills("PP", "IH", "UR", "DL"), 0),
    "everything but PP": (skills("BB", "IH", "UR", "DL"), 0),
    "Madya with UR": (skills("PP", "BB", "IH", "UR"), 2),
    "Madya with DL": (skills("PP", "BB", "IH", "DL"), 2),
    "Madya with UR, DL partly": (skills("PP", "BB", "IH", "UR", extra=("DL1", "DL2")), 2),
    "four groups without IH is Purwa": (skills("PP", "BB", "UR", "DL"), 1),
    "Madya's fourth group one short is Purwa": (skills("PP", "BB", "IH", "UR",
                                                       without=("UR2",)), 1),  # fmt: skip
    "all five groups": (set(BOOK.codes), 3),
}


@pytest.mark.parametrize("case", list(CASES))
def test_level_boundaries(case: str) -> None:
    held, want = CASES[case]
    assert level_of(held) == want
    complete = {g for g in GROUPS if set(BOOK.members(g)) <= held}
    assert spec_level(complete) == want  # the hand-made case agrees with the rule as written


def test_groups_complete_are_reported_per_kader() -> None:
    gaps = gaps_of(("a", "Mawar", True, skills("PP", "BB", "IH", without=("IH2",))),
                   ("b", "Mawar", True, set(BOOK.codes)))  # fmt: skip
    got = gaps.kader.set_index("kode")[[f"complete_{g}" for g in GROUPS]].astype(bool)
    assert got.loc["a"].tolist() == [True, True, False, False, False]
    assert got.loc["b"].tolist() == [True] * 5
    assert gaps.kader.set_index("kode")["level"].to_dict() == {"a": 0, "b": 3}


def test_an_inactive_kader_adds_nothing() -> None:
    """An inactive Utama kader beside an active Purwa one: the posyandu's and the village's
    held skills, level mix and gaps are those of the active kader alone."""
    purwa = ("a", "Mawar", True, skills("PP", "BB", "UR"))
    utama_gone = ("b", "Mawar", False, set(BOOK.codes))
    both, alone = gaps_of(purwa, utama_gone), gaps_of(purwa)
    assert int(both.kader.set_index("kode").at["b", "level"]) == 3  # the rule ignores status
    for table in ("posyandu", "villages"):
        row, ref = getattr(both, table).iloc[0], getattr(alone, table).iloc[0]
        assert (row["kader"], row["kader_aktif"]) == (2, 1)
        assert (row["level_purwa"], row["level_madya"], row["level_utama"]) == (1, 0, 0)
        assert row["purwa_plus"] == 1.0
        assert row["kurang"] == SIZES["IH"] + SIZES["DL"] == 11
        for g in GROUPS:
            assert row[f"kurang_{g}"] == ref[f"kurang_{g}"]
    for level in ("posyandu", "villages"):
        np.testing.assert_array_equal(both.holders(level), alone.holders(level))
        assert both.missing(level, 0) == [*BOOK.members("IH"), *BOOK.members("DL")]


def test_only_inactive_kader_leave_every_skill_missing() -> None:
    gaps = gaps_of(("a", "Mawar", False, set(BOOK.codes)), ("b", "Melati", True, set()))
    pos = gaps.posyandu.set_index("nama")
    assert pos.loc["Mawar", ["kader", "kader_aktif", "kurang"]].tolist() == [1, 0, 25]
    assert np.isnan(pos.loc["Mawar", "purwa_plus"])
    assert pos.loc["Melati", "level_belum"] == 1 and pos.loc["Melati", "purwa_plus"] == 0.0
    assert gaps.villages.at[0, "kurang"] == 25 and gaps.villages.at[0, "level_utama"] == 0


# ------------------------------------------------------------------ an office's own rule

EDITED = HEADER + (
    "dasar,1,Kader Dasar,Basic kader,PP BB,IH UR DL,2\n"
    "mahir,2,Kader Mahir,Skilled kader,PP BB IH UR DL,,0\n"
)
#: skills held -> level under the shipped rule, under :data:`EDITED`
EDITED_CASES = [
    (skills("PP", "BB", "UR"), 1, 0),
    (skills("PP", "BB", "IH"), 1, 0),
    (skills("PP", "BB", "UR", "DL"), 1, 1),
    (skills("PP", "BB", "IH", "UR"), 2, 1),
    (skills("PP", "BB", "IH", "UR", "DL", without=("PP1",)), 0, 0),
    (set(BOOK.codes), 3, 2),
]


def assert_edited(rule: StrataRule) -> None:
    assert rule.keys == ["belum", "dasar", "mahir"]
    assert rule.names("id") == ["Belum berstrata", "Kader Dasar", "Kader Mahir"]
    assert rule.names("en") == ["No level yet", "Basic kader", "Skilled kader"]


def test_an_edited_rule_file_changes_the_levels(tmp_path: Path) -> None:
    """Purwa renamed and requiring two more whole groups; only two levels."""
    rule = load_rule(write(tmp_path, EDITED))
    assert_edited(rule)
    assert rule.source == "strata.csv"
    for held, shipped, edited in EDITED_CASES:
        assert level_of(held) == shipped
        assert level_of(held, rule) == edited


def test_the_level_mix_follows_the_rule_file(tmp_path: Path) -> None:
    rule = load_rule(write(tmp_path, EDITED))
    kader = [(f"k{i}", "Mawar", True, held) for i, (held, _, _) in enumerate(EDITED_CASES)]
    gaps = gaps_of(*kader, rule=rule)
    row = gaps.posyandu.iloc[0]
    assert not any(c in gaps.posyandu.columns for c in ("level_purwa", "level_madya"))
    mix = [int(row[f"level_{k}"]) for k in rule.keys]
    assert mix == [sum(e == n for _, _, e in EDITED_CASES) for n in range(3)] == [3, 2, 1]
    assert row["purwa_plus"] == pytest.approx(3 / 6)  # "dasar or above"
    shipped = gaps_of(*kader).posyandu.iloc[0]
    assert [int(shipped[f"level_{k}"]) for k in ("belum", "purwa", "madya", "utama")] == [
        1, 3, 1, 1]  # fmt: skip


def test_the_rule_file_from_the_environment(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    path = write(tmp_path, EDITED)
    monkeypatch.setenv(ENV, str(path))
    assert_edited(load_rule())
    held = skills("PP", "BB", "IH", "UR")
    assert level_of(held) == 1  # compute() reads $PWS_STRATA_KADER when given no rule
    # an explicit path still wins over the environment
    assert load_rule(write(tmp_path, HEADER + "satu,1,Satu,One,PP,,0\n", "own.csv")).keys == [
        "belum", "satu"]  # fmt: skip
    # the file is re-read when it changes
    path.write_text(HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\n", encoding="utf-8")
    later = path.stat().st_mtime + 5
    os.utime(path, (later, later))
    assert load_rule().keys == ["belum", "purwa"]
    assert level_of(held) == 1 and level_of(skills("PP", "BB", "DL")) == 1
    monkeypatch.delenv(ENV)
    assert load_rule().keys == ["belum", "purwa", "madya", "utama"]
    assert level_of(held) == 2


def test_a_rule_file_with_a_bom_and_rows_out_of_order(tmp_path: Path) -> None:
    """Excel writes a BOM; levels are ordered by ``urut``, not by the row order."""
    path = tmp_path / "strata.csv"
    path.write_text(HEADER + "mahir,2,Mahir,Skilled,PP BB IH UR DL,,0\n"
                    "dasar,1,Dasar,Basic,PP BB,IH UR DL,2\n", encoding="utf-8-sig")  # fmt: skip
    rule = load_rule(path)
    assert rule.keys == ["belum", "dasar", "mahir"]
    assert level_of(skills("PP", "BB", "UR", "DL"), rule) == 1


# ------------------------------------------------------------------ refused rule files

BAD: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # name: (file text, fragments of the Indonesian text, fragments of the English text)
    "unknown group": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR XX,1\n",
        ("baris 2", "kelompok tidak dikenal XX"), ("row 2", "unknown group XX")),
    "unknown group on the third row": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\nmadya,2,Madya,Madya,PP BB IH KB,,0\n",
        ("baris 3", "KB"), ("row 3", "unknown group KB")),
    "missing column": (
        "kode,urut,label_id,label_en,wajib,pilihan\npurwa,1,Purwa,Purwa,PP BB,IH UR DL\n",
        ("kolom tidak ada", "jumlah_pilihan"), ("missing columns", "jumlah_pilihan")),
    "jumlah_pilihan not a number": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,satu\n",
        ("baris 2", "jumlah_pilihan"), ("row 2", "jumlah_pilihan", "whole numbers")),
    "jumlah_pilihan larger than the choice": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\nmadya,2,Madya,Madya,PP BB IH,UR DL,3\n",
        ("baris 3", "jumlah_pilihan 3", "0–2"), ("row 3", "jumlah_pilihan 3", "0–2")),
    "jumlah_pilihan negative": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,-1\n",
        ("baris 2", "jumlah_pilihan -1"), ("row 2", "jumlah_pilihan -1")),
    "urut not a number": (
        HEADER + "purwa,pertama,Purwa,Purwa,PP BB,IH UR DL,1\n",
        ("baris 2", "urut"), ("row 2", "urut")),
    "a required group also a choice": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,BB IH UR DL,1\n",
        ("baris 2", "wajib"), ("row 2", "required group cannot also be a choice")),
    "empty kode": (
        HEADER + ",1,Purwa,Purwa,PP BB,IH UR DL,1\n",
        ("baris 2", "kode"), ("row 2", "kode cannot be empty")),
    "duplicate urut": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\nmadya,1,Madya,Madya,PP BB IH,UR DL,1\n",
        ("baris 3", "urut 1", "baris 2"), ("row 3", "urut 1", "row 2")),
    "duplicate kode": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\npurwa,2,Madya,Madya,PP BB IH,UR DL,1\n",
        ("baris 3", "kode purwa", "baris 2"), ("row 3", "kode purwa", "row 2")),
    "no requirement": (
        HEADER + "semua,1,Semua,All,,IH UR DL,0\n",
        ("baris 2", "tanpa syarat"), ("row 2", "without requirements")),
    "header only": (HEADER, ("kosong",), ("empty",)),
    "a row cut short": (
        HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\nmadya\n",
        ("baris 3", "terpotong", "urut"), ("row 3", "cut short", "urut, label_id")),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_rule_files_are_refused_saying_where(tmp_path: Path, case: str) -> None:
    text, want_id, want_en = BAD[case]
    path = write(tmp_path, text, "aturan_kantor.csv")
    with pytest.raises(RuleError) as caught:
        load_rule(path)
    message = caught.value.text
    for fragment in want_id:
        assert fragment in message.id, message.id
    for fragment in want_en:
        assert fragment in message.en, message.en
    assert "aturan_kantor.csv" in message.id and "aturan_kantor.csv" in message.en
    assert message.id != message.en
    assert str(caught.value) == message.en


@pytest.mark.parametrize("case", ["unknown group", "missing column", "duplicate urut"])
def test_bad_rule_file_named_by_the_environment(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                case: str) -> None:  # fmt: skip
    monkeypatch.setenv(ENV, str(write(tmp_path, BAD[case][0], "kantor.csv")))
    with pytest.raises(RuleError) as caught:
        load_rule()
    assert "kantor.csv" in caught.value.text.en
    with pytest.raises(RuleError):  # compute() reads the same rule
        level_of(set(BOOK.codes))


def test_a_rule_file_that_is_not_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(RuleError) as caught:
        load_rule(tmp_path / "hilang.csv")
    assert caught.value.text.id == "File aturan strata kader tidak ditemukan: hilang.csv."
    assert caught.value.text.en == "Kader level rule file not found: hilang.csv."
    monkeypatch.setenv(ENV, str(tmp_path / "juga_hilang.csv"))
    with pytest.raises(RuleError) as caught:
        load_rule()
    assert "juga_hilang.csv" in caught.value.text.en
    monkeypatch.setenv(ENV, "")  # set but empty: the shipped file
    assert load_rule().keys == ["belum", "purwa", "madya", "utama"]


def test_groups_are_checked_against_the_store_book() -> None:
    """A store whose lookup lacks a group refuses a rule that names it."""
    with pytest.raises(RuleError) as caught:
        parse_rule(HEADER + "purwa,1,Purwa,Purwa,PP BB,IH UR DL,1\n", ("PP", "BB", "IH", "UR"))
    assert "DL" in caught.value.text.en and "known: PP, BB, IH, UR" in caught.value.text.en
