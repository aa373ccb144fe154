"""A layer's map as an image (PNG, SVG, PDF), drawn on the server without tiles or browser.

Used by the command line (``pws peta``), the map page's download (``/peta.png``) and the
meeting slides and exports. :func:`render_map` reads a scope's villages, kecamatan and the
layer's values from the store (the scope's polygons read and prepared once per boundary
version); :func:`draw_map` (and :func:`map_figure`, which keeps the figure for callers
that add to it or need pixel positions) draws from a GeoDataFrame and a
:class:`~layers.base.LayerResult` alone, without a store (:mod:`layers.render.draw`, whose
names are also importable from here).

The image holds every village of the scope in its class colour from the layer's own legend
(no data grey), thin village edges, the kecamatan outlines over them, optional village
names, a title (the layer, the region, the period), the legend (the layer's title, classes
and no-data entry, as the map page shows them, and its summary), a scale bar of a round
length, a north arrow and a source line with the newest import's date. Everything beside
the map sits in a column right of it, so nothing covers a village.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy.orm import Session

from layers import base
from layers.render import furniture
from layers.render.draw import (  # noqa: F401 - the drawing API, importable from here too
    _SAVE_LOCK,
    EDGE_COLOR,
    MAX_PX,
    MEDIA_TYPES,
    MIN_PX,
    REFERENCE_PX,
    SAVE_LOCK,
    Format,
    MapFigure,
    check_size,
    classes_of,
    colors_of,
    draw_map,
    map_figure,
    save,
)
from layers.render.shapes import MapShapes
from layers.scope import Scope
from layers.store import queries
from layers.text import Text

ALL_REGIONS = Text("Semua wilayah", "All regions")


# --------------------------------------------------------------------------- the store


#: prepared shapes per (store, boundary version, scope), most recent last
_SHAPES: OrderedDict[tuple[str, str, str], MapShapes] = OrderedDict()
_SHAPES_KEPT = 8
_SHAPES_LOCK = threading.Lock()


def scope_shapes(session: Session, scope: Scope) -> MapShapes:
    """The scope's villages and kecamatan polygons, read once per boundary version."""
    key = (session.get_bind().url.render_as_string(hide_password=True),
           queries.geometry_version(session), scope.key)  # fmt: skip
    with _SHAPES_LOCK:
        if key in _SHAPES:
            _SHAPES.move_to_end(key)
            return _SHAPES[key]
    shapes = MapShapes(queries.villages(session, scope), queries.regions(session, scope, "kec"))
    with _SHAPES_LOCK:
        _SHAPES[key] = shapes
        while len(_SHAPES) > _SHAPES_KEPT:
            _SHAPES.popitem(last=False)
    return shapes


def region_name(session: Session, scope: Scope, lang: str) -> str:
    """The scope's regions as ``Name (code)``, joined; all regions for everything."""
    if scope.regions is None:
        return ALL_REGIONS(lang)
    names = []
    for kode in sorted(scope.regions):
        info = queries.region(session, scope, kode)
        names.append(f"{info['nama']} ({kode})" if info else kode)
    shown = ", ".join(names[:3])
    return f"{shown} +{len(names) - 3}" if len(names) > 3 else shown


def data_date(session: Session, scope: Scope) -> date | None:
    """The day (UTC) of the newest import or trusted load that wrote data in the scope."""
    log = queries.import_log(session, scope)
    written = log[log["status"].isin(["ok", "dimuat"])]
    return None if written.empty else written["waktu"].max().date()


def layer_result(session: Session, scope: Scope, layer: base.Layer, period: base.Period,
                 lang: str) -> base.LayerResult:  # fmt: skip
    """The layer's values, or, for a weekly or yearly layer without a period (none holds
    data), every village as no data under the layer's own words (as the map page does)."""
    if layer.period_kind != base.SNAPSHOT and period is None:
        kode = queries.village_table(session, scope)["kode"]
        return base.no_data_result(kode, layer.legend(), layer.no_periods_text(), lang)
    return layer.load(session, scope, period, lang)


def default_title(session: Session, scope: Scope, layer: base.Layer, period: base.Period,
                  lang: str) -> tuple[str, str]:  # fmt: skip
    """``(title, subtitle)``: the layer's title; the region and the period."""
    when = furniture.period_label(period, lang, snapshot=layer.period_kind == base.SNAPSHOT)
    return layer.title(lang), f"{region_name(session, scope, lang)} · {when}"


def render_map(session: Session, scope: Scope, layer: base.Layer, period: base.Period,
               lang: str = "id", *, fmt: Format = "png", width_px: int = 1600,
               height_px: int = 1000, dpi: int = 150, labels: bool = False,
               title: str | None = None, made: date | None = None,
               text_pt: float | None = None) -> bytes:  # fmt: skip
    """The map of ``layer`` over every village of ``scope`` in ``period`` as image bytes.

    Parameters
    ----------
    session, scope
        The store and what may be read (the caller narrows it to the region shown).
    layer, period
        What to draw: a layer (e.g. :func:`layers.base.from_config`) and a period of its
        kind (None for a snapshot; None for a weekly or yearly layer draws no data).
    lang
        ``id`` or ``en``.
    fmt, width_px, height_px, dpi, labels
        As :func:`draw_map`.
    title
        The heading; by default the layer's title over the region and the period.
    made
        The date in the source line (default today).
    text_pt
        The legend's text size in points at ``dpi`` (slides, printed pages); by default it
        grows with the image.

    Returns
    -------
    bytes
        PNG, SVG or PDF.

    Raises
    ------
    ValueError
        No village in the scope, a bad size or format.
    """
    check_size(width_px, height_px, dpi)
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown image format {fmt!r}; known: {sorted(MEDIA_TYPES)}")
    shapes = scope_shapes(session, scope)
    result = layer_result(session, scope, layer, period, lang)
    heading, subtitle = default_title(session, scope, layer, period, lang)
    if title is not None:
        heading, subtitle = title, ""
    source = furniture.source_line(data_date(session, scope), made or date.today(), lang)
    return draw_map(shapes, result, lang, title=heading, subtitle=subtitle, source=source,
                    fmt=fmt, width_px=width_px, height_px=height_px, dpi=dpi,
                    labels=labels, text_pt=text_pt)  # fmt: skip
