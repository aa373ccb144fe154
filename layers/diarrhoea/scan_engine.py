"""Numba kernels of the space-time scan (``layers.diarrhoea.scan``): window LLRs and replications.

Every cylinder is a circle of the ``k`` nearest villages of a centre (``nbr[i, :k]``, the
centre first) times the last ``L`` weeks of the study period. With ``S[j, L-1]`` the count of
village ``j`` over its last ``L`` weeks, the count of the cylinder (i, k, L) is a cumulative
sum over the neighbour order, so one pass over ``i``, ``k`` and ``L`` evaluates all
``n · K · L`` cylinders of a data set in O(n · K · L) — no window is ever rebuilt.

The expected count of each cylinder does not change between Monte Carlo replications: its
logarithms ``ln E`` and ``ln(C - E)`` are computed once. The data-dependent parts ``c ln c``
and ``(C - c) ln(C - c)`` come from two tables over the integers ``c`` up to ``table_max``
(computed directly above it), so a cylinder costs a comparison, two look-ups and two
multiply-adds, never a logarithm.

Replications run in batches (prange over batches): a batch's null data sets are simulated
first, then each window's constants are read once for the whole batch, branch-free. Each
replication has its own seed — numba's generator of the running thread is reseeded with it
(for the binomial draws) and an inlined xoshiro256+ generator is seeded from it (for the
alias-method draws) — so the result does not depend on the number of threads, the batch
size or the scheduling.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


@njit(cache=True, inline="always")
def _xlogx(x: int, table: np.ndarray) -> float:
    if x < table.shape[0]:
        return table[x]
    return x * math.log(x)


@njit(cache=True, inline="always")
def _ylogy(c: int, total: int, table: np.ndarray) -> float:
    # (total - c) ln(total - c); table[c] holds it for c < table.shape[0]
    if c < table.shape[0]:
        return table[c]
    rest = total - c
    return rest * math.log(rest) if rest > 0 else 0.0


@njit(cache=True)
def best_per_centre(
    suffix: np.ndarray,
    nbr: np.ndarray,
    kmax: np.ndarray,
    ecum: np.ndarray,
    ln_e: np.ndarray,
    ln_ce: np.ndarray,
    total: int,
    tab_c: np.ndarray,
    tab_rest: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Highest LLR of each centre over its windows, with the window's ``k`` and ``L``.

    Returns ``(llr, k, L)`` arrays of length ``n``; ``k`` counts villages (>= 1) and ``L``
    weeks (>= 1); ``llr`` is 0 and ``k``, ``L`` are 0 where no window has ``c > E``.
    """
    n = nbr.shape[0]
    n_l = suffix.shape[1]
    best = np.zeros(n)
    best_k = np.zeros(n, dtype=np.int64)
    best_l = np.zeros(n, dtype=np.int64)
    cnt = np.zeros(n_l, dtype=np.int64)
    for i in range(n):
        cnt[:] = 0
        for k in range(kmax[i]):
            j = nbr[i, k]
            for w in range(n_l):
                cnt[w] += suffix[j, w]
                c = cnt[w]
                if c > ecum[i, k, w]:
                    v = (_xlogx(c, tab_c) + _ylogy(c, total, tab_rest)
                         - c * ln_e[i, k, w] - (total - c) * ln_ce[i, k, w])
                    if v > best[i]:
                        best[i] = v
                        best_k[i] = k + 1
                        best_l[i] = w + 1
    return best, best_k, best_l


@njit(cache=True, inline="always")
def _simulate_suffix(
    prob: np.ndarray, p_inside: float, last_cell: int, inside: int, out: np.ndarray
) -> None:
    """Place ``inside`` cases on the cells of the last ``L`` weeks; ``out`` gets suffix sums.

    ``prob[j, w]`` is the null probability of the cell (village ``j``, ``w`` weeks before the
    last week), summing to ``p_inside``; ``inside`` is the number of the ``C`` cases that fell
    in these weeks (the cells before them are never read by a window). Exact
    sequential-binomial multinomial sampling; the last cell of
    positive probability (flat index ``last_cell``) takes what is left, so rounding in the
    running mass never loses a case.
    """
    n, n_l = prob.shape
    left = inside
    mass = p_inside
    for j in range(n):
        run = 0
        for w in range(n_l):
            p = prob[j, w]
            if j * n_l + w == last_cell:
                x = left
            elif left > 0 and mass > 0.0 and p > 0.0:
                q = p / mass
                x = left if q >= 1.0 else np.random.binomial(left, q)
            else:
                x = 0
            left -= x
            mass -= p
            run += x
            out[j, w] = run


@njit(cache=True)
def build_alias(prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker/Vose alias table of a discrete distribution (``prob`` sums to 1)."""
    m = prob.shape[0]
    q = prob * m
    alias = np.arange(m)
    small = np.empty(m, dtype=np.int64)
    large = np.empty(m, dtype=np.int64)
    ns = 0
    nl = 0
    for i in range(m):
        if q[i] < 1.0:
            small[ns] = i
            ns += 1
        else:
            large[nl] = i
            nl += 1
    while ns > 0 and nl > 0:
        ns -= 1
        s_i = small[ns]
        g = large[nl - 1]
        alias[s_i] = g
        q[g] = (q[g] + q[s_i]) - 1.0
        if q[g] < 1.0:
            nl -= 1
            small[ns] = g
            ns += 1
    for t in range(nl):
        q[large[t]] = 1.0
    for t in range(ns):  # rounding leftovers: mass ~1
        q[small[t]] = 1.0
    return q, alias


@njit(cache=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True)
def _seed_state(seed: int) -> np.ndarray:
    """xoshiro256+ state from a seed, expanded by splitmix64 (Vigna's recommendation)."""
    state = np.empty(4, dtype=np.uint64)
    z = np.uint64(seed)
    for t in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        x = z
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        state[t] = x ^ (x >> np.uint64(31))
    return state


@njit(cache=True, inline="always")
def _simulate_alias(alias_q: np.ndarray, alias_j: np.ndarray, cases: int,
                    cells: np.ndarray, seed: int) -> None:
    """Drop ``cases`` cases one by one on the cells (alias method, one uniform per case).

    Uniforms from an inlined xoshiro256+ generator (Blackman & Vigna 2018; its top 53 bits
    give the double), seeded per replication: numba's Mersenne Twister behind
    ``np.random.random`` costs several times more per call here.
    """
    m = alias_q.shape[0]
    cells[:] = 0
    st = _seed_state(seed)
    s0, s1, s2, s3 = st[0], st[1], st[2], st[3]
    scale = m / 9007199254740992.0  # m / 2**53
    for _ in range(cases):
        result = s0 + s3
        t = s1 << np.uint64(17)
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        u = np.float64(result >> np.uint64(11)) * scale
        idx = min(int(u), m - 1)
        alt = alias_j[idx]
        idx = alt if u - idx >= alias_q[idx] else idx  # a select, not a branch
        cells[idx] += 1


@njit(cache=True, parallel=True)
def replicate_max_llr(
    seeds: np.ndarray,
    batch: int,
    prob: np.ndarray,
    p_inside: float,
    last_cell: int,
    alias_q: np.ndarray,
    alias_j: np.ndarray,
    alias_max: int,
    nbr: np.ndarray,
    kmax: np.ndarray,
    ecum: np.ndarray,
    ln_e: np.ndarray,
    ln_ce: np.ndarray,
    total: int,
    tab_c: np.ndarray,
    tab_rest: np.ndarray,
) -> np.ndarray:
    """Maximum LLR over all windows of one null data set per seed (one replication each).

    Replications go in batches of ``batch``: a batch's data sets are simulated first, then
    every window is read once for the whole batch (the per-window constants are the memory
    traffic; the counts of a batch sit side by side). The null draw of a replication: the
    number of cases falling in the last ``L`` weeks is ``Binomial(C, p_inside)``; they are
    placed on the cells by the alias method (``alias_q``, ``alias_j`` of ``prob / p_inside``)
    when there are at most ``alias_max``, else by sequential binomials (one per cell; cheaper
    than ~12 alias draws per cell). Both are exact multinomial draws.
    """
    reps = seeds.shape[0]
    n, n_l = prob.shape
    n_k = nbr.shape[1]
    out = np.empty(reps)
    n_batches = (reps + batch - 1) // batch
    for bi in prange(n_batches):
        r0 = bi * batch
        nb = min(batch, reps - r0)
        sfx = np.empty((n, n_l, nb), dtype=np.int64)
        one = np.empty((n, n_l), dtype=np.int64)
        cells = np.empty(n * n_l, dtype=np.int64)
        for b in range(nb):
            np.random.seed(seeds[r0 + b])
            inside = np.random.binomial(total, p_inside) if p_inside < 1.0 else total
            if inside <= alias_max:
                _simulate_alias(alias_q, alias_j, inside, cells, seeds[r0 + b])
                for j in range(n):
                    run = 0
                    for w in range(n_l):
                        run += cells[j * n_l + w]
                        sfx[j, w, b] = run
            else:
                _simulate_suffix(prob, p_inside, last_cell, inside, one)
                sfx[:, :, b] = one
        best = np.zeros(nb)
        cnt = np.zeros((n_l, nb), dtype=np.int64)
        for i in range(n):
            cnt[:, :] = 0
            for k in range(min(kmax[i], n_k)):
                j = nbr[i, k]
                for w in range(n_l):
                    e = ecum[i, k, w]
                    le = ln_e[i, k, w]
                    lce = ln_ce[i, k, w]
                    for b in range(nb):
                        c = cnt[w, b] + sfx[j, w, b]
                        cnt[w, b] = c
                        # branch-free: about half the windows have c > E under the null,
                        # a branch on it would be mispredicted half the time
                        v = (_xlogx(c, tab_c) + _ylogy(c, total, tab_rest)
                             - c * le - (total - c) * lce)
                        v = v if c > e else 0.0
                        best[b] = max(best[b], v)
        out[r0:r0 + nb] = best
    return out
