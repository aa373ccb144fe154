"""Village geometry for the browser: simplified once, encoded compactly.

"Geometry once, values many" (design.md §3): a scope's villages are sent once per
detail level from a cacheable route, so this module turns a GeoDataFrame into the
bytes of that response. Simplification is coverage-preserving
(``shapely.coverage_simplify``: shared edges are simplified once, so neighbours keep
touching — plain ``simplify`` opens gaps), done in metres in the local UTM zone,
then coordinates are rounded and encoded as geobuf (or GeoJSON).
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

import geobuf
import geopandas as gpd
import numpy as np
import shapely

#: detail level -> simplification tolerance in metres (None = as stored)
DETAIL_TOLERANCE_M: dict[str, float | None] = {
    "rendah": 250.0,
    "sedang": 50.0,
    "tinggi": 10.0,
    "asli": None,
}
DEFAULT_DETAIL = "sedang"
#: decimals kept per detail level (1e-5 deg ~ 1.1 m at the equator)
DETAIL_PRECISION: dict[str, int] = {"rendah": 4, "sedang": 5, "tinggi": 6, "asli": 7}

Format = Literal["geobuf", "geojson"]


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float | None) -> gpd.GeoDataFrame:
    """Coverage-preserving simplification with a tolerance in metres.

    Works on polygon coverages; real boundary files that are not exact coverages
    (see shared/data/README.md) are simplified edge by edge all the same.
    """
    if tolerance_m is None or gdf.empty:
        return gdf
    metric = gdf.to_crs(gdf.estimate_utm_crs())
    try:
        simplified = shapely.coverage_simplify(metric.geometry.values, tolerance_m)
    except shapely.errors.GEOSException:
        # Dissolved outlines of real, non-coverage boundaries can trip GEOS' coverage
        # simplifier; simplify them one by one instead (outlines only, no shared fills).
        simplified = shapely.simplify(metric.geometry.values, tolerance_m, preserve_topology=True)
    invalid = ~shapely.is_valid(simplified)
    if invalid.any():  # real boundaries come with overlaps and slivers; repair, keep areas
        simplified[invalid] = shapely.make_valid(
            simplified[invalid], method="structure", keep_collapsed=False
        )
    out = gdf.copy()
    out.geometry = gpd.GeoSeries(simplified, index=gdf.index, crs=metric.crs).to_crs(gdf.crs)
    return out


def vertex_count(gdf: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(gdf.geometry.values).sum())


def feature_collection(
    gdf: gpd.GeoDataFrame, properties: list[str], precision: int
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection dict with the given properties and rounded coordinates."""
    grid = 10.0**-precision
    geoms = shapely.set_precision(gdf.geometry.values, grid, mode="pointwise")
    original = np.asarray(gdf.geometry.values, dtype=object)
    broken = ~shapely.is_valid(geoms) & ~shapely.is_missing(original)
    if broken.any():
        # rounding collapsed a thin part, or the polygon came invalid (nothing upstream
        # repaired it): repair those few, then snap them to the grid with a valid result
        # (GEOS' valid-output precision reducer needs valid input)
        repaired = shapely.make_valid(original[broken], method="structure",
                                      keep_collapsed=False)  # fmt: skip
        geoms[broken] = shapely.set_precision(repaired, grid)
    lost = (shapely.is_missing(geoms) | shapely.is_empty(geoms)) \
        & ~(shapely.is_missing(original) | shapely.is_empty(original))
    if lost.any():
        # a village thinner than the grid (coverage_simplify can leave a sliver of a small
        # village): kept, not dropped, as the grid cells its bounds cover -- sent unrounded,
        # the encoder's own rounding would collapse it into an invalid ring
        x0, y0, x1, y1 = shapely.bounds(original[lost]).T
        x0, y0 = np.floor(x0 / grid) * grid, np.floor(y0 / grid) * grid
        x1 = np.maximum(np.ceil(x1 / grid) * grid, x0 + grid)
        y1 = np.maximum(np.ceil(y1 / grid) * grid, y0 + grid)
        geoms[lost] = shapely.box(x0, y0, x1, y1)
    features = []
    for geom, props in zip(geoms, gdf[properties].to_dict("records"), strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {k: _plain(v) for k, v in props.items()},
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def encode(collection: dict[str, Any], fmt: Format, precision: int) -> bytes:
    """Bytes of a FeatureCollection as geobuf or compact GeoJSON."""
    if fmt == "geobuf":
        return geobuf.encode(collection, precision)
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode()


def bounds(geoms: gpd.GeoDataFrame | gpd.GeoSeries | Any) -> list[list[float]] | None:
    """Leaflet bounds ``[[south, west], [north, east]]`` of a frame, a series or an array of
    geometries (None entries ignored); None when there is nothing.

    >>> bounds([shapely.box(110, -8, 111, -7), None])
    [[-8.0, 110.0], [-7.0, 111.0]]
    """
    values = geoms.geometry.values if hasattr(geoms, "geometry") else geoms
    array = np.asarray(values, dtype=object)
    if not array.size:
        return None
    minx, miny, maxx, maxy = shapely.total_bounds(array)
    if np.isnan(minx):
        return None
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _plain(value: Any) -> Any:
    """A JSON-ready property value (NaN, not valid JSON, becomes null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
