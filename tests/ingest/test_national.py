"""The national boundary files (../shared/data/README.md §5) through the ``batas`` importer.

74,840 real villages of 37 provinces (Jawa Tengah left out on purpose) with their kecamatan and
kabupaten files and their real defects: one village without geometry (``96.01.05.1012``), 14
codes whose 7th digit is 3 (the *Desa Adat* of 91.03 Jayapura, ``jenis`` null), village names
shared within a kecamatan (12.01.10 Sorkam Kanan), invalid source polygons (repaired in the
files; one is broken again here to see the repair reported).

The whole country is imported once (module fixture) the cheap way the docs recommend:
kecamatan and kabupaten files first, then the village file, whose import then dissolves only
the provinces. The village file alone into an empty store (every level dissolved, ~40 s of CPU)
is timed by ``bench/national_import.py``, not here; the same path runs on a slice of four
kabupaten (SQLite and PostGIS), where the heavier checks are.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy.orm import Session

import layers.ingest.boundaries  # noqa: F401 - registers "batas"
from layers import codes
from layers.ingest import ImportReport, run_import
from layers.scope import Scope
from layers.store import queries, regions
from layers.store.engine import make_engine, upgrade
from layers.store.models import Wilayah
from tests.postgis import PostgisCluster

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
NASIONAL = SHARED / "boundaries" / "nasional"
DESA, KEC, KAB = (NASIONAL / f"{lvl}_nasional_tanpa_33.parquet" for lvl in ("desa", "kec", "kab"))
ALL = Scope.everything()
#: README §5: the village without geometry, and its feature number (the file is sorted by code)
NO_GEOMETRY, NO_GEOMETRY_ROW = "96.01.05.1012", 73881
#: README §5: the 14 villages of 91.03 whose code has a 7th digit of 3 (jenis null)
SEVENTH_3 = [
    "91.03.01.3007", "91.03.01.3010", "91.03.02.3003", "91.03.02.3005", "91.03.02.3007",
    "91.03.04.3006", "91.03.07.3018", "91.03.12.3003", "91.03.12.3005", "91.03.13.3001",
    "91.03.13.3007", "91.03.15.3009", "91.03.17.3004", "91.03.18.3002",
]  # fmt: skip
#: README §5: a name twice in kecamatan 12.01.10 (a kelurahan and a desa)
SORKAM_KANAN = ("12.01.10.1001", "12.01.10.2018")
#: the slice: the kabupaten of the three defects above, and Malang, whose dissolve has an
#: island in a sliver hole (see regions.fill_slivers)
SLICE_KAB = ["12.01", "35.07", "91.03", "96.01"]


def _shared(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"shared boundary file missing: {path} (see ../shared/data/README.md §5)")
    return path


def _new_engine(url: str) -> sa.Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def _import(engine: sa.Engine, path: Path) -> ImportReport:
    report = run_import(engine, "batas", path, user="test", scope=ALL)
    assert report.status == "ok", report.text("en")
    return report


def _notes(report: ImportReport, lang: str = "en") -> list[str]:
    return [n(lang) for n in report.notes]


def _levels(engine: sa.Engine) -> dict[str, int]:
    with Session(engine) as s:
        query = sa.select(Wilayah.level, sa.func.count()).group_by(Wilayah.level)
        return dict(s.execute(query).all())


# --------------------------------------------------------------------------- the whole country


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[sa.Engine, ImportReport]]:  # fmt: skip
    """Kecamatan file, kabupaten file, then the village file, into one SQLite store."""
    engine = _new_engine(f"sqlite:///{tmp_path_factory.mktemp('nasional') / 'store.sqlite'}")
    for path in (KEC, KAB):
        _import(engine, _shared(path))
    yield engine, _import(engine, _shared(DESA))
    engine.dispose()


def test_national_village_file_imports(national: tuple[sa.Engine, ImportReport]) -> None:
    engine, report = national
    assert (report.rows_total, report.rows_ok, report.problem_count) == (74_840, 74_839, 0)
    written = report.written
    assert (written["desa"], written["inserted"], written["tanpa_geometri"],
            written["jenis_tak_dikenal"]) == (74_839, 74_839, 1, 14)  # fmt: skip
    # the provinces are dissolved from the kabupaten outlines; those and the kecamatan kept
    assert (written["prov"], written["kab"], written["kec"]) == (37, 0, 0)
    assert written["batas_sendiri_tetap"] == 479 + 6709
    assert _levels(engine) == {"prov": 37, "kab": 479, "kec": 6709, "desa": 74_839}
    with Session(engine) as s:
        kinds = dict(s.execute(sa.select(Wilayah.jenis, sa.func.count())
                               .where(Wilayah.level == "desa").group_by(Wilayah.jenis)).all())
    assert kinds == {"desa": 67_111, "kelurahan": 7_714, None: 14}  # README; 96.01.05.1012 out


def test_the_village_without_geometry_is_named_and_left_out(
    national: tuple[sa.Engine, ImportReport],
) -> None:
    engine, report = national
    en = [n for n in _notes(report) if NO_GEOMETRY in n]
    assert en == [f"1 features without geometry left out (not written; a boundary already stored "
                  f"for them is kept, and so is their data): #{NO_GEOMETRY_ROW} {NO_GEOMETRY} "
                  "Malagusa"]  # fmt: skip
    assert any(NO_GEOMETRY in n and "tanpa geometri" in n for n in _notes(report, "id"))
    assert "features without geometry left out: 1" in report.text("en")
    with Session(engine) as s:
        assert s.get(Wilayah, NO_GEOMETRY) is None
        assert s.scalar(sa.select(sa.func.count()).select_from(Wilayah)
                        .where(Wilayah.geometry.is_(None))) == 0  # fmt: skip
        kec = s.get(Wilayah, codes.parent(NO_GEOMETRY))  # its kecamatan, from the kec file
    assert kec is not None and kec.geometry is not None


def test_seventh_digit_3_codes_are_kept_as_villages_of_unknown_kind(
    national: tuple[sa.Engine, ImportReport],
) -> None:
    engine, report = national
    with Session(engine) as s:
        rows = s.execute(sa.select(Wilayah.kode, Wilayah.level, Wilayah.jenis, Wilayah.induk,
                                   Wilayah.nama)
                         .where(Wilayah.level == "desa", Wilayah.kode.like("__.__.__.3%"))
                         ).all()  # fmt: skip
    assert sorted(r.kode for r in rows) == SEVENTH_3
    assert {(r.level, r.jenis) for r in rows} == {("desa", None)}
    assert all(r.induk == r.kode[:8] and r.nama.startswith("Desa Adat") for r in rows)
    note = next(n for n in _notes(report) if "7th digit of 3" in n)
    assert note.startswith("14 villages") and all(k in note for k in SEVENTH_3)
    assert any("digit ke-7 kode 3" in n for n in _notes(report, "id"))


def test_duplicate_names_in_a_kecamatan_are_both_stored(
    national: tuple[sa.Engine, ImportReport],
) -> None:
    engine, report = national
    with Session(engine) as s:
        got = dict(s.execute(sa.select(Wilayah.kode, Wilayah.nama)
                             .where(Wilayah.kode.in_(SORKAM_KANAN))).all())  # fmt: skip
    assert got == dict.fromkeys(SORKAM_KANAN, "Sorkam Kanan")
    note = next(n for n in _notes(report) if "more than once within one kecamatan" in n)
    assert f"Sorkam Kanan ({SORKAM_KANAN[0]} / {SORKAM_KANAN[1]})" in note


def test_no_invalid_geometry_is_stored(national: tuple[sa.Engine, ImportReport]) -> None:
    engine, _ = national
    with Session(engine) as s:
        geoms = np.asarray(list(s.scalars(sa.select(Wilayah.geometry))), dtype=object)
    assert len(geoms) == 74_839 + 6709 + 479 + 37
    assert shapely.is_valid(geoms).all()
    assert (shapely.get_type_id(geoms) == 6).all()  # MultiPolygon everywhere


# --------------------------------------------------------------------------- a slice, dissolved


@pytest.fixture(scope="module")
def national_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The villages of 12.01, 91.03 and 96.01 as a GeoParquet, one polygon broken on purpose
    (a bow-tie ring: the source's kind of defect, repaired in the shared file)."""
    frame = gpd.read_parquet(_shared(DESA), filters=[("kode_kab", "in", SLICE_KAB)])
    broken = frame.index[frame["kode_desa"] == "91.03.01.2004"][0]
    x0, y0, x1, y1 = frame.geometry[broken].bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    frame.loc[broken, "geometry"] = shapely.MultiPolygon([bowtie])
    path = tmp_path_factory.mktemp("slice") / "desa_slice.parquet"
    frame.to_parquet(path, compression="zstd")
    return path


def _check_slice(engine: sa.Engine, report: ImportReport) -> None:
    source = gpd.read_parquet(_shared(DESA), filters=[("kode_kab", "in", SLICE_KAB)])
    n_desa = len(source) - 1  # 96.01.05.1012 has no geometry
    n_kec = source["kode_kec"].nunique()
    assert (report.rows_total, report.rows_ok) == (len(source), n_desa)
    assert (report.written["desa"], report.written["kec"], report.written["kab"],
            report.written["prov"]) == (n_desa, n_kec, 4, 4)  # fmt: skip
    assert (report.written["tanpa_geometri"], report.written["jenis_tak_dikenal"],
            report.written["diperbaiki"]) == (1, 14, 1)  # fmt: skip
    assert any("1 invalid geometries repaired (make_valid): 91.03.01.2004" in n
               for n in _notes(report))  # fmt: skip
    assert any(NO_GEOMETRY in n for n in _notes(report))
    assert _levels(engine) == {"prov": 4, "kab": 4, "kec": n_kec, "desa": n_desa}
    with Session(engine) as s:
        stored = queries.villages(s, ALL)
        rows = s.execute(sa.select(Wilayah.kode, Wilayah.level, Wilayah.geometry,
                                   Wilayah.luas_km2)).all()  # fmt: skip
    assert set(stored["kode"]) == set(source["kode_desa"]) - {NO_GEOMETRY}
    unknown = stored[stored["kode"].isin(SEVENTH_3)]
    assert len(unknown) == 14 and unknown["jenis"].isna().all()
    assert stored.loc[stored["kode"].isin(SORKAM_KANAN), "nama"].tolist() == ["Sorkam Kanan"] * 2
    geoms = np.asarray([r.geometry for r in rows], dtype=object)
    assert shapely.is_valid(geoms).all() and (shapely.get_type_id(geoms) == 6).all()
    # dissolved kecamatan: about the sum of their villages (simplified source: overlaps and
    # gaps), and no sliver holes under 1 ha left (they are filled, see regions.fill_slivers)
    desa_area: dict[str, float] = {}
    for r in rows:
        if r.level == "desa":
            desa_area[r.kode[:8]] = desa_area.get(r.kode[:8], 0.0) + r.luas_km2
    for r in rows:
        if r.level == "kec":
            assert r.luas_km2 == pytest.approx(desa_area[r.kode], rel=0.05), r.kode
    kec = [r.geometry for r in rows if r.level != "desa"]
    holes = [shapely.Polygon(ring) for g in kec for p in g.geoms for ring in p.interiors]
    if holes:
        areas = gpd.GeoSeries(holes, crs="EPSG:4326").to_crs(regions.EQUAL_AREA_CRS).area
        assert areas.min() >= regions.SLIVER_M2 * 0.9


def test_national_slice_dissolves_every_level_in_sqlite(national_slice: Path,
                                                        tmp_path: Path) -> None:  # fmt: skip
    engine = _new_engine(f"sqlite:///{tmp_path / 'slice.sqlite'}")
    try:
        _check_slice(engine, _import(engine, national_slice))
    finally:
        engine.dispose()


@pytest.mark.postgis
def test_national_slice_into_postgis(national_slice: Path,
                                     postgis_cluster: PostgisCluster) -> None:  # fmt: skip
    engine = _new_engine(postgis_cluster.new_database())
    try:
        report = _import(engine, national_slice)
        _check_slice(engine, report)
        with engine.connect() as conn:
            invalid, srids, untyped = conn.execute(sa.text(
                "SELECT count(*) FILTER (WHERE NOT ST_IsValid(geometry)), "
                "count(DISTINCT ST_SRID(geometry)), "
                "count(*) FILTER (WHERE GeometryType(geometry) <> 'MULTIPOLYGON') FROM wilayah"
            )).one()  # fmt: skip
            area, luas = conn.execute(sa.text(
                "SELECT ST_Area(geometry::geography) / 1e6, luas_km2 FROM wilayah "
                "WHERE kode = '91.03'")).one()  # fmt: skip
        assert (invalid, srids, untyped) == (0, 1, 0)
        assert area == pytest.approx(luas, rel=0.01)
        again = _import(engine, national_slice)  # a re-import updates every row, same data
        assert again.written["inserted"] == 0 and again.written["desa_berubah_bentuk"] == 0
    finally:
        engine.dispose()
