"""Running an import all-or-nothing, logging it, and undoing it.

Parse → validate every row → report every problem → write in ONE transaction → log
(design.md §3). A rejected file writes no data: only its ``impor_log`` row (status
``ditolak``) records the attempt. A crash halfway rolls the transaction back. Re-importing
the same file gives the same data (rows are matched on their natural keys).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from layers.ingest import write
from layers.ingest.base import REGISTRY, Progress, canonical
from layers.ingest.problems import ImportReport, Rejected
from layers.scope import Scope
from layers.store.models import ImporLog, Meta
from layers.text import Text

log = logging.getLogger(__name__)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, or of a folder's file names and bytes (an unzipped shapefile)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _no_progress(done: int, total: int, what: str) -> None:
    return None


def run_import(
    engine: Engine, jenis: str, path: Path, *, user: str, scope: Scope,
    options: dict[str, Any] | None = None, dry_run: bool = False,
    progress: Progress = _no_progress, display_name: str | None = None,
) -> ImportReport:
    """Import ``path`` as ``jenis`` for ``user`` within ``scope``; return the report.

    ``jenis`` may be given in Indonesian or English (``batas`` or ``boundaries``, see
    :func:`layers.ingest.base.canonical`); the report and the log hold the canonical
    Indonesian kind. An unknown kind raises :class:`~layers.ingest.base.UnknownKind` (a
    ``ValueError``). With ``dry_run`` the file is validated and nothing is written (not even
    the log).
    """
    jenis = canonical(jenis)
    importer = REGISTRY[jenis]()
    path = Path(path)
    report = ImportReport(jenis=jenis, file=display_name or path.name, sha256=sha256_of(path))
    progress(0, 3, "baca")
    with Session(engine) as session:
        prepared = None
        try:
            prepared = importer.prepare(session, path, scope, dict(options or {}), report)
        except Rejected as rejected:
            report.add(rejected.problems)
        session.rollback()
        report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        if not report.ok or prepared is None:
            report.status = "ditolak"
            if not dry_run:
                _log(session, report, user)
                session.commit()
            return report
        if dry_run:
            report.status = "diperiksa"
            return report
        progress(1, 3, "tulis")
        with session.begin():
            entry = _log(session, report, user, status="ok")
            report.written = importer.write(session, prepared, entry.id, progress)
            entry.pesan = json.dumps({"written": report.written})
            if jenis == "batas":
                _bump_geometry_version(session, entry.id)
        report.status = "ok"
        report.impor_id = entry.id
    progress(3, 3, "selesai")
    log.info("import %s of %s by %s: %s", jenis, report.file, user, report.written)
    return report


def _log(session: Session, report: ImportReport, user: str, status: str | None = None) -> ImporLog:
    entry = ImporLog(
        jenis=report.jenis, file=report.file, sha256=report.sha256, rows_ok=report.rows_ok,
        rows_rejected=report.rows_rejected, pengguna=user, waktu=dt.datetime.now(dt.UTC),
        status=status or report.status,
        pesan=None if report.ok else json.dumps([p.to_dict("en") for p in report.problems[:50]]),
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def _bump_geometry_version(session: Session, impor_id: int) -> None:
    meta = session.get(Meta, "geometry_version")
    value = f"i{impor_id}"
    if meta is None:
        session.add(Meta(key="geometry_version", value=value))
    else:
        meta.value = value


class UndoRefused(Exception):
    """An import that cannot be undone (not the newest, already undone, unknown)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.text = message


def newest_undoable(session: Session) -> ImporLog | None:
    """The import :func:`undo_last` would undo: the newest successful one of an importer."""
    # only imports made by an importer can be undone (not the trusted demo load)
    return session.scalars(
        select(ImporLog)
        .where(ImporLog.status == "ok", ImporLog.jenis.in_(sorted(REGISTRY)))
        .order_by(ImporLog.id.desc())
        .limit(1)
    ).first()


def undo_last(engine: Engine, user: str, impor_id: int | None = None) -> dict[str, int]:
    """Undo the newest successful import (or check that ``impor_id`` is the newest)."""
    with Session(engine) as session, session.begin():
        newest = newest_undoable(session)
        if newest is None:
            raise UndoRefused(Text("Tidak ada impor yang bisa dibatalkan.",
                                   "There is no import to undo."))  # fmt: skip
        if impor_id is not None and impor_id != newest.id:
            raise UndoRefused(Text(
                f"Hanya impor terakhir (#{newest.id}) yang bisa dibatalkan.",
                f"Only the newest import (#{newest.id}) can be undone.",
            ))  # fmt: skip
        counts = write.undo(session, newest.id, REGISTRY[newest.jenis].tables)
        newest.status = "dibatalkan"
        newest.pesan = json.dumps({"undone_by": user, "counts": counts})
        if newest.jenis == "batas":
            _bump_geometry_version(session, -newest.id)
    return counts
