"""The kader tests' store and their referee: a spoiled copy of the demo, and the numbers
of ``pws kader levels|gaps`` recomputed in plain Python from the store's rows.

:func:`spoil` gives the demo what it lacks (every demo kader is dated, recent and at a stored
posyandu, every village has a full population row): stale and undated assessments, a
posyandu named only by the roster, a posyandu facility without kader, a village with a gap
but no population row, a village missing one target group, a kecamatan without kader.

:func:`recompute` reads the tables ``kader``, ``kader_keterampilan``, ``keterampilan``,
``kelompok_keterampilan``, ``fasilitas`` and ``penduduk`` with plain SQL and derives levels,
gaps and priority ranks with loops and dicts — no code of ``layers.kader`` — so a test
comparing the two fails when either is wrong.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

DATA = Path(__file__).resolve().parents[2] / "layers" / "data"
KEC = "99.01.01"
NO_KADER_KEC = "99.01.11"  # every kader of it deleted
NO_POP = "99.01.01.2016"  # has a gap; its population rows are deleted
PART_POP = "99.01.01.2013"  # no bumil figure: weighed by the whole population
SPOILED = "99.01.01.1002"  # stale, undated, a named-only posyandu, an empty posyandu
STALE = ("K-9901011002-001", "K-9901011002-002", "K-9901011002-003")
UNDATED = "K-9901011002-004"
NAMED_ONLY = ("K-9901011002-010", "Posyandu Teratai")
EMPTY_POSYANDU = "Posyandu Kenanga"


def spoil(engine: Engine) -> None:
    """Change the demo copy as the module doc says (before anything reads it: the roster
    cache keys on the import log, which plain SQL does not touch)."""
    with engine.begin() as c:
        c.execute(text("DELETE FROM kader_keterampilan WHERE kader_id IN "
                       "(SELECT id FROM kader WHERE kode_desa LIKE :k)"),
                  {"k": f"{NO_KADER_KEC}.%"})  # fmt: skip
        c.execute(text("DELETE FROM kader WHERE kode_desa LIKE :k"), {"k": f"{NO_KADER_KEC}.%"})
        c.execute(text("DELETE FROM penduduk WHERE kode_desa = :k"), {"k": NO_POP})
        c.execute(text("UPDATE penduduk SET bumil = NULL WHERE kode_desa = :k"), {"k": PART_POP})
        for kode in STALE:
            c.execute(text("UPDATE kader SET tanggal_asesmen = '2019-03-01' WHERE kode = :k"),
                      {"k": kode})  # fmt: skip
        c.execute(text("UPDATE kader SET tanggal_asesmen = NULL WHERE kode = :k"),
                  {"k": UNDATED})  # fmt: skip
        c.execute(text("UPDATE kader SET posyandu_id = NULL, posyandu = :n WHERE kode = :k"),
                  {"k": NAMED_ONLY[0], "n": NAMED_ONLY[1]})  # fmt: skip
        c.execute(text("INSERT INTO fasilitas (nama, jenis, kode_desa, status, perawat, bidan) "
                       "VALUES (:n, 'posyandu', :k, 'aktif', 0, 0)"),
                  {"n": EMPTY_POSYANDU, "k": SPOILED})  # fmt: skip


def proper_names(engine: Engine) -> set[str]:
    """Names the same in both languages: the demo's regions and facilities (``Posyandu
    Tunas Harapan 3``), and the posyandu :func:`spoil` names."""
    from tests.test_language_mix import _names

    with engine.connect() as c:
        facilities = {r[0] for r in c.execute(text("SELECT nama FROM fasilitas"))}
    return _names() | facilities | {NAMED_ONLY[1]}


def stale_before(today: dt.date, months: int) -> dt.date:
    """``today`` minus ``months`` calendar months (the day clamped to the month's end)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@dataclass
class Expected:
    """What the commands should say for one region."""

    codes: list[str]  # the skills in book order
    group_of: dict[str, str]
    levels: list[str]  # level keys, 0 first
    kader: dict[str, dict[str, Any]] = field(default_factory=dict)
    villages: dict[str, dict[str, Any]] = field(default_factory=dict)
    posyandu: dict[tuple[str, Any], dict[str, Any]] = field(default_factory=dict)
    training: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def village_order(self) -> list[str]:
        """The village codes as the tables list them: by rank, those without one last."""
        return sorted(self.villages, key=lambda d: (self.villages[d]["peringkat"] is None,
                                                    self.villages[d]["peringkat"] or 0, d))


def _rule(groups: list[str]) -> list[tuple[str, set[str], set[str], int]]:
    rows = list(csv.DictReader((DATA / "strata_kader.csv").read_text("utf-8").splitlines()))
    rows.sort(key=lambda r: int(r["urut"]))
    return [(r["kode"], set(r["wajib"].split()), set(r["pilihan"].split()),
             int(r["jumlah_pilihan"] or 0)) for r in rows]  # fmt: skip


def _rank(scores: list[tuple[Any, float | None]]) -> dict[Any, int]:
    """1 = most people; no figure last; ties keep the given order."""
    order = sorted(range(len(scores)), key=lambda i: (scores[i][1] is None,
                                                      -(scores[i][1] or 0.0), i))
    return {scores[i][0]: n for n, i in enumerate(order, start=1)}


def recompute(engine: Engine, region: str, today: dt.date, stale_months: int = 24,
              norm: int = 5) -> Expected:  # fmt: skip
    """The levels, gaps and priority of ``region`` (a code prefix) from the store's rows."""
    like = {"k": f"{region}%"}
    with engine.connect() as c:
        groups = [r[0] for r in c.execute(text(
            "SELECT kode FROM kelompok_keterampilan ORDER BY urut"))]
        order = {g: i for i, g in enumerate(groups)}
        skills = sorted(c.execute(text("SELECT kode, kelompok, urut FROM keterampilan")),
                        key=lambda r: (order[r[1]], r[2]))  # fmt: skip
        kader = c.execute(text(
            "SELECT k.id, k.kode, k.kode_desa, k.posyandu_id, k.posyandu, k.aktif, "
            "k.tanggal_asesmen, f.nama FROM kader k LEFT JOIN fasilitas f "
            "ON f.id = k.posyandu_id WHERE k.kode_desa LIKE :k ORDER BY k.kode"), like).all()
        passed = defaultdict(set)
        for kid, skill in c.execute(text(
                "SELECT kader_id, keterampilan FROM kader_keterampilan WHERE lulus = 1")):
            passed[kid].add(skill)
        facilities = c.execute(text(
            "SELECT id, nama, kode_desa, induk_id, jenis FROM fasilitas "
            "WHERE kode_desa LIKE :k ORDER BY id"), like).all()
        population = c.execute(text(
            "SELECT kode_desa, tahun, jumlah, bayi, balita, bumil, remaja, usia_produktif, "
            "lansia FROM penduduk WHERE kode_desa LIKE :k ORDER BY tahun"), like).all()
    codes = [s[0] for s in skills]
    group_of = {s[0]: s[1] for s in skills}
    members = {g: {s for s in codes if group_of[s] == g} for g in groups}
    rule = _rule(groups)
    out = Expected(codes, group_of, ["belum", *(r[0] for r in rule)])
    limit = stale_before(today, stale_months)

    place: dict[tuple[str, Any], dict[str, Any]] = {}
    for kid, kode, desa, pid, pname, aktif, date, fname in kader:
        complete = [g for g in groups if members[g] <= passed[kid]]
        level = 0
        for number, (_, wajib, pilihan, count) in enumerate(rule, start=1):
            if wajib <= set(complete) and len(pilihan & set(complete)) >= count:
                level = number
        day = None if date is None else dt.date.fromisoformat(str(date)[:10])
        key = (desa, pid) if pid is not None else (desa, pname)
        name = fname if pid is not None else pname
        out.kader[kode] = {"posyandu_nama": name, "kode_desa": desa, "aktif": bool(aktif),
                           "level": out.levels[level], "groups_complete": complete,
                           "tanggal_asesmen": None if day is None else day.isoformat(),
                           "stale": None if day is None else day < limit}  # fmt: skip
        place.setdefault(key, {"nama": name, "id": pid, "rows": []})["rows"].append(
            (bool(aktif), level, passed[kid], day is not None and day < limit, day is None))
    with_kader = {desa for desa, _ in place}
    named_ids = {pid for _, pid in place}
    pkm = [f for f in facilities if f[4] == "puskesmas"]
    for fid, nama, desa, _, jenis in facilities:
        if jenis == "posyandu" and desa in with_kader and fid not in named_ids:
            place[(desa, fid)] = {"nama": nama, "id": fid, "rows": []}
    induk = {f[0]: f[3] for f in facilities}

    def tally(rows: list[tuple]) -> dict[str, Any]:
        active = [r for r in rows if r[0]]
        held = set().union(*(r[2] for r in active)) if active else set()
        return {"kader": len(rows), "kader_aktif": len(active),
                "level": {k: sum(r[1] == i for r in active) for i, k in enumerate(out.levels)},
                "missing": [s for s in codes if s not in held],
                "stale": sum(r[3] for r in active), "tanpa_tanggal": sum(r[4] for r in active)}

    latest: dict[str, tuple] = {}
    for row in population:  # ordered by year: the last one wins
        latest[row[0]] = row
    columns = {r["kelompok"]: r["kolom"].split() for r in csv.DictReader(
        (DATA / "sasaran_kelompok.csv").read_text("utf-8").splitlines())}  # fmt: skip
    names = ("jumlah", "bayi", "balita", "bumil", "remaja", "usia_produktif", "lansia")

    def people(desa: str) -> tuple[dict[str, float] | None, str | None]:
        row = latest.get(desa)
        if row is None:
            return None, None
        values = dict(zip(names, row[2:], strict=True))
        wanted = {c for g in groups for c in columns[g]}
        if all(values[c] is not None for c in wanted):
            return {g: float(sum(values[c] for c in columns[g])) for g in groups}, "kelompok"
        return {g: float(values["jumlah"]) for g in groups}, "penduduk"

    for desa in sorted(with_kader):
        rows = [r for (d, _), p in place.items() if d == desa for r in p["rows"]]
        n_pos = sum(1 for d, _ in place if d == desa)
        got = tally(rows)
        weights, how = people(desa)
        sasaran = (None if weights is None and got["missing"] else
                   sum(weights[group_of[s]] for s in got["missing"]) if weights else 0.0)
        out.villages[desa] = {**got, "posyandu": n_pos, "kurang": len(got["missing"]),
                              "sasaran": sasaran, "bobot": how}  # fmt: skip
    ranked = _rank([(d, v["sasaran"]) for d, v in sorted(out.villages.items())
                    if v["kurang"] > 0])  # fmt: skip
    for desa, v in out.villages.items():
        v["peringkat"] = ranked.get(desa)

    first_pkm: dict[str, int] = {}
    for fid, _, desa, _, _ in pkm:
        first_pkm.setdefault(desa.rsplit(".", 1)[0], fid)
    pkm_ids = {f[0] for f in pkm}
    for key, p in place.items():
        desa = key[0]
        got = tally(p["rows"])
        weights, _ = people(desa)
        n_pos = out.villages[desa]["posyandu"]
        shares = ({s: weights[group_of[s]] / n_pos for s in got["missing"]}
                  if weights else dict.fromkeys(got["missing"]))  # fmt: skip
        sasaran = (None if any(v is None for v in shares.values()) else
                   float(sum(shares.values())))  # fmt: skip
        parent = induk.get(p["id"]) if p["id"] is not None else None
        puskesmas = parent if parent in pkm_ids else first_pkm.get(desa.rsplit(".", 1)[0])
        out.posyandu[key] = {**got, "nama": p["nama"], "id": p["id"],
                             "kurang": len(got["missing"]),
                             "below_norm": got["kader_aktif"] < norm, "sasaran": sasaran,
                             "puskesmas_id": puskesmas}  # fmt: skip
        for s in got["missing"]:
            t = out.training.setdefault((puskesmas, s), {"posyandu": 0, "shares": []})
            t["posyandu"] += 1
            t["shares"].append(shares[s])
    for t in out.training.values():  # the people of the posyandu with a figure; none: None
        known = [v for v in t.pop("shares") if v is not None]
        t["sasaran"] = float(sum(known)) if known else None
    # posyandu rank in the order the tables list them: village, then name
    listed = sorted(((k, p) for k, p in out.posyandu.items() if p["kurang"] > 0),
                    key=lambda kp: (kp[0][0], kp[1]["nama"]))  # fmt: skip
    ranked = _rank([(k, p["sasaran"]) for k, p in listed])
    for key, p in out.posyandu.items():
        p["peringkat"] = ranked.get(key)
        if p["kurang"] == 0:
            p["sasaran"] = 0.0  # nobody unserved
    return out
