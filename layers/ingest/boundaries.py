"""Boundaries (``batas``): villages, or kecamatan/kabupaten/province outlines; any format, any CRS.

Accepted input
--------------
* a shapefile as a ``.zip``, a folder or the ``.shp`` itself (``.shx``, ``.dbf`` and ``.prj``
  beside it), a GeoPackage (``.gpkg``), GeoJSON (``.geojson``/``.json``) or GeoParquet
  (``.parquet``); a zip or folder may hold any of these (one of them, or name it with option
  ``layer``); a GeoPackage with several layers needs option ``layer`` too;
* any CRS, reprojected to EPSG:4326. A file without a CRS (a shapefile without ``.prj``) is
  refused unless option ``crs`` (e.g. ``EPSG:32749``) says what it is; option ``crs`` also
  overrides a wrong CRS in the file;
* one feature per region of one level. The level is option ``tingkat`` (``desa``, ``kec``,
  ``kab``, ``prov``; also spelled ``kecamatan``, ``kabupaten``, ``provinsi``), or found from
  the code column: a village column (``kode_desa``, ``KDEPUM``, ``kd_desa``, ``kode_kel`` …)
  means villages; a generic one (``kode``, ``kode_wilayah``) has the level of most of its
  codes (10/6/4/2 digits, dotted or plain); otherwise ``kode_kec`` (``KDCPUM``) means
  kecamatan, ``kode_kab`` (``KDPKAB``) kabupaten/kota, ``kode_prov`` (``KDPPUM``) province;
  a column of code-like values is the last resort. Option ``kolom_kode`` names the column.
  Rows whose code is of another level than the file's are refused one by one
  (``wrong_level``; in a village file ``bad_code``). The name column likewise
  (``nama_desa``/``NAMOBJ``/``WADMKD``/``nama`` …, for a kecamatan file ``nama_kec``/``WADMKC``
  …, option ``kolom_nama``). Optional ``nama_kec``/``nama_kab``/``nama_prov`` columns (or
  ``WADMKC``/``WADMKK``/``WADMPR``) name the regions above.

What is written
---------------
A village file: every village as a ``wilayah`` row (``level = desa``, valid MultiPolygon;
invalid geometries repaired with ``shapely.make_valid`` and listed in the notes), and its
kecamatan, kabupaten and province dissolved from all stored villages
(:func:`layers.store.load.derive_regions`) -- except regions holding their own outline (below).
Rows are matched on ``kode``: facts (cases, population, facilities, kader) hang on codes, so
a re-import of a newer boundary version keeps them for every code it still has. Villages of
the covered kabupaten that the new file no longer has are *not* deleted (they keep their
facts) but listed; new and renamed villages are listed too (see :class:`BoundaryDiff`).

A kecamatan, kabupaten or province file: its rows at that level with the file's own geometry
(repaired, MultiPolygon), the file's names and ``induk`` = the parent code. It may come before
or after the villages. Parents that are missing are created (name from the file's
``nama_kab``/``nama_prov`` or ``Kabupaten/Kota <kode>`` …) with the dissolve of the outlines;
a stored parent is re-dissolved from the outlines only when it has no villages and no own
outline; otherwise it is left alone.

Own outlines win over dissolves (the rule): a region row keeps its geometry from a village
import when the import that last wrote it was a region-level ``batas`` import of that level,
recorded as ``<level>_sendiri`` > 0 in its written counts (``impor_log.pesan``); see
:func:`layers.store.load.own_outlines`. Importing a newer kecamatan file replaces them;
undoing the region import (a stack, :func:`layers.ingest.write.undo`) brings back whatever
was there before, dissolve included.

Problems report the **feature number** (1 = the first feature of the file) as ``row``.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from layers import codes
from layers.ingest import checks
from layers.ingest.base import Importer, Prepared, Progress, register
from layers.ingest.columns import normalize_header
from layers.ingest.problems import ImportReport, Problem, reject
from layers.ingest.readers import MAX_BYTES, check_size
from layers.ingest.write import upsert
from layers.scope import Scope
from layers.store import load
from layers.store.models import Wilayah
from layers.text import Text

#: files a zip or folder may hold, in order of preference
GEO_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".parquet", ".geoparquet")
#: at most this much unpacked from a zip (a zip bomb is refused)
MAX_UNZIPPED = 10 * MAX_BYTES
#: header aliases (normalised) in order of preference
CODE_NAMES = ("kode_desa", "kode", "kdepum", "kd_desa", "kode_kel", "kode_desa_kel",
              "kode_kelurahan", "kode_desa_kelurahan", "kode_wilayah", "kode_kemendagri",
              "village_code", "kode_desa_10")  # fmt: skip
NAME_NAMES = ("nama_desa", "namobj", "wadmkd", "desa", "nama", "nama_kel", "nama_desa_kel",
              "nama_kelurahan", "desa_kel", "desa_kelurahan", "kelurahan", "village",
              "name")  # fmt: skip
REGION_NAMES = {
    "nama_kec": ("nama_kec", "wadmkc", "kecamatan", "nm_kec", "kec"),
    "nama_kab": (
        "nama_kab",
        "wadmkk",
        "kabupaten",
        "kabupaten_kota",
        "kab_kota",
        "nm_kab",
        "kab",
    ),  # fmt: skip
    "nama_prov": ("nama_prov", "wadmpr", "provinsi", "propinsi", "nm_prov", "prov"),
}
_VILLAGE_CODE = re.compile(r"^\s*(\d{2}\.\d{2}\.\d{2}\.\d{4}|\d{10})\s*$")
#: Indonesia with a margin: lon 94–142 °E, lat 12 °S – 7 °N
LON_RANGE, LAT_RANGE = (94.0, 142.0), (-12.0, 7.0)
#: at most this many villages are named per kind of change in the notes
MAX_LISTED = 100
#: levels, top down
LEVELS = ("prov", "kab", "kec", "desa")
#: what each level is called (Indonesian, English)
LEVEL_WORDS = {
    "prov": ("provinsi", "province"),
    "kab": ("kabupaten/kota", "kabupaten/city"),
    "kec": ("kecamatan", "kecamatan"),
    "desa": ("desa/kelurahan", "village"),
}
#: accepted values of option ``tingkat`` (normalised)
TINGKAT = {
    **dict.fromkeys(("prov", "provinsi", "propinsi", "province"), "prov"),
    **dict.fromkeys(("kab", "kabupaten", "kota", "kab_kota", "kabupaten_kota"), "kab"),
    **dict.fromkeys(("kec", "kecamatan", "district"), "kec"),
    **dict.fromkeys(("desa", "kelurahan", "desa_kelurahan", "village"), "desa"),
}
#: code columns that say nothing about the level (it comes from their values)
GENERIC_CODE_NAMES = ("kode", "kode_wilayah", "kode_kemendagri", "code")
#: code columns that name their level, in order of preference per level
LEVEL_CODE_NAMES = {
    "desa": tuple(n for n in CODE_NAMES if n not in GENERIC_CODE_NAMES),
    "kec": ("kode_kec", "kd_kec", "kode_kecamatan", "kdcpum"),
    "kab": ("kode_kab", "kd_kab", "kode_kabupaten", "kode_kab_kota", "kdpkab"),
    "prov": ("kode_prov", "kd_prov", "kode_provinsi", "kdppum"),
}
#: name columns per level, in order of preference
LEVEL_NAME_NAMES = {
    "desa": NAME_NAMES,
    "kec": ("nama_kec", "wadmkc", "nama_kecamatan", "kecamatan", "nm_kec", "namobj", "nama",
            "name", "kec"),
    "kab": ("nama_kab", "wadmkk", "nama_kabupaten", "kabupaten", "kabupaten_kota", "kab_kota",
            "nm_kab", "namobj", "nama", "name", "kab"),
    "prov": ("nama_prov", "wadmpr", "nama_provinsi", "provinsi", "propinsi", "nm_prov",
             "namobj", "nama", "name", "prov"),
}  # fmt: skip
_REGION_CODE = re.compile(r"^\s*(\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?|\d{4}|\d{6}|\d{10})\s*$")


# --------------------------------------------------------------------------- reading


def read_boundary_file(path: Path, options: dict[str, Any]) -> tuple[gpd.GeoDataFrame, list[Text]]:
    """Read any accepted boundary file into a GeoDataFrame in EPSG:4326.

    Raises :class:`~layers.ingest.problems.Rejected` for an empty, damaged or truncated file,
    a shapefile without ``.shx``/``.dbf``, a missing CRS, several candidate layers, or no
    features at all. Returns the frame and notes (reprojection, chosen layer).
    """
    path = Path(path)
    notes: list[Text] = []
    if path.is_dir():
        gdf = _read_folder(path, path.name, options, notes)
    else:
        check_size(path, MAX_BYTES, Text("Bagi file per kabupaten.", "Split it by kabupaten."))
        suffix = path.suffix.lower()
        if suffix == ".zip" or (suffix not in GEO_SUFFIXES and zipfile.is_zipfile(path)):
            gdf = _read_zip(path, options, notes)
        else:
            gdf = _read_one(path, options, notes)
    if len(gdf) == 0:
        raise reject("File tidak berisi satu pun fitur (desa).",
                     "The file holds no features (villages).", code="empty")  # fmt: skip
    return _to_wgs84(gdf, options, notes), notes


def _read_zip(path: Path, options: dict[str, Any], notes: list[Text]) -> gpd.GeoDataFrame:
    damaged = reject(
        "File zip rusak atau terpotong (unduhan/salinan tidak lengkap). Buat ulang zip-nya.",
        "The zip file is damaged or truncated (incomplete download or copy). Zip it again.",
        code="corrupt",
    )
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()
                       and not m.filename.startswith("__MACOSX/")]  # fmt: skip
            if sum(m.file_size for m in members) > MAX_UNZIPPED:
                raise reject("Isi zip terlalu besar.", "The zip's content is too large.",
                             code="too_large")  # fmt: skip
            if archive.testzip() is not None:
                raise damaged
            with tempfile.TemporaryDirectory(prefix="pws-batas-") as tmp:
                archive.extractall(tmp, members=members)  # extractall refuses ../ and /abs
                return _read_folder(Path(tmp), path.name, options, notes)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise damaged from exc


def _read_folder(folder: Path, shown: str, options: dict[str, Any], notes: list[Text]
                 ) -> gpd.GeoDataFrame:  # fmt: skip
    found = sorted(
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in GEO_SUFFIXES and not p.name.startswith(".")
    )  # fmt: skip
    wanted = options.get("layer")
    if wanted:
        chosen = [p for p in found if wanted in (p.name, p.stem)]
        if chosen:
            found = chosen
    if not found:
        present = ", ".join(sorted(p.name for p in folder.rglob("*") if p.is_file())[:20])
        raise reject(
            f"{shown}: tidak ada file batas (.shp, .gpkg, .geojson, .parquet); isinya: "
            f"{present or '(kosong)'}.",
            f"{shown}: no boundary file (.shp, .gpkg, .geojson, .parquet) inside; it holds: "
            f"{present or '(nothing)'}.",
            code="no_layer",
        )
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise reject(
            f"{shown} berisi beberapa file batas ({names}); pilih satu dengan opsi layer.",
            f"{shown} holds several boundary files ({names}); choose one with option layer.",
            code="several_layers",
        )
    return _read_one(found[0], options, notes)


def _read_one(path: Path, options: dict[str, Any], notes: list[Text]) -> gpd.GeoDataFrame:
    suffix = path.suffix.lower()
    if suffix not in GEO_SUFFIXES:
        raise reject(
            f"Format {suffix or '(tanpa akhiran)'} tidak didukung untuk batas wilayah; "
            "gunakan shapefile (.zip), .gpkg, .geojson atau .parquet.",
            f"Format {suffix or '(no suffix)'} is not supported for boundaries; "
            "use a shapefile (.zip), .gpkg, .geojson or .parquet.",
            code="format",
        )
    if path.stat().st_size == 0:
        raise reject(f"{path.name}: file kosong.", f"{path.name}: the file is empty.",
                     code="empty")  # fmt: skip
    if suffix == ".shp":
        _check_shapefile_parts(path)
    try:
        if suffix in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        layer = _choose_layer(path, options, notes) if suffix == ".gpkg" else None
        return gpd.read_file(path, engine="pyogrio", layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError, OSError,
            ValueError) as exc:  # fmt: skip
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise reject(
            f"{path.name} tidak bisa dibaca (rusak atau bukan format yang disebut): {detail}",
            f"{path.name} cannot be read (damaged, or not the format its name says): {detail}",
            code="corrupt",
        ) from exc


def _check_shapefile_parts(shp: Path) -> None:
    """A shapefile needs ``.shx`` and ``.dbf`` beside the ``.shp`` (any letter case)."""
    siblings = {p.suffix.lower(): p for p in shp.parent.iterdir() if p.stem == shp.stem}
    for part, what_id, what_en in (
        (".shx", "indeks geometri", "geometry index"),
        (".dbf", "tabel atribut (kode dan nama desa)", "attribute table (village codes, names)"),
    ):
        if part not in siblings:
            raise reject(
                f"Shapefile {shp.name} tidak lengkap: file {shp.stem}{part} ({what_id}) tidak "
                f"ada. Sertakan semua bagian shapefile (.shp, .shx, .dbf, .prj) dalam zip.",
                f"Shapefile {shp.name} is incomplete: {shp.stem}{part} ({what_en}) is missing. "
                "Include every part of the shapefile (.shp, .shx, .dbf, .prj) in the zip.",
                code=f"missing_{part[1:]}", column=part,
            )  # fmt: skip


def _choose_layer(path: Path, options: dict[str, Any], notes: list[Text]) -> str | None:
    layers = pyogrio.list_layers(path)
    names = [str(name) for name, _ in layers]
    wanted = options.get("layer")
    if wanted:
        if wanted not in names:
            raise reject(f"Layer {wanted!r} tidak ada; yang ada: {', '.join(names)}.",
                         f"No layer {wanted!r}; the file has: {', '.join(names)}.",
                         code="layer")  # fmt: skip
        return str(wanted)
    polygonal = [str(n) for n, kind in layers if kind and "polygon" in str(kind).lower()]
    if len(names) <= 1:
        return names[0] if names else None
    if len(polygonal) == 1:
        notes.append(Text(f"Layer {polygonal[0]!r} dipakai (satu-satunya layer poligon).",
                          f"Layer {polygonal[0]!r} used (the only polygon layer)."))  # fmt: skip
        return polygonal[0]
    raise reject(f"File berisi beberapa layer ({', '.join(names)}); pilih satu (opsi layer).",
                 f"The file has several layers ({', '.join(names)}); choose one (option layer).",
                 code="several_layers")  # fmt: skip


def _to_wgs84(gdf: gpd.GeoDataFrame, options: dict[str, Any], notes: list[Text]
              ) -> gpd.GeoDataFrame:  # fmt: skip
    given = options.get("crs")
    if given:
        try:
            crs = CRS.from_user_input(given)
        except CRSError as exc:
            raise reject(f"Opsi crs {given!r} tidak dikenali (contoh: EPSG:32749).",
                         f"Option crs {given!r} is not a known CRS (e.g. EPSG:32749).",
                         code="bad_crs", column="crs", value=str(given)) from exc  # fmt: skip
        if gdf.crs is not None and not CRS(gdf.crs).equals(crs):
            notes.append(Text(f"CRS file ({gdf.crs.to_string()}) diganti dengan opsi crs {given}.",
                              f"The file's CRS ({gdf.crs.to_string()}) replaced by option "
                              f"crs {given}."))  # fmt: skip
        gdf = gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        raise reject(
            "Sistem koordinat (CRS) tidak diketahui: file .prj tidak ada. Tambahkan file .prj "
            "dari sumber data yang sama ke dalam zip, atau sebutkan CRS-nya dengan opsi crs "
            "(mis. --crs EPSG:4326 untuk lon/lat, EPSG:32749 untuk UTM 49S).",
            "The coordinate reference system (CRS) is unknown: the .prj file is missing. Add "
            "the .prj from the same source to the zip, or name the CRS with option crs "
            "(e.g. --crs EPSG:4326 for lon/lat, EPSG:32749 for UTM 49S).",
            code="crs_missing", column="crs",
        )  # fmt: skip
    if not CRS(gdf.crs).equals(CRS("EPSG:4326")):
        name = gdf.crs.to_string()
        notes.append(Text(f"Diproyeksikan ulang dari {name} ke EPSG:4326.",
                          f"Reprojected from {name} to EPSG:4326."))  # fmt: skip
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


# --------------------------------------------------------------------------- columns


def _find_column(frame: pd.DataFrame, aliases: tuple[str, ...]) -> str | None:
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        if col != frame.geometry.name:
            by_norm.setdefault(normalize_header(col), str(col))
    return next((by_norm[a] for a in aliases if a in by_norm), None)


def _looks_like_codes(values: pd.Series, pattern: re.Pattern[str] = _VILLAGE_CODE) -> bool:
    text = _as_text(values).dropna()
    return len(text) > 0 and text.str.match(pattern).mean() >= 0.9


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text (numbers from a .dbf without ``.0``); empty -> None."""

    def one(value: Any) -> str | None:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def _pick(frame: pd.DataFrame, option: str, options: dict[str, Any], aliases: tuple[str, ...],
          what: Text, by_value: bool = False) -> tuple[str | None, list[Problem]]:  # fmt: skip
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    named = options.get(option)
    if named:
        if named in columns:
            return str(named), []
        return None, [Problem(
            Text(f"Kolom {named!r} (opsi {option}) tidak ada; kolom file: {', '.join(columns)}.",
                 f"Column {named!r} (option {option}) not found; the file has: "
                 f"{', '.join(columns)}."),
            row=1, column=str(named), code="missing_column",
        )]  # fmt: skip
    found = _find_column(frame, aliases)
    if found is None and by_value:
        found = next((c for c in columns if _looks_like_codes(frame[c])), None)
    if found is not None:
        return found, []
    return None, [Problem(
        Text(f"Kolom {what.id} tidak ditemukan (nama yang diterima: {', '.join(aliases[:6])}); "
             f"kolom file: {', '.join(columns) or '-'}. Sebutkan dengan opsi {option}.",
             f"No {what.en} column found (accepted names: {', '.join(aliases[:6])}); the file "
             f"has: {', '.join(columns) or '-'}. Name it with option {option}."),
        row=1, column=option, code="missing_column",
    )]  # fmt: skip


def _level_of_values(values: pd.Series) -> str:
    """The level most codes of a column have (``desa`` when none parses)."""
    found = []
    for value in _as_text(values).dropna():
        try:
            found.append(codes.level(value))
        except (codes.CodeError, KeyError):
            continue
    if not found:
        return "desa"
    counts = pd.Series(found).value_counts()
    best = counts[counts == counts.max()].index
    return max(best, key=LEVELS.index)  # a tie goes to the lower level


def _code_column(frame: pd.DataFrame, options: dict[str, Any]
                 ) -> tuple[str | None, str | None, list[Problem]]:  # fmt: skip
    """The code column and the file's level (``prov``/``kab``/``kec``/``desa``), or problems."""
    level: str | None = None
    given = options.get("tingkat")
    if given:
        level = TINGKAT.get(normalize_header(str(given)))
        if level is None:
            return None, None, [Problem(
                Text(f"Opsi tingkat {given!r} tidak dikenal; pilih prov, kab, kec atau desa.",
                     f"Option tingkat {given!r} is unknown; choose prov, kab, kec or desa."),
                row=1, column="tingkat", value=str(given), code="bad_option",
            )]  # fmt: skip
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    word = LEVEL_WORDS[level or "desa"]
    what = Text(f"kode {word[0]}", f"{word[1]} code")
    col: str | None = None
    if options.get("kolom_kode"):
        col, problems = _pick(frame, "kolom_kode", options, (), what)
        if problems:
            return None, level, problems
        if level is None:
            header = normalize_header(str(col))
            level = next((lvl for lvl in ("desa", "kec", "kab", "prov")
                          if header in LEVEL_CODE_NAMES[lvl]), None)  # fmt: skip
    elif level is not None:
        col = _find_column(frame, LEVEL_CODE_NAMES[level] + GENERIC_CODE_NAMES)
    else:
        col = _find_column(frame, LEVEL_CODE_NAMES["desa"])
        level = "desa" if col is not None else None
        if col is None:
            col = _find_column(frame, GENERIC_CODE_NAMES)
        for lvl in ("kec", "kab", "prov"):
            if col is None:
                col = _find_column(frame, LEVEL_CODE_NAMES[lvl])
                level = lvl if col is not None else None
    if col is None:  # by its values: village codes first, then codes of any level
        col = next((c for c in columns if _looks_like_codes(frame[c])), None)
        if col is None:
            col = next((c for c in columns if _looks_like_codes(frame[c], _REGION_CODE)), None)
    if col is None:
        aliases = LEVEL_CODE_NAMES[level or "desa"] + GENERIC_CODE_NAMES
        return None, level, [Problem(
            Text(f"Kolom {what.id} tidak ditemukan (nama yang diterima: "
                 f"{', '.join(aliases[:6])}); kolom file: {', '.join(columns) or '-'}. "
                 "Sebutkan dengan opsi kolom_kode.",
                 f"No {what.en} column found (accepted names: {', '.join(aliases[:6])}); the "
                 f"file has: {', '.join(columns) or '-'}. Name it with option kolom_kode."),
            row=1, column="kolom_kode", code="missing_column",
        )]  # fmt: skip
    return col, level or _level_of_values(frame[col]), []


def _region_codes(values: pd.Series, rows: pd.Series, level: str, scope: Scope, column: str
                  ) -> tuple[pd.Series, list[Problem]]:  # fmt: skip
    """Dotted codes of ``level``; malformed, other-level and out-of-scope codes reported."""
    want = LEVEL_WORDS[level]

    def judge(value: str) -> tuple[Any, Text | None, str]:
        try:
            kode = codes.normalize(value)
        except codes.CodeError as exc:
            return None, Text(exc.reason_id, exc.reason_en), "bad_code"
        found = LEVEL_WORDS[codes.level(kode)]
        if found != want:
            return (
                None,
                Text(
                    f"Ini kode {found[0]}, padahal file ini berisi {want[0]} (satu tingkat per "
                    "file; atau pilih tingkat dengan opsi tingkat).",
                    f"This is a {found[1]} code, but this file holds {want[1]} rows (one level "
                    "per file; or choose the level with option tingkat).",
                ),
                "wrong_level",
            )
        if not scope.allows(kode):
            return (
                None,
                Text("Wilayah ini di luar wilayah Anda.", "This region is outside your region."),
                "out_of_scope",
            )
        return kode, None, ""

    return checks.per_unique(values, rows, column, judge)


# --------------------------------------------------------------------------- geometry


def _outside_message(bounds: tuple[float, float, float, float]) -> Text:
    minx, miny, maxx, maxy = bounds
    in_lon = lambda a, b: LON_RANGE[0] <= a and b <= LON_RANGE[1]  # noqa: E731
    in_lat = lambda a, b: LAT_RANGE[0] <= a and b <= LAT_RANGE[1]  # noqa: E731
    if in_lat(minx, maxx) and in_lon(miny, maxy):
        return Text("Koordinat di luar Indonesia: lon dan lat tampaknya tertukar (x = lintang). "
                    "Perbaiki urutan sumbu saat ekspor (x = bujur/longitude).",
                    "Coordinates outside Indonesia: lon and lat look swapped (x holds the "
                    "latitude). Fix the axis order on export (x = longitude).")  # fmt: skip
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return Text(
            "Koordinat bukan derajat lon/lat (tampaknya meter): CRS file (.prj) salah "
            "atau tidak ada. Sebutkan CRS yang benar dengan opsi crs.",
            "Coordinates are not lon/lat degrees (they look like metres): the file's "
            "CRS (.prj) is wrong or missing. Name the right one with option crs.",
        )
    return Text("Koordinat di luar Indonesia (setelah diproyeksikan ke EPSG:4326): CRS file "
                "salah, atau ini bukan peta Indonesia.",
                "Coordinates outside Indonesia (after reprojection to EPSG:4326): the file's "
                "CRS is wrong, or this is not a map of Indonesia.")  # fmt: skip


def _geometries(
    geoms: gpd.GeoSeries, rows: pd.Series, kode: pd.Series
) -> tuple[list[shapely.MultiPolygon | None], list[Problem], list[str]]:
    """Valid MultiPolygons per feature, a problem per unusable one, and the repaired codes."""
    column = geoms.name or "geometry"
    arr = geoms.to_numpy()
    valid = shapely.is_valid(arr)
    bounds = shapely.bounds(arr)
    out: list[shapely.MultiPolygon | None] = []
    problems: list[Problem] = []
    repaired: list[str] = []
    for i, geom in enumerate(arr):
        row = int(rows.iloc[i])
        if geom is None or geom.is_empty:
            problems.append(Problem(Text("Geometri kosong.", "The geometry is empty."),
                                    row=row, column=column, code="no_geometry"))  # fmt: skip
            out.append(None)
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(
                Text("Geometri harus poligon (batas desa), bukan titik atau garis.",
                     "The geometry must be a polygon (a village boundary), not a point or line."),
                row=row, column=column, value=geom.geom_type, code="not_polygon",
            ))  # fmt: skip
            out.append(None)
            continue
        b = tuple(float(v) for v in bounds[i])
        if not (LON_RANGE[0] <= b[0] and b[2] <= LON_RANGE[1]
                and LAT_RANGE[0] <= b[1] and b[3] <= LAT_RANGE[1]):  # fmt: skip
            problems.append(Problem(_outside_message(b), row=row, column=column,
                                    value=f"x {b[0]:.4f}..{b[2]:.4f}, y {b[1]:.4f}..{b[3]:.4f}",
                                    code="outside_indonesia"))  # fmt: skip
            out.append(None)
            continue
        fixed = load.polygonal_parts(geom) if valid[i] else load.multipolygon(geom)
        if fixed is None:
            problems.append(Problem(
                Text("Geometri tidak valid dan tidak bisa diperbaiki.",
                     "The geometry is invalid and cannot be repaired."),
                row=row, column=column, code="bad_geometry"))  # fmt: skip
        elif not valid[i]:
            repaired.append(str(kode.iloc[i]) if kode.iloc[i] else f"#{row}")
        out.append(fixed)
    return out, problems, repaired


# --------------------------------------------------------------------------- diff


@dataclass
class BoundaryDiff:
    """How a boundary file differs from the stored villages of the kabupaten it covers."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    reshaped: list[str] = field(default_factory=list)
    stored: int = 0

    def notes(self, new_names: dict[str, str], old_names: dict[str, str]) -> list[Text]:
        out: list[Text] = []
        if not self.stored:
            return [Text(f"{len(self.added)} desa baru (belum ada batas tersimpan untuk "
                         "kabupaten di file ini).", f"{len(self.added)} new villages (no "
                         "boundaries stored yet for the kabupaten in this file).")]  # fmt: skip
        out.append(Text(
            f"Dibanding batas tersimpan: {len(self.added)} desa baru, {len(self.removed)} tidak "
            f"ada lagi di file, {len(self.renamed)} ganti nama, {len(self.reshaped)} berubah "
            "bentuk.",
            f"Compared with the stored boundaries: {len(self.added)} new villages, "
            f"{len(self.removed)} no longer in the file, {len(self.renamed)} renamed, "
            f"{len(self.reshaped)} reshaped.",
        ))  # fmt: skip
        for kode in self.added[:MAX_LISTED]:
            out.append(Text(f"Desa baru: {kode} {new_names[kode]}",
                            f"New village: {kode} {new_names[kode]}"))  # fmt: skip
        for kode in self.removed[:MAX_LISTED]:
            out.append(Text(
                f"Desa tidak ada lagi di file (tidak dihapus; datanya tetap): {kode} "
                f"{old_names[kode]}",
                f"Village no longer in the file (not deleted; its data is kept): {kode} "
                f"{old_names[kode]}",
            ))  # fmt: skip
        for kode, old, new in self.renamed[:MAX_LISTED]:
            out.append(Text(f"Desa ganti nama: {kode} {old!r} -> {new!r}",
                            f"Village renamed: {kode} {old!r} -> {new!r}"))  # fmt: skip
        longest = max(len(self.added), len(self.removed), len(self.renamed))
        if longest > MAX_LISTED:
            out.append(
                Text(
                    f"(hanya {MAX_LISTED} pertama per jenis perubahan yang dicantumkan)",
                    f"(only the first {MAX_LISTED} of each kind of change are listed)",
                )
            )
        return out

    def counts(self) -> dict[str, int]:
        return {"desa_baru": len(self.added), "desa_hilang": len(self.removed),
                "desa_ganti_nama": len(self.renamed),
                "desa_berubah_bentuk": len(self.reshaped)}  # fmt: skip


def compare_with_store(
    session: Session, villages: pd.DataFrame
) -> tuple[BoundaryDiff, dict[str, str]]:
    """Compare villages (``kode, nama, geometry``) with the stored villages of their kabupaten.

    Returns the diff and the stored names of the compared villages.
    """
    kabs = sorted({k[:5] for k in villages["kode"]})
    under = or_(false(), *(Wilayah.kode.like(f"{kab}.%") for kab in kabs))
    stored = pd.DataFrame(
        session.execute(select(Wilayah.kode, Wilayah.nama, Wilayah.geometry)
                        .where(Wilayah.level == "desa", under)).all(),
        columns=["kode", "nama", "geometry"],
    )  # fmt: skip
    diff = BoundaryDiff(stored=len(stored))
    old_names = dict(zip(stored["kode"], stored["nama"], strict=True))
    new = villages.set_index("kode")
    diff.added = sorted(set(new.index) - set(old_names))
    diff.removed = sorted(set(old_names) - set(new.index))
    both = stored[stored["kode"].isin(new.index)]
    for kode, nama in zip(both["kode"], both["nama"], strict=True):
        if str(new.at[kode, "nama"]) != nama:
            diff.renamed.append((kode, nama, str(new.at[kode, "nama"])))
    diff.renamed.sort()
    if len(both):
        fresh = new.loc[list(both["kode"]), "geometry"].to_numpy()
        same = shapely.equals_exact(both["geometry"].to_numpy(), fresh, tolerance=1e-9)
        diff.reshaped = sorted(both["kode"][~same])
    return diff, old_names


# --------------------------------------------------------------------------- importer


def _repaired_note(repaired: list[str]) -> Text:
    listed = ", ".join(repaired[:MAX_LISTED]) + (" …" if len(repaired) > MAX_LISTED else "")
    return Text(f"{len(repaired)} geometri tidak valid diperbaiki (make_valid): {listed}",
                f"{len(repaired)} invalid geometries repaired (make_valid): {listed}")  # fmt: skip


def _region_notes(session: Session, regions: pd.DataFrame, level: str) -> list[Text]:
    """How a region file differs from the stored rows of its level."""
    stored = dict(session.execute(select(Wilayah.kode, Wilayah.nama).where(
        Wilayah.level == level, Wilayah.kode.in_(list(regions["kode"])))).all())  # fmt: skip
    own = load.own_outlines(session, stored)
    new = [k for k in regions["kode"] if k not in stored]
    renamed = [(k, stored[k], n) for k, n in zip(regions["kode"], regions["nama"], strict=True)
               if k in stored and stored[k] != n]  # fmt: skip
    word = LEVEL_WORDS[level]
    out = [Text(
        f"{len(regions)} {word[0]} dengan batas dari file ini: {len(new)} baru, "
        f"{len(stored) - len(own)} menggantikan hasil dissolve desa, {len(own)} menggantikan "
        "batas dari file sebelumnya. Impor desa berikutnya tidak mengubah batas ini.",
        f"{len(regions)} {word[1]} rows with outlines from this file: {len(new)} new, "
        f"{len(stored) - len(own)} replace a dissolve of villages, {len(own)} replace outlines "
        "from an earlier file. Later village imports keep these outlines.",
    )]  # fmt: skip
    for kode, old, nama in renamed[:MAX_LISTED]:
        out.append(Text(f"Ganti nama: {kode} {old!r} -> {nama!r}",
                        f"Renamed: {kode} {old!r} -> {nama!r}"))  # fmt: skip
    return out


def _parent_rows(session: Session, regions: pd.DataFrame, level: str,
                 names: dict[str, dict[str, str]]) -> pd.DataFrame:  # fmt: skip
    """Parents of region rows that must be (re)made from the outlines: missing ones, and
    stored ones with neither villages nor an own outline. Top down."""
    columns = ["kode", "level", "nama", "induk", "jenis", "geometry"]
    wanted = sorted({a for k in regions["kode"] for a in codes.ancestors(k)}, key=len)
    stored = dict(session.execute(select(Wilayah.kode, Wilayah.nama)
                                  .where(Wilayah.kode.in_(wanted))).all())  # fmt: skip
    own = load.own_outlines(session, stored)
    todo = [
        a for a in wanted
        if a not in stored or (a not in own and session.scalar(
            select(Wilayah.kode).where(Wilayah.level == "desa", Wilayah.kode.like(f"{a}.%"))
            .limit(1)) is None)
    ]  # fmt: skip
    if not todo:
        return pd.DataFrame(columns=[*columns, "luas_km2"])
    others = session.execute(select(Wilayah.kode, Wilayah.geometry).where(
        Wilayah.level == level, ~Wilayah.kode.in_(list(regions["kode"])),
        or_(false(), *(Wilayah.kode.like(f"{a}.%") for a in todo)))).all()  # fmt: skip
    members = [*zip(regions["kode"], regions["geometry"], strict=True), *others]
    rows = []
    for a in todo:
        lvl = codes.level(a)
        rows.append({
            "kode": a, "level": lvl, "induk": codes.parent(a), "jenis": None,
            "nama": names.get(lvl, {}).get(a) or stored.get(a)
            or f"{load.REGION_LABELS[lvl]} {a}",
            "geometry": load.dissolve([g for k, g in members if k.startswith(a + ".")]),
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out["luas_km2"] = load.area_km2(out["geometry"])
    return out


@register
class BoundariesImporter(Importer):
    """Village boundaries (regions above dissolved), or kecamatan/kabupaten/province outlines."""

    jenis = "batas"
    title = Text("Batas wilayah desa", "Village boundaries")
    tables = ("wilayah",)
    suffixes = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".parquet")

    def prepare(self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
                report: ImportReport) -> Prepared | None:  # fmt: skip
        gdf, notes = read_boundary_file(path, options)
        report.notes += notes
        report.rows_total = len(gdf)
        rows = pd.Series(range(1, len(gdf) + 1), index=gdf.index)  # feature numbers
        code_col, level, p_code = _code_column(gdf, options)
        if p_code and level is None and p_code[0].code == "bad_option":
            report.add(p_code)
            return None
        word = LEVEL_WORDS[level or "desa"]
        name_col, p_name = _pick(gdf, "kolom_nama", options, LEVEL_NAME_NAMES[level or "desa"],
                                 Text(f"nama {word[0]}", f"{word[1]} name"))  # fmt: skip
        if p_code or p_name:
            report.add(p_code + p_name)
            return None
        assert code_col is not None and name_col is not None and level is not None
        if level != "desa":
            return self._prepare_regions(session, gdf, rows, level, code_col, name_col, scope,
                                         report)  # fmt: skip
        for src, dst in ((code_col, "kode_desa"), (name_col, "nama_desa")):
            if src != dst:
                report.mapped_columns[src] = dst
        kode, p1 = checks.village_codes(_as_text(gdf[code_col]), rows, None, scope,
                                        column=code_col)  # fmt: skip
        nama, p2 = checks.per_unique(_as_text(gdf[name_col]), rows, name_col,
                                     lambda v: (v, None, ""))  # fmt: skip
        geoms, p3, repaired = _geometries(gdf.geometry, rows, kode)
        p4 = checks.duplicates(pd.DataFrame({code_col: kode}), [code_col], rows)
        for group in (p1, p2, p3, p4):
            report.add(group)
        bad = checks.bad_rows([*p1, *p2, *p3, *p4])
        report.rows_ok = int((~rows.isin(bad)).sum())
        if not report.ok:
            return None
        villages = pd.DataFrame({"kode": kode, "nama": nama, "geometry": geoms})
        villages["kode_kec"] = [codes.parent(k) for k in villages["kode"]]
        villages["kode_kab"] = [codes.parent(k) for k in villages["kode_kec"]]
        villages["kode_prov"] = [codes.parent(k) for k in villages["kode_kab"]]
        for target, aliases in REGION_NAMES.items():
            col = _find_column(gdf, aliases)
            if col is not None and col not in (code_col, name_col):
                villages[target] = _as_text(gdf[col]).to_numpy()
                if col != target:
                    report.mapped_columns[col] = target
        if repaired:
            report.notes.append(_repaired_note(repaired))
        diff, old_names = compare_with_store(session, villages)
        report.notes += diff.notes(dict(zip(villages["kode"], villages["nama"], strict=True)),
                                   old_names)  # fmt: skip
        above = {k for col in ("kode_kec", "kode_kab", "kode_prov") for k in villages[col]}
        kept = sorted(load.own_outlines(session, above))
        if kept:
            listed = ", ".join(kept[:MAX_LISTED]) + (" …" if len(kept) > MAX_LISTED else "")
            report.notes.append(Text(
                f"{len(kept)} wilayah tetap memakai batas dari file-nya sendiri (bukan dissolve "
                f"desa): {listed}",
                f"{len(kept)} regions keep the outline from their own file (not the dissolve "
                f"of villages): {listed}",
            ))  # fmt: skip
        return Prepared({"wilayah": villages},
                        {"diff": diff, "repaired": repaired, "kept": kept})  # fmt: skip

    def _prepare_regions(self, session: Session, gdf: gpd.GeoDataFrame, rows: pd.Series,
                         level: str, code_col: str, name_col: str, scope: Scope,
                         report: ImportReport) -> Prepared | None:  # fmt: skip
        for src, dst in ((code_col, f"kode_{level}"), (name_col, f"nama_{level}")):
            if src != dst:
                report.mapped_columns[src] = dst
        kode, p1 = _region_codes(_as_text(gdf[code_col]), rows, level, scope, code_col)
        nama, p2 = checks.per_unique(_as_text(gdf[name_col]), rows, name_col,
                                     lambda v: (v, None, ""))  # fmt: skip
        geoms, p3, repaired = _geometries(gdf.geometry, rows, kode)
        p4 = checks.duplicates(pd.DataFrame({code_col: kode}), [code_col], rows)
        for group in (p1, p2, p3, p4):
            report.add(group)
        bad = checks.bad_rows([*p1, *p2, *p3, *p4])
        report.rows_ok = int((~rows.isin(bad)).sum())
        if not report.ok:
            return None
        regions = pd.DataFrame({"kode": kode, "nama": nama, "geometry": geoms})
        names: dict[str, dict[str, str]] = {}
        for up in LEVELS[: LEVELS.index(level)]:
            col = _find_column(gdf, REGION_NAMES[f"nama_{up}"])
            if col is not None and col not in (code_col, name_col):
                parent = [next((a for a in codes.ancestors(k) if codes.level(a) == up), None)
                          for k in regions["kode"]]  # fmt: skip
                frame = pd.DataFrame({"kode": parent, "nama": _as_text(gdf[col]).to_numpy()})
                names[up] = load._names(frame, "kode", "nama")
        report.notes.append(Text(f"File berisi {LEVEL_WORDS[level][0]} (tingkat {level}).",
                                 f"The file holds {LEVEL_WORDS[level][1]} rows (level "
                                 f"{level})."))  # fmt: skip
        if repaired:
            report.notes.append(_repaired_note(repaired))
        report.notes += _region_notes(session, regions, level)
        return Prepared({"wilayah": regions},
                        {"level": level, "repaired": repaired, "names": names})  # fmt: skip

    def write(self, session: Session, prepared: Prepared, impor_id: int,
              progress: Progress) -> dict[str, int]:  # fmt: skip
        if "level" in prepared.extra:
            return self._write_regions(session, prepared, impor_id, progress)
        villages = prepared.frames["wilayah"]
        progress(1, 3, "dissolve")
        regions = load.derive_regions(  # leaves out regions with their own outline
            session, villages.rename(columns={"kode": "kode_desa"}),
            load.region_names(villages),
        )  # fmt: skip
        desa = pd.DataFrame({
            "kode": villages["kode"], "level": "desa", "nama": villages["nama"],
            "induk": villages["kode_kec"],
            "jenis": [codes.village_kind(k) for k in villages["kode"]],
            "geometry": villages["geometry"], "luas_km2": load.area_km2(villages["geometry"]),
        })  # fmt: skip
        frame = pd.concat([regions, desa], ignore_index=True)  # parents before children
        progress(2, 3, "tulis")
        counts = upsert(session, "wilayah", frame, ["kode"], impor_id)
        per_level = {lvl: int((frame["level"] == lvl).sum()) for lvl in ("prov", "kab", "kec")}
        diff: BoundaryDiff = prepared.extra["diff"]
        return {"wilayah": len(frame), "desa": len(desa), **per_level, **counts,
                **diff.counts(), "diperbaiki": len(prepared.extra["repaired"]),
                "batas_sendiri_tetap": len(prepared.extra["kept"])}  # fmt: skip

    def _write_regions(self, session: Session, prepared: Prepared, impor_id: int,
                       progress: Progress) -> dict[str, int]:  # fmt: skip
        regions, level = prepared.frames["wilayah"], prepared.extra["level"]
        progress(1, 3, "induk")
        parents = _parent_rows(session, regions, level, prepared.extra["names"])
        own = pd.DataFrame({
            "kode": regions["kode"], "level": level, "nama": regions["nama"],
            "induk": [codes.parent(k) for k in regions["kode"]], "jenis": None,
            "geometry": regions["geometry"], "luas_km2": load.area_km2(regions["geometry"]),
        })  # fmt: skip
        frame = pd.concat([f for f in (parents, own) if len(f)], ignore_index=True)
        frame = frame.sort_values("level", key=lambda s: s.map(LEVELS.index), kind="stable")
        progress(2, 3, "tulis")
        counts = upsert(session, "wilayah", frame, ["kode"], impor_id)
        per_level = {lvl: int((frame["level"] == lvl).sum()) for lvl in ("prov", "kab", "kec")}
        return {"wilayah": len(frame), "desa": 0, **per_level, **counts,
                load.OWN_OUTLINE_KEY.format(level=level): len(own),
                "diperbaiki": len(prepared.extra["repaired"])}  # fmt: skip
