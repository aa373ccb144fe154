"""Alert benchmark (issue 7): does the default rule keep alerting through a planted outbreak?

Data: the ``pws demo`` programme data — the embedded demo district (``data/geo/demo_9901``) and,
in the full run, the Jawa Timur boundaries (the cache of :mod:`bench.hotspots`). Each has
planted outbreaks (``klaster_tertanam.json``, ground truth). For every week of every planted
outbreak, the weekly alerts (:func:`layers.diarrhoea.alerts.weekly_alerts`, exactly as
``service.alerts_for`` applies them) are computed under

* **default** — :data:`layers.diarrhoea.rules.DIARE_AKUT`: ≥ 2 × the mean of the 5 weeks
  around the same week of earlier years (without them: the 5 weeks before a 2-week guard
  band), ≥ 5 cases;
* **former** (the baseline) — :data:`layers.diarrhoea.rules.DIARE_AKUT_0004`: ≥ 2 × the mean
  of the previous 4 weeks, ≥ 5 cases;

and printed per planted village as one mark per outbreak week (``A`` alert, ``.`` no alert,
``-`` no baseline), with the totals; the alert rate of every other village-week from the
13th week of data on (alerts per 1,000 village-weeks outside the planted outbreaks); the
villages in alert per week of a longer outbreak than the generator plants (8 weeks,
relative risk 3, 40 villages, added to the 2025 counts); and the time of one week's alerts
for all villages — each beside the former rule's in the same run.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

from bench.common import Row, median, print_table, timed
from bench.hotspots import demo_programme, jatim_programme, outbreak_weeks
from layers.diarrhoea.alerts import weekly_alerts
from layers.diarrhoea.rules import DIARE_AKUT, DIARE_AKUT_0004, Rule
from layers.epiweek import EpiWeek, week_range

RULES: dict[str, Rule] = {"default": DIARE_AKUT, "former": DIARE_AKUT_0004}
#: weeks of data before false alerts are counted (every rule has its baseline by then)
SETTLE = 12
#: first week of the longer, added outbreak
SUSTAINED_START = EpiWeek(2025, 20)
MARK = {"alert": "A", "no_alert": ".", "no_baseline": "-", "no_report": " "}


def planted_marks(kasus: pd.DataFrame, klaster: list[dict]) -> dict[str, Any]:
    """Per rule, per outbreak, per planted village: the status of each outbreak week."""
    series = kasus[["kode_desa", "tahun", "minggu", "kasus"]]
    out: dict[str, Any] = {name: [] for name in RULES}
    for name, rule in RULES.items():
        for number, c in enumerate(klaster, start=1):
            first = EpiWeek(int(c["tahun"]), int(c["minggu_mulai"]))
            weeks = [first + i for i in range(int(c["minggu"]))]
            statuses = {v: [] for v in c["villages"]}
            for week in weeks:
                frame = weekly_alerts(series, rule, week, villages=c["villages"]).frame()
                status = frame.set_index("kode_desa")["status"]
                for v in c["villages"]:
                    statuses[v].append(str(status[v]))
            out[name].append({"outbreak": number, "weeks": [str(w) for w in weeks],
                              "villages": statuses})  # fmt: skip
    return out


def false_alert_rate(kasus: pd.DataFrame, klaster: list[dict], rule: Rule) -> float:
    """Alerts per 1,000 village-weeks outside the planted outbreaks (after :data:`SETTLE`)."""
    series = kasus[["kode_desa", "tahun", "minggu", "kasus"]]
    first = EpiWeek(int(kasus["tahun"].min()), 1)
    last = EpiWeek(int(kasus["tahun"].max()), int(kasus[kasus["tahun"] == kasus["tahun"].max()]
                                                  ["minggu"].max()))  # fmt: skip
    planted = {(v, str(w)) for _, w, vs in outbreak_weeks(klaster) for v in vs}
    alerts = total = 0
    for week in list(week_range(first + SETTLE, last)):
        a = weekly_alerts(series, rule, week)
        outside = np.array([(k, str(week)) not in planted for k in a.kode_desa])
        reported = a.status != "no_report"
        alerts += int((a.alert & outside).sum())
        total += int((outside & reported).sum())
    return 1000 * alerts / total


def report(name: str, marks: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Print the marks side by side; return the planted village-weeks in alert per rule."""
    print(f"\n{name}: planted villages, one mark per outbreak week "
          "(A alert, . no alert, - no baseline)")  # fmt: skip
    totals = {r: {"alert": 0, "weeks": 0} for r in RULES}
    for k, outbreak in enumerate(marks["default"]):
        weeks = outbreak["weeks"]
        width = max(len(weeks), 7) + 2
        print(f"outbreak {outbreak['outbreak']}: {weeks[0]} … {weeks[-1]}")
        print(f"  {'village':<13}  " + "".join(f"{r:<{width}}" for r in RULES))
        for village in outbreak["villages"]:
            cells = []
            for r in RULES:
                got = marks[r][k]["villages"][village]
                totals[r]["alert"] += sum(s == "alert" for s in got)
                totals[r]["weeks"] += len(got)
                cells.append("".join(MARK[s] for s in got).ljust(width))
            print(f"  {village}  {''.join(cells)}")
        per_week = {r: [sum(marks[r][k]["villages"][v][i] == "alert"
                            for v in outbreak["villages"]) for i in range(len(weeks))]
                    for r in RULES}  # fmt: skip
        print("  villages in alert per week: " + ", ".join(
            f"{r} {per_week[r]}" for r in RULES))  # fmt: skip
    print("planted village-weeks in alert: " + ", ".join(
        f"{r} {totals[r]['alert']}/{totals[r]['weeks']}" for r in RULES))  # fmt: skip
    return totals


def sustained(kasus: pd.DataFrame, weeks: int = 8, villages: int = 40, rr: float = 3.0,
              start: EpiWeek = SUSTAINED_START, seed: int = 7) -> dict[str, list[int]]:
    """A longer outbreak than the generator plants: ``weeks`` weeks at relative risk ``rr``
    in ``villages`` random villages from ``start`` (extra Poisson cases of ``rr - 1`` times
    each village's mean of the 20 weeks before), seeded. Villages in alert per week."""
    rng = np.random.default_rng(seed)
    series = kasus[["kode_desa", "tahun", "minggu", "kasus"]].copy()
    chosen = sorted(rng.choice(sorted(series["kode_desa"].unique()), villages, replace=False))
    label = [str(EpiWeek(int(y), int(w))) for y, w in zip(series["tahun"], series["minggu"],
                                                            strict=True)]  # fmt: skip
    series["week"] = label
    before = {str(start - k) for k in range(1, 21)}
    mean = series[series["week"].isin(before)].groupby("kode_desa")["kasus"].mean()
    outbreak = [str(start + k) for k in range(weeks)]
    rows = series["kode_desa"].isin(chosen) & series["week"].isin(outbreak)
    extra = rng.poisson((rr - 1) * mean.reindex(series.loc[rows, "kode_desa"]).to_numpy())
    series.loc[rows, "kasus"] = series.loc[rows, "kasus"] + extra
    series = series.drop(columns="week")
    out = {}
    for name, rule in RULES.items():
        out[name] = [int(np.isin(a.kode_desa[a.alert], chosen).sum())
                     for a in (weekly_alerts(series, rule, start + k) for k in range(weeks))]
    return out


def dataset(name: str, data: tuple) -> tuple[list[Row], dict[str, Any]]:
    _, kasus, _, klaster = data
    marks = planted_marks(kasus, klaster)
    totals = report(name, marks)
    rates = {r: false_alert_rate(kasus, klaster, rule) for r, rule in RULES.items()}
    print("alerts per 1,000 other village-weeks: " + ", ".join(
        f"{r} {rates[r]:.1f}" for r in RULES))  # fmt: skip
    long = sustained(kasus)
    print("sustained outbreak (8 weeks from 2025-W20, relative risk 3, 40 random villages): "
          "villages in alert per week: " + ", ".join(f"{r} {long[r]}" for r in RULES))
    series = kasus[["kode_desa", "tahun", "minggu", "kasus"]]
    last = EpiWeek(int(klaster[-1]["tahun"]), int(klaster[-1]["minggu_mulai"])) + (
        int(klaster[-1]["minggu"]) - 1)  # fmt: skip
    times = {r: median([timed(lambda rule=rule: weekly_alerts(series, rule, last))[0]
                        for _ in range(3)]) for r, rule in RULES.items()}  # fmt: skip
    villages = kasus["kode_desa"].nunique()
    label = f"{name} ({villages:,} villages)"
    rows = [
        Row(label, "planted village-weeks in alert, default", totals["default"]["alert"],
            totals["former"]["alert"], "count", "former rule"),
        Row(label, "alerts per 1,000 other village-weeks, default", rates["default"],
            rates["former"], "per 1000", "former rule"),
        Row(label, f"weekly_alerts() one week {last}, default", times["default"],
            times["former"], "s", "former rule"),
    ]  # fmt: skip
    return rows, {"marks": marks, "totals": totals, "false_per_1000": rates,
                  "sustained": long, "seconds": times}  # fmt: skip


def run(quick: bool = False) -> dict[str, Any]:
    """Planted-outbreak alerts under the default and the former rule."""
    rows, records = [], {}
    for name, loader in (("Demo district", demo_programme), ("Jawa Timur", jatim_programme)):
        if quick and name == "Jawa Timur":
            continue
        found, records[name] = dataset(name, loader())
        rows += found
    print_table("Weekly alerts on planted outbreaks", rows)
    return {"datasets": records, "rows": [r.as_dict() for r in rows]}


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
