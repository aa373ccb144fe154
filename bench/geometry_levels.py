"""Issue 12 item 2: map geometry per level and zoom (``layers.levels``) beside today's path.

For Jawa Timur (``shared/data/boundaries/jatim``, 8,494 villages) and the national file
(``shared/data/boundaries/nasional``, 74,840 villages) this measures, each beside a baseline of
the same run:

* the time to build every level at every detail (:func:`layers.levels.build_levels`: clean
  coverage, gap merging, one ``coverage_simplify`` per detail, grouped unions), wall clock and
  CPU, beside today's path: ``layers.geometry.simplify_coverage`` of the raw village file at
  the village details' tolerances, summed (what the server spends per scope today);
* per level and detail (``desa-rendah``, ``kab-nasional``, ...): vertices and the encoded
  payload (``layers.geometry.feature_collection`` + geobuf at the detail's precision, and its
  gzip) beside today's path at the same tolerance (``simplify_coverage`` of the raw file of
  that level: the village, kecamatan or kabupaten file; provinces: the kabupaten file
  dissolved);
* holes (>= 1 m², >= 1 ha) and overlaps of each level (:func:`layers.levels.defects`, in
  EPSG:6933) beside the raw file's and beside today's path.

National figures: the raw files and today's path are not coverages, so their union
(``union_all``) is taken **per province** and summed -- gaps and overlaps along province
borders are not counted (their true figures are higher); the levels are measured the same way
beside them, and also as one national union (province borders included). The holes of at
least 1 ha of the national villages are listed (area, centre, provinces around: lakes or gaps).
Village payloads of more than :data:`MAX_ENCODE_VERTICES` vertices are not encoded (the map
never sends the whole nation's villages: it loads them per visible region). ``--quick``: the
villages of one kabupaten (35.10 Banyuwangi) from the Jawa Timur file.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from bench.common import SHARED_DATA, Row, print_table
from layers import geometry, levels

NAME = "geometry_levels"
JATIM = SHARED_DATA / "boundaries" / "jatim"
NASIONAL = SHARED_DATA / "boundaries" / "nasional"
#: dataset -> (village file, kecamatan file, kabupaten file)
FILES = {
    "jatim": (JATIM / "desa_35_jawa_timur.parquet", JATIM / "kec_35_jawa_timur.parquet",
              JATIM / "kab_35_jawa_timur.parquet"),
    "nasional": (NASIONAL / "desa_nasional_tanpa_33.parquet",
                 NASIONAL / "kec_nasional_tanpa_33.parquet",
                 NASIONAL / "kab_nasional_tanpa_33.parquet"),
}  # fmt: skip
QUICK_KAB = "35.10"
#: village payloads larger than this are not encoded (never sent whole)
MAX_ENCODE_VERTICES = 2_000_000
#: the raw region file's code column per level
CODE_COLUMN = {"desa": "kode_desa", "kec": "kode_kec", "kab": "kode_kab", "prov": "kode_prov"}


def read(dataset: str, quick: bool) -> dict[str, gpd.GeoDataFrame]:
    """The raw village, kecamatan, kabupaten files and provinces (kabupaten dissolved)."""
    desa_path, kec_path, kab_path = FILES[dataset]
    filters = [("kode_kab", "==", QUICK_KAB)] if quick else None
    raw = {
        "desa": gpd.read_parquet(desa_path, filters=filters),
        "kec": gpd.read_parquet(kec_path, filters=filters),
        "kab": gpd.read_parquet(kab_path, filters=filters),
    }
    for level in ("desa", "kec", "kab"):
        frame = raw[level]
        raw[level] = frame[frame.geometry.notna()].reset_index(drop=True)
    kab = raw["kab"].assign(kode_prov=raw["kab"]["kode_kab"].str.slice(0, 2))
    provs = sorted(kab["kode_prov"].unique())
    raw["prov"] = gpd.GeoDataFrame(
        {"kode_prov": provs},
        geometry=[shapely.union_all(kab.geometry.values[kab["kode_prov"].to_numpy() == p])
                  for p in provs],
        crs=kab.crs,
    )  # fmt: skip
    for level in ("kec", "kab", "prov"):
        raw[level] = raw[level].rename(columns={CODE_COLUMN[level]: "kode"})
    return raw


def today(raw: dict[str, gpd.GeoDataFrame], level: str, detail: levels.Detail
          ) -> tuple[float, gpd.GeoDataFrame]:  # fmt: skip
    """Today's path at a level and detail: seconds and ``simplify_coverage`` of the raw file."""
    start = time.perf_counter()
    out = geometry.simplify_coverage(raw[level], detail.tolerance_m)
    return time.perf_counter() - start, out


def payload(frame: gpd.GeoDataFrame, level: str, detail: levels.Detail) -> dict[str, float]:
    """Vertices, geobuf bytes and gzip bytes of a level (NaN bytes when too large)."""
    vertices = levels.vertex_count(frame.geometry)
    out = {"vertices": float(vertices), "bytes": float("nan"), "gzip_bytes": float("nan")}
    if level == "desa" and vertices > MAX_ENCODE_VERTICES:
        return out
    props = [c for c in ("kode", "kode_desa", "nama", "nama_desa") if c in frame.columns]
    collection = geometry.feature_collection(frame, props, detail.precision)
    body = geometry.encode(collection, "geobuf", detail.precision)
    out["bytes"] = float(len(body))
    out["gzip_bytes"] = float(len(gzip.compress(body, compresslevel=6)))
    return out


def defects_of(frame: gpd.GeoDataFrame, by_province: bool) -> dict[str, Any]:
    """:func:`layers.levels.defects` of a frame, or summed over its provinces."""
    if not by_province:
        return levels.defects(frame.geometry).as_dict()
    code = frame["kode_desa"] if "kode_desa" in frame.columns else frame["kode"]
    prov = code.astype(str).str.slice(0, 2).to_numpy()
    parts = [levels.defects(frame.geometry[prov == p]) for p in np.unique(prov)]
    out = {k: sum(getattr(d, k) for d in parts)
           for k in ("holes", "holes_m2", "holes_1ha", "holes_1ha_m2", "overlap_m2")}  # fmt: skip
    out["coverage"] = all(d.coverage for d in parts)
    return out


def visible_holes(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """The holes of at least 1 ha in the union of ``frame`` (villages: ``kode_desa`` or
    ``kode``), the largest first: area, centre and the provinces of the villages around
    each (a lake or a gap between neighbours: look it up)."""
    gaps, _overlap, _coverage = levels.holes(frame.geometry)
    big = gaps[shapely.area(gaps) >= levels.VISIBLE_HOLE_M2]
    big = big[np.argsort(-shapely.area(big))]
    around = np.asarray(frame.geometry.to_crs(levels.EQUAL_AREA_CRS).values, dtype=object)
    hole_i, village_i = shapely.STRtree(around).query(big, predicate="intersects")
    centres = gpd.GeoSeries(shapely.centroid(big), crs=levels.EQUAL_AREA_CRS).to_crs(4326)
    code = frame["kode_desa"] if "kode_desa" in frame.columns else frame["kode"]
    codes = code.astype(str).str.slice(0, 2).to_numpy()
    return [{"km2": float(shapely.area(hole)) / 1e6, "lon": float(centre.x),
             "lat": float(centre.y),
             "provinces": sorted(set(codes[village_i[hole_i == i]]))}
            for i, (hole, centre) in enumerate(zip(big, centres, strict=True))]  # fmt: skip


def timed_cpu(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``fn`` once: wall seconds, CPU seconds (the machines are shared), its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(dataset: str, quick: bool) -> tuple[list[Row], dict[str, Any]]:
    """Build the levels of one dataset and measure them beside the raw files and today."""
    name = f"{dataset} ({QUICK_KAB})" if quick else dataset
    national = dataset == "nasional"
    print(f"{name}: reading ...", flush=True)
    raw = read(dataset, quick)
    print(f"{name}: building levels ({len(raw['desa']):,} villages) ...", flush=True)
    timings: dict[str, float] = {}
    build_s, build_cpu, built = timed_cpu(lambda: levels.build_levels(raw["desa"],
                                                                      timings=timings))
    record: dict[str, Any] = {"villages": len(raw["desa"]), "build_s": build_s,
                              "build_cpu_s": build_cpu, "stages_s": timings, "levels": {}}
    today_s = today_cpu = 0.0
    rows: list[Row] = []
    raw_defects: dict[str, dict[str, Any]] = {}
    for detail in levels.DETAILS.values():
        for level in detail.levels:
            key = detail.key(level)
            print(f"{name}: {key} ...", flush=True)
            wall, cpu, (seconds, base) = timed_cpu(lambda lv=level, d=detail: today(raw, lv, d))
            if level == "desa":
                today_s, today_cpu = today_s + wall, today_cpu + cpu
            if level not in raw_defects:
                raw_defects[level] = defects_of(raw[level], national)
            whole = levels.defects(built[key].geometry).as_dict()
            # nationally measured like the raw file (per province) beside it; the whole
            # country's union, province borders included, is shown as well
            mine = {**payload(built[key], level, detail),
                    **(defects_of(built[key], True) if national else whole)}
            theirs = {**payload(base, level, detail), **defects_of(base, national),
                      "seconds": seconds}  # fmt: skip
            record["levels"][key] = {"levels": mine, "today": theirs, "raw": raw_defects[level],
                                     "levels_one_union": whole}  # fmt: skip
            rows.extend(level_rows(name, key, detail, mine, theirs, raw_defects[level]))
            if national:
                rows.append(Row(name, f"{key} holes ≥ 1 ha, one national union",
                                whole["holes_1ha"], mine["holes_1ha"], "count",
                                "per province"))  # fmt: skip
    record.update({"today_desa_s": today_s, "today_desa_cpu_s": today_cpu})
    if national:
        first = next(d for d in levels.DETAILS.values() if "desa" in d.levels).key("desa")
        record["visible_holes"] = {"level": first, "holes": visible_holes(built[first])}
    tolerances = "/".join(f"{d.tolerance_m:g}" for d in levels.DETAILS.values()
                          if "desa" in d.levels)  # fmt: skip
    rows[:0] = [
        Row(name, "build all levels, wall", build_s, today_s, "s",
            f"today: simplify_coverage desa {tolerances} m"),
        Row(name, "build all levels, CPU", build_cpu, today_cpu, "s", "today, CPU"),
    ]  # fmt: skip
    return rows, record


def level_rows(name: str, key: str, detail: levels.Detail, mine: dict[str, Any],
               theirs: dict[str, Any], raw: dict[str, Any]) -> list[Row]:  # fmt: skip
    """The printed rows of one level: payload beside today, defects beside raw and today."""
    today_name = f"today {detail.tolerance_m:g} m"
    return [
        Row(name, f"{key} vertices", mine["vertices"], theirs["vertices"], "count", today_name),
        Row(name, f"{key} geobuf gzip", mine["gzip_bytes"], theirs["gzip_bytes"], "B",
            today_name),
        Row(name, f"{key} holes ≥ 1 ha", mine["holes_1ha"], raw["holes_1ha"], "count",
            "raw file"),
        Row(name, f"{key} holes ≥ 1 ha", mine["holes_1ha"], theirs["holes_1ha"], "count",
            today_name),
        Row(name, f"{key} area of holes ≥ 1 ha", mine["holes_1ha_m2"], raw["holes_1ha_m2"],
            "m²", "raw file"),
        Row(name, f"{key} hole area (≥ 1 m²)", mine["holes_m2"], raw["holes_m2"], "m²",
            "raw file"),
        Row(name, f"{key} hole area (≥ 1 m²)", mine["holes_m2"], theirs["holes_m2"], "m²",
            today_name),
        Row(name, f"{key} overlap area", mine["overlap_m2"], raw["overlap_m2"], "m²",
            "raw file"),
        Row(name, f"{key} overlap area", mine["overlap_m2"], theirs["overlap_m2"], "m²",
            today_name),
    ]  # fmt: skip


def run(quick: bool = False) -> dict[str, Any]:
    """Measure Jawa Timur and the nation (one kabupaten with ``--quick``); print the table."""
    record: dict[str, Any] = {"name": NAME, "datasets": {}, "notes": [], "problems": []}
    rows: list[Row] = []
    for dataset in ("jatim",) if quick else ("jatim", "nasional"):
        missing = [str(p) for p in FILES[dataset] if not Path(p).exists()]
        if missing:
            note = f"{dataset} not measured: missing {', '.join(missing)}"
            print(note)
            record["notes"].append(note)
            continue
        found, data = measure(dataset, quick)
        rows.extend(found)
        record["datasets"][dataset] = data
        for key, lv in data["levels"].items():
            mine, raw = lv["levels"], lv["raw"]
            if (mine["holes_1ha"] > raw["holes_1ha"] or mine["holes_1ha_m2"] > raw["holes_1ha_m2"]
                    or mine["overlap_m2"] > raw["overlap_m2"]):  # fmt: skip
                record["problems"].append(f"{dataset} {key}: more holes or overlap than raw")
    if not quick:
        record["notes"].append("nasional: defects summed per province for the levels, the raw "
                               "file and today's path alike (gaps and overlaps along province "
                               "borders not counted); the levels' whole-country union beside")
        found = record["datasets"].get("nasional", {}).get("visible_holes")
        for hole in (found or {}).get("holes", []):
            print(f"nasional {found['level']}: hole ≥ 1 ha of {hole['km2']:.2f} km² at "
                  f"{hole['lat']:.3f}, {hole['lon']:.3f} (provinces "
                  f"{', '.join(hole['provinces'])})")
    print_table("Map geometry per level and detail (layers.levels) beside the raw files and "
                "today's simplify_coverage; ratio = value / baseline", rows)
    for note in record["notes"]:
        print(f"note: {note}")
    for problem in record["problems"]:
        print(f"problem: {problem}")
    record["rows"] = [row.as_dict() for row in rows]
    return record
