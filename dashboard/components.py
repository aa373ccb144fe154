"""Reusable pieces of the map page: legend, village panel, week choices.

Rendering only: every number shown here comes from a layer or a scoped query.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.i18n import fmt_date, t
from layers.base import Legend
from layers.epiweek import EpiWeek
from layers.text import Text, fmt_number

FACILITY_COLORS = {"puskesmas": "#b2182b", "pustu": "#2166ac", "posyandu": "#1b7837"}


def week_label(week: EpiWeek, lang: str) -> str:
    return t("week.label", lang, week=str(week), start=fmt_date(week.start, lang),
             end=fmt_date(week.end, lang))


def week_options(weeks: list[tuple[int, int]], lang: str) -> list[dict[str, str]]:
    """Dropdown options, newest week first."""
    out = []
    for year, number in reversed(weeks):
        week = EpiWeek(year, number)
        out.append({"label": week_label(week, lang), "value": str(week)})
    return out


def legend(legend: Legend, lang: str, summary: Text | None = None) -> list:
    """The map legend: layer classes, then the facility symbols and borders."""
    rows = [html.H4(legend.title(lang))]
    for cls in [*legend.classes, legend.no_data]:
        rows.append(
            html.Div(
                [html.Span(className="pws-swatch", style={"background": cls.color}),
                 html.Span(cls.label(lang))],
                className="pws-legend-row",
            )
        )
    for jenis, color in FACILITY_COLORS.items():
        rows.append(
            html.Div(
                [html.Span(className="pws-dot", style={"background": color}),
                 html.Span(t(f"map.{jenis}", lang))],
                className="pws-legend-row",
            )
        )
    rows.append(
        html.Div(
            [html.Span(className="pws-swatch", style={"borderColor": "#222", "borderWidth": 2}),
             html.Span(t("map.kecamatan", lang))],
            className="pws-legend-row",
        )
    )
    if summary is not None and summary(lang):
        rows.append(html.Div(summary(lang), className="pws-legend-summary"))
    return rows


def series_figure(series: pd.DataFrame, week: EpiWeek | None, lang: str) -> go.Figure:
    """Weekly case counts as bars, the selected week highlighted."""
    weeks = [EpiWeek(int(y), int(w))
             for y, w in zip(series["tahun"], series["minggu"], strict=True)]
    starts = [w.start for w in weeks]
    labels = [str(w) for w in weeks]
    colors = ["#bd0026" if week is not None and lab == str(week) else "#fd8d3c"
              for lab in labels]
    fig = go.Figure(
        go.Bar(x=starts, y=series["kasus"], marker_color=colors, customdata=labels,
               hovertemplate="%{customdata}: %{y}<extra></extra>",
               name=t("panel.cases", lang))
    )
    fig.update_layout(
        margin={"l": 30, "r": 10, "t": 10, "b": 30}, height=220, bargap=0.1,
        yaxis_title=t("panel.cases", lang), plot_bgcolor="#fafafa",
        separators=",." if lang != "en" else ".,",
    )
    return fig


def village_panel(info: dict, population: int | None, facilities: pd.DataFrame,
                  series: pd.DataFrame, week: EpiWeek | None, lang: str) -> list:
    """The side panel for one village."""
    counts = facilities["jenis"].value_counts() if not facilities.empty else pd.Series(dtype=int)
    fac_text = ", ".join(
        f"{t(f'map.{j}', lang)} {int(counts[j])}" for j in FACILITY_COLORS if j in counts
    ) or "–"
    kind = t(f"kind.{info['jenis']}", lang) if info.get("jenis") else ""
    return [
        html.H2(info["nama"], id="panel-name"),
        html.Div(kind, className="pws-hint"),
        html.Dl([
            html.Dt(t("panel.code", lang)), html.Dd(info["kode"], id="panel-code"),
            html.Dt(t("panel.kecamatan", lang)), html.Dd(info.get("nama_kec") or "–"),
            html.Dt(t("panel.population", lang)),
            html.Dd(fmt_number(population, lang) if population is not None else "–"),
            html.Dt(t("panel.facilities", lang)), html.Dd(fac_text),
        ]),
        html.H4(t("panel.series", lang)),
        dcc.Graph(figure=series_figure(series, week, lang), config={"displayModeBar": False},
                  id="panel-series"),
    ]
