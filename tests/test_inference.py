"""Tests of :mod:`ptvlib.estimators.inference` against statsmodels and slow loops."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import statsmodels.api as sm

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators.bootstrap import bootstrap_weights, wild_cluster_bootstrap
from ptvlib.estimators.inference import cluster_robust_vcov, cr1_factor, hac_vcov, permutation_test


def _twfe_panel(
    rng: np.random.Generator, g: int = 10, t: int = 12, effect: float = 0.0, n_treated: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A small two-way FE panel: design [treat, 1, unit dummies, time dummies], y, clusters."""
    unit = np.repeat(np.arange(g), t)
    time = np.tile(np.arange(t), g)
    treat = ((unit < n_treated) & (time >= t // 2)).astype(float)
    dummies = [np.ones(g * t)]
    dummies += [(unit == u).astype(float) for u in range(1, g)]
    dummies += [(time == s).astype(float) for s in range(1, t)]
    X = np.column_stack([treat, *dummies])
    y = (
        effect * treat
        + rng.normal(size=g)[unit]
        + rng.normal(size=t)[time]
        + rng.normal(size=g * t) * (1 + 0.5 * (unit % 3))  # heteroskedastic across clusters
        + 0.5 * rng.normal(size=g)[unit] * time / t  # within-cluster correlation
    )
    return X, y, unit


def _slow_wcr(
    X: np.ndarray, y: np.ndarray, clusters: np.ndarray, v: np.ndarray, null: float = 0.0
) -> tuple[float, np.ndarray]:
    """Independent WCR: refit OLS and the CR1 t-statistic for every draw, one by one."""

    def t_stat(yy: np.ndarray) -> float:
        beta, *_ = np.linalg.lstsq(X, yy, rcond=None)
        e = yy - X @ beta
        bread = np.linalg.inv(X.T @ X)
        G = len(np.unique(clusters))
        meat = np.zeros((X.shape[1], X.shape[1]))
        for c in np.unique(clusters):
            s = X[clusters == c].T @ e[clusters == c]
            meat += np.outer(s, s)
        V = bread @ meat @ bread * G / (G - 1) * (len(yy) - 1) / (len(yy) - X.shape[1])
        return (beta[0] - null) / math.sqrt(V[0, 0])

    others = X[:, 1:]
    y0 = y - null * X[:, 0]
    b_r, *_ = np.linalg.lstsq(others, y0, rcond=None)
    fitted_r = others @ b_r + null * X[:, 0]
    u_r = y - fitted_r
    t_obs = t_stat(y)
    _, codes = np.unique(clusters, return_inverse=True)
    t_star = np.array([t_stat(fitted_r + u_r * w[codes]) for w in v])
    return t_obs, t_star


def _slow_p(t_obs: float, t_star: np.ndarray) -> float:
    # Same documented tie rule as the library: |t*| >= |t| (1 - 1e-9).
    return float(np.mean(np.abs(t_star) >= abs(t_obs) * (1 - 1e-9)))


def test_cr1_matches_statsmodels_cluster() -> None:
    rng = np.random.default_rng(11)
    X, y, cl = _twfe_panel(rng, g=12, t=8)
    res = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": cl})
    e = y - X @ res.params
    V = cluster_robust_vcov(np.linalg.inv(X.T @ X), X * e[:, None], cl)
    np.testing.assert_allclose(V, res.cov_params(), rtol=1e-8, atol=1e-12)
    assert cr1_factor(96, X.shape[1], 12) == pytest.approx(12 / 11 * 95 / (96 - X.shape[1]))


def test_hac_matches_statsmodels_newey_west() -> None:
    rng = np.random.default_rng(12)
    n = 80
    t = np.arange(n)
    X = np.column_stack([np.ones(n), t, t >= 50])
    e = np.zeros(n)
    for i in range(1, n):  # AR(1) errors
        e[i] = 0.6 * e[i - 1] + rng.normal()
    y = X @ np.array([1.0, 0.05, -1.0]) + e
    for lags in (0, 1, 4):
        res = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        resid = y - X @ res.params
        V = hac_vcov(np.linalg.inv(X.T @ X), X * resid[:, None], t, lags)
        np.testing.assert_allclose(V, res.cov_params(), rtol=1e-10)


def test_wild_bootstrap_equals_slow_loop_with_webb_weights() -> None:
    rng = np.random.default_rng(13)
    X, y, cl = _twfe_panel(rng, g=10, t=12, effect=0.4)
    fast = wild_cluster_bootstrap(X, y, cl, draws=999, weights="webb", seed=5, ci=False)
    v, label = bootstrap_weights(10, 999, weights="webb", seed=5)
    assert label == fast.weights == "webb" and fast.draws == 999
    t_obs, t_star = _slow_wcr(X, y, cl, v)
    assert fast.t_stat == pytest.approx(t_obs, rel=1e-10)
    np.testing.assert_allclose(fast.t_star, t_star, rtol=1e-8, atol=1e-10)
    assert fast.p_value == _slow_p(t_obs, t_star)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    assert fast.estimate == pytest.approx(beta[0], rel=1e-10)


def test_wild_bootstrap_enumerates_rademacher_exactly() -> None:
    rng = np.random.default_rng(14)
    X, y, cl = _twfe_panel(rng, g=8, t=10, effect=0.8, n_treated=3)
    fast = wild_cluster_bootstrap(X, y, cl, draws=9999, seed=1, ci=False)
    assert fast.weights == "rademacher (enumerated)" and fast.draws == 2**8
    # The full set of 2^G sign vectors, built independently.
    grid = np.array(list(itertools.product([-1.0, 1.0], repeat=8)))
    t_obs, t_star = _slow_wcr(X, y, cl, grid)
    assert sorted(np.round(fast.t_star, 8)) == sorted(np.round(t_star, 8))
    assert fast.p_value == _slow_p(t_obs, t_star)
    # Symmetry of Rademacher: v and -v give t* of opposite sign, so |t*| come in pairs.
    assert np.allclose(np.sort(fast.t_star), -np.sort(fast.t_star)[::-1])
    # Seed does not matter when enumerating.
    again = wild_cluster_bootstrap(X, y, cl, draws=9999, seed=99, ci=False)
    assert again.p_value == fast.p_value


def test_wild_bootstrap_nonzero_null_equals_slow_loop() -> None:
    rng = np.random.default_rng(15)
    X, y, cl = _twfe_panel(rng, g=9, t=10, effect=1.0)
    fast = wild_cluster_bootstrap(X, y, cl, null=0.5, draws=512, ci=False)
    grid = bootstrap_weights(9, 512)[0]
    t_obs, t_star = _slow_wcr(X, y, cl, grid, null=0.5)
    assert fast.p_value == _slow_p(t_obs, t_star)
    assert fast.t_stat == pytest.approx(t_obs, rel=1e-10)


def test_bootstrap_interval_inverts_the_test() -> None:
    rng = np.random.default_rng(16)
    X, y, cl = _twfe_panel(rng, g=10, t=12, effect=0.7, n_treated=4)
    res = wild_cluster_bootstrap(X, y, cl, draws=9999, seed=3)
    lo, hi = res.ci
    assert lo < res.estimate < hi
    width = hi - lo

    def p_at(r: float) -> float:
        return wild_cluster_bootstrap(X, y, cl, null=r, draws=9999, seed=3, ci=False).p_value

    eps = 1e-4 * width
    assert p_at(lo + eps) >= 0.05 > p_at(lo - eps)
    assert p_at(hi - eps) >= 0.05 > p_at(hi + eps)


def test_wild_bootstrap_size_under_the_null() -> None:
    """100 seeded null panels (10 clusters, 3 treated): rejections at 5 % stay near 5 %."""
    rng = np.random.default_rng(17)
    rejections = 0
    for _ in range(100):
        X, y, cl = _twfe_panel(rng, g=10, t=8, effect=0.0)
        rejections += wild_cluster_bootstrap(X, y, cl, draws=999, ci=False).p_value < 0.05
    # 100 reps: found 4 rejections; a binomial(100, 0.05) exceeds 12 with prob < 0.001.
    assert rejections <= 12


def test_webb_weights_take_six_values_evenly() -> None:
    v, label = bootstrap_weights(10, 6000, seed=1)  # 2^10 = 1024 <= 6000: enumerated
    assert label == "rademacher (enumerated)" and v.shape == (1024, 10)
    v, label = bootstrap_weights(11, 1000, seed=1)  # 2048 > 1000 and G < 12: Webb
    assert label == "webb"
    values, counts = np.unique(v, return_counts=True)
    np.testing.assert_allclose(
        values, [-math.sqrt(1.5), -1, -math.sqrt(0.5), math.sqrt(0.5), 1, math.sqrt(1.5)]
    )
    assert np.all(np.abs(counts / v.size - 1 / 6) < 0.01)
    v, label = bootstrap_weights(20, 500, seed=1)
    assert label == "rademacher" and set(np.unique(v)) == {-1.0, 1.0}


def test_permutation_test_enumerates_and_ranks() -> None:
    effects = {f"u{i}": float(i) / 10 for i in range(10)} | {"t": -5.0}
    res = permutation_test(lambda tr: sum(effects[u] for u in tr), list(effects), ["t"])
    assert res.enumerated and res.n_assignments == 11
    assert res.p_value == pytest.approx(1 / 11)
    two = permutation_test(lambda tr: sum(effects[u] for u in tr), list(effects), ["t", "u0"])
    assert two.n_assignments == math.comb(11, 2)
    sampled = permutation_test(
        lambda tr: sum(effects[u] for u in tr), list(effects), ["t", "u0"], draws=20, seed=2
    )
    assert not sampled.enumerated and sampled.n_assignments == 21
    greater = permutation_test(
        lambda tr: effects[tr[0]], list(effects), ["u9"], alternative="greater"
    )
    assert greater.p_value == pytest.approx(1 / 11)


def test_bad_inputs_give_clear_errors() -> None:
    with pytest.raises(ParameterError, match="weights='normal' is not allowed"):
        bootstrap_weights(5, 99, weights="normal")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="bootstrap=0 is not allowed"):
        bootstrap_weights(5, 0)
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    with pytest.raises(EstimationError, match="at least 2 clusters; found 1"):
        wild_cluster_bootstrap(X, np.arange(10.0), np.zeros(10))
    with pytest.raises(EstimationError, match="rank deficient"):
        wild_cluster_bootstrap(np.column_stack([X, X[:, 1]]), np.arange(10.0), np.arange(10) % 3)
    with pytest.raises(ParameterError, match="hac_lags=-1"):
        hac_vcov(np.eye(2), np.ones((10, 2)), np.arange(10), -1)
    with pytest.raises(ParameterError, match=r"treated=\['zz'\]"):
        permutation_test(lambda tr: 0.0, ["a", "b"], ["zz"])
