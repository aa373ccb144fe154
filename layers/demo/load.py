"""The trusted loader: a demo folder, or reference village boundaries, into the store.

Owns writing files that the project itself produced (``make run`` and ``pws load-demo`` load
the demo district, :mod:`layers.demo.files` names its files) or reference boundary files.
These loaders trust their input's structure: they normalise codes, repair geometry and write
in bulk, but they do not produce the row-by-row Indonesian error reports of the validating
importers (:mod:`layers.ingest`). They still honour the store's rules: everything in one
transaction, one ``impor_log`` row per file, re-loading the same files is idempotent (the
facts of the loaded villages are replaced). They share the importers' rules where the data
needs one: regions dissolved from villages (:mod:`layers.store.regions`) and parent
Puskesmas resolved by name (:mod:`layers.ingest.parents`).

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
from sqlalchemy import ColumnElement, Engine, bindparam, delete, false, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from layers import codes
from layers.ingest import parents, write
from layers.store import regions
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

from .files import FILES, TABLES

#: the ``impor_log.status`` of a trusted load: it wrote data, and cannot be undone
TRUSTED_STATUS = "dimuat"
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


def _bump_geometry_version(session: Session) -> str:
    version = uuid.uuid4().hex[:12]
    _upsert(session, Meta, [{"key": "geometry_version", "value": version}], ["key"])
    return version


# --------------------------------------------------------------------------- boundaries


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
    # the kind from the code (None for a 7th digit of 3); a file's own ``jenis`` wins where
    # it names one
    kinds = pd.Series(codes.village_kinds(gdf["kode_desa"]), index=gdf.index, dtype=object)
    if "jenis" in gdf:
        given = gdf["jenis"].astype(object).where(gdf["jenis"].notna(), None)
        given = given.map(lambda v: str(v).strip().lower() if v is not None else None)
        kinds = given.where(given.isin(["desa", "kelurahan"]), kinds)
    gdf["jenis"] = kinds
    repaired = int((~gdf.geometry.is_valid).sum())
    gdf["geometry"] = [regions.multipolygon(g) for g in gdf.geometry]
    return gdf, repaired


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
    :func:`layers.store.regions.derive_regions` (dissolve of all stored villages of each
    region; areas in an equal-area CRS, EPSG:6933). A region the file does not name keeps
    its stored name, else gets its official name (``layers/data/wilayah_nama.csv``), else
    ``Provinsi <code>`` and the like.
    """
    gdf, repaired = _prepare_villages(villages)
    derived = regions.derive_regions(session, gdf, regions.region_names(gdf))
    counts: dict[str, Any] = {"repaired": repaired}
    _upsert(session, Wilayah, _records(derived), ["kode"])
    counts.update({level: int((derived["level"] == level).sum())
                   for level in ("prov", "kab", "kec")})  # fmt: skip
    desa = pd.DataFrame({
        "kode": gdf["kode_desa"], "level": "desa", "nama": gdf["nama_desa"].astype(str),
        "induk": gdf["kode_kec"], "jenis": gdf["jenis"],
        "geometry": list(gdf.geometry), "luas_km2": regions.area_km2(gdf.geometry),
    })  # fmt: skip
    _upsert(session, Wilayah, _records(desa), ["kode"])
    counts["desa"] = len(desa)
    counts["geometry_version"] = _bump_geometry_version(session)
    return counts


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
    """Facilities, then their parents (:func:`layers.ingest.parents.resolve_parents`).

    A parent name that names no Puskesmas, or several, raises ``ValueError`` (nothing of the
    load is kept: the caller's transaction rolls back).
    """
    df = _read_csv(path, ["kode_desa", "kode_fasyankes"])
    cols = ["nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan"]
    out = df[[c for c in cols if c in df]].copy()
    out["jenis"] = out["jenis"].astype(str).str.strip().str.lower()
    out["status"] = out.get("status", pd.Series("aktif", index=out.index)).fillna("aktif")
    for col in ("perawat", "bidan"):
        out[col] = _ints(out[col]).fillna(0) if col in out else 0
    if "kode_fasyankes" in df:
        out["kode_fasyankes"] = df["kode_fasyankes"]
    targets: list[parents.Parent | None] = []
    if "induk" in df:
        line = pd.Series(range(2, len(df) + 2), index=df.index)  # the header is line 1
        targets, problems = parents.resolve_parents(session, out, df["induk"], line)
        if problems:
            raise ValueError(f"{path.name}: " + "; ".join(
                f"line {p.row}: induk {p.value!r}: {p.message.en}" for p in problems))
    session.execute(insert(Fasilitas.__table__), _records(out))
    if not any(t is not None for t in targets):
        return len(out)
    in_villages = Fasilitas.kode_desa.in_(sorted(set(out["kode_desa"])))
    induk = parents.parent_ids(session, targets, in_villages)
    own = {
        tuple(key): fid
        for fid, *key in session.execute(
            select(Fasilitas.id, *(getattr(Fasilitas, c) for c in parents.KEY))
            .where(in_villages))
    }  # fmt: skip
    keys = out[parents.KEY].itertuples(index=False, name=None)
    links = [{"fid": own[key], "induk": pid}
             for key, pid in zip(keys, induk, strict=True) if pid is not None]  # fmt: skip
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


def _log(session: Session, jenis: str, path: Path, rows: int, user: str,
         kodes: Iterable[str]) -> None:  # fmt: skip
    """One ``impor_log`` row, status ``dimuat`` (a trusted load: not undoable), with the
    villages it wrote as its regions (``impor_wilayah``)."""
    entry = ImporLog(jenis=jenis, file=path.name, sha256=_sha256(path), rows_ok=rows,
                     rows_rejected=0, pengguna=user, waktu=dt.datetime.now(dt.UTC),
                     status=TRUSTED_STATUS, pesan=None)  # fmt: skip
    session.add(entry)
    session.flush()
    write.record_regions(session, entry.id, set(kodes))


def _has_rows(path: Path) -> bool:
    """Whether a demo CSV file holds any data row (a header alone, or nothing, holds none:
    an office's demo folder may keep an emptied file, and it loads nothing)."""
    try:
        return not pd.read_csv(path, nrows=1).empty
    except pd.errors.EmptyDataError:
        return False


def _codes(path: Path) -> set[str]:
    """The village codes of a demo CSV file (its ``kode_desa`` column)."""
    column = pd.read_csv(path, usecols=["kode_desa"], dtype=str)["kode_desa"].dropna()
    return {codes.normalize(k) for k in column.unique()}


def load_demo_dir(engine: Engine, path: Path, user: str = "demo") -> dict[str, int]:
    """Load a generated demo folder (data/geo/README.md) in one transaction.

    Parameters
    ----------
    engine
        A migrated store.
    path
        Folder with ``desa.geojson`` and optionally ``penduduk.csv``, ``fasilitas.csv``,
        ``kasus_mingguan.csv``, ``kader.csv`` (:data:`layers.demo.files.FILES`).
    user
        Recorded as ``pengguna`` in ``impor_log``.

    Returns
    -------
    dict[str, int]
        Rows written per table (:data:`layers.demo.files.TABLES`, plus
        ``kader_keterampilan``).

    Notes
    -----
    Everything (boundaries, facts, one ``impor_log`` row per file, its kind the table
    name, status ``dimuat``: a trusted load, which undo never reverses, with the file's
    villages as its regions) is written in a single transaction: any failure leaves the
    store unchanged. Facts
    already stored for the loaded villages are replaced, so loading the same folder twice
    gives the same store. A facility's ``induk`` is resolved as the facilities importer
    does (:mod:`layers.ingest.parents`). Kader skills: ``1`` -> ``lulus=True``, ``0`` ->
    ``lulus=False``, empty = not assessed (no row); ``tanggal`` is the kader's
    ``tanggal_asesmen``. A kader's ``posyandu`` name is resolved to the posyandu facility of
    that name in the same village. A facts file with no data row (a header alone, or an
    empty file) loads nothing.
    """
    path = Path(path)
    counts: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        desa = path / FILES["desa"]
        villages = gpd.read_file(desa)
        result = load_boundaries(session, villages)
        counts[TABLES["desa"]] = int(result["desa"])
        kodes = sorted({codes.normalize(str(k)) for k in villages["kode_desa"]})
        _log(session, TABLES["desa"], desa, counts[TABLES["desa"]], user, kodes)
        _clear_villages(session, kodes)
        for key, loader in (("penduduk", _load_penduduk), ("fasilitas", _load_fasilitas),
                            ("kasus", _load_kasus)):  # fmt: skip
            file = path / FILES[key]
            if file.exists() and _has_rows(file):
                counts[TABLES[key]] = loader(session, file)
                _log(session, TABLES[key], file, counts[TABLES[key]], user, _codes(file))
        kader = path / FILES["kader"]
        if kader.exists() and _has_rows(kader):
            counts[TABLES["kader"]], counts["kader_keterampilan"] = _load_kader(session, kader)
            _log(session, TABLES["kader"], kader, counts[TABLES["kader"]], user, _codes(kader))
    return counts
