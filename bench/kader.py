"""Kader gaps benchmark (issue 10): levels and skill gaps of a province-scale roster.

Data: a synthetic province generated in-process (seeded NumPy, :data:`SEED`):
:data:`VILLAGES` villages (codes shaped like Jawa Timur's: 38 kabupaten × 16 kecamatan),
:data:`POSYANDU` stored posyandu (every village has one; the rest placed at random) of which
:data:`EMPTY_SHARE` have no kader, and :data:`KADER` kader × 25 skills, 90 % active,
assessed 2021–2025 (1 % without a date). Each kader holds each life-cycle group whole with a
probability of the group (PP 0.8, BB 0.7, IH 0.5, UR 0.4, DL 0.4), else each of its skills
with 0.6 — so every level and many gaps occur. The roster is built through
:func:`layers.kader.roster.from_frames` (the posyandu keys) with the skill matrix set
directly (no 5-million-row skill table to index).

Printed, each beside a baseline measured in the same run (timings: medians, warm):

* :func:`layers.kader.gaps.compute` on the whole roster (median of :data:`REPEATS` after
  one warm-up run) beside a plain row-by-row Python loop doing the same aggregation (level
  from the same rule, per-kader dict updates per posyandu and village, then the gaps by
  group; its input already plain Python lists, the conversion not timed), run on a
  :data:`SLICE`-kader slice and **scaled linearly** to the whole roster;
  the same compute beside the target (≤ 1 s warm); compute and loop on the slice itself
  (their results are asserted equal there, posyandu by posyandu and village by village);
* the demo store (7,857 kader, 1,055 posyandu): :func:`layers.kader.roster.load_roster`
  beside a raw DB-API fetch of the same rows; ``compute`` on what it read beside the read
  (what the service's roster cache saves when a view changes).

``--quick``: a tenth of the province (and of the slice), fewer repetitions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from bench.common import REPO, Row, median, print_table, timed
from layers.kader.gaps import KaderGaps, compute
from layers.kader.roster import Roster, from_frames, load_roster, stale_before
from layers.kader.skills import SkillBook
from layers.kader.strata import StrataRule, load_rule
from layers.scope import Scope

DEMO = REPO / "data" / "geo" / "demo_9901"
SEED = 1010
KADER = 300_000
POSYANDU = 60_000
VILLAGES = 8_500
SLICE = 30_000
EMPTY_SHARE = 0.02
ACTIVE_SHARE = 0.9
#: probability that a kader holds each group whole (else each skill with SKILL_P)
WHOLE_P = {"PP": 0.8, "BB": 0.7, "IH": 0.5, "UR": 0.4, "DL": 0.4}
SKILL_P = 0.6
REPEATS = 7
LOOP_REPEATS = 3
TARGET_S = 1.0
TODAY = dt.date(2026, 1, 31)
STALE_MONTHS = 24


def village_codes(n: int) -> list[str]:
    """``35.KK.CC.2DDD``: 16 kecamatan of 14 villages per kabupaten."""
    return [f"35.{i // 224 + 1:02d}.{i // 14 % 16 + 1:02d}.{2001 + i % 14}" for i in range(n)]


def synthetic(n_kader: int, n_posyandu: int, n_villages: int, seed: int = SEED) -> Roster:
    """The synthetic province (module docstring)."""
    rng = np.random.default_rng(seed)
    book = SkillBook.shipped()
    codes = np.array(village_codes(n_villages))
    pos_village = np.concatenate([np.arange(n_villages),
                                  rng.integers(0, n_villages, n_posyandu - n_villages)])
    ids = np.arange(1, n_posyandu + 1)
    fac = pd.DataFrame({"posyandu": [f"f{i}" for i in ids], "nama": [f"Posyandu {i}" for i in ids],
                        "kode_desa": codes[pos_village], "id": ids,
                        "induk_id": pd.array([pd.NA] * n_posyandu, dtype="Int64")})  # fmt: skip
    staffed = rng.permutation(n_posyandu)[: int(round(n_posyandu * (1 - EMPTY_SHARE)))]
    kader_pos = rng.permutation(np.concatenate([
        staffed, rng.choice(staffed, n_kader - len(staffed))]))  # fmt: skip
    days = rng.integers(0, 5 * 365, n_kader)
    dates = pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D")
    dates = dates.where(rng.random(n_kader) >= 0.01)
    kader = pd.DataFrame({
        "kode": [f"K{i:07d}" for i in range(n_kader)],
        "kode_desa": codes[pos_village[kader_pos]],
        "posyandu_id": pd.array(ids[kader_pos], dtype="Int64"),
        "posyandu_nama": fac["nama"].to_numpy()[kader_pos],
        "aktif": rng.random(n_kader) < ACTIVE_SHARE,
        "tanggal_asesmen": dates,
    })  # fmt: skip
    group = np.array(book.group_of)
    whole = np.stack([rng.random(n_kader) < WHOLE_P[g] for g in book.groups], axis=1)
    gidx = book.group_index()
    held = whole[:, gidx] | (rng.random((n_kader, len(book.codes))) < SKILL_P)
    assert held.shape[1] == len(group) == 25
    empty = pd.DataFrame(columns=["kode", "keterampilan"])
    return dataclasses.replace(from_frames(kader, empty, book, fac), held=held)


def head(roster: Roster, n: int) -> Roster:
    """The first ``n`` kader of ``roster`` (the same posyandu facilities)."""
    return dataclasses.replace(roster, kader=roster.kader.iloc[:n].reset_index(drop=True),
                               held=roster.held[:n])  # fmt: skip


# ------------------------------------------------------------------ the plain loop


def loop_inputs(roster: Roster) -> dict[str, Any]:
    """The roster as plain Python lists (not timed: the loop's best case)."""
    k, fac = roster.kader, roster.posyandu
    dates = [None if pd.isna(d) else d.date() for d in k["tanggal_asesmen"]]
    return {"kader": list(zip(k["posyandu"].tolist(), k["kode_desa"].tolist(),
                              k["aktif"].tolist(), dates, strict=True)),
            "held": roster.held.tolist(),
            "facilities": list(zip(fac["posyandu"].tolist(), fac["kode_desa"].tolist(),
                                   strict=True))}  # fmt: skip


def _new(n_levels: int, n_skills: int) -> dict[str, Any]:
    return {"kader": 0, "aktif": 0, "levels": [0] * n_levels, "holders": [0] * n_skills,
            "stale": 0, "tanpa_tanggal": 0, "posyandu": set()}  # fmt: skip


def loop_aggregate(data: dict[str, Any], book: SkillBook, rule: StrataRule,
                   today: dt.date, stale_months: int) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Row by row: each kader's level, then dict updates of its posyandu and village."""
    cutoff = stale_before(today, stale_months).date()
    n_levels, n_skills = len(rule.strata) + 1, len(book.codes)
    columns = {g: [i for i, h in enumerate(book.group_of) if h == g] for g in book.groups}
    posyandu: dict[str, dict[str, Any]] = {}
    villages: dict[str, dict[str, Any]] = {}
    for (pos, desa, aktif, date), held in zip(data["kader"], data["held"], strict=True):
        p = posyandu.get(pos)
        if p is None:
            p = posyandu[pos] = _new(n_levels, n_skills)
        v = villages.get(desa)
        if v is None:
            v = villages[desa] = _new(n_levels, n_skills)
        v["posyandu"].add(pos)
        p["kader"] += 1
        v["kader"] += 1
        if not aktif:
            continue
        complete = {g for g, cols in columns.items() if all(held[c] for c in cols)}
        level = 0
        for number, s in enumerate(rule.strata, start=1):
            if all(g in complete for g in s.wajib) and sum(
                    g in complete for g in s.pilihan) >= s.jumlah_pilihan:
                level = number
        for t in (p, v):
            t["aktif"] += 1
            t["levels"][level] += 1
            holders = t["holders"]
            for c in range(n_skills):
                if held[c]:
                    holders[c] += 1
            if date is None:
                t["tanpa_tanggal"] += 1
            elif date < cutoff:
                t["stale"] += 1
    for pos, desa in data["facilities"]:
        if desa in villages and pos not in posyandu:
            posyandu[pos] = _new(n_levels, n_skills)
            villages[desa]["posyandu"].add(pos)
    for t in (*posyandu.values(), *villages.values()):
        t["kurang"] = {g: sum(t["holders"][c] == 0 for c in cols) for g, cols in columns.items()}
    return {"posyandu": posyandu, "villages": villages}


def assert_same(gaps: KaderGaps, loop: dict[str, dict[str, Any]]) -> None:
    """The vectorised and the loop results agree, row by row."""
    keys = gaps.rule.keys
    for table, key, holders in (("posyandu", "posyandu", gaps.posyandu_holders),
                                ("villages", "kode_desa", gaps.village_holders)):  # fmt: skip
        frame = getattr(gaps, table)
        mine = loop[table]
        assert sorted(frame[key]) == sorted(mine), f"{table}: not the same rows"
        for i, row in enumerate(frame.itertuples(index=False)):
            want = mine[getattr(row, key)]
            got = row._asdict()
            assert (got["kader"], got["kader_aktif"], got["stale"], got["tanpa_tanggal"]) == (
                want["kader"], want["aktif"], want["stale"], want["tanpa_tanggal"]), row
            assert [got[f"level_{k}"] for k in keys] == want["levels"], row
            assert holders[i].tolist() == want["holders"], row
            assert {g: got[f"kurang_{g}"] for g in gaps.book.groups} == want["kurang"], row
            assert got["kurang"] == sum(want["kurang"].values()), row
            if table == "villages":
                assert got["posyandu"] == len(want["posyandu"]), row


# ------------------------------------------------------------------ timings


def _median(fn: Any, repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        seconds, result = timed(fn)
        times.append(seconds)
    return median(times), result


def province(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    scale = 10 if quick else 1
    n_kader, n_slice = KADER // scale, SLICE // scale
    n_pos, n_vil = POSYANDU // scale, VILLAGES // scale
    setup_s, roster = timed(lambda: synthetic(n_kader, n_pos, n_vil))
    rule = load_rule(groups=roster.book.groups)
    repeats = 3 if quick else REPEATS

    def run(r: Roster) -> KaderGaps:
        return compute(r, rule, today=TODAY, stale_months=STALE_MONTHS)

    run(roster)  # warm-up
    full_s, gaps = _median(lambda: run(roster), repeats)
    part = head(roster, n_slice)
    run(part)
    slice_s, part_gaps = _median(lambda: run(part), repeats)
    data = loop_inputs(part)
    loop_s, loop = _median(lambda: loop_aggregate(data, roster.book, rule, TODAY,
                                                  STALE_MONTHS), LOOP_REPEATS)  # fmt: skip
    assert_same(part_gaps, loop)
    factor = n_kader / n_slice
    label = f"synthetic province ({n_kader:,} kader × 25, {n_pos:,} posyandu, {n_vil:,} villages)"
    levels = gaps.villages[[f"level_{k}" for k in rule.keys]].sum()
    rows = [
        Row(label, f"gaps.compute, warm (median of {repeats})", full_s, loop_s * factor, "s",
            f"plain Python loop on a {n_slice:,}-kader slice × {factor:g} (scaled linearly)"),
        Row(label, "gaps.compute, warm", full_s, TARGET_S, "s", f"target ≤ {TARGET_S:g} s warm"),
        Row(f"its first {n_slice:,} kader", "gaps.compute, warm (results = the loop's)",
            slice_s, loop_s, "s", f"plain Python loop (median of {LOOP_REPEATS})"),
    ]  # fmt: skip
    record = {
        "kader": n_kader, "posyandu": len(gaps.posyandu), "villages": len(gaps.villages),
        "active": int(gaps.villages["kader_aktif"].sum()),
        "levels": {k: int(levels[f"level_{k}"]) for k in rule.keys},
        "posyandu_with_gap": int((gaps.posyandu["kurang"] > 0).sum()),
        "setup_s": setup_s, "compute_s": full_s, "slice": n_slice, "slice_compute_s": slice_s,
        "loop_slice_s": loop_s, "loop_scaled_s": loop_s * factor, "target_s": TARGET_S,
    }  # fmt: skip
    return rows, record


def raw_fetch(url: str) -> int:
    """The rows ``load_roster`` reads, fetched with the bare sqlite3 driver."""
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        n = len(conn.execute(
            "SELECT k.kode, k.kode_desa, k.posyandu_id, f.nama, k.posyandu, k.aktif, "
            "k.tanggal_asesmen FROM kader k LEFT JOIN fasilitas f ON f.id = k.posyandu_id "
            "ORDER BY k.kode").fetchall())  # fmt: skip
        n += len(conn.execute("SELECT k.kode, s.keterampilan FROM kader_keterampilan s "
                              "JOIN kader k ON k.id = s.kader_id WHERE s.lulus = 1").fetchall())
        n += len(conn.execute("SELECT id, nama, kode_desa, induk_id FROM fasilitas "
                              "WHERE jenis = 'posyandu' ORDER BY id").fetchall())
        n += len(conn.execute("SELECT kode, kelompok, urut, label_id, label_en "
                              "FROM keterampilan").fetchall())  # fmt: skip
        return n
    finally:
        conn.close()


def demo_store(quick: bool) -> tuple[list[Row], dict[str, Any]]:
    from dashboard import testing
    from layers.store.engine import make_engine

    repeats = 3 if quick else 5
    with tempfile.TemporaryDirectory(prefix="pws-bench-kader-") as tmp:
        load_s, url = timed(lambda: testing.loaded_database(DEMO, Path(tmp) / "demo.sqlite"))
        engine = make_engine(url)
        try:
            with Session(engine) as s:
                everything = Scope.everything()
                load_roster(s, everything)
                read_s, roster = _median(lambda: load_roster(s, everything), repeats)
                raw_fetch(url)
                raw_s, n_rows = _median(lambda: raw_fetch(url), repeats)
                rule = load_rule(groups=roster.book.groups)
                compute(roster, rule, today=TODAY)
                agg_s, gaps = _median(lambda: compute(roster, rule, today=TODAY), repeats)
        finally:
            engine.dispose()
    label = (f"demo store ({len(roster.kader):,} kader, {int(roster.held.sum()):,} passed "
             f"skills, {len(gaps.posyandu):,} posyandu)")  # fmt: skip
    rows = [
        Row(label, f"load_roster (store read, median of {repeats})", read_s, raw_s, "s",
            f"raw sqlite3 fetch of the same {n_rows:,} rows"),
        Row(label, "gaps.compute on what it read", agg_s, read_s, "s",
            "load_roster (what the roster cache saves)"),
    ]  # fmt: skip
    return rows, {"load_s": load_s, "read_s": read_s, "raw_fetch_s": raw_s, "rows": n_rows,
                  "compute_s": agg_s}  # fmt: skip


def run(quick: bool = False) -> dict[str, Any]:
    """Every figure of the module docstring."""
    rows, record = province(quick)
    more, demo = demo_store(quick)
    print_table(f"Kader gaps (warm medians; synthetic roster, seed {SEED}; the loop's figure "
                "for the whole roster is its slice time scaled linearly)", rows + more)  # fmt: skip
    return {"seed": SEED, "province": record, "demo": demo,
            "rows": [r.as_dict() for r in rows + more]}  # fmt: skip


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
