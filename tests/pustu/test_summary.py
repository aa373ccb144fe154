"""Kecamatan / kabupaten figures and target progress, hand-computed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from layers.pustu import summary

NAN = float("nan")


def village_table() -> pd.DataFrame:
    # kecamatan 01: a full Pustu, an understaffed one (no bidan), a planned one, no data pop;
    # kecamatan 02 (other kabupaten): two villages, neither with population figures
    return pd.DataFrame({
        "kode_kec": ["35.10.01", "35.10.01", "35.10.01", "35.10.01", "35.11.02", "35.11.02"],
        "nama_kec": ["Satu", "Satu", "Satu", "Satu", "Dua", "Dua"],
        "kode_kab": ["35.10", "35.10", "35.10", "35.10", "35.11", "35.11"],
        "nama_kab": ["Banyuwangi", "Banyuwangi", "Banyuwangi", "Banyuwangi", "Bondowoso",
                     "Bondowoso"],
        "pustu_aktif": [1, 1, 0, 0, 0, 1],
        "pustu_rencana": [0, 0, 1, 0, 0, 0],
        "tercakup": [True, True, False, False, False, True],
        "staf_minimal": [True, False, False, False, False, False],
        "kurang_perawat": [0, 0, 0, 0, 0, 1],
        "kurang_bidan": [0, 1, 0, 0, 0, 1],
        "penduduk": [1000.0, 2000.0, 3000.0, NAN, NAN, NAN],
        "terlayani": [True, True, False, False, False, True],
    })


def test_kecamatan_figures() -> None:
    out = summary.summarise(village_table(), "kec", target_year=2028, current_year=2026)
    assert out.columns.tolist() == list(summary.SUMMARY_COLUMNS)
    one, two = out.iloc[0], out.iloc[1]
    assert (one["kode"], one["nama"], one["desa"], one["dengan_pustu"]) == (
        "35.10.01", "Satu", 4, 2)
    assert one["cakupan_pct"] == 50.0 and one["staf_minimal_pct"] == 50.0
    assert (one["penduduk"], one["penduduk_terlayani"], one["penduduk_tidak_terlayani"]) == (
        6000.0, 3000.0, 3000.0)
    assert one["desa_tanpa_penduduk"] == 1
    assert (one["kurang_perawat"], one["kurang_bidan"]) == (0, 1)
    assert (one["belum_tercakup"], one["rencana"], one["tahun_tersisa"], one["per_tahun"]) == (
        2, 1, 3, 1)
    # no village of kecamatan 02 has a figure: its population is no data, not 0
    assert math.isnan(two["penduduk"]) and math.isnan(two["penduduk_tidak_terlayani"])
    assert two["desa_tanpa_penduduk"] == 2


def test_kabupaten_and_total_add_up() -> None:
    table = village_table()
    kab = summary.summarise(table, "kab", 2027, 2026)
    assert kab["kode"].tolist() == ["35.10", "35.11"]
    assert kab["nama"].tolist() == ["Banyuwangi", "Bondowoso"]
    total = summary.total(table, 2027, 2026)
    assert total["desa"] == 6 == kab["desa"].sum()
    assert total["dengan_pustu"] == 3
    assert total["cakupan_pct"] == 50.0
    assert total["staf_minimal_pct"] == pytest.approx(33.3)
    assert total["penduduk_terlayani"] + total["penduduk_tidak_terlayani"] == total["penduduk"]
    assert total["desa_tanpa_penduduk"] == 3
    assert (total["belum_tercakup"], total["tahun_tersisa"], total["per_tahun"]) == (3, 2, 2)


def test_served_plus_unserved_is_the_known_population() -> None:
    rng = np.random.default_rng(3)
    n = 200
    pop = rng.integers(0, 9000, n).astype(float)
    pop[rng.random(n) < 0.1] = NAN
    table = pd.DataFrame({
        "kode_kec": rng.choice(["a", "b", "c"], n), "nama_kec": "x",
        "pustu_aktif": rng.integers(0, 2, n), "pustu_rencana": 0, "tercakup": False,
        "staf_minimal": False, "kurang_perawat": 0, "kurang_bidan": 0, "penduduk": pop,
        "terlayani": rng.random(n) < 0.6,
    })  # fmt: skip
    out = summary.summarise(table, "kec", 2028, 2026)
    assert (out["penduduk_terlayani"] + out["penduduk_tidak_terlayani"]).tolist() == \
        out["penduduk"].tolist()
    assert out["penduduk"].sum() == np.nansum(pop)
    assert out["desa_tanpa_penduduk"].sum() == int(np.isnan(pop).sum())


def test_progress_toward_the_target_year() -> None:
    assert [summary.years_left(t, 2026) for t in (2026, 2027, 2028)] == [1, 2, 3]
    assert summary.years_left(2027, 2028) == 0
    assert [summary.per_year(n, 3) for n in (0, 1, 3, 4, 82)] == [0, 1, 1, 2, 28]
    # once the target year has passed every village still to cover is due
    late = summary.summarise(village_table(), None, 2027, 2029)
    assert late.loc[0, "tahun_tersisa"] == 0 and late.loc[0, "per_tahun"] == 3


def test_an_empty_table_has_no_figures() -> None:
    empty = village_table().iloc[:0]
    assert summary.summarise(empty, "kec", 2028, 2026).empty
    total = summary.total(empty, 2028, 2026)
    assert total["desa"] == 0 and math.isnan(total["cakupan_pct"])
    assert math.isnan(total["penduduk"]) and total["tahun_tersisa"] == 3


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        summary.summarise(village_table().drop(columns="terlayani"), "kec", 2028, 2026)
