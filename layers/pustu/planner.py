"""Where to build the next Pustu: the maximal covering problem, greedy and exact.

A village is *served* when an active or chosen Pustu lies in it or within the distance
option of its populated point (issue 9, item 4). The planner takes that relation as a sparse
matrix, never geometry: rows are villages, columns are *sites* — the existing active Pustu
(fixed, always open) and the candidate villages (a Pustu at the village's populated point) —
and ``cover[i, j]`` is true when site ``j`` serves village ``i``
(:func:`layers.pustu.access.coverage`, plus the village a Pustu stands in). It chooses up to
``n`` candidate sites that maximise the population newly served.

Two solvers give the same answer format (:class:`Plan`):

:func:`greedy`
    the lazy greedy of Minoux (1978) on the sparse matrix, written here because no
    maintained library runs it on a scipy.sparse coverage matrix: a heap of (possibly stale)
    marginal gains, a gain recomputed only when it reaches the top (O(column nnz)). It
    returns exactly the plain greedy's sites (highest marginal gain first, ties to the lower
    column) and, since served population is monotone submodular, at least (1 − 1/e) ≈ 63 %
    of the optimum (Nemhauser, Wolsey & Fisher 1978). Each plan carries a data-dependent
    upper bound on the optimum, ``newly served + the n largest marginal gains left``, often
    far tighter than the 1/(1 − 1/e) factor.
:func:`exact`
    the maximal covering location problem (Church & ReVelle 1974) solved to optimality by
    HiGHS, through one of two model builders:

    * ``"spopt"`` — PySAL spopt's ``MCLP.from_cost_matrix(...,
      predefined_facilities_arr=...)`` with ``pulp.HiGHS``; its PuLP model is built row by
      row in Python (dense, villages × sites), fast enough for a few hundred villages only
      (docs: stack.md, "Location models");
    * ``"highs"`` — the same MILP built here directly as a sparse column-wise matrix for
      highspy's ``passModel`` (no maintained library builds it from a sparse matrix), on a
      reduced model: villages already served, without population or out of reach of every
      candidate are left out, villages reached by the same candidates are merged into one
      row, and the greedy answer is given to HiGHS as its first incumbent;
    * ``"auto"`` — spopt up to :data:`SPOPT_MAX_CELLS` matrix cells, else ``"highs"``.

:func:`plan` runs the greedy and, when asked, the exact solver, and states the gap.

Every figure of a :class:`Plan` is computed here from the matrix (:func:`evaluate`), never
taken from a solver's objective, so both solvers are measured the same way. Populations are
counts; a village without a population figure is no-data for the caller to say, and weighs
0 here. A chosen site that adds nobody is dropped: a plan may hold fewer than ``n`` sites
(``Plan.requested`` keeps ``n``), and the ranked list (:mod:`layers.pustu.ranking`) orders the
rest.

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> cover = sparse.csc_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1]]))
>>> inst = Instance(cover, np.array([100.0, 50, 80, 10]), fixed=np.array([True, False, False]))
>>> p = greedy(inst, 1)
>>> p.sites, p.newly_served, p.total_served, round(p.coverage_pct, 1)
((1,), 130.0, 230.0, 95.8)
"""

from __future__ import annotations

import heapq
import os
import time
import warnings
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
from scipy import sparse

#: spopt (dense PuLP model) is used by ``solver="auto"`` up to this many villages × sites
SPOPT_MAX_CELLS = 60_000
#: default time limit of an exact solve, seconds
TIME_LIMIT = 120.0
#: the bound of the greedy: greedy ≥ (1 − 1/e) × optimum
GREEDY_RATIO = 1.0 - 1.0 / np.e

Solver = Literal["auto", "highs", "spopt"]


@dataclass(frozen=True, eq=False)
class Instance:
    """One planning problem: who serves whom, who lives where, what is already open.

    Parameters
    ----------
    cover : sparse matrix, shape (villages, sites)
        Nonzero where the site serves the village (any sparse format; kept as CSC, bool).
    population : ndarray of float, shape (villages,)
        People per village, finite and ≥ 0 (map "no population" to 0 and say so).
    fixed : ndarray of bool, shape (sites,), optional
        Existing active Pustu: always open, never chosen. Default: none.
    served : ndarray of bool, shape (villages,), optional
        Villages served without any site (e.g. a Puskesmas in the village, when the office
        counts it). Default: none.
    village_codes, site_codes : sequence of str, optional
        Labels of the rows and columns (default: their positions as text).
    """

    cover: sparse.csc_matrix
    population: np.ndarray
    fixed: np.ndarray = field(default=None)  # type: ignore[assignment]
    served: np.ndarray = field(default=None)  # type: ignore[assignment]
    village_codes: np.ndarray = field(default=None)  # type: ignore[assignment]
    site_codes: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        cover = sparse.csc_matrix(self.cover, dtype=bool)
        cover.eliminate_zeros()
        cover.sort_indices()
        n_v, n_s = cover.shape
        pop = np.asarray(self.population, dtype=float)
        if pop.shape != (n_v,):
            raise ValueError(f"population has shape {pop.shape}, expected ({n_v},)")
        if not np.isfinite(pop).all() or (pop < 0).any():
            raise ValueError("population must be finite and >= 0 (no-data weighs 0)")
        fixed = _mask(self.fixed, n_s, "fixed")
        served = _mask(self.served, n_v, "served")
        vc = _labels(self.village_codes, n_v, "village_codes")
        sc = _labels(self.site_codes, n_s, "site_codes")
        for name, value in (("cover", cover), ("population", pop), ("fixed", fixed),
                            ("served", served), ("village_codes", vc), ("site_codes", sc)):
            object.__setattr__(self, name, value)  # fmt: skip

    @property
    def n_villages(self) -> int:
        return int(self.cover.shape[0])

    @property
    def n_sites(self) -> int:
        return int(self.cover.shape[1])

    @cached_property
    def cover_csr(self) -> sparse.csr_matrix:
        """The matrix by rows: the sites that serve each village."""
        return self.cover.tocsr()

    @cached_property
    def candidates(self) -> np.ndarray:
        """Columns that may be chosen (not fixed), ascending."""
        return np.flatnonzero(~self.fixed)

    @cached_property
    def base_served(self) -> np.ndarray:
        """Villages served before any choice: ``served`` or reached by a fixed site."""
        by_fixed = np.asarray(self.cover[:, self.fixed].sum(axis=1)).ravel() > 0
        return self.served | by_fixed

    @property
    def total_population(self) -> float:
        return float(self.population.sum())

    @cached_property
    def base_population(self) -> float:
        """Population served before any choice."""
        return float(self.population[self.base_served].sum())

    def column(self, j: int) -> np.ndarray:
        """The villages site ``j`` serves (row indices, ascending)."""
        c = self.cover
        return c.indices[c.indptr[j]:c.indptr[j + 1]]

    def site_index(self, codes: Iterable[str]) -> np.ndarray:
        """Columns of the sites labelled ``codes`` (``KeyError`` for an unknown one)."""
        where = {c: j for j, c in enumerate(self.site_codes)}
        return np.array([where[c] for c in codes], dtype=int)


def _mask(value: Any, n: int, name: str) -> np.ndarray:
    if value is None:
        return np.zeros(n, dtype=bool)
    out = np.asarray(value, dtype=bool)
    if out.shape != (n,):
        raise ValueError(f"{name} has shape {out.shape}, expected ({n},)")
    return out


def _labels(value: Any, n: int, name: str) -> np.ndarray:
    out = np.arange(n).astype(str).astype(object) if value is None else \
        np.asarray(list(value), dtype=object)  # fmt: skip
    if out.shape != (n,):
        raise ValueError(f"{name} has {len(out)} labels, expected {n}")
    return out


@dataclass(frozen=True)
class Plan:
    """A planner's answer (the same for every solver).

    Attributes
    ----------
    sites : tuple of int
        Chosen columns, in greedy order among themselves (each adds the most after those
        before it); only sites that add someone.
    codes : tuple of str
        Their labels (``Instance.site_codes``).
    gains : tuple of float
        Population each site newly serves after those before it (sums to ``newly_served``).
    requested : int
        The ``n`` asked for.
    newly_served, base_served, total_served, population : float
        Population newly served by the chosen sites, served before them, served with them,
        and in all villages.
    coverage_pct : float
        ``100 × total_served / population`` (NaN without population).
    solver : str
        ``greedy``, ``highs`` or ``spopt``.
    seconds : float
        Wall time of the solver (building its model included).
    optimal : bool
        Proven optimal (an exact solver that finished; the greedy only when its bound says so).
    bound : float
        Upper bound on the population any ``n`` sites could newly serve.
    greedy_newly_served : float or None
        When both solvers ran: the greedy's ``newly_served``.
    gap : float or None
        When both ran: ``(newly_served − greedy_newly_served) / newly_served`` (0 when equal).
    status : str
        The solver's own status word (``optimal``, ``time limit``, …).
    """

    sites: tuple[int, ...]
    codes: tuple[str, ...]
    gains: tuple[float, ...]
    requested: int
    newly_served: float
    base_served: float
    total_served: float
    population: float
    coverage_pct: float
    solver: str
    seconds: float
    optimal: bool
    bound: float
    greedy_newly_served: float | None = None
    gap: float | None = None
    status: str = "optimal"

    @property
    def bound_gap(self) -> float:
        """How far below its own bound the plan may be: ``(bound − newly) / bound``."""
        return 0.0 if self.bound <= 0 else max(0.0, (self.bound - self.newly_served) / self.bound)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: lists and plain numbers."""
        return {"sites": list(self.codes), "gains": [float(g) for g in self.gains],
                "requested": self.requested, "newly_served": self.newly_served,
                "base_served": self.base_served, "total_served": self.total_served,
                "population": self.population, "coverage_pct": self.coverage_pct,
                "solver": self.solver, "seconds": self.seconds, "optimal": self.optimal,
                "bound": self.bound, "greedy_newly_served": self.greedy_newly_served,
                "gap": self.gap, "status": self.status}  # fmt: skip


# --------------------------------------------------------------------------- evaluation


def _n_open(instance: Instance, n: int) -> int:
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    return min(int(n), len(instance.candidates))


def _check_sites(instance: Instance, sites: Sequence[int]) -> np.ndarray:
    idx = np.asarray(sites, dtype=int).reshape(-1)
    if ((idx < 0) | (idx >= instance.n_sites)).any():
        raise ValueError("site index out of range")
    if instance.fixed[idx].any():
        raise ValueError("a fixed site (existing Pustu) cannot be chosen")
    return idx


def served_mask(instance: Instance, sites: Sequence[int]) -> np.ndarray:
    """Villages served with ``sites`` open (and the fixed ones, and ``served``)."""
    idx = _check_sites(instance, sites)
    out = instance.base_served.copy()
    if len(idx):
        out[np.asarray(instance.cover[:, idx].sum(axis=1)).ravel() > 0] = True
    return out


def evaluate(instance: Instance, sites: Sequence[int]) -> float:
    """Population newly served by opening ``sites`` (beyond what is served already)."""
    served = served_mask(instance, sites)
    return float(instance.population[served & ~instance.base_served].sum())


def marginal_gains(instance: Instance, served: np.ndarray) -> np.ndarray:
    """Per site: the population it would newly serve given ``served`` villages (one matvec)."""
    weight = np.where(served, 0.0, instance.population)
    return np.asarray(instance.cover.T @ weight).ravel()


def _ordered(instance: Instance, sites: Iterable[int]) -> tuple[list[int], list[float]]:
    """``sites`` in greedy order among themselves with their gains; zero-gain ones dropped."""
    chosen = np.array(sorted({int(s) for s in sites}), dtype=int)
    return lazy_greedy(instance, len(chosen), chosen)


def _result(instance: Instance, sites: list[int], gains: list[float], n: int, solver: str,
            seconds: float, bound: float, optimal: bool, status: str) -> Plan:  # fmt: skip
    newly = float(sum(gains))
    base = instance.base_population
    total = instance.total_population
    pct = 100.0 * (base + newly) / total if total > 0 else float("nan")
    codes = tuple(str(instance.site_codes[j]) for j in sites)
    return Plan(tuple(int(j) for j in sites), codes, tuple(float(g) for g in gains), int(n),
                newly, base, base + newly, total, pct, solver, seconds, optimal,
                max(float(bound), newly), status=status)  # fmt: skip


def manual(instance: Instance, sites: Sequence[int]) -> Plan:
    """A hand-made plan (e.g. the map's what-if clicks) in the planners' answer format: the
    sites in greedy order among themselves with their gains; ``solver`` is ``manual``."""
    chosen = _check_sites(instance, sites)
    ordered, gains = _ordered(instance, chosen)
    newly = float(sum(gains))
    return _result(instance, ordered, gains, len(chosen), "manual", 0.0, newly, False,
                   "manual")


# --------------------------------------------------------------------------- greedy


def lazy_greedy(instance: Instance, k: int,
                among: np.ndarray | None = None) -> tuple[list[int], list[float]]:  # fmt: skip
    """Lazy greedy (Minoux): up to ``k`` columns of ``among`` (default: the candidates) and
    the population each newly serves after those before it.

    Heap entries are ``(-gain, column)`` with the round their gain was computed in; an
    entry fresh in the current round at the top is the true best (gains only shrink), ties
    going to the lower column as in the plain greedy. Stops early when the best adds nobody.
    """
    cols = instance.candidates if among is None else among
    open_weight = np.where(instance.base_served, 0.0, instance.population)
    gains = np.asarray(instance.cover[:, cols].T @ open_weight).ravel()
    heap = [(-float(g), int(j)) for g, j in zip(gains, cols, strict=True)]
    heapq.heapify(heap)
    fresh = dict.fromkeys((int(j) for j in cols), 0)
    indptr, indices = instance.cover.indptr, instance.cover.indices
    chosen: list[int] = []
    taken: list[float] = []
    for step in range(k):
        while heap:
            neg, j = heapq.heappop(heap)
            if fresh[j] == step:
                break
            rows = indices[indptr[j]:indptr[j + 1]]
            fresh[j] = step
            heapq.heappush(heap, (-float(open_weight[rows].sum()), j))
        else:
            break
        if -neg <= 0:
            break
        chosen.append(j)
        taken.append(-neg)
        open_weight[indices[indptr[j]:indptr[j + 1]]] = 0.0
    return chosen, taken


def _greedy_bound(instance: Instance, sites: list[int], newly: float, k: int) -> float:
    """``newly + the k largest marginal gains left``: no k sites can newly serve more."""
    if k == 0:
        return 0.0
    gains = marginal_gains(instance, served_mask(instance, sites))[instance.candidates]
    top = np.partition(gains, len(gains) - k)[len(gains) - k:] if k < len(gains) else gains
    return newly + float(top.sum())


def greedy(instance: Instance, n: int) -> Plan:
    """Up to ``n`` new sites by the lazy greedy (see the module docstring).

    Parameters
    ----------
    instance
        The problem.
    n
        Number of new Pustu to place (capped at the number of candidates).

    Returns
    -------
    Plan
        ``solver="greedy"``; ``bound`` is the data-dependent bound on the optimum;
        ``optimal`` when the plan meets it.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> rng = np.random.default_rng(7)
    >>> cover = sparse.random(40, 30, density=0.1, random_state=rng) + sparse.eye(40, 30)
    >>> inst = Instance(cover, rng.integers(100, 5000, 40).astype(float))
    >>> p = greedy(inst, 5)
    >>> len(p.sites), p.newly_served == sum(p.gains), p.newly_served >= 0.632 * p.bound
    (5, True, True)
    """
    k = _n_open(instance, n)
    start = time.perf_counter()
    sites, gains = lazy_greedy(instance, k)
    seconds = time.perf_counter() - start
    newly = float(sum(gains))
    bound = _greedy_bound(instance, sites, newly, k)
    optimal = bound - newly <= 1e-9 * max(1.0, bound)
    return _result(instance, sites, gains, n, "greedy", seconds, bound, optimal,
                   "optimal" if optimal else "heuristic")  # fmt: skip


# --------------------------------------------------------------------------- exact


_BANNER_SHOWN = False


@contextmanager
def _quiet_stdout() -> Any:
    """Silence file descriptor 1 while HiGHS prints its once-per-process banner.

    highspy's ``Highs()`` writes a copyright banner to the C-level stdout before any option
    can turn output off (it would corrupt ``--json`` output); it does so once per process,
    so only the first construction is wrapped.
    """
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        yield
        return
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(null)
        _BANNER_SHOWN = True


def _new_highs() -> Any:
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _reduced_rows(instance: Instance) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The rows the MILP needs: unserved villages with people that some candidate reaches,
    villages reached by the same candidates merged (their populations summed).

    Returns ``(a, w)``: ``a`` is rows × candidates (CSR, sorted indices), ``w`` the weights.
    """
    sub = instance.cover_csr[:, instance.candidates].tocsr()
    sub.sort_indices()
    keep = ~instance.base_served & (instance.population > 0) & (np.diff(sub.indptr) > 0)
    sub = sub[np.flatnonzero(keep)]
    w = instance.population[keep]
    groups: dict[bytes, int] = {}
    first: list[int] = []
    label = np.empty(sub.shape[0], dtype=np.int64)
    for i in range(sub.shape[0]):
        key = sub.indices[sub.indptr[i]:sub.indptr[i + 1]].tobytes()
        g = groups.setdefault(key, len(groups))
        if g == len(first):
            first.append(i)
        label[i] = g
    weights = np.bincount(label, weights=w, minlength=len(first))
    return sub[np.array(first, dtype=int)].tocsr(), weights


def _solve_highs(instance: Instance, k: int, start: list[int],
                 time_limit: float) -> tuple[list[int], float, bool, str]:  # fmt: skip
    """The reduced MCLP as a sparse MILP through highspy's matrix API.

    Columns ``x`` (one per candidate, binary) then ``y`` (one per merged row, continuous in
    [0, 1]: integral at an optimum with integral ``x``); rows ``y_r − Σ_{j reaches r} x_j ≤ 0``
    and ``Σ x ≤ k``; maximise ``Σ w_r y_r``.
    """
    import highspy

    a, w = _reduced_rows(instance)
    cands = instance.candidates
    m, nc = a.shape
    if m == 0 or k == 0:
        return [], 0.0, True, "optimal"
    ac = a.tocsc()
    # x columns: -1 in each row they reach, +1 in the cardinality row m
    x_ptr = ac.indptr + np.arange(nc + 1)
    x_idx = np.empty(ac.nnz + nc, dtype=np.int32)
    x_val = np.empty(ac.nnz + nc)
    for_row = np.ones(ac.nnz + nc, dtype=bool)
    for_row[x_ptr[1:] - 1] = False
    x_idx[for_row], x_val[for_row] = ac.indices, -1.0
    x_idx[~for_row], x_val[~for_row] = m, 1.0
    y_ptr = x_ptr[-1] + np.arange(1, m + 1)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = nc + m, m + 1
    lp.col_cost_ = np.concatenate([np.zeros(nc), w])
    lp.col_lower_ = np.zeros(nc + m)
    lp.col_upper_ = np.ones(nc + m)
    lp.row_lower_ = np.full(m + 1, -highspy.kHighsInf)
    lp.row_upper_ = np.concatenate([np.zeros(m), [float(k)]])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([x_ptr, y_ptr]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([x_idx, np.arange(m, dtype=np.int32)])
    lp.a_matrix_.value_ = np.concatenate([x_val, np.ones(m)])
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nc + [highspy.HighsVarType.kContinuous] * m
    h = _new_highs()
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("random_seed", 0)
    h.passModel(lp)
    if start:
        x0 = np.zeros(nc)
        x0[np.searchsorted(cands, start)] = 1.0
        y0 = np.minimum(1.0, a @ x0)
        sol = highspy.HighsSolution()
        sol.col_value = list(np.concatenate([x0, y0]))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    x = np.asarray(h.getSolution().col_value[:nc])
    chosen = cands[x > 0.5].tolist() if len(x) == nc else []
    bound = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else float(w.sum())
    optimal = status == highspy.HighsModelStatus.kOptimal
    return chosen, bound, optimal, h.modelStatusToString(status).lower()


def _solve_spopt(instance: Instance, k: int,
                 time_limit: float) -> tuple[list[int], float, bool, str]:  # fmt: skip
    """The MCLP through spopt ``MCLP.from_cost_matrix`` (fixed sites predefined) and
    ``pulp.HiGHS``; villages served without a site weigh 0 (spopt cannot say so)."""
    import pulp
    from spopt.locate import MCLP

    weights = np.where(instance.served, 0.0, instance.population)
    cost = np.where(instance.cover.toarray(), 0.0, 1.0)
    n_fixed = int(instance.fixed.sum())
    if k == 0:
        return [], 0.0, True, "optimal"
    with warnings.catch_warnings():  # spopt 0.7 builds variables the way PuLP 3.3 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(cost, weights, service_radius=0.5,
                                      p_facilities=n_fixed + k,
                                      predefined_facilities_arr=instance.fixed.astype(int),
                                      name="pustu")  # fmt: skip
        with _quiet_stdout():
            model.solve(pulp.HiGHS(msg=False, timeLimit=float(time_limit)), results=False)
    status = pulp.LpStatus[model.problem.status].lower()
    chosen = [j for j, var in enumerate(model.fac_vars)
              if not instance.fixed[j] and (var.value() or 0) > 0.5]  # fmt: skip
    objective = float(pulp.value(model.problem.objective) or 0.0)
    covered_fixed = float(weights[instance.base_served].sum())
    optimal = status == "optimal"
    bound = objective - covered_fixed if optimal else float(weights[~instance.base_served].sum())
    return chosen, bound, optimal, status


def exact(instance: Instance, n: int, *, solver: Solver = "auto",
          time_limit: float = TIME_LIMIT, start: Sequence[int] | None = None) -> Plan:  # fmt: skip
    """Up to ``n`` new sites maximising the population newly served, solved by HiGHS.

    Parameters
    ----------
    instance
        The problem.
    n
        Number of new Pustu (capped at the number of candidates).
    solver
        ``"highs"`` (sparse MILP built here), ``"spopt"`` (spopt's MCLP through PuLP) or
        ``"auto"`` (spopt up to :data:`SPOPT_MAX_CELLS` cells).
    time_limit
        Seconds; at the limit the best plan found is returned with ``optimal=False``.
    start
        Sites of a known plan (e.g. the greedy's) given to HiGHS as its first incumbent
        (``"highs"`` only); never worse than it.

    Returns
    -------
    Plan
        ``solver`` is the builder used; ``bound`` HiGHS' dual bound.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> rng = np.random.default_rng(3)
    >>> cover = (sparse.random(60, 40, density=0.08, random_state=rng) + sparse.eye(60, 40))
    >>> inst = Instance(cover, rng.integers(100, 5000, 60).astype(float))
    >>> a, b = exact(inst, 6, solver="highs"), exact(inst, 6, solver="spopt")
    >>> a.optimal, a.newly_served == b.newly_served, a.newly_served >= greedy(inst, 6).newly_served
    (True, True, True)
    """
    k = _n_open(instance, n)
    if solver == "auto":
        solver = "spopt" if instance.n_villages * instance.n_sites <= SPOPT_MAX_CELLS else "highs"
    began = time.perf_counter()
    if solver == "highs":
        given = [] if start is None else _check_sites(instance, start).tolist()[:k]
        chosen, bound, optimal, status = _solve_highs(instance, k, given, time_limit)
    elif solver == "spopt":
        chosen, bound, optimal, status = _solve_spopt(instance, k, time_limit)
    else:
        raise ValueError(f"unknown solver {solver!r}")
    seconds = time.perf_counter() - began
    sites, gains = _ordered(instance, chosen)
    return _result(instance, sites, gains, n, solver, seconds, bound, optimal, status)


def plan(instance: Instance, n: int, *, exact_too: bool = False, solver: Solver = "auto",
         time_limit: float = TIME_LIMIT) -> Plan:  # fmt: skip
    """The greedy plan, or — with ``exact_too`` — the exact plan with the greedy's figure and
    the gap ``(optimal − greedy) / optimal`` beside it.

    When the exact solver stops at its time limit worse than the greedy, the greedy plan is
    returned: a plan is never worse than the greedy. The bound is the tighter of the two
    solvers' bounds; ``status`` the exact solver's.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> rng = np.random.default_rng(11)
    >>> cover = sparse.random(80, 50, density=0.06, random_state=rng) + sparse.eye(80, 50)
    >>> inst = Instance(cover, rng.integers(100, 5000, 80).astype(float))
    >>> p = plan(inst, 8, exact_too=True)
    >>> p.gap >= 0, p.greedy_newly_served <= p.newly_served
    (True, True)
    """
    g = greedy(instance, n)
    if not exact_too:
        return g
    e = exact(instance, n, solver=solver, time_limit=time_limit, start=list(g.sites))
    best = e if e.newly_served >= g.newly_served else g
    bound = max(best.newly_served, min(g.bound, e.bound))  # both are upper bounds
    gap = 0.0 if best.newly_served <= 0 else \
        max(0.0, (best.newly_served - g.newly_served) / best.newly_served)  # fmt: skip
    return replace(best, bound=bound, greedy_newly_served=g.newly_served, gap=gap,
                   status=e.status)
