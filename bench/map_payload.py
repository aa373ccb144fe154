"""Issue 2: map payload bytes and navigation → all village polygons drawn, served vs raw.

For the demo district and for the real Jawa Timur province file
(``shared/data/boundaries/jatim/desa_35_jawa_timur.parquet``, when present) this measures,
each beside the raw unsimplified GeoJSON of the same run:

1. the village geometry payload: served (``sedang`` geobuf: ``coverage_simplify`` 50 m,
   5 decimals) vs raw (``asli`` GeoJSON, 7 decimals), uncompressed and gzip-transferred,
   feature and vertex counts, and the time of the first (cold cache) request that builds
   it; plus holes and overlaps of the union of the polygons (gaps opened by simplifying);
2. in headless Chromium, with a fresh browser context per run (no HTTP cache):
   navigation → every village polygon drawn and the layer values applied, served vs raw
   (``?detail=asli&format=geojson``), and a week change chosen in the dropdown until
   ``pws.applyValues`` has restyled the polygons, beside the initial draw.

Programme data for Jawa Timur are generated on the real boundaries in a temporary folder
(few weeks, to stay quick); nothing is cached between runs.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geobuf
import geopandas as gpd
import numpy as np
import shapely

from bench.common import REPO, SHARED_DATA, Row, median, print_table, ratio, timed
from dashboard import context, testing
from dashboard.app import create_app
from dashboard.cache import SharedCache
from layers.store import queries

NAME = "map_payload"
DEMO_DIR = REPO / "data" / "geo" / "demo_9901"
JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
JATIM_WEEKS = ("2025-W40", "2025-W53")

SERVED = ("sedang", "geobuf")
RAW = ("asli", "geojson")
VILLAGE_PATHS = ".leaflet-overlay-pane path.pws-desa"
VIEWPORT = {"width": 1400, "height": 900}
#: holes smaller than this (m²) in the union of all villages are ignored as noise
MIN_HOLE_M2 = 1.0
#: holes at least this large (m², 1 ha) are visible when zoomed to a kecamatan
VISIBLE_HOLE_M2 = 10_000.0
SETTLED_JS = """() => new Promise(resolve => requestAnimationFrame(
    () => requestAnimationFrame(() => resolve(performance.now()))))"""

DRAWN_JS = """([sel, n]) => {
    const count = document.querySelectorAll(sel).length;
    const cur = window.pws && window.pws.current;
    return count === n && cur && cur.stamp ? performance.now() : false;
}"""
RESOURCE_JS = """(part) => performance.getEntriesByType('resource')
    .filter(e => e.name.includes(part))
    .map(e => ({name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize,
                decoded: e.decodedBodySize, start: e.startTime, end: e.responseEnd}))"""
HOOK_JS = """() => {
    const b = window.__bench = {down: null, applied: null, painted: null, stamp: null};
    document.addEventListener('pointerdown', () => { b.down = performance.now(); }, true);
    const original = window.pws.applyValues;
    window.pws.applyValues = function (data) {
        const out = original.call(window.pws, data);
        b.applied = performance.now();
        b.painted = null;
        b.stamp = data && data.stamp;
        requestAnimationFrame(() => setTimeout(() => { b.painted = performance.now(); }, 0));
        return out;
    };
}"""
WEEK_APPLIED_JS = """(prev) => {
    const b = window.__bench;
    return b && b.stamp !== null && b.stamp !== prev && b.painted !== null;
}"""


@dataclass
class Dataset:
    """A loaded database to measure and how many browser runs it gets."""

    name: str
    database_url: str
    runs: int
    cold_reps: int
    setup_s: dict[str, float] = field(default_factory=dict)


# --------------------------------------------------------------------------- datasets


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


# --------------------------------------------------------------------------- payload


def _counts(geoms: Any) -> dict[str, int]:
    return {
        "features": int(len(geoms)),
        "vertices": int(shapely.get_num_coordinates(geoms).sum()),
    }


def decode_geometries(body: bytes, fmt: str) -> Any:
    """The polygons of a village payload as a shapely array."""
    collection = geobuf.decode(body) if fmt == "geobuf" else json.loads(body)
    return shapely.from_geojson(
        [json.dumps(f["geometry"]) for f in collection["features"]]
    )


def union_defects(geoms: Any) -> dict[str, float]:
    """Holes (uncovered gaps inside the outline) and overlaps of a set of polygons, in m².

    Measured in the local UTM zone: holes are interior rings of the union, overlap is the
    sum of areas minus the area of the union.
    """
    metric = gpd.GeoSeries(geoms, crs=4326)
    metric = metric.to_crs(metric.estimate_utm_crs())
    # "structure" copes with the ring components that rounding collapsed (too few points)
    valid = shapely.make_valid(np.asarray(metric.values), method="structure",
                               keep_collapsed=False)
    union = shapely.union_all(valid)
    parts = shapely.get_parts(union)
    holes = [
        shapely.Polygon(ring).area
        for part in parts if isinstance(part, shapely.Polygon)
        for ring in part.interiors
    ]
    holes = [a for a in holes if a >= MIN_HOLE_M2]
    visible = [a for a in holes if a >= VISIBLE_HOLE_M2]
    return {
        "holes": len(holes),
        "holes_m2": float(sum(holes)),
        "holes_1ha": len(visible),
        "holes_1ha_m2": float(sum(visible)),
        "overlap_m2": max(0.0, round(float(shapely.area(valid).sum() - union.area), 1)),
    }


def measure_payload(ds: Dataset) -> dict[str, Any]:
    """Payload sizes, counts and cold/warm request times through the Flask test client."""
    app = create_app(ds.database_url)
    client = app.server.test_client()
    with app.server.app_context():
        ctx = context.current()
        scope = ctx.scope()
        with ctx.session() as session:
            version = queries.geometry_version(session)
            villages = len(queries.village_table(session, scope))

    def url(variant: tuple[str, str]) -> str:
        return f"/geo/{version}/{scope.key}/desa-{variant[0]}.{variant[1]}"

    def get(variant: tuple[str, str], encoding: str | None = None) -> tuple[float, Any]:
        headers = {"Accept-Encoding": encoding} if encoding else {}
        seconds, response = timed(lambda: client.get(url(variant), headers=headers))
        if response.status_code != 200:
            raise RuntimeError(f"{url(variant)}: HTTP {response.status_code}")
        return seconds, response

    out: dict[str, Any] = {"villages_in_db": villages}
    cold: dict[str, list[float]] = {"served": [], "raw": []}
    cold_dir = tempfile.mkdtemp(prefix="pws-bench-cache-")
    for _ in range(ds.cold_reps):
        for key, variant in (("served", SERVED), ("raw", RAW)):
            # cold: the first request builds it (a fresh, empty filesystem cache)
            ctx.geo_cache = SharedCache(directory=tempfile.mkdtemp(dir=cold_dir),
                                        store=ctx.geo_cache.store)  # fmt: skip
            seconds, _response = get(variant)
            cold[key].append(seconds)
    for key, variant in (("served", SERVED), ("raw", RAW)):
        _, plain = get(variant)
        warm = [get(variant)[0] for _ in range(3)]
        warm_gzip = []
        for _ in range(3):
            seconds, zipped = get(variant, "gzip")
            warm_gzip.append(seconds)
        if zipped.headers.get("Content-Encoding") != "gzip":
            raise RuntimeError(f"{url(variant)} was not gzip-compressed")
        body = plain.data
        assert gzip.decompress(zipped.data) == body
        geoms = decode_geometries(body, variant[1])
        defects_s, defects = timed(lambda g=geoms: union_defects(g))
        out[key] = {
            "url": url(variant),
            "bytes": len(body),
            "gzip_bytes": len(zipped.data),
            **_counts(geoms),
            "empty_geometries": int(shapely.is_empty(geoms).sum()),
            "invalid_geometries": int((~shapely.is_valid(geoms)).sum()),
            "cold_request_s": cold[key],
            "cold_request_median_s": median(cold[key]),
            "warm_request_median_s": median(warm),
            "warm_gzip_request_median_s": median(warm_gzip),
            "union_defects": defects,
            "union_defects_s": defects_s,
        }
    shutil.rmtree(cold_dir, ignore_errors=True)
    return out


# --------------------------------------------------------------------------- browser


@contextmanager
def _page(browser: Any) -> Iterator[Any]:
    browser_context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    try:
        yield browser_context.new_page()
    finally:
        browser_context.close()


def _page_url(base: str, variant: tuple[str, str]) -> str:
    if variant == SERVED:
        return f"{base}/"  # the defaults
    return f"{base}/?detail={variant[0]}&format={variant[1]}"


def browser_run(browser: Any, base: str, variant: tuple[str, str], expected: int,
                week_changes: int) -> dict[str, Any]:
    """One navigation in a fresh context: draw time, transfer sizes, week changes."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    run: dict[str, Any] = {}
    with _page(browser) as page:
        encodings: list[str] = []
        failed: list[str] = []

        def on_response(response: Any) -> None:
            if "/desa-" in response.url:
                encodings.append(response.headers.get("content-encoding", ""))
            if response.status >= 400:
                failed.append(f"HTTP {response.status} {response.url.removeprefix(base)}")

        page.on("response", on_response)
        page.goto(_page_url(base, variant))
        try:
            handle = page.wait_for_function(DRAWN_JS, arg=[VILLAGE_PATHS, expected],
                                            polling="raf", timeout=120_000)
            run["drawn_s"] = handle.json_value() / 1e3
        except PlaywrightTimeout:
            run["drawn_s"] = float("nan")
        run["paths"] = page.locator(VILLAGE_PATHS).count()
        # the rest of the page (kecamatan outlines, facility markers) after the villages
        page.wait_for_load_state("networkidle")
        run["settled_s"] = page.evaluate(SETTLED_JS) / 1e3  # includes 0.5 s of quiet
        run["last_response_s"] = page.evaluate(
            "Math.max(...performance.getEntriesByType('resource').map(e => e.responseEnd))"
        ) / 1e3
        run["facility_markers"] = page.locator("path.pws-titik").count()
        run["failed_requests"] = failed
        resources = page.evaluate(RESOURCE_JS, "/desa-")
        if resources:
            run["transfer_bytes"] = resources[-1]["transfer"]
            run["encoded_bytes"] = resources[-1]["encoded"]
            run["decoded_bytes"] = resources[-1]["decoded"]
            run["fetched_s"] = resources[-1]["end"] / 1e3
        run["content_encoding"] = encodings[-1] if encodings else None
        run["week_applied_s"], run["week_painted_s"] = [], []
        if run["drawn_s"] == run["drawn_s"]:
            page.evaluate(HOOK_JS)
            stamp = page.evaluate("window.pws.current.stamp")
            for k in range(1, week_changes + 1):
                page.click("#period")
                page.get_by_role("option").nth(k).click()
                page.wait_for_function(WEEK_APPLIED_JS, arg=stamp, polling="raf",
                                       timeout=60_000)
                b = page.evaluate("window.__bench")
                stamp = b["stamp"]
                run["week_applied_s"].append((b["applied"] - b["down"]) / 1e3)
                run["week_painted_s"].append((b["painted"] - b["down"]) / 1e3)
    return run


def measure_browser(ds: Dataset, expected: int) -> dict[str, Any]:
    """N interleaved served/raw navigations after one untimed warm-up of each."""
    out: dict[str, Any] = {"served": [], "raw": []}
    with testing.serve(ds.database_url) as base, testing.chromium() as browser:
        for variant in (SERVED, RAW):  # warm the server's geometry cache and the browser
            browser_run(browser, base, variant, expected, week_changes=0)
        for _ in range(ds.runs):
            for key, variant in (("served", SERVED), ("raw", RAW)):
                out[key].append(browser_run(browser, base, variant, expected, week_changes=2))
    for key in ("served", "raw"):
        runs = out[key]
        out[f"{key}_summary"] = {
            "drawn_median_s": median([r["drawn_s"] for r in runs]),
            "settled_median_s": median([r["settled_s"] for r in runs]),
            "last_response_median_s": median([r["last_response_s"] for r in runs]),
            "failed_requests": sorted({f for r in runs for f in r["failed_requests"]}),
            "week_applied_median_s": median([s for r in runs for s in r["week_applied_s"]]),
            "week_painted_median_s": median([s for r in runs for s in r["week_painted_s"]]),
            "transfer_bytes": median([r.get("transfer_bytes", float("nan")) for r in runs]),
            "content_encoding": runs[-1]["content_encoding"] if runs else None,
            "paths": [r["paths"] for r in runs],
        }
    return out


# --------------------------------------------------------------------------- report


def rows_for(name: str, payload: dict[str, Any], browser: dict[str, Any]) -> list[Row]:
    s, r = payload["served"], payload["raw"]
    bs, br = browser["served_summary"], browser["raw_summary"]
    raw_name = "raw asli GeoJSON"
    enc = bs["content_encoding"] or "identity"
    return [
        Row(name, "payload bytes, sedang geobuf", s["bytes"], r["bytes"], "B", raw_name),
        Row(name, "payload bytes gzip", s["gzip_bytes"], r["gzip_bytes"], "B",
            f"{raw_name}, gzip"),
        Row(name, f"Chromium transfer ({enc})", bs["transfer_bytes"], br["transfer_bytes"],
            "B", f"{raw_name}, {br['content_encoding'] or 'identity'}"),
        Row(name, "features", s["features"], r["features"], "count", raw_name),
        Row(name, "vertices", s["vertices"], r["vertices"], "count", raw_name),
        Row(name, "first request, cold cache", s["cold_request_median_s"],
            r["cold_request_median_s"], "s", "build raw"),
        Row(name, "warm request, gzip", s["warm_gzip_request_median_s"],
            r["warm_gzip_request_median_s"], "s", "raw warm, gzip"),
        Row(name, "invalid geometries", s["invalid_geometries"], r["invalid_geometries"],
            "count", raw_name),
        Row(name, "holes in union (gaps)", s["union_defects"]["holes"],
            r["union_defects"]["holes"], "count", raw_name),
        Row(name, "hole area", s["union_defects"]["holes_m2"], r["union_defects"]["holes_m2"],
            "m²", raw_name),
        Row(name, "holes ≥ 1 ha", s["union_defects"]["holes_1ha"],
            r["union_defects"]["holes_1ha"], "count", raw_name),
        Row(name, "area of holes ≥ 1 ha", s["union_defects"]["holes_1ha_m2"],
            r["union_defects"]["holes_1ha_m2"], "m²", raw_name),
        Row(name, "overlap area", s["union_defects"]["overlap_m2"],
            r["union_defects"]["overlap_m2"], "m²", raw_name),
        Row(name, "navigation → all drawn", bs["drawn_median_s"], br["drawn_median_s"], "s",
            "raw drawn"),
        Row(name, "navigation → last response", bs["last_response_median_s"],
            br["last_response_median_s"], "s", "raw last response"),
        Row(name, "week change applied", bs["week_applied_median_s"], bs["drawn_median_s"],
            "s", "initial draw (served)"),
        Row(name, "week change painted", bs["week_painted_median_s"], bs["drawn_median_s"],
            "s", "initial draw (served)"),
        Row(name, "week change applied, raw geom", br["week_applied_median_s"],
            br["drawn_median_s"], "s", "initial draw (raw)"),
    ]


def problems_for(name: str, payload: dict[str, Any], browser: dict[str, Any]) -> list[str]:
    """Things worth a reader's attention: lost polygons, new gaps, runs that timed out."""
    found = []
    n = payload["villages_in_db"]
    for key in ("served", "raw"):
        p = payload[key]
        if p["features"] != n or p["empty_geometries"]:
            found.append(f"{name}: {key} payload has {p['features']} features "
                         f"({p['empty_geometries']} empty) for {n} villages")
        if p["invalid_geometries"]:
            found.append(f"{name}: {key} payload has {p['invalid_geometries']} invalid "
                         "geometries (rounding in layers.geometry.feature_collection)")
        paths = browser[f"{key}_summary"]["paths"]
        if any(c != n for c in paths):
            found.append(f"{name}: {key} drew {paths} polygons, expected {n}")
        for failure in browser[f"{key}_summary"]["failed_requests"]:
            found.append(f"{name}: {key} page: {failure}")
        if any(r["drawn_s"] != r["drawn_s"] for r in browser[key]):
            found.append(f"{name}: {key} navigation timed out before all polygons were drawn")
    s, r = payload["served"]["union_defects"], payload["raw"]["union_defects"]
    if s["holes_m2"] > r["holes_m2"] * 1.05 or s["holes_1ha"] > r["holes_1ha"]:
        found.append(f"{name}: gaps grew with simplification: holes ≥ 1 ha {r['holes_1ha']} → "
                     f"{s['holes_1ha']}, hole area {r['holes_m2'] / 1e6:.2f} → "
                     f"{s['holes_m2'] / 1e6:.2f} km²")
    return found


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every available dataset; print the table; return the JSON record."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log lines
    # failing requests are reported as problems below, not as tracebacks
    logging.getLogger("dashboard.app").setLevel(logging.CRITICAL)
    record: dict[str, Any] = {"name": NAME, "datasets": {}, "notes": [], "problems": []}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pws-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for ds in datasets(tmp, quick, record, prepare_demo, prepare_jatim):
            if quick:
                ds.runs, ds.cold_reps = 2, 2
            print(f"{ds.name}: payload ...", flush=True)
            payload = measure_payload(ds)
            print(f"{ds.name}: Chromium, {ds.runs} runs each ...", flush=True)
            browser = measure_browser(ds, payload["villages_in_db"])
            record["datasets"][ds.name] = {
                "setup_s": ds.setup_s, "runs": ds.runs, "cold_reps": ds.cold_reps,
                "payload": payload, "browser": browser,
            }
            rows.extend(rows_for(ds.name, payload, browser))
            record["problems"].extend(problems_for(ds.name, payload, browser))
    print_table("Map payload and draw time: served (sedang geobuf) vs raw (asli GeoJSON); "
                "medians, ratio = value / baseline", rows)
    for ds_name, data in record["datasets"].items():
        s, r = data["payload"]["served"], data["payload"]["raw"]
        bs, br = data["browser"]["served_summary"], data["browser"]["raw_summary"]
        print(f"{ds_name}: simplified/raw gzip ratio {ratio(s['gzip_bytes'], r['gzip_bytes']):.3f},"
              f" draw time ratio {ratio(bs['drawn_median_s'], br['drawn_median_s']):.3f}")
    for problem in record["problems"]:
        print(f"problem: {problem}")
    record["rows"] = [row.as_dict() for row in rows]
    return record
