"""The space-time scan from the map page: background run, cluster list, outlines, zoom,
and the alert threshold line in a village's chart (issue 4, item 5)."""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from dashboard import testing
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from tests.browser.conftest import DEMO_DIR
from tests.browser.mapdriver import choose, click_village, open_map

pytestmark = pytest.mark.browser

WEEK = "2025-W53"
PLANTED = next(c for c in json.loads((DEMO_DIR / "klaster_tertanam.json").read_text())
               if c["tahun"] == 2025 and c["minggu_mulai"] + c["minggu"] - 1 == 53)["villages"]
OUTLINE_WIDTH = "4"


@pytest.fixture(scope="module")
def scan_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """An app of its own on a copy of the demo database, and its number of villages."""
    url = testing.loaded_database(DEMO_DIR, tmp_path_factory.mktemp("scan") / "pws.sqlite")
    engine = store_engine.make_engine(url)
    with Session(engine) as session:
        n = len(queries.village_table(session, Scope.everything()))
    engine.dispose()
    with testing.serve(url) as base:
        yield base, n


def _workbook(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()))


def _bounds(page: Page) -> list[float]:
    return page.evaluate("""() => { const b = window.pws.leafletMap().getBounds();
        return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }""")


def _strokes(page: Page, codes: list[str]) -> dict[str, list]:
    return page.evaluate(
        """(codes) => Object.fromEntries(codes.map(k => { const p = window.pws.layers[k]._path;
            return [k, [p.getAttribute('stroke-width'), p.getAttribute('stroke')]]; }))""",
        codes,
    )


def test_scan_outlines_zooms_and_threshold(page: Page, scan_app: tuple[str, int]) -> None:
    open_map(page, *scan_app)
    choose(page, "period", WEEK)
    expect(page.locator("#scan-section")).to_contain_text("Jalankan pemindaian")
    page.locator("#scan-reps input[value='99']").check()
    # record every time the progress bar is shown (the demo's scan takes well under 1 s)
    page.evaluate("""() => { window.__seen = {progress: 0};
        const wrap = document.getElementById('scan-progress-wrap');
        new MutationObserver(() => { if (wrap.style.display !== 'none') window.__seen.progress++; })
          .observe(wrap, {attributes: true, attributeFilter: ['style']}); }""")
    before = _bounds(page)
    page.click("#scan-run")

    summary = page.locator("#scan-summary")
    expect(summary).to_contain_text(f"Minggu {WEEK}, 99 replikasi")
    assert page.evaluate("window.__seen.progress") > 0, "the progress bar was never shown"
    expect(page.locator("#scan-progress-wrap")).to_be_hidden()

    # the first row is the most significant; it holds planted villages and is highlighted
    rows = page.locator("#scan-table tbody tr")
    assert rows.count() >= 1
    first = rows.first
    expect(first).to_have_class("pws-scan-row pws-scan-sig")
    p_text = first.locator("td").nth(6).inner_text()
    assert float(p_text.replace(",", ".")) < 0.05
    names = first.get_attribute("title") or ""
    planted_names = page.evaluate(
        "(codes) => codes.map(k => window.pws.layers[k].feature.properties.nama)", PLANTED)
    found = [k for k, name in zip(PLANTED, planted_names, strict=True) if name in names]
    assert len(found) >= 3, (names, planted_names)
    # the names are in the table itself, not only on hover (nearest the centre first)
    shown = first.locator("td.pws-scan-names").inner_text()
    assert sum(name in shown for name in planted_names) >= 3, shown

    # those villages are outlined (thick coloured stroke); a far village is not
    outline = page.evaluate("window.pws.outlines.scan.villages")
    strokes = _strokes(page, found)
    for kode in found:
        assert strokes[kode][0] == OUTLINE_WIDTH, strokes
        assert strokes[kode][1] == outline[kode]
    plain = [k for k in page.evaluate("Object.keys(window.pws.layers)") if k not in outline]
    assert _strokes(page, plain[:1])[plain[0]][0] != OUTLINE_WIDTH

    # both lists download as XLSX; the cluster sheet names the planted villages
    with page.expect_download() as clusters_file:
        page.click("#scan-download-clusters")
    assert clusters_file.value.suggested_filename == f"klaster_{WEEK}.xlsx"
    cells = {str(c.value) for ws in _workbook(clusters_file.value.path())
             for row in ws.iter_rows() for c in row if c.value is not None}
    assert set(found) <= {c for cell in cells for c in cell.replace(",", " ").split()}
    with page.expect_download() as alerts_file:
        page.click("#scan-download-alerts")
    assert alerts_file.value.suggested_filename == f"peringatan_{WEEK}.xlsx"
    assert _workbook(alerts_file.value.path()).sheetnames

    # clicking the cluster zooms the map to it
    first.click()
    page.wait_for_function(
        """(b) => { const m = window.pws.leafletMap(), c = m.getBounds();
            return !m._animatingZoom && Math.abs(c.getNorth() - b[2]) > 1e-3; }""",
        arg=before,
    )
    page.wait_for_timeout(900)  # the fly animation settles
    after = _bounds(page)
    assert (after[2] - after[0]) < (before[2] - before[0]), (before, after)
    centre = page.evaluate("""(k) => { const c = window.pws.layers[k].getBounds().getCenter();
        return window.pws.leafletMap().getBounds().contains(c); }""", found[0])
    assert centre

    # the panel of a planted village draws the alert threshold line
    click_village(page, found[0])
    expect(page.locator("#panel-code")).to_have_text(found[0])
    expect(page.locator("#panel-name")).to_be_in_viewport()  # not left below the cluster list
    graph = page.locator("#panel-diare-chart")
    expect(graph.locator(".scatterlayer .trace .js-line")).to_have_count(1)
    expect(graph.locator(".legend")).to_contain_text("Ambang peringatan")

    # clearing restores every stroke (the panel closed first: an open village is marked too)
    page.click("#panel-close")
    page.click("#scan-clear")
    page.wait_for_function("() => window.pws.outlines.scan === null")
    assert _strokes(page, found[:1])[found[0]][0] != OUTLINE_WIDTH


def test_zoom_needs_a_stored_result(page: Page, scan_app: tuple[str, int]) -> None:
    """The browser sends a row number and a token; a forged token zooms nowhere."""
    row = {"index": 0, "type": "scan-cluster"}
    for token in (secrets.token_hex(16), "../../etc/passwd", None, ["x"]):
        body = {
            "output": "scan-zoom.data", "outputs": {"id": "scan-zoom", "property": "data"},
            "inputs": [[{"id": row, "property": "n_clicks", "value": 1}]],
            "state": [{"id": "scan-job", "property": "data", "value": token}],
            "changedPropIds": [json.dumps(row, separators=(",", ":")) + ".n_clicks"],
        }
        response = page.request.post(f"{scan_app[0]}/_dash-update-component", data=body)
        assert response.status == 204, (token, response.status, response.text()[:200])
