"""Import speed: Jawa Timur boundaries and a million-row weekly case file.

Each import runs through the real importer (read, validate every row, write in one
transaction with undo backups, log) and is printed as rows per second beside a plain
``read + to_sql`` of the same file into the same kind of database, measured in the same
run. ``--quick`` uses Banyuwangi and 30,000 rows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from bench.common import SHARED_DATA, Row, median, print_table, timed
from layers.epiweek import EpiWeek, week_range
from layers.ingest import run_import
from layers.scope import Scope
from layers.store import engine as store_engine

JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
BANYUWANGI = SHARED_DATA / "boundaries" / "desa_3510_banyuwangi.geojson"


def _fresh_engine(path: Path) -> Any:
    engine = store_engine.make_engine(f"sqlite:///{path}")
    store_engine.upgrade(engine)
    return engine


def _read_boundaries(path: Path) -> gpd.GeoDataFrame:
    return gpd.read_parquet(path) if path.suffix == ".parquet" else gpd.read_file(path)


def boundaries_baseline(path: Path, db: Path) -> float:
    """Plain read + WKB + to_sql of the same villages (no checks, no regions)."""
    engine = _fresh_engine(db)

    def load() -> None:
        frame = _read_boundaries(path)
        plain = pd.DataFrame(frame.drop(columns="geometry"))
        plain["geometry"] = shapely.to_wkb(frame.geometry.values)
        plain.to_sql("batas_polos", engine, if_exists="replace", index=False)

    seconds, _ = timed(load)
    engine.dispose()
    return seconds


def case_file(codes: list[str], rows_wanted: int, out: Path) -> int:
    """A long-layout case CSV with about ``rows_wanted`` rows over past epi weeks."""
    weeks_needed = max(1, -(-rows_wanted // len(codes)))
    first = EpiWeek(2024, 1)
    weeks = list(week_range(first, first + (weeks_needed - 1)))
    rng = np.random.default_rng(35)
    frame = pd.DataFrame({
        "kode_desa": np.repeat(codes, len(weeks)),
        "penyakit": "diare_akut",
        "tahun": np.tile([w.year for w in weeks], len(codes)),
        "minggu": np.tile([w.week for w in weeks], len(codes)),
        "kasus": rng.poisson(2.0, len(codes) * len(weeks)),
    })
    frame["kematian"] = (frame["kasus"] > 6).astype(int)
    frame.to_csv(out, index=False)
    return len(frame)


def cases_baseline(path: Path, db: Path) -> float:
    engine = _fresh_engine(db)

    def load() -> None:
        frame = pd.read_csv(path, dtype={"kode_desa": str, "penyakit": str})
        frame.to_sql("kasus_polos", engine, if_exists="replace", index=False, chunksize=20_000)

    seconds, _ = timed(load)
    engine.dispose()
    return seconds


def run(quick: bool = False) -> dict[str, Any]:
    boundaries = BANYUWANGI if quick or not JATIM.exists() else JATIM
    name = "Banyuwangi" if boundaries == BANYUWANGI else "Jawa Timur"
    n_rows = 30_000 if quick else 1_000_000  # past weeks only: 217 villages x 139 weeks
    reps = 1 if not quick else 2
    rows: list[Row] = []
    record: dict[str, Any] = {"boundaries": str(boundaries), "case_rows_wanted": n_rows}
    with tempfile.TemporaryDirectory(prefix="pws-bench-import-") as tmp_dir:
        tmp = Path(tmp_dir)
        n_villages = len(_read_boundaries(boundaries))
        ours, base = [], []
        for rep in range(reps):
            engine = _fresh_engine(tmp / f"b{rep}.sqlite")
            seconds, report = timed(lambda e=engine: run_import(
                e, "batas", boundaries, user="bench", scope=Scope.everything()))  # fmt: skip
            assert report.status == "ok", report.text("en")
            ours.append(seconds)
            base.append(boundaries_baseline(boundaries, tmp / f"bb{rep}.sqlite"))
            if rep < reps - 1:
                engine.dispose()
        rows.append(Row(name, "boundaries import, villages/s", n_villages / median(ours),
                        n_villages / median(base), "rows/s", "read + to_sql"))  # fmt: skip
        record["boundaries_s"] = {"ours": ours, "baseline": base}

        codes = sorted(_read_boundaries(boundaries)["kode_desa"])
        csv_path = tmp / "kasus.csv"
        total = case_file(codes, n_rows, csv_path)
        seconds, report = timed(lambda: run_import(
            engine, "kasus", csv_path, user="bench", scope=Scope.everything()))  # fmt: skip
        assert report.status == "ok", report.text("en")
        again, report2 = timed(lambda: run_import(
            engine, "kasus", csv_path, user="bench", scope=Scope.everything()))  # fmt: skip
        assert report2.written["updated"] == total
        baseline = cases_baseline(csv_path, tmp / "c.sqlite")
        rows.append(Row(name, f"cases import ({total:,} rows, new), rows/s", total / seconds,
                        total / baseline, "rows/s", "read_csv + to_sql"))  # fmt: skip
        rows.append(Row(name, f"cases re-import ({total:,} rows, all updated), rows/s",
                        total / again, total / baseline, "rows/s", "read_csv + to_sql"))
        record["cases_s"] = {"new": seconds, "update": again, "baseline": baseline,
                             "rows": total}  # fmt: skip
        engine.dispose()
    print_table("Imports: rows per second (higher is better)", rows)
    record["rows"] = [r.as_dict() for r in rows]
    return record
