"""The diseases the store knows: a shipped, editable catalogue and a resolver for names.

The catalogue is ``layers/data/penyakit.csv`` (one row per disease: ``kode`` — the code
stored in ``kasus_mingguan.penyakit`` —, ``nama_id``, ``nama_en`` and ``alias``, the other
names files use, ``;``-separated: SKDR names such as ``Diare Akut``, short forms such as
``diare`` or ``DBD``, the SKDR W2 letter codes ``A``/``E``). The 24 diseases are the current
SKDR list (domain.md §4.1). An office adds a disease or a spelling by adding a row or an
alias there; nothing else needs to change.

:func:`resolve` turns what a file says into a code: a code or an alias, compared without
case, spaces or punctuation (``Diare Akut``, ``diare-akut`` and ``DIARE_AKUT`` are all
``diare_akut``). Anything else is unknown — never stored under a made-up code
(:func:`suggest` offers the nearest known name).
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
from dataclasses import dataclass
from importlib.resources import files

from layers.text import Text

CATALOGUE_CSV = "penyakit.csv"


@dataclass(frozen=True)
class Disease:
    """One disease of the catalogue."""

    kode: str
    name: Text
    aliases: tuple[str, ...] = ()


def key(name: object) -> str:
    """How names are compared: lower case, runs of anything but letters and digits as one
    ``_`` (``'Diare Akut '`` -> ``diare_akut``)."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def load(text: str) -> dict[str, Disease]:
    """The catalogue from the text of a ``penyakit.csv``, in file order.

    Raises ``ValueError`` for a row without code or names, a code that is not its own
    :func:`key`, or a name (code or alias) that two diseases share.
    """
    out: dict[str, Disease] = {}
    owner: dict[str, str] = {}
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        kode = (row.get("kode") or "").strip()
        nama_id, nama_en = (row.get("nama_id") or "").strip(), (row.get("nama_en") or "").strip()
        if not kode or not nama_id or not nama_en:
            raise ValueError(f"{CATALOGUE_CSV} line {line}: kode, nama_id and nama_en are needed")
        if key(kode) != kode:
            raise ValueError(f"{CATALOGUE_CSV} line {line}: code {kode!r} is not lower_case")
        aliases = tuple(a.strip() for a in (row.get("alias") or "").split(";") if a.strip())
        for name in (kode, nama_id, nama_en, *aliases):
            if owner.setdefault(key(name), kode) != kode:
                raise ValueError(f"{CATALOGUE_CSV} line {line}: {name!r} already means "
                                 f"{owner[key(name)]!r}")  # fmt: skip
        out[kode] = Disease(kode, Text(nama_id, nama_en), aliases)
    return out


@functools.cache
def catalogue() -> dict[str, Disease]:
    """The shipped catalogue (read once)."""
    return load(files("layers").joinpath("data", CATALOGUE_CSV).read_text(encoding="utf-8"))


@functools.cache
def _names() -> dict[str, str]:
    """Every accepted name (as :func:`key`) -> its code."""
    return {key(name): d.kode for d in catalogue().values()
            for name in (d.kode, d.name.id, d.name.en, *d.aliases)}  # fmt: skip


def resolve(name: object) -> str | None:
    """The code a disease name stands for (a code, an id/en name or an alias), or None."""
    return _names().get(key(name))


def suggest(name: object) -> str | None:
    """The code whose name is nearest to an unknown ``name`` (a typo), or None."""
    near = difflib.get_close_matches(key(name), list(_names()), n=1, cutoff=0.8)
    return _names()[near[0]] if near else None


def known_text() -> str:
    """The known codes, for messages: ``diare_akut, malaria_konfirmasi, …``."""
    return ", ".join(catalogue())


#: code -> its name in Indonesian and English (the map layers' disease choices)
DISEASES: dict[str, Text] = {kode: d.name for kode, d in catalogue().items()}
