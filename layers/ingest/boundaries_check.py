"""Boundaries (``batas``), validation: region codes and geometries, feature by feature.

Owns the checks of a boundary file's values: region codes of the file's level inside the
user's scope (``wrong_level``, ``bad_code``, ``out_of_scope``), and geometries that are
polygons inside Indonesia, repaired with ``make_valid`` when invalid. Problems name the
feature number as ``row``. A feature without geometry (null or empty) is no problem of the
file but a feature to leave out (:func:`geometries` returns where they are; the importer
says so in a note). The checks are vectorised (shapely 2): a national file of 74,840
villages is checked in about a second, only the features that need a repair or a message
are visited one by one.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import codes
from layers.ingest import checks
from layers.ingest.boundaries_columns import LEVEL_WORDS
from layers.ingest.problems import Problem
from layers.scope import Scope
from layers.store.regions import multipolygon, polygonal_parts
from layers.text import Text

#: Indonesia with a margin: lon 94–142 °E, lat 12 °S – 7 °N
LON_RANGE, LAT_RANGE = (94.0, 142.0), (-12.0, 7.0)


def region_codes(values: pd.Series, rows: pd.Series, level: str, scope: Scope, column: str
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


def geometries(
    geoms: gpd.GeoSeries, rows: pd.Series, kode: pd.Series
) -> tuple[np.ndarray, list[Problem], list[str], np.ndarray]:
    """Valid MultiPolygons per feature, a problem per unusable one, the repaired codes, and
    a mask of the features without geometry (null or empty: None in the result, no problem).
    """
    column = geoms.name or "geometry"
    arr = np.asarray(geoms.to_numpy(), dtype=object)
    n = len(arr)
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    kinds = shapely.get_type_id(arr)
    bounds = shapely.bounds(arr)
    with np.errstate(invalid="ignore"):
        inside = ((bounds[:, 0] >= LON_RANGE[0]) & (bounds[:, 2] <= LON_RANGE[1])
                  & (bounds[:, 1] >= LAT_RANGE[0]) & (bounds[:, 3] <= LAT_RANGE[1]))  # fmt: skip
    polygonal = (kinds == 3) | (kinds == 6)
    valid = np.zeros(n, dtype=bool)
    valid[polygonal] = shapely.is_valid(arr[polygonal])
    fast = polygonal & inside & valid & ~missing
    # a valid MultiPolygon with an empty part goes the slow way (polygonal_parts drops it)
    multi = np.flatnonzero(fast & (kinds == 6))
    parts, owner = shapely.get_parts(arr[multi], return_index=True)
    fast[multi[np.unique(owner[shapely.is_empty(parts)])]] = False
    out = np.full(n, None, dtype=object)
    out[fast & (kinds == 6)] = arr[fast & (kinds == 6)]
    single = np.flatnonzero(fast & (kinds == 3))
    if len(single):
        out[single] = shapely.multipolygons(arr[single], indices=np.arange(len(single)))
    problems: list[Problem] = []
    repaired: list[str] = []
    row_numbers = rows.to_numpy()
    codes_seen = kode.to_numpy()
    for i in np.flatnonzero(~fast & ~missing):
        row, geom = int(row_numbers[i]), arr[i]
        if not polygonal[i]:
            problems.append(Problem(
                Text("Geometri harus poligon (batas desa), bukan titik atau garis.",
                     "The geometry must be a polygon (a village boundary), not a point or line."),
                row=row, column=column, value=geom.geom_type, code="not_polygon",
            ))  # fmt: skip
            continue
        if not inside[i]:
            b = tuple(float(v) for v in bounds[i])
            problems.append(Problem(_outside_message(b), row=row, column=column,
                                    value=f"x {b[0]:.4f}..{b[2]:.4f}, y {b[1]:.4f}..{b[3]:.4f}",
                                    code="outside_indonesia"))  # fmt: skip
            continue
        fixed = polygonal_parts(geom) if valid[i] else multipolygon(geom)
        if fixed is None:
            problems.append(Problem(
                Text("Geometri tidak valid dan tidak bisa diperbaiki.",
                     "The geometry is invalid and cannot be repaired."),
                row=row, column=column, code="bad_geometry"))  # fmt: skip
        elif not valid[i]:
            repaired.append(str(codes_seen[i]) if codes_seen[i] else f"#{row}")
        out[i] = fixed
    if missing.all():  # nothing to import: every feature is a problem
        problems += [Problem(Text("Geometri kosong.", "The geometry is empty."),
                             row=int(row_numbers[i]), column=column, code="no_geometry")
                     for i in range(n)]  # fmt: skip
    return out, problems, repaired, missing
