"""Run the benchmarks: ``python -m bench [NAME ...] [--quick]``.

Prints a table per benchmark and writes ``bench/out/<name>.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
from datetime import UTC, datetime

from bench.common import write_json

#: benchmark name -> module with ``run(quick: bool) -> dict``
BENCHMARKS = {
    "map_payload": "bench.map_payload",
    "imports": "bench.imports",
    "national_import": "bench.national_import",
    "scan": "bench.scan",
    "hotspots": "bench.hotspots",
    "alerts": "bench.alerts",
    "pustu": "bench.pustu",
    "kader": "bench.kader",
    "present": "bench.present",
    "map_image": "bench.map_image",
    "layer_values": "bench.layer_values",
    "geometry_levels": "bench.geometry_levels",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default all: {', '.join(BENCHMARKS)})")
    parser.add_argument("--quick", action="store_true",
                        help="demo data only, fewer repetitions (a smoke run)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    for name in args.names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        started = time.perf_counter()
        record = module.run(quick=args.quick)
        record["meta"] = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "machine": platform.platform(),
            "quick": args.quick,
            "wall_s": time.perf_counter() - started,
        }
        path = write_json(name, record)
        print(f"\n{name}: {record['meta']['wall_s']:.0f} s; wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
