"""Epidemiological weeks (minggu epidemiologi) as SKDR reports them.

Weeks run Sunday to Saturday. **Week 1 rule** (default, ``min_days=4``): week 1 of a
year is the first Sunday–Saturday week that has at least four of its days in that
year — the rule of the CDC MMWR calendar, which the WHO EWARS/SKDR weekly reporting
follows. Consequences:

* week 1 may start in late December (2024-W01 starts Sunday 31 Dec 2023);
* the last days of December may belong to week 1 of the next year;
* some years have 53 weeks (2020, 2025), most have 52.

The national SKDR guideline text was not available to confirm the rule (see
``domain.md``), so it is a parameter: ``min_days=1`` gives "week 1 is the week that
contains 1 January". Every function takes ``min_days``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_MIN_DAYS = 4
_PATTERN = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*$")


def _sunday_on_or_before(d: date) -> date:
    # date.weekday(): Monday 0 .. Sunday 6
    return d - timedelta(days=(d.weekday() + 1) % 7)


def week1_start(year: int, min_days: int = DEFAULT_MIN_DAYS) -> date:
    """The Sunday on which week 1 of ``year`` starts."""
    if not 1 <= min_days <= 7:
        raise ValueError("min_days must be between 1 and 7")
    jan1 = date(year, 1, 1)
    start = _sunday_on_or_before(jan1)
    days_in_year = 7 - (jan1 - start).days
    return start if days_in_year >= min_days else start + timedelta(days=7)


def weeks_in_year(year: int, min_days: int = DEFAULT_MIN_DAYS) -> int:
    """52 or 53."""
    return (week1_start(year + 1, min_days) - week1_start(year, min_days)).days // 7


@dataclass(frozen=True, order=True)
class EpiWeek:
    """One epidemiological week, ordered in time. ``str()`` gives ``2025-W07``."""

    year: int
    week: int
    min_days: int = DEFAULT_MIN_DAYS

    def __post_init__(self) -> None:
        last = weeks_in_year(self.year, self.min_days)
        if not 1 <= self.week <= last:
            raise ValueError(f"week {self.week} is outside 1–{last} of {self.year}")

    @classmethod
    def of(cls, d: date, min_days: int = DEFAULT_MIN_DAYS) -> EpiWeek:
        """The epi week containing the date ``d``."""
        year = d.year
        if d < week1_start(year, min_days):
            year -= 1
        elif d >= week1_start(year + 1, min_days):
            year += 1
        week = (d - week1_start(year, min_days)).days // 7 + 1
        return cls(year, week, min_days)

    @classmethod
    def parse(cls, text: str, min_days: int = DEFAULT_MIN_DAYS) -> EpiWeek:
        """Parse ``2025-W07``, ``2025W7`` or ``2025-w07``."""
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(f"{text!r} is not an epi week like 2025-W07")
        return cls(int(match.group(1)), int(match.group(2)), min_days)

    @property
    def start(self) -> date:
        """The Sunday the week starts."""
        return week1_start(self.year, self.min_days) + timedelta(weeks=self.week - 1)

    @property
    def end(self) -> date:
        """The Saturday the week ends."""
        return self.start + timedelta(days=6)

    def __add__(self, weeks: int) -> EpiWeek:
        return EpiWeek.of(self.start + timedelta(weeks=weeks), self.min_days)

    def __sub__(self, weeks: int) -> EpiWeek:
        return self + (-weeks)

    def weeks_since(self, other: EpiWeek) -> int:
        """How many weeks ``self`` lies after ``other`` (negative when before)."""
        return (self.start - other.start).days // 7

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"


def epiweek(d: date, min_days: int = DEFAULT_MIN_DAYS) -> EpiWeek:
    """The epi week of a date (shorthand for :meth:`EpiWeek.of`)."""
    return EpiWeek.of(d, min_days)


def week_range(first: EpiWeek, last: EpiWeek) -> Iterator[EpiWeek]:
    """Every week from ``first`` to ``last`` inclusive."""
    for i in range(last.weeks_since(first) + 1):
        yield first + i
