"""Boundaries (``batas``), columns: which column holds the code and the name, and the level.

Owns the header aliases of village and region files, option ``tingkat`` and the detection of
the file's level (``prov``/``kab``/``kec``/``desa``) from the option, the code column's name
or its values; options ``kolom_kode``/``kolom_nama``; cells as text. Used by
:mod:`layers.ingest.boundaries`; validation of the values is in
:mod:`layers.ingest.boundaries_check`.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from layers import codes
from layers.ingest.columns import normalize_header
from layers.ingest.problems import Problem
from layers.text import Text

#: header aliases (normalised) in order of preference
CODE_NAMES = ("kode_desa", "kode", "kdepum", "kd_desa", "kode_kel", "kode_desa_kel",
              "kode_kelurahan", "kode_desa_kelurahan", "kode_wilayah", "kode_kemendagri",
              "village_code", "kode_desa_10")  # fmt: skip
NAME_NAMES = ("nama_desa", "namobj", "wadmkd", "desa", "nama", "nama_kel", "nama_desa_kel",
              "nama_kelurahan", "desa_kel", "desa_kelurahan", "kelurahan", "village",
              "name")  # fmt: skip
REGION_NAMES = {
    "nama_kec": ("nama_kec", "wadmkc", "kecamatan", "nm_kec", "kec"),
    "nama_kab": (
        "nama_kab",
        "wadmkk",
        "kabupaten",
        "kabupaten_kota",
        "kab_kota",
        "nm_kab",
        "kab",
    ),  # fmt: skip
    "nama_prov": ("nama_prov", "wadmpr", "provinsi", "propinsi", "nm_prov", "prov"),
}
_VILLAGE_CODE = re.compile(r"^\s*(\d{2}\.\d{2}\.\d{2}\.\d{4}|\d{10})\s*$")
#: levels, top down
LEVELS = ("prov", "kab", "kec", "desa")
#: what each level is called (Indonesian, English)
LEVEL_WORDS = {
    "prov": ("provinsi", "province"),
    "kab": ("kabupaten/kota", "kabupaten/city"),
    "kec": ("kecamatan", "kecamatan"),
    "desa": ("desa/kelurahan", "village"),
}
#: accepted values of option ``tingkat`` (normalised)
TINGKAT = {
    **dict.fromkeys(("prov", "provinsi", "propinsi", "province"), "prov"),
    **dict.fromkeys(("kab", "kabupaten", "kota", "kab_kota", "kabupaten_kota"), "kab"),
    **dict.fromkeys(("kec", "kecamatan", "district"), "kec"),
    **dict.fromkeys(("desa", "kelurahan", "desa_kelurahan", "village"), "desa"),
}
#: code columns that say nothing about the level (it comes from their values)
GENERIC_CODE_NAMES = ("kode", "kode_wilayah", "kode_kemendagri", "code")
#: code columns that name their level, in order of preference per level
LEVEL_CODE_NAMES = {
    "desa": tuple(n for n in CODE_NAMES if n not in GENERIC_CODE_NAMES),
    "kec": ("kode_kec", "kd_kec", "kode_kecamatan", "kdcpum"),
    "kab": ("kode_kab", "kd_kab", "kode_kabupaten", "kode_kab_kota", "kdpkab"),
    "prov": ("kode_prov", "kd_prov", "kode_provinsi", "kdppum"),
}
#: name columns per level, in order of preference
LEVEL_NAME_NAMES = {
    "desa": NAME_NAMES,
    "kec": ("nama_kec", "wadmkc", "nama_kecamatan", "kecamatan", "nm_kec", "namobj", "nama",
            "name", "kec"),
    "kab": ("nama_kab", "wadmkk", "nama_kabupaten", "kabupaten", "kabupaten_kota", "kab_kota",
            "nm_kab", "namobj", "nama", "name", "kab"),
    "prov": ("nama_prov", "wadmpr", "nama_provinsi", "provinsi", "propinsi", "nm_prov",
             "namobj", "nama", "name", "prov"),
}  # fmt: skip
_REGION_CODE = re.compile(r"^\s*(\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?|\d{4}|\d{6}|\d{10})\s*$")


def find_column(frame: pd.DataFrame, aliases: tuple[str, ...]) -> str | None:
    by_norm: dict[str, str] = {}
    for col in frame.columns:
        if col != frame.geometry.name:
            by_norm.setdefault(normalize_header(col), str(col))
    return next((by_norm[a] for a in aliases if a in by_norm), None)


def _looks_like_codes(values: pd.Series, pattern: re.Pattern[str] = _VILLAGE_CODE) -> bool:
    text = as_text(values).dropna()
    return len(text) > 0 and text.str.match(pattern).mean() >= 0.9


def as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text (numbers from a .dbf without ``.0``); empty -> None."""

    def one(value: Any) -> str | None:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def pick_column(frame: pd.DataFrame, option: str, options: dict[str, Any],
                aliases: tuple[str, ...], what: Text, by_value: bool = False
                ) -> tuple[str | None, list[Problem]]:  # fmt: skip
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    named = options.get(option)
    if named:
        if named in columns:
            return str(named), []
        return None, [Problem(
            Text(f"Kolom {named!r} (opsi {option}) tidak ada; kolom file: {', '.join(columns)}.",
                 f"Column {named!r} (option {option}) not found; the file has: "
                 f"{', '.join(columns)}."),
            row=1, column=str(named), code="missing_column",
        )]  # fmt: skip
    found = find_column(frame, aliases)
    if found is None and by_value:
        found = next((c for c in columns if _looks_like_codes(frame[c])), None)
    if found is not None:
        return found, []
    return None, [Problem(
        Text(f"Kolom {what.id} tidak ditemukan (nama yang diterima: {', '.join(aliases[:6])}); "
             f"kolom file: {', '.join(columns) or '-'}. Sebutkan dengan opsi {option}.",
             f"No {what.en} column found (accepted names: {', '.join(aliases[:6])}); the file "
             f"has: {', '.join(columns) or '-'}. Name it with option {option}."),
        row=1, column=option, code="missing_column",
    )]  # fmt: skip


def _level_of_values(values: pd.Series) -> str:
    """The level most codes of a column have (``desa`` when none parses)."""
    found = []
    for value in as_text(values).dropna():
        try:
            found.append(codes.level(value))
        except (codes.CodeError, KeyError):
            continue
    if not found:
        return "desa"
    counts = pd.Series(found).value_counts()
    best = counts[counts == counts.max()].index
    return max(best, key=LEVELS.index)  # a tie goes to the lower level


def code_column(frame: pd.DataFrame, options: dict[str, Any]
                ) -> tuple[str | None, str | None, list[Problem]]:  # fmt: skip
    """The code column and the file's level (``prov``/``kab``/``kec``/``desa``), or problems."""
    level: str | None = None
    given = options.get("tingkat")
    if given:
        level = TINGKAT.get(normalize_header(str(given)))
        if level is None:
            return None, None, [Problem(
                Text(f"Opsi tingkat {given!r} tidak dikenal; pilih prov, kab, kec atau desa.",
                     f"Option tingkat {given!r} is unknown; choose prov, kab, kec or desa."),
                row=1, column="tingkat", value=str(given), code="bad_option",
            )]  # fmt: skip
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    word = LEVEL_WORDS[level or "desa"]
    what = Text(f"kode {word[0]}", f"{word[1]} code")
    col: str | None = None
    if options.get("kolom_kode"):
        col, problems = pick_column(frame, "kolom_kode", options, (), what)
        if problems:
            return None, level, problems
        if level is None:
            header = normalize_header(str(col))
            level = next((lvl for lvl in ("desa", "kec", "kab", "prov")
                          if header in LEVEL_CODE_NAMES[lvl]), None)  # fmt: skip
    elif level is not None:
        col = find_column(frame, LEVEL_CODE_NAMES[level] + GENERIC_CODE_NAMES)
    else:
        col = find_column(frame, LEVEL_CODE_NAMES["desa"])
        level = "desa" if col is not None else None
        if col is None:
            col = find_column(frame, GENERIC_CODE_NAMES)
        for lvl in ("kec", "kab", "prov"):
            if col is None:
                col = find_column(frame, LEVEL_CODE_NAMES[lvl])
                level = lvl if col is not None else None
    if col is None:  # by its values: village codes first, then codes of any level
        col = next((c for c in columns if _looks_like_codes(frame[c])), None)
        if col is None:
            col = next((c for c in columns if _looks_like_codes(frame[c], _REGION_CODE)), None)
    if col is None:
        aliases = LEVEL_CODE_NAMES[level or "desa"] + GENERIC_CODE_NAMES
        return None, level, [Problem(
            Text(f"Kolom {what.id} tidak ditemukan (nama yang diterima: "
                 f"{', '.join(aliases[:6])}); kolom file: {', '.join(columns) or '-'}. "
                 "Sebutkan dengan opsi kolom_kode.",
                 f"No {what.en} column found (accepted names: {', '.join(aliases[:6])}); the "
                 f"file has: {', '.join(columns) or '-'}. Name it with option kolom_kode."),
            row=1, column="kolom_kode", code="missing_column",
        )]  # fmt: skip
    return col, level or _level_of_values(frame[col]), []
