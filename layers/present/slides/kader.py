"""Kader levels and the top skill gaps: the ``kader`` layer (missing skills), the level mix
of active kader and the skills lacking in the most villages, with the people they serve
(:mod:`layers.kader.priority`)."""

from __future__ import annotations

from typing import ClassVar

from layers.kader import service
from layers.kader.priority import training_priority
from layers.panel import Facts, Note, Table
from layers.present.deck import DeckContext, MapFigure, Slide, SlideKind, register
from layers.text import Text, fmt_number

TITLE = Text("Kader: strata dan celah keterampilan", "Kader: levels and skill gaps")
SUBTITLE = Text("25 keterampilan dasar kader posyandu", "The 25 basic posyandu kader skills")
NO_DATA = Text("Belum ada data kader untuk wilayah ini.", "No kader data for this region yet.")
ACTIVE = Text("Kader aktif", "Active kader")
LEVELS = Text("Strata", "Levels")
PURWA = Text("Purwa ke atas", "Purwa or above")
GAP = Text("Desa dengan keterampilan yang belum dimiliki", "Villages with a skill no kader holds")
HEADS = (Text("Keterampilan", "Skill"), Text("Desa tanpa", "Villages lacking"),
         Text("Posyandu tanpa", "Posyandu lacking"), Text("Sasaran", "People served"))
NOTES = Text("{n} kader aktif; {mix}; Purwa ke atas {pct}; {g} desa dengan celah; "
             "celah terbesar: {top}.",
             "{n} active kader; {mix}; Purwa or above {pct}; {g} villages with a gap; "
             "largest gaps: {top}.")  # fmt: skip
SHOWN = 6


@register
class KaderSlide(SlideKind):
    id: ClassVar[str] = "kader"
    title: ClassVar[Text] = Text("Kader dan keterampilan", "Kader and skills")
    order: ClassVar[int] = 40

    def build(self, ctx: DeckContext) -> Slide:
        lang = ctx.lang
        gaps = service.gaps_for(ctx.session, ctx.scope, today=ctx.today)
        v = gaps.villages
        if v.empty:
            return Slide(self.id, TITLE(lang), SUBTITLE(lang), [Note(NO_DATA(lang))],
                         NO_DATA(lang))  # fmt: skip
        active = int(v["kader_aktif"].sum())
        counts = [int(v[f"level_{k}"].sum()) for k in gaps.rule.keys]
        mix = ", ".join(f"{name} {fmt_number(n, lang)}"
                        for name, n in zip(gaps.rule.names(lang), counts, strict=True))
        share = sum(counts[1:]) / active if active else float("nan")
        pct = "–" if active == 0 else f"{fmt_number(100 * share, lang)} %"
        prio = training_priority(ctx.session, ctx.scope, gaps)
        lacking_v = (gaps.village_holders == 0).sum(axis=0)
        by_skill = prio.gaps.groupby("keterampilan").agg(
            posyandu=("posyandu", "size"), sasaran=("sasaran", lambda s: s.sum(min_count=1)))
        order = sorted(((c, int(n)) for c, n in zip(gaps.book.codes, lacking_v, strict=True)
                        if n), key=lambda t: (-t[1], gaps.book.codes.index(t[0])))[:SHOWN]
        rows = tuple(
            (gaps.book.label(c, lang), fmt_number(n, lang),
             fmt_number(int(by_skill.at[c, "posyandu"]) if c in by_skill.index else 0, lang),
             fmt_number(by_skill.at[c, "sasaran"] if c in by_skill.index else None, lang))
            for c, n in order)  # fmt: skip
        n_gap = int((v["kurang"] > 0).sum())
        blocks = [
            MapFigure({"type": "kader", "tampilan": "kurang"}, None, GAP(lang)),
            Facts(((ACTIVE(lang), fmt_number(active, lang)), (LEVELS(lang), mix),
                   (PURWA(lang), pct), (GAP(lang), fmt_number(n_gap, lang)))),
        ]  # fmt: skip
        if rows:
            blocks.append(Table(tuple(h(lang) for h in HEADS), rows))
        notes = NOTES(lang).format(n=fmt_number(active, lang), mix=mix, pct=pct, g=n_gap,
                                   top=", ".join(f"{c} ({n})" for c, n in order) or "–")
        return Slide(self.id, TITLE(lang), SUBTITLE(lang), blocks, notes)
