"""The periods next to the one shown, computed in the background once its values are sent.

An official in a meeting steps through the weeks one by one; each new week's values cost
the server ~80 ms on Jawa Timur's 8,494 villages the first time, a few ms from the shared
cache after. So after a values request the periods around it (``PWS_PREFETCH_PERIODS``
on each side, nearest first) go through :func:`dashboard.layer_values.values` in one
background thread per process: the shared cache makes each a single computation for
every worker, and the scope is the one the server resolved for the request.

The thread waits :data:`DELAY_S` before each batch, and a newer request replaces the
batch not yet done: a page being opened fetches its geometry first, and someone clicking
quickly through weeks does not queue work they have moved past.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from typing import Any

from dashboard import layer_values
from layers import base
from layers.scope import Scope

LOG = logging.getLogger("pws.prefetch")
#: periods on each side of the one shown (``PWS_PREFETCH_PERIODS``; 0: none)
DEFAULT_PERIODS = 3
#: seconds the thread waits before a batch (the page's own requests go first)
DELAY_S = 1.0

_lock = threading.Lock()
_wake = threading.Event()
_thread: threading.Thread | None = None
#: the latest request still to prefetch around, and whether a batch is being computed
_job: tuple[Any, Scope, layer_values.Request, bool] | None = None
_busy = False


def periods_each_side() -> int:
    try:
        return max(0, int(os.environ.get("PWS_PREFETCH_PERIODS", DEFAULT_PERIODS)))
    except ValueError:
        return DEFAULT_PERIODS


def neighbours(periods: list[str], current: str | None, n: int) -> list[str]:
    """The ``n`` periods on each side of ``current`` in ``periods`` (ordered as the layer
    lists them), nearest first, the next older before the next newer.

    >>> neighbours(["W53", "W52", "W51", "W50", "W49"], "W51", 2)
    ['W50', 'W52', 'W49', 'W53']
    >>> neighbours(["W53", "W52"], "W40", 2)
    []
    """
    if current not in periods:
        return []
    i = periods.index(current)
    out = []
    for step in range(1, n + 1):
        out += [periods[j] for j in (i + step, i - step) if 0 <= j < len(periods)]
    return out


def schedule(ctx: Any, scope: Scope, req: layer_values.Request, regions: bool) -> None:
    """Compute the periods around ``req.period`` in the background (replacing a batch not
    yet done)."""
    if req.period is None or periods_each_side() == 0:
        return
    global _thread, _job
    with _lock:
        _job = (ctx, scope, req, regions)
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="pws-prefetch", daemon=True)
            _thread.start()
    _wake.set()


def _take() -> tuple[Any, Scope, layer_values.Request, bool] | None:
    global _job, _busy
    with _lock:
        job, _job = _job, None
        _busy = job is not None
    return job


def _run() -> None:
    global _busy, _thread
    while True:
        if not _wake.wait(timeout=60):
            with _lock:  # idle for a minute: the thread ends (the next request starts one)
                if _job is None:
                    _thread = None
                    return
            continue
        _wake.clear()
        time.sleep(DELAY_S)
        if _wake.is_set():
            continue  # a newer request arrived meanwhile: wait for it in turn
        job = _take()
        try:
            if job is not None:
                _prefetch(*job)
        except Exception:  # noqa: BLE001 - a prefetch never breaks anything
            LOG.warning("prefetching around %s failed", job[2].period if job else None,
                        exc_info=True)  # fmt: skip
        finally:
            with _lock:
                _busy = False


def _prefetch(ctx: Any, scope: Scope, req: layer_values.Request, regions: bool) -> None:
    cls = type(req.layer)
    with ctx.session() as session:
        listed = [base.period_text(p) for p in cls().periods(session, scope)]
    for period in neighbours([p for p in listed if p], req.period, periods_each_side()):
        if _wake.is_set():
            return  # the user moved on: their new request's batch replaces this one
        layer_values.values(ctx, dataclasses.replace(req, period=period), regions,
                            scope=scope)  # fmt: skip


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait until nothing is waiting or being computed (tests, benchmarks); whether so."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with _lock:
            idle = _job is None and not _busy and not _wake.is_set()
        if idle:
            return True
        time.sleep(0.05)
    return False
