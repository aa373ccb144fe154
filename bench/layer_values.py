"""Issue 12 item 1: each registered layer's values for a province, beside its former path.

For every layer type in :data:`layers.base.REGISTRY` with its default options and its
newest period, on a provincial user's scope (``35``, Jawa Timur: 8,494 villages with the
programme data of ``pws demo --boundaries``), this measures ``layer.load``:

* **cold** — the first call after every in-process cache the layers keep was emptied and
  the engine's connections closed, in a process that has run both paths once on the demo
  district (as a serving process has: imports, compiled statements; and the numba code of
  esda is compiled first, as the application does at start-up with
  :func:`layers.diarrhoea.hotspots.warm_up` — that time is printed apart);
* **new data** — for the layers that keep something per *boundary* version (``titik_panas``
  its spatial weights, ``pustu`` the villages' populated points): the first call after an
  import of data, those caches kept — what the map pays after each import;
* **warm** — the median of :data:`WARM` further calls (data-version caches kept);
* **served** — what the map's values callback asks the server
  (:func:`dashboard.layer_values.values`, a fresh filesystem ``SharedCache``): the first
  request (computed, encoded and stored) and the median of :data:`WARM` later ones (read
  from the shared cache, as every worker is until an import or undo changes the data
  version), beside the former path's warm call;

each in wall and CPU (thread) time, beside the same figure of the layer's former path
(:mod:`layers.reference_paths`: ORM rows, a table per figure merged in pandas, a Python
label per village, esda's classes) measured in the same run; and checks that both paths
give the same table. Then the top functions of a warm call of each new path (cProfile).

The Jawa Timur store is generated once and kept under ``bench/out/`` (keyed by the
generator's and the schema's code, the boundary file and the weeks), since generating and
loading 270,000 kader with 6.7 million assessed skills takes minutes; later runs reuse it.
``--quick``: the embedded demo district only.

National scope (74,840 villages) is not measured: generating the programme data for it
(2.4 million kader) and importing the boundaries take far longer than this benchmark's
budget, and the map never computes a village layer nationally — zoomed out it aggregates
to kabupaten and kecamatan and loads the villages of the region in view (design.md §5).
"""

from __future__ import annotations

import cProfile
import hashlib
import pstats
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.common import OUT_DIR, REPO, SHARED_DATA, Row, print_table
from dashboard import context, testing
from dashboard import layer_values as served_values
from dashboard.cache import SharedCache
from layers import base, catalog, reference_paths  # noqa: F401  (catalog: every layer)
from layers.diarrhoea import hotspots, weights
from layers.kader import service as kader_service
from layers.pustu import service as pustu_service
from layers.scope import Scope
from layers.store import engine as store_engine

NAME = "layer_values"
JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
DEMO_DIR = REPO / "data" / "geo" / "demo_9901"
#: weeks of generated cases: the newest week and the same season of the year before
#: (``peringatan``'s default rule reads both)
JATIM_WEEKS = ("2024-W50", "2025-W53")
SCOPES = {"jatim": Scope.of(["35"]), "demo": Scope.everything()}
#: warm calls (median) of the new and of the former path
WARM = 5
FORMER_WARM = 3
#: layers with a cache per boundary version (measured again after a data import)
BOUNDARY_CACHED = ("titik_panas", "pustu")
PROFILE_TOP = 8
#: code whose change makes a kept store stale
_STORE_INPUTS = ("layers/demo", "layers/store/models.py", "layers/store/migrations",
                 "layers/data", "layers/ingest/write.py")  # fmt: skip


# --------------------------------------------------------------------------- stores


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for item in _STORE_INPUTS:
        path = REPO / item
        files = sorted(path.rglob("*.py")) + sorted(path.rglob("*.csv")) if path.is_dir() \
            else [path]  # fmt: skip
        for f in files:
            digest.update(str(f.relative_to(REPO)).encode())
            digest.update(f.read_bytes())
    stat = JATIM.stat()
    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}:{JATIM_WEEKS}".encode())
    return digest.hexdigest()[:16]


def jatim_store(record: dict[str, Any]) -> Path:
    """The kept Jawa Timur store (generated and loaded when missing)."""
    from layers.demo import generate_demo

    folder = OUT_DIR / f"layer_values_jatim_{_fingerprint()}"
    db = folder / "jatim.sqlite"
    if db.exists():
        record["notes"].append(f"Jawa Timur store reused: {db.relative_to(REPO)}")
        return db
    for old in OUT_DIR.glob("layer_values_jatim_*"):
        shutil.rmtree(old, ignore_errors=True)  # stale stores of older code
    print("generating the Jawa Timur store (once; kept under bench/out/) ...", flush=True)
    with tempfile.TemporaryDirectory(prefix="pws-bench-") as tmpdir:
        tmp = Path(tmpdir)
        fgb = tmp / "jatim.fgb"
        started = time.perf_counter()
        # geopandas.read_file cannot open GeoParquet here (map_data.py): FlatGeobuf
        gpd.read_parquet(JATIM).to_file(fgb, driver="FlatGeobuf")
        generate_demo(tmp / "jatim", boundaries=fgb, first_week=JATIM_WEEKS[0],
                      last_week=JATIM_WEEKS[1])  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / "jatim.sqlite.part"
        testing.loaded_database(tmp / "jatim", partial)
        partial.rename(db)
        record["notes"].append(f"Jawa Timur store generated and loaded in "
                               f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    return db


def demo_store(tmp: Path) -> Path:
    path = tmp / "demo.sqlite"
    testing.loaded_database(DEMO_DIR, path)
    return path


# --------------------------------------------------------------------------- timing


def clear_caches(boundary: bool = True) -> None:
    """Empty the caches the layers keep: per data version always, per boundary version
    (weights, populated points) when ``boundary``."""
    kader_service._ROSTERS.clear()
    reference_paths.clear_caches()
    if boundary:
        weights.clear_cache()
        pustu_service._POINTS.clear()


def _timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    wall, cpu = time.perf_counter(), time.thread_time()
    result = fn()
    return (time.perf_counter() - wall) * 1e3, (time.thread_time() - cpu) * 1e3, result


def measure(engine: Engine, scope: Scope, layer: base.Layer, period: base.Period,
            load: Callable[..., base.LayerResult], warm: int) -> dict[str, Any]:  # fmt: skip
    """Cold, new-data (where it differs) and warm times of one path, in ms."""
    out: dict[str, Any] = {}

    def call() -> base.LayerResult:
        with Session(engine) as session:
            return load(layer, session, scope, period)

    clear_caches()
    engine.dispose()
    out["cold_ms"], out["cold_cpu_ms"], result = _timed(call)
    if layer.type in BOUNDARY_CACHED:
        clear_caches(boundary=False)
        engine.dispose()
        out["new_data_ms"], out["new_data_cpu_ms"], _ = _timed(call)
    runs = [_timed(call)[:2] for _ in range(warm)]
    out["warm_ms"] = statistics.median(r[0] for r in runs)
    out["warm_cpu_ms"] = statistics.median(r[1] for r in runs)
    out["rows"] = len(result.table)
    out["result"] = result
    return out


def _new(layer: base.Layer, session: Session, scope: Scope,
         period: base.Period) -> base.LayerResult:  # fmt: skip
    return layer.load(session, scope, period)


def _former(layer: base.Layer, session: Session, scope: Scope,
            period: base.Period) -> base.LayerResult:  # fmt: skip
    return reference_paths.former_load(layer, session, scope, period)


def same_table(new: base.LayerResult, former: base.LayerResult) -> str:
    """``same`` when both tables agree on every column the former has (the new
    ``peringatan`` table leaves out the per-village reason sentences), else the difference."""
    cols = [c for c in former.table.columns if c in new.table.columns]
    try:
        pd.testing.assert_frame_equal(new.table[cols], former.table[cols], check_exact=True)
    except AssertionError as exc:
        return f"DIFFERENT: {str(exc).splitlines()[0]}"
    if new.summary != former.summary:
        return "DIFFERENT summary"
    left = sorted(set(former.table.columns) - set(new.table.columns))
    return "same" + (f" (without {', '.join(left)})" if left else "")


def profile(engine: Engine, scope: Scope, layer: base.Layer,
            period: base.Period) -> list[dict[str, Any]]:  # fmt: skip
    """The functions taking the most own time in one warm call of the new path."""
    with Session(engine) as session:
        layer.load(session, scope, period)  # the caches of the new path filled again
        prof = cProfile.Profile(time.thread_time)
        prof.enable()
        layer.load(session, scope, period)
        prof.disable()
    stats = pstats.Stats(prof)
    items = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
    return [{"function": f"{Path(file).name}:{line}({name})", "own_ms": round(tt * 1e3, 1),
             "cum_ms": round(ct * 1e3, 1), "calls": nc}
            for (file, line, name), (_cc, nc, tt, ct, _callers) in items[:PROFILE_TOP]]  # fmt: skip


# --------------------------------------------------------------------------- run


def measure_served(engine: Engine, scope: Scope, layer: base.Layer, period: base.Period,
                   cache_dir: Path, warm: int) -> dict[str, float]:
    """What the map's values callback asks the server (:func:`dashboard.layer_values.values`:
    the layer's classes and labels for the scope, encoded, in the shared cache): the first
    request (computed and stored) and the median of ``warm`` later ones (served from the
    filesystem cache, as any worker is until an import or undo changes the data version)."""
    ctx = context.AppContext(engine, scope_resolver=lambda: scope,
                             geo_cache=SharedCache(directory=cache_dir))  # fmt: skip
    req = served_values.parse(layer.config(), base.period_text(period), None, "id")
    clear_caches()
    first = _timed(lambda: served_values.values(ctx, req))[0]
    later = [_timed(lambda: served_values.values(ctx, req))[0] for _ in range(warm)]
    return {"first_ms": first, "cached_ms": statistics.median(later)}


def measure_store(name: str, db: Path, quick: bool) -> tuple[list[Row], dict[str, Any]]:
    engine = store_engine.make_engine(f"sqlite:///{db}")
    scope = SCOPES[name]
    rows: list[Row] = []
    found: dict[str, Any] = {}
    try:
        for kind in sorted(base.REGISTRY):
            layer = base.REGISTRY[kind]()
            with Session(engine) as session:
                periods = layer.periods(session, scope)
            period = periods[0] if periods else None
            print(f"{name}: {kind} ({base.period_text(period) or 'snapshot'}) ...", flush=True)
            warm = 2 if quick else WARM
            new = measure(engine, scope, layer, period, _new, warm)
            former = measure(engine, scope, layer, period, _former,
                             2 if quick else FORMER_WARM)  # fmt: skip
            check = same_table(new.pop("result"), former.pop("result"))
            top = profile(engine, scope, layer, period)
            with tempfile.TemporaryDirectory(prefix="pws-bench-cache-") as cache_dir:
                served = measure_served(engine, scope, layer, period, Path(cache_dir), warm)
            found[kind] = {"period": base.period_text(period), "new": new, "former": former,
                           "table": check, "profile": top, "served": served}  # fmt: skip
            label = f"{name} {kind}"
            figures = [("cold", "cold_ms", "cold_cpu_ms")]
            if "new_data_ms" in new:
                figures.append(("after a data import", "new_data_ms", "new_data_cpu_ms"))
            figures.append((f"warm (median of {warm})", "warm_ms", "warm_cpu_ms"))
            for figure, wall, cpu in figures:
                rows.append(Row(label, f"{figure}, wall", new[wall] / 1e3, former[wall] / 1e3,
                                "s", "former path"))  # fmt: skip
                rows.append(Row(label, f"{figure}, CPU", new[cpu] / 1e3, former[cpu] / 1e3,
                                "s", "former path"))  # fmt: skip
            rows.append(Row(label, f"villages (table {check})", new["rows"], former["rows"],
                            "count", "former path"))  # fmt: skip
            rows.append(Row(label, "served values, first request (computed, cached)",
                            served["first_ms"] / 1e3, former["warm_ms"] / 1e3, "s",
                            "former path, warm"))  # fmt: skip
            rows.append(Row(label, f"served values, later requests (median of {warm})",
                            served["cached_ms"] / 1e3, former["warm_ms"] / 1e3, "s",
                            "former path, warm"))  # fmt: skip
    finally:
        engine.dispose()
    return rows, found


def warm_process(db: Path) -> None:
    """Both paths of every layer once on the demo store, untimed: what any served process
    has done before (imports, SQLAlchemy's compiled statements, pyproj's transformers), so
    that neither path's cold call pays it for the other."""
    engine = store_engine.make_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            for kind in sorted(base.REGISTRY):
                layer = base.REGISTRY[kind]()
                periods = layer.periods(session, SCOPES["demo"])
                period = periods[0] if periods else None
                _new(layer, session, SCOPES["demo"], period)
                _former(layer, session, SCOPES["demo"], period)
    finally:
        engine.dispose()


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every registered layer on each store; print the table; return the record."""
    warnings.simplefilter("ignore", DeprecationWarning)
    record: dict[str, Any] = {"name": NAME, "notes": [], "stores": {}}
    print("compiling esda's numba code (hotspots.warm_up, as at application start) ...",
          flush=True)  # fmt: skip
    record["warm_up_s"] = hotspots.warm_up()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pws-bench-") as tmpdir:
        stores = {"demo": demo_store(Path(tmpdir))}
        if quick:
            record["notes"].append("Jawa Timur not measured: skipped by --quick")
        elif not JATIM.exists():
            record["notes"].append(f"Jawa Timur not measured: {JATIM} is absent")
        else:
            stores["jatim"] = jatim_store(record)
        record["notes"].append("national scope not measured (see the module docstring)")
        warm_process(stores["demo"])
        for name, db in stores.items():
            found_rows, found = measure_store(name, db, quick)
            rows += found_rows
            record["stores"][name] = found
    print_table("Layer values: layer.load of each registered layer (default options, newest "
                "period), value = new path, baseline = former path, same run", rows)
    for name, layers in record["stores"].items():
        for kind, data in layers.items():
            top = ", ".join(f"{p['function']} {p['own_ms']:.0f} ms" for p in data["profile"][:4])
            print(f"{name} {kind}: warm profile (own CPU time): {top}")
    print(f"esda numba compile (warm_up, once per process): {record['warm_up_s']:.1f} s")
    for note in record["notes"]:
        print(f"note: {note}")
    record["rows"] = [row.as_dict() for row in rows]
    return record
