"""Access: UTM zones and hemispheres, populated points, nearest distances and coverage,
against hand-computed cases and WGS84 geodesics (pyproj.Geod)."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import shapely
from scipy import sparse

from layers.pustu import access

GEOD = pyproj.Geod(ellps="WGS84")
#: UTM distances agree with the geodesic to within the zone's scale error (≤ 0.1 %)
REL = 1.5e-3


def geodesic(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


# --------------------------------------------------------------------------- zones


def test_zones_cover_indonesia_with_both_hemispheres() -> None:
    lon = [95.3, 101.4, 107.999, 108.0, 114.37, 117.1, 124.8, 140.7]
    lat = [5.5, 0.5, -6.9, -6.9, -8.2, 0.5, 1.5, -2.5]
    assert access.utm_zone(lon).tolist() == [46, 47, 48, 49, 50, 50, 51, 54]
    assert access.utm_epsg(lon, lat).tolist() == [32646, 32647, 32748, 32749, 32750, 32650,
                                                  32651, 32754]
    # on the equator: north; a missing coordinate: no zone
    assert access.utm_epsg([110.0, np.nan, 110.0], [0.0, 1.0, np.nan]).tolist() == [
        32649, 0, 0]


def test_villages_either_side_of_a_zone_edge_measure_in_their_own_zone() -> None:
    # 108°E is the edge between zones 48 and 49; one Pustu on the edge
    west, east, pustu = (107.995, -6.5), (108.005, -6.5), (108.0, -6.5)
    points = np.array([west, east])
    assert access.utm_epsg(points[:, 0], points[:, 1]).tolist() == [32748, 32749]
    d, j = access.nearest(points, [pustu])
    assert j.tolist() == [0, 0]
    for got, village in zip(d, (west, east), strict=True):
        assert got == pytest.approx(geodesic(village, pustu), rel=REL)
    # both ≈ 553 m (0.005° of longitude at 6.5° S): a 550 m radius covers neither, 560 m both
    assert d == pytest.approx([553.0, 553.0], abs=2.0)
    assert access.coverage(points, [pustu], 550.0).nnz == 0
    assert access.coverage(points, [pustu], 560.0).toarray().ravel().tolist() == [True, True]


def test_villages_either_side_of_the_equator_use_their_hemisphere() -> None:
    north, south, pustu = (117.0, 0.004), (117.0, -0.004), (117.0, 0.0)
    points = np.array([north, south])
    assert access.utm_epsg(points[:, 0], points[:, 1]).tolist() == [32650, 32750]
    d, _ = access.nearest(points, [pustu])
    assert d == pytest.approx([geodesic(north, pustu), geodesic(south, pustu)], rel=REL)
    # the two villages are 0.008° of latitude apart (≈ 885 m), measured across the equator
    d2, _ = access.nearest([north], [south])
    assert d2[0] == pytest.approx(geodesic(north, south), rel=REL)


def test_a_wrong_zone_would_be_measurably_wrong() -> None:
    # far from its own zone (a zone-47 projection at 114°E) the scale error is ~1 %: the
    # per-village zone matters
    a, b = (114.3, -8.2), (114.4, -8.2)
    own, _ = access.nearest([a], [b])
    wrong, _ = access.nearest([a], [b], epsg=[32747])
    assert own[0] == pytest.approx(geodesic(a, b), rel=REL)
    assert abs(wrong[0] / geodesic(a, b) - 1) > 0.005


# --------------------------------------------------------------------------- points


def test_multi_island_village_is_represented_on_its_largest_island() -> None:
    small = shapely.box(114.00, -8.00, 114.01, -7.99)  # the island with the Pustu
    large = shapely.box(114.10, -8.05, 114.16, -7.99)
    village = shapely.MultiPolygon([small, large])
    point = access.populated_points([village])
    assert point["sumber"].tolist() == ["pusat"]
    assert (point.loc[0, "lon"], point.loc[0, "lat"]) == pytest.approx((114.13, -8.02))
    pustu = (114.005, -7.995)
    d, _ = access.nearest(point[["lon", "lat"]].to_numpy(), [pustu])
    assert d[0] == pytest.approx(geodesic((114.13, -8.02), pustu), rel=REL)
    assert d[0] > 13_000  # not the few hundred metres of a point on the small island


def test_village_whose_centroid_lies_outside_it_gets_a_point_inside() -> None:
    # a U: the centroid falls in the gap between the arms
    u = shapely.Polygon([(110.0, -7.0), (110.03, -7.0), (110.03, -6.97), (110.02, -6.97),
                         (110.02, -6.99), (110.01, -6.99), (110.01, -6.97), (110.0, -6.97)])
    assert not u.contains(u.centroid)
    point = access.populated_points([shapely.MultiPolygon([u])])
    assert point["sumber"].tolist() == ["permukaan"]
    assert u.contains(shapely.Point(point.loc[0, "lon"], point.loc[0, "lat"]))


def test_given_points_are_used_inside_or_near_their_village_only() -> None:
    box = shapely.box(110.0, -7.0, 110.02, -6.98)
    geoms = [box, box, box, None]
    lon = [110.002, 110.0205, 111.0, 110.01]  # inside, 55 m outside, far outside, no village
    lat = [-6.998, -6.99, -6.99, -6.99]
    points = access.populated_points(geoms, lon, lat)
    assert points["sumber"].tolist() == ["diberikan", "diberikan", "pusat", "kosong"]
    assert points.loc[0, ["lon", "lat"]].tolist() == [110.002, -6.998]
    assert points.loc[2, ["lon", "lat"]].tolist() == pytest.approx([110.01, -6.99])
    assert points.loc[3, ["lon", "lat"]].isna().all()


def test_points_from_a_projected_geoseries_are_read_in_degrees() -> None:
    import geopandas as gpd

    pts = gpd.GeoSeries([shapely.Point(114.3, -8.2), None], crs="EPSG:4326")
    assert access.lonlat(pts.to_crs("EPSG:32750")) == pytest.approx(
        np.array([[114.3, -8.2], [np.nan, np.nan]]), nan_ok=True)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        access.lonlat([1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- distances


def test_missing_points_and_missing_targets() -> None:
    d, j = access.nearest([[110.0, -7.0], [np.nan, np.nan]], np.empty((0, 2)))
    assert np.isinf(d[0]) and np.isnan(d[1]) and j.tolist() == [-1, -1]
    cov = access.coverage([[110.0, -7.0], [np.nan, np.nan]],
                          [[110.0, -7.0], [np.nan, -7.0]], 10.0)
    assert cov.shape == (2, 2) and cov.toarray().tolist() == [[True, False], [False, False]]
    assert access.coverage([[110.0, -7.0]], np.empty((0, 2)), 5000.0).shape == (1, 0)
    with pytest.raises(ValueError, match="distance_m"):
        access.coverage([[110.0, -7.0]], [[110.0, -7.0]], -1.0)
    with pytest.raises(ValueError, match="zones"):
        access.nearest([[110.0, -7.0]], [[110.0, -7.0]], epsg=[32749, 32750])


def test_coverage_is_inclusive_and_keeps_distance_zero() -> None:
    villages = [[110.0, 0.0], [110.009, 0.0], [110.018, 0.0]]
    sites = [[110.0, 0.0], [110.018, 0.0]]
    i, j, d = access.pairs_within(villages, sites, 2100.0)
    assert list(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 0), (1, 1),
                                                              (2, 0), (2, 1)]
    assert d[0] == 0.0 and d[-1] == 0.0
    exact = float(d[1])  # 0.018° on the equator in zone 49
    assert exact == pytest.approx(geodesic((110.0, 0.0), (110.018, 0.0)), rel=REL)
    assert access.coverage(villages, sites, exact)[0, 1]
    assert not access.coverage(villages, sites, exact - 0.01)[0, 1]
    cov = access.coverage(villages, sites, 1100.0)
    assert isinstance(cov, sparse.csr_matrix) and cov.dtype == bool
    assert cov.toarray().astype(int).tolist() == [[1, 0], [1, 1], [0, 1]]


def test_coverage_matches_geodesics_across_the_banyuwangi_zone_edge() -> None:
    # Banyuwangi straddles 114°E (zones 49 | 50): random villages and sites on both sides
    rng = np.random.default_rng(7)
    villages = np.column_stack([rng.uniform(113.9, 114.1, 120), rng.uniform(-8.3, -8.1, 120)])
    sites = np.column_stack([rng.uniform(113.9, 114.1, 40), rng.uniform(-8.3, -8.1, 40)])
    zones = access.utm_epsg(villages[:, 0], villages[:, 1])
    assert set(zones.tolist()) == {32749, 32750}
    radius = 5000.0
    cov = access.coverage(villages, sites, radius).toarray()
    lon1, lat1 = np.repeat(villages, len(sites), axis=0).T
    lon2, lat2 = np.tile(sites, (len(villages), 1)).T
    true = GEOD.inv(lon1, lat1, lon2, lat2)[2].reshape(len(villages), len(sites))
    sure_in, sure_out = true < radius * (1 - REL), true > radius * (1 + REL)
    assert cov[sure_in].all() and not cov[sure_out].any()
    assert sure_in.sum() > 200 and sure_out.sum() > 2000  # both sides are really tested
    d, j = access.nearest(villages, sites)
    assert d == pytest.approx(true.min(axis=1), rel=REL)
    assert (true[np.arange(len(villages)), j] <= true.min(axis=1) * (1 + REL)).all()
