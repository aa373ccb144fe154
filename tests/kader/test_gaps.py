"""Gap aggregation on the demo store against a direct recomputation in plain Python.

The recomputation reads the tables ``kader``, ``kader_keterampilan``, ``keterampilan`` and
``fasilitas`` with plain SQL and loops kader by kader, with its own statement of the level
rule (domain.md §1.3) — it shares no code with :mod:`layers.kader`. Then: scoped reads, a
posyandu without kader, villages without kader (no data, not zero), kader whose posyandu
is a name only, and the service cache against a new import.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from layers.ingest.run import run_import
from layers.kader import service
from layers.kader.gaps import NO_NAME, KaderGaps, compute
from layers.kader.roster import load_roster
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_engine

EVERYTHING = Scope.everything()
KECAMATAN = "99.01.01"
TODAY = dt.date(2026, 3, 31)
STALE_MONTHS = 12
#: TODAY less STALE_MONTHS, by hand
CUTOFF = "2025-03-31"
LEVELS = ("belum", "purwa", "madya", "utama")


def spec_level(complete: set[str]) -> int:
    """domain.md §1.3: Utama all five; Madya PP BB IH + UR or DL; Purwa PP BB + another."""
    if {"PP", "BB", "IH", "UR", "DL"} <= complete:
        return 3
    if {"PP", "BB", "IH"} <= complete and complete & {"UR", "DL"}:
        return 2
    if {"PP", "BB"} <= complete and complete & {"IH", "UR", "DL"}:
        return 1
    return 0


def loose(name: str) -> str:
    return " ".join(name.lower().split())


@dataclass
class Tally:
    """What one posyandu or village adds up to."""

    kader: int = 0
    aktif: int = 0
    levels: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    holders: Counter[str] = field(default_factory=Counter)
    stale: int = 0
    posyandu: set[tuple[str, ...]] = field(default_factory=set)


@dataclass
class Expected:
    skills: list[str]  # in the book's order
    group_of: dict[str, str]
    posyandu: dict[tuple[str, ...], Tally]
    villages: dict[str, Tally]


def recompute(session: Session, prefix: str = "", cutoff: str = CUTOFF) -> Expected:
    """Loop kader by kader over rows read with plain SQL (villages starting with ``prefix``)."""
    run = session.execute
    book = run(text("SELECT s.kode, s.kelompok FROM keterampilan s JOIN kelompok_keterampilan g "
                    "ON g.kode = s.kelompok ORDER BY g.urut, s.urut")).all()  # fmt: skip
    skills = [r[0] for r in book]
    group_of = {r[0]: r[1] for r in book}
    members: dict[str, set[str]] = {}
    for code, group in book:
        members.setdefault(group, set()).add(code)
    passed: dict[int, set[str]] = {}
    for kid, code in run(text("SELECT kader_id, keterampilan FROM kader_keterampilan "
                              "WHERE lulus = 1")):  # fmt: skip
        passed.setdefault(kid, set()).add(code)
    posyandu: dict[tuple[str, ...], Tally] = {}
    villages: dict[str, Tally] = {}
    kader = run(text("SELECT id, kode_desa, posyandu_id, posyandu, aktif, tanggal_asesmen "
                     "FROM kader WHERE kode_desa LIKE :p"), {"p": prefix + "%"}).all()
    for kid, desa, pid, pname, aktif, tanggal in kader:
        if pid is not None:
            key: tuple[str, ...] = ("f", str(pid))
        elif pname and pname.strip():
            key = ("n", desa, loose(pname))
        else:
            key = ("x", desa)
        for tally in (posyandu.setdefault(key, Tally()), villages.setdefault(desa, Tally())):
            tally.kader += 1
            if not aktif:
                continue
            tally.aktif += 1
            held = passed.get(kid, set())
            tally.levels[spec_level({g for g, m in members.items() if m <= held})] += 1
            tally.holders.update(held)
            if tanggal is not None and str(tanggal) < cutoff:
                tally.stale += 1
        villages[desa].posyandu.add(key)
    for fid, desa in run(text("SELECT id, kode_desa FROM fasilitas WHERE jenis = 'posyandu'")):
        if desa in villages:  # a posyandu of a village with kader data, maybe without kader
            posyandu.setdefault(("f", str(fid)), Tally())
            villages[desa].posyandu.add(("f", str(fid)))
    return Expected(skills, group_of, posyandu, villages)


def got_key(row: pd.Series) -> tuple[str, ...]:
    """The recomputation's key of a row of ``gaps.posyandu``."""
    if not pd.isna(row["id"]):
        return ("f", str(int(row["id"])))
    if row["nama"] != NO_NAME:
        return ("n", row["kode_desa"], loose(row["nama"]))
    return ("x", row["kode_desa"])


def assert_row(row: pd.Series, holders: np.ndarray, want: Tally, exp: Expected) -> None:
    where = f"{row.get('kode_desa')} {row.get('nama', '')}"
    assert (row["kader"], row["kader_aktif"]) == (want.kader, want.aktif), where
    assert [int(row[f"level_{k}"]) for k in LEVELS] == want.levels, where
    assert sum(want.levels) == want.aktif
    if want.aktif:
        assert row["purwa_plus"] == pytest.approx(sum(want.levels[1:]) / want.aktif), where
    else:
        assert math.isnan(row["purwa_plus"]), where
    assert holders.tolist() == [want.holders[c] for c in exp.skills], where
    missing = [c for c in exp.skills if want.holders[c] == 0]
    assert row["kurang"] == len(missing), where
    for g in ("PP", "BB", "IH", "UR", "DL"):
        assert row[f"kurang_{g}"] == sum(exp.group_of[c] == g for c in missing), where
    assert row["stale"] == want.stale, where
    assert row["tanpa_tanggal"] == 0, where  # every demo kader has an assessment date


def assert_matches(gaps: KaderGaps, exp: Expected) -> None:
    """Every posyandu and village of ``gaps`` is one of the recomputation, and back."""
    assert list(gaps.book.codes) == exp.skills
    keys = [got_key(r) for _, r in gaps.posyandu.iterrows()]
    assert len(set(keys)) == len(keys)
    assert set(keys) == set(exp.posyandu)
    for i, (key, (_, row)) in enumerate(zip(keys, gaps.posyandu.iterrows(), strict=True)):
        assert_row(row, gaps.posyandu_holders[i], exp.posyandu[key], exp)
        assert gaps.missing("posyandu", i) == [c for c in exp.skills
                                               if exp.posyandu[key].holders[c] == 0]  # fmt: skip
    assert gaps.villages["kode_desa"].tolist() == sorted(exp.villages)
    for i, row in gaps.villages.iterrows():
        want = exp.villages[row["kode_desa"]]
        assert_row(row, gaps.village_holders[i], want, exp)
        assert row["posyandu"] == len(want.posyandu)
        assert row["per_posyandu"] == pytest.approx(want.aktif / len(want.posyandu))
    assert gaps.missing_lists("villages") == [
        [c for c in exp.skills if exp.villages[v].holders[c] == 0]
        for v in gaps.villages["kode_desa"]]  # fmt: skip


def gaps_of(session: Session, scope: Scope = EVERYTHING, **options: object) -> KaderGaps:
    return compute(load_roster(session, scope), today=TODAY,
                   **{"stale_months": STALE_MONTHS, **options})  # type: ignore[arg-type]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Engine]:
    """A demo store of this test's own (the shared one is not changed)."""
    engine = demo_engine(tmp_path)
    yield engine
    engine.dispose()


# ------------------------------------------------------------------ the whole demo district


def test_demo_gaps_match_a_plain_recomputation(session: Session) -> None:
    gaps = gaps_of(session)
    exp = recompute(session)
    assert len(gaps.villages) == len(exp.villages) == 250
    assert len(gaps.posyandu) == len(exp.posyandu) == 1055
    assert_matches(gaps, exp)
    # the demo is varied enough for these comparisons to mean something
    totals = gaps.villages[[f"level_{k}" for k in LEVELS]].sum()
    assert (totals > 0).all(), totals
    assert (gaps.posyandu["kurang"] > 0).any() and (gaps.posyandu["kurang"] == 0).any()
    assert 0 < gaps.villages["stale"].sum() < gaps.villages["kader_aktif"].sum()
    assert (gaps.villages["kader"] > gaps.villages["kader_aktif"]).any()


def test_levels_per_kader_match(session: Session) -> None:
    gaps = gaps_of(session)
    members: dict[str, set[str]] = {}
    for code, group in session.execute(text("SELECT kode, kelompok FROM keterampilan")):
        members.setdefault(group, set()).add(code)
    passed: dict[str, set[str]] = {}
    for kode, skill in session.execute(text(
            "SELECT k.kode, s.keterampilan FROM kader_keterampilan s JOIN kader k "
            "ON k.id = s.kader_id WHERE s.lulus = 1")):  # fmt: skip
        passed.setdefault(kode, set()).add(skill)
    dates = dict(session.execute(text("SELECT kode, tanggal_asesmen FROM kader")).all())
    got = gaps.kader.set_index("kode")
    assert sorted(got.index) == sorted(dates)
    for kode, row in got.iterrows():
        held = passed.get(str(kode), set())
        complete = {g for g, m in members.items() if m <= held}
        assert row["level"] == spec_level(complete), kode
        assert {g for g in members if row[f"complete_{g}"]} == complete, kode
        assert bool(row["stale"]) == (str(dates[kode]) < CUTOFF), kode


def test_default_stale_age_and_another_today(session: Session) -> None:
    """24 months by default: no demo assessment (2025 on) is that old on TODAY; a later
    ``today`` and a shorter age mark more."""
    assert gaps_of(session, stale_months=24).villages["stale"].sum() == 0
    later = compute(load_roster(session, EVERYTHING), today=dt.date(2026, 9, 30),
                    stale_months=12)  # fmt: skip
    assert_matches(later, recompute(session, cutoff="2025-09-30"))
    assert later.villages["stale"].sum() > gaps_of(session).villages["stale"].sum()


# ------------------------------------------------------------------ scopes


def test_a_kecamatan_scope_gives_its_villages_and_the_same_numbers(session: Session) -> None:
    full = gaps_of(session)
    part = gaps_of(session, Scope.of([KECAMATAN]))
    assert len(part.villages) > 0
    assert part.villages["kode_desa"].str.startswith(KECAMATAN + ".").all()
    inside = full.villages["kode_desa"].str.startswith(KECAMATAN + ".").to_numpy()
    pd.testing.assert_frame_equal(part.villages, full.villages[inside].reset_index(drop=True))
    np.testing.assert_array_equal(part.village_holders, full.village_holders[inside])
    p_inside = full.posyandu["kode_desa"].str.startswith(KECAMATAN + ".").to_numpy()
    pd.testing.assert_frame_equal(part.posyandu, full.posyandu[p_inside].reset_index(drop=True))
    np.testing.assert_array_equal(part.posyandu_holders, full.posyandu_holders[p_inside])
    assert_matches(part, recompute(session, KECAMATAN + "."))
    assert set(part.kader["kode_desa"].str[:8]) == {KECAMATAN}


def test_a_village_scope(session: Session) -> None:
    village = session.execute(text("SELECT min(kode_desa) FROM kader")).scalar_one()
    gaps = gaps_of(session, Scope.of([village]))
    assert gaps.villages["kode_desa"].tolist() == [village]
    assert_matches(gaps, recompute(session, village))


def test_a_scope_without_kader_gives_empty_tables(session: Session) -> None:
    gaps = gaps_of(session, Scope.of(["98"]))
    assert gaps.villages.empty and gaps.posyandu.empty and gaps.kader.empty
    assert gaps.village_holders.shape == (0, 25) and gaps.posyandu_holders.shape == (0, 25)


# ------------------------------------------------------------------ posyandu and villages


def test_a_posyandu_without_kader_lacks_all_25_skills(fresh: Engine) -> None:
    with Session(fresh) as s:
        fid, desa = s.execute(text(
            "SELECT f.id, f.kode_desa FROM fasilitas f WHERE f.jenis = 'posyandu' AND "
            "(SELECT count(*) FROM fasilitas o WHERE o.jenis = 'posyandu' "
            " AND o.kode_desa = f.kode_desa) > 1 ORDER BY f.id LIMIT 1")).one()  # fmt: skip
        before = gaps_of(s).villages.set_index("kode_desa").loc[desa]
        s.execute(text("DELETE FROM kader_keterampilan WHERE kader_id IN "
                       "(SELECT id FROM kader WHERE posyandu_id = :f)"), {"f": fid})
        gone = s.execute(text("DELETE FROM kader WHERE posyandu_id = :f"), {"f": fid}).rowcount
        assert gone > 0
        gaps = gaps_of(s)
        assert_matches(gaps, recompute(s))
        row = gaps.posyandu[gaps.posyandu["id"] == fid]
        assert len(row) == 1
        i, row = row.index[0], row.iloc[0]
        assert (row["kader"], row["kader_aktif"], row["kurang"]) == (0, 0, 25)
        assert [row[f"kurang_{g}"] for g in ("PP", "BB", "IH", "UR", "DL")] == [4, 7, 6, 3, 5]
        assert math.isnan(row["purwa_plus"])
        assert gaps.missing("posyandu", int(i)) == list(gaps.book.codes)
        village = gaps.villages.set_index("kode_desa").loc[desa]
        assert village["posyandu"] == before["posyandu"]  # still one of the village's posyandu
        assert village["kader"] == before["kader"] - gone


def test_villages_without_kader_are_absent(fresh: Engine) -> None:
    with Session(fresh) as s:
        desa = s.execute(text("SELECT max(kode_desa) FROM kader")).scalar_one()
        s.execute(text("DELETE FROM kader_keterampilan WHERE kader_id IN "
                       "(SELECT id FROM kader WHERE kode_desa = :d)"), {"d": desa})
        s.execute(text("DELETE FROM kader WHERE kode_desa = :d"), {"d": desa})
        posyandu = s.execute(text("SELECT count(*) FROM fasilitas WHERE jenis = 'posyandu' "
                                  "AND kode_desa = :d"), {"d": desa}).scalar_one()  # fmt: skip
        assert posyandu > 0  # the village has posyandu, but no kader data
        gaps = gaps_of(s)
        assert desa not in set(gaps.villages["kode_desa"])
        assert desa not in set(gaps.posyandu["kode_desa"])
        assert len(gaps.villages) == 249
        assert_matches(gaps, recompute(s))
        alone = gaps_of(s, Scope.of([desa]))
        assert alone.villages.empty and alone.posyandu.empty


def test_posyandu_named_only_by_text(fresh: Engine) -> None:
    """Kader whose posyandu is not a stored facility: grouped by the name as written
    (loosely), and those with no name in one "no posyandu named" per village."""
    with Session(fresh) as s:
        desa = s.execute(text("SELECT min(kode_desa) FROM kader")).scalar_one()
        ids = [r[0] for r in s.execute(text(
            "SELECT id FROM kader WHERE kode_desa = :d ORDER BY id LIMIT 6"), {"d": desa})]
        spelled = ["Posyandu Baru", "posyandu  BARU", "Posyandu Baru ", None, "", "Lain"]
        for kid, name in zip(ids, spelled, strict=True):
            s.execute(text("UPDATE kader SET posyandu_id = NULL, posyandu = :n WHERE id = :k"),
                      {"n": name, "k": kid})  # fmt: skip
        gaps = gaps_of(s)
        exp = recompute(s)
        assert ("n", desa, "posyandu baru") in exp.posyandu and ("x", desa) in exp.posyandu
        assert exp.posyandu[("n", desa, "posyandu baru")].kader == 3
        assert exp.posyandu[("x", desa)].kader == 2
        assert_matches(gaps, exp)
        here = gaps.posyandu[gaps.posyandu["kode_desa"] == desa]
        assert (here["nama"] == NO_NAME).sum() == 1


# ------------------------------------------------------------------ the service cache


def test_service_cache_follows_the_data_version(fresh: Engine, tmp_path: Path) -> None:
    """The roster is cached per data version: a change behind the importer's back is not
    seen (the cache is in use), a new import is (the version moved)."""
    with Session(fresh) as s:
        version = service.queries.data_version(s)
        first = service.gaps_for(s, EVERYTHING, today=TODAY, stale_months=STALE_MONTHS)
        assert service.roster(s, EVERYTHING) is service.roster(s, EVERYTHING)
        assert_matches(first, recompute(s))
        # a posyandu with a gap (not in the village changed below), one of its active kader
        quiet = first.villages.at[0, "kode_desa"]
        pos = first.posyandu[(first.posyandu["kurang"] > 0) & (first.posyandu["kader_aktif"] > 0)
                             & (first.posyandu["kode_desa"] != quiet)].iloc[0]  # fmt: skip
        kode = s.execute(text("SELECT kode FROM kader WHERE posyandu_id = :f AND aktif = 1 "
                              "ORDER BY kode LIMIT 1"), {"f": int(pos["id"])}).scalar_one()
    with Session(fresh) as s:  # behind the importer's back: no log row, same version
        s.execute(text("UPDATE kader SET aktif = 0 WHERE kode_desa = :d"), {"d": quiet})
        s.commit()
        assert service.queries.data_version(s) == version
        cached = service.gaps_for(s, EVERYTHING, today=TODAY, stale_months=STALE_MONTHS)
        pd.testing.assert_frame_equal(cached.villages, first.villages)

    roster = pd.read_csv(DEMO / "kader.csv", dtype=str, keep_default_na=False)
    row = roster[roster["kader_id"] == kode].copy()
    assert len(row) == 1
    skills = [c for c in roster.columns if c[:2] in ("PP", "BB", "IH", "UR", "DL")]
    row[skills] = "1"
    path = tmp_path / "kader_baru.csv"
    row.to_csv(path, index=False)
    report = run_import(fresh, "kader", path, user="uji", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")

    with Session(fresh) as s:
        assert service.queries.data_version(s) != version
        after = service.gaps_for(s, EVERYTHING, today=TODAY, stale_months=STALE_MONTHS)
        assert_matches(after, recompute(s))  # the import and the change before it
        got = after.posyandu.set_index("id").loc[int(pos["id"])]
        assert got["kurang"] == 0 < pos["kurang"]
        assert got["level_utama"] == pos["level_utama"] + 1
        assert after.villages.at[0, "kode_desa"] == quiet
        assert after.villages.at[0, "kader_aktif"] == 0 < first.villages.at[0, "kader_aktif"]
        assert service.roster(s, EVERYTHING) is service.roster(s, EVERYTHING)
