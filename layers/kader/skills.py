"""The 25 basic kader skills and their 5 life-cycle groups, as one ordered lookup.

The store's ``kelompok_keterampilan`` / ``keterampilan`` tables are the truth once a store
exists (:meth:`SkillBook.from_session`); the shipped files ``layers/data/*keterampilan.csv``
seed them and give the map's choices before any session is open (:meth:`SkillBook.shipped`).
Skills are never hard-coded: the book's order (group ``urut``, then skill ``urut``) is the
column order of every skill matrix in :mod:`layers.kader`.

Examples
--------
>>> book = SkillBook.shipped()
>>> len(book.codes), book.groups
(25, ('PP', 'BB', 'IH', 'UR', 'DL'))
>>> book.members("IH")[:2], book.group_of_skill("DL2")
(('IH1', 'IH2'), 'DL')
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from layers.store.models import KelompokKeterampilan, Keterampilan
from layers.text import Text


@dataclass(frozen=True)
class SkillBook:
    """Skill codes in order, the group of each, and the labels of both."""

    codes: tuple[str, ...]
    group_of: tuple[str, ...]
    groups: tuple[str, ...]
    skill_labels: dict[str, Text]
    group_labels: dict[str, Text]

    @classmethod
    def build(cls, groups: list[tuple[str, int, str, str]],
              skills: list[tuple[str, str, int, str, str]]) -> SkillBook:  # fmt: skip
        """From group rows ``(kode, urut, label_id, label_en)`` and skill rows
        ``(kode, kelompok, urut, label_id, label_en)`` in any order."""
        order = {g[0]: (int(g[1]), g[0]) for g in groups}
        ordered = sorted(skills, key=lambda s: (order.get(s[1], (99, s[1])), int(s[2]), s[0]))
        return cls(
            codes=tuple(s[0] for s in ordered),
            group_of=tuple(s[1] for s in ordered),
            groups=tuple(sorted(order, key=order.__getitem__)),
            skill_labels={s[0]: Text(s[3], s[4]) for s in ordered},
            group_labels={g[0]: Text(g[2], g[3]) for g in groups},
        )

    @classmethod
    def from_session(cls, session: Session) -> SkillBook:
        """The store's lookup (a reference table: no scope applies)."""
        g, k = KelompokKeterampilan, Keterampilan
        groups = [tuple(r) for r in session.execute(select(g.kode, g.urut, g.label_id,
                                                           g.label_en))]  # fmt: skip
        skills = [tuple(r) for r in session.execute(
            select(k.kode, k.kelompok, k.urut, k.label_id, k.label_en))]
        return cls.build(groups, skills)  # type: ignore[arg-type]

    @staticmethod
    @cache
    def shipped() -> SkillBook:
        """The shipped files (what a new store is seeded with)."""
        data = files("layers").joinpath("data")

        def rows(name: str) -> list[dict[str, str]]:
            return list(csv.DictReader(data.joinpath(name).read_text("utf-8").splitlines()))

        groups = [(r["kode"], int(r["urut"]), r["label_id"], r["label_en"])
                  for r in rows("kelompok_keterampilan.csv")]  # fmt: skip
        skills = [(r["kode"], r["kelompok"], int(r["urut"]), r["label_id"], r["label_en"])
                  for r in rows("keterampilan.csv")]  # fmt: skip
        return SkillBook.build(groups, skills)

    def members(self, group: str) -> tuple[str, ...]:
        """The skill codes of ``group`` in order."""
        return tuple(c for c, g in zip(self.codes, self.group_of, strict=True) if g == group)

    def group_of_skill(self, code: str) -> str:
        return self.group_of[self.codes.index(code)]

    def group_index(self) -> np.ndarray:
        """For each skill column, the index of its group in :attr:`groups`."""
        where = {g: i for i, g in enumerate(self.groups)}
        return np.array([where[g] for g in self.group_of], dtype=np.intp)

    def group_masks(self) -> np.ndarray:
        """``(groups × skills)`` boolean: which skill columns belong to each group."""
        return self.group_index()[None, :] == np.arange(len(self.groups))[:, None]

    def label(self, code: str, lang: str) -> str:
        """``"DL2 Mengukur tekanan darah"``; a group code gives the group's name."""
        if code in self.group_labels:
            return self.group_labels[code](lang)
        text = self.skill_labels.get(code)
        return code if text is None else f"{code} {text(lang)}"
