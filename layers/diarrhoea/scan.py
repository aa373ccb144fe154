"""Kulldorff's prospective space-time scan statistic, Poisson model.

Written by hand: no maintained Python package implements the space-time scan statistic
(SaTScan itself is closed-source Windows/Java software). The method follows

* Kulldorff M. (1997) "A spatial scan statistic". *Communications in Statistics — Theory and
  Methods* 26(6):1481–1496 (the Poisson likelihood ratio and the Monte Carlo test), and
* Kulldorff M. (2001) "Prospective time periodic geographical disease surveillance using a
  scan statistic". *Journal of the Royal Statistical Society A* 164(1):61–72 (cylinders whose
  time interval must end in the last week: the "prospective" scan, for weekly surveillance).

The statistic
-------------
The data are a matrix of counts ``c_it`` (villages × weeks) and of expected counts ``E_it``
under the null of no clustering, scaled so that ``Σ E_it = C = Σ c_it``. A *window* (cylinder)
is a circle of the ``k`` nearest villages of a centre village (``k = 1 …``, the centre
included, distances between centroids in metres) times the ``L`` last weeks of the study
period (``L = 1 … max_weeks``). Circles are limited to ``max_k`` villages and to
``max_pop_share`` of the population at risk (default 50 %, as in SaTScan). For a window with
observed ``c`` and expected ``E`` the exact log-likelihood ratio used is::

    LLR = c·ln(c/E) + (C−c)·ln((C−c)/(C−E))    if c > E,    else 0

(Kulldorff 1997, Poisson model conditioned on the total ``C``, scanning for high rates only).
The most likely cluster is the window with the largest LLR.

Inference: ``permutations`` Monte Carlo replications (999 by default, seeded) redraw the
``C`` cases as one multinomial over all village-weeks with probabilities ``E_it / C`` (the
null conditioned on the total) and keep each replication's maximum LLR over all windows. A
cluster's p-value is ``rank / (R + 1)`` with ``rank = 1 + #{replications with max LLR ≥ LLR}``.

Secondary clusters follow SaTScan's default ("no geographical overlap"): for every centre the
best window is kept; these are taken in decreasing LLR and one is reported when it shares no
village with a cluster reported before it. Each secondary cluster's p-value is computed
against the *same* replication maxima as the most likely cluster (conservative for
secondary clusters, standard SaTScan practice).

Expected counts
---------------
:func:`expected_counts` gives ``E_it = C · pop_it / Σ_jt pop_jt`` — with one population
figure per village, ``C · pop_i / Σ pop`` spread evenly over the weeks (``adjust_time=True``
instead spreads it as the weekly totals ``C_t``, removing purely temporal trends such as the
rainy season). A village without a population figure (missing, zero or negative) gets a
pseudo-population from **its own history**: its share of the cases in the history weeks
(``history``, by default the study period itself) relative to the villages that do have a
population, i.e. ``pop_i = cases_i · Σ_pop pop_j / Σ_pop cases_j``. When no village has a
population, every village's weight is its historical case count (plus 0.5, so a village
without past cases can still be part of a cluster).

Speed: the windows of one data set are evaluated by a numba kernel with cumulative sums over
the neighbour order (O(n · k · L) per replication, ``L`` ≤ ``max_weeks``: only the last
weeks' cells are simulated, the earlier ones are pooled; :mod:`layers.diarrhoea.scan_engine`),
replications in batches that share one pass over the windows, batches in parallel.
:func:`layers.diarrhoea.scan_reference.scan_numpy` is a plain vectorised NumPy implementation
of the same statistic, kept only for checking and benchmarking; the likelihood and the expected
counts live in :mod:`layers.diarrhoea.scan_expected`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from layers.diarrhoea import scan_engine
from layers.diarrhoea.scan_expected import expected_counts, llr_poisson

__all__ = [
    "Cluster",
    "SpaceTimeScan",
    "expected_counts",
    "llr_poisson",
    "warm_up",
]

#: largest count for which c·ln c is tabulated (above it the kernel takes the logarithm)
_TABLE_MAX = 1 << 20
#: replications simulated together and scanned in one pass over the windows
_BATCH = 16
#: cases per cell up to which the null cases are placed one by one (alias method)
_ALIAS_PER_CELL = 12


@dataclass
class Cluster:
    """One reported cluster (most likely first).

    Attributes
    ----------
    villages
        Codes (``ids``) of the villages in the circle, nearest to the centre first.
    indices
        Their row positions in the input.
    centre
        Code of the centre village.
    radius_m
        Distance from the centre to the farthest village of the circle (metres).
    observed, expected
        Cases in the cylinder and expected under the null.
    relative_risk
        ``(c/E) / ((C−c)/(C−E))``: the rate inside over the rate outside.
    llr
        Log-likelihood ratio.
    p_value
        Monte Carlo p-value, ``rank / (R + 1)``.
    start_week, end_week
        Labels of the first and last week of the cylinder (``end_week`` is always the last
        week of the study period).
    n_weeks
        Length of the time interval.
    """

    villages: list[Any]
    indices: np.ndarray
    centre: Any
    radius_m: float
    observed: int
    expected: float
    relative_risk: float
    llr: float
    p_value: float
    start_week: Any
    end_week: Any
    n_weeks: int

    def as_dict(self) -> dict[str, Any]:
        """Plain-Python fields (JSON-friendly), without ``indices``."""
        return {
            "villages": [_plain(v) for v in self.villages],
            "centre": _plain(self.centre),
            "radius_m": float(self.radius_m),
            "observed": int(self.observed),
            "expected": float(self.expected),
            "relative_risk": float(self.relative_risk),
            "llr": float(self.llr),
            "p_value": float(self.p_value),
            "start_week": _plain(self.start_week),
            "end_week": _plain(self.end_week),
            "n_weeks": int(self.n_weeks),
        }


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else (
        value if isinstance(value, int | float | str | None) else str(value))


@dataclass
class _Windows:
    """Everything about the windows that does not depend on the counts."""

    nbr: np.ndarray  # (n, K) neighbour order, centre first
    dist: np.ndarray  # (n, K) distances (m)
    kmax: np.ndarray  # (n,) allowed circle sizes per centre
    e_week: np.ndarray  # (n, L) expected per village in each of the last L weeks (0 = last)
    ecum: np.ndarray  # (n, K, L) expected of window (i, k+1, l+1)
    total: int


def _build_windows(
    expected: np.ndarray,
    coords: np.ndarray,
    pop_risk: np.ndarray,
    total: int,
    max_k: int,
    max_pop_share: float,
    max_weeks: int,
) -> _Windows:
    n, t = expected.shape
    n_l = min(max_weeks, t)
    kk = max(1, min(max_k, n))
    tree = cKDTree(coords)
    dist, nbr = tree.query(coords, k=kk)
    dist = np.asarray(dist, dtype=float).reshape(n, kk)
    nbr = np.asarray(nbr, dtype=np.int64).reshape(n, kk)
    # kd-tree ties may put another village at distance 0 before the centre: centre first
    for i in np.flatnonzero(nbr[:, 0] != np.arange(n)):
        row = list(nbr[i])
        if i in row:
            row.remove(i)
            nbr[i] = [i, *row]
        else:
            nbr[i] = [i, *row[:-1]]
        dist[i] = np.linalg.norm(coords[nbr[i]] - coords[i], axis=1)
    popcum = np.cumsum(pop_risk[nbr], axis=1)
    limit = max_pop_share * pop_risk.sum() * (1 + 1e-12)
    kmax = (popcum <= limit).sum(axis=1).astype(np.int64)
    e_week = np.ascontiguousarray(expected[:, ::-1][:, :n_l])
    e_suffix = np.cumsum(e_week, axis=1)
    ecum = np.cumsum(e_suffix[nbr], axis=1)
    return _Windows(nbr=nbr, dist=dist, kmax=kmax, e_week=e_week, ecum=ecum, total=total)


def _log_tables(win: _Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    total = win.total
    with np.errstate(divide="ignore", invalid="ignore"):
        ln_e = np.where(win.ecum > 0, np.log(np.maximum(win.ecum, 1e-300)), 0.0)
        rest = total - win.ecum
        ln_ce = np.where(rest > 0, np.log(np.maximum(rest, 1e-300)), 0.0)
    size = min(total, _TABLE_MAX) + 1
    c = np.arange(size, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        tab_c = np.where(c > 0, c * np.log(c), 0.0)
        r = total - c
        tab_rest = np.where(r > 0, r * np.log(np.maximum(r, 1.0)), 0.0)
    # a window whose expected is 0 would have an infinite LLR: never let c > E hold there
    ecum = np.where(win.ecum > 0, win.ecum, np.inf)
    return ecum, ln_e, ln_ce, np.stack([tab_c, tab_rest])


class SpaceTimeScan:
    """Prospective space-time scan statistic, Poisson model (Kulldorff 1997, 2001).

    Parameters
    ----------
    counts
        Observed cases, villages × weeks (array or DataFrame; a DataFrame's index gives the
        village codes and its columns the week labels). The last column is the current week:
        every window ends there.
    expected
        Expected cases under the null, same shape (e.g. from :func:`expected_counts`);
        rescaled here to sum to the total observed.
    coords
        Village centroids in metres (``n × 2``, a projected CRS such as UTM).
    ids, weeks
        Village codes and week labels (defaults: the DataFrame's, else ``0 … n-1`` /
        ``0 … T-1``).
    population
        Population at risk per village for the ``max_pop_share`` limit (default: the rows of
        ``expected``, i.e. the population when ``expected`` came from it).
    max_k
        Largest number of villages in a circle (default 50).
    max_pop_share
        Largest share of the population at risk in a circle (default 0.5).
    max_weeks
        Longest time interval, in weeks ending in the last week (default 4).
    permutations
        Monte Carlo replications (default 999; 0 skips inference, p-values are NaN).
    seed
        Seed of the replications (``None``: fresh entropy).
    max_clusters
        Most clusters reported (most likely + secondary), default 10.
    progress
        Optional ``progress(done, total)`` called between chunks of replications (to show a
        progress bar; raising from it cancels the scan).

    Attributes
    ----------
    llr : float
        LLR of the most likely cluster (0 when no window has more cases than expected).
    p_sim : float
        Its Monte Carlo p-value.
    sim : numpy.ndarray
        Maximum LLR over all windows of each replication (length ``permutations``).
    clusters : list of Cluster
        The most likely cluster, then the non-overlapping secondary clusters, by LLR.
    total : int
        Total observed cases ``C``.
    n_windows : int
        Number of cylinders evaluated per data set.
    best_llr : numpy.ndarray
        Highest LLR of each centre's windows (length ``n``).
    """

    def __init__(
        self,
        counts: np.ndarray | pd.DataFrame,
        expected: np.ndarray | pd.DataFrame,
        coords: np.ndarray,
        *,
        ids: Sequence[Any] | None = None,
        weeks: Sequence[Any] | None = None,
        population: np.ndarray | None = None,
        max_k: int = 50,
        max_pop_share: float = 0.5,
        max_weeks: int = 4,
        permutations: int = 999,
        seed: int | None = None,
        max_clusters: int = 10,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if isinstance(counts, pd.DataFrame):
            ids = list(counts.index) if ids is None else ids
            weeks = list(counts.columns) if weeks is None else weeks
        cnt = np.asarray(counts)
        if cnt.ndim != 2:
            raise ValueError("counts must be a villages × weeks matrix")
        if np.any(cnt < 0) or not np.all(np.equal(np.mod(cnt, 1), 0)):
            raise ValueError("counts must be non-negative integers")
        cnt = cnt.astype(np.int64)
        exp = np.asarray(expected, dtype=float)
        if exp.shape != cnt.shape:
            raise ValueError(f"expected has shape {exp.shape}, counts {cnt.shape}")
        if np.any(~np.isfinite(exp)) or np.any(exp < 0):
            raise ValueError("expected must be finite and non-negative")
        xy = np.asarray(coords, dtype=float)
        n, t = cnt.shape
        if xy.shape != (n, 2):
            raise ValueError(f"coords has shape {xy.shape}, expected ({n}, 2)")
        if not 0 < max_pop_share <= 1:
            raise ValueError("max_pop_share must be in (0, 1]")
        if max_k < 1 or max_weeks < 1:
            raise ValueError("max_k and max_weeks must be at least 1")
        self.ids = list(range(n)) if ids is None else list(ids)
        self.weeks = list(range(t)) if weeks is None else list(weeks)
        self.total = int(cnt.sum())
        self.permutations = int(permutations)
        self.max_k, self.max_pop_share, self.max_weeks = max_k, max_pop_share, max_weeks
        if self.total > 0 and exp.sum() > 0:
            exp = exp * (self.total / exp.sum())
        pop_risk = exp.sum(axis=1) if population is None else np.asarray(population, float)
        self._win = _build_windows(exp, xy, pop_risk, self.total, max_k, max_pop_share,
                                   max_weeks)
        self.n_windows = int(self._win.kmax.sum() * self._win.e_week.shape[1])
        self._counts = cnt
        self._expected = exp
        self._coords = xy
        self.clusters: list[Cluster] = []
        self.sim = np.zeros(0)
        self.llr = 0.0
        self.p_sim = float("nan") if self.permutations == 0 else 1.0
        self.best_llr = np.zeros(n)
        if self.total == 0:
            return
        self._run(seed, max_clusters, progress)

    def _run(self, seed: int | None, max_clusters: int,
             progress: Callable[[int, int], None] | None) -> None:
        win = self._win
        ecum, ln_e, ln_ce, tabs = _log_tables(win)
        n_l = win.e_week.shape[1]
        suffix = np.cumsum(self._counts[:, ::-1][:, :n_l], axis=1)
        best, best_k, best_l = scan_engine.best_per_centre(
            suffix, win.nbr, win.kmax, ecum, ln_e, ln_ce, win.total, tabs[0], tabs[1])
        self.best_llr = best
        if self.permutations > 0:
            seeds = np.random.SeedSequence(seed).generate_state(self.permutations,
                                                                dtype=np.uint32)
            prob = win.e_week / win.total
            p_inside = float(prob.sum())
            positive = np.flatnonzero(prob.ravel() > 0)
            last_cell = int(positive[-1]) if positive.size else -1
            alias_q, alias_j = scan_engine.build_alias(prob.ravel() / max(p_inside, 1e-300))
            chunk = self.permutations if progress is None else max(1, -(-self.permutations // 20))
            parts = []
            for start in range(0, self.permutations, chunk):
                parts.append(scan_engine.replicate_max_llr(
                    seeds[start:start + chunk], _BATCH, prob, p_inside, last_cell, alias_q,
                    alias_j, _ALIAS_PER_CELL * prob.size, win.nbr, win.kmax, ecum, ln_e,
                    ln_ce, win.total, tabs[0], tabs[1]))
                if progress is not None:
                    progress(min(start + chunk, self.permutations), self.permutations)
            self.sim = np.concatenate(parts)
        self.clusters = self._clusters(best, best_k, best_l, suffix, max_clusters)
        if self.clusters:
            self.llr = self.clusters[0].llr
            self.p_sim = self.clusters[0].p_value

    def _p_value(self, llr: float) -> float:
        if self.permutations == 0:
            return float("nan")
        return float((1 + np.count_nonzero(self.sim >= llr)) / (self.permutations + 1))

    def _clusters(self, best: np.ndarray, best_k: np.ndarray, best_l: np.ndarray,
                  suffix: np.ndarray, max_clusters: int) -> list[Cluster]:
        win = self._win
        taken = np.zeros(best.shape[0], dtype=bool)
        out: list[Cluster] = []
        # decreasing LLR; ties by centre order (stable), so results are deterministic
        for i in np.argsort(-best, kind="stable"):
            if len(out) >= max_clusters or best[i] <= 0:
                break
            k, ln = int(best_k[i]), int(best_l[i])
            members = win.nbr[i, :k]
            if taken[members].any():
                continue
            taken[members] = True
            c = int(suffix[members, ln - 1].sum())
            e = float(win.ecum[i, k - 1, ln - 1])
            rest_c, rest_e = self.total - c, self.total - e
            rr = (c / e) / (rest_c / rest_e) if rest_c > 0 else float("inf")
            llr = float(best[i])
            t = len(self.weeks)
            out.append(Cluster(
                villages=[self.ids[j] for j in members],
                indices=members.copy(),
                centre=self.ids[i],
                radius_m=float(win.dist[i, k - 1]),
                observed=c,
                expected=e,
                relative_risk=float(rr),
                llr=llr,
                p_value=self._p_value(llr),
                start_week=self.weeks[t - ln],
                end_week=self.weeks[t - 1],
                n_weeks=ln,
            ))
        return out

    def to_frame(self) -> pd.DataFrame:
        """The clusters as a table, one row each (villages as a list)."""
        columns = ["villages", "centre", "radius_m", "observed", "expected", "relative_risk",
                   "llr", "p_value", "start_week", "end_week", "n_weeks"]
        return pd.DataFrame([c.as_dict() for c in self.clusters], columns=columns)

    def significant(self, alpha: float = 0.05) -> list[Cluster]:
        """Clusters with ``p_value < alpha`` (as the map and the exports call them)."""
        return [c for c in self.clusters if c.p_value < alpha]


def warm_up() -> None:
    """Compile the numba kernels on a tiny problem (call at start-up, not on a click)."""
    rng = np.random.default_rng(0)
    counts = rng.poisson(2.0, size=(6, 3))
    SpaceTimeScan(counts, expected_counts(counts, np.ones(6)), rng.random((6, 2)),
                  max_k=3, max_weeks=2, permutations=3, seed=0)
