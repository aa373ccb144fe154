"""Gi* and Local Moran hot spots: planted grid, null permutations, FDR families, the second
permutation stage, the demo outbreak."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.weights import lat2W

from layers.diarrhoea import weights as wm
from layers.diarrhoea.hotspots import (
    GI_CLASSES,
    HotSpots,
    _esda,
    _folded,
    family_keys,
    hot_spots,
    permutations_for,
    significant,
)
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
    # 144 villages, one family: the small p-values are recomputed with enough permutations
    # for a lone village to pass BH at 0.01 (ceil(144 / 0.01) -> 14,999)
    assert table.loc[centre, "n_permutations"] == 14_999 and table.loc[centre, "refined"]
    assert table.loc[centre, "gi_p"] == pytest.approx(1 / 15_000)
    assert table.loc[far, "n_permutations"].eq(999).all()
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
    np.testing.assert_array_equal(again.refined, result.refined)
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
    # within families: 0.02 and 0.039 pass in a family of 2 (0.039 <= 2 * 0.05 / 2) but
    # not among all 10 (0.02 > 2 * 0.05 / 10)
    groups = np.array(["a", "b", "b", "a", "a", "a", "a", "a", "a", "a"])
    p2 = p.copy()
    p2[1] = 0.02
    assert significant(p2, 0.05, groups=groups)[[1, 2]].tolist() == [True, True]
    assert significant(p2, 0.05)[[1, 2]].tolist() == [False, False]


def test_families_and_permutations_for_them() -> None:
    codes = ["35.10.01.2001", "35.10.02.2003", "35.22.01.2001"]
    assert family_keys(codes).tolist() == ["35.10", "35.10", "35.22"]
    assert family_keys(codes, "kec").tolist() == ["35.10.01", "35.10.02", "35.22.01"]
    assert family_keys(codes, "scope").tolist() == ["", "", ""]
    assert family_keys(["id0", "35.10.01.2001"]).tolist() == ["", ""]  # not all villages
    with pytest.raises(ValueError, match="family"):
        family_keys(codes, "prov")  # type: ignore[arg-type]
    # 1 / (R + 1) <= 0.01 / n: a lone village of the family can reach the 99 % class
    for n in (1, 18, 250, 474, 999):
        r = permutations_for(n)
        assert 1 / (r + 1) <= 0.01 / n
        assert (r + 1) % 1000 == 0
    assert permutations_for(8_494) == 99_999  # capped


def kabupaten_grid(n_kab: int = 3, side: int = 30) -> gpd.GeoDataFrame:
    """``n_kab`` square kabupaten of ``side`` x ``side`` 1 km villages, side by side."""
    boxes, codes = [], []
    for kab in range(n_kab):
        for row in range(side):
            for col in range(side):
                x, y = (kab * side + col) * 1000, row * 1000
                boxes.append(shapely.box(x, y, x + 1000, y + 1000))
                codes.append(f"99.{kab + 1:02d}.{row + 1:02d}.{2001 + col}")
    return gpd.GeoDataFrame({"kode": codes}, geometry=boxes, crs="EPSG:32749")


def test_province_scale_finds_a_planted_area_the_former_default_cannot() -> None:
    """2,700 villages in 3 kabupaten, Poisson(5), +15 in a 2x2 block: with one BH family and
    999 permutations nothing can pass (0.001 > 0.10 x k / 2,700 for any k < 27); FDR within
    the kabupaten with enough permutations finds the block and nothing away from it."""
    gdf = kabupaten_grid()
    vw = wm.build_weights(gdf)
    values = pd.Series(np.random.default_rng(0).poisson(5, len(gdf)).astype(float),
                       index=gdf["kode"])  # fmt: skip
    block = [f"99.01.{r:02d}.{2000 + c}" for r in (10, 11) for c in (10, 11)]
    values[block] += 15
    area = set(block) | {j for c in block for j in vw.w.neighbors[c]}

    former = hot_spots(values, vw, seed=1, family="scope", refine=False)
    assert former.hot() == []
    assert former.gi_p.min() == pytest.approx(1 / 1000)
    assert former.method().en.endswith("the smallest p 0.001 is too large for a lone village "
                                       "to reach even 90 % in a group of 2,700")  # fmt: skip

    result = hot_spots(values, vw, seed=1)
    hot = set(result.hot())
    assert set(block) <= hot <= area
    fam = result.families
    assert list(fam.index) == ["99.01", "99.02", "99.03"]
    assert fam["villages"].tolist() == [900, 900, 900]
    assert fam.loc["99.01", "hot"] == len(hot) and fam.loc["99.01", "refined"] >= len(block)
    assert (fam["permutations"] == 89_999).all()
    assert result.n_permutations[result.refined].min() == 89_999
    assert result.table.loc[block, "gi_class"].eq("hot_99").all()
    method = result.method()
    assert "within each kabupaten/kota (3 of them, largest 900 villages)" in method.en
    assert "per kabupaten/kota (3 kabupaten/kota, terbesar 900 desa)" in method.id
    assert "up to 89,999" in method.en and "hingga 89.999" in method.id


def test_second_stage_matches_esda_permutations() -> None:
    """The recomputed p-values follow esda's conditional-permutation null: with as many
    permutations, esda's folded p-values agree within Monte Carlo error."""
    gdf = grid(8)
    vw = wm.build_weights(gdf)
    rng = np.random.default_rng(11)
    values = pd.Series(rng.gamma(2.0, 1.0, vw.n), index=list(vw.codes))
    values[["99.01.03.2003", "99.01.03.2004", "99.01.04.2003"]] += 6
    result = hot_spots(values, vw, seed=3)
    refined = np.flatnonzero(result.refined)
    assert len(refined) >= 3
    perms = int(result.n_permutations[refined][0])
    assert perms == permutations_for(64) == 6_999
    g, m = _esda(result.y, vw.w, vw.w_star, perms, 99)
    for mine, theirs in ((result.gi_p, _folded(np.asarray(g.Gs), g.rGs)),
                         (result.lisa_p, _folded(np.asarray(m.Is), m.rlisas))):  # fmt: skip
        p = theirs[refined]
        tolerance = 5 * np.sqrt(p * (1 - p) / perms) + 3 / perms
        np.testing.assert_array_less(np.abs(mine[refined] - p), tolerance)


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
    # BH with 999 permutations for everyone (the former default): the pseudo-p floor 0.001 is
    # above 0.01 / 250, so no village can reach 99 % unless 25 tie at the floor; with enough
    # permutations for the family the cluster's core does, and nothing away from
    # the cluster is flagged.
    former = hot_spots(incidence, vw, seed=20251, family="scope", refine=False)
    assert not (former.gi_class == "hot_99").any()
    adjusted = hot_spots(incidence, vw, seed=20251)
    assert set(adjusted.hot()) <= ring
    top = set(adjusted.codes[adjusted.gi_class == "hot_99"])
    assert len(top) >= 2 and top & planted_codes
    assert adjusted.table.loc[sorted(top), "refined"].all()
