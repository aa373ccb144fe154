"""Shared helpers of the benchmarks: paths, repetitions, ratios, table and JSON output.

Every benchmark prints each figure beside a baseline measured in the same run, as a
ratio, and takes medians of several repetitions (machines are noisy). Nothing here
asserts on timings: the figures are for reading and for the JSON record only.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
#: ``shared/data`` beside the checkout (real boundaries; never copied into the repo)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OUT_DIR = Path(__file__).resolve().parent / "out"


def median(values: Sequence[float]) -> float:
    """Median of a non-empty sequence (NaN when empty)."""
    return float(statistics.median(values)) if values else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn`` once; return (seconds, its result)."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def ratio(value: float, baseline: float) -> float:
    """``value / baseline`` (NaN when the baseline is zero or missing)."""
    if not baseline or baseline != baseline:
        return float("nan")
    return value / baseline


@dataclass
class Row:
    """One printed line: a figure beside its same-run baseline."""

    dataset: str
    figure: str
    value: float
    baseline: float
    unit: str
    baseline_name: str

    @property
    def ratio(self) -> float:
        return ratio(self.value, self.baseline)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio}


def fmt_value(value: float, unit: str) -> str:
    """A number in its unit, compactly (bytes as kB/MB, seconds as ms/s)."""
    if value != value:  # NaN
        return "n/a"
    if unit == "B":
        if value >= 1e6:
            return f"{value / 1e6:.2f} MB"
        if value >= 1e3:
            return f"{value / 1e3:.1f} kB"
        return f"{value:.0f} B"
    if unit == "s":
        return f"{value:.2f} s" if value >= 1 else f"{value * 1e3:.0f} ms"
    if unit == "m²":
        return f"{value / 1e6:.2f} km²" if value >= 1e5 else f"{value:,.0f} m²"
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:.3g} {unit}"


def print_table(title: str, rows: Sequence[Row]) -> None:
    """Print rows as an aligned text table with the ratio value/baseline."""
    header = ("dataset", "figure", "value", "baseline", "ratio", "baseline is")
    lines = [
        (r.dataset, r.figure, fmt_value(r.value, r.unit), fmt_value(r.baseline, r.unit),
         "n/a" if r.ratio != r.ratio else f"{r.ratio:.3f}", r.baseline_name)
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=True)]
    right = {2, 3, 4}

    def render(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(f"\n{title}")
    print(render(header))
    print(render(["-" * w for w in widths]))
    for line in lines:
        print(render(line))


def write_json(name: str, payload: dict[str, Any]) -> Path:
    """Write ``bench/out/<name>.json`` (git-ignored) and return its path."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n",
                    encoding="utf-8")
    return path


def _json_default(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
