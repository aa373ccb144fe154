"""Cacheable geometry routes: villages, kecamatan outlines and overlay points.

URLs carry the boundary version, the scope key and the detail level, so a response
never changes for its URL and can be cached as immutable (privately: it is scoped).
The scope key in the URL is checked against the server's own scope for the request;
it only names the cache entry and never selects data.
"""

from __future__ import annotations

import gzip
import hashlib

import flask
import geopandas as gpd

from dashboard import context
from layers import geometry, overlays
from layers.scope import Scope
from layers.store import queries

bp = flask.Blueprint("geo", __name__, url_prefix="/geo")

MIMETYPES = {"geobuf": "application/x-protobuf", "geojson": "application/geo+json"}
VILLAGE_PROPS = ["kode", "nama", "kec", "kec_label"]


def village_url(version: str, scope: Scope, detail: str = geometry.DEFAULT_DETAIL,
                fmt: str = "geobuf") -> str:
    return f"/geo/{version}/{scope.key}/desa-{detail}.{fmt}"


def kecamatan_url(version: str, scope: Scope, detail: str | None = None) -> str:
    """The kecamatan outlines: the page's first (geobuf), or at a finer ``detail``
    (GeoJSON, fetched by the browser's level manager as the user zooms in)."""
    if detail is None:
        return f"/geo/{version}/{scope.key}/kecamatan.geobuf"
    return f"/geo/{version}/{scope.key}/kecamatan-{detail}.json"


def overlay_url(scope: Scope, overlay_id: str) -> str:
    """Points of a registered overlay (:mod:`layers.overlays`) for a scope."""
    return f"/geo/titik/{scope.key}/{overlay_id}.geojson"


def _checked_scope(version: str | None, scope_key: str) -> tuple[context.AppContext, Scope]:
    ctx = context.current()
    scope = ctx.scope()
    if scope_key != scope.key:
        flask.abort(404)
    if version is not None:
        with ctx.session() as session:
            if version != queries.geometry_version(session):
                flask.abort(404)
    return ctx, scope


def _respond(body: bytes, fmt: str, etag: str, immutable: bool,
             cache_key: tuple | None = None) -> flask.Response:  # fmt: skip
    """Send ``body`` with caching headers; gzip it once per cache entry when accepted.

    Compressing here (and caching the result) spares flask-compress from recompressing a
    multi-megabyte immutable payload on every request; it leaves encoded responses alone.
    """
    gzipped = "gzip" in flask.request.accept_encodings and len(body) > 1024
    if gzipped:
        etag += "-gz"
    if flask.request.if_none_match.contains(etag):
        response = flask.Response(status=304)
    elif gzipped:
        make = lambda: gzip.compress(body, compresslevel=6)  # noqa: E731
        # its own namespace (``desa.gz``): the log tells a compression from an encoding
        data = context.current().geo_cache.get_or_make(
            (f"{cache_key[0]}.gz", *cache_key[1:]), make) if cache_key else make()
        response = flask.Response(data, mimetype=MIMETYPES[fmt])
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = flask.Response(body, mimetype=MIMETYPES[fmt])
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    response.headers["Cache-Control"] = (
        "private, max-age=31536000, immutable" if immutable else "private, no-cache"
    )
    return response


def village_payload(ctx: context.AppContext, scope: Scope, version: str, detail: str,
                    fmt: str) -> bytes:
    """Encoded village polygons of a scope (cached per version, scope, detail, format)."""

    from dashboard import map_geometry  # it imports this module

    if detail in map_geometry.VILLAGE_DETAILS:  # the map's details: a clean coverage
        return map_geometry.scope_villages(ctx, scope, version, detail, fmt)

    def make() -> bytes:
        gdf = map_geometry.villages_of(ctx, scope, version)
        simplified = geometry.simplify_coverage(gdf, geometry.DETAIL_TOLERANCE_M[detail])
        precision = geometry.DETAIL_PRECISION[detail]
        collection = geometry.feature_collection(simplified, [*VILLAGE_PROPS, "i"], precision)
        return geometry.encode(collection, fmt, precision)  # type: ignore[arg-type]

    return ctx.geo_cache.get_or_make(("desa", version, scope.key, detail, fmt), make)


@bp.get("/<version>/<scope_key>/desa-<detail>.<fmt>")
def villages(version: str, scope_key: str, detail: str, fmt: str) -> flask.Response:
    if detail not in geometry.DETAIL_TOLERANCE_M or fmt not in MIMETYPES:
        flask.abort(404)
    ctx, scope = _checked_scope(version, scope_key)
    body = village_payload(ctx, scope, version, detail, fmt)
    return _respond(body, fmt, f"{version}-{scope.key}-{detail}-{fmt}", immutable=True,
                    cache_key=("desa", version, scope.key, detail, fmt))


@bp.get("/<version>/<scope_key>/kecamatan.geobuf")
def kecamatan(version: str, scope_key: str) -> flask.Response:
    ctx, scope = _checked_scope(version, scope_key)

    from dashboard import map_geometry  # it imports this module

    body = map_geometry.kecamatan_outlines(ctx, scope, version)
    return _respond(body, "geobuf", f"kec-{version}-{scope.key}", immutable=True,
                    cache_key=("kec", version, scope.key))


@bp.get("/<version>/<scope_key>/kecamatan-<detail>.json")
def kecamatan_detail(version: str, scope_key: str, detail: str) -> flask.Response:
    from dashboard import map_geometry  # it imports this module

    if detail not in map_geometry.OUTLINE_DETAILS:
        flask.abort(404)
    ctx, scope = _checked_scope(version, scope_key)
    body = map_geometry.kecamatan_outlines(ctx, scope, version, detail, "geojson")
    return _respond(body, "geojson", f"kec-{version}-{scope.key}-{detail}", immutable=True,
                    cache_key=("kec", version, scope.key, detail))


@bp.get("/titik/<scope_key>/<overlay_id>.geojson")
def points(scope_key: str, overlay_id: str) -> flask.Response:
    """An overlay's points: ``k`` (class index), ``n`` (name) and its detail columns.

    Encoded once per overlay, scope and store versions (data and boundaries) into the shared
    cache (namespace ``titik``); the ETag names those versions, so a revalidation is a 304
    before anything is loaded or encoded.
    """
    overlay = overlays.OVERLAYS.get(overlay_id)
    if overlay is None:
        flask.abort(404)
    ctx, scope = _checked_scope(None, scope_key)
    with ctx.session() as session:
        versions = (queries.data_version(session), queries.geometry_version(session))
    key = ("titik", overlay_id, scope.key, *versions)
    named = repr((ctx.geo_cache.store, *key)).encode("utf-8")  # the database too
    etag = "titik-" + hashlib.sha1(named).hexdigest()[:16]
    for tag in (f"{etag}-gz", etag):  # as _respond sends it, with or without gzip
        if flask.request.if_none_match.contains(tag):
            response = flask.Response(status=304)
            response.vary.add("Accept-Encoding")
            response.set_etag(tag)
            response.headers["Cache-Control"] = "private, no-cache"
            return response

    def make() -> bytes:
        with ctx.session() as session:
            table = overlay.load(session, scope)
        table = table.rename(columns={"klass": "k", "nama": "n"})
        points = gpd.GeoDataFrame(
            table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=4326
        )
        props = ["k", "n", *(name for name, _ in overlay.details)]
        collection = geometry.feature_collection(points, props, 6)
        return geometry.encode(collection, "geojson", 6)

    body = ctx.geo_cache.get_or_make(key, make)
    return _respond(body, "geojson", etag, immutable=False, cache_key=key)
