"""The village payload through the Flask test client: served ``desa-rendah`` geobuf vs raw
``desa-asli`` GeoJSON — sizes (plain and gzip), features and vertices, empty and invalid
geometries, and the holes and overlaps of the union of the polygons.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import geobuf
import geopandas as gpd
import numpy as np
import shapely

from bench.common import median, timed
from bench.map_server import RAW, SERVED, Server
from dashboard import geo_routes

#: holes smaller than this (m²) in the union of all villages are ignored as noise
MIN_HOLE_M2 = 1.0
#: holes at least this large (m², 1 ha) are visible when zoomed to a kecamatan
VISIBLE_HOLE_M2 = 10_000.0


def _counts(geoms: Any) -> dict[str, int]:
    return {
        "features": int(len(geoms)),
        "vertices": int(shapely.get_num_coordinates(geoms).sum()),
    }


def decode_geometries(body: bytes, fmt: str, with_codes: bool = False) -> Any:
    """The polygons of a village payload as a shapely array (and their codes)."""
    collection = geobuf.decode(body) if fmt == "geobuf" else json.loads(body)
    geoms = shapely.from_geojson(
        [json.dumps(f["geometry"]) for f in collection["features"]]
    )
    if with_codes:
        return geoms, [f["properties"]["kode"] for f in collection["features"]]
    return geoms


def union_defects(geoms: Any) -> dict[str, float]:
    """Holes (uncovered gaps inside the outline) and overlaps of a set of polygons, in m².

    Measured in the local UTM zone: holes are interior rings of the union, overlap is the
    sum of areas minus the area of the union.
    """
    metric = gpd.GeoSeries(geoms, crs=4326)
    metric = metric.to_crs(metric.estimate_utm_crs())
    # "structure" copes with the ring components that rounding collapsed (too few points)
    valid = shapely.make_valid(np.asarray(metric.values), method="structure",
                               keep_collapsed=False)
    union = shapely.union_all(valid)
    parts = shapely.get_parts(union)
    holes = [
        shapely.Polygon(ring).area
        for part in parts if isinstance(part, shapely.Polygon)
        for ring in part.interiors
    ]
    holes = [a for a in holes if a >= MIN_HOLE_M2]
    visible = [a for a in holes if a >= VISIBLE_HOLE_M2]
    return {
        "holes": len(holes),
        "holes_m2": float(sum(holes)),
        "holes_1ha": len(visible),
        "holes_1ha_m2": float(sum(visible)),
        "overlap_m2": max(0.0, round(float(shapely.area(valid).sum() - union.area), 1)),
    }


def measure_payload(srv: Server) -> dict[str, Any]:
    """The village payloads (served and raw) through the Flask test client of the running
    app, whose cache the navigations have warmed: sizes, counts, union defects."""
    client = srv.app.server.test_client()
    version, scope, villages = srv.info()

    def get(variant: tuple[str, str], encoding: str | None = None) -> tuple[float, Any]:
        url = geo_routes.village_url(version, scope, *variant)
        headers = {"Accept-Encoding": encoding} if encoding else {}
        seconds, response = timed(lambda: client.get(url, headers=headers))
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return seconds, response

    out: dict[str, Any] = {"villages_in_db": villages}
    kodes: dict[str, list[str]] = {}
    for key, variant in (("served", SERVED), ("raw", RAW)):
        _, plain = get(variant)
        warm = [get(variant)[0] for _ in range(3)]
        warm_gzip = []
        for _ in range(3):
            seconds, zipped = get(variant, "gzip")
            warm_gzip.append(seconds)
        if zipped.headers.get("Content-Encoding") != "gzip":
            raise RuntimeError(f"{variant} was not gzip-compressed")
        body = plain.data
        assert gzip.decompress(zipped.data) == body
        geoms, kodes[key] = decode_geometries(body, variant[1], with_codes=True)
        defects_s, defects = timed(lambda g=geoms: union_defects(g))
        out[key] = {
            "url": geo_routes.village_url(version, scope, *variant),
            "bytes": len(body),
            "gzip_bytes": len(zipped.data),
            **_counts(geoms),
            "empty_geometries": int(shapely.is_empty(geoms).sum()),
            "invalid_geometries": int((~shapely.is_valid(geoms)).sum()),
            "warm_request_median_s": median(warm),
            "warm_gzip_request_median_s": median(warm_gzip),
            "union_defects": defects,
            "union_defects_s": defects_s,
        }
    out["missing_served"] = sorted(set(kodes["raw"]) - set(kodes["served"]))[:20]
    return out
