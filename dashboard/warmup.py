"""Start-up warm-up: compile the statistics' numba code and make the map's first geometry
before any user needs them.

esda's Gi*/Local Moran (via numba) take ~15 s to compile on first use and the space-time
scan kernels a few seconds more. The app starts this once per process in a background
thread, so a click never pays for compilation. ``PWS_WARMUP=0`` turns it off (e.g. for a
one-off command).
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dashboard.context import AppContext

log = logging.getLogger(__name__)

_started = threading.Event()
done = threading.Event()


def _warm() -> None:
    from layers.diarrhoea import scan, weights

    try:
        weights.warm_up()
        scan.warm_up()
    except Exception:  # a failed warm-up only means the first user compiles it
        log.exception("warm-up failed; the first hot-spot or scan request will compile")
    finally:
        done.set()


def _warm_geometry(ctx: AppContext) -> None:
    from dashboard import map_geometry

    try:
        map_geometry.warm(ctx)
    except Exception:  # a failed warm-up only means the first visitor waits for it
        log.exception("geometry warm-up failed; the first map visitor will compute it")


def start(ctx: AppContext | None = None) -> bool:
    """Start the warm-up threads once per process (the statistics' compilation and, given
    the app's context, the first map geometry); False when disabled or already started."""
    if os.environ.get("PWS_WARMUP", "1") == "0" or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_warm, name="pws-warm-up", daemon=True).start()
    if ctx is not None:
        threading.Thread(target=_warm_geometry, args=(ctx,), name="pws-warm-geometry",
                         daemon=True).start()  # fmt: skip
    return True
