"""A target for :func:`layers.spawned.call` that tells whether its process was spawned.

A module of its own (light imports) so the spawned child starts quickly. The parent sets
:data:`MARK`; a forked child would inherit it, a spawned child imports this module afresh.
"""

from __future__ import annotations

import os
from typing import Any

#: set by the parent before it starts the child
MARK: str | None = None


def probe(session: Any, *, progress: Any) -> tuple[str | None, int]:
    """This process's :data:`MARK` and pid."""
    return MARK, os.getpid()
