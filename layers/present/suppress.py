"""Small-count suppression: case counts 1 … threshold−1 written as ``< threshold``.

Documents that leave the office (PPTX, PDF) must not let a reader single out a household
from a village's small case count; the common convention (e.g. the WHO/ministry practice of
suppressing cells under 5) is the default threshold, configurable. Zero stays zero (it
reveals nobody) and counts at or above the threshold are shown. On screen, inside the
office, nothing is suppressed (``Suppression(None)``).

Examples
--------
>>> s = Suppression(5)
>>> [s.count(n, "id") for n in (0, 1, 4, 5, 1234)]
['0', '< 5', '< 5', '5', '1.234']
>>> Suppression(None).count(3, "en"), s.hides(3), Suppression(None).hides(3)
('3', True, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from layers.text import fmt_number

#: the default threshold of exported documents
DEFAULT_THRESHOLD = 5


@dataclass(frozen=True)
class Suppression:
    """Whether and below what count case counts are hidden (``threshold`` None: never)."""

    threshold: int | None = None

    def __post_init__(self) -> None:
        if self.threshold is not None and not 2 <= int(self.threshold) <= 100:
            raise ValueError("suppression threshold must be 2–100")

    def hides(self, n: float | int | None) -> bool:
        """True when count ``n`` is shown as ``< threshold``."""
        if self.threshold is None or n is None or (isinstance(n, float) and math.isnan(n)):
            return False
        return 0 < n < self.threshold

    def count(self, n: float | int | None, lang: str) -> str:
        """Count ``n`` as text, suppressed when small (``–`` for a missing count)."""
        if self.hides(n):
            return f"< {self.threshold}"
        return fmt_number(n, lang)

    def value(self, n: float) -> float:
        """``n`` for a chart: NaN when suppressed (the bar is left out and labelled)."""
        return math.nan if self.hides(n) else float(n)


ON_SCREEN = Suppression(None)
EXPORTED = Suppression(DEFAULT_THRESHOLD)
