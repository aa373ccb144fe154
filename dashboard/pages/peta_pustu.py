"""The map's Pustu planning tool: what-if by clicking villages, and a greedy suggestion.

Shown while the ``pustu`` layer is chosen. In planning mode a click on a village without an
active Pustu adds a planned Pustu there, a second click removes it; the figures (coverage,
people served and newly served), the list of where to build next and the outlines of the
planned villages and of those they newly serve update at once. "Usulkan" fills the plan
with the greedy planner's N sites. The numbers come from :mod:`layers.pustu.plan_state`
(incremental what-if on the scope's cached planning problem); the browser holds only the
planned village codes, which the server checks against its own scope on every call. The
distance and the Puskesmas rule are the ``pustu`` layer's own options on the page.
"""

from __future__ import annotations

from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import context
from dashboard.i18n import lang_of, t
from layers import base
from layers.pustu import plan_state
from layers.text import fmt_number

LAYER = "pustu"
HIDDEN = {"display": "none"}
#: outline colours of the planned villages and of the villages they newly serve
PLANNED_COLOR = "#6a3d9a"
SERVED_COLOR = "#b15928"
MAX_SUGGEST = 200


def legend(lang: str) -> html.Div:
    """The legend rows of the plan's outlines, shown while a plan is drawn."""
    return html.Div([
        html.Div([html.Span(className="pws-scan-swatch", style={"borderColor": PLANNED_COLOR}),
                  html.Span(t("plan.legend.planned", lang))], id="legend-rencana",
                 className="pws-legend-row", style=HIDDEN),
        html.Div([html.Span(className="pws-scan-swatch pws-dashed",
                            style={"borderColor": SERVED_COLOR}),
                  html.Span(t("plan.legend.served", lang))], id="legend-rencana_layan",
                 className="pws-legend-row", style=HIDDEN),
    ])  # fmt: skip


def section(lang: str) -> html.Details:
    return html.Details([
        html.Summary(t("plan.title", lang)),
        html.P(t("plan.intro", lang), className="pws-hint"),
        dcc.Checklist(id="plan-mode", options=[{"label": t("plan.mode", lang), "value": "on"}],
                      value=[], className="pws-flag"),
        html.Div([
            html.Label(t("plan.n", lang), htmlFor="plan-n"),
            dcc.Input(id="plan-n", type="number", min=1, max=MAX_SUGGEST, step=1, value=5),
            html.Button(t("plan.suggest", lang), id="plan-suggest",
                        className="pws-button pws-primary"),
            html.Button(t("plan.clear", lang), id="plan-clear",
                        className="pws-button pws-secondary"),
        ], className="pws-buttons"),
        html.Div(id="plan-figures"),
        html.Div(id="plan-next"),
        dcc.Store(id="plan-sites", data=[]),
        dcc.Store(id="plan-outline"),
        dcc.Store(id="plan-outline-applied"),
    ], open=True, id="plan-section", className="pws-scan", style=HIDDEN)


# --- server side ------------------------------------------------------------------------


def _layer_options(ids: list, values: list) -> base.Layer:
    """The ``pustu`` layer as the page has it set (its distance and Puskesmas rule)."""
    cls = base.REGISTRY[LAYER]
    chosen = {}
    specs = {o.name: o.spec for o in cls.options()}
    for ident, value in zip(ids, values, strict=False):
        if isinstance(ident, dict) and ident.get("layer") == LAYER and ident.get("name") in specs:
            spec = specs[ident["name"]]
            chosen[ident["name"]] = (isinstance(value, list) and "on" in value) \
                if spec.kind == "flag" else value
    try:
        return base.from_config({"type": LAYER, **chosen})
    except ValueError as exc:
        raise PreventUpdate from exc


def _render(view: plan_state.PlanView, lang: str) -> tuple[list, list]:
    figures = html.Dl([
        html.Dt(t("plan.coverage", lang)),
        html.Dd(f"{fmt_number(view.coverage_pct, lang, 1)} %", id="plan-coverage"),
        html.Dt(t("plan.served", lang)),
        html.Dd(t("plan.people", lang, n=fmt_number(view.served_population, lang),
                  total=fmt_number(view.population, lang)), id="plan-served"),
        html.Dt(t("plan.newly", lang)),
        html.Dd(fmt_number(view.newly_served_population, lang), id="plan-newly"),
        html.Dt(t("plan.count", lang)),
        html.Dd(fmt_number(len(view.planned), lang), id="plan-count"),
    ], className="pws-plan-figures")  # fmt: skip
    note = t("plan.added" if view.added else "plan.removed", lang, kode=view.toggled) \
        if view.toggled else ""
    rows = [html.Tr([html.Td(str(i + 1)), html.Td(kode), html.Td(fmt_number(gain, lang))])
            for i, (kode, gain) in enumerate(view.next_sites)]  # fmt: skip
    table = html.Table([
        html.Thead(html.Tr([html.Th("#"), html.Th(t("plan.col.village", lang)),
                            html.Th(t("plan.col.gain", lang))])),
        html.Tbody(rows),
    ], id="plan-next-table", className="pws-table") if rows else html.P(
        t("plan.none_left", lang), className="pws-hint")  # fmt: skip
    return [html.P(note, id="plan-note", className="pws-ok"), figures], [
        html.H4(t("plan.next", lang)), table, html.P(t("plan.straight", lang),
                                                     className="pws-hint")]  # fmt: skip


def _outline(view: plan_state.PlanView) -> dict:
    return {
        "planned": {"villages": dict.fromkeys(view.planned, PLANNED_COLOR)} if view.planned
        else None,
        "served": {"villages": dict.fromkeys(view.newly_served, SERVED_COLOR), "dash": "5 4"}
        if view.newly_served else None,
    }  # fmt: skip


def _on_plan(click: Any, _suggest: Any, _clear: Any, layer_type: Any, _options: Any,
             mode: Any, sites: Any, n: Any, lang: Any) -> tuple:  # fmt: skip
    """One step of the plan: a click (in planning mode), a suggestion, clearing, or new
    layer options (the figures follow the distance)."""
    if layer_type != LAYER:
        return no_update, [], [], {}  # another layer: the plan stays, its outlines go
    lang = lang_of(lang)
    trigger = ctx.triggered_id
    options = ctx.inputs_list[4] if len(ctx.inputs_list) > 4 else []
    layer = _layer_options([o.get("id") for o in options], [o.get("value") for o in options])
    planned = sites if isinstance(sites, list) else []
    app_ctx = context.current()
    with app_ctx.session() as session:
        data = plan_state.cached_planning_data(session, app_ctx.scope(), layer.jarak_km,
                                               layer.puskesmas_melayani)  # fmt: skip
    if trigger == "plan-clear":
        view = plan_state.step(data, [])
    elif trigger == "plan-suggest":
        if isinstance(n, bool) or not isinstance(n, int | float) or not 1 <= n <= MAX_SUGGEST:
            raise PreventUpdate
        view = plan_state.suggest(data, int(n))
    elif trigger == "desa":
        if not (isinstance(mode, list) and "on" in mode):
            raise PreventUpdate  # not planning: a click only opens the panel
        props = click.get("properties") if isinstance(click, dict) else None
        view = plan_state.step(data, planned, props.get("kode") if isinstance(props, dict)
                               else None)  # fmt: skip
    else:
        view = plan_state.step(data, planned)
    figures, next_sites = _render(view, lang)
    return view.planned, figures, next_sites, _outline(view)


def register(app: Dash) -> None:
    app.callback(Output("plan-section", "style"), Input("layer", "value"))(
        lambda layer: {} if layer == LAYER else HIDDEN)

    app.callback(
        Output("plan-sites", "data"),
        Output("plan-figures", "children"),
        Output("plan-next", "children"),
        Output("plan-outline", "data"),
        Input("desa", "clickData"),
        Input("plan-suggest", "n_clicks"),
        Input("plan-clear", "n_clicks"),
        Input("layer", "value"),
        Input({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("plan-mode", "value"),
        State("plan-sites", "data"),
        State("plan-n", "value"),
        State("lang", "data"),
    )(_on_plan)

    app.clientside_callback(
        "function(data) { data = data || {};"
        " window.pws.applyOutline(data.served || null, 'rencana_layan');"
        " return window.pws.applyOutline(data.planned || null, 'rencana'); }",
        Output("plan-outline-applied", "data"),
        Input("plan-outline", "data"),
    )
