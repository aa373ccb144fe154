"""Placed blocks drawn on a matplotlib :class:`~matplotlib.figure.Figure` (the PDF exports).

Positions come from :mod:`layers.present.layout` in inches from the page's top left; every
artist is placed through the figure's inch transform. Only the object API is used
(``Figure``, never ``pyplot``, whose global state is not safe in a threaded server).

Tables are drawn by hand — a header band, zebra rows, each cell's wrapped lines, numbers
right-aligned — because ``matplotlib.table`` neither wraps cells nor sizes columns to
their text. A bar chart's suppressed bars (NaN) are left out and labelled with their
hover text (``< 5``).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from layers.panel import BarChart, Facts, Note, Table
from layers.present.deck import MapFigure
from layers.present.layout import Box, Heading, Placed
from layers.present.measure import FONT, PAD_X, PAD_Y, Grid, line_h, wrap
from layers.text import fmt_number

INK = "#222222"
MUTED = "#555555"
HEADER_FILL = "#1f4e79"
HEADER_INK = "#ffffff"
ZEBRA = "#eef2f7"
RULE = "#c8d0da"
BAR = "#4a7ab5"
HIGHLIGHT = "#c0392b"
LINE = "#e08a00"
TONES = {"hint": MUTED, "ok": "#1e7b34", "bad": "#b02a1e"}


class Page:
    """A figure of ``width`` × ``height`` inches to draw placed blocks on."""

    def __init__(self, width: float, height: float) -> None:
        self.figure = Figure(figsize=(width, height), dpi=100, facecolor="white")
        self.width, self.height = width, height

    def text(self, x: float, y: float, text: str, pt: float, *, color: str = INK,
             weight: str = "normal", ha: str = "left", style: str = "normal") -> None:  # fmt: skip
        """One line with its top at ``y`` inches from the page's top."""
        self.figure.text(x, self.height - y, text, transform=self.figure.dpi_scale_trans,
                         fontsize=pt, color=color, fontweight=weight, ha=ha, va="top",
                         fontstyle=style, fontfamily=FONT)  # fmt: skip

    def lines(self, x: float, y: float, lines: list[str] | tuple[str, ...], pt: float,
              **kw: str) -> float:  # fmt: skip
        """Lines from ``y`` down; the height they took."""
        for i, line in enumerate(lines):
            self.text(x, y + i * line_h(pt), line, pt, **kw)
        return len(lines) * line_h(pt)

    def rect(self, box: Box, color: str, edge: str | None = None, lw: float = 0.0) -> None:
        self.figure.add_artist(Rectangle(
            (box.x, self.height - box.y - box.h), box.w, box.h, facecolor=color,
            edgecolor=edge or "none", linewidth=lw, transform=self.figure.dpi_scale_trans))

    def rule(self, x0: float, x1: float, y: float, color: str = RULE, lw: float = 0.6) -> None:
        self.figure.add_artist(Rectangle((x0, self.height - y), x1 - x0, 0, edgecolor=color,
                                         linewidth=lw, facecolor="none",
                                         transform=self.figure.dpi_scale_trans))  # fmt: skip

    def axes(self, box: Box) -> Axes:
        return self.figure.add_axes((box.x / self.width, (self.height - box.y - box.h)
                                     / self.height, box.w / self.width, box.h / self.height))

    def image(self, box: Box, png: bytes) -> None:
        """A PNG filling ``box`` (rendered at its aspect ratio; embedded unresampled)."""
        from matplotlib.image import imread

        ax = self.axes(box)
        ax.imshow(imread(io.BytesIO(png), format="png"), interpolation="none", aspect="auto")
        ax.set_axis_off()


def draw_grid(page: Page, box: Box, g: Grid, facts: bool = False) -> None:
    """A measured table (or a facts list: labels muted, values bold, no header)."""
    y = box.y
    for r, (cells, height) in enumerate(zip(g.lines, g.heights, strict=True)):
        head = g.header and r == 0
        band = Box(box.x, y, sum(g.widths), height)
        if head:
            page.rect(band, HEADER_FILL)
        elif (r - g.header) % 2 == 1:
            page.rect(band, ZEBRA)
        x = box.x
        for j, (lines, w) in enumerate(zip(cells, g.widths, strict=True)):
            right = g.numeric[j]
            color = HEADER_INK if head else (MUTED if facts and j == 0 else INK)
            weight = "bold" if head or (facts and j > 0) else "normal"
            page.lines(x + (w - PAD_X if right else PAD_X), y + PAD_Y, lines, g.pt, color=color,
                       weight=weight, ha="right" if right else "left")  # fmt: skip
            x += w
        y += height
        page.rule(box.x, box.x + sum(g.widths), y)


def draw_note(page: Page, placed: Placed) -> None:
    block = placed.block
    assert isinstance(block, Note)
    page.lines(placed.box.x, placed.box.y, wrap(block.text, placed.box.w, placed.pt),
               placed.pt, color=TONES.get(block.tone, MUTED), style="italic")


def draw_chart(page: Page, placed: Placed, lang: str) -> None:
    """Bars (the highlighted one in red), their values above them, a suppressed bar left
    out with its hover text (``< 5``) at the axis, an optional line."""
    chart, box, pt = placed.block, placed.box, placed.pt
    assert isinstance(chart, BarChart)
    small = max(6.0, pt * 0.75)
    page.text(box.x, box.y, chart.name, pt, weight="bold")
    inner = Box(box.x + 0.65, box.y + line_h(pt) + 0.1, box.w - 0.75,
                box.h - line_h(pt) - 0.1 - 0.42)  # fmt: skip
    ax = page.axes(inner)
    y = np.array([math.nan if v is None else float(v) for v in chart.y], dtype=float)
    idx = np.arange(len(y))
    shown = np.isfinite(y)
    colors = [HIGHLIGHT if i == chart.highlight else BAR for i in idx[shown]]
    ax.bar(idx[shown], y[shown], color=colors, width=0.7)
    top = float(np.nanmax(y)) if shown.any() else 1.0
    hover = chart.hover if len(chart.hover) == len(y) else tuple(fmt_number(v, lang) for v in y)
    for i in idx:
        if shown[i]:
            ax.text(i, y[i], hover[i], ha="center", va="bottom", fontsize=small, color=INK)
        else:
            ax.text(i, 0, hover[i], ha="center", va="bottom", fontsize=small, color=MUTED,
                    fontstyle="italic")  # fmt: skip
    if chart.line is not None:
        ly = np.array([math.nan if v is None else float(v) for v in chart.line.y], dtype=float)
        where = {x: i for i, x in enumerate(chart.x)}
        lx = [where.get(x, math.nan) for x in chart.line.x]
        ax.plot(lx, ly, color=LINE, linewidth=1.5, label=chart.line.name)
        top = max(top, float(np.nanmax(ly)) if np.isfinite(ly).any() else top)
        ax.legend(fontsize=small, frameon=False, loc="upper left")
    ax.set_ylim(0, top * 1.18 if top > 0 else 1)
    ax.set_xlim(-0.6, len(y) - 0.4)
    ax.set_xticks(idx, [str(x) for x in chart.x], fontsize=small)
    ax.yaxis.set_major_locator(MaxNLocator(4, integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_number(v, lang)))
    ax.tick_params(axis="y", labelsize=small)
    ax.set_ylabel(chart.y_title, fontsize=small, color=MUTED)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def chart_png(placed: Placed, lang: str, dpi: int = 200) -> bytes:
    """A bar chart alone as a PNG of its box's size (the PPTX's chart with a line, which
    python-pptx cannot combine with bars in one native chart)."""
    box = placed.box
    page = Page(box.w, box.h)
    draw_chart(page, Placed(placed.block, Box(0, 0, box.w, box.h), placed.pt), lang)
    buf = io.BytesIO()
    page.figure.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def draw(page: Page, placed: list[Placed], lang: str,
         map_png: Callable[[MapFigure, Box], bytes | None], no_map: str) -> None:  # fmt: skip
    """Every placed block; maps through ``map_png`` (None: ``no_map`` said instead)."""
    for p in placed:
        b = p.block
        if isinstance(b, Heading):
            page.lines(p.box.x, p.box.y, wrap(b.text, p.box.w, p.pt, True), p.pt, weight="bold",
                       color=HEADER_FILL)
        elif isinstance(b, MapFigure):
            png = map_png(b, p.box)
            if png is None:
                page.text(p.box.x, p.box.y, no_map, 12, color=MUTED, style="italic")
            else:
                page.image(p.box, png)
        elif isinstance(b, Table | Facts):
            assert p.grid is not None
            draw_grid(page, p.box, p.grid, facts=isinstance(b, Facts))
        elif isinstance(b, BarChart):
            draw_chart(page, p, lang)
        elif isinstance(b, Note):
            draw_note(page, p)



#: what makes a PDF's text extractable: TrueType fonts embedded (not Type 3 outlines)
PDF_RC = {"pdf.fonttype": 42}


def write_pdf(pages: Iterable[Page], title: str) -> bytes:
    """The pages as one PDF. ``pages`` may be a generator (maps are drawn between pages);
    the font setting is a global rcParam, so it is set only around each page's save and the
    final font embedding, under the map renderer's own lock."""
    from layers.render.mapimage import SAVE_LOCK

    buf = io.BytesIO()
    pdf = PdfPages(buf, metadata={"Title": title, "Creator": "PWS-ILP", "CreationDate": None})
    try:
        for page in pages:
            with SAVE_LOCK, matplotlib.rc_context(PDF_RC):
                pdf.savefig(page.figure)
    finally:
        with SAVE_LOCK, matplotlib.rc_context(PDF_RC):
            pdf.close()
    return buf.getvalue()
