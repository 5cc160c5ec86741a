"""Unit and time weights of synthetic difference-in-differences (private).

Both weight vectors of Arkhangelsky et al. (2021, eqs. 2.2 and 2.3) solve a
ridge-regularised least-squares problem on the probability simplex,

.. math::

    \\min_{x \\ge 0,\\ \\mathbf 1'x = 1}\\ \\tfrac12\\lVert A x - b \\rVert^2
    + \\tfrac12\\,\\eta\\,\\lVert x \\rVert^2 ,

with column-centred :math:`A, b` (the intercepts :math:`\\omega_0`,
:math:`\\lambda_0` of the paper are profiled out by centring) and
:math:`\\eta = R\\,\\zeta^2` for :math:`R` rows (R synthdid's scaling:
:math:`\\zeta^2\\lVert x\\rVert^2 + \\lVert Ax-b\\rVert^2/R`). Two solvers:

``exact``
    The minimiser itself. Unit weights (many donors, few pre-periods) through
    the concave dual in :math:`(p, \\nu) \\in \\mathbb R^{R+1}`,

    .. math:: D(p,\\nu) = -\\tfrac12\\lVert p\\rVert^2 - p'b + \\nu
              - \\tfrac1{2\\eta}\\sum_j \\max(0, \\nu - a_j'p)^2,\\qquad
              x_j = \\max(0, \\nu - a_j'p)/\\eta ,

    maximised by semi-smooth Newton with Armijo backtracking; the last step on
    the final active set is exact. All placebo problems share the donors'
    centred pre-period matrix, so they are solved as one batch (one
    :math:`(R+1)\\times(R+1)` system per problem and iteration). Time weights
    (few pre-periods) by the exact active-set simplex solver of
    :mod:`ptvlib.estimators._simplex` on the augmented system
    :math:`[A; \\sqrt\\eta I]`.

``frank_wolfe``
    R synthdid's ``sc.weight.fw`` (and diff-diff's port): Frank–Wolfe with
    exact line search, at most 100 iterations from uniform weights (or a warm
    start), then weights at most a quarter of the largest set to 0
    (``sparsify``) and at most 10 000 further iterations, stopping when the
    objective falls by less than ``min_decrease**2``. It reproduces R and
    diff-diff; its answer can stop short of the minimiser (on Prop 99 the ATT
    differs by 0.002 packs).

References
----------
Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W. & Wager, S. (2021).
Synthetic difference-in-differences. *American Economic Review*, 111(12),
4088-4118. https://doi.org/10.1257/aer.20190159

Frank, M. & Wolfe, P. (1956). An algorithm for quadratic programming. *Naval
Research Logistics Quarterly*, 3(1-2), 95-110.
"""

from __future__ import annotations

import numpy as np

from ptvlib.estimators._simplex import simplex_lstsq

__all__ = [
    "frank_wolfe",
    "frank_wolfe_two_pass",
    "noise_level",
    "ridge_simplex",
    "ridge_simplex_batch",
    "sparsify",
]

#: Frank-Wolfe iterations before sparsifying (R synthdid ``max.iter.pre.sparsify``).
FW_FIRST = 100
#: Frank-Wolfe iterations after sparsifying (R synthdid ``max.iter``).
FW_MAX = 10_000


def noise_level(Y_pre: np.ndarray) -> float:
    """Pooled standard deviation of the donors' first differences over the pre-periods.

    ``sd(apply(Y[1:N0, 1:T0], 1, diff))`` in R synthdid; *Y_pre* is (T0, J).
    """
    d = np.diff(Y_pre, axis=0)
    return float(np.std(d, ddof=1)) if d.size > 1 else 0.0


def sparsify(x: np.ndarray) -> np.ndarray:
    """R synthdid's ``sparsify_function``: zero weights <= max/4, renormalise (rows of *x*)."""
    x = np.where(x <= x.max(axis=-1, keepdims=True) / 4, 0.0, x)
    return x / x.sum(axis=-1, keepdims=True)


# --------------------------------------------------------------------- exact
def ridge_simplex(A: np.ndarray, b: np.ndarray, eta: float) -> np.ndarray:
    """Exact simplex-constrained ridge least squares (active set on ``[A; sqrt(eta) I]``)."""
    k = A.shape[1]
    X = np.vstack([A, np.sqrt(eta) * np.eye(k)]) if eta > 0 else A
    y = np.concatenate([b, np.zeros(k)]) if eta > 0 else b
    return simplex_lstsq(X, y)


def _water_fill(c: np.ndarray, allowed: np.ndarray, eta: float) -> np.ndarray:
    """ν with ``sum_j max(0, ν - c_j)/eta = 1`` over the allowed j (row-wise)."""
    big = np.where(allowed, c, np.inf)
    s = np.sort(big, axis=1)
    csum = np.cumsum(np.where(np.isfinite(s), s, 0.0), axis=1)
    k = np.arange(1, s.shape[1] + 1)
    nu_k = (eta + csum) / k  # ν if the k smallest are active
    nxt = np.concatenate([s[:, 1:], np.full((s.shape[0], 1), np.inf)], axis=1)
    ok = np.isfinite(s) & (nu_k <= nxt) & (nu_k > s)
    first = np.argmax(ok, axis=1)
    return nu_k[np.arange(s.shape[0]), first]


def _dual(
    P: np.ndarray, nu: np.ndarray, A: np.ndarray, B: np.ndarray, allowed: np.ndarray, eta: float
) -> tuple[np.ndarray, np.ndarray]:
    """Dual value and primal weights of each problem."""
    slack = np.where(allowed, nu[:, None] - P @ A, 0.0)
    pos = np.maximum(slack, 0.0)
    val = (
        -0.5 * np.sum(P * P, axis=1) - np.sum(P * B, axis=1) + nu - 0.5 / eta * np.sum(pos * pos, 1)
    )
    return val, pos / eta


def ridge_simplex_batch(
    A: np.ndarray,
    B: np.ndarray,
    allowed: np.ndarray,
    eta: float,
    *,
    tol: float = 1e-13,
    max_iter: int = 200,
) -> np.ndarray:
    """Exact weights of many simplex ridge problems sharing the column matrix *A*.

    Parameters
    ----------
    A : numpy.ndarray, shape (R, J)
        Columns (e.g. the donors' centred pre-period paths), shared by all problems.
    B : numpy.ndarray, shape (K, R)
        Target of each problem.
    allowed : numpy.ndarray of bool, shape (K, J)
        Columns each problem may use (a placebo's own column is excluded).
    eta : float
        Ridge weight (> 0).
    tol : float
        Stop when the dual gradient is below ``tol`` times the problem's scale
        and the active sets no longer change.
    max_iter : int
        Newton iterations.

    Returns
    -------
    numpy.ndarray, shape (K, J)
        Weights (0 outside *allowed*), each row on the simplex.
    """
    if eta <= 0:
        raise ValueError("ridge_simplex_batch needs eta > 0")
    K, R = B.shape
    x0 = allowed / allowed.sum(axis=1, keepdims=True)
    P = x0 @ A.T - B  # residuals of uniform weights
    nu = _water_fill(P @ A, allowed, eta)
    scale = 1.0 + np.sqrt(np.sum(B * B, axis=1)) + float(np.sqrt(np.sum(A * A, axis=0)).max())
    val, x = _dual(P, nu, A, B, allowed, eta)
    done = np.zeros(K, dtype=bool)
    prev_active = np.zeros_like(allowed)
    for _ in range(max_iter):
        active = x > 0
        gp = -P - B + x @ A.T
        gn = 1.0 - x.sum(axis=1)
        gnorm = np.sqrt(np.sum(gp * gp, axis=1) + gn * gn)
        done = (gnorm <= tol * scale) & np.all(active == prev_active, axis=1)
        if done.all():
            break
        prev_active = active
        act = active.astype(float)
        H = np.empty((K, R + 1, R + 1))
        H[:, :R, :R] = -np.eye(R) - np.einsum("kj,tj,sj->kts", act, A, A) / eta
        H[:, :R, R] = act @ A.T / eta
        H[:, R, :R] = H[:, :R, R]
        H[:, R, R] = -act.sum(axis=1) / eta
        g = np.concatenate([gp, gn[:, None]], axis=1)
        step = np.linalg.solve(H, -g[:, :, None])[:, :, 0]
        slope = np.sum(g * step, axis=1)  # > 0: ascent direction
        t = np.where(done, 0.0, 1.0)
        for _half in range(60):
            P_try = P + t[:, None] * step[:, :R]
            nu_try = nu + t * step[:, R]
            v_try, _ = _dual(P_try, nu_try, A, B, allowed, eta)
            ok = done | (v_try >= val + 1e-4 * t * slope - 1e-15 * np.abs(val))
            if ok.all():
                break
            t = np.where(ok, t, t / 2)
        P = P + t[:, None] * step[:, :R]
        nu = nu + t * step[:, R]
        val, x = _dual(P, nu, A, B, allowed, eta)
    x = np.where(allowed, np.maximum(x, 0.0), 0.0)
    return x / x.sum(axis=1, keepdims=True)


# --------------------------------------------------------------- Frank-Wolfe
def frank_wolfe(
    A: np.ndarray,
    B: np.ndarray,
    zeta: float,
    *,
    init: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    min_decrease: float,
    max_iter: int,
) -> np.ndarray:
    """R synthdid's ``sc.weight.fw`` on K problems at once (centred inputs).

    Parameters
    ----------
    A : numpy.ndarray, shape (K, R, C)
        Centred columns of each problem.
    B : numpy.ndarray, shape (K, R)
        Centred targets.
    zeta : float
        Regularisation :math:`\\zeta` (objective :math:`\\zeta^2\\lVert x\\rVert^2
        + \\lVert Ax-b\\rVert^2/R`).
    init : numpy.ndarray, shape (K, C), optional
        Starting weights (uniform over *allowed* by default).
    allowed : numpy.ndarray of bool, shape (K, C), optional
        Columns a problem may use; others stay at 0.
    min_decrease : float
        Stop a problem when its objective falls by less than ``min_decrease**2``.
    max_iter : int
        Iterations per problem.

    Returns
    -------
    numpy.ndarray, shape (K, C)
    """
    K, R, C = A.shape
    if allowed is None:
        allowed = np.ones((K, C), dtype=bool)
    if init is None:
        x = allowed / allowed.sum(axis=1, keepdims=True)
    else:
        x = np.where(allowed, init, 0.0)
    eta = R * zeta**2
    running = np.ones(K, dtype=bool)
    prev = np.full(K, np.inf)
    for t in range(max_iter):
        idx = np.flatnonzero(running)
        if idx.size == 0:
            break
        Ak, bk, xk = A[idx], B[idx], x[idx]
        ax = np.einsum("krc,kc->kr", Ak, xk)
        half_grad = np.einsum("krc,kr->kc", Ak, ax - bk) + eta * xk
        half_grad = np.where(allowed[idx], half_grad, np.inf)
        i = np.argmin(half_grad, axis=1)
        d_x = -xk
        d_x[np.arange(idx.size), i] += 1.0
        still = ~np.all(np.abs(d_x) <= 1e-8, axis=1)  # numpy.allclose(d_x, 0)
        d_err = Ak[np.arange(idx.size), :, i] - ax
        denom = np.sum(d_err * d_err, axis=1) + eta * np.sum(d_x * d_x, axis=1)
        hg = np.where(allowed[idx], half_grad, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(-np.sum(hg * d_x, axis=1) / denom, 0.0, 1.0)
        step = np.where(still & (denom > 0), step, 0.0)
        xk = xk + step[:, None] * d_x
        x[idx] = xk
        err = np.einsum("krc,kc->kr", Ak, xk) - bk
        val = zeta**2 * np.sum(xk * xk, axis=1) + np.sum(err * err, axis=1) / R
        if t >= 1:
            stop = prev[idx] - val < min_decrease**2
            running[idx[stop]] = False
        prev[idx] = val
    return x


def frank_wolfe_two_pass(
    A: np.ndarray,
    B: np.ndarray,
    zeta: float,
    *,
    init: np.ndarray | None = None,
    allowed: np.ndarray | None = None,
    min_decrease: float,
) -> np.ndarray:
    """R synthdid's weights: :data:`FW_FIRST` iterations, :func:`sparsify`, :data:`FW_MAX` more."""
    x = frank_wolfe(
        A, B, zeta, init=init, allowed=allowed, min_decrease=min_decrease, max_iter=FW_FIRST
    )
    return frank_wolfe(
        A, B, zeta, init=sparsify(x), allowed=allowed, min_decrease=min_decrease, max_iter=FW_MAX
    )
