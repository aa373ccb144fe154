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
kecamatan, kabupaten and province dissolved bottom-up (:func:`layers.store.regions.derive_regions`):
a kecamatan from all its stored villages, a kabupaten from its kecamatan, a province from its
kabupaten -- except regions holding their own outline (below), which are not dissolved but
are what their parent is made of (so the levels drawn on the map nest).
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
import when its column ``wilayah.batas_sendiri`` is true. A region-level ``batas`` import
writes it true on its rows, every dissolve (villages, missing parents, the trusted loader)
writes it false; see :func:`layers.store.regions.own_outlines`. Importing a newer kecamatan file
replaces them; undoing the region import (a stack, :func:`layers.ingest.write.undo`) brings
back whatever was there before (the backups hold every column), dissolve included.

Problems report the **feature number** (1 = the first feature of the file) as ``row``.

Real national data (../shared/data/README.md §5), and what the importer does with it
-----------------------------------------------------------------------------------
* **A feature without geometry** (null or empty) is *left out with a note*, not a problem
  that refuses the file. The all-or-nothing rule (design.md §3) is about rows that are wrong:
  such a feature carries no boundary to import, and a village file that does not have a
  village is already handled as "not deleted, its data kept" (see above), so a feature
  without geometry is treated exactly like a village absent from the file: not written, a
  boundary stored for it earlier kept. The note names each one (feature number, code,
  name; ``96.01.05.1012 Malagusa`` in the national file), ``written["tanpa_geometri"]``
  counts them, and ``rows_ok`` does not count them (74,839 of 74,840 rows). Its code and
  name are still checked (a bad code still refuses the file). A file where *no* feature
  has a geometry is refused (``no_geometry`` on every row).
* **A 7th digit of 3** (``91.03.01.3007``: the 14 *Desa Adat* of 91.03) is a village code
  (:func:`layers.codes.village_code`); the village is stored with ``jenis`` NULL (kind
  unknown, :func:`layers.codes.village_kind_or_none`), listed in a note and counted in
  ``written["jenis_tak_dikenal"]``. Other 7th digits (0, 4–9) are still ``bad_code``.
* **Names shared within a kecamatan** (12.01.10: two *Sorkam Kanan*) are fine: the code is
  the key. A note lists them (name matching by ``nama_desa`` + ``nama_kec`` cannot tell them
  apart).
* **Invalid polygons** are repaired (``make_valid``), counted (``written["diperbaiki"]``) and
  listed.

Speed: everything is vectorised (shapely 2) and written in bulk (WKB encoded per column,
executemany), inside the one transaction of :func:`layers.ingest.run.run_import`. The
national village file into an empty store takes ~40 s of CPU on the 2-core machines, most
of it dissolving 6,709 kecamatan, 479 kabupaten and 37 provinces
(:func:`layers.store.regions.derive_regions`); with the kecamatan and kabupaten files
imported first (own outlines) it takes ~10 s, since only the provinces are dissolved (from
the kabupaten outlines). ``bench/national_import.py`` measures both.

Modules
-------
This module owns the importer: the flow of :meth:`BoundariesImporter.prepare` and writing
(villages with their dissolved regions, or region outlines with their parents). The rest:
:mod:`~layers.ingest.boundaries_read` (files, layers, CRS),
:mod:`~layers.ingest.boundaries_columns` (code/name columns and the level),
:mod:`~layers.ingest.boundaries_check` (codes and geometries, row by row) and
:mod:`~layers.ingest.boundaries_diff` (the file against the store, as notes).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from layers import codes
from layers.ingest import checks
from layers.ingest.base import Importer, Prepared, Progress, register
from layers.ingest.boundaries_check import geometries, region_codes
from layers.ingest.boundaries_columns import (
    LEVEL_NAME_NAMES,
    LEVEL_WORDS,
    LEVELS,
    REGION_NAMES,
    as_text,
    code_column,
    find_column,
    pick_column,
)
from layers.ingest.boundaries_diff import (
    MAX_LISTED,
    BoundaryDiff,
    compare_with_store,
    no_geometry_note,
    region_notes,
    repaired_note,
    village_notes,
)
from layers.ingest.boundaries_read import GEO_SUFFIXES, read_boundary_file
from layers.ingest.problems import ImportReport
from layers.ingest.write import upsert
from layers.scope import Scope
from layers.store.models import Wilayah
from layers.store.regions import (
    area_km2,
    derive_regions,
    dissolve,
    first_names,
    own_outlines,
    region_name,
    region_names,
)
from layers.text import Text

__all__ = ["BoundariesImporter", "BoundaryDiff", "compare_with_store", "read_boundary_file"]


def _parent_rows(session: Session, regions: pd.DataFrame, level: str,
                 names: dict[str, dict[str, str]]) -> pd.DataFrame:  # fmt: skip
    """Parents of region rows that must be (re)made from the outlines: missing ones, and
    stored ones with neither villages nor an own outline. Top down."""
    columns = ["kode", "level", "nama", "induk", "jenis", "geometry", "batas_sendiri"]
    wanted = sorted({a for k in regions["kode"] for a in codes.ancestors(k)}, key=len)
    stored = dict(session.execute(select(Wilayah.kode, Wilayah.nama)
                                  .where(Wilayah.kode.in_(wanted))).all())  # fmt: skip
    own = own_outlines(session, stored)
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
            "nama": region_name(lvl, a, names.get(lvl, {}).get(a), stored.get(a)),
            "geometry": dissolve([g for k, g in members if k.startswith(a + ".")]),
            "batas_sendiri": False,
        })  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    out["luas_km2"] = area_km2(out["geometry"])
    return out


@register
class BoundariesImporter(Importer):
    """Village boundaries (regions above dissolved), or kecamatan/kabupaten/province outlines."""

    jenis = "batas"
    english = "boundaries"
    title = Text("Batas wilayah", "Administrative boundaries")
    tables = ("wilayah",)
    suffixes = (".zip", ".shp", ".gpkg", ".geojson", ".json", ".parquet")
    readable = (".zip", *GEO_SUFFIXES)

    @classmethod
    def takes_file(cls, path: Path) -> bool:
        """A zip under any name is read too (downloads lose their suffix)."""
        return cls.takes(path.name) or zipfile.is_zipfile(path)

    def prepare(self, session: Session, path: Path, scope: Scope, options: dict[str, Any],
                report: ImportReport) -> Prepared | None:  # fmt: skip
        gdf, notes = read_boundary_file(path, options)
        report.notes += notes
        report.rows_total = len(gdf)
        rows = pd.Series(range(1, len(gdf) + 1), index=gdf.index)  # feature numbers
        code_col, level, p_code = code_column(gdf, options)
        if p_code and level is None and p_code[0].code == "bad_option":
            report.add(p_code)
            return None
        word = LEVEL_WORDS[level or "desa"]
        name_col, p_name = pick_column(gdf, "kolom_nama", options,
                                       LEVEL_NAME_NAMES[level or "desa"],
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
        kode, p1 = checks.village_codes(as_text(gdf[code_col]), rows, None, scope,
                                        column=code_col)  # fmt: skip
        checked = _check_features(gdf, rows, kode, p1, code_col, name_col, report)
        if checked is None:
            return None
        nama, geoms, repaired, missing = checked
        villages = pd.DataFrame({"kode": kode, "nama": nama, "geometry": geoms})
        villages["kode_kec"] = villages["kode"].str[:8]  # dotted village codes, checked
        villages["kode_kab"] = villages["kode"].str[:5]
        villages["kode_prov"] = villages["kode"].str[:2]
        for target, aliases in REGION_NAMES.items():
            col = find_column(gdf, aliases)
            if col is not None and col not in (code_col, name_col):
                villages[target] = as_text(gdf[col]).to_numpy()
                if col != target:
                    report.mapped_columns[col] = target
        if missing.any():
            report.notes.append(no_geometry_note(rows[missing], villages.loc[missing, "kode"],
                                                 villages.loc[missing, "nama"]))  # fmt: skip
            villages = villages.loc[~missing]
        if repaired:
            report.notes.append(repaired_note(repaired))
        report.notes += village_notes(villages)
        diff, old_names = compare_with_store(session, villages)
        report.notes += diff.notes(dict(zip(villages["kode"], villages["nama"], strict=True)),
                                   old_names)  # fmt: skip
        above = {k for col in ("kode_kec", "kode_kab", "kode_prov") for k in villages[col]}
        kept = sorted(own_outlines(session, above))
        if kept:
            listed = ", ".join(kept[:MAX_LISTED]) + (" …" if len(kept) > MAX_LISTED else "")
            report.notes.append(Text(
                f"{len(kept)} wilayah tetap memakai batas dari file-nya sendiri (bukan gabungan "
                f"batas desa): {listed}",
                f"{len(kept)} regions keep the outline from their own file (not the dissolve "
                f"of villages): {listed}",
            ))  # fmt: skip
        return Prepared({"wilayah": villages},
                        {"diff": diff, "repaired": repaired, "kept": kept,
                         "no_geometry": int(missing.sum())})  # fmt: skip

    def _prepare_regions(self, session: Session, gdf: gpd.GeoDataFrame, rows: pd.Series,
                         level: str, code_col: str, name_col: str, scope: Scope,
                         report: ImportReport) -> Prepared | None:  # fmt: skip
        for src, dst in ((code_col, f"kode_{level}"), (name_col, f"nama_{level}")):
            if src != dst:
                report.mapped_columns[src] = dst
        kode, p1 = region_codes(as_text(gdf[code_col]), rows, level, scope, code_col)
        checked = _check_features(gdf, rows, kode, p1, code_col, name_col, report)
        if checked is None:
            return None
        nama, geoms, repaired, missing = checked
        regions = pd.DataFrame({"kode": kode, "nama": nama, "geometry": geoms})
        names: dict[str, dict[str, str]] = {}
        for up in LEVELS[: LEVELS.index(level)]:
            col = find_column(gdf, REGION_NAMES[f"nama_{up}"])
            if col is not None and col not in (code_col, name_col):
                parent = [next((a for a in codes.ancestors(k) if codes.level(a) == up), None)
                          for k in regions["kode"]]  # fmt: skip
                frame = pd.DataFrame({"kode": parent, "nama": as_text(gdf[col]).to_numpy()})
                names[up] = first_names(frame, "kode", "nama")
        report.notes.append(Text(f"File berisi {LEVEL_WORDS[level][0]} (tingkat {level}).",
                                 f"The file holds {LEVEL_WORDS[level][1]} rows (level "
                                 f"{level})."))  # fmt: skip
        if missing.any():
            report.notes.append(no_geometry_note(rows[missing], regions.loc[missing, "kode"],
                                                 regions.loc[missing, "nama"]))  # fmt: skip
            regions = regions.loc[~missing].reset_index(drop=True)
        if repaired:
            report.notes.append(repaired_note(repaired))
        report.notes += region_notes(session, regions, level)
        return Prepared({"wilayah": regions},
                        {"level": level, "repaired": repaired, "names": names,
                         "no_geometry": int(missing.sum())})  # fmt: skip

    def write(self, session: Session, prepared: Prepared, impor_id: int,
              progress: Progress) -> dict[str, int]:  # fmt: skip
        if "level" in prepared.extra:
            return self._write_regions(session, prepared, impor_id, progress)
        villages = prepared.frames["wilayah"]
        progress(1, 3, "dissolve")
        regions = derive_regions(  # leaves out regions with their own outline
            session, villages.rename(columns={"kode": "kode_desa"}),
            region_names(villages),
        )  # fmt: skip
        desa = pd.DataFrame({
            "kode": villages["kode"], "level": "desa", "nama": villages["nama"],
            "induk": villages["kode_kec"],
            "jenis": codes.village_kinds(villages["kode"]),  # None: 7th digit 3, kind unknown
            "geometry": villages["geometry"], "luas_km2": area_km2(villages["geometry"]),
            "batas_sendiri": False,
        })  # fmt: skip
        frame = pd.concat([regions, desa], ignore_index=True)  # parents before children
        progress(2, 3, "tulis")
        counts = upsert(session, "wilayah", frame, ["kode"], impor_id)
        per_level = {lvl: int((frame["level"] == lvl).sum()) for lvl in ("prov", "kab", "kec")}
        diff: BoundaryDiff = prepared.extra["diff"]
        return {"wilayah": len(frame), "desa": len(desa), **per_level, **counts,
                **diff.counts(), "diperbaiki": len(prepared.extra["repaired"]),
                "batas_sendiri_tetap": len(prepared.extra["kept"]),
                "tanpa_geometri": prepared.extra["no_geometry"],
                "jenis_tak_dikenal": int(desa["jenis"].isna().sum())}  # fmt: skip

    def _write_regions(self, session: Session, prepared: Prepared, impor_id: int,
                       progress: Progress) -> dict[str, int]:  # fmt: skip
        regions, level = prepared.frames["wilayah"], prepared.extra["level"]
        progress(1, 3, "induk")
        parents = _parent_rows(session, regions, level, prepared.extra["names"])
        own = pd.DataFrame({
            "kode": regions["kode"], "level": level, "nama": regions["nama"],
            "induk": [codes.parent(k) for k in regions["kode"]], "jenis": None,
            "geometry": regions["geometry"], "luas_km2": area_km2(regions["geometry"]),
            "batas_sendiri": True,  # the rule: later village imports keep these outlines
        })  # fmt: skip
        frame = pd.concat([f for f in (parents, own) if len(f)], ignore_index=True)
        frame = frame.sort_values("level", key=lambda s: s.map(LEVELS.index), kind="stable")
        progress(2, 3, "tulis")
        counts = upsert(session, "wilayah", frame, ["kode"], impor_id)
        per_level = {lvl: int((frame["level"] == lvl).sum()) for lvl in ("prov", "kab", "kec")}
        return {"wilayah": len(frame), "desa": 0, **per_level, **counts,
                f"{level}_sendiri": len(own),
                "diperbaiki": len(prepared.extra["repaired"]),
                "tanpa_geometri": prepared.extra["no_geometry"]}  # fmt: skip


def _check_features(
    gdf: gpd.GeoDataFrame, rows: pd.Series, kode: pd.Series, code_problems: list,
    code_col: str, name_col: str, report: ImportReport,
) -> tuple[pd.Series, Any, Any, np.ndarray] | None:
    """Names, geometries and repeated codes of features whose codes were checked.

    Every problem (the codes' included) goes into ``report``; None when there is any.
    Returns the names, the geometries, the repaired codes and the mask of the features
    without geometry (left out: not rows with a problem, not counted as valid either).
    """
    nama, p2 = checks.per_unique(as_text(gdf[name_col]), rows, name_col,
                                 lambda v: (v, None, ""))  # fmt: skip
    geoms, p3, repaired, missing = geometries(gdf.geometry, rows, kode)
    p4 = checks.duplicates(pd.DataFrame({code_col: kode}), [code_col], rows)
    for group in (code_problems, p2, p3, p4):
        report.add(group)
    bad = checks.bad_rows([*code_problems, *p2, *p3, *p4])
    report.rows_ok = int((~rows.isin(bad).to_numpy() & ~missing).sum())
    return (nama, geoms, repaired, missing) if report.ok else None
