"""Classification of layer values into legend classes, built on mapclassify.

Two kinds of legend:

* **fixed** class breaks (``fixed``) — the same colours mean the same thing every
  week, which is what a weekly PWS map needs (officials compare weeks);
* **data-driven** breaks (``natural``, Fisher–Jenks) for exploring one period.

Classes are integers ``0..k-1``; ``NO_DATA`` (-1) marks a village without a value.
"""

from __future__ import annotations

from collections.abc import Sequence

import mapclassify
import numpy as np

NO_DATA = -1

#: ColorBrewer sequential palettes (colorbrewer2.org), light to dark.
PALETTES: dict[str, tuple[str, ...]] = {
    "YlOrRd5": ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    "Blues5": ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
    "RdYlGn5": ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"),
}
NO_DATA_COLOR = "#d9d9d9"


def fixed(values: Sequence[float] | np.ndarray, upper_bounds: Sequence[float]) -> np.ndarray:
    """Class index of each value for fixed class upper bounds (inclusive).

    The last bound may be ``inf``. NaN gives ``NO_DATA``.

    >>> fixed([0, 0.3, 5, float("nan")], [0, 0.5, 1, float("inf")]).tolist()
    [0, 1, 3, -1]
    """
    y = np.asarray(values, dtype=float)
    out = np.full(y.shape, NO_DATA, dtype=int)
    ok = ~np.isnan(y)
    if ok.any():
        bins = np.asarray(upper_bounds, dtype=float)
        finite_bins = bins[np.isfinite(bins)]
        # mapclassify appends max(y) when it exceeds the last bin, so open-ended
        # classes work; we cap its extra class back onto our last class.
        yb = mapclassify.UserDefined(y[ok], finite_bins).yb
        out[ok] = np.minimum(yb, len(bins) - 1)
    return out


def natural(values: Sequence[float] | np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Fisher–Jenks classes: (class index per value, upper bounds). NaN gives ``NO_DATA``."""
    y = np.asarray(values, dtype=float)
    out = np.full(y.shape, NO_DATA, dtype=int)
    ok = ~np.isnan(y)
    distinct = np.unique(y[ok])
    if len(distinct) == 0:
        return out, np.array([])
    k = max(1, min(k, len(distinct)))
    if k == 1:
        out[ok] = 0
        return out, np.array([distinct[-1]])
    result = mapclassify.FisherJenks(y[ok], k=k)
    out[ok] = result.yb
    return out, np.asarray(result.bins)
