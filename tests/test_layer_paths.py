"""The set-based paths of the map layers' values give what the former row-by-row paths gave.

Every registered layer is loaded through ``layer.load`` and through its former path
(:mod:`layers.reference_paths`: ORM rows merged in pandas, a Python label per village, esda's
classes) on the demo store, for several options, both languages and several scopes, and the
tables must be equal value for value; so must the pieces that changed their algorithm (the
Gi* first stage, the second stage's draws, the kader roster read, the number formatting and
the queries' frames).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from libpysal.weights import lat2W
from sqlalchemy.orm import Session

from layers import base, catalog, reference_paths, textvec  # noqa: F401  (catalog: all layers)
from layers.diarrhoea import hotspots as hs
from layers.diarrhoea import service as dsvc
from layers.diarrhoea import weights as wm
from layers.diarrhoea.alerts import reads, weekly_alerts, weekly_matrix
from layers.epiweek import EpiWeek
from layers.kader.roster import load_roster
from layers.kader.service import read_roster
from layers.scope import Scope
from layers.store import queries
from layers.text import fmt_number
from tests.demo_store import session, store  # noqa: F401

W53, W50, BEFORE = EpiWeek(2025, 53), EpiWeek(2025, 50), EpiWeek(2023, 10)
SCOPES = {"all": Scope.everything(), "kec": Scope.of(["99.01.09"]),
          "village": Scope.of(["99.01.09.2001"]), "none": Scope(frozenset())}  # fmt: skip
#: option sets per layer type (the defaults first)
CONFIGS: dict[str, list[dict[str, object]]] = {
    "insidens": [{}, {"per": 100_000, "bounds": [0.0, 10.0, 50.0, 100.0]}],
    "peringatan": [{}],
    "titik_panas": [{}, {"permutations": 99, "fdr": False},
                    {"permutations": 99, "family": "kec", "refine": False}],
    "kader": [{"tampilan": v, "keterampilan": k} for v, k in (
        ("strata", "DL2"), ("kurang", "DL2"), ("rasio", "DL2"), ("keterampilan", "UR1"),
        ("keterampilan", "DL2"), ("keterampilan", "PP"), ("keterampilan", "BB"))]
    + [{"tampilan": "strata", "umur_asesmen": 6, "norma": 9}],
    "pustu": [{}, {"puskesmas_melayani": False, "jarak_km": 2.5}],
}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _warm() -> Iterator[None]:
    wm.warm_up()
    yield


def _equal(new: base.LayerResult, former: base.LayerResult, kind: str) -> None:
    left = set(former.table.columns) - set(new.table.columns)
    # the map's alert table leaves out the reason sentences (service.alerts_for keeps them)
    assert left == ({"reason_id", "reason_en"} if kind == "peringatan" else set())
    assert list(new.table.columns) == [c for c in former.table.columns if c not in left]
    if former.table.empty:  # an empty scope: no rows, whatever the empty columns' dtypes
        assert new.table.empty
    else:
        pd.testing.assert_frame_equal(new.table, former.table.drop(columns=sorted(left)),
                                      check_exact=True)  # fmt: skip
    assert new.summary == former.summary
    assert new.legend == former.legend


def test_every_registered_layer_is_checked() -> None:
    assert set(CONFIGS) == set(base.REGISTRY) == set(reference_paths.FORMER)


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_layer_load_equals_the_former_path(session: Session, kind: str) -> None:  # noqa: F811
    weeks = [W53, W50, BEFORE] if base.REGISTRY[kind].period_kind == base.WEEKLY else [None]
    checked = 0
    for config, scope_name, week, lang in itertools.product(
            CONFIGS[kind], SCOPES, weeks, ("id", "en")):  # fmt: skip
        if scope_name != "all" and (config != CONFIGS[kind][0] or week not in (W53, None)):
            continue  # options and weeks over the whole district; scopes with the defaults
        layer = base.from_config({"type": kind, **config})
        scope = SCOPES[scope_name]
        new = layer.load(session, scope, week, lang)
        if kind == "kader" and scope.is_empty:  # the former path failed there
            with pytest.raises(ValueError, match="merge on float64 and str"):
                reference_paths.former_load(layer, session, scope, week, lang)
            assert new.table.empty and list(new.table.columns)[:4] == list(base.RESULT_COLUMNS)
            continue
        former = reference_paths.former_load(layer, session, scope, week, lang)
        _equal(new, former, kind)
        if scope_name == "all":
            assert len(new.table) == 250 and new.table["label"].map(type).eq(str).all()
        checked += 1
    assert checked >= 8


def test_the_former_paths_are_themselves_the_old_ones(session: Session) -> None:  # noqa: F811
    """The comparison is not between two copies of the new code: the former paths still
    read every passed skill row and compute every alert reason."""
    scope = Scope.everything()
    roster = reference_paths.kader_roster(session, scope)
    assert roster.held.sum() == len(queries.frame(
        session, _passed_skills(), ["kode", "keterampilan"]))  # fmt: skip
    table = reference_paths.former_load(base.REGISTRY["peringatan"](), session, scope, W50).table
    assert table["reason_id"].str.len().gt(20).all()


def _passed_skills():  # noqa: ANN202
    from sqlalchemy import select

    from layers.store.models import Kader, KaderKeterampilan

    s, k = KaderKeterampilan, Kader
    return select(k.kode, s.keterampilan).join(k, k.id == s.kader_id).where(s.lulus.is_(True))


# --------------------------------------------------------------------------- the pieces


def test_gi_first_stage_is_esda_exactly(session: Session) -> None:  # noqa: F811
    """esda's crand engine called directly on cached matrices gives the classes' numbers
    bit for bit: statistics, z-scores, simulations, hence p-values and classes."""
    inc = dsvc.week_incidence(session, Scope.everything(), W53)
    values = inc.table.set_index("kode_desa")["incidence"]
    values = values.fillna(values.mean())
    vw = wm.weights_for_scope(session, Scope.everything())
    y = values.reindex(list(vw.codes)).to_numpy(float)
    for perms, seed in ((99, 1), (999, 12345)):
        new = hs.first_stage(y, vw.matrices, perms, seed)
        old = reference_paths.esda_first_stage(y, vw.w, vw.w_star, lambda: vw.matrices,
                                               perms, seed)  # fmt: skip
        for name in ("gs", "zs", "z_sim", "r_gs", "lisa", "lisa_q", "r_lisa"):
            np.testing.assert_array_equal(getattr(new, name), getattr(old, name), err_msg=name)
    for kwargs in ({}, {"family": "scope", "refine": False}, {"fdr": False, "seed": 7}):
        pd.testing.assert_frame_equal(hs.HotSpots(values, vw, **kwargs).table,
                                      reference_paths.FormerHotSpots(values, vw, **kwargs).table,
                                      check_exact=True)  # fmt: skip
    # the cached matrices are never changed by esda (it zeroes the diagonal of its copy)
    assert (vw.matrices.star.diagonal() > 0).all()


def test_gi_on_a_plain_libpysal_lattice_is_esda_exactly() -> None:
    lattice = lat2W(9, 9, rook=False, id_type="string")
    rng = np.random.default_rng(4)
    y = pd.Series(rng.gamma(2.0, 1.0, 81), index=lattice.id_order)
    y[["id10", "id11", "id19", "id20"]] += 8
    new = hs.hot_spots(y, lattice, seed=5)
    old = reference_paths.FormerHotSpots(y, lattice, seed=5)
    assert new.refined.any()  # the second stage ran: its draws are compared too
    pd.testing.assert_frame_equal(new.table, old.table, check_exact=True)


@pytest.mark.parametrize("k", [1, 2, 5, 16, 17, 30])
def test_second_stage_draws_are_the_former_ones(k: int) -> None:
    """Duplicates found by comparing columns (or sorting beyond 16) redraw the same rows as
    sorting every row did, so the random stream and the draws are the same."""
    for n, seed in ((8494, 1), (60, 2), (k + 1, 3)):  # the last: the argsort branch
        new = hs._draws(np.random.default_rng([seed, k]), 7 % n, n, min(k, n - 1), 3000)
        old = reference_paths.sorted_draws(np.random.default_rng([seed, k]), 7 % n, n,
                                           min(k, n - 1), 3000)  # fmt: skip
        np.testing.assert_array_equal(new, old)
        assert ((np.sort(new, axis=1)[:, 1:] != np.sort(new, axis=1)[:, :-1]).all()
                and (new != 7 % n).all())  # fmt: skip


def test_repeats_finds_every_row_with_a_value_twice() -> None:
    draw = np.array([[1, 2, 3], [1, 2, 1], [4, 4, 5], [6, 7, 7], [8, 9, 10]])
    assert hs._repeats(draw).tolist() == [False, True, True, True, False]
    wide = np.tile(np.arange(20), (3, 1))
    wide[1, 19] = 0
    assert hs._repeats(wide).tolist() == [False, True, False]


@pytest.mark.parametrize("scope", [Scope.everything(), Scope.of(["99.01.02"]), Scope(frozenset())],
                         ids=["all", "kec", "empty"])  # fmt: skip
def test_roster_read_as_masks_equals_every_skill_row(session: Session, scope: Scope) -> None:  # noqa: F811
    new, old = read_roster(session, scope), load_roster(session, scope)
    pd.testing.assert_frame_equal(new.kader, old.kader, check_exact=True)
    np.testing.assert_array_equal(new.held, old.held)
    pd.testing.assert_frame_equal(new.posyandu, old.posyandu, check_exact=True)
    assert new.book == old.book
    if not scope.is_empty:
        assert new.held.any() and not new.held.all()


def test_alerts_in_one_query_equal_one_query_per_range(session: Session) -> None:  # noqa: F811
    scope = Scope.everything()
    rule = dsvc.rule_for(session)
    for week in (W53, W50, EpiWeek(2025, 2)):
        new = dsvc.alerts_for(session, scope, week)
        parts = [dsvc.series(session, scope, "diare_akut", a, b) for a, b in reads(rule, week)]
        data = pd.concat(parts, ignore_index=True).drop_duplicates(
            ["kode_desa", "tahun", "minggu"])  # fmt: skip
        old = weekly_alerts(data, rule, week,
                            villages=queries.village_table(session, scope)["kode"].tolist())
        pd.testing.assert_frame_equal(new.frame(), old.frame(), check_exact=True)
        assert (new.baseline_source == "history").any()  # the demo has earlier years


def test_alert_reasons_are_written_on_first_use(session: Session) -> None:  # noqa: F811
    result = dsvc.alerts_for(session, Scope.of(["99.01.09"]), W50)
    assert "_reasons" not in vars(result)
    plain = result.frame(reasons=False)
    assert "reason_id" not in plain and "_reasons" not in vars(result)
    full = result.frame()
    assert "_reasons" in vars(result)
    pd.testing.assert_frame_equal(full.drop(columns=["reason_id", "reason_en"]), plain)
    assert full["reason_en"].str.startswith(("Alert", "No alert", "Week", "Baseline")).all()
    assert list(result.reasons("id")) == list(full["reason_id"])


def test_weekly_matrix_checks_every_row() -> None:
    week = EpiWeek(2025, 3)
    nan_year = pd.DataFrame({"kode_desa": ["A"], "tahun": [np.nan], "minggu": [2.0],
                             "kasus": [1.0]})  # fmt: skip
    with pytest.raises(ValueError, match="impossible epi week"):
        weekly_matrix(nan_year, week, 4)
    floats = pd.DataFrame({"kode_desa": ["A", "B", "A"], "tahun": [2025.0, 2025.0, 2024.0],
                           "minggu": [3.0, 1.0, 52.0], "kasus": [4.0, 5.0, 6.0]})  # fmt: skip
    codes, mat = weekly_matrix(floats, week, 4, villages=["C"])
    assert codes.tolist() == ["A", "B", "C"]
    np.testing.assert_array_equal(mat, [[4, np.nan, np.nan, 6], [np.nan, np.nan, 5, np.nan],
                                        [np.nan] * 4])  # fmt: skip
    dup = pd.concat([floats, floats.iloc[[1]].assign(kasus=9.0)], ignore_index=True)
    with pytest.raises(ValueError, match="more than one row"):
        weekly_matrix(dup, week, 4)


def test_one_query_frames_equal_the_merged_ones(session: Session) -> None:  # noqa: F811
    for scope in (Scope.everything(), Scope.of(["99.01.03"]), Scope(frozenset())):
        villages = queries.village_table(session, scope)[["kode"]].rename(
            columns={"kode": "kode_desa"})  # fmt: skip
        merged = villages.merge(queries.weekly_cases(session, scope, "diare_akut", 2025, 10),
                                on="kode_desa", how="left").merge(
            queries.population(session, scope, 2025), on="kode_desa", how="left")  # fmt: skip
        week = queries.village_week(session, scope, "diare_akut", 2025, 10)
        if len(merged):
            pd.testing.assert_frame_equal(week, merged, check_exact=True)
        else:
            assert week.empty and list(week.columns) == list(merged.columns)
        assert queries.village_codes(session, scope) == villages["kode_desa"].tolist()
        table = queries.village_table(session, scope)
        both = queries.village_population(session, scope, 2025)
        if len(table):
            pd.testing.assert_frame_equal(both[list(table.columns)], table, check_exact=True)
        f = queries.facilities(session, scope)
        pd.testing.assert_frame_equal(
            queries.facilities_of(session, scope, ("pustu", "puskesmas")),
            f[f["jenis"].isin(["pustu", "puskesmas"])].reset_index(drop=True), check_exact=True,
            check_dtype=bool(len(f)))  # fmt: skip


def test_fetch_builds_the_columns_pandas_would(session: Session) -> None:  # noqa: F811
    from sqlalchemy import select

    from layers.store.models import Fasilitas, KasusMingguan

    for stmt, cols in (
        (select(Fasilitas.id, Fasilitas.nama, Fasilitas.lon, Fasilitas.induk_id,
                Fasilitas.perawat).order_by(Fasilitas.id), ["id", "nama", "lon", "induk", "p"]),
        (select(KasusMingguan.kode_desa, KasusMingguan.kasus, KasusMingguan.kematian)
         .order_by(KasusMingguan.kode_desa).limit(500), ["k", "kasus", "mati"]),
    ):  # fmt: skip
        pd.testing.assert_frame_equal(queries.fetch(session, stmt, cols),
                                      queries.frame(session, stmt, cols), check_exact=True)
    with pytest.raises(ValueError, match="column names"):
        queries.fetch(session, select(Fasilitas.id, Fasilitas.nama), ["id"])


def test_numbers_are_fmt_number_for_every_value() -> None:
    rng = np.random.default_rng(0)
    values = np.concatenate([
        rng.gamma(1.0, 0.5, 3000), rng.integers(0, 5000, 3000).astype(float),
        rng.uniform(0, 1e13, 2000), rng.normal(0, 500, 2000), np.arange(0, 5, 0.005),
        [0.125, 0.005, 1.005, 2.675, 0.5, 1.5, 2.5, -0.0, -0.001, 999.995, 999.5, 1e16,
         math.inf, -math.inf, math.nan, 5e-324, 1234567.891],
    ])  # fmt: skip
    for lang, decimals in itertools.product(("id", "en"), (0, 1, 2, 3, 4)):
        got = textvec.numbers(values, lang, decimals)
        want = [fmt_number(None if math.isnan(v) else float(v), lang, decimals) for v in values]
        assert got.tolist() == want, (lang, decimals)
    assert textvec.numbers([], "id").tolist() == []


def test_text_helpers() -> None:
    a = np.array(["x", "y"], dtype=object)
    assert textvec.join("<", a, ">").tolist() == ["<x>", "<y>"]
    assert textvec.fill("{n} di {p}", n=a, p=3).tolist() == ["x di 3", "y di 3"]
    assert textvec.fill("tanpa {p}", p=3) == "tanpa 3"
    with pytest.raises(ValueError):
        textvec.fill("{n:.1f}", n=a)
    assert textvec.choose([np.array([True, False, False]), np.array([True, True, False])],
                          ["a", np.array(["b1", "b2", "b3"], dtype=object)],
                          "c").tolist() == ["a", "b2", "c"]  # fmt: skip
    assert textvec.integers(np.array([0, 7, 999, 1000, 123456])).tolist() == [
        "0", "7", "999", "1000", "123456"]
