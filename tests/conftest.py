"""Shared pytest fixtures.

Store fixtures:

* ``postgis_cluster`` (session) — a throwaway PostgreSQL + PostGIS cluster (tests/postgis.py);
  the run FAILS with the reason when it cannot start (PostGIS tests are never skipped).
* ``postgis_url`` (session) — URL of a database with PostGIS in that cluster.
* ``engine`` — a migrated, empty store, parametrized ``sqlite`` (a tmp file) and ``postgis``
  (a fresh database per test); ``-k sqlite`` selects the SQLite runs only.
* ``tiny_demo_dir`` — a minimal demo folder (data/geo/README.md format): 7 villages in two
  fictional provinces ``99`` (kabupaten 99.01, 99.02) and ``98``.
"""

from __future__ import annotations

import os
import tempfile

# No numba warm-up thread in the test process: the app's background jobs are forked from it,
# and a fork taken while that thread compiles can leave the child waiting forever on a lock
# the thread held (seen once: the run hung at its end). tests/test_warmup.py turns it on in a
# process of its own.
os.environ.setdefault("PWS_WARMUP", "0")
# the shared payload cache of this run only: nothing cached by an earlier run is served
os.environ.setdefault("PWS_CACHE_DIR", tempfile.mkdtemp(prefix="pws-test-cache-"))
# no periods computed in the background after a values request: tests that count a layer's
# computations would see a thread's. tests/test_values_prefetch.py and the browser tests
# (tests/browser/conftest.py) turn it on.
os.environ.setdefault("PWS_PREFETCH_PERIODS", "0")

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import Engine

from layers.store.engine import make_engine, upgrade
from tests.postgis import PostgisCluster, PostgisUnavailable


@pytest.fixture(scope="session")
def postgis_cluster() -> Iterator[PostgisCluster]:
    try:
        cluster = PostgisCluster()
        cluster.start()
    except PostgisUnavailable as exc:
        pytest.fail(f"PostGIS test cluster could not be started: {exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgis_url(postgis_cluster: PostgisCluster) -> str:
    return postgis_cluster.new_database()


@pytest.fixture(
    params=["sqlite", pytest.param("postgis", marks=pytest.mark.postgis)],
    ids=["sqlite", "postgis"],
)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        url = request.getfixturevalue("postgis_cluster").new_database()
    eng = make_engine(url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- tiny demo

#: village code, name, kecamatan name, kabupaten name, column on the grid
TINY_VILLAGES = [
    ("99.01.01.2001", "Sukamaju", "Kota Lama", "Kabupaten Contoh", 0),
    ("99.01.01.2002", "Sukasari", "Kota Lama", "Kabupaten Contoh", 1),
    ("99.01.02.1001", "Pesisir", "Tanjung", "Kabupaten Contoh", 2),
    ("99.01.02.2002", "Karanganyar", "Tanjung", "Kabupaten Contoh", 3),
    ("99.02.01.2001", "Sumberrejo", "Wetan", "Kabupaten Lain", 5),
    ("99.02.01.2002", "Sumberagung", "Wetan", "Kabupaten Lain", 6),
    ("98.01.01.2001", "Seberang", "Ujung", "Kabupaten Seberang", 9),
]
SKILLS = [f"{g}{i}" for g, n in (("PP", 4), ("BB", 7), ("IH", 6), ("UR", 3), ("DL", 5))
          for i in range(1, n + 1)]  # fmt: skip


def write_tiny_demo(path: Path) -> Path:
    """Write the tiny demo folder into ``path`` (created) and return it."""
    path.mkdir(parents=True, exist_ok=True)
    rows = []
    for kode, nama, kec, kab, col in TINY_VILLAGES:
        x0 = 110.0 + col * 0.02
        rows.append({
            "kode_desa": kode, "kode_desa_10": kode.replace(".", ""), "nama_desa": nama,
            "jenis": "kelurahan" if kode[9] == "1" else "desa", "kode_kec": kode[:8],
            "nama_kec": kec, "kode_kab": kode[:5], "nama_kab": kab, "kode_prov": kode[:2],
            "geometry": shapely.MultiPolygon([shapely.box(x0, -6.0, x0 + 0.02, -5.98)]),
        })  # fmt: skip
    gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(path / "desa.geojson", driver="GeoJSON")
    pop = ["kode_desa,tahun,jumlah,bayi,balita,bumil,remaja,usia_produktif,lansia"]
    for i, (kode, *_rest) in enumerate(TINY_VILLAGES):
        pop.append(f"{kode},2023,{1000 + i},10,50,12,150,600,90")
        if i % 2 == 0:  # only some villages have 2024 figures
            pop.append(f"{kode},2024,{2000 + i},11,52,13,151,601,91")
    (path / "penduduk.csv").write_text("\n".join(pop) + "\n")
    (path / "fasilitas.csv").write_text(
        "nama,jenis,kode_desa,lon,lat,status,perawat,bidan,induk\n"
        "Puskesmas Kota Lama,puskesmas,99.01.01.2001,110.01,-5.99,aktif,5,4,\n"
        "Pustu Sukasari,pustu,99.01.01.2002,110.03,-5.99,aktif,1,1,Puskesmas Kota Lama\n"
        "Posyandu Mawar,posyandu,99.01.02.1001,110.05,-5.99,aktif,0,0,Puskesmas Kota Lama\n"
        "Posyandu Melati,posyandu,99.01.02.2002,110.07,-5.99,rencana,0,0,Puskesmas Kota Lama\n"
        "Puskesmas Wetan,puskesmas,99.02.01.2001,110.11,-5.99,aktif,3,2,\n"
        "Posyandu Seberang,posyandu,98.01.01.2001,110.19,-5.99,aktif,0,0,\n"
    )
    cases = ["kode_desa,penyakit,tahun,minggu,kasus,kematian"]
    for i, (kode, *_rest) in enumerate(TINY_VILLAGES):
        for week in (1, 2, 3):
            cases.append(f"{kode},diare_akut,2024,{week},{i + week},0")
    cases.append("99.01.01.2001,dbd,2024,5,1,0")
    (path / "kasus_mingguan.csv").write_text("\n".join(cases) + "\n")
    kader = ["kader_id,posyandu,kode_desa,aktif,tanggal_asesmen," + ",".join(SKILLS)]
    for j, (kid, pos, kode) in enumerate([
        ("K001", "Posyandu Mawar", "99.01.02.1001"),
        ("K002", "Posyandu Mawar", "99.01.02.1001"),
        ("K003", "Posyandu Seberang", "98.01.01.2001"),
    ]):  # fmt: skip
        flags = ",".join("1" if (k + j) % 3 else "0" for k in range(len(SKILLS)))
        kader.append(f"{kid},{pos},{kode},1,2024-0{j + 1}-15,{flags}")
    (path / "kader.csv").write_text("\n".join(kader) + "\n")
    return path


@pytest.fixture
def tiny_demo_dir(tmp_path: Path) -> Path:
    return write_tiny_demo(tmp_path / "demo_tiny")
