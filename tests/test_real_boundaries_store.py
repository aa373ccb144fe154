"""Real Kemendagri village boundaries (../shared/data) through load_boundaries into the store.

The shared files are simplified, not exact coverages (neighbours overlap / leave slivers), and
one Kutai Barat village is invalid: the loader must dissolve and repair them regardless.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from layers.demo import load
from layers.scope import Scope
from layers.store import queries
from layers.store.engine import make_engine, upgrade
from layers.store.models import Wilayah
from tests.postgis import PostgisCluster

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BOUNDARIES = SHARED / "boundaries"

#: file, kabupaten code, villages, kecamatan
FILES = [
    ("desa_3510_banyuwangi.geojson", "35.10", 217, 25),
    ("desa_1906_belitung_timur.geojson", "19.06", 39, 7),
    ("kaltim/desa_6474_bontang.geojson", "64.74", 15, 3),
    ("kaltim/desa_6407_kutai_barat.geojson", "64.07", 194, 16),
]
INVALID_VILLAGE = "64.07.07.2002"


def _read(name: str) -> gpd.GeoDataFrame:
    path = BOUNDARIES / name
    if not path.exists():
        pytest.fail(f"shared boundary file missing: {path} (see ../shared/data/README.md)")
    return gpd.read_file(path)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> sa.Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'real.sqlite'}")
    upgrade(engine)
    return engine


def _check_store(engine: sa.Engine, kab: str, n_desa: int, n_kec: int) -> None:
    with Session(engine) as s:
        levels = dict(
            s.execute(
                sa.select(Wilayah.level, sa.func.count())
                .where(Wilayah.kode.like(f"{kab[:2]}%"))
                .group_by(Wilayah.level)
            ).all()
        )
        assert levels == {"prov": 1, "kab": 1, "kec": n_kec, "desa": n_desa}
        rows = s.execute(sa.select(Wilayah.kode, Wilayah.level, Wilayah.luas_km2)).all()
        desa_area: dict[str, float] = {}
        for kode, level, luas in rows:
            if level == "desa":
                desa_area[kode[:8]] = desa_area.get(kode[:8], 0.0) + luas
        kec_area = {kode: luas for kode, level, luas in rows if level == "kec"}
        assert set(kec_area) == set(desa_area)
        for kode, luas in kec_area.items():
            # simplified, non-coverage source: overlaps make the dissolve a bit smaller
            assert luas == pytest.approx(desa_area[kode], rel=0.05), kode
        kab_area = next(luas for kode, level, luas in rows if kode == kab)
        assert kab_area == pytest.approx(sum(desa_area.values()), rel=0.03)
        geoms = queries.villages(s, Scope.of([kab]))
        assert len(geoms) == n_desa
        assert geoms.geometry.is_valid.all()
        assert geoms.geometry.geom_type.eq("MultiPolygon").all()


@pytest.mark.parametrize(("name", "kab", "n_desa", "n_kec"), FILES, ids=[f[1] for f in FILES])
def test_real_boundaries_sqlite(
    sqlite_engine: sa.Engine, name: str, kab: str, n_desa: int, n_kec: int
) -> None:
    villages = _read(name)
    with Session(sqlite_engine) as s, s.begin():
        result = load.load_boundaries(s, villages)
    assert (result["desa"], result["kec"], result["kab"], result["prov"]) == (n_desa, n_kec, 1, 1)
    _check_store(sqlite_engine, kab, n_desa, n_kec)
    with Session(sqlite_engine) as s:
        nama_kab = s.scalar(sa.select(Wilayah.nama).where(Wilayah.kode == kab))
        assert nama_kab == villages["nama_kab"].iloc[0]
        assert s.scalar(sa.select(Wilayah.nama).where(Wilayah.kode == kab[:2])).startswith(
            "Provinsi"
        )
    if kab == "64.07":
        assert result["repaired"] >= 1
        with Session(sqlite_engine) as s:
            geom = s.scalar(sa.select(Wilayah.geometry).where(Wilayah.kode == INVALID_VILLAGE))
        assert geom is not None and geom.is_valid and geom.geom_type == "MultiPolygon"
        raw = villages.set_index("kode_desa").geometry[INVALID_VILLAGE]
        assert not raw.is_valid
        assert geom.area == pytest.approx(raw.buffer(0).area, rel=0.05)


def test_kabupaten_scope_returns_exactly_its_villages(sqlite_engine: sa.Engine) -> None:
    frames = {kab: _read(name) for name, kab, *_ in FILES[:3]}
    with Session(sqlite_engine) as s, s.begin():
        for frame in frames.values():
            load.load_boundaries(s, frame)
    with Session(sqlite_engine) as s:
        for kab, frame in frames.items():
            got = queries.villages(s, Scope.of([kab]))
            assert sorted(got["kode"]) == sorted(frame["kode_desa"])
            kec = queries.regions(s, Scope.of([kab]), "kec")
            assert set(kec["kode"]) == set(frame["kode_kec"])
        assert len(queries.villages(s, Scope.everything())) == 217 + 39 + 15


@pytest.mark.postgis
def test_banyuwangi_into_postgis(postgis_cluster: PostgisCluster) -> None:
    engine = make_engine(postgis_cluster.new_database())
    try:
        upgrade(engine)
        with Session(engine) as s, s.begin():
            load.load_boundaries(s, _read(FILES[0][0]))
        _check_store(engine, "35.10", 217, 25)
        with engine.connect() as conn:
            area, luas = conn.execute(
                sa.text(
                    "SELECT ST_Area(geometry::geography) / 1e6, luas_km2 FROM wilayah "
                    "WHERE kode = '35.10'"
                )
            ).one()
            invalid = conn.execute(
                sa.text("SELECT count(*) FROM wilayah WHERE NOT ST_IsValid(geometry)")
            ).scalar_one()
        assert area == pytest.approx(luas, rel=0.01)
        assert invalid == 0
    finally:
        engine.dispose()
