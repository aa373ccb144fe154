"""Parent Puskesmas (``induk``) of facilities: each name resolved to one Puskesmas.

Owns the rule that every writer of facilities follows, the facilities importer
(:mod:`layers.ingest.facilities`) and the trusted demo loader (:mod:`layers.demo.load`)
alike. An ``induk`` names a Puskesmas loosely (:func:`name_key`: case and repeated spaces do
not matter): a Puskesmas of the same file wins; otherwise a stored one. Among several of
that name (names recur across a province), those of the facility's kecamatan, else of its
kabupaten, are taken. No Puskesmas of that name, or still several, is a problem; a
Puskesmas itself has no parent (its own name in ``induk`` is tolerated).

:func:`resolve_parents` gives every facility its parent before anything is written — the
:data:`KEY` of a Puskesmas of the file, or the id of a stored one — and :func:`parent_ids`
turns those into ids once the file's Puskesmas are stored.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from layers import codes
from layers.ingest.checks import blank
from layers.ingest.problems import Problem
from layers.store.models import Fasilitas
from layers.text import Text
from layers.text import loose_key as name_key  # re-exported: the importers use it

#: a facility's natural key: rows are matched on it
KEY = ["kode_desa", "jenis", "nama"]
#: a parent: the :data:`KEY` values of a Puskesmas in the same file, or a stored Puskesmas's id
Parent = tuple[str, str, str] | int


def _in_file(facilities: pd.DataFrame) -> dict[str, list[tuple[str, str, str]]]:
    """The file's Puskesmas by :func:`name_key`: their keys (rows with a whole key only)."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for i in facilities.index[facilities["jenis"] == "puskesmas"]:
        if facilities.loc[i, KEY].notna().all():
            out.setdefault(name_key(facilities.at[i, "nama"]), []).append(
                tuple(facilities.loc[i, KEY]))  # fmt: skip
    return out


def _stored(session: Session) -> dict[str, list[tuple[int, str]]]:
    """Stored Puskesmas by :func:`name_key`: their ids and village codes."""
    out: dict[str, list[tuple[int, str]]] = {}
    query = select(Fasilitas.id, Fasilitas.nama, Fasilitas.kode_desa).where(
        Fasilitas.jenis == "puskesmas")
    for fid, nama, kode_desa in session.execute(query):
        out.setdefault(name_key(nama), []).append((fid, kode_desa))
    return out


def resolve_parents(session: Session, facilities: pd.DataFrame, induk: pd.Series,
                    rows: pd.Series) -> tuple[list[Parent | None], list[Problem]]:  # fmt: skip
    """The parent of every facility, and a problem per ``induk`` that names none or several.

    Parameters
    ----------
    session
        Read for the stored Puskesmas (only when some ``induk`` is given).
    facilities
        The facilities being written, ``kode_desa, jenis, nama`` (canonical ``jenis``; a
        ``kode_desa`` may be None where it could not be resolved).
    induk
        The parent names as written, on the same index (blank: no parent).
    rows
        Each facility's row number as the user counts it, for the problems.

    Returns
    -------
    tuple
        One :data:`Parent` or None per facility, in the frame's order; the problems
        (``bad_parent``, ``unknown_parent``, ``ambiguous_parent``, column ``induk``).
    """
    in_file = _in_file(facilities)
    stored = {} if induk.map(blank).all() else _stored(session)
    targets: list[Parent | None] = [None] * len(facilities)
    problems: list[Problem] = []
    for n, i in enumerate(facilities.index):
        name = induk[i]
        if blank(name):
            continue
        key, row = name_key(name), int(rows[i])
        if facilities.at[i, "jenis"] == "puskesmas":
            if key != name_key(facilities.at[i, "nama"] or ""):
                problems.append(Problem(
                    Text("Puskesmas tidak punya induk; kosongkan kolom induk.",
                         "A Puskesmas has no parent; leave induk empty."),
                    row=row, column="induk", value=name, code="bad_parent"))  # fmt: skip
            continue
        kode_desa = facilities.at[i, "kode_desa"]
        if key in in_file:
            hits: list[tuple[Parent, str]] = [(k, k[0]) for k in dict.fromkeys(in_file[key])]
        else:
            hits = list(stored.get(key, []))
        choices = _nearest(hits, kode_desa)
        if len(choices) == 1:
            targets[n] = choices[0]
        elif not choices:
            problems.append(Problem(
                Text("Puskesmas induk tidak ada di file ini maupun di data tersimpan.",
                     "The parent Puskesmas is neither in this file nor stored."),
                row=row, column="induk", value=name, code="unknown_parent"))  # fmt: skip
        else:
            problems.append(Problem(
                Text(f"Nama Puskesmas induk tidak unik ({len(choices)} Puskesmas bernama sama).",
                     f"The parent Puskesmas name is ambiguous ({len(choices)} share it)."),
                row=row, column="induk", value=name, code="ambiguous_parent"))  # fmt: skip
    return targets, problems


def _nearest(hits: list[tuple[Parent, str]], kode_desa: object) -> list[Parent]:
    """The Puskesmas of a name nearest the facility: those of its kecamatan, else of its
    kabupaten, else all (the same name recurs across a province: Puskesmas Sawahan)."""
    if isinstance(kode_desa, str) and codes.is_valid(kode_desa):
        for up in codes.ancestors(kode_desa)[:2]:  # kecamatan, then kabupaten
            near = [p for p, k in hits if k == up or str(k).startswith(f"{up}.")]
            if near:
                return list(dict.fromkeys(near))
    return list(dict.fromkeys(p for p, _ in hits))


def parent_ids(session: Session, targets: list[Parent | None],
               where: ColumnElement[bool]) -> list[int | None]:  # fmt: skip
    """The ids of ``targets`` once the file's Puskesmas are stored.

    ``where`` selects the stored facilities the file's Puskesmas are among (e.g. those of the
    file's villages); a key that it leaves out raises ``KeyError``.
    """
    if not any(isinstance(t, tuple) for t in targets):
        return [t for t in targets if not isinstance(t, tuple)]
    query = (select(Fasilitas.id, Fasilitas.kode_desa, Fasilitas.jenis, Fasilitas.nama)
             .where(where, Fasilitas.jenis == "puskesmas"))  # fmt: skip
    ids = {(kode_desa, jenis, nama): fid for fid, kode_desa, jenis, nama in session.execute(query)}
    return [ids[t] if isinstance(t, tuple) else t for t in targets]
