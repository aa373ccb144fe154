"""KLB signals: the computable criteria of Permenkes 1501/2010 Pasal 6, per village or region.

**These are signals to verify, never a declared KLB.** Only the head of the district/city or
provincial health office (or the Minister) declares a KLB (Pasal 7; domain.md §4.2). Every
text this module writes says so.

Criteria (domain.md §4.2 numbering; ``kriteria`` codes)
-------------------------------------------------------
``naik_2x`` (item 3)
    cases in the current period ≥ 2 × cases in the previous period of the same length.
``naik_3_periode`` (item 2)
    cases rose in each of ``rise_periods`` (3) consecutive periods: ``p(t-3) < p(t-2) <
    p(t-1) < p(t)`` — three strict rises, so four periods are read.
``bulan_2x`` (item 4)
    new cases in the current month (to date) ≥ 2 × last year's monthly average.
``cfr_naik_50`` (item 6)
    the case fatality rate over the last ``cfr_period_weeks`` weeks ≥ 1.5 × the CFR over the
    ``cfr_period_weeks`` weeks before (an increase of at least 50 %).

Items 1 (a disease new to the area), 5 (yearly averages) and 7 (proportional rate) are not
computed here.

Periods, months and missing weeks
---------------------------------
A period is ``period_weeks`` (1) consecutive epi weeks ending in the current week; the
previous period is the ``period_weeks`` weeks before it (epi-week arithmetic, so periods cross
year boundaries). A period with an unreported week has no count (missing is not zero): the
count criteria are then not evaluated (status ``incomplete``).

A week belongs to the calendar month and year of its **Wednesday** (the middle day of the
Sunday–Saturday week, so the month holding at least 4 of its 7 days). With the default
week-1 rule (``min_days=4``) the Wednesday's year is always the epi year. The current month
is counted from its first week up to the current week; last year's monthly average is
``mean weekly cases over last year's reported weeks × (weeks in last year) / 12`` — the
plain ``yearly total / 12`` when every week was reported — and needs at least
``min_year_coverage`` (75 %) of last year's weeks reported.

``cfr_naik_50`` sums cases and deaths over the *reported* weeks of each period (a ratio is
not biased by a missing week the way a count is) and is evaluated only when the current
period has at least one death and both periods have at least ``cfr_min_cases`` (10) cases:
below that one death moves the CFR by ≥ 10 points, too unstable to compare. A previous CFR of
0 with a death now counts as a rise (said in the text).

Small numbers: the count criteria also require ``min_cases`` (5) cases in the current
period/month — a choice of this module (the regulation gives no minimum), so that 1 → 2
cases is not a doubling signal; set ``min_cases=1`` for the bare rule.

Region aggregates (``level`` ``kec``/``kab``/``prov``) sum the villages' counts per week;
a region-week counts as reported when at least one of its villages reported (so a change in
reporting completeness can look like a change in cases — verify).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pandas as pd

from layers.diarrhoea.alerts import weekly_matrix
from layers.epiweek import EpiWeek
from layers.text import Text, fmt_number

CRITERIA: dict[str, Text] = {
    "naik_2x": Text("Kasus naik ≥ 2× dibanding periode sebelumnya (Permenkes 1501/2010 Pasal 6)",
                    "Cases ≥ 2× the previous period (Permenkes 1501/2010 Art. 6)"),
    "naik_3_periode": Text("Kasus naik terus 3 periode berturut-turut (Pasal 6)",
                           "Cases rising 3 consecutive periods (Art. 6)"),
    "bulan_2x": Text("Kasus baru sebulan ≥ 2× rerata bulanan tahun lalu (Pasal 6)",
                     "New cases in a month ≥ 2× last year's monthly average (Art. 6)"),
    "cfr_naik_50": Text("CFR naik ≥ 50% dibanding periode sebelumnya (Pasal 6)",
                        "CFR up ≥ 50% on the previous period (Art. 6)"),
}  # fmt: skip
#: short names of the criteria (table columns); :data:`CRITERIA` says what each one is
CRITERIA_SHORT: dict[str, Text] = {
    "naik_2x": Text("naik ≥ 2×", "up ≥ 2×"),
    "naik_3_periode": Text("naik 3 periode", "3 rises"),
    "bulan_2x": Text("bulan ≥ 2×", "month ≥ 2×"),
    "cfr_naik_50": Text("CFR naik ≥ 50%", "CFR up ≥ 50%"),
}
#: what each criterion status of :attr:`KlbSignals.status` is called
STATUS_NAMES: dict[str, Text] = {
    "signal": Text("sinyal", "signal"),
    "no_signal": Text("tidak ada sinyal", "no signal"),
    "incomplete": Text("laporan tidak lengkap", "reports incomplete"),
    "too_few": Text("jumlah terlalu kecil", "numbers too small"),
    "no_data": Text("tidak ada data kematian", "no death counts"),
}
#: the levels of :func:`aggregate`, in words
LEVEL_NAMES: dict[str, Text] = {
    "desa": Text("desa", "village"),
    "kec": Text("kecamatan", "kecamatan"),
    "kab": Text("kabupaten/kota", "kabupaten/kota"),
    "prov": Text("provinsi", "province"),
}
CAVEAT = Text("Sinyal untuk diverifikasi, bukan penetapan KLB.",
              "A signal to verify, not a declared KLB.")  # fmt: skip
LEVEL_WIDTH = {"prov": 2, "kab": 5, "kec": 8, "desa": 13}
SIGNAL_COLUMNS = ["kode", "level", "kriteria", "observed", "comparison", "ratio", "text_id",
                  "text_en"]  # fmt: skip


def wednesday_month(week: EpiWeek) -> tuple[int, int]:
    """(year, month) a week is counted in: those of its Wednesday."""
    wednesday = week.start + timedelta(days=3)
    return wednesday.year, wednesday.month


def aggregate(series: pd.DataFrame, level: str) -> pd.DataFrame:
    """Sum village series to ``level`` (``desa`` returns it unchanged, renamed ``kode``).

    Returns
    -------
    DataFrame
        ``kode, tahun, minggu, kasus`` (and ``kematian`` when given); a region-week exists
        when at least one village reported.
    """
    if level not in LEVEL_WIDTH:
        raise ValueError(f"unknown level {level!r}")
    cols = ["kasus"] + (["kematian"] if "kematian" in series.columns else [])
    df = series[series["kasus"].notna()]
    code = df["kode_desa"].astype(str)
    if level != "desa":
        code = code.str[: LEVEL_WIDTH[level]]  # dotted codes are fixed-width: 35.10.01.2001
    df = df.assign(kode=code)
    if level == "desa":
        return df[["kode", "tahun", "minggu", *cols]].reset_index(drop=True)
    return df.groupby(["kode", "tahun", "minggu"], as_index=False)[cols].sum(min_count=1)


@dataclass(frozen=True, eq=False)
class KlbSignals:
    """KLB signals (to verify) of one week, esda-style.

    Attributes
    ----------
    week : EpiWeek
    level : str
        ``desa`` or the region level aggregated to.
    signals : DataFrame
        One row per triggered criterion: ``kode, level, kriteria, observed, comparison,
        ratio, text_id, text_en`` (``comparison``: previous period, start of the rise, last
        year's monthly average or previous CFR; CFRs as fractions).
    status : DataFrame
        Index ``kode``, one column per criterion: ``signal``, ``no_signal``, ``incomplete``
        (unreported weeks), ``too_few`` (below the minimum cases / no death for CFR),
        ``no_data`` (e.g. no ``kematian`` column).
    params : dict
    """

    week: EpiWeek
    level: str
    signals: pd.DataFrame
    status: pd.DataFrame
    params: dict[str, object] = field(default_factory=dict)

    @property
    def n_signals(self) -> int:
        """Number of (region, criterion) signals."""
        return len(self.signals)

    def texts(self, lang: str) -> pd.Series:
        """The signals' sentences in ``lang`` (``id`` or ``en``), in signal order."""
        return self.signals[{"id": "text_id", "en": "text_en"}[lang]]


def _period_sums(mat: np.ndarray, length: int, count: int) -> np.ndarray:
    """Sums of ``count`` consecutive periods of ``length`` weeks (col 0 = current); NaN if
    any week of a period is missing."""
    out = np.empty((mat.shape[0], count))
    for p in range(count):
        out[:, p] = mat[:, p * length : (p + 1) * length].sum(axis=1)  # NaN propagates
    return out


def _fmt(value: float, lang: str) -> str:
    if math.isinf(value):
        return "∞"
    return fmt_number(value, lang, 0 if float(value).is_integer() else 1)


def klb_signals(
    series: pd.DataFrame,
    week: EpiWeek,
    *,
    level: str = "desa",
    period_weeks: int = 1,
    rise_periods: int = 3,
    min_cases: int = 5,
    cfr_period_weeks: int = 4,
    cfr_min_cases: int = 10,
    min_year_coverage: float = 0.75,
) -> KlbSignals:
    """The computable Pasal 6 KLB criteria for every village (or region) in ``week``.

    Parameters
    ----------
    series
        ``kode_desa, tahun, minggu, kasus`` and optionally ``kematian`` (deaths) of one
        disease; one row per village and week; weeks without a row are not reported.
    week
        The current epi week (its ``min_days`` reads ``tahun, minggu``).
    level
        ``desa`` (per village) or ``kec``/``kab``/``prov`` (summed, see :func:`aggregate`).
    period_weeks, rise_periods, min_cases, cfr_period_weeks, cfr_min_cases, min_year_coverage
        See the module docstring.

    Returns
    -------
    KlbSignals
    """
    if period_weeks < 1 or rise_periods < 1 or cfr_period_weeks < 1:
        raise ValueError("periods must be at least 1 week / 1 period")
    df = aggregate(series, level)
    has_deaths = "kematian" in df.columns

    # the weeks read: periods, CFR periods and the months (this one to date, all of last year)
    year, month = wednesday_month(week)
    back = 0
    month_cols: list[int] = []
    last_year_cols: list[int] = []
    while True:
        y, m = wednesday_month(week - back)
        if y < year - 1:
            break
        if (y, m) == (year, month):
            month_cols.append(back)
        elif y == year - 1:
            last_year_cols.append(back)
        back += 1
    span = max(back, period_weeks * (rise_periods + 1), 2 * period_weeks, 2 * cfr_period_weeks)
    codes, cases = weekly_matrix(df, week, span, code_column="kode")
    n = len(codes)
    status = {k: np.full(n, "no_signal", dtype=object) for k in CRITERIA}
    rows: list[dict[str, object]] = []

    def add(i: int, kriteria: str, observed: float, comparison: float, detail: Text) -> None:
        ratio = (observed / comparison if comparison > 0
                 else (math.inf if observed > 0 else math.nan))  # fmt: skip
        head = CRITERIA[kriteria]
        rows.append({
            "kode": codes[i], "level": level, "kriteria": kriteria, "observed": observed,
            "comparison": comparison, "ratio": ratio,
            "text_id": f"{head.id}: {detail.id}. {CAVEAT.id}",
            "text_en": f"{head.en}: {detail.en}. {CAVEAT.en}",
        })  # fmt: skip
        status[kriteria][i] = "signal"

    p_len = period_weeks
    unit = (Text("minggu", "week") if p_len == 1
            else Text(f"periode {p_len} minggu", f"{p_len}-week period"))  # fmt: skip
    periods = _period_sums(cases, p_len, max(rise_periods + 1, 2))

    # naik_2x: current ≥ 2 × previous
    cur, prev = periods[:, 0], periods[:, 1]
    for i in range(n):
        if math.isnan(cur[i]) or math.isnan(prev[i]):
            status["naik_2x"][i] = "incomplete"
        elif cur[i] < min_cases:
            status["naik_2x"][i] = "too_few"
        elif cur[i] >= 2 * prev[i]:
            c, p = cur[i], prev[i]
            add(
                i,
                "naik_2x",
                c,
                p,
                Text(
                    f"{_fmt(c, 'id')} kasus {unit.id} ini vs {_fmt(p, 'id')} {unit.id} sebelumnya",
                    f"{_fmt(c, 'en')} cases this {unit.en} vs {_fmt(p, 'en')} the {unit.en} before",
                ),
            )

    # naik_3_periode: p(t-R) < … < p(t)
    seq = periods[:, : rise_periods + 1]
    for i in range(n):
        if np.isnan(seq[i]).any():
            status["naik_3_periode"][i] = "incomplete"
        elif seq[i, 0] < min_cases:
            status["naik_3_periode"][i] = "too_few"
        elif (np.diff(seq[i][::-1]) > 0).all():
            chain = " → ".join(_fmt(v, "id") for v in seq[i][::-1])
            chain_en = " → ".join(_fmt(v, "en") for v in seq[i][::-1])
            add(
                i,
                "naik_3_periode",
                seq[i, 0],
                seq[i, rise_periods],
                Text(
                    f"{chain} kasus ({rise_periods} kenaikan berturut-turut, per {unit.id})",
                    f"{chain_en} cases ({rise_periods} consecutive rises, per {unit.en})",
                ),
            )

    # bulan_2x: month to date ≥ 2 × last year's monthly average
    this_month = cases[:, month_cols]
    last_year = cases[:, last_year_cols]
    n_last = len(last_year_cols)
    reported_last = (~np.isnan(last_year)).sum(axis=1)
    month_reported = (~np.isnan(this_month)).sum(axis=1)
    month_sum = np.where(np.isnan(this_month), 0, this_month).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        weekly_mean = np.where(np.isnan(last_year), 0, last_year).sum(axis=1) / reported_last
    monthly_avg = weekly_mean * n_last / 12
    for i in range(n):
        if month_reported[i] == 0 or reported_last[i] < min_year_coverage * n_last:
            status["bulan_2x"][i] = "incomplete"
        elif month_sum[i] < min_cases:
            status["bulan_2x"][i] = "too_few"
        elif month_sum[i] >= 2 * monthly_avg[i]:
            gap = len(month_cols) - month_reported[i]
            miss = (Text(f"; {gap} minggu bulan ini tanpa laporan", f"; {gap} week(s) of this "
                         "month unreported") if gap else Text("", ""))  # fmt: skip
            avg = monthly_avg[i]
            add(
                i,
                "bulan_2x",
                month_sum[i],
                avg,
                Text(
                    f"{_fmt(month_sum[i], 'id')} kasus bulan {month:02d}/{year} (s.d. minggu "
                    f"{week}) vs rerata bulanan {year - 1} {fmt_number(avg, 'id', 1)}{miss.id}",
                    f"{_fmt(month_sum[i], 'en')} cases in {year}-{month:02d} (to week {week}) vs "
                    f"{year - 1} monthly average {fmt_number(avg, 'en', 1)}{miss.en}",
                ),
            )

    # cfr_naik_50: CFR(current C weeks) ≥ 1.5 × CFR(previous C weeks)
    if has_deaths:
        _, deaths = weekly_matrix(df, week, span, value="kematian",
                                  villages=codes, code_column="kode")  # fmt: skip
        both = ~np.isnan(cases) & ~np.isnan(deaths)
        c_len = cfr_period_weeks
        k = [np.where(both[:, s], cases[:, s], 0).sum(axis=1)
             for s in (slice(0, c_len), slice(c_len, 2 * c_len))]  # fmt: skip
        d = [np.where(both[:, s], deaths[:, s], 0).sum(axis=1)
             for s in (slice(0, c_len), slice(c_len, 2 * c_len))]  # fmt: skip
        for i in range(n):
            if not both[i, :c_len].any() or not both[i, c_len : 2 * c_len].any():
                status["cfr_naik_50"][i] = "incomplete"
            elif d[0][i] <= 0 or k[0][i] < cfr_min_cases or k[1][i] < cfr_min_cases:
                status["cfr_naik_50"][i] = "too_few"
            else:
                now, before = d[0][i] / k[0][i], d[1][i] / k[1][i]
                if now >= 1.5 * before:
                    pct = {lang: fmt_number(100 * now, lang, 1) for lang in ("id", "en")}
                    pb = {lang: fmt_number(100 * before, lang, 1) for lang in ("id", "en")}
                    add(
                        i,
                        "cfr_naik_50",
                        now,
                        before,
                        Text(
                            f"CFR {c_len} minggu terakhir {pct['id']}% ({_fmt(d[0][i], 'id')}/"
                            f"{_fmt(k[0][i], 'id')}) vs {pb['id']}% ({_fmt(d[1][i], 'id')}/"
                            f"{_fmt(k[1][i], 'id')}) {c_len} minggu sebelumnya",
                            f"CFR of the last {c_len} weeks {pct['en']}% ({_fmt(d[0][i], 'en')}/"
                            f"{_fmt(k[0][i], 'en')}) vs {pb['en']}% ({_fmt(d[1][i], 'en')}/"
                            f"{_fmt(k[1][i], 'en')}) the {c_len} weeks before",
                        ),
                    )
    else:
        status["cfr_naik_50"][:] = "no_data"

    signals = pd.DataFrame(rows, columns=SIGNAL_COLUMNS)
    return KlbSignals(
        week=week, level=level, signals=signals,
        status=pd.DataFrame(status, index=pd.Index(codes, name="kode")),
        params={"period_weeks": period_weeks, "rise_periods": rise_periods,
                "min_cases": min_cases, "cfr_period_weeks": cfr_period_weeks,
                "cfr_min_cases": cfr_min_cases, "min_year_coverage": min_year_coverage,
                "month": (year, month), "month_weeks": len(month_cols),
                "last_year_weeks": n_last},
    )  # fmt: skip
