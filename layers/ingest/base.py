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

from layers.ingest.problems import ImportReport
from layers.scope import Scope
from layers.text import Text

#: progress callback: (done, total, what)
Progress = Callable[[int, int, str], None]


@dataclass
class Prepared:
    """Validated rows ready to write, per table, plus anything the writer needs."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


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
