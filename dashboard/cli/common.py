"""Shared pieces of the ``pws`` commands: the group, options, engine, parsing, progress."""

from __future__ import annotations

import getpass
import os
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from layers.scope import Scope

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = Path(os.environ.get("PWS_DEMO_DIR", REPO / "data" / "geo" / "demo_9901"))


@click.group()
def main() -> None:
    """PWS-ILP map: per-village PWS dashboard (Integrasi Layanan Primer)."""


LANG = click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
                    help="Language of messages and reports.")  # fmt: skip


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
    try:
        return Scope.of(v.strip() for v in value.split(",") if v.strip())
    except (CodeError, ValueError) as exc:
        raise click.BadParameter(f"{value!r}: {exc}") from exc


def _parse_crs(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return f"EPSG:{text}"
    if text.upper().startswith("EPSG:") and text[5:].isdigit():
        return f"EPSG:{text[5:]}"
    raise click.BadParameter(f"{value!r}: expected an EPSG code such as 23835 or EPSG:23835")


class ProgressBar:
    """A text progress bar on a stream, driven by the importers' ``progress`` callback.

    ``progress(done, total, what)`` may restart with a new total per stage (read, write…);
    the bar shows the current stage. Nothing is drawn for the first ``delay`` seconds, so
    quick imports stay quiet; ``close`` ends the line when something was drawn.
    """

    def __init__(self, stream: IO[str], delay: float = 0.5, width: int = 30) -> None:
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
        line = f"{what:<10} [{'#' * filled}{'-' * (self.width - filled)}] {fraction:4.0%}"
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


def progress_for(as_json: bool, stream: IO[str]) -> ProgressBar | None:
    """A progress bar on ``stream`` when it is a terminal and the output is not JSON."""
    return ProgressBar(stream) if not as_json and stream.isatty() else None
