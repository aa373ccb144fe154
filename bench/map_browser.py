"""The map measured in headless Chromium: navigation → drawn, week changes → applied and
painted, bytes per request category (:class:`Traffic`), and the drill-down's steps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from bench.common import median, timed
from bench.map_js import (
    COUNTS_JS,
    HOOK_JS,
    LABELS_LOADED_JS,
    LEVEL_DRAWN_JS,
    WEEK_APPLIED_JS,
)
from bench.map_server import RAW, SERVED, Server, environ
from dashboard import geo_routes, map_geometry
from dashboard.testing import NEAR_FETCHED_JS
from layers.store import queries

#: the browser variants: name -> (page query, village geometry)
#: (the page draws a scope of more than ``peta.CANVAS_ABOVE_VILLAGES`` on a canvas by
#: default: each variant names its renderer)
VARIANTS = {
    "svg": ("?render=svg", SERVED),
    "canvas": ("?render=canvas", SERVED),
    "raw": ("?detail=asli&format=geojson&render=svg", RAW),
}
VIEWPORT = {"width": 1400, "height": 900}
#: the week chosen last in each run: far from the one shown, so not fetched ahead
FAR_OPTION = 8
#: quiet network (ms) that ends a navigation's or a week change's traffic
QUIET_MS = 400
#: the cold navigation waits this long (the clean coverage takes minutes on busy cores)
COLD_TIMEOUT_S = 900.0


def _category(path: str, post: Any) -> str:
    """What a request is for: ``geo``, ``points``, ``values``, ``labels``, ``callback``,
    ``other`` (the page, scripts, styles)."""
    if path.startswith("/geo/titik/"):
        return "points"
    if path.startswith("/geo/"):
        return "geo"
    if path.startswith("/nilai/values"):
        return "values"  # a new period's colours, asked by the page before Dash
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
        run["week_response_s"], run["far_painted_s"] = [], []
        if drawn["t"] == drawn["t"]:
            page.evaluate(HOOK_JS)
            stamp = page.evaluate("window.pws.current.stamp")
            # the weeks next to the one shown (the page fetched them ahead), then one further
            # away, which it asks the server for when chosen
            options = [*range(1, week_changes + 1), FAR_OPTION]
            for k, option in enumerate(options, start=1):
                far = option == FAR_OPTION
                traffic.phase = f"week{k}"
                page.wait_for_function(NEAR_FETCHED_JS, timeout=30_000)
                page.click("#period")
                page.get_by_role("option").nth(option).click()
                if not traffic.wait(WEEK_APPLIED_JS, f"week change {k} never applied", stamp,
                                    polling="raf"):  # fmt: skip
                    break
                b = page.evaluate("window.__bench")
                stamp = b["stamp"]
                if far:
                    run["far_painted_s"].append((b["painted"] - b["down"]) / 1e3)
                    traffic.settle()
                    continue
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


def category_bytes(summary: dict[str, Any], cat: str, key: str = "bytes") -> float:
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
        "far_painted_median_s": median([s for r in runs for s in r["far_painted_s"]]),
        "nav_geo_bytes": median([category_bytes(r["nav_bytes"], "geo") for r in runs]),
        "nav_geo_requests": median([category_bytes(r["nav_bytes"], "geo", "count") for r in runs]),
        "nav_values_bytes": median([category_bytes(r["nav_bytes"], "values") for r in runs]),
        "nav_values_decoded": median([category_bytes(r["nav_bytes"], "values", "decoded_bytes")
                                      for r in runs]),  # fmt: skip
        "nav_total_bytes": median([category_bytes(r["nav_bytes"], "total") for r in runs]),
        "week_values_bytes": median([category_bytes(w, "values") for w in weeks]),
        "week_values_decoded": median([category_bytes(w, "values", "decoded_bytes")
                                       for w in weeks]),  # fmt: skip
        "week_labels_bytes": median([category_bytes(w, "labels") for w in weeks]),
        "week_total_bytes": median([category_bytes(w, "total") for w in weeks]),
        "week_geo_requests": int(sum(category_bytes(w, "geo", "count") for w in weeks)),
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
    with environ(**env):
        cold = drill_run(browser, srv.base, kab)
        cold["made"] = srv.made.take()
        warm = drill_run(browser, srv.base, kab)
        warm["made"] = srv.made.take()
    return {"villages": n, "kab": kab, "kab_villages": n_kab, "max_villages": max_villages,
            "cold": cold, "warm": warm}  # fmt: skip
