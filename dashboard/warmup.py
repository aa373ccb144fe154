"""Start-up warm-up: compile the statistics' numba code before any user needs it.

esda's Gi*/Local Moran (via numba) take ~15 s to compile on first use and the space-time
scan kernels a few seconds more. The app starts this once per process in a background
thread, so a click never pays for compilation. ``PWS_WARMUP=0`` turns it off (e.g. for a
one-off command).
"""

from __future__ import annotations

import logging
import os
import threading

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


def start() -> bool:
    """Start the warm-up thread once per process; False when disabled or already started."""
    if os.environ.get("PWS_WARMUP", "1") == "0" or _started.is_set():
        return False
    _started.set()
    threading.Thread(target=_warm, name="pws-warm-up", daemon=True).start()
    return True
