"""Geometry of the synthetic district: an island outline tiled exactly by villages.

The recipe (all in a local metric plane, then to EPSG:4326):

1. a smooth noisy radial outline (an ellipse with a few random harmonics);
2. well-spread village seeds (density-weighted sample, then Lloyd relaxation);
3. Voronoi cells of the seeds clipped to the outline; their boundaries are noded
   **once** into a set of edges, so every shared edge exists exactly once;
4. every edge is segmentized and made to meander sideways (a random sine series that
   vanishes at its end nodes), then every vertex is moved by one smooth displacement
   field (a few sine waves). The field is checked to be a diffeomorphism (its Jacobian
   determinant stays well above zero), so nothing folds or crosses;
5. the edges go to longitude/latitude and are snap-rounded to the 1e-6 degree grid
   (``shapely.set_precision``), which keeps them noded and non-crossing on the grid;
6. ``shapely.polygonize`` rebuilds the faces; each face is the village of the seed it
   contains. Neighbours therefore share bit-identical vertices, and the result is a
   valid coverage whose union is exactly the outline rebuilt from the coast edges.
   Should the meanders ever make edges cross, the build is repeated with smaller
   meanders (checked with ``shapely.coverage_is_valid``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiLineString, MultiPoint, Polygon

from .adjacency import neighbours

#: metres per degree of latitude (WGS 84 semi-major axis, spherical approximation)
M_PER_DEG = 6378137.0 * np.pi / 180.0
#: coordinate grid of the written files (6 decimals)
GRID = 1e-6


@dataclass(frozen=True)
class Tessellation:
    """Villages as polygons in EPSG:4326 plus the facts needed to name them.

    Attributes
    ----------
    polygons : numpy.ndarray
        One shapely Polygon per seed (coordinates on the 1e-6 degree grid).
    seeds_m : numpy.ndarray
        ``(n, 2)`` seed positions in the local metric plane (before displacement).
    outline : shapely.Polygon
        The district outline rebuilt from the coast edges alone (on the same grid).
    adjacency : list of list of int
        Village neighbours (shared edge).
    """

    polygons: np.ndarray
    seeds_m: np.ndarray
    outline: Polygon
    adjacency: list[list[int]]


class LocalPlane:
    """Equirectangular plane in metres around ``(lon0, lat0)`` (fine for ~50 km)."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.kx = M_PER_DEG * np.cos(np.radians(lat0))

    def to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        """Metres -> degrees, for an ``(n, 2)`` array."""
        return np.column_stack([self.lon0 + xy[:, 0] / self.kx, self.lat0 + xy[:, 1] / M_PER_DEG])

    def to_metres(self, lonlat: np.ndarray) -> np.ndarray:
        """Degrees -> metres, for an ``(n, 2)`` array."""
        return np.column_stack(
            [(lonlat[:, 0] - self.lon0) * self.kx, (lonlat[:, 1] - self.lat0) * M_PER_DEG]
        )


def island_outline(rng: np.random.Generator, width_m: float, height_m: float) -> Polygon:
    """A smooth, irregular, star-shaped island outline centred on the origin."""
    theta = np.linspace(0.0, 2 * np.pi, 720, endpoint=False)
    a, b = width_m / 2, height_m / 2
    r = 1.0 / np.sqrt((np.cos(theta) / a) ** 2 + (np.sin(theta) / b) ** 2)
    noise = np.zeros_like(theta)
    for k in range(2, 31):
        amp = rng.uniform(0.3, 1.0) * 0.13 / k**0.9
        noise += amp * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r = r * np.exp(noise)
    return Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))


def village_seeds(
    rng: np.random.Generator,
    outline: Polygon,
    n: int,
    town: tuple[float, float],
    lloyd_iterations: int = 2,
) -> np.ndarray:
    """``n`` well-spread seed points in the outline, somewhat denser around ``town``."""
    minx, miny, maxx, maxy = outline.bounds
    shapely.prepare(outline)
    picked: list[np.ndarray] = []
    while sum(len(p) for p in picked) < n:
        xy = rng.uniform([minx, miny], [maxx, maxy], size=(4 * n, 2))
        d2 = (xy[:, 0] - town[0]) ** 2 + (xy[:, 1] - town[1]) ** 2
        weight = (1.0 + 3.0 * np.exp(-d2 / (2 * 5000.0**2))) / 4.0
        keep = shapely.contains_xy(outline, xy[:, 0], xy[:, 1]) & (rng.random(len(xy)) < weight)
        picked.append(xy[keep])
    seeds = np.concatenate(picked)[:n]
    for _ in range(lloyd_iterations):
        seeds = shapely.get_coordinates(shapely.centroid(voronoi_cells(seeds, outline)))
    return seeds


def voronoi_cells(seeds: np.ndarray, outline: Polygon) -> np.ndarray:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``outline``."""
    frame = shapely.box(*outline.buffer(10_000.0).bounds)
    cells = shapely.get_parts(
        shapely.voronoi_polygons(MultiPoint(seeds), extend_to=frame, ordered=True)
    )
    return shapely.intersection(cells, outline)


def displacement_field(
    rng: np.random.Generator,
    extent: tuple[float, float, float, float],
    scales: tuple[tuple[float, float], ...] = (
        (11000.0, 450.0),
        (4200.0, 190.0),
        (1800.0, 85.0),
        (1100.0, 40.0),
    ),
    min_det: float = 0.35,
) -> Callable[[np.ndarray], np.ndarray]:
    """A smooth, invertible displacement ``xy -> xy + d(xy)`` (sum of sine waves).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of wave directions, phases and amplitudes.
    extent : tuple of float
        ``(minx, miny, maxx, maxy)`` where the field is checked.
    scales : tuple of (wavelength_m, amplitude_m)
        Two waves are drawn per scale.
    min_det : float
        The amplitudes are shrunk until the Jacobian determinant of the map stays above
        this everywhere on a 100 m grid; a displacement with a positive Jacobian and
        bounded size is a diffeomorphism of the plane, so no edge can cross another.

    Returns
    -------
    callable
        Maps an ``(n, 2)`` array of metres to the displaced ``(n, 2)`` array.
    """
    waves = []
    for wavelength, amplitude in scales:
        for _ in range(2):
            angle = rng.uniform(0, 2 * np.pi)
            k = 2 * np.pi / wavelength * np.array([np.cos(angle), np.sin(angle)])
            push = rng.uniform(0, 2 * np.pi)
            amp = amplitude * rng.uniform(0.6, 1.0) * np.array([np.cos(push), np.sin(push)])
            waves.append((k, rng.uniform(0, 2 * np.pi), amp))
    gx, gy = np.meshgrid(
        np.arange(extent[0], extent[2], 100.0), np.arange(extent[1], extent[3], 100.0)
    )
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    shrink = 1.0
    while True:
        jac = np.zeros((len(grid), 2, 2))
        for k, phase, amp in waves:
            c = np.cos(grid @ k + phase) * shrink
            jac += c[:, None, None] * np.outer(amp, k)[None, :, :]
        det = (1 + jac[:, 0, 0]) * (1 + jac[:, 1, 1]) - jac[:, 0, 1] * jac[:, 1, 0]
        if det.min() >= min_det:
            break
        shrink *= 0.9

    def apply(xy: np.ndarray) -> np.ndarray:
        out = xy.astype(float).copy()
        for k, phase, amp in waves:
            out += shrink * np.sin(xy @ k + phase)[:, None] * amp[None, :]
        return out

    return apply


def tessellate(
    rng: np.random.Generator,
    plane: LocalPlane,
    n_villages: int,
    width_m: float,
    height_m: float,
    town_m: tuple[float, float],
    segment_m: float = 200.0,
) -> Tessellation:
    """Build the outline and the village coverage (see the module docstring).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness for every step.
    plane : LocalPlane
        Local metric plane <-> longitude/latitude.
    n_villages : int
        Number of villages.
    width_m, height_m : float
        Size of the underlying ellipse in metres.
    town_m : tuple of float
        Main town position (metres); seeds are denser around it.
    segment_m : float
        Maximum edge segment length before displacement (controls the vertex count).

    Returns
    -------
    Tessellation
    """
    outline_m = island_outline(rng, width_m, height_m)
    seeds = village_seeds(rng, outline_m, n_villages, town_m)
    cells = voronoi_cells(seeds, outline_m)
    edges = shapely.get_parts(shapely.union_all(shapely.boundary(cells)))
    edges = shapely.segmentize(edges, segment_m)
    coast = shapely.dwithin(
        shapely.line_interpolate_point(edges, 0.5, normalized=True), outline_m.boundary, 1e-3
    )
    offsets = meander_offsets(rng, edges)
    field = displacement_field(rng, outline_m.buffer(2000.0).bounds)
    seed_ll = plane.to_lonlat(field(seeds))
    for scale in (1.0, 0.5, 0.25, 0.0):
        moved = shapely.transform(
            apply_meander(edges, offsets, scale), lambda xy: plane.to_lonlat(field(xy))
        )
        try:
            outline, polygons = _faces(moved, coast, seed_ll)
        except RuntimeError:
            continue
        if shapely.coverage_is_valid(polygons) and shapely.is_valid(polygons).all():
            break
    else:  # pragma: no cover - the unmeandered map is a diffeomorphism
        raise RuntimeError("could not build a valid village coverage")
    adjacency = neighbours(polygons, tolerance=GRID / 10, min_shared=GRID)
    return Tessellation(polygons=polygons, seeds_m=seeds, outline=outline, adjacency=adjacency)


def meander_offsets(rng: np.random.Generator, edges: np.ndarray) -> list[np.ndarray]:
    """Per-vertex sideways offsets (metres) that make straight edges meander.

    Each edge gets a random sine series ``sum_j g_j sin(j pi t) / j`` over its arc
    position ``t`` in [0, 1]; it vanishes at both ends, so nodes stay put and the
    neighbouring edges keep meeting there. The amplitude is 7 % of the edge length,
    at most 150 m.
    """
    out = []
    for edge in edges:
        xy = shapely.get_coordinates(edge)
        arc = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
        length = arc[-1]
        t = arc / length if length > 0 else arc
        g = rng.normal(size=4)
        series = sum(g[j] * np.sin((j + 1) * np.pi * t) / (j + 1) for j in range(4))
        out.append(min(0.07 * length, 150.0) * series / 1.5)
    return out


def apply_meander(edges: np.ndarray, offsets: list[np.ndarray], scale: float) -> np.ndarray:
    """Move every vertex of every edge sideways by ``scale`` times its offset."""
    out = np.empty(len(edges), dtype=object)
    for i, (edge, off) in enumerate(zip(edges, offsets, strict=True)):
        xy = shapely.get_coordinates(edge)
        if len(xy) < 3 or scale == 0:
            out[i] = edge
            continue
        tangent = np.gradient(xy, axis=0)
        tangent /= np.hypot(tangent[:, 0], tangent[:, 1])[:, None]
        normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
        out[i] = shapely.linestrings(xy + scale * off[:, None] * normal)
    return out


def _faces(moved: np.ndarray, coast: np.ndarray, seed_ll: np.ndarray) -> tuple[Polygon, np.ndarray]:
    """Snap-round the lon/lat edges, rebuild the outline and one polygon per seed."""
    noded = shapely.get_parts(shapely.set_precision(MultiLineString(list(moved)), GRID))
    coast_ll = shapely.union_all(moved[coast])
    on_coast = np.array(
        [
            bool(
                shapely.dwithin(
                    coast_ll, shapely.points(shapely.get_coordinates(p)), 2 * GRID
                ).all()
            )
            for p in noded
        ]
    )
    outline = _single_polygon(shapely.polygonize(list(noded[on_coast])), "coast")
    faces = shapely.get_parts(shapely.polygonize(list(noded)))
    polygons = _faces_to_villages(faces, seed_ll)
    polygons = shapely.orient_polygons(shapely.transform(polygons, _round6))
    outline = shapely.orient_polygons(shapely.transform(outline, _round6))
    return outline, polygons


def _round6(xy: np.ndarray) -> np.ndarray:
    return np.round(xy, 6)


def _single_polygon(collection: shapely.Geometry, what: str) -> Polygon:
    parts = shapely.get_parts(collection)
    if len(parts) != 1:
        raise RuntimeError(f"the {what} linework formed {len(parts)} polygons instead of 1")
    return parts[0]


def _faces_to_villages(faces: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """One polygon per seed: the face containing it, plus any seedless face merged in."""
    tree = shapely.STRtree(faces)
    seed_idx, face_idx = tree.query(shapely.points(seeds), predicate="within")
    if len(np.unique(seed_idx)) != len(seeds) or len(np.unique(face_idx)) != len(seed_idx):
        raise RuntimeError("every seed must lie in exactly one face of its own")
    owner = np.full(len(faces), -1)
    owner[face_idx] = seed_idx
    out = np.empty(len(seeds), dtype=object)
    out[seed_idx] = faces[face_idx]
    orphans = [i for i in range(len(faces)) if owner[i] < 0]
    for i in sorted(orphans, key=lambda j: -shapely.area(faces[j])):
        owned = np.flatnonzero(owner >= 0)
        shared = shapely.length(
            shapely.intersection(shapely.boundary(faces[i]), shapely.boundary(out[owner[owned]]))
        )
        if shared.max() <= 0:
            raise RuntimeError("a seedless face touches no village")
        target = owner[owned[int(np.argmax(shared))]]
        out[target] = shapely.union(out[target], faces[i])
        owner[i] = target
    return out
