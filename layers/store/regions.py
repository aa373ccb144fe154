"""Regions above the villages: polygon repair, dissolves, areas, names and own outlines.

Owns how kecamatan, kabupaten and province rows are made from villages, for the boundaries
importer (:mod:`layers.ingest.boundaries`) and the trusted demo loader
(:mod:`layers.demo.load`) alike: :func:`multipolygon` / :func:`polygonal_parts` (valid
MultiPolygons), :func:`dissolve`, :func:`area_km2` (in an equal-area CRS), the names a file
gives the regions above its rows (:func:`region_names`, :func:`first_names`), which regions
hold an outline of their own (:func:`own_outlines`) and the dissolved region rows
(:func:`derive_regions`). Reads the store where a dissolve needs the villages stored earlier;
never writes it.

Dissolves are vectorised for national files (74,840 villages, 8 M vertices): villages are
merged per kecamatan by one ``buffer(0)`` over per-kecamatan MultiPolygons (checked: every
village's interior point must lie in the result, else that kecamatan falls back to
``union_all``), the levels above by ``shapely.disjoint_subset_union_all`` (islands and other
disjoint parts are not overlaid). Real boundaries are not exact coverages: neighbours leave
gaps, so a dissolve is full of sliver holes (177,000 of them in the national kecamatan, nearly
all under 1 ha) that slow every level above and are not part of any outline. Holes under
:data:`SLIVER_M2` (1 ha) are filled (:func:`fill_slivers`); larger ones (lakes, enclaves) stay.

A region's name (:func:`region_name`): the file's, else the one stored, else its official
name (:func:`official_names`: provinces and kabupaten/kota from the shipped
``layers/data/wilayah_nama.csv``), else ``Provinsi <code>`` and the like.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from importlib.resources import files

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers import codes
from layers.store.models import Wilayah

EQUAL_AREA_CRS = "EPSG:6933"
#: what a derived region is called when no file names it and the store has no name yet
REGION_LABELS = {"kec": "Kecamatan", "kab": "Kabupaten/Kota", "prov": "Provinsi"}
#: village frame columns naming each derived level: (code column, name column)
REGION_COLUMNS = {"kec": ("kode_kec", "nama_kec"), "kab": ("kode_kab", "nama_kab"),
                  "prov": ("kode_prov", "nama_prov")}  # fmt: skip
#: codes per ``IN (…)`` query
_CHUNK = 5000
#: holes smaller than this (m²) are filled in a dissolve: slivers between neighbours
SLIVER_M2 = 10_000.0
#: metres per degree of latitude (for the sliver test; a ring's area in m² is approximate)
_M_PER_DEG = 111_320.0
#: official names of provinces and kabupaten/kota (see layers/data/README.md)
NAMES_CSV = "wilayah_nama.csv"


@functools.cache
def official_names() -> dict[str, str]:
    """Kemendagri code -> official name of the provinces and kabupaten/kota (shipped)."""
    text = files("layers").joinpath("data", NAMES_CSV).read_text(encoding="utf-8")
    return {r["kode"].strip(): r["nama"].strip() for r in csv.DictReader(text.splitlines())
            if r.get("kode") and r.get("nama")}  # fmt: skip


def placeholder_name(level: str, kode: str) -> str:
    """What a region is called when nothing names it: ``Provinsi 33``."""
    return f"{REGION_LABELS[level]} {kode}"


def region_name(level: str, kode: str, given: str | None, stored: str | None) -> str:
    """A derived region's name: ``given`` (by the file), else ``stored`` (unless it is only
    the :func:`placeholder_name`), else the official name, else the placeholder."""
    placeholder = placeholder_name(level, kode)
    if given:
        return given
    if stored and stored != placeholder:
        return stored
    return official_names().get(kode) or placeholder


def multipolygon(geom: BaseGeometry | None) -> shapely.MultiPolygon | None:
    """Valid MultiPolygon from any geometry (make_valid, keep only polygonal parts).

    Returns None for a missing or empty geometry, or when nothing polygonal is left.
    """
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return polygonal_parts(geom)


def polygonal_parts(geom: BaseGeometry | None) -> shapely.MultiPolygon | None:
    """The polygons of a geometry already known to be valid, as one MultiPolygon (or None)."""
    if geom is None or geom.is_empty:
        return None
    parts = [
        p
        for g in shapely.get_parts(geom)
        for p in (shapely.get_parts(g) if g.geom_type == "MultiPolygon" else [g])
        if p.geom_type == "Polygon" and not p.is_empty
    ]
    return shapely.MultiPolygon(parts) if parts else None


def _flat_polygons(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The non-empty polygons of an array of geometries and the index of each one's geometry
    (collections and MultiPolygons flattened; points and lines left out)."""
    parts, index = shapely.get_parts(arr, return_index=True)
    while True:
        kinds = shapely.get_type_id(parts)
        nested = (kinds == 6) | (kinds == 7)  # MultiPolygon or GeometryCollection
        if not nested.any():
            break
        inner, at = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][at]])
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    order = np.argsort(index[keep], kind="stable")
    return parts[keep][order], index[keep][order]


def fill_slivers(geoms: Iterable[BaseGeometry | None] | np.ndarray,
                 min_m2: float = SLIVER_M2) -> np.ndarray:  # fmt: skip
    """MultiPolygons of ``geoms`` (their polygonal parts) with holes under ``min_m2`` filled.

    The area of a hole is taken in degrees² scaled by the latitude (good to a few percent,
    enough to tell a sliver between neighbours from a lake). None stays None; a geometry
    with no polygon in it becomes None.
    """
    arr = np.asarray(geoms if isinstance(geoms, np.ndarray) else list(geoms), dtype=object)
    out = np.full(len(arr), None, dtype=object)
    polys, owner = _flat_polygons(arr)
    if not len(polys):
        return out
    rings, ring_of = shapely.get_rings(polys, return_index=True)  # exterior first
    shell = np.ones(len(rings), dtype=bool)
    shell[1:] = ring_of[1:] != ring_of[:-1]
    keep = shell.copy()
    if (~shell).any():
        holes = rings[~shell]
        lat = np.radians(shapely.bounds(holes)[:, [1, 3]].mean(axis=1))
        m2 = shapely.area(shapely.polygons(holes)) * _M_PER_DEG**2 * np.cos(lat)
        keep[~shell] = m2 >= min_m2
    polys = shapely.polygons(rings[keep], indices=ring_of[keep])
    present = np.unique(owner)
    at = np.searchsorted(present, owner)
    out[present] = shapely.multipolygons(polys, indices=at)
    # a part that lay in a filled hole (an island in a sliver) is now nested in its shell:
    # merge the parts of those few geometries again
    filled = np.unique(owner[ring_of[~keep]])
    several = filled[np.bincount(owner, minlength=len(arr))[filled] > 1]
    for i in several[~shapely.is_valid(out[several])]:
        out[i] = polygonal_parts(shapely.union_all(shapely.get_parts(out[i])))
    return out


def _plain(geoms: Iterable[BaseGeometry | None] | np.ndarray) -> np.ndarray:
    """An object array of geometries without SRIDs (as GEOS overlays want them)."""
    arr = np.asarray(geoms if isinstance(geoms, np.ndarray) else list(geoms), dtype=object)
    if len(arr) and (shapely.get_srid(arr[~shapely.is_missing(arr)]) != 0).any():
        arr = shapely.set_srid(arr, 0)
    return arr


def _group(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` (sorted) and each key's position among them."""
    names, inverse = np.unique(np.asarray(keys, dtype=str), return_inverse=True)
    return names, inverse


def _union_fine(geoms: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Union per group of many small polygons (villages): ``buffer(0)`` of one MultiPolygon
    per group, checked; a group whose result misses a member falls back to ``union_all``."""
    parts, owner = _flat_polygons(geoms)
    part_group = group[owner]
    order = np.argsort(part_group, kind="stable")
    parts, part_group = parts[order], part_group[order]
    merged = np.full(n, None, dtype=object)
    if not len(parts):
        return merged
    shapely.multipolygons(parts, indices=part_group, out=merged)
    merged = shapely.buffer(merged, 0.0)
    inside = shapely.point_on_surface(parts)
    shapely.prepare(merged)
    ok = shapely.intersects(merged[part_group], inside)
    bad = np.unique(part_group[~ok])
    bad = np.union1d(bad, np.flatnonzero(~shapely.is_valid(merged) & ~shapely.is_missing(merged)))
    shapely.destroy_prepared(merged)
    for g in bad:
        merged[g] = shapely.union_all(parts[part_group == g])
    return merged


def _union_coarse(geoms: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """Union per group of a few large outlines (kecamatan and up): disjoint parts (islands)
    are not overlaid (``disjoint_subset_union_all``)."""
    out = np.full(n, None, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    order = np.argsort(group[present], kind="stable")
    members, member_group = geoms[present][order], group[present][order]
    starts = np.flatnonzero(np.r_[True, member_group[1:] != member_group[:-1]])
    for start, end in zip(starts, [*starts[1:], len(members)], strict=True):
        out[member_group[start]] = shapely.disjoint_subset_union_all(members[start:end])
    return out


def dissolve_groups(keys: Iterable[str] | np.ndarray,
                    geoms: Iterable[BaseGeometry | None] | np.ndarray,
                    fine: bool = False) -> dict[str, shapely.MultiPolygon | None]:  # fmt: skip
    """The union of ``geoms`` per key, as valid MultiPolygons with sliver holes filled.

    ``fine``: the members are many small polygons (villages into kecamatan), merged by
    ``buffer(0)``; else outlines (kecamatan and up), merged by disjoint-subset union. A key
    whose members are all None or empty gets None.
    """
    key_arr = np.asarray(keys if isinstance(keys, np.ndarray) else list(keys), dtype=object)
    if not len(key_arr):
        return {}
    names, group = _group(key_arr)
    arr = _plain(geoms)
    union = (_union_fine if fine else _union_coarse)(arr, group, len(names))
    return dict(zip(names.tolist(), fill_slivers(union), strict=True))


def dissolve(geoms: list[BaseGeometry | None]) -> shapely.MultiPolygon | None:
    """Union of region outlines (sliver holes filled, see :func:`dissolve_groups`)."""
    present = [g for g in geoms if g is not None]
    if not present:
        return None
    return dissolve_groups(["x"] * len(present), present)["x"]


def area_km2(geoms: Iterable[BaseGeometry | None]) -> list[float | None]:
    """Areas in km² computed in an equal-area CRS (EPSG:6933); None for missing geometry."""
    arr = np.asarray(geoms.to_numpy() if hasattr(geoms, "to_numpy") else list(geoms),
                     dtype=object)  # fmt: skip
    if not len(arr):
        return []
    series = gpd.GeoSeries(arr, crs="EPSG:4326").to_crs(EQUAL_AREA_CRS)
    area = shapely.area(np.asarray(series.values, dtype=object)) / 1e6
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    return [None if m else float(a) for a, m in zip(area, missing, strict=True)]


def first_names(frame: pd.DataFrame, code_col: str, name_col: str) -> dict[str, str]:
    """The first non-empty name per code of ``frame``; ``{}`` when either column is absent."""
    if name_col not in frame or code_col not in frame:
        return {}
    named = frame[frame[name_col].notna() & (frame[name_col].astype(str).str.strip() != "")]
    return {str(k): str(v).strip()
            for k, v in named.groupby(code_col)[name_col].first().items()}  # fmt: skip


def region_names(villages: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Names of the kecamatan, kabupaten and provinces that a village frame gives.

    ``villages`` has ``kode_kec``/``kode_kab``/``kode_prov`` and, when the file had them,
    ``nama_kec``/``nama_kab``/``nama_prov``. Returns ``{level: {code: name}}``.
    """
    return {level: first_names(villages, code_col, name_col)
            for level, (code_col, name_col) in REGION_COLUMNS.items()}  # fmt: skip


def own_outlines(session: Session, kodes: Iterable[str]) -> set[str]:
    """The region codes among ``kodes`` whose stored geometry came from their own file.

    The rule: a ``prov``/``kab``/``kec`` row holds its own outline when its
    ``wilayah.batas_sendiri`` is true. A region-level ``batas`` import writes it true; village
    imports, the dissolved parents of a region import and the trusted loaders write false.
    """
    wanted = sorted(set(kodes))
    out: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        query = select(Wilayah.kode).where(
            Wilayah.kode.in_(wanted[start : start + _CHUNK]), Wilayah.level != "desa",
            Wilayah.batas_sendiri.is_(True),
        )  # fmt: skip
        out.update(session.scalars(query))
    return out


def _stored_children(session: Session, level: str, parents: set[str], skip: set[str]
                     ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Codes and geometries of the stored rows of ``level`` whose parent (``induk``) is one
    of ``parents``, less the codes in ``skip`` (their geometries are never read)."""
    wanted = sorted(parents)
    found: list[str] = []
    for start in range(0, len(wanted), _CHUNK):
        query = select(Wilayah.kode).where(Wilayah.level == level,
                                           Wilayah.induk.in_(wanted[start : start + _CHUNK]))
        found.extend(k for k in session.scalars(query) if k not in skip)
    kodes: list[str] = []
    geoms: list[BaseGeometry | None] = []
    for start in range(0, len(found), _CHUNK):
        query = select(Wilayah.kode, Wilayah.geometry).where(
            Wilayah.kode.in_(found[start : start + _CHUNK]))
        for kode, geom in session.execute(query):
            kodes.append(kode)
            geoms.append(geom)
    return np.asarray(kodes, dtype=object), _plain(np.asarray(geoms, dtype=object))


def _stored_names(session: Session, kodes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(kodes), _CHUNK):
        chunk = kodes[start : start + _CHUNK]
        query = select(Wilayah.kode, Wilayah.nama).where(Wilayah.kode.in_(chunk))
        out.update({kode: nama for kode, nama in session.execute(query)})
    return out


def _parents(kodes: np.ndarray) -> np.ndarray:
    """The parent of each dotted code (vectorised :func:`layers.codes.parent`)."""
    return np.asarray([k.rsplit(".", 1)[0] for k in kodes], dtype=object)


def derive_regions(
    session: Session,
    villages: pd.DataFrame,
    names: dict[str, dict[str, str]] | None = None,
    keep_own: bool = True,
) -> pd.DataFrame:
    """Kecamatan, kabupaten and province rows dissolved from villages.

    Parameters
    ----------
    session
        Read for the villages and regions already stored under the same regions.
    villages
        ``kode_desa`` (dotted) and ``geometry`` (valid MultiPolygons, EPSG:4326) of the
        villages being written now.
    names
        ``{level: {code: name}}`` from the file (see :func:`region_names`).
    keep_own
        Leave out the regions whose stored outline came from their own file
        (:func:`own_outlines`), so that a dissolve never overwrites them.

    Returns
    -------
    pandas.DataFrame
        ``kode, level, nama, induk, jenis, geometry, batas_sendiri`` (false: a dissolve),
        ``luas_km2``; provinces first, then kabupaten, then kecamatan (parents before
        children), one row per region that contains one of ``villages`` (less those with
        their own outline, see ``keep_own``).

    Notes
    -----
    Bottom-up, each region is the dissolve (:func:`dissolve_groups`) of *all* its children:
    a kecamatan of its villages (the given ones plus any stored earlier), a kabupaten of its
    kecamatan, a province of its kabupaten. A child the file does not reach is taken as
    stored, so loading one kabupaten never shrinks its province and does not dissolve the
    province's other kabupaten again. A region with its own outline (``keep_own``) is not
    dissolved: its stored outline is what its parent is made of (the map's levels nest), so
    importing the kecamatan and kabupaten files first spares a national village import most
    of its dissolving. Sliver holes under 1 ha are filled (:func:`fill_slivers`).
    A region named neither by the file nor in the store gets its official name
    (:func:`official_names`), else ``Kecamatan <code>``, ``Kabupaten/Kota <code>`` or
    ``Provinsi <code>`` (a stored placeholder gives way to the official name).
    """
    names = names or {}
    kode = np.asarray([str(k) for k in villages["kode_desa"]], dtype=object)
    members = (kode, _plain(np.asarray(villages["geometry"], dtype=object)))
    wanted = {"kec": set(_parents(kode).tolist())}
    wanted["kab"] = set(_parents(np.asarray(sorted(wanted["kec"]), dtype=object)).tolist())
    wanted["prov"] = set(_parents(np.asarray(sorted(wanted["kab"]), dtype=object)).tolist())
    every = [k for level in ("prov", "kab", "kec") for k in sorted(wanted[level])]
    own = own_outlines(session, every) if keep_own else set()
    levels = ("kec", "kab", "prov")
    todo = {level: wanted[level] - own for level in levels}
    dissolved: dict[str, dict[str, BaseGeometry | None]] = {}
    below = "desa"
    for i, level in enumerate(levels):
        # the children of the regions to dissolve: those given now, the others as stored
        stored = _stored_children(session, below, todo[level], set(members[0].tolist()))
        kodes = np.concatenate([members[0], stored[0]])
        geoms = np.concatenate([members[1], stored[1]])
        up = _parents(kodes)
        take = np.fromiter((u in todo[level] for u in up), dtype=bool, count=len(up))
        dissolved[level] = dissolve_groups(up[take], geoms[take], fine=level == "kec")
        if level == "prov":
            break
        # the level above is made of this level's regions as dissolved now, and of those
        # with their own outline as stored
        above = todo[levels[i + 1]]
        mine = sorted(k for k in wanted[level] & own if k.rsplit(".", 1)[0] in above)
        kept = _stored_by_code(session, mine)
        members = (np.concatenate([np.asarray(list(dissolved[level]), dtype=object), kept[0]]),
                   np.concatenate([np.asarray(list(dissolved[level].values()), dtype=object),
                                   kept[1]]))  # fmt: skip
        below = level
    stored_names = _stored_names(session, every)
    rows = [
        {"kode": k, "level": level, "induk": codes.parent(k), "jenis": None,
         "nama": region_name(level, k, names.get(level, {}).get(k), stored_names.get(k)),
         "geometry": dissolved[level].get(k), "batas_sendiri": False}
        for level in ("prov", "kab", "kec")
        for k in sorted(wanted[level])
        if k not in own
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=["kode", "level", "nama", "induk", "jenis", "geometry",
                                      "batas_sendiri"])  # fmt: skip
    out["luas_km2"] = area_km2(out["geometry"])
    return out


def _stored_by_code(session: Session, kodes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Codes and stored geometries of the given rows."""
    found: list[str] = []
    geoms: list[BaseGeometry | None] = []
    for start in range(0, len(kodes), _CHUNK):
        query = select(Wilayah.kode, Wilayah.geometry).where(
            Wilayah.kode.in_(kodes[start : start + _CHUNK]))
        for kode, geom in session.execute(query):
            found.append(kode)
            geoms.append(geom)
    return np.asarray(found, dtype=object), _plain(np.asarray(geoms, dtype=object))
