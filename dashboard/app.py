"""The Dash app factory: one Flask server, geometry routes, pages, compression."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import flask
from dash import Dash, DiskcacheManager, Input, Output, State, dcc, html
from flask_compress import Compress

from dashboard import (
    context,
    geo_routes,
    jobs,
    layer_values,
    map_geometry,
    map_image_route,
    preload,
    warmup,
)
from dashboard.i18n import lang_from_search, query_param, t
from dashboard.pages import impor, peta, presentasi, presentasi_deck
from layers.geometry import DEFAULT_DETAIL, DETAIL_TOLERANCE_M
from layers.scope import Scope

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parent / "assets"
PAGES = {"/": peta, "/impor": impor, "/presentasi": presentasi,
         "/presentasi/dek": presentasi_deck}
#: background results (the import page) are dropped after this many seconds unread
BACKGROUND_EXPIRE_S = 3600


def background_manager() -> DiskcacheManager:
    """Background callbacks (long imports) run in child processes; results go through a
    diskcache folder shared by every worker (a per-user temp dir)."""
    return DiskcacheManager(jobs.jobs_cache(), expire=BACKGROUND_EXPIRE_S)


def _refuse(error: Exception) -> None:
    """The last guard of every callback: an input no callback check caught (a crafted
    request) gets no update, never a 500. Logged without the values (they may be anything).
    Callbacks validate their own inputs first; this only keeps a missed case from failing."""
    log.warning("a callback refused its input (%s)", type(error).__name__)


def _well_formed(item: object) -> bool:
    """One input/state of a callback request: ``{id, property, value}`` or a wildcard's list."""
    if isinstance(item, list):
        return all(_well_formed(i) for i in item)
    return isinstance(item, dict) and isinstance(item.get("property"), str) \
        and isinstance(item.get("id"), str | dict)


def _check_callback_body(app: Dash) -> None:
    """Refuse (400) a callback request Dash itself would fail on with a 500: not an object,
    an unknown output, inputs that are not a list of inputs."""
    request = flask.request
    if request.method != "POST" or not request.path.endswith("/_dash-update-component"):
        return
    body = request.get_json(silent=True)
    if not (isinstance(body, dict) and isinstance(body.get("output"), str)
            and body["output"] in app.callback_map
            and isinstance(body.get("inputs"), list) and isinstance(body.get("state", []), list)
            and all(_well_formed(i) for i in [*body["inputs"], *body.get("state", [])])
            and isinstance(body.get("changedPropIds", []), list)):
        flask.abort(400)


class _Dash(Dash):
    """Dash with the map's first geometry preloaded by its index page (:mod:`dashboard.preload`),
    the way Dash documents customising the index: overriding ``interpolate_index``."""

    def interpolate_index(self, **kwargs: str) -> str:
        kwargs["metas"] = kwargs.get("metas", "") + preload.links()
        return super().interpolate_index(**kwargs)


def create_app(database_url: str | None = None, scope: Scope | None = None) -> Dash:
    """Build the app against ``database_url`` (default ``PWS_DATABASE_URL``).

    ``scope`` fixes the deployment's scope (tests); by default it comes from
    ``PWS_SCOPE`` for every request.
    """
    app = _Dash(
        __name__,
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        title=t("app.title"),
        update_title=None,
        background_callback_manager=background_manager(),
        on_error=_refuse,
    )
    server = app.server
    # no Flask sessions today; a configured secret keeps anything signed per deployment
    server.secret_key = os.environ.get("PWS_SECRET_KEY") or None
    server.extensions[context.EXTENSION_KEY] = context.make_context(database_url, scope)
    server.config["COMPRESS_MIMETYPES"] = [
        "text/html", "text/css", "application/javascript", "text/javascript",
        "application/json", "application/geo+json", "application/x-protobuf",
    ]
    Compress(server)
    server.before_request(lambda: _check_callback_body(app))
    server.register_blueprint(geo_routes.bp)
    server.register_blueprint(map_image_route.bp)
    server.register_blueprint(layer_values.bp)
    server.register_blueprint(map_geometry.bp)

    app.layout = html.Div([
        dcc.Location(id="url"),
        html.Div(id="header", className="pws-header"),
        html.Div(id="page"),
    ], className="pws-root")

    # The page is built from the URL once per navigation: the search part is read as State,
    # so the map keeping its view in the URL (history.replaceState in pws.js) re-renders
    # nothing, and the language link is a plain link (a reload with the same view).
    @app.callback(Output("header", "children"), Output("page", "children"),
                  Input("url", "pathname"), State("url", "search"))
    def route(pathname: object, search: object) -> tuple[list, object]:
        lang = lang_from_search(search)
        other = "en" if lang == "id" else "id"
        here = pathname if isinstance(pathname, str) else "/"
        links = (("/", "nav-peta", t("nav.peta", lang)),
                 ("/impor", "nav-impor", t("nav.impor", lang)),
                 ("/presentasi/dek", "nav-presentasi", t("nav.presentasi", lang)))
        nav = html.Nav([
            dcc.Link(label, href=f"{path}?lang={lang}", id=link_id,
                     className="pws-nav-active" if path == here else "")
            for path, link_id, label in links
        ], className="pws-nav")
        query = parse_qs(search.lstrip("?")) if isinstance(search, str) else {}
        keep = urlencode({k: v[0] for k, v in query.items() if k != "lang"})
        header = [
            html.H1(t("app.title", lang)),
            html.Span(t("app.subtitle", lang), className="pws-subtitle"),
            nav,
            html.A(t("lang.switch", lang), href=f"{here}?lang={other}&{keep}".rstrip("&"),
                   id="lang-switch", lang=other),
        ]
        page = PAGES.get(here)
        if page is None:
            return header, html.P("404")
        detail = query_param(search, "detail", DEFAULT_DETAIL, DETAIL_TOLERANCE_M)
        fmt = query_param(search, "format", "geobuf", geo_routes.MIMETYPES)
        state = {k: v[0] for k, v in query.items()}
        if getattr(page, "CHROMELESS", False):  # the presentation: the slides are the screen
            return [], page.layout(lang, detail=detail, fmt=fmt, state=state)
        return header, page.layout(lang, detail=detail, fmt=fmt, state=state)

    for page in PAGES.values():
        page.register(app)
    warmup.start(server.extensions[context.EXTENSION_KEY])
    return app
