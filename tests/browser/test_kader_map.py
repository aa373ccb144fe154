"""The kader competency map, its village panel section and its training tool in the browser
(issue 10): choose one skill, see exactly the villages whose active kader lack it; a village
without kader data is grey and the legend says it is no data, not zero; the panel lists a
village's missing skills by name; the training priority per Puskesmas shows and downloads
as XLSX — in Indonesian, then the same view in English with English texts only."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard import testing
from layers import base
from layers.classify import NO_DATA_COLOR
from layers.kader import maplayer, service
from layers.kader.priority import NO_PUSKESMAS, training_priority
from layers.kader.skills import SkillBook
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from layers.store.models import Kader, KaderKeterampilan
from tests.browser.conftest import DEMO_DIR
from tests.browser.mapdriver import (
    choose,
    click_village,
    fill_colors,
    open_map,
    switch_language,
    wait_values_applied,
)

pytestmark = pytest.mark.browser

#: words only Indonesian text uses (whole words, any case), for the English page and file
ONLY_ID = ("keterampilan", "kelompok", "sasaran", "pelatihan", "peringkat", "belum", "tidak",
           "dengan", "tanpa", "kurang", "bukan", "wilayah", "penduduk", "aktif", "yang",
           "unduh", "teratas", "lainnya", "mampu", "desa", "ada")  # fmt: skip
#: words only English text uses, for the Indonesian page
ONLY_EN = ("skill", "skills", "training", "people", "reached", "missing", "group", "rank",
           "download", "the", "and", "no", "not", "active", "can", "village", "area")
#: paths, file names and codes: the same in both languages
IDENTIFIERS = re.compile(r"\S*(?:[\d_/@\\]|\.\w)\S*")


@dataclass
class KaderApp:
    """The app on a store of its own, and what the store says the map must show."""

    url: str
    n_villages: int
    skill: str  # a skill some villages lack (not the layer's default choice)
    lacking: set[str]  # villages with kader data where no active kader holds it
    covered: set[str]  # villages with kader data where some active kader holds it
    no_data: str  # the village whose kader rows the fixture deleted
    missing: dict[str, list[str]]  # per village lacking it, the skill codes none holds
    first_puskesmas: str
    top_skills: list[str]  # the first Puskesmas's skills to train, in rank order
    training_rows: int  # rows of the whole training priority


@pytest.fixture(scope="module")
def kader_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KaderApp]:
    """A copy of the demo store with one village's kader removed (a no-data village), the
    expected map computed from the store by :func:`layers.kader.service.gaps_for`."""
    url = testing.loaded_database(DEMO_DIR, tmp_path_factory.mktemp("kader") / "pws.sqlite")
    engine = store_engine.make_engine(url)
    scope = Scope.everything()
    default = maplayer.KaderLayer().keterampilan
    with Session(engine) as session:
        before = service.gaps_for(session, scope)
        holders = before.village_holders
        book = before.book
        lacks = (holders == 0).sum(axis=0)
        skill = max((c for c in book.codes if c != default and lacks[book.codes.index(c)]),
                    key=lambda c: lacks[book.codes.index(c)])  # fmt: skip
        col = book.codes.index(skill)
        villages = before.villages["kode_desa"].tolist()
        # a village that holds the skill loses every kader record: it becomes no data
        no_data = next(k for k, n in zip(villages, holders[:, col], strict=True) if n > 0)
        ids = select(Kader.id).where(Kader.kode_desa == no_data)
        session.execute(delete(KaderKeterampilan).where(KaderKeterampilan.kader_id.in_(ids)))
        session.execute(delete(Kader).where(Kader.kode_desa == no_data))
        session.commit()
    service._ROSTERS.clear()  # the deletion wrote no import log: drop the cached rosters
    with Session(engine) as session:
        gaps = service.gaps_for(session, scope)
        n_villages = len(queries.village_table(session, scope))
        priority = training_priority(session, scope, gaps)
    engine.dispose()
    codes = gaps.villages["kode_desa"].tolist()
    assert no_data not in codes
    lacking = {k for k, n in zip(codes, gaps.village_holders[:, col], strict=True) if n == 0}
    covered = set(codes) - lacking
    assert len(lacking) >= 2 and covered, "the demo has villages on both sides of the skill"
    skills = priority.skills
    first = sorted(skills["puskesmas"].unique(), key=lambda n: (n == NO_PUSKESMAS, str(n)))[0]
    with testing.serve(url) as served:
        yield KaderApp(
            served, n_villages, skill, lacking, covered, no_data,
            {k: gaps.missing("villages", codes.index(k)) for k in lacking}, str(first),
            skills.loc[skills["puskesmas"] == first, "keterampilan"].head(5).tolist(),
            len(skills))  # fmt: skip


def _option(page: Page, name: str, text: str) -> None:
    """Pick ``text`` in the kader layer's option dropdown ``name`` and wait for the map."""
    stamp = page.evaluate("window.pws.current.stamp")
    page.click(f"[id*='\"name\":\"{name}\"'][id*='\"layer\":\"kader\"']")
    search = page.locator(".dash-dropdown-search input, input.dash-dropdown-search")
    if search.count():
        search.first.fill(text)
    page.get_by_role("option", name=text).first.click()
    wait_values_applied(page, stamp)


def _words(text: str, words: tuple[str, ...]) -> list[str]:
    text = IDENTIFIERS.sub(" ", text)
    return sorted({m.group(0).lower() for w in words
                   for m in re.finditer(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)})


def _workbook_text(path: Path) -> tuple[openpyxl.Workbook, str]:
    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    text = "\n".join([*wb.sheetnames, *(str(v) for ws in wb for row in ws.iter_rows(
        values_only=True) for v in row if isinstance(v, str))])  # fmt: skip
    return wb, text


def _on_screen(page: Page, codes: list[str]) -> str:
    """The first of ``codes`` whose polygon shows a point to click (not under the legend)."""
    return page.evaluate(
        """(codes) => codes.find(k => { const p = window.pws.layers[k]._path;
            const r = p.getBoundingClientRect();
            for (let fy = 0.1; fy < 0.95; fy += 0.1)
              for (let fx = 0.1; fx < 0.95; fx += 0.1)
                if (document.elementFromPoint(r.left + r.width * fx, r.top + r.height * fy) === p)
                  return true;
            return false; })""",
        codes,
    )


FILE_NAMES = {"id": "prioritas_pelatihan_kader.xlsx", "en": "kader_training_priority.xlsx"}


def _download(page: Page, lang: str = "id") -> Path:
    with page.expect_download() as download:
        page.click("#kader-download")
    assert download.value.suggested_filename == FILE_NAMES[lang]
    return Path(download.value.path())


def _check_colours(page: Page, app: KaderApp) -> None:
    colors = fill_colors(page)
    assert len(colors) == app.n_villages
    red = {k for k, c in colors.items() if c == maplayer.RED}
    assert red == app.lacking, "exactly the villages lacking the skill are 'no one can'"
    assert {k for k, c in colors.items() if c == maplayer.GREEN} == app.covered
    grey = {k for k, c in colors.items() if c == NO_DATA_COLOR}
    assert app.no_data in grey
    assert grey == set(colors) - app.lacking - app.covered


def test_one_skill_map_panel_and_training_tool(page: Page, kader_app: KaderApp) -> None:
    app = kader_app
    book = SkillBook.shipped()
    cls = base.REGISTRY["kader"]
    open_map(page, app.url, app.n_villages)
    tool = page.locator("#kader-section")
    expect(tool).to_be_hidden()  # only with its layer
    stamp = page.evaluate("window.pws.current.stamp")
    choose(page, "layer", cls.title.id)
    wait_values_applied(page, stamp)
    expect(tool).to_be_visible()
    expect(page.locator("#period-wrap")).to_be_hidden()  # a snapshot: no period
    _option(page, "tampilan", "Satu keterampilan atau kelompok")
    _option(page, "keterampilan", book.label(app.skill, "id"))
    assert f"'keterampilan', '{app.skill}'" in page.evaluate("window.pws.current.stamp")
    _check_colours(page, app)

    legend = page.locator("#legend")
    expect(legend).to_contain_text(f"Kader yang mampu: {book.label(app.skill, 'id')}")
    expect(legend).to_contain_text("Ada kader aktif yang mampu")
    expect(legend).to_contain_text("Tidak ada kader aktif yang mampu")
    expect(legend).to_contain_text("Tidak ada data kader (bukan nol)")
    assert _words(legend.inner_text(), ONLY_EN) == []

    # the panel of a village lacking the skill lists its missing skills by name
    clicked = _on_screen(page, sorted(app.lacking))
    assert clicked, "no village lacking the skill is on screen"
    missing = app.missing[clicked]
    click_village(page, clicked)
    expect(page.locator("#panel-code")).to_have_text(clicked)
    section = page.locator("#panel-section-kader")
    expect(section).to_contain_text("Kader posyandu")
    expect(section).to_contain_text(f"tidak dimiliki kader aktif mana pun di desa ini: "
                                    f"{len(missing)} dari 25")
    for code in missing:
        expect(section).to_contain_text(book.label(code, "id"))
    assert book.label(app.skill, "id") in section.inner_text()

    # the training tool: per Puskesmas, the top skills in rank order
    expect(tool).to_contain_text("Prioritas pelatihan kader")
    first = page.locator("#kader-list h4").first
    expect(first).to_contain_text(app.first_puskesmas)
    rows = page.locator("#kader-list table").first.locator("tbody tr")
    expect(rows).to_have_count(len(app.top_skills))
    for i, code in enumerate(app.top_skills):
        expect(rows.nth(i).locator("td").first).to_have_text(str(i + 1))
        expect(rows.nth(i)).to_contain_text(book.label(code, "id"))
    assert _words(tool.inner_text(), ONLY_EN) == []
    wb, text = _workbook_text(_download(page))
    assert "Prioritas pelatihan" in wb.sheetnames
    assert wb["Prioritas pelatihan"].max_row == app.training_rows + 1  # and the header

    # the same view in English (layer, options and open village kept by the URL)
    switch_language(page, app.n_villages, "en")
    expect(page.locator("#layer")).to_contain_text(cls.title.en)
    _check_colours(page, app)
    expect(legend).to_contain_text(f"Kader who can: {book.label(app.skill, 'en')}")
    expect(legend).to_contain_text("Some active kader can")
    expect(legend).to_contain_text("No active kader can")
    expect(legend).to_contain_text("No kader data (not zero)")
    section = page.locator("#panel-section-kader")
    expect(section).to_contain_text("Posyandu kader")
    expect(section).to_contain_text(f"held by no active kader in this village: {len(missing)} "
                                    "of 25")
    for code in missing:
        expect(section).to_contain_text(book.label(code, "en"))
    expect(tool).to_contain_text("Kader training priority")
    expect(page.locator("#kader-list h4").first).to_contain_text("skills to train")
    rows = page.locator("#kader-list table").first.locator("tbody tr")
    for i, code in enumerate(app.top_skills):
        expect(rows.nth(i)).to_contain_text(book.label(code, "en"))
    for where in (legend, section, tool, page.locator(".pws-options")):
        assert _words(where.inner_text(), ONLY_ID) == [], where.inner_text()[:1500]
    wb, text = _workbook_text(_download(page, "en"))
    assert "Training priority" in wb.sheetnames
    assert wb["Training priority"].max_row == app.training_rows + 1
    assert _words(text, ONLY_ID) == []
