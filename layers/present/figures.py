"""A slide's :class:`~layers.present.deck.MapFigure` as a PNG, drawn by :mod:`layers.render`.

Both exports place the image at an explicit size in inches (python-pptx would otherwise
read its pixels at 72 dpi); the image is rendered at that size's aspect ratio, so it is
never stretched, with the layer's own legend, scale bar and north arrow in it.
"""

from __future__ import annotations

from layers import base
from layers.present.deck import DeckContext, MapFigure
from layers.text import Text

#: pixels per inch of the placed image (sharp on a projector and in print)
DPI = 200
#: the map legend's text on a slide or an A4 page, in points (readable when printed)
TEXT_PT = 9.0
NO_MAP = Text("Peta tidak tersedia untuk wilayah ini.", "No map for this region.")


def pixels(width_in: float, height_in: float, dpi: int = DPI) -> tuple[int, int]:
    """The image size for a place of ``width_in`` × ``height_in`` inches (within the
    renderer's bounds, same aspect ratio)."""
    from layers.render.mapimage import MAX_PX, MIN_PX

    scale = min(1.0, MAX_PX / max(width_in * dpi, height_in * dpi))
    w, h = round(width_in * dpi * scale), round(height_in * dpi * scale)
    if min(w, h) < MIN_PX:
        grow = MIN_PX / min(w, h)
        w, h = round(w * grow), round(h * grow)
    return w, h


def map_png(ctx: DeckContext, fig: MapFigure, width_in: float, height_in: float,
            dpi: int = DPI) -> bytes | None:  # fmt: skip
    """The map of ``fig`` for a place of the given size; None when there is nothing to draw
    (no village in the scope)."""
    from layers import catalog  # noqa: F401  (registers the layers)
    from layers.render.mapimage import render_map

    layer = base.from_config(fig.layer)
    period = None if fig.period is None else base.parse_period(layer.period_kind, fig.period)
    scope = ctx.scope.narrow(fig.region) if fig.region else ctx.scope
    if scope.is_empty:
        return None
    w, h = pixels(width_in, height_in, dpi)
    try:
        return render_map(ctx.session, scope, layer, period, ctx.lang, fmt="png", width_px=w,
                          height_px=h, dpi=dpi, title=fig.caption or None,
                          made=ctx.today, text_pt=TEXT_PT * w / (width_in * dpi))  # fmt: skip
    except ValueError:  # no village to draw
        return None
