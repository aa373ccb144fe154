"""The Importer interface and registry: one importer per source, one way to run them.

An importer is pure domain code: ``prepare`` reads and validates a file (adding every
problem to the report, writing nothing), ``write`` stores the prepared rows through
:mod:`layers.ingest.write` so that the import can be undone. :func:`layers.ingest.run.run_import`
wraps both in the all-or-nothing rules of design.md §3.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
from sqlalchemy.orm import Session

from layers.ingest.columns import CODE, Column, columns_with_names, map_columns, uses_names
from layers.ingest.problems import ImportReport, Problem
from layers.ingest.readers import read_table
from layers.scope import Scope
from layers.text import Text

#: progress callback: (done, total, what)
Progress = Callable[[int, int, str], None]


@dataclass
class Prepared:
    """Validated rows ready to write, per table, plus anything the writer needs."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Mapped:
    """A file read and mapped by :func:`read_mapped`."""

    #: the rows under canonical column names (absent optional columns are all None)
    frame: pd.DataFrame
    #: each row's number as the user counts it
    rows: pd.Series
    #: the frame that was mapped, headers as written
    source: pd.DataFrame
    #: canonical columns the file really has (under their own name or an alias)
    present: set[str]
    #: True when the file names villages (``nama_desa``, ``nama_kec``) instead of coding
    #: them: :func:`layers.ingest.villages.village_codes` then reconciles the names
    by_name: bool = False


def read_mapped(
    path: Path, columns: tuple[Column, ...] | Callable[[pd.DataFrame], tuple[Column, ...]],
    options: dict[str, Any], report: ImportReport, *, keep_other: bool = False,
    reshape: Callable[[pd.DataFrame, pd.Series, ImportReport], tuple[pd.DataFrame, pd.Series]]
    | None = None,
    check: Callable[[Mapped], list[Problem]] | None = None,
) -> Mapped | None:
    """The opening of every ``prepare``: read ``path``, map its headers, note both on ``report``.

    ``reshape`` turns the file as read into the layout to map (the wide case recaps);
    ``columns`` may be chosen from that frame; ``check`` adds file-level problems of its own.
    When ``columns`` has a ``kode_desa`` column but the file has no such header and names
    villages instead (``desa``, ``kecamatan``…), the code column becomes optional, the name
    columns ``nama_desa``/``nama_kec`` are mapped and :attr:`Mapped.by_name` is set: every
    importer then gets its codes from :func:`layers.ingest.villages.village_codes`.
    Returns None, with every column problem added to ``report``, when the columns do not do.
    """
    table = read_table(path, sheet=options.get("sheet"))
    report.notes += table.notes
    frame, rows = table.frame, table.rows
    if reshape is not None:
        frame, rows = reshape(frame, rows, report)
    wanted = columns(frame) if callable(columns) else columns
    code = next((c for c in wanted if c.name == CODE), None)
    by_name = code is not None and uses_names(frame, code)
    if by_name:
        wanted = columns_with_names(wanted)
    mapped_frame, mapped, problems = map_columns(frame, wanted, keep_other=keep_other)
    report.mapped_columns.update(mapped)
    report.rows_total = len(mapped_frame)
    present = set(mapped.values()) | {c.name for c in wanted if c.name in frame.columns}
    out = Mapped(mapped_frame, rows, frame, present, by_name)
    if check is not None:
        problems += check(out)
    if problems:
        report.add(problems)
        return None
    return out


class Importer(ABC):
    """Base class of importers, registered under ``jenis`` (the CLI word) and ``english``."""

    #: the canonical kind, in Indonesian (``batas``): what the import log records
    jenis: ClassVar[str]
    #: the kind in English (``boundaries``), accepted wherever ``jenis`` is
    english: ClassVar[str]
    title: ClassVar[Text]
    #: the tables ``write`` fills, in write order (undo deletes inserted rows in reverse)
    tables: ClassVar[tuple[str, ...]]
    #: file suffixes offered, for the upload page's hint and error messages
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".xlsx")
    #: every suffix :meth:`takes` (the reader also reads these; ``.xls`` gets its own
    #: message there: save it as .xlsx)
    readable: ClassVar[tuple[str, ...]] = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls")

    @classmethod
    def takes(cls, name: str) -> bool:
        """Whether a file called ``name`` is of a type this importer reads."""
        return Path(str(name)).suffix.lower() in cls.readable

    @classmethod
    def takes_file(cls, path: Path) -> bool:
        """:meth:`takes` for a file on disk (an importer may look at its content too)."""
        return cls.takes(path.name)

    @abstractmethod
    def prepare(
        self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
        report: ImportReport,
    ) -> Prepared | None:
        """Read and validate ``path``; add problems to ``report``; write nothing."""

    @abstractmethod
    def write(
        self, session: Session, prepared: Prepared, impor_id: int, progress: Progress
    ) -> dict[str, int]:
        """Store prepared rows inside the caller's transaction; return counts per table."""


#: the importers by canonical ``jenis``, in registration order
REGISTRY: dict[str, type[Importer]] = {}
#: every name a kind may be given by (its ``jenis`` and its ``english``) -> its ``jenis``
NAMES: dict[str, str] = {}


class UnknownKind(ValueError):
    """An import kind that no importer is registered under, in Indonesian or English."""

    def __init__(self, kind: str, offered: tuple[str, ...] | None = None) -> None:
        self.kind = kind
        super().__init__(f"unknown import kind {kind!r}; {kinds_text(offered)}")


def register(cls: type[Importer]) -> type[Importer]:
    """Class decorator: make ``cls`` the importer of ``cls.jenis`` and ``cls.english``."""
    if cls.jenis in REGISTRY and REGISTRY[cls.jenis] is not cls:
        raise ValueError(f"importer {cls.jenis!r} registered twice")
    english = getattr(cls, "english", None)
    if not english:
        raise TypeError(f"importer {cls.jenis!r} has no English name (class attribute english)")
    for name in (cls.jenis, english):
        if NAMES.get(name, cls.jenis) != cls.jenis:
            raise ValueError(f"import kind name {name!r} already means {NAMES[name]!r}")
    REGISTRY[cls.jenis] = cls
    NAMES[cls.jenis] = NAMES[english] = cls.jenis
    return cls


def canonical(kind: str) -> str:
    """The canonical ``jenis`` of a kind given in Indonesian or English (any case).

    Raises :class:`UnknownKind` (a ``ValueError``) when no importer has that name.
    """
    jenis = NAMES.get(str(kind).strip().lower())
    if jenis is None:
        raise UnknownKind(kind)
    return jenis


def importer_for(kind: str) -> type[Importer]:
    """The importer registered for ``kind`` (Indonesian or English, see :func:`canonical`)."""
    return REGISTRY[canonical(kind)]


def kind_names(offered: tuple[str, ...] | None = None) -> list[tuple[str, str, Text]]:
    """``(jenis, english, title)`` of every registered kind (or of those ``offered``)."""
    return [(jenis, cls.english, cls.title) for jenis, cls in REGISTRY.items()
            if offered is None or jenis in offered]  # fmt: skip


def wrong_type(jenis: str, name: str) -> Problem | None:
    """A problem when a file called ``name`` is not of a type kind ``jenis`` reads: it says
    which types it takes and which kinds would take this one. None when it is."""
    cls = REGISTRY[canonical(jenis)]
    if cls.takes(name):
        return None
    suffix = Path(str(name)).suffix.lower()
    shown = suffix or "(tanpa akhiran)"
    shown_en = suffix or "(no suffix)"
    formats = ", ".join(cls.suffixes)
    others = [other for j, other in REGISTRY.items() if j != cls.jenis and other.takes(name)]
    hint_id = hint_en = ""
    if suffix and others:
        hint_id = f" File {suffix} diterima sebagai: {', '.join(o.title.id for o in others)}."
        hint_en = f" {suffix} files are taken as: {', '.join(o.title.en for o in others)}."
    return Problem(
        Text(f"Jenis file {shown} tidak bisa diimpor sebagai {cls.title.id}; yang diterima: "
             f"{formats}.{hint_id}",
             f"A {shown_en} file cannot be imported as {cls.title.en}; accepted: "
             f"{formats}.{hint_en}"),
        column=None, value=str(name), code="file_type",
    )  # fmt: skip


#: how :func:`kinds_text` introduces each set of names
KIND_SETS = Text("nama Indonesia: {id}; nama Inggris: {en}", "Indonesian: {id}; English: {en}")


def kinds_text(offered: tuple[str, ...] | None = None, lang: str = "en") -> str:
    """Both sets of names, for messages: ``Indonesian: batas, …; English: boundaries, …``."""
    names = kind_names(offered)
    return KIND_SETS(lang).format(id=", ".join(j for j, _, _ in names),
                                  en=", ".join(e for _, e, _ in names))  # fmt: skip
