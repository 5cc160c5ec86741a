"""Empirical-Bayes (Poisson–gamma) shrinkage of small-area rates; re-exported by :mod:`ptvlib.assessment.indicators`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.checks import _check_nonnegative, _check_positive_number, _inputs
from ptvlib.basics.exceptions import DataError
from ptvlib.basics.literals import EbMethod, check_literal

__all__ = ["EbMethod", "eb_shrunk_rates"]


# --------------------------------------------------------------------------- EB shrinkage
def _nb_negloglik(params: np.ndarray, n: np.ndarray, x: np.ndarray) -> float:
    from scipy.special import gammaln

    alpha, beta = np.exp(params)
    ll = (
        gammaln(n + alpha)
        - gammaln(alpha)
        - gammaln(n + 1)
        + alpha * np.log(beta / (beta + x))
        + n * np.log(x / (beta + x))
    )
    return -float(ll.sum())


def eb_shrunk_rates(
    counts: Any,
    population: Any,
    per: float = 1000,
    method: EbMethod = "gamma-poisson",
) -> pd.DataFrame:
    """Empirical-Bayes (Poisson–gamma) shrinkage of small-area rates.

    Small areas have noisy raw rates: a town of 2 000 with 30 reports looks
    "most violent" by chance. Each area's rate is pulled toward the overall
    rate, the more the smaller the area.

    Parameters
    ----------
    counts : array-like or Series
        Event counts per area (≥ 0).
    population : array-like or Series
        Population at risk per area. Areas with missing/zero population or a
        missing count get NaN and do not inform the prior.
    per : float
        Rate scale (1000: per 1 000 inhabitants).
    method : {"gamma-poisson", "gamma-poisson-ml"}
        Prior estimated by the method of moments of Marshall (1991) (default) or
        by maximising the negative-binomial marginal likelihood (Clayton & Kaldor 1987).

    Returns
    -------
    DataFrame
        One row per area (index of the input Series, else 0..n-1) with
        ``count``, ``population``, ``raw_rate``, ``shrunk_rate``, ``weight``
        (weight on the raw rate, 0–1), ``ci_low``/``ci_high`` (95 % posterior
        interval), ``prior_mean`` and ``prior_var``; rates on the *per* scale.

    Raises
    ------
    DataError
        Negative counts, or fewer than 3 usable areas.
    ParameterError
        Unknown *method*, bad *per*, misaligned inputs.

    Notes
    -----
    Counts :math:`n_i \\sim \\text{Poisson}(x_i \\theta_i)` with rates
    :math:`\\theta_i \\sim \\text{Gamma}(\\alpha, \\beta)` (mean :math:`m=\\alpha/\\beta`,
    variance :math:`a=\\alpha/\\beta^2`). The posterior mean is

    .. math:: \\hat\\theta_i = \\frac{n_i + \\alpha}{x_i + \\beta}
              = m + w_i (r_i - m),\\qquad w_i = \\frac{a}{a + m / x_i},

    with raw rate :math:`r_i = n_i/x_i`. Marshall's moment estimates are
    :math:`m = \\sum n_i / \\sum x_i`,
    :math:`s^2 = \\sum x_i (r_i - m)^2 / \\sum x_i` and
    :math:`a = \\max(0,\\ s^2 - m / \\bar x)`; with :math:`a = 0` every area
    gets the overall rate (no detectable between-area variation). The interval
    uses the Gamma(:math:`n_i+\\alpha`, :math:`x_i+\\beta`) posterior. Holsbø &
    Perduca (2018) apply this shrinkage to Norwegian municipal crime rates.

    References
    ----------
    .. [1] Marshall, R. J. (1991). Mapping disease and mortality rates using
       empirical Bayes estimators. *Journal of the Royal Statistical Society,
       Series C (Applied Statistics)*, 40(2), 283–294.
    .. [2] Clayton, D., & Kaldor, J. (1987). Empirical Bayes estimates of
       age-standardized relative risks for use in disease mapping.
       *Biometrics*, 43(3), 671–681.
    .. [3] Holsbø, E., & Perduca, V. (2018). Shrinkage estimation of rate
       statistics. *Case Studies in Business, Industry and Government
       Statistics (CS-BIGS)*, 7(1), 14–25. arXiv:1810.07654.

    Examples
    --------
    >>> out = eb_shrunk_rates([12, 60, 4000, 2000], [1_000, 20_000, 1_000_000, 1_000_000])
    >>> out[["raw_rate", "shrunk_rate", "weight"]].round(3)
       raw_rate  shrunk_rate  weight
    0      12.0        5.291   0.254
    1       3.0        3.001   0.872
    2       4.0        3.997   0.997
    3       2.0        2.003   0.997
    """
    check_literal("method", method, EbMethod)
    per_f = _check_positive_number("per", per)
    arr, index, _ = _inputs(counts=counts, population=population)
    n, x = arr["counts"], arr["population"]
    _check_nonnegative("counts", n, index)
    ok = np.isfinite(n) & np.isfinite(x) & (x > 0)
    if ok.sum() < 3:
        raise DataError(
            f"only {int(ok.sum())} area(s) with a count and a positive population; "
            "at least 3 are needed to estimate the prior"
        )
    nv, xv = n[ok], x[ok]
    m = nv.sum() / xv.sum()
    r = nv / xv
    s2 = float(np.sum(xv * (r - m) ** 2) / xv.sum())
    a = max(0.0, s2 - m / xv.mean())
    if method == "gamma-poisson-ml":
        from scipy.optimize import minimize

        start = np.log([m**2 / a, m / a]) if a > 0 else np.log([1e3, 1e3 / max(m, 1e-12)])
        fit = minimize(
            _nb_negloglik,
            start,
            args=(nv, xv),
            method="Nelder-Mead",
            options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000},
        )
        alpha, beta = np.exp(fit.x)
        m, a = alpha / beta, alpha / beta**2
        if alpha > 1e7:  # prior collapsed onto its mean: no between-area variance
            a = 0.0
    raw = np.full(n.shape, np.nan)
    shrunk, weight, lo, hi = raw.copy(), raw.copy(), raw.copy(), raw.copy()
    raw[ok] = r
    if a > 0:
        from scipy.stats import gamma

        alpha, beta = m**2 / a, m / a
        weight[ok] = a / (a + m / xv)
        shrunk[ok] = (nv + alpha) / (xv + beta)
        lo[ok] = gamma.ppf(0.025, nv + alpha, scale=1.0 / (xv + beta))
        hi[ok] = gamma.ppf(0.975, nv + alpha, scale=1.0 / (xv + beta))
    else:
        weight[ok] = 0.0
        shrunk[ok] = lo[ok] = hi[ok] = m
    frame = pd.DataFrame(
        {
            "count": n,
            "population": x,
            "raw_rate": per_f * raw,
            "shrunk_rate": per_f * shrunk,
            "weight": weight,
            "ci_low": per_f * lo,
            "ci_high": per_f * hi,
            "prior_mean": per_f * m,
            "prior_var": per_f**2 * a,
        },
        index=index,
    )
    return frame
