"""The examples in the docstrings of the Pustu modules run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["layers.pustu.access", "layers.pustu.classes", "layers.pustu.summary",
           "layers.pustu.service", "layers.pustu.overlay", "layers.pustu.maplayer"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
