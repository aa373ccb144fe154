"""Numbers and labels of many villages at once: :func:`layers.text.fmt_number` vectorised.

A map layer labels every village of its scope (8,494 in Jawa Timur). Formatting each number
with :func:`~layers.text.fmt_number` costs microseconds per value — most of a layer's time
once its data come from one query. :func:`numbers` gives the same strings for a whole array:
integers and fixed-point decimals are written with NumPy's integer-to-text conversion, and
only the values NumPy could round differently from Python (a product within 10⁻⁶ of a half)
and negative ones go through Python's own formatting; the digits come from small tables
(NumPy's own int-to-text conversion calls Python once per value), thousands grouped. Labels are then
joined as whole object arrays (:func:`join`), one small format per class of village instead
of a Python function per row.

>>> numbers(np.array([0.125, 2.5, 1234.5, np.nan, 7.0]), "id", 2).tolist()
['0,12', '2,50', '1.234,50', '–', '7,00']
>>> join("a", np.array(["x", "y"], dtype=object), "!").tolist()
['ax!', 'ay!']
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Any

import numpy as np

from layers.text import fmt_number

#: values at least this large (in units of the last decimal) are formatted by Python
_EXACT_LIMIT = 2.0**52
#: a scaled value this close to a half may round differently in NumPy: Python decides
_HALF_MARGIN = 1e-6


#: most decimals written from a table (10**decimals strings)
_TABLE_DECIMALS = 3
#: the whole part of a number below 1,000 as text (NumPy's int-to-str calls Python per value)
_WHOLE = np.array([str(i) for i in range(1000)], dtype=object)


@lru_cache(maxsize=_TABLE_DECIMALS + 1)
def _tail(decimals: int) -> np.ndarray:
    """The ``10**decimals`` decimal tails ``00`` … ``99`` (for 2) as text."""
    return np.array([str(i).zfill(decimals) for i in range(10**decimals)], dtype=object)


def numbers(values: Any, lang: str = "id", decimals: int = 0) -> np.ndarray:
    """``fmt_number(v, lang, decimals)`` of every value, as an object array.

    NaN (and None) give ``–`` as :func:`~layers.text.fmt_number` does.
    """
    v = np.asarray(values, dtype=float).reshape(-1)
    out = np.empty(len(v), dtype=object)
    if not len(v):
        return out
    scale = 10.0**decimals
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.abs(v) * scale
        rounded = np.rint(scaled)  # half to even, as Python's format on an exact half
        frac = scaled - np.floor(scaled)
        # negative numbers (and -0.0) are left to Python
        fast = (np.isfinite(scaled) & ~np.signbit(v) & (scaled < _EXACT_LIMIT)
                & (np.abs(frac - 0.5) > _HALF_MARGIN))  # fmt: skip
    if decimals > _TABLE_DECIMALS:
        fast[:] = False
    units = rounded[fast].astype(np.int64)
    text = _grouped(units // int(scale), "." if lang != "en" else ",")
    if decimals:
        mark = "," if lang != "en" else "."
        text = text + mark + _tail(decimals)[units % int(scale)]
    out[fast] = text
    missing = np.isnan(v)
    out[missing] = fmt_number(None)
    slow = np.flatnonzero(~fast & ~missing)
    if len(slow):
        out[slow] = [fmt_number(float(x), lang, decimals) for x in v[slow]]
    return out


def _grouped(whole: np.ndarray, separator: str) -> np.ndarray:
    """Whole numbers ≥ 0 as text with a thousands ``separator`` (``1.234.567``)."""
    out = _WHOLE[whole % 1000]
    rest = whole // 1000
    big = np.flatnonzero(rest > 0)
    if len(big):
        out[big] = _tail(3)[whole[big] % 1000]  # below a higher group: zero-padded
    while len(big):
        group, rest_big = rest[big] % 1000, rest[big] // 1000
        higher = rest_big > 0
        head = np.where(higher, _tail(3)[group], _WHOLE[group])
        out[big] = head + separator + out[big]
        rest[big] = rest_big
        big = big[higher]
    return out


def join(*parts: Any) -> np.ndarray:
    """Element-wise concatenation of strings and equally long object arrays."""
    arrays = [p for p in parts if not isinstance(p, str)]
    n = len(arrays[0]) if arrays else 1
    out = np.full(n, "", dtype=object)
    for part in parts:
        out = out + (part if isinstance(part, str) else np.asarray(part, dtype=object))
    return out


def choose(conditions: list[np.ndarray], choices: list[Any], default: Any) -> np.ndarray:
    """``np.select`` for object (text) arrays: the first true condition's choice."""
    n = len(conditions[0]) if conditions else 0
    out = np.full(n, default, dtype=object) if isinstance(default, str) \
        else np.asarray(default, dtype=object).copy()  # fmt: skip
    for cond, choice in zip(conditions[::-1], choices[::-1], strict=True):
        pick = np.asarray(cond, dtype=bool)
        out[pick] = choice if isinstance(choice, str) else np.asarray(choice, dtype=object)[pick]
    return out


def fill(template: str, **values: Any) -> np.ndarray | str:
    """``template.format(**values)`` for arrays of values: each ``{name}`` replaced by the
    element of its array (object arrays of text; a scalar is written with ``str``).

    Only plain fields (no format spec or conversion) — text is formatted before (e.g. with
    :func:`numbers`).

    >>> fill("{n} of {p}", n=np.array(["1", "2"], dtype=object), p=3).tolist()
    ['1 of 3', '2 of 3']
    """
    parts: list[Any] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if spec or conversion:
            raise ValueError(f"fill does not format {{{name}:{spec}}}; format the values first")
        value = values[name]
        parts.append(value if isinstance(value, np.ndarray) else str(value))
    if not any(isinstance(p, np.ndarray) for p in parts):
        return "".join(parts)
    return join(*parts)


def integers(values: Any) -> np.ndarray:
    """``str(int(v))`` of whole numbers (as ``"{n}".format(n=v)`` writes an int), below
    1,000 from a table."""
    v = np.asarray(values).astype(np.int64)
    out = np.empty(len(v), dtype=object)
    small = (v >= 0) & (v < len(_WHOLE))
    out[small] = _WHOLE[v[small]]
    out[~small] = [str(int(x)) for x in v[~small]]
    return out
