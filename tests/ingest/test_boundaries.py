"""The ``batas`` importer: real boundary files, reprojected shapefiles, bad input, re-import, undo.

Real files are the shared Kemendagri village boundaries (../shared/data/README.md); their
counts below are the README's. Synthetic files are written by the tests themselves.
"""

from __future__ import annotations

import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
import sqlalchemy as sa
from sqlalchemy.orm import Session

import layers.ingest.boundaries  # noqa: F401 - registers "batas"
from layers.demo import load
from layers.ingest import ImportReport, run_import, undo_last
from layers.scope import Scope
from layers.store import queries, regions
from layers.store.engine import make_engine, upgrade
from layers.store.models import Fasilitas, ImporLog, Kader, KasusMingguan, Penduduk, Wilayah

BOUNDARIES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "boundaries"
ALL = Scope.everything()

#: village file -> (villages, kecamatan), from ../shared/data/README.md
REAL = {
    "desa_3510_banyuwangi.geojson": (217, 25),
    "desa_1906_belitung_timur.geojson": (39, 7),
    "kaltim/desa_6401_paser.geojson": (144, 10),
    "kaltim/desa_6402_kutai_kartanegara.geojson": (237, 20),
    "kaltim/desa_6403_berau.geojson": (110, 13),
    "kaltim/desa_6407_kutai_barat.geojson": (194, 16),
    "kaltim/desa_6408_kutai_timur.geojson": (141, 18),
    "kaltim/desa_6409_penajam_paser_utara.geojson": (54, 4),
    "kaltim/desa_6411_mahakam_ulu.geojson": (50, 5),
    "kaltim/desa_6471_balikpapan.geojson": (34, 6),
    "kaltim/desa_6472_samarinda.geojson": (59, 10),
    "kaltim/desa_6474_bontang.geojson": (15, 3),
}
JATIM = "jatim/desa_35_jawa_timur.parquet"
EQUAL_AREA = "EPSG:6933"


def _shared(name: str) -> Path:
    path = BOUNDARIES / name
    if not path.exists():
        pytest.fail(f"shared boundary file missing: {path} (see ../shared/data/README.md)")
    return path


def _new_engine(path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = _new_engine(tmp_path / "store.sqlite")
    yield engine
    engine.dispose()


def _import(engine: sa.Engine, path: Path, scope: Scope = ALL, **options: str) -> ImportReport:
    return run_import(engine, "batas", path, user="test", scope=scope, options=options)


def _levels(engine: sa.Engine, prefix: str = "") -> dict[str, int]:
    with Session(engine) as s:
        query = sa.select(Wilayah.level, sa.func.count()).group_by(Wilayah.level)
        if prefix:
            query = query.where(Wilayah.kode.like(f"{prefix}%"))
        return dict(s.execute(query).all())


def _count(engine: sa.Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def _codes(report: ImportReport) -> set[str]:
    return {p.code for p in report.problems}


def _notes(report: ImportReport, lang: str = "en") -> list[str]:
    return [n(lang) for n in report.notes]


def _zip_shapefile(gdf: gpd.GeoDataFrame, folder: Path, omit: str | None = None) -> Path:
    """Write ``gdf`` as a shapefile and zip its parts (leaving out suffix ``omit``)."""
    folder.mkdir(parents=True, exist_ok=True)
    gdf.to_file(folder / "batas_desa.shp", engine="pyogrio")
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in sorted(folder.iterdir()):
            if part.suffix.lower() != omit:
                archive.write(part, f"batas_desa/{part.name}")
    return target


def _square(x: float, y: float, size: float = 0.01) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.box(x, y, x + size, y + size)])


# --------------------------------------------------------------------------- real files


def test_every_real_village_file_is_covered() -> None:
    on_disk = {str(p.relative_to(BOUNDARIES)) for p in BOUNDARIES.rglob("desa_*.geojson")}
    assert on_disk == set(REAL)


@pytest.mark.parametrize("name", sorted(REAL), ids=lambda n: Path(n).stem)
def test_real_file_imports(sqlite_engine: sa.Engine, name: str) -> None:
    n_desa, n_kec = REAL[name]
    report = _import(sqlite_engine, _shared(name))
    assert report.ok, report.text("en")
    assert report.status == "ok" and report.rows_ok == report.rows_total == n_desa
    assert (report.written["desa"], report.written["kec"], report.written["kab"]) == (
        n_desa, n_kec, 1)  # fmt: skip
    assert report.written["desa_baru"] == n_desa
    kab = Path(name).stem.split("_")[1]
    kab = f"{kab[:2]}.{kab[2:]}"
    assert _levels(sqlite_engine, kab[:2]) == {"prov": 1, "kab": 1, "kec": n_kec,
                                               "desa": n_desa}  # fmt: skip
    source = gpd.read_file(_shared(name))
    with Session(sqlite_engine) as s:
        got = queries.villages(s, Scope.of([kab]))
        assert set(got["kode"]) == set(source["kode_desa"])
        assert got.geometry.is_valid.all() and got.geometry.geom_type.eq("MultiPolygon").all()
        names = dict(zip(got["kode"], got["nama"], strict=True))
        assert names == dict(zip(source["kode_desa"], source["nama_desa"], strict=True))
        kecs = queries.regions(s, Scope.of([kab]), "kec")
        assert dict(zip(kecs["kode"], kecs["nama"], strict=True)) == dict(
            zip(source["kode_kec"], source["nama_kec"], strict=True))  # fmt: skip
        nama_kab = s.scalar(sa.select(Wilayah.nama).where(Wilayah.kode == kab))
        assert nama_kab == source["nama_kab"].iloc[0]
    if kab == "64.07":  # the one invalid village of the shared files (README, known defects)
        assert report.written["diperbaiki"] == 1
        assert any("64.07.07.2002" in note and "make_valid" in note for note in _notes(report))


@pytest.fixture(scope="module")
def jatim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[sa.Engine, ImportReport,
                                                                      float]]:  # fmt: skip
    engine = _new_engine(tmp_path_factory.mktemp("jatim") / "store.sqlite")
    start = time.perf_counter()
    report = _import(engine, _shared(JATIM))
    elapsed = time.perf_counter() - start
    yield engine, report, elapsed
    engine.dispose()


def test_jatim_geoparquet_imports(jatim: tuple[sa.Engine, ImportReport, float]) -> None:
    engine, report, elapsed = jatim
    assert report.ok, report.text("en")
    assert (report.written["desa"], report.written["kec"], report.written["kab"],
            report.written["prov"]) == (8494, 666, 38, 1)  # fmt: skip
    assert _levels(engine) == {"prov": 1, "kab": 38, "kec": 666, "desa": 8494}
    with Session(engine) as s:
        kinds = dict(
            s.execute(
                sa.select(Wilayah.jenis, sa.func.count())
                .where(Wilayah.level == "desa")
                .group_by(Wilayah.jenis)
            ).all()
        )
        assert kinds == {"desa": 7721, "kelurahan": 773}
        assert queries.geometry_version(s).startswith(f"i{report.impor_id}-")
        total = s.scalar(sa.select(sa.func.sum(Wilayah.luas_km2)).where(Wilayah.level == "desa"))
        prov = s.scalar(sa.select(Wilayah.luas_km2).where(Wilayah.kode == "35"))
    # README: 48,022 km² of villages, overlapping each other by 0.05 %
    assert total == pytest.approx(48_022, rel=0.01)
    assert prov == pytest.approx(total, rel=0.01)
    print(f"jatim import: {elapsed:.1f} s")
    assert elapsed < 60


# --------------------------------------------------------------------------- reprojection


@pytest.mark.parametrize("crs", ["EPSG:23835", "EPSG:32749"])
def test_reprojected_shapefile_zip_gives_the_same_geometries(
    sqlite_engine: sa.Engine, tmp_path: Path, crs: str
) -> None:
    name = "desa_1906_belitung_timur.geojson"
    source = gpd.read_file(_shared(name))
    projected = source[["kode_desa", "nama_desa", "nama_kec", "geometry"]].to_crs(crs)
    zipped = _zip_shapefile(projected, tmp_path / "belitung_proj")
    report = _import(sqlite_engine, zipped)
    assert report.ok, report.text("en")
    assert report.written["desa"] == 39 and report.written["kec"] == 7
    assert any(f"from {crs}" in note for note in _notes(report))
    with Session(sqlite_engine) as s:
        got = queries.villages(s, ALL).set_index("kode")
    want = source.set_index("kode_desa").geometry
    assert set(got.index) == set(want.index)
    a = gpd.GeoSeries(list(want), index=want.index, crs="EPSG:4326").to_crs(EQUAL_AREA)
    b = gpd.GeoSeries(list(got.geometry.loc[want.index]), index=want.index,
                      crs="EPSG:4326").to_crs(EQUAL_AREA)  # fmt: skip
    assert ((a.area - b.area).abs() / a.area).max() < 0.001
    assert (a.symmetric_difference(b).area / a.area).max() < 0.001
    assert list(got.loc[want.index, "nama_kec"]) == list(source["nama_kec"])


# --------------------------------------------------------------------------- bad files


@pytest.fixture
def belitung_small() -> gpd.GeoDataFrame:
    """Five Belitung Timur villages (19.06) with code, name and kecamatan name."""
    source = gpd.read_file(_shared("desa_1906_belitung_timur.geojson"))
    return source[["kode_desa", "nama_desa", "nama_kec", "geometry"]].head(5).copy()


def _assert_nothing_written(engine: sa.Engine) -> None:
    assert _count(engine, Wilayah) == 0
    with Session(engine) as s:
        assert queries.geometry_version(s) == "0"
        statuses = list(s.scalars(sa.select(ImporLog.status)))
    assert statuses and set(statuses) == {"ditolak"}


def test_shapefile_zip_without_prj_says_how_to_fix_it(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    zipped = _zip_shapefile(belitung_small.to_crs("EPSG:32749"), tmp_path / "no_prj", omit=".prj")
    report = _import(sqlite_engine, zipped)
    assert report.status == "ditolak" and _codes(report) == {"crs_missing"}
    problem = report.problems[0]
    assert "CRS" in problem.message("en") and ".prj" in problem.message("en")
    assert "opsi crs" in problem.message("id") and "option crs" in problem.message("en")
    _assert_nothing_written(sqlite_engine)
    fixed = _import(sqlite_engine, zipped, crs="EPSG:32749")  # the fix the message names
    assert fixed.ok, fixed.text("en")
    assert fixed.written["desa"] == 5


def test_projected_coordinates_labelled_lonlat_are_refused(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    zipped = _zip_shapefile(belitung_small.to_crs("EPSG:32749"), tmp_path / "no_prj", omit=".prj")
    report = _import(sqlite_engine, zipped, crs="EPSG:4326")  # the wrong CRS
    assert _codes(report) == {"outside_indonesia"}
    assert [p.row for p in report.problems] == [1, 2, 3, 4, 5]
    assert all("metres" in p.message("en") and "meter" in p.message("id")
               for p in report.problems)  # fmt: skip
    _assert_nothing_written(sqlite_engine)


def test_shapefile_folder_and_shp_path(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    _zip_shapefile(belitung_small.to_crs("EPSG:32749"), tmp_path / "folder")
    for path in (tmp_path / "folder", tmp_path / "folder" / "batas_desa.shp"):
        report = _import(sqlite_engine, path)
        assert report.ok, report.text("en")
        assert report.written["desa"] == 5
    assert report.written["updated"] == 5 + 3 and report.written["desa_berubah_bentuk"] == 0


def test_shapefile_zip_without_dbf(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    zipped = _zip_shapefile(belitung_small, tmp_path / "no_dbf", omit=".dbf")
    report = _import(sqlite_engine, zipped)
    assert _codes(report) == {"missing_dbf"}
    assert ".dbf" in report.problems[0].message("en")
    assert ".dbf" in report.problems[0].message("id")
    _assert_nothing_written(sqlite_engine)


def test_truncated_zip(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    zipped = _zip_shapefile(belitung_small, tmp_path / "whole")
    data = zipped.read_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        broken = tmp_path / f"cut_{cut}.zip"
        broken.write_bytes(data[:cut])
        report = _import(sqlite_engine, broken)
        assert _codes(report) == {"corrupt"}, report.text("en")
        assert "truncated" in report.problems[0].message("en")
        assert "terpotong" in report.problems[0].message("id")
    _assert_nothing_written(sqlite_engine)


def test_empty_files(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    blank = tmp_path / "kosong.geojson"
    blank.write_bytes(b"")
    no_features = tmp_path / "tanpa_fitur.geojson"
    no_features.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    empty_zip = tmp_path / "kosong.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("baca.txt", "tidak ada peta")
    for path, code in ((blank, "empty"), (no_features, "empty"), (empty_zip, "no_layer")):
        report = _import(sqlite_engine, path)
        assert _codes(report) == {code}, report.text("en")
    _assert_nothing_written(sqlite_engine)


def test_duplicate_codes(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    frame = belitung_small.copy()
    frame.loc[3, "kode_desa"] = frame.loc[1, "kode_desa"].replace(".", "")  # plain form
    path = tmp_path / "ganda.geojson"
    frame.to_file(path)
    report = _import(sqlite_engine, path)
    assert _codes(report) == {"duplicate"}
    problem = report.problems[0]
    assert (problem.row, problem.column) == (4, "kode_desa")
    assert problem.value == frame.loc[1, "kode_desa"]
    assert "row 2" in problem.message("en") and "baris 2" in problem.message("id")
    _assert_nothing_written(sqlite_engine)


def test_every_bad_feature_is_reported_with_row_column_and_value(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    """Malformed, out-of-scope, non-polygon, swapped lon/lat, empty name: all in one report."""
    features = [
        ("19.06.01.2001", "Baik", _square(108.0, -2.9)),          # 1 fine
        ("19.06.01.20X1", "Kode Rusak", _square(108.02, -2.9)),   # 2 malformed code
        ("35.10.01.2001", "Luar Wilayah", _square(114.0, -8.3)),  # 3 outside the user's scope
        ("19.06.01.2003", "Titik", shapely.Point(108.0, -2.9)),   # 4 not a polygon
        ("19.06.01.2004", "Tertukar", _square(-2.9, 108.0)),      # 5 lon/lat swapped
        ("19.06.01", "Kecamatan", _square(108.06, -2.9)),         # 6 not a village code
        ("19.06.01.2007", None, _square(108.08, -2.9)),           # 7 no name
        ("19.06.01.9008", "Digit 7", _square(108.1, -2.9)),       # 8 7th digit not 1/2/3
        ("19.06.01.3009", "Desa Adat", _square(108.12, -2.9)),    # 9 fine: 7th digit 3
        ("19.06.01.2010", "Tanpa Batas", None),                   # 10 no geometry: left out
    ]  # fmt: skip
    gdf = gpd.GeoDataFrame(
        [{"kode_desa": k, "nama_desa": n, "geometry": g} for k, n, g in features],
        crs="EPSG:4326",
    )
    path = tmp_path / "buruk.gpkg"
    gdf.to_file(path, driver="GPKG")
    report = _import(sqlite_engine, path, scope=Scope.of(["19.06"]))
    got = {(p.row, p.column, p.code) for p in report.problems}
    assert got == {
        (2, "kode_desa", "bad_code"), (3, "kode_desa", "out_of_scope"),
        (4, "geometry", "not_polygon"), (5, "geometry", "outside_indonesia"),
        (6, "kode_desa", "bad_code"), (7, "nama_desa", "missing"), (8, "kode_desa", "bad_code"),
    }  # fmt: skip
    by_row = {p.row: p for p in report.problems}
    assert by_row[2].value == "19.06.01.20X1" and by_row[4].value == "Point"
    assert "swapped" in by_row[5].message("en") and "tertukar" in by_row[5].message("id")
    assert all(p.message("id") != p.message("en") for p in report.problems)
    assert report.rows_total == 10 and report.rows_ok == 2  # rows 1 and 9
    _assert_nothing_written(sqlite_engine)


def test_office_headers_plain_codes_and_named_columns(
    sqlite_engine: sa.Engine, tmp_path: Path, belitung_small: gpd.GeoDataFrame
) -> None:
    """BIG/Bappeda-style attributes: KDEPUM (10 digits), NAMOBJ, WADMKC; also option columns."""
    frame = gpd.GeoDataFrame({
        "KDEPUM": [k.replace(".", "") for k in belitung_small["kode_desa"]],
        "NAMOBJ": belitung_small["nama_desa"], "WADMKC": belitung_small["nama_kec"],
        "geometry": belitung_small.geometry.to_numpy(),
    }, crs="EPSG:4326")  # fmt: skip
    path = tmp_path / "big.gpkg"
    frame.to_file(path, driver="GPKG")
    report = _import(sqlite_engine, path)
    assert report.ok, report.text("en")
    assert report.mapped_columns == {"KDEPUM": "kode_desa", "NAMOBJ": "nama_desa",
                                     "WADMKC": "nama_kec"}  # fmt: skip
    with Session(sqlite_engine) as s:
        stored = dict(s.execute(sa.select(Wilayah.kode, Wilayah.nama)
                                .where(Wilayah.level == "desa")).all())  # fmt: skip
        kec = s.scalar(sa.select(Wilayah.nama).where(Wilayah.kode == "19.06.01"))
    assert stored == dict(zip(belitung_small["kode_desa"], belitung_small["nama_desa"],
                              strict=True))  # fmt: skip
    assert kec == belitung_small["nama_kec"].iloc[0]

    odd = gpd.GeoDataFrame({
        "ID_WIL": list(belitung_small["kode_desa"]), "LABEL": list(belitung_small["nama_desa"]),
        "geometry": belitung_small.geometry.to_numpy(),
    }, crs="EPSG:4326")  # fmt: skip
    odd_path = tmp_path / "odd.geojson"
    odd.to_file(odd_path)
    refused = _import(sqlite_engine, odd_path)
    assert {p.column for p in refused.problems} == {"kolom_nama"}  # codes found by their values
    report = _import(sqlite_engine, odd_path, kolom_kode="ID_WIL", kolom_nama="LABEL")
    assert report.ok, report.text("en")
    assert report.written["updated"] == 5 + 3  # 5 villages, kec, kab, prov all stored already


# --------------------------------------------------------------------------- re-import, undo

#: the tiny demo (tests/conftest.py) villages, at lon 110 + col * 0.02, lat -6.0
RENAMED, REMOVED, RESHAPED = "99.01.01.2002", "99.02.01.2002", "99.01.01.2001"
ADDED = "99.01.02.2003"


def _facts(engine: sa.Engine) -> dict[str, tuple[int, int, int, int]]:
    """Per village: case rows, case total, population rows, facilities + kader."""
    out: dict[str, tuple[int, int, int, int]] = {}
    with Session(engine) as s:
        cases = dict(s.execute(sa.select(KasusMingguan.kode_desa, sa.func.count())
                               .group_by(KasusMingguan.kode_desa)).all())  # fmt: skip
        total = dict(s.execute(sa.select(KasusMingguan.kode_desa, sa.func.sum(KasusMingguan.kasus))
                               .group_by(KasusMingguan.kode_desa)).all())  # fmt: skip
        pop = dict(s.execute(sa.select(Penduduk.kode_desa, sa.func.sum(Penduduk.jumlah))
                             .group_by(Penduduk.kode_desa)).all())  # fmt: skip
        fas = dict(s.execute(sa.select(Fasilitas.kode_desa, sa.func.count())
                             .group_by(Fasilitas.kode_desa)).all())  # fmt: skip
        kader = dict(s.execute(sa.select(Kader.kode_desa, sa.func.count())
                               .group_by(Kader.kode_desa)).all())  # fmt: skip
    for kode in set(cases) | set(pop) | set(fas) | set(kader):
        out[kode] = (cases.get(kode, 0), int(total.get(kode, 0)), int(pop.get(kode, 0)),
                     fas.get(kode, 0) + kader.get(kode, 0))  # fmt: skip
    return out


def _villages(engine: sa.Engine) -> dict[str, tuple[str, shapely.Geometry]]:
    with Session(engine) as s:
        rows = s.execute(sa.select(Wilayah.kode, Wilayah.nama, Wilayah.geometry)
                         .where(Wilayah.level == "desa")).all()  # fmt: skip
    return {k: (n, g) for k, n, g in rows}


def test_reimport_reports_changes_keeps_facts_and_undo_restores(
    engine: sa.Engine, tiny_demo_dir: Path, tmp_path: Path
) -> None:
    load.load_demo_dir(engine, tiny_demo_dir)  # villages + cases, population, facilities, kader
    facts_before, villages_before = _facts(engine), _villages(engine)
    with Session(engine) as s:
        version_before = queries.geometry_version(s)
    assert facts_before[REMOVED][0] > 0 and facts_before[RENAMED][2] > 0

    newer = gpd.read_file(tiny_demo_dir / "desa.geojson")
    newer = newer[newer["kode_desa"] != REMOVED].copy()
    newer.loc[newer["kode_desa"] == RENAMED, "nama_desa"] = "Sukasari Baru"
    grown = newer.loc[newer["kode_desa"] == RESHAPED, "geometry"].iloc[0].buffer(0.001)
    newer.loc[newer["kode_desa"] == RESHAPED, "geometry"] = grown
    added = newer.iloc[[0]].copy()
    added["kode_desa"], added["nama_desa"] = ADDED, "Desa Pemekaran"
    added["geometry"] = [_square(110.08, -6.0, 0.02)]
    newer = gpd.GeoDataFrame(
        [*newer.to_dict("records"), *added.to_dict("records")], crs="EPSG:4326"
    )
    path = tmp_path / "desa_2026.geojson"
    newer.to_file(path)

    report = _import(engine, path)
    assert report.ok, report.text("en")
    assert {
        k: report.written[k]
        for k in ("desa_baru", "desa_hilang", "desa_ganti_nama", "desa_berubah_bentuk")
    } == {"desa_baru": 1, "desa_hilang": 1, "desa_ganti_nama": 1, "desa_berubah_bentuk": 1}
    changes = [n for n in _notes(report) if n.startswith(("New village", "Village"))]
    assert sorted(changes) == sorted([
        f"New village: {ADDED} Desa Pemekaran",
        f"Village no longer in the file (not deleted; its data is kept): {REMOVED} Sumberagung",
        f"Village renamed: {RENAMED} 'Sukasari' -> 'Sukasari Baru'",
    ])  # fmt: skip
    assert any(f"Desa ganti nama: {RENAMED}" in n for n in _notes(report, "id"))

    after = _villages(engine)
    assert set(after) == set(villages_before) | {ADDED}  # the removed village is kept
    assert after[RENAMED][0] == "Sukasari Baru"
    assert after[RESHAPED][1].area > villages_before[RESHAPED][1].area
    assert _facts(engine) == facts_before  # facts of every village untouched
    with Session(engine) as s:
        version_after = queries.geometry_version(s)
        kec = s.scalar(sa.select(Wilayah.geometry).where(Wilayah.kode == "99.01.02"))
    assert version_after not in (version_before, "0")
    assert kec.covers(after[ADDED][1].buffer(-1e-6))  # the kecamatan grew by the new village

    undo_last(engine, user="test", impor_id=report.impor_id)
    restored = _villages(engine)
    assert set(restored) == set(villages_before)
    for kode, (nama, geom) in villages_before.items():
        assert restored[kode][0] == nama
        assert shapely.equals_exact(restored[kode][1], geom, tolerance=1e-12), kode
    assert _facts(engine) == facts_before
    with Session(engine) as s:
        assert queries.geometry_version(s) not in (version_after, version_before)
        assert s.scalar(sa.select(Wilayah.kode).where(Wilayah.kode == ADDED)) is None


# --------------------------------------------------------------------------- kec/kab outlines

DESA_3510 = "desa_3510_banyuwangi.geojson"
KEC_3510 = "kec_3510_banyuwangi.geojson"
KAB_3510 = "kab_3510_banyuwangi.geojson"


def _regions(engine: sa.Engine, level: str) -> dict[str, tuple[str, str | None, shapely.Geometry]]:
    with Session(engine) as s:
        rows = s.execute(sa.select(Wilayah.kode, Wilayah.nama, Wilayah.induk, Wilayah.geometry)
                         .where(Wilayah.level == level)).all()  # fmt: skip
    return {k: (n, i, g) for k, n, i, g in rows}


def _file_outlines(name: str, code_col: str) -> dict[str, shapely.MultiPolygon]:
    """The file's geometries as the importer stores them (make_valid, MultiPolygon)."""
    source = gpd.read_file(_shared(name))
    return {k: regions.multipolygon(g) for k, g in zip(source[code_col], source.geometry,
                                                     strict=True)}  # fmt: skip


def _same(stored: dict[str, tuple[str, str | None, shapely.Geometry]],
          want: dict[str, shapely.Geometry]) -> bool:  # fmt: skip
    return set(stored) == set(want) and all(
        shapely.equals_exact(stored[k][2], g, tolerance=1e-9) for k, g in want.items()
    )


def test_kec_and_kab_files_on_villages_keep_their_outlines_and_undo_restores(
    sqlite_engine: sa.Engine,
) -> None:
    assert _import(sqlite_engine, _shared(DESA_3510)).ok
    dissolved_kec, dissolved_kab = _regions(sqlite_engine, "kec"), _regions(sqlite_engine, "kab")
    kec_file, kab_file = _file_outlines(KEC_3510, "kode_kec"), _file_outlines(KAB_3510, "kode_kab")
    assert not any(k.is_valid for k in gpd.read_file(_shared(KAB_3510)).geometry)  # README
    assert all(g.is_valid and g.geom_type == "MultiPolygon" for g in kec_file.values())

    kec = _import(sqlite_engine, _shared(KEC_3510))
    assert kec.ok, kec.text("en")
    assert (kec.written["kec"], kec.written["kec_sendiri"], kec.written["desa"]) == (25, 25, 0)
    assert (kec.written["updated"], kec.written["inserted"]) == (25, 0)  # parents left alone
    assert kec.written["diperbaiki"] == 1  # README: one "Nested shells" kecamatan
    stored = _regions(sqlite_engine, "kec")
    assert _same(stored, kec_file)
    assert not any(shapely.equals_exact(stored[k][2], dissolved_kec[k][2], tolerance=1e-6)
                   for k in stored)  # the file's outlines, not the dissolve  # fmt: skip
    source = gpd.read_file(_shared(KEC_3510))
    assert {k: (n, i) for k, (n, i, _) in stored.items()} == {
        k: (n, "35.10") for k, n in zip(source["kode_kec"], source["nama_kec"], strict=True)
    }
    assert any("Later village imports keep" in n for n in _notes(kec))

    kab = _import(sqlite_engine, _shared(KAB_3510))
    assert kab.ok, kab.text("en")
    assert (kab.written["kab"], kab.written["kab_sendiri"], kab.written["diperbaiki"]) == (1, 1, 1)
    assert _same(_regions(sqlite_engine, "kab"), kab_file)
    assert _regions(sqlite_engine, "kab")["35.10"][:2] == ("Kabupaten Banyuwangi", "35")

    again = _import(sqlite_engine, _shared(DESA_3510))  # villages re-imported afterwards
    assert again.ok, again.text("en")
    assert (
        again.written["desa"],
        again.written["kec"],
        again.written["kab"],
        again.written["prov"],
        again.written["batas_sendiri_tetap"],
    ) == (217, 0, 0, 1, 26)
    assert any("keep the outline from their own file" in n for n in _notes(again))
    assert _same(_regions(sqlite_engine, "kec"), kec_file)
    assert _same(_regions(sqlite_engine, "kab"), kab_file)
    assert _levels(sqlite_engine) == {"prov": 1, "kab": 1, "kec": 25, "desa": 217}

    undo_last(sqlite_engine, user="test", impor_id=again.impor_id)
    assert _same(_regions(sqlite_engine, "kec"), kec_file)
    undo_last(sqlite_engine, user="test", impor_id=kab.impor_id)
    assert _same(_regions(sqlite_engine, "kab"), {k: g for k, (_, _, g) in dissolved_kab.items()})
    assert _same(_regions(sqlite_engine, "kec"), kec_file)
    undo_last(sqlite_engine, user="test", impor_id=kec.impor_id)
    assert _same(_regions(sqlite_engine, "kec"), {k: g for k, (_, _, g) in dissolved_kec.items()})
    assert _regions(sqlite_engine, "kec") == dissolved_kec
    # with the outlines undone, a village import dissolves the kecamatan again
    assert _import(sqlite_engine, _shared(DESA_3510)).written["kec"] == 25


def test_kec_file_first_then_villages(sqlite_engine: sa.Engine) -> None:
    kec = _import(sqlite_engine, _shared(KEC_3510))
    assert kec.ok, kec.text("en")
    assert (kec.written["prov"], kec.written["kab"], kec.written["kec"]) == (1, 1, 25)
    assert kec.written["inserted"] == 27
    assert _levels(sqlite_engine) == {"prov": 1, "kab": 1, "kec": 25}
    kec_file = _file_outlines(KEC_3510, "kode_kec")
    assert _same(_regions(sqlite_engine, "kec"), kec_file)
    nama, induk, outline = _regions(sqlite_engine, "kab")["35.10"]
    assert (nama, induk) == ("Kabupaten Banyuwangi", "35")  # named by the file's nama_kab
    assert outline.equals(regions.dissolve(list(kec_file.values())))  # a stand-in until villages

    villages = _import(sqlite_engine, _shared(DESA_3510))
    assert villages.ok, villages.text("en")
    assert (villages.written["kec"], villages.written["kab"], villages.written["prov"]) == (0, 1, 1)
    assert villages.written["batas_sendiri_tetap"] == 25
    assert _levels(sqlite_engine) == {"prov": 1, "kab": 1, "kec": 25, "desa": 217}
    assert _same(_regions(sqlite_engine, "kec"), kec_file)
    with Session(sqlite_engine) as s:
        desa_area = s.scalar(sa.select(sa.func.sum(Wilayah.luas_km2))
                             .where(Wilayah.level == "desa"))  # fmt: skip
        kab_area = s.scalar(sa.select(Wilayah.luas_km2).where(Wilayah.kode == "35.10"))
        parents = set(s.scalars(sa.select(Wilayah.induk).where(Wilayah.level == "desa")))
    assert kab_area == pytest.approx(desa_area, rel=0.01)  # now the dissolve of the villages
    assert parents == set(kec_file)

    newer = _import(sqlite_engine, _shared(KEC_3510))  # a newer kecamatan file replaces them
    assert newer.ok and newer.written["updated"] == 25
    assert any("25 replace outlines from an earlier file" in n for n in _notes(newer))


def test_region_file_with_codes_of_other_levels_is_refused_per_row(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    source = gpd.read_file(_shared(KEC_3510))
    mixed = source.copy()
    mixed.loc[2, "kode_kec"] = "35.10.01.2001"  # a village
    mixed.loc[6, "kode_kec"] = "3510032005"  # a village, plain digits
    mixed.loc[9, "kode_kec"] = "35.10"  # the kabupaten
    path = tmp_path / "campur.geojson"
    mixed.to_file(path)
    report = _import(sqlite_engine, path)
    assert {(p.row, p.column, p.code) for p in report.problems} == {
        (3, "kode_kec", "wrong_level"), (7, "kode_kec", "wrong_level"),
        (10, "kode_kec", "wrong_level")}  # fmt: skip
    by_row = {p.row: p for p in report.problems}
    assert "village code" in by_row[3].message("en") and "kecamatan" in by_row[3].message("id")
    assert "kabupaten/city code" in by_row[10].message("en")
    assert report.rows_ok == 22
    _assert_nothing_written(sqlite_engine)

    generic = gpd.GeoDataFrame({"kode": mixed["kode_kec"], "nama": mixed["nama_kec"],
                                "geometry": mixed.geometry}, crs="EPSG:4326")  # fmt: skip
    generic_path = tmp_path / "kode.gpkg"
    generic.to_file(generic_path, driver="GPKG")
    report = _import(sqlite_engine, generic_path)  # level from most of the codes: kecamatan
    assert {(p.row, p.code) for p in report.problems} == {(3, "wrong_level"), (7, "wrong_level"),
                                                          (10, "wrong_level")}  # fmt: skip
    _assert_nothing_written(sqlite_engine)

    narrow = _import(sqlite_engine, _shared(KEC_3510), scope=Scope.of(["35.10.01"]))
    assert _codes(narrow) == {"out_of_scope"} and len(narrow.problems) == 24
    wide = _import(sqlite_engine, _shared(KAB_3510), scope=Scope.of(["35.10.01"]))
    assert _codes(wide) == {"out_of_scope"}
    _assert_nothing_written(sqlite_engine)


def test_region_level_from_plain_codes_or_option_tingkat(
    sqlite_engine: sa.Engine, tmp_path: Path
) -> None:
    source = gpd.read_file(_shared(KEC_3510))
    office = gpd.GeoDataFrame({
        "ID": [k.replace(".", "") for k in source["kode_kec"]], "WADMKC": source["nama_kec"],
        "geometry": source.geometry,
    }, crs="EPSG:4326")  # fmt: skip
    path = tmp_path / "kecamatan.gpkg"
    office.to_file(path, driver="GPKG")
    refused = _import(sqlite_engine, path, tingkat="kelurahan-ish")
    assert _codes(refused) == {"bad_option"} and refused.problems[0].column == "tingkat"
    report = _import(sqlite_engine, path)  # 6-digit codes found by their values
    assert report.ok, report.text("en")
    assert report.written["kec_sendiri"] == 25
    assert report.mapped_columns == {"ID": "kode_kec", "WADMKC": "nama_kec"}
    assert _same(_regions(sqlite_engine, "kec"), _file_outlines(KEC_3510, "kode_kec"))
    # no name given: the official one (layers/data/wilayah_nama.csv)
    assert _regions(sqlite_engine, "kab")["35.10"][0] == "Kabupaten Banyuwangi"

    kab = gpd.read_file(_shared(KAB_3510)).rename(columns={"kode_kab": "kode", "nama_kab": "nama"})
    kab_path = tmp_path / "kab.geojson"
    kab.to_file(kab_path)
    report = _import(sqlite_engine, kab_path, tingkat="kabupaten")
    assert report.ok, report.text("en")
    assert report.written["kab_sendiri"] == 1
    assert _regions(sqlite_engine, "kab")["35.10"][0] == "Kabupaten Banyuwangi"
    wrong = _import(sqlite_engine, kab_path, tingkat="kec")
    assert {(p.row, p.code) for p in wrong.problems} == {(1, "wrong_level")}
