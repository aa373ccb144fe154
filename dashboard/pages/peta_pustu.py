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

from dashboard import components, context
from dashboard.i18n import lang_of, t
from layers import base, codes
from layers.pustu import export, plan_state, plans, ranking
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
        html.Div([
            dcc.Input(id="plan-name", type="text", maxLength=80,
                      placeholder=t("plan.name", lang), debounce=False),
            html.Button(t("plan.save", lang), id="plan-save", className="pws-button"),
        ], className="pws-buttons"),
        html.Div([
            components.dropdown(lang, id="plan-saved", options=[], value=None,
                                placeholder=t("plan.saved", lang), clearable=True),
            html.Button(t("plan.load", lang), id="plan-load", className="pws-button"),
        ], className="pws-buttons"),
        html.Div(id="plan-save-msg", className="pws-hint"),
        html.Div(id="plan-compare"),
        html.Div([
            html.Button(t("plan.download.ranking", lang), id="plan-download-ranking",
                        className="pws-button"),
            html.Button(t("plan.download.plan", lang), id="plan-download-plan",
                        className="pws-button"),
        ], className="pws-buttons"),
        dcc.Download(id="plan-xlsx"),
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
    if view.toggled:
        note = t("plan.added" if view.added else "plan.removed", lang, kode=view.toggled)
    elif view.bound is not None:  # a suggestion: how far from the best possible it may be
        gap = 0.0 if view.bound <= 0 else 100 * (view.bound - view.newly_served_population) \
            / view.bound
        note = t("plan.greedy", lang, newly=fmt_number(view.newly_served_population, lang),
                 bound=fmt_number(view.bound, lang), gap=fmt_number(gap, lang, 1))
    else:
        note = ""
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


def _on_plan(click: Any, _suggest: Any, _clear: Any, _load: Any, layer_type: Any,
             _options: Any, mode: Any, sites: Any, n: Any, saved: Any,
             lang: Any) -> tuple:  # fmt: skip
    """One step of the plan: a click (in planning mode), a suggestion, clearing, or new
    layer options (the figures follow the distance)."""
    if layer_type != LAYER:
        return no_update, [], [], {}  # another layer: the plan stays, its outlines go
    lang = lang_of(lang)
    trigger = ctx.triggered_id
    options = ctx.inputs_list[5] if len(ctx.inputs_list) > 5 else []
    layer = _layer_options([o.get("id") for o in options], [o.get("value") for o in options])
    planned = sites if isinstance(sites, list) else []
    app_ctx = context.current()
    with app_ctx.session() as session:
        data = plan_state.cached_planning_data(session, app_ctx.scope(), layer.jarak_km,
                                               layer.puskesmas_melayani)  # fmt: skip
        found = _saved_plan(session, app_ctx.scope(), saved) if trigger == "plan-load" \
            else None
    if trigger == "plan-load":
        if found is None:
            raise PreventUpdate  # nothing chosen, or not a plan of this scope
        view = plan_state.step(data, list(found.desa))
    elif trigger == "plan-clear":
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


def _saved_value(plan: plans.SavedPlan) -> str:
    return f"{plan.kode_wilayah}|{plan.nama}"


def _saved_plan(session: Any, scope: Any, value: Any) -> plans.SavedPlan | None:
    """The saved plan a dropdown value names, only within the server's scope."""
    if not isinstance(value, str) or "|" not in value:
        return None
    region, _, name = value.partition("|")
    return plans.load(session, scope, name, region)


def _plan_region(planned: list[str]) -> str | None:
    """The kabupaten a plan belongs to: the one all its villages lie in."""
    kab = {codes.ancestors(k)[1] if len(codes.ancestors(k)) >= 2 else None for k in planned}
    return kab.pop() if len(kab) == 1 else None


def _state_options(states: list) -> base.Layer:
    options = states[0] if states else []
    return _layer_options([o.get("id") for o in options], [o.get("value") for o in options])


def _on_save(clicks: Any, layer_type: Any, name: Any, sites: Any, _options: Any,
             lang: Any) -> tuple:  # fmt: skip
    """Save the plan by name in its kabupaten; list and compare the saved plans."""
    if layer_type != LAYER:
        raise PreventUpdate
    lang = lang_of(lang)
    layer = _state_options([s for s in ctx.states_list if isinstance(s, list)])
    app_ctx = context.current()
    scope = app_ctx.scope()
    message = ""
    with app_ctx.session() as session:
        data = plan_state.cached_planning_data(session, scope, layer.jarak_km,
                                               layer.puskesmas_melayani)  # fmt: skip
        if ctx.triggered_id == "plan-save" and clicks:
            planned = plan_state.step(data, sites if isinstance(sites, list) else []).planned
            region = _plan_region(planned)
            if not planned or region is None or not isinstance(name, str) or not name.strip():
                message = t("plan.save.bad", lang)
            else:
                try:
                    plans.save(session, scope, name, region, planned,
                               jarak_m=layer.jarak_km * 1000,
                               puskesmas_melayani=layer.puskesmas_melayani,
                               figures=plan_state.as_plan(data, planned), replace=True)
                    session.commit()
                    message = t("plan.save.done", lang, name=name.strip())
                except plans.PlanError as refused:
                    message = refused.text(lang)
        saved = plans.list_plans(session, scope)
        chosen = [p for p in (plans.load(session, scope, n, r)
                              for n, r in zip(saved["nama"], saved["kode_wilayah"], strict=True))
                  if p is not None]  # fmt: skip
        table = plans.compare(data, {p.nama: p.desa for p in chosen}) if chosen else None
    options = [{"label": f"{p.nama} ({p.kode_wilayah}, {len(p.desa)})",
                "value": _saved_value(p)} for p in chosen]  # fmt: skip
    return message, options, _compare_table(table, lang)


def _compare_table(table: Any, lang: str) -> object:
    if table is None or table.empty:
        return []
    head = [t("plan.col.plan", lang), t("plan.count", lang), t("plan.newly", lang),
            t("plan.coverage", lang)]  # fmt: skip
    rows = [html.Tr([html.Td(str(r["nama"])), html.Td(fmt_number(r["desa"], lang)),
                     html.Td(fmt_number(r["terlayani_baru"], lang)),
                     html.Td(f"{fmt_number(r['cakupan_persen'], lang, 1)} %")])
            for _, r in table.iterrows()]  # fmt: skip
    return html.Div([html.H4(t("plan.compare", lang)), html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in head])), html.Tbody(rows)],
        id="plan-compare-table", className="pws-table")])  # fmt: skip


def _on_download(_ranking: Any, _plan: Any, sites: Any, _options: Any, lang: Any) -> Any:
    lang = lang_of(lang)
    layer = _state_options([s for s in ctx.states_list if isinstance(s, list)])
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        data = plan_state.cached_planning_data(session, scope, layer.jarak_km,
                                               layer.puskesmas_melayani)  # fmt: skip
        if ctx.triggered_id == "plan-download-ranking":
            ranked = ranking.rank(data, ranking.alert_weeks(session, scope))
            return dcc.send_bytes(export.ranking_xlsx(ranked, data, lang), "peringkat_pustu.xlsx")
    plan = plan_state.as_plan(data, sites if isinstance(sites, list) else [])
    return dcc.send_bytes(export.plan_xlsx(plan, data, lang), "rencana_pustu.xlsx")


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
        Input("plan-load", "n_clicks"),
        Input("layer", "value"),
        Input({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("plan-mode", "value"),
        State("plan-sites", "data"),
        State("plan-n", "value"),
        State("plan-saved", "value"),
        State("lang", "data"),
    )(_on_plan)

    app.callback(
        Output("plan-save-msg", "children"),
        Output("plan-saved", "options"),
        Output("plan-compare", "children"),
        Input("plan-save", "n_clicks"),
        Input("layer", "value"),
        State("plan-name", "value"),
        State("plan-sites", "data"),
        State({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("lang", "data"),
    )(_on_save)

    app.callback(
        Output("plan-xlsx", "data"),
        Input("plan-download-ranking", "n_clicks"),
        Input("plan-download-plan", "n_clicks"),
        State("plan-sites", "data"),
        State({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )(_on_download)

    app.clientside_callback(
        "function(data) { data = data || {};"
        " window.pws.applyOutline(data.served || null, 'rencana_layan');"
        " return window.pws.applyOutline(data.planned || null, 'rencana'); }",
        Output("plan-outline-applied", "data"),
        Input("plan-outline", "data"),
    )
