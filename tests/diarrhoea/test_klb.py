"""KLB signals (Permenkes 1501/2010 Pasal 6) against hand-worked weekly series."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from layers.diarrhoea.klb import aggregate, klb_signals, wednesday_month
from layers.epiweek import EpiWeek, week_range


def series(rows: dict[str, list[tuple[str, int, int]]]) -> pd.DataFrame:
    """``{village: [("2025-W10", kasus, kematian), ...]}`` as a long frame."""
    out = []
    for kode, weeks in rows.items():
        for text, kasus, mati in weeks:
            w = EpiWeek.parse(text)
            out.append({"kode_desa": kode, "tahun": w.year, "minggu": w.week, "kasus": kasus,
                        "kematian": mati})  # fmt: skip
    return pd.DataFrame(out, columns=["kode_desa", "tahun", "minggu", "kasus", "kematian"])


def weeks(first: str, last: str, kasus: int, mati: int = 0) -> list[tuple[str, int, int]]:
    return [(str(w), kasus, mati)
            for w in week_range(EpiWeek.parse(first), EpiWeek.parse(last))]  # fmt: skip


def signal(result, kode: str, kriteria: str) -> dict[str, object] | None:  # noqa: ANN001
    rows = result.signals[(result.signals["kode"] == kode)
                          & (result.signals["kriteria"] == kriteria)]  # fmt: skip
    return None if rows.empty else rows.iloc[0].to_dict()


def test_month_of_a_week_is_the_month_of_its_wednesday() -> None:
    assert wednesday_month(EpiWeek(2025, 9)) == (2025, 2)  # Sun 23 Feb – Sat 1 Mar, Wed 26 Feb
    assert wednesday_month(EpiWeek(2025, 14)) == (2025, 4)  # Sun 30 Mar – Sat 5 Apr, Wed 2 Apr
    assert wednesday_month(EpiWeek(2025, 53)) == (2025, 12)  # Sun 28 Dec – Sat 3 Jan, Wed 31 Dec
    assert wednesday_month(EpiWeek(2026, 1)) == (2026, 1)
    assert wednesday_month(EpiWeek(2020, 53)) == (2020, 12)


def test_double_the_previous_week() -> None:
    # A: 3 -> 6: 6 ≥ 2 × 3 and ≥ 5 cases -> signal;  B: 3 -> 5: 5 < 6 -> none
    # C: 1 -> 2 doubles but 2 < 5 cases -> too few;   D: W10 missing -> incomplete
    s = series({"A": [("2025-W10", 3, 0), ("2025-W11", 6, 0)],
                "B": [("2025-W10", 3, 0), ("2025-W11", 5, 0)],
                "C": [("2025-W10", 1, 0), ("2025-W11", 2, 0)],
                "D": [("2025-W09", 1, 0), ("2025-W11", 9, 0)]})  # fmt: skip
    r = klb_signals(s, EpiWeek(2025, 11))
    a = signal(r, "A", "naik_2x")
    assert a is not None and (a["observed"], a["comparison"], a["ratio"]) == (6, 3, 2.0)
    assert "bukan penetapan KLB" in a["text_id"] and "not a declared KLB" in a["text_en"]
    assert "6 cases this week vs 3 the week before" in a["text_en"]
    assert signal(r, "B", "naik_2x") is None
    assert r.status.loc["B", "naik_2x"] == "no_signal"
    assert r.status.loc["C", "naik_2x"] == "too_few"
    assert r.status.loc["D", "naik_2x"] == "incomplete"  # missing is not zero (0 -> 9)
    assert r.status.loc["A", "cfr_naik_50"] == "incomplete"  # no previous 4 weeks


def test_double_across_53_week_year_and_from_zero() -> None:
    # 2025-W53 = 4 -> 2026-W01 = 8 -> signal; B: 0 -> 5 (ratio ∞, ≥ 5 cases) -> signal
    s = series({"A": [("2025-W53", 4, 0), ("2026-W01", 8, 0)],
                "B": [("2025-W53", 0, 0), ("2026-W01", 5, 0)]})  # fmt: skip
    r = klb_signals(s, EpiWeek(2026, 1))
    assert signal(r, "A", "naik_2x")["comparison"] == 4  # type: ignore[index]
    assert math.isinf(signal(r, "B", "naik_2x")["ratio"])  # type: ignore[index,arg-type]


def test_three_consecutive_rises_across_2020_w53() -> None:
    # 2020-W51 = 2 < W52 = 3 < W53 = 4 < 2021-W01 = 6: three rises -> signal
    # (and 6 < 2 × 4: no doubling). B: 2, 4, 4, 6 has a flat step -> none.
    rise = [("2020-W51", 2, 0), ("2020-W52", 3, 0), ("2020-W53", 4, 0), ("2021-W01", 6, 0)]
    flat = [("2020-W51", 2, 0), ("2020-W52", 4, 0), ("2020-W53", 4, 0), ("2021-W01", 6, 0)]
    r = klb_signals(series({"A": rise, "B": flat}), EpiWeek(2021, 1))
    a = signal(r, "A", "naik_3_periode")
    assert a is not None and (a["observed"], a["comparison"]) == (6, 2)
    assert "2 → 3 → 4 → 6 cases (3 consecutive rises, per week)" in a["text_en"]
    assert signal(r, "A", "naik_2x") is None
    assert r.status.loc["B", "naik_3_periode"] == "no_signal"


def test_two_week_periods() -> None:
    # period_weeks = 2: (W07+W08) = 2+2 = 4 -> (W09+W10) = 3+5 = 8 ≥ 2 × 4 -> signal
    s = series({"A": [("2025-W07", 2, 0), ("2025-W08", 2, 0), ("2025-W09", 3, 0),
                      ("2025-W10", 5, 0)]})  # fmt: skip
    r = klb_signals(s, EpiWeek(2025, 10), period_weeks=2)
    a = signal(r, "A", "naik_2x")
    assert a is not None and (a["observed"], a["comparison"]) == (8, 4)
    assert "2-week period" in a["text_en"]


def test_month_against_last_years_monthly_average() -> None:
    # 2024 has 52 epi weeks (Wednesdays 3 Jan … 25 Dec 2024), 1 case each: 52 / 12 = 4.333 a
    # month, 2 × = 8.667. March 2025 = W10 … W13 (Wednesdays 5 … 26 Mar); W09 is February.
    # A at W12: W10 + W11 + W12 = 3 + 3 + 3 = 9 ≥ 8.667 -> signal (W09's 50 is February)
    # B at W12: 3 + 3 + 2 = 8 < 8.667 -> none
    last_year = weeks("2024-W01", "2024-W52", 1)
    s = series({"A": [*last_year, ("2025-W09", 50, 0), *weeks("2025-W10", "2025-W12", 3)],
                "B": [*last_year, ("2025-W10", 3, 0), ("2025-W11", 3, 0),
                      ("2025-W12", 2, 0)]})  # fmt: skip
    r = klb_signals(s, EpiWeek(2025, 12))
    assert r.params["month"] == (2025, 3) and r.params["last_year_weeks"] == 52
    assert r.params["month_weeks"] == 3
    a = signal(r, "A", "bulan_2x")
    assert a is not None and a["observed"] == 9
    assert a["comparison"] == pytest.approx(52 / 12)
    assert "9 cases in 2025-03 (to week 2025-W12) vs 2024 monthly average 4.3" in a["text_en"]
    assert r.status.loc["B", "bulan_2x"] == "no_signal"


def test_month_with_unreported_weeks() -> None:
    # C: last year only 30 of 52 weeks reported (< 75 %) -> incomplete
    # D: 40 of 52 reported, 1 each: weekly mean 1 -> 1 × 52 / 12 = 4.333 (not 40 / 12);
    #    March to W12 with W11 unreported: 5 + 4 = 9 ≥ 8.667 -> signal, the gap is said
    s = series({"C": [*weeks("2024-W01", "2024-W30", 1), *weeks("2025-W10", "2025-W12", 9)],
                "D": [*weeks("2024-W01", "2024-W40", 1), ("2025-W10", 5, 0),
                      ("2025-W12", 4, 0)]})  # fmt: skip
    r = klb_signals(s, EpiWeek(2025, 12))
    assert r.status.loc["C", "bulan_2x"] == "incomplete"
    d = signal(r, "D", "bulan_2x")
    assert d is not None and d["comparison"] == pytest.approx(52 / 12)
    assert "1 week(s) of this month unreported" in d["text_en"]


def test_cfr_up_fifty_percent() -> None:
    # 4-week periods, 5 cases a week = 20 cases each.
    # A: before 1 death (CFR 5 %), now 2 deaths (10 %) ≥ 1.5 × 5 % -> signal
    # B: before 1, now 1 -> 5 % < 7.5 % -> none
    # C: before 0 deaths (0 %), now 1 -> a rise from 0 -> signal
    # E: now 2 cases a week = 8 < 10 cases -> too few to compare
    def village(before: int, now: int, per_week: int = 5) -> list[tuple[str, int, int]]:
        rows = weeks("2025-W03", "2025-W10", per_week)
        rows[0] = (rows[0][0], per_week, before)  # the death in W03 (previous period)
        rows[-1] = (rows[-1][0], per_week, now)  # the deaths in W10 (current period)
        return rows

    s = series({"A": village(1, 2), "B": village(1, 1), "C": village(0, 1),
                "E": village(1, 2, per_week=2)})  # fmt: skip
    r = klb_signals(s, EpiWeek(2025, 10))
    a = signal(r, "A", "cfr_naik_50")
    assert a is not None and (a["observed"], a["comparison"]) == (0.1, 0.05)
    assert "10.0% (2/20) vs 5.0% (1/20)" in a["text_en"]
    assert r.status.loc["B", "cfr_naik_50"] == "no_signal"
    c = signal(r, "C", "cfr_naik_50")
    assert c is not None and c["comparison"] == 0 and math.isinf(c["ratio"])  # type: ignore[arg-type]
    assert r.status.loc["E", "cfr_naik_50"] == "too_few"
    no_deaths = klb_signals(s.drop(columns="kematian"), EpiWeek(2025, 10))
    assert (no_deaths.status["cfr_naik_50"] == "no_data").all()


def test_region_aggregate() -> None:
    # two villages of kecamatan 99.01.01: 2 -> 3 and 1 -> 4 (each < 5 cases: too few);
    # summed 3 -> 7 ≥ 2 × 3 -> kecamatan signal
    s = series({"99.01.01.2001": [("2025-W10", 2, 0), ("2025-W11", 3, 0)],
                "99.01.01.2002": [("2025-W10", 1, 0), ("2025-W11", 4, 0)],
                "99.01.02.2001": [("2025-W10", 9, 0)]})  # fmt: skip
    agg = aggregate(s, "kec")
    assert sorted(agg["kode"].unique()) == ["99.01.01", "99.01.02"]
    villages = klb_signals(s, EpiWeek(2025, 11))
    assert villages.signals.empty
    kec = klb_signals(s, EpiWeek(2025, 11), level="kec")
    k = signal(kec, "99.01.01", "naik_2x")
    assert k is not None and (k["observed"], k["comparison"], k["level"]) == (7, 3, "kec")
    # the kecamatan whose only village did not report in W11 is incomplete, not "0 cases"
    assert kec.status.loc["99.01.02", "naik_2x"] == "incomplete"
