"""Village name labels that do not overlap.

Labels are placed at each village's representative point (inside the polygon). Up to
:data:`LABEL_ALL` villages every name is a candidate; above that only villages large
enough on the image to hold their name are. Candidates are taken largest village first
and a label whose box would overlap one already placed is skipped, so a province map gets
a readable scatter of names instead of a smudge.
"""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties

#: up to this many villages every name is a candidate label
LABEL_ALL = 150
#: text width per character, as a share of the font size (DejaVu Sans, mixed case)
CHAR_WIDTH = 0.58
INK = "#111111"
LIGHT_INK = "#ffffff"


def label_boxes(points: np.ndarray, names: list[str], font_px: float,
                widths: dict[str, float] | None = None) -> np.ndarray:  # fmt: skip
    """``(n, 4)`` pixel boxes ``x0, y0, x1, y1`` of labels centred on ``points``.

    ``widths`` gives each character's advance in pixels (:func:`char_widths`); without it
    a character is :data:`CHAR_WIDTH` of the font size.
    """
    if widths is None:
        lengths = np.array([CHAR_WIDTH * font_px * len(n) for n in names], dtype=float)
    else:
        fallback = max(widths.values(), default=CHAR_WIDTH * font_px)
        lengths = np.array([sum(widths.get(c, fallback) for c in n) for n in names],
                           dtype=float)  # fmt: skip
    half_w, half_h = lengths * 1.04 / 2 + 2, np.full(len(names), 0.65 * font_px)
    x, y = points[:, 0], points[:, 1]
    return np.column_stack([x - half_w, y - half_h, x + half_w, y + half_h])


def char_widths(ax: Axes, names: list[str], font_pt: float) -> dict[str, float]:
    """The advance in pixels of every character of ``names`` at ``font_pt`` (measured once
    per character: measuring 8,500 names one by one takes seconds)."""
    renderer = ax.figure.canvas.get_renderer()  # type: ignore[attr-defined]
    prop = FontProperties(size=font_pt)
    chars = sorted(set("".join(names)))
    return {c: renderer.get_text_width_height_descent(c, prop, ismath=False)[0]
            for c in chars}  # fmt: skip


def choose(boxes: np.ndarray, areas_px: np.ndarray, *, fit_only: bool,
           frame: tuple[float, float, float, float],
           fits: np.ndarray | None = None) -> list[int]:  # fmt: skip
    """Indices of the labels to draw: largest village first, none overlapping another or
    leaving ``frame`` (pixels); with ``fit_only`` only labels smaller than their village
    (and, given ``fits``, only those whose box lies inside it).

    >>> b = np.array([[0, 0, 10, 4], [5, 1, 15, 5], [20, 0, 30, 4.0]])
    >>> choose(b, np.array([50.0, 90.0, 10.0]), fit_only=False, frame=(0, 0, 40, 10))
    [1, 2]
    """
    x0, y0, x1, y1 = frame
    inside = (boxes[:, 0] >= x0) & (boxes[:, 1] >= y0) & (boxes[:, 2] <= x1) \
        & (boxes[:, 3] <= y1)
    if fit_only:
        inside &= areas_px >= (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
        if fits is not None:
            inside &= fits
    kept: list[int] = []
    placed = np.empty((0, 4))
    for i in np.argsort(-areas_px, kind="stable"):
        if not inside[i]:
            continue
        b = boxes[i]
        if len(placed) and np.any((placed[:, 0] < b[2]) & (b[0] < placed[:, 2])
                                  & (placed[:, 1] < b[3]) & (b[1] < placed[:, 3])):
            continue
        kept.append(int(i))
        placed = np.vstack([placed, b])
    return kept


def _inside(ax: Axes, geoms: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Whether each pixel box's corners and edge midpoints lie inside its geometry."""
    if not len(geoms):
        return np.zeros(0, dtype=bool)
    x0, y0, x1, y1 = boxes.T
    xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
    xs = np.column_stack([x0, x1, x1, x0, xm, x1, xm, x0])
    ys = np.column_stack([y0, y0, y1, y1, y0, ym, y1, ym])
    data = ax.transData.inverted().transform(np.column_stack([xs.ravel(), ys.ravel()]))
    shapely.prepare(geoms)
    found = shapely.contains_xy(np.repeat(geoms, xs.shape[1]), data[:, 0], data[:, 1])
    return found.reshape(xs.shape).all(axis=1)


def ink_for(fill: str) -> str:
    """Dark text on a light fill, white text on a dark one (relative luminance < 0.4).

    >>> ink_for("#ffffb2"), ink_for("#bd0026")
    ('#111111', '#ffffff')
    """
    rgb = np.array([int(fill[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return LIGHT_INK if float(linear @ [0.2126, 0.7152, 0.0722]) < 0.4 else INK


def draw_labels(ax: Axes, geoms: np.ndarray, names: list[str], fills: np.ndarray,
                font_pt: float) -> int:  # fmt: skip
    """Draw the chosen names of the villages ``geoms`` on the map ``ax``, each in the ink
    that reads on its village's ``fills`` colour; returns how many.

    Names are plain text (an SVG ``<text>``, extractable from a PDF): a halo would need a
    path effect, which turns text into outlines and costs ~4 ms a label.
    """
    if not len(geoms):
        return 0
    dpi = ax.figure.dpi
    font_px = font_pt * dpi / 72.0
    points = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(points)
    px = ax.transData.transform(xy)
    scale = ax.transData.transform([(0.0, 0.0), (1.0, 1.0)])
    per_deg2 = abs((scale[1, 0] - scale[0, 0]) * (scale[1, 1] - scale[0, 1]))
    areas = shapely.area(geoms) * per_deg2
    box = ax.get_window_extent()
    widths = char_widths(ax, names, font_pt)
    boxes = label_boxes(px, names, font_px, widths)
    fit_only = len(names) > LABEL_ALL
    # whether a label's box lies inside its village, for the few that might (checked at
    # its corners and edge midpoints)
    candidates = np.flatnonzero(~fit_only | (areas >= (boxes[:, 2] - boxes[:, 0])
                                             * (boxes[:, 3] - boxes[:, 1])))
    fits = np.zeros(len(names), dtype=bool)
    fits[candidates] = _inside(ax, geoms[candidates], boxes[candidates])
    chosen = choose(boxes, areas, fit_only=fit_only, frame=(box.x0, box.y0, box.x1, box.y1),
                    fits=fits)  # fmt: skip
    inks: dict[str, str] = {}
    for i in chosen:
        fill = str(fills[i])
        # light ink only on the village's own dark fill (a name spilling out stays dark)
        ink = inks.setdefault(fill, ink_for(fill)) if fits[i] else INK
        ax.text(xy[i, 0], xy[i, 1], names[i], ha="center", va="center", fontsize=font_pt,
                color=ink, zorder=5, clip_on=True)  # fmt: skip
    return len(chosen)
