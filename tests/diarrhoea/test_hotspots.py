"""Gi* and Local Moran hot spots: planted grid, null permutations, the demo outbreak."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from libpysal.weights import lat2W

from layers.diarrhoea import weights as wm
from layers.diarrhoea.hotspots import GI_CLASSES, HotSpots, hot_spots, significant
from tests.diarrhoea.test_weights import grid

DEMO = Path(__file__).resolve().parents[2] / "data" / "geo" / "demo_9901"


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    wm.warm_up()


def codes_at(cells: list[tuple[int, int]]) -> list[str]:
    return [f"99.01.{row + 1:02d}.{2001 + col}" for row, col in cells]


@pytest.fixture(scope="module")
def planted() -> tuple[HotSpots, list[str], list[str]]:
    """A 12x12 grid of 1 km villages, Poisson(5) cases, +15 in a 3x3 block at rows/cols 2-4."""
    gdf = grid(12)
    rng = np.random.default_rng(7)
    values = pd.Series(rng.poisson(5, len(gdf)).astype(float), index=gdf["kode"])
    block = codes_at([(r, c) for r in (2, 3, 4) for c in (2, 3, 4)])
    values[block] += 15
    far = codes_at([(r, c) for r in range(12) for c in range(12) if r >= 8 or c >= 8])
    return hot_spots(values, wm.build_weights(gdf), seed=1), block, far


def test_planted_block_is_hot_and_far_cells_are_not(planted) -> None:
    result, block, far = planted
    table = result.table
    centre = codes_at([(3, 3)])[0]
    assert table.loc[centre, "gi_class"].startswith("hot")
    assert table.loc[centre, "lisa_class"] == "HH"
    assert table.loc[centre, "gi_p"] == pytest.approx(1 / 1000)
    hot = set(result.hot())
    assert len(hot & set(block)) >= 7
    assert not hot & set(far)
    assert not table.loc[far, "gi_significant"].any()
    assert not table.loc[far, "lisa_class"].isin(["HH", "LL", "HL", "LH"]).any()
    assert list(table["gi_class"].cat.categories) == list(GI_CLASSES)


def test_seeded_runs_are_identical(planted) -> None:
    result, _, _ = planted
    again = hot_spots(pd.Series(result.y, index=result.codes), wm.build_weights(grid(12)), seed=1)
    np.testing.assert_array_equal(again.gi_p, result.gi_p)
    np.testing.assert_array_equal(again.lisa_p, result.lisa_p)
    assert (again.gi_class == result.gi_class).all()


def test_random_permutation_of_values_is_not_significant() -> None:
    vw = wm.build_weights(grid(10))
    rng = np.random.default_rng(2024)
    shares = []
    for run in range(5):
        values = pd.Series(rng.gamma(2.0, 1.0, vw.n), index=list(vw.codes))
        result = hot_spots(values, vw, permutations=199, seed=run)
        shares += [result.gi_significant.mean(), result.lisa_significant.mean()]
    assert max(shares) <= 0.02


def test_gi_star_matches_hand_computation() -> None:
    w = lat2W(3, 3, rook=False, id_type="string")
    y = pd.Series(np.arange(1.0, 10.0), index=w.id_order)
    result = hot_spots(y, w, permutations=99, seed=0)
    for i, code in enumerate(w.id_order):
        members = [code, *w.neighbors[code]]
        expected = y[members].mean() / y.sum()
        assert result.gi[i] == pytest.approx(expected)


def test_bh_through_esda_fdr() -> None:
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    # BH at 0.05: k*0.005 -> only the two smallest pass (0.039 > 3*0.005)
    assert significant(p, 0.05).tolist() == [True, True] + [False] * 8
    assert significant(np.full(20, 0.5), 0.05).sum() == 0


def test_constant_week_is_not_significant() -> None:
    vw = wm.build_weights(grid(4))
    result = hot_spots(pd.Series(0.0, index=list(vw.codes)), vw)
    assert (result.gi_class == "ns").all() and (result.lisa_class == "ns").all()


def test_missing_value_is_an_error() -> None:
    vw = wm.build_weights(grid(3))
    with pytest.raises(ValueError, match="no value"):
        hot_spots(pd.Series(1.0, index=list(vw.codes)[1:]), vw)


def demo_incidence(tahun: int, minggu: int) -> tuple[gpd.GeoDataFrame, pd.Series]:
    gdf = gpd.read_file(DEMO / "desa.geojson")
    kasus = pd.read_csv(DEMO / "kasus_mingguan.csv", dtype={"kode_desa": str})
    penduduk = pd.read_csv(DEMO / "penduduk.csv", dtype={"kode_desa": str})
    week = kasus[(kasus.tahun == tahun) & (kasus.minggu == minggu)]
    cases = week.groupby("kode_desa")["kasus"].sum().reindex(gdf["kode_desa"], fill_value=0)
    pop = penduduk[penduduk.tahun == tahun].set_index("kode_desa")["jumlah"]
    return gdf, cases / pop.reindex(gdf["kode_desa"]) * 1000


def test_demo_planted_outbreak_2025_w53() -> None:
    cluster = next(c for c in json.loads((DEMO / "klaster_tertanam.json").read_text())
                   if c["tahun"] == 2025 and c["minggu_mulai"] + c["minggu"] - 1 == 53)  # fmt: skip
    planted_codes = set(cluster["villages"])
    gdf, incidence = demo_incidence(2025, 53)
    vw = wm.village_weights(gdf, "demo_9901", code_column="kode_desa")
    ring = planted_codes | {n for c in planted_codes for n in vw.w.neighbors[c]}

    # unadjusted classes (p <= 0.10): every seed finds all 5 planted villages
    raw = set(hot_spots(incidence, vw, seed=20251, fdr=False).hot())
    assert len(raw & planted_codes) / len(planted_codes) >= 0.6
    # FDR (BH) with 999 permutations is conservative at n = 250 (the pseudo-p floor is
    # 0.001): it finds part of the cluster, and nothing away from it.
    adjusted = set(hot_spots(incidence, vw, seed=20251).hot())
    assert adjusted <= ring
    assert adjusted <= raw
