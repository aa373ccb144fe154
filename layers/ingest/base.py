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

from layers.ingest import villages
from layers.ingest.columns import Column, map_columns
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
    code = next((c for c in wanted if c.name == villages.CODE), None)
    by_name = code is not None and villages.uses_names(frame, code)
    if by_name:
        wanted = villages.columns_with_names(wanted)
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
    """Base class of importers, registered under ``jenis`` (the CLI word)."""

    jenis: ClassVar[str]
    title: ClassVar[Text]
    #: the tables ``write`` fills, in write order (undo deletes inserted rows in reverse)
    tables: ClassVar[tuple[str, ...]]
    #: file suffixes accepted, for the upload page and error messages
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".xlsx")

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


REGISTRY: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    if cls.jenis in REGISTRY and REGISTRY[cls.jenis] is not cls:
        raise ValueError(f"importer {cls.jenis!r} registered twice")
    REGISTRY[cls.jenis] = cls
    return cls
