"""Closing slide: what was agreed last time, and the actions agreed now (who, what, by
when), typed during the meeting and saved as its minutes (:mod:`layers.present.notulen`)."""

from __future__ import annotations

from typing import ClassVar

from layers.panel import Note, Table
from layers.present import notulen
from layers.present.deck import DeckContext, Slide, SlideKind, register
from layers.present.slides.common import date_text
from layers.text import Text

TITLE = Text("Rencana tindak lanjut", "Agreed actions")
SUBTITLE = Text("Siapa melakukan apa, kapan", "Who does what, by when")
HEADS = (Text("Siapa", "Who"), Text("Apa", "What"), Text("Kapan", "By when"))
BEFORE = Text("Kesepakatan pertemuan sebelumnya ({date})",
              "Agreed at the previous meeting ({date})")  # fmt: skip
NOW = Text("Kesepakatan hari ini ({date})", "Agreed today ({date})")
NOTHING_BEFORE = Text("Belum ada notulen pertemuan sebelumnya.",
                      "No minutes of an earlier meeting yet.")  # fmt: skip
NOTHING_NOW = Text("Belum ada tindakan yang dicatat hari ini.",
                   "No action recorded today yet.")  # fmt: skip


def action_rows(actions: list[dict[str, str]], lang: str) -> tuple[tuple[str, ...], ...]:
    import datetime as dt

    def when(text: str) -> str:
        try:
            return date_text(dt.date.fromisoformat(text), lang)
        except ValueError:
            return text

    return tuple((a.get("siapa", ""), a.get("apa", ""), when(a.get("kapan", "")))
                 for a in actions)  # fmt: skip


@register
class ClosingSlide(SlideKind):
    id: ClassVar[str] = "penutup"
    title: ClassVar[Text] = Text("Rencana tindak lanjut", "Agreed actions")
    order: ClassVar[int] = 90
    editable: ClassVar[bool] = True

    def build(self, ctx: DeckContext) -> Slide:
        lang = ctx.lang
        heads = tuple(h(lang) for h in HEADS)
        before = notulen.previous(ctx.session, ctx.scope, ctx.region, ctx.today)
        today = notulen.on(ctx.session, ctx.scope, ctx.region, ctx.today)
        blocks: list = []
        if before is None:
            blocks.append(Note(NOTHING_BEFORE(lang)))
        else:
            blocks.append(Note(BEFORE(lang).format(date=date_text(before.date, lang))))
            blocks.append(Table(heads, action_rows(before.actions, lang)))
        blocks.append(Note(NOW(lang).format(date=date_text(ctx.today, lang))))
        now = today.actions if today is not None else []
        blocks.append(Table(heads, action_rows(now, lang)) if now else
                      Note(NOTHING_NOW(lang)))  # fmt: skip
        notes = "; ".join(f"{a.get('siapa', '')}: {a.get('apa', '')} ({a.get('kapan', '')})"
                          for a in now) or NOTHING_NOW(lang)  # fmt: skip
        return Slide(self.id, TITLE(lang), SUBTITLE(lang), blocks, notes)
