"""The datasets the map benchmarks measure: the demo district and Jawa Timur, loaded into
SQLite, and the national village store for the drill-down.

:func:`datasets` is shared by ``bench/map_payload.py``, ``bench/map_image.py`` and
``bench/present.py``; :func:`prepare_jatim_map` is the map's cheaper Jawa Timur (no kader).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import geopandas as gpd

from bench.common import REPO, SHARED_DATA, timed
from dashboard import testing

DEMO_DIR = REPO / "data" / "geo" / "demo_9901"
JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
JATIM_WEEKS = ("2025-W40", "2025-W53")
NATIONAL = SHARED_DATA / "boundaries" / "nasional" / "desa_nasional_tanpa_33.parquet"
#: warm navigations per variant and dataset (``--quick``: 2)
RUNS = 3


@dataclass
class Dataset:
    """A loaded database to measure and how many browser runs it gets."""

    name: str
    database_url: str
    runs: int
    cold_reps: int
    setup_s: dict[str, float] = field(default_factory=dict)



def prepare_demo(tmp: Path) -> Dataset:
    seconds, url = timed(lambda: testing.loaded_database(DEMO_DIR, tmp / "demo.sqlite"))
    return Dataset("demo", url, runs=5, cold_reps=5, setup_s={"load": seconds})


def prepare_jatim(tmp: Path) -> Dataset:
    """Programme data generated on the real Jawa Timur villages, loaded into SQLite.

    The GeoParquet is read with pyarrow and handed to ``generate_demo`` as FlatGeobuf:
    ``layers.demo.write.read_boundaries`` uses ``geopandas.read_file``, whose bundled
    GDAL here cannot open Parquet (its ADBC driver wants libduckdb).
    """
    from layers.demo import generate_demo

    setup: dict[str, float] = {}
    fgb = tmp / "jatim.fgb"
    setup["convert"], _ = timed(
        lambda: gpd.read_parquet(JATIM).to_file(fgb, driver="FlatGeobuf")
    )
    folder = tmp / "jatim"
    setup["generate"], _ = timed(lambda: generate_demo(
        folder, boundaries=fgb, first_week=JATIM_WEEKS[0], last_week=JATIM_WEEKS[1]
    ))
    setup["load"], url = timed(lambda: testing.loaded_database(folder, tmp / "jatim.sqlite"))
    return Dataset("jatim", url, runs=3, cold_reps=3, setup_s=setup)


def jatim_unavailable() -> str | None:
    """Why the Jawa Timur dataset cannot be measured, or None when it can."""
    if not JATIM.exists():
        return f"{JATIM} is absent"
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return "pyarrow is not installed (geopandas.read_parquet needs it)"
    return None


def datasets(tmp: Path, quick: bool, record: dict[str, Any], demo: Callable[[Path], Dataset],
             jatim: Callable[[Path], Dataset]) -> list[Dataset]:  # fmt: skip
    """The demo, and Jawa Timur unless ``--quick`` or its file is missing (the reason is
    printed and noted in ``record``); the benchmarks measuring both share this."""
    found = [demo(tmp)]
    reason = "skipped by --quick" if quick else jatim_unavailable()
    if reason:
        note = f"Jawa Timur not measured: {reason}; demo only"
        print(note)
        record["notes"].append(note)
    else:
        print("preparing Jawa Timur (generate + load) ...", flush=True)
        found.append(jatim(tmp))
    return found


def prepare_jatim_map(tmp: Path) -> Dataset:
    """:func:`prepare_jatim` without kader, which the map does not read: their generation
    and loading are most of that preparation's time (minutes on two busy cores). The kader
    table is generated for no Posyandu and its file removed before loading (the loader skips
    an absent file; an empty one it cannot load); every other table is the same, each drawn
    from its own random stream."""
    from layers.demo import generate_demo, programme

    real = programme.kader_table

    def no_kader(posyandu: Any, rng: Any, **kwargs: Any) -> Any:
        return real(posyandu.iloc[:0], rng, **kwargs)

    setup: dict[str, float] = {}
    fgb = tmp / "jatim.fgb"
    setup["convert"], _ = timed(
        lambda: gpd.read_parquet(JATIM).to_file(fgb, driver="FlatGeobuf")
    )
    folder = tmp / "jatim"
    with mock.patch.object(programme, "kader_table", no_kader):
        setup["generate"], paths = timed(lambda: generate_demo(
            folder, boundaries=fgb, first_week=JATIM_WEEKS[0], last_week=JATIM_WEEKS[1]
        ))
    paths["kader"].unlink()
    setup["load"], url = timed(lambda: testing.loaded_database(folder, tmp / "jatim.sqlite"))
    return Dataset("jatim", url, runs=RUNS, cold_reps=1, setup_s=setup)


def national_store(tmp: Path) -> tuple[str, dict[str, float]]:
    """The national village file imported into a fresh SQLite store (no programme data)."""
    from bench.national_import import timed_import

    db = tmp / "nasional.sqlite"
    seconds, _cpu, _stages, _report = timed_import(NATIONAL, db)
    return f"sqlite:///{db}", {"import": seconds}
