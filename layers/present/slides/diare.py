"""Diarrhoea this week: alerts, KLB signals to verify, significant clusters, 8-week trend.

The map is the ``peringatan`` layer for the week. Alerts are the stored rule's
(:func:`layers.diarrhoea.service.alerts_for`), KLB signals the Permenkes criteria
(:func:`~layers.diarrhoea.service.klb_for`; signals to verify, never a declared KLB),
clusters the prospective space-time scan (999 replications, fixed seed: the numbers are the
map's) with p < 0.05. Every case count goes through the deck's suppression.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from layers.diarrhoea import service
from layers.diarrhoea.klb import CRITERIA_SHORT
from layers.panel import BarChart, Facts, Note, Table
from layers.present.deck import DeckContext, MapFigure, Slide, SlideKind, register
from layers.present.slides.common import names, week_text
from layers.text import Text, fmt_number

TITLE = Text("Diare akut minggu ini", "Acute diarrhoea this week")
NO_DATA = Text("Belum ada data kasus diare untuk wilayah ini.",
               "No diarrhoea case data for this region yet.")  # fmt: skip
CASES = Text("Kasus minggu ini", "Cases this week")
ALERTS = Text("Desa dengan peringatan", "Villages with an alert")
KLB = Text("Sinyal KLB untuk diverifikasi", "KLB signals to verify")
CLUSTERS = Text("Klaster bermakna di {region} (p < 0,05)",
                "Significant clusters in {region} (p < 0.05)")
TREND = Text("Kasus per minggu (8 minggu)", "Cases per week (8 weeks)")
CASES_AXIS = Text("Kasus", "Cases")
SIGNAL_HEADS = (Text("Desa", "Village"), Text("Kriteria", "Criterion"),
                Text("Kasus", "Cases"))  # fmt: skip
CLUSTER_HEADS = (Text("Pusat", "Centre"), Text("Desa", "Villages"), Text("Kasus", "Cases"),
                 Text("Harapan", "Expected"), Text("RR", "RR"), Text("Minggu", "Weeks"))
SIGNAL_CAPTION = Text("Sinyal KLB: {n} dari {total}, kasus terbanyak lebih dulu",
                      "KLB signals: {n} of {total}, most cases first")
CLUSTER_CAPTION = Text("Klaster bermakna: {n} dari {total}", "Significant clusters: {n} of {total}")
NO_REPORT = Text("Tidak ada laporan kasus minggu {week} di wilayah ini: belum dilaporkan, "
                 "bukan nol. Pilih minggu yang sudah dilaporkan.",
                 "No case report for week {week} in this region: not reported yet, not zero. "
                 "Choose a reported week.")
SIGNAL_NOTE = Text("Sinyal KLB adalah tanda untuk diverifikasi, bukan penetapan KLB.",
                   "KLB signals are signs to verify, not a declared KLB.")  # fmt: skip
NOTES = Text(
    "Minggu {week}: {cases} kasus di wilayah ini; {alerts} desa dengan peringatan; {klb} "
    "sinyal KLB di {klb_v} desa; {clusters} klaster bermakna.",
    "Week {week}: {cases} cases in the region; {alerts} villages with an alert; {klb} KLB "
    "signals in {klb_v} villages; {clusters} significant clusters.",
)
SHOWN = 6


@register
class DiarrhoeaSlide(SlideKind):
    id: ClassVar[str] = "diare"
    title: ClassVar[Text] = Text("Diare minggu ini", "Diarrhoea this week")
    order: ClassVar[int] = 20

    def build(self, ctx: DeckContext) -> Slide:
        lang, week = ctx.lang, ctx.week
        if week is None:
            return Slide(self.id, TITLE(lang), week_text(None, lang), [Note(NO_DATA(lang))],
                         NO_DATA(lang))  # fmt: skip
        s, sup = ctx.session, ctx.suppress
        data = service.series(s, ctx.scope, service.DEFAULT_PENYAKIT, week - 7, week)
        if not ((data["tahun"] == week.year) & (data["minggu"] == week.week)).any():
            text = NO_REPORT(lang).format(week=str(week))
            return Slide(self.id, TITLE(lang), week_text(week, lang), [Note(text, tone="bad")],
                         text)  # fmt: skip
        alerts = service.alerts_for(s, ctx.scope, week)
        klb = service.klb_for(s, ctx.scope, week)
        scan = service.scan_for(s, ctx.scope, week)
        significant = [c for c, sig in service.ordered_clusters(scan.clusters) if sig]
        label = names(ctx)
        totals = data.groupby(["tahun", "minggu"])["kasus"].sum()
        weeks = [week - back for back in range(7, -1, -1)]
        counts = [float(totals.get((w.year, w.week), np.nan)) for w in weeks]
        cases = counts[-1]
        chart = BarChart(
            x=tuple(str(w) for w in weeks), y=tuple(sup.value(c) for c in counts),
            name=TREND(lang), y_title=CASES_AXIS(lang),
            hover=tuple(sup.count(c, lang) for c in counts), highlight=len(weeks) - 1)
        signals = klb.signals
        shown = signals.sort_values("observed", ascending=False, kind="stable").head(SHOWN)
        signal_rows = tuple(
            (label.get(r.kode, r.kode), CRITERIA_SHORT[r.kriteria](lang),
             sup.count(r.observed, lang))
            for r in shown.itertuples(index=False))  # fmt: skip
        cluster_rows = tuple(
            (label.get(c.centre, c.centre), str(len(c.villages)), sup.count(c.observed, lang),
             fmt_number(c.expected, lang, 1), fmt_number(c.relative_risk, lang, 1),
             f"{c.start_week}–{c.end_week}")
            for c in significant[:SHOWN])  # fmt: skip
        n_alert = int(np.sum(alerts.alert))
        facts = Facts((
            (CASES(lang), sup.count(cases, lang)), (ALERTS(lang), fmt_number(n_alert, lang)),
            (KLB(lang), fmt_number(klb.n_signals, lang)),
            (CLUSTERS(lang).format(region=ctx.region_name), fmt_number(len(significant), lang)),
        ))  # fmt: skip
        blocks = [
            MapFigure({"type": "peringatan"}, str(week), ALERTS(lang)), facts, chart,
            *((Note(SIGNAL_CAPTION(lang).format(n=len(signal_rows), total=klb.n_signals)),
               Table(tuple(h(lang) for h in SIGNAL_HEADS), signal_rows)) if signal_rows else ()),
            *((Note(CLUSTER_CAPTION(lang).format(n=len(cluster_rows), total=len(significant))),
               Table(tuple(h(lang) for h in CLUSTER_HEADS), cluster_rows))
              if cluster_rows else ()),
            Note(SIGNAL_NOTE(lang)),
        ]  # fmt: skip
        notes = NOTES(lang).format(
            week=str(week), cases=sup.count(cases, lang), alerts=n_alert, klb=klb.n_signals,
            klb_v=signals["kode"].nunique() if len(signals) else 0, clusters=len(significant))
        return Slide(self.id, TITLE(lang), week_text(week, lang),
                     [b for b in blocks if b is not None], notes)  # fmt: skip
