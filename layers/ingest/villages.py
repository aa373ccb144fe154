"""Village reconciliation: names as offices write them -> Kemendagri village codes.

Many files name villages instead of coding them (``Ds. Sumberagung``, ``KEL. PANDEREJO``,
``Tamba"an``). :func:`reconcile` matches each distinct (village, kecamatan) pair of a file
to the stored boundaries in the user's scope and returns a :class:`Proposal` per pair:

1. **exact** — the names as written equal the stored names;
2. **normalised** — equal after :func:`normalize_name` (case, spaces, punctuation,
   apostrophes vs quotes, prefixes ``Desa``/``Kelurahan``/``Kel.``/``Ds.``/``Kec.``, old
   spelling ``oe``->``u``, ``dj``->``j``, ``tj``->``c``…, spaces ignored);
3. **fuzzy** — the best rapidfuzz score (0–100) at or above ``threshold`` among the villages
   of the matched kecamatan (the kecamatan is itself matched exactly, normalised or fuzzily);
4. **none** — nothing good enough (the best candidates are kept for the message).

A proposal is *ambiguous* when two candidates are equally good (two villages with the same
normalised name, or fuzzy scores within ``margin`` points). Exact and normalised, unambiguous
proposals are used as they are; every other proposal needs a confirmation. Imports are all or
nothing (design.md §3): while any name is unmatched or unconfirmed the file is rejected and a
review file is written (:func:`proposals_to_csv`: ``nama_desa, nama_kec, kode_desa_usulan,
nama_usulan, skor, metode, setuju, catatan``). The user marks the right rows ``setuju = ya``
(the proposed code may be edited) and imports again with the option ``konfirmasi=<that file>``
(:func:`read_confirmations`).

This module owns the importers' side: :func:`resolve` and :func:`village_codes`. The parts
live beside it and are re-exported here: the name columns a file may carry instead of codes
(:func:`uses_names`, :func:`columns_with_names`) in :mod:`layers.ingest.columns`, normalising
in :mod:`layers.ingest.names`, matching in :mod:`layers.ingest.matching`, the review file in
:mod:`layers.ingest.review`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from layers.ingest import checks, wording
from layers.ingest.base import Mapped
from layers.ingest.columns import (
    CODE,
    DESA_ALIASES,
    KEC_ALIASES,
    NAME_COLUMNS,
    columns_with_names,
    uses_names,
)
from layers.ingest.matching import (
    MARGIN,
    METHODS,
    THRESHOLD,
    TOP,
    Candidate,
    Proposal,
    reconcile,
    reconcile_in_scope,
)
from layers.ingest.names import clean_text, name_key, normalize_name, pair_key
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.review import REVIEW_COLUMNS, YES, proposals_to_csv, read_confirmations
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

#: names defined in the modules this one was split into, still importable from here
__all__ = [
    "CODE", "DESA_ALIASES", "KEC_ALIASES", "MARGIN", "METHODS", "NAME_COLUMNS", "REVIEW_COLUMNS",
    "THRESHOLD", "TOP", "YES", "Candidate", "Proposal", "Resolution", "clean_text",
    "columns_with_names", "name_key", "normalize_name", "pair_key", "proposals_to_csv",
    "read_confirmations", "reconcile", "reconcile_in_scope", "resolve", "uses_names",
    "village_codes",
]  # fmt: skip


@dataclass
class Resolution:
    """What reconciliation did for an importer."""

    kode: pd.Series
    problems: list[Problem]
    notes: list[Text]
    proposals: list[Proposal]
    review_file: Path | None = None


def _review_path(source: Path | None, options: dict[str, Any]) -> Path | None:
    if "tinjauan" in options:
        return Path(options["tinjauan"]) if options["tinjauan"] else None
    if source is None:
        return None
    return source.with_name(f"{source.stem}.tinjauan.csv")


def resolve(
    session: Session, scope: Scope, frame: pd.DataFrame, rows: pd.Series,
    options: dict[str, Any], source: Path | None = None,
) -> Resolution:
    """Village codes for a frame with ``nama_desa`` (and ``nama_kec``) columns.

    Options: ``konfirmasi`` (an edited review file), ``tinjauan`` (where to write the review
    file when something needs confirming; default ``<file>.tinjauan.csv`` beside ``source``,
    empty to write none), ``ambang`` (fuzzy threshold, default 80).

    Returns the codes (``None`` where unresolved), one problem per unresolved row, notes on
    the names mapped, and the proposals. Writes the review file when a problem remains.
    """
    threshold = float(options.get("ambang") or THRESHOLD)
    villages = queries.village_table(session, scope)
    proposals = reconcile(frame, villages, rows, threshold=threshold)
    confirmed: dict[tuple[str, str], str] = {}
    if options.get("konfirmasi"):
        confirmed = read_confirmations(Path(options["konfirmasi"]))
    known = dict(zip(villages["kode"], villages["nama"], strict=True))
    chosen: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    notes: list[Text] = []
    counts = dict.fromkeys(METHODS, 0)
    n_confirmed = 0
    for p in proposals:
        kode = confirmed.get(p.key)
        if kode is not None and kode == p.kode and not p.needs_confirmation:
            kode = None  # a pre-approved row of the review file: nothing to confirm
        if kode is not None and kode not in known:
            problems += _row_problems(p, Text(
                f"Kode {kode} dari file konfirmasi tidak ada di batas wilayah Anda.",
                f"Code {kode} from the confirmation file is not in your stored boundaries."),
                "konfirmasi")  # fmt: skip
            continue
        if kode is not None:
            n_confirmed += 1
            chosen[p.key] = kode
            if p.method != "exact" or kode != p.kode:
                notes.append(Text(
                    f"Nama {p.describe()} -> {kode} {known[kode]} (dikonfirmasi; usulan: "
                    f"{wording.method(p.method, 'id')}, skor {p.score:.0f}).",
                    f"Name {p.describe()} -> {kode} {known[kode]} (confirmed; proposal: "
                    f"{wording.method(p.method, 'en')}, score {p.score:.0f}).",
                ))  # fmt: skip
            continue
        counts[p.method] += 1
        if not p.nama_desa:
            problems += _row_problems(p, Text("Nama desa kosong.", "The village name is empty."),
                                      "missing")  # fmt: skip
            continue
        if not p.needs_confirmation:
            chosen[p.key] = p.kode  # type: ignore[assignment]
            if p.method == "normalised":
                notes.append(Text(f"Nama {p.describe()} -> {p.kode} {p.nama} (ejaan disamakan).",
                                  f"Name {p.describe()} -> {p.kode} {p.nama} (spelling "
                                  "normalised)."))  # fmt: skip
        elif p.method == "none":
            problems += _row_problems(p, Text(
                f"Desa {p.describe()} tidak ditemukan di batas wilayah. Kandidat terdekat: "
                f"{p.candidates_text()}.",
                f"Village {p.describe()} not found in the stored boundaries. Closest "
                f"candidates: {p.candidates_text()}."), "unknown_name")  # fmt: skip
        else:
            why = ("ambigu" if p.ambiguous else "kira-kira", "ambiguous" if p.ambiguous
                   else "approximate")  # fmt: skip
            problems += _row_problems(p, Text(
                f"Nama desa {p.describe()} hanya cocok {why[0]} (skor {p.score:.0f}): "
                f"{p.candidates_text()}. Setujui di tabel konfirmasi halaman impor, atau di "
                "file tinjauan lalu impor lagi dengan --konfirmasi FILE.",
                f"Village name {p.describe()} matches only {why[1]}ly (score {p.score:.0f}): "
                f"{p.candidates_text()}. Approve it in the import page's confirmation table, or "
                "in the review file and import again with --konfirmasi FILE."),
                "needs_confirmation")  # fmt: skip
    summary = Text(*(", ".join(f"{wording.method(m, lang)} {n}" for m, n in counts.items() if n)
                     for lang in ("id", "en")))  # fmt: skip
    notes.insert(0, Text(
        f"Kode desa dari nama desa + kecamatan: {len(proposals)} nama ({summary.id}"
        f"{', dikonfirmasi ' + str(n_confirmed) if n_confirmed else ''}).",
        f"Village codes from village + kecamatan names: {len(proposals)} names ({summary.en}"
        f"{', confirmed ' + str(n_confirmed) if n_confirmed else ''}).",
    ))  # fmt: skip
    keys = [pair_key(d, k) for d, k in zip(
        frame["nama_desa"], frame["nama_kec"] if "nama_kec" in frame else [None] * len(frame),
        strict=True)]  # fmt: skip
    kode = pd.Series([chosen.get(k) for k in keys], index=frame.index, dtype=object)
    review = None
    if problems:
        review = _review_path(source, options)
        if review is not None:
            try:
                proposals_to_csv(proposals, review)
                notes.append(Text(f"File tinjauan ditulis: {review}.",
                                  f"Review file written: {review}."))  # fmt: skip
            except OSError as exc:
                notes.append(Text(f"File tinjauan tidak bisa ditulis ({exc}).",
                                  f"Could not write the review file ({exc})."))  # fmt: skip
                review = None
    return Resolution(kode, problems, notes, proposals, review)


def village_codes(
    session: Session, scope: Scope, read: Mapped, options: dict[str, Any],
    report: ImportReport, source: Path | None, known: set[str] | None,
    where: pd.Series | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """The village codes of a file read by :func:`layers.ingest.base.read_mapped`.

    The one place every importer gets its codes: from the ``kode_desa`` column, or — when
    :attr:`Mapped.by_name` — from ``nama_desa``/``nama_kec`` through :func:`resolve` (notes go
    to ``report``; unresolved names are reported by name, not as missing codes; the review
    file is written). Either way the codes are then checked by
    :func:`layers.ingest.checks.village_codes` against ``known`` and ``scope``.

    ``where`` (a boolean mask) limits this to some rows (the others get ``None``): a facility
    located by its coordinates needs no village name.
    """
    frame, rows = read.frame, read.rows
    index = frame.index if where is None else frame.index[where.to_numpy(dtype=bool)]
    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    if read.by_name and len(index) == 0:
        return out, []
    named = None
    values = frame.loc[index, CODE]
    if read.by_name:
        named = resolve(session, scope, frame.loc[index], rows[index], options, source=source)
        report.notes += named.notes
        values = named.kode
    coded, problems = checks.village_codes(values, rows, known, scope)
    if named is not None:
        problems = named.problems + [p for p in problems if p.code != "missing"]
    if where is None:
        return coded, problems
    out[index] = coded
    return out, problems


def _row_problems(p: Proposal, message: Text, code: str) -> list[Problem]:
    return [Problem(message, row=r, column="nama_desa", value=p.nama_desa, code=code)
            for r in p.rows]  # fmt: skip
