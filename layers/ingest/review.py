"""The village-name review file: writing proposals out, reading confirmations back.

Owns the CSV a user edits when names need confirming (:data:`REVIEW_COLUMNS`:
``nama_desa, nama_kec, kode_desa_usulan, nama_usulan, skor, metode, setuju, catatan``):
:func:`proposals_to_csv` writes it from :class:`layers.ingest.matching.Proposal` objects and
:func:`read_confirmations` reads the rows marked ``setuju = ya`` (:data:`YES`) back as
village codes for the ``konfirmasi`` option of :func:`layers.ingest.villages.resolve`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from layers import codes
from layers.ingest.columns import normalize_header
from layers.ingest.names import clean_text, pair_key
from layers.ingest.problems import Problem, Rejected, reject
from layers.ingest.readers import read_table
from layers.text import Text

if TYPE_CHECKING:
    from layers.ingest.matching import Proposal

#: the review file's columns, in order
REVIEW_COLUMNS = ("nama_desa", "nama_kec", "kode_desa_usulan", "nama_usulan", "skor", "metode",
                  "setuju", "catatan")  # fmt: skip
YES = frozenset({"ya", "y", "yes", "1", "true", "benar", "setuju", "ok", "x", "v"})


def proposals_to_csv(proposals: Iterable[Proposal], path: Path) -> Path:
    """Write the review file (UTF-8 with BOM so Excel shows names right); return ``path``.

    ``setuju`` is pre-filled ``ya`` for exact and normalised unambiguous matches and left
    empty for the rest; ``catatan`` lists the candidates (and says when a match is ambiguous).
    """
    path = Path(path)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(REVIEW_COLUMNS)
        for p in proposals:
            best = p.candidates[0] if p.candidates else None
            kode = p.kode or (best.kode if best else "")
            nama = p.nama or (best.nama if best else "")
            note = ("AMBIGU / ambiguous: " if p.ambiguous else "") + p.candidates_text()
            writer.writerow([p.nama_desa, p.nama_kec, kode, nama, f"{p.score:.0f}", p.method,
                             "" if p.needs_confirmation else "ya", note])  # fmt: skip
    return path


def read_confirmations(path: Path) -> dict[tuple[str, str], str]:
    """The confirmed mappings of an edited review file: ``pair_key -> dotted village code``.

    Only rows with ``setuju`` = ya/y/yes/1/true count. Raises :class:`Rejected` when the file
    cannot be read, lacks the needed columns, or a confirmed row has a malformed code.
    """
    path = Path(path)
    if not path.exists():
        raise reject(f"File konfirmasi tidak ditemukan: {path}.",
                     f"Confirmation file not found: {path}.", code="konfirmasi",
                     column="konfirmasi")  # fmt: skip
    table = read_table(path)
    frame = table.frame.rename(columns={c: normalize_header(c) for c in table.frame.columns})
    missing = [c for c in ("nama_desa", "kode_desa_usulan", "setuju") if c not in frame.columns]
    if missing:
        raise reject(
            f"File konfirmasi tanpa kolom {', '.join(missing)} (pakai file tinjauan).",
            f"The confirmation file lacks column(s) {', '.join(missing)} (use the review file).",
            code="konfirmasi", column="konfirmasi",
        )  # fmt: skip
    out: dict[tuple[str, str], str] = {}
    problems: list[Problem] = []
    kec = frame["nama_kec"] if "nama_kec" in frame.columns else pd.Series(None, frame.index)
    for i in frame.index:
        if clean_text(frame.at[i, "setuju"]).casefold() not in YES:
            continue
        value = clean_text(frame.at[i, "kode_desa_usulan"])
        try:
            kode = codes.village_code(value)
        except codes.CodeError as exc:
            problems.append(Problem(
                Text(f"File konfirmasi: kode desa tidak sah ({exc.reason_id}).",
                     f"Confirmation file: invalid village code ({exc.reason_en})."),
                row=int(table.rows[i]), column="kode_desa_usulan", value=value,
                code="konfirmasi",
            ))  # fmt: skip
            continue
        out[pair_key(frame.at[i, "nama_desa"], kec[i])] = kode
    if problems:
        raise Rejected(problems)
    return out
