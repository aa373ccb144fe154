"""Tests of the deterministic demo generator (layers/demo)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.codes import is_valid, village_kind
from layers.demo import generate_demo
from layers.demo.adjacency import neighbours
from layers.demo.district import VILLAGE_COLUMNS, synthetic_district
from layers.demo.files import FILES
from layers.demo.kader import skill_groups
from layers.demo.programme import programme_data
from layers.demo.write import DEFAULT_SEED, read_boundaries
from layers.epiweek import EpiWeek

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "geo" / "demo_9901"
BANYUWANGI = ROOT.parent / "shared" / "data" / "boundaries" / "desa_3510_banyuwangi.geojson"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo_9901"
    generate_demo(out)
    return out


@pytest.fixture(scope="module")
def villages(demo: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(demo / "desa.geojson")


@pytest.fixture(scope="module")
def tables(demo: Path) -> dict[str, pd.DataFrame]:
    return {
        key: pd.read_csv(demo / FILES[key], dtype={"kode_desa": str})
        for key in ("penduduk", "fasilitas", "kasus", "kader")
    }


def test_files_and_columns(demo: Path, villages: gpd.GeoDataFrame, tables) -> None:
    assert sorted(p.name for p in demo.iterdir()) == sorted(FILES.values())
    assert list(villages.columns) == [*VILLAGE_COLUMNS, "geometry"]
    assert list(tables["penduduk"].columns) == [
        "kode_desa", "tahun", "jumlah", "bayi", "balita", "bumil", "remaja",
        "usia_produktif", "lansia",
    ]  # fmt: skip
    assert list(tables["fasilitas"].columns) == [
        "nama", "jenis", "kode_desa", "lon", "lat", "status", "perawat", "bidan", "induk",
    ]  # fmt: skip
    assert list(tables["kasus"].columns) == [
        "kode_desa", "penyakit", "tahun", "minggu", "kasus", "kematian",
    ]  # fmt: skip
    skills = [c for codes in skill_groups().values() for c in codes]
    assert len(skills) == 25
    assert list(tables["kader"].columns) == [
        "kader_id", "posyandu", "kode_desa", "aktif", "tanggal_asesmen", *skills,
    ]  # fmt: skip
    size = sum(p.stat().st_size for p in demo.iterdir())
    assert size < 2_500_000
    assert (demo / "desa.geojson").stat().st_size < 1_000_000


def test_coverage_valid_after_round_trip(villages: gpd.GeoDataFrame) -> None:
    geoms = villages.geometry.to_numpy()
    assert villages.crs.to_epsg() == 4326
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)
    outline = synthetic_district(DEFAULT_SEED).outline
    union = shapely.union_all(geoms)
    assert union.geom_type == "Polygon" and len(union.interiors) == 0
    assert abs(union.area - outline.area) <= 1e-9 * outline.area
    assert abs(shapely.area(geoms).sum() - union.area) <= 1e-9 * union.area  # no overlaps
    # 6 decimals, and a fictional place in the Java Sea
    xy = shapely.get_coordinates(geoms)
    assert np.allclose(xy, np.round(xy, 6), rtol=0, atol=1e-12)
    minx, miny, maxx, maxy = union.bounds
    assert 111.6 < minx < maxx < 112.4 and -5.6 < miny < maxy < -5.0


def test_counts_codes_and_kecamatan(villages: gpd.GeoDataFrame, tables) -> None:
    assert len(villages) == 250 and villages["kode_desa"].is_unique
    assert sorted(villages["kode_kec"].unique()) == [f"99.01.{c:02d}" for c in range(1, 19)]
    for row in villages.itertuples():
        assert is_valid(row.kode_desa) and row.kode_desa.startswith(row.kode_kec + ".")
        assert village_kind(row.kode_desa) == row.jenis
        assert row.kode_desa_10 == row.kode_desa.replace(".", "")
        assert (row.kode_kab, row.kode_prov) == ("99.01", "99")
    kel = villages[villages["jenis"] == "kelurahan"]
    assert 0 < len(kel) < 20 and set(kel["kode_kec"]) <= {"99.01.01", "99.01.02"}
    for _, group in villages.groupby("kode_kec"):
        assert group["nama_desa"].is_unique
        assert shapely.union_all(group.geometry.to_numpy()).geom_type == "Polygon"
    assert villages.groupby("kode_kec")["nama_kec"].first().is_unique
    fas = tables["fasilitas"]
    pkm = fas[fas["jenis"] == "puskesmas"]
    pkm_kec = pkm["kode_desa"].str.slice(0, 8)
    assert pkm_kec.is_unique and len(pkm) == 18
    pustu = fas[(fas["jenis"] == "pustu") & (fas["status"] == "aktif")]
    assert pustu["kode_desa"].is_unique and abs(len(pustu) / 250 - 0.6) < 0.02
    assert set(fas["status"]) == {"aktif", "rencana"}
    per_village = fas[fas["jenis"] == "posyandu"].groupby("kode_desa").size()
    assert len(per_village) == 250 and per_village.between(2, 6).all()
    assert fas.groupby("kode_desa")["nama"].apply(lambda s: s.is_unique).all()
    names = dict(zip(pkm_kec, pkm["nama"], strict=True))
    child = fas[fas["jenis"] != "puskesmas"]
    assert (child["induk"] == child["kode_desa"].str.slice(0, 8).map(names)).all()
    assert pkm["induk"].isna().all()
    kader = tables["kader"]
    assert kader["kader_id"].is_unique
    assert kader.groupby(["kode_desa", "posyandu"]).size().between(5, 10).all()
    assert kader["kader_id"].str.fullmatch(r"K-\d{10}-\d{3}").all()


def test_facilities_inside_their_village(villages: gpd.GeoDataFrame, tables) -> None:
    fas = tables["fasilitas"]
    geom = villages.set_index("kode_desa").geometry.loc[fas["kode_desa"]].to_numpy()
    assert shapely.contains_xy(geom, fas["lon"].to_numpy(), fas["lat"].to_numpy()).all()


def _levels(kader: pd.DataFrame) -> pd.Series:
    groups = skill_groups()
    full = {g: kader[codes].all(axis=1) for g, codes in groups.items()}
    core = full["PP"] & full["BB"]
    utama = core & full["IH"] & full["UR"] & full["DL"]
    madya = core & full["IH"] & (full["UR"] | full["DL"])
    purwa = core & (full["IH"] | full["UR"] | full["DL"])
    return pd.Series(
        np.select([utama, madya, purwa], ["utama", "madya", "purwa"], "belum"), index=kader.index
    )


def test_kader_level_mix(tables) -> None:
    kader = tables["kader"]
    share = _levels(kader).value_counts(normalize=True)
    assert share["purwa"] + share["madya"] > 0.6
    assert 0.05 < share["belum"] < 0.35 and 0 < share["utama"] < 0.12
    assert kader["aktif"].mean() > 0.8
    dates = pd.to_datetime(kader["tanggal_asesmen"])
    end = pd.Timestamp(EpiWeek.parse("2025-W53").end)
    assert ((dates <= end) & (dates > end - pd.Timedelta(days=366))).all()
    skills = [c for codes in skill_groups().values() for c in codes]
    nobody = (kader.groupby("kode_desa")[skills].max() == 0).any(axis=1)
    assert 0.1 < nobody.mean() < 0.9  # some villages have skills nobody holds


def _check_outbreaks(
    villages: gpd.GeoDataFrame, kasus: pd.DataFrame, klaster: list[dict], last: EpiWeek
) -> None:
    villages = villages.sort_values("kode_desa").reset_index(drop=True)
    adj = neighbours(villages.geometry.to_numpy())
    index = {k: i for i, k in enumerate(villages["kode_desa"])}
    assert len(klaster) == 3
    ends = []
    for o in klaster:
        members = [index[k] for k in o["villages"]]
        assert 5 <= len(members) <= 8 and 2 <= o["minggu"] <= 4 and 3 <= o["rr"] <= 5
        seen, todo = {members[0]}, [members[0]]
        while todo:  # the villages form one adjacent group
            for nb in adj[todo.pop()]:
                if nb in members and nb not in seen:
                    seen.add(nb)
                    todo.append(nb)
        assert seen == set(members)
        start = EpiWeek(o["tahun"], o["minggu_mulai"])
        weeks = {(w.year, w.week) for w in (start + i for i in range(o["minggu"]))}
        ends.append(start + (o["minggu"] - 1))
        rows = kasus[kasus["kode_desa"].isin(o["villages"])]
        inside = rows[[(y, w) in weeks for y, w in zip(rows["tahun"], rows["minggu"], strict=True)]]
        expected = rows["kasus"].sum() - inside["kasus"].sum()
        expected *= len(inside) / (len(rows) - len(inside))
        assert inside["kasus"].sum() > 2.0 * expected
    assert last in ends


def test_planted_outbreaks(demo: Path, villages: gpd.GeoDataFrame, tables) -> None:
    klaster = json.loads((demo / "klaster_tertanam.json").read_text(encoding="utf-8"))
    _check_outbreaks(villages, tables["kasus"], klaster, EpiWeek.parse("2025-W53"))
    kasus = tables["kasus"]
    assert set(kasus["penyakit"]) == {"diare_akut"}
    assert len(kasus) == 250 * (52 + 53)
    pop = tables["penduduk"].groupby("tahun")["jumlah"].sum()
    rate = kasus.groupby("tahun")["kasus"].sum() / pop * 1000
    assert ((rate > 20) & (rate < 40)).all()
    assert 0 < kasus["kematian"].sum() < 0.005 * kasus["kasus"].sum()


def test_deterministic(demo: Path, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again")
    for key, path in again.items():
        assert path.read_bytes() == (demo / FILES[key]).read_bytes(), key
    other = generate_demo(tmp_path / "other", seed=1)
    for key in ("desa", "kasus", "kader", "fasilitas"):
        assert other[key].read_bytes() != (demo / FILES[key]).read_bytes(), key


def test_committed_demo_matches_generator(demo: Path) -> None:
    for name in FILES.values():
        committed = COMMITTED / name
        assert committed.exists(), f"{committed} missing: run `pws demo`"
        assert committed.read_bytes() == (demo / name).read_bytes(), (
            f"{name} drifted from the generator: regenerate with "
            "`pws demo --out data/geo/demo_9901`"
        )


def test_programme_on_real_boundaries() -> None:
    real = read_boundaries(BANYUWANGI)
    assert len(real) == 217
    prog = programme_data(real, seed=7)
    fas = prog.fasilitas
    assert set(prog.penduduk["kode_desa"]) == set(real["kode_desa"])
    assert (fas["jenis"] == "puskesmas").sum() == real["kode_kec"].nunique()
    geom = real.set_index("kode_desa").geometry.loc[fas["kode_desa"]].to_numpy()
    assert shapely.contains_xy(geom, fas["lon"].to_numpy(), fas["lat"].to_numpy()).all()
    assert len(prog.kasus) == 217 * (52 + 53)
    _check_outbreaks(real, prog.kasus, list(prog.klaster), EpiWeek.parse("2025-W53"))


def test_real_boundaries_as_geoparquet_read_like_geojson(tmp_path: Path) -> None:
    # GeoParquet goes through pyarrow (GDAL's Parquet driver lacks a library here)
    source = gpd.read_file(BANYUWANGI)
    path = tmp_path / "desa.parquet"
    source.to_parquet(path)
    from_parquet, from_geojson = read_boundaries(path), read_boundaries(BANYUWANGI)
    assert len(from_parquet) == len(source) > 200
    assert list(from_parquet["kode_desa"]) == list(from_geojson["kode_desa"])
    assert from_parquet.crs.equals("EPSG:4326")
