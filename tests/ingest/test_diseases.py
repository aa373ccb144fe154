"""Diseases come from the shipped catalogue; missing columns are said once; W53-style weeks.

Issue 8, items 5 and 7: ``diare akuut`` was stored as ``diare_akuut`` (exit 0) and vanished
from the map; a 300-row file without ``penyakit`` and ``tahun`` gave 600 copies of "a
required value is empty".
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from layers import diseases, indicators
from layers.ingest import run_import
from layers.scope import Scope
from tests.ingest.helpers import DEMO, demo_store, pws, rows

REPO = Path(__file__).resolve().parents[2]
EVERYTHING = Scope.everything()
VILLAGES = ["99.01.01.1001", "99.01.01.1002", "99.01.01.1003"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    yield from demo_store(tmp_path)


def _stored(engine: Engine, penyakit: str) -> dict[tuple[str, int, int], int]:
    with engine.connect() as conn:
        got = conn.execute(text("SELECT kode_desa, tahun, minggu, kasus FROM kasus_mingguan "
                                "WHERE penyakit = :p"), {"p": penyakit}).all()  # fmt: skip
    return {(k, t, m): c for k, t, m, c in got}


# ------------------------------------------------------------------ the catalogue


def test_catalogue_is_shipped_and_feeds_the_map_layers() -> None:
    catalogue = diseases.catalogue()
    assert len(catalogue) == 24  # the current SKDR list (domain.md §4.1)
    assert indicators.DISEASES is diseases.DISEASES
    assert indicators.DISEASES["diare_akut"].id == "Diare akut"
    assert indicators.DISEASES["diare_akut"].en == "Acute diarrhoea"
    with open(REPO / "layers" / "data" / "aturan_peringatan.csv", encoding="utf-8") as f:
        ruled = {r["penyakit"] for r in csv.DictReader(f)}
    assert ruled <= set(catalogue), ruled - set(catalogue)  # every alert rule's disease
    choices = {c.value for c in indicators.disease_choices()}
    assert choices == set(catalogue)


@pytest.mark.parametrize(("name", "kode"), [
    ("diare_akut", "diare_akut"), ("Diare Akut", "diare_akut"), ("DIARE", "diare_akut"),
    ("diare-akut", "diare_akut"), (" A ", "diare_akut"), ("Acute diarrhoea", "diare_akut"),
    ("DBD", "suspek_dengue"), ("Suspek Flu Burung pada Manusia", "suspek_flu_burung"),
    ("E", "diare_berdarah"), ("COVID-19", "covid19_konfirmasi"),
    ("diare akuut", None), ("dbd2", None), ("", None), ("diare_akut; dbd", None),
])  # fmt: skip
def test_resolver(name: str, kode: str | None) -> None:
    assert diseases.resolve(name) == kode


def test_suggestion_for_a_typo() -> None:
    assert diseases.suggest("diare akuut") == "diare_akut"
    assert diseases.suggest("zzz") is None


def test_a_catalogue_giving_one_name_two_meanings_is_refused() -> None:
    head = "kode,nama_id,nama_en,alias\n"
    with pytest.raises(ValueError, match="already means 'a'"):
        diseases.load(head + "a,Satu,One,x\nb,Dua,Two,X\n")
    with pytest.raises(ValueError, match="not lower_case"):
        diseases.load(head + "Diare Akut,Diare,Diarrhoea,\n")
    with pytest.raises(ValueError, match="needed"):
        diseases.load(head + "a,,One,\n")
    assert list(diseases.load(head + "a,Satu,One,x; y\n")["a"].aliases) == ["x", "y"]


# ------------------------------------------------------------------ item 5: the importer


def test_unknown_disease_is_refused_with_the_known_ones(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "typo.csv"
    path.write_text("kode_desa,penyakit,tahun,minggu,kasus\n"
                    + "".join(f"{k},diare akuut,2025,10,3\n" for k in VILLAGES))  # fmt: skip
    before = rows(store)
    report = run_import(store, "kasus", path, user="u", scope=EVERYTHING)
    assert report.status == "ditolak"
    assert [(p.row, p.column, p.value, p.code) for p in report.problems] == [
        (i + 2, "penyakit", "diare akuut", "unknown_disease") for i in range(3)]
    message = report.problems[0].message
    assert "maksudnya diare_akut?" in message.id and "did you mean diare_akut?" in message.en
    notes = [n("en") for n in report.notes]
    assert any("Known diseases (codes): diare_akut, malaria_konfirmasi" in n for n in notes)
    assert rows(store) == before  # nothing stored, under no made-up code
    assert _stored(store, "diare_akuut") == {}
    # the command line exits 1 (it used to exit 0)
    refused = pws(store, "import", "kasus", path, "--lang", "en")
    assert refused.exit_code == 1 and "Unknown disease (did you mean diare_akut?)" in refused.output


def test_other_names_are_mapped_and_said(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "nama.csv"
    path.write_text("kode_desa,penyakit,tahun,minggu,kasus\n"
                    f"{VILLAGES[0]},Diare Akut,2025,10,41\n{VILLAGES[1]},diare,2025,10,42\n"
                    f"{VILLAGES[2]},DBD,2025,10,3\n")  # fmt: skip
    report = run_import(store, "kasus", path, user="u", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    notes = {n("en") for n in report.notes}
    assert {"Disease 'Diare Akut' read as diare_akut (1 rows).",
            "Disease 'diare' read as diare_akut (1 rows).",
            "Disease 'DBD' read as suspek_dengue (1 rows)."} <= notes
    assert {"Penyakit 'DBD' dibaca sebagai suspek_dengue (1 baris)."} <= {
        n("id") for n in report.notes}
    diare = _stored(store, "diare_akut")
    assert (diare[(VILLAGES[0], 2025, 10)], diare[(VILLAGES[1], 2025, 10)]) == (41, 42)
    assert _stored(store, "suspek_dengue") == {(VILLAGES[2], 2025, 10): 3}


def test_an_unknown_penyakit_option_is_one_problem(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "tanpa.csv"
    path.write_text("kode_desa,tahun,minggu,kasus\n"
                    + "".join(f"{k},2025,10,3\n" for k in VILLAGES))  # fmt: skip
    report = run_import(store, "kasus", path, user="u", scope=EVERYTHING,
                        options={"penyakit": "diare akuut"})  # fmt: skip
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (None, "penyakit", "unknown_disease")]
    assert "diare_akut, malaria_konfirmasi" in report.problems[0].message("id")
    ok = run_import(store, "kasus", path, user="u", scope=EVERYTHING,
                    options={"penyakit": "Diare Akut"})  # fmt: skip
    assert ok.status == "ok", ok.text("en")
    assert _stored(store, "diare_akut")[(VILLAGES[0], 2025, 10)] == 3


# ------------------------------------------------------------------ item 7: missing columns


def test_missing_columns_are_reported_once_with_the_fix(store: Engine, tmp_path: Path) -> None:
    demo = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype=str)
    week = demo[(demo["tahun"] == "2025") & demo["minggu"].isin(["10", "11"])].head(300)
    assert len(week) == 300
    path = tmp_path / "tanpa_kolom.csv"
    week[["kode_desa", "minggu", "kasus"]].to_csv(path, index=False)
    before = rows(store)
    report = run_import(store, "kasus", path, user="u", scope=EVERYTHING)
    assert report.status == "ditolak"
    found = sorted((p.row, p.column, p.code) for p in report.problems)
    assert found == [(1, "penyakit", "missing_column"), (1, "tahun", "missing_column")]
    assert report.problem_count == 2
    by_column = {p.column: p.message for p in report.problems}
    assert "--penyakit" in by_column["penyakit"].en and "template" in by_column["penyakit"].en
    assert "--penyakit" in by_column["penyakit"].id and "templat" in by_column["penyakit"].id
    assert "tanggal" in by_column["tahun"].en
    assert rows(store) == before
    shown = pws(store, "import", "kasus", path).output
    assert shown.count("Kolom 'penyakit' tidak ada") == 1 and "wajib kosong" not in shown
    # with --penyakit the disease is there; the year is still missing, said once
    fixed = run_import(store, "kasus", path, user="u", scope=EVERYTHING,
                       options={"penyakit": "diare_akut"})  # fmt: skip
    assert [(p.row, p.column) for p in fixed.problems] == [(1, "tahun")]


def test_an_empty_disease_column_is_said_once(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "kosong.csv"
    path.write_text("kode_desa,penyakit,tahun,minggu,kasus\n"
                    + "".join(f"{k},,2025,10,3\n" for k in VILLAGES))  # fmt: skip
    report = run_import(store, "kasus", path, user="u", scope=EVERYTHING)
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (1, "penyakit", "missing_column")]


def test_weeks_written_w53_or_m5(store: Engine, tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("kode_desa,penyakit,tahun,minggu,kasus\n"
                    f"{VILLAGES[0]},diare_akut,2020,W53,5\n{VILLAGES[1]},diare_akut,2025,M05,6\n"
                    f"{VILLAGES[2]},diare_akut,2025,Minggu 7,7\n")  # fmt: skip
    report = run_import(store, "kasus", path, user="u", scope=EVERYTHING)
    assert report.status == "ok", report.text("en")
    got = _stored(store, "diare_akut")
    assert (got[(VILLAGES[0], 2020, 53)], got[(VILLAGES[1], 2025, 5)],
            got[(VILLAGES[2], 2025, 7)]) == (5, 6, 7)  # fmt: skip
    bad = tmp_path / "w54.csv"
    bad.write_text("kode_desa,penyakit,tahun,minggu,kasus\n"
                   f"{VILLAGES[0]},diare_akut,2024,W53,5\n{VILLAGES[1]},diare_akut,2025,W54,1\n")
    refused = run_import(store, "kasus", bad, user="u", scope=EVERYTHING)
    assert sorted((p.row, p.column, p.code) for p in refused.problems) == [
        (2, "minggu", "bad_week"), (3, "minggu", "too_large")]
