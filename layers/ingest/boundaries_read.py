"""Boundaries (``batas``), reading: open any accepted file and bring it to EPSG:4326.

Owns the file side of the boundaries importer (:mod:`layers.ingest.boundaries`): a shapefile
as ``.zip``, folder or ``.shp`` (its ``.shx``/``.dbf`` checked), GeoPackage (layer choice),
GeoJSON or GeoParquet; zip-bomb and damaged-file refusal; the CRS (option ``crs``, a missing
``.prj``) and reprojection. It knows nothing of columns, codes or the store.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from layers.ingest.problems import reject
from layers.ingest.readers import MAX_BYTES, check_size
from layers.text import Text

#: files a zip or folder may hold, in order of preference
GEO_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".parquet", ".geoparquet")
#: at most this much unpacked from a zip (a zip bomb is refused)
MAX_UNZIPPED = 10 * MAX_BYTES


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
