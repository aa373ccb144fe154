"""Weekly alerts per village: SKDR-style rules and the CDC EARS C1/C2/C3 algorithms.

An alert is the SKDR "pre-KLB" signal (domain.md §4.1): a count above the disease's threshold
that must be verified and answered, never a KLB. The rule of each disease is data
(:class:`~layers.diarrhoea.rules.Rule`, table ``aturan_peringatan``, :func:`load_rules`).

Weeks and baselines
-------------------
Weeks are epidemiological weeks (:mod:`layers.epiweek`). The week ``k`` weeks before the
current one is found by epi-week arithmetic (``week - k``), never from integer week numbers,
so baselines cross year boundaries correctly (2026-W01's previous week is 2025-W53; 2021-W01's
is 2020-W53; 2025-W01's is 2024-W52).

Missing weeks are missing, not zero: a village-week without a row (or with an empty count) is
"not reported". A missing current week gives no alert and says "no report"; baselines use the
reported weeks only and say how many were missing; with fewer than
``ceil(min_baseline_share × baseline weeks)`` reported weeks (at least 1; at least 2 for EARS,
which needs a standard deviation) there is no baseline and no alert, and the text says so.

Rules (``rule.jenis``); every rule also requires ``observed ≥ rule.minimum_kasus``
------------------------------------------------------------------------------------
``fixed_count``
    alert when ``observed ≥ ambang``.
``any_case``
    alert when ``observed ≥ 1``.
``ratio_to_baseline``
    ``mean`` = mean of the reported weeks among ``week-1 … week-N`` (``N = minggu_dasar``);
    alert when ``observed ≥ ambang × mean``. A zero baseline alerts on ``minimum_kasus``.
``ratio_to_history`` (the diare akut default)
    the same ``observed ≥ ambang × mean``, with the baseline from the same season of earlier
    years: the ``N`` weeks centred on ``week - 52·y`` (``N = 5``: ``t-52y-2 … t-52y+2``) for
    ``y = 1 … HISTORY_YEARS`` (3), pooled over the reported weeks. A village with fewer than
    the needed reported weeks there (the first year of data) uses the ``N`` weeks before a
    guard band of ``GUARD_WEEKS`` (2) weeks instead: ``t-3 … t-N-2``, EARS C2's lag.
    ``baseline_source`` says which (``history`` / ``recent``).

    Why. A baseline of the *previous* weeks (``ratio_to_baseline``, the SKDR training rule,
    domain.md §4.1) takes in the outbreak itself: with 4 weeks, an outbreak's 2nd week has one
    outbreak week in its baseline, its 4th week three, and the rule falls silent inside a
    sustained outbreak (on the demo: the planted outbreak of 2025-W50…W53 alerts in 5 of 5
    villages in W50, 2 in W52, 0 in W53). A guard band (EARS C2, Hutwagner et al. 2003) only
    delays this by its length: after ``GUARD_WEEKS + 1`` weeks the outbreak enters the
    baseline again. The same weeks of earlier years (CDC's historical limits, Stroup et al.
    1989; Farrington et al. 1996) cannot contain this year's outbreak however long it lasts,
    and they follow the season — the rainy-season rise is in the baseline, not an alert. On
    the demo (``bench/alerts.py``): planted village-weeks in alert 40 of 66 (former rule 26),
    alerts elsewhere 34 per 1,000 village-weeks (38); an added 8-week outbreak (relative
    risk 3, 40 villages, from 2025-W20) keeps 21–25 villages in alert every week, where the
    former rule drops to 12 in week 3 and 0–4 from week 4. The guard band is the fallback
    for the first year of data,
    where no earlier year exists; a last-year outbreak in the same weeks raises this year's
    baseline (not down-weighted here, unlike Farrington's method).
CDC EARS (Hutwagner et al. 2003; definitions as written by Fricker, Hegler & Dunfee 2008)
    with ``N = minggu_dasar`` (7) baseline *weeks* in place of EARS's days, ``Y(t)`` the count
    in week ``t``, ``mean``/``sd`` the mean and sample standard deviation (ddof = 1) of the
    reported baseline weeks, and ``sd`` floored at ``min_sd`` (see below):

    * C1 (lag 0): baseline ``t-1 … t-N``; ``C1(t) = (Y(t) - mean) / sd``; alert when
      ``C1 ≥ ambang`` (3).
    * C2 (2-week lag): baseline ``t-3 … t-N-2``; ``C2(t) = (Y(t) - mean) / sd``; alert when
      ``C2 ≥ ambang`` (3).
    * C3: ``C3(t) = Σ_{i=t-2}^{t} max(0, C2(i) - 1)``; alert when ``C3 ≥ ambang`` (2). The
      three C2 values must all be computable (weeks ``t-2 … t`` reported, with baselines).

    Fricker et al. write the signal as "statistic > threshold"; this module uses ``≥`` (as the
    rule table's ``ambang`` is read everywhere else); they differ only at exact equality.
    ``min_sd``: with a constant baseline ``sd = 0`` and any count above the mean would be an
    infinite z; the R package ``surveillance`` (``earsC``, ``minSigma``) offers a floor and
    cites H. Burkom's suggestion of 0.5–1 for sparse data. Default here 0.5; ``min_sd=0``
    gives the unfloored statistic (``+inf`` above a constant baseline, 0 at it).

``threshold`` is the smallest count that alerts this week given the baseline (the line drawn
on a village's chart), ``max(minimum_kasus, …)``: ``ambang``; 1; ``ambang × mean`` (both
ratio rules);
``mean + ambang × sd`` (C1/C2); for C3 ``mean + sd × (1 + r)`` with ``r = ambang`` minus the
two previous weeks' terms (0 when ``r ≤ 0``: any count completes the sum).

References
----------
Hutwagner L, Thompson W, Seeman GM, Treadwell T. The bioterrorism preparedness and response
Early Aberration Reporting System (EARS). J Urban Health 2003;80(2 Suppl 1):i89–96.
Fricker RD Jr, Hegler BL, Dunfee DA. Comparing syndromic surveillance detection methods:
EARS' versus a CUSUM-based methodology. Stat Med 2008;27(17):3407–29.
Stroup DF, Williamson GD, Herndon JL, Karon JM. Detection of aberrations in the occurrence of
notifiable diseases surveillance data. Stat Med 1989;8(3):323–9.
Farrington CP, Andrews NJ, Beale AD, Catchpole MA. A statistical algorithm for the early
detection of outbreaks of infectious disease. JRSS A 1996;159(3):547–63.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from layers.diarrhoea.rules import (
    GUARD_WEEKS,
    HISTORY_YEARS,
    KINDS,
    YEAR_WEEKS,
    Rule,
    default_rules,
    load_rules,
)
from layers.epiweek import EpiWeek
from layers.text import Text, fmt_number

__all__ = ["Alerts", "KINDS", "Rule", "default_rules", "load_rules", "reads",
           "weekly_alerts", "weekly_matrix"]  # fmt: skip

SERIES_COLUMNS = ("kode_desa", "tahun", "minggu", "kasus")
STATUSES = ("alert", "no_alert", "no_report", "no_baseline")
#: what each status is called (CLI, exports); the code stays in the data and in JSON
STATUS_NAMES: dict[str, Text] = {
    "alert": Text("peringatan", "alert"),
    "no_alert": Text("tidak ada peringatan", "no alert"),
    "no_report": Text("tidak melapor", "no report"),
    "no_baseline": Text("dasar tidak cukup", "baseline too short"),
}
#: where a village's baseline came from: earlier years, recent weeks, none (no rule baseline)
BASELINE_SOURCES = ("history", "recent", "")
#: what each baseline source is called
BASELINE_NAMES: dict[str, Text] = {
    "history": Text("minggu yang sama tahun-tahun sebelumnya", "same weeks of earlier years"),
    "recent": Text("minggu-minggu sebelumnya", "previous weeks"),
    "": Text("", ""),
}
DEFAULT_MIN_SD = 0.5
DEFAULT_MIN_BASELINE_SHARE = 0.5


# --------------------------------------------------------------------------- series → matrix


def weekly_matrix(
    series: pd.DataFrame,
    week: EpiWeek,
    span: int,
    value: str = "kasus",
    villages: Iterable[str] | None = None,
    code_column: str = "kode_desa",
) -> tuple[np.ndarray, np.ndarray]:
    """Counts as a village × weeks-back matrix ending in ``week``, NaN where not reported.

    Parameters
    ----------
    series
        Long frame with ``code_column, tahun, minggu`` and ``value``; at most one row per
        village and week (else ``ValueError``). Rows with an empty ``value`` count as not
        reported. Rows after ``week`` or more than ``span - 1`` weeks before it are ignored.
    week
        The current week; its ``min_days`` (week-1 rule) is used to read ``tahun, minggu``.
    span
        Number of weeks: column ``j`` is the week ``week - j`` (epi-week arithmetic).
    value
        The count column.
    villages
        Codes to include even without any row (all weeks missing).
    code_column
        Name of the code column.

    Returns
    -------
    codes : ndarray of str
        Sorted codes: every code in ``series`` plus ``villages``.
    matrix : ndarray of float, shape (len(codes), span)
    """
    missing = [c for c in (code_column, "tahun", "minggu", value) if c not in series.columns]
    if missing:
        raise ValueError(f"series lacks the column(s) {missing}")
    # distinct codes first: iterating a column of (arrow) strings is slow
    codes = set(pd.unique(series[code_column].astype(str)).tolist())
    codes.update(str(v) for v in (() if villages is None else villages))
    index = pd.Index(sorted(codes))
    matrix = np.full((len(index), span), np.nan)
    df = series.loc[series[value].notna(), [code_column, "tahun", "minggu", value]]
    rows = index.get_indexer(df[code_column].astype(str))
    # each (tahun, minggu) once: its position among the distinct weeks, then its EpiWeek
    pair_of, pairs = _week_pairs(df["tahun"].to_numpy(), df["minggu"].to_numpy())
    if _repeated(rows.astype(np.int64) * max(len(pairs), 1) + pair_of):
        raise ValueError("series has more than one row for a village and week")
    if df.empty or span <= 0:
        return index.to_numpy(dtype=object), matrix
    back = []
    for tahun, minggu in pairs:
        try:
            other = EpiWeek(int(tahun), int(minggu), week.min_days)
        except ValueError as exc:
            raise ValueError(f"series has an impossible epi week: {exc}") from exc
        back.append(week.weeks_since(other))
    col = np.asarray(back, dtype=int)[pair_of]
    keep = (col >= 0) & (col < span)
    matrix[rows[keep], col[keep]] = df[value].to_numpy(float)[keep]
    return index.to_numpy(dtype=object), matrix


def _week_pairs(tahun: np.ndarray, minggu: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
    """The distinct ``(tahun, minggu)`` pairs and each row's position among them (one
    integer key per row where both are whole numbers of the usual range, else pairs of
    values, missing ones included)."""
    t, m = np.asarray(tahun), np.asarray(minggu)
    if t.dtype.kind in "iu" and m.dtype.kind in "iu" and (len(m) == 0 or (
            m.min() >= 0 and m.max() < 1000)):
        which, keys = pd.factorize(t.astype(np.int64) * 1000 + m.astype(np.int64))
        return which, [(int(k) // 1000, int(k) % 1000) for k in keys]
    which, pairs = pd.MultiIndex.from_arrays([t, m]).factorize(use_na_sentinel=False)
    return which, list(pairs)


def _repeated(keys: np.ndarray) -> bool:
    """Whether some non-negative integer key occurs twice (counted when the keys are few
    enough to count, else sorted)."""
    if not len(keys):
        return False
    if keys.max() < 64 * len(keys) + 1_000_000:
        return bool(np.bincount(keys).max() > 1)
    return len(np.unique(keys)) < len(keys)


def _mean_sd(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: reported count n, mean and sample sd (ddof 1) over the non-NaN cells."""
    ok = ~np.isnan(block)
    n = ok.sum(axis=1)
    total = np.where(ok, block, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        dev = np.where(ok, block - mean[:, None], 0.0)
        sd = np.where(n > 1, np.sqrt((dev**2).sum(axis=1) / np.maximum(n - 1, 1)), np.nan)
    return n, mean, sd


def _z(observed: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """(observed - mean) / sd; with sd = 0: +inf above the mean, 0 at or below it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (observed - mean) / sd
    flat = sd == 0
    z[flat] = np.where(observed[flat] > mean[flat], np.inf, 0.0)
    return z


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class Alerts:
    """Weekly alerts of one disease in one week, one entry per village (esda-style).

    Attributes
    ----------
    rule : Rule
    week : EpiWeek
    baseline_first, baseline_last : EpiWeek or None
        The weeks the recent baseline window spans (None for rules without a baseline; for
        ``ratio_to_history`` the guarded window used without history).
    history_windows : tuple of (EpiWeek, EpiWeek)
        ``ratio_to_history``: the window of each earlier year, the latest year first
        (empty for other rules).
    kode_desa : ndarray of str
    observed : ndarray of float
        Cases this week; NaN when the village did not report.
    baseline_mean, baseline_sd : ndarray of float
        Over the reported baseline weeks (sd: EARS only, before the ``min_sd`` floor).
    baseline_weeks : ndarray of int
        Reported weeks in the baseline window.
    baseline_source : ndarray of str
        ``history`` (same weeks of earlier years), ``recent`` (weeks before the current one)
        or ``""`` (the rule has no baseline, or the village has none).
    missing_weeks : ndarray of int
        Unreported weeks in the window the rule reads (baseline and, for C3, weeks t-1, t-2).
    statistic : ndarray of float
        Observed (fixed/any), observed / mean (ratio), C1/C2 z, or C3.
    threshold : ndarray of float
        Smallest count that alerts this week (see the module docstring); NaN without baseline.
    alert : ndarray of bool
    status : ndarray of str
        ``alert``, ``no_alert``, ``no_report`` (current week missing), ``no_baseline``.
    reason_id, reason_en : ndarray of str
        One sentence per village saying why; written on first use (the map needs none of
        them, the command line and the exports all), both languages at once.
    min_sd, need, years_used
        What the reasons also say: the EARS floor, the reported weeks a baseline needs and,
        per village, the earlier years a ``ratio_to_history`` baseline came from.
    """

    rule: Rule
    week: EpiWeek
    baseline_first: EpiWeek | None
    baseline_last: EpiWeek | None
    history_windows: tuple[tuple[EpiWeek, EpiWeek], ...]
    kode_desa: np.ndarray
    observed: np.ndarray
    baseline_mean: np.ndarray
    baseline_sd: np.ndarray
    baseline_weeks: np.ndarray
    baseline_source: np.ndarray
    missing_weeks: np.ndarray
    statistic: np.ndarray
    threshold: np.ndarray
    alert: np.ndarray
    status: np.ndarray
    min_sd: float = DEFAULT_MIN_SD
    need: int = 0
    years_used: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_alerts(self) -> int:
        """Number of villages in alert."""
        return int(self.alert.sum())

    @cached_property
    def _reasons(self) -> tuple[np.ndarray, np.ndarray]:
        first_week = self.baseline_first
        last_week = self.baseline_last
        years = self.years_used if self.years_used is not None \
            else np.zeros(len(self.kode_desa), dtype=int)  # fmt: skip
        n_base, missing = self.baseline_weeks, self.missing_weeks
        texts = [
            _reason(self.rule, self.week, self.status[i], self.observed[i],
                    self.baseline_mean[i], self.baseline_sd[i], self.statistic[i],
                    self.threshold[i], int(n_base[i]), int(missing[i]), self.need,
                    self.min_sd, _Basis(self.baseline_source[i], int(years[i]), first_week,
                                        last_week, self.history_windows))
            for i in range(len(self.kode_desa))
        ]  # fmt: skip
        return (np.array([t.id for t in texts], dtype=object),
                np.array([t.en for t in texts], dtype=object))  # fmt: skip

    @property
    def reason_id(self) -> np.ndarray:
        """Why each village is (not) in alert, in Indonesian."""
        return self._reasons[0]

    @property
    def reason_en(self) -> np.ndarray:
        """Why each village is (not) in alert, in English."""
        return self._reasons[1]

    def frame(self, reasons: bool = True) -> pd.DataFrame:
        """All villages as a frame (columns = the per-village attributes; without the
        reason sentences when ``reasons`` is false)."""
        cols = ("kode_desa", "observed", "baseline_mean", "baseline_sd", "baseline_weeks",
                "baseline_source", "missing_weeks", "statistic", "threshold", "alert", "status",
                *(("reason_id", "reason_en") if reasons else ()))  # fmt: skip
        return pd.DataFrame({c: getattr(self, c) for c in cols})

    def reasons(self, lang: str) -> np.ndarray:
        """The per-village reason sentences in ``lang`` (``id`` or ``en``)."""
        return {"id": self.reason_id, "en": self.reason_en}[lang]

    def row(self, kode_desa: str) -> dict[str, object]:
        """One village's values as a dict (``KeyError`` when absent)."""
        hits = np.flatnonzero(self.kode_desa == kode_desa)
        if not len(hits):
            raise KeyError(kode_desa)
        return self.frame().iloc[int(hits[0])].to_dict()


# --------------------------------------------------------------------------- the rules


def _history_columns(n: int) -> list[list[int]]:
    """``ratio_to_history``: the weeks-back columns of each earlier year's window (year 1
    first): the ``n`` weeks centred on ``52·y`` weeks back."""
    half = n // 2
    return [[YEAR_WEEKS * y + d for d in range(half, half - n, -1)]
            for y in range(1, HISTORY_YEARS + 1)]  # fmt: skip


def _window(rule: Rule) -> tuple[int, int, int]:
    """(span, first recent-baseline column, last recent-baseline column) of the rule; 0, 0
    when it has none. ``span`` covers every week the rule reads."""
    n = rule.minggu_dasar or 0
    if rule.jenis == "ratio_to_history":
        return max(max(c) for c in _history_columns(n)) + 1, GUARD_WEEKS + 1, GUARD_WEEKS + n
    return {
        "fixed_count": (1, 0, 0),
        "any_case": (1, 0, 0),
        "ratio_to_baseline": (n + 1, 1, n),
        "ears_c1": (n + 1, 1, n),
        "ears_c2": (n + 3, 3, n + 2),
        "ears_c3": (n + 5, 3, n + 4),
    }[rule.jenis]


def reads(rule: Rule, week: EpiWeek) -> list[tuple[EpiWeek, EpiWeek]]:
    """The week ranges (first, last; inclusive) :func:`weekly_alerts` reads for ``rule`` in
    ``week``, the current week's range first — what a caller has to load, and no more.

    >>> from layers.diarrhoea.rules import DIARE_AKUT
    >>> [f"{a}…{b}" for a, b in reads(DIARE_AKUT, EpiWeek(2025, 53))]
    ['2025-W46…2025-W53', '2024-W51…2025-W03', '2023-W51…2024-W03', '2022-W51…2023-W03']
    >>> [f"{a}…{b}" for a, b in reads(Rule("x", "ratio_to_baseline", 2, 4), EpiWeek(2025, 2))]
    ['2024-W50…2025-W02']
    """
    span, _, hi = _window(rule)
    if rule.jenis != "ratio_to_history":
        return [(week - (span - 1), week)]
    out = [(week - hi, week)]
    for cols in _history_columns(rule.minggu_dasar or 0):
        out.append((week - max(cols), week - min(cols)))
    return out


def weekly_alerts(
    series: pd.DataFrame,
    rule: Rule,
    week: EpiWeek,
    *,
    villages: Iterable[str] | None = None,
    min_sd: float = DEFAULT_MIN_SD,
    min_baseline_share: float = DEFAULT_MIN_BASELINE_SHARE,
) -> Alerts:
    """Apply ``rule`` to every village's weekly series in ``week``.

    Parameters
    ----------
    series
        ``kode_desa, tahun, minggu, kasus`` of one disease (other columns ignored); one row
        per village and week; weeks without a row are *not reported* (never zero).
    rule
        The disease's rule (:func:`load_rules`, :func:`default_rules`).
    week
        The current epi week.
    villages
        Villages to include even when they have no row at all (reported as "no report").
    min_sd
        Floor of the EARS standard deviation (module docstring); ignored by other rules.
    min_baseline_share
        Share of the baseline weeks that must be reported for a baseline to exist.

    Returns
    -------
    Alerts
    """
    if not 0 < min_baseline_share <= 1:
        raise ValueError("min_baseline_share must be in (0, 1]")
    if min_sd < 0:
        raise ValueError("min_sd must be ≥ 0")
    span, lo, hi = _window(rule)
    codes, mat = weekly_matrix(series, week, span, villages=villages)
    n_v = len(codes)
    observed = mat[:, 0]
    nan = np.full(n_v, np.nan)
    mean, sd, stat = nan.copy(), nan.copy(), observed.copy()
    n_base = np.zeros(n_v, dtype=int)
    missing = np.zeros(n_v, dtype=int)
    has_base = np.ones(n_v, dtype=bool)
    threshold = np.full(n_v, float(max(rule.minimum_kasus, 0)))
    minimum = float(rule.minimum_kasus)
    n_weeks = rule.minggu_dasar or 0
    ears = rule.jenis.startswith("ears_")
    source: np.ndarray | None = None  # set by ratio_to_history; else from has_base below
    years_used = np.zeros(n_v, dtype=int)
    need = max(2 if ears else 1, math.ceil(n_weeks * min_baseline_share)) if hi else 0

    if rule.jenis == "fixed_count":
        threshold = np.maximum(threshold, rule.ambang)
        hit = observed >= threshold
    elif rule.jenis == "any_case":
        threshold = np.maximum(threshold, 1.0)
        hit = observed >= threshold
    elif rule.jenis in ("ratio_to_baseline", "ratio_to_history"):
        n_base, mean, _ = _mean_sd(mat[:, lo : hi + 1])
        missing = n_weeks - n_base
        has_base = n_base >= need
        if rule.jenis == "ratio_to_history":
            years = [mat[:, cols] for cols in _history_columns(n_weeks)]
            n_hist, mean_hist, _ = _mean_sd(np.concatenate(years, axis=1))
            years_used = np.sum([~np.isnan(block).all(axis=1) for block in years], axis=0)
            history = n_hist >= need
            mean = np.where(history, mean_hist, mean)
            missing = np.where(history, n_weeks * years_used - n_hist, missing)
            n_base = np.where(history, n_hist, n_base)
            has_base = history | has_base
            source = np.where(history, "history", np.where(has_base, "recent", ""))
        threshold = np.where(has_base, np.maximum(threshold, rule.ambang * mean), np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            stat = np.where(mean > 0, observed / mean,
                            np.where(observed > 0, np.inf, np.nan))  # fmt: skip
        hit = has_base & (observed >= threshold)
    else:
        lag = 0 if rule.jenis == "ears_c1" else 2
        per_k = []  # (n, mean, sd_raw, sd_used, z) for k = 0 (C1/C2) or 0, 1, 2 (C3)
        for k in range(3 if rule.jenis == "ears_c3" else 1):
            first = k + lag + 1
            n_k, mean_k, sd_k = _mean_sd(mat[:, first : first + n_weeks])
            sd_used = np.fmax(sd_k, min_sd)
            z_k = _z(mat[:, k], mean_k, sd_used)
            z_k[(n_k < need) | np.isnan(mat[:, k])] = np.nan
            per_k.append((n_k, mean_k, sd_k, sd_used, z_k))
        n_base, mean, sd, sd_used, z0 = per_k[0]
        has_base = n_base >= need
        # the weeks read: the baseline (C1 t-1…t-N, C2 t-3…t-N-2) or, for C3, t-1…t-N-4
        read_from = lo if rule.jenis == "ears_c2" else 1
        missing = np.isnan(mat[:, read_from:]).sum(axis=1)
        if rule.jenis == "ears_c3":
            prior = np.zeros(n_v)
            for _n, _m, _s, _u, z_k in per_k[1:]:
                prior += np.maximum(0.0, z_k - 1.0)  # NaN stays NaN
            has_base = has_base & ~np.isnan(prior)
            stat = prior + np.maximum(0.0, z0 - 1.0)
            rest = rule.ambang - prior
            count = np.where(rest <= 0, 0.0, mean + sd_used * (1.0 + rest))
        else:
            stat = z0
            count = mean + rule.ambang * sd_used
        threshold = np.where(has_base, np.maximum(threshold, count), np.nan)
        hit = has_base & (stat >= rule.ambang) & (observed >= minimum)

    reported = ~np.isnan(observed)
    alert = reported & has_base & hit & (observed >= minimum)
    status = np.where(~reported, "no_report",
                      np.where(~has_base, "no_baseline",
                               np.where(alert, "alert", "no_alert"))).astype(object)  # fmt: skip
    if source is None:
        source = np.where(has_base & rule.needs_baseline, "recent", "")
    source = source.astype(object)
    first_week = week - hi if hi else None
    last_week = week - lo if hi else None
    windows = tuple((week - max(cols), week - min(cols)) for cols in _history_columns(n_weeks)
                    ) if rule.jenis == "ratio_to_history" else ()  # fmt: skip
    return Alerts(
        rule=rule, week=week, baseline_first=first_week, baseline_last=last_week,
        history_windows=windows, kode_desa=codes, observed=observed, baseline_mean=mean,
        baseline_sd=sd, baseline_weeks=np.asarray(n_base, dtype=int), baseline_source=source,
        missing_weeks=np.asarray(missing, int), statistic=stat, threshold=threshold,
        alert=alert, status=status, min_sd=float(min_sd), need=int(need),
        years_used=np.asarray(years_used, dtype=int),
    )  # fmt: skip


# --------------------------------------------------------------------------- reasons


def _n(value: float, lang: str, decimals: int = 1) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    if decimals and float(value).is_integer():
        decimals = 0
    return fmt_number(value, lang, decimals)


@dataclass(frozen=True)
class _Basis:
    """Where a village's baseline came from (for its reason sentence)."""

    source: str
    years: int
    first: EpiWeek | None
    last: EpiWeek | None
    windows: tuple[tuple[EpiWeek, EpiWeek], ...]


def _reason(rule: Rule, week: EpiWeek, status: str, obs: float, mean: float, sd: float,
            stat: float, thr: float, n_base: int, missing: int, need: int, min_sd: float,
            basis: _Basis) -> Text:  # fmt: skip
    """One sentence id/en saying why a village is (not) in alert."""
    if status == "no_report":
        return Text(f"Minggu {week}: tidak ada laporan (dianggap hilang, bukan nol kasus).",
                    f"Week {week}: no report (treated as missing, not as zero cases).")  # fmt: skip
    weeks = rule.minggu_dasar or 0
    if status == "no_baseline":
        if rule.jenis == "ears_c3" and n_base >= need:
            return Text(
                f"C3 perlu minggu {week - 1} dan {week - 2} melapor, masing-masing dengan dasar "
                f"yang cukup; {missing} minggu tanpa laporan.",
                f"C3 needs weeks {week - 1} and {week - 2} reported, each with enough "
                f"baseline; {missing} unreported week(s).",
            )
        if rule.jenis == "ratio_to_history":
            return Text(
                f"Dasar tidak cukup: minggu yang sama tahun-tahun sebelumnya kurang dari {need} "
                f"minggu melapor, dan {n_base} dari {weeks} minggu sebelum jeda "
                f"{GUARD_WEEKS} minggu ({basis.first}…{basis.last}) melapor (perlu {need}).",
                f"Baseline too short: fewer than {need} of the same weeks of earlier years "
                f"reported, and {n_base} of the {weeks} weeks before the {GUARD_WEEKS}-week "
                f"guard band ({basis.first}…{basis.last}) ({need} needed).",
            )  # fmt: skip
        return Text(
            f"Dasar tidak cukup: {n_base} dari {weeks} minggu dasar melapor (perlu {need}).",
            f"Baseline too short: {n_base} of {weeks} baseline weeks reported ({need} needed).",
        )
    head = (Text("Peringatan: ", "Alert: ") if status == "alert"
            else Text("Tidak ada peringatan: ", "No alert: "))  # fmt: skip
    o = {lang: _n(obs, lang, 0) for lang in ("id", "en")}
    t = {lang: _n(thr, lang) for lang in ("id", "en")}
    m = {lang: _n(mean, lang) for lang in ("id", "en")}
    a = {lang: _n(rule.ambang, lang) for lang in ("id", "en")}
    s = {lang: _n(stat, lang, 2) for lang in ("id", "en")}
    sign = "≥" if status == "alert" else "<"
    if rule.jenis == "fixed_count":
        body = Text(f"{o['id']} kasus {sign} ambang tetap {t['id']} kasus/minggu.",
                    f"{o['en']} cases {sign} fixed threshold {t['en']} cases/week.")  # fmt: skip
    elif rule.jenis == "any_case":
        body = Text(f"{o['id']} kasus; setiap kasus memicu peringatan.",
                    f"{o['en']} case(s); any case triggers an alert.")  # fmt: skip
    elif rule.jenis == "ratio_to_baseline":
        body = Text(
            f"{o['id']} kasus {sign} {t['id']} = maks({a['id']} × rerata {weeks} minggu "
            f"sebelumnya ({m['id']}), minimal {rule.minimum_kasus} kasus).",
            f"{o['en']} cases {sign} {t['en']} = max({a['en']} × mean of the previous {weeks} "
            f"weeks ({m['en']}), at least {rule.minimum_kasus} cases).",
        )
    elif rule.jenis == "ratio_to_history" and basis.source == "history":
        first, last = basis.windows[0]
        more = Text(" dst.", " and earlier") if basis.years > 1 else Text("", "")
        body = Text(
            f"{o['id']} kasus {sign} {t['id']} = maks({a['id']} × rerata minggu yang sama pada "
            f"{basis.years} tahun sebelumnya ({first}…{last}{more.id}: {m['id']}), minimal "
            f"{rule.minimum_kasus} kasus).",
            f"{o['en']} cases {sign} {t['en']} = max({a['en']} × mean of the same weeks in "
            f"{basis.years} earlier year(s) ({first}…{last}{more.en}: {m['en']}), at least "
            f"{rule.minimum_kasus} cases).",
        )  # fmt: skip
    elif rule.jenis == "ratio_to_history":
        body = Text(
            f"{o['id']} kasus {sign} {t['id']} = maks({a['id']} × rerata {weeks} minggu sebelum "
            f"jeda {GUARD_WEEKS} minggu ({basis.first}…{basis.last}: {m['id']}), minimal "
            f"{rule.minimum_kasus} kasus); belum ada riwayat minggu yang sama tahun lalu.",
            f"{o['en']} cases {sign} {t['en']} = max({a['en']} × mean of the {weeks} weeks "
            f"before a {GUARD_WEEKS}-week guard band ({basis.first}…{basis.last}: {m['en']}), "
            f"at least {rule.minimum_kasus} cases); no history of the same weeks yet.",
        )  # fmt: skip
    else:
        name = "EARS " + rule.jenis.removeprefix("ears_").upper()
        sd_txt = {lang: _n(sd, lang) for lang in ("id", "en")}
        floor = (Text(f" (dibatasi bawah {_n(min_sd, 'id')})", f" (floored at {min_sd:g})")
                 if not sd >= min_sd else Text("", ""))  # fmt: skip
        body = Text(
            f"{name} = {s['id']} {'≥' if stat >= rule.ambang else '<'} {a['id']}; "
            f"{o['id']} kasus, rerata dasar {m['id']}, sd {sd_txt['id']}{floor.id}; "
            f"ambang kasus {t['id']}, minimal {rule.minimum_kasus} kasus.",
            f"{name} = {s['en']} {'≥' if stat >= rule.ambang else '<'} {a['en']}; "
            f"{o['en']} cases, baseline mean {m['en']}, sd {sd_txt['en']}{floor.en}; "
            f"count threshold {t['en']}, at least {rule.minimum_kasus} cases.",
        )
    if missing:
        body = Text(body.id + f" {missing} minggu tanpa laporan dilewati (bukan nol).",
                    body.en + f" {missing} unreported week(s) left out (not zero).")  # fmt: skip
    return Text(head.id + body.id, head.en + body.en)
