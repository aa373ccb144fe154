"""Village contiguity weights: real boundaries, islands, symmetry, row standardisation, cache."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers.diarrhoea import weights as wm

BANYUWANGI = (
    Path(__file__).resolve().parents[2].parent
    / "shared" / "data" / "boundaries" / "desa_3510_banyuwangi.geojson"
)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    wm.warm_up()


def grid(n: int, gap: float = 0.0, crs: str = "EPSG:32749") -> gpd.GeoDataFrame:
    """n x n square villages of 1 km, optionally separated by a sliver gap (metres)."""
    boxes, codes = [], []
    for row in range(n):
        for col in range(n):
            x, y = col * (1000 + gap), row * (1000 + gap)
            boxes.append(shapely.box(x, y, x + 1000, y + 1000))
            codes.append(f"99.01.{row + 1:02d}.{2001 + col}")
    return gpd.GeoDataFrame({"kode": codes}, geometry=boxes, crs=crs)


def assert_symmetric(w) -> None:
    binary = (w.sparse != 0).astype(int)
    assert (binary != binary.T).nnz == 0


def test_grid_is_queen_and_row_standardised() -> None:
    vw = wm.build_weights(grid(4))
    w = vw.w
    assert vw.codes == tuple(sorted(vw.codes))
    assert w.transform == "R"
    assert w.cardinalities["99.01.01.2001"] == 3  # corner: two edges and a diagonal
    assert w.cardinalities["99.01.02.2002"] == 8
    np.testing.assert_allclose(np.asarray(w.sparse.sum(axis=1)).ravel(), 1.0)
    assert_symmetric(w)


def test_slivers_below_tolerance_still_neighbours() -> None:
    assert wm.build_weights(grid(3, gap=3.0)).w.cardinalities["99.01.02.2002"] == 8
    assert "99.01.02.2002" in wm.build_weights(grid(3, gap=30.0)).islands


def test_islands_get_nearest_neighbours() -> None:
    gdf = grid(3, gap=30.0)  # 30 m apart: nobody is contiguous at 5 m
    vw = wm.build_weights(gdf, island_k=2)
    assert len(vw.islands) == 9
    assert min(vw.w.cardinalities.values()) >= 2
    assert not vw.w.islands
    assert_symmetric(vw.w)


def test_gi_star_weights_include_self() -> None:
    star = wm.build_weights(grid(3)).w_star
    row = dict(zip(star.neighbors["99.01.02.2002"], star.weights["99.01.02.2002"], strict=True))
    assert set(row) == {f"99.01.{r:02d}.{c}" for r in (1, 2, 3) for c in (2001, 2002, 2003)}
    np.testing.assert_allclose(list(row.values()), 1 / 9)


def test_cache_returns_same_object_per_version_and_codes() -> None:
    wm.clear_cache()
    gdf = grid(3)
    first = wm.village_weights(gdf, "v1")
    assert wm.village_weights(gdf.iloc[::-1], "v1") is first  # order does not matter
    assert wm.cached("v1", gdf["kode"]) is first
    assert wm.village_weights(gdf, "v2") is not first  # boundaries reloaded
    assert wm.village_weights(gdf.iloc[:8], "v1") is not first  # another village set


def test_real_banyuwangi_every_village_has_a_neighbour_and_is_symmetric() -> None:
    gdf = gpd.read_file(BANYUWANGI)
    assert not shapely.coverage_is_valid(gdf.geometry.values)  # the premise
    vw = wm.build_weights(gdf, code_column="kode_desa")
    w = vw.w
    assert w.n == len(gdf)
    assert min(w.cardinalities.values()) >= 1
    assert not w.islands
    assert_symmetric(w)
    np.testing.assert_allclose(np.asarray(w.sparse.sum(axis=1)).ravel(), 1.0)
    # fuzzy contiguity finds every exact-Queen pair, and more
    from libpysal.weights import Queen

    queen = Queen.from_dataframe(gdf, ids=gdf["kode_desa"].tolist(), use_index=False,
                                 silence_warnings=True)  # fmt: skip
    for code, nbs in queen.neighbors.items():
        assert set(nbs) <= set(w.neighbors[code])
