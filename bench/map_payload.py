"""Issue 12: the map at province and country scale, served geometry beside the raw baseline.

Targets (issue 12): navigation → drawn ≤ 2.0 s and week change → painted ≤ 150 ms for Jawa
Timur (8,494 villages), ≤ 3 s for the national view. For the demo district and for the real
Jawa Timur province file (``shared/data/boundaries/jatim/desa_35_jawa_timur.parquet``, when
present) this measures, each beside the raw unsimplified GeoJSON of the same run
(``?detail=asli&format=geojson``: the same page drawing every village as stored, on SVG):

1. in headless Chromium, a fresh browser context per run (no HTTP cache) but a WARM server
   cache (the shared cache already holds geometry and values): navigation → every village
   the page has drawn (``pws.layers`` on the map, regions aside; compared with the villages
   in the store) and the layer values applied, and the frame after; for the served default
   on SVG (``desa-rendah`` geobuf: the clean coverage simplified at 800 m, refined per
   kabupaten chunk as the view needs), served on a canvas (``?render=canvas``) and raw;
   medians of :data:`RUNS` interleaved runs, with when the values and the village geometry
   arrived. Before them, once, the first navigation on a COLD server cache (a fresh
   ``SharedCache`` in a fresh folder): it includes building the clean coverage (~30 s for
   Jawa Timur on an idle machine, once per boundary version), the outlines and the values;
   what it made is printed (``pws.cache``'s ``made …`` lines); the raw geometry is then made
   by one request through the test client (its time printed beside the clean coverage's);
2. a week change chosen in the dropdown → ``pws.applyValues`` applied and → painted (the
   frame after), served SVG and canvas beside raw SVG; and on the cold navigation, with the
   week's values not computed yet;
3. bytes per view, from Chromium's own counts (encoded body + headers per request): the
   geometry requests (``/geo/`` but the facility points), the layer values' callback
   response (``layer-values``, beside its decoded size) and everything, per navigation and
   per week change, and the tooltip texts fetched after painting; a week change must fetch
   no ``/geo/`` URL (counted; a problem when not zero);
4. the village payload through the Flask test client: served ``desa-rendah`` geobuf vs raw
   ``desa-asli`` GeoJSON, uncompressed and gzip, features (villages missing from the served
   one are named), vertices, invalid geometries, and the holes and overlaps of the union of
   the polygons (gaps opened by simplifying);
5. the drill-down of a scope above ``PWS_MAP_MAX_VILLAGES``: navigation → the first view
   drawn (provinces at the nation's zoom), ``setZoom(KAB_ZOOM + 0.5)`` → kabupaten drawn,
   fit one kabupaten (:data:`DRILL_KAB`) → its villages drawn, each timed from its start and
   with its geometry bytes, first with its regions and chunks not made yet, then warm. By
   default on a subset: the Jawa Timur store with ``PWS_MAP_MAX_VILLAGES=2000`` (its 38
   kabupaten; the map opens at a zoom that already shows kabupaten), on the same server
   right after the province's runs; the national store (the national village file through
   the real importer, as ``bench/national_import.py`` does, with no programme data: the
   layer says "no data" but draws) only with ``PWS_BENCH_NATIONAL=1``: its import and cold
   builds exceed this benchmark's time budget (measured once on two busy cores: import
   161 s, the provinces and kabupaten made in 420 s, the drill-down ~11 min in all). The
   printed rows say which.

Programme data for Jawa Timur are generated on the real boundaries in a temporary folder
(few weeks, no kader: :func:`prepare_jatim_map`); the shared cache lives in a temporary
``PWS_CACHE_DIR``; the warm-up thread is off (``PWS_WARMUP=0``: cold means cold, and no
compilation competes for the two cores); nothing is kept between runs. ``--quick``: the demo
only (its drill-down with ``PWS_MAP_MAX_VILLAGES=100``), two runs each.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import geobuf
import geopandas as gpd
import numpy as np
import shapely
from werkzeug.serving import make_server

from bench.common import (
    REPO,
    SHARED_DATA,
    Row,
    fmt_value,
    median,
    print_table,
    ratio,
    timed,
)
from dashboard import context, geo_routes, map_geometry, testing
from dashboard.app import create_app
from dashboard.cache import SharedCache
from layers.scope import Scope
from layers.store import queries

NAME = "map_payload"
DEMO_DIR = REPO / "data" / "geo" / "demo_9901"
JATIM = SHARED_DATA / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
JATIM_WEEKS = ("2025-W40", "2025-W53")
NATIONAL = SHARED_DATA / "boundaries" / "nasional" / "desa_nasional_tanpa_33.parquet"
#: the kabupaten the drill-down fits (Pacitan: in Jawa Timur and in the national file; at
#: the province's edge, so few neighbouring chunks are in its view)
DRILL_KAB = "35.01"
#: the subset's village limit: Jawa Timur's 8,494 villages drill down like the nation's
SUBSET_MAX_VILLAGES = 2000
#: without Jawa Timur (``--quick``) the demo's 250 villages drill down
DEMO_MAX_VILLAGES, DEMO_KAB = 100, "99.01"

#: warm navigations per variant and dataset (``--quick``: 2)
RUNS = 3
SERVED = ("rendah", "geobuf")
RAW = ("asli", "geojson")
#: the browser variants: name -> (page query, village geometry)
#: (the page draws a scope of more than ``peta.CANVAS_ABOVE_VILLAGES`` on a canvas by
#: default: each variant names its renderer)
VARIANTS = {
    "svg": ("?render=svg", SERVED),
    "canvas": ("?render=canvas", SERVED),
    "raw": ("?detail=asli&format=geojson&render=svg", RAW),
}
VILLAGE_PATHS = ".leaflet-overlay-pane path.pws-desa"
VIEWPORT = {"width": 1400, "height": 900}
#: holes smaller than this (m²) in the union of all villages are ignored as noise
MIN_HOLE_M2 = 1.0
#: holes at least this large (m², 1 ha) are visible when zoomed to a kecamatan
VISIBLE_HOLE_M2 = 10_000.0
#: quiet network (ms) that ends a navigation's or a week change's traffic
QUIET_MS = 400
#: the cold navigation waits this long (the clean coverage takes minutes on busy cores)
COLD_TIMEOUT_S = 900.0
SETTLED_JS = """() => new Promise(resolve => requestAnimationFrame(
    () => requestAnimationFrame(() => resolve(performance.now()))))"""

#: (kept for bench/map_image.py) every village drawn as an SVG path and the values applied
DRAWN_JS = """([sel, n]) => {
    const count = document.querySelectorAll(sel).length;
    const cur = window.pws && window.pws.current;
    return count === n && cur && cur.stamp ? performance.now() : false;
}"""
#: wait (polling each frame) until every layer of a level (``desa``, ``kab``, ``prov``, or
#: ``auto``: the one the map's zoom wants; with ``prefix`` only those whose code starts so) is
#: on the map — exactly ``n`` when given, else all the page has (at least one; with
#: ``chunks`` villages only once the chunks of the view arrived) — and the values are
#: applied; resolves after the next frame (canvas renderers draw in a frame callback) with
#: the time; ``zoom``/``fit`` act first (at ``t0``). dash-leaflet adds a payload's features
#: in one task, so "all the page has" is never a part of a payload.
LEVEL_DRAWN_JS = """(spec) => new Promise(resolve => {
    const pws = window.pws || {};
    const map = pws.levelState && pws.levelState.map;
    const t0 = performance.now();
    if (spec.zoom !== null) { map.setZoom(spec.zoom, {animate: false}); }
    if (spec.fit) {
        map.fitBounds(pws.layers[spec.fit].getBounds(), {padding: [16, 16], animate: false});
    }
    const count = () => {
        let total = 0, drawn = 0;
        for (const l of Object.values(window.pws.layers || {})) {
            const p = (l.feature && l.feature.properties) || {};
            if ((p.lvl || "desa") !== spec.lvl) { continue; }
            if (spec.prefix && !String(p.kode).startsWith(spec.prefix)) { continue; }
            total++;
            if (l._map) { drawn++; }
        }
        return [total, drawn];
    };
    const check = () => {
        const st = window.pws && window.pws.levelState;
        if (spec.lvl === "auto" && st && st.map && window.pws.geo) {
            spec.lvl = window.pws.wantedLevel(st.map.getZoom());  // what the opening zoom shows
        }
        const [total, drawn] = count();
        const cur = window.pws && window.pws.current;
        let all = spec.n ? drawn === spec.n : total > 0 && drawn === total;
        if (spec.chunks && spec.lvl === "desa") {  // and the chunks of the view arrived
            all = all && st.index && !Object.values(st.pending).some(Boolean);
        }
        if (all && cur && cur.stamp) {
            requestAnimationFrame(() => setTimeout(() => resolve({t: performance.now(), t0: t0,
                drawn: drawn, total: total, lvl: spec.lvl}), 0));
        } else if (performance.now() - t0 > spec.timeout) {
            resolve({t: null, t0: t0, drawn: drawn, total: total, lvl: spec.lvl});
        } else {
            requestAnimationFrame(check);
        }
    };
    check();
})"""
COUNTS_JS = """() => {
    const m = window.pws.levelState && window.pws.levelState.map;
    return {paths: document.querySelectorAll('.leaflet-overlay-pane path.pws-desa').length,
            canvases: document.querySelectorAll('.leaflet-overlay-pane canvas').length,
            zoom: m ? m.getZoom() : null,
            mode: window.pws.geo ? window.pws.geo.mode : null,
            geoEnd: Math.max(0, ...performance.getEntriesByType('resource')
                .filter(e => new URL(e.name).pathname.startsWith('/geo/')
                             && !e.name.includes('/geo/titik/'))
                .map(e => e.responseEnd))};
}"""
LABELS_LOADED_JS = """() => {
    const cur = window.pws && window.pws.current;
    return !cur || !cur.labels || window.pws.labels.url === cur.labels;
}"""
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


# --------------------------------------------------------------------------- server


class _Made(logging.Handler):
    """Collects the shared cache's ``made <namespace> in <ms> ms (<bytes> bytes)`` lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.made: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("made ") and len(record.args or ()) == 3:
            namespace, ms, size = record.args  # type: ignore[misc]
            with self._lock:
                self.made.append({"namespace": namespace, "ms": float(ms), "bytes": int(size)})

    def take(self) -> list[dict[str, Any]]:
        with self._lock:
            out, self.made = self.made, []
        return out


@dataclass
class Server:
    """The app served on localhost, with its context (to give it a fresh cache)."""

    base: str
    app: Any
    ctx: context.AppContext
    cache_root: Path
    made: _Made

    def fresh_cache(self) -> None:
        """A new, empty shared cache (memory tier and folder): the next requests are cold."""
        self.ctx.geo_cache = SharedCache(directory=tempfile.mkdtemp(dir=self.cache_root),
                                         store=self.ctx.geo_cache.store)  # fmt: skip
        self.made.take()

    def info(self) -> tuple[str, Scope, int]:
        """The boundary version, the scope and its number of villages."""
        with self.app.server.app_context():
            scope = self.ctx.scope()
            with self.ctx.session() as session:
                version = queries.geometry_version(session)
                n = len(queries.village_table(session, scope))
        return version, scope, n


@contextmanager
def serving(database_url: str, cache_root: Path, scope: Scope | None = None) -> Iterator[Server]:
    """The app on a free port in a thread (as :func:`dashboard.testing.serve`), on a fresh
    shared cache; the ``pws.cache`` log's computations are collected."""
    made = _Made()
    cache_log = logging.getLogger("pws.cache")
    level, propagate = cache_log.level, cache_log.propagate
    cache_log.addHandler(made)
    cache_log.setLevel(logging.INFO)
    cache_log.propagate = False
    app = create_app(database_url, scope)
    server = make_server("127.0.0.1", testing.free_port(), app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    srv = Server(f"http://127.0.0.1:{server.server_port}", app,
                 app.server.extensions[context.EXTENSION_KEY], cache_root, made)  # fmt: skip
    srv.fresh_cache()
    try:
        yield srv
    finally:
        server.shutdown()
        thread.join(timeout=10)
        cache_log.removeHandler(made)
        cache_log.setLevel(level)
        cache_log.propagate = propagate


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --------------------------------------------------------------------------- payload


def _counts(geoms: Any) -> dict[str, int]:
    return {
        "features": int(len(geoms)),
        "vertices": int(shapely.get_num_coordinates(geoms).sum()),
    }


def decode_geometries(body: bytes, fmt: str, with_codes: bool = False) -> Any:
    """The polygons of a village payload as a shapely array (and their codes)."""
    collection = geobuf.decode(body) if fmt == "geobuf" else json.loads(body)
    geoms = shapely.from_geojson(
        [json.dumps(f["geometry"]) for f in collection["features"]]
    )
    if with_codes:
        return geoms, [f["properties"]["kode"] for f in collection["features"]]
    return geoms


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


def measure_payload(srv: Server) -> dict[str, Any]:
    """The village payloads (served and raw) through the Flask test client of the running
    app, whose cache the navigations have warmed: sizes, counts, union defects."""
    client = srv.app.server.test_client()
    version, scope, villages = srv.info()

    def get(variant: tuple[str, str], encoding: str | None = None) -> tuple[float, Any]:
        url = geo_routes.village_url(version, scope, *variant)
        headers = {"Accept-Encoding": encoding} if encoding else {}
        seconds, response = timed(lambda: client.get(url, headers=headers))
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        return seconds, response

    out: dict[str, Any] = {"villages_in_db": villages}
    kodes: dict[str, list[str]] = {}
    for key, variant in (("served", SERVED), ("raw", RAW)):
        _, plain = get(variant)
        warm = [get(variant)[0] for _ in range(3)]
        warm_gzip = []
        for _ in range(3):
            seconds, zipped = get(variant, "gzip")
            warm_gzip.append(seconds)
        if zipped.headers.get("Content-Encoding") != "gzip":
            raise RuntimeError(f"{variant} was not gzip-compressed")
        body = plain.data
        assert gzip.decompress(zipped.data) == body
        geoms, kodes[key] = decode_geometries(body, variant[1], with_codes=True)
        defects_s, defects = timed(lambda g=geoms: union_defects(g))
        out[key] = {
            "url": geo_routes.village_url(version, scope, *variant),
            "bytes": len(body),
            "gzip_bytes": len(zipped.data),
            **_counts(geoms),
            "empty_geometries": int(shapely.is_empty(geoms).sum()),
            "invalid_geometries": int((~shapely.is_valid(geoms)).sum()),
            "warm_request_median_s": median(warm),
            "warm_gzip_request_median_s": median(warm_gzip),
            "union_defects": defects,
            "union_defects_s": defects_s,
        }
    out["missing_served"] = sorted(set(kodes["raw"]) - set(kodes["served"]))[:20]
    return out


# --------------------------------------------------------------------------- browser


def _category(path: str, post: Any) -> str:
    """What a request is for: ``geo``, ``points``, ``values``, ``labels``, ``callback``,
    ``other`` (the page, scripts, styles)."""
    if path.startswith("/geo/titik/"):
        return "points"
    if path.startswith("/geo/"):
        return "geo"
    if path.startswith("/nilai/"):
        return "labels"
    if path.endswith("/_dash-update-component"):
        output = post.get("output", "") if isinstance(post, dict) else ""
        return "values" if "layer-values.data" in output else "callback"
    return "other"


def _post(request: Any) -> Any:
    try:
        return request.post_data_json
    except ValueError:
        return None


class Traffic:
    """Every request of a page, with the phase (navigation, a week change, a zoom) in which
    it started, its size as Chromium counted it, and the page's errors."""

    def __init__(self, page: Any) -> None:
        self.phase = "nav"
        self.requests: list[tuple[str, Any]] = []
        self.open: set[Any] = set()
        self.last_activity = time.perf_counter()
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("request", self._started)
        page.on("requestfinished", self._ended)
        page.on("requestfailed", self._failed)
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page = page

    def _started(self, request: Any) -> None:
        self.requests.append((self.phase, request))
        self.open.add(request)
        self.last_activity = time.perf_counter()

    def _ended(self, request: Any) -> None:
        self.open.discard(request)
        self.last_activity = time.perf_counter()
        response = request.response()
        if response is not None and response.status >= 400:
            self.failed.append(f"HTTP {response.status} {urlsplit(request.url).path}")

    def _failed(self, request: Any) -> None:
        self.open.discard(request)
        self.last_activity = time.perf_counter()
        self.failed.append(f"failed {urlsplit(request.url).path}: {request.failure}")

    def wait(self, js: str, failure: str, arg: Any = None, polling: Any = 100,
             timeout_s: float = 60.0) -> bool:  # fmt: skip
        """``page.wait_for_function``; False (and ``failure`` noted) on a timeout."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(js, arg=arg, polling=polling, timeout=timeout_s * 1e3)
        except PlaywrightTimeout:
            self.errors.append(f"bench: {failure}")
            return False
        return True

    def settle(self, timeout_s: float = 120.0) -> None:
        """Until no request has been open for :data:`QUIET_MS`."""
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            self.page.wait_for_timeout(100)
            if not self.open and time.perf_counter() - self.last_activity > QUIET_MS / 1e3:
                return

    def arrivals(self, time_origin_ms: float, phase: str = "nav") -> dict[str, float]:
        """Seconds from the page's time origin to the end of the phase's first values
        response and of its first village (or region) geometry."""
        out = {"values_end_s": float("nan"), "geometry_end_s": float("nan")}
        for started, request in self.requests:
            path = urlsplit(request.url).path
            if started != phase or request in self.open:
                continue
            if _category(path, _post(request)) == "values":
                key = "values_end_s"
            elif path.startswith("/geo/") and ("/desa-" in path and path.count("/") == 4
                                               or "/wilayah-prov" in path):
                key = "geometry_end_s"
            else:
                continue
            timing = request.timing
            if timing.get("responseEnd", -1) < 0:
                continue
            end = (timing["startTime"] + timing["responseEnd"] - time_origin_ms) / 1e3
            out[key] = end if out[key] != out[key] else min(out[key], end)
        return out

    def summary(self, phase: str) -> dict[str, Any]:
        """Bytes (encoded body + headers) and count per category of one phase's requests."""
        out: dict[str, Any] = {}
        for started, request in self.requests:
            if started != phase or request in self.open:
                continue
            path = urlsplit(request.url).path
            cat = _category(path, _post(request))
            try:
                sizes = request.sizes()
            except Exception:  # noqa: BLE001 - failed or gone: counted, no bytes
                sizes = {"responseBodySize": 0, "responseHeadersSize": 0}
            entry = out.setdefault(cat, {"count": 0, "bytes": 0, "body_bytes": 0, "urls": [],
                                         "sizes": []})  # fmt: skip
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            entry["count"] += 1
            entry["bytes"] += size
            entry["body_bytes"] += sizes["responseBodySize"]
            entry["urls"].append(path)
            entry["sizes"].append(size)
            if cat == "values" and request.response() is not None:
                entry["decoded_bytes"] = entry.get("decoded_bytes", 0) + len(
                    request.response().body())
        out["total"] = {"count": sum(v["count"] for v in out.values()),
                        "bytes": sum(v["bytes"] for v in out.values())}  # fmt: skip
        return out


@contextmanager
def _page(browser: Any) -> Iterator[Any]:
    browser_context = browser.new_context(viewport=VIEWPORT, locale="id-ID")
    try:
        yield browser_context.new_page()
    finally:
        browser_context.close()


def wait_level(page: Any, lvl: str, n: int | None = None, prefix: str | None = None,
               zoom: float | None = None, fit: str | None = None, chunks: bool = False,
               timeout_s: float = 180.0) -> dict[str, Any]:  # fmt: skip
    """:data:`LEVEL_DRAWN_JS` in the page: ``t``/``t0`` in seconds (``t`` NaN on timeout)."""
    spec = {"lvl": lvl, "n": n, "prefix": prefix, "zoom": zoom, "fit": fit,
            "chunks": chunks, "timeout": timeout_s * 1e3}  # fmt: skip
    got = page.evaluate(LEVEL_DRAWN_JS, spec)
    got["t"] = got["t"] / 1e3 if got["t"] is not None else float("nan")
    got["t0"] = got["t0"] / 1e3
    return got


def browser_run(base: str, browser: Any, variant: str, expected: int, week_changes: int,
                timeout_s: float = 180.0) -> dict[str, Any]:  # fmt: skip
    """One navigation in a fresh context: draw time, bytes, then week changes."""
    query, _geometry = VARIANTS[variant]
    run: dict[str, Any] = {"variant": variant}
    started = time.perf_counter()
    with _page(browser) as page:
        traffic = Traffic(page)
        page.goto(f"{base}/{query}")
        # every village the page has (counted against the store's below)
        drawn = wait_level(page, "desa", timeout_s=timeout_s)
        run["drawn_s"] = drawn["t"]
        run["villages_drawn"] = drawn["drawn"]
        if drawn["t"] != drawn["t"]:
            traffic.errors.append(f"bench: {drawn['drawn']} of {expected} villages drawn "
                                  "when the wait timed out")
        # the rest of the page: chunks for the view, outlines, points, the tooltip texts
        traffic.wait(LABELS_LOADED_JS, "the tooltip texts never arrived")
        traffic.settle()
        counts = page.evaluate(COUNTS_JS)
        run.update({"svg_paths": counts["paths"], "canvases": counts["canvases"],
                    "zoom": counts["zoom"], "mode": counts["mode"],
                    "geo_end_s": counts["geoEnd"] / 1e3})  # fmt: skip
        run["facility_markers"] = page.locator("path.pws-titik").count()
        run["nav_bytes"] = traffic.summary("nav")
        origin = page.evaluate("performance.timeOrigin")
        run.update(traffic.arrivals(origin))
        run["week_applied_s"], run["week_painted_s"], run["week_bytes"] = [], [], []
        run["week_response_s"] = []
        if drawn["t"] == drawn["t"]:
            page.evaluate(HOOK_JS)
            stamp = page.evaluate("window.pws.current.stamp")
            for k in range(1, week_changes + 1):
                traffic.phase = f"week{k}"
                page.click("#period")
                page.get_by_role("option").nth(k).click()
                if not traffic.wait(WEEK_APPLIED_JS, f"week change {k} never applied", stamp,
                                    polling="raf"):  # fmt: skip
                    break
                b = page.evaluate("window.__bench")
                stamp = b["stamp"]
                run["week_applied_s"].append((b["applied"] - b["down"]) / 1e3)
                run["week_painted_s"].append((b["painted"] - b["down"]) / 1e3)
                traffic.wait(LABELS_LOADED_JS, f"week {k}: the tooltip texts never arrived")
                traffic.settle()
                run["week_bytes"].append(traffic.summary(traffic.phase))
                # the click → the values response's end: the rest of "applied" is the page's
                end = traffic.arrivals(origin, traffic.phase)["values_end_s"]
                run["week_response_s"].append(end - b["down"] / 1e3)
        run["errors"] = sorted(set(traffic.errors))
        run["failed_requests"] = sorted(set(traffic.failed))
    run["wall_s"] = time.perf_counter() - started
    return run


def _bytes(summary: dict[str, Any], cat: str, key: str = "bytes") -> float:
    return float(summary.get(cat, {}).get(key, 0))


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    weeks = [w for r in runs for w in r["week_bytes"]]
    return {
        "drawn_median_s": median([r["drawn_s"] for r in runs]),
        "geo_end_median_s": median([r["geo_end_s"] for r in runs]),
        "values_end_median_s": median([r["values_end_s"] for r in runs]),
        "geometry_end_median_s": median([r["geometry_end_s"] for r in runs]),
        "week_applied_median_s": median([s for r in runs for s in r["week_applied_s"]]),
        "week_painted_median_s": median([s for r in runs for s in r["week_painted_s"]]),
        "week_response_median_s": median([s for r in runs for s in r["week_response_s"]]),
        "nav_geo_bytes": median([_bytes(r["nav_bytes"], "geo") for r in runs]),
        "nav_geo_requests": median([_bytes(r["nav_bytes"], "geo", "count") for r in runs]),
        "nav_values_bytes": median([_bytes(r["nav_bytes"], "values") for r in runs]),
        "nav_values_decoded": median([_bytes(r["nav_bytes"], "values", "decoded_bytes")
                                      for r in runs]),  # fmt: skip
        "nav_total_bytes": median([_bytes(r["nav_bytes"], "total") for r in runs]),
        "week_values_bytes": median([_bytes(w, "values") for w in weeks]),
        "week_values_decoded": median([_bytes(w, "values", "decoded_bytes") for w in weeks]),
        "week_labels_bytes": median([_bytes(w, "labels") for w in weeks]),
        "week_total_bytes": median([_bytes(w, "total") for w in weeks]),
        "week_geo_requests": int(sum(_bytes(w, "geo", "count") for w in weeks)),
        "week_geo_urls": sorted({u for w in weeks for u in w.get("geo", {}).get("urls", [])}),
        "nav_geo_urls": dict(zip(runs[-1]["nav_bytes"].get("geo", {}).get("urls", []),
                                 runs[-1]["nav_bytes"].get("geo", {}).get("sizes", []),
                                 strict=True)) if runs else {},
        "villages_drawn": [r["villages_drawn"] for r in runs],
        "svg_paths": [r["svg_paths"] for r in runs],
        "zoom": runs[-1]["zoom"] if runs else None,
        "errors": sorted({e for r in runs for e in r["errors"]}),
        "failed_requests": sorted({f for r in runs for f in r["failed_requests"]}),
    }


def measure_browser(srv: Server, browser: Any, runs: int, expected: int) -> dict[str, Any]:
    """The first navigation on a fresh, empty server cache (served SVG, with two week
    changes whose values are not computed yet either); the raw geometry made through the
    test client; then ``runs`` interleaved warm runs of each variant with two week changes
    each."""
    srv.fresh_cache()
    cold = browser_run(srv.base, browser, "svg", expected, week_changes=2,
                       timeout_s=COLD_TIMEOUT_S)  # fmt: skip
    cold["made"] = srv.made.take()
    if len(cold["week_painted_s"]) < 2:  # the weeks' values, for the warm runs
        browser_run(srv.base, browser, "svg", expected, week_changes=2)
    version, scope, _n = srv.info()
    raw_url = geo_routes.village_url(version, scope, *RAW)
    raw_first_s, response = timed(lambda: srv.app.server.test_client().get(
        raw_url, headers={"Accept-Encoding": "gzip"}))  # fmt: skip
    raw_first = {"request_s": raw_first_s, "status": response.status_code,
                 "made": srv.made.take()}  # fmt: skip
    found: dict[str, list[dict[str, Any]]] = {v: [] for v in VARIANTS}
    for _ in range(runs):
        for variant in VARIANTS:
            found[variant].append(browser_run(srv.base, browser, variant, expected,
                                              week_changes=2))  # fmt: skip
    return {
        "cold": cold, "raw_first": raw_first,
        "warm_made": srv.made.take(),  # nothing: the warm runs computed nothing
        "runs": found, "summary": {v: summarise(r) for v, r in found.items()},
    }  # fmt: skip


# --------------------------------------------------------------------------- drill-down


def drill_run(browser: Any, base: str, kab: str) -> dict[str, Any]:
    """Navigation → the first view (provinces at the nation's zoom); setZoom(KAB_ZOOM + 0.5)
    → kabupaten; fit ``kab`` → its villages; each step's time (from its start) and bytes."""
    run: dict[str, Any] = {}
    with _page(browser) as page:
        traffic = Traffic(page)
        page.goto(f"{base}/")
        first = wait_level(page, "auto", chunks=True)
        run["first_s"], run["first_level"], run["first_drawn"] = \
            first["t"], first["lvl"], first["drawn"]  # fmt: skip
        run["first_zoom"] = page.evaluate(COUNTS_JS)["zoom"]
        traffic.settle()
        run["nav_bytes"] = traffic.summary("nav")
        run.update(traffic.arrivals(page.evaluate("performance.timeOrigin")))
        run["kab_before_zoom"] = any(u.endswith("/wilayah-kab.json")
                                     for u in run["nav_bytes"].get("geo", {}).get("urls", []))
        traffic.phase = "kab"
        kab_step = wait_level(page, "kab", zoom=map_geometry.KAB_ZOOM + 0.5)
        run["kab_s"], run["kabupaten"] = kab_step["t"] - kab_step["t0"], kab_step["drawn"]
        traffic.settle()
        run["kab_bytes"] = traffic.summary("kab")
        traffic.phase = "desa"
        if kab_step["t"] == kab_step["t"]:
            desa = wait_level(page, "desa", prefix=kab + ".", fit=kab)
            run["desa_s"], run["villages"] = desa["t"] - desa["t0"], desa["drawn"]
        else:
            run["desa_s"], run["villages"] = float("nan"), 0
        traffic.settle()
        counts = page.evaluate(COUNTS_JS)
        run["desa_zoom"] = counts["zoom"]
        run["mode"] = counts["mode"]
        run["desa_bytes"] = traffic.summary("desa")
        run["errors"] = sorted(set(traffic.errors))
        run["failed_requests"] = sorted(set(traffic.failed))
    return run


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


def measure_drill(srv: Server, browser: Any, max_villages: int | None,
                  kab: str) -> dict[str, Any]:  # fmt: skip
    """The drill-down on ``srv`` (``PWS_MAP_MAX_VILLAGES`` set to ``max_villages`` while it
    runs: the map page reads it per navigation), twice in fresh browser contexts: first
    with its regions and chunks not yet made, then warm."""
    env = {"PWS_MAP_MAX_VILLAGES": str(max_villages)} if max_villages else {}
    _version, _scope, n = srv.info()
    with srv.app.server.app_context(), srv.ctx.session() as session:
        codes = queries.village_table(session, srv.ctx.scope())["kode"]
    n_kab = int(codes.str.startswith(kab + ".").sum())
    srv.made.take()
    with _environ(**env):
        cold = drill_run(browser, srv.base, kab)
        cold["made"] = srv.made.take()
        warm = drill_run(browser, srv.base, kab)
        warm["made"] = srv.made.take()
    return {"villages": n, "kab": kab, "kab_villages": n_kab, "max_villages": max_villages,
            "cold": cold, "warm": warm}  # fmt: skip


# --------------------------------------------------------------------------- report


def rows_for(name: str, payload: dict[str, Any], browser: dict[str, Any]) -> list[Row]:
    s, r = payload["served"], payload["raw"]
    sv, cv, rv = (browser["summary"][v] for v in ("svg", "canvas", "raw"))
    cold_s, raw_first = browser["cold"], browser["raw_first"]
    raw_name = "raw asli GeoJSON"
    raw_svg = "raw GeoJSON, SVG, warm"

    def made_ms(run: dict[str, Any], namespace: str) -> float:
        return sum(m["ms"] for m in run["made"] if m["namespace"] == namespace) / 1e3

    sd, rd = s["union_defects"], r["union_defects"]
    return [
        Row(name, "nav → drawn, served SVG (warm server)", sv["drawn_median_s"],
            rv["drawn_median_s"], "s", raw_svg),
        Row(name, "nav → drawn, served canvas (warm server)", cv["drawn_median_s"],
            rv["drawn_median_s"], "s", raw_svg),
        Row(name, "  nav → values response, SVG", sv["values_end_median_s"],
            rv["values_end_median_s"], "s", raw_svg),
        Row(name, "  nav → village geometry response, SVG", sv["geometry_end_median_s"],
            rv["geometry_end_median_s"], "s", raw_svg),
        Row(name, "  nav → last /geo/ response (index, chunks), SVG", sv["geo_end_median_s"],
            rv["geo_end_median_s"], "s", raw_svg),
        Row(name, "first nav → drawn, COLD server cache, SVG", cold_s["drawn_s"],
            sv["drawn_median_s"], "s", "served SVG, warm"),
        Row(name, "  cold: made desa-rendah (clean coverage)", made_ms(cold_s, "desa"),
            made_ms(raw_first, "desa"), "s", "made desa-asli (raw)"),
        Row(name, "  cold: made the layer's values", made_ms(cold_s, "nilai"),
            sv["values_end_median_s"], "s", "nav → values response, warm"),
        Row(name, "week change → applied, SVG", sv["week_applied_median_s"],
            rv["week_applied_median_s"], "s", raw_svg),
        Row(name, "week change → painted, SVG", sv["week_painted_median_s"],
            rv["week_painted_median_s"], "s", raw_svg),
        Row(name, "  week change → values response, SVG", sv["week_response_median_s"],
            rv["week_response_median_s"], "s", raw_svg),
        Row(name, "week change → applied, canvas", cv["week_applied_median_s"],
            rv["week_applied_median_s"], "s", raw_svg),
        Row(name, "week change → painted, canvas", cv["week_painted_median_s"],
            rv["week_painted_median_s"], "s", raw_svg),
        Row(name, "week change → painted, SVG, COLD values", median(cold_s["week_painted_s"]),
            sv["week_painted_median_s"], "s", "warm values (SVG)"),
        Row(name, "bytes per nav: geometry (/geo/), SVG", sv["nav_geo_bytes"],
            rv["nav_geo_bytes"], "B", raw_svg),
        Row(name, "bytes per nav: geometry (/geo/), canvas", cv["nav_geo_bytes"],
            rv["nav_geo_bytes"], "B", raw_svg),
        Row(name, "geometry requests per nav, SVG", sv["nav_geo_requests"],
            rv["nav_geo_requests"], "count", raw_svg),
        Row(name, "bytes per nav: values callback", sv["nav_values_bytes"],
            sv["nav_values_decoded"], "B", "the same, decoded"),
        Row(name, "bytes per nav: everything, SVG", sv["nav_total_bytes"],
            rv["nav_total_bytes"], "B", raw_svg),
        Row(name, "bytes per week change: values callback", sv["week_values_bytes"],
            sv["week_values_decoded"], "B", "the same, decoded"),
        Row(name, "bytes per week change: labels (after paint)", sv["week_labels_bytes"],
            rv["week_labels_bytes"], "B", raw_svg),
        Row(name, "bytes per week change: everything, SVG", sv["week_total_bytes"],
            sv["nav_total_bytes"], "B", "a navigation, SVG"),
        Row(name, "/geo/ requests in week changes, SVG+canvas",
            sv["week_geo_requests"] + cv["week_geo_requests"], rv["week_geo_requests"],
            "count", raw_svg),
        Row(name, "payload bytes, rendah geobuf", s["bytes"], r["bytes"], "B", raw_name),
        Row(name, "payload bytes gzip", s["gzip_bytes"], r["gzip_bytes"], "B",
            f"{raw_name}, gzip"),
        Row(name, "features", s["features"], r["features"], "count", raw_name),
        Row(name, "vertices", s["vertices"], r["vertices"], "count", raw_name),
        Row(name, "warm request, gzip", s["warm_gzip_request_median_s"],
            r["warm_gzip_request_median_s"], "s", "raw warm, gzip"),
        Row(name, "invalid geometries", s["invalid_geometries"], r["invalid_geometries"],
            "count", raw_name),
        Row(name, "holes in union (gaps)", sd["holes"], rd["holes"], "count", raw_name),
        Row(name, "hole area", sd["holes_m2"], rd["holes_m2"], "m²", raw_name),
        Row(name, "holes ≥ 1 ha", sd["holes_1ha"], rd["holes_1ha"], "count", raw_name),
        Row(name, "area of holes ≥ 1 ha", sd["holes_1ha_m2"], rd["holes_1ha_m2"], "m²",
            raw_name),
        Row(name, "overlap area", sd["overlap_m2"], rd["overlap_m2"], "m²", raw_name),
    ]


def drill_rows(name: str, drill: dict[str, Any], reference: dict[str, Any] | None) -> list[Row]:
    """Each step warm beside cold, and its bytes beside a province's served navigation."""
    cold, warm = drill["cold"], drill["warm"]
    ref_bytes = reference["nav_geo_bytes"] if reference else float("nan")
    ref_name = "Jawa Timur served nav, geometry" if reference else "(no province measured)"
    first = {"prov": "provinces", "kab": "kabupaten", "desa": "villages"}.get(
        warm["first_level"], str(warm["first_level"]))
    kab_note = " (already loaded by the first view)" if warm["kab_before_zoom"] else ""
    steps = (("first", f"nav → first view drawn: {warm['first_drawn']} {first} "
                       f"at zoom {warm['first_zoom']}", "nav_bytes"),
             ("kab", f"setZoom({map_geometry.KAB_ZOOM + 0.5}) → {warm['kabupaten']} "
                     f"kabupaten drawn{kab_note}", "kab_bytes"),
             ("desa", f"fit {drill['kab']} → its {drill['kab_villages']} villages drawn "
                      f"(zoom {warm['desa_zoom']})", "desa_bytes"))  # fmt: skip
    rows = []
    for step, figure, bytes_key in steps:
        rows.append(Row(name, f"{figure}, warm", warm[f"{step}_s"], cold[f"{step}_s"], "s",
                        "cold server cache"))  # fmt: skip
        n_geo = _bytes(warm[bytes_key], "geo", "count")
        rows.append(Row(name, f"  bytes of its {n_geo:.0f} geometry requests",
                        _bytes(warm[bytes_key], "geo"), ref_bytes, "B", ref_name))
    return rows


def problems_for(name: str, payload: dict[str, Any], browser: dict[str, Any]) -> list[str]:
    """Things worth a reader's attention: lost polygons, new gaps, geometry fetched on a
    week change, console errors, runs that timed out."""
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
    for variant, summary in browser["summary"].items():
        if any(c != n for c in summary["villages_drawn"]):
            found.append(f"{name}: {variant} drew {summary['villages_drawn']} villages, "
                         f"expected {n}")
        if variant != "canvas" and any(c != n for c in summary["svg_paths"]):
            found.append(f"{name}: {variant} has {summary['svg_paths']} path.pws-desa, "
                         f"expected {n}")
        if variant == "canvas" and any(summary["svg_paths"]):
            found.append(f"{name}: canvas still drew SVG paths: {summary['svg_paths']}")
        if summary["week_geo_requests"]:
            found.append(f"{name}: {variant} week changes fetched geometry: "
                         f"{summary['week_geo_urls']}")
        for text in summary["failed_requests"] + summary["errors"]:
            found.append(f"{name}: {variant} page: {text}")
    if browser["raw_first"]["status"] != 200:
        found.append(f"{name}: the raw payload answered HTTP {browser['raw_first']['status']}")
    for label, run in (("cold svg", browser["cold"]),):
        if run["drawn_s"] != run["drawn_s"]:
            found.append(f"{name}: {label} navigation timed out before all drawn")
        if run["villages_drawn"] != n:
            found.append(f"{name}: {label} drew {run['villages_drawn']} villages, expected {n}")
        for text in run["failed_requests"] + run["errors"]:
            found.append(f"{name}: {label} page: {text}")
    if payload["missing_served"]:
        found.append(f"{name}: villages missing from the served payload: "
                     f"{payload['missing_served']}")
    if browser["warm_made"]:
        found.append(f"{name}: warm runs still computed {browser['warm_made']}")
    s, r = payload["served"]["union_defects"], payload["raw"]["union_defects"]
    if s["holes_m2"] > r["holes_m2"] * 1.05 or s["holes_1ha"] > r["holes_1ha"]:
        found.append(f"{name}: gaps grew with simplification: holes ≥ 1 ha {r['holes_1ha']} → "
                     f"{s['holes_1ha']}, hole area {r['holes_m2'] / 1e6:.2f} → "
                     f"{s['holes_m2'] / 1e6:.2f} km²")
    return found


def drill_problems(name: str, drill: dict[str, Any]) -> list[str]:
    found = []
    for which in ("cold", "warm"):
        run = drill[which]
        if run["mode"] != "wilayah":
            found.append(f"{name}: {which}: the map is in mode {run['mode']}, not wilayah")
        for step in ("first", "kab", "desa"):
            if run[f"{step}_s"] != run[f"{step}_s"]:
                found.append(f"{name}: {which}: {step} step timed out")
        for text in run["failed_requests"] + run["errors"]:
            found.append(f"{name}: {which} page: {text}")
    return found


def _made_text(made: list[dict[str, Any]]) -> str:
    """The payloads a cold navigation made, the slowest first (namespace: seconds)."""
    total: dict[str, float] = {}
    for m in made:
        total[m["namespace"]] = total.get(m["namespace"], 0.0) + m["ms"] / 1e3
    return ", ".join(f"{k} {v:.2f} s" for k, v in sorted(total.items(), key=lambda kv: -kv[1]))


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every available dataset; print the tables; return the JSON record."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log lines
    # failing requests are reported as problems below, not as tracebacks
    logging.getLogger("dashboard.app").setLevel(logging.CRITICAL)
    record: dict[str, Any] = {"name": NAME, "datasets": {}, "notes": [], "problems": []}
    rows: list[Row] = []
    national = os.environ.get("PWS_BENCH_NATIONAL") == "1" and NATIONAL.exists()
    runs = 2 if quick else RUNS
    with tempfile.TemporaryDirectory(prefix="pws-bench-") as tmpdir:
        tmp = Path(tmpdir)
        cache_root = tmp / "cache"
        cache_root.mkdir()
        with _environ(PWS_CACHE_DIR=str(cache_root / "env"), PWS_WARMUP="0"), \
                testing.chromium() as browser:  # fmt: skip
            found = datasets(tmp, quick, record, prepare_demo, prepare_jatim_map)
            jatim = next((ds for ds in found if ds.name == "jatim"), None)
            drill_on = found[-1]  # Jawa Timur when measured, else the demo
            for ds in found:
                with serving(ds.database_url, cache_root) as srv:
                    _version, _scope, n = srv.info()
                    print(f"{ds.name}: Chromium, cold then {runs} warm navigations each of "
                          f"{', '.join(VARIANTS)} ...", flush=True)
                    browser_out = measure_browser(srv, browser, runs, n)
                    print(f"{ds.name}: payload and union defects ...", flush=True)
                    payload = measure_payload(srv)
                    if ds is drill_on and not national:
                        limit = SUBSET_MAX_VILLAGES if ds is jatim else DEMO_MAX_VILLAGES
                        drill_name = f"{ds.name}, max {limit} villages"
                        kab = DRILL_KAB if ds is jatim else DEMO_KAB
                        print(f"drill-down ({drill_name}) ...", flush=True)
                        drill = measure_drill(srv, browser, limit, kab)
                record["datasets"][ds.name] = {
                    "setup_s": ds.setup_s, "runs": runs, "payload": payload,
                    "browser": browser_out,
                }
                rows.extend(rows_for(ds.name, payload, browser_out))
                record["problems"].extend(problems_for(ds.name, payload, browser_out))
            reference = (record["datasets"]["jatim"]["browser"]["summary"]["svg"]
                         if jatim else None)  # fmt: skip
            setup: dict[str, float] = {}
            if national:
                print("national: importing the village file, then the drill-down ...",
                      flush=True)
                drill_url, setup = national_store(tmp)
                drill_name = "nasional, no case data"
                with serving(drill_url, cache_root, Scope.everything()) as srv:
                    drill = measure_drill(srv, browser, None, DRILL_KAB)
            drill["setup_s"] = setup
            record["drill_down"] = {"name": drill_name, **drill}
            drill_table = drill_rows(drill_name, drill, reference)
            record["problems"].extend(drill_problems(drill_name, drill))
    if not national:
        record["notes"].append(
            f"drill-down measured on a subset ({drill_name}: the national store's import and "
            "cold builds would exceed this benchmark's time budget; PWS_BENCH_NATIONAL=1 "
            "measures the national village file instead)")
    print_table("Map: served (desa-rendah geobuf, refined by chunks) on SVG and canvas vs raw "
                "(asli GeoJSON, SVG); medians; warm server cache unless COLD; fresh browser "
                "context each; ratio = value / baseline", rows)
    print_table(f"Drill-down ({drill_name}): each step timed from its start, warm server "
                "cache beside cold; bytes of the step's geometry requests", drill_table)
    for ds_name, data in record["datasets"].items():
        s, r = data["payload"]["served"], data["payload"]["raw"]
        sv, rv = data["browser"]["summary"]["svg"], data["browser"]["summary"]["raw"]
        setup = ", ".join(f"{k} {v:.0f} s" for k, v in data["setup_s"].items())
        print(f"{ds_name}: served/raw gzip ratio {ratio(s['gzip_bytes'], r['gzip_bytes']):.3f},"
              f" draw time ratio {ratio(sv['drawn_median_s'], rv['drawn_median_s']):.3f},"
              f" opened at zoom {sv['zoom']}; setup: {setup}")
        geo = ", ".join(f"{u.rsplit('/', 1)[-1]} {fmt_value(b, 'B')}"
                        for u, b in sv["nav_geo_urls"].items())
        print(f"{ds_name}: served SVG navigation's geometry requests: {geo}")
        print(f"{ds_name}: the COLD navigation made: "
              f"{_made_text(data['browser']['cold']['made'])}")
        print(f"{ds_name}: the first raw request made: "
              f"{_made_text(data['browser']['raw_first']['made'])}")
    warm = record["drill_down"]["warm"]
    print(f"drill-down, warm navigation: values response at {warm['values_end_s']:.2f} s, "
          f"first geometry at {warm['geometry_end_s']:.2f} s, first view drawn at "
          f"{warm['first_s']:.2f} s")
    print(f"drill-down: its first run made: {_made_text(record['drill_down']['cold']['made'])}")
    for note in record["notes"]:
        print(f"note: {note}")
    for problem in record["problems"]:
        print(f"problem: {problem}")
    record["rows"] = [row.as_dict() for row in rows + drill_table]
    return record
