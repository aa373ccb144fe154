"""The child of tests/test_cache.py's race between two spawned processes.

A module of its own that imports only :mod:`dashboard.cache`, so a spawned child starts in
well under a second instead of importing the whole app with the test module.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dashboard.cache import SharedCache

#: the key both processes miss at once
KEY = ("desa", "raced", 7)


def race(config: dict[str, Any], barrier: Any, out: str, index: int) -> None:
    """Miss :data:`KEY` together with the other process; note whether this one computed
    (``made-<index>``) and what it got (``value-<index>``) in the folder ``out``."""
    shared = SharedCache(**config)

    def make() -> bytes:
        (Path(out) / f"made-{index}").write_text("1")
        time.sleep(0.5)
        return f"value of {index}".encode()

    barrier.wait()
    value = shared.get_or_make(KEY, make)
    (Path(out) / f"value-{index}").write_bytes(value)
