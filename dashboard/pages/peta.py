"""The map page (peta PWS): village choropleth, outlines, facilities, legend, panel.

Geometry comes once from the cacheable routes in ``dashboard.geo_routes``; the
``layer-values`` store carries only ``{kode: [class, label]}`` and is applied in the
browser by ``pws.applyValues`` (assets/pws.js) without rebuilding polygons. The side area's
cluster section (space-time scan in the background, cluster list, outlines, XLSX exports)
is :mod:`dashboard.pages.peta_scan`.
"""

from __future__ import annotations

import os

import dash_leaflet as dl
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import components, context, geo_routes
from dashboard.i18n import t
from dashboard.pages import peta_scan
from layers import (
    base,
    catalog,  # noqa: F401 - registers every map layer
    codes,
)
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries

DEFAULT_LAYER = "insidens"
INDONESIA_BOUNDS = [[-11.0, 95.0], [6.0, 141.0]]
#: posyandu markers start switched on only up to this many (a district, not a province)
POSYANDU_ON_UP_TO = 5000


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


def layout(lang: str, detail: str = "sedang", fmt: str = "geobuf") -> html.Div:
    """The page in ``lang``; ``detail``/``fmt`` pick the village geometry served."""
    ctx = context.current()
    scope = ctx.scope()
    with ctx.session() as session:
        version = queries.geometry_version(session)
        weeks = queries.available_weeks(session, scope, "diare_akut")
        kec = queries.regions(session, scope, "kec")
        villages = queries.village_table(session, scope)
        bounds = queries.scope_bounds(session, scope)
        posyandu_count = queries.facility_counts(session, scope).get("posyandu", 0)
    week_opts = components.week_options(weeks, lang)
    kec_opts = [{"label": n, "value": k} for k, n in zip(kec["kode"], kec["nama"], strict=True)]
    layer_opts = [{"label": cls.title(lang), "value": kind} for kind, cls in base.REGISTRY.items()]
    return html.Div([
        dcc.Store(id="lang", data=lang),
        dcc.Store(id="layer-values"),
        dcc.Store(id="layer-applied"),
        html.Div([
            html.Div([html.Label(t("filter.layer", lang)),
                      dcc.Dropdown(id="layer", options=layer_opts, value=DEFAULT_LAYER,
                                   clearable=False)], className="pws-control"),
            html.Div([html.Label(t("filter.week", lang)),
                      dcc.Dropdown(id="week", options=week_opts,
                                   value=week_opts[0]["value"] if week_opts else None,
                                   clearable=False)], className="pws-control"),
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
                        dl.Pane(name="fasilitas", style={"zIndex": 650}),
                        dl.LayersControl([
                            dl.Overlay(
                                dl.GeoJSON(id="fasilitas",
                                           url=geo_routes.facilities_url(scope, "utama"),
                                           pointToLayer=_fn("facilityMarker")),
                                name=f"{t('map.puskesmas', lang)} & {t('map.pustu', lang)}",
                                checked=True,
                            ),
                            dl.Overlay(
                                dl.GeoJSON(id="posyandu",
                                           url=geo_routes.facilities_url(scope, "posyandu"),
                                           pointToLayer=_fn("facilityMarker")),
                                name=t("map.posyandu", lang),
                                checked=posyandu_count <= POSYANDU_ON_UP_TO,
                            ),
                        ], position="topright", collapsed=False),
                        dl.ScaleControl(position="bottomleft", imperial=False),
                    ],
                ),
                html.Div(id="legend", className="pws-legend"),
            ], className="pws-map-wrap"),
            html.Div([
                peta_scan.section(lang),
                html.Div(html.P(t("panel.hint", lang), className="pws-hint"), id="panel"),
            ], className="pws-panel pws-side"),
        ], className="pws-main"),
    ])


def _values(layer_type: str, week_text: str, kec: str | None, lang: str) -> tuple[dict, list]:
    ctx = context.current()
    scope = ctx.scope()
    try:
        if kec:
            scope = scope.narrow(kec)  # narrowing can only shrink the server's scope
        layer = base.from_config({"type": layer_type})
        week = EpiWeek.parse(week_text)
    except (TypeError, ValueError) as exc:
        raise PreventUpdate from exc
    with ctx.session() as session:
        result = layer.load(session, scope, week, lang)
    data = {
        "values": result.values(),
        "colors": [c.color for c in result.legend.classes],
        "no_data": result.legend.no_data.color,
        "stamp": f"{layer_type}|{week}|{kec or ''}|{lang}",
    }
    return data, components.legend(result.legend, lang, result.summary)


def _panel(kode: str, week_text: str | None, lang: str) -> list:
    ctx = context.current()
    scope: Scope = ctx.scope()
    try:
        week = EpiWeek.parse(week_text) if week_text else None
    except (TypeError, ValueError):
        week = None  # a crafted week shows the panel without a highlighted week
    with ctx.session() as session:
        info = queries.region(session, scope, kode)
        if info is None or info["level"] != "desa":
            return [html.P(t("panel.not_found", lang), className="pws-hint")]
        kec = queries.region(session, scope, info["induk"]) if info["induk"] else None
        info["nama_kec"] = kec["nama"] if kec else None
        village = scope.narrow(kode)
        pop = queries.population(session, village, week.year if week else 9999)
        facilities = queries.facilities(session, village)
        series = queries.case_series(session, village, kode, "diare_akut")
        threshold = peta_scan.threshold_line(session, series, info["kode"], week)
    population = int(pop["jumlah"].iloc[0]) if not pop.empty else None
    return components.village_panel(info, population, facilities, series, week, lang,
                                    threshold)


def register(app: Dash) -> None:
    peta_scan.register(app)
    app.callback(
        Output("layer-values", "data"),
        Output("legend", "children"),
        Input("layer", "value"),
        Input("week", "value"),
        Input("kec", "value"),
        State("lang", "data"),
    )(lambda layer, week, kec, lang: _values(layer, week, kec, lang))

    app.clientside_callback(
        "function(data) { return window.pws.applyValues(data); }",
        Output("layer-applied", "data"),
        Input("layer-values", "data"),
    )

    @app.callback(Output("map", "viewport"), Input("kec", "value"), prevent_initial_call=True)
    def zoom_to_kecamatan(kec: str | None) -> dict:
        ctx = context.current()
        with ctx.session() as session:
            scope = ctx.scope()
            if kec and not codes.is_valid(kec):
                raise PreventUpdate  # crafted or malformed code: nothing to zoom to
            bounds = queries.scope_bounds(session, scope.narrow(kec) if kec else scope)
        if bounds is None:
            return no_update
        return {"bounds": bounds, "transition": "flyToBounds"}

    @app.callback(
        Output("panel", "children"),
        Input("desa", "clickData"),
        State("week", "value"),
        State("lang", "data"),
        prevent_initial_call=True,
    )
    def open_panel(feature: dict | None, week: str | None, lang: str) -> list:
        props = feature.get("properties") if isinstance(feature, dict) else None
        kode = props.get("kode") if isinstance(props, dict) else None
        if not isinstance(kode, str):
            raise PreventUpdate
        return _panel(kode, week, lang)
