"""Where each block of a slide goes: text measured, tables sized, blocks fitted to a box.

The PPTX and the PDF export draw the same layout (:func:`slide_layout`, in inches from the
page's top left corner), so a slide looks alike in both; the A4 kecamatan summary fits its
columns with :func:`fit` too.

Written by hand, because no library does it: python-pptx cannot measure text (PowerPoint
grows a table row only when it opens the file) and matplotlib has no page layout nor a
table that wraps its cells. Text is measured from the glyph advances of DejaVu Sans (the
PDF's font, read through matplotlib's FreeType binding; PowerPoint's default Calibri is
narrower, so a PPTX cell keeps a little room to spare) and wrapped at word boundaries. A
column that does not fit at the base size is drawn smaller (down to :data:`SCALES`'s last
step), then its longest tables lose rows, replaced by one ``… n more rows`` row — never a
row cut in half.

Examples
--------
>>> wrap("Desa dengan keterampilan yang belum dimiliki", 2.5, 12)
['Desa dengan keterampilan', 'yang belum dimiliki']
>>> g = grid((("Desa", "Kasus"), ("Sukamaju", "< 5")), True, 2.0, 12)
>>> g.numeric, round(sum(g.widths), 6), g.lines[1]
((False, True), 2.0, (('Sukamaju',), ('< 5',)))
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font, LoadFlags

from layers.panel import BarChart, Facts, Note, Table
from layers.present.deck import Block, DeckContext, MapFigure, Slide
from layers.text import Text

#: the font text is measured in
FONT = "DejaVu Sans"
#: line height as a share of the font size
LINE_EM = 1.25
#: cell padding, inches
PAD_X, PAD_Y = 0.08, 0.04
#: room left in a cell beyond its measured text (other renderers' rounding), inches
SLACK = 0.05
#: space between blocks, and under a heading, inches
GAP, HEAD_GAP = 0.14, 0.05
#: font scales tried, largest first, before tables lose rows
SCALES = (1.0, 0.9, 0.8, 0.7, 0.62)
#: a table keeps at least this many body rows when it is shortened
MIN_ROWS = 2
MORE_ROWS = Text("… dan {n} baris lainnya", "… and {n} more rows")
SUPPRESSED = Text("Jumlah kasus 1–{n} ditulis < {t} (perlindungan data).",
                  "Case counts 1–{n} are written < {t} (data protection).")  # fmt: skip
_NUMERIC = re.compile(r"^(–|[<>≥+\-–]?\s*[\d.,]+(\s*(%|/\s*[\d.,]+))?)$")


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


def line_h(pt: float) -> float:
    """Height of one line of ``pt`` text, inches."""
    return pt * LINE_EM / 72


_LOCK = threading.Lock()


@functools.cache
def _font(bold: bool) -> tuple[FT2Font, dict[str, float]]:
    """The font at 100 pt and 72 dpi (an advance in pixels is then 100 × its em share)
    and its cache of advances."""
    prop = font_manager.FontProperties(family=FONT, weight="bold" if bold else "normal")
    font = FT2Font(font_manager.findfont(prop))
    font.set_size(100, 72)
    return font, {}


def text_width(text: str, pt: float, bold: bool = False) -> float:
    """The width of one line of ``text`` at ``pt`` points, inches (kerning ignored)."""
    font, cache = _font(bold)
    total = 0.0
    for c in text:
        em = cache.get(c)
        if em is None:
            with _LOCK:  # FreeType faces are not thread-safe
                glyph = font.load_char(ord(c), flags=LoadFlags.NO_HINTING)
            em = cache[c] = glyph.linearHoriAdvance / 65536 / 100
        total += em
    return total * pt / 72


def wrap(text: str, width_in: float, pt: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines that fit ``width_in`` (its own line breaks
    kept; a word longer than a line is broken where it must)."""
    out: list[str] = []
    for para in str(text).splitlines() or [""]:
        line = ""
        for word in para.split():
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, pt, bold) <= width_in:
                line = candidate
                continue
            if line:
                out.append(line)
            while text_width(word, pt, bold) > width_in and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut], pt, bold) > width_in:
                    cut -= 1
                out.append(word[:cut])
                word = word[cut:]
            line = word
        out.append(line)
    return out


@dataclass(frozen=True)
class Heading:
    """A bold line over the blocks that follow it (the A4 summary's sections)."""

    text: str


@dataclass(frozen=True)
class Grid:
    """A measured table: its cells (header first when ``header``), column widths, row
    heights (inches), each cell's wrapped lines, font size and right-aligned columns."""

    rows: tuple[tuple[str, ...], ...]
    header: bool
    widths: tuple[float, ...]
    heights: tuple[float, ...]
    lines: tuple[tuple[tuple[str, ...], ...], ...]
    pt: float
    numeric: tuple[bool, ...]

    @property
    def height(self) -> float:
        return sum(self.heights)


def _numeric(cells: list[str]) -> bool:
    found = [c.strip() for c in cells if c.strip()]
    return bool(found) and all(_NUMERIC.match(c) for c in found)


def _natural(text: str, pt: float, bold: bool = False) -> float:
    """Width (inches) of ``text`` on one line, its longest line for several."""
    return max((text_width(line, pt, bold) for line in str(text).splitlines()), default=0.0)


def column_widths(rows: tuple[tuple[str, ...], ...], width: float, pt: float,
                  header: bool = True, bold: tuple[int, ...] = (), least: float = 0.0,
                  stretch: float = 1.6) -> tuple[float, ...]:  # fmt: skip
    """Column widths (inches), summing to at most ``width``.

    When every column fits whole, each gets its text's width, widened by up to
    ``stretch`` towards ``width``. Else numbers keep their width (a number never wraps),
    columns narrower than a fair share keep theirs, and the others share what is left by
    their length and wrap — never narrower than their longest word (up to 16 characters)
    nor than ``least`` of ``width``. The header row and the ``bold`` columns are measured
    bold."""
    n = len(rows[0])
    pad = 2 * PAD_X + SLACK
    body = rows[1:] if header else rows

    def size(i: int, j: int, text: str | None = None) -> float:
        heavy = (header and i == 0) or j in bold
        return _natural(rows[i][j] if text is None else text, pt, heavy)

    natural = [max(max(size(i, j) for i in range(len(rows))), 0.15 * pt / 12) + pad
               for j in range(n)]  # fmt: skip
    if sum(natural) <= width:
        grow = min(stretch, width / sum(natural))
        return tuple(w * grow for w in natural)
    numbers = {j for j in range(n) if _numeric([r[j] for r in body])}
    word = [max((size(i, j, w[:16]) for i in range(len(rows)) for w in rows[i][j].split()),
                default=0.0) + pad for j in range(n)]  # fmt: skip
    floor = [natural[j] if j in numbers else max(least * width, min(natural[j], word[j]))
             for j in range(n)]  # fmt: skip
    fixed = {j: natural[j] for j in numbers}
    share: dict[int, float] = {}
    while len(fixed) < n:  # water-filling
        free = [j for j in range(n) if j not in fixed]
        left = width - sum(fixed.values())
        total = sum(natural[j] for j in free)
        share = {j: left * natural[j] / total for j in free}
        settled = {j: natural[j] for j in free if natural[j] <= share[j]}
        settled |= {j: floor[j] for j in free if share[j] < floor[j] and j not in settled}
        if not settled:
            break
        fixed |= settled
    widths = [fixed.get(j, share.get(j, 0.0)) for j in range(n)]
    scale = min(1.0, width / sum(widths))
    return tuple(w * scale for w in widths)


def grid(rows: tuple[tuple[str, ...], ...], header: bool, width: float, pt: float,
         bold: tuple[int, ...] = (), least: float = 0.0, stretch: float = 1.6) -> Grid:
    """Measure ``rows`` (the first is the header when ``header``) at ``pt`` in ``width``;
    the header and the ``bold`` columns are set bold."""
    rows = tuple(tuple(str(c) for c in r) for r in rows)
    widths = column_widths(rows, width, pt, header, bold, least, stretch)
    lines = tuple(
        tuple(tuple(wrap(c, w - 2 * PAD_X, pt, (header and i == 0) or j in bold))
              for j, (c, w) in enumerate(zip(r, widths, strict=True)))
        for i, r in enumerate(rows))  # fmt: skip
    heights = tuple(max(len(c) for c in r) * line_h(pt) + 2 * PAD_Y for r in lines)
    body = rows[1:] if header else rows
    numeric = tuple(_numeric([r[j] for r in body]) for j in range(len(rows[0])))
    return Grid(rows, header, widths, heights, lines, pt, numeric)


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
