"""Real Kemendagri boundaries (../shared/data) with a synthetic facility file made here:
Belitung Timur (39 villages, islands, across 108°E: zones 48 | 49) and Banyuwangi (217,
across 114°E: zones 49 | 50). The programme data of ``layers.demo.programme`` is put on the
real villages, spoiled (villages without population, a second active Pustu, a Pustu
without coordinates), loaded with the trusted loader and read back through the Scope."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from layers.demo import load, programme
from layers.demo.rng import stream
from layers.demo.write import read_boundaries, write_geojson
from layers.pustu import maplayer, service
from layers.scope import Scope
from layers.store import queries
from layers.store.engine import make_engine, upgrade

BOUNDARIES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "boundaries"
GEOD = pyproj.Geod(ellps="WGS84")
#: file, kabupaten, villages, UTM zones of its villages
FILES = [
    ("desa_1906_belitung_timur.geojson", "19.06", 39, {32748, 32749}),
    ("desa_3510_banyuwangi.geojson", "35.10", 217, {32749, 32750}),
]
NO_POPULATION = 3


@dataclass
class Loaded:
    engine: Engine
    kab: str
    n: int
    zones: set[int]
    population: pd.DataFrame
    facilities: pd.DataFrame
    double: str
    no_population: list[str]


@pytest.fixture(scope="module", params=FILES, ids=[f[1] for f in FILES])
def loaded(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:  # fmt: skip
    name, kab, n, zones = request.param
    path = BOUNDARIES / name
    if not path.exists():
        pytest.fail(f"shared boundary file missing: {path} (see ../shared/data/README.md)")
    folder = tmp_path_factory.mktemp(f"real_{kab}")
    villages = programme.prepare_villages(read_boundaries(path))
    penduduk = programme.population(villages, [2025], stream(9, "population"))
    fasilitas = programme.facilities(villages, penduduk, stream(9, "facilities"))
    # spoil: villages without population, a second active Pustu, a Pustu without position
    no_pop = penduduk["kode_desa"].iloc[[1, 5, 9]].tolist()
    penduduk = penduduk[~penduduk["kode_desa"].isin(no_pop)]
    active = fasilitas[(fasilitas["jenis"] == "pustu") & (fasilitas["status"] == "aktif")]
    twin = active.iloc[[0]].assign(nama=lambda f: f["nama"] + " II", perawat=0, bidan=0)
    fasilitas = pd.concat([fasilitas, twin], ignore_index=True)
    fasilitas.loc[active.index[1], ["lon", "lat"]] = np.nan
    write_geojson(folder / "desa.geojson", villages)
    penduduk.to_csv(folder / "penduduk.csv", index=False)
    fasilitas.to_csv(folder / "fasilitas.csv", index=False, float_format="%.6f")
    engine = make_engine(f"sqlite:///{folder / 'store.sqlite'}")
    upgrade(engine)
    load.load_demo_dir(engine, folder)
    yield Loaded(engine, kab, n, zones, penduduk, fasilitas, str(twin["kode_desa"].iloc[0]),
                 no_pop)
    engine.dispose()


def test_gap_table_and_summaries_on_real_villages(loaded: Loaded) -> None:
    scope = Scope.of([loaded.kab])
    with Session(loaded.engine) as s:
        gaps = service.gaps_for(s, scope, current_year=2026)
        polygons = queries.villages(s, scope)
    v = gaps.villages
    assert len(v) == loaded.n and v["kode_desa"].is_unique
    fac = loaded.facilities
    active = fac[(fac["jenis"] == "pustu") & (fac["status"] == "aktif")]
    assert (v["pustu_aktif"] > 0).sum() == active["kode_desa"].nunique()
    assert int(v["pustu_aktif"].sum()) == len(active)  # the twin is kept, not lost
    assert v.loc[v["pustu_ganda"], "kode_desa"].tolist() == [loaded.double]
    # every village of the file has a point inside its polygon, zones on both sides
    pts = shapely.points(v["lon"], v["lat"])
    assert shapely.covers(polygons.geometry.to_numpy(), pts).all()
    assert set(v["epsg"]) == loaded.zones
    # multi-island villages are represented on their largest island; villages whose own
    # centroid lies outside them (in the sea between islands, or a bend) get a point inside
    geoms = polygons.geometry.to_numpy()
    parts, owner = shapely.get_parts(geoms, return_index=True)
    multi = np.flatnonzero(shapely.get_num_geometries(geoms) > 1)
    assert len(multi) >= 5
    for i in multi:
        own = parts[owner == i]
        assert own[np.argmax(shapely.area(own))].covers(pts[i])
    outside = ~shapely.contains(geoms, shapely.centroid(geoms))
    assert outside.sum() >= 1 and shapely.covers(geoms[outside], pts[outside]).all()
    # population: no data for the spoiled villages, never zero; served + unserved = known
    assert sorted(v.loc[v["penduduk"].isna(), "kode_desa"]) == sorted(loaded.no_population)
    for frame in (gaps.kecamatan(), gaps.kabupaten(), pd.DataFrame([gaps.total()])):
        known = frame["penduduk"].fillna(0)
        assert ((frame["penduduk_terlayani"].fillna(0)
                 + frame["penduduk_tidak_terlayani"].fillna(0)) == known).all()
    total = gaps.total()
    assert total["penduduk"] == loaded.population["jumlah"].sum()
    assert total["desa_tanpa_penduduk"] == NO_POPULATION
    assert gaps.kecamatan()["desa"].sum() == loaded.n
    assert gaps.kabupaten()["kode"].tolist() == [loaded.kab]
    messages = " ".join(p.en for p in gaps.problems)
    assert loaded.double in messages and "1 Pustu/Puskesmas without coordinates" in messages
    assert all(code in messages for code in loaded.no_population)


def test_distances_match_geodesics_on_real_villages(loaded: Loaded) -> None:
    with Session(loaded.engine) as s:
        gaps = service.gaps_for(s, Scope.of([loaded.kab]), current_year=2026)
    v = gaps.villages
    fac = gaps.facilities.set_index("id")
    found = v.dropna(subset=["pustu_terdekat"])
    assert len(found) == len(v)
    target = fac.loc[found["pustu_terdekat"].astype(int), ["lon", "lat"]].to_numpy()
    true = GEOD.inv(found["lon"].to_numpy(), found["lat"].to_numpy(), target[:, 0],
                    target[:, 1])[2]
    np.testing.assert_allclose(found["jarak_pustu_m"], true, rtol=1.5e-3, atol=1e-6)
    # and no active Pustu is nearer than the one named (brute force over all of them)
    act = gaps.facilities[(gaps.facilities["jenis"] == "pustu")
                          & (gaps.facilities["status"] == "aktif")]
    lon1, lat1 = np.repeat(found[["lon", "lat"]].to_numpy(), len(act), axis=0).T
    lon2, lat2 = np.tile(act[["lon", "lat"]].to_numpy(), (len(found), 1)).T
    brute = GEOD.inv(lon1, lat1, lon2, lat2)[2].reshape(len(found), len(act)).min(axis=1)
    np.testing.assert_allclose(found["jarak_pustu_m"], brute, rtol=1.5e-3, atol=1e-6)


def test_the_layer_runs_on_real_villages(loaded: Loaded) -> None:
    with Session(loaded.engine) as s:
        near = maplayer.PustuLayer(jarak_km=1.0).load(s, Scope.of([loaded.kab]), None, "id")
        far = maplayer.PustuLayer(jarak_km=10.0).load(s, Scope.of([loaded.kab]), None, "en")
    assert len(near.table) == loaded.n and (near.table["klass"] >= 0).all()
    assert near.table["label"].str.len().gt(0).all()
    assert near.table["terlayani"].sum() <= far.table["terlayani"].sum()
    unserved = near.table.loc[~near.table["terlayani"], "penduduk"].sum()
    assert f"penduduk di luar 1 km: {unserved:,.0f}".replace(",", ".") in near.summary.id
    assert "(3 villages without population figures)" in far.summary.en
