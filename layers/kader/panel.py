"""The village panel's kader section: its posyandu, their kader, level mix, missing skills.

Facts (active kader, posyandu, level mix, share at Purwa or above, stale assessments), a
table of the village's posyandu (active kader against the norm, level mix, how many skills
none of its active kader holds) and the skills no active kader of the village holds, by
life-cycle group with their names. Uses the default norm and stale age
(:data:`~layers.kader.gaps.DEFAULT_NORM`, :data:`~layers.kader.gaps.DEFAULT_STALE_MONTHS`).
A village without kader records gets one sentence saying so. Documented in
``docs/layers.md``.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy.orm import Session

from layers import codes
from layers.base import Period
from layers.kader import service
from layers.kader.gaps import KaderGaps
from layers.panel import Block, Facts, Note, PanelSection, Table, register
from layers.scope import Scope
from layers.text import Text, fmt_number

ACTIVE = Text("Kader aktif", "Active kader")
INACTIVE = Text("{n} tidak aktif", "{n} inactive")
POSYANDU = Text("Posyandu", "Posyandu")
LEVELS = Text("Strata kader aktif", "Levels of active kader")
PURWA_PLUS = Text("Purwa ke atas", "Purwa or above")
STALE = Text("Asesmen lebih dari {m} bulan", "Assessments older than {m} months")
NO_DATE = Text("tanpa tanggal asesmen: {n}", "without assessment date: {n}")
HEADS = (Text("Posyandu", "Posyandu"), Text("Aktif", "Active"),
         Text("B/P/M/U", "N/P/M/U"), Text("Kurang", "Missing"))  # fmt: skip
LEVEL_KEY = Text("Strata kader aktif per posyandu: B belum berstrata, P Purwa, M Madya, "
                 "U Utama. Kurang: keterampilan yang tidak dimiliki kader aktif posyandu itu.",
                 "Levels of active kader per posyandu: N no level yet, P Purwa, M Madya, "
                 "U Utama. Missing: skills no active kader of that posyandu holds.")
BELOW = Text(" (di bawah norma {norm})", " (below the norm of {norm})")
MISSING_HEADS = (Text("Kelompok", "Group"), Text("Keterampilan yang belum dimiliki",
                                                 "Skills no active kader holds"))  # fmt: skip
COMPLETE = Text("Kader aktif desa ini bersama-sama memiliki ke-25 keterampilan dasar.",
                "Together the active kader of this village hold all 25 basic skills.")
GAP = Text("Keterampilan yang tidak dimiliki kader aktif mana pun di desa ini: {n} dari 25.",
           "Skills held by no active kader in this village: {n} of 25.")
NOTHING = Text("Belum ada data kader untuk desa ini.", "No kader data for this village yet.")
LEVEL_RULE = Text("Strata dihitung dari kelompok keterampilan yang lengkap (aturan: {src}).",
                  "Levels are computed from complete skill groups (rule: {src}).")


def _pct(value: float, lang: str) -> str:
    return "–" if value != value else f"{fmt_number(100 * value, lang)} %"


def _missing(gaps: KaderGaps, row: int, shown: int = 6) -> str:
    """``"3: IH2, DL4, DL5"`` — how many and which skills a posyandu lacks (``0``: none)."""
    codes_ = gaps.missing("posyandu", row)
    if not codes_:
        return "0"
    more = " …" if len(codes_) > shown else ""
    return f"{len(codes_)}: {', '.join(codes_[:shown])}{more}"


def village_blocks(gaps: KaderGaps, kode: str, lang: str) -> list[Block]:
    """The section's blocks for village ``kode`` of ``gaps`` (pure)."""
    v = gaps.villages
    found = v.index[v["kode_desa"] == kode]
    if not len(found):
        return [Note(NOTHING(lang))]
    i = int(found[0])
    row = v.loc[i]
    keys, names = gaps.rule.keys, gaps.rule.names(lang)
    active = f"{fmt_number(int(row['kader_aktif']), lang)}"
    if row["kader"] > row["kader_aktif"]:
        active += f" ({INACTIVE(lang).format(n=int(row['kader'] - row['kader_aktif']))})"
    stale = fmt_number(int(row["stale"]), lang)
    if row["tanpa_tanggal"]:
        stale += f"; {NO_DATE(lang).format(n=int(row['tanpa_tanggal']))}"
    blocks: list[Block] = [Facts(rows=(
        (ACTIVE(lang), active),
        (POSYANDU(lang), str(int(row["posyandu"]))),
        (LEVELS(lang), ", ".join(f"{n} {int(row[f'level_{k}'])}"
                                 for k, n in zip(keys, names, strict=True))),
        (PURWA_PLUS(lang), _pct(float(row["purwa_plus"]), lang)),
        (STALE(lang).format(m=gaps.stale_months), stale),
    ))]  # fmt: skip
    p = gaps.posyandu
    own = p.index[p["kode_desa"] == kode]
    blocks.append(Table(
        columns=tuple(h(lang) for h in HEADS),
        rows=tuple((
            str(p.at[j, "nama"]),
            str(int(p.at[j, "kader_aktif"])) + (BELOW(lang).format(norm=gaps.norm)
                                                if p.at[j, "kader_aktif"] < gaps.norm else ""),
            "/".join(str(int(p.at[j, f"level_{k}"])) for k in keys),
            _missing(gaps, j),
        ) for j in own),
    ))  # fmt: skip
    blocks.append(Note(LEVEL_KEY(lang)))
    missing = gaps.missing("villages", i)
    if not missing:
        blocks.append(Note(COMPLETE(lang), tone="ok"))
    else:
        blocks.append(Note(GAP(lang).format(n=len(missing)), tone="bad"))
        book = gaps.book
        blocks.append(Table(
            columns=tuple(h(lang) for h in MISSING_HEADS),
            rows=tuple((book.label(g, lang), "; ".join(book.label(c, lang) for c in codes_))
                       for g in book.groups
                       if (codes_ := [c for c in missing if book.group_of_skill(c) == g])),
        ))  # fmt: skip
    blocks.append(Note(LEVEL_RULE(lang).format(src=gaps.rule.source)))
    return blocks


@register
class KaderSection(PanelSection):
    """The village's posyandu, their kader counts, level mix and missing skills."""

    id: ClassVar[str] = "kader"
    title: ClassVar[Text] = Text("Kader posyandu", "Posyandu kader")
    order: ClassVar[int] = 30

    def blocks(self, session: Session, village: Scope, kode: str, period: Period,
               lang: str) -> list[Block] | None:  # fmt: skip
        if not codes.is_valid(kode):
            return None
        kode = codes.normalize(kode)
        if not village.allows(kode):
            return None
        return village_blocks(service.gaps_for(session, village), kode, lang)
