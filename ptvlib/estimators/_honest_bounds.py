"""Bounds and robust intervals of Rambachan & Roth (2023) on an event study (private).

Positions: pre-periods :math:`s = -T, \\dots, -1`, the reference period 0
(:math:`\\delta_0 = 0`), post-periods :math:`k = 1, \\dots, K`; :math:`\\beta` holds
the estimated coefficients (pre then post), :math:`\\Sigma` their covariance and
:math:`\\theta = l'\\tau_{\\mathrm{post}}` is the target (default: the mean
post-period effect). Under no anticipation :math:`\\beta_{\\mathrm{pre}} = \\delta_{\\mathrm{pre}}`
and :math:`\\beta_{\\mathrm{post}} = \\tau_{\\mathrm{post}} + \\delta_{\\mathrm{post}}`.

**Relative magnitudes** :math:`\\Delta^{RM}(\\bar M)`: every post-period change of
the trend difference is at most :math:`\\bar M` times the largest pre-period one,
:math:`|\\delta_{k} - \\delta_{k-1}| \\le \\bar M B_0` with
:math:`B_0 = \\max_s |\\beta_{s+1} - \\beta_s|` (the step into the reference
period included). The post differences are then a box in first differences
and the identified set is, in closed form,

.. math:: \\theta \\in \\Big[\\, l'\\hat\\beta_{\\mathrm{post}} \\mp \\bar M B_0
          \\sum_{j=1}^{K}\\Big|\\sum_{k \\ge j} l_k\\Big| \\,\\Big]

(the linear programme of Rambachan & Roth, eqs. 5-6, with
:math:`\\delta_{\\mathrm{pre}}` pinned at :math:`\\hat\\beta_{\\mathrm{pre}}`). The
interval widens it by the event study's critical value times
:math:`\\mathrm{se}(l'\\hat\\beta_{\\mathrm{post}})`, so :math:`\\bar M = 0` returns
the original interval. This is the conservative construction diff-diff uses; R's
HonestDiD inverts the Andrews-Roth-Pakes conditional-hybrid test instead,
which also accounts for the sampling error in :math:`B_0`, so its intervals can
differ.

**Smoothness** :math:`\\Delta^{SD}(M)`: the slope of the trend difference changes
by at most :math:`M` per period, :math:`|\\delta_{t+1} - 2\\delta_t + \\delta_{t-1}| \\le M`.
The fixed-length confidence interval (Rambachan & Roth, sec. 4.1; Armstrong &
Kolesár 2018) uses the affine estimator
:math:`\\hat\\theta_w = l'\\hat\\beta_{\\mathrm{post}} - \\sum_s w_s(\\hat\\beta_{s+1} - \\hat\\beta_s)`
with :math:`\\sum_s w_s = \\sum_k k\\,l_k` (unbiased under linear trends), whose
worst-case bias over :math:`\\Delta^{SD}(M)` is

.. math:: \\bar b(w) = M\\Big[\\sum_{m=1}^{K}\\Big|\\sum_{i=1}^{m} i\\,l_{K-m+i}\\Big|
          + \\sum_{j=1}^{T-1}\\Big|\\sum_{s \\le j} w_s\\Big|\\Big],

and the interval :math:`\\hat\\theta_w \\pm \\sigma_w\\,\\mathrm{cv}_\\alpha(\\bar b(w)/\\sigma_w)`
with :math:`\\mathrm{cv}_\\alpha(t)` the :math:`1-\\alpha` quantile of :math:`|N(t, 1)|`
(normal critical values for every family, as R's HonestDiD). The half-length is convex in
:math:`w`; it is minimised over :math:`w` (SLSQP on the epigraph form).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["FlciSolution", "cv_alpha", "flci", "rm_bounds", "sd_bias"]


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2))


def _cv_normal(t: float, alpha: float) -> tuple[float, float]:
    """Folded-normal quantile and its derivative in *t* (Newton from z + t)."""
    from statistics import NormalDist

    x = NormalDist().inv_cdf(1 - alpha / 2) + t
    for _ in range(60):
        f = _Phi(x - t) - _Phi(-x - t) - (1.0 - alpha)
        fp = _phi(x - t) + _phi(x + t)
        step = f / fp
        x = max(x - step, 0.0)
        if abs(step) < 1e-15 * max(1.0, x):
            break
    a, b = _phi(x - t), _phi(x + t)
    return x, (a - b) / (a + b)


def cv_alpha(t: float, alpha: float) -> float:
    """:math:`1-\\alpha` quantile of :math:`|X|`, :math:`X \\sim N(t, 1)` (folded normal)."""
    return _cv_normal(abs(float(t)), alpha)[0]


def rm_bounds(
    beta_pre: np.ndarray, beta_post: np.ndarray, lw: np.ndarray, mbar: float
) -> tuple[float, float, float]:
    """Identified set of :math:`\\theta` under :math:`\\Delta^{RM}(\\bar M)` and :math:`B_0`."""
    steps = np.diff(np.concatenate([beta_pre, [0.0]]))
    b0 = float(np.max(np.abs(steps))) if steps.size else 0.0
    tail = np.cumsum(lw[::-1])[::-1]  # sum_{k >= j} l_k
    half = mbar * b0 * float(np.sum(np.abs(tail)))
    theta = float(lw @ beta_post)
    return theta - half, theta + half, b0


def _post_constant(lw: np.ndarray) -> float:
    K = lw.size
    return float(sum(abs(float(np.arange(1, m + 1) @ lw[K - m :])) for m in range(1, K + 1)))


def sd_bias(w: np.ndarray, lw: np.ndarray, M: float) -> float:
    """Worst-case bias :math:`\\bar b(w)` of the affine estimator over :math:`\\Delta^{SD}(M)`."""
    partial = np.cumsum(w)[:-1]
    return M * (_post_constant(lw) + float(np.sum(np.abs(partial))))


def _v(w: np.ndarray, lw: np.ndarray) -> np.ndarray:
    """Coefficient weights of :math:`\\hat\\theta_w = v'\\hat\\beta` (pre then post)."""
    v_pre = w - np.concatenate([[0.0], w[:-1]])
    return np.concatenate([v_pre, lw])


@dataclass(frozen=True)
class FlciSolution:
    """An optimal fixed-length interval: centre, half-length and the estimator weights."""

    centre: float
    half: float
    w: np.ndarray
    sd: float
    bias: float


def flci(
    beta: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    lw: np.ndarray,
    M: float,
    *,
    alpha: float = 0.05,
) -> FlciSolution:
    """Optimal FLCI for :math:`\\theta` under :math:`\\Delta^{SD}(M)`."""
    from scipy.optimize import minimize

    T = n_pre
    target = float(np.arange(1, lw.size + 1) @ lw)

    def sd(w: np.ndarray) -> float:
        v = _v(w, lw)
        return math.sqrt(max(float(v @ sigma @ v), 0.0))

    # Minimum variance under sum(w) = target (the M = 0 answer and the starting point).
    D = np.eye(T) - np.eye(T, k=-1)  # v_pre = D w
    Q = D.T @ sigma[:T, :T] @ D
    q = D.T @ sigma[:T, T:] @ lw
    kkt = np.zeros((T + 1, T + 1))
    kkt[:T, :T] = 2 * Q
    kkt[:T, T] = 1.0
    kkt[T, :T] = 1.0
    sol = np.linalg.lstsq(kkt, np.concatenate([-2 * q, [target]]), rcond=None)[0]
    w0 = sol[:T]
    if M == 0 or T == 1:
        w = w0 if T > 1 else np.array([target])
        s = sd(w)
        b = sd_bias(w, lw, M)
        half = s * cv_alpha(b / s, alpha) if s > 0 else math.nan
        return FlciSolution(centre=float(_v(w, lw) @ beta), half=half, w=w, sd=s, bias=b)

    k = T - 1  # partial sums with an absolute value
    const = _post_constant(lw)

    def unpack(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x[:T], x[T:]

    def half_length(x: np.ndarray) -> float:
        w, u = unpack(x)
        s = sd(w)
        if s <= 0:
            return math.inf
        return s * cv_alpha(M * (const + float(u.sum())) / s, alpha)

    def gradient(x: np.ndarray) -> np.ndarray:
        w, u = unpack(x)
        s = sd(w)
        t = M * (const + float(u.sum())) / s
        cv, dcv = _cv_normal(t, alpha)
        ds = (Q @ w + q) / s  # d sd / d w
        return np.concatenate([ds * (cv - t * dcv), np.full(k, M * dcv)])

    L = np.tril(np.ones((k, T)))
    cons = [
        {
            "type": "eq",
            "fun": lambda x: float(x[:T].sum() - target),
            "jac": lambda x: np.r_[np.ones(T), np.zeros(k)],
        },
        {
            "type": "ineq",
            "fun": lambda x: x[T:] - L @ x[:T],
            "jac": lambda x: np.hstack([-L, np.eye(k)]),
        },
        {
            "type": "ineq",
            "fun": lambda x: x[T:] + L @ x[:T],
            "jac": lambda x: np.hstack([L, np.eye(k)]),
        },
    ]
    best: FlciSolution | None = None
    starts = [w0, np.r_[np.zeros(T - 1), target]]
    for start in starts:
        x0 = np.concatenate([start, np.abs(L @ start) + 1e-9])
        res = minimize(
            half_length,
            x0,
            jac=gradient,
            constraints=cons,
            method="SLSQP",
            options={"ftol": 1e-13, "maxiter": 1000},
        )
        w = res.x[:T]
        w = w + (target - w.sum()) / T
        s = sd(w)
        b = sd_bias(w, lw, M)
        half = s * cv_alpha(b / s, alpha)
        if best is None or half < best.half:
            best = FlciSolution(centre=float(_v(w, lw) @ beta), half=half, w=w, sd=s, bias=b)
    assert best is not None
    return best
