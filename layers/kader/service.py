"""The kader numbers of a scope read from the store, cached per data version.

The roster (the only heavy read: every kader and the skills each passed, read as one bit
mask per kader by :func:`read_roster`) is kept per (store, data version, scope) — any
import, load or undo changes the version
(:func:`layers.store.queries.data_version`) — so switching the map's view or its options
recomputes only the aggregates (:func:`layers.kader.gaps.compute`, milliseconds).
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from layers.kader.gaps import DEFAULT_NORM, DEFAULT_STALE_MONTHS, KaderGaps, compute
from layers.kader.roster import Roster
from layers.kader.skills import SkillBook
from layers.kader.strata import StrataRule, load_rule
from layers.scope import Scope
from layers.store import queries
from layers.store.models import Fasilitas, Kader, KaderKeterampilan
from layers.store.queries import scope_clause
from layers.text import loose_key

_ROSTERS: OrderedDict[tuple[str, str, str], Roster] = OrderedDict()
_KEPT = 16


def roster(session: Session, scope: Scope) -> Roster:
    """:func:`~layers.kader.roster.load_roster`, cached per data version and scope."""
    key = (session.get_bind().url.render_as_string(hide_password=True),
           queries.data_version(session), scope.key)  # fmt: skip
    if key in _ROSTERS:
        _ROSTERS.move_to_end(key)
        return _ROSTERS[key]
    found = read_roster(session, scope)
    _ROSTERS[key] = found
    while len(_ROSTERS) > _KEPT:
        _ROSTERS.popitem(last=False)
    return found


#: skills per mask column of :func:`read_roster` (a sum of distinct powers below 2**30 is an
#: integer on every backend)
MASK_BITS = 30


def read_roster(session: Session, scope: Scope, book: SkillBook | None = None) -> Roster:
    """:func:`~layers.kader.roster.load_roster`'s roster read set-wise: the kader, and per
    kader a bit mask of the skills passed, summed in SQL (one row per kader instead of one
    per passed skill: 270,000 rows instead of 5.3 million for Jawa Timur).

    The same roster as ``load_roster`` (``tests/test_layer_paths.py``): the posyandu key,
    the level columns and the ``held`` matrix (a stored skill the book does not know is
    ignored, as there).
    """
    book = book or SkillBook.from_session(session)
    k, f, s = Kader, Fasilitas, KaderKeterampilan
    scoped = scope_clause(k.kode_desa, scope)
    frame = queries.fetch(session, select(
        k.id, k.kode, k.kode_desa, k.posyandu_id,
        # the stored facility's name wins over the text of the roster
        f.nama.label("fas_nama"), k.posyandu, k.aktif, k.tanggal_asesmen,
    ).outerjoin(f, f.id == k.posyandu_id).where(scoped).order_by(k.kode),
        ["id", "kode", "kode_desa", "posyandu_id", "fas_nama", "posyandu", "aktif",
         "tanggal_asesmen"])  # fmt: skip
    kader = pd.DataFrame({
        "kode": frame["kode"].astype(str), "kode_desa": frame["kode_desa"].astype(str),
        "posyandu_id": pd.array(frame["posyandu_id"], dtype="Int64"),
        "posyandu_nama": frame["fas_nama"].where(frame["fas_nama"].notna(), frame["posyandu"]),
        "aktif": frame["aktif"].astype(bool),
        "tanggal_asesmen": _dates(frame["tanggal_asesmen"]),
    })  # fmt: skip
    kader["posyandu"] = _posyandu_key(kader["posyandu_id"], kader["posyandu_nama"],
                                      kader["kode_desa"])  # fmt: skip
    chunks = [book.codes[i:i + MASK_BITS] for i in range(0, len(book.codes), MASK_BITS)]
    masks = queries.fetch(session, select(s.kader_id, *(
        func.sum(case({code: 1 << bit for bit, code in enumerate(chunk)},
                      value=s.keterampilan, else_=0)) for chunk in chunks))
        .where(s.lulus.is_(True), s.kader_id.in_(select(k.id).where(scoped)))
        .group_by(s.kader_id), ["kader_id", *(f"m{i}" for i in range(len(chunks)))])  # fmt: skip
    held = np.zeros((len(kader), len(book.codes)), dtype=bool)
    if len(masks):
        row = pd.Index(frame["id"]).get_indexer(masks["kader_id"])
        ok = row >= 0
        for i, chunk in enumerate(chunks):
            bits = masks[f"m{i}"].to_numpy(np.int64)[ok]
            start = i * MASK_BITS
            held[row[ok], start:start + len(chunk)] = (
                (bits[:, None] >> np.arange(len(chunk))) & 1).astype(bool)
    fac = queries.fetch(session, select(f.id, f.nama, f.kode_desa, f.induk_id)
                        .where(f.jenis == "posyandu", scope_clause(f.kode_desa, scope))
                        .order_by(f.id), ["id", "nama", "kode_desa", "induk_id"])  # fmt: skip
    if fac.empty:
        fac = pd.DataFrame({c: pd.Series(dtype=object)
                            for c in ("id", "nama", "kode_desa", "induk_id")})  # fmt: skip
    fac.insert(0, "posyandu", "f" + fac["id"].astype(str))
    return Roster(kader.reset_index(drop=True), held, book, fac)


def _posyandu_key(posyandu_id: pd.Series, nama: pd.Series, kode_desa: pd.Series) -> pd.Series:
    """:func:`~layers.kader.roster.posyandu_key`, each distinct name made loose once (a
    province has 270,000 kader and a few thousand posyandu names)."""
    which, names = pd.factorize(nama)
    loose = np.array([loose_key(v) if isinstance(v, str) else "" for v in names] + [""],
                     dtype=object)[which]  # -1 (missing) takes the last, ""  # fmt: skip
    ids = pd.Series(posyandu_id, dtype="Int64")
    named = nama.notna() & (nama.astype(str).str.strip() != "")
    out = "x" + kode_desa.astype(str)
    out = out.where(~named, "n" + kode_desa.astype(str) + "|" + pd.Series(
        loose, index=nama.index, dtype=str))
    return out.where(ids.isna(), "f" + ids.astype(str))


def _dates(values: pd.Series) -> pd.Series:
    """Assessment dates as ``load_roster`` reads them (``pd.to_datetime`` of dates): the
    driver gives ISO text on SQLite, dates on PostgreSQL; day resolution either way)."""
    return pd.to_datetime(values).astype("datetime64[s]")


def gaps_for(session: Session, scope: Scope, *, today: dt.date | None = None,
             stale_months: int = DEFAULT_STALE_MONTHS, norm: int = DEFAULT_NORM,
             rule: StrataRule | None = None) -> KaderGaps:  # fmt: skip
    """Levels and gaps of every kader in ``scope`` (the rule: ``$PWS_STRATA_KADER`` or the
    shipped file, checked against the store's skill groups)."""
    found = roster(session, scope)
    rule = rule or load_rule(groups=found.book.groups)
    return compute(found, rule, today=today, stale_months=stale_months, norm=norm)


def has_kader(session: Session, scope: Scope) -> bool:
    """Whether any kader record lies in ``scope``."""
    return len(roster(session, scope).kader) > 0
