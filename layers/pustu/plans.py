"""Saved Pustu plans: save, list, load, delete and compare, by name within a region.

A plan is the list of villages chosen for new Pustu in one region (a kabupaten, usually),
saved by name in ``rencana_pustu`` (:class:`~layers.store.models.RencanaPustu`, migration
0007) with the options it was made with. It belongs to its region: a scope lists, loads,
replaces or deletes it only when it allows that region (:meth:`Scope.allows`; the SQL filter
is :func:`layers.store.queries.scope_clause`), and every village of a plan lies inside its
region. Names are unique within a region; saving an existing name needs ``replace=True``.

The functions flush but never commit: the caller owns the transaction.

:func:`compare` evaluates saved plans on today's data (a :class:`~layers.pustu.ranking.
PlanningData`): a village that has since got an active Pustu, or is no longer in the data,
is counted apart and not evaluated.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from scipy import sparse
>>> from layers.pustu.planner import Instance
>>> from layers.pustu.ranking import PlanningData
>>> inst = Instance(sparse.csc_matrix(np.eye(3)), np.array([10.0, 20, 30]),
...                 village_codes=["A", "B", "C"], site_codes=["A", "B", "C"])
>>> data = PlanningData(inst, pd.DataFrame({"kode": ["A", "B", "C"]}), np.arange(3), 5000.0,
...                     True)
>>> compare(data, {"satu": ["A", "B"], "dua": ["C", "X"]})[
...     ["nama", "desa", "terlayani_baru", "tidak_dinilai", "sama_dengan_pertama"]
... ].values.tolist()
[['satu', 2, 30.0, 0, 2], ['dua', 2, 30.0, 1, 0]]
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import codes
from layers.pustu.planner import Plan, evaluate
from layers.pustu.ranking import PlanningData
from layers.scope import Scope
from layers.store.models import RencanaPustu
from layers.store.queries import scope_clause
from layers.text import Text, TextError

#: methods a plan may be made with (``manual``: edited by hand in the what-if)
METHODS = ("greedy", "highs", "spopt", "manual")
#: longest plan name
NAME_LENGTH = 100
#: columns of :func:`list_plans`
LIST_COLUMNS = ["id", "nama", "kode_wilayah", "desa", "jarak_m", "puskesmas_melayani",
                "metode", "terlayani_baru", "cakupan_persen", "pengguna", "dibuat"]  # fmt: skip
#: columns of :func:`compare`
COMPARE_COLUMNS = ["nama", "desa", "dinilai", "tidak_dinilai", "terlayani_baru",
                   "terlayani", "cakupan_persen", "sama_dengan_pertama"]  # fmt: skip

E_NAME = Text("nama rencana kosong atau lebih dari {n} karakter",
              "the plan name is empty or longer than {n} characters")
E_REGION = Text("{kode} bukan kode wilayah", "{kode} is not a region code")
E_SCOPE = Text("wilayah {kode} di luar cakupan Anda", "region {kode} is outside your scope")
E_VILLAGE = Text("{kode} bukan desa di {wilayah}", "{kode} is not a village in {wilayah}")
E_EXISTS = Text("rencana {nama!r} sudah ada di {wilayah}",
                "a plan {nama!r} already exists in {wilayah}")
E_METHOD = Text("metode {metode!r} tidak dikenal", "unknown method {metode!r}")


class PlanError(TextError):
    """A plan that cannot be saved; ``text`` says why in both languages."""


@dataclass(frozen=True)
class SavedPlan:
    """A plan as stored (see :class:`~layers.store.models.RencanaPustu`)."""

    id: int
    nama: str
    kode_wilayah: str
    desa: tuple[str, ...]
    jarak_m: float
    puskesmas_melayani: bool
    metode: str
    terlayani_baru: float | None
    cakupan_persen: float | None
    pengguna: str | None
    dibuat: dt.datetime
    catatan: str | None


def _saved(row: RencanaPustu) -> SavedPlan:
    made = row.dibuat if row.dibuat.tzinfo else row.dibuat.replace(tzinfo=dt.UTC)
    return SavedPlan(row.id, row.nama, row.kode_wilayah, tuple(json.loads(row.desa)),
                     float(row.jarak_m), bool(row.puskesmas_melayani), row.metode,
                     row.terlayani_baru, row.cakupan_persen, row.pengguna, made,
                     row.catatan)  # fmt: skip


def _region(scope: Scope, kode_wilayah: str) -> str | None:
    """The normalised region code when the scope allows it, else None."""
    if not codes.is_valid(kode_wilayah):
        return None
    kode = codes.normalize(kode_wilayah)
    return kode if scope.allows(kode) else None


def _row(session: Session, scope: Scope, nama: str, kode_wilayah: str) -> RencanaPustu | None:
    kode = _region(scope, kode_wilayah)
    if kode is None:
        return None
    stmt = select(RencanaPustu).where(
        RencanaPustu.kode_wilayah == kode, RencanaPustu.nama == nama.strip(),
        scope_clause(RencanaPustu.kode_wilayah, scope))  # fmt: skip
    return session.scalars(stmt).first()


def save(session: Session, scope: Scope, nama: str, kode_wilayah: str, desa: Sequence[str], *,
         jarak_m: float, puskesmas_melayani: bool = True, metode: str = "manual",
         figures: Plan | None = None, pengguna: str | None = None, catatan: str | None = None,
         replace: bool = False) -> SavedPlan:  # fmt: skip
    """Save a plan by name in its region (flushed, not committed).

    Parameters
    ----------
    session, scope
        The caller's session and scope; the region must lie inside the scope.
    nama
        The plan's name (1–:data:`NAME_LENGTH` characters, spaces around dropped).
    kode_wilayah
        The region the plan belongs to; every village of ``desa`` must lie inside it.
    desa
        Village codes, in the plan's order (a repeated code is kept once).
    jarak_m, puskesmas_melayani, metode
        The options and the method (:data:`METHODS`) it was made with.
    figures
        The plan's figures, stored as ``terlayani_baru`` / ``cakupan_persen``.
    pengguna, catatan
        Who saves it; a free note.
    replace
        Overwrite a plan of the same name in the region (else :class:`PlanError`).

    Raises
    ------
    PlanError
        Bad name, region or village, a region outside the scope, an existing name.
    """
    name = nama.strip()
    if not 0 < len(name) <= NAME_LENGTH:
        raise PlanError(E_NAME.format(n=NAME_LENGTH))
    if not codes.is_valid(kode_wilayah):
        raise PlanError(E_REGION.format(kode=kode_wilayah))
    region = codes.normalize(kode_wilayah)
    if not scope.allows(region):
        raise PlanError(E_SCOPE.format(kode=region))
    if metode not in METHODS:
        raise PlanError(E_METHOD.format(metode=metode))
    villages: list[str] = []
    for raw in desa:
        ok = codes.is_valid(raw) and codes.level(codes.normalize(raw)) == "desa" and \
            codes.within(codes.normalize(raw), region)  # fmt: skip
        if not ok:
            raise PlanError(E_VILLAGE.format(kode=raw, wilayah=region))
        kode = codes.normalize(raw)
        if kode not in villages:
            villages.append(kode)
    row = _row(session, scope, name, region)
    if row is not None and not replace:
        raise PlanError(E_EXISTS.format(nama=name, wilayah=region))
    if row is None:
        row = RencanaPustu(nama=name, kode_wilayah=region)
        session.add(row)
    row.desa = json.dumps(villages)
    row.jarak_m = float(jarak_m)
    row.puskesmas_melayani = bool(puskesmas_melayani)
    row.metode = metode
    row.terlayani_baru = None if figures is None else float(figures.newly_served)
    row.cakupan_persen = None if figures is None or figures.coverage_pct != figures.coverage_pct \
        else float(figures.coverage_pct)  # fmt: skip
    row.pengguna = pengguna
    row.catatan = catatan
    row.dibuat = dt.datetime.now(dt.UTC)
    session.flush()
    return _saved(row)


def list_plans(session: Session, scope: Scope, within: str | None = None) -> pd.DataFrame:
    """Plans whose region lies inside the scope (and inside ``within``, when given).

    Returns
    -------
    DataFrame
        :data:`LIST_COLUMNS` (``desa``: how many villages) by region, then name.
    """
    if within is not None:
        scope = scope.narrow(within) if codes.is_valid(within) else Scope(frozenset())
    r = RencanaPustu
    stmt = select(r).where(scope_clause(r.kode_wilayah, scope)).order_by(r.kode_wilayah, r.nama)
    rows = [_saved(x) for x in session.scalars(stmt)]
    return pd.DataFrame([[p.id, p.nama, p.kode_wilayah, len(p.desa), p.jarak_m,
                          p.puskesmas_melayani, p.metode, p.terlayani_baru, p.cakupan_persen,
                          p.pengguna, p.dibuat] for p in rows], columns=LIST_COLUMNS)  # fmt: skip


def load(session: Session, scope: Scope, nama: str, kode_wilayah: str) -> SavedPlan | None:
    """The plan ``nama`` of the region; None when there is none or the scope does not allow
    the region (the same answer: a scope never learns what lies outside it)."""
    row = _row(session, scope, nama, kode_wilayah)
    return None if row is None else _saved(row)


def delete(session: Session, scope: Scope, nama: str, kode_wilayah: str) -> bool:
    """Delete the plan (flushed); False when there is none within the scope."""
    row = _row(session, scope, nama, kode_wilayah)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def sites_of(data: PlanningData, desa: Sequence[str]) -> tuple[list[int], list[str]]:
    """The candidate columns of a plan's villages, and the villages that are no longer
    candidates (an active Pustu since, or not in the data)."""
    where = {c: j for j, c in enumerate(data.instance.site_codes)}
    cand = set(data.instance.candidates.tolist())
    sites = [where[c] for c in desa if c in where and where[c] in cand]
    gone = [c for c in desa if c not in where or where[c] not in cand]
    return sites, gone


def compare(data: PlanningData, plans: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Plans side by side on today's data.

    Parameters
    ----------
    data
        Today's planning problem of the region.
    plans
        Name → village codes (e.g. ``{p.nama: p.desa for p in saved}``), the first the
        reference of ``sama_dengan_pertama``.

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS`: villages in the plan, how many were evaluated / not (no
        longer candidates), population newly served, served in all, coverage % and how many
        villages it shares with the first plan.
    """
    inst = data.instance
    rows, first = [], None
    for name, desa in plans.items():
        sites, gone = sites_of(data, list(desa))
        newly = evaluate(inst, sites)
        total = inst.base_population + newly
        pct = 100 * total / inst.total_population if inst.total_population > 0 else np.nan
        kept = set(desa)
        first = kept if first is None else first
        rows.append([name, len(desa), len(sites), len(gone), newly, total, pct,
                     len(kept & first)])  # fmt: skip
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def compare_saved(session: Session, scope: Scope, data: PlanningData, kode_wilayah: str,
                  names: Sequence[str]) -> pd.DataFrame:  # fmt: skip
    """:func:`compare` of saved plans of the region, by name (unknown names are left out)."""
    found = [load(session, scope, n, kode_wilayah) for n in names]
    return compare(data, {p.nama: p.desa for p in found if p is not None})
