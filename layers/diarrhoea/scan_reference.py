"""A plain vectorised NumPy space-time scan, for checking and benchmarking only.

Same windows, likelihood and null as :class:`layers.diarrhoea.scan.SpaceTimeScan`, without
numba or secondary clusters: the brute-force tests and ``bench/scan.py`` compare against it.
"""

from __future__ import annotations

import numpy as np

from layers.diarrhoea.scan import _build_windows

__all__ = ["scan_numpy"]


def scan_numpy(
    counts: np.ndarray,
    expected: np.ndarray,
    coords: np.ndarray,
    *,
    population: np.ndarray | None = None,
    max_k: int = 50,
    max_pop_share: float = 0.5,
    max_weeks: int = 4,
    permutations: int = 0,
    seed: int | None = None,
) -> tuple[float, tuple[int, int, int], np.ndarray]:
    """Plain vectorised NumPy version of the same scan (for checking and benchmarks only).

    Same windows, likelihood and null as :class:`SpaceTimeScan`, with NumPy's multinomial and
    the LLR of every window computed as an array each replication (no secondary clusters).

    Returns
    -------
    tuple
        ``(max LLR, (centre, k, L) of the most likely cluster, replication maxima)``.
    """
    cnt = np.asarray(counts, dtype=np.int64)
    exp = np.asarray(expected, dtype=float)
    total = int(cnt.sum())
    exp = exp * (total / exp.sum())
    pop_risk = exp.sum(axis=1) if population is None else np.asarray(population, float)
    win = _build_windows(exp, np.asarray(coords, float), pop_risk, total, max_k,
                         max_pop_share, max_weeks)
    n, kk = win.nbr.shape
    n_l = win.e_week.shape[1]
    valid = (np.arange(kk)[None, :] < win.kmax[:, None])[:, :, None]
    e = win.ecum

    def llr_all(suffix: np.ndarray) -> np.ndarray:
        c = np.cumsum(suffix[win.nbr], axis=1).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = c * np.log(c / e) + np.where(
                total - c > 0, (total - c) * np.log((total - c) / (total - e)), 0.0)
        return np.where(valid & (c > e), v, 0.0)

    obs = llr_all(np.cumsum(cnt[:, ::-1][:, :n_l], axis=1))
    flat = int(np.argmax(obs))
    i, k, w = np.unravel_index(flat, obs.shape)
    rng = np.random.default_rng(seed)
    prob = win.e_week.ravel() / total
    p_all = np.append(prob, max(0.0, 1.0 - prob.sum()))
    p_all /= p_all.sum()
    sims = np.empty(permutations)
    for r in range(permutations):
        draw = rng.multinomial(total, p_all)[:-1].reshape(n, n_l)
        sims[r] = llr_all(np.cumsum(draw, axis=1)).max()
    return float(obs.max()), (int(i), int(k) + 1, int(w) + 1), sims
