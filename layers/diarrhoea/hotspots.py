"""Hot spots: Getis-Ord Gi* and Local Moran's I with FDR-corrected permutation p-values.

Both statistics come from esda (:class:`esda.G_Local` with ``star=True``,
:class:`esda.Moran_Local`); this module only aligns values with the weights, chooses the
p-value and the multiple-testing correction, and classifies.

p-values
    Conditional permutation (Anselin 1995): ``permutations`` random relocations of the
    other values around each village, seeded. The pseudo p-value is esda's **folded**
    alternative (:func:`esda.significance.calculate_significance`, ``"folded"``): the share
    of simulated statistics at least as far from the simulated mean as the observed one,
    ``(M + 1) / (R + 1)``. It is two-sided, so "confidence = 1 - p" matches the classic
    Getis-Ord classes (ArcGIS Hot Spot Analysis: 90 % ~ \\|z\\| >= 1.645). esda's default
    ``p_sim`` is "directed" (the nearer tail only, half the two-sided value), which esda
    itself no longer advises.
Multiple testing
    Benjamini–Hochberg false discovery rate through :func:`esda.fdr` (Benjamini &
    Hochberg 1995; Castro & Singer 2006): at level ``a`` a village is significant when its
    p-value is *below* ``esda.fdr(p, a)``, which is exactly the BH rejection set (esda
    returns ``a / n`` when nothing is rejected, so then nothing is). Without FDR
    (``fdr=False``) a village is significant when ``p <= a``.
Classes
    Gi*: ``hot_99 / hot_95 / hot_90`` and ``cold_99 / cold_95 / cold_90`` by the highest
    confidence level (0.99, 0.95, 0.90 = levels 0.01, 0.05, 0.10, each FDR-corrected on its
    own, as ArcGIS does) at which the village is significant; the sign is that of
    ``G* - mean(simulated G*)``; otherwise ``ns``. ``alpha`` sets the ``significant`` flags
    and the Local Moran classes, ``HH / LL / HL / LH`` (value high/low, neighbours'
    average high/low) or ``ns``.

References
----------
Getis, A. & Ord, J. K. (1992). The analysis of spatial association by use of distance
statistics. *Geographical Analysis* 24(3). Ord, J. K. & Getis, A. (1995). Local spatial
autocorrelation statistics. *Geographical Analysis* 27(4). Anselin, L. (1995). Local
indicators of spatial association — LISA. *Geographical Analysis* 27(2).
"""

from __future__ import annotations

import copy
import warnings

import esda
import numpy as np
import pandas as pd
from esda.significance import calculate_significance
from libpysal.weights import W

from layers.diarrhoea.weights import VillageWeights, star_weights

#: Gi* classes, cold to hot
GI_CLASSES = ("cold_99", "cold_95", "cold_90", "ns", "hot_90", "hot_95", "hot_99")
#: Local Moran's I classes (esda quadrant 1..4 = HH, LH, LL, HL)
LISA_CLASSES = ("HH", "LH", "LL", "HL", "ns")
#: (significance level, confidence label) of the Gi* classes, most confident first
GI_LEVELS = ((0.01, "99"), (0.05, "95"), (0.10, "90"))
NOT_SIGNIFICANT = "ns"


def significant(p: np.ndarray, level: float, fdr: bool = True) -> np.ndarray:
    """Which p-values are significant at ``level``, BH-FDR-corrected when ``fdr``.

    >>> significant(np.array([0.001, 0.02, 0.04, 0.3]), 0.05).tolist()
    [True, True, False, False]
    >>> significant(np.array([0.001, 0.02, 0.04, 0.3]), 0.05, fdr=False).tolist()
    [True, True, True, False]
    """
    p = np.asarray(p, dtype=float)
    if not fdr:
        return p <= level
    return p < esda.fdr(p, level)


class HotSpots:
    """Getis-Ord Gi* and Local Moran's I of one value per village.

    Parameters
    ----------
    values : pandas.Series
        One non-negative value per village (e.g. incidence per 1,000), indexed by
        ``kode_desa``; must cover every village of ``weights`` without NaN (extra codes
        are ignored).
    weights : VillageWeights or libpysal.weights.W
        From :mod:`layers.diarrhoea.weights` (row-standardised, ids = village codes).
    permutations : int
        Conditional permutations for the pseudo p-values.
    seed : int
        Seed of the permutations; the same seed gives the same result.
    alpha : float
        Significance level of ``gi_significant``, ``lisa_significant`` and the LISA classes.
    fdr : bool
        Benjamini–Hochberg correction (:func:`esda.fdr`) of every significance test.

    Attributes
    ----------
    codes : pandas.Index
        Village codes in weight order.
    y : numpy.ndarray
        The values in that order.
    gi : numpy.ndarray
        Gi* statistic (share of the total within the village and its neighbours, weighted).
    gi_z : numpy.ndarray
        Gi* standardised by the mean and standard deviation of its permutations (esda
        ``z_sim``); its sign and size agree with ``gi_p`` and ``gi_class``.
    gi_z_norm : numpy.ndarray
        Gi* standardised under the normal approximation (Ord & Getis 1995, esda ``Zs``).
        Not conditional on the village's own value, so it can differ from ``gi_z``.
    gi_p : numpy.ndarray
        Folded permutation pseudo p-value of Gi*.
    gi_significant : numpy.ndarray of bool
        Gi* significant at ``alpha`` (FDR-corrected when ``fdr``).
    gi_class : pandas.Categorical
        One of :data:`GI_CLASSES`.
    lisa : numpy.ndarray
        Local Moran's I.
    lisa_q : numpy.ndarray
        esda quadrant: 1 HH, 2 LH, 3 LL, 4 HL.
    lisa_p : numpy.ndarray
        Folded permutation pseudo p-value of Local Moran's I.
    lisa_significant : numpy.ndarray of bool
        Local Moran's I significant at ``alpha`` (FDR-corrected when ``fdr``).
    lisa_class : pandas.Categorical
        One of :data:`LISA_CLASSES`.
    gi_cutoffs : dict
        ``{level: p-value threshold}`` of the Gi* classes as applied (``p < t`` with FDR,
        else ``p <= t``).
    lisa_cutoff : float
        The same for Local Moran's I at ``alpha``.
    permutations, seed, alpha, fdr
        The parameters.
    table : pandas.DataFrame
        Everything per village, indexed by ``kode_desa``.
    """

    def __init__(
        self,
        values: pd.Series,
        weights: VillageWeights | W,
        permutations: int = 999,
        seed: int = 12345,
        alpha: float = 0.05,
        fdr: bool = True,
    ) -> None:
        if permutations < 1:
            raise ValueError("permutations must be at least 1")
        if isinstance(weights, VillageWeights):
            w, w_star = weights.w, weights.w_star
        else:
            w = _private(weights)
            w.transform = "R"
            w_star = star_weights(w)
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
        n = len(y)

        if np.ptp(y) == 0:  # a quiet week: no spatial pattern to test
            zeros, ones = np.zeros(n), np.ones(n)
            self.gi, self.gi_z, self.gi_z_norm, self.gi_p = zeros, zeros, zeros, ones
            self.lisa, self.lisa_q, self.lisa_p = zeros, np.zeros(n, dtype=int), ones
            direction = zeros
        else:
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
            self.gi = np.asarray(g.Gs, dtype=float)
            self.gi_z_norm = np.asarray(g.Zs, dtype=float)
            with np.errstate(divide="ignore", invalid="ignore"):
                self.gi_z = np.nan_to_num(np.asarray(g.z_sim, dtype=float))
            self.gi_p = _folded(self.gi, g.rGs)
            direction = self.gi - g.rGs.mean(axis=1)
            self.lisa = np.asarray(m.Is, dtype=float)
            self.lisa_q = np.asarray(m.q, dtype=int)
            self.lisa_p = _folded(self.lisa, m.rlisas)

        self.gi_cutoffs = {lv: _cutoff(self.gi_p, lv, fdr) for lv, _ in GI_LEVELS}
        self.lisa_cutoff = _cutoff(self.lisa_p, alpha, fdr)
        self.gi_significant = significant(self.gi_p, alpha, fdr)
        self.lisa_significant = significant(self.lisa_p, alpha, fdr)

        gi_class = np.full(n, NOT_SIGNIFICANT, dtype=object)
        for level, label in reversed(GI_LEVELS):  # 90, then 95, then 99 overwrite
            sig = significant(self.gi_p, level, fdr)
            gi_class[sig & (direction > 0)] = f"hot_{label}"
            gi_class[sig & (direction < 0)] = f"cold_{label}"
        self.gi_class = pd.Categorical(gi_class, categories=GI_CLASSES, ordered=True)

        lisa_class = np.full(n, NOT_SIGNIFICANT, dtype=object)
        for q, label in zip((1, 2, 3, 4), LISA_CLASSES[:4], strict=True):
            lisa_class[self.lisa_significant & (self.lisa_q == q)] = label
        self.lisa_class = pd.Categorical(lisa_class, categories=LISA_CLASSES)

    @property
    def table(self) -> pd.DataFrame:
        """Per-village results indexed by ``kode_desa``."""
        return pd.DataFrame(
            {
                "value": self.y,
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
            },
            index=self.codes,
        )

    def hot(self) -> list[str]:
        """Codes of the villages in a hot class (any confidence)."""
        return self.codes[np.char.startswith(np.asarray(self.gi_class, dtype=str), "hot")].tolist()

    def __repr__(self) -> str:
        counts = pd.Series(self.gi_class).value_counts().reindex(GI_CLASSES, fill_value=0)
        shown = ", ".join(f"{k}={v}" for k, v in counts.items() if v)
        return f"HotSpots(n={len(self.y)}, permutations={self.permutations}, {shown})"


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


def _cutoff(p: np.ndarray, level: float, fdr: bool) -> float:
    return float(esda.fdr(p, level)) if fdr else level


def _folded(observed: np.ndarray, simulated: np.ndarray) -> np.ndarray:
    """esda's folded pseudo p-value of each row of ``simulated`` (n, permutations)."""
    p = calculate_significance(observed, simulated, alternative="folded")
    return np.asarray(p, dtype=float).reshape(-1)


def hot_spots(
    values: pd.Series,
    weights: VillageWeights | W,
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
    fdr: bool = True,
) -> HotSpots:
    """Gi* and Local Moran's I hot spots of ``values``; see :class:`HotSpots`."""
    return HotSpots(values, weights, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
