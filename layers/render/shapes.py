"""Village and kecamatan polygons as matplotlib paths, built with vectorised shapely.

Drawing 8,500 villages through ``GeoDataFrame.plot`` builds one patch per polygon part;
here the polygons are simplified to the output's pixel size, oriented (exteriors
anticlockwise, holes clockwise, so the non-zero fill rule of every matplotlib backend
leaves holes open) and cut from one :func:`shapely.to_ragged_array` coordinate array into
one compound :class:`~matplotlib.path.Path` per village — a single ``PathCollection``
then draws them all. Outlines become one ``LineCollection`` of rings.

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


def ring_lines(geoms: np.ndarray) -> list[np.ndarray]:
    """Every ring of the (multi)polygons as an ``(n, 2)`` array, for a ``LineCollection``."""
    coords, rings, _ = _ragged(geoms)
    return [coords[a:b] for a, b in zip(rings[:-1], rings[1:], strict=True) if b - a > 1]


def simplified(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """``geoms`` simplified by ``tolerance`` (degrees; 0 keeps them) and oriented.

    Plain per-polygon simplification: neighbours may part by less than ``tolerance``,
    which the village edges drawn over them cover (the tolerance is half a pixel or less).
    """
    out = np.asarray(geoms, dtype=object)
    if tolerance > 0:
        out = shapely.simplify(out, tolerance, preserve_topology=True)
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
    _outlines: dict[float, list[np.ndarray]] = field(default_factory=dict, repr=False)
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

    def kecamatan_lines(self, tolerance: float) -> list[np.ndarray]:
        """The kecamatan outlines as rings at ``tolerance`` degrees (none without them)."""
        if self.kecamatan is None or not len(self.kecamatan):
            return []
        key = _key(tolerance)
        with self._lock:
            if key not in self._outlines:
                geoms = simplified(self.kecamatan.geometry.values, key)
                self._outlines[key] = ring_lines(geoms)
            return self._outlines[key]


def _key(tolerance: float) -> float:
    """Tolerances rounded to 2 significant digits: nearby image sizes share paths."""
    return 0.0 if tolerance <= 0 else float(f"{tolerance:.2g}")
