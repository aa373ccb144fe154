"""One export of a region's deck, as the presentation page's background job and ``pws
present export`` run it: the saved deck's shown slides built for the region and week, then
written as PPTX, PDF or the A4 kecamatan summary.

:func:`export` is pure (no Dash): given a session (or something that makes one), the
caller's scope, the region, the week and the format, it returns the file's bytes, a file
name and its media type. Small case counts are suppressed by default (threshold
:data:`~layers.present.suppress.DEFAULT_THRESHOLD`; ``suppress_threshold=None`` shows every
count) — these documents leave the office. ``progress(done, total)`` counts the slides
built, then the slides written (the A4 summary: its pages).

The diarrhoea slide runs the space-time scan, whose numba kernels run in OpenMP threads
that do not survive a fork: a job forked from the web server (as Dash's background
callbacks are) runs the export in a freshly spawned process with :func:`export_spawned`
(as :func:`dashboard.jobs.run_scan` does for the map's scan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from layers import spawned
from layers.epiweek import EpiWeek
from layers.present import deck, decks
from layers.present.suppress import DEFAULT_THRESHOLD, Suppression
from layers.scope import Scope
from layers.text import Text

Format = Literal["pptx", "pdf", "a4"]
FORMATS: tuple[Format, ...] = ("pptx", "pdf", "a4")
Progress = Callable[[int, int], None]
MEDIA_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "a4": "application/pdf",
}
#: file name stems (the region code and the week follow)
STEMS = {"pptx": Text("lokakarya-mini", "lokakarya-mini"),
         "pdf": Text("lokakarya-mini", "lokakarya-mini"),
         "a4": Text("ringkasan-kecamatan", "kecamatan-summary")}  # fmt: skip
EXTENSIONS = {"pptx": "pptx", "pdf": "pdf", "a4": "pdf"}


def filename(fmt: Format, region: str, week: EpiWeek | None, lang: str) -> str:
    """``lokakarya-mini_35.10_2025-W07.pptx`` (no week without case data)."""
    parts = [STEMS[fmt](lang), region] + ([str(week)] if week is not None else [])
    return "_".join(parts) + "." + EXTENSIONS[fmt]


def _week(week: EpiWeek | str | None) -> EpiWeek | None:
    return EpiWeek.parse(week) if isinstance(week, str) else week


def used_week(session: Session, scope: Scope, region: str,
              week: EpiWeek | str | None) -> EpiWeek | None:  # fmt: skip
    """The week an export of ``region`` shows: ``week``, else the newest with case data."""
    from layers.diarrhoea.service import latest_week

    found = _week(week)
    return found if found is not None else latest_week(session, scope.narrow(region))


def export(session: Session | Callable[[], Session], scope: Scope, region: str,
           week: EpiWeek | str | None, fmt: Format, lang: str = "id",
           suppress_threshold: int | None = DEFAULT_THRESHOLD,
           progress: Progress | None = None, today: dt.date | None = None,
           ) -> tuple[bytes, str, str]:  # fmt: skip
    """The region's deck as ``fmt``: ``(bytes, file name, media type)``.

    Raises
    ------
    DeckError
        The region lies outside ``scope`` (or is not a region).
    ValueError
        An unknown format, a bad week or threshold.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {FORMATS}")
    suppress = Suppression(suppress_threshold)
    if isinstance(session, Session):
        return _export(session, scope, region, _week(week), fmt, lang, suppress, progress,
                       today)  # fmt: skip
    with session() as own:
        return _export(own, scope, region, _week(week), fmt, lang, suppress, progress, today)


def _export(session: Session, scope: Scope, region: str, week: EpiWeek | None, fmt: Format,
            lang: str, suppress: Suppression, progress: Progress | None,
            today: dt.date | None) -> tuple[bytes, str, str]:  # fmt: skip
    ctx = deck.context(session, scope, region, week, lang, suppress, today)
    name = filename(fmt, ctx.region, ctx.week, lang)
    if fmt == "a4":
        from layers.present.a4_summary import kecamatan_summary_pdf

        return kecamatan_summary_pdf(ctx, progress), name, MEDIA_TYPES[fmt]
    try:
        kinds = decks.load_deck(session, scope, ctx.region).shown()
    except deck.DeckError:  # a region wider than the scope, narrowed to it: its own deck
        kinds = decks.default_deck().shown()  # is not the caller's to read
    n = len(kinds)
    slides = []
    for i, kind in enumerate(kinds, start=1):
        slides += deck.build(ctx, [kind])
        if progress is not None:
            progress(i, 2 * n)

    def written(done: int, total: int) -> None:
        if progress is not None:
            progress(n + done, 2 * n)

    if fmt == "pptx":
        from layers.present.pptx_export import deck_pptx

        data = deck_pptx(ctx, slides, written)
    else:
        from layers.present.pdf_export import deck_pdf

        data = deck_pdf(ctx, slides, written)
    return data, name, MEDIA_TYPES[fmt]


# --------------------------------------------------------------------------- spawned


def _export_in(session: Session, scope: Scope, region: str, week: str | None, fmt: Format,
               lang: str, threshold: int | None, progress: Progress) -> tuple[bytes, str, str]:
    """:func:`export` as the spawned child runs it (a module-level function: pickled)."""
    return export(session, scope, region, week, fmt, lang, threshold, progress)


def export_spawned(engine: Engine, scope: Scope, region: str, week: EpiWeek | str | None,
                   fmt: Format, lang: str = "id",
                   suppress_threshold: int | None = DEFAULT_THRESHOLD,
                   progress: Progress | None = None) -> tuple[bytes, str, str]:  # fmt: skip
    """:func:`export` in a spawned child process (for a job forked from the web server; see
    the module doc). Raises :class:`~layers.present.deck.DeckError` as :func:`export` does,
    :class:`RuntimeError` for anything else that went wrong in the child."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; known: {FORMATS}")
    Suppression(suppress_threshold)  # a bad threshold fails here, not in the child
    with Session(engine) as session:  # and so does a region outside the scope
        deck.context(session, scope, region, _week(week), lang)
    text = None if week is None else str(week)
    return spawned.call(engine, _export_in, (scope, region, text, fmt, lang, suppress_threshold),
                        progress, name="pws-export")  # fmt: skip
