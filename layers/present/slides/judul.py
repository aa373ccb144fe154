"""Title slide: the region, the period and how fresh each kind of data is."""

from __future__ import annotations

from typing import ClassVar

from layers.panel import Facts, Note
from layers.present.deck import DeckContext, Slide, SlideKind, register
from layers.present.slides.common import date_text, week_text
from layers.store import queries
from layers.text import Text

TITLE = Text("Lokakarya mini — {region}", "Lokakarya mini (mini workshop) — {region}")
#: the log kinds of each kind of data: an importer's, then the trusted demo loader's
KINDS = {("batas", "wilayah"): Text("Batas wilayah", "Boundaries"),
         ("fasilitas",): Text("Fasilitas", "Facilities"),
         ("kasus", "kasus_mingguan"): Text("Kasus mingguan", "Weekly cases"),
         ("penduduk",): Text("Penduduk", "Population"),
         ("kader",): Text("Kader", "Kader")}  # fmt: skip
FRESH = Text("Data terbaru per jenis:", "Newest data of each kind:")
NONE = Text("belum ada", "none yet")
MEETING = Text("Tanggal pertemuan", "Meeting date")
PERIOD = Text("Periode", "Period")
SOURCE = Text("Angka diambil langsung dari basis data PWS-ILP saat slide dibuka.",
              "Numbers are read live from the PWS-ILP database when the slide opens.")


@register
class TitleSlide(SlideKind):
    id: ClassVar[str] = "judul"
    title: ClassVar[Text] = Text("Judul", "Title")
    order: ClassVar[int] = 10

    def build(self, ctx: DeckContext) -> Slide:
        log = queries.import_log(ctx.session, ctx.scope)
        log = log[log["status"].isin(["ok", "dimuat"])]
        newest = log.groupby("jenis")["waktu"].max().to_dict() if len(log) else {}
        fresh = []
        for kinds, label in KINDS.items():
            when = [newest[k] for k in kinds if k in newest]
            fresh.append((label(ctx.lang), date_text(max(when).date(), ctx.lang) if when
                          else NONE(ctx.lang)))  # fmt: skip
        fresh = tuple(fresh)
        rows = ((MEETING(ctx.lang), date_text(ctx.today, ctx.lang)),
                (PERIOD(ctx.lang), week_text(ctx.week, ctx.lang)))  # fmt: skip
        notes = "; ".join(f"{a}: {b}" for a, b in rows + fresh)
        return Slide(self.id, TITLE(ctx.lang).format(region=ctx.region_name),
                     week_text(ctx.week, ctx.lang),
                     [Facts(rows), Note(FRESH(ctx.lang)), Facts(fresh),
                      Note(SOURCE(ctx.lang))], notes)  # fmt: skip
