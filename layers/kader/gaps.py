"""Kader levels and skill gaps per posyandu and per village, computed set-wise.

For every active kader the groups held whole and the level (:mod:`layers.kader.strata`);
then per posyandu and per village: kader (all and active), the level mix of the active
ones, for each of the 25 skills how many active kader hold it, the **gap** (skills no
active kader holds) in total and by life-cycle group, kader per posyandu against the norm
(5 by default) and assessments older than the stale age (they still count; they are
counted and marked). Inactive kader are listed but hold nothing.

A village is in the tables when it has at least one kader record; a posyandu facility of
such a village with no kader is a posyandu with every skill missing. A village with no
kader record is *no data* to the map, never zero.

Everything is NumPy over the kader × skill matrix (grouping by sorting and
``np.add.reduceat``), so a province of 300,000 kader aggregates in well under a second
(``make bench``: ``bench/kader.py`` beside a plain row-by-row loop).

Examples
--------
>>> import pandas as pd
>>> from layers.kader.roster import from_frames
>>> from layers.kader.skills import SkillBook
>>> book = SkillBook.shipped()
>>> kader = pd.DataFrame({"kode": ["a", "b", "c"], "kode_desa": "35.10.01.2001",
...     "posyandu_id": pd.NA, "posyandu_nama": ["Mawar", "Mawar", "Melati"],
...     "aktif": [True, True, False], "tanggal_asesmen": pd.to_datetime(["2025-01-02"] * 3)})
>>> passed = pd.DataFrame({"kode": "a", "keterampilan": list(book.codes[:11]) + ["UR1"]})
>>> gaps = compute(from_frames(kader, passed, book), today=dt.date(2025, 6, 1))
>>> gaps.posyandu[["nama", "kader", "kader_aktif", "kurang"]].values.tolist()
[['Mawar', 2, 2, 13], ['Melati', 1, 0, 25]]
>>> gaps.missing("villages", 0)[:3], int(gaps.villages.at[0, "kurang_UR"])
(['IH1', 'IH2', 'IH3'], 2)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from layers.kader.roster import Roster, stale_before
from layers.kader.skills import SkillBook
from layers.kader.strata import StrataRule, load_rule

#: the posyandu norm of ILP guidance: 5 kader per posyandu (configurable per view)
DEFAULT_NORM = 5
#: assessments older than this many months are marked stale (configurable per view)
DEFAULT_STALE_MONTHS = 24
NO_NAME = "(tanpa nama posyandu)"

Level = Literal["posyandu", "villages"]


def _groups_of(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sort order, the group of each run start and the run starts of ``idx``."""
    order = np.argsort(idx, kind="stable")
    s = idx[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]]) if len(s) else np.array([], int)
    return order, s[starts] if len(s) else s, starts


def sum_by(idx: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Row sums of ``values`` (rows × columns) per group ``idx`` (0..n-1), as ``n × columns``."""
    out = np.zeros((n, values.shape[1]), dtype=np.int64)
    if len(idx):
        order, which, starts = _groups_of(idx)
        out[which] = np.add.reduceat(values[order].astype(np.int64), starts, axis=0)
    return out


def _count_by(idx: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    return np.bincount(idx, weights=weights, minlength=n).astype(np.int64)


@dataclass
class KaderGaps:
    """Levels per kader and the aggregates per posyandu and village (see module doc).

    Attributes
    ----------
    kader : DataFrame
        the roster's kader + ``level`` (0 = belum berstrata; only meaningful when active),
        ``stale`` (assessment older than the stale age), ``complete_<G>`` per group.
    posyandu, villages : DataFrame
        ``kader, kader_aktif``, ``level_<key>`` (active kader per level), ``purwa_plus``
        (share of active kader at the first level or above, NaN without active kader),
        ``kurang`` (skills no active kader holds), ``kurang_<G>`` per group, ``stale``,
        ``tanpa_tanggal``; villages also ``posyandu`` (how many) and ``per_posyandu``.
    posyandu_holders, village_holders : ndarray
        active kader holding each skill (rows × skills).
    """

    book: SkillBook
    rule: StrataRule
    kader: pd.DataFrame
    posyandu: pd.DataFrame
    villages: pd.DataFrame
    posyandu_holders: np.ndarray
    village_holders: np.ndarray
    norm: int = DEFAULT_NORM
    stale_months: int = DEFAULT_STALE_MONTHS
    today: dt.date = field(default_factory=dt.date.today)

    def holders(self, level: Level) -> np.ndarray:
        return self.posyandu_holders if level == "posyandu" else self.village_holders

    def missing(self, level: Level, row: int) -> list[str]:
        """Skill codes no active kader holds at row ``row`` of :attr:`posyandu`/:attr:`villages`."""
        return [c for c, n in zip(self.book.codes, self.holders(level)[row], strict=True)
                if n == 0]  # fmt: skip

    def missing_lists(self, level: Level) -> list[list[str]]:
        codes = np.array(self.book.codes)
        return [codes[~row].tolist() for row in self.holders(level) > 0]

    def lacking(self, level: Level, codes: list[str]) -> np.ndarray:
        """How many of ``codes`` no active kader holds, per row."""
        cols = [self.book.codes.index(c) for c in codes]
        return (self.holders(level)[:, cols] == 0).sum(axis=1)


def _aggregate(idx: np.ndarray, n: int, active: np.ndarray, level: np.ndarray,
               stale: np.ndarray, nodate: np.ndarray, held: np.ndarray, book: SkillBook,
               keys: list[str]) -> tuple[dict[str, np.ndarray], np.ndarray]:  # fmt: skip
    """Counts per group ``idx`` (0..n-1) of the kader rows."""
    a = idx[active]
    holders = sum_by(a, held[active], n)
    out: dict[str, np.ndarray] = {
        "kader": _count_by(idx, n), "kader_aktif": _count_by(a, n),
        "stale": _count_by(a, n, stale[active].astype(float)),
        "tanpa_tanggal": _count_by(a, n, nodate[active].astype(float)),
    }  # fmt: skip
    mix = np.bincount(a * len(keys) + level[active], minlength=n * len(keys)).reshape(
        n, len(keys))  # not (n, -1): a scope without kader has n = 0
    for j, key in enumerate(keys):
        out[f"level_{key}"] = mix[:, j]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["purwa_plus"] = np.where(out["kader_aktif"] > 0,
                                     mix[:, 1:].sum(axis=1) / out["kader_aktif"], np.nan)
    lacking = holders == 0
    out["kurang"] = lacking.sum(axis=1)
    for g, mask in zip(book.groups, book.group_masks(), strict=True):
        out[f"kurang_{g}"] = lacking[:, mask].sum(axis=1)
    return out, holders


def compute(roster: Roster, rule: StrataRule | None = None, today: dt.date | None = None,
            stale_months: int = DEFAULT_STALE_MONTHS, norm: int = DEFAULT_NORM) -> KaderGaps:
    """Levels and gaps of ``roster`` (see module doc); ``today`` dates the stale check."""
    book, k, held = roster.book, roster.kader, roster.held
    rule = rule or load_rule(groups=book.groups)
    today = today or dt.date.today()
    complete = np.stack([held[:, m].all(axis=1) for m in book.group_masks()], axis=1)
    level = rule.levels(complete, book.groups).astype(np.intp)
    active = k["aktif"].to_numpy(bool)
    dates = pd.to_datetime(k["tanggal_asesmen"])
    nodate = dates.isna().to_numpy()
    stale = (dates < stale_before(today, stale_months)).to_numpy() & ~nodate
    kader = k.assign(level=level, stale=stale,
                     **{f"complete_{g}": complete[:, i] for i, g in enumerate(book.groups)})

    # the posyandu: those named by kader, then stored ones of the same villages without kader
    named = (k.groupby("posyandu", sort=False)
             .agg(kode_desa=("kode_desa", "first"), nama=("posyandu_nama", "first"),
                  id=("posyandu_id", "first")).reset_index())  # fmt: skip
    fac = roster.posyandu
    # index look-ups, not isin(set(...)): that iterates every string (0.4 s of 1 s at 300k)
    in_villages = pd.Index(k["kode_desa"].unique()).get_indexer(fac["kode_desa"]) >= 0
    unnamed = pd.Index(named["posyandu"]).get_indexer(fac["posyandu"]) < 0
    extra = fac[in_villages & unnamed]
    pos = pd.concat([named, extra[["posyandu", "kode_desa", "nama", "id"]]],
                    ignore_index=True)  # fmt: skip
    pos["nama"] = pos["nama"].where(pos["nama"].notna() & (pos["nama"].astype(str) != ""),
                                    NO_NAME)  # fmt: skip
    induk = dict(zip(fac["posyandu"], fac["induk_id"], strict=True))
    pos["induk_id"] = pd.array([induk.get(p) for p in pos["posyandu"]], dtype="Int64")
    pos = pos.sort_values(["kode_desa", "nama", "posyandu"], kind="stable").reset_index(
        drop=True)
    pidx = pd.Index(pos["posyandu"]).get_indexer(k["posyandu"])
    keys = rule.keys
    counts, p_holders = _aggregate(pidx, len(pos), active, level, stale, nodate, held, book,
                                   keys)  # fmt: skip
    posyandu = pos.assign(**counts)

    vill = pd.Index(sorted(set(pos["kode_desa"])))
    vidx = vill.get_indexer(k["kode_desa"])
    vcounts, v_holders = _aggregate(vidx, len(vill), active, level, stale, nodate, held, book,
                                    keys)  # fmt: skip
    villages = pd.DataFrame({"kode_desa": vill.astype(str)}).assign(**vcounts)
    villages.insert(1, "posyandu", _count_by(vill.get_indexer(pos["kode_desa"]), len(vill)))
    villages["per_posyandu"] = villages["kader_aktif"] / villages["posyandu"]
    return KaderGaps(book, rule, kader, posyandu, villages, p_holders, v_holders, norm,
                     stale_months, today)  # fmt: skip
