"""Villages of unknown kind (a code's 7th digit of 3) and the national-scale helpers.

Real codes such as ``91.03.01.3007`` (a *Desa Adat* of Jayapura, ../shared/data/README.md §5)
are neither desa (2) nor kelurahan (1): every place that reads a village code takes them
(``jenis`` NULL) and every place that shows ``jenis`` copes with NULL. Also the vectorised
dissolve (:mod:`layers.store.regions`) and geometry encoding (:mod:`layers.store.types`) the
national import relies on.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

import layers.ingest.boundaries  # noqa: F401 - registers "batas"
import layers.ingest.cases  # noqa: F401 - registers "kasus"
from dashboard.components import village_panel
from layers.demo import load
from layers.ingest import checks, run_import, wording
from layers.scope import Scope
from layers.store import queries, regions, types
from layers.store.models import KasusMingguan, Wilayah

ALL = Scope.everything()
ADAT = "91.03.01.3007"


def _square(x: float, y: float, size: float = 0.01) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.box(x, y, x + size, y + size)])


def _villages() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        "kode_desa": [ADAT, "91.03.01.1001", "91.03.01.2004"],
        "nama_desa": ["Desa Adat Yoboi", "Hinekombe", "Yobeh"],
        "nama_kec": ["Sentani"] * 3,
        "geometry": [_square(140.50, -2.60), _square(140.51, -2.60), _square(140.52, -2.60)],
    }, crs="EPSG:4326")  # fmt: skip


def test_village_code_check_takes_a_seventh_digit_of_3_and_refuses_9() -> None:
    values = pd.Series(["9103013007", "91.03.01.9001", "91.03.01.2004"])
    rows = pd.Series([2, 3, 4])
    kode, problems = checks.village_codes(values, rows, None, ALL)
    assert kode.tolist() == [ADAT, None, "91.03.01.2004"]
    assert [(p.row, p.code) for p in problems] == [(3, "bad_code")]
    assert "7th digit" in problems[0].message("en") and "digit ke-7" in problems[0].message("id")


def test_boundary_import_stores_no_kind_and_cases_follow(engine: sa.Engine,
                                                         tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "sentani.geojson"
    _villages().to_file(path)
    report = run_import(engine, "batas", path, user="test", scope=ALL)
    assert report.ok, report.text("en")
    assert report.written["jenis_tak_dikenal"] == 1
    assert any(ADAT in n("en") and "kind unknown" in n("en") for n in report.notes)
    for lang in ("id", "en"):  # every written key has words
        assert all(k in wording.WRITTEN for k in report.written), report.text(lang)
    with Session(engine) as s:
        table = queries.village_table(s, ALL).set_index("kode")
        info = queries.region(s, ALL, ADAT)
    kinds = {k: (None if pd.isna(v) else v) for k, v in table["jenis"].items()}
    assert kinds == {ADAT: None, "91.03.01.1001": "kelurahan", "91.03.01.2004": "desa"}
    assert info is not None and info["jenis"] is None

    cases = tmp_path / "kasus.csv"
    cases.write_text("kode_desa,penyakit,tahun,minggu,kasus,kematian\n"
                     f"{ADAT},diare_akut,2024,3,4,0\n")  # fmt: skip
    imported = run_import(engine, "kasus", cases, user="test", scope=ALL)
    assert imported.ok, imported.text("en")
    with Session(engine) as s:
        assert s.scalar(sa.select(KasusMingguan.kasus).where(KasusMingguan.kode_desa == ADAT)) == 4


def test_the_village_panel_shows_no_kind_for_unknown(engine: sa.Engine) -> None:
    info = {"kode": ADAT, "nama": "Desa Adat Yoboi", "jenis": None, "nama_kec": "Sentani"}
    for lang in ("id", "en"):
        head = village_panel(info, None, pd.DataFrame(columns=["jenis"]), [], lang)
        assert head[1].children == ""  # the kind line is empty, not "kind.None"


def test_trusted_loader_takes_unknown_kinds_and_missing_jenis(engine: sa.Engine) -> None:
    frame = _villages()
    frame["jenis"] = [np.nan, "Kelurahan", None]  # as the national file: null for the 3s
    with Session(engine) as s, s.begin():
        counts = load.load_boundaries(s, frame)
    assert (counts["desa"], counts["kec"]) == (3, 1)
    with Session(engine) as s:
        kinds = dict(s.execute(sa.select(Wilayah.kode, Wilayah.jenis)
                               .where(Wilayah.level == "desa")).all())  # fmt: skip
    assert kinds == {ADAT: None, "91.03.01.1001": "kelurahan", "91.03.01.2004": "desa"}


# --------------------------------------------------------------------------- dissolve helpers


def test_fill_slivers_fills_small_holes_only() -> None:
    shell = shapely.box(110.0, -7.0, 110.1, -6.9)  # ~11 km square
    sliver = shapely.box(110.01, -6.99, 110.01 + 5e-4, -6.99 + 5e-4)  # ~55 m: 0.3 ha
    lake = shapely.box(110.05, -6.95, 110.06, -6.94)  # ~1.1 km: 120 ha
    geom = shapely.Polygon(shell.exterior, [sliver.exterior, lake.exterior])
    island = shapely.box(111.0, -7.0, 111.001, -6.999)  # an island under 1 ha stays
    out = regions.fill_slivers([geom, None, shapely.MultiPolygon([geom, island]),
                                shapely.LineString([(0, 0), (1, 1)])])  # fmt: skip
    assert out[1] is None and out[3] is None
    for filled in (out[0], out[2]):
        assert filled.geom_type == "MultiPolygon" and filled.is_valid
        assert [len(p.interiors) for p in filled.geoms][0] == 1  # the lake
        assert filled.geoms[0].interiors[0].equals(lake.exterior)
    assert len(out[2].geoms) == 2


def test_fill_slivers_merges_an_island_that_lay_in_a_filled_hole() -> None:
    """Real dissolves have them (35.07 Malang): filling the sliver would nest the island."""
    shell = shapely.box(110.0, -7.0, 110.1, -6.9)
    sliver = shapely.box(110.01, -6.99, 110.01 + 8e-4, -6.99 + 8e-4)  # ~0.8 ha
    island = shapely.box(110.0102, -6.9898, 110.0105, -6.9895)  # inside the sliver
    geom = shapely.MultiPolygon([shapely.Polygon(shell.exterior, [sliver.exterior]), island])
    assert geom.is_valid
    (filled,) = regions.fill_slivers([geom])
    assert filled.is_valid and filled.geom_type == "MultiPolygon" and len(filled.geoms) == 1
    assert filled.equals(shapely.MultiPolygon([shell]))


def test_dissolve_groups_match_a_plain_union() -> None:
    rng = np.random.default_rng(12)
    xs, ys = rng.uniform(110, 110.2, 60), rng.uniform(-7.2, -7.0, 60)
    geoms = [shapely.box(x, y, x + 0.03, y + 0.03) for x, y in zip(xs, ys, strict=True)]
    keys = [f"35.0{i % 3}" for i in range(60)]
    for fine in (True, False):
        got = regions.dissolve_groups(keys, geoms, fine=fine)
        assert sorted(got) == ["35.00", "35.01", "35.02"]
        for key, geom in got.items():
            want = shapely.union_all([g for g, k in zip(geoms, keys, strict=True) if k == key])
            assert geom.is_valid and geom.geom_type == "MultiPolygon"
            assert geom.symmetric_difference(want).area < 1e-9 * want.area + 1e-12
    assert regions.dissolve_groups([], []) == {}
    assert regions.dissolve([None]) is None


def test_encode_many_is_what_the_column_type_binds() -> None:
    geoms = [shapely.box(110, -7, 111, -6), None, _square(112, -7)]
    column = types.Geometry("MULTIPOLYGON")
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        bulk = types.encode_many(geoms, dialect.name, "MULTIPOLYGON")
        one_by_one = [column.process_bind_param(g, dialect) for g in geoms]
        assert bulk == one_by_one
        assert column.process_bind_param(bulk[0], dialect) == bulk[0]  # bytes pass through
    assert shapely.from_wkb(types.encode_many(geoms, "sqlite", "MULTIPOLYGON")[0]).geom_type \
        == "MultiPolygon"


def test_area_km2_matches_the_equal_area_projection() -> None:
    geom = _square(140.5, -2.6, 0.1)
    area = regions.area_km2([geom, None])
    want = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(regions.EQUAL_AREA_CRS).area[0] / 1e6
    assert area[1] is None and area[0] == pytest.approx(want, rel=1e-9)
