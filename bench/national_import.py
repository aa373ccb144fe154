"""Import time of the national boundary files (issue 12 item 4: ≤ 60 s for the village file).

The files are ../shared/data/boundaries/nasional/ (README §5): 74,840 villages of 37 provinces,
8.0 M vertices, with their kecamatan (6,709) and kabupaten (479) files. Each figure runs the
real importer (read, check every row, dissolve, write in one transaction with undo backups,
log) into a fresh SQLite store and is printed beside baselines measured in the same run:

* ``read + to_sql``: a plain ``geopandas.read_parquet`` + WKB + ``to_sql`` of the same file
  (no checks, no regions) -- the floor of any import of it;
* ``Jawa Timur, scaled``: the real importer on Jawa Timur (8,494 villages, 0.83 M vertices)
  in the same run, scaled to the national file's vertex count -- today's province-scale
  speed carried to the country.

Figures: the village file alone into an empty store (every level dissolved; median of two),
and the recommended order (kecamatan file, kabupaten file, then villages: the village import
then only dissolves provinces), wall clock and CPU (``process_time``: the machines are shared
and noisy, CPU time says what the import itself costs). The stages of the village import
(read and check / dissolve / write) are in the JSON record. ``--quick``: the three kabupaten
of the file's defects (12.01, 91.03, 96.01), once.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from bench.common import SHARED_DATA, Row, median, print_table
from bench.imports import boundaries_baseline
from layers.ingest import ImportReport, run_import
from layers.scope import Scope
from layers.store import engine as store_engine

NASIONAL = SHARED_DATA / "boundaries" / "nasional"
DESA = NASIONAL / "desa_nasional_tanpa_33.parquet"
KEC = NASIONAL / "kec_nasional_tanpa_33.parquet"
KAB = NASIONAL / "kab_nasional_tanpa_33.parquet"
JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
QUICK_KAB = ["12.01", "91.03", "96.01"]
#: issue 12's target for the national village file
TARGET_S = 60.0


def _fresh_engine(path: Path) -> Any:
    engine = store_engine.make_engine(f"sqlite:///{path}")
    store_engine.upgrade(engine)
    return engine


def _count(path: Path) -> tuple[int, int]:
    """Features and vertices of a GeoParquet file."""
    frame = gpd.read_parquet(path, columns=["geometry"])
    return len(frame), int(shapely.get_num_coordinates(frame.geometry.values).sum())


def timed_import(path: Path, db: Path, before: tuple[Path, ...] = ()
                 ) -> tuple[float, float, dict[str, float], ImportReport]:  # fmt: skip
    """Import ``before`` then ``path`` into a fresh store at ``db``: wall and CPU seconds of
    ``path``'s import, its stages (seconds from its start to each progress step: read and
    checked at ``1/3 tulis``, dissolved at ``2/3 tulis``, written at ``3/3 selesai``), report."""
    engine = _fresh_engine(db)
    try:
        for earlier in before:
            report = run_import(engine, "batas", earlier, user="bench", scope=Scope.everything())
            assert report.status == "ok", report.text("en")
        stages: dict[str, float] = {}
        wall, cpu = time.perf_counter(), time.process_time()

        def progress(done: int, total: int, what: str) -> None:
            stages.setdefault(f"{done}/{total} {what}", time.perf_counter() - wall)

        report = run_import(engine, "batas", path, user="bench", scope=Scope.everything(),
                            progress=progress)  # fmt: skip
        seconds, cpu_s = time.perf_counter() - wall, time.process_time() - cpu
        assert report.status == "ok", report.text("en")
        return seconds, cpu_s, stages, report
    finally:
        engine.dispose()


def _slice(path: Path, out: Path) -> Path:
    frame = gpd.read_parquet(path, filters=[("kode_kab", "in", QUICK_KAB)])
    frame.to_parquet(out, compression="zstd")
    return out


def run(quick: bool = False) -> dict[str, Any]:
    reps = 1 if quick else 2
    rows: list[Row] = []
    record: dict[str, Any] = {"file": str(DESA), "target_s": TARGET_S}
    with tempfile.TemporaryDirectory(prefix="pws-bench-national-") as tmp_dir:
        tmp = Path(tmp_dir)
        desa = _slice(DESA, tmp / "desa.parquet") if quick else DESA
        kec = _slice(KEC, tmp / "kec.parquet") if quick else KEC
        kab = _slice(KAB, tmp / "kab.parquet") if quick else KAB
        name = "nasional (3 kab)" if quick else "nasional"
        n_villages, n_vertices = _count(desa)

        alone, alone_cpu, base, base_cpu = [], [], [], []
        for rep in range(reps):
            seconds, cpu_s, stages, report = timed_import(desa, tmp / f"alone{rep}.sqlite")
            alone.append(seconds)
            alone_cpu.append(cpu_s)
            record.setdefault("alone_stages_s", []).append(stages)
            c0 = time.process_time()
            base.append(boundaries_baseline(desa, tmp / f"base{rep}.sqlite"))
            base_cpu.append(time.process_time() - c0)
        record["written"] = report.written
        seconds, cpu_s, stages, report = timed_import(desa, tmp / "after.sqlite", (kec, kab))
        record["after_outlines"] = {"wall_s": seconds, "cpu_s": cpu_s, "stages_s": stages,
                                    "written": report.written}  # fmt: skip
        before = time.perf_counter()
        timed_import(kab, tmp / "outlines.sqlite", (kec,))
        outlines_s = time.perf_counter() - before  # both region files, store set-up included

        jatim_s = jatim_scaled = float("nan")
        if not quick and JATIM.exists():
            jatim_s, *_ = timed_import(JATIM, tmp / "jatim.sqlite")
            jatim_scaled = jatim_s * n_vertices / _count(JATIM)[1]

        rows += [
            Row(name, f"villages ({n_villages:,}) into an empty store, s", median(alone),
                median(base), "s", "read + to_sql"),
            Row(name, "same, CPU s", median(alone_cpu), median(base_cpu), "s",
                "read + to_sql, CPU"),
            Row(name, "same, beside Jawa Timur's speed", median(alone), jatim_scaled, "s",
                f"Jawa Timur {jatim_s:.1f} s, scaled"),
            Row(name, "villages after kec + kab files (own outlines), s", seconds,
                median(base), "s", "read + to_sql"),
            Row(name, "kec + kab files, s", outlines_s, median(base), "s", "read + to_sql"),
            Row(name, "villages into an empty store vs the target", median(alone), TARGET_S,
                "s", "target 60 s"),
        ]  # fmt: skip
        record.update({"villages": n_villages, "vertices": n_vertices,
                       "alone_s": alone, "alone_cpu_s": alone_cpu, "baseline_s": base,
                       "baseline_cpu_s": base_cpu, "outlines_s": outlines_s,
                       "jatim_s": jatim_s, "jatim_scaled_s": jatim_scaled})  # fmt: skip
    print_table("National boundaries import: seconds (lower is better)", rows)
    record["rows"] = [r.as_dict() for r in rows]
    return record
