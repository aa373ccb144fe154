"""The Dash app factory: one Flask server, geometry routes, pages, compression."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, DiskcacheManager, Input, Output, dcc, html
from flask_compress import Compress

from dashboard import context, geo_routes, jobs, warmup
from dashboard.i18n import lang_from_search, query_param, t
from dashboard.pages import impor, peta
from layers.geometry import DEFAULT_DETAIL, DETAIL_TOLERANCE_M
from layers.scope import Scope

ASSETS = Path(__file__).resolve().parent / "assets"
PAGES = {"/": peta, "/impor": impor}
#: background results (the import page) are dropped after this many seconds unread
BACKGROUND_EXPIRE_S = 3600


def background_manager() -> DiskcacheManager:
    """Background callbacks (long imports) run in child processes; results go through a
    diskcache folder shared by every worker (a per-user temp dir)."""
    return DiskcacheManager(jobs.jobs_cache(), expire=BACKGROUND_EXPIRE_S)


def create_app(database_url: str | None = None, scope: Scope | None = None) -> Dash:
    """Build the app against ``database_url`` (default ``PWS_DATABASE_URL``).

    ``scope`` fixes the deployment's scope (tests); by default it comes from
    ``PWS_SCOPE`` for every request.
    """
    app = Dash(
        __name__,
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        title=t("app.title"),
        update_title=None,
        background_callback_manager=background_manager(),
    )
    server = app.server
    server.extensions[context.EXTENSION_KEY] = context.make_context(database_url, scope)
    server.config["COMPRESS_MIMETYPES"] = [
        "text/html", "text/css", "application/javascript", "text/javascript",
        "application/json", "application/geo+json", "application/x-protobuf",
    ]
    Compress(server)
    server.register_blueprint(geo_routes.bp)

    app.layout = html.Div([
        dcc.Location(id="url"),
        html.Div(id="header", className="pws-header"),
        html.Div(id="page"),
    ])

    @app.callback(Output("header", "children"), Output("page", "children"),
                  Input("url", "pathname"), Input("url", "search"))
    def route(pathname: str | None, search: str | None) -> tuple[list, object]:
        lang = lang_from_search(search)
        other = "en" if lang == "id" else "id"
        here = pathname or "/"
        links = (("/", "nav-peta", t("nav.peta", lang)),
                 ("/impor", "nav-impor", t("nav.impor", lang)))
        nav = html.Nav([
            dcc.Link(label, href=f"{path}?lang={lang}", id=link_id,
                     className="pws-nav-active" if path == here else "")
            for path, link_id, label in links
        ], className="pws-nav")
        header = [
            html.H1(t("app.title", lang)),
            html.Span(t("app.subtitle", lang), className="pws-subtitle"),
            nav,
            dcc.Link(t("lang.switch", lang), href=f"{pathname or '/'}?lang={other}",
                     id="lang-switch"),
        ]
        page = PAGES.get(pathname or "/")
        if page is None:
            return header, html.P("404")
        detail = query_param(search, "detail", DEFAULT_DETAIL, DETAIL_TOLERANCE_M)
        fmt = query_param(search, "format", "geobuf", geo_routes.MIMETYPES)
        return header, page.layout(lang, detail=detail, fmt=fmt)

    for page in PAGES.values():
        page.register(app)
    warmup.start()
    return app
