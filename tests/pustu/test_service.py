"""The gap table: hand-made villages (pure) and the demo store through the Scope."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from layers.pustu import service
from layers.scope import Scope
from layers.store import queries
from tests.ingest.helpers import demo_engine

GEOD = pyproj.Geod(ellps="WGS84")
REL = 1.5e-3


def geodesic(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


# --------------------------------------------------------------------------- pure


def small_villages() -> gpd.GeoDataFrame:
    """Five villages along 8.2° S around the 114°E zone edge (Banyuwangi's), one of them
    two islands, one a U whose centroid lies outside it, one without a boundary."""
    u = shapely.Polygon([(114.02, -8.22), (114.05, -8.22), (114.05, -8.19), (114.04, -8.19),
                         (114.04, -8.21), (114.03, -8.21), (114.03, -8.19), (114.02, -8.19)])
    islands = shapely.MultiPolygon([shapely.box(114.06, -8.21, 114.065, -8.205),
                                    shapely.box(114.08, -8.23, 114.12, -8.19)])
    return gpd.GeoDataFrame({
        "kode": ["35.10.01.2001", "35.10.01.2002", "35.10.01.2003", "35.10.02.2001",
                 "35.10.02.2002"],
        "nama": ["Barat", "Timur", "Lekuk", "Pulau", "Hilang"],
        "kode_kec": ["35.10.01", "35.10.01", "35.10.01", "35.10.02", "35.10.02"],
        "nama_kec": ["Satu", "Satu", "Satu", "Dua", "Dua"],
        "geometry": [shapely.box(113.98, -8.22, 113.995, -8.20),
                     shapely.box(114.0, -8.22, 114.015, -8.20), u, islands, None],
    }, crs="EPSG:4326")


def small_facilities() -> pd.DataFrame:
    rows = [
        # id, nama, jenis, kode_desa, lon, lat, status, perawat, bidan
        (1, "Pustu Barat", "pustu", "35.10.01.2001", 113.9875, -8.21, "aktif", 1, 1),
        (2, "Puskesmas Timur", "puskesmas", "35.10.01.2002", 114.0075, -8.21, "aktif", 6, 5),
        (3, "Pustu Pulau", "pustu", "35.10.02.2001", 114.0625, -8.2075, "aktif", 1, 0),
        (4, "Pustu Pulau 2", "pustu", "35.10.02.2001", None, None, "aktif", 0, 1),
        (5, "Pustu Lekuk", "pustu", "35.10.01.2003", 114.045, -8.215, "rencana", 0, 0),
    ]
    return pd.DataFrame(rows, columns=["id", "nama", "jenis", "kode_desa", "lon", "lat",
                                       "status", "perawat", "bidan"])


def small_population() -> pd.DataFrame:
    return pd.DataFrame({"kode_desa": ["35.10.01.2001", "35.10.01.2002", "35.10.01.2003",
                                       "35.10.02.2001", "35.10.02.2001"],
                         "jumlah": [1000, 2000, 3000, 4000, 4100],
                         "tahun": [2025, 2025, 2025, 2025, 2027]})


def small_gaps(**kwargs: object) -> service.PustuGaps:
    options = {"distance_m": 5000.0, "current_year": 2026, **kwargs}
    return service.build_gaps(small_villages(), small_facilities(), small_population(),
                              **options)  # type: ignore[arg-type]


def test_classes_points_and_zones_of_hand_made_villages() -> None:
    v = small_gaps().villages.set_index("kode_desa")
    assert v["kelas"].tolist() == ["lengkap", "puskesmas", "rencana", "lengkap", "tidak_ada"]
    assert v["epsg"].tolist() == [32749, 32750, 32750, 32750, 0]
    assert v["sumber_titik"].tolist() == ["pusat", "pusat", "permukaan", "pusat", "kosong"]
    # the U's point lies inside it; the island village's on its large island
    u = small_villages().geometry[2]
    assert u.contains(shapely.Point(v.loc["35.10.01.2003", ["lon", "lat"]].tolist()))
    assert v.loc["35.10.02.2001", ["lon", "lat"]].tolist() == pytest.approx([114.1, -8.21])
    # the second Pustu of Pulau has no coordinates: pooled staff meet the minimum
    assert bool(v.loc["35.10.02.2001", "pustu_ganda"])
    assert v.loc["35.10.02.2001", ["perawat", "bidan"]].tolist() == [1, 1]


def test_distances_are_hand_computable_across_the_zone_edge() -> None:
    v = small_gaps().villages.set_index("kode_desa")
    barat, timur = (113.9875, -8.21), (114.0075, -8.21)
    # Barat (zone 49) to its own Pustu: its point is the box centre, the Pustu at it
    assert v.loc["35.10.01.2001", "jarak_pustu_m"] == pytest.approx(0.0, abs=1e-6)
    # Timur (zone 50) to Pustu Barat (zone 49) and to its own Puskesmas
    assert v.loc["35.10.01.2002", "jarak_pustu_m"] == pytest.approx(geodesic(timur, barat),
                                                                    rel=REL)
    assert v.loc["35.10.01.2002", "pustu_terdekat_nama"] == "Pustu Barat"
    assert v.loc["35.10.01.2002", "jarak_puskesmas_m"] == pytest.approx(0.0, abs=1e-6)
    # Pulau measures from its large island: the nearer Pustu is the one without coordinates
    # (it stands at the village's own point), not the one on the small island
    assert v.loc["35.10.02.2001", "jarak_pustu_m"] == pytest.approx(0.0, abs=1e-6)
    assert v.loc["35.10.02.2001", "pustu_terdekat_nama"] == "Pustu Pulau 2"
    # the village without a boundary has no distances and is not served
    assert np.isnan(v.loc["35.10.02.2002", "jarak_pustu_m"])
    assert not v.loc["35.10.02.2002", "terlayani"]


def test_served_follows_the_distance_and_the_puskesmas_option() -> None:
    # Lekuk (the U) is measured from a point on its west arm, (114.025, -8.20): 4.2 km from
    # Pustu Pulau, 2.2 km from Puskesmas Timur, 2.8 km from its own planned Pustu
    far = small_gaps(puskesmas_served=False, distance_m=3000.0).villages.set_index("kode_desa")
    near = small_gaps(puskesmas_served=True, distance_m=3000.0).villages.set_index("kode_desa")
    lekuk = "35.10.01.2003"
    point = (114.025, -8.20)
    assert far.loc[lekuk, ["lon", "lat"]].tolist() == pytest.approx(list(point))
    assert far.loc[lekuk, "jarak_pustu_m"] == pytest.approx(
        geodesic(point, (114.0625, -8.2075)), rel=REL)
    assert far.loc[lekuk, "jarak_puskesmas_m"] == pytest.approx(
        geodesic(point, (114.0075, -8.21)), rel=REL)
    assert far.loc[lekuk, "jarak_pustu_m"] > 3000 > far.loc[lekuk, "jarak_puskesmas_m"]
    assert not far.loc[lekuk, "terlayani"] and near.loc[lekuk, "terlayani"]
    # its planned Pustu would serve it
    assert far.loc[lekuk, "terlayani_rencana"]
    assert far.loc[lekuk, "rencana_terdekat_nama"] == "Pustu Lekuk"
    # the Puskesmas village is covered toward the target only with the option
    timur = "35.10.01.2002"
    assert near.loc[timur, "tercakup"] and not far.loc[timur, "tercakup"]
    wide = small_gaps(puskesmas_served=False, distance_m=4500.0).villages.set_index("kode_desa")
    assert wide.loc[lekuk, "terlayani"]


def test_population_is_the_latest_year_up_to_now_and_missing_is_no_data() -> None:
    gaps = small_gaps()
    v = gaps.villages.set_index("kode_desa")
    assert v.loc["35.10.02.2001", "penduduk"] == 4000  # 2027 is after the current year
    assert math.isnan(v.loc["35.10.02.2002", "penduduk"])
    total = gaps.total()
    assert total["penduduk"] == 10_000
    assert total["penduduk_terlayani"] + total["penduduk_tidak_terlayani"] == 10_000
    assert total["desa_tanpa_penduduk"] == 1


def test_problems_are_said_in_both_languages() -> None:
    fac = pd.concat([small_facilities(), pd.DataFrame([{
        "id": 9, "nama": "Pustu Salah", "jenis": "pustu", "kode_desa": "35.10.01.2002",
        "lon": 114.01, "lat": -8.21, "status": "aktif", "perawat": "dua", "bidan": 1}])])
    gaps = service.build_gaps(small_villages(), fac, small_population(), current_year=2026)
    found = [p.en for p in gaps.problems]
    assert any("1 villages with more than one active Pustu (35.10.02.2001)" in p for p in found)
    assert any("not a whole number" in p and "35.10.01.2002" in p for p in found)
    assert any("without population figures (35.10.02.2002)" in p for p in found)
    assert any("without a boundary (35.10.02.2002)" in p for p in found)
    assert any("1 Pustu/Puskesmas without coordinates" in p for p in found)
    assert all(p.id != p.en for p in gaps.problems)
    # the extra Pustu makes Timur a (understaffed) Pustu village
    assert gaps.lacking()["kode_desa"].tolist() == ["35.10.01.2003", "35.10.02.2002"]


def test_served_is_inclusive_and_nan_is_never_within() -> None:
    got = service.served([False, False, True, False], np.array([5000.0, 5000.1, np.nan, np.nan]),
                         5000.0)
    assert got.tolist() == [True, False, True, False]
    assert service.distance_text(float("inf"), "id") == "–"


# --------------------------------------------------------------------------- store


def test_the_demo_store_through_the_scope(session: Session) -> None:
    everything = service.gaps_for(session, Scope.everything(), current_year=2026)
    v = everything.villages
    assert len(v) == 250 and v["kode_desa"].is_unique
    facilities = queries.facilities(session, Scope.everything())
    active = facilities[(facilities["jenis"] == "pustu") & (facilities["status"] == "aktif")]
    assert (v["pustu_aktif"] > 0).sum() == active["kode_desa"].nunique()
    assert set(v.loc[v["kelas"].isin(("lengkap",)), "kode_desa"]) == set(
        active.loc[(active["perawat"] >= 1) & (active["bidan"] >= 1), "kode_desa"])
    assert (v["sumber_titik"] == "pusat").sum() + (v["sumber_titik"] == "permukaan").sum() == 250
    assert v["nama_kab"].unique().tolist() == ["Kabupaten Contoh (fiktif)"]
    total = everything.total()
    assert total["penduduk_terlayani"] + total["penduduk_tidak_terlayani"] == total["penduduk"]
    # a kecamatan scope holds only its villages and sees only its own facilities
    kec = "99.01.09"
    part = service.gaps_for(session, Scope.of([kec]), current_year=2026)
    assert part.villages["kode_desa"].str.startswith(kec + ".").all()
    seen = part.facilities["kode_desa"].str.startswith(kec + ".")
    assert seen.all() and len(part.facilities) > 0
    nearest = part.villages["pustu_terdekat"].dropna()
    assert set(nearest) <= set(part.facilities["id"])
    # the narrower scope cannot find a nearer facility than the whole district does
    both = part.villages.merge(v, on="kode_desa", suffixes=("", "_all"))
    assert (both["jarak_pustu_m"] >= both["jarak_pustu_m_all"] - 1e-6).all()
    assert service.gaps_for(session, Scope(frozenset())).villages.empty


def test_region_names_is_scoped(session: Session) -> None:
    assert queries.region_names(session, Scope.of(["99.01.09"]), "kab")["kode"].tolist() == [
        "99.01"]
    assert queries.region_names(session, Scope.of(["99.01.09"]), "kec")["kode"].tolist() == [
        "99.01.09"]
    assert queries.region_names(session, Scope.of(["98"]), "kab").empty
    with pytest.raises(ValueError):
        queries.region_names(session, Scope.everything(), "dusun")


def test_polygons_are_read_once_per_boundary_version(session: Session,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    scope = Scope.of(["99.01.02"])
    first = service.village_points(session, scope)
    monkeypatch.setattr(queries, "villages", lambda *a, **k: pytest.fail("read again"))
    assert service.village_points(session, scope) is first
    monkeypatch.undo()
    session.execute(text("UPDATE meta SET value = 'v2' WHERE key = 'geometry_version'"))
    again = service.village_points(session, scope)
    assert again is not first
    pd.testing.assert_frame_equal(again, first)
    session.rollback()


def test_bad_facility_rows_in_the_store(tmp_path: Path) -> None:
    engine: Engine = demo_engine(tmp_path)
    kode = "99.01.09.2003"
    with Session(engine) as s:
        before = service.gaps_for(s, Scope.of(["99.01.09"]), current_year=2026)
        row = before.villages.set_index("kode_desa").loc[kode]
        s.execute(text(
            "INSERT INTO fasilitas (nama, jenis, kode_desa, lon, lat, status, perawat, bidan) "
            "VALUES ('Pustu Kembar', 'pustu', :k, NULL, NULL, 'aktif', 1, 1), "
            "('Pustu Kembar 2', 'pustu', :k, NULL, NULL, 'aktif', 0, 0)"), {"k": kode})
        s.execute(text("DELETE FROM penduduk WHERE kode_desa = :k"), {"k": kode})
        s.commit()
        after = service.gaps_for(s, Scope.of(["99.01.09"]), current_year=2026)
    engine.dispose()
    got = after.villages.set_index("kode_desa").loc[kode]
    assert got["pustu_aktif"] == row["pustu_aktif"] + 2 and got["pustu_ganda"]
    assert got["kelas"] == "lengkap" and math.isnan(got["penduduk"])
    k_before, k_after = before.kecamatan().iloc[0], after.kecamatan().iloc[0]
    assert k_after["desa"] == k_before["desa"]
    assert k_after["dengan_pustu"] == k_before["dengan_pustu"] + (row["pustu_aktif"] == 0)
    assert k_after["penduduk"] == k_before["penduduk"] - row["penduduk"]
    assert k_after["desa_tanpa_penduduk"] == 1
    assert k_after["penduduk_terlayani"] + k_after["penduduk_tidak_terlayani"] == \
        k_after["penduduk"]
    messages = " ".join(p.en for p in after.problems)
    assert kode in messages and "check the facility file" in messages
    assert "2 Pustu/Puskesmas without coordinates" in messages
