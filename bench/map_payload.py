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
   frame after), served SVG and canvas beside raw SVG: two weeks next to the one shown,
   which the page fetched ahead (``pws.prefetchNear``; each change waits until they are
   there), then one further away (``FAR_OPTION``), which it asks the values route for when
   chosen; and on the cold navigation, with the week's values not computed yet;
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

import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.common import Row, fmt_value, median, print_table, ratio
from bench.map_browser import VARIANTS, category_bytes, measure_browser, measure_drill
from bench.map_data import (
    NATIONAL,
    RUNS,
    datasets,
    national_store,
    prepare_demo,
    prepare_jatim_map,
)
from bench.map_geometry_check import measure_payload
from bench.map_server import environ, serving
from dashboard import map_geometry, testing
from layers.scope import Scope

NAME = "map_payload"
#: the kabupaten the drill-down fits (Pacitan: in Jawa Timur and in the national file; at
#: the province's edge, so few neighbouring chunks are in its view)
DRILL_KAB = "35.01"
#: the subset's village limit: Jawa Timur's 8,494 villages drill down like the nation's
SUBSET_MAX_VILLAGES = 2000
#: without Jawa Timur (``--quick``) the demo's 250 villages drill down
DEMO_MAX_VILLAGES, DEMO_KAB = 100, "99.01"


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
        Row(name, "  week change → Dash's values callback answered (after paint), SVG",
            sv["week_response_median_s"], rv["week_response_median_s"], "s", raw_svg),
        Row(name, "week change → applied, canvas", cv["week_applied_median_s"],
            rv["week_applied_median_s"], "s", raw_svg),
        Row(name, "week change → painted, canvas", cv["week_painted_median_s"],
            rv["week_painted_median_s"], "s", raw_svg),
        Row(name, "far week (not fetched ahead) → painted, canvas", cv["far_painted_median_s"],
            rv["far_painted_median_s"], "s", raw_svg),
        Row(name, "far week (not fetched ahead) → painted, SVG", sv["far_painted_median_s"],
            rv["far_painted_median_s"], "s", raw_svg),
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
        n_geo = category_bytes(warm[bytes_key], "geo", "count")
        rows.append(Row(name, f"  bytes of its {n_geo:.0f} geometry requests",
                        category_bytes(warm[bytes_key], "geo"), ref_bytes, "B", ref_name))
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
        # no weeks prefetched in the background (dashboard/values_prefetch.py): the week
        # changes measured are warm anyway (the cold run computed them), and a prefetch
        # during the warm runs would count as a computation they made
        with environ(PWS_CACHE_DIR=str(cache_root / "env"), PWS_WARMUP="0",
                     PWS_PREFETCH_PERIODS="0"), \
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
