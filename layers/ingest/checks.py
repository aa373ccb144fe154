"""Shared row checks: each takes a column of text and the user's row numbers, and returns
the parsed values plus one :class:`Problem` per bad cell (never stopping at the first).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from layers import codes
from layers.epiweek import EpiWeek, weeks_in_year
from layers.ingest.problems import Problem
from layers.scope import Scope
from layers.text import Text

#: ``judge(value) -> (parsed, message or None, problem code)``
Judge = Callable[[str], tuple[Any, Text | None, str]]
_INT = re.compile(r"^[+-]?\d+(\.0+)?$", re.ASCII)
#: the largest count a 32-bit INTEGER column holds on every database
INT_MAX = 2_147_483_647
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def blank(value: Any) -> bool:
    """An empty cell (None, NaN or NA, whatever the reader produced)."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _missing(column: str, row: int) -> Problem:
    return Problem(Text("Nilai wajib kosong.", "A required value is empty."),
                   row=row, column=column, code="missing")  # fmt: skip


def per_unique(
    values: pd.Series, rows: pd.Series, column: str, judge: Judge, required: bool = True,
    dtype: str = "object",
) -> tuple[pd.Series, list[Problem]]:
    """Apply ``judge`` once per distinct value (files repeat codes and counts a lot).

    ``judge(value) -> (parsed, message or None, problem code)``. Vectorised: only the bad
    cells are visited one by one, so a million-row file costs one dictionary map.
    """
    verdicts = {v: judge(v) for v in pd.unique(values.dropna())}
    good = {v: parsed for v, (parsed, message, _) in verdicts.items() if message is None}
    out = values.map(good)
    out = out.astype(dtype) if dtype != "object" else out.astype(object).where(out.notna(), None)
    problems: list[Problem] = []
    if required:
        for i in values.index[values.isna()]:
            problems.append(_missing(column, int(rows[i])))
    bad = values.notna() & ~values.isin(list(good))
    for i in values.index[bad]:
        value = values[i]
        _, message, code = verdicts[value]
        problems.append(Problem(message, row=int(rows[i]), column=column, value=value,
                                code=code))  # fmt: skip
    return out, problems


def village_codes(
    values: pd.Series, rows: pd.Series, known: set[str] | None, scope: Scope,
    column: str = "kode_desa",
) -> tuple[pd.Series, list[Problem]]:
    """Dotted village codes; malformed, non-village, unknown and out-of-scope codes reported."""

    def judge(value: str) -> tuple[Any, Text | None, str]:
        try:
            kode = codes.village_code(value)  # 7th digit 1, 2 or 3 (kind unknown)
        except codes.CodeError as exc:
            return None, Text(exc.reason_id, exc.reason_en), "bad_code"
        if not scope.allows(kode):
            return None, Text("Desa ini di luar wilayah Anda.",
                              "This village is outside your region."), "out_of_scope"
        if known is not None and kode not in known:
            return None, Text(
                "Kode desa tidak ada di batas wilayah yang tersimpan (impor batas dulu).",
                "Village code not in the stored boundaries (import boundaries first).",
            ), "unknown_code"
        return kode, None, ""

    return per_unique(values, rows, column, judge)


def integers(
    values: pd.Series, rows: pd.Series, column: str, minimum: int | None = 0,
    maximum: int | None = None, required: bool = True,
) -> tuple[pd.Series, list[Problem]]:
    """Whole numbers (``12``, ``12.0``); decimals, text and out-of-range values reported."""

    def judge(value: str) -> tuple[Any, Text | None, str]:
        text = str(value).replace(" ", "")
        if not _INT.match(text):
            return None, Text("Harus bilangan bulat.", "Must be a whole number."), "not_integer"
        number = int(text.split(".")[0])
        ceiling = INT_MAX if maximum is None else maximum
        if minimum is not None and number < minimum:
            return None, Text(f"Tidak boleh kurang dari {minimum}.",
                              f"Must not be less than {minimum}."), "too_small"
        if number > ceiling:
            return None, Text(f"Tidak boleh lebih dari {ceiling}.",
                              f"Must not be more than {ceiling}."), "too_large"
        return number, None, ""

    return per_unique(values, rows, column, judge, required=required, dtype="Int64")


def choices(
    values: pd.Series, rows: pd.Series, column: str, allowed: dict[str, str],
    default: str | None = None,
) -> tuple[pd.Series, list[Problem]]:
    """Values from a fixed list; ``allowed`` maps accepted spellings (lower case) to canonical."""
    canon = ", ".join(sorted(set(allowed.values())))
    if default is not None:
        values = values.where(values.notna(), default)

    def judge(value: str) -> tuple[Any, Text | None, str]:
        key = str(value).strip().lower()
        if key in allowed:
            return allowed[key], None, ""
        return None, Text(f"Nilai tidak dikenal; yang diterima: {canon}.",
                          f"Unknown value; accepted: {canon}."), "bad_choice"

    return per_unique(values, rows, column, judge)


def dates(
    values: pd.Series, rows: pd.Series, column: str, today: dt.date | None = None,
    required: bool = True,
) -> tuple[pd.Series, list[Problem]]:
    """Dates as ``2025-03-01`` or ``01/03/2025`` (day first); future dates reported."""
    today = today or dt.date.today()

    def judge(value: str) -> tuple[Any, Text | None, str]:
        parsed = _parse_date(str(value))
        if parsed is None:
            return None, Text("Tanggal tidak dikenali (contoh: 2025-03-01 atau 01/03/2025).",
                              "Unrecognised date (e.g. 2025-03-01 or 01/03/2025)."), "bad_date"
        if parsed > today:
            return None, Text("Tanggal di masa depan.", "The date is in the future."), "future"
        return parsed, None, ""

    return per_unique(values, rows, column, judge, required=required)


def _parse_date(text: str) -> dt.date | None:
    text = text.strip()[:10] if "T" in text or len(text) > 10 else text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def epi_weeks(
    years: pd.Series, weeks: pd.Series, rows: pd.Series, today: dt.date | None = None
) -> list[Problem]:
    """Weeks outside 1–52/53 of their year, and weeks that have not started yet."""
    current = EpiWeek.of(today or dt.date.today())
    pairs = pd.DataFrame({"y": years, "w": weeks}).dropna()
    verdicts: dict[tuple[int, int], tuple[Text, str, object] | None] = {}
    for y, w in pairs.drop_duplicates().itertuples(index=False):
        y, w = int(y), int(w)
        last = weeks_in_year(y)
        if not 1 <= w <= last:
            verdicts[(y, w)] = (Text(f"Minggu harus 1–{last} untuk tahun {y}.",
                                     f"Week must be 1–{last} in {y}."), "bad_week", w)
        elif EpiWeek(y, w) > current:
            future = Text("Minggu ini belum terjadi.", "This week has not happened yet.")
            verdicts[(y, w)] = (future, "future", f"{y}-W{w:02d}")
    problems: list[Problem] = []
    if not verdicts:
        return problems
    keys = list(zip(pairs["y"].astype(int), pairs["w"].astype(int), strict=True))
    for i, key in zip(pairs.index, keys, strict=True):
        if key in verdicts:
            message, code, value = verdicts[key]
            problems.append(Problem(message, row=int(rows[i]), column="minggu", value=value,
                                    code=code))  # fmt: skip
    return problems


def duplicates(frame: pd.DataFrame, keys: Iterable[str], rows: pd.Series) -> list[Problem]:
    """Rows whose key repeats an earlier row of the same file."""
    keys = list(keys)
    complete = frame[keys].notna().all(axis=1)
    involved = frame[keys].duplicated(keep=False) & complete
    first_row: dict[tuple, int] = {}
    problems: list[Problem] = []
    for i in frame.index[involved]:
        key = tuple(frame.loc[i, keys])
        if key not in first_row:
            first_row[key] = int(rows[i])
            continue
        problems.append(Problem(
            Text(f"Baris ganda: sama dengan baris {first_row[key]} ({', '.join(keys)}).",
                 f"Duplicate row: same as row {first_row[key]} ({', '.join(keys)})."),
            row=int(rows[i]), column=keys[0], value=" / ".join(map(str, key)), code="duplicate",
        ))  # fmt: skip
    return problems


def bad_rows(problems: list[Problem]) -> set[int]:
    """The row numbers named by problems."""
    return {p.row for p in problems if p.row is not None}


