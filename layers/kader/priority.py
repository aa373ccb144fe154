"""Where to train first: which skills to train in which posyandu, per Puskesmas.

A gap (a skill no active kader of a posyandu holds) weighs the people that skill's
life-cycle group serves there: the village's target population of the group when the
population file has it (``layers/data/sasaran_kelompok.csv``: PP → everyone, BB → balita,
IH → bumil, UR → remaja, DL → usia_produktif + lansia; editable), else the whole village
population (marked ``penduduk``), shared equally among the village's posyandu. Without any
population figure the gap keeps its place in the list with no weight (NaN, ranked last).

:attr:`TrainingPriority.skills` ranks, within each Puskesmas, the skills by the people
reached when every posyandu lacking them gets one trained kader — the list a promkes
officer plans a training from — with the posyandu concerned;
:attr:`TrainingPriority.posyandu` and :attr:`TrainingPriority.villages` rank posyandu and
villages in the whole scope by the people their gaps leave unserved.

A posyandu's Puskesmas is its stored parent (``induk``), else the Puskesmas of its
kecamatan (the first by id when there are several), else none.

Examples
--------
>>> import numpy as np
>>> people = share_targets(pd.DataFrame({"kode_desa": ["a", "b"], "jumlah": [1000, 800],
...     "balita": [80, None], "bumil": [20, None], "remaja": [150, None],
...     "usia_produktif": [500, None], "lansia": [100, None]}), ("PP", "BB", "UR", "DL"))
>>> people[["PP", "BB", "DL", "bobot"]].values.tolist()
[[1000.0, 80.0, 600.0, 'kelompok'], [800.0, 800.0, 800.0, 'penduduk']]
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from layers.kader.gaps import KaderGaps
from layers.scope import Scope
from layers.store.models import Fasilitas, Penduduk
from layers.store.queries import frame, scope_clause, village_table

TARGET_COLUMNS = ("bayi", "balita", "bumil", "remaja", "usia_produktif", "lansia")
NO_PUSKESMAS = "(tanpa Puskesmas)"


def target_columns() -> dict[str, tuple[str, ...]]:
    """``{group: population columns}`` from ``layers/data/sasaran_kelompok.csv``."""
    text = files("layers").joinpath("data", "sasaran_kelompok.csv").read_text("utf-8")
    return {r["kelompok"]: tuple(r["kolom"].split()) for r in csv.DictReader(text.splitlines())}


def population_targets(session: Session, scope: Scope) -> pd.DataFrame:
    """The latest population row of every village in scope with its target groups
    (``kode_desa, tahun, jumlah,`` :data:`TARGET_COLUMNS`; a group not reported is NaN)."""
    p = Penduduk
    latest = (select(p.kode_desa, func.max(p.tahun).label("tahun"))
              .where(scope_clause(p.kode_desa, scope)).group_by(p.kode_desa).subquery())
    cols = [p.kode_desa, p.tahun, p.jumlah, *(getattr(p, c) for c in TARGET_COLUMNS)]
    rows = session.execute(select(*cols).join(latest, and_(
        latest.c.kode_desa == p.kode_desa, latest.c.tahun == p.tahun))).all()
    return pd.DataFrame(rows, columns=["kode_desa", "tahun", "jumlah", *TARGET_COLUMNS],
                        dtype=object).astype({c: float for c in ("jumlah", *TARGET_COLUMNS)})


def share_targets(population: pd.DataFrame, groups: Sequence[str],
                  mapping: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:  # fmt: skip
    """People each skill group serves per village, and where the figure came from.

    A village counts as ``kelompok`` when every mapped column of every group is reported,
    else as ``penduduk`` (every group weighs the whole population); NaN without a row.
    """
    mapping = mapping or target_columns()
    out = pd.DataFrame({"kode_desa": population["kode_desa"].astype(str)})
    total = population["jumlah"].astype(float)
    wanted = sorted({c for g in groups for c in mapping.get(g, ("jumlah",))})
    complete = population[wanted].notna().all(axis=1) if wanted else True
    for g in groups:
        cols = list(mapping.get(g, ("jumlah",)))
        value = population[cols].astype(float).sum(axis=1, min_count=len(cols))
        out[g] = np.where(complete, value, total)
    out["bobot"] = np.where(complete, "kelompok", "penduduk")
    return out


def puskesmas_of(session: Session, scope: Scope, posyandu: pd.DataFrame) -> pd.DataFrame:
    """The Puskesmas (``puskesmas_id, puskesmas``) of each posyandu row (parent, else the
    first of its kecamatan by id, else :data:`NO_PUSKESMAS`)."""
    f = Fasilitas
    pkm = frame(session, select(f.id, f.nama, f.kode_desa)
                .where(f.jenis == "puskesmas", scope_clause(f.kode_desa, scope))
                .order_by(f.id), ["id", "nama", "kode_desa"])  # fmt: skip
    names = dict(zip(pkm["id"], pkm["nama"], strict=True))
    by_kec: dict[str, int] = {}
    for fid, kode in zip(pkm["id"], pkm["kode_desa"], strict=True):
        by_kec.setdefault(str(kode).rsplit(".", 1)[0], int(fid))
    ids = []
    for induk, kode in zip(posyandu["induk_id"], posyandu["kode_desa"], strict=True):
        parent = None if pd.isna(induk) or int(induk) not in names else int(induk)
        ids.append(parent if parent is not None else by_kec.get(str(kode).rsplit(".", 1)[0]))
    return pd.DataFrame({
        "puskesmas_id": pd.array(ids, dtype="Int64"),
        "puskesmas": [names[i] if i is not None else NO_PUSKESMAS for i in ids],
    })  # fmt: skip


@dataclass
class TrainingPriority:
    """Ranked training needs (see module doc).

    ``skills``: ``puskesmas_id, puskesmas, keterampilan, kelompok, posyandu`` (how many lack
    it), ``sasaran`` (people), ``daftar_posyandu``, ``peringkat`` (rank within the Puskesmas);
    ``posyandu``: one row per posyandu with a gap: ``posyandu, nama, kode_desa, nama_desa,
    puskesmas, kurang, sasaran, peringkat`` (rank in the scope); ``villages``: the same per
    village (``kode_desa, nama_desa, kurang, sasaran, bobot, peringkat``); ``gaps``: one row
    per (posyandu, missing skill) with its ``sasaran``.
    """

    skills: pd.DataFrame
    posyandu: pd.DataFrame
    villages: pd.DataFrame
    gaps: pd.DataFrame


def _rank(score: pd.Series) -> pd.Series:
    """1 = most people; NaN last; ties share the better rank order by position."""
    order = score.fillna(-1).rank(method="first", ascending=False)
    return order.astype(int)


def rank(gaps: KaderGaps, people: pd.DataFrame, puskesmas: pd.DataFrame,
         names: pd.DataFrame | None = None) -> TrainingPriority:  # fmt: skip
    """The training priority from computed gaps (pure).

    ``people``: :func:`share_targets`; ``puskesmas``: :func:`puskesmas_of` rows aligned with
    ``gaps.posyandu``; ``names``: ``kode, nama`` of villages (optional).
    """
    book = gaps.book
    pos = gaps.posyandu.reset_index(drop=True).join(puskesmas.reset_index(drop=True))
    village_names = ({} if names is None else
                     dict(zip(names["kode"].astype(str), names["nama"], strict=True)))
    per_village = gaps.villages.set_index("kode_desa")["posyandu"]
    targets = people.set_index("kode_desa").reindex(pos["kode_desa"])
    group_idx = book.group_index()
    # people per posyandu per skill: its village's group target shared among its posyandu
    share = targets[list(book.groups)].to_numpy(float) / per_village.reindex(
        pos["kode_desa"]).to_numpy(float)[:, None]
    per_skill = share[:, group_idx]
    lacking = gaps.posyandu_holders == 0
    r, c = np.nonzero(lacking)
    rows = pd.DataFrame({
        "posyandu": pos["posyandu"].to_numpy()[r], "nama": pos["nama"].to_numpy()[r],
        "kode_desa": pos["kode_desa"].to_numpy()[r],
        "puskesmas_id": pos["puskesmas_id"].to_numpy()[r],
        "puskesmas": pos["puskesmas"].to_numpy()[r],
        "keterampilan": np.array(book.codes)[c], "kelompok": np.array(book.group_of)[c],
        "urut": c, "sasaran": per_skill[r, c],
    })  # fmt: skip
    # posyandu names recur across villages: the list names the village too
    # (not map().fillna(): without names that fills a float column with strings)
    where = rows["kode_desa"].map(lambda k: village_names.get(k, k))
    rows["tempat"] = rows["nama"] + " (" + where + ")"
    skills = (rows.groupby(["puskesmas", "keterampilan"], sort=False, dropna=False)
              .agg(puskesmas_id=("puskesmas_id", "first"), kelompok=("kelompok", "first"),
                   urut=("urut", "first"), posyandu=("posyandu", "size"),
                   sasaran=("sasaran", lambda s: s.sum(min_count=1)),
                   daftar_posyandu=("tempat", lambda s: ", ".join(sorted(set(s)))))
              .reset_index())  # fmt: skip
    skills = skills.sort_values(["puskesmas", "sasaran", "posyandu", "urut"],
                                ascending=[True, False, False, True],
                                na_position="last", kind="stable").reset_index(drop=True)
    skills["peringkat"] = skills.groupby("puskesmas", sort=False).cumcount() + 1
    skills = skills[["puskesmas_id", "puskesmas", "peringkat", "keterampilan", "kelompok",
                     "posyandu", "sasaran", "daftar_posyandu"]]  # fmt: skip

    score = pd.Series(np.where(lacking, per_skill, 0.0).sum(axis=1), index=pos.index)
    score[np.isnan(per_skill).any(axis=1) & lacking.any(axis=1)] = np.nan
    posyandu = pos.assign(sasaran=score, nama_desa=pos["kode_desa"].map(village_names))
    posyandu = posyandu[posyandu["kurang"] > 0]
    posyandu = posyandu.assign(peringkat=_rank(posyandu["sasaran"]))
    posyandu = posyandu.sort_values("peringkat")[
        ["peringkat", "posyandu", "nama", "kode_desa", "nama_desa", "puskesmas", "kurang",
         "sasaran"]].reset_index(drop=True)  # fmt: skip

    v = gaps.villages
    vt = people.set_index("kode_desa").reindex(v["kode_desa"])
    v_lacking = gaps.village_holders == 0
    v_people = vt[list(book.groups)].to_numpy(float)[:, group_idx]
    v_score = np.where(v_lacking, v_people, 0.0).sum(axis=1)
    v_score[np.isnan(v_people).any(axis=1) & v_lacking.any(axis=1)] = np.nan
    villages = pd.DataFrame({"kode_desa": v["kode_desa"], "kurang": v["kurang"],
                             "sasaran": v_score, "bobot": vt["bobot"].to_numpy()})  # fmt: skip
    villages["nama_desa"] = villages["kode_desa"].map(village_names)
    villages["peringkat"] = pd.array([pd.NA] * len(villages), dtype="Int64")
    gap = villages["kurang"] > 0
    villages.loc[gap, "peringkat"] = _rank(villages.loc[gap, "sasaran"]).to_numpy()
    villages = villages.sort_values(["peringkat", "kode_desa"], na_position="last")[
        ["peringkat", "kode_desa", "nama_desa", "kurang", "sasaran", "bobot"]
    ].reset_index(drop=True)  # fmt: skip
    return TrainingPriority(skills, posyandu, villages, rows.drop(columns=["urut", "tempat"]))


def training_priority(session: Session, scope: Scope, gaps: KaderGaps) -> TrainingPriority:
    """:func:`rank` with the scope's population, Puskesmas and village names."""
    people = share_targets(population_targets(session, scope), gaps.book.groups)
    return rank(gaps, people, puskesmas_of(session, scope, gaps.posyandu),
                village_table(session, scope))
