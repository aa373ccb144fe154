"""Matching a file's village names to stored villages: candidates, proposals, reconcile.

Owns the four matching steps of :mod:`layers.ingest.villages` (exact, normalised, fuzzy,
none), the :class:`Proposal` made for each distinct (village, kecamatan) pair of a file and
its :class:`Candidate` villages, and :func:`reconcile` / :func:`reconcile_in_scope`. Names
are compared through :mod:`layers.ingest.names`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from rapidfuzz import process
from sqlalchemy.orm import Session

from layers.ingest.names import clean_text, name_key, pair_key, similarity
from layers.scope import Scope
from layers.store import queries

#: minimum rapidfuzz score (0–100) for a fuzzy proposal
THRESHOLD = 80.0
#: two candidates whose scores differ by at most this many points are ambiguous
MARGIN = 5.0
#: candidates kept per proposal (for messages and the review file)
TOP = 3
METHODS = ("exact", "normalised", "fuzzy", "none")


@dataclass(frozen=True)
class Candidate:
    """A stored village that may be the one a file names."""

    kode: str
    nama: str
    nama_kec: str
    score: float

    def label(self) -> str:
        return f"{self.nama} ({self.kode}, Kec. {self.nama_kec}, {self.score:.0f})"


@dataclass
class Proposal:
    """The proposed code for one distinct (village, kecamatan) pair of a file."""

    nama_desa: str
    nama_kec: str
    kode: str | None
    nama: str | None
    nama_kec_usulan: str | None
    score: float
    method: str
    ambiguous: bool = False
    candidates: tuple[Candidate, ...] = ()
    rows: list[int] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return pair_key(self.nama_desa, self.nama_kec)

    @property
    def needs_confirmation(self) -> bool:
        """True unless an exact or normalised, unambiguous match."""
        return self.method not in ("exact", "normalised") or self.ambiguous

    def describe(self) -> str:
        """``'Ds. Sarongan' / 'Pesanggaran'``, for messages."""
        return f"{self.nama_desa!r}" + (f" / Kec. {self.nama_kec!r}" if self.nama_kec else "")

    def candidates_text(self) -> str:
        return "; ".join(c.label() for c in self.candidates) or "-"


_RANK = {m: i for i, m in enumerate(METHODS)}


def _worse(a: str, b: str) -> str:
    return a if _RANK[a] >= _RANK[b] else b


class _Gazetteer:
    """The stored villages of a scope, indexed for matching."""

    def __init__(self, villages: pd.DataFrame) -> None:
        table = villages[["kode", "nama", "kode_kec", "nama_kec"]].copy()
        table["nama"] = table["nama"].map(clean_text)
        table["nama_kec"] = table["nama_kec"].map(clean_text)
        table["key"] = table["nama"].map(name_key)
        table["kec_key"] = table["nama_kec"].map(name_key)
        self.table = table.reset_index(drop=True)
        kec = table.drop_duplicates("kode_kec")
        self.kec_names: dict[str, list[str]] = {}
        self.kec_keys: dict[str, list[str]] = {}
        for kode_kec, nama_kec, kec_key in zip(kec["kode_kec"], kec["nama_kec"], kec["kec_key"],
                                               strict=True):  # fmt: skip
            self.kec_names.setdefault(nama_kec, []).append(kode_kec)
            self.kec_keys.setdefault(kec_key, []).append(kode_kec)
        self.by_kec = {k: g for k, g in self.table.groupby("kode_kec", sort=False)}

    def kecamatan(self, written: str, threshold: float, margin: float
                  ) -> tuple[list[str] | None, str, float]:  # fmt: skip
        """The kecamatan codes a name may mean, the method and the score.

        ``None`` codes mean "search everywhere" (no kecamatan given, or none matched).
        """
        if not written:
            return None, "exact", 100.0
        if written in self.kec_names:
            return self.kec_names[written], "exact", 100.0
        key = name_key(written)
        if key in self.kec_keys:
            return self.kec_keys[key], "normalised", 100.0
        if not key or not self.kec_keys:
            return None, "none", 0.0
        found = process.extract(key, list(self.kec_keys), scorer=similarity, limit=5)
        best = found[0][1] if found else 0.0
        if best < threshold:
            return None, "none", best
        near = [k for k, s, _ in found if s >= threshold and best - s <= margin]
        return [c for k in near for c in self.kec_keys[k]], "fuzzy", best

    def villages_in(self, kec: list[str] | None) -> pd.DataFrame:
        if kec is None:
            return self.table
        parts = [self.by_kec[k] for k in kec if k in self.by_kec]
        return pd.concat(parts) if parts else self.table.iloc[0:0]


def _candidate(row: Any, score: float) -> Candidate:
    return Candidate(row.kode, row.nama, row.nama_kec, round(float(score), 1))


def _propose(g: _Gazetteer, desa: str, kec: str, threshold: float, margin: float) -> Proposal:
    blank = Proposal(desa, kec, None, None, None, 0.0, "none")
    if not desa:
        return blank
    kec_codes, kec_method, kec_score = g.kecamatan(kec, threshold, margin)
    pool = g.villages_in(kec_codes)
    if kec_method == "none":
        # a kecamatan was written but matches nothing: look everywhere, confirm always
        kec_method = "fuzzy"
    key = name_key(desa)
    scored = [(row, similarity(key, row.key)) for row in pool.itertuples(index=False)]
    scored.sort(key=lambda rs: (-rs[1], rs[0].kode))
    top = tuple(_candidate(r, s) for r, s in scored[:TOP])
    exact = [r for r, _ in scored if r.nama == desa]
    same = [r for r, _ in scored if r.key == key] if key else []
    if exact:
        hits, method, score = exact, "exact", 100.0
    elif same:
        hits, method, score = same, "normalised", 100.0
    elif scored and scored[0][1] >= threshold:
        score = scored[0][1]
        hits = [r for r, s in scored if s >= threshold and score - s <= margin]
        method = "fuzzy"
    else:
        best_score = round(scored[0][1], 1) if scored else 0.0
        return Proposal(desa, kec, None, None, None, best_score, "none", candidates=top)
    best = hits[0]
    if method != "fuzzy":
        top = tuple(_candidate(r, 100.0) for r in hits[:TOP]) + tuple(
            c for c in top if c.kode not in {r.kode for r in hits[:TOP]}
        )[: max(0, TOP - len(hits))]
    return Proposal(
        desa, kec, best.kode, best.nama, best.nama_kec,
        round(min(score, kec_score), 1), _worse(method, kec_method),
        ambiguous=len(hits) > 1, candidates=top,
    )  # fmt: skip


def reconcile(
    names: pd.DataFrame, villages: pd.DataFrame, rows: pd.Series | None = None,
    threshold: float = THRESHOLD, margin: float = MARGIN,
) -> list[Proposal]:
    """One :class:`Proposal` per distinct (village, kecamatan) pair of ``names``.

    Parameters
    ----------
    names
        Columns ``nama_desa`` and (optionally) ``nama_kec`` as written in the file.
    villages
        The stored villages in scope: ``kode, nama, kode_kec, nama_kec``
        (:func:`layers.store.queries.village_table`).
    rows
        The user's row numbers of ``names`` (for :attr:`Proposal.rows`); default 2, 3, …
    threshold, margin
        Minimum fuzzy score, and the score gap under which two candidates are ambiguous.

    Returns
    -------
    list of Proposal
        In the order the pairs first appear.
    """
    desa = names["nama_desa"].map(clean_text)
    kec = names["nama_kec"].map(clean_text) if "nama_kec" in names else pd.Series(
        [""] * len(names), index=names.index)  # fmt: skip
    if rows is None:
        rows = pd.Series(range(2, 2 + len(names)), index=names.index)
    g = _Gazetteer(villages)
    out: dict[tuple[str, str], Proposal] = {}
    for d, k, r in zip(desa, kec, rows, strict=True):
        key = pair_key(d, k)
        if key not in out:
            out[key] = _propose(g, d, k, threshold, margin)
        out[key].rows.append(int(r))
    return list(out.values())


def reconcile_in_scope(
    session: Session, scope: Scope, names: pd.DataFrame, rows: pd.Series | None = None,
    threshold: float = THRESHOLD, margin: float = MARGIN,
) -> list[Proposal]:
    """:func:`reconcile` against the villages stored in ``scope``."""
    return reconcile(names, queries.village_table(session, scope), rows, threshold, margin)
