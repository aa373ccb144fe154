"""Helpers the map page takes from the diarrhoea service: the newest week, the village
chart's threshold line and the scan's cluster order — checked against direct
recomputations, since the page only renders them."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from sqlalchemy.orm import Session

from layers.diarrhoea import service
from layers.diarrhoea.alerts import weekly_alerts
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries

VILLAGE = "99.01.09.2001"  # a planted village of the demo


def test_latest_week_is_the_newest_with_data_in_scope(session: Session) -> None:
    assert service.latest_week(session, Scope.everything()) == EpiWeek(2025, 53)
    assert service.latest_week(session, Scope.of(["99.01.09"])) == EpiWeek(2025, 53)
    assert service.latest_week(session, Scope.of(["98"])) is None  # no village there
    assert service.latest_week(session, Scope.everything(), "campak") is None


def test_threshold_line_repeats_the_alert_rule_week_by_week(session: Session) -> None:
    village = Scope.of([VILLAGE])
    series = queries.case_series(session, village, VILLAGE, "diare_akut")
    week = EpiWeek(2025, 50)
    line = service.threshold_line(session, series, VILLAGE, week)
    assert line is not None and len(line) == service.THRESHOLD_WEEKS
    assert list(line["week"]) == [week - back for back in range(51, -1, -1)]
    rule = service.rule_for(session)
    data = series.assign(kode_desa=VILLAGE)
    for i in (0, 20, 51):  # spot checks against the rule applied to that one week
        found = weekly_alerts(data, rule, line["week"].iloc[i], villages=[VILLAGE]).threshold
        assert line["threshold"].iloc[i] == pytest.approx(float(found[0]), nan_ok=True)
    # in the planted week the village alerts: its count reaches the line
    observed = int(series.set_index(["tahun", "minggu"]).loc[(2025, 50), "kasus"])
    assert observed >= line["threshold"].iloc[-1]


def test_threshold_line_starts_at_the_first_reported_week(session: Session) -> None:
    village = Scope.of([VILLAGE])
    series = queries.case_series(session, village, VILLAGE, "diare_akut")
    first = EpiWeek(int(series["tahun"].iloc[0]), int(series["minggu"].iloc[0]))
    line = service.threshold_line(session, series, VILLAGE, first + 2)
    assert list(line["week"]) == [first, first + 1, first + 2]
    assert np.isnan(line["threshold"].iloc[0])  # no baseline before the first report
    assert service.threshold_line(session, series, VILLAGE, first - 1) is None
    assert service.threshold_line(session, series, VILLAGE, None) is None
    assert service.threshold_line(session, series.iloc[0:0], VILLAGE, first) is None


def _cluster(p: float, llr: float) -> SimpleNamespace:
    return SimpleNamespace(p_value=p, llr=llr)


def test_clusters_are_ordered_by_p_then_llr_and_marked_significant() -> None:
    a, b, c, d, e = (_cluster(0.2, 9.0), _cluster(0.01, 3.0), _cluster(0.01, 7.0),
                     _cluster(math.nan, 99.0), _cluster(0.05, 1.0))  # fmt: skip
    ordered = service.ordered_clusters([a, b, c, d, e])
    assert [x for x, _ in ordered] == [c, b, e, a, d]
    assert [sig for _, sig in ordered] == [True, True, False, False, False]  # p < 0.05
    assert [sig for _, sig in service.ordered_clusters([e], alpha=0.1)] == [True]
    assert service.ordered_clusters([]) == []
