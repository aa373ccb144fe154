"""Expected counts and the Poisson log-likelihood ratio of the space-time scan.

The null model of :mod:`layers.diarrhoea.scan` (see its docstring for the statistic):
``expected_counts`` turns population (or a village's own history) into ``E_it``, and
``llr_poisson`` is Kulldorff's (1997) likelihood ratio of one window.
"""

from __future__ import annotations

import numpy as np

__all__ = ["expected_counts", "llr_poisson"]


def llr_poisson(c: float, e: float, total: float) -> float:
    """Kulldorff's Poisson log-likelihood ratio of one window (0 unless ``c > e``).

    Parameters
    ----------
    c, e
        Observed and expected cases in the window.
    total
        Total cases ``C`` (equal to the total expected).
    """
    if c <= e:
        return 0.0
    out = c * np.log(c / e)
    if total - c > 0:
        out += (total - c) * np.log((total - c) / (total - e))
    return float(out)


def expected_counts(
    counts: np.ndarray,
    population: np.ndarray | None = None,
    *,
    history: np.ndarray | None = None,
    adjust_time: bool = False,
) -> np.ndarray:
    """Expected counts under the null of no clustering, summing to the observed total.

    Parameters
    ----------
    counts
        Observed cases, villages × weeks.
    population
        Population per village (``n``) or per village and week (``n × T``). ``None`` or a
        non-finite / non-positive entry means missing: that village's weight comes from its
        own history (see the module docstring).
    history
        Cases of the villages in earlier weeks (``n × H``) used for the pseudo-population of
        villages without population; default ``counts``.
    adjust_time
        If True, spread each village's expectation over the weeks as the observed weekly totals
        (``E_it = C_t · pop_i / Σ pop``) instead of evenly; needs one population per village.

    Returns
    -------
    numpy.ndarray
        ``E`` (float, ``n × T``) with ``E.sum() == counts.sum()``.
    """
    counts = np.asarray(counts, dtype=float)
    n, t = counts.shape
    total = counts.sum()
    hist = counts if history is None else np.asarray(history, dtype=float)
    hist_cases = hist.sum(axis=1)
    pop = np.full(n, np.nan) if population is None else np.asarray(population, dtype=float)
    if pop.ndim == 2:
        if adjust_time:
            raise ValueError("adjust_time needs one population figure per village")
        weights = np.where(np.isfinite(pop) & (pop > 0), pop, np.nan)
        missing = np.isnan(weights).any(axis=1)
        row_pop = np.where(missing, np.nan, np.nansum(weights, axis=1) / t)
        fill = _pseudo_population(row_pop, hist_cases)
        weights[missing] = fill[missing, None]
        return total * weights / weights.sum() if total > 0 else np.zeros((n, t))
    if pop.shape != (n,):
        raise ValueError(f"population has shape {pop.shape}, expected ({n},) or ({n}, {t})")
    pop = _pseudo_population(np.where(np.isfinite(pop) & (pop > 0), pop, np.nan), hist_cases)
    share = pop / pop.sum()
    if total <= 0:
        return np.zeros((n, t))
    if adjust_time:
        return np.outer(share, counts.sum(axis=0))
    return np.outer(share, np.full(t, total / t))


def _pseudo_population(pop: np.ndarray, hist_cases: np.ndarray) -> np.ndarray:
    """Fill NaN populations from the villages' historical cases (module docstring)."""
    have = ~np.isnan(pop)
    if have.all():
        return pop
    if not have.any():
        return hist_cases + 0.5
    rate = hist_cases[have].sum() / pop[have].sum()
    out = pop.copy()
    if rate > 0:
        out[~have] = hist_cases[~have] / rate
    else:
        out[~have] = 0.0
    # a village with no past cases keeps a small weight (half a case's worth)
    floor = (0.5 / rate) if rate > 0 else np.nanmean(pop)
    out[~have] = np.maximum(out[~have], floor)
    return out
