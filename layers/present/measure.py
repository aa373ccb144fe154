"""Text measured and tables sized for the exports (:mod:`layers.present.layout`).

Written by hand, because no library does it: python-pptx cannot measure text (PowerPoint
grows a table row only when it opens the file) and matplotlib's ``table`` neither wraps
cells nor sizes columns to their text. Text is measured from the glyph advances of DejaVu
Sans (the PDF's font, read through matplotlib's FreeType binding; kerning ignored;
PowerPoint's default Calibri is narrower, so a PPTX cell keeps a little room to spare) and
wrapped at word boundaries. A table's columns get their text's width when they fit; else
numbers keep theirs (a number never wraps) and the longest columns share the rest and wrap.

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

#: the font text is measured in
FONT = "DejaVu Sans"
#: line height as a share of the font size
LINE_EM = 1.25
#: cell padding, inches
PAD_X, PAD_Y = 0.08, 0.04
#: room left in a cell beyond its measured text (other renderers' rounding), inches
SLACK = 0.05
#: a number as the exports write it: ``1.234``, ``< 5``, ``67,2 %``, ``150 / 250``, ``–``
_NUMERIC = re.compile(r"^(–|[<>≥+\-–]?\s*[\d.,]+(\s*(%|/\s*[\d.,]+))?)$")


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
