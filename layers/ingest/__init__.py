"""Importers: real files in, bad data out (design.md §3, "imports are all-or-nothing").

One module per source (``cases``, …), shared reading (``readers``), header mapping
(``columns``), row checks (``checks``), problem reports (``problems``), undoable writes
(``write``) and the runner (``run``). Importing this package registers every importer, under
its canonical Indonesian kind and its English name (``batas`` / ``boundaries``, see
:func:`layers.ingest.base.canonical`).
"""

from layers.ingest import boundaries, cases, facilities, kader, population  # noqa: F401
from layers.ingest.base import REGISTRY, Importer, UnknownKind, canonical, importer_for
from layers.ingest.problems import ImportReport, Problem, Rejected
from layers.ingest.run import UndoRefused, run_import, undo_last

__all__ = ["REGISTRY", "ImportReport", "Importer", "Problem", "Rejected", "UndoRefused",
           "UnknownKind", "canonical", "importer_for", "run_import", "undo_last"]  # fmt: skip
