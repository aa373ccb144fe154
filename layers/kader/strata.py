"""Kader levels (strata) Purwa / Madya / Utama from *complete skill groups* — the rule as data.

The rule lives in one editable file, ``layers/data/strata_kader.csv`` (or the file named by
``PWS_STRATA_KADER``): one row per level, ascending, with the groups a kader must hold
completely (``wajib``, space-separated group codes) and how many more whole groups from
``pilihan`` (``jumlah_pilihan``). A kader's level is the highest one whose row holds; a kader
meeting none is *belum berstrata* (level 0). Only active kader get a level in the
aggregates (:mod:`layers.kader.gaps`); the rule itself does not look at status.

Source (domain.md §1.3, confirmed by secondary sources only — hence data, not code):
Purwa = all of pengelolaan posyandu (PP) + all of bayi & balita (BB) + one other whole
group; Madya = PP + BB + ibu hamil & menyusui (IH) + one other whole group; Utama = all five
groups. Keprinews (Dinkes Tanjungpinang, 8 Oct 2024), "Pastikan layanan posyandu
berkualitas, Dinkes gelar sertifikasi kompetensi kader" (keprinews.co; full address in
``shared/docs/domain.md`` §1.1);
Soloabadi, "Mengenal Kader Purwa, Madya dan Utama Serta Kriteria Kecakapannya",
https://soloabadi.com/mengenal-kader-purwa-madya-dan-utama-serta-kriteria-kecakapannya .
Levels are computed from group completion, never from a badge count (the "17 TKK for
Purwa" of one source is unconfirmed).

Examples
--------
>>> rule = load_rule()
>>> [s.kode for s in rule.strata]
['purwa', 'madya', 'utama']
>>> groups = ("PP", "BB", "IH", "UR", "DL")
>>> complete = np.array([[1, 1, 0, 0, 0],    # PP + BB only: below Purwa
...                      [1, 1, 0, 1, 0],    # + UR: Purwa
...                      [1, 1, 1, 0, 1],    # PP BB IH + DL: Madya
...                      [0, 1, 1, 1, 1],    # PP incomplete: nothing
...                      [1, 1, 1, 1, 1]], bool)
>>> rule.levels(complete, groups).tolist()
[0, 1, 2, 0, 3]
>>> rule.name(0, "id"), rule.name(2, "en")
('Belum berstrata', 'Madya')
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np

from layers.text import Text, TextError

#: environment variable naming an office's own rule file
ENV = "PWS_STRATA_KADER"
SHIPPED = "strata_kader.csv"
COLUMNS = ("kode", "urut", "label_id", "label_en", "wajib", "pilihan", "jumlah_pilihan")
NO_LEVEL = Text("Belum berstrata", "No level yet")


class RuleError(TextError):
    """A rule file that cannot be used; ``text`` says what is wrong where, in both languages."""


@dataclass(frozen=True)
class Stratum:
    """One level: the groups required whole, and how many more whole groups of a choice."""

    kode: str
    urut: int
    label: Text
    wajib: tuple[str, ...]
    pilihan: tuple[str, ...]
    jumlah_pilihan: int


@dataclass(frozen=True)
class StrataRule:
    """The levels in ascending order (level ``i + 1`` is ``strata[i]``; 0 is no level)."""

    strata: tuple[Stratum, ...]
    source: str = SHIPPED

    def levels(self, complete: np.ndarray, groups: Sequence[str]) -> np.ndarray:
        """The level (0..len(strata)) of each row of ``complete`` (kader × ``groups``, bool:
        the group is held whole). Vectorised: one pass per level, not per kader."""
        where = {g: i for i, g in enumerate(groups)}
        out = np.zeros(complete.shape[0], dtype=np.int8)
        for number, s in enumerate(self.strata, start=1):
            ok = complete[:, [where[g] for g in s.wajib]].all(axis=1)
            if s.jumlah_pilihan:
                chosen = complete[:, [where[g] for g in s.pilihan]].sum(axis=1)
                ok &= chosen >= s.jumlah_pilihan
            out[ok] = number
        return out

    def name(self, level: int, lang: str) -> str:
        return NO_LEVEL(lang) if level == 0 else self.strata[level - 1].label(lang)

    def names(self, lang: str) -> list[str]:
        """Every level's name, 0 (no level) first."""
        return [self.name(i, lang) for i in range(len(self.strata) + 1)]

    @property
    def keys(self) -> list[str]:
        """Machine keys of the levels, 0 first: ``['belum', 'purwa', 'madya', 'utama']``."""
        return ["belum", *(s.kode for s in self.strata)]


def _problem(where: str, what_id: str, what_en: str) -> RuleError:
    return RuleError(Text(f"Aturan strata kader ({where}): {what_id}",
                          f"Kader level rule ({where}): {what_en}"))  # fmt: skip


def parse_rule(text: str, groups: Sequence[str], source: str = SHIPPED) -> StrataRule:
    """A rule from CSV ``text``, checked against the known skill ``groups`` (RuleError)."""
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise _problem(source, "file kosong.", "the file is empty.")
    missing = [c for c in COLUMNS if c not in rows[0]]
    if missing:
        raise _problem(source, f"kolom tidak ada: {', '.join(missing)}.",
                       f"missing columns: {', '.join(missing)}.")  # fmt: skip
    known = set(groups)
    strata = []
    seen: dict[str, dict[object, int]] = {"urut": {}, "kode": {}}
    for number, row in enumerate(rows, start=2):
        where = f"{source}, baris {number}"
        where_en = f"{source}, row {number}"
        short = [c for c in COLUMNS if row.get(c) is None]  # fewer fields than the header
        if short:
            raise RuleError(Text(
                f"Aturan strata kader ({where}): baris terpotong, tidak ada nilai "
                f"{', '.join(short)}.",
                f"Kader level rule ({where_en}): row cut short, no value for "
                f"{', '.join(short)}."))  # fmt: skip
        wajib = tuple((row["wajib"] or "").split())
        pilihan = tuple((row["pilihan"] or "").split())
        unknown = [g for g in (*wajib, *pilihan) if g not in known]
        if unknown:
            raise RuleError(Text(
                f"Aturan strata kader ({where}): kelompok tidak dikenal {', '.join(unknown)} "
                f"(yang ada: {', '.join(groups)}).",
                f"Kader level rule ({where_en}): unknown group {', '.join(unknown)} "
                f"(known: {', '.join(groups)})."))  # fmt: skip
        try:
            urut, count = int(row["urut"]), int(row["jumlah_pilihan"] or 0)
        except ValueError as exc:
            raise RuleError(Text(
                f"Aturan strata kader ({where}): urut dan jumlah_pilihan harus bilangan bulat.",
                f"Kader level rule ({where_en}): urut and jumlah_pilihan must be whole "
                "numbers.")) from exc  # fmt: skip
        if not 0 <= count <= len(pilihan) or set(wajib) & set(pilihan) or not row["kode"]:
            raise RuleError(Text(
                f"Aturan strata kader ({where}): jumlah_pilihan {count} harus 0–{len(pilihan)}, "
                "kelompok wajib tidak boleh juga pilihan, kode tidak boleh kosong.",
                f"Kader level rule ({where_en}): jumlah_pilihan {count} must be "
                f"0–{len(pilihan)}, a required group cannot also be a choice, kode cannot be "
                "empty."))  # fmt: skip
        if not wajib and not count:
            raise RuleError(Text(
                f"Aturan strata kader ({where}): strata tanpa syarat (wajib kosong dan "
                "jumlah_pilihan 0) akan diberikan ke setiap kader.",
                f"Kader level rule ({where_en}): a level without requirements (empty wajib "
                "and jumlah_pilihan 0) would be given to every kader."))  # fmt: skip
        for column, value in (("urut", urut), ("kode", row["kode"].strip())):
            if value in seen[column]:
                raise RuleError(Text(
                    f"Aturan strata kader ({where}): {column} {value} sudah dipakai di baris "
                    f"{seen[column][value]}.",
                    f"Kader level rule ({where_en}): {column} {value} is already used in row "
                    f"{seen[column][value]}."))  # fmt: skip
            seen[column][value] = number
        strata.append(Stratum(row["kode"].strip(), urut, Text(row["label_id"], row["label_en"]),
                              wajib, pilihan, count))  # fmt: skip
    strata.sort(key=lambda s: s.urut)
    return StrataRule(tuple(strata), source)


@lru_cache(maxsize=8)
def _load(path: str | None, groups: tuple[str, ...], stamp: float) -> StrataRule:
    if path is None:
        text = files("layers").joinpath("data", SHIPPED).read_text(encoding="utf-8")
        return parse_rule(text, groups, SHIPPED)
    return parse_rule(Path(path).read_text(encoding="utf-8-sig"), groups, Path(path).name)


def load_rule(path: str | Path | None = None,
              groups: Sequence[str] | None = None) -> StrataRule:  # fmt: skip
    """The level rule: ``path``, else ``$PWS_STRATA_KADER``, else the shipped file; checked
    against ``groups`` (default: the shipped skill groups). Re-read when the file changes."""
    from layers.kader.skills import SkillBook

    chosen = path if path is not None else os.environ.get(ENV) or None
    known = tuple(groups) if groups is not None else SkillBook.shipped().groups
    if chosen is None:
        return _load(None, known, 0.0)
    p = Path(chosen)
    if not p.is_file():
        raise RuleError(Text(f"File aturan strata kader tidak ditemukan: {p.name}.",
                             f"Kader level rule file not found: {p.name}."))  # fmt: skip
    return _load(str(p), known, p.stat().st_mtime)
