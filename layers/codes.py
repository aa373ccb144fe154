"""Kemendagri region codes: parsing, normalising, levels and parents.

A village (desa/kelurahan) code has 10 digits, written dotted ``PP.KK.CC.DDDD``
(``35.10.01.2001``). The 7th digit tells the kind of village: ``1`` = kelurahan,
``2`` = desa. Province ``PP``, kabupaten/kota ``PP.KK``, kecamatan ``PP.KK.CC``.
Codes are always text, never numbers (leading zeros and dots matter).

Real codes also have a 7th digit of ``3`` (the 14 *Desa Adat* of 91.03 Jayapura in the
national boundaries, ../shared/data/README.md §5): they are village codes all the same (the
level comes from the length), of a kind this module does not name. :func:`village_code`
accepts them and :func:`village_kind_or_none` gives None for them; :func:`village_kind`
stays strict (it raises) for callers that need a kind. Other 7th digits (0, 4–9) are refused.

Input may be dotted or plain digits (``3510012001``); everything stored is dotted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

Level = Literal["prov", "kab", "kec", "desa"]

#: digits per level, in the plain (undotted) form
_LEVEL_DIGITS: dict[int, Level] = {2: "prov", 4: "kab", 6: "kec", 10: "desa"}
_PARTS = (2, 2, 2, 4)
_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$", re.ASCII)
_PLAIN = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{4})?)?)?$", re.ASCII)


class CodeError(ValueError):
    """A value that is not a Kemendagri region code."""

    def __init__(self, value: object, reason_id: str, reason_en: str) -> None:
        super().__init__(f"{value!r}: {reason_en}")
        self.value = value
        self.reason_id = reason_id
        self.reason_en = reason_en


def normalize(value: object) -> str:
    """Return the dotted form of a region code given dotted or as plain digits.

    Surrounding spaces are ignored. A number (as Excel gives) is refused because it
    may already have lost a leading zero; pass text.

    >>> normalize("3510012001")
    '35.10.01.2001'
    >>> normalize(" 35.10.01 ")
    '35.10.01'
    """
    if isinstance(value, bool) or not isinstance(value, str):
        raise CodeError(
            value,
            "kode wilayah harus berupa teks (bukan angka atau kosong)",
            "a region code must be text (not a number or empty)",
        )
    text = value.strip()
    if _DOTTED.match(text):
        return text
    if _PLAIN.match(text):
        parts, pos = [], 0
        for width in _PARTS:
            if pos >= len(text):
                break
            parts.append(text[pos : pos + width])
            pos += width
        return ".".join(parts)
    raise CodeError(
        value,
        "bukan kode wilayah Kemendagri (contoh: 35.10.01.2001 atau 3510012001)",
        "not a Kemendagri region code (e.g. 35.10.01.2001 or 3510012001)",
    )


def is_valid(value: object) -> bool:
    """True when ``value`` parses as a region code of any level."""
    try:
        normalize(value)
    except CodeError:
        return False
    return True


def plain(code: str) -> str:
    """The undotted digits of a code: ``35.10.01.2001`` -> ``3510012001``."""
    return normalize(code).replace(".", "")


def level(code: str) -> Level:
    """The administrative level of a code: prov, kab, kec or desa."""
    return _LEVEL_DIGITS[len(plain(code))]


def parent(code: str) -> str | None:
    """The code one level up, or None for a province."""
    dotted = normalize(code)
    if "." not in dotted:
        return None
    return dotted.rsplit(".", 1)[0]


def ancestors(code: str) -> list[str]:
    """All codes above ``code``, nearest first (kec, kab, prov for a village)."""
    out: list[str] = []
    up = parent(code)
    while up is not None:
        out.append(up)
        up = parent(up)
    return out


#: the 7th digit of a village code -> the kind of village it names
KINDS: dict[str, Literal["desa", "kelurahan"]] = {"1": "kelurahan", "2": "desa"}
#: 7th digits of real village codes that name no kind (``91.03.01.3007``, a *Desa Adat*)
UNKNOWN_KIND_DIGITS = frozenset({"3"})


def _village_digits(code: str) -> str:
    """The plain digits of a village code of any accepted 7th digit (else CodeError)."""
    digits = plain(code)
    if len(digits) != 10:
        raise CodeError(code, "bukan kode desa/kelurahan", "not a village code")
    if digits[6] not in KINDS and digits[6] not in UNKNOWN_KIND_DIGITS:
        raise CodeError(
            code,
            "digit ke-7 kode desa harus 1 (kelurahan) atau 2 (desa); 3 juga diterima "
            "(jenisnya tidak diketahui)",
            "the 7th digit of a village code must be 1 (kelurahan) or 2 (desa); 3 is "
            "accepted too (kind unknown)",
        )
    return digits


def village_code(value: object) -> str:
    """The dotted form of a village code (10 digits, 7th digit 1, 2 or 3).

    Raises :class:`CodeError` for anything else (another level, another 7th digit).

    >>> village_code("9103013007")
    '91.03.01.3007'
    """
    kode = normalize(value)
    _village_digits(kode)
    return kode


def village_kind_or_none(code: str) -> Literal["desa", "kelurahan"] | None:
    """:func:`village_kind`, or None for a village code whose 7th digit names no kind (3).

    Raises :class:`CodeError` for a non-village code or a 7th digit other than 1, 2, 3.

    >>> village_kind_or_none("91.03.01.3007") is None
    True
    """
    return KINDS.get(_village_digits(code)[6])


def village_kind(code: str) -> Literal["desa", "kelurahan"]:
    """``desa`` when the 7th digit is 2, ``kelurahan`` when it is 1; CodeError otherwise
    (a 7th digit of 3 too: see :func:`village_kind_or_none` for codes of unknown kind)."""
    digits = plain(code)
    if len(digits) != 10:
        raise CodeError(code, "bukan kode desa/kelurahan", "not a village code")
    kind = KINDS.get(digits[6])
    if kind is None:
        raise CodeError(
            code,
            "digit ke-7 kode desa harus 1 (kelurahan) atau 2 (desa)",
            "the 7th digit of a village code must be 1 (kelurahan) or 2 (desa)",
        )
    return kind


def village_kinds(kode: Iterable[str]) -> list[Literal["desa", "kelurahan"] | None]:
    """:func:`village_kind_or_none` of many **dotted** village codes (no checks: the codes
    were checked when they were read), vectorised for national files."""
    return [KINDS.get(k[9:10]) for k in kode]


def within(code: str, region: str) -> bool:
    """True when ``code`` is ``region`` itself or lies inside it."""
    c, r = normalize(code), normalize(region)
    return c == r or c.startswith(r + ".")
