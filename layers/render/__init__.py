"""Server-side map images: any layer, any scope and period, as PNG, SVG or PDF.

:func:`render_map` reads from the store (the command line ``pws peta``, the map page's
download route, the meeting slides); :func:`draw_map` and :func:`map_figure` draw from a
GeoDataFrame and a :class:`~layers.base.LayerResult` alone (:mod:`.draw`). The pieces:
:mod:`.shapes` (polygons as matplotlib paths), :mod:`.furniture` (legend, scale bar, north
arrow, source line), :mod:`.labels` (village names that do not overlap).
"""

from layers.render.mapimage import (
    MAX_PX,
    MEDIA_TYPES,
    MIN_PX,
    Format,
    MapFigure,
    draw_map,
    map_figure,
    render_map,
)
from layers.render.shapes import MapShapes

__all__ = ["MAX_PX", "MEDIA_TYPES", "MIN_PX", "Format", "MapFigure", "MapShapes", "draw_map",
           "map_figure", "render_map"]
