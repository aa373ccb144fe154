"""Regions above the villages: polygon repair, dissolves, areas, names and own outlines.

Owns how kecamatan, kabupaten and province rows are made from villages, for the boundaries
importer (:mod:`layers.ingest.boundaries`) and the trusted demo loader
(:mod:`layers.demo.load`) alike: :func:`multipolygon` / :func:`polygonal_parts` (valid
MultiPolygons), :func:`dissolve`, :func:`area_km2` (in an equal-area CRS), the names a file
gives the regions above its rows (:func:`region_names`, :func:`first_names`), which regions
hold an outline of their own (:func:`own_outlines`) and the dissolved region rows
(:func:`derive_regions`). Reads the store where a dissolve needs the villages stored earlier;
never writes it.

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


def dissolve(geoms: list[BaseGeometry | None]) -> shapely.MultiPolygon | None:
    """Union of village polygons: fast coverage union for exact coverages, else union_all."""
    present = [g for g in geoms if g is not None]
    if not present:
        return None
    arr = shapely.from_wkb(shapely.to_wkb(present))  # plain array, SRIDs dropped
    merged = (
        shapely.coverage_union_all(arr)
        if shapely.coverage_is_valid(arr)
        else shapely.union_all(arr)
    )
    return polygonal_parts(merged)  # GEOS overlay output is valid: no second is_valid pass


def area_km2(geoms: Iterable[BaseGeometry | None]) -> list[float | None]:
    """Areas in km² computed in an equal-area CRS (EPSG:6933); None for missing geometry."""
    series = gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(EQUAL_AREA_CRS)
    return [None if g is None or g.is_empty else float(g.area) / 1e6 for g in series]


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


def _existing_villages(session: Session, provs: set[str], skip: set[str]) -> pd.DataFrame:
    """Stored villages of the given provinces that are not being replaced now."""
    clause = Wilayah.kode.like(f"{sorted(provs)[0]}.%")
    for p in sorted(provs)[1:]:
        clause = clause | Wilayah.kode.like(f"{p}.%")
    rows = session.execute(
        select(Wilayah.kode, Wilayah.geometry).where(Wilayah.level == "desa", clause)
    ).all()
    return pd.DataFrame(
        [(k, g) for k, g in rows if k not in skip], columns=["kode_desa", "geometry"]
    )


def _stored_names(session: Session, kodes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(kodes), _CHUNK):
        chunk = kodes[start : start + _CHUNK]
        query = select(Wilayah.kode, Wilayah.nama).where(Wilayah.kode.in_(chunk))
        out.update({kode: nama for kode, nama in session.execute(query)})
    return out


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
        Read for the villages already stored in the same provinces.
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
    Each region's geometry is the dissolve of *all* its villages in the store (the given
    ones plus any stored earlier), so loading one kabupaten never shrinks its province.
    A region named neither by the file nor in the store gets its official name
    (:func:`official_names`), else ``Kecamatan <code>``, ``Kabupaten/Kota <code>`` or
    ``Provinsi <code>`` (a stored placeholder gives way to the official name).
    """
    names = names or {}
    kode = [str(k) for k in villages["kode_desa"]]
    wanted = {"kec": {codes.parent(k) for k in kode}}
    wanted["kab"] = {codes.parent(k) for k in wanted["kec"]}
    wanted["prov"] = {codes.parent(k) for k in wanted["kab"]}
    others = _existing_villages(session, wanted["prov"], set(kode))
    members = pd.concat(
        [pd.DataFrame({"kode": kode, "geometry": list(villages["geometry"])}),
         others.rename(columns={"kode_desa": "kode"})],
        ignore_index=True,
    )  # fmt: skip
    # dissolve bottom-up: kecamatan from villages, kabupaten from kecamatan, …
    dissolved: dict[str, dict[str, BaseGeometry | None]] = {}
    for level in ("kec", "kab", "prov"):
        members["up"] = [codes.parent(k) for k in members["kode"]]
        grouped = members.groupby("up")["geometry"].apply(list)
        dissolved[level] = {k: dissolve(g) for k, g in grouped.items()}
        members = pd.DataFrame(
            {"kode": list(dissolved[level]), "geometry": list(dissolved[level].values())}
        )
    every = [k for level in ("prov", "kab", "kec") for k in sorted(wanted[level])]
    stored = _stored_names(session, every)
    rows = [
        {"kode": k, "level": level, "induk": codes.parent(k), "jenis": None,
         "nama": region_name(level, k, names.get(level, {}).get(k), stored.get(k)),
         "geometry": dissolved[level][k], "batas_sendiri": False}
        for level in ("prov", "kab", "kec")
        for k in sorted(wanted[level])
    ]  # fmt: skip
    if keep_own:
        own = own_outlines(session, every)
        rows = [r for r in rows if r["kode"] not in own]
    out = pd.DataFrame(rows, columns=["kode", "level", "nama", "induk", "jenis", "geometry",
                                      "batas_sendiri"])  # fmt: skip
    out["luas_km2"] = area_km2(out["geometry"])
    return out
