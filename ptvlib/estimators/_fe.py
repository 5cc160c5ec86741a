"""Two-way fixed effects without dummy columns: exact weighted least squares and IRLS.

:func:`ptvlib.did` and the event study fit :math:`g(E[y_{it}]) = x_{it}'\\beta + a_i + b_t`
(+ offset). Building the :math:`n \\times (N + T)` dummy matrix costs
:math:`O(n (N+T)^2)` per iteration and is what made a 550-area × 156-month
Poisson DiD take tens of seconds. This module solves the same normal equations
exactly by block elimination instead.

Notes
-----
With weights :math:`w` (1 for OLS, :math:`\\mu/(1+\\alpha\\mu)` inside IRLS), let
:math:`A` be the fixed effect with more levels (usually units) and :math:`B` the
other one (usually periods). Their weighted cross-products are

.. math:: D_A'WD_A = \\mathrm{diag}(W_A),\\qquad D_B'WD_B = \\mathrm{diag}(W_B),\\qquad
          C = D_A'WD_B \\;(\\text{cell sums of } w),

so the :math:`A` block is diagonal and is eliminated in closed form. What remains
is a dense system in :math:`(\\beta, b)` of size :math:`m + L_B - 1` (one level of
:math:`B` is the reference):

.. math:: M_{bb} = \\mathrm{diag}(W_B) - C'\\mathrm{diag}(W_A)^{-1}C,\\quad
          M_{b\\beta} = D_B'WX - C'\\mathrm{diag}(W_A)^{-1}D_A'WX,\\quad
          S = X'WX - X'WD_A\\,\\mathrm{diag}(W_A)^{-1}D_A'WX - M_{b\\beta}'M_{bb}^{-1}M_{b\\beta}.

:math:`S = \\tilde X'W\\tilde X` is the Frisch–Waugh–Lovell cross-product of the
regressors after the weighted projection on both fixed effects, and
:math:`S^{-1}` is exactly the :math:`\\beta` block of the inverse of the full
(dummy) Hessian. The cluster-robust sandwich therefore only needs the demeaned
regressors :math:`\\tilde x_i = x_i - \\Gamma_A[a(i)] - \\Gamma_B[b(i)]`, whose
cluster sums of :math:`\\tilde x_i e_i` are formed from cluster × level sums of
:math:`e` without materialising :math:`\\tilde X`. One iteration costs
:math:`O(n m + N_A L_B^2 + L_B^3)` instead of :math:`O(n (N+T)^2)`; the solution is
the same as with dummies up to rounding (no iterative demeaning, so no
convergence tolerance enters). pyfixest's ``feols``/``fepois`` reach the same
estimates by alternating projections.

References
----------
.. [1] Guimarães, P. & Portugal, P. (2010). A simple feasible procedure to fit
   models with high-dimensional fixed effects. *The Stata Journal* 10(4), 628–649.
.. [2] Correia, S., Guimarães, P. & Zylkin, T. (2020). Fast Poisson estimation
   with high-dimensional fixed effects. *The Stata Journal* 20(1), 95–115.
.. [3] Frisch, R. & Waugh, F. V. (1933). Partial time regressions as compared
   with individual trends. *Econometrica* 1(4), 387–401.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ptvlib.basics.exceptions import EstimationError
from ptvlib.basics.literals import DidFamily as Family

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FeFit", "TwoWayFE", "fe_cluster_vcov", "fit_fe_model"]

_COLLINEAR = (
    "the model cannot be estimated: its columns are collinear "
    "(too few periods or units for the terms asked for)"
)


def _is_sparse(X: Any) -> bool:
    return hasattr(X, "tocsc") and not isinstance(X, np.ndarray)


def _as_design(X: Any, n: int) -> Any:
    if _is_sparse(X):
        return X.tocsc().astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    return X.reshape(n, -1)


@dataclass(frozen=True, eq=False)
class _Wls:
    """One weighted least-squares solve (private)."""

    beta: np.ndarray  # (m,)
    a: np.ndarray  # (L_A,) levels of the eliminated effect
    b: np.ndarray  # (L_B,) levels of the other effect, reference level 0
    eta: np.ndarray  # (n,) fitted linear predictor without offset
    s_inv: np.ndarray  # (m, m) inverse of X~'WX~
    gamma_a: np.ndarray  # (L_A, m) projection coefficients of X on the effects
    gamma_b: np.ndarray  # (L_B, m)


class TwoWayFE:
    """Layout of a panel with two fixed effects (unit and period), fixed across solves.

    Parameters
    ----------
    unit_codes, time_codes : numpy.ndarray of int
        Level codes ``0 … L-1`` of each row (e.g. from :func:`pandas.factorize`).

    Notes
    -----
    The effect with more levels is eliminated in closed form (diagonal block);
    the other one is kept in a dense Cholesky-factorised block. Build one
    instance per panel and reuse it across weights (IRLS iterations) and
    regressors (placebo assignments).
    """

    def __init__(self, unit_codes: np.ndarray, time_codes: np.ndarray) -> None:
        u = np.asarray(unit_codes, dtype=np.intp)
        t = np.asarray(time_codes, dtype=np.intp)
        if u.shape != t.shape or u.ndim != 1:
            raise ValueError("unit_codes and time_codes must be 1-D arrays of equal length")
        n_u, n_t = int(u.max()) + 1, int(t.max()) + 1
        self.swapped = n_t > n_u
        self.a, self.b = (t, u) if self.swapped else (u, t)
        self.la, self.lb = (n_t, n_u) if self.swapped else (n_u, n_t)
        self.n = int(u.size)
        self.cell = self.a * self.lb + self.b
        self.n_levels = n_u + n_t
        self._ia: Any = None
        self._ib: Any = None

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, unit: str = "unit", time: str = "time") -> TwoWayFE:
        """Layout from the unit and time columns of an analysis frame."""
        import pandas as pd

        u, _ = pd.factorize(frame[unit], sort=True)
        t, _ = pd.factorize(frame[time], sort=True)
        return cls(u, t)

    def _indicators(self) -> tuple[Any, Any]:
        if self._ia is None:
            from scipy import sparse

            rows = np.arange(self.n)
            ones = np.ones(self.n)
            self._ia = sparse.csr_matrix((ones, (rows, self.a)), shape=(self.n, self.la))
            self._ib = sparse.csr_matrix((ones, (rows, self.b)), shape=(self.n, self.lb))
        return self._ia, self._ib

    def _sums(self, codes: np.ndarray, levels: int, values: Any, weights: np.ndarray) -> np.ndarray:
        """``D' W values`` as a dense (levels, m) array."""
        if _is_sparse(values):
            ia, ib = self._indicators()
            ind = ia if codes is self.a else ib
            return np.asarray((ind.T @ values.multiply(weights[:, None])).todense())
        if values.shape[1] == 1:
            return np.bincount(codes, weights * values[:, 0], minlength=levels)[:, None]
        ia, ib = self._indicators()
        ind = ia if codes is self.a else ib
        return np.asarray(ind.T @ (values * weights[:, None]))

    def wls(self, w: np.ndarray, z: np.ndarray, X: Any) -> _Wls:
        """Weighted least squares of *z* on *X* and both fixed effects (exact).

        Parameters
        ----------
        w : numpy.ndarray, shape (n,)
            Non-negative weights.
        z : numpy.ndarray, shape (n,)
            Response.
        X : numpy.ndarray or scipy.sparse matrix, shape (n, m)
            Regressors (no constant: the effects absorb it).

        Returns
        -------
        _Wls

        Raises
        ------
        EstimationError
            A level has zero total weight, or the regressors are collinear with
            the fixed effects.
        """
        from scipy.linalg import LinAlgError, cho_factor, cho_solve

        m = X.shape[1]
        wa = np.bincount(self.a, w, minlength=self.la)
        wb = np.bincount(self.b, w, minlength=self.lb)
        if (wa <= 0).any() or (wb <= 0).any():
            raise EstimationError(_COLLINEAR)
        cell = np.bincount(self.cell, w, minlength=self.la * self.lb).reshape(self.la, self.lb)
        inv_a = 1.0 / wa
        za = np.bincount(self.a, w * z, minlength=self.la)
        zb = np.bincount(self.b, w * z, minlength=self.lb)
        xa = self._sums(self.a, self.la, X, w)  # (la, m)
        xb = self._sums(self.b, self.lb, X, w)  # (lb, m)
        if _is_sparse(X):
            xwx = np.asarray((X.T @ X.multiply(w[:, None])).todense())
            xwz = np.asarray(X.T @ (w * z)).ravel()
        else:
            xw = X * w[:, None]
            xwx = X.T @ xw
            xwz = xw.T @ z
        ca = cell * inv_a[:, None]  # diag(1/W_A) C
        m_bb = np.diag(wb) - cell.T @ ca  # (lb, lb)
        m_bx = xb - ca.T @ xa  # (lb, m)
        r_b = zb - ca.T @ za
        try:
            fac = cho_factor(m_bb[1:, 1:])
        except (LinAlgError, np.linalg.LinAlgError) as exc:
            raise EstimationError(_COLLINEAR) from exc
        g_b = np.zeros((self.lb, m))
        g_b[1:] = cho_solve(fac, m_bx[1:])
        h_b = np.zeros(self.lb)
        h_b[1:] = cho_solve(fac, r_b[1:])
        xa_s = xa * inv_a[:, None]
        s = xwx - xa.T @ xa_s - m_bx[1:].T @ g_b[1:]
        rhs = xwz - xa_s.T @ za - m_bx[1:].T @ h_b[1:]
        scale = np.sqrt(np.clip(np.diag(xwx), 1e-300, None))
        s_norm = s / np.outer(scale, scale)
        eig = np.linalg.eigvalsh(s_norm) if m else np.ones(1)
        if eig.size == 0 or eig[0] <= 1e-11 * max(1.0, eig[-1]):
            raise EstimationError(_COLLINEAR)
        s_inv = np.linalg.inv(s)
        beta = s_inv @ rhs
        b = h_b - g_b @ beta
        a = inv_a * (za - xa @ beta - cell @ b)
        g_a = inv_a[:, None] * (xa - cell @ g_b)
        eta = np.asarray(X @ beta).ravel() + a[self.a] + b[self.b]
        return _Wls(beta=beta, a=a, b=b, eta=eta, s_inv=s_inv, gamma_a=g_a, gamma_b=g_b)

    def residualizer(self, w: np.ndarray) -> Any:
        """Function ``V -> V - P_FE V`` (weighted projection on both effects) for fixed *w*.

        The Cholesky factor of the reduced system is computed once, so each
        call costs :math:`O(n m + L_B^2 m)`; placebo loops with OLS reuse it for
        every reassignment of the treatment.
        """
        from scipy.linalg import LinAlgError, cho_factor, cho_solve

        wa = np.bincount(self.a, w, minlength=self.la)
        wb = np.bincount(self.b, w, minlength=self.lb)
        if (wa <= 0).any() or (wb <= 0).any():
            raise EstimationError(_COLLINEAR)
        cell = np.bincount(self.cell, w, minlength=self.la * self.lb).reshape(self.la, self.lb)
        ca = cell / wa[:, None]
        try:
            fac = cho_factor((np.diag(wb) - cell.T @ ca)[1:, 1:])
        except (LinAlgError, np.linalg.LinAlgError) as exc:
            raise EstimationError(_COLLINEAR) from exc

        def resid(V: np.ndarray) -> np.ndarray:
            V = np.asarray(V, dtype=float).reshape(self.n, -1)
            va = self._sums(self.a, self.la, V, w)
            vb = self._sums(self.b, self.lb, V, w)
            gb = np.zeros((self.lb, V.shape[1]))
            gb[1:] = cho_solve(fac, (vb - ca.T @ va)[1:])
            ga = (va - cell @ gb) / wa[:, None]
            return V - ga[self.a] - gb[self.b]

        return resid

    def dense_params(self, sol: _Wls) -> np.ndarray:
        """Coefficients in the parametrisation of the dummy design.

        ``[beta, intercept, unit effects vs unit 0, time effects vs time 0]``,
        as :func:`ptvlib.estimators._did_data.fe_design` orders its columns.
        """
        if self.swapped:
            unit, time = sol.b, sol.a
        else:
            unit, time = sol.a, sol.b
        intercept = unit[0] + time[0]
        return np.concatenate([sol.beta, [intercept], unit[1:] - unit[0], time[1:] - time[0]])

    def cluster_scores(
        self, sol: _Wls, X: Any, e: np.ndarray, clusters: np.ndarray, g: int
    ) -> np.ndarray:
        """Cluster sums :math:`\\sum_{i \\in g} \\tilde x_i e_i`, shape (g, m)."""
        from scipy import sparse

        rows = np.arange(self.n)
        dg = sparse.csr_matrix((e, (clusters, rows)), shape=(g, self.n))  # e-weighted
        if _is_sparse(X):
            direct = np.asarray((dg @ X).todense())
        else:
            direct = np.asarray(dg @ X)
        ea = sparse.csr_matrix((e, (clusters, self.a)), shape=(g, self.la))
        eb = sparse.csr_matrix((e, (clusters, self.b)), shape=(g, self.lb))
        return direct - np.asarray(ea @ sol.gamma_a) - np.asarray(eb @ sol.gamma_b)


@dataclass(frozen=True, eq=False)
class FeFit:
    """Fitted two-way FE model (private): the pieces a CR1 sandwich and a verdict need.

    Attributes
    ----------
    params : numpy.ndarray
        Coefficients of the regressors (fixed effects excluded).
    bread : numpy.ndarray
        :math:`(\\tilde X'W\\tilde X)^{-1}`, the regressors' block of the inverse Hessian.
    eta : numpy.ndarray
        Linear predictor without offset.
    fitted, resid : numpy.ndarray
        :math:`\\mu` (or the OLS fit) and :math:`y - \\mu`.
    score_resid : numpy.ndarray
        :math:`e_i` with score :math:`\\tilde x_i e_i`: the residual (OLS, Poisson)
        or :math:`(y-\\mu)/(1+\\alpha\\mu)` (NB2).
    alpha, pearson_dispersion, llf : float
        NB2 dispersion (NaN otherwise), Pearson :math:`\\chi^2/(n-p)`, log-likelihood.
    n_params : int
        Parameters of the full model: regressors + rank of the fixed effects.
    dense : numpy.ndarray
        All coefficients in the dummy-design parametrisation (warm starts).
    """

    params: np.ndarray
    bread: np.ndarray
    eta: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    score_resid: np.ndarray
    alpha: float
    pearson_dispersion: float
    llf: float
    n_params: int
    solution: _Wls
    dense: np.ndarray


def _deviance(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    from ptvlib.estimators._glmfit import _deviance as dev

    return dev(y, mu, alpha)


def _irls(
    fe: TwoWayFE,
    y: np.ndarray,
    X: Any,
    off: np.ndarray,
    alpha: float,
    start: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    tol: float = 1e-10,
    maxiter: int = 200,
) -> tuple[np.ndarray, np.ndarray, _Wls]:
    """Fisher scoring with step halving; the same iterations as ``_glmfit._irls`` on dummies.

    *start* is ``(dense_params, eta)`` of an earlier fit. Returns the dense-design
    parameters, the linear predictor (without offset) and the last solve.
    """
    if start is None:
        mu = (y + y.mean()) / 2.0 + 0.1
        eta = np.log(mu)
        dev = math.inf
        theta: np.ndarray | None = None
        lin = eta - off
    else:
        theta, lin = start
        eta = lin + off
        mu = np.exp(eta)
        dev = _deviance(y, mu, alpha)
    for _ in range(maxiter):
        w = mu / (1.0 + alpha * mu)
        z = eta - off + (y - mu) / mu
        sol = fe.wls(w, z, X)
        new, new_lin = fe.dense_params(sol), sol.eta
        for _half in range(40):
            eta_new = np.clip(new_lin + off, -700.0, 700.0)
            mu_new = np.exp(eta_new)
            dev_new = _deviance(y, mu_new, alpha)
            if theta is None or dev_new <= dev + 1e-9 * (1.0 + abs(dev)):
                break
            new = 0.5 * (new + theta)
            new_lin = 0.5 * (new_lin + lin)
        step = math.inf if theta is None else float(np.max(np.abs(new - theta)))
        theta, lin, eta, mu, dev = new, new_lin, eta_new, mu_new, dev_new
        if step <= tol * (1.0 + float(np.max(np.abs(theta)))):
            return theta, lin, sol
    raise EstimationError(f"the count model did not converge in {maxiter} iterations")


def fit_fe_model(
    y: np.ndarray,
    X: Any,
    fe: TwoWayFE,
    family: Family,
    offset: np.ndarray | None = None,
    *,
    start: tuple[np.ndarray, np.ndarray] | None = None,
) -> FeFit:
    """Fit OLS, Poisson or NB2 with unit and period fixed effects (log link for counts).

    Parameters
    ----------
    y : numpy.ndarray, shape (n,)
        Outcome.
    X : numpy.ndarray or scipy.sparse matrix, shape (n, m)
        Regressors of interest (treatment dummies).
    fe : TwoWayFE
        Layout of the fixed effects.
    family : {"ols", "poisson", "negbin"}
        Model.
    offset : numpy.ndarray, optional
        Log-scale offset of count families.
    start : (numpy.ndarray, numpy.ndarray), optional
        Warm start ``(dense_params, eta)`` for the count families.

    Returns
    -------
    FeFit
        Same estimates as :func:`ptvlib.estimators._glmfit.fit_model` on the
        dummy design of :func:`ptvlib.estimators._did_data.fe_design`, up to
        rounding.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    X = _as_design(X, n)
    m = X.shape[1]
    p = m + fe.n_levels - 1
    if n <= p:
        raise EstimationError(f"too few observations ({n}) for {p} model terms")
    if family == "ols":
        sol = fe.wls(np.ones(n), y, X)
        resid = y - sol.eta
        return FeFit(
            params=sol.beta,
            bread=sol.s_inv,
            eta=sol.eta,
            fitted=sol.eta,
            resid=resid,
            score_resid=resid,
            alpha=math.nan,
            pearson_dispersion=float(resid @ resid) / (n - p),
            llf=math.nan,
            n_params=p,
            solution=sol,
            dense=fe.dense_params(sol),
        )
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    theta, lin, _ = _irls(fe, y, X, off, 0.0, start)
    alpha = 0.0
    if family == "negbin":
        from scipy.optimize import minimize_scalar

        from ptvlib.estimators._glmfit import _loglik

        state = {"start": (theta, lin)}

        def neg_llf(log_alpha: float) -> float:
            a = math.exp(log_alpha)
            th, ln, _ = _irls(fe, y, X, off, a, state["start"])
            state["start"] = (th, ln)
            return -_loglik(y, np.exp(ln + off), a)

        opt = minimize_scalar(
            neg_llf,
            bounds=(math.log(1e-8), math.log(1e2)),
            method="bounded",
            options={"xatol": 1e-7},
        )
        alpha = math.exp(float(opt.x))
        theta, lin, _ = _irls(fe, y, X, off, alpha, state["start"])
    from ptvlib.estimators._glmfit import _loglik

    mu = np.exp(lin + off)
    denom = 1.0 + alpha * mu
    # The bread and the demeaning use the weights at the converged estimate.
    sol = fe.wls(mu / denom, lin, X)
    resid = y - mu
    return FeFit(
        params=theta[:m],
        bread=sol.s_inv,
        eta=lin,
        fitted=mu,
        resid=resid,
        score_resid=resid / denom,
        alpha=alpha if family == "negbin" else math.nan,
        pearson_dispersion=float(np.sum(resid**2 / (mu * denom))) / (n - p),
        llf=_loglik(y, mu, alpha),
        n_params=p,
        solution=sol,
        dense=theta,
    )


def fe_cluster_vcov(
    fit: FeFit, fe: TwoWayFE, X: Any, clusters: np.ndarray, *, k: int
) -> np.ndarray:
    """CR1 covariance of the regressors' coefficients (fixed effects profiled out).

    Equals the regressors' block of
    :func:`ptvlib.estimators.inference.cluster_robust_vcov` on the dummy design.
    """
    import pandas as pd

    from ptvlib.estimators.inference import cr1_factor

    codes, uniques = pd.factorize(np.asarray(clusters), sort=True)
    g = len(uniques)
    X = _as_design(X, fe.n)
    scores = fe.cluster_scores(fit.solution, X, fit.score_resid, codes.astype(np.intp), g)
    meat = scores.T @ scores
    return cr1_factor(fe.n, k, g) * (fit.bread @ meat @ fit.bread)
