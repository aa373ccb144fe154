"""Drawing a layer result on its villages: the figure, its furniture, the bytes.

The pure half of :mod:`layers.render.mapimage` — no store: :func:`map_figure` takes the
villages (a GeoDataFrame, or :class:`~layers.render.shapes.MapShapes` prepared from them)
and a :class:`~layers.base.LayerResult` and lays out the map, the title, the legend column
(north arrow, legend, summary, scale bar) and the source line; :func:`draw_map` saves it.

Drawing uses matplotlib's object API (:class:`~matplotlib.figure.Figure` on an Agg canvas)
and never ``pyplot``, whose global state is not safe in a threaded web server. Longitude
and latitude are drawn with a degree of latitude ``1 / cos(mid-latitude)`` times a degree
of longitude, so shapes keep their proportions. Text stays text: SVG ``<text>`` elements
and embedded TrueType in PDF (extractable with pypdf); the two font settings are global
rcParams, so :func:`save` sets them only around the save, under :data:`SAVE_LOCK`.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from layers import base
from layers.render import furniture
from layers.render import labels as village_labels
from layers.render.shapes import MapShapes

Format = Literal["png", "svg", "pdf"]
#: output format -> media type
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml",
                               "pdf": "application/pdf"}  # fmt: skip
#: largest width or height accepted, in pixels
MAX_PX = 8000
MIN_PX = 200
#: village edge colour; kecamatan outlines are :data:`furniture.KECAMATAN_COLOR`
EDGE_COLOR = "#7a7a7a"
#: the size at which fonts and strokes have their nominal pixel sizes
REFERENCE_PX = (1600, 1000)
#: held around every save that changes the global font rcParams (other savers share it)
SAVE_LOCK = _SAVE_LOCK = threading.Lock()


@dataclass
class MapFigure:
    """A drawn map: the figure, its map axes and where things landed in image pixels.

    ``legend_px`` is the legend box as ``(left, top, right, bottom)`` image pixels (rows
    counted from the top, as in the PNG); ``labels`` is how many village names were drawn.
    """

    figure: Figure
    ax: Axes
    legend_px: tuple[float, float, float, float]
    scale_m: float
    labels: int

    def to_pixel(self, lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
        """``(n, 2)`` image pixels ``(column, row)`` of points; row 0 is the top row."""
        xy = np.column_stack([np.atleast_1d(lon), np.atleast_1d(lat)]).astype(float)
        px = self.ax.transData.transform(xy)
        px[:, 1] = self.figure.bbox.height - px[:, 1]
        return px

    def save(self, fmt: Format = "png") -> bytes:
        """The image as bytes: PNG at the figure's pixel size, or SVG/PDF with real text."""
        return save(self.figure, fmt)


def save(fig: Figure, fmt: Format) -> bytes:
    """``fig`` as PNG, SVG (text as ``<text>``) or PDF (TrueType text) bytes."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown image format {fmt!r}; known: {sorted(MEDIA_TYPES)}")
    buf = io.BytesIO()
    if fmt == "png":
        fig.savefig(buf, format="png", dpi=fig.dpi, facecolor="white")
        return buf.getvalue()
    # the font settings are global rcParams: set them only around this save, one at a time
    settings = {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "pws-ilp"}
    metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None}
    with _SAVE_LOCK, matplotlib.rc_context(settings):
        fig.savefig(buf, format=fmt, dpi=fig.dpi, facecolor="white", metadata=metadata)
    return buf.getvalue()


def check_size(width_px: int, height_px: int, dpi: int) -> None:
    """ValueError unless the size is whole pixels within :data:`MIN_PX`–:data:`MAX_PX` and
    the dpi within 50–600."""
    for name, value, low, high in (("width", width_px, MIN_PX, MAX_PX),
                                   ("height", height_px, MIN_PX, MAX_PX),
                                   ("dpi", dpi, 50, 600)):  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name} must be a whole number in {low}–{high}, got {value!r}")


def classes_of(villages: pd.DataFrame, result: base.LayerResult) -> np.ndarray:
    """The class of each village (in ``villages`` order; -1 where the result has none)."""
    table = result.table
    klass = dict(zip(table["kode_desa"], table["klass"], strict=True))
    return np.array([int(klass.get(k, -1)) for k in villages["kode"]], dtype=int)


def colors_of(klass: np.ndarray, legend: base.Legend) -> np.ndarray:
    """The legend colour of each class index (``legend.color_of``, vectorised).

    >>> from layers.base import Legend, LegendClass
    >>> from layers.text import Text
    >>> lg = Legend(Text("t", "t"), (LegendClass("#ff0000", Text("a", "a")),))
    >>> colors_of(np.array([0, -1]), lg).tolist()
    ['#ff0000', '#d9d9d9']
    """
    palette = np.array([c.color for c in legend.classes] + [legend.no_data.color], dtype=object)
    index = np.where((klass >= 0) & (klass < len(legend.classes)), klass, len(legend.classes))
    return palette[index]


def map_figure(villages: gpd.GeoDataFrame | MapShapes, result: base.LayerResult,
               lang: str = "id", *, title: str = "", subtitle: str = "", source: str = "",
               width_px: int = 1600, height_px: int = 1000, dpi: int = 150,
               labels: bool = False, vector: bool = False,
               text_pt: float | None = None) -> MapFigure:  # fmt: skip
    """Draw a layer result on its villages; no store needed.

    ``text_pt`` fixes the legend's text size in points where the image is placed at ``dpi``
    (a slide or a printed page, whose reader needs ~10 pt whatever the pixels); by default
    the furniture grows with the image's area.

    Parameters
    ----------
    villages
        The villages to draw (``kode``, ``geometry`` in EPSG:4326; ``nama`` for labels;
        ``kode_kec`` to dissolve kecamatan outlines from), or :class:`MapShapes` prepared
        from them (with the kecamatan polygons, and its paths kept between calls).
    result
        What a layer gave for these villages; its legend colours and labels are used.
    lang
        ``id`` or ``en``: the legend's and the furniture's words.
    title, subtitle, source
        The heading (bold), the line under it and the source line at the bottom.
    width_px, height_px, dpi
        The PNG's size in pixels and its resolution (fonts are sized for the pixels, so
        a larger image is sharper, not emptier).
    labels
        Village names (non-overlapping; on large maps only villages that hold theirs).
    vector
        Simplify less (an SVG or PDF may be zoomed into).

    Returns
    -------
    MapFigure

    Examples
    --------
    >>> import shapely
    >>> from layers.base import Legend, LegendClass, LayerResult
    >>> from layers.text import Text
    >>> rng = np.random.default_rng(7)
    >>> boxes = [shapely.box(110 + i * 0.1, -7, 110.1 + i * 0.1, -6.9) for i in range(3)]
    >>> gdf = gpd.GeoDataFrame({"kode": ["a", "b", "c"], "nama": ["A", "B", "C"]},
    ...                        geometry=boxes, crs=4326)
    >>> lg = Legend(Text("Nilai", "Value"), (LegendClass("#ff0000", Text("tinggi", "high")),))
    >>> table = pd.DataFrame({"kode_desa": ["a", "b", "c"], "value": rng.random(3),
    ...                       "klass": [0, -1, 0], "label": ""})
    >>> m = map_figure(gdf, LayerResult(table, lg), "en", width_px=800, height_px=500)
    >>> col, row = m.to_pixel(110.05, -6.95)[0].round().astype(int)
    >>> from PIL import Image
    >>> Image.open(io.BytesIO(m.save("png"))).convert("RGB").getpixel((col, row))
    (255, 0, 0)
    """
    check_size(width_px, height_px, dpi)
    shapes = villages if isinstance(villages, MapShapes) else MapShapes(villages)
    extent = shapes.bounds
    if extent is None:
        raise ValueError("no villages to draw")
    legend = result.legend
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    unit = min(3.0, max(0.6, math.sqrt(width_px * height_px / math.prod(REFERENCE_PX))))
    if text_pt is not None:  # pt(BODY_PX) == text_pt
        unit = text_pt * dpi / (furniture.BODY_PX * 72.0)
    margin, gap = 24 * unit, 20 * unit

    def pt(px: float) -> float:
        return px * unit * 72.0 / dpi

    top = _heading(fig, title, subtitle, margin, unit, pt)
    bottom = margin
    if source:
        fig.text(margin / width_px, margin / height_px, source, ha="left", va="bottom",
                 fontsize=pt(11), color=furniture.MUTED)  # fmt: skip
        bottom += 11 * unit * 1.7
    longest = max(len(c.label(lang)) for c in [*legend.classes, legend.no_data])
    panel_w = min(0.34 * width_px, max(0.2 * width_px, (longest * 0.56 * 13 + 70) * unit))
    map_box = (margin, bottom + gap, width_px - margin - panel_w - gap, top - gap)
    ax = fig.add_axes((map_box[0] / width_px, map_box[1] / height_px,
                       (map_box[2] - map_box[0]) / width_px,
                       (map_box[3] - map_box[1]) / height_px))  # fmt: skip
    ax.set_axis_off()
    per_px = _fit(ax, extent, map_box)
    tolerance = per_px * (0.2 if vector else 0.5)

    frame = shapes.villages
    colors = colors_of(classes_of(frame, result), legend)
    paths = shapes.village_paths(tolerance)
    area = (map_box[2] - map_box[0]) * (map_box[3] - map_box[1])
    # strokes follow the size a village (a kecamatan) takes on the image: thin on a
    # province of 8,500 villages, bolder on a kecamatan
    village_px = math.sqrt(area / max(1, len(paths)))
    ax.add_collection(PathCollection(paths, facecolors=colors, edgecolors=EDGE_COLOR,
                                     linewidths=pt(min(0.7, max(0.25, village_px / 80))),
                                     zorder=1), autolim=False)  # fmt: skip
    outline = shapes.kecamatan_outline(tolerance)
    if outline is not None:
        kec_px = math.sqrt(area / max(1, len(shapes.kecamatan)))
        ax.add_collection(PathCollection(
            [outline], facecolors="none", edgecolors=furniture.KECAMATAN_COLOR,
            linewidths=pt(min(2.0, max(0.6, kec_px / 50))), zorder=3, capstyle="round",
            joinstyle="round"), autolim=False)  # fmt: skip
    drawn = 0
    if labels and "nama" in frame.columns:
        names = ["" if pd.isna(n) else str(n) for n in frame["nama"]]
        size = 12.0 if len(names) <= village_labels.LABEL_ALL else 10.0
        drawn = village_labels.draw_labels(ax, frame.geometry.values, names, colors,
                                           pt(size))  # fmt: skip

    panel = furniture.Panel(fig, left=map_box[2] + gap, right=width_px - margin, top=top - gap,
                            bottom=map_box[1], unit=unit)  # fmt: skip
    furniture.north_arrow(panel, lang)
    box = furniture.legend_box(panel, legend, lang, outlines=outline is not None,
                               summary=result.summary(lang))  # fmt: skip
    scale = furniture.scale_bar(panel, ax, lang)
    extent_px = box.get_window_extent(fig.canvas.get_renderer())
    legend_px = (extent_px.x0, height_px - extent_px.y1, extent_px.x1, height_px - extent_px.y0)
    return MapFigure(fig, ax, legend_px, scale, drawn)


def draw_map(villages: gpd.GeoDataFrame | MapShapes, result: base.LayerResult,
             lang: str = "id", *, kecamatan: gpd.GeoDataFrame | None = None,
             title: str = "", subtitle: str = "", source: str = "", fmt: Format = "png",
             width_px: int = 1600, height_px: int = 1000, dpi: int = 150,
             labels: bool = False, text_pt: float | None = None) -> bytes:  # fmt: skip
    """:func:`map_figure` saved as ``fmt`` bytes (``kecamatan``: outlines to draw, else
    dissolved from the villages' ``kode_kec``)."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown image format {fmt!r}; known: {sorted(MEDIA_TYPES)}")
    shapes = villages if isinstance(villages, MapShapes) else MapShapes(villages, kecamatan)
    drawn = map_figure(shapes, result, lang, title=title, subtitle=subtitle, source=source,
                       width_px=width_px, height_px=height_px, dpi=dpi, labels=labels,
                       vector=fmt != "png", text_pt=text_pt)  # fmt: skip
    return drawn.save(fmt)


def _heading(fig: Figure, title: str, subtitle: str, margin: float, unit: float,
             pt: Callable[[float], float]) -> float:  # fmt: skip
    """Draw the title and subtitle at the top; the pixel height below them."""
    width, height = fig.bbox.width, fig.bbox.height
    renderer = fig.canvas.get_renderer()
    y = height - margin
    for text, size, weight in ((title, 25, "bold"), (subtitle, 16, "normal")):
        if not text:
            continue
        chars = max(20, int((width - 2 * margin) / (0.58 * size * unit)))
        wrapped = "\n".join(textwrap.fill(line, chars) for line in text.splitlines())
        artist = fig.text(margin / width, y / height, wrapped, ha="left", va="top",
                          fontsize=pt(size), fontweight=weight, color=furniture.INK)
        y = artist.get_window_extent(renderer).y0 - 6 * unit
    return y


def _fit(ax: Axes, extent: tuple[float, float, float, float],
         box: tuple[float, float, float, float]) -> float:  # fmt: skip
    """Set the map's limits so the extent fills its box at a true aspect (a degree of
    latitude 1/cos(mid-latitude) degrees of longitude long); degrees of longitude per
    pixel."""
    minx, miny, maxx, maxy = extent
    pad_x, pad_y = max((maxx - minx) * 0.02, 1e-4), max((maxy - miny) * 0.02, 1e-4)
    minx, maxx, miny, maxy = minx - pad_x, maxx + pad_x, miny - pad_y, maxy + pad_y
    k = math.cos(math.radians((miny + maxy) / 2))
    bw, bh = box[2] - box[0], box[3] - box[1]
    per_deg = min(bw / (maxx - minx), bh * k / (maxy - miny))  # pixels per degree lon
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    half_w, half_h = bw / per_deg / 2, bh * k / per_deg / 2
    ax.set_xlim(cx - half_w, cx + half_w)
    ax.set_ylim(cy - half_h, cy + half_h)
    return 1.0 / per_deg
