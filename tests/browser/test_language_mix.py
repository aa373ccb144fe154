"""Nothing of one language shows in the other on the map page (issue 8 item 18).

The page is opened in Indonesian and in English; everything a person reads — controls,
legend, the open dropdown's search box, a village tooltip, the panel with its chart, the
cluster tool — is scanned for words that belong only to the other language.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.mapdriver import open_map, village_at_map_centre

pytestmark = pytest.mark.browser

#: words that only Indonesian text uses (whole words, any case)
ONLY_ID = ("minggu", "kasus", "peringatan", "ambang", "klik", "jalankan", "unduh", "tidak",
           "penduduk", "semua", "cari", "batal", "legenda", "lapisan", "replikasi", "hapus",
           "tutup", "rencana", "laporan", "pemindaian", "penyakit", "insidens", "kode")
#: words that only English text uses
ONLY_EN = ("week", "weeks", "cases", "case", "alert", "alerts", "threshold", "click", "run",
           "download", "legend", "layer", "population", "cancel", "clear", "search", "scan",
           "replications", "planned", "report", "disease", "incidence", "code", "close",
           "the", "and", "of", "no")


def _seen_text(page: Page) -> str:
    """What a person reads: the page text, tooltips, placeholders and titles."""
    page.click("#period")
    search = page.locator("input.dash-dropdown-search").first
    placeholder = search.get_attribute("placeholder") or ""
    page.keyboard.press("Escape")
    kode, x, y = village_at_map_centre(page)
    page.mouse.move(x, y)
    tooltip = page.locator(".leaflet-tooltip.pws-tooltip")
    expect(tooltip).to_be_visible()
    tip = tooltip.inner_text()
    page.mouse.click(x, y)
    expect(page.locator("#panel-code")).to_have_text(kode)
    expect(page.locator("#panel-section-diare .legend")).to_be_visible()  # the chart drawn
    chart = page.locator("#panel-section-diare svg").first.text_content() or ""
    titles = " ".join(page.eval_on_selector_all(
        "[title], [placeholder]",
        "els => els.map(e => (e.getAttribute('title') || '') + ' ' +"
        " (e.getAttribute('placeholder') || ''))"))
    return " ".join([page.inner_text("body"), placeholder, tip, chart, titles])


def _foreign(text: str, words: tuple[str, ...]) -> list[str]:
    found = {m.group(0).lower() for w in words
             for m in re.finditer(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)}
    return sorted(found)


@pytest.mark.parametrize(("lang", "foreign"), [("id", ONLY_EN), ("en", ONLY_ID)])
def test_the_map_page_speaks_one_language(page: Page, live_app, lang: str,
                                          foreign: tuple[str, ...]) -> None:  # fmt: skip
    open_map(page, f"{live_app.url}/?lang={lang}", 250)
    text = _seen_text(page)
    own = ONLY_ID if lang == "id" else ONLY_EN
    assert len(_foreign(text, own)) >= 5, "the scan read almost nothing of the page"
    # the language link names the other language on purpose
    text = text.replace("Bahasa Indonesia", "").replace("English", "")
    assert _foreign(text, foreign) == [], text[:2000]
