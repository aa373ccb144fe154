"""Run a function of the store in a freshly spawned process, its progress sent back.

The space-time scan's numba kernels run in GNU OpenMP threads, which refuse to run in a
forked child ("fork() called from a process already using GNU OpenMP"); Dash's background
jobs are forks of the web server, which has run those kernels (start-up warm-up). Work that
may reach the scan — the map's scan job, a deck export — therefore runs in a spawned
process, which starts clean and loads the kernels from numba's on-disk cache. It is a child
of the job, so cancelling the job (which kills it and its children) stops it too.

The child opens its own engine on the store's URL and calls ``target(session, *args,
progress=...)``; ``progress(done, total)`` messages come back over a pipe. An exception
carrying a bilingual ``text`` (:class:`layers.text.Text`, e.g. a
:class:`~layers.present.deck.DeckError`) is raised again in the parent as the same class;
any other as :class:`RuntimeError` naming it. Written by hand: the standard library's
process pools neither stream progress nor die with a killed job.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from layers.text import Text

T = TypeVar("T")
Progress = Callable[[int, int], None]


def _child(conn: Any, target: Callable[..., Any], url: str, args: tuple) -> None:
    from layers.store import engine as store_engine

    def progress(done: int, total: int) -> None:
        conn.send(("progress", done, total))  # raises once the job is gone: the work stops

    engine = store_engine.make_engine(url)
    try:
        with Session(engine) as session:
            result = target(session, *args, progress=progress)
        conn.send(("done", result))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        text = getattr(exc, "text", None)
        with contextlib.suppress(OSError):  # the job is gone (cancelled)
            if isinstance(text, Text):
                conn.send(("text", type(exc), (text.id, text.en)))
            else:
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()
        conn.close()


def call(engine: Engine, target: Callable[..., T], args: tuple,
         progress: Progress | None = None, name: str = "pws-job") -> T:  # fmt: skip
    """``target(session, *args, progress=...)`` on ``engine``'s store in a spawned process.

    ``target`` must be a module-level function (it is pickled by reference); ``args`` and
    the result must pickle.
    """
    spawn = multiprocessing.get_context("spawn")
    receive, send = spawn.Pipe(duplex=False)
    url = engine.url.render_as_string(hide_password=False)
    proc = spawn.Process(target=_child, name=name, args=(send, target, url, args))
    proc.start()
    send.close()
    try:
        while True:
            try:
                message = receive.recv()
            except EOFError as exc:
                raise RuntimeError(f"the {name} process ended without a result") from exc
            if message[0] == "progress":
                if progress is not None:
                    progress(message[1], message[2])
            elif message[0] == "done":
                return message[1]
            elif message[0] == "text":
                raise message[1](Text(*message[2]))
            else:
                raise RuntimeError(message[1])
    finally:
        receive.close()
        proc.join(timeout=10)
