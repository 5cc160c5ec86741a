"""Tests of :func:`ptvlib.estimators.honest.honest_did` (Rambachan & Roth 2023).

The M̄ = 0 identity (relative magnitudes give back the event study's own interval), the
closed-form worst-case bias against a linear programme, and diff-diff 3.13's ``HonestDiD`` as
the independent implementation (fed the same coefficients and covariance).
"""

from __future__ import annotations

import math
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators._event_study import EventStudyResult
from ptvlib.estimators._honest_bounds import flci, sd_bias
from ptvlib.estimators.did import did
from ptvlib.estimators.honest import HonestDidResult, breakdown_sentence, honest_did
from ptvlib.estimators.simulate import simulate_panel

matplotlib.use("Agg")

TREATED = [f"u{i:02d}" for i in range(15)]


def _event_study(family: str, *, pre_trend: float = 0.005, seed: int = 18) -> EventStudyResult:
    df = simulate_panel(
        n_units=30,
        treated=15,
        population=(50_000, 200_000),
        pre_trend=pre_trend,
        periods=range(2012, 2024),
        seed=seed,
    )
    kw: dict[str, object] = {"unit": "unit", "time": "time", "treated": TREATED, "start": 2018}
    if family == "ols":
        kw["outcome"] = "rate"
    else:
        kw.update(outcome="count", exposure="population", family=family)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return did(df, **kw).event_study()  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def poisson_es() -> EventStudyResult:
    return _event_study("poisson")


@pytest.mark.parametrize("family", ["ols", "poisson"])
def test_mbar_zero_gives_the_original_interval(family: str) -> None:
    es = _event_study(family)
    res = honest_did(es)
    row = es.summary().set_index("term").loc["average_post"]
    tr = math.log if es.log_link else float
    assert res.estimate == pytest.approx(es.average_post, abs=1e-14)
    assert res.se == pytest.approx(es.average_post_se, rel=1e-12)
    assert res.robust_ci(0.0) == res.ci
    assert res.ci == pytest.approx((tr(row["ci_low"]), tr(row["ci_high"])), abs=1e-12)
    lb, ub = res.table.loc[0, ["lb", "ub"]]
    assert lb == ub == pytest.approx(res.estimate)
    widths = (res.table["ci_high"] - res.table["ci_low"]).to_numpy()
    assert np.all(np.diff(widths) > 0)  # intervals grow with M̄


def _diff_diff_input(es: EventStudyResult):  # type: ignore[no-untyped-def]
    from diff_diff.results import MultiPeriodDiDResults, PeriodEffect

    c = es.coefficients.set_index("rel_time")
    rels = [int(e) for e in es.vcov.index]
    pre = [e for e in rels if e < es.reference]
    post = [e for e in rels if e > es.reference]
    effects = {
        e: PeriodEffect(
            period=e,
            effect=float(c.loc[e, "coef"]),
            se=float(c.loc[e, "se"]),
            t_stat=0.0,
            p_value=1.0,
            conf_int=(0.0, 0.0),
        )
        for e in rels
    }
    return MultiPeriodDiDResults(
        period_effects=effects,
        avg_att=0.0,
        avg_se=1.0,
        avg_t_stat=0.0,
        avg_p_value=1.0,
        avg_conf_int=(0.0, 0.0),
        n_obs=es.n,
        n_treated=15,
        n_control=15,
        pre_periods=[*pre, es.reference],
        post_periods=post,
        vcov=es.vcov.to_numpy(),
        reference_period=es.reference,
        interaction_indices={e: i for i, e in enumerate(rels)},
    )


def test_relative_magnitudes_match_diff_diff(poisson_es: EventStudyResult) -> None:
    from diff_diff.honest_did import HonestDiD

    grid = (0.0, 0.5, 1.0, 2.0, 5.0)
    res = honest_did(poisson_es, mbar=grid)
    ref_input = _diff_diff_input(poisson_es)
    for row in res.table.itertuples():
        ref = HonestDiD(method="relative_magnitude", M=row.mbar).fit(ref_input)
        assert (row.lb, row.ub) == pytest.approx((ref.lb, ref.ub), abs=1e-12)
        assert (row.ci_low, row.ci_high) == pytest.approx((ref.ci_lb, ref.ci_ub), abs=1e-12)
    # The breakdown value is where the interval reaches zero.
    at = honest_did(poisson_es, mbar=res.breakdown)
    assert at.table.loc[0, "ci_high"] == pytest.approx(0.0, abs=1e-12)
    assert res.breakdown == pytest.approx(4.878, abs=1e-3)


def test_smoothness_flci_matches_diff_diff(poisson_es: EventStudyResult) -> None:
    from diff_diff.honest_did import HonestDiD

    grid = (0.0, 0.005, 0.02, 0.05)
    res = honest_did(poisson_es, method="smoothness", mbar=grid)
    ref_input = _diff_diff_input(poisson_es)
    for row in res.table.itertuples():
        ref = HonestDiD(method="smoothness", M=row.mbar).fit(ref_input)
        assert (row.ci_low, row.ci_high) == pytest.approx((ref.ci_lb, ref.ci_ub), abs=1e-6)
    # Breakdown: the interval includes zero just above it and excludes it just below.
    b = res.breakdown
    lo, hi = honest_did(poisson_es, method="smoothness", mbar=[0.999 * b, 1.001 * b]).table[
        "ci_high"
    ]
    assert lo < 0 < hi


def test_worst_case_bias_closed_form_equals_the_linear_programme() -> None:
    """max |v'delta| over |second differences| <= M (delta_0 = 0), solved by linprog."""
    from scipy.optimize import linprog

    rng = np.random.default_rng(4)
    T, K, M = 5, 4, 0.3
    for _ in range(5):
        lw = rng.normal(size=K)  # signed weights too
        w = rng.normal(size=T)
        w += (np.arange(1, K + 1) @ lw - w.sum()) / T  # unbiased under linear trends
        v = np.concatenate([w - np.r_[0.0, w[:-1]], lw])
        # delta over positions -T..-1, 1..K with delta_0 = 0 inserted for the differences
        n = T + K
        full = np.zeros((n + 1, n))
        full[:T, :T] = np.eye(T)
        full[T + 1 :, T:] = np.eye(K)
        second = (
            np.eye(n + 1, k=0)[:-2] - 2 * np.eye(n + 1, k=1)[:-2] + np.eye(n + 1, k=2)[:-2]
        ) @ full
        A = np.vstack([second, -second])
        b = np.full(A.shape[0], M)
        best = -linprog(-v, A_ub=A, b_ub=b, bounds=(None, None), method="highs").fun
        assert sd_bias(w, lw, M) == pytest.approx(best, rel=1e-9)


def test_smoothness_at_zero_is_the_minimum_variance_linear_extrapolation(
    poisson_es: EventStudyResult,
) -> None:
    """M = 0: any linear trend is allowed; the best unbiased estimator has the least variance."""
    res = honest_did(poisson_es, method="smoothness", mbar=0.0)
    V = poisson_es.vcov.to_numpy()
    beta = poisson_es.coefficients.set_index("rel_time").loc[list(poisson_es.vcov.index), "coef"]
    T, K = 5, 6
    lw = np.full(K, 1 / K)
    # Closed form: minimise v'Vv over v = (D w, l) with 1'w = sum k l_k, by Lagrange.
    D = np.eye(T) - np.eye(T, k=-1)
    Q = D.T @ V[:T, :T] @ D
    q = D.T @ V[:T, T:] @ lw
    target = np.arange(1, K + 1) @ lw
    Qi = np.linalg.inv(Q)
    mu = (target + np.ones(T) @ Qi @ q) / (np.ones(T) @ Qi @ np.ones(T))
    w = Qi @ (mu * np.ones(T) - q)
    v = np.concatenate([D @ w, lw])
    centre, sd = float(v @ beta.to_numpy()), float(np.sqrt(v @ V @ v))
    z = 1.959963984540054
    assert res.robust_ci(0.0) == pytest.approx((centre - z * sd, centre + z * sd), abs=1e-10)
    sol = flci(beta.to_numpy(), V, T, lw, 0.0)
    assert sol.bias == 0.0 and sol.sd == pytest.approx(sd)


def test_breakdown_is_small_with_a_differential_pre_trend() -> None:
    """A pre-trend of 0.02 a year doubles the largest pre-period step (0.016 -> 0.035 on the
    log scale) and the breakdown value falls from 3.59 to 1.48 (true effect log 0.8)."""
    clean = honest_did(_event_study("poisson", pre_trend=0.0, seed=5))
    trending = honest_did(_event_study("poisson", pre_trend=0.02, seed=5))
    assert trending.max_pre_step > 2 * clean.max_pre_step
    assert trending.breakdown < clean.breakdown / 2
    assert (round(clean.breakdown, 2), round(trending.breakdown, 2)) == (3.59, 1.48)


def test_breakdown_sentence() -> None:
    assert breakdown_sentence(0.0, lang="en").startswith("Even with parallel trends")
    assert breakdown_sentence(math.inf, lang="en").startswith("The sign holds for every M̄")
    assert "0,25 ganger" in breakdown_sentence(0.25)
    assert breakdown_sentence(0.03, lang="en", method="smoothness").startswith(
        "The sign holds unless the trend difference bends by more than 0.03 per period"
    )
    with pytest.raises(ParameterError, match="lang='de'"):
        breakdown_sentence(1.0, lang="de")  # type: ignore[arg-type]


def test_summary_plot_verdict(poisson_es: EventStudyResult) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    res = honest_did(poisson_es)
    assert isinstance(res, HonestDidResult)
    s = res.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s["term"].tolist()[:3] == ["original", "mbar=0", "mbar=0.25"]
    assert s["term"].iloc[-1] == "breakdown" and s["estimate"].iloc[-1] == pytest.approx(
        res.breakdown
    )
    assert s["estimate"].iloc[0] == pytest.approx(np.exp(res.estimate))  # rate ratio
    assert res.verdict("en").startswith("HonestDiD (relative magnitudes) for count: The sign holds")
    assert "relative størrelser" in res.verdict("nb")
    fig = res.plot(lang="en")
    assert isinstance(fig, Figure) and fig.axes[0].get_xlabel().startswith("M̄ (post-period")
    assert res.plot().axes[0].get_title().startswith("Følsomhet for brudd")
    plt.close("all")


def test_bad_inputs(poisson_es: EventStudyResult) -> None:
    with pytest.raises(ParameterError, match="must be an EventStudyResult"):
        honest_did(pd.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="method='rm' is not allowed"):
        honest_did(poisson_es, method="rm")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"mbar=\[-1\] is not allowed; allowed: numbers >= 0"):
        honest_did(poisson_es, mbar=[-1])
    with pytest.raises(ParameterError, match="weights has 2 value"):
        honest_did(poisson_es, weights=[0.5, 0.5])
    with pytest.raises(ParameterError, match="mbar=3.0 is not in the table"):
        honest_did(poisson_es).robust_ci(3.0)
    first = honest_did(poisson_es, weights=[1, 0, 0, 0, 0, 0])
    assert first.estimate == pytest.approx(
        poisson_es.coefficients.set_index("rel_time").loc[0, "coef"]
    )
    no_pre = EventStudyResult(
        **{**poisson_es.__dict__, "vcov": poisson_es.vcov.loc[[0, 1], [0, 1]]}  # type: ignore[arg-type]
    )
    with pytest.raises(EstimationError, match="0 before and 2 after"):
        honest_did(no_pre)
