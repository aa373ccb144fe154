"""The planning problem from frames and the store, and the ranked list with its reasons."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from layers.diarrhoea import service
from layers.pustu.planner import evaluate, greedy
from layers.pustu.ranking import ALERT_WEEKS, alert_weeks, build, planning_data, rank
from layers.scope import Scope
from tests.ingest.helpers import demo_engine

KM = 0.009  # degrees of longitude ≈ 1 km at the equator


def strip(n: int, width: float = 0.002, pop: list[float] | None = None) -> gpd.GeoDataFrame:
    """``n`` square villages 1 km apart on the equator, codes V0, V1, …"""
    boxes = [shapely.box(110 + KM * i - width / 2, -width / 2, 110 + KM * i + width / 2,
                         width / 2) for i in range(n)]  # fmt: skip
    return gpd.GeoDataFrame({"kode": [f"V{i}" for i in range(n)],
                             "nama": [f"Desa {i}" for i in range(n)],
                             "kode_kec": "K1", "nama_kec": "Kec"},
                            geometry=boxes, crs="EPSG:4326")  # fmt: skip


def population(codes: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"kode_desa": codes, "jumlah": values})


def facility(i: int, jenis: str, kode: str, lon: float | None, status: str = "aktif") -> dict:
    return {"id": i, "jenis": jenis, "kode_desa": kode, "lon": lon,
            "lat": None if lon is None else 0.0, "status": status}  # fmt: skip


def test_a_pustu_serves_its_own_village_even_far_from_the_populated_point() -> None:
    # V0 is a 5 km wide village; its Pustu stands at its west end, 2.5 km from its centre
    villages = strip(3)
    villages.loc[0, "geometry"] = shapely.box(110 - 2.5 * KM, -0.001, 110 + 2.5 * KM, 0.001)
    fac = pd.DataFrame([facility(7, "pustu", "V0", 110 - 2.4 * KM)])
    data = build(villages, population(["V0", "V1", "V2"], [100, 200, 300]), fac, 1500)
    assert data.instance.base_served.tolist() == [True, False, False]
    assert data.instance.site_codes.tolist() == ["pustu:7", "V1", "V2"]
    assert data.instance.fixed.tolist() == [True, False, False]
    assert data.villages["kandidat"].tolist() == [False, True, True]


def test_pustu_without_position_stands_at_its_village_point() -> None:
    fac = pd.DataFrame([facility(1, "pustu", "V1", None)])
    data = build(strip(3), population(["V0", "V1", "V2"], [1, 1, 1]), fac, 1100)
    assert data.instance.base_served.tolist() == [True, True, True]  # V1 reaches both sides
    assert data.villages["jarak_pustu_m"].round().tolist() == [pytest.approx(1000, abs=5), 0,
                                                               pytest.approx(1000, abs=5)]


def test_planned_pustu_puskesmas_and_missing_population() -> None:
    fac = pd.DataFrame([
        facility(1, "pustu", "V0", 110.0, status="rencana"),
        facility(2, "puskesmas", "V2", 110 + 2 * KM),
        facility(3, "pustu", "ZZ", 120.0),  # a village not listed: ignored
        facility(4, "posyandu", "V1", 110 + KM),
    ])  # fmt: skip
    pop = population(["V0", "V2", "V3"], [500, 800, 50])  # V1 has no figure
    data = build(strip(4), pop, fac, 500)
    inst = data.instance
    assert inst.fixed.sum() == 0 and len(inst.candidates) == 4  # a planned Pustu is not active
    assert data.villages["pustu_rencana"].tolist() == [1, 0, 0, 0]
    assert inst.served.tolist() == [False, False, True, False]  # the Puskesmas village
    assert data.no_population == 1 and np.isnan(data.villages["penduduk"][1])
    assert inst.population.tolist() == [500, 0, 800, 50]
    ranked = rank(data)
    assert ranked["kode_desa"].tolist()[:2] == ["V0", "V3"]
    assert bool(ranked["pustu_rencana"][0])
    assert "Pustu rencana" in ranked["alasan_id"][0]
    no_data = ranked.set_index("kode_desa").loc["V1"]
    assert no_data["tambahan"] == 0 and "population: no data" in no_data["alasan_en"]
    off = build(strip(4), pop, fac, 500, puskesmas_serves=False)
    assert not off.instance.served.any()
    assert rank(off)["kode_desa"].tolist()[0] == "V2"  # now the largest unserved village


def test_ranking_follows_the_greedy_then_the_farthest() -> None:
    rng = np.random.default_rng(4)
    n = 30
    villages = strip(n)
    pop = population(villages["kode"].tolist(), rng.integers(100, 3000, n).tolist())
    fac = pd.DataFrame([facility(1, "pustu", "V3", 110 + 3 * KM),
                        facility(2, "pustu", "V20", 110 + 20 * KM),
                        facility(3, "puskesmas", "V10", 110 + 10 * KM)])  # fmt: skip
    data = build(villages, pop, fac, 2100)
    ranked = rank(data)
    assert ranked["urut"].tolist() == list(range(1, len(data.instance.candidates) + 1))
    assert sorted(ranked["kode_desa"]) == sorted(data.instance.site_codes[data.instance.candidates])
    full = greedy(data.instance, n)
    head = ranked.iloc[:len(full.sites)]
    assert head["kode_desa"].tolist() == list(full.codes)
    assert head["tambahan"].tolist() == pytest.approx(list(full.gains))
    assert ranked["tambahan"].sum() == pytest.approx(full.newly_served)
    # with every useful site open, only villages no candidate reaches stay unserved
    assert full.total_served == pytest.approx(data.instance.total_population)
    tail = ranked.iloc[len(full.sites):]
    assert (tail["tambahan"] == 0).all()
    assert tail["jarak_pustu_m"].is_monotonic_decreasing
    # standalone reach: what a single new Pustu there would newly serve
    for row in ranked.head(5).itertuples():
        assert row.jangkauan == pytest.approx(
            evaluate(data.instance, [data.site_of(row.kode_desa)]))
    assert (ranked["jangkauan"] >= ranked["tambahan"]).all()
    first = ranked.iloc[0]
    assert "km" in first["alasan_id"] and "km" in first["alasan_en"]
    assert first["alasan_en"].startswith(f"Would serve {first['tambahan']:,.0f} people")
    assert ranked["minggu_peringatan"].isna().all()


def test_bad_distance_is_refused() -> None:
    with pytest.raises(ValueError, match="distance_m"):
        build(strip(2), population(["V0", "V1"], [1, 1]), pd.DataFrame(
            columns=["id", "jenis", "kode_desa", "lon", "lat", "status"]), 0)


# --------------------------------------------------------------------------- the store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = demo_engine(Path(tmp_path_factory.mktemp("pustu_demo")))
    yield engine
    engine.dispose()


def test_planning_data_of_the_demo_district(store: Engine) -> None:
    with Session(store) as session:
        data = planning_data(session, Scope.of(["99.01"]), 1500)
        kec = planning_data(session, Scope.of(["99.01.01"]), 1500)
    v = data.villages
    assert len(v) > 200 and v["kode"].str.startswith("99.01.").all()
    assert kec.villages["kode"].str.startswith("99.01.01.").all() and len(kec.villages) < len(v)
    assert data.instance.fixed.sum() == v["pustu_aktif"].sum()
    assert v["terlayani"][v["pustu_aktif"] > 0].all()  # "in it", however far its point
    assert (v["jarak_pustu_m"][v["pustu_aktif"] > 0] < 5000).all()
    p = greedy(data.instance, 10)
    served = data.instance.population[np.asarray(data.instance.base_served)].sum()
    assert p.base_served == served and p.base_served < p.population
    unserved = p.population - p.base_served - p.newly_served
    assert unserved > 0 and p.total_served + unserved == pytest.approx(p.population)
    assert len(p.sites) == 10 and p.coverage_pct > 100 * p.base_served / p.population


def test_alert_weeks_count_the_weekly_alerts(store: Engine) -> None:
    scope = Scope.of(["99.01.01"])
    with Session(store) as session:
        weeks = alert_weeks(session, scope)
        last = service.latest_week(session, scope)
        expected = sum(service.alerts_for(session, scope, last - k).frame()
                       .set_index("kode_desa")["alert"].astype(int)
                       for k in range(ALERT_WEEKS))  # fmt: skip
        none = alert_weeks(session, scope, penyakit="campak")
    assert weeks is not None and none is None
    pd.testing.assert_series_equal(weeks.sort_index(), expected.sort_index(),
                                   check_names=False, check_dtype=False)  # fmt: skip
    assert weeks.between(0, ALERT_WEEKS).all()
    with Session(store) as session:
        data = planning_data(session, scope, 3000)
    ranked = rank(data, weeks)
    assert ranked["minggu_peringatan"].notna().all()
    alerted = ranked[ranked["minggu_peringatan"] > 0]
    assert len(alerted) > 0  # the demo's alerts of its last 12 weeks; the sentence names them
    for row in alerted.itertuples():
        assert f"{int(row.minggu_peringatan)} minggu peringatan diare" in row.alasan_id
    quiet = ranked[ranked["minggu_peringatan"] == 0].iloc[0]
    assert "no diarrhoea alerts in the last 12 weeks" in quiet["alasan_en"]
