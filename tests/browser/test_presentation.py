"""The lokakarya mini presentation in the browser (issue 11, parts 2–4).

The demo district's deck is opened full screen at 1366×768 and stepped through with the
keyboard: every screen is readable (body ≥ 28 px, titles ≥ 44 px, nothing cut off) and
shows its map image (loaded) or its table/figures, with numbers recomputed here from the
store (the week's cases with plain SQL, the alerts, active kader and Pustu coverage with
the layers' own functions). Auto-advance moves on; Esc leaves full screen first, then the
presentation (to the map page of the same region); the minutes typed on the closing slide
are there after a reload (a refused row writes nothing); a click on a kecamatan of a map
slide zooms its image into that kecamatan and back; a slide hidden on the deck page is
skipped; each language shows only its own words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from dashboard import testing
from dashboard.pages.presentasi_slides import MAP_PX
from layers import base
from layers.diarrhoea import service as diarrhoea
from layers.kader import service as kader
from layers.present import deck, notulen
from layers.pustu import service as pustu
from layers.render import locate
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from layers.text import fmt_number
from tests.browser.conftest import DEMO_DIR
from tests.browser.test_language_mix import ONLY_EN, ONLY_ID, _foreign

pytestmark = pytest.mark.browser

KAB, KEC, OTHER = "99.01", "99.01.01", "99.01.02"
CURRENT = "#pres .pres-screen.pres-current"
#: the first open builds the deck (the scan's kernels load); later ones are quicker
OPEN_MS = 120_000


@dataclass
class PresApp:
    url: str
    engine: Engine


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PresApp]:
    """An app of its own on a copy of the demo store (the tests write minutes and decks)."""
    url = testing.loaded_database(DEMO_DIR, tmp_path_factory.mktemp("pres") / "pws.sqlite")
    engine = store_engine.make_engine(url)
    with Session(engine) as session:  # compile the scan once, outside any page timeout
        deck.build(deck.context(session, Scope.everything(), KAB, None, "id"), ["diare"])
    with testing.serve(url) as base_url:
        yield PresApp(base_url, engine)
    engine.dispose()


def open_deck(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(CURRENT, timeout=OPEN_MS)


def counter(page: Page) -> str:
    return page.inner_text("#pres-counter")


def facts(page: Page) -> dict[str, str]:
    """The label → value pairs of the screen shown."""
    return page.evaluate(f"""() => Object.fromEntries([...document.querySelectorAll(
        '{CURRENT} dt')].map(d => [d.textContent, d.nextElementSibling.textContent]))""")


def screen_info(page: Page) -> dict:
    return page.evaluate(f"""() => {{
        const c = document.querySelector('{CURRENT}'), b = c.querySelector('.pres-body');
        const px = el => parseFloat(getComputedStyle(el).fontSize);
        const body = [...c.querySelectorAll('.pres-body td, .pres-body dt, .pres-legend span,'
            + ' .pres-body p:not(.pres-chrome-item), .pres-body input')];
        return {{kind: c.dataset.kind, slide: +c.dataset.slide, screen: +c.dataset.screen,
                 title: px(c.querySelector('.pres-title')),
                 smallest: Math.min(...body.filter(e => e.offsetParent).map(px), 99),
                 overflow: b.scrollHeight - b.clientHeight,
                 maps: c.querySelectorAll('img.pres-map').length,
                 tables: c.querySelectorAll('table').length,
                 figures: c.querySelectorAll('dl, .js-plotly-plot, .pres-notes').length}};
    }}""")


def wait_maps_loaded(page: Page) -> None:
    page.wait_for_function(f"""() => [...document.querySelectorAll('{CURRENT} img.pres-map')]
        .every(i => i.complete && i.naturalWidth > 0)""", timeout=60_000)


def expected_numbers(engine: Engine) -> dict[str, str]:
    """The numbers the slides must show, recomputed from the store."""
    scope = Scope.everything().narrow(KAB)
    with Session(engine) as session:
        week = diarrhoea.latest_week(session, scope)
        cases = session.execute(text(
            "SELECT SUM(kasus) FROM kasus_mingguan WHERE penyakit = 'diare_akut' "
            "AND tahun = :y AND minggu = :w"), {"y": week.year, "w": week.week}).scalar_one()
        alerts = diarrhoea.alerts_for(session, scope, week)
        active = session.execute(text(
            "SELECT COUNT(*) FROM kader WHERE aktif")).scalar_one()
        gaps = kader.gaps_for(session, scope)
        total = pustu.gaps_for(session, scope).total()
        names = queries.village_table(session, scope).set_index("kode")["nama"]
    assert int(gaps.villages["kader_aktif"].sum()) == active  # the same count both ways
    alert_names = {names[k] for k in alerts.kode_desa[alerts.alert]}
    assert cases > 0 and alert_names and active > 0
    return {"week": str(week), "cases": fmt_number(cases, "id"),
            "alerts": fmt_number(int(alerts.alert.sum()), "id"),
            "active": fmt_number(active, "id"),
            "alert_names": "|".join(re.escape(n) for n in sorted(alert_names)),
            "pustu": f"{fmt_number(total['dengan_pustu'], 'id')} / "
                     f"{fmt_number(total['desa'], 'id')}"}  # fmt: skip


# --------------------------------------------------------------------------- tests


def test_every_slide_by_keyboard_shows_live_numbers(page: Page, app: PresApp) -> None:
    want = expected_numbers(app.engine)
    open_deck(page, f"{app.url}/presentasi?wilayah={KAB}&lang=id")
    n = page.locator("#pres .pres-screen").count()
    slides = page.locator("#pres .pres-slide").count()
    assert slides == len(deck.KINDS) and n >= slides
    keys = ["ArrowRight", "PageDown", " ", "ArrowDown"]
    seen: dict[str, list] = {}
    for k in range(n):
        # a chart drawn while hidden takes its size on the resize the page sends
        page.wait_for_function(f"""() => {{
            const b = document.querySelector('{CURRENT} .pres-body');
            return b.scrollHeight - b.clientHeight <= 2; }}""", timeout=3_000)
        info = screen_info(page)
        assert counter(page) == f"{info['slide'] + 1} / {slides}"
        assert info["title"] >= 44 and info["smallest"] >= 28, info
        assert info["overflow"] <= 2, f"screen {k} ({info['kind']}) is cut off: {info}"
        if info["maps"]:
            wait_maps_loaded(page)
            src = page.locator(f"{CURRENT} img.pres-map").get_attribute("src")
            assert src.startswith("/peta.png?") and f"region={KAB}" in src
        else:
            assert info["tables"] or info["figures"], f"screen {k} shows nothing: {info}"
        seen.setdefault(info["kind"], []).append((facts(page), page.inner_text(CURRENT)))
        page.keyboard.press(keys[k % len(keys)])
    assert list(seen) == [k.id for k in deck.ordered()]
    assert screen_info(page)["kind"] == "penutup"  # the last screen: next does nothing more

    def fact(kind: str, label: str) -> str:
        return next(f[label] for f, _ in seen[kind] if label in f)

    assert want["week"] in fact("judul", "Periode")
    assert fact("diare", "Kasus minggu ini") == want["cases"]
    assert fact("diare", "Desa dengan peringatan") == want["alerts"]
    assert fact("kader", "Kader aktif") == want["active"]
    assert fact("pustu", "Desa dengan Pustu aktif") == want["pustu"]
    follow_up = " ".join(t for _, t in seen["tindak_lanjut"])
    assert re.search(want["alert_names"], follow_up), "no alert village among the follow-ups"
    assert "peringatan diare" in follow_up
    # back and forth: Home, End, PageUp, ←
    page.keyboard.press("Home")
    expect(page.locator("#pres-counter")).to_have_text(f"1 / {slides}")
    page.keyboard.press("End")
    expect(page.locator("#pres-counter")).to_have_text(f"{slides} / {slides}")
    page.keyboard.press("PageUp")
    page.keyboard.press("ArrowLeft")
    assert screen_info(page)["slide"] < slides - 1


def test_auto_advance_moves_on(page: Page, app: PresApp) -> None:
    open_deck(page, f"{app.url}/presentasi?wilayah={KAB}&lang=id")
    expect(page.locator("#pres-chrome")).to_be_visible()  # on the title slide
    page.select_option("#pres-auto", "10")
    expect(page.locator("#pres-auto-on")).to_have_text("▶ 10 s")
    expect(page.locator("#pres-counter")).to_have_text(re.compile(r"^2 / "), timeout=14_000)
    # while presenting the menu is hidden until the mouse moves
    page.wait_for_function("() => getComputedStyle(document.getElementById('pres-chrome'))"
                           ".opacity === '0'", timeout=5_000)  # fmt: skip
    page.mouse.move(300, 300)
    page.wait_for_function("() => getComputedStyle(document.getElementById('pres-chrome'))"
                           ".opacity === '1'", timeout=5_000)  # fmt: skip


def test_escape_leaves_full_screen_then_to_the_map(page: Page, app: PresApp) -> None:
    open_deck(page, f"{app.url}/presentasi?wilayah={KEC}&lang=id")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("f")
    page.wait_for_function("() => !!document.fullscreenElement", timeout=5_000)
    page.keyboard.press("Escape")  # ends full screen only
    page.wait_for_function("() => !document.fullscreenElement", timeout=5_000)
    page.wait_for_timeout(800)
    assert "/presentasi" in page.url
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(rf"/\?lang=id&kec={re.escape(KEC)}$"), timeout=20_000)
    expect(page.locator("#map")).to_be_visible(timeout=60_000)


def test_minutes_typed_on_the_closing_slide_stay_after_a_reload(page: Page,
                                                                app: PresApp) -> None:  # fmt: skip
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with Session(app.engine) as session:
        notulen.save(session, Scope.everything(), KAB, yesterday, None,
                     [{"siapa": "Camat", "apa": "Rapat lintas sektor air bersih",
                       "kapan": "2026-01-05"}])  # fmt: skip
    open_deck(page, f"{app.url}/presentasi?wilayah={KAB}&lang=id")
    page.keyboard.press("End")
    expect(page.locator(CURRENT)).to_have_attribute("data-kind", "penutup")
    shown = page.locator(CURRENT)
    expect(shown).to_contain_text("Kesepakatan pertemuan sebelumnya")
    expect(shown.locator("table")).to_contain_text("Rapat lintas sektor air bersih")
    who = page.locator("#notes-rows input[type=text]").nth(0)
    what = page.locator("#notes-rows textarea").nth(0)
    when = page.locator("#notes-rows input[type=date]").nth(0)
    who.fill("Bidan Sari")
    what.fill("Kunjungan rumah ke balita diare di Sukawetan")
    when.fill("2026-01-20")
    # Esc in an input leaves the input; the next Esc warns about unsaved minutes
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(page.locator("#pres-warning")).to_be_visible()
    assert "/presentasi" in page.url
    page.click("#notes-add")
    expect(page.locator("#notes-rows .pres-notes-row")).to_have_count(4)
    expect(who).to_have_value("Bidan Sari")
    page.click("#notes-save")
    expect(page.locator("#notes-done")).to_contain_text("1 tindakan")
    expect(page.locator("#pres-warning")).to_be_hidden()
    # a row without "what" is refused with the reason, and nothing is written
    page.locator("#notes-rows .pres-notes-row").nth(1).locator("input").first.fill("Kader")
    page.click("#notes-save")
    expect(page.locator("#notes-refused")).to_have_text("Baris 2: 'apa' tidak boleh kosong.")
    with Session(app.engine) as session:
        saved = notulen.on(session, Scope.everything(), KAB, dt.date.today())
    assert saved is not None and [a["siapa"] for a in saved.actions] == ["Bidan Sari"]

    page.reload()
    page.wait_for_selector(CURRENT, timeout=OPEN_MS)
    expect(page.locator(CURRENT)).to_have_attribute("data-kind", "penutup")  # the hash kept it
    expect(page.locator("#notes-rows input[type=text]").nth(0)).to_have_value("Bidan Sari")
    expect(page.locator("#notes-rows textarea").nth(0)).to_have_value(
        "Kunjungan rumah ke balita diare di Sukawetan")
    expect(page.locator("#notes-rows input[type=date]").nth(0)).to_have_value("2026-01-20")


def test_a_click_on_a_kecamatan_zooms_into_it(page: Page, app: PresApp) -> None:
    with Session(app.engine) as session:
        scope = Scope.everything().narrow(KAB)
        week = diarrhoea.latest_week(session, scope)
        point = queries.regions(session, scope, "kec").set_index("kode").geometry[
            OTHER].representative_point()  # fmt: skip
        figure = locate.figure_for(session, scope, base.from_config({"type": "peringatan"}),
                                   week, "id", width_px=MAP_PX[0], height_px=MAP_PX[1])
        name = queries.region(session, scope, OTHER)["nama"]
    col, row = figure.to_pixel(point.x, point.y)[0]
    open_deck(page, f"{app.url}/presentasi?wilayah={KAB}&lang=id#2")
    expect(page.locator(CURRENT)).to_have_attribute("data-kind", "diare")
    wait_maps_loaded(page)
    img = page.locator(f"{CURRENT} img.pres-map")
    before = img.get_attribute("src")
    box = img.bounding_box()
    page.mouse.click(box["x"] + col / MAP_PX[0] * box["width"],
                     box["y"] + row / MAP_PX[1] * box["height"])
    expect(img).to_have_attribute("src", re.compile(rf"region={re.escape(OTHER)}&"))
    wait_maps_loaded(page)
    expect(page.locator(f"{CURRENT} .pres-caption")).to_contain_text(name)
    back = page.locator(f"{CURRENT} .pres-back")
    expect(back).to_be_visible()
    back.click()
    expect(img).to_have_attribute("src", before)
    expect(back).to_be_hidden()


def test_a_slide_hidden_on_the_deck_page_is_skipped(page: Page, app: PresApp) -> None:
    page.goto(f"{app.url}/presentasi/dek?wilayah={OTHER}&lang=id")
    page.wait_for_selector(".dek-row", timeout=60_000)
    page.locator(".dek-row[data-kind=kader] input[type=checkbox]").uncheck()
    up = page.locator(".dek-row[data-kind=tindak_lanjut] button[title=Naikkan]")
    for position in (3, 2):  # up twice: above kader, then above pustu
        up.click()
        expect(page.locator(".dek-row").nth(position)).to_have_attribute("data-kind",
                                                                         "tindak_lanjut")
    # the unticked slide stays unticked when the rows are redrawn
    expect(page.locator(".dek-row[data-kind=kader] input[type=checkbox]")).not_to_be_checked()
    order = ["judul", "diare", "tindak_lanjut", "pustu", "kader", "penutup"]
    page.click("#dek-save")
    expect(page.locator("#dek-done")).to_have_text(
        "Daftar slide disimpan: 5 dari 6 slide ditampilkan.")
    page.click("#dek-start")
    page.wait_for_selector(CURRENT, timeout=OPEN_MS)
    kinds = page.eval_on_selector_all("#pres .pres-slide", "els => els.map(e => e.dataset.kind)")
    assert kinds == [k for k in order if k != "kader"]
    expect(page.locator("#pres-counter")).to_have_text("1 / 5")
    page.keyboard.press("End")
    expect(page.locator("#pres-counter")).to_have_text("5 / 5")
    # the kabupaten's own deck is untouched
    open_deck(page, f"{app.url}/presentasi?wilayah={KAB}&lang=id")
    assert page.locator("#pres .pres-slide[data-kind=kader]").count() == 1


def _all_text(page: Page) -> str:
    """Every word of the presentation, shown or not yet: text, alt, titles, placeholders."""
    return " ".join([
        page.evaluate("() => document.getElementById('pres').textContent"),
        *page.eval_on_selector_all("#pres [alt], #pres [title], #pres [placeholder]",
                                   "els => els.map(e => [e.alt, e.title, e.placeholder]"
                                   ".filter(Boolean).join(' '))"),
    ])  # fmt: skip


@pytest.mark.parametrize(("lang", "foreign", "own"), [("en", ONLY_ID, ONLY_EN),
                                                       ("id", ONLY_EN, ONLY_ID)])
def test_each_language_shows_only_its_own_words(page: Page, app: PresApp, lang: str,
                                                foreign: tuple, own: tuple) -> None:  # fmt: skip
    open_deck(page, f"{app.url}/presentasi?wilayah={KAB}&lang={lang}")
    words = _all_text(page)
    assert len(_foreign(words, own)) >= 5, "the scan read almost nothing"
    assert _foreign(words, foreign) == [], words[:3000]
    page.goto(f"{app.url}/presentasi/dek?wilayah={KAB}&lang={lang}")
    page.wait_for_selector(".dek-row", timeout=60_000)
    deck_words = page.inner_text("#page") + " " + " ".join(page.eval_on_selector_all(
        "#page [title]", "els => els.map(e => e.title)"))
    assert _foreign(deck_words, foreign) == [], deck_words[:3000]


def test_an_export_runs_in_the_background_with_a_progress_bar(page: Page, app: PresApp) -> None:
    from pypdf import PdfReader

    with Session(app.engine) as session:
        n_kec = len(queries.region_names(session, Scope.everything().narrow(KAB), "kec"))
    page.goto(f"{app.url}/presentasi/dek?wilayah={KAB}&lang=id")
    page.wait_for_selector("#export-a4", timeout=60_000)
    expect(page.locator("#export-suppress input")).to_be_checked()  # on by default
    expect(page.locator("#export-section")).to_contain_text("Sembunyikan angka kecil (< 5)")
    page.evaluate("""() => { window.__shown = 0;
        const wrap = document.getElementById('export-progress-wrap');
        new MutationObserver(() => { if (wrap.style.display !== 'none') window.__shown++; })
          .observe(wrap, {attributes: true, attributeFilter: ['style']}); }""")
    with page.expect_download(timeout=300_000) as download:
        page.click("#export-a4")
    assert page.evaluate("window.__shown") > 0, "the progress bar was never shown"
    got = download.value
    assert got.suggested_filename == f"ringkasan-kecamatan_{KAB}_2025-W53.pdf"
    reader = PdfReader(got.path())
    assert len(reader.pages) == n_kec
    expect(page.locator("#export-ready")).to_contain_text(got.suggested_filename)
    expect(page.locator("#export-progress-wrap")).to_be_hidden()
