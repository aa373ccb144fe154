"""Write a demo folder in the canonical formats of data/geo/README.md.

Every file is written by hand-controlled code (fixed column order, stable row order,
fixed number formatting, ``\\n`` line ends), so the same inputs give byte-identical
files on every run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..codes import normalize, village_kind
from .district import KODE_PROV, NAMA_KAB, VILLAGE_COLUMNS, synthetic_district
from .files import FILES
from .programme import Programme, prepare_villages, programme_data

DEFAULT_SEED = 9901


def _num(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _ring(coords: np.ndarray) -> str:
    return "[" + ",".join(f"[{_num(x)},{_num(y)}]" for x, y in coords) + "]"


def _polygon(poly: shapely.Polygon) -> str:
    rings = [poly.exterior, *poly.interiors]
    return "[" + ",".join(_ring(np.asarray(r.coords)[:, :2]) for r in rings) + "]"


def geometry_json(geom: shapely.Geometry) -> str:
    """GeoJSON text of a (Multi)Polygon with 6-decimal coordinates (RFC 7946 winding)."""
    geom = shapely.orient_polygons(geom)
    if geom.geom_type == "Polygon":
        return '{"type":"Polygon","coordinates":' + _polygon(geom) + "}"
    if geom.geom_type == "MultiPolygon":
        parts = ",".join(_polygon(p) for p in geom.geoms)
        return '{"type":"MultiPolygon","coordinates":[' + parts + "]}"
    raise ValueError(f"village geometry must be (Multi)Polygon, not {geom.geom_type}")


def write_geojson(path: Path, villages: gpd.GeoDataFrame, name: str = "desa") -> None:
    """Write villages as a FeatureCollection, one feature per line, contract properties."""
    lines = []
    for row in villages[VILLAGE_COLUMNS].itertuples(index=False):
        props = json.dumps(
            dict(zip(VILLAGE_COLUMNS, map(str, row), strict=True)),
            ensure_ascii=False,
            separators=(",", ":"),
        )
        lines.append(f'{{"type":"Feature","properties":{props},"geometry":')
    geoms = [geometry_json(g) for g in villages.geometry]
    features = ",\n".join(head + geom + "}" for head, geom in zip(lines, geoms, strict=True))
    head = f'{{"type":"FeatureCollection","name":{json.dumps(name)},"features":[\n'
    path.write_text(head + features + "\n]}\n", encoding="utf-8")


def _csv(path: Path, frame: pd.DataFrame, float_format: str | None = None) -> None:
    frame.to_csv(
        path, index=False, lineterminator="\n", float_format=float_format, encoding="utf-8"
    )


def _json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Read real village boundaries (any pyogrio-readable file with the shared columns).

    Codes are normalised to the dotted form; missing ``kode_desa_10``, ``jenis``,
    ``kode_kab``, ``kode_prov`` are derived from ``kode_desa``. Returns EPSG:4326.
    """
    # GeoParquet through pyarrow: the bundled GDAL's Parquet driver needs a library
    # (libduckdb) these machines lack
    parquet = Path(path).suffix.lower() in (".parquet", ".geoparquet")
    gdf = gpd.read_parquet(path) if parquet else gpd.read_file(path)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")

    def text(v: object) -> str:
        return v if isinstance(v, str) else str(int(v))  # type: ignore[call-overload]

    for col in ("kode_desa", "kode_kec", "kode_kab", "kode_prov"):
        if col in gdf:
            gdf[col] = [normalize(text(v)) for v in gdf[col]]
    kode = gdf["kode_desa"]
    derived = {
        "kode_desa_10": kode.str.replace(".", "", regex=False),
        "jenis": kode.map(village_kind),
        "kode_kec": kode.str.slice(0, 8),
        "kode_kab": kode.str.slice(0, 5),
        "kode_prov": kode.str.slice(0, 2),
        "nama_kab": pd.Series("", index=gdf.index),
    }
    for col, values in derived.items():
        if col not in gdf:
            gdf[col] = values
    gdf = gdf[[*VILLAGE_COLUMNS, "geometry"]]
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")


def write_demo(
    out_dir: Path,
    villages: gpd.GeoDataFrame,
    seed: int,
    first_week: str = "2024-W01",
    last_week: str = "2025-W53",
    extra_params: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Generate the programme data for ``villages`` and write the whole demo folder.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder to (over)write; created when missing.
    villages : geopandas.GeoDataFrame
        Village polygons with the shared-file columns (see data/geo/README.md).
    seed : int
        Master seed of the programme data.
    first_week, last_week : str
        Period of the weekly case series.
    extra_params : dict, optional
        Recorded in ``demo.json`` (e.g. how the villages were made).

    Returns
    -------
    dict of str to pathlib.Path
        The written files by key (``desa``, ``penduduk``, ... , ``demo``).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vill = prepare_villages(villages)
    prog: Programme = programme_data(vill, seed, first_week, last_week)
    paths = {key: out_dir / name for key, name in FILES.items()}
    write_geojson(paths["desa"], vill)
    _csv(paths["penduduk"], prog.penduduk)
    _csv(paths["fasilitas"], prog.fasilitas, float_format="%.6f")
    _csv(paths["kasus"], prog.kasus)
    _csv(paths["kader"], prog.kader)
    _json(paths["klaster"], prog.klaster)
    fas = prog.fasilitas
    params = {
        "seed": seed,
        **(extra_params or {}),
        "jumlah": {
            "desa": int(len(vill)),
            "kelurahan": int((vill["jenis"] == "kelurahan").sum()),
            "kecamatan": int(vill["kode_kec"].nunique()),
            "puskesmas": int((fas["jenis"] == "puskesmas").sum()),
            "pustu_aktif": int(((fas["jenis"] == "pustu") & (fas["status"] == "aktif")).sum()),
            "pustu_rencana": int(((fas["jenis"] == "pustu") & (fas["status"] == "rencana")).sum()),
            "posyandu": int((fas["jenis"] == "posyandu").sum()),
            "kader": int(len(prog.kader)),
        },
        **prog.params,
    }
    _json(paths["demo"], params)
    return paths


def generate_demo(
    out_dir: Path,
    seed: int = DEFAULT_SEED,
    boundaries: Path | None = None,
    *,
    n_villages: int = 250,
    n_kecamatan: int = 18,
    first_week: str = "2024-W01",
    last_week: str = "2025-W53",
) -> dict[str, Path]:
    """Generate a complete demo folder (``pws demo``).

    Parameters
    ----------
    out_dir : pathlib.Path
        Output folder, e.g. ``data/geo/demo_9901``.
    seed : int
        Master seed; the same seed (and boundaries) give byte-identical files.
    boundaries : pathlib.Path, optional
        Real village boundaries to use instead of the synthetic district *Kabupaten
        Contoh (fiktif)* (GeoJSON, GeoParquet or any pyogrio-readable file with the
        shared-file columns).
    n_villages, n_kecamatan : int
        Size of the synthetic district (ignored with ``boundaries``).
    first_week, last_week : str
        Period of the weekly case series.

    Returns
    -------
    dict of str to pathlib.Path
        The written files by key.
    """
    if boundaries is None:
        district = synthetic_district(seed, n_villages=n_villages, n_kecamatan=n_kecamatan)
        villages = district.villages
        source = {"wilayah": NAMA_KAB, "kode_prov": KODE_PROV, "batas": "sintetis"}
    else:
        villages = read_boundaries(Path(boundaries))
        source = {"batas": Path(boundaries).name}
    return write_demo(out_dir, villages, seed, first_week, last_week, extra_params=source)
