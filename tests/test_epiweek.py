"""Epi weeks (Sunday–Saturday, MMWR week-1 rule by default; ``min_days=1`` variant).

Every dated example below is worked out by hand in its comment, from the weekday of
1 January: week 1 starts on the Sunday on or before 1 January when that week has at
least ``min_days`` days in the new year, otherwise on the following Sunday.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from layers.epiweek import EpiWeek, epiweek, week1_start, week_range, weeks_in_year


def _reference(d: date, min_days: int) -> tuple[int, int]:
    """Independent oracle: a Sun–Sat week belongs to the year of its day number
    ``8 - min_days`` (Wednesday for 4, Saturday for 1); its number counts the weeks
    from that year's first such day."""
    sunday = d - timedelta(days=d.isoweekday() % 7)
    anchor = sunday + timedelta(days=7 - min_days)
    return anchor.year, (anchor.timetuple().tm_yday - 1) // 7 + 1


# --- week 1 starts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "min_days", "start"),
    [
        # 1 Jan 2024 is a Monday: the week Sun 31 Dec 2023 – Sat 6 Jan has 6 days in
        # 2024 (>= 4 and >= 1), so W01 starts Sun 2023-12-31 under both rules.
        (2024, 4, date(2023, 12, 31)),
        (2024, 1, date(2023, 12, 31)),
        # 1 Jan 2020 is a Wednesday: Sun 29 Dec 2019 – Sat 4 Jan has 4 days in 2020.
        (2020, 4, date(2019, 12, 29)),
        (2020, 1, date(2019, 12, 29)),
        # 1 Jan 2021 is a Friday: Sun 27 Dec 2020 – Sat 2 Jan has only 2 days in 2021,
        # so under the 4-day rule W01 is the next week, Sun 3 Jan 2021.
        (2021, 4, date(2021, 1, 3)),
        (2021, 1, date(2020, 12, 27)),
        # 1 Jan 2022 is a Saturday: only 1 day of Sun 26 Dec 2021 – Sat 1 Jan in 2022.
        (2022, 4, date(2022, 1, 2)),
        (2022, 1, date(2021, 12, 26)),
        # 1 Jan 2023 is a Sunday: W01 starts that very day under any rule.
        (2023, 4, date(2023, 1, 1)),
        (2023, 1, date(2023, 1, 1)),
        # 1 Jan 2025 is a Wednesday: Sun 29 Dec 2024 – Sat 4 Jan has 4 days in 2025.
        (2025, 4, date(2024, 12, 29)),
        # 1 Jan 2026 is a Thursday: Sun 28 Dec 2025 – Sat 3 Jan has 3 days in 2026.
        (2026, 4, date(2026, 1, 4)),
        (2026, 1, date(2025, 12, 28)),
    ],
)
def test_week1_start(year: int, min_days: int, start: date) -> None:
    got = week1_start(year, min_days)
    assert got == start
    assert got.isoweekday() == 7  # a Sunday
    assert EpiWeek(year, 1, min_days).start == start


@pytest.mark.parametrize("min_days", [0, 8, -1])
def test_min_days_out_of_range(min_days: int) -> None:
    with pytest.raises(ValueError):
        week1_start(2024, min_days)
    with pytest.raises(ValueError):
        epiweek(date(2024, 6, 1), min_days)


# --- dated examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "year", "week", "start"),
    [
        # 2024 W01 starts Sun 2023-12-31 (see above), so 31 Dec 2023 is 2024-W01.
        (date(2023, 12, 31), 2024, 1, date(2023, 12, 31)),
        (date(2024, 1, 6), 2024, 1, date(2023, 12, 31)),  # Saturday, end of W01
        (date(2024, 1, 7), 2024, 2, date(2024, 1, 7)),  # Sunday, start of W02
        # Sat 30 Dec 2023: 2023 W01 = Sun 1 Jan 2023; 363 days later -> 363 // 7 = 51
        # -> W52, starting 1 Jan + 51*7 = Sun 24 Dec 2023.
        (date(2023, 12, 30), 2023, 52, date(2023, 12, 24)),
        # Sat 2 Jan 2021 lies before 2021 W01 (Sun 3 Jan), so it is in 2020's last week.
        # 2020 W01 = Sun 29 Dec 2019; 2 Jan 2021 is 370 days later -> 370 // 7 = 52
        # -> W53, starting 29 Dec 2019 + 364 = Sun 27 Dec 2020.
        (date(2021, 1, 2), 2020, 53, date(2020, 12, 27)),
        (date(2021, 1, 3), 2021, 1, date(2021, 1, 3)),
        # Sat 1 Jan 2022 lies before 2022 W01 (Sun 2 Jan). 2021 W01 = Sun 3 Jan 2021;
        # 363 days later -> W52, starting 3 Jan 2021 + 357 = Sun 26 Dec 2021.
        (date(2022, 1, 1), 2021, 52, date(2021, 12, 26)),
        (date(2022, 1, 2), 2022, 1, date(2022, 1, 2)),
        # Thu 1 Jan 2026 lies before 2026 W01 (Sun 4 Jan). 2025 W01 = Sun 29 Dec 2024;
        # 368 days later -> 368 // 7 = 52 -> W53, starting 29 Dec 2024 + 364 =
        # Sun 28 Dec 2025.
        (date(2026, 1, 1), 2025, 53, date(2025, 12, 28)),
        (date(2026, 1, 3), 2025, 53, date(2025, 12, 28)),
        (date(2026, 1, 4), 2026, 1, date(2026, 1, 4)),
        # Sun 29 Dec 2019 starts 2020 W01 (1 Jan 2020 is a Wednesday).
        (date(2019, 12, 29), 2020, 1, date(2019, 12, 29)),
        (date(2019, 12, 28), 2019, 52, date(2019, 12, 22)),  # the Saturday before
        # Wed 17 Jul 2024: day-of-year 199 (31+29+31+30+31+30+17); 2024 W01 starts the
        # day before 1 Jan, so 199 days after it -> 199 // 7 = 28 -> W29, starting
        # 31 Dec 2023 + 196 = Sun 14 Jul 2024.
        (date(2024, 7, 17), 2024, 29, date(2024, 7, 14)),
        # Fri 14 Feb 2025: 2025 W01 = Sun 29 Dec 2024; 3 + 31 + 13 = 47 days later
        # -> 47 // 7 = 6 -> W07, starting 29 Dec 2024 + 42 = Sun 9 Feb 2025.
        (date(2025, 2, 14), 2025, 7, date(2025, 2, 9)),
        # Mon 15 Jun 2020: 2020 W01 = Sun 29 Dec 2019; 3 + 166 = 169 days later
        # (day-of-year 167 = 31+29+31+30+31+15) -> 169 // 7 = 24 -> W25, starting
        # 29 Dec 2019 + 168 = Sun 14 Jun 2020.
        (date(2020, 6, 15), 2020, 25, date(2020, 6, 14)),
    ],
)
def test_dated_examples_default_rule(day: date, year: int, week: int, start: date) -> None:
    w = epiweek(day)
    assert (w.year, w.week) == (year, week)
    assert w == EpiWeek(year, week)
    assert w.start == start
    assert w.end == start + timedelta(days=6)
    assert w.end.isoweekday() == 6  # a Saturday


@pytest.mark.parametrize(
    ("day", "four_day", "one_day"),
    [
        # 1 Jan 2021 (Fri): 4-day rule -> 2020-W53; week containing 1 Jan -> 2021-W01.
        (date(2021, 1, 2), (2020, 53), (2021, 1)),
        (date(2020, 12, 27), (2020, 53), (2021, 1)),
        # 1 Jan 2022 (Sat): 2021-W52 versus 2022-W01.
        (date(2022, 1, 1), (2021, 52), (2022, 1)),
        # 1 Jan 2026 (Thu): 2025-W53 versus 2026-W01.
        (date(2026, 1, 1), (2025, 53), (2026, 1)),
        # 2 Jan 2022 (Sun): 4-day W01 starts that day; with min_days=1 W01 began
        # Sun 26 Dec 2021, so it is W02.
        (date(2022, 1, 2), (2022, 1), (2022, 2)),
        # 14 Feb 2025 (see above): W01 starts Sun 29 Dec 2024 under both rules (1 Jan
        # 2025 is a Wednesday), so both give W07.
        (date(2025, 2, 14), (2025, 7), (2025, 7)),
        # 1 Jan 2024 (Mon): both rules start W01 on Sun 31 Dec 2023.
        (date(2023, 12, 31), (2024, 1), (2024, 1)),
        # Mid-2021: 4-day W01 = 3 Jan, 1-day W01 = 27 Dec 2020, one week apart.
        # Wed 16 Jun 2021 is 164 days after 3 Jan -> W24; 171 days after 27 Dec -> W25.
        (date(2021, 6, 16), (2021, 24), (2021, 25)),
    ],
)
def test_min_days_one_differs_where_it_should(
    day: date, four_day: tuple[int, int], one_day: tuple[int, int]
) -> None:
    w4 = epiweek(day)
    w1 = epiweek(day, min_days=1)
    assert (w4.year, w4.week) == four_day
    assert (w1.year, w1.week) == one_day
    assert w1.min_days == 1 and w4.min_days == 4
    assert w1.start <= day <= w1.end


def test_weeks_in_year() -> None:
    # 53 weeks when 1 Jan is a Wednesday, or a Tuesday in a leap year (see module
    # doc): 2020 (leap, Wed) and 2025 (Wed) are the only ones in 2015–2030.
    long_years = {y for y in range(2015, 2031) if weeks_in_year(y) == 53}
    assert long_years == {2020, 2025}
    assert all(weeks_in_year(y) in (52, 53) for y in range(2015, 2031))
    # With the week containing 1 Jan as W01, 2020 (29 Dec 2019 to 27 Dec 2020 = 364
    # days) has only 52 weeks, while 2026 (W01 Sun 28 Dec 2025, 2027 W01 Sun 27 Dec
    # 2026: 1 Jan 2027 is a Friday) has 52 as well.
    assert weeks_in_year(2020, min_days=1) == 52
    assert weeks_in_year(2026, min_days=1) == 52
    # 1 Jan 2022 is a Saturday; the 1-day rule starts 2022 W01 on Sun 26 Dec 2021,
    # so 2021 (W01 Sun 27 Dec 2020) has 52 weeks and 2022 ends at Sun 1 Jan 2023
    # (1 Jan 2023 is a Sunday): 26 Dec 2021 -> 1 Jan 2023 = 371 days = 53 weeks.
    assert weeks_in_year(2022, min_days=1) == 53
    assert weeks_in_year(2022) == 52


# --- properties over 2015–2030 ------------------------------------------------------


@pytest.mark.parametrize("min_days", [1, 4, 7])
def test_every_day_2015_to_2030_lies_in_its_week_and_weeks_are_consecutive(
    min_days: int,
) -> None:
    day, last = date(2015, 1, 1), date(2030, 12, 31)
    prev: EpiWeek | None = None
    seen: set[tuple[int, int]] = set()
    while day <= last:
        w = epiweek(day, min_days)
        assert w.start <= day <= w.end, day
        assert (w.end - w.start).days == 6
        assert w.start.isoweekday() == 7
        assert (w.year, w.week) == _reference(day, min_days), day
        if prev is not None and w != prev:
            # a new week begins exactly the day after the previous one ended
            assert w.start == prev.end + timedelta(days=1), day
            assert day == w.start, day
            if w.year == prev.year:
                assert w.week == prev.week + 1, day
            else:
                assert (w.year, w.week) == (prev.year + 1, 1), day
                assert prev.week == weeks_in_year(prev.year, min_days), day
            assert (w.year, w.week) not in seen, day
            assert w > prev
        seen.add((w.year, w.week))
        prev = w
        day += timedelta(days=1)
    # every week number of every full year in the range was visited
    for year in range(2016, 2030):
        for n in range(1, weeks_in_year(year, min_days) + 1):
            assert (year, n) in seen


def test_parse_str_round_trip() -> None:
    for min_days in (1, 4):
        w = epiweek(date(2015, 1, 1), min_days)
        end = epiweek(date(2030, 12, 31), min_days)
        while w <= end:
            assert EpiWeek.parse(str(w), min_days) == w
            w = w + 1


@pytest.mark.parametrize(
    "base", [EpiWeek(2020, 50), EpiWeek(2020, 53), EpiWeek(2021, 1), EpiWeek(2025, 53, 4)]
)
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 52, 53, 104, 200, -1, -3, -53, -200])
def test_add_subtract_and_weeks_since(base: EpiWeek, n: int) -> None:
    moved = base + n
    assert moved - n == base
    assert moved.start == base.start + timedelta(weeks=n)
    assert moved.weeks_since(base) == n
    assert base.weeks_since(moved) == -n


def test_arithmetic_across_year_ends() -> None:
    # 2020 has 53 weeks, so W52 + 1 = W53 and W52 + 2 = 2021-W01.
    assert EpiWeek(2020, 52) + 1 == EpiWeek(2020, 53)
    assert EpiWeek(2020, 52) + 2 == EpiWeek(2021, 1)
    # 2021 has 52 weeks, so W52 + 1 = 2022-W01.
    assert EpiWeek(2021, 52) + 1 == EpiWeek(2022, 1)
    assert EpiWeek(2022, 1) - 1 == EpiWeek(2021, 52)
    assert EpiWeek(2026, 1) - 1 == EpiWeek(2025, 53)
    assert EpiWeek(2021, 1).weeks_since(EpiWeek(2020, 52)) == 2
    assert EpiWeek(2022, 1).weeks_since(EpiWeek(2021, 52)) == 1
    # 2021-W01 to 2022-W01 is 52 weeks; 2020-W01 to 2021-W01 is 53.
    assert EpiWeek(2022, 1).weeks_since(EpiWeek(2021, 1)) == 52
    assert EpiWeek(2021, 1).weeks_since(EpiWeek(2020, 1)) == 53
    # with min_days=1 2020 has 52 weeks: W52 + 1 is 2021-W01
    assert EpiWeek(2020, 52, 1) + 1 == EpiWeek(2021, 1, 1)


def test_week_range() -> None:
    got = [str(w) for w in week_range(EpiWeek(2020, 52), EpiWeek(2021, 2))]
    assert got == ["2020-W52", "2020-W53", "2021-W01", "2021-W02"]
    assert list(week_range(EpiWeek(2024, 5), EpiWeek(2024, 5))) == [EpiWeek(2024, 5)]
    assert list(week_range(EpiWeek(2024, 6), EpiWeek(2024, 5))) == []
    assert len(list(week_range(EpiWeek(2025, 1), EpiWeek(2025, 53)))) == 53


def test_ordering() -> None:
    assert EpiWeek(2020, 53) < EpiWeek(2021, 1) < EpiWeek(2021, 2)
    assert sorted([EpiWeek(2021, 1), EpiWeek(2020, 53), EpiWeek(2020, 1)]) == [
        EpiWeek(2020, 1),
        EpiWeek(2020, 53),
        EpiWeek(2021, 1),
    ]


# --- invalid weeks and parsing --------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "week", "min_days"),
    [
        (2024, 0, 4),
        (2024, -1, 4),
        (2024, 54, 4),
        (2020, 54, 4),
        (2021, 53, 4),  # 2021 has 52 weeks
        (2024, 53, 4),  # 2024 has 52 weeks
        (2020, 53, 1),  # 2020 has 52 weeks with min_days=1
    ],
)
def test_invalid_weeks_raise(year: int, week: int, min_days: int) -> None:
    with pytest.raises(ValueError):
        EpiWeek(year, week, min_days)


def test_week_53_exists_in_long_years() -> None:
    assert EpiWeek(2020, 53).start == date(2020, 12, 27)
    assert EpiWeek(2025, 53).end == date(2026, 1, 3)
    assert EpiWeek(2022, 53, 1).start == date(2022, 12, 25)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-W07", EpiWeek(2025, 7)),
        ("2025W7", EpiWeek(2025, 7)),
        ("2025-w07", EpiWeek(2025, 7)),
        (" 2025-W07 ", EpiWeek(2025, 7)),
        ("2020-W53", EpiWeek(2020, 53)),
    ],
)
def test_parse_accepts(text: str, expected: EpiWeek) -> None:
    assert EpiWeek.parse(text) == expected


def test_str_is_zero_padded() -> None:
    assert str(EpiWeek(2025, 7)) == "2025-W07"
    assert str(EpiWeek(2020, 53)) == "2020-W53"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2025",
        "2025-07",
        "W07",
        "2025-W",
        "2025-W007",
        "25-W07",
        "2025-W07x",
        "2025-Q07",
        "2025-W-07",
        "2025-W7.5",
        "week 7",
        "2025-02-14",
        "2021-W53",  # well-formed but 2021 has 52 weeks
        "2025-W00",
        "2025-W54",
    ],
)
def test_parse_refuses_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        EpiWeek.parse(text)


def test_parse_refuses_w53_in_short_year_with_min_days_one() -> None:
    with pytest.raises(ValueError):
        EpiWeek.parse("2020-W53", min_days=1)
    assert EpiWeek.parse("2020-W53") == EpiWeek(2020, 53)
