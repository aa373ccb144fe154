"""Regions imported without their parents' names get the official ones (issue 8, item 9).

The shipped lookup ``layers/data/wilayah_nama.csv`` holds code -> name of the provinces and
kabupaten/kota only (no geometry), built from the shared boundary files; a village file
without ``nama_kab``/``nama_prov`` then gets ``Provinsi Kepulauan Bangka Belitung`` and
``Kabupaten Belitung Timur``, not ``Provinsi 19``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from layers.ingest import run_import
from layers.scope import Scope
from layers.store import regions
from layers.store.engine import make_engine, upgrade
from layers.store.models import Wilayah

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "boundaries"
LOOKUP = REPO / "layers" / "data" / "wilayah_nama.csv"
BELITUNG = SHARED / "desa_1906_belitung_timur.geojson"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(eng)
    yield eng
    eng.dispose()


def _names(engine: sa.Engine, *kodes: str) -> dict[str, str]:
    with Session(engine) as s:
        return dict(s.execute(sa.select(Wilayah.kode, Wilayah.nama)
                              .where(Wilayah.kode.in_(kodes))).all())  # fmt: skip


def _village_file(tmp_path: Path, keep: list[str]) -> Path:
    villages = gpd.read_file(BELITUNG)
    path = tmp_path / "desa.geojson"
    villages[[*keep, "geometry"]].to_file(path, driver="GeoJSON")
    return path


def test_villages_without_parent_names_get_the_official_names(engine: sa.Engine,
                                                               tmp_path: Path) -> None:  # fmt: skip
    path = _village_file(tmp_path, ["kode_desa", "nama_desa"])
    report = run_import(engine, "batas", path, user="u", scope=Scope.everything())
    assert report.status == "ok", report.text("en")
    names = _names(engine, "19", "19.06", "19.06.01")
    assert names["19"] == "Provinsi Kepulauan Bangka Belitung"
    assert names["19.06"] == "Kabupaten Belitung Timur"
    assert names["19.06.01"] == "Kecamatan 19.06.01"  # kecamatan names are not shipped


def test_file_names_win_and_stored_placeholders_give_way(engine: sa.Engine,
                                                         tmp_path: Path) -> None:  # fmt: skip
    with Session(engine) as s, s.begin():  # a store from before: the placeholder was stored
        s.add(Wilayah(kode="19", level="prov", nama="Provinsi 19"))
    named = _village_file(tmp_path, ["kode_desa", "nama_desa", "kode_kab", "nama_kab"])
    villages = gpd.read_file(named)
    villages["nama_kab"] = "Kab. Beltim (nama dari file)"
    villages.to_file(named, driver="GeoJSON")
    report = run_import(engine, "batas", named, user="u", scope=Scope.everything())
    assert report.status == "ok", report.text("en")
    names = _names(engine, "19", "19.06")
    assert names == {"19": "Provinsi Kepulauan Bangka Belitung",
                     "19.06": "Kab. Beltim (nama dari file)"}  # fmt: skip


def test_region_name_rules() -> None:
    official = regions.official_names()
    assert regions.region_name("prov", "33", None, None) == "Provinsi Jawa Tengah"
    assert regions.region_name("prov", "33", None, "Provinsi 33") == "Provinsi Jawa Tengah"
    assert regions.region_name("prov", "33", None, "Jateng") == "Jateng"
    assert regions.region_name("prov", "33", "Dari file", "Jateng") == "Dari file"
    assert regions.region_name("kab", "35.10", None, None) == official["35.10"]
    assert regions.region_name("prov", "99", None, None) == "Provinsi 99"  # the demo's code
    assert regions.region_name("kab", "33.74", None, None) == "Kabupaten/Kota 33.74"


def test_the_lookup_is_code_name_pairs_of_the_shared_files() -> None:
    rows = list(csv.DictReader(LOOKUP.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["kode", "nama"]  # no geometry, nothing else
    lookup = {r["kode"]: r["nama"] for r in rows}
    assert len(lookup) == len(rows)
    provinces = {k for k in lookup if "." not in k}
    assert len(provinces) == 38 and all(lookup[p].startswith("Provinsi ") for p in provinces)
    kab = pq.read_table(SHARED / "nasional" / "kab_nasional_tanpa_33.parquet",
                        columns=["kode_kab", "nama_kab"]).to_pandas()  # fmt: skip
    shared = dict(zip(kab["kode_kab"], kab["nama_kab"], strict=True))
    assert {k: v for k, v in lookup.items() if "." in k} == shared
    assert {k.split(".")[0] for k in shared} <= provinces
    assert regions.official_names() == lookup
    assert (REPO / "layers" / "data" / "README.md").read_text(encoding="utf-8").count(
        "cahyadsn/wilayah_boundaries") >= 1
