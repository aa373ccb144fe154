"""Map furniture: the legend, scale bar, north arrow, source line and their words.

Everything is drawn in figure pixels beside the map (never over a village): the caller
gives the map's axes, so the scale bar is measured from the map's own transform, and a
:class:`Panel` (the free column right of the map) to stack the pieces in. Every word is
a :class:`~layers.text.Text` pair shown in one language; the legend's are the layer's
own (:class:`~layers.base.Legend`), as the map page shows them.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend as MplLegend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon, Rectangle
from pyproj import Geod

from layers.base import Legend, Period
from layers.epiweek import EpiWeek
from layers.text import Text, fmt_number

NORTH = Text("U", "N")
KECAMATAN_BORDERS = Text("Batas kecamatan", "Sub-district borders")
SOURCE = Text("Sumber: Peta PWS-ILP · data per {data} · dibuat {made}",
              "Source: PWS-ILP map · data as of {data} · made {made}")  # fmt: skip
WEEK = Text("Minggu {week} ({start} – {end})", "Week {week} ({start} – {end})")
YEAR = Text("Tahun {year}", "Year {year}")
CURRENT = Text("Keadaan terkini", "Current state")
NO_PERIOD = Text("Tanpa periode berdata", "No period with data")
MONTHS = Text("Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des",
              "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")  # fmt: skip
#: outline colour of the kecamatan (as the map page's legend shows it)
KECAMATAN_COLOR = "#222222"
#: the legend's text size in reference pixels (the unit of every other size)
BODY_PX = 13.0
INK = "#222222"
MUTED = "#555555"
_GEOD = Geod(ellps="WGS84")
#: height the scale bar and its labels take at the panel's bottom (pixels at scale 1)
SCALE_BAR_PX = 60


def fmt_date(day: date, lang: str) -> str:
    """``3 Agu 2025`` / ``3 Aug 2025`` (the dashboard writes dates so).

    >>> fmt_date(date(2025, 8, 3), "id"), fmt_date(date(2025, 8, 3), "en")
    ('3 Agu 2025', '3 Aug 2025')
    """
    return f"{day.day} {MONTHS(lang).split()[day.month - 1]} {day.year}"


def period_label(period: Period, lang: str, *, snapshot: bool = False) -> str:
    """A period as a title says it: the epi week with its dates, the year, or the
    current state (a snapshot layer; ``snapshot=False`` and no period: no data).

    >>> period_label(EpiWeek(2025, 7), "id")
    'Minggu 2025-W07 (9 Feb 2025 – 15 Feb 2025)'
    >>> period_label(2025, "en"), period_label(None, "en", snapshot=True)
    ('Year 2025', 'Current state')
    """
    if isinstance(period, EpiWeek):
        return WEEK(lang).format(week=period, start=fmt_date(period.start, lang),
                                 end=fmt_date(period.end, lang))  # fmt: skip
    if isinstance(period, int):
        return YEAR(lang).format(year=period)
    return (CURRENT if snapshot else NO_PERIOD)(lang)


def source_line(data_date: date | None, made: date, lang: str) -> str:
    """``Sumber: Peta PWS-ILP · data per 1 Des 2025 · dibuat 3 Des 2025`` (``–`` when no
    import is known).

    >>> source_line(None, date(2026, 1, 5), "en")
    'Source: PWS-ILP map · data as of – · made 5 Jan 2026'
    """
    data = fmt_date(data_date, lang) if data_date is not None else "–"
    return SOURCE(lang).format(data=data, made=fmt_date(made, lang))


def nice_length(limit_m: float) -> float:
    """The longest 1, 2 or 5 × 10^k metres not above ``limit_m`` (at least 1 m).

    >>> nice_length(7300), nice_length(2100), nice_length(999), nice_length(0.2)
    (5000.0, 2000.0, 500.0, 1.0)
    """
    if not limit_m > 1:
        return 1.0
    power = 10.0 ** math.floor(math.log10(limit_m))
    return max(step * power for step in (1.0, 2.0, 5.0) if step * power <= limit_m)


def length_text(metres: float, lang: str) -> str:
    """``2 km``, ``500 m``, ``2,5 km`` in Indonesian.

    >>> length_text(2500, "id"), length_text(500, "en"), length_text(10000, "en")
    ('2,5 km', '500 m', '10 km')
    """
    if metres >= 1000:
        km = metres / 1000
        return f"{fmt_number(km, lang, 0 if km.is_integer() else 1)} km"
    return f"{fmt_number(metres, lang)} m"


def metres_per_pixel(ax: Axes) -> float:
    """Ground metres per pixel along the parallel through the middle of the map."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    mid = (y0 + y1) / 2
    _, _, metres = _GEOD.inv(x0, mid, x1, mid)
    width_px = ax.get_window_extent().width  # the axes box, whatever the figure's dpi
    return metres / width_px


@dataclass
class Panel:
    """The column beside the map, in figure pixels (origin bottom left), filled top down.

    ``top`` moves down as pieces are placed; ``unit`` is the pixel size that scales fonts
    and strokes with the image (1 at 1600×1000).
    """

    fig: Figure
    left: float
    right: float
    top: float
    bottom: float
    unit: float

    @property
    def width(self) -> float:
        return self.right - self.left

    def pt(self, px: float) -> float:
        """Points for ``px`` pixels at this scale (fonts and strokes are set in points)."""
        return px * self.unit * 72.0 / self.fig.dpi

    def fx(self, px: float) -> float:
        return px / self.fig.bbox.width

    def fy(self, px: float) -> float:
        return px / self.fig.bbox.height

    def chars(self, font_px: float, width: float | None = None) -> int:
        """About how many characters of a ``font_px`` font fit in ``width`` pixels."""
        return max(8, int((width or self.width) / (0.56 * font_px * self.unit)))


def north_arrow(panel: Panel, lang: str) -> None:
    """A filled arrow pointing up (the map is drawn north up) with ``U`` / ``N`` under it,
    at the top of the panel."""
    size = 40 * panel.unit
    cx = panel.left + size * 0.5
    tip = panel.top
    base = tip - size
    half = size * 0.32
    points = [(cx, tip), (cx + half, base), (cx, base + size * 0.28), (cx - half, base)]
    panel.fig.add_artist(Polygon([(panel.fx(x), panel.fy(y)) for x, y in points],
                                 closed=True, transform=panel.fig.transFigure,
                                 facecolor=INK, edgecolor=INK, linewidth=panel.pt(1)))
    label = panel.fig.text(panel.fx(cx), panel.fy(base - 3 * panel.unit), NORTH(lang),
                           ha="center", va="top", fontsize=panel.pt(15), fontweight="bold",
                           color=INK)  # fmt: skip
    below = label.get_window_extent(panel.fig.canvas.get_renderer()).y0
    panel.top = below - 14 * panel.unit


def legend_box(panel: Panel, legend: Legend, lang: str, *, outlines: bool,
               summary: str = "") -> MplLegend:
    """The layer's legend: its title, each class colour and label, the no-data entry,
    the kecamatan border (when drawn) and the layer's summary line under it (left out
    when it would reach the scale bar)."""
    font = BODY_PX
    renderer = panel.fig.canvas.get_renderer()
    inner = panel.width - 24 * panel.unit  # the frame's padding
    chars = panel.chars(font, inner - 40 * panel.unit)  # beside the swatch
    entries = [*legend.classes, legend.no_data]
    handles: list = [Patch(facecolor=c.color, edgecolor=MUTED, linewidth=panel.pt(0.6))
                     for c in entries]  # fmt: skip
    labels = [_wrap(c.label(lang), chars) for c in entries]
    if outlines:
        handles.append(Line2D([], [], color=KECAMATAN_COLOR, linewidth=panel.pt(2.2)))
        labels.append(KECAMATAN_BORDERS(lang))
    title = _wrap(legend.title(lang), panel.chars(font * 1.12, inner))  # bold, 1 pt larger
    box = panel.fig.legend(
        handles, labels, loc="upper left", bbox_to_anchor=(panel.fx(panel.left),
                                                             panel.fy(panel.top)),
        bbox_transform=panel.fig.transFigure, title=title, fontsize=panel.pt(font),
        title_fontsize=panel.pt(font + 1), alignment="left", frameon=True, fancybox=False,
        edgecolor="#bbbbbb", borderaxespad=0, borderpad=0.7, handlelength=1.8,
        handleheight=1.1, labelspacing=0.45,
    )  # fmt: skip
    box.get_title().set_fontweight("bold")
    box.get_frame().set_linewidth(panel.pt(0.8))
    panel.top = box.get_window_extent(renderer).y0 - 10 * panel.unit
    if summary:
        text = panel.fig.text(panel.fx(panel.left), panel.fy(panel.top),
                              _wrap(summary, panel.chars(11.5)), ha="left", va="top",
                              fontsize=panel.pt(11.5), color=MUTED)  # fmt: skip
        low = text.get_window_extent(renderer).y0
        if low < panel.bottom + SCALE_BAR_PX * panel.unit:
            text.remove()
        else:
            panel.top = low - 10 * panel.unit
    return box


def scale_bar(panel: Panel, ax: Axes, lang: str) -> float:
    """A two-part bar of a round length (1, 2 or 5 × 10^k m) at the map's scale, at the
    panel's bottom; returns its length in metres."""
    per_px = metres_per_pixel(ax)
    length = nice_length(per_px * panel.width * 0.8)
    bar_px = length / per_px
    height = 8 * panel.unit
    y = panel.bottom + 26 * panel.unit
    x = panel.left
    if panel.top < y + height + 10 * panel.unit:
        # the legend took the whole column (large type on a slide): the bar goes under the
        # map's bottom-left corner instead of under the legend
        box = ax.get_position()
        x = box.x0 * panel.fig.bbox.width
        y = box.y0 * panel.fig.bbox.height + 18 * panel.unit
        bar_px = min(bar_px, 0.3 * box.width * panel.fig.bbox.width)
        length = nice_length(bar_px * per_px)
        bar_px = length / per_px
    for i, color in enumerate((INK, "#ffffff")):
        panel.fig.add_artist(Rectangle(
            (panel.fx(x + i * bar_px / 2), panel.fy(y)), panel.fx(bar_px / 2), panel.fy(height),
            transform=panel.fig.transFigure, facecolor=color, edgecolor=INK,
            linewidth=panel.pt(1)))  # fmt: skip
    font = panel.pt(12)
    panel.fig.text(panel.fx(x), panel.fy(y - 5 * panel.unit), "0", ha="center", va="top",
                   fontsize=font, color=INK)  # fmt: skip
    panel.fig.text(panel.fx(x + bar_px), panel.fy(y - 5 * panel.unit),
                   length_text(length, lang), ha="center", va="top", fontsize=font,
                   color=INK)  # fmt: skip
    return length


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text
