"""layers/levels.py: clean coverage, gap merging and per-level, per-detail map geometry.

Synthetic cases pin the gap rule (slivers merged into the longest-border neighbour, real
enclaves kept, overlaps resolved, no village emptied); the real Jawa Timur file
(../shared/data/boundaries/jatim, 8,494 villages) is built once for the module and every level
at every detail is held to the raw file's holes and overlaps.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers import levels

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
JATIM = SHARED / "boundaries" / "jatim" / "desa_35_jawa_timur.parquet"
KEYS = [d.key(level) for d in levels.DETAILS.values() for level in d.levels]


# ----------------------------------------------------------------- synthetic


def _areas(geoms: np.ndarray) -> list[float]:
    return [round(float(a), 6) for a in shapely.area(geoms)]


def _holes(geoms: np.ndarray) -> int:
    union = shapely.union_all(geoms)
    return int(shapely.get_num_interior_rings(shapely.get_parts(union)).sum())


def test_sliver_gap_goes_to_the_neighbour_with_the_longest_border() -> None:
    # A | gap 5 m wide | B (lower 600 m) and E (upper 400 m); C and D close the gap above and
    # below, so it is a hole of the union. A shares 1,000 m with it, B 600 m, E 400 m.
    a = shapely.box(0, 0, 1000, 1000)
    b = shapely.box(1005, 0, 2000, 600)
    e = shapely.box(1005, 600, 2000, 1000)
    c = shapely.box(0, 1000, 2000, 1100)
    d = shapely.box(0, -100, 2000, 0)
    out = levels.clean([a, b, e, c, d])
    assert _areas(out) == [1000 * 1000 + 5 * 1000, 995 * 600, 995 * 400, 2000 * 100, 2000 * 100]
    assert shapely.coverage_is_valid(out)
    assert _holes(out) == 0
    assert out[0].covers(shapely.box(1000, 0, 1005, 1000))


def test_narrow_gap_over_a_hectare_is_merged_too() -> None:
    # 5 m x 4 km = 2 ha, but 5 m wide: a sliver, merged whatever its area
    a = shapely.box(0, 0, 4000, 1000)
    b = shapely.box(0, 1005, 4000, 2000)
    left, right = shapely.box(-100, 0, 0, 2000), shapely.box(4000, 0, 4100, 2000)
    out = levels.clean([a, b, left, right])
    assert _holes(out) == 0
    assert round(shapely.area(out).sum()) == round(shapely.area([a, b, left, right]).sum() + 20_000)


def test_real_enclave_hole_is_kept() -> None:
    # four villages around a 300 m x 300 m lake (9 ha, 300 m wide): a hole that stays, while
    # a 2 m sliver east of them (closed above and below) joins the east village (900 m of
    # border, against 500 m and 400 m on its other side)
    lake = shapely.box(300, 300, 600, 600)
    villages = [
        shapely.box(0, 0, 300, 900), shapely.box(600, 0, 900, 900),  # west, east
        shapely.box(300, 0, 600, 300), shapely.box(300, 600, 600, 900),  # south, north
        shapely.box(902, 0, 1200, 500), shapely.box(902, 500, 1200, 900),
        shapely.box(0, 900, 1200, 1000), shapely.box(0, -100, 1200, 0),
    ]  # fmt: skip
    out = levels.clean(villages)
    union = shapely.union_all(out)
    assert shapely.get_num_interior_rings(union) == 1
    assert shapely.Polygon(union.interiors[0]).equals(lake)
    assert shapely.area(out[1]) == pytest.approx(300 * 900 + 2 * 900)
    others = [0, 2, 3, 4, 5]
    assert _areas(out[others]) == _areas(np.asarray(villages, dtype=object)[others])
    assert shapely.coverage_is_valid(out)


def test_merge_gaps_keeps_a_wide_hole_and_honours_the_thresholds() -> None:
    ring = [shapely.box(0, 0, 100, 300), shapely.box(200, 0, 300, 300),
            shapely.box(100, 0, 200, 100), shapely.box(100, 200, 200, 300)]  # fmt: skip
    # the hole is 100 m x 100 m = 1 ha, 100 m wide
    kept = levels.merge_gaps(np.asarray(ring, dtype=object))
    assert _holes(kept) == 1
    merged = levels.merge_gaps(np.asarray(ring, dtype=object), min_area_m2=20_000.0)
    assert _holes(merged) == 0
    assert shapely.area(merged).sum() == pytest.approx(90_000)


def test_gaps_found_block_by_block_are_the_same_as_at_once() -> None:
    # a 12 x 12 grid of 100 m villages, every third one 2 m short on its east side (slivers,
    # some joined into longer gaps, those on the grid's edge open to the outside), and a
    # 300 m lake in the middle holding a 20 m island village (its shore has no sliver)
    cells = []
    for i in range(12):
        for j in range(12):
            if 5 <= i <= 7 and 5 <= j <= 7:
                continue  # the lake
            near_lake = 4 <= i <= 8 and 4 <= j <= 8
            short = 2 if (i + j) % 3 == 0 and not near_lake else 0
            cells.append(shapely.box(i * 100, j * 100, i * 100 + 100 - short, j * 100 + 100))
    cells.append(shapely.box(640, 640, 660, 660))
    coverage = shapely.coverage_clean(np.asarray(cells, dtype=object))
    at_once = levels.find_gaps(coverage, block=10_000)
    blocks = levels.find_gaps(coverage, block=7)
    assert len(at_once) > 20
    assert sorted(_areas(blocks)) == sorted(_areas(at_once))
    lake = [g for g in blocks if shapely.area(g) > 10_000]
    assert len(lake) == 1 and shapely.area(lake[0]) == pytest.approx(300 * 300 - 20 * 20)
    assert not lake[0].intersects(shapely.Point(650, 650))


def test_overlaps_are_resolved_and_no_village_is_emptied() -> None:
    a, b = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)
    inside = shapely.box(9, 2, 11, 8)  # wholly inside a and b: coverage_clean empties it
    assert shapely.is_empty(shapely.coverage_clean([a, b, inside])[2])
    out = levels.clean([a, b, inside])
    assert not shapely.is_empty(out).any()
    assert _areas(out) == [94.0, 94.0, 12.0]
    assert shapely.coverage_is_valid(out)


def test_invalid_and_missing_inputs() -> None:
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10), (0, 0)])
    assert not bowtie.is_valid
    out = levels.clean([bowtie, None, shapely.box(10, 0, 20, 10)])
    assert out[1] is None
    assert shapely.is_valid(out[[0, 2]]).all()
    assert shapely.area(out[0]) == pytest.approx(50.0)


def test_zoom_and_details() -> None:
    assert levels.metres_per_pixel(0) == pytest.approx(156_543.03, rel=1e-6)
    assert levels.metres_per_pixel(8) == pytest.approx(611.5, rel=1e-3)
    assert [levels.detail_for_zoom(z).name for z in (3, 6, 7, 8, 9, 12, 13, 18)] == [
        "nasional", "nasional", "rendah", "rendah", "sedang", "sedang", "tinggi", "tinggi"]
    zooms = sorted((d.min_zoom, d.max_zoom) for d in levels.DETAILS.values())
    assert all(lo[1] + 1 == hi[0] for lo, hi in zip(zooms, zooms[1:], strict=False))
    # a tolerance never exceeds ~1.5 pixels at the coarsest zoom of its range
    for detail in levels.DETAILS.values():
        assert detail.tolerance_m <= 1.5 * levels.metres_per_pixel(detail.min_zoom)


def test_build_levels_small_frame_codes_and_names() -> None:
    frame = gpd.GeoDataFrame(
        {"kode": ["3510012001", "3510012002", "3510022001", "3511012001"],
         "nama_kec": ["Satu", "Satu", "Dua", "Tiga"], "nama_kab": ["A", "A", "A", "B"]},
        geometry=[shapely.box(114.0, -8.0, 114.1, -7.9), shapely.box(114.1, -8.0, 114.2, -7.9),
                  shapely.box(114.2, -8.0, 114.3, -7.9), shapely.box(114.0, -7.9, 114.3, -7.8)],
        crs=4326,
    )  # fmt: skip
    out = levels.build_levels(frame)
    assert sorted(out) == sorted(KEYS)
    assert out["desa-sedang"]["kode"].tolist() == frame["kode"].tolist()
    kec = out["kec-sedang"]
    assert kec["kode"].tolist() == ["35.10.01", "35.10.02", "35.11.01"]
    assert kec["nama"].tolist() == ["Satu", "Dua", "Tiga"]
    assert kec["induk"].tolist() == ["35.10", "35.10", "35.11"]
    assert kec["jumlah_desa"].tolist() == [2, 1, 1]
    assert out["prov-nasional"]["kode"].tolist() == ["35"]
    assert out["prov-nasional"]["induk"].tolist() == [None]
    assert out["kab-rendah"]["nama"].tolist() == ["A", "B"]
    assert out["prov-rendah"].crs.to_epsg() == 4326


# ----------------------------------------------------------------- Jawa Timur


@pytest.fixture(scope="module")
def raw() -> gpd.GeoDataFrame:
    if not JATIM.exists():
        pytest.fail(f"shared boundary file missing: {JATIM} (see ../shared/data/README.md)")
    return gpd.read_parquet(JATIM)


@pytest.fixture(scope="module")
def built(raw: gpd.GeoDataFrame) -> tuple[dict[str, gpd.GeoDataFrame], levels.Defects]:
    """The levels and the raw file's defects, measured side by side (GEOS releases the GIL:
    the raw union, ~35 s, runs while the levels are built)."""
    with ThreadPoolExecutor(1) as pool:
        raw_defects = pool.submit(levels.defects, raw.geometry)
        built = levels.build_levels(raw)
        return built, raw_defects.result()


@pytest.fixture(scope="module")
def measured(built: tuple[dict[str, gpd.GeoDataFrame], levels.Defects]
             ) -> dict[str, levels.Defects]:  # fmt: skip
    return {key: levels.defects(frame.geometry) for key, frame in built[0].items()}


def test_raw_file_is_what_the_docs_say(built: tuple[dict, levels.Defects]) -> None:
    raw = built[1]
    assert not raw.coverage
    assert raw.holes > 30_000 and raw.holes_1ha == 3
    assert 20e6 < raw.overlap_m2 < 30e6  # "overlap by ~24 km² in total"


@pytest.mark.parametrize("key", KEYS)
def test_no_new_holes_or_overlaps(key: str, built: tuple[dict, levels.Defects],
                                  measured: dict[str, levels.Defects]) -> None:  # fmt: skip
    raw, got = built[1], measured[key]
    assert got.holes_1ha <= raw.holes_1ha
    assert got.holes_1ha_m2 <= raw.holes_1ha_m2
    assert got.holes_m2 <= raw.holes_m2
    assert got.overlap_m2 <= raw.overlap_m2
    # stronger: an exact coverage with no gap left at all
    assert got.coverage
    assert got.holes == 0 and got.overlap_m2 == 0.0


@pytest.mark.parametrize("detail", [d.name for d in levels.DETAILS.values() if "desa" in d.levels])
def test_every_village_kept_valid_and_in_order(
    detail: str, raw: gpd.GeoDataFrame, built: tuple[dict, levels.Defects]
) -> None:
    desa = built[0][f"desa-{detail}"]
    assert desa["kode_desa"].tolist() == raw["kode_desa"].tolist()
    geoms = np.asarray(desa.geometry.values, dtype=object)
    assert not (shapely.is_missing(geoms) | shapely.is_empty(geoms)).any()
    assert shapely.is_valid(geoms).all()
    assert np.isin(shapely.get_type_id(geoms), (3, 6)).all()
    assert desa.crs.to_epsg() == 4326
    # the total area stays the raw file's, less its overlaps, plus its gaps (within 0.5 %)
    area = shapely.area(desa.to_crs(levels.EQUAL_AREA_CRS).geometry.values).sum()
    raw_area = shapely.area(raw.to_crs(levels.EQUAL_AREA_CRS).geometry.values).sum()
    assert area == pytest.approx(raw_area, rel=5e-3)


@pytest.mark.parametrize("key", [k for k in KEYS if not k.startswith("desa-")])
def test_regions_are_their_members_union(
    key: str, raw: gpd.GeoDataFrame, built: tuple[dict, levels.Defects]
) -> None:
    frames = built[0]
    level, detail = key.split("-")
    region = frames[key]
    length = levels.CODE_LENGTH[level]
    assert region["kode"].tolist() == sorted(raw["kode_desa"].str.slice(0, length).unique())
    assert int(region["jumlah_desa"].sum()) == len(raw)
    geoms = np.asarray(region.geometry.values, dtype=object)
    assert shapely.is_valid(geoms).all() and not shapely.is_empty(geoms).any()
    below = levels.LEVELS[levels.LEVELS.index(level) + 1]
    lower = frames.get(f"{below}-{detail}")
    if lower is None:  # the lowest level of its detail, simplified on its own
        whole = shapely.area(frames["desa-tinggi"].geometry.values).sum()
        assert shapely.area(geoms).sum() == pytest.approx(whole, rel=0.02)
        return
    code = (lower["kode_desa"] if below == "desa" else lower["kode"]).str.slice(0, length)
    at = np.searchsorted(region["kode"].to_numpy(), code.to_numpy())
    members = np.asarray(lower.geometry.values, dtype=object)
    # same area as its members together, covering each of them ...
    summed = np.bincount(at, weights=shapely.area(members), minlength=len(region))
    np.testing.assert_allclose(shapely.area(geoms), summed, rtol=1e-9)
    assert shapely.covers(geoms[at], shapely.point_on_surface(members)).all()
    # ... and no vertex that is not one of its members': the edges coincide exactly
    outline, of = shapely.get_coordinates(geoms, return_index=True)
    inner, by = shapely.get_coordinates(members, return_index=True)
    known = set(zip(at[by].tolist(), inner[:, 0].tolist(), inner[:, 1].tolist(), strict=True))
    assert set(zip(of.tolist(), outline[:, 0].tolist(), outline[:, 1].tolist(),
                   strict=True)) <= known  # fmt: skip


def test_rendah_vertices_within_budget(raw: gpd.GeoDataFrame,
                                       built: tuple[dict, levels.Defects]) -> None:  # fmt: skip
    frames = built[0]
    rendah = levels.vertex_count(frames["desa-rendah"].geometry)
    assert rendah <= levels.RENDAH_VERTICES_PER_VILLAGE * len(raw)
    counts = [levels.vertex_count(frames[f"desa-{d}"].geometry)
              for d in ("rendah", "sedang", "tinggi")]  # fmt: skip
    assert counts == sorted(counts)
    assert counts[-1] < levels.vertex_count(raw.geometry) * 1.1
    assert levels.vertex_count(frames["kab-nasional"].geometry) < levels.vertex_count(
        frames["kab-rendah"].geometry)
