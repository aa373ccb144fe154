"""Zoom-aware geometry routes: region levels, village chunks per kabupaten, their index.

The map draws what the zoom needs (issue 12): a scope with few enough villages
(:func:`drill_down` false, a province) opens with all its villages at low detail and
swaps in finer geometry for the kabupaten in view as the user zooms in; a larger scope
(the nation) opens with provinces, shows kabupaten when zoomed in, then the villages of
the kabupaten in view. Every payload is computed once per boundary version and scope
and kept in the shared cache; URLs carry the version and scope key and are immutable.

* ``/geo/<version>/<scope>/wilayah-<level>.geobuf|json`` — provinces or kabupaten, properties
  ``kode``, ``nama``, ``lvl`` (their colours are the layer's aggregates);
* ``/geo/<version>/<scope>/desa-<detail>/<kab>.json`` — one kabupaten's villages as
  GeoJSON (``kode``, ``nama``, ``kec``, ``kec_label``, ``i``), for the browser to add or to
  refine polygons it already draws (``assets/pws_levels.js``);
* ``/geo/<version>/<scope>/indeks.json`` — the bounds of every kabupaten in the scope,
  so the browser knows which chunks a view needs.
"""

from __future__ import annotations

import json
import logging
import os

import flask
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard import context, layer_values
from dashboard.geo_routes import VILLAGE_PROPS
from dashboard.geo_routes import _checked_scope as checked_scope
from dashboard.geo_routes import _respond as respond
from layers import aggregate, codes, geometry, levels
from layers.scope import Scope
from layers.store import queries

log = logging.getLogger(__name__)
bp = flask.Blueprint("geo_levels", __name__, url_prefix="/geo")

#: a scope with more villages than this opens with regions and drills down by zoom
DEFAULT_MAX_VILLAGES = 15_000
REGION_LEVELS = ("prov", "kab")
#: Leaflet zooms (metres per pixel at the equator = 156543 / 2**zoom): the drill-down shows
#: kabupaten from KAB_ZOOM (~1.7 km/px) and villages from DESA_ZOOM (~430 m/px)
KAB_ZOOM = 6.5
DESA_ZOOM = 8.5
#: village detail by zoom: (detail, the smallest zoom it is loaded for)
DETAIL_ZOOMS = (("rendah", 0.0), ("sedang", 10.5), ("tinggi", 13.0))
#: the villages' first detail when the map opens on all of them
FIRST_DETAIL = "rendah"


def max_villages() -> int:
    """``PWS_MAP_MAX_VILLAGES``: the most villages the map draws at once (default 15,000)."""
    raw = os.environ.get("PWS_MAP_MAX_VILLAGES", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_VILLAGES


def drill_down(n_villages: int) -> bool:
    return n_villages > max_villages()


#: the village details the browser asks for, and the region levels' details
VILLAGE_DETAILS = ("rendah", "sedang", "tinggi")
REGION_DETAIL = {"prov": "nasional", "kab": "rendah"}


def _simplified(gdf: gpd.GeoDataFrame, detail: str, keep_boundary: bool) -> gpd.GeoDataFrame:
    """``gdf`` cleaned into a gap-free coverage (:func:`layers.levels.clean`) and simplified
    at ``detail``'s tolerance; ``keep_boundary`` leaves the outline of the whole set as
    cleaned, so that separately simplified neighbours (chunks) still meet. Real boundaries
    that cannot be cleaned fall back to the plain per-edge simplification (logged)."""
    if gdf.empty:
        return gdf
    tolerance = levels.DETAILS[detail].tolerance_m
    metric = np.asarray(gdf.geometry.to_crs(levels.METRIC_CRS).values, dtype=object)
    try:
        cleaned = levels.clean(metric)
        simple = shapely.coverage_simplify(cleaned, tolerance,
                                           simplify_boundary=not keep_boundary)  # fmt: skip
    except (levels.CoverageError, shapely.errors.GEOSException) as exc:
        log.warning("geometry of %d polygons not cleaned (%s): simplified edge by edge",
                    len(gdf), exc)  # fmt: skip
        return geometry.simplify_coverage(gdf, tolerance)
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(simple, index=gdf.index, crs=levels.METRIC_CRS).to_crs(4326)
    return out


#: the details one build makes together (one cleaning, a simplification each), the
#: kecamatan outlines at each: the first detail's with the page, the finer one's when the
#: villages are refined to it on zoom (``assets/pws_levels.js``)
FIRST_PASS = ("rendah", "sedang")
OUTLINE_DETAILS = FIRST_PASS


def _pass(detail: str) -> tuple[str, ...]:
    return FIRST_PASS if detail in FIRST_PASS else (detail,)


def scope_villages(ctx: context.AppContext, scope: Scope, version: str, detail: str,
                   fmt: str) -> bytes:  # fmt: skip
    """Every village of the scope at ``detail`` (the first geometry of a province's map),
    cleaned and simplified as one coverage; cached per boundary version. The kecamatan
    outlines drawn over them are made in the same pass (:func:`kecamatan_outlines`)."""
    key = ("desa", version, scope.key, detail, fmt)
    return ctx.geo_cache.get_or_make(
        key, lambda: _build(ctx, scope, version, _pass(detail))[(detail, fmt)])


def _whole(simplified: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``simplified`` with every village present: one that simplification emptied (a tiny
    village; Jawa Timur: 35.01.10.2017) keeps its own outline instead of vanishing."""
    gone = simplified.geometry.isna() | simplified.geometry.is_empty
    absent = villages.index.difference(simplified.index)
    if not gone.any() and not len(absent):
        return simplified
    out = simplified.copy()
    out.loc[gone, "geometry"] = villages.loc[out.index[gone], "geometry"].values
    if len(absent):  # left out by the cleaning (e.g. a source polygon it could not read)
        out = pd.concat([out, villages.loc[absent, out.columns]]).sort_index()
    log.info("%d villages kept unsimplified", int(gone.sum()) + len(absent))
    return out


def kecamatan_outlines(ctx: context.AppContext, scope: Scope, version: str,
                       detail: str = FIRST_DETAIL, fmt: str = "geobuf") -> bytes:  # fmt: skip
    """The scope's kecamatan at ``detail`` (one of :data:`OUTLINE_DETAILS`), unions of the
    very polygons of :func:`scope_villages` at that detail (so an outline never strays
    from its villages)."""
    key = ("kec-outline", version, scope.key, detail, fmt)
    # the villages' build makes the outlines too: asking for it first (one key, one lock)
    # keeps two workers or two requests from cleaning the same coverage twice at once
    scope_villages(ctx, scope, version, FIRST_DETAIL, "geobuf")
    return ctx.geo_cache.get_or_make(
        key, lambda: _build(ctx, scope, version, _pass(detail))[(f"kec-{detail}", fmt)])


def _build(ctx: context.AppContext, scope: Scope, version: str,
           details: tuple[str, ...]) -> dict[tuple[str, str], bytes]:  # fmt: skip
    """Villages (geobuf and GeoJSON) at each of ``details`` and the kecamatan outlines,
    from one clean coverage (:func:`layers.levels.build_levels`). Every payload is stored,
    so the routes that need them pay for one build."""
    villages = villages_of(ctx, scope, version)
    specs = [levels.DETAILS[d] for d in details]
    try:
        if drill_down(len(villages)):  # the nation draws by chunks: no whole clean build
            raise levels.CoverageError("too many villages to clean in one request")
        built = levels.build_levels(villages, specs)
        desa = {d.name: _whole(built[d.key("desa")], villages) for d in specs}
        kec = {d.name: built[d.key("kec")] for d in specs}
    except (levels.CoverageError, shapely.errors.GEOSException) as exc:
        log.warning("the villages of %s were not cleaned (%s): simplified edge by edge",
                    scope.key, exc)  # fmt: skip
        desa = {d.name: geometry.simplify_coverage(villages, d.tolerance_m) for d in specs}
        with ctx.session() as session:
            regions = queries.regions(session, scope, "kec")
        kec = {d.name: geometry.simplify_coverage(regions, d.tolerance_m) for d in specs}
    out: dict[tuple[str, str], bytes] = {}
    for spec in specs:
        collection = geometry.feature_collection(desa[spec.name], [*VILLAGE_PROPS, "i"],
                                                 spec.precision)  # fmt: skip
        outlines = geometry.feature_collection(kec[spec.name], ["kode", "nama"], spec.precision)
        for fmt in ("geobuf", "geojson"):
            out[(spec.name, fmt)] = geometry.encode(collection, fmt, spec.precision)  # type: ignore[arg-type]
            ctx.geo_cache.set(("desa", version, scope.key, spec.name, fmt), out[(spec.name, fmt)])
            out[(f"kec-{spec.name}", fmt)] = geometry.encode(outlines, fmt, spec.precision)  # type: ignore[arg-type]
            ctx.geo_cache.set(("kec-outline", version, scope.key, spec.name, fmt),
                              out[(f"kec-{spec.name}", fmt)])  # fmt: skip
    return out


def warm(ctx: context.AppContext) -> None:
    """Compute the deployment scope's first map geometry ahead of its first visitor (a
    province's clean coverage takes ~30 s once per boundary version; later visitors and
    workers read it from the shared cache)."""
    scope = ctx.scope()
    with ctx.session() as session:
        version = queries.geometry_version(session)
        n = len(layer_values.village_order(session, scope, version))
    if n and not drill_down(n):
        scope_villages(ctx, scope, version, FIRST_DETAIL, "geobuf")


def region_url(version: str, scope: Scope, level: str, fmt: str = "geobuf") -> str:
    return f"/geo/{version}/{scope.key}/wilayah-{level}.{fmt}"


def chunk_url(version: str, scope: Scope) -> str:
    """The template of a chunk's URL; the browser fills ``{detail}`` and ``{kab}``."""
    return f"/geo/{version}/{scope.key}/desa-{{detail}}/{{kab}}.json"


def index_url(version: str, scope: Scope) -> str:
    return f"/geo/{version}/{scope.key}/indeks.json"


def villages_of(ctx: context.AppContext, scope: Scope, version: str) -> gpd.GeoDataFrame:
    """The scope's villages with the properties the map's features carry; ``i`` is the
    position of each in the scope's code order, which the compact values index."""
    with ctx.session() as session:
        gdf = queries.villages(session, scope)
        order = layer_values.village_order(session, scope, version)
    positions = np.searchsorted(order, gdf["kode"].to_numpy(dtype=object))
    return gdf.assign(kec=gdf["nama_kec"], kec_label="Kec.", i=positions.astype(int))


@bp.get("/<version>/<scope_key>/wilayah-<level>.<fmt>")
def regions(version: str, scope_key: str, level: str, fmt: str) -> flask.Response:
    """Provinces or kabupaten: geobuf for the page's first level, GeoJSON (``json``) for
    the levels the browser's own code adds as the user zooms."""
    if level not in REGION_LEVELS or fmt not in ("geobuf", "json"):
        flask.abort(404)
    ctx, scope = checked_scope(version, scope_key)
    kind = "geobuf" if fmt == "geobuf" else "geojson"
    key = ("wilayah", version, scope.key, level, kind)

    def make() -> bytes:
        with ctx.session() as session:
            gdf = queries.regions(session, scope, level)
        gdf = gdf.assign(lvl=level)
        simplified = _simplified(gdf, REGION_DETAIL[level], keep_boundary=False)
        precision = levels.DETAILS[REGION_DETAIL[level]].precision
        collection = geometry.feature_collection(simplified, ["kode", "nama", "lvl"], precision)
        return geometry.encode(collection, kind, precision)  # type: ignore[arg-type]

    body = ctx.geo_cache.get_or_make(key, make)
    return respond(body, kind, "-".join(key), immutable=True, cache_key=key)


@bp.get("/<version>/<scope_key>/desa-<detail>/<kab>.json")
def chunk(version: str, scope_key: str, detail: str, kab: str) -> flask.Response:
    if detail not in VILLAGE_DETAILS or not codes.is_valid(kab) \
            or codes.level(kab) != "kab":  # fmt: skip
        flask.abort(404)
    ctx, scope = checked_scope(version, scope_key)
    part = scope.narrow(kab)
    if part.is_empty:
        flask.abort(404)  # outside the scope: as if it did not exist
    key = ("desa-chunk", version, scope.key, detail, kab)

    def make() -> bytes:
        gdf = villages_of(ctx, scope, version)
        gdf = gdf[gdf["kode"].str.startswith(kab + ".")]
        simplified = _simplified(gdf, detail, keep_boundary=True)
        precision = levels.DETAILS[detail].precision
        collection = geometry.feature_collection(simplified, [*VILLAGE_PROPS, "i"], precision)
        return geometry.encode(collection, "geojson", precision)

    body = ctx.geo_cache.get_or_make(key, make)
    return respond(body, "geojson", "-".join(key), immutable=True, cache_key=key)


@bp.get("/<version>/<scope_key>/indeks.json")
def index(version: str, scope_key: str) -> flask.Response:
    ctx, scope = checked_scope(version, scope_key)
    key = ("indeks", version, scope.key)

    def make() -> bytes:
        with ctx.session() as session:
            gdf = queries.villages(session, scope)
        kab = aggregate.parent_codes(gdf["kode"], "kab")
        bounds = gdf.geometry.bounds.assign(kab=kab).groupby("kab").agg(
            minx=("minx", "min"), miny=("miny", "min"), maxx=("maxx", "max"),
            maxy=("maxy", "max"))  # fmt: skip
        body = {code: [round(r.miny, 5), round(r.minx, 5), round(r.maxy, 5), round(r.maxx, 5)]
                for code, r in bounds.iterrows()}  # fmt: skip
        return json.dumps({"kab": body}, separators=(",", ":")).encode()

    body = ctx.geo_cache.get_or_make(key, make)
    response = respond(body, "geojson", "-".join(key), immutable=True, cache_key=key)
    response.mimetype = "application/json"
    return response
