"""The deck as PPTX: opens with python-pptx, one slide per shown deck entry with its title,
the maps as pictures placed at their size, tables holding the store's numbers (recomputed
with plain SQL), speaker notes, small counts suppressed, both languages."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.presentation import Presentation as Deck
from pptx.util import Emu
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from layers.present import decks, export_job
from layers.scope import Scope
from tests.present import referee as ref

ALL = Scope.everything()
TODAY = dt.date(2026, 12, 1)
#: the saved deck of the tests: Pustu hidden, kader before diarrhoea
SAVED = [{"id": "judul", "hidden": False}, {"id": "kader", "hidden": False},
         {"id": "diare", "hidden": False}, {"id": "pustu", "hidden": True},
         {"id": "tindak_lanjut", "hidden": False}, {"id": "penutup", "hidden": False}]
SHOWN = [e["id"] for e in SAVED if not e["hidden"]]


def _pptx(engine: Engine, region: str, lang: str, threshold: int | None = 5) -> Deck:
    data, name, mime = export_job.export(sessionmaker(engine), ALL, region, None, "pptx", lang,
                                         threshold, today=TODAY)  # fmt: skip
    assert name.endswith(".pptx") and mime.endswith("presentationml.presentation")
    return Presentation(io.BytesIO(data))


@pytest.fixture(scope="module")
def saved(store: Engine) -> Engine:
    with Session(store) as s:
        decks.save_deck(s, ALL, ref.REGION, decks.validate(SAVED), user="uji")
    return store


@pytest.fixture(scope="module")
def exported(saved: Engine) -> dict[str, Deck]:
    progress: list[tuple[int, int]] = []
    data, _, _ = export_job.export(sessionmaker(saved), ALL, ref.REGION, None, "pptx", "id",
                                   progress=lambda d, n: progress.append((d, n)), today=TODAY)
    assert progress[-1] == (2 * len(SHOWN), 2 * len(SHOWN))
    assert [d for d, _ in progress] == list(range(1, 2 * len(SHOWN) + 1))
    return {"id": Presentation(io.BytesIO(data)), "en": _pptx(saved, ref.REGION, "en")}


def _tables(slide: object) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in shape.table.rows]
            for shape in slide.shapes if shape.has_table]  # type: ignore[attr-defined]


def _facts(slide: object) -> dict[str, str]:
    return {r[0]: r[1] for t in _tables(slide) for r in t if len(r) == 2}


def _by_kind(deck: Deck) -> dict[str, object]:
    return dict(zip(SHOWN, deck.slides, strict=True))


def test_one_slide_per_shown_entry_with_its_title(exported: dict[str, Deck]) -> None:
    deck = exported["id"]
    assert deck.slide_width == Emu(int(13.333 * 914400)) and deck.slide_height == 6858000
    titles = [s.shapes.title.text for s in deck.slides]
    assert len(titles) == len(SHOWN)  # the hidden Pustu slide is left out
    assert titles[0] == "Lokakarya mini — Kabupaten Contoh (fiktif)"
    assert titles[1:] == ["Kader: strata dan celah keterampilan", "Diare akut minggu ini",
                          "Desa yang perlu ditindaklanjuti", "Rencana tindak lanjut"]
    assert "Desa tanpa Pustu" not in titles


def test_maps_are_pictures_placed_at_their_size(exported: dict[str, Deck]) -> None:
    slides = _by_kind(exported["id"])
    for kind, slide in slides.items():
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == (1 if kind in ("kader", "diare") else 0), kind
        for pic in pictures:
            image = Image.open(io.BytesIO(pic.image.blob))
            assert image.format == "PNG" and image.width >= 1000
            # placed at 200 px per inch (not python-pptx's 72-dpi guess), not stretched
            assert abs(pic.width / 914400 * 200 - image.width) < 3
            assert abs(image.width / image.height - pic.width / pic.height) < 0.01


def test_tables_hold_the_stores_numbers(exported: dict[str, Deck], saved: Engine) -> None:
    slides = _by_kind(exported["id"])
    diare = _facts(slides["diare"])
    assert diare["Kasus minggu ini"] == ref.id_number(ref.cases(saved, ref.REGION))
    kader = _facts(slides["kader"])
    assert kader["Kader aktif"] == ref.id_number(ref.active_kader(saved, ref.REGION))
    mix = ref.level_mix(saved, ref.REGION, TODAY)
    assert kader["Strata"] == ", ".join(f"{k} {ref.id_number(n)}" for k, n in mix.items())
    head = _tables(slides["kader"])[-1][0]
    assert head == ["Keterampilan", "Desa tanpa", "Posyandu tanpa", "Sasaran"]
    # header bold, body not
    table = next(s for s in slides["kader"].shapes if s.has_table and len(s.table.columns) == 4)
    assert table.table.cell(0, 0).text_frame.paragraphs[0].runs[0].font.bold
    assert not table.table.cell(1, 0).text_frame.paragraphs[0].runs[0].font.bold


def test_chart_is_native_with_the_weekly_totals(exported: dict[str, Deck], saved: Engine) -> None:
    slide = _by_kind(exported["id"])["diare"]
    chart = next(s for s in slide.shapes if s.has_chart).chart
    values = list(chart.plots[0].series[0].values)
    assert values[-1] == ref.cases(saved, ref.REGION) and len(values) == 8
    assert list(chart.plots[0].categories)[-1] == ref.week_text(saved)


def test_speaker_notes_hold_the_numbers(exported: dict[str, Deck], saved: Engine) -> None:
    slides = _by_kind(exported["id"])
    for kind, slide in slides.items():
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text, kind
    notes = slides["diare"].notes_slide.notes_text_frame.text
    assert f"{ref.id_number(ref.cases(saved, ref.REGION))} kasus" in notes
    assert ref.id_number(ref.active_kader(saved, ref.REGION)) in (
        slides["kader"].notes_slide.notes_text_frame.text)


def test_english_export_has_no_indonesian_title(exported: dict[str, Deck]) -> None:
    indonesian = {s.shapes.title.text for s in exported["id"].slides}
    english = [s.shapes.title.text for s in exported["en"].slides]
    assert len(english) == len(SHOWN) and not indonesian & set(english)
    assert english[1] == "Kader: levels and skill gaps"
    heads = {c for s in exported["en"].slides for t in _tables(s) for c in t[0]}
    assert "Desa" not in heads and "Village" in heads
    assert _facts(exported["en"].slides[2])["Cases this week"]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine, _ = ref.small_count_store(tmp_path_factory.mktemp("small"))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("threshold", [5, None])
def test_small_counts_are_suppressed(small: Engine, threshold: int | None) -> None:
    deck = _pptx(small, ref.KEC, "id", threshold)
    diare = next(s for s in deck.slides if s.shapes.title.text == "Diare akut minggu ini")
    cell = _facts(diare)["Kasus minggu ini"]
    chart = next(s for s in diare.shapes if s.has_chart).chart
    last = list(chart.plots[0].series[0].values)[-1]
    category = list(chart.plots[0].categories)[-1]
    notes = diare.notes_slide.notes_text_frame.text
    if threshold is None:
        assert (cell, last, category) == ("3", 3.0, ref.week_text(small))
        assert "3 kasus" in notes
    else:
        assert cell == "< 5" and last is None and "< 5" in category
        assert "< 5 kasus" in notes and not re.search(r"\b3 kasus", notes)
        # the number is nowhere in the chart's data either
        xml = next(s for s in diare.shapes if s.has_chart).chart.part.blob.decode()
        assert "<c:v>3.0</c:v>" not in xml and "<c:v>3</c:v>" not in xml


def test_pptx_file_name(store: Engine) -> None:
    _, name, _ = export_job.export(sessionmaker(store), ALL, "99.01.07", "2025-W50", "pptx",
                                   "en", today=TODAY)  # fmt: skip
    assert name == "lokakarya-mini_99.01.07_2025-W50.pptx"
    assert Path(name).suffix == ".pptx"


def test_a_long_table_is_shortened_with_a_count(tmp_path: Path) -> None:
    """Forty agreed actions do not fit a slide: the table keeps what fits whole and says how
    many rows are left out; the speaker notes keep every action."""
    from layers.present import notulen
    from tests.ingest.helpers import demo_engine

    engine = demo_engine(tmp_path)
    actions = [{"siapa": f"Bidan desa {i}", "apa": f"Kunjungan rumah ke keluarga {i}",
                "kapan": "2026-12-20"} for i in range(1, 41)]  # fmt: skip
    with Session(engine) as s:
        notulen.save(s, ALL, ref.KEC, TODAY, None, actions)
    deck = _pptx(engine, ref.KEC, "id")
    engine.dispose()
    closing = deck.slides[-1]
    table = _tables(closing)[-1]
    assert table[0] == ["Siapa", "Apa", "Kapan"]
    kept = len(table) - 2  # the header and the count row
    assert 2 <= kept < 40 and table[-1][0] == f"… dan {40 - kept} baris lainnya"
    assert table[1] == ["Bidan desa 1", "Kunjungan rumah ke keluarga 1", "20 Desember 2026"]
    shape = next(s for s in closing.shapes if s.has_table)
    assert shape.top + shape.height <= deck.slide_height
    notes = closing.notes_slide.notes_text_frame.text
    assert "Bidan desa 40: Kunjungan rumah ke keluarga 40" in notes


def test_a_chart_with_a_line_is_an_image(session: Session) -> None:
    """Bars and a line cannot be one native python-pptx chart: such a chart is placed as a
    picture of the PDF's drawing; bars alone stay a native chart."""
    import math

    from layers.panel import BarChart, Line
    from layers.present import deck
    from layers.present.deck import Slide
    from layers.present.pptx_export import deck_pptx

    ctx = deck.context(session, ALL, ref.KEC, None, "en")
    x = ("2025-W51", "2025-W52", "2025-W53")
    bars = BarChart(x, (4.0, math.nan, 9.0), "Cases", "Cases", ("4", "< 5", "9"), 2)
    with_line = BarChart(x, (4.0, 6.0, 9.0), "Cases", "Cases", line=Line(x, (5.0, 5.0, 7.0),
                                                                         "Threshold"))
    slides = [Slide("test", "Bars", blocks=[bars]), Slide("test", "Line", blocks=[with_line])]
    out = Presentation(io.BytesIO(deck_pptx(ctx, slides)))
    first, second = out.slides
    chart = next(s for s in first.shapes if s.has_chart).chart
    assert list(chart.plots[0].series[0].values) == [4.0, None, 9.0]
    assert list(chart.plots[0].categories)[1] == "2025-W52 (< 5)"
    assert not any(s.has_chart for s in second.shapes)
    picture = next(s for s in second.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
    assert Image.open(io.BytesIO(picture.image.blob)).format == "PNG"
