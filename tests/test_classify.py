"""layers/classify.py: fixed class breaks and Fisher–Jenks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from mapclassify import classifiers

from layers import classify
from layers.classify import NO_DATA, fixed, natural

NAN = math.nan
INF = math.inf
BOUNDS = [0.0, 0.5, 1.0, 2.0, INF]


@pytest.mark.parametrize(
    ("value", "klass"),
    [
        (-1.0, 0),      # below the first bound
        (0.0, 0),       # bounds are inclusive upper limits
        (1e-9, 1),
        (0.5, 1),
        (0.5000001, 2),
        (1.0, 2),
        (1.5, 3),
        (2.0, 3),
        (2.0000001, 4),
        (1e9, 4),       # open-ended last class
    ],
)
def test_fixed_single_values(value: float, klass: int) -> None:
    assert fixed([value], BOUNDS).tolist() == [klass]


def test_fixed_mixed_with_nan() -> None:
    got = fixed([0, 0.3, NAN, 5, 1, NAN], BOUNDS)
    assert got.tolist() == [0, 1, NO_DATA, 4, 2, NO_DATA]
    assert NO_DATA == -1


def test_fixed_all_nan_and_empty() -> None:
    assert fixed([NAN, NAN, NAN], BOUNDS).tolist() == [-1, -1, -1]
    assert fixed([], BOUNDS).tolist() == []


def test_fixed_all_in_top_or_bottom_class() -> None:
    assert fixed([5.0, 6.0, 100.0], BOUNDS).tolist() == [4, 4, 4]
    assert fixed([0.0, 0.0], BOUNDS).tolist() == [0, 0]


def test_fixed_accepts_numpy_and_pandas_like_input() -> None:
    y = np.array([0.25, 0.75, 3.0])
    assert fixed(y, tuple(BOUNDS)).tolist() == [1, 2, 4]
    assert fixed(y, BOUNDS).dtype.kind == "i"


def test_natural_two_clear_groups() -> None:
    klass, bins = natural([1, 2, 3, 10, 11, 12], k=2)
    assert klass.tolist() == [0, 0, 0, 1, 1, 1]
    assert bins.tolist() == [3.0, 12.0]


def test_natural_k_larger_than_distinct_values() -> None:
    klass, bins = natural([1, 1, 2, 2, 3], k=5)
    assert klass.tolist() == [0, 0, 1, 1, 2]
    assert bins.tolist() == [1.0, 2.0, 3.0]


def test_natural_single_value() -> None:
    klass, bins = natural([4.0, 4.0, 4.0], k=5)
    assert klass.tolist() == [0, 0, 0]
    assert bins.tolist() == [4.0]


def test_natural_nan() -> None:
    klass, bins = natural([NAN, 1.0, 2.0, NAN], k=2)
    assert klass.tolist() == [-1, 0, 1, -1]
    assert bins.tolist() == [1.0, 2.0]
    klass, bins = natural([NAN, NAN], k=3)
    assert klass.tolist() == [-1, -1]
    assert len(bins) == 0
    klass, bins = natural([NAN, 7.0], k=3)
    assert klass.tolist() == [-1, 0]
    assert bins.tolist() == [7.0]


def test_natural_runs_the_compiled_fisher_jenks() -> None:
    """numba is a declared dependency: mapclassify takes its compiled Fisher–Jenks and does not
    warn "Numba not installed. Using slow pure python version." (nor anything else)."""
    assert classifiers.HAS_NUMBA
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        klass, bins = natural(np.arange(40.0), k=4)
    assert bins.tolist() == [9.0, 19.0, 29.0, 39.0]
    assert klass.tolist() == [i // 10 for i in range(40)]


def test_natural_classes_are_ordered_by_value() -> None:
    rng = np.random.default_rng(3)
    y = np.concatenate([rng.uniform(0, 1, 30), rng.uniform(5, 6, 30), rng.uniform(20, 21, 30)])
    klass, bins = natural(y, k=3)
    assert len(bins) == 3
    assert bins[-1] == y.max()
    # every value lies in its class: above the previous bound, at most its own
    for v, c in zip(y, klass, strict=True):
        assert v <= bins[c]
        assert c == 0 or v > bins[c - 1]
    assert set(klass[:30]) == {0} and set(klass[30:60]) == {1} and set(klass[60:]) == {2}


def test_palettes_are_five_hex_colours() -> None:
    for colours in classify.PALETTES.values():
        assert len(colours) == 5
        assert all(c.startswith("#") and len(c) == 7 for c in colours)
        assert len(set(colours)) == 5
