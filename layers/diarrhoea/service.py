"""Diarrhoea analytics on the store: read through the Scope, run the methods, no Dash.

The one place the command line (``pws alerts / klb / scan``) and the map layers
(:mod:`layers.diarrhoea.maplayers`) get their results from. Every read goes through
:mod:`layers.store.queries` with the caller's :class:`~layers.scope.Scope`, so a result never
holds a village the scope does not allow; narrowing (a kecamatan) is done by the caller with
:meth:`Scope.narrow`.

What each function reads
------------------------
:func:`alerts_for`
    the disease's rule from ``aturan_peringatan`` (the shipped default when the store has
    none) and just the weeks that rule reads (:func:`~layers.diarrhoea.alerts.reads`: the
    week and its baseline — for the diare akut default also the same weeks of up to 3
    earlier years —, epi-week arithmetic across years); every village in scope is in the
    result (no row = "no report").
:func:`klb_for`
    the weeks the Pasal 6 criteria read: the current periods, the CFR periods, this month
    and all of last year.
:func:`hotspots_for`
    incidence per ``per`` (1,000) people in the week and the scope's contiguity weights
    (:func:`~layers.diarrhoea.weights.weights_for_scope`, cached per boundary version).
    Gi* needs a value in every village: a village that did not report, or has no
    population, gets the mean incidence of the villages that did (a neutral value that
    cannot make a hot or cold spot by itself) and is flagged ``reported = False``. The FDR
    family is each kabupaten/kota by default, with enough permutations for its size.
:func:`scan_for`
    counts of the ``weeks`` (52) weeks ending in ``week``; expected counts from the
    population (``adjust_time=True``: spread as the weekly totals, so the season is not a
    cluster; a village without population is weighted by its own history); centroids
    from ``representative_point()`` of the village polygons in the local UTM zone (metres).
    An unreported village-week counts 0 cases here — the scan needs a count in every cell,
    so a village that stops reporting looks like a low-rate village, never a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from layers.diarrhoea.alerts import Alerts, reads, weekly_alerts
from layers.diarrhoea.hotspots import (
    DEFAULT_FAMILY,
    PERMUTATIONS,
    Family,
    HotSpots,
    hot_spots,
)
from layers.diarrhoea.klb import KlbSignals, klb_signals, wednesday_month
from layers.diarrhoea.rules import Rule, default_rules, load_rules
from layers.diarrhoea.scan import Cluster, SpaceTimeScan, expected_counts
from layers.diarrhoea.weights import weights_for_scope
from layers.epiweek import EpiWeek
from layers.scope import Scope
from layers.store import queries

DEFAULT_PENYAKIT = "diare_akut"
#: seed of the permutations / replications unless one is given (results are reproducible)
DEFAULT_SEED = 12345
#: weeks of counts the scan reads (the expected counts are spread over them)
SCAN_WEEKS = 52


def _pair(week: EpiWeek) -> tuple[int, int]:
    return week.year, week.week


def series(
    session: Session, scope: Scope, penyakit: str, first: EpiWeek, last: EpiWeek
) -> pd.DataFrame:
    """``kode_desa, tahun, minggu, kasus, kematian`` of the scope, weeks ``first``…``last``."""
    return queries.case_matrix(session, scope, penyakit, _pair(first), _pair(last))


def rule_for(session: Session, penyakit: str = DEFAULT_PENYAKIT) -> Rule:
    """The alert rule of ``penyakit`` from the store, else the shipped default.

    Raises
    ------
    ValueError
        When neither the store nor the defaults have a rule for the disease.
    """
    rule = load_rules(session).get(penyakit) or default_rules().get(penyakit)
    if rule is None:
        raise ValueError(f"no alert rule for disease {penyakit!r}")
    return rule


def alerts_for(
    session: Session,
    scope: Scope,
    week: EpiWeek,
    penyakit: str = DEFAULT_PENYAKIT,
    *,
    rule: Rule | None = None,
    villages: Sequence[str] | None = None,
) -> Alerts:
    """Weekly alerts of ``penyakit`` in ``week`` for every village in ``scope``.

    Parameters
    ----------
    session, scope, week
        Store session, the caller's scope, the current epi week.
    penyakit
        Disease code.
    rule
        Override the stored rule (default: :func:`rule_for`).
    villages
        The scope's village codes when the caller has read them already
        (:func:`~layers.store.queries.village_codes`).
    """
    rule = rule or rule_for(session, penyakit)
    # just the weeks the rule reads (for ratio_to_history: this season of earlier years too),
    # in one query
    ranges = [(_pair(first), _pair(last)) for first, last in reads(rule, week)]
    data = queries.case_ranges(session, scope, penyakit, ranges)
    if villages is None:
        villages = queries.village_codes(session, scope)
    return weekly_alerts(data, rule, week, villages=villages)


def klb_for(
    session: Session,
    scope: Scope,
    week: EpiWeek,
    penyakit: str = DEFAULT_PENYAKIT,
    *,
    level: str = "desa",
    **options: object,
) -> KlbSignals:
    """KLB signals (to verify) of ``penyakit`` in ``week`` for the scope's villages or regions.

    ``level`` is ``desa`` or ``kec``/``kab``/``prov`` (villages summed); ``options`` go to
    :func:`~layers.diarrhoea.klb.klb_signals` (``period_weeks``, ``min_cases`` …).
    """
    period = int(options.get("period_weeks", 1))  # type: ignore[call-overload]
    rise = int(options.get("rise_periods", 3))  # type: ignore[call-overload]
    cfr = int(options.get("cfr_period_weeks", 4))  # type: ignore[call-overload]
    year, _ = wednesday_month(week)
    # all of last year (a week's month is that of its Wednesday: start a week early)
    first = EpiWeek(year - 1, 1, week.min_days) - 1
    first = min(first, week - max(period * (rise + 1), 2 * period, 2 * cfr))
    data = series(session, scope, penyakit, first, week)
    return klb_signals(data, week, level=level, **options)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class WeekIncidence:
    """Incidence per ``per`` people of one week, one row per village in scope.

    ``table``: ``kode_desa, kasus, jumlah, incidence`` (NaN when not reported or no
    population) and ``reported`` (both known).
    """

    week: EpiWeek
    per: int
    table: pd.DataFrame


def week_incidence(
    session: Session, scope: Scope, week: EpiWeek, penyakit: str = DEFAULT_PENYAKIT,
    per: int = 1000,
) -> WeekIncidence:  # fmt: skip
    """Cases, population and incidence per ``per`` of every village in ``scope`` in ``week``
    (one query: :func:`~layers.store.queries.village_week`)."""
    found = queries.village_week(session, scope, penyakit, week.year, week.week)
    table = found[["kode_desa", "kasus", "jumlah"]].copy()
    kasus = pd.to_numeric(table["kasus"], errors="coerce").astype(float)
    jumlah = pd.to_numeric(table["jumlah"], errors="coerce").astype(float)
    table["kasus"], table["jumlah"] = kasus, jumlah
    table["incidence"] = kasus / jumlah.where(jumlah > 0) * per
    table["reported"] = table["incidence"].notna()
    return WeekIncidence(week=week, per=per, table=table)


@dataclass(frozen=True, eq=False)
class HotSpotResult:
    """Hot spots of one week: the esda-style result plus what was imputed.

    Attributes
    ----------
    hot_spots : HotSpots
        Gi* / Local Moran's I over every village in scope (weight order).
    incidence : WeekIncidence
        The incidence the statistic was computed on (before imputation).
    fill_value : float
        The value given to villages without an incidence (mean of the others).
    table : DataFrame
        ``hot_spots.table`` indexed by ``kode_desa`` with ``kasus, jumlah, incidence,
        reported`` joined.
    """

    hot_spots: HotSpots
    incidence: WeekIncidence
    fill_value: float
    table: pd.DataFrame


def hotspots_for(
    session: Session,
    scope: Scope,
    week: EpiWeek,
    penyakit: str = DEFAULT_PENYAKIT,
    *,
    per: int = 1000,
    permutations: int = PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
    fdr: bool = True,
    family: Family = DEFAULT_FAMILY,
    refine: bool = True,
) -> HotSpotResult:
    """Getis-Ord Gi* and Local Moran's I on the incidence per ``per`` people of ``week``.

    The statistic runs over every village in ``scope``; the false discovery rate is
    controlled within each ``family`` (default: each kabupaten/kota) and small p-values get
    enough permutations for their family (``refine``) — see :mod:`layers.diarrhoea.hotspots`.
    ``result.hot_spots.method()`` says what was done (for the legend),
    ``result.hot_spots.families`` gives it per family. ``family="scope", refine=False`` is
    the former default.

    Raises
    ------
    ValueError
        With fewer than two villages in scope (no spatial weights) or no village reporting.
    """
    inc = week_incidence(session, scope, week, penyakit, per)
    weights = weights_for_scope(session, scope, codes=inc.table["kode_desa"])
    values = inc.table.set_index("kode_desa")["incidence"]
    if not values.notna().any():
        raise ValueError(f"no village in scope reported {penyakit} with population in {week}")
    fill = float(values.mean())
    result = hot_spots(values.fillna(fill), weights, permutations=permutations, seed=seed,
                       alpha=alpha, fdr=fdr, family=family, refine=refine)  # fmt: skip
    extra = inc.table.set_index("kode_desa")[["kasus", "jumlah", "incidence", "reported"]]
    table = result.table.join(extra)
    return HotSpotResult(hot_spots=result, incidence=inc, fill_value=fill, table=table)


@dataclass(frozen=True, eq=False)
class ScanInput:
    """What the scan runs on: counts, expected counts, centroids (metres), population."""

    counts: pd.DataFrame  # villages × week labels (``2025-W53``), last column = current week
    expected: np.ndarray
    coords: np.ndarray
    population: np.ndarray  # NaN where missing (filled from history in ``expected``)
    names: dict[str, str]


def scan_input(
    session: Session,
    scope: Scope,
    week: EpiWeek,
    penyakit: str = DEFAULT_PENYAKIT,
    *,
    weeks: int = SCAN_WEEKS,
) -> ScanInput:
    """Counts of the ``weeks`` weeks ending in ``week``, expected counts and centroids."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    gdf = queries.villages(session, scope)
    codes = gdf["kode"].astype(str).tolist()
    labels = [str(week - i) for i in range(weeks - 1, -1, -1)]
    data = series(session, scope, penyakit, week - (weeks - 1), week)
    pairs = zip(data["tahun"], data["minggu"], strict=True)
    data = data.assign(week=[str(EpiWeek(int(y), int(w), week.min_days)) for y, w in pairs])
    counts = (
        data.pivot_table(index="kode_desa", columns="week", values="kasus", aggfunc="sum")
        .reindex(index=codes, columns=labels)
        .fillna(0)
        .astype(np.int64)
    )
    counts.index.name, counts.columns.name = "kode_desa", "week"
    pop = (queries.population(session, scope, week.year).set_index("kode_desa")["jumlah"]
           .reindex(codes).to_numpy(dtype=float))  # fmt: skip
    expected = expected_counts(counts.to_numpy(), pop, adjust_time=True)
    if len(gdf):
        points = gdf.to_crs(gdf.estimate_utm_crs()).representative_point()
        coords = np.c_[points.x.to_numpy(), points.y.to_numpy()]
    else:
        coords = np.zeros((0, 2))
    names = dict(zip(codes, gdf["nama"].astype(str), strict=True))
    return ScanInput(counts=counts, expected=expected, coords=coords, population=pop,
                     names=names)  # fmt: skip


def scan_for(
    session: Session,
    scope: Scope,
    week: EpiWeek,
    penyakit: str = DEFAULT_PENYAKIT,
    *,
    max_weeks: int = 4,
    reps: int = 999,
    seed: int | None = DEFAULT_SEED,
    weeks: int = SCAN_WEEKS,
    max_k: int = 50,
    max_pop_share: float = 0.5,
    max_clusters: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> SpaceTimeScan:
    """Kulldorff's prospective space-time scan of the scope, clusters ending in ``week``.

    Parameters
    ----------
    max_weeks
        Longest cluster, in weeks ending in ``week``.
    reps
        Monte Carlo replications (999; 0 skips the p-values).
    seed
        Seed of the replications (``None``: fresh entropy).
    weeks
        Weeks of counts read (the study period), ending in ``week``.
    max_k, max_pop_share, max_clusters
        See :class:`~layers.diarrhoea.scan.SpaceTimeScan`.
    progress
        ``progress(done, total)`` between chunks of replications (raise to cancel).

    Raises
    ------
    ValueError
        When the scope has no village.
    """
    data = scan_input(session, scope, week, penyakit, weeks=weeks)
    if data.counts.empty:
        raise ValueError("no village in scope")
    return SpaceTimeScan(
        data.counts, data.expected, data.coords, max_k=max_k, max_pop_share=max_pop_share,
        max_weeks=max_weeks, permutations=reps, seed=seed, max_clusters=max_clusters,
        progress=progress,
    )  # fmt: skip


# --------------------------------------------------------------------------- for the map page

#: weeks of threshold line drawn in a village's chart, ending in the selected week
THRESHOLD_WEEKS = 52
#: clusters with p below this are called significant (highlighted and outlined on the map)
ALPHA = 0.05


def latest_week(session: Session, scope: Scope,
                penyakit: str = DEFAULT_PENYAKIT) -> EpiWeek | None:  # fmt: skip
    """The newest week with any case data of ``penyakit`` in ``scope`` (None: no data)."""
    weeks = queries.available_weeks(session, scope, penyakit)
    return EpiWeek(*weeks[-1]) if weeks else None


def threshold_line(session: Session, series: pd.DataFrame, kode: str, week: EpiWeek | None,
                   penyakit: str = DEFAULT_PENYAKIT,
                   weeks: int = THRESHOLD_WEEKS) -> pd.DataFrame | None:  # fmt: skip
    """``week, threshold`` of the disease's alert rule (as :func:`alerts_for` applies it) for
    each of the ``weeks`` weeks ending in ``week``, from the village's first reported week.

    ``series`` is the village's ``tahun, minggu, kasus`` (:func:`queries.case_series`);
    ``threshold`` is the smallest count that alerts that week, NaN without a baseline.
    None without a week or a series.
    """
    if week is None or series.empty:
        return None
    first = EpiWeek(int(series["tahun"].iloc[0]), int(series["minggu"].iloc[0]))
    span = min(weeks, week.weeks_since(first) + 1)
    if span <= 0:
        return None
    rule = rule_for(session, penyakit)
    data = series.assign(kode_desa=kode)
    rows = []
    for back in range(span - 1, -1, -1):
        current = week - back
        found = weekly_alerts(data, rule, current, villages=[kode]).threshold
        rows.append((current, float(found[0]) if len(found) else np.nan))
    return pd.DataFrame(rows, columns=["week", "threshold"])


def ordered_clusters(clusters: Sequence[Cluster],
                     alpha: float = ALPHA) -> list[tuple[Cluster, bool]]:  # fmt: skip
    """The scan's clusters as a reader ranks them — by p-value (unknown last), then by
    log-likelihood ratio, highest first — each with whether it is significant (p < alpha)."""
    ranked = sorted(clusters, key=lambda c: (c.p_value if not np.isnan(c.p_value) else 2.0,
                                             -c.llr))  # fmt: skip
    return [(c, bool(c.p_value < alpha)) for c in ranked]
