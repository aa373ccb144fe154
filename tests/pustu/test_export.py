"""XLSX exports of the ranked list and of a plan: numbers as numbers, matching the figures."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook

from layers.pustu.export import plan_xlsx, ranking_xlsx
from layers.pustu.planner import greedy, plan
from layers.pustu.ranking import PlanningData, build, rank

KM = 0.009


def data() -> PlanningData:
    rng = np.random.default_rng(21)
    n = 24
    boxes = [shapely.box(110 + KM * i - 0.001, -0.001, 110 + KM * i + 0.001, 0.001)
             for i in range(n)]  # fmt: skip
    codes = [f"35.10.0{1 + i // 12}.2{i:03d}" for i in range(n)]
    villages = gpd.GeoDataFrame({"kode": codes, "nama": [f"Desa {i}" for i in range(n)],
                                 "kode_kec": [c[:8] for c in codes],
                                 "nama_kec": [f"Kec {c[7]}" for c in codes]},
                                geometry=boxes, crs="EPSG:4326")  # fmt: skip
    pop = pd.DataFrame({"kode_desa": codes[1:], "jumlah": rng.integers(200, 4000, n - 1)})
    fac = pd.DataFrame({"id": [1, 2], "jenis": ["pustu", "pustu"],
                        "kode_desa": [codes[4], codes[15]], "lon": [110 + 4 * KM, None],
                        "lat": [0.0, None], "status": ["aktif", "aktif"]})  # fmt: skip
    return build(villages, pop, fac, 2100, puskesmas_serves=False)


def sheet_rows(book, name: str) -> list[list]:
    return [[c.value for c in row] for row in book[name].iter_rows()]


def notes(book, name: str) -> dict[str, object]:
    return {r[0]: r[1] for r in sheet_rows(book, name) if r[0] is not None}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_ranking_export_numbers_match_the_list(lang: str) -> None:
    d = data()
    alerts = pd.Series(np.arange(len(d.villages)) % 3, index=d.villages["kode"])
    ranked = rank(d, alerts)
    book = load_workbook(io.BytesIO(ranking_xlsx(ranked, d, lang, "Kabupaten Contoh (35.10)")))
    name = {"id": "Peringkat", "en": "Ranking"}[lang]
    assert book.sheetnames == [name, {"id": "Keterangan", "en": "Notes"}[lang]]
    rows = sheet_rows(book, name)
    assert rows[0][0] == {"id": "Urut", "en": "Rank"}[lang]
    body = rows[1:]
    assert len(body) == len(ranked)
    ws = book[name]
    for k, (row, r) in enumerate(zip(body, ranked.itertuples(index=False), strict=True)):
        assert row[0] == r.urut and row[1] == r.kode_desa and row[2] == r.nama
        assert ws.cell(row=k + 2, column=2).number_format == "@"
        if np.isnan(r.penduduk):
            assert row[4] is None  # no data, never 0
        else:
            assert isinstance(row[4], int) and row[4] == r.penduduk
        assert isinstance(row[5], int) and row[5] == round(r.tambahan)
        assert row[6] == round(r.jangkauan) and row[7] == r.desa_baru
        assert row[8] == pytest.approx(r.jarak_pustu_m / 1000, abs=0.005)
        assert isinstance(row[8], int | float)  # a number (1.0 reads back as 1)
        assert row[9] is None  # no Puskesmas in the region
        assert row[10] == r.minggu_peringatan
        assert row[12] == (r.alasan_en if lang == "en" else r.alasan_id)
    assert sum(r[5] for r in body) == pytest.approx(ranked["tambahan"].sum())
    text = " ".join(str(v) for row in sheet_rows(book, book.sheetnames[1]) for v in row if v)
    assert {"id": "garis lurus", "en": "straight lines"}[lang] in text
    assert {"id": "bukan waktu tempuh", "en": "not travel time"}[lang] in text
    assert "greedy" in text
    facts = notes(book, book.sheetnames[1])
    assert facts[{"id": "Jarak layanan (km)", "en": "Service distance (km)"}[lang]] == 2.1
    assert facts[{"id": "Desa tanpa data penduduk (tidak dihitung)",
                  "en": "Villages without population data (not counted)"}[lang]] == 1
    top = load_workbook(io.BytesIO(ranking_xlsx(ranked, d, lang, top=3)))
    assert len(sheet_rows(top, name)) == 4


def test_plan_export_figures_match_the_plan() -> None:
    d = data()
    p = plan(d.instance, 4, exact_too=True, solver="highs")
    book = load_workbook(io.BytesIO(plan_xlsx(p, d, "en", "Contoh", name="Rencana 2027")))
    assert book.sheetnames == ["Plan", "Newly served villages", "Notes"]
    body = sheet_rows(book, "Plan")[1:]
    assert [r[1] for r in body] == list(p.codes)
    assert [r[5] for r in body] == [round(g) for g in p.gains]
    assert sum(r[5] for r in body) == p.newly_served
    served = sheet_rows(book, "Newly served villages")[1:]
    assert sum(r[3] or 0 for r in served) == p.newly_served
    assert {r[4] for r in served} <= set(p.codes)
    facts = notes(book, "Notes")
    assert facts["Plan name"] == "Rencana 2027"
    assert facts["People newly served"] == p.newly_served
    assert facts["People served"] == p.total_served
    assert facts["Population"] == p.population
    assert facts["Population coverage (%)"] == round(p.coverage_pct, 1)
    assert facts["Newly served, greedy"] == greedy(d.instance, 4).newly_served
    assert facts["Greedy/optimal gap (%)"] == round(100 * p.gap, 1)
    assert facts["Proven optimal"] == "yes" and "HiGHS" in facts["Method"]
    assert isinstance(facts["Solver time (seconds)"], float)
    assert facts["New Pustu asked for"] == 4 and facts["New Pustu chosen"] == len(p.sites)


def test_plan_export_of_a_saturated_greedy_plan_in_indonesian() -> None:
    d = data()
    p = greedy(d.instance, 40)
    assert len(p.sites) < 40
    book = load_workbook(io.BytesIO(plan_xlsx(p, d, "id")))
    facts = notes(book, "Keterangan")
    assert facts["Pustu baru diminta"] == 40 and facts["Pustu baru dipilih"] == len(p.sites)
    assert "Newly served, greedy" not in facts and "Terlayani baru, greedy" not in facts
    text = " ".join(str(v) for v in facts)
    assert "tidak menambah penduduk terlayani" in text
    assert facts["Cakupan penduduk (%)"] == round(p.coverage_pct, 1)
    with pytest.raises(ValueError, match="lang"):
        plan_xlsx(p, d, "fr")
