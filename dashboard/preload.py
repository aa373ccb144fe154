"""The map page's first geometry, preloaded by the index page.

The map asks for its villages (or, nationally, its provinces) and the kecamatan outlines
only once Dash has loaded
its bundles, fetched the page's layout and mounted the map: ~1.2 s after navigation on
Jawa Timur. The index page names that URL in a ``<link rel="preload" as="fetch">``, so
the browser downloads it alongside the bundles and the map's own ``fetch`` is served from
the preload: on an office's slow line the 350 kB of Jawa Timur's geometry no longer wait
for the page to be built. ``crossorigin="anonymous"`` matches dash-leaflet's plain
``fetch(url)`` (same-origin credentials), without which the browser would fetch twice.
"""

from __future__ import annotations

import html
import logging

import flask

from dashboard import context, geo_routes, map_geometry
from dashboard.i18n import query_param
from dashboard.pages import peta
from layers.geometry import DEFAULT_DETAIL, DETAIL_TOLERANCE_M
from layers.store import queries

LOG = logging.getLogger(__name__)


def first_geometry(search: str) -> list[str]:
    """The URLs the map page (``/``, with the query ``search``) fetches first: its
    villages (or provinces) and, on a map of villages, the kecamatan outlines."""
    detail = query_param(search, "detail", DEFAULT_DETAIL, DETAIL_TOLERANCE_M)
    fmt = query_param(search, "format", "geobuf", geo_routes.MIMETYPES)
    app_ctx = context.current()
    scope = app_ctx.scope()
    with app_ctx.session() as session:
        version = queries.geometry_version(session)
        n_villages = queries.village_count(session, scope)
    urls = [peta.first_geometry_url(version, scope, n_villages, detail, fmt)]
    if not map_geometry.drill_down(n_villages):
        urls.append(geo_routes.kecamatan_url(version, scope))
    return urls


def links() -> str:
    """The index page's preload links: the map page's first geometry (none elsewhere, and
    none rather than a broken page if anything goes wrong)."""
    if flask.request.path != "/":
        return ""
    try:
        urls = first_geometry("?" + flask.request.query_string.decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - a hint only: the map fetches its geometry anyway
        LOG.warning("no geometry preload for the index page", exc_info=True)
        return ""
    return "".join(f'<link rel="preload" href="{html.escape(url)}" as="fetch" '
                   'crossorigin="anonymous">' for url in urls)
