"""Array-level ridge-augmented synthetic control: one fit, cross-validation, placebo fits (private).

Notation (Ben-Michael, Feller & Rothstein 2021, sec. 4): :math:`X_0` is the
:math:`T_0 \\times J` matrix of donors' pre-period outcomes and :math:`x_1` the
treated unit's, both centred by the donors' mean in each period. With the
synthetic-control weights :math:`\\hat w` (exact simplex QP, :math:`V = I`),

.. math::

    \\hat\\gamma = \\hat w + X_0'(X_0X_0' + \\lambda I)^{-1}(x_1 - X_0\\hat w),

i.e. the weights are corrected by a ridge regression of the remaining pre-period
imbalance; :math:`\\mathbf 1'\\hat\\gamma = 1` because every row of :math:`X_0`
sums to 0, but weights can be negative (extrapolation). The counterfactual in
any period is :math:`\\hat\\gamma' Y_{0t}`. With the SVD :math:`X_0 = USV'` the
correction is :math:`V\\,\\mathrm{diag}(s/(s^2+\\lambda))\\,U'(x_1 - X_0\\hat w)`,
which is how a whole grid of :math:`\\lambda` is evaluated at once.

:math:`\\lambda` is chosen as in R's augsynth (and pysyncon): the grid
:math:`\\lambda_{\\max} r^{k-1}`, :math:`k = 0, \\dots, 20`, with
:math:`\\lambda_{\\max} = s_1^2` and :math:`r = (10^{-8})^{1/20}`; leave-one-period-out
cross-validation over the first :math:`T_0 - 1` pre-periods (the synthetic
control refitted without the held-out period, the squared prediction error of
the augmented weights on it); the largest :math:`\\lambda` whose mean error is
within one standard error of the minimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ptvlib.estimators._simplex import simplex_lstsq

__all__ = ["AscmFit", "cv_lambda", "fit_ascm", "lambda_grid", "placebo_ascm"]

#: Number of grid steps and smallest ratio of the lambda grid (augsynth defaults).
N_LAMBDA = 20
LAMBDA_MIN_RATIO = 1e-8


@dataclass(frozen=True, eq=False)
class AscmFit:
    """Weights, penalty and gap path of one augmented synthetic control."""

    gamma: np.ndarray
    w: np.ndarray
    lam: float
    gap: np.ndarray
    sc_gap: np.ndarray
    cv: tuple[np.ndarray, np.ndarray, np.ndarray] | None


def lambda_grid(X0: np.ndarray) -> np.ndarray:
    """augsynth's grid :math:`\\lambda_{\\max} r^{k-1}`, :math:`k = 0..20`."""
    s1 = float(np.linalg.svd(X0, compute_uv=False)[0])
    scaler = LAMBDA_MIN_RATIO ** (1 / N_LAMBDA)
    return s1**2 * scaler ** (np.arange(0, N_LAMBDA + 1) - 1.0)


def _ridge(X0: np.ndarray, resid: np.ndarray, lams: np.ndarray) -> np.ndarray:
    """Weight corrections :math:`X_0'(X_0X_0'+\\lambda I)^{-1} r` for each lambda, shape (L, J)."""
    U, s, Vt = np.linalg.svd(X0, full_matrices=False)
    proj = U.T @ resid  # (k,)
    factor = s[None, :] / (s[None, :] ** 2 + lams[:, None])  # (L, k)
    return (factor * proj[None, :]) @ Vt


def cv_lambda(
    X0: np.ndarray, x1: np.ndarray, lams: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Leave-one-period-out choice of lambda: (best, mean error, its standard error).

    Parameters
    ----------
    X0 : numpy.ndarray, shape (T0, J)
        Centred donor pre-period outcomes.
    x1 : numpy.ndarray, shape (T0,)
        Centred treated pre-period outcomes.
    lams : numpy.ndarray
        Candidate penalties.
    """
    T0 = X0.shape[0]
    errs = np.empty((T0 - 1, lams.size))
    for i in range(T0 - 1):
        keep = np.arange(T0) != i
        Xt, yt = X0[keep], x1[keep]
        w = simplex_lstsq(Xt, yt)
        gamma = w[None, :] + _ridge(Xt, yt - Xt @ w, lams)
        errs[i] = (x1[i] - gamma @ X0[i]) ** 2
    mean = errs.mean(axis=0)
    se = errs.std(axis=0, ddof=1) / np.sqrt(T0 - 1)
    best = int(np.argmin(mean))
    return float(lams[mean <= mean[best] + se[best]].max()), mean, se


def fit_ascm(Y: np.ndarray, y: np.ndarray, pre: np.ndarray, lam: float | None) -> AscmFit:
    """Ridge ASCM of the treated path *y* (T,) on the donors *Y* (T, J)."""
    centre = Y[pre].mean(axis=1)
    X0 = Y[pre] - centre[:, None]
    x1 = y[pre] - centre
    w = simplex_lstsq(X0, x1)
    cv = None
    if lam is None:
        lams = lambda_grid(X0)
        lam, mean, se = cv_lambda(X0, x1, lams)
        cv = (lams, mean, se)
    gamma = w + _ridge(X0, x1 - X0 @ w, np.array([lam]))[0]
    return AscmFit(gamma=gamma, w=w, lam=float(lam), gap=y - Y @ gamma, sc_gap=y - Y @ w, cv=cv)


def placebo_ascm(
    Y: np.ndarray, pre: np.ndarray, lam: float | None, donors: Sequence[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """ASCM of each donor in turn against the other donors (lambda cross-validated for each).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Placebo estimates (K,) and gap paths (T, K).
    """
    J = Y.shape[1]
    idx = range(J) if donors is None else donors
    gaps = np.empty((Y.shape[0], len(idx)))
    for k, j in enumerate(idx):
        rest = np.delete(np.arange(J), j)
        gaps[:, k] = fit_ascm(Y[:, rest], Y[:, j], pre, lam).gap
    return gaps[~pre].mean(axis=0), gaps
