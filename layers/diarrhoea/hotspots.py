"""Hot spots: Getis-Ord Gi* and Local Moran's I, permutation p-values, FDR per kabupaten.

Both statistics come from esda (:class:`esda.G_Local` with ``star=True``,
:class:`esda.Moran_Local`); this module aligns values with the weights, chooses the p-value,
the family of the multiple-testing correction and the number of permutations, and classifies.
The first stage (:func:`first_stage`) gives exactly what those two classes give but calls
esda's numba engine (``esda.crand``) itself, on sparse matrices kept with the cached weights
(the classes rebuilt them from the weight dicts on every call) and with one draw of the
permutation ids for both statistics.

p-values
    Conditional permutation (Anselin 1995): random relocations of the other values around
    each village, seeded. The pseudo p-value is esda's **folded** alternative
    (:func:`esda.significance.calculate_significance`, ``"folded"``): the share of simulated
    statistics at least as far from the simulated mean as the observed one,
    ``(M + 1) / (R + 1)``. It is two-sided, so "confidence = 1 - p" matches the classic
    Getis-Ord classes (ArcGIS Hot Spot Analysis: 90 % ~ \\|z\\| >= 1.645). esda's default
    ``p_sim`` is "directed" (the nearer tail only, half the two-sided value), which esda
    itself no longer advises.
Multiple testing: one family per kabupaten
    Benjamini–Hochberg false discovery rate through :func:`esda.fdr` (Benjamini &
    Hochberg 1995; Castro & Singer 2006 for LISA): at level ``a`` a village is significant
    when its p-value is *below* ``esda.fdr(p, a)`` of its family, which is exactly the BH
    rejection set (esda returns ``a / n`` when nothing is rejected, so then nothing is).
    The family is ``family="kab"`` by default: the villages of one kabupaten/kota, the list
    one district health office reads and answers for — the "separate-class" analysis of
    Efron (2008), which controls the FDR within each kabupaten's list. The statistic itself
    is always computed over the whole scope (a province view compares every village with the
    province). ``"kec"`` makes each kecamatan a family, ``"scope"`` all villages shown (the
    former default). Codes that are not dotted village codes form one family. Without FDR
    (``fdr=False``) a village is significant when ``p <= a``.
Permutations: enough for the family, where they matter
    BH over ``n`` tests asks the smallest p-value to be at most ``a / n`` for a lone village
    to pass, but a permutation p-value cannot be smaller than ``1 / (R + 1)``: with 999
    permutations and 8,494 villages no village can ever be significant (0.001 > 0.05 / 8,494),
    and in a district of 250 only a large cluster can. So every village first gets
    ``permutations`` (999) permutations in esda; then, with ``refine=True`` (and FDR), each
    village whose first p-value is at most :data:`REFINE_P` (0.01: ten or fewer of 999 as
    extreme) is recomputed with :func:`permutations_for` its family size — ``ceil(n / 0.01)``
    permutations rounded up to a thousand, minus one (24,999 for 250 villages; 47,999 for
    Bojonegoro's 474), at most :data:`MAX_PERMUTATIONS` — so a single village of the family
    can reach the 99 % class. This is a two-stage version of sequential Monte Carlo testing
    (Besag & Clifford 1991): permutations are spent only where the p-value is small, and the
    p-value stays valid — the second stage is a fresh, independent permutation test, and
    ``P(p <= u) <= u`` holds for every ``u`` (below the screen only second-stage p-values can
    be that small; above it, ``p <= u`` can only happen when the first-stage p-value was).
    The second stage draws, for village ``i`` with ``k`` neighbours, ``k`` distinct other
    villages' values per permutation (exactly the null of esda's conditional permutation)
    with its own seed ``(seed, i)``. Both statistics are affine in the neighbours' weighted
    sum, so one set of draws gives both folded p-values. ``refine=False`` keeps the
    ``permutations`` of the first stage for everyone.
Classes
    Gi*: ``hot_99 / hot_95 / hot_90`` and ``cold_99 / cold_95 / cold_90`` by the highest
    confidence level (0.99, 0.95, 0.90 = levels 0.01, 0.05, 0.10, each FDR-corrected on its
    own, as ArcGIS does) at which the village is significant; the sign is that of
    ``G* - mean(simulated G*)``; otherwise ``ns``. ``alpha`` sets the ``significant`` flags
    and the Local Moran classes, ``HH / LL / HL / LH`` (value high/low, neighbours'
    average high/low) or ``ns``.

What was done is returned with the result (:attr:`HotSpots.families`,
:attr:`HotSpots.n_permutations`, :meth:`HotSpots.method`) so that a legend can state it.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3). Ord, J. K. & Getis, A. (1995). Local spatial
autocorrelation statistics. *Geographical Analysis* 27(4). Anselin, L. (1995). Local
indicators of spatial association — LISA. *Geographical Analysis* 27(2). Benjamini, Y. &
Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1). Besag, J. &
Clifford, P. (1991). Sequential Monte Carlo p-values. *Biometrika* 78(2). Castro, M. C. &
Singer, B. H. (2006). Controlling the false discovery rate: a new application to account
for multiple and dependent tests in local statistics of spatial association. *Geographical
Analysis* 38(2). Efron, B. (2008). Simultaneous inference: when should hypothesis testing
problems be combined? *Annals of Applied Statistics* 2(1).
"""

from __future__ import annotations

import copy
import math
import re
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, get_args

import esda
import numpy as np
import pandas as pd
from esda.crand import compute_chunk, vec_permutations
from esda.getisord import _g_local_star_crand
from esda.moran import _moran_local_crand
from esda.significance import calculate_significance
from libpysal.weights import W, lat2W
from scipy import sparse

from layers.text import Text, fmt_number

#: Gi* classes, cold to hot
GI_CLASSES = ("cold_99", "cold_95", "cold_90", "ns", "hot_90", "hot_95", "hot_99")
#: Local Moran's I classes (esda quadrant 1..4 = HH, LH, LL, HL)
LISA_CLASSES = ("HH", "LH", "LL", "HL", "ns")
#: (significance level, confidence label) of the Gi* classes, most confident first
GI_LEVELS = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
NOT_SIGNIFICANT = "ns"

Family = Literal["kab", "kec", "scope"]
FAMILIES: tuple[str, ...] = get_args(Family)
DEFAULT_FAMILY: Family = "kab"
#: first-stage permutations of every village
PERMUTATIONS = 999
#: first-stage p-value at or below which a village is recomputed with more permutations
REFINE_P = 0.01
#: most permutations a refined village gets
MAX_PERMUTATIONS = 99_999
#: the strictest class level: a lone village of a family must be able to reach it
STRICTEST_LEVEL = min(level for level, _ in GI_LEVELS)

_VILLAGE_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$", re.ASCII)
_FAMILY_DIGITS = {"kab": 5, "kec": 8}
#: permutations drawn at once in the second stage (bounds its memory)
_CHUNK = 8192
#: most neighbours for which the second stage compares draws pairwise (else sorts)
_PAIRWISE_MAX = 16

FAMILY_NAMES: dict[str, Text] = {
    "kab": Text("kabupaten/kota", "kabupaten/kota"),
    "kec": Text("kecamatan", "kecamatan"),
    "scope": Text("wilayah tampilan", "area shown"),
}


class StarWeights(Protocol):
    """Weights with their Gi* version, as :class:`layers.diarrhoea.weights.VillageWeights`."""

    @property
    def w(self) -> W: ...

    @property
    def w_star(self) -> W: ...


@dataclass(frozen=True, eq=False)
class Matrices:
    """The sparse (CSR) matrices of a weight set and of its Gi* version, built once.

    esda's conditional randomisation zeroes the diagonal of the matrix it is given *in
    place* (see :func:`_private`), so :func:`first_stage` hands it a copy; these matrices
    are never changed and can be shared (cached weights keep theirs).
    """

    w: sparse.csr_matrix
    star: sparse.csr_matrix

    @classmethod
    def of(cls, w: W, w_star: W) -> Matrices:
        """The matrices libpysal builds for ``w`` and ``w_star`` (from private copies)."""
        return cls(_private(w).sparse, _private(w_star).sparse)


@dataclass(frozen=True, eq=False)
class FirstStage:
    """The first stage: Gi* (``gs``), its normal-approximation z (``zs``), its permutation
    z (``z_sim``) and simulations (``r_gs``, villages × permutations); Local Moran's I
    (``lisa``), its quadrant (``lisa_q``) and simulations (``r_lisa``)."""

    gs: np.ndarray
    zs: np.ndarray
    z_sim: np.ndarray
    r_gs: np.ndarray
    lisa: np.ndarray
    lisa_q: np.ndarray
    r_lisa: np.ndarray


def star_weights(w: W) -> W:
    """Binary neighbours of ``w`` plus a self-weight of 1, row-standardised (Gi* weights).

    >>> from libpysal.weights import lat2W
    >>> star = star_weights(lat2W(2, 2, rook=True))
    >>> sorted(star.neighbors[0]), star.weights[0]
    ([0, 1, 2], [0.3333333333333333, 0.3333333333333333, 0.3333333333333333])
    """
    neighbors = {i: [i, *(j for j in w.neighbors[i] if j != i)] for i in w.id_order}
    star = W(neighbors, id_order=list(w.id_order), silence_warnings=True)
    star.transform = "R"
    return star


def family_keys(codes: Sequence[str], family: Family = DEFAULT_FAMILY) -> np.ndarray:
    """The multiple-testing family of each village: its kabupaten, kecamatan or one for all.

    Codes that are not dotted village codes (``PP.KK.CC.DDDD``) all go to one family ``""``.

    >>> family_keys(["35.10.01.2001", "35.10.02.2001", "35.22.01.2001"]).tolist()
    ['35.10', '35.10', '35.22']
    >>> family_keys(["35.10.01.2001", "35.10.02.2001"], "kec").tolist()
    ['35.10.01', '35.10.02']
    >>> family_keys(["0", "1"]).tolist()
    ['', '']
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    codes = [str(c) for c in codes]
    if family == "scope" or not all(_VILLAGE_CODE.match(c) for c in codes):
        return np.full(len(codes), "", dtype=object)
    digits = _FAMILY_DIGITS[family]
    return np.array([c[:digits] for c in codes], dtype=object)


def permutations_for(n: int, level: float = STRICTEST_LEVEL, at_least: int = PERMUTATIONS,
                     at_most: int = MAX_PERMUTATIONS) -> int:  # fmt: skip
    """Permutations that let one village of a family of ``n`` pass BH at ``level``.

    ``R + 1 >= n / level`` (the smallest p-value ``1 / (R + 1)`` is then at most
    ``level / n``), rounded up to a thousand minus one, within ``[at_least, at_most]``.

    >>> permutations_for(250), permutations_for(474), permutations_for(8494)
    (24999, 47999, 99999)
    >>> permutations_for(5)
    999
    """
    if n < 1:
        raise ValueError("a family has at least one village")
    needed = math.ceil(math.ceil(n / level) / 1000) * 1000 - 1
    return int(min(max(needed, at_least), at_most))


def significant(p: np.ndarray, level: float, fdr: bool = True,
                groups: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Which p-values are significant at ``level``, BH-FDR-corrected within each group.

    >>> significant(np.array([0.001, 0.02, 0.04, 0.3]), 0.05).tolist()
    [True, True, False, False]
    >>> significant(np.array([0.001, 0.02, 0.04, 0.3]), 0.05, fdr=False).tolist()
    [True, True, True, False]
    >>> significant(np.array([0.001, 0.02, 0.04, 0.3]), 0.05,
    ...             groups=np.array(["a", "b", "b", "a"])).tolist()
    [True, True, True, False]
    """
    p = np.asarray(p, dtype=float)
    if not fdr:
        return p <= level
    if groups is None:
        return p < esda.fdr(p, level)
    out = np.zeros(len(p), dtype=bool)
    for key in pd.unique(groups):
        members = np.flatnonzero(groups == key)
        out[members] = p[members] < esda.fdr(p[members], level)
    return out


class HotSpots:
    """Getis-Ord Gi* and Local Moran's I of one value per village.

    Parameters
    ----------
    values : pandas.Series
        One non-negative value per village (e.g. incidence per 1,000), indexed by
        ``kode_desa``; must cover every village of ``weights`` without NaN (extra codes
        are ignored).
    weights : VillageWeights or libpysal.weights.W
        From :mod:`layers.diarrhoea.weights` (row-standardised, ids = village codes), or
        any libpysal W (binary neighbours; row-standardised here).
    permutations : int
        First-stage conditional permutations of every village (esda).
    seed : int
        Seed of the permutations; the same seed gives the same result.
    alpha : float
        Significance level of ``gi_significant``, ``lisa_significant`` and the LISA classes.
    fdr : bool
        Benjamini–Hochberg correction (:func:`esda.fdr`) of every significance test, within
        each family.
    family : {"kab", "kec", "scope"}
        The multiple-testing family (module docstring).
    refine : bool
        Recompute the villages with a first-stage p-value ≤ :data:`REFINE_P` with
        :func:`permutations_for` their family's size (only with ``fdr``).

    Attributes
    ----------
    codes : pandas.Index
        Village codes in weight order.
    y : numpy.ndarray
        The values in that order.
    groups : numpy.ndarray of str
        The family of each village (:func:`family_keys`).
    gi : numpy.ndarray
        Gi* statistic (share of the total within the village and its neighbours, weighted).
    gi_z : numpy.ndarray
        Gi* standardised by the mean and standard deviation of its first-stage permutations
        (esda ``z_sim``); its sign agrees with ``gi_class``.
    gi_z_norm : numpy.ndarray
        Gi* standardised under the normal approximation (Ord & Getis 1995, esda ``Zs``).
        Not conditional on the village's own value, so it can differ from ``gi_z``.
    gi_p : numpy.ndarray
        Folded permutation pseudo p-value of Gi* (second stage where refined).
    gi_significant : numpy.ndarray of bool
        Gi* significant at ``alpha`` (FDR-corrected within the family when ``fdr``).
    gi_class : pandas.Categorical
        One of :data:`GI_CLASSES`.
    lisa, lisa_q, lisa_p, lisa_significant, lisa_class
        Local Moran's I, its esda quadrant (1 HH, 2 LH, 3 LL, 4 HL), folded p-value,
        significance at ``alpha`` and class (one of :data:`LISA_CLASSES`).
    n_permutations : numpy.ndarray of int
        Permutations behind each village's p-values (``permutations``, or the family's
        :func:`permutations_for` where refined).
    refined : numpy.ndarray of bool
        Villages recomputed in the second stage.
    families : pandas.DataFrame
        One row per family (index: kabupaten/kecamatan code, ``""`` for one family):
        ``villages``, ``permutations`` (of a refined village), ``refined``, ``p_floor``
        (the smallest p-value any of its villages could get), ``cutoff_99/95/90`` (the
        p-value threshold applied: ``p < t`` with FDR, else ``p <= t``), ``hot``, ``cold``.
    permutations, seed, alpha, fdr, family, refine
        The parameters.
    table : pandas.DataFrame
        Everything per village, indexed by ``kode_desa``.

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> lattice = lat2W(6, 6, rook=False, id_type="string")
    >>> y = pd.Series(1.0, index=lattice.id_order)
    >>> y[["id0", "id1", "id6", "id7"]] = 9.0
    >>> hs = HotSpots(y, lattice, seed=1)
    >>> hs.hot(), int(hs.refined.sum()), int(hs.n_permutations.max())
    (['id0', 'id1', 'id6'], 3, 3999)
    """

    @staticmethod
    def _first_stage(y: np.ndarray, w: W, w_star: W, matrices: Callable[[], Matrices],
                     permutations: int, seed: int) -> FirstStage:  # fmt: skip
        """The first stage (:func:`first_stage`; ``matrices()`` gives the weights'
        matrices, ``w`` and ``w_star`` are for a subclass that needs the objects)."""
        return first_stage(y, matrices(), permutations, seed)

    @staticmethod
    def _draws(rng: np.random.Generator, i: int, n: int, k: int, count: int) -> np.ndarray:
        """The second stage's draws (:func:`_draws`)."""
        return _draws(rng, i, n, k, count)

    def __init__(
        self,
        values: pd.Series,
        weights: StarWeights | W,
        permutations: int = PERMUTATIONS,
        seed: int = 12345,
        alpha: float = 0.05,
        fdr: bool = True,
        family: Family = DEFAULT_FAMILY,
        refine: bool = True,
    ) -> None:
        if permutations < 1:
            raise ValueError("permutations must be at least 1")
        if isinstance(weights, W):
            w = _private(weights)
            w.transform = "R"
            w_star = star_weights(w)
        else:
            w, w_star = weights.w, weights.w_star

        def matrices() -> Matrices:  # kept with cached weights (VillageWeights.matrices)
            return getattr(weights, "matrices", None) or Matrices.of(w, w_star)

        self.codes = pd.Index(list(w.id_order), name="kode_desa")
        y = values.reindex(self.codes).to_numpy(dtype=float)
        if np.isnan(y).any():
            missing = self.codes[np.isnan(y)][:5].tolist()
            raise ValueError(f"no value for villages {missing} (fill or subset first)")
        if (y < 0).any():
            raise ValueError("Gi* needs non-negative values")
        self.y = y
        self.permutations = permutations
        self.seed = seed
        self.alpha = alpha
        self.fdr = fdr
        self.family = family
        self.refine = refine
        self.groups = family_keys(self.codes, family)
        n = len(y)
        self.n_permutations = np.full(n, permutations, dtype=np.int64)
        self.refined = np.zeros(n, dtype=bool)
        sizes = pd.Series(self.groups).value_counts()

        if np.ptp(y) == 0:  # a quiet week: no spatial pattern to test
            zeros, ones = np.zeros(n), np.ones(n)
            self.gi, self.gi_z, self.gi_z_norm, self.gi_p = zeros, zeros, zeros, ones
            self.lisa, self.lisa_q, self.lisa_p = zeros, np.zeros(n, dtype=int), ones
            direction = zeros
        else:
            first = self._first_stage(y, w, w_star, matrices, permutations, seed)
            self.gi = first.gs
            self.gi_z_norm = first.zs
            with np.errstate(divide="ignore", invalid="ignore"):
                self.gi_z = np.nan_to_num(first.z_sim)
            self.gi_p = _folded(self.gi, first.r_gs)
            direction = self.gi - first.r_gs.mean(axis=1)
            self.lisa = first.lisa
            self.lisa_q = first.lisa_q
            self.lisa_p = _folded(self.lisa, first.r_lisa)
            if refine and fdr:
                needed = sizes.map(permutations_for).reindex(self.groups).to_numpy(np.int64)
                todo = np.flatnonzero((np.minimum(self.gi_p, self.lisa_p) <= REFINE_P)
                                      & (needed > permutations))  # fmt: skip
                if len(todo):
                    gi_p, lisa_p, shift = _second_stage(y, w, w_star, todo, needed[todo],
                                                       seed, self._draws)
                    self.gi_p[todo], self.lisa_p[todo], direction[todo] = gi_p, lisa_p, shift
                    self.n_permutations[todo] = needed[todo]
                    self.refined[todo] = True

        groups = self.groups
        self.gi_significant = significant(self.gi_p, alpha, fdr, groups)
        self.lisa_significant = significant(self.lisa_p, alpha, fdr, groups)

        gi_class = np.full(n, NOT_SIGNIFICANT, dtype=object)
        for level, label in reversed(GI_LEVELS):  # 90, then 95, then 99 overwrite
            sig = significant(self.gi_p, level, fdr, groups)
            gi_class[sig & (direction > 0)] = f"hot_{label}"
            gi_class[sig & (direction < 0)] = f"cold_{label}"
        self.gi_class = pd.Categorical(gi_class, categories=GI_CLASSES, ordered=True)

        lisa_class = np.full(n, NOT_SIGNIFICANT, dtype=object)
        for q, label in zip((1, 2, 3, 4), LISA_CLASSES[:4], strict=True):
            lisa_class[self.lisa_significant & (self.lisa_q == q)] = label
        self.lisa_class = pd.Categorical(lisa_class, categories=LISA_CLASSES)
        self.families = self._families(sizes)

    def _families(self, sizes: pd.Series) -> pd.DataFrame:
        rows = {}
        hot = np.char.startswith(np.asarray(self.gi_class, dtype=str), "hot")
        cold = np.char.startswith(np.asarray(self.gi_class, dtype=str), "cold")
        for key in sorted(sizes.index):
            members = self.groups == key
            perms = self.permutations
            if self.refine and self.fdr:
                perms = max(perms, permutations_for(int(sizes[key])))
            rows[key] = {
                "villages": int(sizes[key]),
                "permutations": perms,
                "refined": int(self.refined[members].sum()),
                "p_floor": 1 / (perms + 1),
                **{f"cutoff_{label}": _cutoff(self.gi_p[members], level, self.fdr)
                   for level, label in GI_LEVELS},
                "hot": int(hot[members].sum()),
                "cold": int(cold[members].sum()),
            }  # fmt: skip
        frame = pd.DataFrame.from_dict(rows, orient="index")
        frame.index.name = "family"
        return frame

    @property
    def table(self) -> pd.DataFrame:
        """Per-village results indexed by ``kode_desa``."""
        return pd.DataFrame(
            {
                "value": self.y,
                "family": self.groups,
                "gi": self.gi,
                "gi_z": self.gi_z,
                "gi_z_norm": self.gi_z_norm,
                "gi_p": self.gi_p,
                "gi_significant": self.gi_significant,
                "gi_class": self.gi_class,
                "lisa": self.lisa,
                "lisa_q": self.lisa_q,
                "lisa_p": self.lisa_p,
                "lisa_significant": self.lisa_significant,
                "lisa_class": self.lisa_class,
                "n_permutations": self.n_permutations,
                "refined": self.refined,
            },
            index=self.codes,
        )

    def hot(self) -> list[str]:
        """Codes of the villages in a hot class (any confidence)."""
        return self.codes[np.char.startswith(np.asarray(self.gi_class, dtype=str), "hot")].tolist()

    def method(self) -> Text:
        """One sentence (id/en) saying how significance was decided, for a legend or summary.

        Examples
        --------
        >>> from libpysal.weights import lat2W
        >>> lattice = lat2W(3, 3, id_type="string")
        >>> hs = HotSpots(pd.Series(np.arange(9.0), index=lattice.id_order), lattice, seed=0)
        >>> hs.method().en
        'Benjamini–Hochberg FDR over the 9 villages; 999 conditional permutations'
        >>> hs.method().id
        'FDR Benjamini–Hochberg atas 9 desa; 999 permutasi bersyarat'
        """
        fam = self.families
        n_fam, n, big = len(fam), int(fam["villages"].sum()), int(fam["villages"].max())
        if not self.fdr:
            head = Text("tanpa koreksi FDR (p ≤ taraf)", "no FDR correction (p ≤ level)")
        elif n_fam == 1:
            head = Text(f"FDR Benjamini–Hochberg atas {fmt_number(n, 'id')} desa",
                        f"Benjamini–Hochberg FDR over the {fmt_number(n, 'en')} villages")
        else:
            name = FAMILY_NAMES[self.family]
            head = Text(
                f"FDR Benjamini–Hochberg per {name.id} ({n_fam} {name.id}, terbesar "
                f"{fmt_number(big, 'id')} desa)",
                f"Benjamini–Hochberg FDR within each {name.en} ({n_fam} of them, largest "
                f"{fmt_number(big, 'en')} villages)",
            )  # fmt: skip
        perms = self.permutations
        body = Text(f"{fmt_number(perms, 'id')} permutasi bersyarat",
                    f"{fmt_number(perms, 'en')} conditional permutations")  # fmt: skip
        n_refined = int(self.refined.sum())
        if n_refined:
            most = int(self.n_permutations.max())
            body = Text(
                f"{body.id}, {fmt_number(n_refined, 'id')} desa dengan p ≤ "
                f"{fmt_number(REFINE_P, 'id', 2)} dihitung ulang dengan hingga "
                f"{fmt_number(most, 'id')} permutasi (p terkecil {p_text(1 / (most + 1), 'id')})",
                f"{body.en}; {fmt_number(n_refined, 'en')} villages with p ≤ "
                f"{fmt_number(REFINE_P, 'en', 2)} recomputed with up to {fmt_number(most, 'en')} "
                f"(smallest p {p_text(1 / (most + 1), 'en')})",
            )  # fmt: skip
        short = fam["p_floor"] > STRICTEST_LEVEL / fam["villages"]
        if self.fdr and short.any():
            floor = float(fam.loc[short, "p_floor"].min())
            big = int(fam.loc[short, "villages"].max())
            loosest = max(level for level, _ in GI_LEVELS)
            reach = (Text("bahkan 90 %", "even 90 %") if floor > loosest / big
                     else Text("99 %", "99 %"))  # fmt: skip
            body = Text(
                f"{body.id}; p terkecil {p_text(floor, 'id')} belum cukup agar satu desa saja "
                f"dapat signifikan {reach.id} dalam kelompok {fmt_number(big, 'id')} desa",
                f"{body.en}; the smallest p {p_text(floor, 'en')} is too large for a lone "
                f"village to reach {reach.en} in a group of {fmt_number(big, 'en')}",
            )  # fmt: skip
        return Text(f"{head.id}; {body.id}", f"{head.en}; {body.en}")

    def __repr__(self) -> str:
        counts = pd.Series(self.gi_class).value_counts().reindex(GI_CLASSES, fill_value=0)
        shown = ", ".join(f"{k}={v}" for k, v in counts.items() if v)
        return (f"HotSpots(n={len(self.y)}, permutations={self.permutations}, "
                f"refined={int(self.refined.sum())}, family={self.family!r}, {shown})")


def p_text(p: float, lang: str) -> str:
    """A small p-value to two significant digits, trailing zeros dropped.

    >>> p_text(1 / 1000, "en"), p_text(1 / 25_000, "id"), p_text(1 / 48_000, "en")
    ('0.001', '0,00004', '0.000021')
    """
    decimals = max(3, -math.floor(math.log10(p)) + 1) if p > 0 else 3
    text = fmt_number(p, lang, decimals)
    mark = "." if lang == "en" else ","
    return text.rstrip("0").rstrip(mark) if mark in text else text


def _private(w: W) -> W:
    """A shallow copy of ``w`` with its own cached matrices.

    esda 2.9's conditional randomisation (``esda.crand._crand_plus``) zeroes the diagonal
    of ``w.sparse`` *in place*, i.e. of the matrix the W caches: a cached Gi* weight set
    would lose its self-weights after one use (and concurrent requests would share the
    change). Each esda call gets a copy whose matrix is rebuilt from the (unchanged)
    neighbour and weight dicts.
    """
    private = copy.copy(w)
    private._reset()  # new, empty matrix cache for the copy only
    return private


def _esda(y: np.ndarray, w: W, w_star: W, permutations: int, seed: int) -> tuple:
    """esda's Gi* (on ``w_star``) and Local Moran's I (on ``w``), simulations kept."""
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # esda warns that its default alternative will change (we choose our own)
        # and divides by a zero spread where all neighbours are equal.
        warnings.simplefilter("ignore", DeprecationWarning)
        g = esda.G_Local(
            y, _private(w_star), transform="R", permutations=permutations, star=True,
            keep_simulations=True, n_jobs=1, seed=seed,
        )  # fmt: skip
        m = esda.Moran_Local(
            y, _private(w), transformation="r", permutations=permutations,
            keep_simulations=True, n_jobs=1, seed=seed,
        )  # fmt: skip
    return g, m


def _crand(z: np.ndarray, matrix: sparse.csr_matrix, observed: np.ndarray,
           permuted: np.ndarray | None, permutations: int, seed: int, stat: Callable,
           scaling: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """esda's conditional randomisation (:func:`esda.crand.crand`, ``n_jobs=1``, simulations
    kept): the same preparation of the weights, the same permutation ids for a seed, the
    same numba kernel, on a copy of ``matrix`` (esda zeroes its diagonal in place).

    Returns the permutation ids (``permuted`` when given and of the right shape: for one
    seed both statistics draw the same ids) and the simulations (villages × permutations).
    """
    adj = matrix.copy()
    self_weights = adj.diagonal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as esda: the diagonal's sparsity changes
        adj.setdiag(0)
        adj.eliminate_zeros()
    other_weights = adj.data.astype(z.dtype)
    cardinalities = np.array((adj != 0).sum(1)).flatten()
    max_card = cardinalities.max()
    if permuted is None or permuted.shape != (permutations, max_card):
        permuted = vec_permutations(max_card, len(z), permutations, seed)
    _, simulated = compute_chunk(0, z, z, observed, cardinalities, self_weights,
                                 other_weights, permuted, scaling, True, stat, 0,
                                 alternative="directed")  # fmt: skip
    return permuted, simulated


def first_stage(y: np.ndarray, matrices: Matrices, permutations: int, seed: int) -> FirstStage:
    """Gi* and Local Moran's I with ``permutations`` conditional permutations each, exactly
    as ``esda.G_Local(y, w_star, transform="R", star=True, n_jobs=1, seed=seed)`` and
    ``esda.Moran_Local(y, w, transformation="r", n_jobs=1, seed=seed)`` compute them (their
    expressions, esda's numba kernels, the same matrices) without the two classes: they
    rebuild each weight set's sparse matrix from its dicts on every call — three builds,
    half of a warm province call — and each draws the same permutation ids for the seed.
    ``tests/test_layer_paths.py`` checks that the results are equal.
    """
    n = len(y)
    star = matrices.star
    with np.errstate(divide="ignore", invalid="ignore"):
        # esda.getisord.G_Local.calc, star=True (no self value removed)
        remove_self = False
        big_n = n - remove_self
        statistic = (star @ y) / (y.sum() - y * remove_self)
        empirical_mean = (y.sum() - y * remove_self) / big_n
        mean_of_squares = ((y**2).sum() - (y**2) * remove_self) / big_n
        empirical_variance = mean_of_squares - empirical_mean**2
        cardinality = np.asarray(star.sum(axis=1)).squeeze()
        expected_value = cardinality / big_n
        expected_variance = cardinality * (big_n - cardinality)
        expected_variance /= big_n - 1
        expected_variance *= 1 / big_n**2
        expected_variance *= empirical_variance / (empirical_mean**2)
        z_scores = (statistic - expected_value) / np.sqrt(expected_variance)
        permuted, r_gs = _crand(y, star, statistic, None, permutations, seed,
                                _g_local_star_crand, y.sum())  # fmt: skip
        sim = r_gs.T
        z_sim = (statistic - sim.mean(axis=0)) / sim.std(axis=0)

        # esda.moran.Moran_Local: z, the statistic, the quadrants
        z = y - y.mean()
        z /= y.std()
        lag = matrices.w @ z
        lisa = (n - 1) * z * lag / (z * z).sum()
        zp, lp = z > 0, lag > 0
        quads = (1 * (zp * lp) + 2 * ((1 - zp) * lp) + 3 * ((1 - zp) * (1 - lp))
                 + 4 * (zp * (1 - lp)))  # fmt: skip
        _, r_lisa = _crand(z, matrices.w, lisa, permuted, permutations, seed,
                           _moran_local_crand, (n - 1) / (z * z).sum())  # fmt: skip
    return FirstStage(gs=np.asarray(statistic, dtype=float), zs=np.asarray(z_scores, float),
                      z_sim=np.asarray(z_sim, float), r_gs=r_gs, lisa=np.asarray(lisa, float),
                      lisa_q=np.asarray(quads, dtype=int), r_lisa=r_lisa)  # fmt: skip


def _cutoff(p: np.ndarray, level: float, fdr: bool) -> float:
    return float(esda.fdr(p, level)) if fdr else level


def _folded(observed: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """esda's folded pseudo p-value of each row of ``simulated`` (n, permutations)."""
    p = calculate_significance(observed, simulated, alternative="folded")
    return np.asarray(p, dtype=float).reshape(-1)


def _row(w: W, code: object) -> tuple[list[object], np.ndarray]:
    """Neighbours of ``code`` other than itself and their weights."""
    pairs = [(j, wt) for j, wt in zip(w.neighbors[code], w.weights[code], strict=True)
             if j != code]  # fmt: skip
    return [j for j, _ in pairs], np.array([wt for _, wt in pairs], dtype=float)


def _draws(rng: np.random.Generator, i: int, n: int, k: int, count: int) -> np.ndarray:
    """``count`` draws of ``k`` distinct indices of ``0..n-1`` other than ``i`` (uniform
    ordered tuples: the null of a conditional permutation)."""
    if k * (k - 1) <= 4 * (n - 1):  # ≤ 2 duplicates expected per row: redraw those rows
        draw = rng.integers(0, n - 1, size=(count, k))
        while k > 1:
            bad = np.flatnonzero(_repeats(draw))
            if not len(bad):
                break
            draw[bad] = rng.integers(0, n - 1, size=(len(bad), k))
    else:  # few villages: k smallest of random keys
        draw = np.argsort(rng.random((count, n - 1)), axis=1)[:, :k]
    return draw + (draw >= i)  # skip the village itself


def _repeats(draw: np.ndarray) -> np.ndarray:
    """Which rows of ``draw`` hold a value twice: every pair of columns compared (k²/2
    vectorised comparisons, cheaper than sorting each row for the few neighbours a village
    has); rows sorted beyond :data:`_PAIRWISE_MAX` columns."""
    k = draw.shape[1]
    if k > _PAIRWISE_MAX:
        ordered = np.sort(draw, axis=1)
        return (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
    found = np.zeros(len(draw), dtype=bool)
    for a in range(k - 1):
        column = draw[:, a]
        for b in range(a + 1, k):
            found |= column == draw[:, b]
    return found


def _folded_sums(observed: float, sims: np.ndarray) -> tuple[float, float]:
    """Folded p-value of ``observed`` among ``sims`` and ``observed - mean(sims)``."""
    centre = sims.mean()
    far = abs(observed - centre)
    tol = 1e-9 * max(1.0, abs(observed), abs(centre))  # ties (summation order) count
    p = (np.count_nonzero(np.abs(sims - centre) >= far - tol) + 1) / (len(sims) + 1)
    return float(p), float(observed - centre)


def _second_stage(y: np.ndarray, w: W, w_star: W, todo: np.ndarray, perms: np.ndarray,
                  seed: int, draws: Callable[..., np.ndarray] = _draws,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Folded p-values of Gi* and Local Moran's I of the villages ``todo`` with ``perms``
    fresh conditional permutations each, and the sign of Gi* against its simulated mean.

    Gi*'s simulated values are ``(w_ii y_i + Σ w_ij y_drawn) / Σy`` and Local Moran's
    ``z_i (Σ w_ij z_drawn) (n - 1) / Σz²``: both affine in the weighted sum of the drawn
    values (z is affine in y), so the folded p-value of each is that of its weighted sum.
    """
    ids = list(w.id_order)
    position = {c: k for k, c in enumerate(ids)}
    n = len(y)
    p_gi, p_lisa, shift = (np.empty(len(todo)) for _ in range(3))
    for out, i in enumerate(todo.tolist()):
        code = ids[i]
        nb_lisa, wt_lisa = _row(w, code)
        nb_gi, wt_gi = _row(w_star, code)
        k = len(nb_lisa)
        if k == 0 or k != len(nb_gi):
            p_gi[out] = p_lisa[out] = 1.0
            shift[out] = 0.0
            continue
        order = [nb_gi.index(j) for j in nb_lisa]  # the same neighbour gets the same draw
        wt_gi = wt_gi[order]
        neighbours = np.array([position[j] for j in nb_lisa])
        rng = np.random.default_rng([seed, i])
        total = int(perms[out])
        sims_gi, sims_lisa = np.empty(total), np.empty(total)
        for start in range(0, total, _CHUNK):
            count = min(_CHUNK, total - start)
            values = y[draws(rng, i, n, k, count)]
            sims_gi[start:start + count] = values @ wt_gi
            sims_lisa[start:start + count] = values @ wt_lisa
        p_gi[out], shift[out] = _folded_sums(float(y[neighbours] @ wt_gi), sims_gi)
        p_lisa[out], _ = _folded_sums(float(y[neighbours] @ wt_lisa), sims_lisa)
    return p_gi, p_lisa, shift


def hot_spots(
    values: pd.Series,
    weights: StarWeights | W,
    permutations: int = PERMUTATIONS,
    seed: int = 12345,
    alpha: float = 0.05,
    fdr: bool = True,
    family: Family = DEFAULT_FAMILY,
    refine: bool = True,
) -> HotSpots:
    """Gi* and Local Moran's I hot spots of ``values``; see :class:`HotSpots`.

    ``family="scope", refine=False`` is the former default (one BH family over every
    village, 999 permutations for all).

    Examples
    --------
    >>> from libpysal.weights import lat2W
    >>> lattice = lat2W(10, 10, rook=False, id_type="string")
    >>> y = pd.Series(np.random.default_rng(1).poisson(2, 100), index=lattice.id_order)
    >>> block = ["id11", "id12", "id21", "id22"]
    >>> y[block] += 12
    >>> result = hot_spots(y.astype(float), lattice, seed=1)
    >>> sorted(set(result.hot()) & set(block))
    ['id11', 'id12', 'id21', 'id22']
    >>> int(result.n_permutations.max()), int(result.refined.sum())
    (9999, 11)
    """
    return HotSpots(values, weights, permutations=permutations, seed=seed, alpha=alpha,
                    fdr=fdr, family=family, refine=refine)  # fmt: skip


_warm_lock = threading.Lock()
_warmed = False


def warm_up() -> float:
    """Compile esda's numba code paths (Gi*, Local Moran's I) once, on a 5x5 lattice.

    Call at application start-up, never from a user's request: the first compile takes
    ~15 s. Later calls return at once.

    Returns
    -------
    float
        Seconds spent (0 when already warm).
    """
    global _warmed
    with _warm_lock:
        if _warmed:
            return 0.0
        start = time.perf_counter()
        lattice = lat2W(5, 5, rook=False, id_type="string")
        lattice.transform = "R"
        values = pd.Series(np.arange(25, dtype=float), index=lattice.id_order)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hot_spots(values, lattice, permutations=9, seed=0)
        _warmed = True
        return time.perf_counter() - start
