"""What-if: add or remove planned Pustu one at a time and see the figures update at once.

A planner clicks villages on the map; each click opens or closes one site of the planning
:class:`~layers.pustu.planner.Instance`. :class:`WhatIf` keeps, per village, how many open
sites (existing Pustu included) serve it, so a toggle touches only the site's column:
O(column nnz) for the served population and coverage, plus the rows of the villages whose
state changed for the marginal gain of every other site (the ranking of where to build
next). Nothing is recomputed from scratch; :func:`layers.pustu.planner.evaluate` and
:func:`~layers.pustu.planner.marginal_gains` give the same figures (tested).

Existing Pustu are fixed: they cannot be removed, and the villages they serve are served
before any click. Written here (no library keeps incremental covering counts).

Examples
--------
>>> import numpy as np
>>> from scipy import sparse
>>> from layers.pustu.planner import Instance
>>> cover = sparse.csc_matrix(np.array([[1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1]]))
>>> w = WhatIf(Instance(cover, np.array([100.0, 50, 80, 10]), fixed=[True, False, False]))
>>> w.newly_served, w.ranking(2)
(0.0, ([1, 2], [130.0, 90.0]))
>>> c = w.toggle(1)
>>> c.added, c.delta, c.villages, round(c.coverage_pct, 1)
(True, 130.0, [1, 2], 95.8)
>>> w.ranking(2), w.loss(1)
(([2], [10.0]), 130.0)
>>> w.toggle(1).delta, w.planned
(-130.0, ())
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from layers.pustu.planner import Instance, Plan


@dataclass(frozen=True)
class Change:
    """What one toggle did.

    Attributes
    ----------
    site : int
        The column toggled.
    added : bool
        Opened (True) or closed (False).
    delta : float
        Population that became served (> 0) or lost service (< 0).
    villages : list of int
        Rows whose served state changed (the map restyles just these).
    served_population, newly_served, coverage_pct : float
        The figures after the toggle (``newly_served``: beyond what is served before any
        plan; ``coverage_pct``: of the whole population).
    """

    site: int
    added: bool
    delta: float
    villages: list[int]
    served_population: float
    newly_served: float
    coverage_pct: float


def _entries(indptr: np.ndarray, indices: np.ndarray,
             rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The column indices of the given CSR ``rows`` and, for each, which of ``rows`` it is."""
    starts, ends = indptr[rows], indptr[rows + 1]
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=indices.dtype), np.empty(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(rows)), lengths)
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return indices[starts[owner] + offsets], owner


class WhatIf:
    """An editable plan on an instance, updated incrementally.

    Parameters
    ----------
    instance
        The planning problem.
    planned
        Sites open at the start (e.g. a :class:`~layers.pustu.planner.Plan`'s ``sites``).
    """

    def __init__(self, instance: Instance, planned: Iterable[int] = ()) -> None:
        self.instance = instance
        csr = instance.cover_csr
        self._row_ptr, self._row_idx = csr.indptr, csr.indices
        self._pop = instance.population
        self._free = ~instance.served  # villages whose state depends on sites
        self._open = instance.fixed.copy()
        self._planned: list[int] = []
        self.counts = np.asarray(instance.cover[:, self._open].sum(axis=1)).ravel().astype(
            np.int32)  # fmt: skip
        self.served = instance.served | (self.counts > 0)
        self.served_population = float(self._pop[self.served].sum())
        weight = np.where(self.served, 0.0, self._pop)
        self.gains = np.asarray(instance.cover.T @ weight).ravel()
        for j in planned:
            self.add(int(j))

    @classmethod
    def from_plan(cls, instance: Instance, plan: Plan) -> WhatIf:
        """Start from a planner's answer."""
        return cls(instance, plan.sites)

    # ------------------------------------------------------------------ figures

    @property
    def planned(self) -> tuple[int, ...]:
        """Open sites that are not fixed, in the order they were opened."""
        return tuple(self._planned)

    @property
    def newly_served(self) -> float:
        return self.served_population - self.instance.base_population

    @property
    def coverage_pct(self) -> float:
        total = self.instance.total_population
        return 100.0 * self.served_population / total if total > 0 else float("nan")

    def is_open(self, site: int) -> bool:
        return bool(self._open[site])

    def loss(self, site: int) -> float:
        """Population that would lose service if the open ``site`` were closed."""
        rows = self.instance.column(site)
        alone = rows[(self.counts[rows] == 1) & self._free[rows]]
        return float(self._pop[alone].sum()) if self._open[site] else 0.0

    def ranking(self, k: int = 10) -> tuple[list[int], list[float]]:
        """The ``k`` closed candidates that would newly serve the most now (ties: lower
        column), with those gains; sites that add nobody are left out."""
        cand = self.instance.candidates
        cand = cand[~self._open[cand]]
        gains = self.gains[cand]
        keep = gains > 0
        cand, gains = cand[keep], gains[keep]
        if k < len(cand):
            part = np.argpartition(-gains, k - 1)[:k] if k > 0 else np.empty(0, dtype=int)
            cutoff = gains[part].min() if k > 0 else np.inf
            pool = np.flatnonzero(gains >= cutoff)  # the ties at the cut-off, too
            cand, gains = cand[pool], gains[pool]
        order = np.lexsort((cand, -gains))[:k]
        return cand[order].tolist(), gains[order].tolist()

    # ------------------------------------------------------------------ edits

    def _change(self, site: int, step: int) -> Change:
        rows = self.instance.column(site)
        before = self.counts[rows]
        self.counts[rows] = before + step
        edge = 0 if step > 0 else 1  # count before the change that flips the state
        turned = rows[(before == edge) & self._free[rows]]
        weight = self._pop[turned]
        delta = float(weight.sum())
        self.served[turned] = step > 0
        sign = 1.0 if step > 0 else -1.0
        self.served_population += sign * delta
        if len(turned):
            cols, owner = _entries(self._row_ptr, self._row_idx, turned)
            self.gains -= sign * np.bincount(cols, weights=weight[owner],
                                             minlength=self.instance.n_sites)  # fmt: skip
        return Change(site, step > 0, sign * delta, turned.tolist(), self.served_population,
                      self.newly_served, self.coverage_pct)  # fmt: skip

    def _check(self, site: int) -> int:
        if not 0 <= site < self.instance.n_sites:
            raise IndexError(f"site {site} out of range")
        if self.instance.fixed[site]:
            raise ValueError(f"site {site} is an existing Pustu: fixed, it cannot be toggled")
        return int(site)

    def add(self, site: int) -> Change:
        """Open ``site`` (``ValueError`` when it is open already or fixed)."""
        site = self._check(site)
        if self._open[site]:
            raise ValueError(f"site {site} is already in the plan")
        self._open[site] = True
        self._planned.append(site)
        return self._change(site, +1)

    def remove(self, site: int) -> Change:
        """Close the planned ``site`` (``ValueError`` when it is not in the plan or fixed)."""
        site = self._check(site)
        if not self._open[site]:
            raise ValueError(f"site {site} is not in the plan")
        self._open[site] = False
        self._planned.remove(site)
        return self._change(site, -1)

    def toggle(self, site: int) -> Change:
        """Open ``site`` if it is closed, else close it."""
        return self.remove(site) if self._open[self._check(site)] else self.add(site)
