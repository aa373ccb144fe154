"""Village names on the import page: the proposals table, confirming a match, importing.

A weekly-cases file that names villages (one exactly, one with a typo) is refused by the
check until the typo's proposed village is approved in the table; then it checks clean and
imports under the right codes. Uses its own app on a fresh copy of the demo database.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from dashboard import testing
from dashboard.pages import impor_review as review
from layers.ingest import run as ingest_run
from layers.store import engine as store_engine
from tests.browser.conftest import DEMO_DIR
from tests.browser.test_import_page import _open_import_page, _scalar, _upload

pytestmark = pytest.mark.browser

EXACT = ("Sukamulyo", "Purwoarum", "99.01.01.1001")
TYPO = ("Wonotenga", "Purwoarum", "99.01.01.1002")  # stored as "Wonotengah"


@dataclass
class NamesApp:
    url: str
    database_url: str
    latest: tuple[int, int]


@pytest.fixture(scope="module")
def names_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NamesApp]:
    url = testing.loaded_database(DEMO_DIR, tmp_path_factory.mktemp("nama") / "pws.sqlite")
    engine = store_engine.make_engine(url)
    with engine.connect() as conn:
        latest = conn.execute(text(
            "SELECT tahun, minggu FROM kasus_mingguan WHERE penyakit = 'diare_akut' "
            "ORDER BY tahun DESC, minggu DESC LIMIT 1")).one()  # fmt: skip
    engine.dispose()
    with testing.serve(url) as base:
        yield NamesApp(base, url, (int(latest[0]), int(latest[1])))


def _cases(app: NamesApp, kode: str) -> object:
    year, week = app.latest
    return _scalar(app.database_url, "SELECT kasus FROM kasus_mingguan WHERE kode_desa = :k "
                   "AND penyakit = 'diare_akut' AND tahun = :y AND minggu = :w",
                   k=kode, y=year, w=week)  # fmt: skip


def test_named_villages_are_confirmed_in_a_table_then_imported(page: Page, names_app) -> None:
    year, week = names_app.latest
    body = ("desa,kecamatan,penyakit,tahun,minggu,kasus,kematian\n"
            f"{EXACT[0]},{EXACT[1]},diare_akut,{year},{week},77,0\n"
            f"{TYPO[0]},{TYPO[1]},diare_akut,{year},{week},88,1\n")  # fmt: skip
    logs = _scalar(names_app.database_url, "SELECT count(*) FROM impor_log")
    _open_import_page(page, names_app.url)
    _upload(page, "kasus_nama.csv", body)
    expect(page.locator("#impor-review")).to_be_hidden()

    page.click("#impor-check")
    expect(page.locator("#impor-verdict")).to_have_class("pws-bad")
    expect(page.locator("#impor-review")).to_be_visible()
    open_rows = page.locator("#impor-review-table tr.pws-review-open")
    expect(open_rows).to_have_count(1)
    typo = open_rows.first
    expect(typo).to_contain_text(TYPO[0])
    expect(typo).to_contain_text(f"Wonotengah ({TYPO[2]})")  # the proposed village
    expect(typo.locator("input[type=radio]").first).to_be_checked()
    box = typo.locator("input[type=checkbox]")
    expect(box).not_to_be_checked()
    # the exact match is approved already (and cannot be unticked)
    exact = page.locator("#impor-review-table tr.pws-review-auto")
    expect(exact).to_have_count(1)
    expect(exact).to_contain_text(EXACT[2])
    expect(exact.locator("input[type=checkbox]")).to_be_checked()
    expect(exact.locator("input[type=checkbox]")).to_be_disabled()
    expect(page.locator("#impor-run")).to_be_disabled()
    # the server's path of the review file is not shown
    expect(page.locator("#impor-report")).not_to_contain_text("tinjauan.csv")

    # approving without ticking: the name stays a problem
    page.click("#impor-review-apply")
    expect(page.locator("#impor-review-msg")).to_contain_text("0")
    expect(page.locator("#impor-verdict")).to_have_class("pws-bad")
    expect(page.locator("#impor-problems")).to_contain_text(TYPO[0])
    expect(page.locator("#impor-run")).to_be_disabled()

    page.locator("#impor-review-table tr.pws-review-open input[type=checkbox]").check()
    page.click("#impor-review-apply")
    expect(page.locator("#impor-review-msg")).to_contain_text("1")
    expect(page.locator("#impor-verdict")).to_have_class("pws-ok")
    expect(page.locator("#impor-review")).to_be_hidden()
    expect(page.locator("#impor-run")).to_be_enabled()
    assert _scalar(names_app.database_url, "SELECT count(*) FROM impor_log") == logs

    page.click("#impor-run")
    expect(page.locator("#impor-done")).to_be_visible(timeout=30_000)
    # in words, not the table's name nor "inserted/updated" (issue 8.18)
    expect(page.locator("#impor-written")).to_contain_text("baris kasus mingguan: 2")
    expect(page.locator("#impor-written")).not_to_contain_text("kasus_mingguan")
    assert _cases(names_app, EXACT[2]) == 77
    assert _cases(names_app, TYPO[2]) == 88


def _review_file(folder: Path) -> review.Paths:
    files = review.Paths(folder / review.REVIEW_NAME, folder / review.CONFIRM_NAME)
    files.review.write_text(
        "\ufeffnama_desa,nama_kec,kode_desa_usulan,nama_usulan,skor,metode,setuju,catatan\n"
        "Wonotenga,Purwoarum,99.01.01.1002,Wonotengah,95,fuzzy,,\"Wonotengah (99.01.01.1002, "
        "Kec. Purwoarum, 95); Kalitengah (99.01.01.2006, Kec. Purwoarum, 53)\"\n",
        encoding="utf-8")  # fmt: skip
    return files


def test_confirmations_only_take_codes_the_server_offered(tmp_path: Path) -> None:
    files = _review_file(tmp_path)
    shown = ingest_run.sha256_of(files.review)
    [row] = review.read_review(files.review)
    assert row.allowed == {"99.01.01.1002", "99.01.01.2006"}
    # a stale table writes nothing
    assert review.write_confirmations(files, "0" * 64, {0: True}, {}) is None
    assert not files.confirm.exists()
    # a code the server did not offer is ignored: the proposal stays
    assert review.write_confirmations(files, shown, {0: True}, {0: "99.01.02.2001"}) == 1
    with open(files.confirm, encoding="utf-8-sig", newline="") as f:
        [written] = list(csv.DictReader(f))
    assert (written["kode_desa_usulan"], written["setuju"]) == ("99.01.01.1002", "ya")
    # an offered candidate is taken
    review.write_confirmations(files, shown, {0: True}, {0: "99.01.01.2006"})
    with open(files.confirm, encoding="utf-8-sig", newline="") as f:
        assert next(csv.DictReader(f))["kode_desa_usulan"] == "99.01.01.2006"
