"""Helpers the slide kinds share: village names, dates and the period line."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from layers.epiweek import EpiWeek
from layers.present.deck import DeckContext
from layers.store import queries
from layers.text import Text

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")  # fmt: skip
WEEK = Text("Minggu epidemiologi {w} ({a} – {b})", "Epi week {w} ({a} – {b})")
NO_WEEK = Text("belum ada data kasus", "no case data yet")


def date_text(day: dt.date, lang: str) -> str:
    """``1 Desember 2026`` / ``1 December 2026``."""
    if lang == "en":
        return f"{day.day} {day.strftime('%B')} {day.year}"
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def week_text(week: EpiWeek | None, lang: str) -> str:
    if week is None:
        return NO_WEEK(lang)
    return WEEK(lang).format(w=str(week), a=date_text(week.start, lang),
                             b=date_text(week.end, lang))  # fmt: skip


def villages(ctx: DeckContext) -> pd.DataFrame:
    """``kode, nama, jenis, kode_kec, nama_kec`` of the deck's villages."""
    return queries.village_table(ctx.session, ctx.scope)


def names(ctx: DeckContext) -> dict[str, str]:
    """``{kode: "Nama (Kec. X)"}`` of the deck's villages."""
    v = villages(ctx)
    return {k: f"{n} ({kec})" for k, n, kec in zip(v["kode"], v["nama"], v["nama_kec"],
                                                 strict=True)}  # fmt: skip
