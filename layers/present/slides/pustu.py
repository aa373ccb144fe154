"""Villages without a Pustu: the gap map, coverage, the largest villages still without one,
and the region's most recent saved plan (:mod:`layers.pustu.plans`)."""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

from layers.panel import Facts, Note, Table
from layers.present.deck import DeckContext, MapFigure, Slide, SlideKind, register
from layers.pustu import plans, service
from layers.pustu.classes import CLASS_TEXT
from layers.pustu.service import STRAIGHT_LINE, distance_text
from layers.text import Text, fmt_number

TITLE = Text("Desa tanpa Pustu", "Villages without a Pustu")
SUBTITLE = Text("ILP: satu Pustu di setiap desa", "ILP: one Pustu in every village")
VILLAGES = Text("Desa", "Villages")
WITH = Text("Desa dengan Pustu aktif", "Villages with an active Pustu")
COVERAGE = Text("Cakupan", "Coverage")
UNSERVED = Text("Penduduk di luar {km} km", "People beyond {km} km")
PLAN = Text("Rencana tersimpan", "Saved plan")
NO_PLAN = Text("belum ada rencana tersimpan", "no saved plan yet")
PLAN_TEXT = Text("{name}: {n} desa, +{people} penduduk terlayani, cakupan {cov}",
                 "{name}: {n} villages, +{people} people newly served, coverage {cov}")
HEADS = (Text("Desa", "Village"), Text("Status", "Status"), Text("Penduduk", "Population"),
         Text("Pustu terdekat", "Nearest Pustu"))  # fmt: skip
NOTES = Text(
    "{with_} dari {n} desa punya Pustu aktif (cakupan {cov}); {people} penduduk di luar {km} "
    "km; {plan}.",
    "{with_} of {n} villages have an active Pustu (coverage {cov}); {people} people beyond "
    "{km} km; {plan}.",
)
LARGEST = Text("Desa terbesar tanpa Pustu aktif: {n} dari {total}",
               "Largest villages without an active Pustu: {n} of {total}")
SHOWN = 8


def _pct(value: object, lang: str) -> str:
    return "–" if value is None or pd.isna(value) else f"{fmt_number(float(value), lang, 1)} %"


@register
class PustuSlide(SlideKind):
    id: ClassVar[str] = "pustu"
    title: ClassVar[Text] = Text("Desa tanpa Pustu", "Villages without a Pustu")
    order: ClassVar[int] = 30

    def build(self, ctx: DeckContext) -> Slide:
        lang = ctx.lang
        gaps = service.gaps_for(ctx.session, ctx.scope)
        t = gaps.total()
        km = fmt_number(gaps.distance_m / 1000, lang)
        lacking = gaps.lacking()
        if gaps.puskesmas_served:  # a Puskesmas in the village serves it: not a gap to show
            lacking = lacking[lacking["kelas"] != "puskesmas"]
        lacking = lacking.sort_values("penduduk", ascending=False, na_position="last")
        rows = tuple(
            (f"{r.nama} ({r.nama_kec})", CLASS_TEXT[r.kelas](lang),
             fmt_number(r.penduduk, lang), distance_text(r.jarak_pustu_m, lang))
            for r in lacking.head(SHOWN).itertuples(index=False))  # fmt: skip
        saved = plans.list_plans(ctx.session, ctx.scope, within=ctx.region)
        if saved.empty:
            plan = NO_PLAN(lang)
        else:
            p = saved.sort_values("dibuat").iloc[-1]
            plan = PLAN_TEXT(lang).format(name=p["nama"], n=int(p["desa"]),
                                          people=fmt_number(p["terlayani_baru"], lang),
                                          cov=_pct(p["cakupan_persen"], lang))  # fmt: skip
        people = t["penduduk_tidak_terlayani"]
        facts = Facts((
            (WITH(lang), f"{fmt_number(t['dengan_pustu'], lang)} / {fmt_number(t['desa'], lang)}"),
            (COVERAGE(lang), _pct(t["cakupan_pct"], lang)),
            (UNSERVED(lang).format(km=km), fmt_number(people, lang)),
            (PLAN(lang), plan),
        ))  # fmt: skip
        blocks = [MapFigure({"type": "pustu"}, None, TITLE(lang)), facts]
        if rows:
            blocks.append(Note(LARGEST(lang).format(n=len(rows), total=len(lacking))))
            blocks.append(Table(tuple(h(lang) for h in HEADS), rows))
        blocks.append(Note(STRAIGHT_LINE(lang)))
        notes = NOTES(lang).format(with_=fmt_number(t["dengan_pustu"], lang),
                                   n=fmt_number(t["desa"], lang),
                                   cov=_pct(t["cakupan_pct"], lang),
                                   people=fmt_number(people, lang), km=km, plan=plan)
        return Slide(self.id, TITLE(lang), SUBTITLE(lang), blocks, notes)
