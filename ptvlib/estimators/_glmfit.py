"""Private model fitting shared by :mod:`.did` and :mod:`.its` (OLS, Poisson, NB2).

Returns the pieces a sandwich needs (bread, per-observation scores) so that
cluster-robust (CR1) and HAC covariances are computed the same way for every
family in :mod:`.inference`.

Notes
-----
For a log-link GLM with variance function :math:`V(\\mu)` the score of
observation *i* is :math:`s_i = x_i (y_i-\\mu_i)\\,\\mu_i/V(\\mu_i)` and the
expected Hessian is :math:`X'WX` with :math:`W=\\mathrm{diag}(\\mu_i^2/V(\\mu_i))`:
:math:`V=\\mu` (Poisson) gives :math:`s_i=x_i(y_i-\\mu_i)`, :math:`W=\\mathrm{diag}(\\mu)`;
NB2, :math:`V=\\mu+\\alpha\\mu^2`, gives :math:`s_i=x_i(y_i-\\mu_i)/(1+\\alpha\\mu_i)`,
:math:`W=\\mathrm{diag}(\\mu/(1+\\alpha\\mu))`.

Coefficients for a given :math:`\\alpha` come from IRLS (Fisher scoring, which is
Newton's method for the canonical Poisson link) with step halving, iterated
until the largest coefficient change is below :math:`10^{-10}(1+\\max|\\beta|)`.
NB2's :math:`\\alpha` maximises the profile log-likelihood
:math:`\\ell(\\hat\\beta(\\alpha),\\alpha)` over :math:`\\log\\alpha` (bounded Brent
search on :math:`[10^{-8}, 10^{2}]`); standard errors then treat
:math:`\\hat\\alpha` as known (the NB2 information matrix is block-diagonal in
:math:`\\beta` and :math:`\\alpha`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ptvlib.basics.exceptions import EstimationError
from ptvlib.basics.literals import DidFamily as Family

__all__ = ["Fit", "fit_model"]


@dataclass(frozen=True, eq=False)
class Fit:
    """Fitted model pieces (private)."""

    params: np.ndarray
    bread: np.ndarray
    scores: np.ndarray
    fitted: np.ndarray
    resid: np.ndarray
    alpha: float
    pearson_dispersion: float
    llf: float


def _check_rank(X: np.ndarray) -> None:
    xtx = X.T @ X
    scale = np.sqrt(np.clip(np.diag(xtx), 1e-300, None))
    eig = np.linalg.eigvalsh(xtx / np.outer(scale, scale))
    if eig.size == 0 or eig[0] <= 1e-11 * eig[-1]:
        raise EstimationError(
            "the model cannot be estimated: its columns are collinear "
            "(too few periods or units for the terms asked for)"
        )


def _deviance(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        ylog = np.where(y > 0, y * np.log(y / mu), 0.0)
    if alpha == 0:
        return float(2 * np.sum(ylog - (y - mu)))
    inv = 1.0 / alpha
    return float(2 * np.sum(ylog - (y + inv) * np.log((1 + alpha * y) / (1 + alpha * mu))))


def _loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    from scipy.special import gammaln

    if alpha == 0:
        return float(np.sum(y * np.log(mu) - mu - gammaln(y + 1)))
    inv = 1.0 / alpha
    return float(
        np.sum(
            gammaln(y + inv)
            - gammaln(inv)
            - gammaln(y + 1)
            + y * np.log(alpha * mu / (1 + alpha * mu))
            - inv * np.log1p(alpha * mu)
        )
    )


def _irls(
    y: np.ndarray,
    X: np.ndarray,
    off: np.ndarray,
    alpha: float,
    beta: np.ndarray | None = None,
    *,
    tol: float = 1e-10,
    maxiter: int = 200,
) -> np.ndarray:
    """Fisher scoring with step halving for a log-link Poisson/NB2 model."""
    from scipy.linalg import LinAlgError, cho_factor, cho_solve

    if beta is None:
        mu = (y + y.mean()) / 2.0 + 0.1
        eta = np.log(mu)
        dev = math.inf
    else:
        eta = X @ beta + off
        mu = np.exp(eta)
        dev = _deviance(y, mu, alpha)
    for _ in range(maxiter):
        w = mu / (1.0 + alpha * mu)
        z = eta - off + (y - mu) / mu
        xw = X * w[:, None]
        try:
            new = cho_solve(cho_factor(X.T @ xw), xw.T @ z)
        except (LinAlgError, np.linalg.LinAlgError) as exc:
            raise EstimationError(f"the count model could not be fitted: {exc}") from exc
        for _half in range(40):
            eta_new = np.clip(X @ new + off, -700.0, 700.0)
            mu_new = np.exp(eta_new)
            dev_new = _deviance(y, mu_new, alpha)
            if beta is None or dev_new <= dev + 1e-9 * (1.0 + abs(dev)):
                break
            new = 0.5 * (new + beta)
        step = math.inf if beta is None else float(np.max(np.abs(new - beta)))
        beta, eta, mu, dev = new, eta_new, mu_new, dev_new
        if step <= tol * (1.0 + float(np.max(np.abs(beta)))):
            return beta
    raise EstimationError(f"the count model did not converge in {maxiter} iterations")


def fit_model(
    y: np.ndarray,
    X: np.ndarray,
    family: Family,
    offset: np.ndarray | None = None,
) -> Fit:
    """Fit OLS, Poisson or NB2 (log link, *offset* on the log scale)."""
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if n <= p:
        raise EstimationError(f"too few observations ({n}) for {p} model terms")
    _check_rank(X)
    if family == "ols":
        params, *_ = np.linalg.lstsq(X, y, rcond=None)
        fitted = X @ params
        resid = y - fitted
        return Fit(
            params=params,
            bread=np.linalg.inv(X.T @ X),
            scores=X * resid[:, None],
            fitted=fitted,
            resid=resid,
            alpha=math.nan,
            pearson_dispersion=float(resid @ resid) / (n - p),
            llf=math.nan,
        )
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    beta = _irls(y, X, off, 0.0)
    alpha = 0.0
    if family == "negbin":
        from scipy.optimize import minimize_scalar

        state = {"beta": beta}

        def neg_llf(log_alpha: float) -> float:
            a = math.exp(log_alpha)
            b = _irls(y, X, off, a, state["beta"])
            state["beta"] = b
            return -_loglik(y, np.exp(X @ b + off), a)

        opt = minimize_scalar(
            neg_llf,
            bounds=(math.log(1e-8), math.log(1e2)),
            method="bounded",
            options={"xatol": 1e-7},
        )
        alpha = math.exp(float(opt.x))
        beta = _irls(y, X, off, alpha, state["beta"])
    mu = np.exp(X @ beta + off)
    denom = 1.0 + alpha * mu
    bread = np.linalg.inv(X.T @ (X * (mu / denom)[:, None]))
    resid = y - mu
    return Fit(
        params=beta,
        bread=bread,
        scores=X * (resid / denom)[:, None],
        fitted=mu,
        resid=resid,
        alpha=alpha if family == "negbin" else math.nan,
        pearson_dispersion=float(np.sum(resid**2 / (mu * denom))) / (n - p),
        llf=_loglik(y, mu, alpha),
    )
