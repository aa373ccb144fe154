"""Villages needing follow-up: one table, a row per village with every reason it needs
attention this week — an alert, a KLB signal to verify, no Pustu within the access
distance, kader missing skills — most reasons first, then the largest population."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from layers.diarrhoea import service as diarrhoea
from layers.diarrhoea.klb import CRITERIA_SHORT
from layers.kader import service as kader
from layers.panel import Note, Table
from layers.present.deck import DeckContext, Slide, SlideKind, register
from layers.present.slides.common import villages, week_text
from layers.pustu import service as pustu
from layers.text import Text, fmt_number

TITLE = Text("Desa yang perlu ditindaklanjuti", "Villages needing follow-up")
HEADS = (Text("Desa", "Village"), Text("Kecamatan", "Kecamatan"), Text("Alasan", "Reasons"),
         Text("Penduduk", "Population"))  # fmt: skip
ALERT = Text("peringatan diare ({n} kasus)", "diarrhoea alert ({n} cases)")
SIGNAL = Text("sinyal KLB: {what}", "KLB signal: {what}")
NO_PUSTU = Text("tanpa Pustu dalam {km} km", "no Pustu within {km} km")
KADER = Text("kader kurang {n} keterampilan", "kader lack {n} skills")
NONE = Text("Tidak ada desa yang perlu ditindaklanjuti minggu ini.",
            "No village needs follow-up this week.")  # fmt: skip
MORE = Text("… dan {n} desa lain dengan alasan lebih sedikit.",
            "… and {n} more villages with fewer reasons.")
NOTES = Text("{n} desa perlu ditindaklanjuti: {alerts} dengan peringatan, {klb} dengan sinyal "
             "KLB, {pustu} tanpa Pustu terjangkau, {kader} dengan celah kader ≥ {k}.",
             "{n} villages need follow-up: {alerts} with an alert, {klb} with a KLB signal, "
             "{pustu} without a reachable Pustu, {kader} with kader gaps ≥ {k}.")  # fmt: skip
#: kader missing at least this many skills make a village a follow-up
KADER_GAP = 3
SHOWN = 12


@register
class FollowUpSlide(SlideKind):
    id: ClassVar[str] = "tindak_lanjut"
    title: ClassVar[Text] = Text("Tindak lanjut", "Follow-up")
    order: ClassVar[int] = 50

    def build(self, ctx: DeckContext) -> Slide:
        lang, s, sup = ctx.lang, ctx.session, ctx.suppress
        v = villages(ctx).set_index("kode")
        reasons: dict[str, list[str]] = {k: [] for k in v.index}
        counts = dict.fromkeys(("alerts", "klb", "pustu", "kader"), 0)
        if ctx.week is not None:
            alerts = diarrhoea.alerts_for(s, ctx.scope, ctx.week)
            for kode, obs in zip(alerts.kode_desa[alerts.alert], alerts.observed[alerts.alert],
                                 strict=True):  # fmt: skip
                reasons[kode].append(ALERT(lang).format(n=sup.count(obs, lang)))
                counts["alerts"] += 1
            klb = diarrhoea.klb_for(s, ctx.scope, ctx.week).signals
            for kode, rows in klb.groupby("kode"):
                what = ", ".join(CRITERIA_SHORT[k](lang) for k in rows["kriteria"])
                reasons.setdefault(str(kode), []).append(SIGNAL(lang).format(what=what))
                counts["klb"] += 1
        gaps = pustu.gaps_for(s, ctx.scope)
        km = fmt_number(gaps.distance_m / 1000, lang)
        far = gaps.villages.loc[~gaps.villages["terlayani"].astype(bool), "kode_desa"]
        for kode in far:
            reasons[kode].append(NO_PUSTU(lang).format(km=km))
            counts["pustu"] += 1
        kg = kader.gaps_for(s, ctx.scope, today=ctx.today).villages
        for kode, n in zip(kg["kode_desa"], kg["kurang"], strict=True):
            if n >= KADER_GAP:
                reasons[kode].append(KADER(lang).format(n=int(n)))
                counts["kader"] += 1
        population = gaps.villages.set_index("kode_desa")["penduduk"]
        table = pd.DataFrame({"kode": list(reasons), "n": [len(r) for r in reasons.values()]})
        table = table[(table["n"] > 0) & table["kode"].isin(v.index)]
        table["penduduk"] = population.reindex(table["kode"]).to_numpy(float)
        table = table.sort_values(["n", "penduduk"], ascending=False, na_position="last")
        rows = tuple(
            (str(v.at[k, "nama"]), str(v.at[k, "nama_kec"]), "; ".join(reasons[k]),
             fmt_number(p if np.isfinite(p) else None, lang))
            for k, p in zip(table["kode"].head(SHOWN), table["penduduk"].head(SHOWN),
                            strict=True))  # fmt: skip
        blocks: list = [Table(tuple(h(lang) for h in HEADS), rows)] if rows else [
            Note(NONE(lang), tone="ok")]
        if len(table) > SHOWN:
            blocks.append(Note(MORE(lang).format(n=len(table) - SHOWN)))
        notes = NOTES(lang).format(n=len(table), k=KADER_GAP, **counts)
        return Slide(self.id, TITLE(lang), week_text(ctx.week, lang), blocks, notes)
