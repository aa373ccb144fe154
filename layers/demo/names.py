"""Fictional Indonesian-sounding place names and Posyandu names.

Names are built from common Javanese/Indonesian place-name parts (``Suka`` + ``maju`` =
``Sukamaju``). They sound plausible but are drawn at random; any resemblance to a real
village is a coincidence of the syllables, and the district itself is fictional.
"""

from __future__ import annotations

import numpy as np

PREFIXES: tuple[str, ...] = (
    "Suka", "Karang", "Sumber", "Tanjung", "Wono", "Kali", "Sido", "Banyu", "Mekar",
    "Tegal", "Jati", "Purwo", "Sri", "Tirto", "Rejo", "Ngadi", "Mulyo", "Sari", "Gunung",
    "Bumi", "Wates", "Krajan",
)  # fmt: skip
SUFFIXES: tuple[str, ...] = (
    "maju", "rejo", "sari", "harjo", "mulyo", "jaya", "agung", "makmur", "asri", "wangi",
    "luhur", "kerto", "arum", "tengah", "kidul", "lor", "wetan", "kulon", "mukti", "rahayu",
)  # fmt: skip
#: Posyandu are usually named after a flower or a virtue, numbered within the village
POSYANDU_WORDS: tuple[str, ...] = (
    "Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Cempaka", "Flamboyan", "Teratai",
    "Kamboja", "Seruni", "Aster", "Nusa Indah", "Bougenville", "Sedap Malam", "Tunas Harapan",
    "Bina Sehat", "Kasih Ibu", "Sejahtera", "Bakti", "Sakinah",
)  # fmt: skip
_REPEAT_TAGS = ("", " Lor", " Kidul", " Wetan", " Kulon", " Baru")


def _combine(prefix: str, suffix: str) -> str | None:
    """``Suka`` + ``maju`` -> ``Sukamaju``; None for awkward pairs (``Rejorejo``)."""
    if prefix.lower() == suffix or prefix.lower().startswith(suffix):
        return None
    if prefix == "Krajan" and suffix in {"lor", "kidul", "wetan", "kulon", "tengah"}:
        return f"Krajan {suffix.capitalize()}"
    return prefix + suffix


def all_place_names() -> list[str]:
    """Every distinct name the syllable lists can form, sorted."""
    out = {_combine(p, s) for p in PREFIXES for s in SUFFIXES}
    return sorted(n for n in out if n is not None)


def place_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` distinct fictional place names in random order.

    Parameters
    ----------
    n : int
        How many names; beyond the number of syllable pairs, names are repeated with a
        direction tag (``Sukamaju Lor``) so they stay distinct.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    list of str
        ``n`` unique names.
    """
    base = all_place_names()
    pool = [name + tag for tag in _REPEAT_TAGS for name in base]
    if n > len(pool):
        raise ValueError(f"at most {len(pool)} distinct names can be generated, not {n}")
    first = list(rng.permutation(len(base)))
    order = first + [len(base) * (1 + i // len(base)) + first[i % len(base)]
                     for i in range(max(0, n - len(base)))]  # fmt: skip
    return [pool[i] for i in order[:n]]


def posyandu_names(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` Posyandu names for one village: one word, numbered (``Posyandu Melati 1``)."""
    word = POSYANDU_WORDS[int(rng.integers(len(POSYANDU_WORDS)))]
    return [f"Posyandu {word} {i}" for i in range(1, n + 1)]
