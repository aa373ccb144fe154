"""Village and kecamatan names made comparable: cleaning, normalising, keys, similarity.

Owns how a name as an office writes it (``Ds. Tjoeroek - Sari``, ``KEL. PANDEREJO``,
``Tamba"an``) becomes a form that can be compared with the stored boundaries' names:
:func:`clean_text`, :func:`normalize_name`, :func:`name_key`, the (village, kecamatan) pair
key :func:`pair_key` shared by files and review files, and the fuzzy similarity score used
by :mod:`layers.ingest.matching`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd
from rapidfuzz import fuzz

_PREFIX = re.compile(r"^(?:desa|ds|kelurahan|kel|kecamatan|kec)\b\.?\s*")
#: old (pre-1972) spelling -> current; ``nj`` is left alone (``Panjang`` is current spelling)
_ROMANISATION = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("sj", "sy"), ("ch", "kh"))
_QUOTES = re.compile(r"[\"'`´‘’‚‛“”„‟ʼʻ]")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def clean_text(value: object) -> str:
    """Whitespace-collapsed text; missing values become ``''``."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return " ".join(str(value).split())


def normalize_name(value: object) -> str:
    """The comparable form of a village or kecamatan name.

    Lower case, accents dropped, apostrophes and quotes removed (``Tamba'an`` =
    ``Tamba"an``), other punctuation as spaces, prefixes such as ``Desa``, ``Ds.``,
    ``Kelurahan``, ``Kel.``, ``Kec.`` removed, old spelling modernised (``oe``->``u``,
    ``dj``->``j``, ``tj``->``c``, ``sj``->``sy``, ``ch``->``kh``).

    >>> normalize_name("DS. Tjoeroek  -  Sari")
    'curuk sari'
    """
    text = unicodedata.normalize("NFKD", clean_text(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _QUOTES.sub("", text)
    text = text.strip(" .,-")
    while True:  # "Desa Kel. X" and "Ds.X" alike; a name that is only a prefix stays
        stripped = _PREFIX.sub("", text, count=1).strip(" .,-")
        if stripped == text or not stripped:
            break
        text = stripped
    text = _NOT_ALNUM.sub(" ", text)
    for old, new in _ROMANISATION:
        text = text.replace(old, new)
    return " ".join(text.split())


def name_key(value: object) -> str:
    """:func:`normalize_name` without spaces: ``Karang Rejo`` = ``Karangrejo``."""
    return normalize_name(value).replace(" ", "")


def pair_key(nama_desa: object, nama_kec: object) -> tuple[str, str]:
    """How a (village, kecamatan) pair of a file is identified (file and review file alike)."""
    return clean_text(nama_desa).casefold(), clean_text(nama_kec).casefold()


def similarity(a: str, b: str, **_: Any) -> float:
    """Similarity of two keys (0–100): rapidfuzz's normalised Indel ratio."""
    return float(fuzz.ratio(a, b))
