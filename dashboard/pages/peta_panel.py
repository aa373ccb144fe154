"""The map's village panel: a click on a village opens its panel (name, kecamatan,
population, facilities, then each registered section of :mod:`layers.panel`), the close
button empties it, and the village stays outlined while its panel is open.

The clicked code is checked against the server's scope (:func:`content`); the panel's
sections read the village narrowed from that scope, never wider.
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, html
from dash.exceptions import PreventUpdate

from dashboard import components, context
from dashboard.i18n import lang_of, t
from layers import base, codes, panel
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries


def content(kode: str, layer_type: Any, period_value: Any, lang: str) -> list:
    """The panel of village ``kode`` for the layer's period, or "not found" for a code
    that is not a village of the server's scope (a crafted click, another region)."""
    app_ctx = context.current()
    scope: Scope = app_ctx.scope()
    cls = base.REGISTRY.get(layer_type) if isinstance(layer_type, str) else None
    try:
        period = base.parse_period(cls.period_kind, period_value) if cls else None
    except ValueError:
        period = None  # a crafted period shows the panel without one
    with app_ctx.session() as session:
        info = queries.region(session, scope, kode)
        if info is None or info["level"] != "desa":
            return [html.P(t("panel.not_found", lang), className="pws-hint")]
        kec = queries.region(session, scope, info["induk"]) if info["induk"] else None
        info["nama_kec"] = kec["nama"] if kec else None
        village = scope.narrow(kode)
        year = period.year if isinstance(period, EpiWeek) else period
        pop = queries.population(session, village, year if isinstance(year, int) else 9999)
        facilities = queries.facilities(session, village)
        # the village's kabupaten, narrowed from the server's scope (never wider than it)
        area = scope.narrow(codes.parent(info["induk"])) if info["induk"] else village
        sections = [s for s in (section.load(session, village, kode, period, lang, area)
                                for section in panel.ordered()) if s is not None]  # fmt: skip
    population = int(pop["jumlah"].iloc[0]) if not pop.empty else None
    return components.village_panel(info, population, facilities, sections, lang)


def register(app: Dash) -> None:
    app.clientside_callback(
        "function(click, close) { return window.pws.selectedFrom(click, close); }",
        Output("selected-desa", "data"),
        Input("desa", "clickData"),
        Input("panel-close", "n_clicks"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        "function(kode) { return window.pws.select(kode); }",
        Output("selected-applied", "data"),
        Input("selected-desa", "data"),
    )
    @app.callback(Output("panel", "children", allow_duplicate=True),
                  Input("panel-close", "n_clicks"), State("lang", "data"),
                  prevent_initial_call=True)  # fmt: skip
    def close_panel(clicks: Any, lang: Any) -> html.P:
        if not clicks:
            raise PreventUpdate  # the button appearing with a panel is not a click
        return html.P(t("panel.hint", lang_of(lang)), className="pws-hint")

    @app.callback(
        Output("panel", "children"),
        Input("desa", "clickData"),
        State("layer", "value"),
        State("period", "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def open_panel(feature: Any, layer_type: Any, period: Any, lang: Any) -> list:
        props = feature.get("properties") if isinstance(feature, dict) else None
        kode = props.get("kode") if isinstance(props, dict) else None
        if not isinstance(kode, str) or props.get("lvl"):
            raise PreventUpdate  # nothing, or a region (a click on it zooms in)
        return content(kode, layer_type, period, lang_of(lang))
