"""The presentation's slides laid out for a room: screens of blocks in large type.

A slide of the deck model (:mod:`layers.present.deck`) holds blocks — the village panel's
Facts, Table, BarChart and Note, and MapFigure. Read from the back of a room (body text
at least 28 px, titles 44 px at 1366×768) a slide rarely fits one screen, so
:func:`paginate` cuts its blocks into *screens*, each under the slide's title, from an
estimate of their height in lines of body text:

* a MapFigure gets a screen of its own: the server-drawn image (``/peta.png``) beside the
  layer's legend in readable type (the image's own legend is for print);
* other blocks fill full-width screens in order; a table longer than a screen continues
  on the next with its header repeated; a note stays with the table it introduces;
* on an *editable* slide (the closing slide) the last block — what has been typed on
  it so far — is replaced by the editor (:mod:`.presentasi_notes`).

Blocks are rendered by :func:`dashboard.components.render_block`, the village panel's
renderer; nothing here knows a slide kind. Presenting (keys, counter, full screen) is
``assets/presentasi.js``; the look is ``assets/presentasi.css``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from dash import dcc, html

from dashboard import components, map_image_route
from dashboard.i18n import t
from layers import base, codes
from layers.panel import BarChart, Facts, Note, Table
from layers.present.deck import Block, MapFigure, Slide

#: em of body text (28 px at 1366×768) that fit below a slide's title at 16:9 (20.8 measured)
BUDGET = 20.0
#: characters of body text on one full-width line (about 0.5 em each)
FULL_CHARS = 84
#: the space between two blocks, and a line of body text, in em
GAP = 0.5
LINE = 1.25
#: a note may run this far past the budget rather than sit alone on a screen
NOTE_SLACK = 2.5
#: facts shown as a row of big tiles when there are at most this many, with short values
TILES = 4
TILE_VALUE_CHARS = 16
#: the height of a chart (45vh at 768 px) in em
CHART_EM = 12.3
#: the image asked of the map route, in pixels: the aspect of the slide's map box
MAP_PX = (1200, 900)
#: a table split over screens starts on a screen with room for its head and this many rows
MIN_ROWS = 3
EDITOR = "editor"
#: the levels whose map a click zooms into one of its kecamatan
ZOOMS_FROM = ("prov", "kab")


def _lines(text: str, chars: float) -> int:
    return max(1, math.ceil(len(text) / max(chars, 3)))


def _facts_tiles(block: Facts) -> bool:
    return len(block.rows) <= TILES and all(len(v) <= TILE_VALUE_CHARS for _, v in block.rows)


def _facts_em(block: Facts) -> float:
    if _facts_tiles(block):
        chars = FULL_CHARS / max(len(block.rows), 1) - 2
        return max(_lines(label, chars) for label, _ in block.rows) * LINE + 2.9 + GAP
    return sum(max(_lines(label, FULL_CHARS * 0.35), _lines(value, FULL_CHARS * 0.6)) * LINE
               + 0.3 for label, value in block.rows) + GAP  # fmt: skip


def _widths(table: Table) -> list[float]:
    """Each column's width in characters, as a browser's automatic table layout gives them
    about: every column its longest cell when all fit, else the short columns theirs and
    the long ones share what is left."""
    natural = []
    for i, head in enumerate(table.columns):
        natural.append(max([len(head), *(len(r[i]) for r in table.rows if i < len(r))]) + 1.5)
    if sum(natural) <= FULL_CHARS:
        return natural
    widths, left, room = list(natural), set(range(len(natural))), float(FULL_CHARS)
    while left:
        fair = room / len(left)
        fits = [i for i in left if natural[i] <= fair]
        if not fits:
            break
        for i in fits:
            room -= natural[i]
            left.discard(i)
    for i in left:
        widths[i] = max(room / len(left), 4.0)
    return widths


def _row_em(row: tuple[str, ...], widths: list[float]) -> float:
    lines = max((_lines(cell, w - 1.5) for cell, w in zip(row, widths, strict=False)),
                default=1)  # fmt: skip
    return lines * LINE + 0.3


def _table_em(table: Table, rows: int | None = None) -> float:
    widths = _widths(table)
    shown = table.rows if rows is None else table.rows[:rows]
    return _row_em(table.columns, widths) + sum(_row_em(r, widths) for r in shown) + GAP


def _note_em(block: Note) -> float:
    return _lines(block.text, FULL_CHARS) * LINE + GAP


def editor_em(rows: int) -> float:
    """The closing slide's editor: column heads, ``rows`` rows of inputs, the buttons."""
    return 1.6 + 2.0 * rows + 3.0


def block_em(block: Block | str, editor_rows: int = 3) -> float:
    """The estimated height of a full-width block in em of body text."""
    if block == EDITOR:
        return editor_em(editor_rows)
    if isinstance(block, Facts):
        return _facts_em(block)
    if isinstance(block, Table):
        return _table_em(block)
    if isinstance(block, BarChart):
        return CHART_EM + GAP
    if isinstance(block, Note):
        return _note_em(block)
    return BUDGET


@dataclass
class Screen:
    """One screen of a slide: a map (with its legend beside it) or full-width blocks."""

    blocks: list[Block | str] = field(default_factory=list)
    figure: MapFigure | None = None
    used: float = 0.0


def _rows_fitting(table: Table, room: float) -> int:
    """How many of the table's rows fit ``room`` em under its head."""
    widths = _widths(table)
    used, n = _row_em(table.columns, widths) + GAP, 0
    for row in table.rows:
        used += _row_em(row, widths)
        if used > room:
            break
        n += 1
    return n


def _lead_em(block: Block | str, editor_rows: int) -> float:
    """What must share a screen with a note that introduces ``block``."""
    if isinstance(block, Table):
        return _table_em(block, min(len(block.rows), MIN_ROWS))
    return block_em(block, editor_rows)


def paginate(blocks: list[Block], editable: bool = False,
             editor_rows: int = 3) -> list[Screen]:  # fmt: skip
    """The screens of a slide's blocks (see the module doc); at least one screen."""
    items: list[Block | str] = list(blocks)
    if editable:
        items = [*items[:-1], EDITOR] if items else [EDITOR]
    screens: list[Screen] = []

    def page() -> Screen:
        """The screen being filled: the last one unless it is a map's."""
        if not screens or screens[-1].figure is not None:
            screens.append(Screen())
        return screens[-1]

    def add(block: Block | str, height: float) -> None:
        screen = page()
        screen.blocks.append(block)
        screen.used += height

    i = 0
    while i < len(items):
        item = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        room = BUDGET - page().used
        if isinstance(item, MapFigure):
            screens.append(Screen(figure=item, used=BUDGET))
        elif isinstance(item, Table):
            if _table_em(item) > room:
                whole = _table_em(item) <= BUDGET
                if whole or _rows_fitting(item, room) < min(MIN_ROWS, len(item.rows)):
                    if page().blocks:
                        screens.append(Screen())
                    room = BUDGET
            n = max(1, _rows_fitting(item, room))
            add(replace(item, rows=item.rows[:n]), _table_em(item, n))
            if n < len(item.rows):
                items[i] = replace(item, rows=item.rows[n:])
                screens.append(Screen())
                continue
        else:
            height = block_em(item, editor_rows)
            slack = NOTE_SLACK if isinstance(item, Note) and not isinstance(
                nxt, Table | str) else 0.0  # fmt: skip
            need = height + (_lead_em(nxt, editor_rows)
                             if isinstance(item, Note) and nxt is not None
                             and not isinstance(nxt, MapFigure) else 0.0)  # fmt: skip
            if page().blocks and need > room + slack:
                screens.append(Screen())
            add(item, height)
        i += 1
    return [s for s in screens if s.blocks or s.figure is not None] or [Screen()]


# --------------------------------------------------------------------------- rendering


def map_src(figure: MapFigure, region: str, lang: str) -> str:
    """The map route's URL of ``figure`` over ``region`` (the route checks the scope)."""
    url = map_image_route.image_url(figure.layer, figure.period, region, lang)
    return f"{url}&{urlencode({'width': MAP_PX[0], 'height': MAP_PX[1]})}"


def _legend(figure: MapFigure, lang: str) -> list:
    try:
        legend = base.from_config(figure.layer).legend()
    except ValueError:
        return []
    return components.legend(legend, lang, [])


def map_meta(figure: MapFigure, region: str, lang: str) -> dict[str, Any]:
    """What the zoom callback reads back: the figure and the region drawn (re-checked)."""
    return {"layer": figure.layer, "period": figure.period, "region": region, "zoom": None,
            "caption": figure.caption, "lang": lang}  # fmt: skip


def _map_screen(figure: MapFigure, key: str, region: str, region_name: str,
                lang: str) -> list:  # fmt: skip
    shown = figure.region or region
    zooms = codes.level(shown) in ZOOMS_FROM
    return [
        html.Figure(
            html.Img(id={"type": "pres-map", "index": key}, src=map_src(figure, shown, lang),
                     alt=figure.caption, draggable="false", **{"data-key": key},
                     className="pres-map pres-zooms" if zooms else "pres-map"),
            className="pres-figure"),
        html.Div([
            html.H2(figure.caption, id={"type": "pres-caption", "index": key},
                    className="pres-caption"),
            html.Div(_legend(figure, lang), className="pres-legend"),
            html.Button(t("pres.map.back", lang, name=region_name),
                        id={"type": "pres-back", "index": key}, n_clicks=0,
                        className="pres-button pres-back", style={"display": "none"}),
            html.P(t("pres.map.hint", lang), className="pres-hint pres-chrome-item")
            if zooms else None,
        ], className="pres-side"),
        dcc.Store(id={"type": "pres-click", "index": key}),
        dcc.Store(id={"type": "pres-map-meta", "index": key},
                  data=map_meta(figure, shown, lang)),
    ]  # fmt: skip


def _block(block: Block, lang: str, section: str, n: int) -> object:
    """One block in the room's layout, rendered by the panel's renderer."""
    shown = components.render_block(block, lang, section, n)
    if isinstance(block, Facts):
        kind = "pres-tiles" if _facts_tiles(block) else "pres-list"
        return html.Div(shown, className=f"pres-facts {kind}")
    if isinstance(block, BarChart) and isinstance(shown, dcc.Graph):
        shown.figure.update_layout(height=None, autosize=True, font={"size": 24},
                                   margin={"l": 90, "r": 20, "t": 20, "b": 70})  # fmt: skip
        shown.config = {**(shown.config or {}), "responsive": True, "staticPlot": False}
        shown.style = {"height": "45vh", "width": "100%"}
        shown.className = "pres-chart"
    return shown


def render_slide(slide: Slide, index: int, region: str, region_name: str, lang: str,
                 editor: Any = None, editor_rows: int = 3) -> html.Section:  # fmt: skip
    """A slide's section: its screens, each under the slide's title; ``editor`` (the
    closing slide's inputs) takes the place of its last block."""
    screens = paginate(slide.blocks, editable=editor is not None, editor_rows=editor_rows)
    out = []
    for j, screen in enumerate(screens):
        head = html.Header([html.H1(slide.title, className="pres-title"),
                            html.P(slide.subtitle, className="pres-subtitle")
                            if slide.subtitle else None], className="pres-head")  # fmt: skip
        if screen.figure is not None:
            body = html.Div(_map_screen(screen.figure, f"{index}-{j}", region, region_name,
                                        lang), className="pres-body pres-cols")  # fmt: skip
        else:
            body = html.Div([editor if b == EDITOR else _block(b, lang, f"pres-{index}-{j}", n)
                             for n, b in enumerate(screen.blocks)],
                            className="pres-body pres-rows")  # fmt: skip
        out.append(html.Div([head, body], className="pres-screen",
                            **{"data-kind": slide.kind, "data-slide": str(index),
                               "data-screen": str(j), "data-screens": str(len(screens))}))
    return html.Section(out, className="pres-slide", id=f"pres-slide-{index}",
                        **{"data-kind": slide.kind, "data-notes": slide.notes})
