"""The map page (peta PWS): village choropleth, outlines, point overlays, legend, panel.

Generic over the Layer interface (:mod:`layers.base`): the layer list, the period control
(weeks, years, or none for a snapshot layer), the option controls, the legend, the point
overlays (:mod:`layers.overlays`) and the village panel's sections (:mod:`layers.panel`)
all come from what is registered in :mod:`layers.catalog`; nothing here knows a layer.

Geometry comes once from the cacheable routes in ``dashboard.geo_routes``; the
``layer-values`` store carries only ``{kode: [class, label]}`` and is applied in the
browser by ``pws.applyValues`` (assets/pws.js) without rebuilding polygons. The side
area's tools (the space-time scan, ...) are :data:`dashboard.pages.peta_tools.TOOLS`.
"""

from __future__ import annotations

import os
from typing import Any

import dash_leaflet as dl
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import components, context, geo_routes
from dashboard.i18n import t
from dashboard.pages.peta_tools import TOOLS
from layers import (
    base,
    catalog,  # noqa: F401 - registers every layer, overlay and panel section
    codes,
    overlays,
    panel,
)
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries

DEFAULT_LAYER = "insidens"
INDONESIA_BOUNDS = [[-11.0, 95.0], [6.0, 141.0]]
HIDDEN = {"display": "none"}
SHOWN: dict[str, str] = {}


def _fn(name: str) -> dict[str, str]:
    """A reference to a function in assets/pws.js, as dash-leaflet expects it."""
    return {"variable": f"pws.{name}"}


def _basemap() -> list:
    """Optional tiles from ``PWS_TILE_URL``; by default none (offline offices, tests)."""
    url = os.environ.get("PWS_TILE_URL", "").strip()
    if not url:
        return []
    attribution = os.environ.get("PWS_TILE_ATTRIBUTION", "")
    return [dl.TileLayer(url=url, attribution=attribution, opacity=0.6)]


def _points(overlay: overlays.PointOverlay, scope: Scope, lang: str) -> dl.GeoJSON:
    """An overlay's points, styled in the browser from its classes (``hideout``)."""
    style = {
        "classes": [{"key": c.key, "color": c.color, "radius": c.radius, "opacity": c.opacity,
                     "label": c.label(lang)} for c in overlay.classes],
        "details": [[name, label(lang)] for name, label in overlay.details],
        "overlay": overlay.id,
    }  # fmt: skip
    return dl.GeoJSON(id=f"titik-{overlay.id}", url=geo_routes.overlay_url(scope, overlay.id),
                      pointToLayer=_fn("pointMarker"), hideout=style)  # fmt: skip


def _layer_overlays(layer_type: str) -> list[overlays.PointOverlay]:
    cls = base.REGISTRY.get(layer_type)
    names = cls.overlays if cls else ()
    return [overlays.OVERLAYS[n] for n in names if n in overlays.OVERLAYS]


def _shown_overlays(layer_type: str) -> list[overlays.PointOverlay]:
    """The overlays the legend explains: those always offered, then the layer's own."""
    always = [o for o in overlays.OVERLAYS.values() if o.always]
    return always + [o for o in _layer_overlays(layer_type) if o not in always]


def _first_layer(session: Any, scope: Scope) -> str:
    """The default layer if it has data here, else the first that has (a snapshot layer
    needs none), else the default anyway (it then says there is no data)."""
    order = [DEFAULT_LAYER, *(k for k in base.REGISTRY if k != DEFAULT_LAYER)]
    for kind in order:
        cls = base.REGISTRY.get(kind)
        if cls and (cls.period_kind == base.SNAPSHOT or cls().periods(session, scope)):
            return kind
    return DEFAULT_LAYER if DEFAULT_LAYER in base.REGISTRY else next(iter(base.REGISTRY))


def layout(lang: str, detail: str = "sedang", fmt: str = "geobuf") -> html.Div:
    """The page in ``lang``; ``detail``/``fmt`` pick the village geometry served."""
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        version = queries.geometry_version(session)
        kec = queries.regions(session, scope, "kec")
        villages = queries.village_table(session, scope)
        bounds = queries.scope_bounds(session, scope)
        counts = {o.id: o.count(session, scope) for o in overlays.OVERLAYS.values()
                  if o.always}  # fmt: skip
        layer_type = _first_layer(session, scope)
    kec_opts = [{"label": n, "value": k} for k, n in zip(kec["kode"], kec["nama"], strict=True)]
    layer_opts = [{"label": cls.title(lang), "value": kind} for kind, cls in base.REGISTRY.items()]
    always = [o for o in overlays.OVERLAYS.values() if o.always]
    return html.Div([
        dcc.Store(id="lang", data=lang),
        dcc.Store(id="layer-values"),
        dcc.Store(id="layer-applied"),
        html.Div([
            html.Div([html.Label(t("filter.layer", lang)),
                      dcc.Dropdown(id="layer", options=layer_opts, value=layer_type,
                                   clearable=False)], className="pws-control"),
            html.Div([html.Label(id="period-label"),
                      dcc.Dropdown(id="period", options=[], value=None, clearable=False)],
                     id="period-wrap", className="pws-control", style=HIDDEN),
            html.Div(id="layer-options", className="pws-options"),
            html.Div([html.Label(t("filter.kecamatan", lang)),
                      dcc.Dropdown(id="kec", options=kec_opts, value=None,
                                   placeholder=t("filter.kecamatan.all", lang))],
                     className="pws-control"),
            html.Div(f"{len(villages)} {t('map.desa', lang).lower()}", id="village-count",
                     className="pws-hint"),
        ], className="pws-controls"),
        html.Div([
            html.Div([
                dl.Map(
                    id="map",
                    bounds=bounds or INDONESIA_BOUNDS,
                    # nothing reads the viewport back; dash-leaflet's tracking of it needs a
                    # centre, which a map opened on bounds lacks (a TypeError on every move)
                    trackViewport=False,
                    zoomSnap=0.25,
                    preferCanvas=False,
                    className="pws-map",
                    children=[
                        *_basemap(),
                        dl.GeoJSON(
                            id="desa",
                            url=geo_routes.village_url(version, scope, detail, fmt),
                            format=fmt,
                            style=_fn("villageStyle"),
                            onEachFeature=_fn("onEachVillage"),
                        ),
                        dl.Pane(
                            dl.GeoJSON(id="kecamatan", url=geo_routes.kecamatan_url(version, scope),
                                       format="geobuf", style=_fn("kecamatanStyle"),
                                       interactive=False),
                            name="kecamatan", style={"zIndex": 450, "pointerEvents": "none"},
                        ),
                        dl.Pane(name="titik", style={"zIndex": 650}),
                        dl.LayerGroup(id="layer-points"),
                        dl.LayersControl([
                            dl.Overlay(_points(o, scope, lang), name=o.title(lang),
                                       checked=o.on_by_default(counts[o.id]))
                            for o in always
                        ], position="topright", collapsed=False),
                        dl.ScaleControl(position="bottomleft", imperial=False),
                    ],
                ),
                html.Div(id="legend", className="pws-legend"),
            ], className="pws-map-wrap"),
            html.Div([
                *(tool.section(lang) for tool in TOOLS),
                html.Div(html.P(t("panel.hint", lang), className="pws-hint"), id="panel"),
            ], className="pws-panel pws-side"),
        ], className="pws-main"),
    ])


# --- server side ------------------------------------------------------------------------


def _layer_class(layer_type: Any) -> type[base.Layer]:
    if not isinstance(layer_type, str) or layer_type not in base.REGISTRY:
        raise PreventUpdate  # crafted: no such layer
    return base.REGISTRY[layer_type]


def _on_layer(layer_type: Any, period: Any, lang: Any) -> tuple:
    """A new layer: its period control (hidden for a snapshot), its option controls and
    the point overlays it draws."""
    cls = _layer_class(layer_type)
    lang = lang if lang in ("id", "en") else "id"
    app_ctx = context.current()
    scope = app_ctx.scope()
    controls = [components.option_control(cls, o, o.default, lang) for o in cls.options()]
    points = [_points(o, scope, lang) for o in _layer_overlays(cls.type)]
    if cls.period_kind == base.SNAPSHOT:
        return [], None, HIDDEN, "", controls, points
    with app_ctx.session() as session:
        periods = cls().periods(session, scope)
    options = components.period_options(periods, lang)
    values = [o["value"] for o in options]
    value = period if period in values else (values[0] if values else None)
    label = t(f"filter.period.{cls.period_kind}", lang)
    return options, value, SHOWN, label, controls, points


def _chosen_options(cls: type[base.Layer], raw: list, ids: list) -> dict[str, Any]:
    """The option values the page sent for ``cls`` (controls of another layer, sent while
    the page was switching, are ignored; missing ones keep their default)."""
    specs = {o.name: o.spec for o in cls.options()}
    chosen: dict[str, Any] = {}
    for ident, value in zip(ids, raw, strict=False):
        if isinstance(ident, dict) and ident.get("layer") == cls.type \
                and ident.get("name") in specs:
            chosen[ident["name"]] = components.option_value(specs[ident["name"]], value)
    return chosen


def _values(layer_type: Any, period_value: Any, kec: Any, option_values: Any,
            lang: Any) -> tuple[dict, list]:  # fmt: skip
    cls = _layer_class(layer_type)
    lang = lang if lang in ("id", "en") else "id"
    app_ctx = context.current()
    scope = app_ctx.scope()
    ids = [i["id"] for i in ctx.inputs_list[3]] if len(ctx.inputs_list) > 3 else []
    try:
        if kec:
            if not isinstance(kec, str) or not codes.is_valid(kec):
                raise ValueError("not a region code")
            scope = scope.narrow(kec)  # narrowing can only shrink the server's scope
        raw = option_values if isinstance(option_values, list) else []
        layer = base.from_config({"type": cls.type, **_chosen_options(cls, raw, ids)})
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc
    with app_ctx.session() as session:
        if cls.period_kind != base.SNAPSHOT and period_value is None:
            villages = queries.village_table(session, scope)["kode"]
            result = base.no_data_result(villages, layer.legend(), layer.no_periods_text(),
                                         lang)  # fmt: skip
        else:
            try:
                period = base.parse_period(cls.period_kind, period_value)
            except ValueError as exc:
                raise PreventUpdate from exc
            result = layer.load(session, scope, period, lang)
    data = {
        "values": result.values(),
        "colors": [c.color for c in result.legend.classes],
        "no_data": result.legend.no_data.color,
        "stamp": f"{cls.type}|{period_value or ''}|{kec or ''}|{lang}|"
                 f"{sorted(layer.config().items())}",
    }  # fmt: skip
    overlays_shown = _shown_overlays(cls.type)
    return data, components.legend(result.legend, lang, result.summary, overlays_shown)


def _panel(kode: str, layer_type: Any, period_value: Any, lang: str) -> list:
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
        sections = [s for s in (section.load(session, village, kode, period, lang)
                                for section in panel.ordered()) if s is not None]  # fmt: skip
    population = int(pop["jumlah"].iloc[0]) if not pop.empty else None
    return components.village_panel(info, population, facilities, sections, lang)


def register(app: Dash) -> None:
    for tool in TOOLS:
        tool.register(app)

    app.callback(
        Output("period", "options"),
        Output("period", "value"),
        Output("period-wrap", "style"),
        Output("period-label", "children"),
        Output("layer-options", "children"),
        Output("layer-points", "children"),
        Input("layer", "value"),
        State("period", "value"),
        State("lang", "data"),
    )(_on_layer)

    app.callback(
        Output("layer-values", "data"),
        Output("legend", "children"),
        Input("layer", "value"),
        Input("period", "value"),
        Input("kec", "value"),
        Input({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("lang", "data"),
    )(_values)

    app.clientside_callback(
        "function(data) { return window.pws.applyValues(data); }",
        Output("layer-applied", "data"),
        Input("layer-values", "data"),
    )

    @app.callback(Output("map", "viewport"), Input("kec", "value"), prevent_initial_call=True)
    def zoom_to_kecamatan(kec: Any) -> dict:
        app_ctx = context.current()
        if kec and not (isinstance(kec, str) and codes.is_valid(kec)):
            raise PreventUpdate  # crafted or malformed code: nothing to zoom to
        with app_ctx.session() as session:
            scope = app_ctx.scope()
            bounds = queries.scope_bounds(session, scope.narrow(kec) if kec else scope)
        if bounds is None:
            return no_update
        return {"bounds": bounds, "transition": "flyToBounds"}

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
        if not isinstance(kode, str):
            raise PreventUpdate
        return _panel(kode, layer_type, period, lang if lang in ("id", "en") else "id")
