"""Where each block of a slide goes: blocks measured and fitted to a box, a slide laid out.

The PPTX and the PDF export draw the same layout (:func:`slide_layout`, in inches from the
page's top left corner), so a slide looks alike in both; the A4 kecamatan summary fits its
columns with :func:`fit` too. Text and tables are measured by :mod:`.measure`.

Written by hand, because no library lays out a page of blocks (python-pptx places shapes
where it is told; matplotlib has no page layout): a column of blocks that does not fit at
the base size is drawn smaller (down to :data:`SCALES`'s last step), then its longest
tables lose rows, replaced by one ``… n more rows`` row — never a row cut in half. A slide
with a map has the map on the left and the other blocks beside it; without one the blocks
go across the page, in two columns when one would have to shrink.
"""

from __future__ import annotations

from dataclasses import dataclass

from layers.panel import BarChart, Facts, Note, Table
from layers.present.deck import Block, DeckContext, MapFigure, Slide
from layers.present.measure import PAD_Y, Grid, grid, line_h, wrap
from layers.text import Text

#: space between blocks, and under a heading, inches
GAP, HEAD_GAP = 0.14, 0.05
#: font scales tried, largest first, before tables lose rows
SCALES = (1.0, 0.9, 0.8, 0.7, 0.62)
#: a table keeps at least this many body rows when it is shortened
MIN_ROWS = 2
MORE_ROWS = Text("… dan {n} baris lainnya", "… and {n} more rows")
SUPPRESSED = Text("Jumlah kasus 1–{n} ditulis < {t} (perlindungan data).",
                  "Case counts 1–{n} are written < {t} (data protection).")  # fmt: skip


@dataclass(frozen=True)
class Box:
    """A rectangle in inches; ``y`` from the page's top."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Style:
    """Base font sizes (points) of the blocks and the height of a chart (inches)."""

    facts_pt: float = 16
    table_pt: float = 13
    note_pt: float = 13
    chart_h: float = 2.3

    def scaled(self, s: float) -> Style:
        return Style(self.facts_pt * s, self.table_pt * s, self.note_pt * s, self.chart_h * s)

@dataclass(frozen=True)
class Heading:
    """A bold line over the blocks that follow it (the A4 summary's sections)."""

    text: str

def table_grid(block: Table, width: float, pt: float) -> Grid:
    return grid((block.columns, *block.rows), True, width, pt)


def facts_grid(block: Facts, width: float, pt: float) -> Grid:
    """Labels and values (bold), no header, no wider than the text needs."""
    return grid(block.rows, False, width, pt, bold=(1,), least=0.3, stretch=1.15)


@dataclass(frozen=True)
class Placed:
    """A block at its place: ``pt`` its font size, ``grid`` its cells (tables, facts)."""

    block: Block | Heading
    box: Box
    pt: float
    grid: Grid | None = None


def measure(block: Block | Heading, width: float,
            style: Style) -> tuple[float, float, Grid | None]:  # fmt: skip
    """``(height, font size, grid)`` of a non-map block at ``style`` in ``width``."""
    if isinstance(block, Heading):
        pt = style.facts_pt * 1.1
        return len(wrap(block.text, width, pt, True)) * line_h(pt) + PAD_Y, pt, None
    if isinstance(block, Table):
        g = table_grid(block, width, style.table_pt)
        return g.height, style.table_pt, g
    if isinstance(block, Facts):
        g = facts_grid(block, width, style.facts_pt)
        return g.height, style.facts_pt, g
    if isinstance(block, BarChart):
        return style.chart_h, style.note_pt, None
    if isinstance(block, Note):
        n = len(wrap(block.text, width, style.note_pt))
        return n * line_h(style.note_pt) + PAD_Y, style.note_pt, None
    raise TypeError(f"cannot measure {type(block).__name__}")


def shorten(block: Table, keep: int, lang: str) -> Table:
    """``block`` with its first ``keep`` rows and one row saying how many more there are."""
    more = len(block.rows) - keep
    if more <= 0:
        return block
    note = MORE_ROWS(lang).format(n=more)
    return Table(block.columns, (*block.rows[:keep], (note, *("",) * (len(block.columns) - 1))))


def _gaps(blocks: list[Block | Heading]) -> float:
    return sum(HEAD_GAP if isinstance(b, Heading) else GAP for b in blocks[:-1])


def fit(blocks: list[Block | Heading], box: Box, style: Style, lang: str,
        scales: tuple[float, ...] = SCALES) -> list[Placed]:  # fmt: skip
    """Stack ``blocks`` (no maps) top-down in ``box``: the largest of ``scales`` at which
    they fit, else the smallest with the longest tables shortened."""
    if not blocks:
        return []
    shown = list(blocks)
    gaps = _gaps(shown)
    for s in scales:
        st = style.scaled(s)
        found = [measure(b, box.w, st) for b in shown]
        if sum(f[0] for f in found) + gaps <= box.h:
            break
    keep = {i: len(b.rows) for i, b in enumerate(blocks) if isinstance(b, Table)}
    while sum(f[0] for f in found) + gaps > box.h:
        longer = [i for i, n in keep.items() if n > MIN_ROWS]
        if not longer:
            break
        i = max(longer, key=lambda j: (found[j][0], j))
        keep[i] -= 1
        shown[i] = shorten(blocks[i], keep[i], lang)  # type: ignore[arg-type]
        found[i] = measure(shown[i], box.w, st)
    out, y = [], box.y
    for block, (h, pt, g) in zip(shown, found, strict=True):
        out.append(Placed(block, Box(box.x, y, box.w, h), pt, g))
        y += h + (HEAD_GAP if isinstance(block, Heading) else GAP)
    return out


def scale_of(blocks: list[Block | Heading], box: Box, style: Style,
             scales: tuple[float, ...] = SCALES) -> float:  # fmt: skip
    """The largest of ``scales`` at which ``blocks`` fit ``box`` whole (else the last)."""
    gaps = _gaps(blocks)
    for s in scales:
        st = style.scaled(s)
        if sum(measure(b, box.w, st)[0] for b in blocks) + gaps <= box.h:
            return s
    return scales[-1]


def fit_together(columns: list[tuple[list[Block | Heading], Box]], style: Style, lang: str,
                 scales: tuple[float, ...] = SCALES) -> list[Placed]:  # fmt: skip
    """Side-by-side columns at one font size: the largest at which every one fits."""
    s = min((scale_of(blocks, box, style, scales) for blocks, box in columns if blocks),
            default=1.0)  # fmt: skip
    return [p for blocks, box in columns for p in fit(blocks, box, style, lang, (s,))]


def height_of(blocks: list[Block | Heading], width: float, style: Style) -> float:
    """The height ``blocks`` take stacked whole at ``style``."""
    return sum(measure(b, width, style)[0] for b in blocks) + _gaps(blocks)


def bottom(placed: list[Placed], default: float) -> float:
    """Where the last placed block ends (``default`` when none is)."""
    return max((p.box.y + p.box.h for p in placed), default=default)


# --------------------------------------------------------------------------- a slide

#: a 16:9 slide, inches
SLIDE_W, SLIDE_H = 13.333, 7.5
MARGIN = 0.5
TITLE_PT, SUBTITLE_PT = 28.0, 15.0
TITLE_Y, BODY_Y, BODY_BOTTOM = 0.3, 1.65, 7.5 - 0.35
#: width of the map on a slide with one (the other blocks take the rest)
MAP_W = 6.3


@dataclass(frozen=True)
class SlideLayout:
    """A slide's title (font size, box), subtitle box and placed blocks."""

    title: str
    title_pt: float
    title_box: Box
    subtitle: str
    subtitle_box: Box
    placed: list[Placed]


def title_size(text: str, width: float, pt: float = TITLE_PT, least: float = 20) -> float:
    """The largest size from ``pt`` down to ``least`` at which ``text`` is one line."""
    size = pt
    while size > least and len(wrap(text, width, size, True)) > 1:
        size -= 1
    return size


def slide_layout(slide: Slide, lang: str) -> SlideLayout:
    """Where the title, subtitle and every block of ``slide`` go on a 16:9 page: a map on
    the left with the other blocks beside it; without one, the blocks across the page (in
    two columns when one column would have to shrink)."""
    width = SLIDE_W - 2 * MARGIN
    title_pt = title_size(slide.title, width)
    title_box = Box(MARGIN, TITLE_Y, width, 0.8)
    subtitle_box = Box(MARGIN, TITLE_Y + 0.8, width, 0.45)
    body = Box(MARGIN, BODY_Y, width, BODY_BOTTOM - BODY_Y)
    maps = [b for b in slide.blocks if isinstance(b, MapFigure)]
    rest = [b for b in slide.blocks if not isinstance(b, MapFigure)]
    style = Style()
    placed: list[Placed] = []
    if maps:
        n = len(maps)
        each = (body.h - GAP * (n - 1)) / n
        for i, m in enumerate(maps):
            placed.append(Placed(m, Box(body.x, body.y + i * (each + GAP), MAP_W, each), 0))
        right = Box(body.x + MAP_W + 0.3, body.y, width - MAP_W - 0.3, body.h)
        placed += fit(rest, right, style, lang) if rest else []
    else:
        placed += _across(rest, body, style, lang)
    return SlideLayout(slide.title, title_pt, title_box, slide.subtitle, subtitle_box, placed)


def _across(blocks: list[Block], body: Box, style: Style, lang: str) -> list[Placed]:
    """One column across ``body``, or two when one would shrink and two do not."""
    one = fit(blocks, body, style, lang)
    if len(blocks) < 2 or (one and one[0].pt >= _base_pt(one[0].block, style)
                           and not _shortened(one, blocks)):  # fmt: skip
        return one
    half = (body.w - 0.3) / 2
    heights = [measure(b, half, style)[0] for b in blocks]
    total, best, cut = sum(heights), None, 1
    for k in range(1, len(blocks)):  # the cut that balances the two columns best
        worst = max(sum(heights[:k]), total - sum(heights[:k]))
        if best is None or worst < best:
            best, cut = worst, k
    left = fit(blocks[:cut], Box(body.x, body.y, half, body.h), style, lang)
    right = fit(blocks[cut:], Box(body.x + half + 0.3, body.y, half, body.h), style, lang)
    return left + right if min(p.pt for p in left + right) >= min(p.pt for p in one) else one


def _base_pt(block: Block, style: Style) -> float:
    return measure(block, 1.0, style)[1]


def _shortened(placed: list[Placed], blocks: list[Block]) -> bool:
    return any(p.block is not b for p, b in zip(placed, blocks, strict=True))



def footer_text(ctx: DeckContext) -> str:
    """A page's footer: ``region · week`` and, when counts are suppressed, that rule."""
    parts = [ctx.region_name, str(ctx.week) if ctx.week is not None else ""]
    t = ctx.suppress.threshold
    if t is not None:
        parts.append(SUPPRESSED(ctx.lang).format(n=t - 1, t=t))
    return " · ".join(p for p in parts if p)
