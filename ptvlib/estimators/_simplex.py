"""Exact least squares on the probability simplex (the synthetic-control weight QP).

The synthetic-control weights solve

.. math::

    \\hat w = \\arg\\min_{w} \\lVert y - X w \\rVert_2^2
    \\quad \\text{subject to} \\quad w_j \\ge 0,\\; \\textstyle\\sum_j w_j = 1,

with ``X`` the ``T0 x J`` matrix of donor pre-period paths and ``y`` the
treated unit's path. This module solves it *exactly* (up to floating point)
with an active-set method instead of a general-purpose optimiser, which can
stop at nearly uniform weights when the objective is flat or badly scaled.

The reduction used (Lawson & Hanson 1974, ch. 23, the NNLS route to least
distance programming): with ``Z = y 1' - X`` we have ``y - X w = Z w`` on the
simplex, so the problem is the minimum-norm point of the convex hull of the
columns of ``Z``. Let ``u`` solve the non-negative least squares problem

.. math::

    \\min_{u \\ge 0} \\lVert Z u \\rVert^2 + (1' u - 1)^2 .

Writing ``u = t w`` with ``t = 1'u`` and ``a = \\lVert Z w \\rVert^2`` the
objective is ``t^2 a + (t - 1)^2``, minimised over ``t`` at ``t = 1/(1+a)``
with value ``a / (1 + a)``, which increases with ``a``. Hence ``w = u / 1'u``
is the simplex optimum -- an exact equivalence, no penalty weight. The NNLS is
solved with the Lawson-Hanson active-set algorithm (``scipy.optimize.nnls``),
then the Karush-Kuhn-Tucker (KKT) conditions are verified and, if they fail,
the solution is refined with this module's own Lawson-Hanson iterations.

References
----------
Lawson, C. L. & Hanson, R. J. (1974). *Solving Least Squares Problems*.
Prentice-Hall (ch. 23: NNLS and least distance programming).
"""

from __future__ import annotations

import numpy as np

__all__ = ["kkt_violation", "lawson_hanson", "simplex_lstsq"]

#: Relative KKT tolerance accepted without refinement.
KKT_TOL = 1e-9
#: Weights below this (after normalising) are rounding noise and set to exactly 0.
ZERO_WEIGHT = 1e-13


def _augmented(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the scaled NNLS system ``E = [Z / s; 1']``, ``f = e_last``."""
    Z = y[:, None] - X
    scale = float(np.sqrt(np.mean(Z * Z)))
    E = np.vstack([Z / scale, np.ones((1, X.shape[1]))])
    f = np.zeros(E.shape[0])
    f[-1] = 1.0
    return E, f


def lawson_hanson(
    E: np.ndarray,
    f: np.ndarray,
    u0: np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int | None = None,
) -> np.ndarray:
    """Non-negative least squares ``min ||E u - f||, u >= 0`` (Lawson-Hanson).

    Parameters
    ----------
    E : numpy.ndarray, shape (m, n)
        Design matrix.
    f : numpy.ndarray, shape (m,)
        Right-hand side.
    u0 : numpy.ndarray, shape (n,), optional
        Feasible warm start (its positive entries form the first passive set).
    tol : float
        A column enters the passive set when its dual ``E_j'(f - E u)`` exceeds
        ``tol * max(1, ||f||)``.
    max_iter : int, optional
        Maximum number of outer iterations (default ``3 n``).

    Returns
    -------
    numpy.ndarray
        The NNLS solution.

    Notes
    -----
    Optimality (KKT): ``u >= 0``, dual ``d = E'(f - E u) <= 0`` and ``d_j = 0``
    where ``u_j > 0``.

    Examples
    --------
    >>> import numpy as np
    >>> E = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> lawson_hanson(E, np.array([2.0, -1.0])).tolist()
    [2.0, 0.0]
    """
    m, n = E.shape
    max_iter = 3 * n if max_iter is None else max_iter
    thresh = tol * max(1.0, float(np.linalg.norm(f)))
    u = np.zeros(n) if u0 is None else np.clip(np.asarray(u0, dtype=float), 0.0, None)
    passive = u > 0

    def inner(u: np.ndarray, passive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        for _ in range(n + 1):
            idx = np.flatnonzero(passive)
            s = np.zeros(n)
            if idx.size:
                s[idx] = np.linalg.lstsq(E[:, idx], f, rcond=None)[0]
            if idx.size == 0 or s[idx].min() > 0:
                return s, passive
            neg = idx[s[idx] <= 0]
            alpha = float(np.min(u[neg] / (u[neg] - s[neg])))
            u = u + alpha * (s - u)
            passive = passive & (u > 1e-15 * max(1.0, float(u.max())))
            u[~passive] = 0.0
        return u, passive  # pragma: no cover - guard against cycling

    if passive.any():
        u, passive = inner(u, passive)
    for _ in range(max_iter):
        dual = E.T @ (f - E @ u)
        dual[passive] = -np.inf
        j = int(np.argmax(dual))
        if dual[j] <= thresh:
            break
        trial = passive.copy()
        trial[j] = True
        new_u, new_passive = inner(u, trial)
        if not new_passive[j] and np.array_equal(new_passive, passive):
            break  # numerically dependent column: no progress possible
        u, passive = new_u, new_passive
    return u


def kkt_violation(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, *, support_tol: float = 1e-10
) -> float:
    """Largest relative violation of the KKT conditions of the simplex QP.

    Parameters
    ----------
    X : numpy.ndarray, shape (T, J)
        Donor paths (one column per donor).
    y : numpy.ndarray, shape (T,)
        Target path.
    w : numpy.ndarray, shape (J,)
        Candidate weights.
    support_tol : float
        Weights above this count as the support.

    Returns
    -------
    float
        Maximum of the feasibility violations (negative weights, ``|1'w - 1|``)
        and the gradient conditions divided by ``max_j ||y - x_j|| * ||y - Xw||``
        (``||y - Xw||`` floored at ``1e-6 (||y|| + max_j ||x_j||)``, below which
        the fit is exact to rounding). 0 for an exact optimum.

    Notes
    -----
    With ``r = y - X w`` and ``Z = y 1' - X``, the gradient of
    ``||y - X w||^2`` equals ``-2 Z' r`` up to a constant shift (which the
    sum-to-one constraint absorbs). The conditions are ``g_j = Z_j' r = ||r||^2``
    for ``w_j > 0`` and ``g_j >= ||r||^2`` for ``w_j = 0``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 2.0], [0.0, 2.0]])
    >>> kkt_violation(X, np.array([1.0, 1.0]), np.array([0.5, 0.5]))
    0.0
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    feas = max(0.0, -float(w.min()), abs(float(w.sum()) - 1.0))
    Z = y[:, None] - X
    r = y - X @ w
    g = Z.T @ r
    lam = float(r @ r)
    size = float(np.linalg.norm(y)) + float(np.sqrt((X * X).sum(axis=0).max()))
    floor = 1e-6 * size  # rounding noise in r is ~eps * size; below this the fit is exact
    scale = float(np.sqrt((Z * Z).sum(axis=0).max())) * max(float(np.sqrt(lam)), floor)
    if scale == 0.0:
        return feas
    on = w > support_tol
    spread = float(np.abs(g[on] - lam).max()) if on.any() else 0.0
    below = float(np.clip(lam - g[~on], 0.0, None).max()) if (~on).any() else 0.0
    return max(feas, max(spread, below) / scale)


def simplex_lstsq(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Exact convex weights minimising ``||y - X w||^2`` (``w >= 0``, ``sum w = 1``).

    Parameters
    ----------
    X : array_like, shape (T, J)
        Donor paths, one column per donor (finite).
    y : array_like, shape (T,)
        Target path (finite).

    Returns
    -------
    numpy.ndarray, shape (J,)
        Optimal weights; at most ``T + 1`` are non-zero (a Lawson-Hanson
        passive set keeps linearly independent columns). When several weight
        vectors fit equally well (target inside the donors' convex hull with
        ``J > T + 1``) this is one optimal vertex solution, chosen
        deterministically.

    Raises
    ------
    ValueError
        Shapes do not match or values are not finite.

    Notes
    -----
    Solves the NNLS ``min_{u>=0} ||Z u||^2 + (1'u - 1)^2`` with ``Z = y 1' - X``
    and returns ``u / 1'u`` (exact equivalence; see the module docstring), then
    checks the KKT conditions with :func:`kkt_violation` and refines with
    :func:`lawson_hanson` if needed.

    References
    ----------
    Lawson, C. L. & Hanson, R. J. (1974). *Solving Least Squares Problems*.
    Prentice-Hall.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 10.0, 4.0], [0.0, 10.0, 9.0]])
    >>> np.round(simplex_lstsq(X, np.array([3.0, 3.0])), 6).tolist()
    [0.7, 0.3, 0.0]
    """
    from scipy.optimize import nnls

    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0] or X.shape[1] == 0:
        raise ValueError(f"X must be (T, J>=1) and y (T,); got {X.shape} and {y.shape}")
    if not (np.isfinite(X).all() and np.isfinite(y).all()):
        raise ValueError("X and y must be finite")
    J = X.shape[1]
    if J == 1:
        return np.ones(1)
    Z = y[:, None] - X
    if not Z.any():
        return np.full(J, 1.0 / J)  # every donor equals the target: all weights fit exactly
    E, f = _augmented(X, y)
    try:
        u = nnls(E, f, maxiter=50 * J)[0]
    except RuntimeError:  # pragma: no cover - scipy iteration limit
        u = lawson_hanson(E, f)
    w = _normalise(u)
    if kkt_violation(X, y, w) > KKT_TOL:
        w = _normalise(lawson_hanson(E, f, u))
    return w


def _normalise(u: np.ndarray) -> np.ndarray:
    """``u / sum(u)`` with rounding-level entries (< 1e-13 of the total) set to 0."""
    u = np.clip(u, 0.0, None)
    total = float(u.sum())
    if total <= 0.0:  # pragma: no cover - impossible: u = 0 is never optimal
        raise ArithmeticError("NNLS returned zero weights")
    u = np.where(u < ZERO_WEIGHT * total, 0.0, u)
    return u / u.sum()
