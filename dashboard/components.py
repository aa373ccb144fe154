"""Reusable pieces of the map page: legend, village panel, week choices, cluster list.

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


def series_figure(series: pd.DataFrame, week: EpiWeek | None, lang: str,
                  threshold: pd.DataFrame | None = None) -> go.Figure:
    """Weekly case counts as bars, the selected week highlighted; ``threshold``
    (``week``: EpiWeek, ``threshold``: smallest count that alerts, NaN without baseline) as a
    stepped line."""
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
    has_line = threshold is not None and not threshold.empty
    if has_line:
        fig.add_trace(go.Scatter(
            x=[w.start for w in threshold["week"]], y=threshold["threshold"],
            customdata=[str(w) for w in threshold["week"]], mode="lines", line_shape="hvh",
            line={"color": "#08519c", "width": 2, "dash": "dash"}, connectgaps=False,
            name=t("panel.threshold", lang),
            hovertemplate="%{customdata}: %{y:.1f}<extra>" + t("panel.threshold", lang)
            + "</extra>",
        ))  # fmt: skip
    fig.update_layout(
        margin={"l": 30, "r": 10, "t": 24 if has_line else 10, "b": 30}, height=230,
        bargap=0.1, yaxis_title=t("panel.cases", lang), plot_bgcolor="#fafafa",
        separators=",." if lang != "en" else ".,", showlegend=has_line,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                "font": {"size": 10}},
    )
    return fig


def village_panel(info: dict, population: int | None, facilities: pd.DataFrame,
                  series: pd.DataFrame, week: EpiWeek | None, lang: str,
                  threshold: pd.DataFrame | None = None) -> list:
    """The side panel for one village (``threshold``: see :func:`series_figure`)."""
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
        dcc.Graph(figure=series_figure(series, week, lang, threshold),
                  config={"displayModeBar": False}, id="panel-series"),
    ]


def cluster_table(rows: list[dict], lang: str, alpha: float) -> html.Table:
    """The scan's clusters, one clickable row each (in the order given).

    ``rows``: ``n_villages, names, observed, expected, relative_risk, llr, p_value,
    start_week, end_week, n_weeks`` and ``color`` (outline colour, None when not outlined).
    """
    header = ["#", t("scan.col.villages", lang), t("scan.col.observed", lang),
              t("scan.col.expected", lang), t("scan.col.rr", lang), t("scan.col.llr", lang),
              t("scan.col.p", lang), t("scan.col.weeks", lang)]  # fmt: skip
    body = []
    for i, row in enumerate(rows):
        swatch = html.Span(className="pws-scan-swatch",
                           style={"borderColor": row["color"] or "transparent"})
        start, end = (str(row[k]).rpartition("-")[2] for k in ("start_week", "end_week"))
        weeks = end if row["n_weeks"] == 1 else f"{start}–{end}"
        significant = row["p_value"] < alpha
        body.append(html.Tr([
            html.Td([swatch, str(i + 1)]),
            html.Td(fmt_number(row["n_villages"], lang)),
            html.Td(fmt_number(row["observed"], lang)),
            html.Td(fmt_number(row["expected"], lang, 1)),
            html.Td(fmt_number(row["relative_risk"], lang, 2)),
            html.Td(fmt_number(row["llr"], lang, 1)),
            html.Td(fmt_number(row["p_value"], lang, 3)),
            html.Td(weeks, title=f"{row['start_week']} – {row['end_week']}"),
        ], id={"type": "scan-cluster", "index": i}, n_clicks=0, title=row["names"],
            className="pws-scan-row" + (" pws-scan-sig" if significant else "")))
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in header])), html.Tbody(body)],
                      id="scan-table", className="pws-table pws-scan-table")
