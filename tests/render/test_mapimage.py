"""Server-side map images (``layers.render``) on the demo store.

A real PNG of the size asked for; the legend's colours in the legend's box and its texts
(title, every class label, no data, the kecamatan border) in the SVG's ``<text>`` and the
PDF's extracted text, in Indonesian and English with nothing of the other language;
villages painted in their class colour at a point inside each; kecamatan outlines drawn
along the kecamatan borders; labels that never overlap; a true aspect and a round scale.
"""

from __future__ import annotations

import doctest
import importlib
import io
import re
import xml.etree.ElementTree as ET
from datetime import date

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image
from pypdf import PdfReader
from sqlalchemy.orm import Session

from layers import base, catalog  # noqa: F401 - registers the layers
from layers.render import MapShapes, draw_map, map_figure, mapimage, render_map
from layers.render.furniture import KECAMATAN_BORDERS, nice_length
from layers.scope import Scope
from tests.test_language_mix import _names, foreign_words

KAB = "99.01"
KEC = "99.01.01"
LAYERS = ["insidens", "peringatan", "pustu", "kader"]
SVG_NS = "{http://www.w3.org/2000/svg}"


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def _pixels(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.uint8)


def _period(layer: base.Layer, session: Session, scope: Scope) -> base.Period:
    periods = layer.periods(session, scope)
    return periods[0] if periods else None


def _svg_text(data: bytes) -> str:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG_NS}svg"
    return " ".join(" ".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _legend_texts(legend: base.Legend, lang: str) -> list[str]:
    return [legend.title(lang), *(c.label(lang) for c in legend.classes),
            legend.no_data.label(lang), KECAMATAN_BORDERS(lang)]  # fmt: skip


@pytest.fixture
def kab() -> Scope:
    return Scope.of([KAB])


def test_png_has_the_size_asked_for(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "insidens"})
    period = _period(layer, session, kab)
    for width, height, dpi in ((1600, 1000, 150), (1366, 768, 100), (641, 359, 72)):
        image = _png(render_map(session, kab, layer, period, width_px=width, height_px=height,
                                dpi=dpi))  # fmt: skip
        assert image.size == (width, height)
        assert len(np.unique(_pixels(image).reshape(-1, 3), axis=0)) > 8  # not a blank


@pytest.mark.parametrize("kind", LAYERS)
def test_legend_colours_are_in_the_legend_box(session: Session, kab: Scope, kind: str) -> None:
    layer = base.from_config({"type": kind})
    period = _period(layer, session, kab)
    result = mapimage.layer_result(session, kab, layer, period, "id")
    drawn = map_figure(mapimage.scope_shapes(session, kab), result, "id", title="t")
    image = _png(drawn.save("png"))
    left, top, right, bottom = (round(v) for v in drawn.legend_px)
    assert 0 <= left < right <= image.width and 0 <= top < bottom <= image.height
    inside = set(map(tuple, _pixels(image.crop((left, top, right, bottom))).reshape(-1, 3)))
    for entry in [*result.legend.classes, result.legend.no_data]:
        assert _rgb(entry.color) in inside, f"{kind}: {entry.label.en} {entry.color}"


@pytest.mark.parametrize("kind", LAYERS)
def test_legend_text_is_the_layers_in_each_language(session: Session, kab: Scope,
                                                    kind: str) -> None:  # fmt: skip
    layer = base.from_config({"type": kind})
    period = _period(layer, session, kab)
    names = _names()
    for lang in ("id", "en"):
        other = "en" if lang == "id" else "id"
        svg = _norm(_svg_text(render_map(session, kab, layer, period, lang, fmt="svg",
                                         labels=True)))  # fmt: skip
        pdf = _norm(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_map(
            session, kab, layer, period, lang, fmt="pdf"))).pages))  # fmt: skip
        legend = layer.legend()
        for text in (*_legend_texts(legend, lang), layer.title(lang)):
            assert _norm(text) in svg, f"{kind} {lang}: {text!r} not in the SVG"
            assert _norm(text) in pdf, f"{kind} {lang}: {text!r} not in the PDF"
        for entry in [*legend.classes, legend.no_data]:
            if entry.label(other) != entry.label(lang):
                assert entry.label(other) not in svg, f"{kind} {lang}: {entry.label(other)!r}"
        assert foreign_words(svg, lang, names) == [], (kind, lang)
        assert foreign_words(pdf, lang, names) == [], (kind, lang)


def test_title_source_and_date(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "insidens"})
    period = _period(layer, session, kab)
    made = date(2026, 1, 5)
    newest = mapimage.data_date(session, kab)
    assert newest is not None
    svg_id = _norm(_svg_text(render_map(session, kab, layer, period, "id", fmt="svg",
                                        made=made)))  # fmt: skip
    svg_en = _norm(_svg_text(render_map(session, kab, layer, period, "en", fmt="svg",
                                        made=made)))  # fmt: skip
    assert "Insidens mingguan" in svg_id and "Weekly incidence" in svg_en
    assert f"Kabupaten Contoh (fiktif) ({KAB})" in svg_id
    assert f"Minggu {period} (" in svg_id and f"Week {period} (" in svg_en
    assert "Sumber: Peta PWS-ILP · data per " in svg_id and "dibuat 5 Jan 2026" in svg_id
    assert "Source: PWS-ILP map · data as of " in svg_en and "made 5 Jan 2026" in svg_en
    assert f"{newest.day} " in svg_id.split("data per ")[1]
    own = _norm(_svg_text(render_map(session, kab, layer, period, "id", fmt="svg",
                                     title="Rapat lokakarya mini")))  # fmt: skip
    assert "Rapat lokakarya mini" in own and "Insidens mingguan" not in own


def _inner_points(shapes: MapShapes, drawn: mapimage.MapFigure,
                  margin_px: float = 5.0) -> pd.DataFrame:  # fmt: skip
    """Villages with a point at least ``margin_px`` inside their polygon: code, pixel."""
    geoms = shapes.villages.geometry.values
    points = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(points)
    px = drawn.to_pixel(xy[:, 0], xy[:, 1])
    per_deg = abs(drawn.to_pixel(1.0, 0.0)[0, 0] - drawn.to_pixel(0.0, 0.0)[0, 0])
    inside = shapely.distance(points, shapely.boundary(geoms)) * per_deg
    found = pd.DataFrame({"kode": shapes.villages["kode"], "col": px[:, 0], "row": px[:, 1],
                          "depth": inside})  # fmt: skip
    return found[found["depth"] >= margin_px]


@pytest.mark.parametrize("kind", ["insidens", "pustu"])
def test_villages_are_painted_in_their_class_colour(session: Session, kab: Scope,
                                                    kind: str) -> None:  # fmt: skip
    layer = base.from_config({"type": kind})
    period = _period(layer, session, kab)
    result = mapimage.layer_result(session, kab, layer, period, "id")
    table = result.table.copy()
    # some villages without data, drawn no-data grey
    table.loc[table.index[::17], "klass"] = -1
    result = base.LayerResult(table, result.legend, result.summary)
    shapes = mapimage.scope_shapes(session, kab)
    drawn = map_figure(shapes, result, "id", title="t", width_px=1600, height_px=1000)
    image = _png(drawn.save("png"))
    points = _inner_points(shapes, drawn).merge(table[["kode_desa", "klass"]],
                                                left_on="kode", right_on="kode_desa")
    assert len(points) > 100
    # a sample over every class, no data included
    sample = points.groupby("klass", group_keys=False).head(6)
    assert set(sample["klass"]) == set(table["klass"])
    assert -1 in set(sample["klass"])
    for row in sample.itertuples():
        expected = _rgb(result.legend.color_of(int(row.klass)))
        got = image.getpixel((int(row.col), int(row.row)))
        assert got == expected, f"{row.kode} (class {row.klass}): {got} != {expected}"


def _dark_near(image: Image.Image, col: float, row: float, limit: int = 80) -> bool:
    c, r = int(round(col)), int(round(row))
    box = _pixels(image.crop((c - 1, r - 1, c + 2, r + 2)))
    return int(box.max(axis=2).min()) < limit


def test_kecamatan_outlines_are_drawn(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "insidens"})
    period = _period(layer, session, kab)
    result = mapimage.layer_result(session, kab, layer, period, "id")
    shapes = mapimage.scope_shapes(session, kab)
    assert shapes.kecamatan is not None and len(shapes.kecamatan) == 18
    # points along the borders between kecamatan (inside the kabupaten, not its coast)
    borders = shapely.intersection(shapely.boundary(shapes.kecamatan.geometry.values),
                                   shapely.buffer(shapely.union_all(
                                       shapes.kecamatan.geometry.values), -0.005))  # fmt: skip
    points = [shapely.line_interpolate_point(b, f, normalized=True)
              for b in borders if not b.is_empty for f in (0.1, 0.3, 0.5, 0.7, 0.9)]
    xy = shapely.get_coordinates(np.array(points))
    assert len(xy) >= 50

    with_outlines = map_figure(shapes, result, "id", title="t")
    image = _png(with_outlines.save("png"))
    px = with_outlines.to_pixel(xy[:, 0], xy[:, 1])
    dark = [_dark_near(image, c, r) for c, r in px]
    assert np.mean(dark) > 0.95

    bare = MapShapes(shapes.villages.drop(columns=["kode_kec"]))  # nothing to dissolve
    without = map_figure(bare, result, "id", title="t")
    plain = _png(without.save("png"))
    px = without.to_pixel(xy[:, 0], xy[:, 1])
    assert np.mean([_dark_near(plain, c, r) for c, r in px]) < 0.05
    assert KECAMATAN_BORDERS.id not in _svg_text(without.save("svg"))
    assert KECAMATAN_BORDERS.id in _svg_text(with_outlines.save("svg"))


def test_labels_name_villages_without_overlapping(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "peringatan"})
    for region, everyone in ((KEC, True), (KAB, False)):
        scope = Scope.of([region])
        period = _period(layer, session, scope)
        result = mapimage.layer_result(session, scope, layer, period, "en")
        shapes = mapimage.scope_shapes(session, scope)
        drawn = map_figure(shapes, result, "en", title="t", labels=True)
        texts = drawn.ax.texts
        assert drawn.labels == len(texts) > 0
        n = len(shapes.villages)
        if everyone:  # a kecamatan of 23 villages: every name fits
            assert drawn.labels >= 0.9 * n
        else:  # 250 villages: only those that hold their name
            assert drawn.labels < n
        assert {t.get_text() for t in texts} <= set(shapes.villages["nama"])
        renderer = drawn.figure.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in texts]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not a.overlaps(b), "two labels overlap"
        names = set(re.findall(r">([^<]+)</text>", drawn.save("svg").decode()))
        assert {t.get_text() for t in texts} <= names


def test_aspect_and_scale_bar(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "insidens"})
    result = mapimage.layer_result(session, kab, layer, _period(layer, session, kab), "id")
    drawn = map_figure(mapimage.scope_shapes(session, kab), result, "id", title="t")
    x0, (y0, y1) = drawn.ax.get_xlim()[0], drawn.ax.get_ylim()
    origin, east, north = drawn.to_pixel([x0, x0 + 0.1, x0], [y0, y0, y0 + 0.1])
    per_lon, per_lat = east[0] - origin[0], origin[1] - north[1]
    mid = np.radians((y0 + y1) / 2)
    assert per_lat / per_lon == pytest.approx(1 / np.cos(mid), rel=1e-6)
    assert drawn.scale_m == nice_length(drawn.scale_m)
    assert 2_000 <= drawn.scale_m <= 20_000  # a kabupaten ~55 km across
    svg = _svg_text(drawn.save("svg"))
    km = drawn.scale_m / 1000
    assert f"{km:g} km" in svg


def test_svg_and_pdf_are_valid_and_hold_real_text(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "insidens"})
    period = _period(layer, session, kab)
    svg = render_map(session, kab, layer, period, "en", fmt="svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("width") == "768pt" and root.get("height") == "480pt"
    assert root.iter(f"{SVG_NS}text") and "Weekly incidence" in _svg_text(svg)
    pdf = render_map(session, kab, layer, period, "en", fmt="pdf")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == (768.0, 480.0)
    assert b"/FontFile2" in pdf  # embedded TrueType, not glyph outlines
    assert "Weekly incidence" in reader.pages[0].extract_text()
    # the font settings were set around the save only
    assert matplotlib.rcParams["svg.fonttype"] == "path"
    assert matplotlib.rcParams["pdf.fonttype"] == 3


def test_a_weekly_layer_without_a_period_draws_no_data(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "insidens"})
    svg = _norm(_svg_text(render_map(session, kab, layer, None, "en", fmt="svg")))
    assert "No period with data" in svg
    assert _norm(layer.no_periods_text().en) in svg


def test_refusals(session: Session, kab: Scope) -> None:
    layer = base.from_config({"type": "pustu"})
    with pytest.raises(ValueError, match="width"):
        render_map(session, kab, layer, None, width_px=50)
    with pytest.raises(ValueError, match="height"):
        render_map(session, kab, layer, None, height_px=10_000)
    with pytest.raises(ValueError, match="format"):
        render_map(session, kab, layer, None, fmt="gif")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no villages"):
        render_map(session, Scope(frozenset()), layer, None)
    with pytest.raises(ValueError, match="no villages"):
        render_map(session, Scope.of(["98"]), layer, None)


def test_draw_map_needs_no_store() -> None:
    """The pure function: a GeoDataFrame and a LayerResult, seeded, as the slides use it."""
    rng = np.random.default_rng(11)
    boxes = [shapely.box(110 + i % 5 * 0.1, -7 + i // 5 * 0.1, 110.1 + i % 5 * 0.1,
                         -6.9 + i // 5 * 0.1) for i in range(20)]  # fmt: skip
    villages = gpd.GeoDataFrame({"kode": [f"k{i}" for i in range(20)],
                                 "nama": [f"Desa {i}" for i in range(20)],
                                 "kode_kec": [f"c{i % 2}" for i in range(20)]},
                                geometry=boxes, crs=4326)  # fmt: skip
    legend = base.Legend(base.Text("Nilai", "Value"),
                         (base.LegendClass("#1b9e77", base.Text("rendah", "low")),
                          base.LegendClass("#d95f02", base.Text("tinggi", "high"))))
    klass = rng.integers(-1, 2, 20)
    table = pd.DataFrame({"kode_desa": villages["kode"], "value": rng.random(20),
                          "klass": klass, "label": ""})  # fmt: skip
    result = base.LayerResult(table, legend)
    png = draw_map(villages, result, "en", title="Test", width_px=900, height_px=600)
    assert _png(png).size == (900, 600)
    svg = _norm(_svg_text(draw_map(villages, result, "en", fmt="svg", labels=True)))
    assert all(t in svg for t in ("Value", "low", "high", "No data", "Desa 0"))


@pytest.mark.parametrize("name", ["layers.render.draw", "layers.render.furniture",
                                  "layers.render.labels", "layers.render.shapes"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.NORMALIZE_WHITESPACE)  # fmt: skip
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_text_size_in_points_and_the_scale_bar_clear_of_the_legend(session: Session,
                                                                   kab: Scope) -> None:  # fmt: skip
    from matplotlib.patches import Rectangle
    from matplotlib.text import Text as MplText

    layer = base.from_config({"type": "kader", "tampilan": "kurang"})
    result = mapimage.layer_result(session, kab, layer, None, "id")
    shapes = mapimage.scope_shapes(session, kab)
    sizes = {}
    for text_pt in (None, 9.0):
        m = map_figure(shapes, result, "id", width_px=1260, height_px=840, dpi=200,
                       text_pt=text_pt)
        fig = m.figure
        renderer = fig.canvas.get_renderer()
        legend = [t for t in fig.findobj(MplText) if t.get_text() == "kurang 1–2"]
        sizes[text_pt] = legend[0].get_fontsize()
        box = m.legend_px
        height = fig.bbox.height
        for bar in [a for a in fig.artists if isinstance(a, Rectangle)]:
            e = bar.get_window_extent(renderer)
            top, bottom = height - e.y1, height - e.y0
            overlaps = (e.x0 < box[2] and e.x1 > box[0] and top < box[3] and bottom > box[1])
            assert not overlaps, (text_pt, (e.x0, top, e.x1, bottom), box)
    assert sizes[9.0] == pytest.approx(9.0)
    assert sizes[None] < 6  # the default follows the pixels: too small for a slide
