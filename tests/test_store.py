"""The store on SQLite and PostGIS: schema, geometry, trusted loaders and scoped queries."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from layers.demo import load
from layers.scope import Scope
from layers.store import engine as store_engine
from layers.store import queries
from layers.store.models import (
    Base,
    Fasilitas,
    ImporLog,
    ImporWilayah,
    Kader,
    KaderKeterampilan,
    KasusMingguan,
    Keterampilan,
    Meta,
    Penduduk,
    Wilayah,
)
from tests.conftest import SKILLS, TINY_VILLAGES

ALL = Scope.everything()
EMPTY = Scope(frozenset())
TINY_CODES = {v[0] for v in TINY_VILLAGES}


def _regions(session: Session) -> dict[int, set[str]]:
    """The regions recorded per import (``impor_wilayah``)."""
    out: dict[int, set[str]] = {}
    for iid, kode in session.execute(sa.select(ImporWilayah.impor_id, ImporWilayah.kode)):
        out.setdefault(iid, set()).add(kode)
    return out


def _count(engine: sa.Engine, model: type) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


@pytest.fixture
def loaded(engine: sa.Engine, tiny_demo_dir: Path) -> sa.Engine:
    load.load_demo_dir(engine, tiny_demo_dir)
    return engine


# --------------------------------------------------------------------------- schema


def _ignore_postgis_tables(obj: object, name: str | None, type_: str, reflected: bool,
                           compare_to: object) -> bool:  # fmt: skip
    """PostGIS's own tables (spatial_ref_sys, …) are not part of our schema."""
    return not (type_ == "table" and reflected and compare_to is None)


def test_migration_matches_models(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert set(Base.metadata.tables) <= tables
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": _ignore_postgis_tables}
        )
        diffs = compare_metadata(ctx, Base.metadata)
    # Spatial-index noise: the GiST index on wilayah.geometry exists only on PostgreSQL
    # (declared with ddl_if(dialect="postgresql"), which autogenerate does not honour).
    if engine.dialect.name == "sqlite":
        diffs = [
            d for d in diffs if not (d[0] == "add_index" and d[1].name == "ix_wilayah_geometry")
        ]
    assert diffs == []


def test_skills_seeded(engine: sa.Engine) -> None:
    with Session(engine) as s:
        per_group = dict(
            s.execute(sa.select(Keterampilan.kelompok, sa.func.count()).group_by("kelompok")).all()
        )
        assert per_group == {"PP": 4, "BB": 7, "IH": 6, "UR": 3, "DL": 5}
        assert sorted(s.scalars(sa.select(Keterampilan.kode))) == sorted(SKILLS)
        confirmed = s.scalar(
            sa.select(Keterampilan.terkonfirmasi).where(Keterampilan.kode == "PP1")
        )
        assert confirmed is True


def test_geometry_roundtrip(engine: sa.Engine) -> None:
    holed = shapely.Polygon(
        [(110, -6), (110.1, -6), (110.1, -5.9), (110, -5.9)],
        [[(110.02, -5.98), (110.05, -5.98), (110.05, -5.95), (110.02, -5.95)]],
    )
    multi = shapely.MultiPolygon([holed, shapely.box(110.2, -6, 110.3, -5.9)])
    single = shapely.box(111, -6, 111.1, -5.9)
    with Session(engine) as s, s.begin():
        s.add(Wilayah(kode="99", level="prov", nama="Uji", geometry=multi))
        s.add(Wilayah(kode="98", level="prov", nama="Uji 2", geometry=single))
        s.add(Wilayah(kode="97", level="prov", nama="Tanpa", geometry=None))
    with Session(engine) as s:
        got = {w.kode: w.geometry for w in s.scalars(sa.select(Wilayah))}
    assert isinstance(got["99"], shapely.MultiPolygon)
    assert got["99"] == multi and got["99"].equals(multi)
    assert len(got["99"].geoms[0].interiors) == 1
    assert got["98"] == shapely.MultiPolygon([single])  # promoted to MultiPolygon
    assert got["97"] is None


def test_sqlite_pragmas_and_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PWS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert store_engine.database_url().endswith("x.sqlite")
    monkeypatch.delenv("PWS_DATABASE_URL")
    assert store_engine.database_url().endswith("/var/pws.sqlite")
    eng = store_engine.make_engine(f"sqlite:///{tmp_path / 'p.sqlite'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    eng.dispose()


# --------------------------------------------------------------------------- loaders


def test_load_demo_dir_writes_everything(engine: sa.Engine, tiny_demo_dir: Path) -> None:
    counts = load.load_demo_dir(engine, tiny_demo_dir, user="tester")
    assert counts == {"wilayah": 7, "penduduk": 11, "fasilitas": 6, "kasus_mingguan": 22,
                      "kader": 3, "kader_keterampilan": 75}  # fmt: skip
    with Session(engine) as s:
        levels = dict(s.execute(sa.select(Wilayah.level, sa.func.count()).group_by("level")).all())
        assert levels == {"prov": 2, "kab": 3, "kec": 4, "desa": 7}
        logs = s.scalars(sa.select(ImporLog).order_by(ImporLog.id)).all()
        assert [entry.jenis for entry in logs] == [
            "wilayah", "penduduk", "fasilitas", "kasus_mingguan", "kader"]  # fmt: skip
        assert {entry.pengguna for entry in logs} == {"tester"}
        # trusted loads: they wrote data, and are never undone
        assert {entry.status for entry in logs} == {"dimuat"}
        regions = _regions(s)
        assert regions[logs[0].id] == TINY_CODES  # the villages, not their parents
        assert regions[logs[3].id] == TINY_CODES  # every village has cases
        fas = {"99.01.01.2001", "99.01.01.2002", "99.01.02.1001", "99.01.02.2002",
               "99.02.01.2001", "98.01.01.2001"}  # fmt: skip
        assert regions[logs[2].id] == fas
        assert regions[logs[4].id] == {"99.01.02.1001", "98.01.01.2001"}
        sha = hashlib.sha256((tiny_demo_dir / "kasus_mingguan.csv").read_bytes()).hexdigest()
        assert logs[3].sha256 == sha and logs[3].rows_ok == 22 and logs[3].rows_rejected == 0
        fas = {f.nama: f for f in s.scalars(sa.select(Fasilitas))}
        assert fas["Pustu Sukasari"].induk_id == fas["Puskesmas Kota Lama"].id
        assert fas["Puskesmas Kota Lama"].induk_id is None
        assert fas["Posyandu Melati"].status == "rencana"
        kader = {k.kode: k for k in s.scalars(sa.select(Kader))}
        assert kader["K001"].posyandu_id == fas["Posyandu Mawar"].id
        assert kader["K003"].posyandu_id == fas["Posyandu Seberang"].id
        assert str(kader["K002"].tanggal_asesmen) == "2024-02-15"
        passed = s.scalar(sa.select(sa.func.count()).where(KaderKeterampilan.lulus.is_(True)))
        assert passed == sum(1 for j in range(3) for k in range(25) if (k + j) % 3)
        assert s.scalar(sa.select(Wilayah.luas_km2).where(Wilayah.kode == "99.01.01.2001")) == (
            pytest.approx(2.2 * 2.2 * 0.99, rel=0.05)
        )
    # loading the same folder again gives the same store (plus the new log rows)
    load.load_demo_dir(engine, tiny_demo_dir)
    assert _count(engine, KasusMingguan) == 22 and _count(engine, Kader) == 3
    assert _count(engine, Fasilitas) == 6 and _count(engine, ImporLog) == 10


@pytest.mark.parametrize("text", ["", "kader_id,posyandu,kode_desa,aktif,tanggal_asesmen\n"],
                         ids=["empty file", "header only"])  # fmt: skip
def test_facts_file_without_rows_loads_nothing(engine: sa.Engine, tiny_demo_dir: Path,
                                               text: str) -> None:  # fmt: skip
    (tiny_demo_dir / "kader.csv").write_text(text)
    cases_header = "kode_desa,penyakit,tahun,minggu,kasus\n"
    (tiny_demo_dir / "kasus_mingguan.csv").write_text(text and cases_header)
    counts = load.load_demo_dir(engine, tiny_demo_dir)
    assert "kader" not in counts and "kasus_mingguan" not in counts
    # the other files still load
    assert counts["fasilitas"] == 6 and counts["penduduk"] == 11
    assert _count(engine, Kader) == 0 and _count(engine, KasusMingguan) == 0
    with Session(engine) as s:
        assert set(s.scalars(sa.select(ImporLog.jenis))) == {"wilayah", "penduduk", "fasilitas"}


@pytest.mark.parametrize("bad_row", [
    "99.01.01.2999,diare_akut,2024,9,1,0",  # unknown village: foreign key fails
    "99.01.01.2001,diare_akut,2024,9,-4,0",  # negative count: check constraint fails
    "99.01.01.2001,diare_akut,2024,60,1,0",  # week 60 does not exist
])  # fmt: skip
def test_failed_load_changes_nothing(engine: sa.Engine, tiny_demo_dir: Path, bad_row: str) -> None:
    path = tiny_demo_dir / "kasus_mingguan.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines[:10], bad_row, *lines[10:]]) + "\n")
    with pytest.raises(sa.exc.IntegrityError):
        load.load_demo_dir(engine, tiny_demo_dir)
    for model in (Wilayah, Penduduk, Fasilitas, KasusMingguan, Kader, ImporLog, Meta):
        assert _count(engine, model) == 0, model.__tablename__


def test_failed_reload_keeps_previous_data(loaded: sa.Engine, tiny_demo_dir: Path) -> None:
    with Session(loaded) as s:
        version = queries.geometry_version(s)
    (tiny_demo_dir / "kader.csv").write_text("kader_id,posyandu,kode_desa,aktif,tanggal_asesmen\n"
                                             "K9,X,99.01.01.2001,1,bukan-tanggal\n")  # fmt: skip
    with pytest.raises(ValueError):
        load.load_demo_dir(loaded, tiny_demo_dir)
    with Session(loaded) as s:
        assert queries.geometry_version(s) == version
    assert _count(loaded, Kader) == 3 and _count(loaded, ImporLog) == 5


def test_geometry_version_changes_on_boundary_load(loaded: sa.Engine, tiny_demo_dir: Path) -> None:
    import geopandas as gpd

    with Session(loaded) as s:
        before = queries.geometry_version(s)
        assert before != "0"
    with Session(loaded) as s, s.begin():
        villages = gpd.read_file(tiny_demo_dir / "desa.geojson").to_crs("EPSG:32749")
        result = load.load_boundaries(s, villages)  # any CRS is accepted
        assert result["desa"] == 7 and result["kec"] == 4
    with Session(loaded) as s:
        assert queries.geometry_version(s) not in ("0", before)
        assert queries.region(s, ALL, "99")["nama"] == "Provinsi 99"


def test_demo_parents_resolved_as_the_importer_does(engine: sa.Engine,
                                                     tiny_demo_dir: Path) -> None:  # fmt: skip
    """The demo loader's ``induk`` follows layers.ingest.parents: loose names resolve to the
    file's Puskesmas; a name that is no Puskesmas stops the whole load."""
    path = tiny_demo_dir / "fasilitas.csv"
    good = path.read_text()
    path.write_text(good.replace("aktif,1,1,Puskesmas Kota Lama", "aktif,1,1,PUSKESMAS  kota lama"))
    load.load_demo_dir(engine, tiny_demo_dir)
    with Session(engine) as s:
        fas = {f.nama: f for f in s.scalars(sa.select(Fasilitas))}
    assert fas["Pustu Sukasari"].induk_id == fas["Puskesmas Kota Lama"].id
    assert fas["Posyandu Seberang"].induk_id is None
    path.write_text(good.replace("aktif,1,1,Puskesmas Kota Lama", "aktif,1,1,Puskesmas Entah"))
    with pytest.raises(ValueError, match="line 3: induk 'Puskesmas Entah': The parent Puskesmas"):
        load.load_demo_dir(engine, tiny_demo_dir)
    assert _count(engine, Fasilitas) == 6 and _count(engine, ImporLog) == 5  # the first load


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_load_speed_district(engine: sa.Engine, tmp_path: Path) -> None:
    """~250 villages x 104 weeks (26k case rows) load in a couple of seconds on SQLite."""
    import geopandas as gpd

    rows, cases = [], []
    for i in range(250):
        kec, n = divmod(i, 10)
        kode = f"99.01.{kec + 1:02d}.{2001 + n}"
        x, y = 110 + (i % 25) * 0.01, -6 + (i // 25) * 0.01
        rows.append({"kode_desa": kode, "nama_desa": f"Desa {i}", "jenis": "desa",
                     "kode_kec": kode[:8], "nama_kec": f"Kec {kec}", "kode_kab": "99.01",
                     "nama_kab": "Kab", "kode_prov": "99",
                     "geometry": shapely.box(x, y, x + 0.01, y + 0.01)})  # fmt: skip
        cases += [f"{kode},diare_akut,{2023 + w // 52},{w % 52 + 1},{(i + w) % 5},0"
                  for w in range(104)]  # fmt: skip
    gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(tmp_path / "desa.geojson")
    text = "kode_desa,penyakit,tahun,minggu,kasus,kematian\n" + "\n".join(cases) + "\n"
    (tmp_path / "kasus_mingguan.csv").write_text(text)
    start = time.perf_counter()
    counts = load.load_demo_dir(engine, tmp_path)
    elapsed = time.perf_counter() - start
    assert counts == {"wilayah": 250, "kasus_mingguan": 26_000}
    assert elapsed < 6, f"load took {elapsed:.1f} s"


# --------------------------------------------------------------------------- scoped queries


def test_import_log_newest_first_in_utc(loaded: sa.Engine) -> None:
    with Session(loaded) as s:
        log = queries.import_log(s, ALL)
        newest = queries.import_log(s, ALL, limit=2)
    assert list(log.columns) == ["id", "jenis", "file", "sha256", "rows_ok", "rows_rejected",
                                 "pengguna", "waktu", "status"]  # fmt: skip
    assert list(log["jenis"]) == ["kader", "kasus_mingguan", "fasilitas", "penduduk", "wilayah"]
    assert list(log["id"]) == sorted(log["id"], reverse=True)
    assert log.set_index("jenis").loc["kasus_mingguan", "rows_ok"] == 22
    assert str(log["waktu"].dt.tz) == "UTC"
    assert (pd.Timestamp.now(tz="UTC") - log["waktu"]).max() < pd.Timedelta(minutes=5)
    pd.testing.assert_frame_equal(newest, log.head(2))


def test_import_log_empty(engine: sa.Engine) -> None:
    with Session(engine) as s:
        log = queries.import_log(s, ALL, limit=10)
    assert log.empty and list(log.columns) == queries.IMPORT_LOG_COLUMNS


def _add_log(session: Session, kodes: set[str], status: str = "ok") -> int:
    entry = ImporLog(jenis="kasus", file="f.csv", sha256="0" * 64, rows_ok=1, rows_rejected=0,
                     pengguna="u", waktu=pd.Timestamp.now(tz="UTC").to_pydatetime(),
                     status=status, pesan="{}")  # fmt: skip
    session.add(entry)
    session.flush()
    session.add_all([ImporWilayah(impor_id=entry.id, kode=k) for k in kodes])
    return entry.id


def test_import_log_scoped_by_the_regions_an_import_touched(engine: sa.Engine) -> None:
    with Session(engine) as s, s.begin():
        mine = _add_log(s, {"99.01.01.2001", "99.01.01.2002"})
        theirs = _add_log(s, {"99.02.01.2001"})
        both = _add_log(s, {"99.01.01.2001", "99.02.01.2001"})
        unknown = _add_log(s, set())
    with Session(engine) as s:
        def ids(scope: Scope) -> list[int]:
            return list(queries.import_log(s, scope)["id"])

        assert ids(Scope.of(["99.01.01"])) == [both, mine]
        assert ids(Scope.of(["99.01.01.2002"])) == [mine]
        assert ids(Scope.of(["99.02"])) == [both, theirs]
        assert ids(Scope.of(["98"])) == []
        assert ids(ALL) == [unknown, both, theirs, mine]  # unscoped: also what has no regions
        assert ids(EMPTY) == [] and ids(Scope(frozenset({"99.%", "%"}))) == []
        assert list(queries.import_log(s, Scope.of(["99"]), limit=1)["id"]) == [both]
        kec = Scope.of(["99.01.01"])
        assert [queries.import_within(s, kec, i) for i in (mine, theirs, both, unknown)] == [
            True, False, False, None]  # fmt: skip
        assert queries.import_within(s, Scope.of(["99.01.01.2001"]), mine) is False
        assert queries.import_within(s, ALL, both) is True


def test_migration_0005_marks_trusted_loads_and_records_no_regions(engine: sa.Engine) -> None:
    """Upgrading a store of migration 0004: the trusted loader's ``ok`` rows (no ``pesan``)
    become ``dimuat``; importer rows keep their status; no row gets regions."""
    store_engine.downgrade(engine, "0004")
    log = sa.table("impor_log", *(sa.column(c) for c in (
        "jenis", "file", "sha256", "rows_ok", "rows_rejected", "pengguna", "waktu", "status",
        "pesan")))  # fmt: skip
    base = {"file": "f", "sha256": "0" * 64, "rows_ok": 1, "rows_rejected": 0, "pengguna": "u",
            "waktu": pd.Timestamp.now(tz="UTC").to_pydatetime()}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(log.insert(), [
            {**base, "jenis": "wilayah", "status": "ok", "pesan": None},
            {**base, "jenis": "penduduk", "status": "ok", "pesan": None},
            {**base, "jenis": "penduduk", "status": "ok", "pesan": '{"written": {}}'},
            {**base, "jenis": "kasus", "status": "ditolak", "pesan": None},
        ])  # fmt: skip
    store_engine.upgrade(engine)
    with Session(engine) as s:
        statuses = list(s.scalars(sa.select(ImporLog.status).order_by(ImporLog.id)))
        assert statuses == ["dimuat", "dimuat", "ok", "ditolak"]
        assert _regions(s) == {}
        assert len(queries.import_log(s, ALL)) == 4
        assert queries.import_log(s, Scope.of(["99"])).empty
    store_engine.downgrade(engine, "0004")
    with engine.connect() as conn:
        back = conn.execute(sa.text("SELECT status FROM impor_log ORDER BY id")).scalars().all()
    assert back == ["ok", "ok", "ok", "ditolak"]
    store_engine.upgrade(engine)


def test_villages_scoped(loaded: sa.Engine) -> None:
    with Session(loaded) as s:
        assert set(queries.villages(s, ALL)["kode"]) == TINY_CODES
        kab = queries.villages(s, Scope.of(["99.01"]))
        assert list(kab.columns) == ["kode", "nama", "jenis", "kode_kec", "nama_kec", "geometry"]
        assert set(kab["kode"]) == {c for c in TINY_CODES if c.startswith("99.01.")}
        assert kab.crs == "EPSG:4326" and kab.geometry.geom_type.eq("MultiPolygon").all()
        row = kab.set_index("kode").loc["99.01.02.1001"]
        assert (row["nama_kec"], row["jenis"], row["kode_kec"]) == ("Tanjung", "kelurahan",
                                                                    "99.01.02")  # fmt: skip
        assert set(queries.villages(s, Scope.of(["98"]))["kode"]) == {"98.01.01.2001"}
        assert queries.villages(s, EMPTY).empty
        kec_scope = Scope.of(["99.01.01"])
        assert set(queries.villages(s, ALL, within="99.01.02")["kode"]) == {
            "99.01.02.1001", "99.01.02.2002"}  # fmt: skip
        # `within` can only narrow: a wider or foreign region gives the scope or nothing
        assert set(queries.villages(s, kec_scope, within="99")["kode"]) == {
            "99.01.01.2001", "99.01.01.2002"}  # fmt: skip
        assert queries.villages(s, kec_scope, within="98").empty
        assert queries.villages(s, kec_scope, within="99.01.02").empty
        assert queries.villages(s, kec_scope, within="99' OR 1=1 --").empty
        # a crafted scope with a non-code never matches anything
        assert queries.villages(s, Scope(frozenset({"99.%", "%"}))).empty
        # the count the map page shows, in the same scopes
        for scope in (ALL, Scope.of(["99.01"]), kec_scope, Scope.of(["98"]), EMPTY,
                      Scope(frozenset({"99.%", "%"}))):
            assert queries.village_count(s, scope) == len(queries.village_codes(s, scope))
        assert queries.village_count(s, ALL) == len(TINY_CODES) > 0


def test_regions_and_region_scoped(loaded: sa.Engine) -> None:
    with Session(loaded) as s:
        kec = queries.regions(s, Scope.of(["99.01"]), "kec")
        assert list(kec.columns) == ["kode", "nama", "induk", "geometry"]
        assert list(kec["kode"]) == ["99.01.01", "99.01.02"]
        # a village scope sees the outline of its own kecamatan, nothing else
        village = Scope.of(["99.01.01.2002"])
        assert list(queries.regions(s, village, "kec")["kode"]) == ["99.01.01"]
        assert list(queries.regions(s, village, "desa")["kode"]) == ["99.01.01.2002"]
        assert list(queries.regions(s, Scope.of(["98"]), "kab")["kode"]) == ["98.01"]
        assert queries.regions(s, EMPTY, "kec").empty
        info = queries.region(s, Scope.of(["99.01"]), "99.01.01")
        assert info is not None and info["nama"] == "Kota Lama" and info["level"] == "kec"
        minx, miny, maxx, maxy = info["bounds"]
        assert (minx, maxx) == pytest.approx((110.0, 110.04))
        assert queries.region(s, Scope.of(["99.01"]), "98.01") is None
        assert queries.region(s, Scope.of(["99.01"]), "99.02.01.2001") is None
        assert queries.region(s, EMPTY, "99.01") is None
        assert queries.region(s, ALL, "not-a-code") is None


def test_cases_scoped(loaded: sa.Engine) -> None:
    with Session(loaded) as s:
        week = queries.weekly_cases(s, Scope.of(["99.02"]), "diare_akut", 2024, 2)
        assert list(week.columns) == ["kode_desa", "kasus", "kematian"]
        assert list(week["kode_desa"]) == ["99.02.01.2001", "99.02.01.2002"]
        assert list(week["kasus"]) == [4 + 2, 5 + 2]
        assert queries.weekly_cases(s, EMPTY, "diare_akut", 2024, 2).empty
        assert len(queries.weekly_cases(s, ALL, "diare_akut", 2024, 2)) == 7
        series = queries.case_series(s, Scope.of(["99.01.01"]), "99.01.01.2002", "diare_akut")
        assert list(series.columns) == ["tahun", "minggu", "kasus", "kematian"]
        assert list(series["minggu"]) == [1, 2, 3]
        assert queries.case_series(s, Scope.of(["98"]), "99.01.01.2002", "diare_akut").empty
        assert queries.case_series(s, EMPTY, "99.01.01.2002", "diare_akut").empty
        assert queries.available_weeks(s, ALL, "diare_akut") == [(2024, 1), (2024, 2), (2024, 3)]
        assert queries.available_weeks(s, ALL, "dbd") == [(2024, 5)]
        assert queries.available_weeks(s, Scope.of(["98"]), "dbd") == []


def test_facilities_scoped(loaded: sa.Engine) -> None:
    with Session(loaded) as s:
        fas = queries.facilities(s, Scope.of(["99.01.02"]))
        assert set(fas["nama"]) == {"Posyandu Mawar", "Posyandu Melati"}
        assert {"id", "nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat",
                "bidan"} <= set(fas.columns)  # fmt: skip
        assert set(queries.facilities(s, Scope.of(["98"]))["kode_desa"]) == {"98.01.01.2001"}
        assert queries.facilities(s, EMPTY).empty
        assert len(queries.facilities(s, ALL)) == 6


def test_population_falls_back_to_latest_year(loaded: sa.Engine) -> None:
    with Session(loaded) as s:
        pop = queries.population(s, ALL, 2024).set_index("kode_desa")
        assert len(pop) == 7
        assert pop.loc["99.01.01.2001", "jumlah"] == 2000  # has 2024
        assert pop.loc["99.01.01.2002", "jumlah"] == 1001  # only 2023 -> falls back
        assert pop.loc["99.01.01.2002", "tahun"] == 2023
        assert queries.population(s, ALL, 2022).empty
        assert set(queries.population(s, Scope.of(["99.02"]), 2030)["kode_desa"]) == {
            "99.02.01.2001", "99.02.01.2002"}  # fmt: skip
        assert queries.population(s, EMPTY, 2024).empty


def test_scope_never_leaks_any_row(loaded: sa.Engine) -> None:
    """Every query under a crafted foreign-province scope returns only that province."""
    foreign = Scope.of(["98"])
    with Session(loaded) as s:
        frames = [
            queries.villages(s, foreign)["kode"],
            queries.regions(s, foreign, "desa")["kode"],
            queries.weekly_cases(s, foreign, "diare_akut", 2024, 1)["kode_desa"],
            queries.facilities(s, foreign)["kode_desa"],
            queries.population(s, foreign, 2024)["kode_desa"],
        ]
    for codes_seen in frames:
        assert len(codes_seen) > 0
        assert all(c.startswith("98.") for c in codes_seen)


# --------------------------------------------------------------------------- PostGIS only


@pytest.mark.postgis
@pytest.mark.parametrize("engine", ["postgis"], indirect=True)
def test_postgis_spatial_sql(loaded: sa.Engine) -> None:
    with loaded.connect() as conn:
        assert conn.execute(sa.text("SELECT postgis_version()")).scalar()
        kode = conn.execute(sa.text(
            "SELECT kode FROM wilayah WHERE level = 'desa' AND "
            "ST_Contains(geometry, ST_SetSRID(ST_MakePoint(110.05, -5.99), 4326))"
        )).scalar_one()  # fmt: skip
        assert kode == "99.01.02.1001"
        area, luas, srid, gtype = conn.execute(sa.text(
            "SELECT ST_Area(geometry::geography) / 1e6, luas_km2, ST_SRID(geometry), "
            "GeometryType(geometry) FROM wilayah WHERE kode = '99.01'"
        )).one()  # fmt: skip
        assert (srid, gtype) == (4326, "MULTIPOLYGON")
        assert area == pytest.approx(luas, rel=0.01)
