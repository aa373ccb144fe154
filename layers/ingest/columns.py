"""Column headers as offices write them, mapped to the canonical names.

``Kode Desa``, ``KODE_DESA``, ``kd_desa`` and ``Kode Kelurahan/Desa`` all mean
``kode_desa``. The mapping is reported so the user sees which header became which.
A file may name its villages instead of coding them: :func:`uses_names` tells, and
:func:`columns_with_names` gives the columns to map then (``nama_desa``, ``nama_kec``);
:mod:`layers.ingest.villages` turns the names into codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from layers.ingest.problems import Problem
from layers.text import Text

#: the canonical village-code column that names may stand in for
CODE = "kode_desa"
#: headers meaning ``kode_desa`` in every importer that takes a village code
CODE_ALIASES = ("kode", "kd_desa", "kode_wilayah", "kode_kelurahan", "kode_desa_kelurahan",
                "kode_kemendagri", "village_code")  # fmt: skip
DESA_ALIASES = ("desa", "kelurahan", "nama_kelurahan", "desa_kelurahan", "nama_desa_kelurahan",
                "kelurahan_desa", "village", "village_name", "nama_desa_kel")  # fmt: skip
KEC_ALIASES = ("kecamatan", "kec", "nama_kecamatan", "district", "subdistrict")


@dataclass(frozen=True)
class Column:
    """A canonical column: its name, accepted aliases, and whether it must be there."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True


def normalize_header(text: str) -> str:
    """``'Kode Desa / Kel.'`` -> ``'kode_desa_kel'``."""
    text = re.sub(r"[^0-9a-z]+", "_", str(text).strip().lower())
    return text.strip("_")


def map_columns(
    frame: pd.DataFrame, columns: tuple[Column, ...], keep_other: bool = False
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """Rename ``frame``'s headers to canonical names.

    Returns the renamed frame (only canonical columns unless ``keep_other``), the mapping
    ``{header as written: canonical}`` for headers that were not already canonical, and a
    problem per missing required column or duplicated mapping.
    """
    lookup: dict[str, str] = {}
    for col in columns:
        for alias in (col.name, *col.aliases):
            lookup[normalize_header(alias)] = col.name
    rename: dict[str, str] = {}
    mapped: dict[str, str] = {}
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for header in frame.columns:
        target = lookup.get(normalize_header(header))
        if target is None:
            continue
        if target in seen:
            problems.append(Problem(
                Text(f"Kolom {header!r} dan {seen[target]!r} sama-sama berarti {target}.",
                     f"Columns {header!r} and {seen[target]!r} both mean {target}."),
                row=1, column=str(header), code="duplicate_column",
            ))  # fmt: skip
            continue
        seen[target] = str(header)
        rename[header] = target
        if header != target:
            mapped[str(header)] = target
    for col in columns:
        if col.required and col.name not in seen:
            names = ", ".join((col.name, *col.aliases[:3]))
            problems.append(Problem(
                Text(f"Kolom wajib {col.name!r} tidak ada (nama yang diterima: {names}).",
                     f"Required column {col.name!r} is missing (accepted names: {names})."),
                row=1, column=col.name, code="missing_column",
            ))  # fmt: skip
    out = frame.rename(columns=rename)
    if not keep_other:
        out = out[[c for c in out.columns if c in set(rename.values())]]
    for col in columns:
        if col.name not in out.columns:
            out[col.name] = None
    return out, mapped, problems


#: the columns that name a village instead of coding it
NAME_COLUMNS = (Column("nama_desa", DESA_ALIASES), Column("nama_kec", KEC_ALIASES, required=False))


def uses_names(frame: pd.DataFrame, code_column: Column) -> bool:
    """True when ``frame`` has no village-code column but a village-name column."""
    headers = {normalize_header(h) for h in frame.columns}
    code_names = {normalize_header(a) for a in (code_column.name, *code_column.aliases)}
    desa = NAME_COLUMNS[0]
    name_names = {normalize_header(a) for a in (desa.name, *desa.aliases)}
    return not headers & code_names and bool(headers & name_names)


def columns_with_names(columns: tuple[Column, ...], code: str = CODE) -> tuple[Column, ...]:
    """``columns`` with the code column optional and the name columns added."""
    relaxed = tuple(Column(c.name, c.aliases, required=False) if c.name == code else c
                    for c in columns)  # fmt: skip
    return relaxed + NAME_COLUMNS
