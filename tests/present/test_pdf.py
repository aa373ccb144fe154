"""The deck as PDF (a page per shown slide) and the A4 summary (a page per kecamatan): page
counts, and text (read back with pypdf) holding the store's numbers recomputed with plain
SQL; small counts suppressed in both; both languages."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from layers.present import decks, export_job
from layers.scope import Scope
from tests.present import referee as ref

ALL = Scope.everything()
TODAY = dt.date(2026, 12, 1)
SAVED = [{"id": "judul", "hidden": False}, {"id": "diare", "hidden": False},
         {"id": "pustu", "hidden": False}, {"id": "kader", "hidden": False},
         {"id": "tindak_lanjut", "hidden": True}, {"id": "penutup", "hidden": True}]
SHOWN = [e["id"] for e in SAVED if not e["hidden"]]
A4_W, A4_H = 595.44, 841.68  # points (8.27 × 11.69 in)


def _pdf(engine: Engine, region: str, fmt: str, lang: str = "id",
         threshold: int | None = 5) -> PdfReader:  # fmt: skip
    data, name, mime = export_job.export(sessionmaker(engine), ALL, region, None, fmt, lang,
                                         threshold, today=TODAY)  # fmt: skip
    assert mime == "application/pdf" and name.endswith(".pdf") and data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data))


def _text(page: object) -> str:
    """A page's text with runs of whitespace as one space."""
    return " ".join(page.extract_text().split())  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def saved(store: Engine) -> Engine:
    with Session(store) as s:
        decks.save_deck(s, ALL, ref.REGION, decks.validate(SAVED), user="uji")
    return store


@pytest.fixture(scope="module")
def deck_pdf(saved: Engine) -> dict[str, PdfReader]:
    return {lang: _pdf(saved, ref.REGION, "pdf", lang) for lang in ("id", "en")}


@pytest.fixture(scope="module")
def a4(saved: Engine) -> PdfReader:
    pages: list[tuple[int, int]] = []
    data, name, _ = export_job.export(sessionmaker(saved), ALL, ref.REGION, None, "a4", "id",
                                      progress=lambda d, n: pages.append((d, n)), today=TODAY)
    assert name == f"ringkasan-kecamatan_{ref.REGION}_{ref.week_text(saved)}.pdf"
    n = len(ref.kecamatan(saved, ref.REGION))
    assert pages == [(i, n) for i in range(1, n + 1)]
    return PdfReader(io.BytesIO(data))


def test_one_landscape_page_per_shown_slide(deck_pdf: dict[str, PdfReader]) -> None:
    pages = deck_pdf["id"].pages
    assert len(pages) == len(SHOWN)  # the hidden follow-up and closing slides left out
    for page in pages:
        assert page.mediabox.width > page.mediabox.height
    texts = [_text(p) for p in pages]
    for text, title in zip(texts, ["Lokakarya mini — Kabupaten Contoh (fiktif)",
                                   "Diare akut minggu ini", "Desa tanpa Pustu",
                                   "Kader: strata dan celah keterampilan"], strict=True):
        assert title in text
    assert not any("Desa yang perlu ditindaklanjuti" in t for t in texts)
    assert f"Halaman 4 dari {len(SHOWN)}" in texts[-1]


def test_pages_hold_the_stores_numbers(deck_pdf: dict[str, PdfReader], saved: Engine) -> None:
    texts = {k: _text(p) for k, p in zip(SHOWN, deck_pdf["id"].pages, strict=True)}
    total = ref.id_number(ref.cases(saved, ref.REGION))
    assert f"Kasus minggu ini {total}" in texts["diare"]
    assert f"Kader aktif {ref.id_number(ref.active_kader(saved, ref.REGION))}" in texts["kader"]
    mix = ref.level_mix(saved, ref.REGION, TODAY)
    for name, n in mix.items():
        assert f"{name} {ref.id_number(n)}" in texts["kader"], name
    villages = ref.villages(saved, ref.REGION)
    assert re.search(rf"Desa dengan Pustu aktif \d+ / {villages}\b", texts["pustu"])
    assert "Jumlah kasus 1–4 ditulis < 5" in texts["judul"]


def test_english_pdf_has_no_indonesian_title(deck_pdf: dict[str, PdfReader]) -> None:
    english = [_text(p) for p in deck_pdf["en"].pages]
    for title in ("Diare akut minggu ini", "Desa tanpa Pustu", "Kader: strata dan celah",
                  "Halaman", "Kasus minggu ini"):
        assert not any(title in t for t in english), title
    assert "Acute diarrhoea this week" in english[1] and "Page 2 of 4" in english[1]


def test_a4_is_a_portrait_page_per_kecamatan(a4: PdfReader, saved: Engine) -> None:
    found = ref.kecamatan(saved, ref.REGION)
    assert len(a4.pages) == len(found)
    for page, (kode, name) in zip(a4.pages, found, strict=True):
        box = page.mediabox
        assert abs(box.width - A4_W) < 1 and abs(box.height - A4_H) < 1
        text = _text(page)
        assert f"Ringkasan kecamatan — {name}" in text
        assert f"Kasus minggu ini {ref.id_number(ref.cases(saved, kode))}" in text, kode
        assert f"Desa {ref.villages(saved, kode)} " in text, kode
        assert f"Kader aktif {ref.id_number(ref.active_kader(saved, kode))}" in text, kode
        for part in ("Desa dengan peringatan", "Sinyal KLB untuk diverifikasi",
                     "Desa dengan Pustu aktif", "Strata", "Desa yang perlu ditindaklanjuti"):
            assert part in text, (kode, part)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine, _ = ref.small_count_store(tmp_path_factory.mktemp("small"))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("fmt", ["pdf", "a4"])
def test_small_counts_are_suppressed(small: Engine, fmt: str) -> None:
    pages = {t: [_text(p) for p in _pdf(small, ref.KEC, fmt, "id", t).pages] for t in (5, None)}
    shown = {t: " ".join(texts) for t, texts in pages.items()}
    assert re.search(r"Kasus minggu ini < 5", shown[5])
    assert not re.search(r"Kasus minggu ini 3\b", shown[5])
    assert re.search(r"Kasus minggu ini 3\b", shown[None])
    assert "< 5" not in shown[None].replace("p < 0,05", "")
    if fmt == "pdf":  # the footer, the fact, and the chart's last bar, left out and labelled
        diare = next(t for t in pages[5] if "Diare akut minggu ini" in t)
        assert diare.count("< 5") == 3


def test_spawned_export_for_forked_jobs(store: Engine) -> None:
    """The export in a spawned child (a job forked from the web server): the same file,
    the progress passed back, a region outside the scope refused as a DeckError."""
    from layers.present.deck import DeckError

    seen: list[tuple[int, int]] = []
    data, name, mime = export_job.export_spawned(store, ALL, ref.KEC, "2025-W50", "a4", "en",
                                                 progress=lambda d, n: seen.append((d, n)))
    assert (name, mime, seen) == ("kecamatan-summary_99.01.07_2025-W50.pdf", "application/pdf",
                                  [(1, 1)])  # fmt: skip
    text = _text(PdfReader(io.BytesIO(data)).pages[0])
    assert f"Cases this week {ref.cases(store, ref.KEC, (2025, 50))}" in text
    with pytest.raises(DeckError) as refused:
        export_job.export_spawned(store, Scope.of([ref.KEC]), "99.01.08", None, "pdf", "id")
    assert "99.01.08" in refused.value.text.id and "scope" in refused.value.text.en
