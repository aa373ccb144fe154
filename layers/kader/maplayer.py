"""Map layer ``kader``: kader competency per village (a snapshot of the current rosters).

Views (option ``tampilan``):

* ``strata`` — share of active kader at Purwa or above (a village whose kader are all
  inactive has its own class);
* ``kurang`` — how many of the 25 skills no active kader of the village holds;
* ``keterampilan`` — one chosen skill or group (option ``keterampilan``): whether some
  active kader can give it ("which villages have no kader who can measure blood pressure");
* ``rasio`` — active kader per posyandu against the norm (option ``norma``, 5).

A village with no kader record is *no data* (grey), never zero. Assessments older than
``umur_asesmen`` months still count and are marked in the tooltip and the summary. The
numbers come from :func:`layers.kader.service.gaps_for`. Documented in ``docs/layers.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers import aggregate, textvec
from layers.base import (
    SNAPSHOT,
    Choice,
    Layer,
    LayerResult,
    Legend,
    LegendClass,
    Period,
    PeriodKind,
    option,
    register,
)
from layers.classify import NO_DATA, NO_DATA_COLOR
from layers.kader import service
from layers.kader.gaps import DEFAULT_NORM, DEFAULT_STALE_MONTHS, KaderGaps
from layers.kader.skills import SkillBook
from layers.scope import Scope
from layers.store import queries
from layers.text import Text, counted, fmt_number

VIEWS = (
    Choice("strata", Text("Kader aktif Purwa ke atas (%)", "Active kader at Purwa or above (%)")),
    Choice("kurang", Text("Jumlah keterampilan yang belum dimiliki",
                          "Number of skills no kader holds")),
    Choice("keterampilan", Text("Satu keterampilan atau kelompok",
                                "One skill or group")),
    Choice("rasio", Text("Kader aktif per posyandu", "Active kader per posyandu")),
)  # fmt: skip
GROUP = Text("Kelompok", "Group")


def skill_choices() -> list[Choice]:
    """The groups, then the 25 skills, of the shipped lookup (the map's choices)."""
    book = SkillBook.shipped()
    groups = [Choice(g, Text(f"{GROUP.id}: {t.id}", f"{GROUP.en}: {t.en}"))
              for g, t in book.group_labels.items()]  # fmt: skip
    skills = [Choice(c, Text(f"{c} {t.id}", f"{c} {t.en}")) for c, t in book.skill_labels.items()]
    return groups + skills


#: the legend colours: red is a gap, green is covered
RED, ORANGE, YELLOW, LIGHT_GREEN, GREEN = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a",
                                           "#1a9641")  # fmt: skip
DARK_RED = "#8c0a0a"
NO_KADER_DATA = LegendClass(NO_DATA_COLOR, Text("Tidak ada data kader (bukan nol)",
                                                "No kader data (not zero)"))  # fmt: skip
NO_ACTIVE = Text("Tidak ada kader aktif", "No active kader")
SHARE_BOUNDS = (0.25, 0.5, 0.75)
MISSING_BOUNDS = ((0, 0), (1, 2), (3, 5), (6, 10), (11, 25))


def _pct(value: float, lang: str) -> str:
    return "–" if pd.isna(value) else f"{fmt_number(100 * float(value), lang)} %"


@register
@dataclass(frozen=True)
class KaderLayer(Layer):
    """Kader competency per village: levels, skill gaps, one skill, kader per posyandu."""

    type: ClassVar[str] = "kader"
    title: ClassVar[Text] = Text("Kompetensi kader", "Kader competency")
    description: ClassVar[Text] = Text(
        "Kader posyandu per desa: strata (Purwa/Madya/Utama dari kelompok keterampilan yang "
        "lengkap), keterampilan dari 25 yang belum dimiliki kader aktif mana pun, dan kader "
        "per posyandu. Desa tanpa data kader berwarna abu-abu.",
        "Posyandu kader per village: levels (Purwa/Madya/Utama from complete skill groups), "
        "skills of the 25 that no active kader holds, and kader per posyandu. Villages "
        "without kader data are grey.",
    )
    period_kind: ClassVar[PeriodKind] = SNAPSHOT

    tampilan: str = option("strata", Text("Tampilan", "View"), choices=VIEWS)
    keterampilan: str = option(
        "DL2", Text("Keterampilan atau kelompok", "Skill or group"), choices=skill_choices,
        help=Text("Dipakai pada tampilan 'Satu keterampilan atau kelompok'.",
                  "Used by the view 'One skill or group'."))  # fmt: skip
    norma: int = option(DEFAULT_NORM, Text("Norma kader per posyandu", "Kader norm per posyandu"),
                        minimum=1, maximum=20, step=1)  # fmt: skip
    umur_asesmen: int = option(
        DEFAULT_STALE_MONTHS, Text("Asesmen usang setelah (bulan)",
                                   "Assessment stale after (months)"),
        minimum=1, maximum=120, step=1)  # fmt: skip

    # ------------------------------------------------------------------ legend

    def chosen(self, book: SkillBook | None = None) -> list[str]:
        """The skill codes of option ``keterampilan`` (a group's members, or one skill)."""
        book = book or SkillBook.shipped()
        return list(book.members(self.keterampilan)) if self.keterampilan in book.groups else [
            self.keterampilan]

    def chosen_label(self, lang: str) -> str:
        return SkillBook.shipped().label(self.keterampilan, lang)

    def aggregation(self) -> aggregate.Aggregation:
        """The median class of the region's villages with kader records: the views'
        classes are ordinal, without one numerator shared by every view."""
        return aggregate.MedianClass()

    def legend(self) -> Legend:
        view = self.tampilan
        if view == "strata":
            classes = (
                LegendClass(DARK_RED, NO_ACTIVE),
                LegendClass(RED, Text("< 25 %", "< 25 %")),
                LegendClass(ORANGE, Text("25 – < 50 %", "25 – < 50 %")),
                LegendClass(LIGHT_GREEN, Text("50 – < 75 %", "50 – < 75 %")),
                LegendClass(GREEN, Text("≥ 75 %", "≥ 75 %")),
            )
            title = Text("Kader aktif Purwa ke atas", "Active kader at Purwa or above")
        elif view == "kurang":
            colors = (GREEN, YELLOW, ORANGE, RED, DARK_RED)
            labels = [Text("Lengkap: 25 dari 25", "Complete: 25 of 25")] + [
                Text(f"kurang {lo}–{hi}", f"{lo}–{hi} missing") for lo, hi in MISSING_BOUNDS[1:]]
            classes = tuple(LegendClass(c, t) for c, t in zip(colors, labels, strict=True))
            title = Text("Keterampilan yang tidak dimiliki kader aktif mana pun",
                         "Skills no active kader holds")  # fmt: skip
        elif view == "keterampilan":
            name = Text(self.chosen_label("id"), self.chosen_label("en"))
            if len(self.chosen()) > 1:
                classes = (
                    LegendClass(GREEN, Text("Semua keterampilan kelompok ada",
                                            "Every skill of the group held")),
                    LegendClass(ORANGE, Text("Sebagian belum ada", "Some missing")),
                    LegendClass(RED, Text("Tidak ada satu pun", "None held")),
                )  # fmt: skip
            else:
                classes = (
                    LegendClass(GREEN, Text("Ada kader aktif yang mampu",
                                            "Some active kader can")),
                    LegendClass(RED, Text("Tidak ada kader aktif yang mampu",
                                          "No active kader can")),
                )  # fmt: skip
            title = (Text(f"Keterampilan kelompok {name.id}", f"Skills of the group {name.en}")
                     if len(self.chosen()) > 1 else
                     Text(f"Kader yang mampu: {name.id}", f"Kader who can: {name.en}"))
        else:
            places = 0 if self.norma % 2 == 0 else 1
            half = (fmt_number(self.norma / 2, "id", places),
                    fmt_number(self.norma / 2, "en", places))
            classes = (
                LegendClass(DARK_RED, NO_ACTIVE),
                LegendClass(RED, Text(f"< {half[0]} per posyandu", f"< {half[1]} per posyandu")),
                LegendClass(ORANGE, Text(f"{half[0]} – < {self.norma} per posyandu",
                                         f"{half[1]} – < {self.norma} per posyandu")),
                LegendClass(GREEN, Text(f"≥ {self.norma} (norma)", f"≥ {self.norma} (norm)")),
            )  # fmt: skip
            title = Text(f"Kader aktif per posyandu (norma {self.norma})",
                         f"Active kader per posyandu (norm {self.norma})")
        return Legend(title=title, classes=classes, no_data=NO_KADER_DATA)

    # ------------------------------------------------------------------ values

    def load(self, session: Session, scope: Scope, period: Period,
             lang: str = "id") -> LayerResult:  # fmt: skip
        gaps = service.gaps_for(session, scope, stale_months=self.umur_asesmen,
                                norm=self.norma)  # fmt: skip
        return self.result(gaps, queries.village_codes(session, scope), lang)

    def values(self, gaps: KaderGaps) -> tuple[np.ndarray, np.ndarray]:
        """``(value, klass)`` of every row of ``gaps.villages`` for the chosen view (pure)."""
        v = gaps.villages
        active = v["kader_aktif"].to_numpy()
        if self.tampilan == "strata":
            value = v["purwa_plus"].to_numpy(float)
            klass = np.where(active == 0, 0,
                             1 + np.searchsorted(SHARE_BOUNDS, np.nan_to_num(value), "right"))
        elif self.tampilan == "kurang":
            value = v["kurang"].to_numpy(float)
            klass = np.searchsorted([hi for _, hi in MISSING_BOUNDS], value, "left")
        elif self.tampilan == "keterampilan":
            chosen = [c for c in self.chosen() if c in gaps.book.codes]
            if not chosen:  # the store's lookup lacks the shipped skill: nothing to say
                return np.full(len(v), np.nan), np.full(len(v), NO_DATA)
            value = gaps.lacking("villages", chosen).astype(float)
            klass = (np.where(value == 0, 0, np.where(value < len(chosen), 1, 2))
                     if len(chosen) > 1 else (value > 0).astype(int))  # fmt: skip
        else:
            value = v["per_posyandu"].to_numpy(float)
            klass = np.where(active == 0, 0, np.where(
                value < self.norma / 2, 1, np.where(value < self.norma, 2, 3)))
        return value, klass.astype(int)

    def result(self, gaps: KaderGaps, villages: Sequence[str], lang: str = "id") -> LayerResult:
        """The layer's table over ``villages`` (the scope's) from computed gaps (pure)."""
        value, klass = self.values(gaps)
        labels = tooltips(gaps, self, lang)
        found = pd.DataFrame({"kode_desa": gaps.villages["kode_desa"].astype(str),
                              "value": value, "klass": klass,
                              # object even when empty: the no-data text is set below
                              "label": pd.Series(labels, dtype=object)})  # fmt: skip
        # text even when empty (an empty scope: no float column to merge text on)
        table = pd.DataFrame({"kode_desa": pd.Series(list(villages), dtype=str)}).merge(
            found, on="kode_desa", how="left")
        none = table["klass"].isna()
        table["klass"] = table["klass"].fillna(NO_DATA).astype(int)
        table.loc[none, "label"] = NO_KADER_DATA.label(lang)
        return LayerResult(table=table, legend=self.legend(),
                           summary=summary_text(gaps, self, int(none.sum())))


# ---------------------------------------------------------------------- text

ACTIVE = Text("{n} kader aktif di {p} posyandu", "{n} active kader in {p} posyandu")
INACTIVE = Text(" (+{n} tidak aktif)", " (+{n} inactive)")
MIX = Text("Purwa ke atas {pct}", "Purwa or above {pct}")
COMPLETE = Text("25 keterampilan lengkap", "all 25 skills held")
LACKS = Text("kurang {n}: {codes}", "{n} missing: {codes}")
PER = Text("{n} kader aktif per posyandu", "{n} active kader per posyandu")
STALE = Text("{n} asesmen lebih dari {m} bulan", "{n} assessments older than {m} months")
BELOW = Text("{n} dari {p} posyandu di bawah norma {norm}",
             "{n} of {p} posyandu below the norm of {norm}")  # fmt: skip
CAN = Text("{n} kader aktif mampu {skill}", "{n} active kader can: {skill}")
CANNOT = Text("tidak ada kader aktif yang mampu {skill}", "no active kader can: {skill}")
GROUP_OK = Text("{skill}: semua keterampilan ada", "{skill}: every skill held")
GROUP_GAP = Text("{skill}: kurang {codes}", "{skill}: missing {codes}")
SHOWN = 8


def _codes(codes: list[str]) -> str:
    return ", ".join(codes[:SHOWN]) + (" …" if len(codes) > SHOWN else "")


def tooltips(gaps: KaderGaps, layer: KaderLayer, lang: str) -> list[str]:
    """The tooltip of every village of ``gaps`` in ``lang``: the chosen view's fact first
    (the map shows it in bold), then the kader, levels, gaps, norm and stale assessments.

    Built part by part for all villages at once (each part one format over arrays; the
    lists of missing skills written once per distinct set)."""
    v = gaps.villages
    n = len(v)
    if not n:
        return []
    below = _below_norm(gaps)
    aktif = v["kader_aktif"].to_numpy(np.int64)
    kader = v["kader"].to_numpy(np.int64)
    posyandu = textvec.integers(v["posyandu"].to_numpy())
    head = textvec.fill(ACTIVE(lang), n=textvec.numbers(aktif, lang), p=posyandu)
    more = kader > aktif
    head = np.where(more, textvec.join(head, textvec.fill(
        INACTIVE(lang), n=textvec.integers(kader - aktif))), head)
    share = v["purwa_plus"].to_numpy(float)
    pct = np.where(np.isnan(share), "–",
                   textvec.join(textvec.numbers(100 * share, lang), " %")).astype(object)
    mix = textvec.fill(MIX(lang), pct=pct)
    kurang = v["kurang"].to_numpy()
    lacks = np.where(kurang != 0, textvec.fill(
        LACKS(lang), n=textvec.integers(kurang),
        codes=_code_lists(gaps.village_holders == 0, gaps.book.codes)),
        COMPLETE(lang)).astype(object)
    norm = textvec.fill(BELOW(lang), n=textvec.integers(below), p=posyandu, norm=gaps.norm)
    view = layer.tampilan
    if view == "strata":
        parts = [mix, head, lacks]
    elif view == "kurang":
        parts = [lacks, head, mix]
    elif view == "rasio":
        per = textvec.fill(PER(lang), n=textvec.numbers(v["per_posyandu"].to_numpy(float),
                                                         lang, 1))  # fmt: skip
        parts = [per, norm, head, mix, lacks]
    else:
        parts = [head, mix, lacks]
    chosen = [c for c in layer.chosen() if c in gaps.book.codes]
    if view == "keterampilan" and chosen:
        holders = gaps.village_holders[:, [gaps.book.codes.index(c) for c in chosen]]
        skill = layer.chosen_label(lang)
        if len(chosen) == 1:
            lead = np.where(holders[:, 0] != 0, textvec.fill(
                CAN(lang), n=textvec.integers(holders[:, 0]), skill=skill),
                CANNOT(lang).format(skill=skill)).astype(object)
        else:
            lacking = holders == 0
            lead = np.where(lacking.any(axis=1), textvec.fill(
                GROUP_GAP(lang), skill=skill, codes=_code_lists(lacking, tuple(chosen))),
                GROUP_OK(lang).format(skill=skill)).astype(object)
        parts.insert(0, lead)
    pieces: list[object] = [parts[0]]
    for part in parts[1:]:
        pieces += [" · ", part]
    out = textvec.join(*pieces)
    if view != "rasio":
        out = np.where(below != 0, textvec.join(out, " · ", norm), out)
    stale = v["stale"].to_numpy()
    if (stale != 0).any():
        out = np.where(stale != 0, textvec.join(out, " · ", textvec.fill(
            STALE(lang), n=textvec.integers(stale), m=gaps.stale_months)), out)
    return np.asarray(out, dtype=object).tolist()


def _code_lists(lacking: np.ndarray, codes: tuple[str, ...] | list[str]) -> np.ndarray:
    """``_codes`` of the codes lacking in each row of the boolean matrix ``lacking``,
    written once per distinct row."""
    if not len(lacking):
        return np.empty(0, dtype=object)
    distinct, where = np.unique(lacking, axis=0, return_inverse=True)
    names = np.array(codes, dtype=object)
    texts = np.array([_codes(names[row].tolist()) for row in distinct], dtype=object)
    return texts[np.asarray(where).reshape(-1)]


def _below_norm(gaps: KaderGaps) -> np.ndarray:
    """Posyandu below the norm per village (aligned with ``gaps.villages``)."""
    p = gaps.posyandu
    low = p.loc[p["kader_aktif"] < gaps.norm, "kode_desa"].value_counts()
    return low.reindex(gaps.villages["kode_desa"]).fillna(0).astype(int).to_numpy()


SUMMARY = Text(
    "{v} dengan data kader: {n} kader aktif di {p}; Purwa ke atas {pct} ({mix}); {g} dengan "
    "keterampilan yang tidak dimiliki kader aktif mana pun{top}; {below} di bawah norma "
    "{norm}; {stale} lebih dari {m} bulan{nd}.",
    "{v} with kader data: {n} active kader in {p}; Purwa or above {pct} ({mix}); {g} with skills "
    "no active kader holds{top}; {below} below the norm of {norm}; {stale} older than {m} "
    "months{nd}.",
)
TOP = Text(" (paling sering: {items})", " (most often: {items})")
NO_DATA_VILLAGES = Text("; {n} tanpa data kader", "; {n} without kader data")
NOTHING = Text("Belum ada data kader di wilayah ini. Impor daftar kader di halaman Impor.",
               "No kader data in this region yet. Import a kader roster on the Import page.")


def summary_text(gaps: KaderGaps, layer: KaderLayer, no_data: int) -> Text:
    """One line in both languages: coverage, level mix, the commonest gaps, norm, staleness."""
    v = gaps.villages
    if v.empty:
        return NOTHING
    return Text(*(_summary(gaps, no_data, lang) for lang in ("id", "en")))


def _summary(gaps: KaderGaps, no_data: int, lang: str) -> str:
    v = gaps.villages
    active = int(v["kader_aktif"].sum())
    levels = gaps.rule.keys
    counts = [int(v[f"level_{k}"].sum()) for k in levels]
    mix = ", ".join(f"{name} {fmt_number(n, lang)}" for name, n in
                    zip(gaps.rule.names(lang), counts, strict=True))  # fmt: skip
    lacking = (gaps.village_holders == 0).sum(axis=0)
    def villages(n: int) -> str:
        return counted(n, lang, "desa", "village")

    top = [f"{c} ({villages(n)})" for c, n in sorted(zip(gaps.book.codes, lacking, strict=True),
                                                     key=lambda t: -t[1])[:3] if n]
    return SUMMARY(lang).format(
        v=villages(len(v)), n=fmt_number(active, lang),
        p=counted(int(v["posyandu"].sum()), lang, "posyandu", "posyandu", "posyandu"),
        pct=_pct(sum(counts[1:]) / active if active else np.nan, lang), mix=mix,
        g=villages(int((v["kurang"] > 0).sum())),
        top=TOP(lang).format(items=", ".join(top)) if top else "",
        below=counted(int((gaps.posyandu["kader_aktif"] < gaps.norm).sum()), lang, "posyandu",
                      "posyandu", "posyandu"),
        norm=gaps.norm,
        stale=counted(int(v["stale"].sum()), lang, "asesmen", "assessment"),
        m=gaps.stale_months,
        nd=NO_DATA_VILLAGES(lang).format(n=villages(no_data)) if no_data else "",
    )  # fmt: skip
