"""Independent, reproducible random streams for the demo generator.

Every part of the generator (outline, seeds, names, population, ...) draws from its own
stream derived from the user's seed and a fixed stream name, so changing how one part
draws numbers never shifts the numbers of another part.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str) -> np.random.Generator:
    """A NumPy generator for the stream ``name`` of the master ``seed``.

    Parameters
    ----------
    seed : int
        The master seed (non-negative).
    name : str
        A fixed label of the consumer, e.g. ``"outline"``.

    Returns
    -------
    numpy.random.Generator
        A PCG64 generator; the same ``(seed, name)`` always gives the same numbers.
    """
    if seed < 0:
        raise ValueError("seed must be non-negative")
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])
