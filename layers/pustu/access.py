"""Access: straight-line distances in metres between villages and facilities.

Every distance is measured in the UTM zone of the point it starts from (the village), so a
village on either side of a zone edge gets metres of its own zone, and the hemisphere
follows its latitude: Indonesia spans zones 46–54, south of the equator EPSG:327zz, north
of it (north Sumatra, Kalimantan, Sulawesi) EPSG:326zz (a point on the equator counts as
north). Distances are straight lines — never travel time over roads, rivers or sea.

A village is represented by one **populated point** (:func:`populated_points`):

* a *given* point where the villages frame carries one (optional columns :data:`GIVEN_LON`
  / :data:`GIVEN_LAT`, e.g. a population-weighted centre computed from a settlement
  raster; no importer fills them today, so the store's villages always use the fallback),
  accepted when it lies in the village polygon or within :data:`GIVEN_TOLERANCE_DEG` of it;
* else the centroid of the village's largest part (the main island of a multi-island
  village), when that centroid lies inside the part;
* else a point on the surface of the largest part (a C-shaped village whose centroid lies
  outside it).

The planner uses :func:`coverage` (a sparse matrix of the pairs within a distance), the
gap layer :func:`nearest`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.spatial import cKDTree

#: optional columns of a villages frame with a given (population-weighted) point, degrees
GIVEN_LON = "titik_lon"
GIVEN_LAT = "titik_lat"
#: how far (degrees, ≈ 110 m at the equator) a given point may lie outside its village
#: (boundaries are simplified)
GIVEN_TOLERANCE_DEG = 0.001
#: ``sumber`` of a populated point: given, centroid of the largest part, point on its
#: surface, none (no geometry)
SOURCES = ("diberikan", "pusat", "permukaan", "kosong")


# --------------------------------------------------------------------------- zones


def utm_zone(lon: ArrayLike) -> NDArray[np.int64]:
    """UTM zone numbers (1–60) of longitudes in degrees.

    Examples
    --------
    >>> utm_zone([95.3, 107.99, 108.0, 140.7]).tolist()
    [46, 48, 49, 54]
    """
    lon = np.asarray(lon, dtype=float)
    return (np.floor((lon + 180.0) / 6.0).astype(np.int64) % 60) + 1


def utm_epsg(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int64]:
    """EPSG codes of the UTM zones of points: 326zz north of the equator (and on it),
    327zz south of it; 0 where a coordinate is missing.

    Examples
    --------
    >>> utm_epsg([114.37, 117.1, 98.7], [-8.22, 0.5, 3.6]).tolist()
    [32750, 32650, 32647]
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    known = np.isfinite(lon) & np.isfinite(lat)
    zone = utm_zone(np.where(known, lon, 0.0))
    code = np.where(lat >= 0, 32600, 32700) + zone
    return np.where(known, code, 0).astype(np.int64)


@lru_cache(maxsize=64)
def _to_utm(epsg: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)


def project(lonlat: NDArray[np.float64], epsg: int) -> NDArray[np.float64]:
    """``(n, 2)`` lon/lat degrees as ``(n, 2)`` metres in ``EPSG:epsg``."""
    if len(lonlat) == 0:
        return np.empty((0, 2))
    x, y = _to_utm(int(epsg)).transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


# --------------------------------------------------------------------------- points


def lonlat(points: Any) -> NDArray[np.float64]:
    """Points as an ``(n, 2)`` float array of lon/lat degrees.

    Accepts an ``(n, 2)`` array-like, or shapely points (an array, a list or a GeoSeries —
    a GeoSeries in another CRS is converted to EPSG:4326). A missing or empty point is a
    NaN row.
    """
    if hasattr(points, "crs") and hasattr(points, "to_crs"):
        if points.crs is not None and not points.crs.equals("EPSG:4326"):
            points = points.to_crs("EPSG:4326")
        points = np.asarray(points.values, dtype=object)
    arr = np.asarray(points)
    if arr.dtype == object and arr.ndim == 1:
        out = np.full((len(arr), 2), np.nan)
        ok = shapely.is_geometry(arr)
        ok[ok] = ~shapely.is_empty(arr[ok])
        out[ok, 0] = shapely.get_x(arr[ok])
        out[ok, 1] = shapely.get_y(arr[ok])
        return out
    arr = np.asarray(arr, dtype=float)
    if arr.size == 0:
        return np.empty((0, 2))
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"points must be (n, 2) lon/lat, got shape {arr.shape}")
    return arr


def populated_points(geometry: Any, given_lon: ArrayLike | None = None,
                     given_lat: ArrayLike | None = None) -> pd.DataFrame:  # fmt: skip
    """One populated point per village (see the module docstring for the rule).

    Parameters
    ----------
    geometry
        Village (multi)polygons in EPSG:4326: a GeoSeries or an array of shapely
        geometries; None or empty for a village without a boundary.
    given_lon, given_lat
        Optional given (population-weighted) points, degrees, NaN where none is given
        (columns :data:`GIVEN_LON`/:data:`GIVEN_LAT` of a villages frame).

    Returns
    -------
    DataFrame
        ``lon, lat, sumber`` in the order of ``geometry``; ``sumber`` is one of
        :data:`SOURCES` (``kosong``: no geometry, lon/lat NaN).

    Examples
    --------
    Two islands, the larger one east; a given point far outside is ignored:

    >>> import shapely
    >>> village = shapely.MultiPolygon([shapely.box(0, 0, 0.01, 0.01),
    ...                                 shapely.box(0.1, 0, 0.14, 0.04)])
    >>> populated_points([village]).round(3).values.tolist()
    [[0.12, 0.02, 'pusat']]
    >>> populated_points([village], [5.0], [5.0])["sumber"].tolist()
    ['pusat']
    >>> populated_points([village], [0.005], [0.005])["sumber"].tolist()
    ['diberikan']
    """
    if hasattr(geometry, "crs") and geometry.crs is not None \
            and not geometry.crs.equals("EPSG:4326"):  # fmt: skip
        geometry = geometry.to_crs("EPSG:4326")
    geoms = np.asarray(getattr(geometry, "values", geometry), dtype=object).reshape(-1)
    n = len(geoms)
    out = np.full((n, 2), np.nan)
    source = np.full(n, "kosong", dtype=object)
    ok = ~shapely.is_missing(geoms)
    ok[ok] = ~shapely.is_empty(geoms[ok])
    if ok.any():
        parts, owner = shapely.get_parts(geoms[ok], return_index=True)
        rows = np.flatnonzero(ok)[owner]
        areas = shapely.area(parts)
        order = np.lexsort((-areas, rows))  # by village, largest part first
        first = order[np.unique(rows[order], return_index=True)[1]]
        largest, where = parts[first], rows[first]
        centre = shapely.centroid(largest)
        inside = shapely.contains(largest, centre)
        point = np.where(inside, centre, shapely.point_on_surface(largest))
        out[where, 0] = shapely.get_x(point)
        out[where, 1] = shapely.get_y(point)
        source[where] = np.where(inside, "pusat", "permukaan")
    if given_lon is not None and given_lat is not None:
        glon = np.asarray(given_lon, dtype=float).reshape(-1)
        glat = np.asarray(given_lat, dtype=float).reshape(-1)
        given = ok & np.isfinite(glon) & np.isfinite(glat)
        if given.any():
            pts = shapely.points(glon[given], glat[given])
            near = shapely.dwithin(geoms[given], pts, GIVEN_TOLERANCE_DEG)
            take = np.flatnonzero(given)[near]
            out[take, 0], out[take, 1] = glon[take], glat[take]
            source[take] = "diberikan"
    return pd.DataFrame({"lon": out[:, 0], "lat": out[:, 1], "sumber": source})


# --------------------------------------------------------------------------- distances


def _zones(origin: NDArray[np.float64], epsg: ArrayLike | None) -> NDArray[np.int64]:
    if epsg is None:
        return utm_epsg(origin[:, 0], origin[:, 1])
    codes = np.asarray(epsg, dtype=np.int64).reshape(-1)
    if len(codes) != len(origin):
        raise ValueError(f"{len(codes)} zones for {len(origin)} points")
    return np.where(np.isfinite(origin).all(axis=1), codes, 0)


def _by_zone(origin: NDArray[np.float64], target: NDArray[np.float64],
             epsg: ArrayLike | None) -> Iterator[tuple[NDArray[np.int64], NDArray[np.float64],
                                                       NDArray[np.int64], NDArray[np.float64]]]:
    """For each zone of the origins: (origin rows, their metres, target rows, their metres)."""
    zones = _zones(origin, epsg)
    finite = np.flatnonzero(np.isfinite(target).all(axis=1))
    for zone in np.unique(zones[zones > 0]):
        rows = np.flatnonzero(zones == zone)
        yield rows, project(origin[rows], zone), finite, project(target[finite], zone)


def nearest(points_from: Any, points_to: Any, *, epsg: ArrayLike | None = None,
            ) -> tuple[NDArray[np.float64], NDArray[np.int64]]:  # fmt: skip
    """Straight-line distance (m) from each point to the nearest of ``points_to``.

    Parameters
    ----------
    points_from, points_to
        Points as :func:`lonlat` accepts them (lon/lat degrees or shapely points).
    epsg
        UTM EPSG code per ``points_from`` point (default: :func:`utm_epsg` of each).

    Returns
    -------
    distance, index
        ``distance[i]`` metres in the zone of point ``i`` and ``index[i]`` the row of the
        nearest target; ``inf`` / ``-1`` when there is no target, ``nan`` / ``-1`` when the
        point itself is missing.

    Examples
    --------
    One village at 0.01° north of a Pustu on the equator, one without a position:

    >>> d, j = nearest([[110.0, 0.01], [float("nan"), 0.0]], [[120.0, 0.0], [110.0, 0.0]])
    >>> round(float(d[0])), int(j[0]), bool(np.isnan(d[1])), int(j[1])
    (1105, 1, True, -1)
    """
    origin, target = lonlat(points_from), lonlat(points_to)
    distance = np.where(np.isfinite(origin).all(axis=1), np.inf, np.nan)
    index = np.full(len(origin), -1, dtype=np.int64)
    for rows, xy, cols, txy in _by_zone(origin, target, epsg):
        if len(cols) == 0:
            continue
        d, k = cKDTree(txy).query(xy, k=1)
        distance[rows], index[rows] = d, cols[k]
    return distance, index


def pairs_within(points_from: Any, points_to: Any, distance_m: float, *,
                 epsg: ArrayLike | None = None,
                 ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:  # fmt: skip
    """Every pair (i, j) with point j of ``points_to`` within ``distance_m`` (inclusive) of
    point i of ``points_from``, in the zone of point i; sorted by i, then j.

    Returns
    -------
    i, j, d
        Row in ``points_from``, row in ``points_to``, straight-line distance in metres.
        Missing points take part in no pair.
    """
    if not np.isfinite(distance_m) or distance_m < 0:
        raise ValueError(f"distance_m must be a finite number ≥ 0, got {distance_m!r}")
    origin, target = lonlat(points_from), lonlat(points_to)
    found_i, found_j, found_d = [], [], []
    for rows, xy, cols, txy in _by_zone(origin, target, epsg):
        if len(cols) == 0:
            continue
        pairs = cKDTree(xy).sparse_distance_matrix(cKDTree(txy), float(distance_m),
                                                   output_type="ndarray")  # fmt: skip
        found_i.append(rows[pairs["i"]])
        found_j.append(cols[pairs["j"]])
        found_d.append(pairs["v"])
    if not found_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    i, j, d = np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_d)
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]


def coverage(points_from: Any, points_to: Any, distance_m: float, *,
             epsg: ArrayLike | None = None) -> sparse.csr_matrix:  # fmt: skip
    """Which points of ``points_to`` lie within ``distance_m`` of each point of
    ``points_from``: a boolean ``scipy.sparse.csr_matrix`` of shape
    ``(len(points_from), len(points_to))``.

    Signature: ``coverage(points_from, points_to, distance_m, *, epsg=None) -> csr_matrix``.

    Parameters
    ----------
    points_from
        The points distances start from, e.g. the villages' populated points
        (:func:`populated_points`): an ``(n, 2)`` array of lon/lat degrees (EPSG:4326) or
        shapely points / a GeoSeries.
    points_to
        The other points, e.g. candidate or existing Pustu sites, in the same forms
        (``m`` of them).
    distance_m
        Straight-line distance in metres, inclusive (``d ≤ distance_m`` is covered).
    epsg
        UTM EPSG code per ``points_from`` point; default :func:`utm_epsg` of each, i.e.
        every distance is measured in the from-point's own UTM zone and hemisphere.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``dtype=bool``, entry ``[i, j]`` True when target ``j`` is within ``distance_m``
        of point ``i`` (a target at the very same place is covered: distance 0 is kept).
        A missing (NaN) point has an empty row / column. Distances themselves:
        :func:`pairs_within`.

    Examples
    --------
    Three villages on a line 1 km apart (at the equator, 0.009° ≈ 1 km) and two sites:

    >>> villages = [[110.0, 0.0], [110.009, 0.0], [110.018, 0.0]]
    >>> sites = [[110.0, 0.0], [110.018, 0.0]]
    >>> coverage(villages, sites, 1100.0).toarray().astype(int).tolist()
    [[1, 0], [1, 1], [0, 1]]
    """
    origin, target = lonlat(points_from), lonlat(points_to)
    i, j, _ = pairs_within(origin, target, distance_m, epsg=epsg)
    data = np.ones(len(i), dtype=bool)
    return sparse.csr_matrix((data, (i, j)), shape=(len(origin), len(target)), dtype=bool)
