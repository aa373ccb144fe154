"""Trusted bulk loaders: boundaries and the generated demo folder into the store.

Owns writing files that the project itself produced (``make run`` loads the demo district)
or reference boundary files. These loaders trust their input's structure: they normalise
codes, repair geometry and write in bulk, but they do not produce the row-by-row Indonesian
error reports of the validating importers (a later issue). They still honour the store's
rules: everything in one transaction, one ``impor_log`` row per file, re-loading the same
files is idempotent (the facts of the loaded villages are replaced).

Writes are bulk ``executemany`` inserts of plain dicts (never ORM objects one by one), so
~900k weekly case rows load in seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ColumnElement, Engine, bindparam, delete, false, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from layers import codes
from layers.store.models import (
    Fasilitas,
    ImporLog,
    Kader,
    KaderKeterampilan,
    KasusMingguan,
    Keterampilan,
    Meta,
    Penduduk,
    Wilayah,
)

EQUAL_AREA_CRS = "EPSG:6933"
_POP_GROUPS = ("bayi", "balita", "bumil", "remaja", "usia_produktif", "lansia")
_TRUE = {"1", "ya", "y", "true", "t", "yes", "aktif"}


# --------------------------------------------------------------------------- helpers


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (None for missing), ready for executemany."""
    return df.astype(object).where(df.notna(), None).to_dict("records")


def _ints(series: pd.Series) -> pd.Series:
    """Whole numbers from text; a value that is not a number raises ValueError."""
    return pd.to_numeric(series, errors="raise").astype("Int64")


def _flags(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().isin(_TRUE)


def _upsert(session: Session, model: type, rows: list[dict[str, Any]], keys: list[str]) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE for PostgreSQL and SQLite."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(model.__table__)
    cols = [c for c in rows[0] if c not in keys]
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_={c: stmt.excluded[c] for c in cols})
    session.execute(stmt, rows)


def _under(column: Any, villages: Iterable[str]) -> ColumnElement[bool]:
    """SQL: ``column`` lies in one of the kabupaten of ``villages`` (few LIKE terms)."""
    kabs = sorted({k.rsplit(".", 2)[0] for k in villages})
    return or_(false(), *(column.like(f"{k}.%") for k in kabs))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


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


_multipolygon = multipolygon  # the name used before it became shared


def _dissolve(geoms: list[BaseGeometry]) -> shapely.MultiPolygon | None:
    """Union of village polygons: fast coverage union for exact coverages, else union_all."""
    geoms = [g for g in geoms if g is not None]
    if not geoms:
        return None
    arr = shapely.from_wkb(shapely.to_wkb(geoms))  # plain array, SRIDs dropped
    merged = (
        shapely.coverage_union_all(arr)
        if shapely.coverage_is_valid(arr)
        else shapely.union_all(arr)
    )
    return polygonal_parts(merged)  # GEOS overlay output is valid: no second is_valid pass


dissolve = _dissolve


def area_km2(geoms: Iterable[BaseGeometry | None]) -> list[float | None]:
    """Areas in km² computed in an equal-area CRS (EPSG:6933); None for missing geometry."""
    series = gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(EQUAL_AREA_CRS)
    return [None if g is None or g.is_empty else float(g.area) / 1e6 for g in series]


_area_km2 = area_km2


def _bump_geometry_version(session: Session) -> str:
    version = uuid.uuid4().hex[:12]
    _upsert(session, Meta, [{"key": "geometry_version", "value": version}], ["key"])
    return version


# --------------------------------------------------------------------------- boundaries

#: what a derived region is called when no file names it and the store has no name yet
REGION_LABELS = {"kec": "Kecamatan", "kab": "Kabupaten/Kota", "prov": "Provinsi"}
#: village frame columns naming each derived level: (code column, name column)
REGION_COLUMNS = {"kec": ("kode_kec", "nama_kec"), "kab": ("kode_kab", "nama_kab"),
                  "prov": ("kode_prov", "nama_prov")}  # fmt: skip


def _prepare_villages(villages: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, int]:
    """Normalised codes, EPSG:4326, valid MultiPolygons; returns the frame and repairs."""
    gdf = villages.copy()
    gdf = gdf.set_crs("EPSG:4326") if gdf.crs is None else gdf.to_crs("EPSG:4326")
    for col in ("kode_desa", "kode_kec", "kode_kab", "kode_prov"):
        if col in gdf:
            gdf[col] = [codes.normalize(str(v)) for v in gdf[col]]
    # parents are derived from the village code when missing
    gdf["kode_kec"] = [codes.parent(k) for k in gdf["kode_desa"]]
    gdf["kode_kab"] = [codes.parent(k) for k in gdf["kode_kec"]]
    gdf["kode_prov"] = [codes.parent(k) for k in gdf["kode_kab"]]
    if "jenis" not in gdf:
        gdf["jenis"] = [codes.village_kind(k) for k in gdf["kode_desa"]]
    repaired = int((~gdf.geometry.is_valid).sum())
    gdf["geometry"] = [multipolygon(g) for g in gdf.geometry]
    return gdf, repaired


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


def region_names(villages: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Names of the kecamatan, kabupaten and provinces that a village frame gives.

    ``villages`` has ``kode_kec``/``kode_kab``/``kode_prov`` and, when the file had them,
    ``nama_kec``/``nama_kab``/``nama_prov``. Returns ``{level: {code: name}}``.
    """
    return {level: _names(villages, code_col, name_col)
            for level, (code_col, name_col) in REGION_COLUMNS.items()}  # fmt: skip


def own_outlines(session: Session, kodes: Iterable[str]) -> set[str]:
    """The region codes among ``kodes`` whose stored geometry came from their own file.

    The rule: a ``prov``/``kab``/``kec`` row holds its own outline when its
    ``wilayah.batas_sendiri`` is true. A region-level ``batas`` import writes it true; village
    imports, the dissolved parents of a region import and the trusted loaders write false.
    """
    kodes = sorted(set(kodes))
    out: set[str] = set()
    for start in range(0, len(kodes), 5000):
        query = select(Wilayah.kode).where(
            Wilayah.kode.in_(kodes[start : start + 5000]), Wilayah.level != "desa",
            Wilayah.batas_sendiri.is_(True),
        )  # fmt: skip
        out.update(session.scalars(query))
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
    A region named neither by the file nor in the store is called ``Kecamatan <code>``,
    ``Kabupaten/Kota <code>`` or ``Provinsi <code>``.
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
        dissolved[level] = {k: _dissolve(g) for k, g in grouped.items()}
        members = pd.DataFrame(
            {"kode": list(dissolved[level]), "geometry": list(dissolved[level].values())}
        )
    every = [k for level in ("prov", "kab", "kec") for k in sorted(wanted[level])]
    stored = _stored_names(session, every)
    rows = [
        {"kode": k, "level": level, "induk": codes.parent(k), "jenis": None,
         "nama": names.get(level, {}).get(k) or stored.get(k) or f"{REGION_LABELS[level]} {k}",
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


def _stored_names(session: Session, kodes: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for start in range(0, len(kodes), 5000):
        chunk = kodes[start : start + 5000]
        query = select(Wilayah.kode, Wilayah.nama).where(Wilayah.kode.in_(chunk))
        out.update({kode: nama for kode, nama in session.execute(query)})
    return out


def load_boundaries(session: Session, villages: gpd.GeoDataFrame) -> dict[str, Any]:
    """Write villages and the kecamatan, kabupaten and province derived from them.

    Parameters
    ----------
    session
        An open session; the caller commits (nothing is committed here).
    villages
        Columns as the shared boundary files: ``kode_desa, nama_desa, jenis, kode_kec,
        nama_kec, kode_kab, nama_kab, kode_prov, geometry`` (optional ``nama_prov``),
        any CRS. Codes dotted or plain.

    Returns
    -------
    dict
        Rows written per level (``prov``, ``kab``, ``kec``, ``desa``), ``repaired`` (invalid
        geometries made valid) and the new ``geometry_version``.

    Notes
    -----
    Existing rows with the same codes are replaced (upsert). Derived regions come from
    :func:`derive_regions` (dissolve of all stored villages of each region; areas in an
    equal-area CRS, EPSG:6933). Without ``nama_prov`` a province is named
    ``Provinsi <code>`` (an existing name is kept).
    """
    gdf, repaired = _prepare_villages(villages)
    regions = derive_regions(session, gdf, region_names(gdf))
    counts: dict[str, Any] = {"repaired": repaired}
    _upsert(session, Wilayah, _records(regions), ["kode"])
    counts.update({level: int((regions["level"] == level).sum())
                   for level in ("prov", "kab", "kec")})  # fmt: skip
    desa = pd.DataFrame({
        "kode": gdf["kode_desa"], "level": "desa", "nama": gdf["nama_desa"].astype(str),
        "induk": gdf["kode_kec"], "jenis": gdf["jenis"].astype(str).str.lower(),
        "geometry": list(gdf.geometry), "luas_km2": area_km2(gdf.geometry),
    })  # fmt: skip
    _upsert(session, Wilayah, _records(desa), ["kode"])
    counts["desa"] = len(desa)
    counts["geometry_version"] = _bump_geometry_version(session)
    return counts


def _names(gdf: pd.DataFrame, code_col: str, name_col: str) -> dict[str, str]:
    """First non-empty name per code, {} when the name column is absent."""
    if name_col not in gdf or code_col not in gdf:
        return {}
    named = gdf[gdf[name_col].notna() & (gdf[name_col].astype(str).str.strip() != "")]
    return {str(k): str(v).strip() for k, v in named.groupby(code_col)[name_col].first().items()}


# --------------------------------------------------------------------------- demo folder


def _read_csv(path: Path, code_cols: Iterable[str]) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={c: str for c in code_cols}, keep_default_na=True)
    df.columns = [c.strip() for c in df.columns]
    if "kode_desa" in df:
        df["kode_desa"] = [codes.normalize(str(v)) for v in df["kode_desa"]]
    return df


def _clear_villages(session: Session, villages: list[str]) -> None:
    """Delete the facts of these villages (so re-loading the same files is idempotent)."""
    if not villages:
        return
    params = [{"k": k} for k in villages]
    k = bindparam("k")
    kader, skills, fas = Kader.__table__, KaderKeterampilan.__table__, Fasilitas.__table__
    kader_ids = select(kader.c.id).where(kader.c.kode_desa == k)
    conn = session.connection()
    conn.execute(delete(skills).where(skills.c.kader_id.in_(kader_ids)), params)
    conn.execute(delete(kader).where(kader.c.kode_desa == k), params)
    conn.execute(update(fas).where(fas.c.kode_desa == k).values(induk_id=None), params)
    for model in (Fasilitas, KasusMingguan, Penduduk):
        table = model.__table__
        conn.execute(delete(table).where(table.c.kode_desa == k), params)


def _load_penduduk(session: Session, path: Path) -> int:
    df = _read_csv(path, ["kode_desa"])
    out = pd.DataFrame({"kode_desa": df["kode_desa"], "tahun": _ints(df["tahun"]),
                        "jumlah": _ints(df["jumlah"])})  # fmt: skip
    for col in _POP_GROUPS:
        if col in df:
            out[col] = _ints(df[col])
    session.execute(insert(Penduduk.__table__), _records(out))
    return len(out)


def _load_fasilitas(session: Session, path: Path) -> int:
    df = _read_csv(path, ["kode_desa", "kode_fasyankes"])
    cols = ["nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan"]
    out = df[[c for c in cols if c in df]].copy()
    out["jenis"] = out["jenis"].astype(str).str.strip().str.lower()
    out["status"] = out.get("status", pd.Series("aktif", index=out.index)).fillna("aktif")
    for col in ("perawat", "bidan"):
        out[col] = _ints(out[col]).fillna(0) if col in out else 0
    if "kode_fasyankes" in df:
        out["kode_fasyankes"] = df["kode_fasyankes"]
    session.execute(insert(Fasilitas.__table__), _records(out))
    if "induk" not in df:
        return len(out)
    stored = session.execute(
        select(Fasilitas.id, Fasilitas.nama, Fasilitas.jenis, Fasilitas.kode_desa)
        .where(_under(Fasilitas.kode_desa, out["kode_desa"]))
    ).all()  # fmt: skip
    puskesmas = {nama: fid for fid, nama, jenis, _ in stored if jenis == "puskesmas"}
    by_key = {(nama, kode): fid for fid, nama, _, kode in stored}
    links = []
    for nama, kode, induk in zip(df["nama"], df["kode_desa"], df["induk"], strict=True):
        if isinstance(induk, str) and induk.strip():
            if induk.strip() not in puskesmas:
                raise ValueError(f"fasilitas {nama!r}: induk {induk!r} is not a puskesmas")
            links.append({"fid": by_key[(nama, kode)], "induk": puskesmas[induk.strip()]})
    if links:
        session.execute(
            update(Fasilitas.__table__)
            .where(Fasilitas.__table__.c.id == bindparam("fid"))
            .values(induk_id=bindparam("induk")),
            links,
        )
    return len(out)


def _load_kasus(session: Session, path: Path) -> int:
    df = _read_csv(path, ["kode_desa", "penyakit"])
    out = pd.DataFrame({
        "kode_desa": df["kode_desa"], "penyakit": df["penyakit"].str.strip(),
        "tahun": _ints(df["tahun"]), "minggu": _ints(df["minggu"]),
        "kasus": _ints(df["kasus"]),
        "kematian": _ints(df["kematian"]).fillna(0) if "kematian" in df else 0,
        "sumber": df.get("sumber"),
    })  # fmt: skip
    session.execute(insert(KasusMingguan.__table__), _records(out))
    return len(out)


def _load_kader(session: Session, path: Path) -> tuple[int, int]:
    df = _read_csv(path, ["kader_id", "kode_desa", "posyandu"])
    tanggal = pd.to_datetime(df.get("tanggal_asesmen"), errors="raise").dt.date
    posyandu = {
        (nama, kode): fid
        for fid, nama, kode in session.execute(
            select(Fasilitas.id, Fasilitas.nama, Fasilitas.kode_desa).where(
                Fasilitas.jenis == "posyandu",
                _under(Fasilitas.kode_desa, df["kode_desa"]),
            )
        )
    }
    out = pd.DataFrame({
        "kode": df["kader_id"].str.strip(), "posyandu": df.get("posyandu"),
        "kode_desa": df["kode_desa"],
        "aktif": _flags(df["aktif"]) if "aktif" in df else True,
        "tanggal_asesmen": tanggal,
    })  # fmt: skip
    out["posyandu_id"] = [posyandu.get((p, k)) for p, k in zip(out["posyandu"], out["kode_desa"],
                                                               strict=True)]  # fmt: skip
    session.execute(insert(Kader.__table__), _records(out))
    under = _under(Kader.kode_desa, out["kode_desa"])
    ids = {kode: kid for kode, kid in session.execute(select(Kader.kode, Kader.id).where(under))}
    skills = [s for s in session.scalars(select(Keterampilan.kode)) if s in df]
    rows = [
        {"kader_id": ids[kode], "keterampilan": skill, "lulus": str(value).strip() == "1",
         "tanggal": tgl}
        for skill in skills
        for kode, value, tgl in zip(out["kode"], df[skill], out["tanggal_asesmen"], strict=True)
        if pd.notna(value) and str(value).strip() != ""
    ]  # fmt: skip
    if rows:
        session.execute(insert(KaderKeterampilan.__table__), rows)
    return len(out), len(rows)


def _log(session: Session, jenis: str, path: Path, rows: int, user: str) -> None:
    session.execute(insert(ImporLog.__table__), [{
        "jenis": jenis, "file": path.name, "sha256": _sha256(path), "rows_ok": rows,
        "rows_rejected": 0, "pengguna": user, "waktu": dt.datetime.now(dt.UTC),
        "status": "ok", "pesan": None,
    }])  # fmt: skip


def load_demo_dir(engine: Engine, path: Path, user: str = "demo") -> dict[str, int]:
    """Load a generated demo folder (data/geo/README.md) in one transaction.

    Parameters
    ----------
    engine
        A migrated store.
    path
        Folder with ``desa.geojson`` and optionally ``penduduk.csv``, ``fasilitas.csv``,
        ``kasus_mingguan.csv``, ``kader.csv``.
    user
        Recorded as ``pengguna`` in ``impor_log``.

    Returns
    -------
    dict[str, int]
        Rows written per table.

    Notes
    -----
    Everything (boundaries, facts, one ``impor_log`` row per file) is written in a single
    transaction: any failure leaves the store unchanged. Facts already stored for the loaded
    villages are replaced, so loading the same folder twice gives the same store.
    Kader skills: ``1`` -> ``lulus=True``, ``0`` -> ``lulus=False``, empty = not assessed
    (no row); ``tanggal`` is the kader's ``tanggal_asesmen``. A kader's ``posyandu`` name is
    resolved to the posyandu facility of that name in the same village.
    """
    path = Path(path)
    counts: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        villages = gpd.read_file(path / "desa.geojson")
        result = load_boundaries(session, villages)
        counts["wilayah"] = int(result["desa"])
        _log(session, "wilayah", path / "desa.geojson", counts["wilayah"], user)
        _clear_villages(session, sorted({codes.normalize(str(k)) for k in villages["kode_desa"]}))
        steps = (
            ("penduduk", "penduduk.csv", _load_penduduk),
            ("fasilitas", "fasilitas.csv", _load_fasilitas),
            ("kasus_mingguan", "kasus_mingguan.csv", _load_kasus),
        )
        for jenis, name, loader in steps:
            if (path / name).exists():
                counts[jenis] = loader(session, path / name)
                _log(session, jenis, path / name, counts[jenis], user)
        if (path / "kader.csv").exists():
            counts["kader"], counts["kader_keterampilan"] = _load_kader(session, path / "kader.csv")
            _log(session, "kader", path / "kader.csv", counts["kader"], user)
    return counts
