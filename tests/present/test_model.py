"""The presentation model: scope of a deck, slides from live numbers, suppression, saved
decks and minutes, and that every slide kind is documented."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from layers.epiweek import EpiWeek
from layers.panel import BarChart, Facts, Table
from layers.present import deck, decks, notulen
from layers.present.deck import DeckError, MapFigure
from layers.present.suppress import Suppression
from layers.scope import Scope

DOCS = Path(__file__).resolve().parents[2] / "docs" / "presentation.md"
ALL = Scope.everything()
KEC = "99.01.07"


def kinds() -> list[str]:
    return decks.known_kinds()


@pytest.mark.parametrize("kind", kinds())
def test_every_slide_kind_is_documented_and_bilingual(kind: str) -> None:
    assert re.search(rf"^### Slide `{kind}`$", DOCS.read_text(), re.MULTILINE), kind
    title = deck.KINDS[kind].title
    assert title.id and title.en


def test_docs_name_only_registered_kinds() -> None:
    named = set(re.findall(r"^### Slide `([a-z_]+)`$", DOCS.read_text(), re.MULTILINE))
    assert named == set(kinds())


def test_region_outside_the_scope_is_refused(session: Session) -> None:
    scoped = Scope.of([KEC])
    with pytest.raises(DeckError) as caught:
        deck.context(session, scoped, "99.01.08", None, "id")
    assert "99.01.08" in caught.value.text.id and "scope" in caught.value.text.en
    for bad in ("", "x" * 500, "99.99"):
        with pytest.raises(DeckError):
            deck.context(session, scoped, bad, None, "id")
    # the same request within scope is answered
    ctx = deck.context(session, scoped, KEC, None, "id")
    assert ctx.scope == Scope.of([KEC]) and ctx.week is not None


def test_a_wider_region_is_narrowed_to_the_scope(session: Session) -> None:
    ctx = deck.context(session, Scope.of([KEC]), "99.01", None, "en")
    assert ctx.scope == Scope.of([KEC])
    follow = deck.build(ctx, ["tindak_lanjut"])[0]
    table = next(b for b in follow.blocks if isinstance(b, Table))
    kecamatan = {row[1] for row in table.rows}
    name = session.execute(text("SELECT nama FROM wilayah WHERE kode = :k"), {"k": KEC}).scalar()
    assert kecamatan == {name}


def _cases(session: Session, prefix: str, week: EpiWeek) -> int:
    return int(session.execute(text(
        "SELECT COALESCE(SUM(kasus), 0) FROM kasus_mingguan WHERE penyakit = 'diare_akut' "
        "AND tahun = :y AND minggu = :w AND kode_desa LIKE :p"),
        {"y": week.year, "w": week.week, "p": prefix + ".%"}).scalar())


def test_slides_carry_the_stores_numbers(session: Session) -> None:
    ctx = deck.context(session, ALL, "99.01", None, "en")
    slides = {s.kind: s for s in deck.build(ctx)}
    assert list(slides) == kinds()
    week = ctx.week
    newest = session.execute(text(
        "SELECT tahun, minggu FROM kasus_mingguan ORDER BY tahun DESC, minggu DESC LIMIT 1"
    )).one()
    assert (week.year, week.week) == tuple(newest)
    facts = dict(next(b for b in slides["diare"].blocks if isinstance(b, Facts)).rows)
    assert facts["Cases this week"] == f"{_cases(session, '99.01', week):,}"
    assert f"{_cases(session, '99.01', week):,} cases" in slides["diare"].notes
    maps = [b for s in slides.values() for b in s.blocks if isinstance(b, MapFigure)]
    assert {m.layer["type"] for m in maps} == {"peringatan", "pustu", "kader"}
    active = session.execute(text("SELECT COUNT(*) FROM kader WHERE aktif")).scalar()
    kader = dict(next(b for b in slides["kader"].blocks if isinstance(b, Facts)).rows)
    assert kader["Active kader"] == f"{active:,}"
    pustu = dict(next(b for b in slides["pustu"].blocks if isinstance(b, Facts)).rows)
    villages = session.execute(text(
        "SELECT COUNT(*) FROM wilayah WHERE level = 'desa' AND kode LIKE '99.01.%'")).scalar()
    assert pustu["Villages with an active Pustu"].endswith(f"/ {villages}")


def test_suppression_hides_small_counts(session: Session) -> None:
    week = deck.context(session, ALL, KEC, None, "id").week
    params = {"y": week.year, "w": week.week, "p": KEC + ".%"}
    where = "penyakit = 'diare_akut' AND tahun = :y AND minggu = :w AND kode_desa LIKE :p"
    session.execute(text(f"UPDATE kasus_mingguan SET kasus = 0 WHERE {where}"), params)
    session.execute(text(
        f"UPDATE kasus_mingguan SET kasus = 3 WHERE {where} AND kode_desa = "
        f"(SELECT MIN(kode_desa) FROM kasus_mingguan WHERE {where})"), params)
    shown = {}
    for sup in (Suppression(5), Suppression(None)):
        ctx = deck.context(session, ALL, KEC, week, "id", sup)
        slide = deck.build(ctx, ["diare"])[0]
        facts = dict(next(b for b in slide.blocks if isinstance(b, Facts)).rows)
        chart = next(b for b in slide.blocks if isinstance(b, BarChart))
        shown[sup.threshold] = (facts["Kasus minggu ini"], chart.hover[-1], chart.y[-1],
                                slide.notes)
    session.rollback()
    assert shown[None][:3] == ("3", "3", 3.0) and "3 kasus" in shown[None][3]
    assert shown[5][:2] == ("< 5", "< 5") and math.isnan(shown[5][2])
    assert "< 5 kasus" in shown[5][3] and " 3 kasus" not in shown[5][3]


def test_saved_deck_reorders_and_hides(session: Session) -> None:
    saved = decks.validate([{"id": "kader", "hidden": False}, {"id": "judul", "hidden": False},
                            {"id": "diare", "hidden": True}])
    decks.save_deck(session, ALL, "99.01", saved, user="uji")
    found = decks.load_deck(session, ALL, "99.01")
    assert found.shown()[:2] == ["kader", "judul"] and "diare" not in found.shown()
    # kinds left out of the list join hidden, in their default order
    assert [e.id for e in found.entries][3:] == [k for k in kinds()
                                                 if k not in ("kader", "judul", "diare")]
    ctx = deck.context(session, ALL, "99.01", None, "id")
    assert [s.kind for s in deck.build(ctx, found.shown())] == ["kader", "judul"]
    decks.reset_deck(session, ALL, "99.01")
    assert decks.load_deck(session, ALL, "99.01") == decks.default_deck()


@pytest.mark.parametrize("entries", [[], "judul", [{"id": "nope"}], [{"id": "judul"}] * 2,
                                     [{"id": "judul", "hidden": "ya"}], [{"hidden": False}]])
def test_bad_decks_are_refused(entries: object) -> None:
    with pytest.raises(DeckError) as caught:
        decks.validate(entries)
    assert caught.value.text.id and caught.value.text.en


def test_deck_of_a_region_outside_the_scope_is_refused(session: Session) -> None:
    scoped = Scope.of([KEC])
    with pytest.raises(DeckError):
        decks.save_deck(session, scoped, "99.01.08", decks.default_deck())
    with pytest.raises(DeckError):
        decks.load_deck(session, scoped, "99.01.08")
    assert decks.load_deck(session, scoped, KEC) == decks.default_deck()
    # the kabupaten's saved deck is read (not written) by an officer of one of its kecamatan
    saved = decks.validate([{"id": "kader", "hidden": False}])
    decks.save_deck(session, ALL, "99.01", saved)
    assert decks.load_deck(session, scoped, "99.01").shown() == ["kader"]
    with pytest.raises(DeckError):
        decks.save_deck(session, scoped, "99.01", decks.default_deck())
    decks.reset_deck(session, ALL, "99.01")


def test_minutes_are_checked_saved_and_shown_at_the_next_meeting(session: Session) -> None:
    first = dt.date(2026, 11, 2)
    rows = [{"siapa": "Bidan desa", "apa": "Kunjungan rumah ke 5 keluarga", "kapan": "2026-11-20"},
            {"siapa": "", "apa": "", "kapan": ""}]
    saved = notulen.save(session, ALL, "99.01", first, "2025-W53", rows, user="uji")
    assert saved.actions == rows[:1]
    before = [tuple(r) for r in session.execute(text("SELECT * FROM notulen"))]
    for bad, where in (([{"apa": "", "siapa": "X"}], "Baris 1"),
                       ([rows[0], {"apa": "x", "kapan": "besok"}], "Baris 2"),
                       ([{"apa": "x" * 501}], "Baris 1"), ("teks", "Baris 1")):
        with pytest.raises(DeckError) as caught:
            notulen.save(session, ALL, "99.01", first, None, bad)
        assert caught.value.text.id.startswith(where)
    assert [tuple(r) for r in session.execute(text("SELECT * FROM notulen"))] == before
    with pytest.raises(DeckError):
        notulen.save(session, Scope.of([KEC]), "99.01", first, None, rows)
    ctx = deck.context(session, ALL, "99.01", None, "id", today=dt.date(2026, 12, 7))
    closing = deck.build(ctx, ["penutup"])[0]
    shown = [r for b in closing.blocks if isinstance(b, Table) for r in b.rows]
    assert shown == [("Bidan desa", "Kunjungan rumah ke 5 keluarga", "20 November 2026")]
    notulen.save(session, ALL, "99.01", dt.date(2026, 12, 7), "2025-W53",
                 [{"siapa": "Promkes", "apa": "Pelatihan DL2", "kapan": "2027-01-10"}])
    closing = deck.build(ctx, ["penutup"])[0]
    assert "Promkes: Pelatihan DL2 (2027-01-10)" in closing.notes


def test_every_slide_builds_in_both_languages_without_the_other(session: Session) -> None:
    for lang, other in (("id", "Villages"), ("en", "Desa ")):
        ctx = deck.context(session, ALL, "99.01", None, lang)
        for slide in deck.build(ctx):
            assert slide.title and slide.blocks and slide.notes
            heads = " ".join(" ".join(b.columns) for b in slide.blocks if isinstance(b, Table))
            assert other not in slide.title + " " + heads, (lang, slide.kind)


def test_a_week_without_reports_says_so_instead_of_zeros(session: Session) -> None:
    ctx = deck.context(session, ALL, "99.01", EpiWeek(2030, 1), "en")
    slide = deck.build(ctx, ["diare"])[0]
    assert not any(isinstance(b, Facts) for b in slide.blocks)
    assert "No case report for week 2030-W01" in slide.notes


def test_the_pustu_table_lists_villages_not_served(session: Session) -> None:
    from layers.pustu.classes import CLASS_TEXT

    ctx = deck.context(session, ALL, "99.01", None, "en")
    slide = deck.build(ctx, ["pustu"])[0]
    table = next(b for b in slide.blocks if isinstance(b, Table))
    statuses = {row[1] for row in table.rows}
    assert statuses and CLASS_TEXT["puskesmas"]("en") not in statuses
