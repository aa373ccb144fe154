"""The deck as a PDF: one landscape 16:9 page per slide, laid out as the PPTX.

Each page holds the slide's title and subtitle, its blocks where
:func:`layers.present.layout.slide_layout` puts them (maps as server-side images with their
legends, tables and facts drawn as tables, charts, notes) and a footer with the region, the
week, the page number and, when counts are suppressed, that rule. Drawn with matplotlib's
object API and written with :class:`~matplotlib.backends.backend_pdf.PdfPages`, fonts
embedded as TrueType (``pdf.fonttype`` 42) so the text can be searched and extracted.

The printable one-page summary per kecamatan lives in :mod:`layers.present.a4_summary`
(:func:`kecamatan_summary_pdf`, re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from layers.present import figures
from layers.present.a4_summary import kecamatan_summary_pdf
from layers.present.deck import DeckContext, MapFigure, Slide
from layers.present.layout import MARGIN, SLIDE_H, SLIDE_W, Box, footer_text, slide_layout
from layers.present.mpl_blocks import MUTED, Page, draw, write_pdf
from layers.text import Text

Progress = Callable[[int, int], None]
PAGE = Text("Halaman {i} dari {n}", "Page {i} of {n}")

__all__ = ["deck_pdf", "kecamatan_summary_pdf"]


def slide_page(ctx: DeckContext, slide: Slide, number: int, total: int) -> Page:
    """One slide as a page."""
    lay = slide_layout(slide, ctx.lang)
    page = Page(SLIDE_W, SLIDE_H)
    tb, sb = lay.title_box, lay.subtitle_box
    page.text(tb.x, tb.y + 0.1, lay.title, lay.title_pt, weight="bold")
    page.text(sb.x, sb.y, lay.subtitle, 15, color=MUTED)
    page.rule(MARGIN, SLIDE_W - MARGIN, sb.y + 0.45, color="#1f4e79", lw=1.5)

    def map_png(fig: MapFigure, box: Box) -> bytes | None:
        return figures.map_png(ctx, fig, box.w, box.h)

    draw(page, lay.placed, ctx.lang, map_png, figures.NO_MAP(ctx.lang))
    y = SLIDE_H - 0.28
    page.text(MARGIN, y, footer_text(ctx), 8, color=MUTED)
    page.text(SLIDE_W - MARGIN, y, PAGE(ctx.lang).format(i=number, n=total), 8, color=MUTED,
              ha="right")  # fmt: skip
    return page


def deck_pdf(ctx: DeckContext, slides: list[Slide], progress: Progress | None = None) -> bytes:
    """The slides as a PDF, one page each; ``progress(done, total)`` after each page."""

    def pages() -> Iterator[Page]:
        for i, slide in enumerate(slides, start=1):
            yield slide_page(ctx, slide, i, len(slides))
            if progress is not None:
                progress(i, len(slides))

    return write_pdf(pages(), f"Lokakarya mini — {ctx.region_name}")
