"""Running an import all-or-nothing, logging it, and undoing it.

Parse → validate every row → report every problem → write in ONE transaction → log
(design.md §3). A rejected file writes no data: only its ``impor_log`` row (status
``ditolak``) records the attempt. A crash halfway rolls the transaction back. Re-importing
the same file gives the same data (rows are matched on their natural keys). The regions an
import touched go into ``impor_wilayah`` (:mod:`layers.ingest.write`), which scopes the log
and undo.

Undo is a stack: only the newest change to the data can be reversed (:func:`undo_target`
says which one and whether the caller may): an import by an importer whose regions all lie
in the caller's scope. A trusted load (``pws load-demo``, status ``dimuat``) cannot be
undone, nor anything before it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from layers.ingest import wording, write
from layers.ingest.base import REGISTRY, Progress, canonical, wrong_type
from layers.ingest.problems import ImportReport, Rejected
from layers.scope import Scope
from layers.store import queries
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
        wrong = wrong_type(jenis, report.file) if path.is_file() else None
        try:
            if wrong is not None and not importer.takes_file(path):
                raise Rejected([wrong])
            prepared = importer.prepare(session, path, scope, dict(options or {}), report)
        except Rejected as rejected:
            report.add(rejected.problems)
        session.rollback()
        report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        if not report.ok or prepared is None:
            report.status = "ditolak"
            if not dry_run:
                entry = _log(session, report, user)
                if not scope.is_everything:  # the attempt was for the caller's regions
                    write.record_regions(session, entry.id, set(scope.regions or ()))
                session.commit()
            return report
        if dry_run:
            report.status = "diperiksa"
            return report
        progress(1, 3, "tulis")
        with session.begin():
            entry = _log(session, report, user, status="ok")
            report.written = importer.write(session, prepared, entry.id, progress)
            write.record_regions(session, entry.id, write.touched(session, entry.id))
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
    # the import's id names it; the random part keeps a rebuilt database (the same URL,
    # the same ids) from reusing geometry another one cached (dashboard/cache.py)
    value = f"i{impor_id}-{uuid.uuid4().hex[:8]}"
    if meta is None:
        session.add(Meta(key="geometry_version", value=value))
    else:
        meta.value = value


#: log statuses of the entries that changed data, newest first (the undo stack)
WRITTEN = ("ok", "dimuat")


class UndoRefused(Exception):
    """An import that cannot be undone (not the newest, a trusted load, out of scope…)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.text = message


@dataclass(frozen=True)
class UndoTarget:
    """The change an undo would reverse, and why it may not (``refusal``)."""

    impor_id: int
    jenis: str
    file: str
    waktu: dt.datetime
    pengguna: str
    #: None: the caller may undo it; else why not
    refusal: Text | None = None
    #: its file and user are not the caller's business (it lies outside their scope)
    hidden: bool = False

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    def kind(self, lang: str) -> str:
        """The kind as the user knows it (the importer's title)."""
        return wording.kind_title(self.jenis, lang)

    def describe(self, lang: str) -> str:
        """``#12 · Kasus mingguan (SKDR) · w10.csv · 2025-03-09 07:15 UTC · dinkes``."""
        if self.hidden:
            return f"#{self.impor_id}"
        when = self.waktu.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return " · ".join((f"#{self.impor_id}", self.kind(lang), self.file, when,
                           self.pengguna))  # fmt: skip


@dataclass(frozen=True)
class Undone:
    """What an undo did: the import it reversed and the rows it put back or removed."""

    target: UndoTarget
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def restored(self) -> int:
        return int(self.counts.get("restored", 0))

    @property
    def deleted(self) -> int:
        return sum(v for k, v in self.counts.items() if k != "restored")

    def text(self, lang: str) -> str:
        what = self.target.describe(lang)
        return Text(
            f"Impor {what} dibatalkan: {self.restored} baris dikembalikan ke isi sebelumnya, "
            f"{self.deleted} baris baru dihapus.",
            f"Import {what} undone: {self.restored} rows put back as they were, "
            f"{self.deleted} new rows removed.",
        )(lang)


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def undo_target(session: Session, scope: Scope) -> UndoTarget | None:
    """The change :func:`undo_newest` would reverse for a caller of ``scope`` (None: no
    change was ever written), with the reason when the caller may not undo it."""
    entry = session.scalars(
        select(ImporLog).where(ImporLog.status.in_(WRITTEN)).order_by(ImporLog.id.desc())
        .limit(1)
    ).first()  # fmt: skip
    if entry is None:
        return None
    within = queries.import_within(session, scope, entry.id)
    hidden = within is not True
    return UndoTarget(entry.id, entry.jenis, entry.file, _as_utc(entry.waktu), entry.pengguna,
                      _refusal(entry, within, hidden), hidden)  # fmt: skip


def _refusal(entry: ImporLog, within: bool | None, hidden: bool) -> Text | None:
    """Why the caller may not undo ``entry`` (None: they may); ``within`` as
    :func:`layers.store.queries.import_within` says."""
    if entry.status == "dimuat" or entry.jenis not in REGISTRY:
        what = f"#{entry.id}" if hidden else f"#{entry.id}, {entry.file}"
        return Text(
            f"Perubahan data terakhir ({what}) dimuat oleh pemuat tepercaya (pws load-demo), "
            "bukan oleh impor; itu dan impor sebelumnya tidak bisa dibatalkan.",
            f"The newest change to the data ({what}) was made by the trusted loader (pws "
            "load-demo), not by an import; neither it nor any import before it can be undone.",
        )
    if within is False:
        return Text(
            f"Perubahan data terakhir (impor #{entry.id}) menyentuh wilayah di luar wilayah "
            "Anda. Hanya perubahan terakhir yang bisa dibatalkan, jadi saat ini tidak ada "
            "yang bisa Anda batalkan.",
            f"The newest change to the data (import #{entry.id}) touched regions outside "
            "yours. Only the newest change can be undone, so there is nothing you can undo "
            "now.",
        )
    if within is None:
        return Text(
            f"Wilayah yang disentuh impor #{entry.id} tidak tercatat (impor itu lebih tua "
            "dari pencatatan wilayah), jadi hanya bisa dibatalkan tanpa batas wilayah "
            "(`pws undo` tanpa --scope).",
            f"The regions import #{entry.id} touched were not recorded (it predates that "
            "record), so it can only be undone without a scope (`pws undo` without "
            "--scope).",
        )
    return None


def newest_undoable(session: Session, scope: Scope | None = None) -> ImporLog | None:
    """The import :func:`undo_last` would undo (None: none may be undone)."""
    target = undo_target(session, scope or Scope.everything())
    if target is None or not target.allowed:
        return None
    return session.get(ImporLog, target.impor_id)


def undo_newest(engine: Engine, user: str, *, scope: Scope,
                impor_id: int | None = None) -> Undone:  # fmt: skip
    """Undo the newest change to the data for a caller of ``scope``.

    Refused (:class:`UndoRefused`, saying why) when nothing was written, when the newest
    change is a trusted load, when it touched regions outside ``scope`` (or its regions are
    unknown and ``scope`` is not everything), or when ``impor_id`` is given and is not that
    change (the caller confirmed another import than the one that would be undone).
    """
    with Session(engine) as session, session.begin():
        target = undo_target(session, scope)
        if target is None:
            raise UndoRefused(Text("Tidak ada impor yang bisa dibatalkan.",
                                   "There is no import to undo."))  # fmt: skip
        if impor_id is not None and impor_id != target.impor_id:
            raise UndoRefused(Text(
                f"Hanya impor terakhir (#{target.impor_id}) yang bisa dibatalkan, bukan "
                f"#{impor_id}.",
                f"Only the newest import (#{target.impor_id}) can be undone, not #{impor_id}.",
            ))  # fmt: skip
        if target.refusal is not None:
            raise UndoRefused(target.refusal)
        entry = session.get(ImporLog, target.impor_id)
        counts = write.undo(session, entry.id, REGISTRY[entry.jenis].tables)
        entry.status = "dibatalkan"
        entry.pesan = json.dumps({"undone_by": user, "counts": counts})
        if entry.jenis == "batas":
            _bump_geometry_version(session, -entry.id)
    log.info("undo of import %s by %s: %s", target.impor_id, user, counts)
    return Undone(target, counts)


def undo_last(engine: Engine, user: str, impor_id: int | None = None,
              scope: Scope | None = None) -> dict[str, int]:  # fmt: skip
    """:func:`undo_newest` (unscoped unless ``scope``), returning the counts only."""
    return undo_newest(engine, user, scope=scope or Scope.everything(), impor_id=impor_id).counts
