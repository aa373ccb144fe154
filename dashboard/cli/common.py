"""Shared pieces of the ``pws`` commands: the group, options, engine, parsing, progress.

Every message is a :class:`~layers.text.Text` pair shown in ``--lang``
(:mod:`dashboard.cli.lang`).
"""

from __future__ import annotations

import getpass
import os
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from dashboard.cli.lang import Group, current, lang_option
from layers.text import Text

#: the progress bar's label while a scan runs
SCAN = Text("pemindaian", "scan")

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from layers.scope import Scope

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = Path(os.environ.get("PWS_DEMO_DIR", REPO / "data" / "geo" / "demo_9901"))


@click.group(cls=Group, texts=Text(
    "Peta PWS-ILP: dasbor PWS per desa (Integrasi Layanan Primer).",
    "PWS-ILP map: per-village PWS dashboard (Integrasi Layanan Primer).",
))  # fmt: skip
@lang_option(expose=False)
def main() -> None:
    pass


#: ``--lang id|en`` of a command (the command gets ``lang``)
LANG = lang_option()


def _engine() -> Engine:
    """The store at PWS_DATABASE_URL, migrated to the latest schema."""
    from layers.store import engine as store_engine

    engine = store_engine.make_engine()
    store_engine.upgrade(engine)
    return engine


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (containers)
        return "unknown"


def _parse_scope(ctx: click.Context, param: click.Parameter, value: str | None) -> Scope:
    from layers.codes import CodeError
    from layers.scope import Scope

    if value is None or not value.strip():
        return Scope.everything()
    regions = [v.strip() for v in value.split(",") if v.strip()]
    if not regions:
        raise click.BadParameter(Text("perlu setidaknya satu kode wilayah",
                                      "needs at least one region code")(current(ctx)))
    try:
        return Scope.of(regions)
    except CodeError as exc:
        reason = Text(exc.reason_id, exc.reason_en)(current(ctx))
        raise click.BadParameter(f"{exc.value!r}: {reason}") from exc


def _parse_crs(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return f"EPSG:{text}"
    if text.upper().startswith("EPSG:") and text[5:].isdigit():
        return f"EPSG:{text[5:]}"
    raise click.BadParameter(Text(f"{value!r}: harus kode EPSG seperti 23835 atau EPSG:23835",
                                  f"{value!r}: expected an EPSG code such as 23835 or "
                                  "EPSG:23835")(current(ctx)))  # fmt: skip


class ProgressBar:
    """A text progress bar on a stream, driven by the importers' ``progress`` callback.

    ``progress(done, total, what)`` may restart with a new total per stage (read, write…);
    the bar shows the current stage, named in ``lang`` (:data:`layers.ingest.wording.STEPS`,
    and ``scan``). Nothing is drawn for the first ``delay`` seconds, so quick imports stay
    quiet; ``close`` ends the line when something was drawn.
    """

    def __init__(self, stream: IO[str], delay: float = 0.5, width: int = 30,
                 lang: str = "id") -> None:  # fmt: skip
        self.lang = lang
        self.stream = stream
        self.delay = delay
        self.width = width
        self.started = time.monotonic()
        self.drawn = False
        self.last = ""

    def __call__(self, done: int, total: int, what: str) -> None:
        if time.monotonic() - self.started < self.delay:
            return
        fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
        filled = round(fraction * self.width)
        from layers.ingest import wording

        what = SCAN(self.lang) if what == "scan" else wording.step(what, self.lang)
        line = f"{what:<13} [{'#' * filled}{'-' * (self.width - filled)}] {fraction:4.0%}"
        if line == self.last:
            return
        self.stream.write("\r" + line)
        self.stream.flush()
        self.drawn = True
        self.last = line

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _no_progress(done: int, total: int, what: str) -> None:
    return None


def progress_for(as_json: bool, stream: IO[str], lang: str = "id") -> ProgressBar | None:
    """A progress bar on ``stream`` when it is a terminal and the output is not JSON."""
    return ProgressBar(stream, lang=lang) if not as_json and stream.isatty() else None
