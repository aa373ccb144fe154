"""Diarrhoea service on the demo store: scoped reads, alerts, KLB, hot spots, scan.

The demo district plants an outbreak in 2025-W50…W53 (``klaster_tertanam.json``, rr 4.9 over
5 villages of kecamatan 99.01.09 / 99.01.13).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session

from layers.diarrhoea import service
from layers.diarrhoea.rules import DIARE_AKUT_0004, Rule
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries
from tests.ingest.helpers import DEMO

W50, W53 = EpiWeek(2025, 50), EpiWeek(2025, 53)
KEC = "99.01.09"


def planted_w53() -> set[str]:
    """Villages of the planted outbreak that ends in 2025-W53."""
    for p in json.loads((DEMO / "klaster_tertanam.json").read_text()):
        if EpiWeek(p["tahun"], p["minggu_mulai"]) + (p["minggu"] - 1) == W53:
            return set(p["villages"])
    raise AssertionError("no planted outbreak ends in 2025-W53")


PLANTED = planted_w53()


def test_case_matrix_crosses_years_and_is_scoped(session: Session) -> None:
    rows = queries.case_matrix(session, Scope.everything(), "diare_akut", (2024, 51), (2025, 2))
    assert list(rows.columns) == ["kode_desa", "tahun", "minggu", "kasus", "kematian"]
    weeks = set(zip(rows["tahun"], rows["minggu"], strict=True))
    assert weeks == {(2024, 51), (2024, 52), (2025, 1), (2025, 2)}
    assert len(rows) == 4 * 250
    kec = queries.case_matrix(session, Scope.of([KEC]), "diare_akut", (2024, 51), (2025, 2))
    assert len(kec) and kec["kode_desa"].str.startswith(KEC + ".").all()
    assert queries.case_matrix(session, Scope.everything(), "diare_akut", (2025, 2),
                               (2024, 51)).empty  # fmt: skip
    assert queries.case_matrix(session, Scope(frozenset()), "diare_akut", (2024, 1),
                               (2025, 53)).empty  # fmt: skip


def test_alerts_flag_the_planted_outbreak(session: Session) -> None:
    # the stored default (≥ 2 × the mean of the same weeks last year, ≥ 5 cases) alerts when
    # the outbreak starts …
    start = service.alerts_for(session, Scope.everything(), W50)
    assert start.rule.jenis == "ratio_to_history" and not start.rule.terkonfirmasi
    assert len(start.kode_desa) == 250
    assert set(start.kode_desa[start.alert]) >= PLANTED
    assert set(start.baseline_source) == {"history"}  # 2024 is in the store
    # … and still in its 4th week, 2025-W53, as the fixed 15 cases/week alternative does,
    # while the former ratio rule has gone quiet: W50–W52 are its baseline by then
    late = service.alerts_for(session, Scope.everything(), W53)
    assert set(late.kode_desa[late.alert]) >= PLANTED
    fixed = Rule("diare_akut", "fixed_count", 15, minimum_kasus=5)
    flat = service.alerts_for(session, Scope.everything(), W53, rule=fixed)
    assert len(PLANTED & set(flat.kode_desa[flat.alert])) >= 4
    former = service.alerts_for(session, Scope.everything(), W53, rule=DIARE_AKUT_0004)
    assert not PLANTED & set(former.kode_desa[former.alert])


def test_klb_month_signal_in_planted_villages(session: Session) -> None:
    result = service.klb_for(session, Scope.everything(), W53)
    month = result.signals[result.signals["kriteria"] == "bulan_2x"]
    assert len(PLANTED & set(month["kode"])) >= 3
    assert result.signals["text_en"].str.contains("not a declared KLB").all()
    kab = service.klb_for(session, Scope.everything(), W53, level="kec")
    assert set(kab.status.index) <= {f"99.01.{i:02d}" for i in range(1, 19)}


def test_scan_top_cluster_is_the_planted_outbreak(session: Session) -> None:
    alerted = service.alerts_for(session, Scope.everything(), W50)
    result = service.scan_for(session, Scope.everything(), W53, reps=99, seed=1)
    top = result.clusters[0]
    assert top.end_week == "2025-W53" and top.n_weeks == 4
    assert top.p_value <= 0.05 and top.relative_risk > 3
    assert len(set(top.villages) & PLANTED) / len(PLANTED) >= 0.8
    assert set(top.villages) & set(alerted.kode_desa[alerted.alert])
    again = service.scan_for(session, Scope.everything(), W53, reps=99, seed=1)
    assert again.to_frame().equals(result.to_frame())


def test_scan_input_crosses_the_year(session: Session) -> None:
    data = service.scan_input(session, Scope.of([KEC]), EpiWeek(2025, 3), weeks=6)
    assert list(data.counts.columns) == ["2024-W50", "2024-W51", "2024-W52", "2025-W01",
                                         "2025-W02", "2025-W03"]  # fmt: skip
    rows = queries.case_matrix(session, Scope.of([KEC]), "diare_akut", (2024, 50), (2025, 3))
    assert int(data.counts.to_numpy().sum()) == int(rows["kasus"].sum())
    assert data.expected.sum() == pytest.approx(data.counts.to_numpy().sum())
    # centroids in metres (UTM): neighbouring villages are km apart, not degrees
    spread = data.coords.max(axis=0) - data.coords.min(axis=0)
    assert (spread > 1000).all()


def test_hotspots_on_incidence(session: Session) -> None:
    result = service.hotspots_for(session, Scope.everything(), W53, permutations=99, fdr=False)
    table = result.table
    assert len(table) == 250 and table["reported"].all()
    assert table["incidence"].max() > 4  # per 1,000 in the planted villages
    assert len(PLANTED & set(result.hot_spots.hot())) >= 2


def test_hotspots_default_states_its_method(session: Session) -> None:
    # one kabupaten (99.01): one FDR family of 250 villages, small p-values recomputed with
    # 24,999 permutations — and the result says so, for the legend
    result = service.hotspots_for(session, Scope.everything(), W53)
    hs = result.hot_spots
    assert list(hs.families.index) == ["99.01"] and hs.families.loc["99.01", "villages"] == 250
    assert hs.refined.any() and set(hs.n_permutations[hs.refined]) == {24_999}
    assert hs.method().en.startswith("Benjamini–Hochberg FDR over the 250 villages; 999 ")
    assert "hingga 24.999 permutasi" in hs.method().id
    assert set(hs.hot()) and PLANTED & set(hs.hot())
    former = service.hotspots_for(session, Scope.everything(), W53, family="scope",
                                  refine=False)  # fmt: skip
    assert not former.hot_spots.refined.any()
    assert "too large for a lone village" in former.hot_spots.method().en


def test_scope_limits_everything(session: Session) -> None:
    scope = Scope.of([KEC])
    inside = set(queries.village_table(session, scope)["kode"])
    assert inside and all(c.startswith(KEC + ".") for c in inside)
    assert set(service.alerts_for(session, scope, W53).kode_desa) == inside
    assert set(service.klb_for(session, scope, W53).status.index) <= inside
    assert set(service.hotspots_for(session, scope, W53, permutations=9).table.index) == inside
    scan = service.scan_for(session, scope, W53, reps=9)
    assert set(scan.ids) == inside
    assert all(set(c.villages) <= inside for c in scan.clusters)
    # a scope can only be narrowed: another kecamatan's village inside it gives nothing
    empty = scope.narrow("99.01.01")
    assert len(service.alerts_for(session, empty, W53).kode_desa) == 0
    with pytest.raises(ValueError):
        service.scan_for(session, empty, W53, reps=9)
