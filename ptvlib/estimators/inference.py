"""Inference helpers: CR1 and HAC sandwiches, wild cluster bootstrap, permutation test.

All functions work on plain numpy arrays so that :func:`ptvlib.estimators.did.did`
and :func:`ptvlib.estimators.its.its` (and tests) can share them.

Notes
-----
**Sandwich.** For an M-estimator with bread :math:`B = H^{-1}` (inverse of the
expected Hessian, :math:`(X'X)^{-1}` for OLS, :math:`(X'WX)^{-1}` for a GLM)
and per-observation scores :math:`s_i` (:math:`x_i e_i` for OLS,
:math:`x_i (y_i-\\mu_i)\\mu_i/V(\\mu_i)` for a log-link GLM),

.. math::  \\hat V_{CR1} = c\\, B \\Big(\\sum_g S_g S_g'\\Big) B,\\qquad
           S_g=\\sum_{i\\in g}s_i,\\qquad c=\\frac{G}{G-1}\\,\\frac{N-1}{N-K},

with :math:`G` clusters, :math:`N` observations and :math:`K` parameters
(Cameron, Gelbach & Miller 2008). Fixed effects nested in the clusters count as
one parameter in :math:`K`, as in Stata's ``reghdfe`` and pyfixest's default
``ssc(k_fixef="nonnested")``.

The Newey–West (HAC) meat sums scores by period, :math:`S_t=\\sum_{i:t_i=t}s_i`
(Driscoll–Kraay when several series share a period), and uses Bartlett weights
:math:`\\Gamma_0+\\sum_{l=1}^{L}(1-\\tfrac{l}{L+1})(\\Gamma_l+\\Gamma_l')`,
:math:`\\Gamma_l=\\sum_t S_t S_{t-l}'`, without small-sample correction (as
statsmodels' ``cov_type="HAC"``).

**Wild cluster restricted bootstrap (WCR).** For the coefficient :math:`\\beta_j`
of an OLS fit of :math:`y` on :math:`X` and the null :math:`\\beta_j=r`, let
:math:`u(r)=M_{-j}(y-rx_j)` be the restricted residuals and
:math:`w=M_{-j}x_j`. A draw multiplies each cluster's restricted residuals by
one weight :math:`v_g` (Rademacher :math:`\\pm1`, or Webb's six points
:math:`\\pm\\sqrt{1/2},\\pm1,\\pm\\sqrt{3/2}`). Because everything is linear in
:math:`v` and in :math:`r`,

.. math::  \\hat\\beta^*_b-r=\\sum_h v_{bh}\\,\\frac{w_h'u_h(r)}{w'w},\\qquad
           e^*_b = M\\,\\big(u(r)\\circ v_b\\big)=\\sum_h v_{bh}\\,M\\,u_h(r),

so the cluster scores of every draw are :math:`C(r)v_b` with the
:math:`G\\times G` matrix :math:`C(r)_{gh}=w_g'(M u_h(r))/(w'w)`, computed once
(Roodman, MacKinnon, Nielsen & Webb 2019). All draws are one matrix product,
:math:`t^*_b=(\\hat\\beta^*_b-r)/\\mathrm{se}^*_b`, and the symmetric p-value is
the share of draws with :math:`|t^*_b|\\ge|t|`. The confidence interval inverts
the test over :math:`r` (the quadratic form in :math:`r` makes each evaluation
:math:`O(B)`).

References
----------
.. [1] Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based
   improvements for inference with clustered errors. *Review of Economics and
   Statistics* 90(3), 414–427.
.. [2] Webb, M. D. (2023). Reworking wild bootstrap-based inference for
   clustered errors. *Canadian Journal of Economics* 56(3), 839–858.
.. [3] MacKinnon, J. G. & Webb, M. D. (2017). Wild bootstrap inference for
   wildly different cluster sizes. *Journal of Applied Econometrics* 32(2),
   233–254.
.. [4] MacKinnon, J. G. & Webb, M. D. (2018). The wild bootstrap for few
   (treated) clusters. *The Econometrics Journal* 21(2), 114–135.
.. [5] Roodman, D., MacKinnon, J. G., Nielsen, M. Ø. & Webb, M. D. (2019). Fast
   and wild: Bootstrap inference in Stata using boottest. *The Stata Journal*
   19(1), 4–60.
.. [6] Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite,
   heteroskedasticity and autocorrelation consistent covariance matrix.
   *Econometrica* 55(3), 703–708.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import check_literal

#: Weight distribution of the wild cluster bootstrap.


__all__ = [
    "TIE",
    "InferenceWarning",
    "PermutationResult",
    "cluster_codes",
    "cluster_robust_vcov",
    "cr1_factor",
    "hac_vcov",
    "permutation_test",
]


#: Relative tolerance: ``|t*| >= |t| (1 - TIE)`` counts as "at least as extreme".
TIE = 1e-9


class InferenceWarning(UserWarning):
    """Inference is unreliable for this design (e.g. one treated cluster, few clusters)."""


def cr1_factor(n: int, k: int, g: int) -> float:
    """CR1 small-sample factor :math:`G/(G-1)\\cdot(N-1)/(N-K)`.

    Parameters
    ----------
    n, k, g : int
        Observations, parameters counted for the correction, clusters.

    Returns
    -------
    float

    Examples
    --------
    >>> round(cr1_factor(100, 5, 10), 6)
    1.157895
    """
    if g < 2:
        raise EstimationError(f"cluster-robust errors need at least 2 clusters; found {g}")
    if n <= k:
        raise EstimationError(f"too few observations ({n}) for {k} parameters")
    return g / (g - 1) * (n - 1) / (n - k)


def cluster_codes(clusters: Sequence[object] | np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes 0 … G-1 of the clusters (sorted) and the number of clusters G."""
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(clusters), sort=True)
    if (codes < 0).any():
        raise EstimationError("cluster labels contain missing values")
    return codes.astype(np.intp), len(uniques)


def cluster_robust_vcov(
    bread: np.ndarray,
    scores: np.ndarray,
    clusters: Sequence[object] | np.ndarray,
    *,
    k: int | None = None,
    adjust: bool = True,
) -> np.ndarray:
    """CR1 cluster-robust covariance :math:`c\\,B(\\sum_g S_gS_g')B`.

    Parameters
    ----------
    bread : ndarray, shape (p, p)
        Inverse (expected) Hessian, e.g. :math:`(X'X)^{-1}`.
    scores : ndarray, shape (n, p)
        Per-observation scores.
    clusters : array-like, shape (n,)
        Cluster label of each observation.
    k : int, optional
        Parameters counted in :math:`(N-1)/(N-K)`; default ``p``.
    adjust : bool
        Apply the CR1 factor (otherwise CR0).

    Returns
    -------
    ndarray, shape (p, p)

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), [0, 1, 2, 3, 4, 5.0]])
    >>> e = np.array([1.0, -1, 0.5, -0.5, 0.2, -0.2])
    >>> V = cluster_robust_vcov(np.linalg.inv(X.T @ X), X * e[:, None], [0, 0, 1, 1, 2, 2])
    >>> V.shape
    (2, 2)
    """
    scores = np.asarray(scores, dtype=float)
    codes, g = cluster_codes(clusters)
    summed = np.zeros((g, scores.shape[1]))
    np.add.at(summed, codes, scores)
    meat = summed.T @ summed
    vcov = bread @ meat @ bread
    if adjust:
        vcov = vcov * cr1_factor(scores.shape[0], scores.shape[1] if k is None else k, g)
    return vcov


def hac_vcov(
    bread: np.ndarray,
    scores: np.ndarray,
    time: Sequence[float] | np.ndarray,
    maxlags: int,
) -> np.ndarray:
    """Newey–West (Bartlett) covariance with scores summed by period.

    Parameters
    ----------
    bread : ndarray, shape (p, p)
        Inverse (expected) Hessian.
    scores : ndarray, shape (n, p)
        Per-observation scores.
    time : array-like, shape (n,)
        Period of each observation; lags are counted over the sorted distinct periods.
    maxlags : int
        Bartlett truncation lag :math:`L \\ge 0`.

    Returns
    -------
    ndarray, shape (p, p)

    Examples
    --------
    >>> X = np.column_stack([np.ones(5), np.arange(5.0)])
    >>> e = np.array([0.3, -0.1, -0.4, 0.5, -0.3])
    >>> hac_vcov(np.linalg.inv(X.T @ X), X * e[:, None], np.arange(5), 1).shape
    (2, 2)
    """
    if maxlags < 0:
        raise ParameterError(f"hac_lags={maxlags!r} is not allowed; allowed: an integer >= 0")
    codes, n_t = cluster_codes(time)
    s = np.zeros((n_t, scores.shape[1]))
    np.add.at(s, codes, np.asarray(scores, dtype=float))
    meat = s.T @ s
    for lag in range(1, min(maxlags, n_t - 1) + 1):
        gamma = s[lag:].T @ s[:-lag]
        meat += (1.0 - lag / (maxlags + 1.0)) * (gamma + gamma.T)
    return bread @ meat @ bread


@dataclass(frozen=True, eq=False)
class PermutationResult:
    """Result of :func:`permutation_test`.

    Attributes
    ----------
    statistic : float
        Statistic for the actual assignment.
    p_value : float
        Share of assignments (the actual one included) with a statistic at least
        as extreme.
    n_assignments : int
        Number of assignments evaluated (actual included).
    enumerated : bool
        Whether all possible assignments were used.
    distribution : ndarray
        Statistics of all evaluated assignments (actual first).
    """

    statistic: float
    p_value: float
    n_assignments: int
    enumerated: bool
    distribution: np.ndarray = field(repr=False)


def permutation_test(
    statistic: Callable[[tuple[object, ...]], float],
    units: Sequence[object],
    treated: Sequence[object],
    *,
    draws: int = 999,
    alternative: Literal["two-sided", "less", "greater"] = "two-sided",
    seed: int | np.random.Generator | None = None,
) -> PermutationResult:
    """Randomisation (placebo-in-space) test over assignments of treatment to units.

    The statistic is recomputed with the treatment given to every other set of
    ``len(treated)`` units — all of them when there are at most *draws* such
    sets, else *draws* random sets — and the actual assignment is ranked among
    them. With one treated unit this is the Conley–Taber/Abadie placebo logic and
    is valid when units are exchangeable, unlike cluster-robust errors.

    Parameters
    ----------
    statistic : callable
        ``statistic(treated_units) -> float`` (e.g. a DiD coefficient).
    units : sequence
        All units that could have been treated.
    treated : sequence
        The actually treated units.
    draws : int
        Maximum number of placebo assignments.
    alternative : {"two-sided", "less", "greater"}
        Direction of "extreme".
    seed : int or numpy.random.Generator, optional
        Seed for random assignments.

    Returns
    -------
    PermutationResult

    Notes
    -----
    :math:`p = \\#\\{a: T(a) \\succeq T(a_0)\\} / A`, where :math:`A` counts the
    evaluated assignments including the actual one :math:`a_0`, so
    :math:`p \\ge 1/A`.

    Examples
    --------
    >>> effect = {"a": -3.0, "b": 0.1, "c": -0.2, "d": 0.3}
    >>> res = permutation_test(lambda t: effect[t[0]], list(effect), ["a"])
    >>> res.p_value, res.n_assignments
    (0.25, 4)
    """
    check_literal("alternative", alternative, Literal["two-sided", "less", "greater"])
    units = list(dict.fromkeys(units))
    actual = tuple(treated)
    missing = [u for u in actual if u not in units]
    if missing:
        raise ParameterError(f"treated={missing!r} are not among the units")
    k = len(actual)
    n_comb = math.comb(len(units), k)
    others: list[tuple[object, ...]]
    if n_comb - 1 <= draws:
        others = [c for c in itertools.combinations(units, k) if set(c) != set(actual)]
        enumerated = True
    else:
        rng = np.random.default_rng(seed)
        others = []
        seen = {frozenset(actual)}
        while len(others) < draws:
            pick = tuple(units[i] for i in sorted(rng.choice(len(units), k, replace=False)))
            if frozenset(pick) not in seen:
                seen.add(frozenset(pick))
                others.append(pick)
        enumerated = False
    stats = np.array([statistic(actual)] + [statistic(c) for c in others], dtype=float)
    obs = stats[0]
    if alternative == "two-sided":
        extreme = np.abs(stats) >= abs(obs) * (1 - TIE)
    elif alternative == "less":
        extreme = stats <= obs + abs(obs) * TIE
    else:
        extreme = stats >= obs - abs(obs) * TIE
    return PermutationResult(
        statistic=float(obs),
        p_value=float(np.mean(extreme)),
        n_assignments=len(stats),
        enumerated=enumerated,
        distribution=stats,
    )
