"""The map page (peta PWS): village choropleth, outlines, point overlays, legend, panel.

Generic over the Layer interface (:mod:`layers.base`): the layer list, the period control
(weeks, years, or none for a snapshot layer), the option controls, the legend, the point
overlays (:mod:`layers.overlays`) and the village panel's sections (:mod:`layers.panel`)
all come from what is registered in :mod:`layers.catalog`; nothing here knows a layer.

Geometry comes once from the cacheable routes in ``dashboard.geo_routes``; the
``layer-values`` store carries only ``{kode: [class, label]}`` and is applied in the
browser by ``pws.applyValues`` (assets/pws.js) without rebuilding polygons. The side
area's tools (the space-time scan, ...) are :data:`dashboard.pages.peta_tools.TOOLS`; the
kecamatan filter is :mod:`~dashboard.pages.peta_kecamatan`, the village panel
:mod:`~dashboard.pages.peta_panel`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import dash_leaflet as dl
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import (
    components,
    context,
    geo_routes,
    layer_values,
    map_geometry,
    map_image_route,
    values_prefetch,
)
from dashboard.i18n import lang_of, t
from dashboard.pages import peta_kecamatan, peta_options, peta_panel, peta_points
from dashboard.pages.peta_tools import TOOLS
from layers import (
    base,
    catalog,  # noqa: F401 - registers every layer, overlay and panel section
    codes,
    geometry,
    overlays,
)
from layers.scope import Scope
from layers.store import queries

DEFAULT_LAYER = "insidens"
INDONESIA_BOUNDS = [[-11.0, 95.0], [6.0, 141.0]]
HIDDEN = {"display": "none"}
#: fitting the map to a region leaves the legend's corner free (pixels; the legend is
#: about 270 px wide at the bottom right), so no village hides under it
FIT_PADDING = {"paddingTopLeft": [16, 16], "paddingBottomRight": [290, 16]}
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


def _layer_overlays(layer_type: str) -> list[overlays.PointOverlay]:
    cls = base.REGISTRY.get(layer_type)
    names = cls.overlays if cls else ()
    return [overlays.OVERLAYS[n] for n in names if n in overlays.OVERLAYS]


def _shown_overlays(layer_type: str) -> list[overlays.PointOverlay]:
    """The overlays the legend explains: those always offered, then the layer's own."""
    always = peta_points.always()
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


def layout(lang: str, detail: str = "sedang", fmt: str = "geobuf",
           state: dict[str, str] | None = None) -> html.Div:  # fmt: skip
    """The page in ``lang``; ``detail``/``fmt`` pick the village geometry served; ``state``
    (the URL's query: ``layer``, ``period``, ``kec``, ``desa``, ``opt_<name>``; ``render``
    ``canvas`` or ``svg``, :func:`draws_on_canvas`) reopens a view — every value is checked
    here or by the callbacks, never trusted."""
    state = state or {}
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        version = queries.geometry_version(session)
        kec_control, kec_value = peta_kecamatan.control(session, scope, lang, state.get("kec"))
        n_villages = queries.village_count(session, scope)
        asked_desa = queries.region(session, scope, state["desa"]) if state.get("desa") else None
        bounds = queries.scope_bounds(session, scope)
        counts = {o.id: o.count(session, scope) for o in overlays.OVERLAYS.values()
                  if o.always}  # fmt: skip
        asked = state.get("layer")
        layer_type = asked if asked in base.REGISTRY else _first_layer(session, scope)
        period_opts, period, period_style, period_label = _period_control(
            session, scope, base.REGISTRY[layer_type], state.get("period"), lang)
    desa = asked_desa["kode"] if asked_desa and asked_desa["level"] == "desa" else None
    panel_content = (peta_panel.content(desa, layer_type, period, lang) if desa else
                     html.P(t("panel.hint", lang), className="pws-hint"))  # fmt: skip
    asked_options = peta_options.initial(base.REGISTRY[layer_type], state)
    geo = _geo_config(version, scope, n_villages, detail, fmt)
    layer_opts = [{"label": cls.title(lang), "value": kind} for kind, cls in base.REGISTRY.items()]
    points_on = peta_points.switched_on(counts)
    return html.Div([
        dcc.Store(id="lang", data=lang),
        dcc.Store(id="layer-values"),
        dcc.Store(id="layer-applied"),
        dcc.Store(id="legend-key"),
        dcc.Store(id="period-list"),
        # the period the values callback answers: the chosen one, once it is painted
        dcc.Store(id="period-shown", data=period),
        dcc.Store(id="selected-desa", data=desa),
        dcc.Store(id="selected-applied"),
        dcc.Store(id="view-kept"),
        dcc.Store(id="geo-config", data=geo),
        dcc.Store(id="geo-applied"),
        html.Div([
            html.Div([html.Label(t("filter.layer", lang)),
                      components.dropdown(lang, id="layer", options=layer_opts, value=layer_type,
                                   clearable=False)], className="pws-control"),
            html.Div([html.Label(period_label, id="period-label"),
                      components.dropdown(lang, id="period", options=period_opts, value=period,
                                          clearable=False, maxHeight=420)],
                     id="period-wrap", className="pws-control", style=period_style),
            # the first layer's controls come with the page: filled in by a callback, they
            # changed the controls' height, and every change redrew all the map's polygons
            html.Div(_option_controls(base.REGISTRY[layer_type], asked_options, lang),
                     id="layer-options", className="pws-options"),
            html.Div(kec_control, className="pws-control"),
            html.Div([
                html.Div(f"{n_villages} {t('map.desa', lang).lower()}", id="village-count"),
                # the current view as an image drawn on the server (href set by a callback)
                html.A(map_image_route.DOWNLOAD(lang), id="map-download", download="peta.png",
                       title=map_image_route.DOWNLOAD_TITLE(lang),
                       href=map_image_route.image_url({"type": layer_type}, period, kec_value,
                                                      lang)),
            ], className="pws-hint", style={"display": "flex", "flexDirection": "column"}),
        ], className="pws-controls"),
        html.Div([
            html.Div([
                dl.Map(
                    id="map",
                    bounds=bounds or INDONESIA_BOUNDS,
                    boundsOptions=FIT_PADDING,
                    # nothing reads the viewport back; dash-leaflet's tracking of it needs a
                    # centre, which a map opened on bounds lacks (a TypeError on every move)
                    trackViewport=False,
                    zoomSnap=0.25,
                    preferCanvas=draws_on_canvas(state.get("render"), n_villages),
                    className="pws-map",
                    children=[
                        *_basemap(),
                        dl.GeoJSON(
                            id="desa",
                            url=geo["url"],
                            format=geo["format"],
                            style=_fn("villageStyle"),
                            onEachFeature=_fn("onEachVillage"),
                        ),
                        dl.Pane(
                            # the nation's drill-down draws kabupaten instead of outlines
                            dl.GeoJSON(id="kecamatan", url=None if geo["mode"] == "wilayah"
                                       else geo_routes.kecamatan_url(version, scope),
                                       format="geobuf", style=_fn("kecamatanStyle"),
                                       interactive=False),
                            name="kecamatan", style={"zIndex": 450, "pointerEvents": "none"},
                        ),
                        # points above the polygons and outlines, below Leaflet's tooltips
                        # (650) and popups (700): a village's tooltip is never hidden
                        dl.Pane(name="titik", style={"zIndex": 620}),
                        dl.LayerGroup(_points_of(layer_type, scope, lang), id="layer-points"),
                        peta_points.layer_group(points_on, scope, lang),
                        dl.ScaleControl(position="bottomleft", imperial=False),
                    ],
                ),
                peta_points.switches(points_on, lang),
                html.Details([
                    html.Summary(t("map.legend", lang)),
                    html.Div([html.Div(id="legend-classes"),
                              html.Div(id="legend-summary", className="pws-legend-summary")],
                             id="legend"),
                    *(tool.legend(lang) for tool in TOOLS if hasattr(tool, "legend")),
                ], open=True, id="legend-box", className="pws-legend"),
            ], className="pws-map-wrap"),
            html.Div([
                *(tool.section(lang) for tool in TOOLS),
                html.Div([
                    html.Button("×", id="panel-close", title=t("panel.close", lang),
                                n_clicks=0, className="pws-close",
                                style=SHOWN if desa else HIDDEN),
                    html.Div(panel_content, id="panel"),
                ], id="panel-wrap", className="pws-panel-wrap"),
            ], className="pws-panel pws-side"),
        ], className="pws-main"),
    ], className="pws-map-page")


#: a scope with more villages than this draws them on a canvas, fewer as SVG paths (one
#: DOM element each; what the browser tests read): measured side by side in
#: bench/map_payload.py, Jawa Timur's 8,494 villages open and repaint a week faster on a
#: canvas (1.76 s and 131 ms against 2.02 s and 152 ms on SVG)
CANVAS_ABOVE_VILLAGES = 3000


def draws_on_canvas(render: object, n_villages: int) -> bool:
    """Whether the map draws on a canvas: ``?render=canvas`` or ``svg`` forces one, else
    the number of villages decides (:data:`CANVAS_ABOVE_VILLAGES`)."""
    if render in ("canvas", "svg"):
        return render == "canvas"
    return n_villages > CANVAS_ABOVE_VILLAGES


def first_geometry_url(version: str, scope: Scope, n_villages: int, detail: str,
                       fmt: str) -> str:  # fmt: skip
    """The geometry the map fetches first: every village at its first detail, or the
    provinces of a drill-down (the index page preloads it, :mod:`dashboard.preload`)."""
    if map_geometry.drill_down(n_villages):
        return map_geometry.region_url(version, scope, "prov")
    first = map_geometry.FIRST_DETAIL if detail == geometry.DEFAULT_DETAIL else detail
    return geo_routes.village_url(version, scope, first, fmt)


def _geo_config(version: str, scope: Scope, n_villages: int, detail: str,
                fmt: str) -> dict[str, Any]:  # fmt: skip
    """What the browser's level manager (assets/pws_levels.js) needs: the first geometry
    (all villages at low detail, or the provinces of a drill-down), chunk and index URLs,
    and the zooms at which each level and detail shows (:mod:`dashboard.map_geometry`)."""
    drill = map_geometry.drill_down(n_villages)
    first = map_geometry.FIRST_DETAIL if detail == geometry.DEFAULT_DETAIL else detail
    return {
        "mode": "wilayah" if drill else "desa",
        "url": first_geometry_url(version, scope, n_villages, detail, fmt),
        "format": "geobuf" if drill else fmt,
        "initialDetail": None if drill else first,
        "index": map_geometry.index_url(version, scope),
        "chunk": map_geometry.chunk_url(version, scope),
        "regions": {"kab": map_geometry.region_url(version, scope, "kab", "json")},
        # finer kecamatan outlines, swapped in once the villages are refined to them
        "kecamatan": None if drill else {
            "detail": map_geometry.OUTLINE_DETAILS[-1],
            "url": geo_routes.kecamatan_url(version, scope, map_geometry.OUTLINE_DETAILS[-1])},
        "details": [{"detail": d, "minZoom": z} for d, z in map_geometry.DETAIL_ZOOMS],
        "kabZoom": map_geometry.KAB_ZOOM,
        "desaZoom": map_geometry.DESA_ZOOM,
    }  # fmt: skip


# --- server side ------------------------------------------------------------------------


def _layer_class(layer_type: Any) -> type[base.Layer]:
    if not isinstance(layer_type, str) or layer_type not in base.REGISTRY:
        raise PreventUpdate  # crafted: no such layer
    return base.REGISTRY[layer_type]


def _on_layer(layer_type: Any, period: Any, lang: Any) -> tuple:
    """Another layer chosen: its period control (hidden for a snapshot), its option
    controls (defaults) and the point overlays it draws. The page's first layer comes with
    the layout, with the options the URL asked for."""
    cls = _layer_class(layer_type)
    lang = lang_of(lang)
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        period_control = _period_control(session, scope, cls, period, lang)
    return *period_control, _option_controls(cls, {}, lang), _points_of(cls.type, scope, lang)


def _option_controls(cls: type[base.Layer], chosen: dict[str, Any], lang: str) -> list:
    """The layer's option controls: ``chosen`` values, the defaults for the others."""
    values = {o.name: o.default for o in cls.options()} | chosen
    return [components.option_control(cls, o, values[o.name], lang) for o in cls.options()]


def _points_of(layer_type: str, scope: Scope, lang: str) -> list:
    return [peta_points.points(o, scope, lang) for o in _layer_overlays(layer_type)]


def _period_control(session: Any, scope: Scope, cls: type[base.Layer], period: Any,
                    lang: str) -> tuple[list, str | None, dict, str]:  # fmt: skip
    """The period dropdown for ``cls``: options, value (``period`` if it has data, else the
    newest), style (hidden for a snapshot) and label."""
    if cls.period_kind == base.SNAPSHOT:
        return [], None, HIDDEN, ""
    options = components.period_options(cls().periods(session, scope), lang)
    values = [o["value"] for o in options]
    value = period if period in values else (values[0] if values else None)
    return options, value, SHOWN, t(f"filter.period.{cls.period_kind}", lang)


def _values(layer_type: Any, period_value: Any, kec: Any, option_values: Any,
            lang: Any, geo: Any, legend_shown: Any, count_shown: Any) -> tuple:  # fmt: skip
    """The chosen layer's values (cached per data version, :mod:`dashboard.layer_values`),
    its legend (in a drill-down also the regions' aggregated one) and the period's summary
    under it, the village count and the download link (``/peta.png`` of the same layer,
    options, period and kecamatan). The legend and the count are sent only when they
    differ from those shown (``legend_shown``: the key of the legend drawn): a new week
    changes the summary and the link, and Dash then rebuilds nothing else."""
    cls = _layer_class(layer_type)
    lang = lang_of(lang)
    ids = [i["id"] for i in ctx.inputs_list[3]] if len(ctx.inputs_list) > 3 else []
    raw = option_values if isinstance(option_values, list) else []
    try:
        chosen, problems = peta_options.chosen(cls, raw, ids)
        req = layer_values.parse({"type": cls.type, **chosen}, period_value, kec, lang)
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc
    regions = isinstance(geo, dict) and geo.get("mode") == "wilayah"
    app_ctx = context.current()
    scope = app_ctx.scope()
    found = layer_values.values(app_ctx, req, regions, scope=scope)
    values_prefetch.schedule(app_ctx, scope, req, regions)  # the weeks around it, later
    count = f"{found.body['n']} {t('map.desa', lang).lower()}"
    summary = components.legend_summary(found.summary(), lang)
    # the download link of the same view (the route checks every value again): in this
    # response, not a request of its own on every change
    href = map_image_route.image_url(req.layer.config(), req.period, req.kec, lang)
    # the controls answered, as the browser sent them: the page asks the values route for
    # another period itself only while its controls are still these (pws.onPeriod)
    payload = {**layer_values.browser_payload(req, found, regions),
               "inputs": [layer_type, kec, raw]}
    key = json.dumps([req.config_text(), lang, regions, problems], default=str)
    if legend_shown == key:
        legend, key = no_update, no_update
    else:
        legend = peta_options.warnings(problems, lang) + _legend(req, regions, lang)
    return payload, legend, key, summary, no_update if count_shown == count else count, href


def _legend(req: layer_values.Request, regions: bool, lang: str) -> list:
    """The layer's legend; in a drill-down also the regions' (the zoom shows one of them,
    pws_levels.js)."""
    village_legend = req.layer.legend()
    overlays_shown = _shown_overlays(req.layer.type)
    legend = [html.Div(components.legend(village_legend, lang, overlays_shown),
                       className="pws-legend-desa")]
    if regions:
        legend.append(html.Div(components.legend(req.layer.aggregation().legend(village_legend),
                                                 lang, overlays_shown),
                               className="pws-legend-wilayah"))  # fmt: skip
    return legend


def register(app: Dash) -> None:
    for tool in TOOLS:
        tool.register(app)
    peta_points.register(app)
    peta_kecamatan.register(app)
    peta_panel.register(app)

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
        prevent_initial_call=True,  # the page's layout has the first layer's controls
    )(_on_layer)

    app.callback(
        Output("layer-values", "data"),
        Output("legend-classes", "children"),
        Output("legend-key", "data"),
        Output("legend-summary", "children"),
        Output("village-count", "children"),
        Output("map-download", "href"),
        Input("layer", "value"),
        Input("period-shown", "data"),
        Input("kec", "value"),
        Input({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        State("lang", "data"),
        State("geo-config", "data"),
        State("legend-key", "data"),
        State("village-count", "children"),
    )(_values)

    app.clientside_callback(
        "function(cfg) { return window.pws.configureGeo(cfg); }",
        Output("geo-applied", "data"),
        Input("geo-config", "data"),
    )
    # a new period alone is painted from the values route first (pws.onPeriod); the values
    # callback asks for it once it is painted, for the legend's summary and the link
    app.clientside_callback(
        "function(layer, period, kec, opts) {"
        " return window.pws.onPeriod(layer, period, kec, opts); }",
        Output("period-shown", "data"),
        Input("layer", "value"),
        Input("period", "value"),
        Input("kec", "value"),
        Input({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        prevent_initial_call=True,
    )
    app.clientside_callback(  # the periods next to the one shown are fetched ahead
        "function(options) { return window.pws.periodsOffered(options); }",
        Output("period-list", "data"),
        Input("period", "options"),
    )
    app.clientside_callback(  # the store is not written: nothing more for Dash to do
        "function(data) { window.pws.applyValues(data, true);"
        " return window.dash_clientside.no_update; }",
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
        return {"bounds": bounds, "transition": "flyToBounds", "options": FIT_PADDING}

    app.clientside_callback(
        "function(layer, period, kec, opts, desa, lang) {"
        " return window.pws.keepView(layer, period, kec, opts, desa, lang); }",
        Output("view-kept", "data"),
        Input("layer", "value"),
        Input("period", "value"),
        Input("kec", "value"),
        Input({"type": "layer-opt", "layer": ALL, "name": ALL}, "value"),
        Input("selected-desa", "data"),
        State("lang", "data"),
    )
