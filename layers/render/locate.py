"""Where a point of a rendered map image lies on the ground: pixel → longitude/latitude.

A click on a map image (the meeting slides) names a point of the image, not of the map:
the map sits in a box left of the legend column, below the title, at the scope's extent.
:func:`figure_for` lays out the same figure :func:`~layers.render.mapimage.render_map`
draws (same furniture, size and words, so the same map box and limits) and
:func:`lonlat_at` inverts :meth:`~layers.render.mapimage.MapFigure.to_pixel`.

Examples
--------
>>> import geopandas as gpd, pandas as pd, shapely
>>> from layers.base import LayerResult, Legend, LegendClass
>>> from layers.text import Text
>>> boxes = [shapely.box(110, -7, 110.1, -6.9), shapely.box(110.1, -7, 110.2, -6.9)]
>>> gdf = gpd.GeoDataFrame({"kode": ["a", "b"]}, geometry=boxes, crs=4326)
>>> lg = Legend(Text("Nilai", "Value"), (LegendClass("#ff0000", Text("x", "x")),))
>>> table = pd.DataFrame({"kode_desa": ["a", "b"], "value": [1.0, 2.0], "klass": [0, 0],
...                       "label": ""})
>>> from layers.render.mapimage import map_figure
>>> fig = map_figure(gdf, LayerResult(table, lg), width_px=800, height_px=500)
>>> col, row = fig.to_pixel(110.05, -6.95)[0]
>>> lon, lat = lonlat_at(fig, col / 800, row / 500)
>>> round(lon, 6), round(lat, 6)
(110.05, -6.95)
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from layers import base
from layers.render import furniture, mapimage
from layers.scope import Scope


def figure_for(session: Session, scope: Scope, layer: base.Layer, period: base.Period,
               lang: str = "id", *, width_px: int = 1600, height_px: int = 1000,
               dpi: int = 150, labels: bool = False,
               made: date | None = None) -> mapimage.MapFigure:  # fmt: skip
    """The figure :func:`~layers.render.mapimage.render_map` saves for these arguments
    (its default title), not saved: its axes say where the map lies in the image."""
    shapes = mapimage.scope_shapes(session, scope)
    result = mapimage.layer_result(session, scope, layer, period, lang)
    heading, subtitle = mapimage.default_title(session, scope, layer, period, lang)
    source = furniture.source_line(mapimage.data_date(session, scope), made or date.today(),
                                   lang)  # fmt: skip
    return mapimage.map_figure(shapes, result, lang, title=heading, subtitle=subtitle,
                               source=source, width_px=width_px, height_px=height_px,
                               dpi=dpi, labels=labels)  # fmt: skip


def lonlat_at(figure: mapimage.MapFigure, x: float, y: float) -> tuple[float, float]:
    """Longitude and latitude under the image point at fractions ``x`` of the width and
    ``y`` of the height from the top left corner (as a browser reports a click)."""
    width, height = figure.figure.bbox.width, figure.figure.bbox.height
    lon, lat = figure.ax.transData.inverted().transform((x * width, height - y * height))
    return float(lon), float(lat)
