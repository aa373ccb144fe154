"""Village adjacency (shared boundary) for exact coverages and real, imperfect files.

Real boundary files are rarely exact coverages: neighbours may leave slivers or overlap
by a few metres. Two villages count as neighbours when a stretch of one's boundary at
least ``min_shared`` long lies within ``tolerance`` of the other — corner contacts
(a single shared point) are not adjacency.
"""

from __future__ import annotations

import numpy as np
import shapely

#: defaults in degrees (EPSG:4326): ~11 m tolerance, ~55 m of shared border
DEFAULT_TOLERANCE = 1e-4
DEFAULT_MIN_SHARED = 5e-4


def neighbours(
    geoms: np.ndarray,
    tolerance: float = DEFAULT_TOLERANCE,
    min_shared: float = DEFAULT_MIN_SHARED,
) -> list[list[int]]:
    """Indices of the polygons sharing a boundary with each polygon.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Village (multi)polygons, all in one CRS.
    tolerance : float
        How far apart two boundaries may lie and still count as shared (CRS units).
    min_shared : float
        Minimum length of shared boundary (CRS units).

    Returns
    -------
    list of list of int
        ``out[i]`` = sorted indices of the neighbours of ``geoms[i]``; symmetric.
    """
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=tolerance)
    keep = left < right
    left, right = left[keep], right[keep]
    out: list[set[int]] = [set() for _ in range(len(geoms))]
    if len(left):
        near = shapely.buffer(geoms[right], tolerance, quad_segs=2)
        shared = shapely.length(shapely.intersection(shapely.boundary(geoms[left]), near))
        for a, b, length in zip(left, right, shared, strict=True):
            if length >= min_shared:
                out[int(a)].add(int(b))
                out[int(b)].add(int(a))
    return [sorted(s) for s in out]
