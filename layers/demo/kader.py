"""Synthetic cadres (kader) with the 25 basic skills.

Each cadre first gets a target level (below Purwa, Purwa, Madya, Utama — most at
Purwa-Madya, domain.md §1.3); the groups that level needs are complete, the other
groups are partly held with one group-level probability (so skills within a group are
correlated) and never complete by accident. In some villages a few skills are held by
nobody (a training gap), which also caps the levels reachable there.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

_SKILLS_CSV = Path(__file__).resolve().parents[1] / "data" / "keterampilan.csv"
#: level mix of the target levels: below Purwa, Purwa, Madya, Utama
LEVEL_MIX = (0.18, 0.42, 0.32, 0.08)


def skill_groups() -> dict[str, list[str]]:
    """Skill codes per group in lookup order: ``{"PP": ["PP1", ...], ...}``."""
    groups: dict[str, list[str]] = {}
    with _SKILLS_CSV.open(encoding="utf-8") as fh:
        for row in sorted(csv.DictReader(fh), key=lambda r: int(r["urut"])):
            groups.setdefault(row["kelompok"], []).append(row["kode"])
    with _SKILLS_CSV.open(encoding="utf-8") as fh:
        order = list(dict.fromkeys(r["kelompok"] for r in csv.DictReader(fh)))
    return {g: groups[g] for g in order}


def _complete_options(level: int) -> list[set[str]]:
    """Sets of complete groups that give exactly ``level`` (0 = below Purwa .. 3)."""
    if level == 3:
        return [{"PP", "BB", "IH", "UR", "DL"}]
    if level == 2:
        return [{"PP", "BB", "IH", "UR"}, {"PP", "BB", "IH", "DL"}]
    if level == 1:
        return [{"PP", "BB", "IH"}, {"PP", "BB", "UR"}, {"PP", "BB", "DL"}]
    return [{"PP", "BB"}, {"PP"}, {"BB"}, {"PP", "IH"}, {"BB", "IH"}, set()]


def _cadre_skills(
    rng: np.random.Generator, groups: dict[str, list[str]], blocked: set[str]
) -> dict[str, int]:
    """Skills of one cadre; ``blocked`` skills are never held."""
    blocked_groups = {g for g, codes in groups.items() if blocked & set(codes)}
    level = int(rng.choice(4, p=LEVEL_MIX))
    while True:
        options = [o for o in _complete_options(level) if not o & blocked_groups]
        if options or level == 0:
            break
        level -= 1
    complete = options[int(rng.integers(len(options)))] if options else set()
    skills: dict[str, int] = {}
    for g, codes in groups.items():
        if g in complete:
            skills.update(dict.fromkeys(codes, 1))
            continue
        p = rng.beta(1.6, 1.8)
        held = (rng.random(len(codes)) < p).astype(int)
        held[[c in blocked for c in codes]] = 0
        if held.all():
            held[int(rng.integers(len(codes)))] = 0
        skills.update(zip(codes, held.tolist(), strict=True))
    return skills


def kader_table(
    posyandu: pd.DataFrame,
    rng: np.random.Generator,
    assessed_until: date,
    per_posyandu: tuple[int, int] = (5, 10),
    gap_village_share: float = 0.3,
    active_share: float = 0.9,
) -> pd.DataFrame:
    """Cadres of every Posyandu with skills, status and assessment date.

    Parameters
    ----------
    posyandu : pandas.DataFrame
        Posyandu rows of the facility table (``nama``, ``kode_desa``).
    rng : numpy.random.Generator
        Source of randomness.
    assessed_until : datetime.date
        Assessment dates fall in the year up to this day.
    per_posyandu : tuple of int
        Inclusive range of cadres per Posyandu.
    gap_village_share : float
        Share of villages where 1-3 skills (outside the core groups PP and BB) are held
        by nobody.
    active_share : float
        Probability a cadre is active.

    Returns
    -------
    pandas.DataFrame
        ``kader_id, posyandu, kode_desa, aktif, tanggal_asesmen`` + the 25 skill columns,
        sorted by ``kader_id``.
    """
    groups = skill_groups()
    gap_pool = [c for g in ("IH", "UR", "DL") for c in groups.get(g, [])]
    codes = [c for cs in groups.values() for c in cs]
    rows = []
    for kode_desa, village in posyandu.groupby("kode_desa", sort=True):
        blocked: set[str] = set()
        if rng.random() < gap_village_share and gap_pool:
            k = int(rng.integers(1, 4))
            blocked = set(rng.choice(gap_pool, size=k, replace=False).tolist())
        number = 0
        for name in village["nama"]:
            for _ in range(int(rng.integers(per_posyandu[0], per_posyandu[1] + 1))):
                number += 1
                skills = _cadre_skills(rng, groups, blocked)
                rows.append(
                    {
                        "kader_id": f"K-{str(kode_desa).replace('.', '')}-{number:03d}",
                        "posyandu": name,
                        "kode_desa": kode_desa,
                        "aktif": int(rng.random() < active_share),
                        "tanggal_asesmen": (
                            assessed_until - timedelta(days=int(rng.integers(0, 365)))
                        ).isoformat(),
                        **skills,
                    }
                )
    columns = ["kader_id", "posyandu", "kode_desa", "aktif", "tanggal_asesmen", *codes]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values("kader_id", kind="stable").reset_index(drop=True)
