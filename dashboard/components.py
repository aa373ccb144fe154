"""Reusable pieces of the map page: period and option controls, legend, village panel
(generic: from a layer's legend, the overlays' classes and the panel sections' blocks),
cluster list.

Rendering only: every number shown here comes from a layer or a scoped query.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.i18n import fmt_date, t
from layers import panel as panel_blocks
from layers.base import Layer, Legend, Option, OptionField, Period, period_text
from layers.epiweek import EpiWeek
from layers.facility_points import kind_label
from layers.overlays import PointOverlay
from layers.text import Text, fmt_number

HIGHLIGHT_BAR = "#bd0026"
BAR = "#fd8d3c"
LINE = "#08519c"
#: plotly's decimal and thousands separators per language
SEPARATORS = Text(",.", ".,")


def dropdown(lang: str, **props: object) -> dcc.Dropdown:
    """A dcc.Dropdown whose own texts (search box, no match, clear) are in ``lang``."""
    labels = {"search": t("dropdown.search", lang), "clear_search": t("dropdown.clear", lang),
              "clear_selection": t("dropdown.clear", lang),
              "no_options_found": t("dropdown.none", lang)}  # fmt: skip
    return dcc.Dropdown(labels=labels, **props)


def week_label(week: EpiWeek, lang: str) -> str:
    return t("week.label", lang, week=str(week), start=fmt_date(week.start, lang),
             end=fmt_date(week.end, lang))


def period_options(periods: Sequence[Period], lang: str) -> list[dict[str, str]]:
    """Dropdown options for a layer's periods (newest first, as the layer gives them)."""
    return [{"label": week_label(p, lang) if isinstance(p, EpiWeek) else str(p),
             "value": period_text(p)} for p in periods]  # fmt: skip


def option_control(layer: type[Layer], opt: OptionField, value: object, lang: str) -> html.Div:
    """The control for one offered option of ``layer`` (id ``{"type": "layer-opt", ...}``)."""
    spec: Option = opt.spec
    ident = {"type": "layer-opt", "layer": layer.type, "name": opt.name}
    if spec.kind == "flag":
        control = dcc.Checklist(id=ident, options=[{"label": spec.label(lang), "value": "on"}],
                                value=["on"] if value else [], className="pws-flag")
        label = None
    elif spec.kind == "choice":
        control = dropdown(
            lang, id=ident, clearable=False, value=value,
            options=[{"label": c.label(lang), "value": c.value} for c in spec.choice_list()],
        )  # fmt: skip
        label = spec.label(lang)
    else:
        control = dcc.Input(id=ident, type="number", value=value, min=spec.minimum,
                            max=spec.maximum, step=spec.step or "any", debounce=True)
        label = spec.label(lang)
    title = spec.help(lang) if spec.help else None
    return html.Div([html.Label(label) if label else None, control], title=title,
                    className="pws-control pws-option")  # fmt: skip


def option_value(spec: Option, raw: object) -> object:
    """What a control sends back, as the option's value (a flag's checklist is a list)."""
    if spec.kind == "flag":
        return isinstance(raw, list) and "on" in raw
    return raw


def legend(legend: Legend, lang: str, overlays: Sequence[PointOverlay]) -> list:
    """The map legend: layer classes, the point classes of the overlays, the borders (the
    period's summary is :func:`legend_summary`: a new week changes only that)."""
    rows: list = [html.H4(legend.title(lang))]
    for cls in [*legend.classes, legend.no_data]:
        rows.append(
            html.Div(
                [html.Span(className="pws-swatch", style={"background": cls.color}),
                 html.Span(cls.label(lang))],
                className="pws-legend-row",
            )
        )
    for overlay in overlays:  # compact: the point classes of an overlay wrap on one row
        rows.append(html.Div([
            html.Span([html.Span(className="pws-dot", style={"background": point.color,
                                                             "opacity": point.opacity}),
                       point.label(lang)], className="pws-legend-chip")
            for point in overlay.classes
        ], className="pws-legend-row pws-legend-points"))  # fmt: skip
    rows.append(
        html.Div(
            [html.Span(className="pws-swatch", style={"borderColor": "#222", "borderWidth": 2}),
             html.Span(t("map.kecamatan", lang))],
            className="pws-legend-row",
        )
    )
    return rows


def legend_summary(summary: Text | None, lang: str) -> str:
    """The line under the legend that sums up the period shown (empty when none)."""
    return summary(lang) if summary is not None else ""


def bar_figure(chart: panel_blocks.BarChart, lang: str) -> go.Figure:
    """A panel bar chart: bars, the highlighted one darker, an optional stepped line."""
    colors = [HIGHLIGHT_BAR if i == chart.highlight else BAR for i in range(len(chart.x))]
    fig = go.Figure(
        go.Bar(x=list(chart.x), y=list(chart.y), marker_color=colors,
               customdata=list(chart.hover) or None, name=chart.name,
               hovertemplate="%{customdata}<extra></extra>" if chart.hover else None)
    )  # fmt: skip
    line = chart.line
    if line is not None:
        fig.add_trace(go.Scatter(
            x=list(line.x), y=list(line.y), customdata=list(line.hover) or None, mode="lines",
            line_shape="hvh", line={"color": LINE, "width": 2, "dash": "dash"},
            connectgaps=False, name=line.name,
            hovertemplate=("%{customdata}<extra>" + line.name + "</extra>") if line.hover
            else None,
        ))  # fmt: skip
    fig.update_layout(
        margin={"l": 30, "r": 10, "t": 24 if line else 10, "b": 30}, height=230,
        bargap=0.1, yaxis_title=chart.y_title, plot_bgcolor="#fafafa",
        separators=SEPARATORS(lang), showlegend=line is not None,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                "font": {"size": 10}},
    )  # fmt: skip
    return fig


def render_block(block: panel_blocks.Block, lang: str, section_id: str, n: int) -> object:
    """One panel block (Facts, Table, BarChart, Note) as components; ``section_id`` and ``n``
    name a chart (shared by the village panel and the presentation slides)."""
    if isinstance(block, panel_blocks.Facts):
        return html.Dl([part for label, value in block.rows
                        for part in (html.Dt(label), html.Dd(value))])  # fmt: skip
    if isinstance(block, panel_blocks.Table):
        return html.Div(html.Table([
            html.Thead(html.Tr([html.Th(c) for c in block.columns])),
            html.Tbody([html.Tr([html.Td(v) for v in row]) for row in block.rows]),
        ], className="pws-table"), className="pws-scroll")  # fmt: skip
    if isinstance(block, panel_blocks.BarChart):
        return dcc.Graph(figure=bar_figure(block, lang), config={"displayModeBar": False},
                         id=f"panel-{section_id}-chart{n or ''}",
                         className="pws-panel-chart")  # fmt: skip
    return html.P(block.text, className=f"pws-{block.tone}")


def panel_section(section: panel_blocks.Section, lang: str) -> html.Section:
    """One registered section of the village panel, rendered from its blocks."""
    return html.Section(
        [html.H4(section.title), *(render_block(b, lang, section.id, i)
                                    for i, b in enumerate(section.blocks))],
        id=f"panel-section-{section.id}", className="pws-panel-section",
    )  # fmt: skip


def village_panel(info: dict, population: int | None, facilities: pd.DataFrame,
                  sections: Sequence[panel_blocks.Section], lang: str) -> list:
    """The side panel for one village: its head, then every section that has something."""
    counts = facilities["jenis"].value_counts() if not facilities.empty else pd.Series(dtype=int)
    fac_text = ", ".join(f"{kind_label(j)(lang)} {int(n)}" for j, n in counts.items()) or "–"
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
        *(panel_section(s, lang) for s in sections),
    ]


#: village names shown in a cluster row before "+ n more" (all of them on hover)
NAMES_SHOWN = 8


def _names_cell(names: str, lang: str) -> str:
    """The cluster's village names, nearest to the centre first; a long list shortened."""
    parts = [n for n in names.split(", ") if n]
    if len(parts) <= NAMES_SHOWN + 1:
        return ", ".join(parts)
    more = t("scan.more", lang, n=fmt_number(len(parts) - NAMES_SHOWN, lang))
    return f"{', '.join(parts[:NAMES_SHOWN])} {more}"


def cluster_table(rows: list[dict], lang: str) -> html.Table:
    """The scan's clusters, one clickable row each (in the order given).

    ``rows``: ``n_villages, names, observed, expected, relative_risk, llr, p_value,
    start_week, end_week, n_weeks``, ``significant`` and ``color`` (outline colour, None
    when not outlined).
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
        significant = row["significant"]
        body.append(html.Tr([
            html.Td([swatch, str(i + 1)]),
            html.Td(_names_cell(row["names"], lang), className="pws-scan-names"),
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
