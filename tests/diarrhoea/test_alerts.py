"""Weekly alert rules against hand-worked series: SKDR rules, the history baseline, EARS
C1/C2/C3, year boundaries, missing weeks, zero baselines; the default rule read back from a
migrated store and migration 0006; the default on every planted demo outbreak week."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from layers.diarrhoea import service
from layers.diarrhoea.alerts import reads, weekly_alerts, weekly_matrix
from layers.diarrhoea.rules import (
    DIARE_AKUT,
    DIARE_AKUT_0004,
    UNCONFIRMED,
    Rule,
    default_rules,
    load_rules,
)
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store.engine import downgrade, make_engine, upgrade
from layers.store.models import AturanPeringatan
from tests.ingest.helpers import DEMO

DIARE = Rule("diare_akut", "ratio_to_baseline", 2.0, minggu_dasar=4, minimum_kasus=5)
HISTORY = Rule("diare_akut", "ratio_to_history", 2.0, minggu_dasar=5, minimum_kasus=5)
SD7 = math.sqrt(4 / 6)  # sample sd of 2, 3, 4, 3, 2, 3, 4: mean 3, squares 1+0+1+0+1+0+1 = 4


def series(rows: dict[str, list[tuple[str, int]]]) -> pd.DataFrame:
    """``{village: [("2025-W53", kasus), ...]}`` as the long frame weekly_alerts reads."""
    out = []
    for kode, weeks in rows.items():
        for text, kasus in weeks:
            w = EpiWeek.parse(text)
            out.append({"kode_desa": kode, "tahun": w.year, "minggu": w.week, "kasus": kasus})
    return pd.DataFrame(out, columns=["kode_desa", "tahun", "minggu", "kasus"])


def back(week: str, values: list[int]) -> list[tuple[str, int]]:
    """``values[j]`` is the count ``j`` weeks before ``week`` (epi-week arithmetic)."""
    w = EpiWeek.parse(week)
    return [(str(w - j), v) for j, v in enumerate(values)]


# --------------------------------------------------------------------------- rules in the store


def test_default_diare_rule_read_back_from_migrated_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    try:
        with Session(engine) as session:
            rules = load_rules(session)
            diare = rules["diare_akut"]
            # 0004 seeded the former default, 0006 moved the unedited row to the new one
            assert diare == DIARE_AKUT == HISTORY  # 2 × same weeks of earlier years, ≥ 5
            assert diare.terkonfirmasi is False
            assert "UNCONFIRMED" in diare.sumber and "§4.1" in diare.sumber
            assert "EARS C2" in diare.sumber and "historical limits" in diare.sumber
            assert "15" in diare.catatan and "fixed_count" in diare.catatan  # the alternative
            for one_case in ("suspek_campak", "afp", "suspek_kolera", "suspek_antraks"):
                assert rules[one_case].jenis == "any_case"
            assert rules == default_rules()  # the store is seeded from the shipped CSV
            # editable: the office changes the rule, the loader reads the change
            session.execute(
                sa.update(AturanPeringatan)
                .where(AturanPeringatan.penyakit == "diare_akut")
                .values(jenis="fixed_count", ambang=15, minggu_dasar=None, terkonfirmasi=True)
            )
            session.commit()
            assert load_rules(session)["diare_akut"] == Rule(
                "diare_akut", "fixed_count", 15.0, None, 5, True
            )
    finally:
        engine.dispose()


def test_migration_0006_moves_only_the_unedited_default(engine: sa.Engine) -> None:
    """On SQLite and PostGIS: 0006 widens the kinds and replaces the 0004 seed; downgrade puts
    the seed back; a row the office changed is left as it is either way."""
    rows = sa.select(AturanPeringatan.penyakit, AturanPeringatan.jenis)
    with Session(engine) as session:
        assert load_rules(session)["diare_akut"] == DIARE_AKUT
    downgrade(engine, "0005")
    with Session(engine) as session:
        rule = load_rules(session)["diare_akut"]
        assert rule == DIARE_AKUT_0004 and "4 minggu sebelumnya" in rule.catatan
        with pytest.raises(sa.exc.IntegrityError):  # 0005 does not know the kind
            session.execute(sa.update(AturanPeringatan).where(AturanPeringatan.penyakit == "afp")
                            .values(jenis="ratio_to_history"))  # fmt: skip
            session.flush()
        session.rollback()
        # the office edits the rule (still unconfirmed): 0006 must not replace it
        session.execute(sa.update(AturanPeringatan).where(
            AturanPeringatan.penyakit == "diare_akut").values(ambang=3.0))  # fmt: skip
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        kept = load_rules(session)["diare_akut"]
        assert (kept.jenis, kept.ambang, kept.minggu_dasar) == ("ratio_to_baseline", 3.0, 4)
        # an office's own ratio_to_history rule is allowed now …
        session.execute(sa.update(AturanPeringatan).where(AturanPeringatan.penyakit == "afp")
                        .values(jenis="ratio_to_history", ambang=3.0, minggu_dasar=None))
        session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            session.execute(sa.update(AturanPeringatan).where(AturanPeringatan.penyakit == "afp")
                            .values(jenis="median"))  # fmt: skip
            session.flush()
        session.rollback()
    # … and a downgrade turns it into the nearest older kind
    downgrade(engine, "0005")
    with Session(engine) as session:
        assert dict(session.execute(rows).all())["afp"] == "ratio_to_baseline"
        assert load_rules(session)["afp"].minggu_dasar == 5
    upgrade(engine)


def test_default_rules_match_the_store_and_describe_themselves() -> None:
    rules = default_rules()
    assert rules["diare_akut"] == DIARE_AKUT and rules["afp"].jenis == "any_case"
    text = DIARE_AKUT.describe()
    assert text.id.startswith("kasus ≥ 2 × rerata 5 minggu di sekitar minggu yang sama")
    assert "2-week guard band" in text.en and text.en.endswith("at least 5 cases")
    assert DIARE.describe().en == "cases ≥ 2 × the mean of the previous 4 weeks, at least 5 cases"
    assert "default rule" in UNCONFIRMED.en and "belum dikonfirmasi" in UNCONFIRMED.id


def test_rule_validation() -> None:
    with pytest.raises(ValueError, match="unknown rule type"):
        Rule("x", "median", 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="minggu_dasar"):
        Rule("x", "ratio_to_baseline", 2.0)
    with pytest.raises(ValueError, match="positive"):
        Rule("x", "fixed_count", 0.0)
    assert Rule("x", "ears_c2", 3.0).minggu_dasar == 7  # EARS default baseline
    assert Rule("x", "ratio_to_history", 2.0).minggu_dasar == 5


# --------------------------------------------------------------------------- ratio to baseline


def test_ratio_baseline_crosses_53_week_year() -> None:
    # current 2026-W01; previous 4 weeks = 2025-W53, W52, W51, W50 (2025 has 53 weeks)
    # baseline 3, 3, 4, 2 -> mean 12 / 4 = 3; threshold max(2 × 3, 5) = 6
    # 2025-W49 = 100 lies outside the 4-week window and must not count
    base = [("2025-W53", 3), ("2025-W52", 3), ("2025-W51", 4), ("2025-W50", 2), ("2025-W49", 100)]
    s = series({"A": [("2026-W01", 6), *base], "B": [("2026-W01", 5), *base]})
    a = weekly_alerts(s, DIARE, EpiWeek(2026, 1))
    assert list(a.kode_desa) == ["A", "B"]
    assert a.baseline_first == EpiWeek(2025, 50) and a.baseline_last == EpiWeek(2025, 53)
    np.testing.assert_allclose(a.baseline_mean, [3.0, 3.0])
    np.testing.assert_allclose(a.threshold, [6.0, 6.0])
    np.testing.assert_allclose(a.statistic, [2.0, 5 / 3])  # observed / mean
    assert list(a.alert) == [True, False]  # 6 ≥ 6; 5 < 6
    assert list(a.status) == ["alert", "no_alert"]
    assert a.reason_en[0].startswith("Alert: 6 cases ≥ 6 = max(2 × mean of the previous 4")
    assert a.reason_id[0].startswith("Peringatan: 6 kasus ≥ 6")
    assert a.n_alerts == 1


def test_ratio_baseline_crosses_2020_w53() -> None:
    # current 2021-W02; previous weeks: 2021-W01, 2020-W53, 2020-W52, 2020-W51
    # baseline 4, 6, 2, 4 -> mean 4; threshold max(8, 5) = 8; observed 8 -> alert
    s = series({"A": back("2021-W02", [8, 4, 6, 2, 4])})
    assert list(s["minggu"]) == [2, 1, 53, 52, 51]
    a = weekly_alerts(s, DIARE, EpiWeek(2021, 2))
    assert a.baseline_first == EpiWeek(2020, 51)
    assert (a.baseline_mean[0], a.threshold[0], bool(a.alert[0])) == (4.0, 8.0, True)


def test_ratio_minimum_cases_and_zero_baseline() -> None:
    # zero baseline: 2 × 0 = 0, so the minimum of 5 cases is the threshold
    zeros = [0, 0, 0, 0]
    s = series({"A": back("2025-W10", [5, *zeros]), "B": back("2025-W10", [4, *zeros]),
                "C": back("2025-W10", [2, 1, 1, 0, 0])})  # fmt: skip
    a = weekly_alerts(s, DIARE, EpiWeek(2025, 10))
    np.testing.assert_allclose(a.threshold, [5.0, 5.0, 5.0])
    # C: mean (1 + 1 + 0 + 0) / 4 = 0.5; 2 ≥ 2 × 0.5 but 2 < 5 cases -> no alert
    assert list(a.alert) == [True, False, False]
    assert math.isinf(a.statistic[0]) and a.statistic[2] == 4.0


def test_missing_weeks_are_missing_not_zero() -> None:
    # A: W09 and W07 not reported; baseline = mean(W08 = 4, W06 = 2) = 3 (zeros would give 1.5)
    # B: only W09 reported of 4 -> 1 < ceil(4 × 0.5) = 2 -> no baseline, no alert
    # C: current week not reported -> no report (never "0 cases, no alert")
    # D: listed village without any row
    s = series({"A": [("2025-W10", 6), ("2025-W08", 4), ("2025-W06", 2)],
                "B": [("2025-W10", 40), ("2025-W09", 1)],
                "C": back("2025-W09", [9, 9, 9, 9])})  # fmt: skip
    a = weekly_alerts(s, DIARE, EpiWeek(2025, 10), villages=["D"])
    f = a.frame().set_index("kode_desa")
    assert f.loc["A", "baseline_mean"] == 3.0 and f.loc["A", "threshold"] == 6.0
    assert f.loc["A", "baseline_weeks"] == 2 and f.loc["A", "missing_weeks"] == 2
    assert f.loc["A", "alert"]
    assert "2 unreported week(s) left out (not zero)" in f.loc["A", "reason_en"]
    assert "2 minggu tanpa laporan dilewati (bukan nol)" in f.loc["A", "reason_id"]
    assert f.loc["B", "status"] == "no_baseline" and not f.loc["B", "alert"]
    assert "1 of 4 baseline weeks reported (2 needed)" in f.loc["B", "reason_en"]
    assert f.loc["C", "status"] == "no_report" and math.isnan(f.loc["C", "observed"])
    assert "not as zero" in f.loc["C", "reason_en"]
    assert f.loc["D", "status"] == "no_report"


def test_fixed_count_and_any_case() -> None:
    fixed = Rule("diare_akut", "fixed_count", 15.0, minimum_kasus=5)
    s = series({"A": [("2025-W01", 15)], "B": [("2025-W01", 14)]})
    a = weekly_alerts(s, fixed, EpiWeek(2025, 1))
    assert list(a.alert) == [True, False] and list(a.threshold) == [15.0, 15.0]
    assert a.baseline_first is None
    one = Rule("suspek_campak", "any_case", 1.0)
    s = series({"A": [("2025-W01", 1)], "B": [("2025-W01", 0)]})
    a = weekly_alerts(s, one, EpiWeek(2025, 1))
    assert list(a.alert) == [True, False]
    assert a.reason_en[0] == "Alert: 1 case(s); any case triggers an alert."


def test_bad_series_raise() -> None:
    with pytest.raises(ValueError, match="impossible epi week"):  # 2024 has 52 weeks
        weekly_alerts(series({}).pipe(lambda f: pd.DataFrame(
            {"kode_desa": ["A"], "tahun": [2024], "minggu": [53], "kasus": [1]})),
            DIARE, EpiWeek(2025, 1))  # fmt: skip
    dup = pd.DataFrame({"kode_desa": ["A", "A"], "tahun": [2025] * 2, "minggu": [1, 1],
                        "kasus": [1, 2]})  # fmt: skip
    with pytest.raises(ValueError, match="more than one row"):
        weekly_alerts(dup, DIARE, EpiWeek(2025, 1))


def test_weekly_matrix_offsets_by_epiweek_arithmetic() -> None:
    s = series({"A": [("2026-W01", 1), ("2025-W53", 2), ("2025-W52", 3), ("2026-W02", 9)]})
    codes, mat = weekly_matrix(s, EpiWeek(2026, 1), 4)
    assert list(codes) == ["A"]
    np.testing.assert_array_equal(mat, [[1, 2, 3, np.nan]])  # W02 is after the current week


# --------------------------------------------------------------------------- history baseline


def test_history_baseline_ignores_an_ongoing_outbreak() -> None:
    # current 2025-W50: the same weeks one year earlier are 2024-W48 … W52 (centred on
    # 2025-W50 - 52 = 2024-W50): 2, 3, 4, 3, 2 -> mean 2.8, threshold max(5, 5.6) = 5.6.
    # A is in the 3rd week of an outbreak (20 cases a week): the previous-weeks rule's
    # baseline 20, 20, 5, 5 holds two outbreak weeks (mean 12.5, threshold 25: no alert);
    # the history rule still alerts.
    last_year = [("2024-W48", 2), ("2024-W49", 3), ("2024-W50", 4), ("2024-W51", 3),
                 ("2024-W52", 2), ("2024-W47", 90), ("2025-W01", 90)]  # outside the window
    s = series({"A": [*back("2025-W50", [20, 20, 20, 5, 5, 5, 5, 5]), *last_year],
                "B": [*back("2025-W50", [5, 3, 3, 3, 3, 3, 3, 3]), *last_year]})  # fmt: skip
    week = EpiWeek(2025, 50)
    a = weekly_alerts(s, HISTORY, week)
    assert a.history_windows[0] == (EpiWeek(2024, 48), EpiWeek(2024, 52))
    assert list(a.baseline_source) == ["history", "history"]
    np.testing.assert_allclose(a.baseline_mean, [2.8, 2.8])
    np.testing.assert_allclose(a.threshold, [5.6, 5.6])
    assert list(a.alert) == [True, False]  # 20 ≥ 5.6; 5 < 5.6
    assert a.reason_en[0] == ("Alert: 20 cases ≥ 5.6 = max(2 × mean of the same weeks in 1 "
                              "earlier year(s) (2024-W48…2024-W52: 2.8), at least 5 cases).")
    assert a.reason_id[0].startswith("Peringatan: 20 kasus ≥ 5,6 = maks(2 × rerata minggu yang")
    old = weekly_alerts(s, DIARE, week)
    assert old.baseline_mean[0] == pytest.approx(12.5) and not old.alert[0]


def test_history_pools_years_and_falls_back_to_a_guard_band() -> None:
    # current 2026-W01 (2025 has 53 weeks: 2026-W01 - 52 = 2025-W02): windows 2024-W52 …
    # 2025-W04 and 2023-W52 … 2024-W04. A: 4 weeks reported in the first year (2, 2, 2, 2)
    # and 2 in the second (5, 5) -> 6 weeks pooled, mean 18 / 6 = 3, threshold 6.
    # B: only 2 history weeks reported (< 3 needed): the 5 weeks before the 2-week guard
    # band, 2025-W47 … W51 (t-7 … t-3) = 1, 1, 1, 1, 1 -> mean 1, threshold max(5, 2) = 5;
    # the outbreak weeks t-1, t-2 (30 cases) are skipped.
    week = EpiWeek(2026, 1)
    s = series({
        "A": [("2026-W01", 6), ("2024-W52", 2), ("2025-W01", 2), ("2025-W03", 2),
              ("2025-W04", 2), ("2024-W01", 5), ("2023-W52", 5)],
        "B": [*back("2026-W01", [5, 30, 30, 1, 1, 1, 1, 1]), ("2025-W02", 9), ("2025-W03", 9)],
    })  # fmt: skip
    a = weekly_alerts(s, HISTORY, week)
    assert (a.baseline_first, a.baseline_last) == (EpiWeek(2025, 47), EpiWeek(2025, 51))
    assert a.history_windows[:2] == ((EpiWeek(2024, 52), EpiWeek(2025, 4)),
                                     (EpiWeek(2023, 52), EpiWeek(2024, 4)))  # fmt: skip
    f = a.frame().set_index("kode_desa")
    assert f.loc["A", "baseline_source"] == "history" and f.loc["A", "baseline_weeks"] == 6
    assert f.loc["A", "baseline_mean"] == 3.0 and f.loc["A", "threshold"] == 6.0
    assert f.loc["A", "missing_weeks"] == 4  # 2 × 5 window weeks in the 2 years, 6 reported
    assert f.loc["A", "alert"] and "2 earlier year(s)" in f.loc["A", "reason_en"]
    assert f.loc["B", "baseline_source"] == "recent" and f.loc["B", "baseline_mean"] == 1.0
    assert f.loc["B", "threshold"] == 5.0 and f.loc["B", "alert"]
    assert "2-week guard band (2025-W47…2025-W51: 1)" in f.loc["B", "reason_en"]
    assert "jeda 2 minggu" in f.loc["B", "reason_id"]
    # a village with neither: no baseline, said why
    c = weekly_alerts(series({"C": [("2026-W01", 9), ("2025-W50", 1)]}), HISTORY, week)
    assert c.status[0] == "no_baseline" and c.baseline_source[0] == ""
    assert c.reason_en[0].startswith("Baseline too short: fewer than 3 of the same weeks")


def test_reads_are_what_the_rule_needs() -> None:
    week = EpiWeek(2026, 1)
    ranges = reads(HISTORY, week)
    assert ranges[0] == (EpiWeek(2025, 47), week)
    assert ranges[1] == (EpiWeek(2024, 52), EpiWeek(2025, 4)) and len(ranges) == 4
    assert reads(DIARE, week) == [(EpiWeek(2025, 50), week)]
    assert reads(Rule("x", "ears_c3", 2.0), week) == [(week - 11, week)]


def planted_outbreaks() -> list[tuple[list[str], list[EpiWeek]]]:
    """(villages, weeks) of every planted outbreak of the demo."""
    out = []
    for p in json.loads((DEMO / "klaster_tertanam.json").read_text()):
        first = EpiWeek(p["tahun"], p["minggu_mulai"])
        out.append((p["villages"], [first + i for i in range(p["minggu"])]))
    return out


def test_default_keeps_alerting_through_every_planted_outbreak(session: Session) -> None:
    """Week by week, every planted demo outbreak: the stored default against the former one.

    Per planted village (A alert, . none), bench/alerts.py prints the same:
    2024-W21…W23 default 2, 3, 5 villages in alert; former 3, 2, 3 (6 villages)
    2024-W35…W38 default 3, 2, 3, 3;                 former 4, 2, 1, 0 (7 villages)
    2025-W50…W53 default 5, 4, 5, 5;                 former 5, 4, 2, 0 (5 villages)
    """
    scope = Scope.everything()
    counts: dict[str, list[list[int]]] = {"default": [], "former": []}
    for villages, weeks in planted_outbreaks():
        for name, rule in (("default", None), ("former", DIARE_AKUT_0004)):
            per_week = []
            for week in weeks:
                a = service.alerts_for(session, scope, week, rule=rule)
                assert rule is not None or a.rule == DIARE_AKUT  # the stored default
                per_week.append(len(set(villages) & set(a.kode_desa[a.alert])))
            counts[name].append(per_week)
    default, former = counts["default"], counts["former"]
    # the former rule falls silent in the last week of both 4-week outbreaks …
    assert former[1][-1] == 0 and former[2][-1] == 0
    # … the default does not: its last week alerts at least as many villages as its first
    for per_week in default:
        assert per_week[-1] >= max(per_week[0], 3)
    # with a year of history (2025): 4 or 5 of the 5 planted villages every week
    assert min(default[2]) >= 4
    assert sum(map(sum, default)) >= sum(map(sum, former)) + 10


# --------------------------------------------------------------------------- EARS


BASE7 = [2, 3, 4, 3, 2, 3, 4]  # any 7 consecutive weeks of this repeating pattern: mean 3, sd SD7


def test_ears_c1() -> None:
    c1 = Rule("x", "ears_c1", 3.0)
    # C1 baseline = the 7 weeks before: mean 3, sd 0.8165
    # A: (6 - 3) / 0.8165 = 3.674 ≥ 3 -> alert;  B: (5 - 3) / 0.8165 = 2.449 -> none
    s = series({"A": back("2025-W20", [6, *BASE7]), "B": back("2025-W20", [5, *BASE7])})
    a = weekly_alerts(s, c1, EpiWeek(2025, 20))
    np.testing.assert_allclose(a.baseline_mean, [3, 3])
    np.testing.assert_allclose(a.baseline_sd, [SD7, SD7])
    np.testing.assert_allclose(a.statistic, [3 / SD7, 2 / SD7])
    np.testing.assert_allclose(a.threshold, [3 + 3 * SD7] * 2)  # 5.449
    assert list(a.alert) == [True, False]
    assert a.reason_en[0].startswith("Alert: EARS C1 = 3.67 ≥ 3; 6 cases")


def test_ears_c2_lag_crosses_year() -> None:
    # current 2026-W02; C2 skips t-1 = 2026-W01 and t-2 = 2025-W53, baseline t-3 … t-9 =
    # 2025-W52 … 2025-W46 = BASE7 -> (6 - 3) / 0.8165 = 3.674 -> alert.
    # C1 on the same series reads the 20s in W01/W53: its baseline 20,20,2,3,4,3,2 has mean
    # 54/7 = 7.71 -> 6 is below it, no alert.
    s = series({"A": back("2026-W02", [6, 20, 20, *BASE7])})
    week = EpiWeek(2026, 2)
    c2 = weekly_alerts(s, Rule("x", "ears_c2", 3.0), week)
    assert (c2.baseline_first, c2.baseline_last) == (EpiWeek(2025, 46), EpiWeek(2025, 52))
    assert c2.statistic[0] == pytest.approx(3 / SD7) and c2.alert[0]
    c1 = weekly_alerts(s, Rule("x", "ears_c1", 3.0), week)
    assert c1.baseline_mean[0] == pytest.approx(54 / 7) and not c1.alert[0]


def test_ears_c3() -> None:
    # 12 weeks: t-11 … t-3 follow the pattern (every 7-week baseline: mean 3, sd 0.8165);
    # C2(t-2) = C2(t-1) = (4 - 3) / 0.8165 = 1.2247 -> terms 0.2247 each (sum 0.4495)
    # A: Y(t) = 6: C2 = 3.674 -> term 2.674; C3 = 3.124 ≥ 2 -> alert
    # B: Y(t) = 5: C2 = 2.449 -> term 1.449; C3 = 1.899 < 2 -> none
    # count threshold: r = 2 - 0.4495 = 1.5505; 3 + 0.8165 × (1 + r) = 5.0825
    pattern = [2, 3, 4, 3, 2, 3, 4, 2, 3]  # t-3 … t-11: BASE7 repeated (7-periodic)
    c3 = Rule("x", "ears_c3", 2.0)
    s = series({"A": back("2025-W30", [6, 4, 4, *pattern]),
                "B": back("2025-W30", [5, 4, 4, *pattern])})  # fmt: skip
    a = weekly_alerts(s, c3, EpiWeek(2025, 30))
    prior = 2 * (1 / SD7 - 1)
    np.testing.assert_allclose(a.statistic, [prior + 3 / SD7 - 1, prior + 2 / SD7 - 1])
    np.testing.assert_allclose(a.threshold, [3 + SD7 * (3 - prior)] * 2)
    assert list(a.alert) == [True, False]
    # C3 needs weeks t-1 and t-2 reported: drop t-1 -> no baseline
    s2 = s[~((s["kode_desa"] == "A") & (s["minggu"] == 29))]
    a2 = weekly_alerts(s2, c3, EpiWeek(2025, 30))
    assert a2.status[0] == "no_baseline" and not a2.alert[0]
    assert a2.reason_en[0].startswith("C3 needs weeks 2025-W29 and 2025-W28 reported")


def test_ears_flat_baseline_sd_floor() -> None:
    # all-zero baseline: sd 0, floored at 0.5 -> z = observed / 0.5
    # A: 2 / 0.5 = 4 -> alert; B: 1 / 0.5 = 2 -> none. Unfloored (min_sd=0): B is +inf.
    s = series({"A": back("2025-W20", [2, *[0] * 7]), "B": back("2025-W20", [1, *[0] * 7])})
    c1 = Rule("x", "ears_c1", 3.0)
    a = weekly_alerts(s, c1, EpiWeek(2025, 20))
    np.testing.assert_allclose(a.statistic, [4.0, 2.0])
    np.testing.assert_allclose(a.threshold, [1.5, 1.5])
    assert list(a.alert) == [True, False]
    raw = weekly_alerts(s, c1, EpiWeek(2025, 20), min_sd=0)
    assert math.isinf(raw.statistic[1]) and raw.alert[1]
