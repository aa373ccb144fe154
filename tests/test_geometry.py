"""layers/geometry.py: coverage simplification, rounding, encoding and bounds."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geobuf
import geopandas as gpd
import numpy as np
import pytest
import shapely

from layers import geometry

REPO = Path(__file__).resolve().parents[1]
DEMO_DESA = REPO / "data" / "geo" / "demo_9901" / "desa.geojson"
BELITUNG_TIMUR = (
    REPO.parent / "shared" / "data" / "boundaries" / "desa_1906_belitung_timur.geojson"
)


@pytest.fixture(scope="module")
def demo() -> gpd.GeoDataFrame:
    return gpd.read_file(DEMO_DESA)


@pytest.fixture(scope="module")
def real() -> gpd.GeoDataFrame:
    return gpd.read_file(BELITUNG_TIMUR)


def _coords(geom_json: dict) -> list[tuple[float, float]]:
    """Every (x, y) pair of a GeoJSON Polygon/MultiPolygon/Point mapping."""
    out: list[tuple[float, float]] = []

    def walk(node: object) -> None:
        if isinstance(node, list | tuple) and node and isinstance(node[0], int | float):
            out.append((float(node[0]), float(node[1])))
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(geom_json["coordinates"])
    return out


# ----------------------------------------------------------------- simplify_coverage


def test_demo_is_an_exact_coverage(demo: gpd.GeoDataFrame) -> None:
    # precondition of the coverage tests below
    assert len(demo) == 250
    assert shapely.coverage_is_valid(demo.geometry.values)


@pytest.mark.parametrize("detail", ["rendah", "sedang", "tinggi"])
def test_simplify_keeps_coverage_and_reduces_vertices(
    demo: gpd.GeoDataFrame, detail: str
) -> None:
    tolerance = geometry.DETAIL_TOLERANCE_M[detail]
    out = geometry.simplify_coverage(demo, tolerance)
    assert len(out) == len(demo)
    assert list(out["kode_desa"]) == list(demo["kode_desa"])
    assert out.crs == demo.crs
    assert shapely.coverage_is_valid(out.geometry.values)
    assert out.is_valid.all()
    before = int(shapely.get_num_coordinates(demo.geometry.values).sum())
    after = int(shapely.get_num_coordinates(out.geometry.values).sum())
    assert geometry.vertex_count(demo) == before
    assert after < before
    # the input frame is not modified
    assert int(shapely.get_num_coordinates(demo.geometry.values).sum()) == before


@pytest.mark.parametrize(("detail", "max_change"), [("sedang", 0.03), ("tinggi", 0.005)])
def test_simplify_keeps_each_village_area(
    demo: gpd.GeoDataFrame, detail: str, max_change: float
) -> None:
    out = geometry.simplify_coverage(demo, geometry.DETAIL_TOLERANCE_M[detail])
    utm = demo.estimate_utm_crs()
    a0 = demo.to_crs(utm).area.to_numpy()
    a1 = out.to_crs(utm).area.to_numpy()
    assert np.all(a0 > 0)
    assert np.max(np.abs(a1 / a0 - 1)) < max_change
    # the district as a whole keeps its area too (no gaps opened between neighbours)
    assert abs(a1.sum() / a0.sum() - 1) < 0.001


def test_simplify_coarser_detail_has_fewer_vertices(demo: gpd.GeoDataFrame) -> None:
    counts = [
        geometry.vertex_count(geometry.simplify_coverage(demo, geometry.DETAIL_TOLERANCE_M[d]))
        for d in ("tinggi", "sedang", "rendah")
    ]
    assert counts[0] > counts[1] > counts[2]


def test_simplify_none_tolerance_and_empty(demo: gpd.GeoDataFrame) -> None:
    same = geometry.simplify_coverage(demo, None)
    assert geometry.vertex_count(same) == geometry.vertex_count(demo)
    empty = demo.iloc[0:0]
    assert geometry.simplify_coverage(empty, 50.0).empty


def test_simplify_real_non_coverage_file(real: gpd.GeoDataFrame) -> None:
    assert not shapely.coverage_is_valid(real.geometry.values)  # precondition: not exact
    for detail in ("rendah", "sedang"):
        out = geometry.simplify_coverage(real, geometry.DETAIL_TOLERANCE_M[detail])
        assert len(out) == len(real)
        assert list(out["kode_desa"]) == list(real["kode_desa"])
        assert out.is_valid.all()
        assert not out.is_empty.any()
        assert set(out.geom_type) <= {"Polygon", "MultiPolygon"}
        assert geometry.vertex_count(out) < geometry.vertex_count(real)
        collection = geometry.feature_collection(
            out, ["kode_desa"], geometry.DETAIL_PRECISION[detail]
        )
        assert len(collection["features"]) == len(real)


# ---------------------------------------------------------------- feature_collection


@pytest.mark.parametrize("precision", [3, 5])
def test_feature_collection_rounds_and_keeps_properties(
    demo: gpd.GeoDataFrame, precision: int
) -> None:
    subset = demo.iloc[:20].assign(nomor=np.arange(20, dtype=np.int64))
    fc = geometry.feature_collection(subset, ["kode_desa", "nama_desa", "nomor"], precision)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 20
    scale = 10**precision
    for i, (feature, (_, row)) in enumerate(zip(fc["features"], subset.iterrows(), strict=True)):
        assert feature["type"] == "Feature"
        assert feature["properties"] == {
            "kode_desa": row["kode_desa"], "nama_desa": row["nama_desa"], "nomor": i,
        }
        assert type(feature["properties"]["nomor"]) is int  # plain, JSON-serialisable
        coords = _coords(feature["geometry"])
        assert coords
        for x, y in coords:
            assert abs(x * scale - round(x * scale)) < 1e-6
            assert abs(y * scale - round(y * scale)) < 1e-6
        # rounding moves the outline by at most half a unit of the last decimal
        original = row.geometry
        rounded = shapely.geometry.shape(feature["geometry"])
        assert shapely.hausdorff_distance(original, rounded) <= 0.5 / scale * math.sqrt(2) + 1e-9
    json.dumps(fc)  # serialisable as is


def test_feature_collection_of_points() -> None:
    points = gpd.GeoDataFrame(
        {"nama": ["A", "B"], "n": np.array([1, 2], dtype=np.int32)},
        geometry=gpd.points_from_xy([110.123456789, 111.5], [-5.987654321, -6.0]),
        crs=4326,
    )
    fc = geometry.feature_collection(points, ["nama"], 4)
    assert [f["properties"] for f in fc["features"]] == [{"nama": "A"}, {"nama": "B"}]
    x, y = fc["features"][0]["geometry"]["coordinates"]
    assert x == pytest.approx(110.1235, abs=1e-9)
    assert y == pytest.approx(-5.9877, abs=1e-9)


# -------------------------------------------------------------------------- encode


def test_encode_geobuf_roundtrip(demo: gpd.GeoDataFrame) -> None:
    precision = 5
    simplified = geometry.simplify_coverage(demo, 50.0)
    fc = geometry.feature_collection(simplified, ["kode_desa", "nama_desa"], precision)
    body = geometry.encode(fc, "geobuf", precision)
    assert isinstance(body, bytes)
    decoded = geobuf.decode(body)
    assert len(decoded["features"]) == len(fc["features"]) == len(demo)
    for got, want in zip(decoded["features"], fc["features"], strict=True):
        assert got["properties"] == want["properties"]
        assert got["geometry"]["type"] == want["geometry"]["type"]
        a, b = _coords(got["geometry"]), _coords(want["geometry"])
        assert len(a) == len(b)
        assert np.allclose(np.array(a), np.array(b), atol=10**-precision / 2, rtol=0)
    # geobuf is the compact one
    assert len(body) < len(geometry.encode(fc, "geojson", precision))


def test_encode_geojson_roundtrip(demo: gpd.GeoDataFrame) -> None:
    fc = geometry.feature_collection(demo.iloc[:5], ["kode_desa", "nama_desa"], 5)
    body = geometry.encode(fc, "geojson", 5)
    assert b" " not in body.split(b'"nama_desa"')[0]  # compact separators
    assert json.loads(body) == json.loads(json.dumps(fc))


# -------------------------------------------------------------------------- bounds


def test_bounds_orientation(demo: gpd.GeoDataFrame) -> None:
    xs, ys = [], []
    for geom in demo.geometry:
        c = shapely.get_coordinates(geom)
        xs.extend(c[:, 0])
        ys.extend(c[:, 1])
    (south, west), (north, east) = geometry.bounds(demo)
    assert (south, west, north, east) == (min(ys), min(xs), max(ys), max(xs))
    # the demo lies south of the equator and east of Greenwich: a swap would show here
    assert south < north < 0 < west < east


def test_bounds_empty(demo: gpd.GeoDataFrame) -> None:
    assert geometry.bounds(demo.iloc[0:0]) is None


def test_rounding_never_returns_invalid_polygons() -> None:
    # a valid polygon with a narrow slot whose bottom (y = 0.000004) rounds onto the
    # polygon's own bottom edge at 5 decimals: the rounded ring touches itself
    spike = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1.000006, 1), (1.000006, 0.000004),
                             (0.999996, 0.000004), (0.999996, 1), (0, 1)])  # fmt: skip
    assert spike.is_valid
    assert not shapely.set_precision(spike, 1e-5, mode="pointwise").is_valid
    frame = gpd.GeoDataFrame({"kode": ["a"]}, geometry=[spike], crs=4326)
    collection = geometry.feature_collection(frame, ["kode"], 5)
    shape = shapely.geometry.shape(collection["features"][0]["geometry"])
    assert shape.is_valid
    assert abs(shape.area - spike.area) < 1e-4


@pytest.mark.parametrize("fmt", ["geojson", "geobuf"])
def test_an_invalid_polygon_is_served_valid(fmt: str) -> None:
    # a ring crossing itself (a bow tie): what a simplified village can become after
    # reprojection; served as it came, the browser gets an invalid polygon
    bowtie = shapely.Polygon([(0, 0), (0.02, 0.02), (0.02, 0), (0, 0.02)])
    assert not bowtie.is_valid
    frame = gpd.GeoDataFrame({"kode": ["a", "b"]}, crs=4326,
                             geometry=[bowtie, shapely.box(1, 1, 1.01, 1.01)])  # fmt: skip
    body = geometry.encode(geometry.feature_collection(frame, ["kode"], 4), fmt, 4)
    decoded = geobuf.decode(body) if fmt == "geobuf" else json.loads(body)
    shapes = [shapely.geometry.shape(f["geometry"]) for f in decoded["features"]]
    assert [f["properties"]["kode"] for f in decoded["features"]] == ["a", "b"]
    assert all(shape.is_valid for shape in shapes)
    # both triangles of the bow tie are kept
    assert shapes[0].area == pytest.approx(2 * 0.02 * 0.01 / 2, rel=1e-3)


@pytest.mark.parametrize("fmt", ["geojson", "geobuf"])
def test_a_village_thinner_than_the_grid_is_kept_valid(fmt: str) -> None:
    # Jawa Timur's 35.26.02.2007 at ``rendah``: coverage_simplify left a sliver ~1.6 km
    # long and less than a metre wide, which rounding at 4 decimals collapses
    sliver = shapely.Polygon([(112.6867035, -7.0893692), (112.7011310, -7.0928608),
                              (112.7011301, -7.0928649)])  # fmt: skip
    assert sliver.is_valid
    assert shapely.set_precision(sliver, 1e-4).is_empty
    frame = gpd.GeoDataFrame({"kode": ["a"]}, geometry=[sliver], crs=4326)
    body = geometry.encode(geometry.feature_collection(frame, ["kode"], 4), fmt, 4)
    decoded = geobuf.decode(body) if fmt == "geobuf" else json.loads(body)
    assert [f["properties"]["kode"] for f in decoded["features"]] == ["a"]
    shape = shapely.geometry.shape(decoded["features"][0]["geometry"])
    assert shape.is_valid and shape.area > 0
    assert shape.covers(sliver)  # where the village is, one grid cell wide


def test_outlines_that_trip_coverage_simplify_still_simplify() -> None:
    # Kota Madiun's kecamatan, dissolved from the real (non-coverage) villages, make GEOS'
    # coverage simplifier fail ("point array must contain 0 or >1 elements")
    villages = gpd.read_parquet(
        Path(__file__).resolve().parents[1].parent / "shared" / "data" / "boundaries"
        / "jatim" / "desa_35_jawa_timur.parquet", filters=[("kode_kab", "==", "35.77")]
    )  # fmt: skip
    kec = villages.dissolve("kode_kec").reset_index()
    metric = kec.to_crs(kec.estimate_utm_crs())
    with pytest.raises(shapely.errors.GEOSException):
        shapely.coverage_simplify(metric.geometry.values, 50.0)
    out = geometry.simplify_coverage(kec, 50.0)
    assert len(out) == len(kec) == 3
    assert shapely.is_valid(out.geometry.values).all()
    assert geometry.vertex_count(out) < geometry.vertex_count(kec)


def test_bounds_of_plain_geometries_skip_missing_ones() -> None:
    boxes = [shapely.box(110, -8, 111, -7), None, shapely.box(112, -9, 112.5, -8.5)]
    assert geometry.bounds(boxes) == [[-9.0, 110.0], [-7.0, 112.5]]
    assert geometry.bounds(gpd.GeoSeries(boxes)) == [[-9.0, 110.0], [-7.0, 112.5]]
    assert geometry.bounds([]) is None
    assert geometry.bounds([None, None]) is None
