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

from .._literals import check_literal
from ..exceptions import EstimationError, ParameterError

__all__ = [
    "BootWeights",
    "BootstrapResult",
    "InferenceWarning",
    "PermutationResult",
    "bootstrap_weights",
    "cluster_robust_vcov",
    "cr1_factor",
    "hac_vcov",
    "permutation_test",
    "wild_cluster_bootstrap",
]

#: Weight distribution of the wild cluster bootstrap.
BootWeights = Literal["auto", "rademacher", "webb"]

_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
_TIE = 1e-9  # relative tolerance: |t*| >= |t| (1 - _TIE) counts as "at least as extreme"


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


def _codes(clusters: Sequence[object] | np.ndarray) -> tuple[np.ndarray, int]:
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
    codes, g = _codes(clusters)
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
    codes, n_t = _codes(time)
    s = np.zeros((n_t, scores.shape[1]))
    np.add.at(s, codes, np.asarray(scores, dtype=float))
    meat = s.T @ s
    for lag in range(1, min(maxlags, n_t - 1) + 1):
        gamma = s[lag:].T @ s[:-lag]
        meat += (1.0 - lag / (maxlags + 1.0)) * (gamma + gamma.T)
    return bread @ meat @ bread


def bootstrap_weights(
    n_clusters: int,
    draws: int,
    *,
    weights: BootWeights = "auto",
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, str]:
    """Matrix of wild-bootstrap weights, one row per draw.

    ``"auto"`` enumerates all :math:`2^G` Rademacher sign vectors when
    :math:`2^G \\le` *draws* (the exact bootstrap distribution, no simulation
    noise), else uses Webb's six-point weights when :math:`G<12` (Rademacher has
    only :math:`2^{G-1}` distinct absolute t-statistics; Webb 2023) and random
    Rademacher weights otherwise. ``"rademacher"`` also enumerates when
    :math:`2^G \\le` *draws*.

    Parameters
    ----------
    n_clusters : int
        Number of clusters :math:`G`.
    draws : int
        Number of draws :math:`B` (upper bound when enumerating).
    weights : {"auto", "rademacher", "webb"}
        Weight distribution.
    seed : int or numpy.random.Generator, optional
        Seed for reproducible draws.

    Returns
    -------
    (ndarray of shape (B, G), str)
        The weights and a label such as ``"rademacher (enumerated)"``.

    Examples
    --------
    >>> v, label = bootstrap_weights(3, 999)
    >>> v.shape, label
    ((8, 3), 'rademacher (enumerated)')
    """
    check_literal("weights", weights, BootWeights)
    if not isinstance(draws, int | np.integer) or isinstance(draws, bool) or draws < 1:
        raise ParameterError(f"bootstrap={draws!r} is not allowed; allowed: a positive integer")
    g = int(n_clusters)
    if weights in ("auto", "rademacher") and g <= 30 and 2**g <= draws:
        grid = np.array(list(itertools.product((1.0, -1.0), repeat=g)))
        return grid, "rademacher (enumerated)"
    rng = np.random.default_rng(seed)
    if weights == "webb" or (weights == "auto" and g < 12):
        return _WEBB[rng.integers(0, 6, size=(draws, g))], "webb"
    return rng.choice(np.array([-1.0, 1.0]), size=(draws, g)), "rademacher"


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Result of :func:`wild_cluster_bootstrap`.

    Attributes
    ----------
    estimate : float
        OLS estimate of the tested coefficient.
    null : float
        Hypothesised value :math:`r`.
    t_stat : float
        CR1 t-statistic :math:`(\\hat\\beta-r)/\\mathrm{se}`.
    p_value : float
        Symmetric bootstrap p-value, share of draws with :math:`|t^*|\\ge|t|`.
    ci : (float, float)
        Interval from inverting the bootstrap test (may be infinite).
    draws : int
        Number of draws used (``2**G`` when enumerated).
    weights : str
        Weight distribution used.
    n_clusters : int
        Number of clusters :math:`G`.
    t_star : ndarray
        Bootstrap t-statistics under the null.
    """

    estimate: float
    null: float
    t_stat: float
    p_value: float
    ci: tuple[float, float]
    draws: int
    weights: str
    n_clusters: int
    t_star: np.ndarray = field(repr=False)


class _WcrPieces:
    """Everything of the WCR test that does not depend on the draw or on r."""

    def __init__(self, X: np.ndarray, y: np.ndarray, codes: np.ndarray, g: int, j: int) -> None:
        n, p = X.shape
        q_full, r_full = np.linalg.qr(X)
        if np.min(np.abs(np.diag(r_full))) < 1e-10 * np.max(np.abs(np.diag(r_full))):
            raise EstimationError("the design matrix is rank deficient (collinear columns)")
        others = np.delete(X, j, axis=1)
        q_r, _ = np.linalg.qr(others)
        xj = X[:, j]
        w = xj - q_r @ (q_r.T @ xj)  # M_{-j} x_j
        u0 = y - q_r @ (q_r.T @ y)  # M_{-j} y
        ww = float(w @ w)
        if ww <= 1e-12 * max(1.0, float(xj @ xj)):
            raise EstimationError("the tested regressor is collinear with the fixed effects")
        self.beta = float(w @ y) / ww
        # Cluster-block matrices U0[i, h] = u0_i 1{c_i = h}; W likewise; K = M U.
        onehot = np.zeros((n, g))
        onehot[np.arange(n), codes] = 1.0
        u0_blk = onehot * u0[:, None]
        w_blk = onehot * w[:, None]
        k0 = u0_blk - q_full @ (q_full.T @ u0_blk)
        k1 = w_blk - q_full @ (q_full.T @ w_blk)
        self.c0 = (w_blk.T @ k0) / ww  # G x G
        self.c1 = (w_blk.T @ k1) / ww
        self.s0 = (w_blk.T @ u0) / ww  # G
        self.s1 = (w_blk.T @ w) / ww
        e = y - q_full @ (q_full.T @ y)
        score = (w_blk.T @ e) / ww
        self.se_raw = math.sqrt(float(score @ score))  # CR0 se; CR1 factor cancels in t*/t
        self.n, self.p = n, p


class _WcrDraws:
    """Per-draw quadratic forms so that t*(r) costs O(B) for any r."""

    def __init__(self, pieces: _WcrPieces, v: np.ndarray) -> None:
        n0 = v @ pieces.c0.T  # B x G
        n1 = v @ pieces.c1.T
        self.a0 = v @ pieces.s0
        self.a1 = v @ pieces.s1
        self.q00 = np.einsum("bg,bg->b", n0, n0)
        self.q01 = np.einsum("bg,bg->b", n0, n1)
        self.q11 = np.einsum("bg,bg->b", n1, n1)
        self.pieces = pieces

    def t_star(self, r: float) -> np.ndarray:
        num = self.a0 - r * self.a1
        var = self.q00 - 2.0 * r * self.q01 + r * r * self.q11
        with np.errstate(divide="ignore", invalid="ignore"):
            return num / np.sqrt(np.maximum(var, 0.0))

    def t_obs(self, r: float) -> float:
        return (self.pieces.beta - r) / self.pieces.se_raw

    def p_value(self, r: float) -> float:
        t = abs(self.t_obs(r))
        ts = np.abs(self.t_star(r))
        return float(np.mean(np.nan_to_num(ts, nan=0.0) >= t * (1.0 - _TIE)))


def _invert(draws: _WcrDraws, alpha: float, se: float) -> tuple[float, float]:
    beta = draws.pieces.beta
    bounds = []
    for sign in (-1.0, 1.0):
        inner, step = beta, 2.0 * se
        outer = beta + sign * step
        while draws.p_value(outer) >= alpha:
            inner = outer
            step *= 2.0
            outer = beta + sign * step
            if step > 1e4 * se:
                outer = sign * math.inf
                break
        if math.isinf(outer):
            bounds.append(outer)
            continue
        for _ in range(80):
            mid = 0.5 * (inner + outer)
            if draws.p_value(mid) >= alpha:
                inner = mid
            else:
                outer = mid
            if abs(outer - inner) <= 1e-7 * se:
                break
        bounds.append(0.5 * (inner + outer))
    return bounds[0], bounds[1]


def wild_cluster_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    clusters: Sequence[object] | np.ndarray,
    *,
    coef: int = 0,
    null: float = 0.0,
    draws: int = 9999,
    weights: BootWeights = "auto",
    seed: int | np.random.Generator | None = None,
    alpha: float = 0.05,
    ci: bool = True,
) -> BootstrapResult:
    """Wild cluster restricted (WCR) bootstrap test and interval for one OLS coefficient.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Full design (fixed-effect dummies included), full column rank.
    y : ndarray, shape (n,)
        Outcome.
    clusters : array-like, shape (n,)
        Cluster of each observation.
    coef : int
        Column of *X* whose coefficient is tested.
    null : float
        Hypothesised value :math:`r` of the coefficient.
    draws : int
        Number of bootstrap draws :math:`B` (9 999 is a good default).
    weights : {"auto", "rademacher", "webb"}
        See :func:`bootstrap_weights`.
    seed : int or numpy.random.Generator, optional
        Seed for the weights.
    alpha : float
        Level of the interval (``1 - alpha`` coverage).
    ci : bool
        Also invert the test for a confidence interval.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    EstimationError
        Fewer than 2 clusters, rank-deficient design.
    ParameterError
        Bad *draws* or *weights*.

    Notes
    -----
    See the module notes for the formulas. The draws are computed in one matrix
    product from :math:`G\\times G` matrices built once, so 9 999 draws with ten
    clusters take milliseconds. With very few *treated* clusters (one treated
    unit) the WCR bootstrap under-rejects and its interval can be very wide or
    infinite (MacKinnon & Webb 2017, 2018): that honestly reflects that the data
    cannot pin the effect down.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(8), 10)
    >>> x = rng.normal(size=80)
    >>> y = 1.0 * x + rng.normal(size=8)[g] + rng.normal(size=80)
    >>> res = wild_cluster_bootstrap(np.column_stack([x, np.ones(80)]), y, g, seed=1)
    >>> res.draws, res.weights, res.p_value
    (256, 'rademacher (enumerated)', 0.0078125)
    >>> [round(v, 2) for v in res.ci]
    [0.33, 1.46]
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ParameterError("X must be 2-D (n, p) and y 1-D (n,)")
    if not 0 <= coef < X.shape[1]:
        raise ParameterError(f"coef={coef!r} is not allowed; allowed: 0 … {X.shape[1] - 1}")
    codes, g = _codes(clusters)
    if g < 2:
        raise EstimationError(f"the wild cluster bootstrap needs at least 2 clusters; found {g}")
    pieces = _WcrPieces(X, y, codes, g, coef)
    v, label = bootstrap_weights(g, draws, weights=weights, seed=seed)
    bd = _WcrDraws(pieces, v)
    factor = math.sqrt(cr1_factor(pieces.n, pieces.p, g))
    t_star = bd.t_star(null) / factor  # on the CR1 scale of t_stat (the factor cancels in p)
    p = bd.p_value(null)
    se_cr1 = pieces.se_raw * factor
    interval = _invert(bd, alpha, pieces.se_raw) if ci else (math.nan, math.nan)
    return BootstrapResult(
        estimate=pieces.beta,
        null=float(null),
        t_stat=(pieces.beta - null) / se_cr1,
        p_value=p,
        ci=interval,
        draws=int(v.shape[0]),
        weights=label,
        n_clusters=g,
        t_star=t_star,
    )


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
        extreme = np.abs(stats) >= abs(obs) * (1 - _TIE)
    elif alternative == "less":
        extreme = stats <= obs + abs(obs) * _TIE
    else:
        extreme = stats >= obs - abs(obs) * _TIE
    return PermutationResult(
        statistic=float(obs),
        p_value=float(np.mean(extreme)),
        n_assignments=len(stats),
        enumerated=enumerated,
        distribution=stats,
    )
