"""Village and kecamatan polygons as matplotlib paths, built with vectorised shapely.

Drawing 8,500 villages through ``GeoDataFrame.plot`` builds one patch per polygon part;
here the polygons are simplified to the output's pixel size, oriented (exteriors
anticlockwise, holes clockwise, so the non-zero fill rule of every matplotlib backend
leaves holes open) and cut from one :func:`shapely.to_ragged_array` coordinate array into
one compound :class:`~matplotlib.path.Path` per village — a single ``PathCollection``
then draws them all. The kecamatan outlines become one compound path.

:class:`MapShapes` keeps the simplified paths per tolerance, so a caller drawing the same
scope at the same size again (slides, a web server) pays for the simplification once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.path import Path


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Only (multi)polygons: missing geometries become empty ones, collections keep their
    polygons (a repaired real boundary can be a collection)."""
    out = np.asarray(geoms, dtype=object).copy()
    kinds = shapely.get_type_id(out)
    for i in np.flatnonzero((kinds != shapely.GeometryType.POLYGON)
                            & (kinds != shapely.GeometryType.MULTIPOLYGON)):
        parts = [] if out[i] is None else shapely.get_parts(out[i])
        out[i] = shapely.MultiPolygon([p for p in parts if p.geom_type == "Polygon"])
    return out


def _ragged(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates, ring offsets and per-geometry ring ranges of (multi)polygons.

    Returns ``(coords, ring_offsets, geometry_ring_offsets)``: the rings of geometry ``i``
    are ``ring_offsets[geometry_ring_offsets[i]:geometry_ring_offsets[i + 1] + 1]``.
    """
    polygons = _polygonal(geoms)
    if not len(polygons):
        return np.empty((0, 2)), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64)
    kind, coords, offsets = shapely.to_ragged_array(polygons, include_z=False)
    if kind == shapely.GeometryType.POLYGON:
        rings, by_geometry = offsets
    else:  # MULTIPOLYGON (a mix of both is promoted to it)
        rings, parts, multis = offsets
        by_geometry = parts[multis]
    return np.asarray(coords, dtype=float), np.asarray(rings), np.asarray(by_geometry)


def polygon_paths(geoms: np.ndarray) -> list[Path]:
    """One compound path per (multi)polygon: every ring a closed sub-path.

    >>> square = shapely.box(0, 0, 2, 2).difference(shapely.box(0.5, 0.5, 1.5, 1.5))
    >>> path, = polygon_paths(shapely.orient_polygons(np.array([square])))
    >>> int((path.codes == Path.MOVETO).sum()), int((path.codes == Path.CLOSEPOLY).sum())
    (2, 2)
    """
    coords, rings, by_geometry = _ragged(geoms)
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    if len(coords):
        codes[rings[:-1]] = Path.MOVETO
        codes[rings[1:] - 1] = Path.CLOSEPOLY
    starts = rings[by_geometry]
    return [Path(coords[a:b], codes[a:b]) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def outline_path(geoms: np.ndarray, min_size: float = 0.0) -> Path:
    """Every ring of the (multi)polygons as one compound path (one draw call for hundreds
    of kecamatan), leaving out rings whose bounding box is under ``min_size`` on both
    sides (slivers between real boundaries would print as dots).

    >>> rings = np.array([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 5.01, 5.01)])
    >>> int((outline_path(rings, min_size=0.1).codes == Path.MOVETO).sum())
    1
    """
    coords, rings, _ = _ragged(geoms)
    if len(rings) < 2:
        return Path(np.empty((0, 2)))
    starts, ends = rings[:-1], rings[1:]
    keep = ends - starts > 1
    if min_size > 0 and len(coords):
        low = np.minimum.reduceat(coords, starts[keep], axis=0)
        high = np.maximum.reduceat(coords, starts[keep], axis=0)
        big = ((high - low) >= min_size).any(axis=1)
        keep[np.flatnonzero(keep)[~big]] = False
    parts = [np.arange(a, b) for a, b in zip(starts[keep], ends[keep], strict=True)]
    if not parts:
        return Path(np.empty((0, 2)))
    index = np.concatenate(parts)
    codes = np.full(len(index), Path.LINETO, dtype=Path.code_type)
    lengths = np.array([len(p) for p in parts])
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    codes[first] = Path.MOVETO
    codes[first + lengths - 1] = Path.CLOSEPOLY
    return Path(coords[index], codes)


def simplified(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """``geoms`` simplified by ``tolerance`` (degrees; 0 keeps them) and oriented.

    Plain Douglas–Peucker per polygon (8× faster than the topology-preserving variant on
    the 830,000 vertices of Jawa Timur): neighbours may part by less than ``tolerance``,
    which the village edges drawn over them cover (it is half a pixel or less), and a
    polygon it would erase keeps its own vertices.
    """
    out = np.asarray(geoms, dtype=object)
    if tolerance > 0:
        fast = shapely.simplify(out, tolerance, preserve_topology=False)
        lost = shapely.is_empty(fast) & ~shapely.is_empty(out) | shapely.is_missing(fast)
        lost &= ~shapely.is_missing(out)
        fast[lost] = out[lost]
        out = fast
    return shapely.orient_polygons(out)


@dataclass
class MapShapes:
    """What a map of one set of villages needs, prepared once.

    Parameters
    ----------
    villages
        ``kode`` and ``geometry`` (EPSG:4326) of every village drawn, plus ``nama`` for
        labels and ``kode_kec`` when no ``kecamatan`` outlines are given.
    kecamatan
        Kecamatan polygons (``geometry``) whose outlines are drawn over the villages;
        None dissolves the villages by ``kode_kec`` when that column is present.
    """

    villages: gpd.GeoDataFrame
    kecamatan: gpd.GeoDataFrame | None = None
    _paths: dict[float, list[Path]] = field(default_factory=dict, repr=False)
    _outlines: dict[float, Path] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.villages = self.villages.reset_index(drop=True)
        if self.kecamatan is None and "kode_kec" in self.villages.columns \
                and len(self.villages):
            self.kecamatan = self.villages[["kode_kec", "geometry"]].dissolve(
                "kode_kec", as_index=False)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(minx, miny, maxx, maxy)`` of the villages; None when there are none."""
        if not len(self.villages):
            return None
        minx, miny, maxx, maxy = shapely.total_bounds(self.villages.geometry.values)
        return None if np.isnan(minx) else (float(minx), float(miny), float(maxx), float(maxy))

    def village_paths(self, tolerance: float) -> list[Path]:
        """A path per village (in ``villages`` order) at ``tolerance`` degrees."""
        key = _key(tolerance)
        with self._lock:
            if key not in self._paths:
                geoms = simplified(self.villages.geometry.values, key)
                self._paths[key] = polygon_paths(geoms)
            return self._paths[key]

    def kecamatan_outline(self, tolerance: float) -> Path | None:
        """The kecamatan outlines as one path at ``tolerance`` degrees (rings smaller than
        four tolerances left out); None without kecamatan."""
        if self.kecamatan is None or not len(self.kecamatan):
            return None
        key = _key(tolerance)
        with self._lock:
            if key not in self._outlines:
                geoms = simplified(self.kecamatan.geometry.values, key)
                self._outlines[key] = outline_path(geoms, min_size=4 * key)
            found = self._outlines[key]
        return found if len(found.vertices) else None


def _key(tolerance: float) -> float:
    """Tolerances rounded to 2 significant digits: nearby image sizes share paths."""
    return 0.0 if tolerance <= 0 else float(f"{tolerance:.2g}")
