"""The ``pws`` command line: demo data, database, imports, templates, serving.

Exit codes of the import commands: 0 written (or a valid dry run), 1 rejected / refused
(the report is printed), 2 usage errors (click's own).
"""

from __future__ import annotations

# Importing the command modules registers their commands on ``main``.
from dashboard.cli import data, diarrhoea, imports, kader, peta, present, pustu, pustu_plan  # noqa: F401
from dashboard.cli.common import DEMO_DIR, LANG, REPO, ProgressBar, main, progress_for

__all__ = ["DEMO_DIR", "LANG", "REPO", "ProgressBar", "main", "progress_for"]
