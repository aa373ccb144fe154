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
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.font_manager import FontProperties

#: up to this many villages every name is a candidate label
LABEL_ALL = 150
#: text width per character, as a share of the font size (DejaVu Sans, mixed case)
CHAR_WIDTH = 0.58
INK = "#111111"
HALO = "#ffffff"


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
           frame: tuple[float, float, float, float]) -> list[int]:  # fmt: skip
    """Indices of the labels to draw: largest village first, none overlapping another or
    leaving ``frame`` (pixels); with ``fit_only`` only labels smaller than their village.

    >>> b = np.array([[0, 0, 10, 4], [5, 1, 15, 5], [20, 0, 30, 4.0]])
    >>> choose(b, np.array([50.0, 90.0, 10.0]), fit_only=False, frame=(0, 0, 40, 10))
    [1, 2]
    """
    x0, y0, x1, y1 = frame
    inside = (boxes[:, 0] >= x0) & (boxes[:, 1] >= y0) & (boxes[:, 2] <= x1) \
        & (boxes[:, 3] <= y1)
    if fit_only:
        inside &= areas_px >= (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
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


def draw_labels(ax: Axes, geoms: np.ndarray, names: list[str], font_pt: float,
                halo_pt: float) -> int:  # fmt: skip
    """Draw the chosen names of the villages ``geoms`` on the map ``ax``; returns how many."""
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
    chosen = choose(label_boxes(px, names, font_px, widths), areas,
                    fit_only=len(names) > LABEL_ALL,
                    frame=(box.x0, box.y0, box.x1, box.y1))  # fmt: skip
    # the white halo is a copy drawn as outlines (path effects turn text into paths), the
    # name over it stays text (an SVG <text>, extractable from a PDF)
    halo = [patheffects.Stroke(linewidth=halo_pt, foreground=HALO)]
    for i in chosen:
        ax.text(xy[i, 0], xy[i, 1], names[i], ha="center", va="center", fontsize=font_pt,
                color=HALO, path_effects=halo, zorder=4, clip_on=True, gid="halo")
        ax.text(xy[i, 0], xy[i, 1], names[i], ha="center", va="center", fontsize=font_pt,
                color=INK, zorder=5, clip_on=True)  # fmt: skip
    return len(chosen)
