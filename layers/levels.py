"""Map geometry per level and zoom: villages cleaned into a coverage, simplified once per detail.

The map draws a province (Jawa Timur, 8,494 villages) at province zoom and the nation (74,840
villages) by zoom levels (issue 12). Geometry is therefore prepared once per boundary version,
per **level** (``prov``, ``kab``, ``kec``, ``desa``) and per **detail** (:data:`DETAILS`: a
simplification tolerance and the Leaflet zooms it is meant for), by :func:`build_levels`.

Real boundary files are not a coverage (../shared/data/README.md): neighbours overlap and leave
sliver gaps, so simplifying each shared edge twice opens holes. :func:`clean` first makes the
villages an exact coverage with no gaps, then ``shapely.coverage_simplify`` simplifies every
shared edge once, so neighbours keep touching at every detail:

1. ``shapely.coverage_clean(gap_width=0)``: overlaps go to one neighbour, shared edges are
   noded and snapped so that they match exactly. Gaps stay.
2. :func:`merge_gaps`: every hole of the union that is a gap (under :data:`SLIVER_M2`, or
   narrower than :data:`GAP_WIDTH_M`) is merged into the village with which it shares the
   longest border. Written by hand because ``coverage_clean``'s own gap merging is too slow:
   on Jawa Timur (2 cores, shapely 2.2 / GEOS 3.14, metres) ``gap_width=0`` takes 12.6 s,
   ``gap_width=10`` 125 s and ``gap_width=50`` 148 s; :func:`merge_gaps` merges the same
   38,450 gaps in about 7 s (shared borders by exact segment matching, one vectorised
   ``coverage_union_all`` per receiving village).
3. ``shapely.coverage_is_valid`` must hold, else :class:`CoverageError`.

Measured on Jawa Timur: the raw file's union has 38,234 holes (14.4 km²), 3 of them >= 1 ha;
``coverage_simplify`` of the clean coverage keeps 0 holes at every tolerance from 10 m to
1.5 km, where cleaning without gap merging gives 118 holes >= 1 ha at 250 m and simplifying
the raw file 2,848.

Kecamatan, kabupaten and provinces are grouped unions (``coverage_union_all``) of the level
below **at the same detail**, so their edges are exactly those of their villages (a kecamatan
outline drawn over the villages never strays from them). At a detail without villages
(``nasional``) the lowest level it has is unioned from the clean villages and then simplified.

Everything runs in :data:`METRIC_CRS` (Web Mercator, the map's own projection: a tolerance in
its units is exactly ``tolerance / metres_per_pixel(z)`` pixels at zoom ``z``; in Indonesia,
within 11 degrees of the equator, a unit is 0.98-1.00 m on the ground and a unit² 0.96-1.00 m²).
:func:`defects` measures holes and overlaps honestly in an equal-area CRS.

Pure: shapely, geopandas and numpy only (no Dash, no database).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import codes

#: where cleaning and simplification happen (the map's projection; units ~ metres)
METRIC_CRS = "EPSG:3857"
#: where :func:`defects` measures areas (equal-area, good for the whole country)
EQUAL_AREA_CRS = "EPSG:6933"
#: Web Mercator units per pixel at zoom 0 (256-px tiles): ground metres at the equator
METRES_PER_PIXEL_Z0 = 156_543.03392804097
#: a hole of the union smaller than this (m²) is a gap between neighbours: merged
SLIVER_M2 = 10_000.0
#: a hole narrower than this (m, diameter of its largest inscribed circle) is a gap: merged,
#: whatever its area; wider, larger holes (lakes, enclaves left out of every village) stay
GAP_WIDTH_M = 50.0
#: polygons per block when :func:`find_gaps` unions a large coverage: GEOS gives each hole of
#: a union to its shell by trying the shells in turn, so the whole nation at once (~400k
#: sliver holes, ~20k islands) ran for over 10 minutes where its 37 provinces took 40 s
GAP_BLOCK = 256
#: :func:`defects` ignores holes smaller than this (m²) as noise
MIN_HOLE_M2 = 1.0
#: holes at least this large (m², 1 ha) are visible when zoomed to a kecamatan
VISIBLE_HOLE_M2 = 10_000.0
#: the levels, from the top down
LEVELS = ("prov", "kab", "kec", "desa")
#: code length (dotted) of each level's codes
CODE_LENGTH = {"prov": 2, "kab": 5, "kec": 8, "desa": 13}
#: name columns a village frame may carry for the levels above it
NAME_COLUMNS = {"kec": "nama_kec", "kab": "nama_kab", "prov": "nama_prov"}
#: village code columns looked for, in this order, when none is named
CODE_COLUMNS = ("kode", "kode_desa", "kode_desa_10")


@dataclass(frozen=True)
class Detail:
    """One detail of the map's geometry: how much it is simplified and for which zooms.

    Attributes
    ----------
    name
        Part of the level keys (``desa-rendah``) and of the geometry URLs.
    tolerance_m
        ``shapely.coverage_simplify`` tolerance in :data:`METRIC_CRS` units (~ metres).
    min_zoom, max_zoom
        Leaflet zooms this detail is meant for (inclusive).
    precision
        Decimals of degrees kept when encoded (1e-4 deg ~ 11 m).
    levels
        The levels built at this detail.
    """

    name: str
    tolerance_m: float
    min_zoom: int
    max_zoom: int
    precision: int
    levels: tuple[str, ...]

    def key(self, level: str) -> str:
        """The key of ``level`` at this detail in :func:`build_levels`' result."""
        return f"{level}-{self.name}"


#: the details, coarse to fine. A tolerance is about one pixel at the zoom where the detail
#: is coarsest (``metres_per_pixel``: z6 2,446 m, z8 611 m, z12 38 m, z14 9.6 m); a 1366-px
#: screen shows Jawa Timur at z8 and the nation at z5.
DETAILS: dict[str, Detail] = {
    d.name: d
    for d in (
        # the country: provinces and kabupaten outlines
        Detail("nasional", 2500.0, 0, 6, 3, ("prov", "kab")),
        # a province or an island: every village with a few vertices
        Detail("rendah", 800.0, 7, 8, 4, ("prov", "kab", "kec", "desa")),
        # a kabupaten to a few kecamatan
        Detail("sedang", 50.0, 9, 12, 5, ("kab", "kec", "desa")),
        # a kecamatan, a village
        Detail("tinggi", 10.0, 13, 22, 6, ("kab", "kec", "desa")),
    )
}
#: budget of ``desa-rendah``: vertices per village on average (Jawa Timur: 8,494 villages,
#: about 70k vertices; ``coverage_simplify`` keeps every point where three villages meet,
#: so a few per village is the floor)
RENDAH_VERTICES_PER_VILLAGE = 10


class CoverageError(ValueError):
    """Cleaning did not give a valid coverage (``shapely.coverage_is_valid`` is False)."""


class _Clock:
    """Adds the seconds since its last lap to ``timings[name]`` (nothing when None)."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def restart(self) -> None:
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def metres_per_pixel(zoom: float) -> float:
    """Web Mercator units (ground metres at the equator) per pixel at a Leaflet zoom.

    >>> round(metres_per_pixel(8))
    611
    """
    return METRES_PER_PIXEL_Z0 / 2.0**zoom


def detail_for_zoom(zoom: float) -> Detail:
    """The detail meant for a Leaflet zoom (the coarsest below, the finest above the range).

    >>> detail_for_zoom(8).name, detail_for_zoom(10.5).name, detail_for_zoom(30).name
    ('rendah', 'sedang', 'tinggi')
    """
    ordered = sorted(DETAILS.values(), key=lambda d: d.min_zoom)
    for detail in ordered:
        if zoom < detail.max_zoom + 1:
            return detail
    return ordered[-1]


# --------------------------------------------------------------------------- cleaning


def clean(
    villages_metric: Iterable[Any] | np.ndarray,
    min_area_m2: float = SLIVER_M2,
    max_width_m: float = GAP_WIDTH_M,
    timings: dict[str, float] | None = None,
) -> np.ndarray:
    """The villages as a valid polygonal coverage without gaps, in the same order.

    Parameters
    ----------
    villages_metric
        Village polygons in a metric CRS (:data:`METRIC_CRS` in :func:`build_levels`);
        invalid ones are made valid first (polygonal parts kept). None or empty stays None.
    min_area_m2, max_width_m
        Which holes of the union are gaps to merge (see :func:`merge_gaps`).
    timings
        When given, filled with the seconds of each stage (``coverage_clean``,
        ``merge_gaps``, ``verify``, ...).

    Returns
    -------
    numpy.ndarray
        Polygons or MultiPolygons: no overlaps, shared edges identical, every gap merged into
        a neighbour; no village emptied.

    Raises
    ------
    CoverageError
        When the result is not a valid coverage.

    Notes
    -----
    ``coverage_clean`` gives an overlap to the neighbour with the longest shared border; a
    village that lies wholly inside others (national file: 11.73.03.2022 Seuneubok inside
    villages of 11.08) would vanish, so such villages get their own outline back and their
    neighbours lose it (:func:`_restore_emptied`).
    """
    clock = _Clock(timings)
    arr = _polygonal(villages_metric)
    out = np.full(len(arr), None, dtype=object)
    present = np.flatnonzero(~shapely.is_missing(arr))
    if not len(present):
        return out
    raw = arr[present]
    clock.lap("make_valid")
    cleaned = shapely.coverage_clean(raw, gap_width=0.0)
    clock.lap("coverage_clean")
    emptied = np.flatnonzero(shapely.is_missing(cleaned) | shapely.is_empty(cleaned))
    if len(emptied):
        cleaned = _restore_emptied(cleaned, raw, emptied)
        clock.lap("restore_emptied")
    merged = merge_gaps(cleaned, min_area_m2, max_width_m)
    clock.lap("merge_gaps")
    lost = shapely.is_missing(merged) | shapely.is_empty(merged)
    if lost.any():
        raise CoverageError(f"cleaning emptied {int(lost.sum())} villages "
                            f"(positions {present[lost][:10].tolist()})")  # fmt: skip
    if not shapely.is_valid(merged).all() or not shapely.coverage_is_valid(merged):
        edges = shapely.coverage_invalid_edges(merged)
        bad = np.flatnonzero(~shapely.is_empty(edges) | ~shapely.is_valid(merged))
        raise CoverageError(f"cleaning left {len(bad)} villages with unmatched edges "
                            f"(positions {present[bad][:10].tolist()})")  # fmt: skip
    clock.lap("verify")
    out[present] = merged
    return out


def merge_gaps(coverage: np.ndarray, min_area_m2: float = SLIVER_M2,
               max_width_m: float = GAP_WIDTH_M) -> np.ndarray:  # fmt: skip
    """Merge the gaps of a noded coverage into the neighbour with the longest shared border.

    A gap is a hole of the coverage's union (islands inside it left out) smaller than
    ``min_area_m2`` or narrower than ``max_width_m`` (twice the radius of its largest
    inscribed circle); other holes are real enclaves and stay.

    Parameters
    ----------
    coverage
        Polygons whose shared edges match exactly (``coverage_clean``'s output); None or
        empty entries are left as they are.
    min_area_m2, max_width_m
        Thresholds in the units of the coverage's CRS.

    Returns
    -------
    numpy.ndarray
        The coverage with each receiving village replaced by the ``coverage_union_all`` of
        itself and its gaps; a gap that shares no edge with any village (touching only at
        points) stays a hole.

    Notes
    -----
    Shared border lengths come from matching the gaps' segments with the villages' segments
    exactly (the gaps' rings are made of the villages' own vertices). Where the union dropped
    a vertex the match falls short and that gap's borders are measured by GEOS intersection
    (about an eighth of the gaps in Jawa Timur).
    """
    arr = np.asarray(coverage, dtype=object)
    out = arr.copy()
    present = np.flatnonzero(~shapely.is_missing(arr) & ~shapely.is_empty(arr))
    if len(present) < 2:
        return out
    geoms = arr[present]
    gaps = find_gaps(geoms)
    if not len(gaps):
        return out
    area = shapely.area(gaps)
    wide = np.flatnonzero(area >= min_area_m2)
    if len(wide):
        radius = shapely.length(shapely.maximum_inscribed_circle(gaps[wide]))
        area[wide[2.0 * radius < max_width_m]] = 0.0  # narrow: merge it all the same
    gaps = gaps[area < min_area_m2]
    receiver = _receivers(gaps, geoms)
    gaps, receiver = gaps[receiver >= 0], receiver[receiver >= 0]
    if not len(gaps):
        return out
    takers, group = np.unique(receiver, return_inverse=True)
    members = np.concatenate([geoms[takers], gaps])
    member_group = np.concatenate([np.arange(len(takers)), group])
    out[present[takers]] = _union_groups(members, member_group, len(takers))
    return out


def _restore_emptied(cleaned: np.ndarray, raw: np.ndarray, emptied: np.ndarray) -> np.ndarray:
    """Give the villages that cleaning emptied their raw outline back, taken from the cleaned
    villages it overlaps; those few are cleaned again together (no snapping, so that their
    edges with the villages around stay as they are)."""
    out = cleaned.copy()
    for i in emptied:
        others = np.flatnonzero(shapely.intersects(out, raw[i]))
        others = others[(others != i) & ~shapely.is_empty(out[others])]
        local = shapely.coverage_clean(
            np.concatenate([[raw[i]], out[others]]),
            gap_width=0.0,
            snapping_distance=0.0,
            merge_strategy="min_index",
        )
        if shapely.is_empty(local[0]):
            continue  # left for clean() to report
        out[i] = local[0]
        out[others] = local[1:]
    return out


def find_gaps(coverage: np.ndarray, block: int | None = None) -> np.ndarray:
    """The holes of a noded coverage's union as polygons, the parts lying in them cut out.

    Parameters
    ----------
    coverage
        Polygons whose shared edges match (None and empty entries ignored).
    block
        Polygons per block (default :data:`GAP_BLOCK`): a larger coverage is unioned block by
        block, each block's own holes taken there and filled, and only the blocks' parts that
        touch another block's are unioned again, for the gaps between blocks.

    Returns
    -------
    numpy.ndarray
        Polygons, one per gap (a hole that an island touches twice gives several).
    """
    block = GAP_BLOCK if block is None else block
    arr = np.asarray(coverage, dtype=object)
    geoms = arr[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]
    if len(geoms) <= block:
        parts = _polygon_parts(_union(geoms))
        return _cut_islands(_holes_of(parts)[0], parts)
    order = np.argsort(gpd.GeoSeries(geoms).hilbert_distance().to_numpy(), kind="stable")
    group = np.empty(len(geoms), dtype=np.int64)
    group[order] = np.arange(len(geoms)) // block
    parts, part_group = _flat_polygons(_union_groups(geoms, group, int(group.max()) + 1))
    holes, hole_part = _holes_of(parts)
    inside, hole = shapely.STRtree(holes).query(shapely.point_on_surface(parts),
                                                predicate="within")  # fmt: skip
    # a hole holding another block's part is left to the union of the blocks
    foreign = np.zeros(len(holes), dtype=bool)
    foreign[hole[part_group[inside] != part_group[hole_part[hole]]]] = True
    own = _cut_islands(holes[~foreign], parts)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    kept = np.r_[True, ring_of[1:] != ring_of[:-1]]  # the shells, and the foreign holes
    kept[np.flatnonzero(~kept)[foreign]] = True
    filled = shapely.polygons(rings[kept], indices=ring_of[kept])
    first, second = shapely.STRtree(filled).query(filled, predicate="intersects")
    touching = np.unique(first[part_group[first] != part_group[second]])
    if len(touching) >= len(geoms):  # no progress: union it all at once
        between = _cut_islands(_holes_of(_polygon_parts(_union(filled)))[0], parts)
    else:
        # a part that touches no other block can still lie in a gap between them: cut out
        between = _cut_islands(find_gaps(filled[touching], block), parts)
    return np.concatenate([own, between])


def _polygon_parts(geom: Any) -> np.ndarray:
    """The polygons of a (multi)polygon or collection."""
    return _flat_polygons(np.asarray([geom], dtype=object))[0]


def _holes_of(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The interior rings of polygons as polygons, and the position of each one's polygon."""
    if not len(parts):
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    shell = np.r_[True, ring_of[1:] != ring_of[:-1]]
    return shapely.polygons(rings[~shell]), ring_of[~shell]


def _cut_islands(holes: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """``holes`` less the ``parts`` lying in them (by an interior point), as polygons."""
    if not len(holes) or not len(parts):
        return holes
    inside, hole = shapely.STRtree(holes).query(shapely.point_on_surface(parts),
                                                predicate="within")  # fmt: skip
    if not len(hole):
        return holes
    holes = holes.copy()
    for h in np.unique(hole):
        holes[h] = shapely.difference(holes[h], shapely.multipolygons(parts[inside[hole == h]]))
    # an island touching its hole twice cuts it in pieces
    holes = shapely.get_parts(shapely.make_valid(holes))
    return holes[(shapely.get_type_id(holes) == 3) & ~shapely.is_empty(holes)]


def _receivers(gaps: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """For each gap, the position in ``geoms`` of the polygon sharing its longest border
    (ties: the first); -1 when it shares none."""
    g_seg, g_own, g_len = _segments(gaps)
    v_seg, v_own, _ = _segments(geoms)
    cols = ["x0", "y0", "x1", "y1"]
    gap_frame = pd.DataFrame(g_seg, columns=cols).assign(gap=g_own, length=g_len)
    village_frame = pd.DataFrame(v_seg, columns=cols).assign(village=v_own)
    matched = gap_frame.merge(village_frame, on=cols)
    shared = matched.groupby(["gap", "village"], sort=False)["length"].sum().reset_index()
    perimeter = np.bincount(g_own, weights=g_len, minlength=len(gaps))
    found = np.bincount(shared["gap"], weights=shared["length"], minlength=len(gaps))
    short = np.flatnonzero(found < 0.999 * perimeter)
    if len(short):
        gap_at, village = shapely.STRtree(geoms).query(gaps[short], predicate="intersects")
        gap = short[gap_at]
        length = shapely.length(shapely.intersection(shapely.boundary(gaps[gap]),
                                                     geoms[village]))  # fmt: skip
        measured = pd.DataFrame({"gap": gap, "village": village, "length": length})
        shared = pd.concat([shared[~np.isin(shared["gap"], short)],
                            measured[measured["length"] > 0]])  # fmt: skip
    best = shared.sort_values(["gap", "length", "village"], ascending=[True, False, True])
    best = best.drop_duplicates("gap")
    receiver = np.full(len(gaps), -1, dtype=np.int64)
    receiver[best["gap"].to_numpy()] = best["village"].to_numpy()
    return receiver


def _segments(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring segment of ``geoms`` as ``(x0, y0, x1, y1)`` with its endpoints in
    lexicographic order (so both neighbours of an edge give the same row), the position of
    its geometry and its length."""
    polys, owner = _flat_polygons(geoms)
    rings, ring_of = shapely.get_rings(polys, return_index=True)
    xy, at = shapely.get_coordinates(rings, return_index=True)
    same = at[1:] == at[:-1]
    a, b = xy[:-1][same], xy[1:][same]
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(flip[:, None], b, a)
    hi = np.where(flip[:, None], a, b)
    length = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
    return np.hstack([lo, hi]), owner[ring_of[at[:-1][same]]], length


def _flat_polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty polygons of ``geoms`` (multi-parts and collections flattened) and the
    position of each one's geometry."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    while True:
        nested = np.isin(shapely.get_type_id(parts), (6, 7))
        if not nested.any():
            break
        inner, at = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][at]])
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    order = np.argsort(index[keep], kind="stable")
    return parts[keep][order], index[keep][order]


def _polygonal(geoms: Iterable[Any] | np.ndarray) -> np.ndarray:
    """Valid polygonal geometries without SRID (None where nothing polygonal is left)."""
    arr = np.asarray(geoms if isinstance(geoms, np.ndarray) else list(geoms), dtype=object)
    arr = shapely.set_srid(arr, 0)
    bad = np.flatnonzero(~shapely.is_missing(arr) & ~shapely.is_valid(arr))
    if len(bad):
        arr[bad] = shapely.make_valid(arr[bad])
    kinds = shapely.get_type_id(arr)
    odd = np.flatnonzero(~np.isin(kinds, (-1, 3, 6)))  # collections, lines, points
    if len(odd):
        polys, owner = _flat_polygons(arr[odd])
        fixed = np.full(len(odd), None, dtype=object)
        if len(polys):
            kept = np.unique(owner)
            fixed[kept] = shapely.multipolygons(polys, indices=np.searchsorted(kept, owner))
        arr[odd] = fixed
    arr[shapely.is_empty(arr)] = None
    return arr


def _union(geoms: np.ndarray) -> Any:
    """Union of polygons that should be a coverage: ``coverage_union_all``, or the slower
    ``union_all`` when GEOS finds them not noded."""
    try:
        return shapely.coverage_union_all(geoms)
    except shapely.errors.GEOSException:
        return shapely.union_all(geoms)


def _union_groups(geoms: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """``coverage_union_all`` per group (0 .. n-1), vectorised over a padded table (a group
    that GEOS finds not noded is unioned by :func:`_union`)."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    counts = np.bincount(sorted_group, minlength=n)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    table = np.full((n, max(int(counts.max()), 1)), None, dtype=object)
    table[sorted_group, np.arange(len(order)) - starts[sorted_group]] = geoms[order]
    try:
        return shapely.coverage_union_all(table, axis=1)
    except shapely.errors.GEOSException:
        return np.asarray([_union(row[~shapely.is_missing(row)]) for row in table], dtype=object)


# --------------------------------------------------------------------------- levels


def village_codes(villages: pd.DataFrame, column: str | None = None) -> np.ndarray:
    """The dotted village codes of a frame (``kode`` as :func:`layers.store.queries.villages`
    returns them, or ``kode_desa``/``kode_desa_10`` of the boundary files, dotted or plain).

    >>> village_codes(pd.DataFrame({"kode_desa_10": ["3510012001"]})).tolist()
    ['35.10.01.2001']
    """
    if column is None:
        column = next((c for c in CODE_COLUMNS if c in villages.columns), None)
        if column is None:
            raise KeyError(f"no village code column (one of {', '.join(CODE_COLUMNS)})")
    dotted = [codes.normalize(str(k)) for k in villages[column]]
    bad = [k for k in dotted if codes.level(k) != "desa"]
    if bad:
        raise ValueError(f"not village codes: {bad[:5]}")
    return np.asarray(dotted, dtype=object)


def build_levels(
    villages: gpd.GeoDataFrame,
    details: Iterable[Detail] | None = None,
    code_column: str | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Geometry of every level at every detail, from one clean village coverage.

    Parameters
    ----------
    villages
        Village polygons (any CRS, usually EPSG:4326) with a village code column (see
        :func:`village_codes`); other columns are kept in the ``desa`` frames. ``nama_kec``,
        ``nama_kab``, ``nama_prov`` name the regions above when present. Rows without
        geometry are left out.
    details
        The details to build (default all of :data:`DETAILS`).
    code_column
        The village code column, when it is none of :data:`CODE_COLUMNS`.
    timings
        When given, filled with the seconds of each stage (those of :func:`clean`, then
        ``simplify <detail>``, ``union <detail>``, ``to_crs``).

    Returns
    -------
    dict[str, geopandas.GeoDataFrame]
        Keyed ``"<level>-<detail>"`` (``desa-rendah``, ``kec-sedang``, ``kab-nasional``, ...;
        :meth:`Detail.key`), each in EPSG:4326. ``desa`` frames: the villages' columns, one
        row per village with geometry, in the given order. ``kec``/``kab``/``prov`` frames:
        ``kode`` (dotted: ``35.10.01``, ``35.10``, ``35``), ``nama`` (None when the frame
        names none), ``induk`` (the parent's code, None for a province), ``jumlah_desa``,
        ``geometry``; sorted by code.

    Notes
    -----
    At a detail, the lowest of its levels is ``coverage_simplify``'d (villages: the clean
    coverage; else the clean villages unioned to that level) and each level above is the
    grouped ``coverage_union_all`` of the one below, so outlines coincide exactly with the
    polygons they are made of. Jawa Timur (8,494 villages) takes about 40 s, the national
    file (74,840) about 8 min (see ``bench/geometry_levels.py``).
    """
    details = list(DETAILS.values() if details is None else details)
    kode = village_codes(villages, code_column)
    has_geometry = ~(villages.geometry.isna().to_numpy() | villages.geometry.is_empty.to_numpy())
    frame, kode = villages[has_geometry], kode[has_geometry]
    clock = _Clock(timings)
    metric = np.asarray(frame.geometry.to_crs(METRIC_CRS).values, dtype=object)
    clock.lap("to_crs")
    base = {"desa": clean(metric, timings=timings)}
    clock.restart()
    # region codes and each level's grouping of the level below
    region: dict[str, np.ndarray] = {"desa": kode}
    up: dict[str, np.ndarray] = {}
    below = "desa"
    for level in ("kec", "kab", "prov"):
        names, up[below] = np.unique(
            region[below].astype(f"U{CODE_LENGTH[below]}").astype(f"U{CODE_LENGTH[level]}"),
            return_inverse=True,
        )
        region[level] = names.astype(object)
        below = level
    counts = {"desa": np.ones(len(kode), dtype=np.int64)}
    for lower, level in (("desa", "kec"), ("kec", "kab"), ("kab", "prov")):
        counts[level] = np.bincount(up[lower], weights=counts[lower],
                                    minlength=len(region[level])).astype(np.int64)  # fmt: skip
    names = {level: _region_names(frame, kode, region[level], level)
             for level in ("kec", "kab", "prov")}  # fmt: skip

    def clean_at(level: str) -> np.ndarray:
        if level not in base:
            lower = LEVELS[LEVELS.index(level) + 1]
            base[level] = _union_groups(clean_at(lower), up[lower], len(region[level]))
        return base[level]

    out: dict[str, gpd.GeoDataFrame] = {}
    for detail in details:
        levels = sorted(detail.levels, key=LEVELS.index, reverse=True)  # bottom up
        lowest = clean_at(levels[0])
        clock.lap(f"union {detail.name}")
        geoms = shapely.coverage_simplify(lowest, detail.tolerance_m)
        clock.lap(f"simplify {detail.name}")
        for i, level in enumerate(levels):
            if i:
                geoms = _union_groups(geoms, up[levels[i - 1]], len(region[level]))
                clock.lap(f"union {detail.name}")
            series = gpd.GeoSeries(geoms, crs=METRIC_CRS).to_crs(4326)
            clock.lap("to_crs")
            if level == "desa":
                desa = frame.copy()
                desa.geometry = gpd.GeoSeries(series.values, index=frame.index, crs=4326)
                out[detail.key(level)] = desa
            else:
                out[detail.key(level)] = gpd.GeoDataFrame(
                    {"kode": region[level], "nama": names[level],
                     "induk": [codes.parent(k) for k in region[level]],
                     "jumlah_desa": counts[level]},
                    geometry=series.values, crs=4326,
                )  # fmt: skip
    return out


def _region_names(frame: pd.DataFrame, kode: np.ndarray, regions: np.ndarray,
                  level: str) -> list[str | None]:  # fmt: skip
    """The first name the village frame gives each of ``regions`` (None when it names none);
    ``kode`` are the frame's dotted village codes."""
    column = NAME_COLUMNS[level]
    if column not in frame.columns:
        return [None] * len(regions)
    parent = kode.astype(f"U{CODE_LENGTH[level]}")
    given = pd.Series(frame[column].to_numpy(), index=parent).dropna()
    first = given[~given.index.duplicated()]
    return [None if (v := first.get(k)) is None else str(v) for k in regions]


# --------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class Defects:
    """Holes and overlaps of a set of polygons, in m² of :data:`EQUAL_AREA_CRS`.

    Attributes
    ----------
    holes, holes_m2
        Holes of the union (gaps inside the outline, islands in them left out) of at least
        :data:`MIN_HOLE_M2`: how many and their area.
    holes_1ha, holes_1ha_m2
        The same for holes of at least :data:`VISIBLE_HOLE_M2` (1 ha).
    overlap_m2
        Sum of the areas minus the area of the union (0 for a valid coverage).
    coverage
        Whether ``shapely.coverage_is_valid`` holds (no overlap, shared edges identical).
    """

    holes: int
    holes_m2: float
    holes_1ha: int
    holes_1ha_m2: float
    overlap_m2: float
    coverage: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def defects(geoms: Iterable[Any] | np.ndarray | gpd.GeoSeries, crs: Any = None) -> Defects:
    """Holes and overlaps of polygons, measured in :data:`EQUAL_AREA_CRS`.

    Parameters
    ----------
    geoms
        A GeoSeries (its CRS is used) or an array of geometries in ``crs``; None, empty and
        non-polygonal parts are ignored, invalid polygons made valid (``structure``).
    crs
        CRS of ``geoms`` when it is not a GeoSeries.

    Returns
    -------
    Defects

    Notes
    -----
    A valid coverage has no overlap by definition and its holes are found block by block
    (:func:`find_gaps`, exact and fast); anything else is unioned by ``union_all`` (Jawa
    Timur's raw file: ~35 s).
    """
    gaps, overlap, is_coverage = holes(geoms, crs)
    # a hole cut in pieces by an island counts once per piece
    area = shapely.area(gaps)
    seen, visible = area >= MIN_HOLE_M2, area >= VISIBLE_HOLE_M2
    return Defects(int(seen.sum()), float(area[seen].sum()), int(visible.sum()),
                   float(area[visible].sum()), overlap, is_coverage)  # fmt: skip


def holes(geoms: Iterable[Any] | np.ndarray | gpd.GeoSeries,
          crs: Any = None) -> tuple[np.ndarray, float, bool]:  # fmt: skip
    """What :func:`defects` counts: the holes of the union as polygons in
    :data:`EQUAL_AREA_CRS` (any size), the overlap area (m²) and whether ``geoms`` are a
    valid coverage."""
    series = geoms if isinstance(geoms, gpd.GeoSeries) else gpd.GeoSeries(
        np.asarray(geoms if isinstance(geoms, np.ndarray) else list(geoms), dtype=object),
        crs=crs)  # fmt: skip
    arr = np.asarray(series.to_crs(EQUAL_AREA_CRS).values, dtype=object)
    arr = arr[~shapely.is_missing(arr) & ~shapely.is_empty(arr)]
    bad = ~shapely.is_valid(arr)
    if bad.any():
        arr[bad] = shapely.make_valid(arr[bad], method="structure", keep_collapsed=False)
    polys, owner = _flat_polygons(arr)
    if not len(polys):
        return np.empty(0, dtype=object), 0.0, True
    kept = np.unique(owner)
    arr = shapely.multipolygons(polys, indices=np.searchsorted(kept, owner))
    if bool(shapely.coverage_is_valid(arr)):
        return find_gaps(arr), 0.0, True
    union = shapely.union_all(arr)
    overlap = max(0.0, float(shapely.area(arr).sum() - shapely.area(union)))
    parts = _polygon_parts(union)
    return _cut_islands(_holes_of(parts)[0], parts), overlap, False


def vertex_count(geoms: Iterable[Any] | np.ndarray | gpd.GeoSeries) -> int:
    """Coordinates in all the geometries (rings' closing points included)."""
    values = geoms.values if isinstance(geoms, gpd.GeoSeries) else geoms
    return int(shapely.get_num_coordinates(np.asarray(values, dtype=object)).sum())
