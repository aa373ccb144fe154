"""Issue 11: server-side map images (``layers.render``) beside a browser screenshot.

For the demo kabupaten (250 villages) and the real Jawa Timur province file (8,494
villages, when present; the store is built as ``bench/map_data.py`` builds it: programme
data generated on the real boundaries, loaded into SQLite), in one run:

* ``render_map`` of the weekly incidence layer for the newest week as a 1600×1000 PNG:
  **warm** (the scope's polygons already read and simplified: what the web server, the
  slides and a second command see; median of :data:`REPEATS`) and **cold** (that cache
  emptied first: read the villages and kecamatan, simplify, build the paths), plus SVG and
  PDF (warm) and the route ``GET /peta.png`` through the Flask test client;
* the baseline: headless Chromium (``/usr/bin/chromium``, the flags of
  ``dashboard.testing``) opening the map page on the same layer and week at a 1600×1000
  viewport, a fresh context per run (no HTTP cache), from navigation until every village
  polygon is drawn and coloured (on SVG, or on a canvas: the page's own choice for
  the scope's size) and the screenshot is taken — the way maps go into slides
  today.

Nothing asserts on timings; the figures are printed and written to ``bench/out``.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from bench.common import Row, median, print_table, timed
from bench.map_browser import wait_level
from bench.map_data import Dataset, datasets
from bench.map_data import prepare_demo as _prepare_demo
from bench.map_data import prepare_jatim as _prepare_jatim
from dashboard import testing
from dashboard.app import create_app
from layers import base, catalog  # noqa: F401 - registers the layers
from layers.render import mapimage
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries

NAME = "map_image"
REPEATS = 5
SIZE = (1600, 1000)
LAYER = {"type": "insidens"}


def _region(ds: Dataset) -> str:
    return "99.01" if ds.name == "demo" else "35"


def measure_render(ds: Dataset, reps: int) -> dict[str, Any]:
    """Warm and cold PNG renders, SVG and PDF, and the route, for the dataset's region."""
    engine = store_engine.make_engine(ds.database_url)
    scope = Scope.of([_region(ds)])
    layer = base.from_config(LAYER)
    out: dict[str, Any] = {}
    with Session(engine) as session:
        period = layer.periods(session, scope)[0]
        out["period"] = str(period)
        out["villages"] = len(queries.village_table(session, scope))

        def png() -> bytes:
            return mapimage.render_map(session, scope, layer, period, fmt="png",
                                       width_px=SIZE[0], height_px=SIZE[1])  # fmt: skip

        cold = []
        for _ in range(max(2, reps - 2)):
            mapimage._SHAPES.clear()  # the scope's polygons read and simplified again
            seconds, body = timed(png)
            cold.append(seconds)
        warm = [timed(png)[0] for _ in range(reps)]
        out.update(cold_s=cold, warm_s=warm, png_bytes=len(body))
        for fmt in ("svg", "pdf"):
            runs = [timed(lambda f=fmt: mapimage.render_map(
                session, scope, layer, period, fmt=f, width_px=SIZE[0],
                height_px=SIZE[1]))[0] for _ in range(max(2, reps - 2))]  # fmt: skip
            out[f"{fmt}_s"] = runs
            out[f"{fmt}_bytes"] = len(mapimage.render_map(session, scope, layer, period,
                                                          fmt=fmt))  # type: ignore[arg-type]
        labels = [timed(lambda: mapimage.render_map(session, scope, layer, period,
                                                    labels=True))[0] for _ in range(2)]
        out["labels_s"] = labels
    engine.dispose()
    client = create_app(ds.database_url).server.test_client()
    query = urlencode({"layer": '{"type":"insidens"}', "period": out["period"],
                       "region": _region(ds)})  # fmt: skip
    route = []
    for _ in range(reps):
        seconds, response = timed(lambda: client.get(f"/peta.png?{query}"))
        if response.status_code != 200:
            raise RuntimeError(f"/peta.png: HTTP {response.status_code}")
        route.append(seconds)
    out["route_s"] = route
    return out


def measure_browser(ds: Dataset, period: str, expected: int, reps: int) -> dict[str, Any]:
    """Navigation → all villages drawn → screenshot, fresh context per run (one warm-up)."""
    url_query = urlencode({"layer": LAYER["type"], "period": period})
    runs: list[dict[str, float]] = []
    with testing.serve(ds.database_url) as base_url, testing.chromium() as browser:
        for i in range(reps + 1):
            context = browser.new_context(viewport={"width": SIZE[0], "height": SIZE[1]},
                                          locale="id-ID")  # fmt: skip
            page = context.new_page()
            try:
                started = time.perf_counter()
                page.goto(f"{base_url}/?{url_query}")
                # every village on the map (SVG or canvas: the page's own choice for the
                # scope), the values applied and the frame after
                got = wait_level(page, "desa", expected, chunks=True)
                if got["t"] != got["t"]:
                    raise RuntimeError(f"{ds.name}: {got['drawn']} of {expected} villages "
                                       "drawn after 180 s")
                drawn = time.perf_counter()
                shot = page.screenshot()
                done = time.perf_counter()
            finally:
                context.close()
            if i:  # the first run warms the server's caches and the browser
                runs.append({"drawn_s": drawn - started, "screenshot_s": done - started,
                             "bytes": len(shot)})  # fmt: skip
    return {"runs": runs, "screenshot_median_s": median([r["screenshot_s"] for r in runs]),
            "drawn_median_s": median([r["drawn_s"] for r in runs]),
            "bytes": median([r["bytes"] for r in runs])}  # fmt: skip


def rows_for(name: str, render: dict[str, Any], browser: dict[str, Any]) -> list[Row]:
    shot = browser["screenshot_median_s"]
    baseline = "Chromium: navigation → screenshot"
    return [
        Row(name, "render_map PNG, warm", median(render["warm_s"]), shot, "s", baseline),
        Row(name, "render_map PNG, cold (read + simplify)", median(render["cold_s"]), shot,
            "s", baseline),
        Row(name, "GET /peta.png (test client)", median(render["route_s"]), shot, "s",
            baseline),
        Row(name, "render_map PNG with labels, warm", median(render["labels_s"]),
            median(render["warm_s"]), "s", "without labels"),
        Row(name, "render_map SVG, warm", median(render["svg_s"]), median(render["warm_s"]),
            "s", "PNG"),
        Row(name, "render_map PDF, warm", median(render["pdf_s"]), median(render["warm_s"]),
            "s", "PNG"),
        Row(name, "PNG bytes", render["png_bytes"], browser["bytes"], "B",
            "Chromium screenshot PNG"),
        Row(name, "SVG bytes", render["svg_bytes"], render["png_bytes"], "B", "PNG"),
        Row(name, "PDF bytes", render["pdf_bytes"], render["png_bytes"], "B", "PNG"),
    ]  # fmt: skip


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every available dataset; print the table; return the JSON record."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    record: dict[str, Any] = {"name": NAME, "size": SIZE, "layer": LAYER, "datasets": {},
                              "notes": []}  # fmt: skip
    reps = 2 if quick else REPEATS
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pws-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for ds in datasets(tmp, quick, record, _prepare_demo, _prepare_jatim):
            print(f"{ds.name}: render ...", flush=True)
            render = measure_render(ds, reps)
            print(f"{ds.name}: Chromium, {reps} runs ...", flush=True)
            browser = measure_browser(ds, render["period"], render["villages"], reps)
            record["datasets"][ds.name] = {"setup_s": ds.setup_s, "region": _region(ds),
                                           "render": render, "browser": browser}  # fmt: skip
            rows.extend(rows_for(ds.name, render, browser))
    print_table(f"Map image {SIZE[0]}×{SIZE[1]} PNG drawn on the server vs a Chromium "
                f"screenshot of the map page, same layer and week (medians of {reps}; ratio "
                "= value / baseline)", rows)  # fmt: skip
    record["rows"] = [row.as_dict() for row in rows]
    return record


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
