"""The deck as a PowerPoint file (python-pptx): one 16:9 slide per slide, same layout as
the PDF (:func:`layers.present.layout.slide_layout`).

* the title in the slide's title placeholder (what PowerPoint's outline and a screen reader
  read), the subtitle in a text box under it;
* a map as a server-side PNG (:mod:`layers.present.figures`) with the layer's legend, scale
  bar and north arrow in the image, placed with an explicit width *and* height — python-pptx
  would otherwise size it from its pixels at 72 dpi;
* a table as a real PowerPoint table: a bold header row, the font sized to fit (the layout
  shrinks it, then shortens the longest tables with a ``… n more rows`` row), numbers
  right-aligned; facts as a two-column table (labels, bold values) without header;
* a bar chart as a native column chart whose data labels are the block's hover texts; a
  suppressed value (NaN) has no bar and no number in the chart's data — its category label
  says ``< 5`` (PowerPoint shows no data label on an empty point); a chart with a line
  (bars and a line cannot be one native chart in python-pptx) as the PDF's drawing, a PNG;
* a note as a small text box; the speaker notes are the slide's ``notes``.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.slide import Slide as PptxSlide
from pptx.util import Emu, Inches, Pt

from layers.panel import BarChart, Facts, Note, Table
from layers.present import figures
from layers.present.deck import DeckContext, MapFigure, Slide
from layers.present.layout import (
    MARGIN,
    SLIDE_H,
    SLIDE_W,
    Box,
    Placed,
    footer_text,
    slide_layout,
)
from layers.present.measure import PAD_X, PAD_Y
from layers.present.mpl_blocks import (
    BAR,
    HEADER_FILL,
    HIGHLIGHT,
    INK,
    MUTED,
    TONES,
    ZEBRA,
    chart_png,
)

Progress = Callable[[int, int], None]
#: the default template's "Title Only" layout
TITLE_ONLY = 5
MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


def _place(box: Box) -> tuple[Emu, Emu, Emu, Emu]:
    return Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h)


def _text_box(slide: PptxSlide, box: Box, text: str, pt: float, *, color: str = INK,
              bold: bool = False, italic: bool = False) -> None:  # fmt: skip
    shape = slide.shapes.add_textbox(*_place(box))
    frame = shape.text_frame
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.italic = Pt(pt), bold, italic
    run.font.color.rgb = _rgb(color)


def _table(slide: PptxSlide, placed: Placed, facts: bool) -> None:
    """A measured grid as a PowerPoint table (widths and heights from the layout)."""
    g = placed.grid
    assert g is not None
    box = placed.box
    shape = slide.shapes.add_table(len(g.rows), len(g.widths), Inches(box.x), Inches(box.y),
                                   Inches(sum(g.widths)), Inches(g.height))  # fmt: skip
    table = shape.table
    table.first_row = g.header
    table.horz_banding = False
    for j, w in enumerate(g.widths):
        table.columns[j].width = Inches(w)
    for i, (cells, height) in enumerate(zip(g.rows, g.heights, strict=True)):
        table.rows[i].height = Inches(height)
        head = g.header and i == 0
        fill = HEADER_FILL if head else (ZEBRA if (i - g.header) % 2 == 1 else "#ffffff")
        for j, text in enumerate(cells):
            cell = table.cell(i, j)
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
            cell.margin_left = cell.margin_right = Inches(PAD_X)
            cell.margin_top = cell.margin_bottom = Inches(PAD_Y)
            cell.vertical_anchor = MSO_ANCHOR.TOP
            para = cell.text_frame.paragraphs[0]
            para.alignment = PP_ALIGN.RIGHT if g.numeric[j] else PP_ALIGN.LEFT
            run = para.add_run()
            run.text = text
            run.font.size = Pt(g.pt)
            run.font.bold = head or (facts and j > 0)
            run.font.color.rgb = _rgb("#ffffff" if head else (MUTED if facts and j == 0
                                                             else INK))  # fmt: skip


def _chart(slide: PptxSlide, placed: Placed, lang: str) -> None:
    """A native column chart: bars with their hover texts as labels; a suppressed (NaN)
    value is an empty point whose category label carries its hover text."""
    chart_block = placed.block
    assert isinstance(chart_block, BarChart)
    values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
              for v in chart_block.y]  # fmt: skip
    hover = list(chart_block.hover) if len(chart_block.hover) == len(values) else [
        "" if v is None else f"{v:g}" for v in values]
    data = CategoryChartData()
    data.categories = [x if v is not None else f"{x} ({h})"
                       for x, v, h in zip(chart_block.x, values, hover, strict=True)]  # fmt: skip
    data.add_series(chart_block.name, values)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, *_place(placed.box), data)
    chart = frame.chart
    small = Pt(max(8.0, placed.pt * 0.8))
    chart.has_legend = False
    chart.has_title = True
    chart.chart_title.text_frame.text = chart_block.name
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.size = Pt(placed.pt)
    chart.chart_title.text_frame.paragraphs[0].runs[0].font.bold = True
    chart.font.size = small
    axis = chart.value_axis
    axis.has_major_gridlines = False
    axis.has_title = True
    axis.axis_title.text_frame.text = chart_block.y_title
    axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = small
    axis.tick_labels.number_format = "#,##0"
    axis.tick_labels.number_format_is_linked = False
    series = chart.plots[0].series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = _rgb(BAR)
    for i, (v, h) in enumerate(zip(values, hover, strict=True)):
        if v is None:
            continue
        point = series.points[i]
        if i == chart_block.highlight:
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(HIGHLIGHT)
        label = point.data_label
        label.position = XL_LABEL_POSITION.OUTSIDE_END
        label.text_frame.text = h
        label.text_frame.paragraphs[0].runs[0].font.size = small


def _slide(prs: Presentation, ctx: DeckContext, slide: Slide) -> None:
    lay = slide_layout(slide, ctx.lang)
    page = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY])
    title = page.shapes.title
    title.left, title.top, title.width, title.height = _place(lay.title_box)
    title.text_frame.text = lay.title
    title.text_frame.word_wrap = True
    para = title.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    para.runs[0].font.size, para.runs[0].font.bold = Pt(lay.title_pt), True
    para.runs[0].font.color.rgb = _rgb(INK)
    if lay.subtitle:
        _text_box(page, lay.subtitle_box, lay.subtitle, 15, color=MUTED)
    for p in lay.placed:
        b = p.block
        if isinstance(b, MapFigure):
            png = figures.map_png(ctx, b, p.box.w, p.box.h)
            if png is None:
                _text_box(page, p.box, figures.NO_MAP(ctx.lang), 12, color=MUTED, italic=True)
            else:  # width and height given: never python-pptx's 72-dpi guess
                page.shapes.add_picture(io.BytesIO(png), *_place(p.box))
        elif isinstance(b, Table | Facts):
            _table(page, p, facts=isinstance(b, Facts))
        elif isinstance(b, BarChart) and b.line is not None:  # bars and a line: an image
            page.shapes.add_picture(io.BytesIO(chart_png(p, ctx.lang)), *_place(p.box))
        elif isinstance(b, BarChart):
            _chart(page, p, ctx.lang)
        elif isinstance(b, Note):
            _text_box(page, p.box, b.text, p.pt, color=TONES.get(b.tone, MUTED), italic=True)
    _text_box(page, Box(MARGIN, SLIDE_H - 0.3, SLIDE_W - 2 * MARGIN, 0.2), footer_text(ctx), 8,
              color=MUTED)  # fmt: skip
    if slide.notes:
        page.notes_slide.notes_text_frame.text = slide.notes


def deck_pptx(ctx: DeckContext, slides: list[Slide], progress: Progress | None = None) -> bytes:
    """The slides as a .pptx file; ``progress(done, total)`` after each slide."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = f"Lokakarya mini — {ctx.region_name}"
    prs.core_properties.language = "id-ID" if ctx.lang == "id" else "en-GB"
    prs.core_properties.author = "PWS-ILP"
    for i, slide in enumerate(slides, start=1):
        _slide(prs, ctx, slide)
        if progress is not None:
            progress(i, len(slides))
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
