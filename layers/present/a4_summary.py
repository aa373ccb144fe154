"""A printable A4 portrait page per kecamatan of the deck's region (one PDF).

Each page is the kecamatan's own deck — the slide kinds built with a
:class:`~layers.present.deck.DeckContext` narrowed to it (same week, language,
suppression and meeting date), so every number is the one its slides would show —
condensed to one page: the map of the week's alerts (or, without case data, of the Pustu
gaps) over the kecamatan, then diarrhoea this week (villages, cases, alerts, KLB signals,
clusters) and the kader level mix beside the Pustu figures and the skills lacking in the
most villages, then the villages needing follow-up. A region that is a kecamatan gives one
page; a village, one page for the village.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from layers.panel import Facts, Note, Table
from layers.present import deck, figures
from layers.present.deck import DeckContext, MapFigure, Slide
from layers.present.layout import (
    Box,
    Heading,
    Placed,
    Style,
    bottom,
    fit,
    fit_together,
    footer_text,
    height_of,
)
from layers.present.mpl_blocks import MUTED, Page, draw, write_pdf
from layers.present.slides.common import villages, week_text
from layers.text import Text, fmt_number

Progress = Callable[[int, int], None]
A4_W, A4_H = 8.27, 11.69
MARGIN = 0.55
TITLE = {"kec": Text("Ringkasan kecamatan — {name}", "Kecamatan summary — {name}"),
         "desa": Text("Ringkasan desa — {name}", "Village summary — {name}")}  # fmt: skip
VILLAGES = Text("Desa", "Villages")
GAPS = Text("Keterampilan yang paling banyak kurang", "Skills lacking in the most villages")
LACKING = Text("Desa tanpa Pustu terbesar", "Largest villages without a Pustu")
PAGE = Text("Halaman {i} dari {n}", "Page {i} of {n}")
#: the slide kinds a page is made of
KINDS = ("diare", "pustu", "kader", "tindak_lanjut")
STYLE = Style(facts_pt=9, table_pt=8.5, note_pt=8, chart_h=1.4)
#: a printed page shrinks less than a slide (then tables lose rows)
SCALES = (1.0, 0.9, 0.8)
MAP_H = 3.7
#: the two columns under the map take at most (and at least) this much height, inches
COLUMNS_H, COLUMNS_MIN = 3.6, 2.4


def areas(ctx: DeckContext) -> list[tuple[str, str]]:
    """``(code, name)`` of each page: the region's kecamatan (the region itself when it is
    a kecamatan or a village)."""
    if ctx.level in ("kec", "desa"):
        return [(ctx.region, ctx.region_name)]
    v = villages(ctx)[["kode_kec", "nama_kec"]].drop_duplicates().sort_values("kode_kec")
    return [(str(k), str(n)) for k, n in v.itertuples(index=False, name=None)]


def _first(slide: Slide, kind: type) -> object | None:
    return next((b for b in slide.blocks if isinstance(b, kind)), None)


def _section(slide: Slide, *, title: str | None = None, tables: bool = False) -> list:
    """A heading and the slide's facts and notes without the footnote (tables too)."""
    out: list = [Heading(title or slide.title)]
    for b in slide.blocks:
        if isinstance(b, Facts) or (tables and isinstance(b, Table)):
            out.append(b)
    if len(out) == 1:  # no facts: the slide's note (e.g. no data) says why
        out += [b for b in slide.blocks if isinstance(b, Note)][:1]
    return out


def _without(table: Table, value: str) -> Table:
    """``table`` without the columns holding only ``value`` (the page's own kecamatan)."""
    keep = [j for j in range(len(table.columns))
            if not table.rows or any(r[j] != value for r in table.rows)]  # fmt: skip
    return Table(tuple(table.columns[j] for j in keep),
                 tuple(tuple(r[j] for j in keep) for r in table.rows))  # fmt: skip


Columns = tuple[MapFigure | None, list, list, list]


def page_blocks(kctx: DeckContext, slides: dict[str, Slide]) -> Columns:
    """The map and the blocks of the left column, the right column and the bottom."""
    lang = kctx.lang
    n = len(villages(kctx))
    diare, pustu, kader, follow = (slides[k] for k in KINDS)
    left = _section(diare)
    facts = _first(diare, Facts)
    if isinstance(facts, Facts):
        left[1] = Facts(((VILLAGES(lang), fmt_number(n, lang)), *facts.rows))
    else:
        left.insert(1, Facts(((VILLAGES(lang), fmt_number(n, lang)),)))
    left += _section(kader)
    right = _section(pustu)
    lacking = _first(pustu, Table)
    if isinstance(lacking, Table):
        right += [Heading(LACKING(lang)), Table(lacking.columns[:3], tuple(
            (r[0].removesuffix(f" ({kctx.region_name})"), *r[1:3]) for r in lacking.rows))]
    gaps = _first(kader, Table)
    if isinstance(gaps, Table):
        left += [Heading(GAPS(lang)), Table(gaps.columns[:3], tuple(r[:3] for r in gaps.rows))]
    low: list = [Heading(follow.title)]
    low += [_without(b, kctx.region_name) if isinstance(b, Table) else b
            for b in follow.blocks if isinstance(b, Table | Note)]  # fmt: skip
    maps = [b for k in ("diare", "pustu", "kader") for b in slides[k].blocks
            if isinstance(b, MapFigure)]  # fmt: skip
    return (maps[0] if maps else None), left, right, low


def area_page(ctx: DeckContext, kode: str, name: str, number: int, total: int) -> Page:
    """The page of kecamatan (or village) ``kode`` of the deck ``ctx``."""
    kctx = deck.context(ctx.session, ctx.scope, kode, ctx.week, ctx.lang, ctx.suppress,
                        ctx.today)  # fmt: skip
    slides = {s.kind: s for s in deck.build(kctx, list(KINDS))}
    fig, left, right, low = page_blocks(kctx, slides)
    lang = ctx.lang
    page = Page(A4_W, A4_H)
    width = A4_W - 2 * MARGIN
    level = "desa" if kctx.level == "desa" else "kec"
    page.text(MARGIN, 0.45, TITLE[level](lang).format(name=name), 15, weight="bold")
    under = f"{ctx.region_name} · " if ctx.region != kode else ""
    page.text(MARGIN, 0.8, under + week_text(kctx.week, lang), 9.5, color=MUTED)
    page.rule(MARGIN, A4_W - MARGIN, 1.1, color="#1f4e79", lw=1.2)
    map_box = Box(MARGIN, 1.2, width, MAP_H)
    placed: list[Placed] = []
    if fig is not None:
        placed.append(Placed(fig, map_box, 0))
    top = map_box.y + MAP_H + 0.15
    half = (width - 0.25) / 2
    end = A4_H - 0.55
    # the follow-up list keeps room for itself whole, up to half of what is left
    room = max(COLUMNS_MIN, min(COLUMNS_H, end - top - 0.15 - min(
        height_of(low, width, STYLE), (end - top) / 2)))
    cols = fit_together([(left, Box(MARGIN, top, half, room)),
                         (right, Box(MARGIN + half + 0.25, top, half, room))], STYLE, lang,
                        SCALES)  # fmt: skip
    placed += cols
    below = bottom(cols, top) + 0.15
    placed += fit(low, Box(MARGIN, below, width, end - below), STYLE, lang, SCALES)

    def map_png(f: MapFigure, box: Box) -> bytes | None:
        return figures.map_png(kctx, f, box.w, box.h)

    draw(page, placed, lang, map_png, figures.NO_MAP(lang))
    page.text(MARGIN, A4_H - 0.4, footer_text(kctx), 7, color=MUTED)
    page.text(A4_W - MARGIN, A4_H - 0.4, PAGE(lang).format(i=number, n=total), 7, color=MUTED,
              ha="right")  # fmt: skip
    return page


def kecamatan_summary_pdf(ctx: DeckContext, progress: Progress | None = None) -> bytes:
    """One A4 page per kecamatan of ``ctx``'s region; ``progress(done, total)`` per page."""
    found = areas(ctx)

    def pages() -> Iterator[Page]:
        for i, (kode, name) in enumerate(found, start=1):
            yield area_page(ctx, kode, name, i, len(found))
            if progress is not None:
                progress(i, len(found))

    return write_pdf(pages(), f"{ctx.region_name} — {week_text(ctx.week, ctx.lang)}")
