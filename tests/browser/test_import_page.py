"""The import page in a real browser: bad file -> report; good file -> import -> map -> undo.

Uses its own app on a fresh copy of the demo database, since it changes data. The import
runs as a Dash background callback (a child process), so this also checks that the job
finds the app's database without anything but a ticket token from the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from dashboard import testing
from layers.ingest.readers import MAX_MB
from layers.store import engine as store_engine
from tests.browser.conftest import DEMO_DIR
from tests.browser.mapdriver import VILLAGE_PATHS, choose, fill_colors, open_map

pytestmark = pytest.mark.browser

UPLOAD_INPUT = "#impor-upload input[type=file]"
CASES_TITLE = "Kasus mingguan (SKDR)"
HEADER = "kode_desa,penyakit,tahun,minggu,kasus,kematian\n"


@dataclass
class ImportApp:
    url: str
    database_url: str
    villages: int
    latest: tuple[int, int]
    #: villages with no cases in the latest week: {kode: (cases, deaths)}
    quiet: list[str]


def _scalar(database_url: str, sql: str, **params: object) -> object:
    engine = store_engine.make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()
    finally:
        engine.dispose()


def _state(database_url: str) -> tuple:
    """What must not change when a file is rejected."""
    return (
        _scalar(database_url, "SELECT count(*) FROM kasus_mingguan"),
        _scalar(database_url, "SELECT sum(kasus) FROM kasus_mingguan"),
        _scalar(database_url, "SELECT count(*) FROM impor_log"),
    )


@pytest.fixture(scope="module")
def import_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImportApp]:
    url = testing.loaded_database(DEMO_DIR, tmp_path_factory.mktemp("impor") / "pws.sqlite")
    engine = store_engine.make_engine(url)
    with engine.connect() as conn:
        villages = conn.execute(
            text("SELECT count(*) FROM wilayah WHERE level = 'desa'")).scalar()
        year, week = conn.execute(text(
            "SELECT tahun, minggu FROM kasus_mingguan WHERE penyakit = 'diare_akut' "
            "ORDER BY tahun DESC, minggu DESC LIMIT 1")).one()  # fmt: skip
        quiet = conn.execute(text(
            "SELECT kode_desa FROM kasus_mingguan WHERE penyakit = 'diare_akut' "
            "AND tahun = :y AND minggu = :w AND kasus = 0 ORDER BY kode_desa LIMIT 4"),
            {"y": year, "w": week}).scalars().all()  # fmt: skip
    engine.dispose()
    assert len(quiet) == 4
    with testing.serve(url) as base:
        yield ImportApp(base, url, villages, (year, week), list(quiet))


def _upload(page: Page, name: str, body: str) -> None:
    page.set_input_files(UPLOAD_INPUT, files=[
        {"name": name, "mimeType": "text/csv", "buffer": body.encode("utf-8")}])
    expect(page.locator("#impor-preview")).to_contain_text(name)
    expect(page.locator("#impor-check")).to_be_enabled()


def _expect_cases_kind(page: Page) -> None:
    """The page opens on weekly cases (the safe kind), saying its formats and the limit."""
    expect(page.locator("#impor-upload")).to_be_visible()
    expect(page.locator("#impor-jenis")).to_contain_text(CASES_TITLE)
    expect(page.locator("#impor-upload-hint")).to_have_text(
        f"Format: .csv, .xlsx; paling besar {MAX_MB} MB.")
    page.wait_for_load_state("networkidle")


def _open_import_page(page: Page, url: str) -> None:
    page.goto(f"{url}/impor")
    _expect_cases_kind(page)


def test_bad_file_gets_a_report_and_nothing_is_written(page: Page, import_app) -> None:
    before = _state(import_app.database_url)
    year, week = import_app.latest
    good, other = import_app.quiet[0], import_app.quiet[1]
    body = (HEADER + f"{good},diare_akut,{year},{week},3,0\n"
            f"{other},diare_akut,{year},{week},-5,0\n"
            f"99.01.99.9999,diare_akut,{year},{week},2,0\n")  # fmt: skip
    _open_import_page(page, import_app.url)
    _upload(page, "kasus_salah.csv", body)
    # the preview shows the first rows as they are in the file
    preview = page.locator("#impor-preview-table")
    expect(preview).to_contain_text("99.01.99.9999")
    expect(preview.locator("tbody tr")).to_have_count(3)

    page.click("#impor-check")
    problems = page.locator("#impor-problems tbody tr")
    expect(problems.first).to_be_visible()
    rows = [[c.strip() for c in r] for r in problems.evaluate_all(
        "rs => rs.map(r => [...r.cells].map(c => c.textContent))")]  # fmt: skip
    assert any(r[0] == "3" and r[1] == "kasus" and r[2] == "-5" for r in rows), rows
    assert any(r[0] == "4" and r[1] == "kode_desa" and r[2] == "99.01.99.9999" for r in rows), rows
    assert all(r[3] for r in rows)  # every problem says what is wrong
    expect(page.locator("#impor-verdict")).to_have_class("pws-bad")
    expect(page.locator("#impor-run")).to_be_disabled()
    assert _state(import_app.database_url) == before


def test_good_file_imports_changes_the_map_and_undo_restores_it(
    page: Page, import_app
) -> None:
    open_map(page, import_app.url, import_app.villages)
    colors_before = fill_colors(page)
    cases_before = _scalar(import_app.database_url, "SELECT sum(kasus) FROM kasus_mingguan")
    year, week = import_app.latest
    body = HEADER + "".join(f"{kode},diare_akut,{year},{week},250,0\n"
                            for kode in import_app.quiet)  # fmt: skip

    # the header link leads to the import page, keeping the language
    page.click("#nav-impor")
    _expect_cases_kind(page)
    _upload(page, "kasus_baik.csv", body)
    expect(page.locator("#impor-run")).to_be_disabled()  # not before a clean check
    page.click("#impor-check")
    expect(page.locator("#impor-verdict")).to_have_class("pws-ok")
    expect(page.locator("#impor-counts")).to_contain_text("4")
    expect(page.locator("#impor-run")).to_be_enabled()

    page.click("#impor-run")
    expect(page.locator("#impor-progress-wrap")).to_be_visible()
    expect(page.locator("#impor-done")).to_be_visible(timeout=30_000)
    # in words, not the table's name nor "inserted/updated" (issue 8.18)
    expect(page.locator("#impor-written")).to_contain_text("baris kasus mingguan: 4")
    expect(page.locator("#impor-written")).not_to_contain_text("kasus_mingguan")
    progress = page.locator("#impor-progress")
    expect(progress).to_be_visible()
    assert progress.evaluate("p => p.value === p.max && p.max > 0")
    expect(page.locator("#impor-run")).to_be_disabled()  # a new check is needed
    expect(page.locator("#impor-recent-table tbody tr").first).to_contain_text("kasus_baik.csv")
    assert _scalar(import_app.database_url, "SELECT sum(kasus) FROM kasus_mingguan") == (
        cases_before + 250 * len(import_app.quiet))

    # back to the map (in-app navigation: forget the values the first visit applied)
    page.evaluate("window.pws.current = null")
    page.click("#impor-to-map")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length === n && window.pws"
        " && window.pws.current",
        arg=[VILLAGE_PATHS, import_app.villages], timeout=60_000,
    )
    # those villages now have the top class colour
    page.wait_for_function(
        "(k) => window.pws.layers[k] && window.pws.layers[k]._path"
        " && window.pws.layers[k]._path.isConnected",
        arg=import_app.quiet[0],
    )
    colors_after = fill_colors(page)
    top = page.evaluate("window.pws.current.colors")[-1]
    for kode in import_app.quiet:
        assert colors_before[kode] != top
        assert colors_after[kode] == top, kode
    assert {k: c for k, c in colors_after.items() if k not in import_app.quiet} == {
        k: c for k, c in colors_before.items() if k not in import_app.quiet}

    # undo: named, confirmed, then the previous state comes back, on the map too
    page.click("#nav-impor")
    expect(page.locator("#impor-undo-target")).to_contain_text("kasus_baik.csv")
    page.click("#impor-undo")
    expect(page.locator("#impor-undo-confirm")).to_be_visible()
    question = page.locator("#impor-undo-question")
    expect(question).to_contain_text("Kasus mingguan (SKDR) · kasus_baik.csv")
    expect(question).to_contain_text("· web")
    assert _scalar(import_app.database_url, "SELECT sum(kasus) FROM kasus_mingguan") == (
        cases_before + 250 * len(import_app.quiet))  # asking undid nothing
    page.click("#impor-undo-yes")
    expect(page.locator("#impor-undone")).to_contain_text("kasus_baik.csv")
    expect(page.locator("#impor-undo-confirm")).to_be_hidden()
    expect(page.locator("#impor-recent-table tbody tr").first).to_contain_text("dibatalkan")
    # what is left is the demo's trusted load: not offered, and the button says why
    expect(page.locator("#impor-undo")).to_be_disabled()
    expect(page.locator("#impor-undo-target")).to_contain_text("pemuat tepercaya")
    expect(page.locator("#impor-undo")).to_have_attribute("title", re.compile("tepercaya"))
    assert _scalar(import_app.database_url, "SELECT sum(kasus) FROM kasus_mingguan") == (
        cases_before)
    open_map(page, import_app.url, import_app.villages)
    assert fill_colors(page) == colors_before


def test_english_page_and_template_button(page: Page, import_app) -> None:
    page.goto(f"{import_app.url}/impor?lang=en")
    expect(page.locator("#impor-check")).to_have_text("Check")
    expect(page.locator("#nav-peta")).to_have_attribute("href", "/?lang=en")
    button = page.locator("#impor-templates button", has_text="Weekly cases (SKDR)")
    expect(button).to_be_visible()
    try:
        from layers.ingest import templates  # noqa: F401 - written in parallel
    except ImportError:
        button.click()
        expect(page.locator("#impor-template-msg")).to_contain_text("not available")
        return
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "template_kasus.xlsx"
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"


def test_wrong_file_type_is_named_and_the_hint_follows_the_kind(page: Page, import_app) -> None:
    before = _state(import_app.database_url)
    _open_import_page(page, import_app.url)
    page.set_input_files(UPLOAD_INPUT, files=[
        {"name": "laporan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 x"}])
    wrong = page.locator("#impor-wrong-type")
    expect(wrong).to_have_text("Jenis file .pdf tidak bisa diimpor sebagai Kasus mingguan "
                               "(SKDR); yang diterima: .csv, .xlsx.")  # fmt: skip
    page.click("#impor-check")
    expect(page.locator("#impor-problems")).to_contain_text("Jenis file .pdf")
    choose(page, "impor-jenis", "Batas wilayah")
    expect(page.locator("#impor-upload-hint")).to_have_text(
        f"Format: .zip, .shp, .gpkg, .geojson, .json, .parquet; paling besar {MAX_MB} MB.")
    expect(wrong).to_contain_text("sebagai Batas wilayah")
    assert _state(import_app.database_url) == before

