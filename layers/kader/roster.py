"""The scoped read of kader rosters: who, where, active or not, and a kader × skill matrix.

One query for the kader of the scope, one for their passed skills, one for the posyandu
facilities of the scope (a posyandu with no kader is still a posyandu with a gap). Every
query carries the scope (design.md: scoped queries); nothing here trusts a code from a page.

A kader's posyandu is its stored facility when the importer resolved the name
(``posyandu_id``), else the name as written within its village, else "no posyandu named"
(one per village). :func:`posyandu_key` gives the key the aggregates group on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.kader.skills import SkillBook
from layers.scope import Scope
from layers.store import queries
from layers.store.models import Fasilitas, Kader, KaderKeterampilan
from layers.store.queries import scope_clause
from layers.text import loose_key

KADER_COLUMNS = ["kode", "kode_desa", "posyandu_id", "posyandu_nama", "aktif",
                 "tanggal_asesmen"]  # fmt: skip


@dataclass
class Roster:
    """Kader of a scope and the skills each has passed.

    ``kader``: one row per kader (:data:`KADER_COLUMNS` + ``posyandu``, the grouping key);
    ``held``: bool ``(len(kader) × len(book.codes))``, True where the kader passed the skill
    (a skill never assessed or not passed is False); ``posyandu``: the posyandu facilities of
    the scope (``posyandu, nama, kode_desa, id, induk_id``).
    """

    kader: pd.DataFrame
    held: np.ndarray
    book: SkillBook
    posyandu: pd.DataFrame

    def __post_init__(self) -> None:
        if self.held.shape != (len(self.kader), len(self.book.codes)):
            raise ValueError("held must be kader × skills")


def posyandu_key(posyandu_id: pd.Series, nama: pd.Series, kode_desa: pd.Series) -> pd.Series:
    """``f<id>`` for a stored posyandu, ``n<village>|<name>`` for a name only, ``x<village>``
    when none is named (names compared loosely, :func:`~layers.text.loose_key`)."""
    ids = pd.Series(posyandu_id, dtype="Int64")
    named = nama.notna() & (nama.astype(str).str.strip() != "")
    out = "x" + kode_desa.astype(str)
    out = out.where(~named, "n" + kode_desa.astype(str) + "|" + nama.map(
        lambda v: loose_key(v) if isinstance(v, str) else ""))
    return out.where(ids.isna(), "f" + ids.astype(str))


def from_frames(kader: pd.DataFrame, passed: pd.DataFrame, book: SkillBook,
                posyandu: pd.DataFrame | None = None) -> Roster:  # fmt: skip
    """A roster from plain frames (also the benchmark's and tests' entry point).

    ``kader`` has :data:`KADER_COLUMNS` (``posyandu_id`` may be all missing); ``passed`` has
    ``kode`` (the kader's code) and ``keterampilan`` for each passed skill.
    """
    kader = kader.reset_index(drop=True).copy()
    kader["posyandu"] = posyandu_key(kader["posyandu_id"], kader["posyandu_nama"],
                                     kader["kode_desa"])  # fmt: skip
    held = np.zeros((len(kader), len(book.codes)), dtype=bool)
    if len(passed):
        row = pd.Index(kader["kode"]).get_indexer(passed["kode"])
        col = pd.Index(book.codes).get_indexer(passed["keterampilan"])
        ok = (row >= 0) & (col >= 0)
        held[row[ok], col[ok]] = True
    if posyandu is None:
        posyandu = pd.DataFrame(columns=["posyandu", "nama", "kode_desa", "id", "induk_id"])
    return Roster(kader, held, book, posyandu)


def load_roster(session: Session, scope: Scope, book: SkillBook | None = None) -> Roster:
    """The roster of every kader whose village lies in ``scope``."""
    book = book or SkillBook.from_session(session)
    k, f, s = Kader, Fasilitas, KaderKeterampilan
    frame = queries.frame(session, select(
        k.kode, k.kode_desa, k.posyandu_id,
        # the stored facility's name wins over the text of the roster
        f.nama.label("fas_nama"), k.posyandu, k.aktif, k.tanggal_asesmen,
    ).outerjoin(f, f.id == k.posyandu_id).where(scope_clause(k.kode_desa, scope))
        .order_by(k.kode), ["kode", "kode_desa", "posyandu_id", "fas_nama", "posyandu",
                            "aktif", "tanggal_asesmen"])  # fmt: skip
    kader = pd.DataFrame({
        "kode": frame["kode"].astype(str), "kode_desa": frame["kode_desa"].astype(str),
        "posyandu_id": pd.array(frame["posyandu_id"], dtype="Int64"),
        "posyandu_nama": frame["fas_nama"].where(frame["fas_nama"].notna(), frame["posyandu"]),
        "aktif": frame["aktif"].astype(bool),
        "tanggal_asesmen": pd.to_datetime(frame["tanggal_asesmen"]),
    })  # fmt: skip
    passed = queries.frame(session, select(k.kode, s.keterampilan).join(k, k.id == s.kader_id)
                           .where(s.lulus.is_(True), scope_clause(k.kode_desa, scope)),
                           ["kode", "keterampilan"])  # fmt: skip
    fac = queries.frame(session, select(f.id, f.nama, f.kode_desa, f.induk_id)
                        .where(f.jenis == "posyandu", scope_clause(f.kode_desa, scope))
                        .order_by(f.id), ["id", "nama", "kode_desa", "induk_id"])  # fmt: skip
    fac.insert(0, "posyandu", "f" + fac["id"].astype(str))
    return from_frames(kader, passed, book, fac)


def stale_before(today: dt.date, months: int) -> pd.Timestamp:
    """The oldest assessment date that is not stale ``months`` before ``today``."""
    return pd.Timestamp(today) - pd.DateOffset(months=months)
