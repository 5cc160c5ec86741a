"""Tests of :func:`ptvlib.estimators.its.its`: a published table, known truth, coverage, errors."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators.its import ItsResult, its
from ptvlib.estimators.simulate import simulate_its

TEST_DATA = Path(__file__).resolve().parent / "data"

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def sicily() -> pd.DataFrame:
    return pd.read_csv(TEST_DATA / "lopez_bernal_2017_its" / "sicily.csv")


def _ban_start(df: pd.DataFrame) -> int:
    return int(df.loc[df["smokban"] == 1, "time"].min())


# --- Lopez Bernal, Cummins & Gasparrini (2017) ----------------------------------------------


def test_lopez_bernal_poisson_rate_ratio(sicily: pd.DataFrame) -> None:
    """Paper: ``glm(aces ~ offset(log(stdpop)) + smokban + time, family=poisson)``, RR 0.894."""
    start = _ban_start(sicily)
    assert start == 37  # January 2005
    res = its(
        sicily,
        time="time",
        outcome="aces",
        start=start,
        exposure="stdpop",
        family="poisson",
        slope_change=False,
    )
    assert res.rate_ratio == pytest.approx(0.894, abs=0.001)
    # Second opinion: statsmodels GLM on the paper's exact design.
    X = sm.add_constant(sicily[["smokban", "time"]].astype(float))
    glm = sm.GLM(
        sicily["aces"], X, family=sm.families.Poisson(), offset=np.log(sicily["stdpop"])
    ).fit()
    assert np.log(res.rate_ratio) == pytest.approx(glm.params["smokban"], abs=1e-9)
    lo, hi = np.exp(glm.conf_int().loc["smokban"])
    assert res.rate_ratio_ci == pytest.approx((lo, hi), abs=1e-8)
    assert res.p_value == pytest.approx(glm.pvalues["smokban"], rel=1e-6)
    assert np.isnan(res.slope_change) and res.n == 59
    assert res.dispersion == pytest.approx(3.56, abs=0.01)
    assert any("overdispersion" in w for w in res.warnings)


def test_lopez_bernal_quasipoisson_same_point_wider_interval(sicily: pd.DataFrame) -> None:
    kw = {
        "time": "time",
        "outcome": "aces",
        "start": 37,
        "exposure": "stdpop",
        "slope_change": False,
    }
    pois = its(sicily, family="poisson", **kw)
    quasi = its(sicily, family="quasipoisson", **kw)
    assert quasi.rate_ratio == pytest.approx(pois.rate_ratio, rel=1e-12)
    assert quasi.rate_ratio == pytest.approx(0.894, abs=0.001)
    assert quasi.dispersion == pytest.approx(3.56, abs=0.01)  # paper: 3.56
    width_p = np.log(pois.rate_ratio_ci[1] / pois.rate_ratio_ci[0])
    width_q = np.log(quasi.rate_ratio_ci[1] / quasi.rate_ratio_ci[0])
    # sqrt(dispersion) wider, times the t(56)/normal critical value ratio.
    assert width_q / width_p == pytest.approx(np.sqrt(quasi.dispersion) * 2.0032 / 1.9600, rel=1e-3)
    assert quasi.p_value > pois.p_value


def test_lopez_bernal_fourier_seasonality_reduces_dispersion(sicily: pd.DataFrame) -> None:
    """Paper step 5: ``+ harmonic(month, 2, 12)``; seasonality absorbs part of the overdispersion."""
    kw = {
        "time": "time",
        "outcome": "aces",
        "start": 37,
        "exposure": "stdpop",
        "slope_change": False,
        "family": "quasipoisson",
    }
    plain = its(sicily, **kw)
    seasonal = its(sicily, seasonality=12, n_harmonics=2, **kw)
    assert seasonal.dispersion < plain.dispersion - 1.0  # 2.26 vs 3.56
    assert seasonal.rate_ratio == pytest.approx(0.885, abs=0.002)
    assert {"sin1", "cos1", "sin2", "cos2"} <= set(seasonal.params["term"])
    # Same model in statsmodels, with month-based harmonics as in the paper (time ≡ month mod 12).
    m = sicily["month"].to_numpy()
    X = np.column_stack(
        [
            np.ones(59),
            sicily["smokban"],
            sicily["time"],
            np.sin(2 * np.pi * m / 12),
            np.cos(2 * np.pi * m / 12),
            np.sin(4 * np.pi * m / 12),
            np.cos(4 * np.pi * m / 12),
        ]
    )
    glm = sm.GLM(
        sicily["aces"], X, family=sm.families.Poisson(), offset=np.log(sicily["stdpop"])
    ).fit(scale="X2")
    assert np.log(seasonal.rate_ratio) == pytest.approx(glm.params.iloc[1], abs=1e-9)
    assert seasonal.dispersion == pytest.approx(glm.scale, rel=1e-9)


# --- known truth ----------------------------------------------------------------------------


def test_poisson_recovers_level_and_slope_change() -> None:
    s = simulate_its(
        periods=range(1, 97), start=49, rate_ratio=0.8, slope_ratio=1.01, trend=0.003, seed=1
    )
    res = its(s, time="time", outcome="count", start=49, exposure="population")
    assert res.rate_ratio == pytest.approx(0.8, abs=0.02)
    assert res.slope_change == pytest.approx(1.01, abs=0.002)
    assert res.rate_ratio_ci[0] < 0.8 < res.rate_ratio_ci[1]
    assert res.p_value < 1e-6 and res.slope_p_value < 1e-6
    assert res.dispersion == pytest.approx(1.0, abs=0.35)


def test_null_series_is_inconclusive() -> None:
    s = simulate_its(rate_ratio=1.0, slope_ratio=1.0, overdispersion=0.01, seed=2)
    res = its(s, time="time", outcome="count", start=37, exposure="population", family="negbin")
    assert res.p_value > 0.2
    assert res.alpha == pytest.approx(0.01, abs=0.007)
    assert "inconclusive" in res.verdict("en") and "uavklart" in res.verdict("nb")


def test_ols_level_change_on_rates_with_newey_west() -> None:
    s = simulate_its(rate_ratio=0.8, base_rate=50.0, seed=3)
    res = its(s, time="time", outcome="rate", start=37, family="ols")
    assert res.hac_lags == 3  # floor(4 (60/100)^(2/9))
    assert res.level_change == pytest.approx(-10.0, abs=1.0)
    assert np.isnan(res.rate_ratio)
    # Second opinion: statsmodels OLS with Newey–West HAC errors.
    t = s["time"].to_numpy() - 37.0
    post = (t >= 0).astype(float)
    X = np.column_stack([np.ones(60), t, post, post * t])
    ols = sm.OLS(s["rate"].to_numpy(), X).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    np.testing.assert_allclose(res.params["coef"], ols.params, rtol=1e-10)
    np.testing.assert_allclose(res.params["se"], ols.bse, rtol=1e-10)
    lo, hi = ols.conf_int()[2]
    assert res.level_change_ci == pytest.approx((lo, hi), rel=1e-9)


def test_coverage_of_95_percent_intervals() -> None:
    """200 seeded Poisson series (60 months, start 37, true RR 0.85, slope ratio 1.005).

    Measured: the level-change interval covered 0.85 in 189/200 = 0.945 of series. A
    binomial(200, 0.95) share lies in [0.90, 0.99] with probability > 0.99.
    """
    hits, z = [], []
    for s in range(200):
        series = simulate_its(rate_ratio=0.85, slope_ratio=1.005, trend=0.002, seed=20_000 + s)
        res = its(series, time="time", outcome="count", start=37, exposure="population")
        hits.append(res.rate_ratio_ci[0] <= 0.85 <= res.rate_ratio_ci[1])
        row = res.params.set_index("term").loc["level"]
        z.append((row["coef"] - np.log(0.85)) / row["se"])
    assert 0.90 <= np.mean(hits) <= 0.99
    assert 0.8 < np.std(z) < 1.2


def test_counterfactual_is_the_fit_without_intervention_terms() -> None:
    s = simulate_its(rate_ratio=0.8, seed=4)
    res = its(s, time="time", outcome="count", start=37, exposure="population", slope_change=False)
    cf = res.counterfactual
    assert list(cf.columns) == ["time", "observed", "fitted", "counterfactual", "post", "exposure"]
    pre = ~cf["post"].to_numpy()
    np.testing.assert_allclose(cf.loc[pre, "counterfactual"], cf.loc[pre, "fitted"])
    ratio = cf.loc[~pre, "fitted"] / cf.loc[~pre, "counterfactual"]
    np.testing.assert_allclose(ratio, res.rate_ratio, rtol=1e-10)
    assert cf["observed"].sum() == pytest.approx(cf["fitted"].sum(), rel=1e-8)  # Poisson MLE


def test_comparative_its_removes_a_common_shock() -> None:
    """Both series drop 10 % at the start (a common shock); the treated one a further 20 %."""
    treated = simulate_its(rate_ratio=0.9 * 0.8, seed=5)
    control = simulate_its(rate_ratio=0.9, base_rate=3.0, population=800_000.0, seed=6)
    single = its(treated, time="time", outcome="count", start=37, exposure="population")
    assert single.rate_ratio == pytest.approx(0.72, abs=0.03)
    comp = its(
        treated, time="time", outcome="count", start=37, exposure="population", control=control
    )
    assert comp.comparative and comp.rate_ratio == pytest.approx(0.8, abs=0.03)
    assert comp.n == 120
    # Control as columns of the same frame gives the same answer.
    wide = treated.assign(ctrl=control["count"], ctrl_pop=control["population"])
    same = its(
        wide,
        time="time",
        outcome="count",
        start=37,
        exposure="population",
        control="ctrl",
        control_exposure="ctrl_pop",
    )
    assert same.rate_ratio == pytest.approx(comp.rate_ratio, rel=1e-12)
    assert same.rate_ratio_ci == pytest.approx(comp.rate_ratio_ci, rel=1e-12)
    assert "control series" in comp.verdict("en")


def test_hac_for_poisson_and_two_year_periods() -> None:
    s = simulate_its(periods=range(2000, 2025), start=2018, rate_ratio=0.8, seed=7)
    res = its(s, time="time", outcome="count", start=2018, exposure="population", hac_lags=2)
    assert res.hac_lags == 2 and res.family == "poisson"
    two = s.loc[s["time"] % 2 == 0].reset_index(drop=True)
    dropped = its(
        two, time="time", outcome="count", start=2018, exposure="population", period_years=2
    )
    assert dropped.dropped == (2018,) and 2018 not in set(dropped.counterfactual["time"])


def test_summary_plot_verdict_and_no_mutation(sicily: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    before = sicily.copy(deep=True)
    res = its(sicily, time="time", outcome="aces", start=37, exposure="stdpop")
    assert isinstance(res, ItsResult)
    s = res.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s["term"].tolist() == ["rate_ratio", "slope_change"]
    assert isinstance(res.plot(), Figure)
    plt.close("all")
    text = res.verdict("en")
    assert "decrease" in text and "trend" in text and "quasipoisson" in text
    assert "Avbrutt tidsserie" in res.verdict("nb")
    pd.testing.assert_frame_equal(sicily, before)


def test_plot_follows_lang(sicily: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    res = its(sicily, time="time", outcome="aces", start=37, exposure="stdpop")
    nb, en = res.plot(lang="nb").axes[0], res.plot(lang="en").axes[0]
    nb_legend = [t.get_text() for t in nb.get_legend().get_texts()]
    en_legend = [t.get_text() for t in en.get_legend().get_texts()]
    assert sorted(nb_legend) == ["kontrafaktisk", "observert", "tilpasset"]
    assert sorted(en_legend) == ["counterfactual", "fitted", "observed"]
    assert (nb.get_xlabel(), en.get_xlabel()) == ("tid", "time")
    assert nb.get_ylabel() == en.get_ylabel() == "aces per 1 000"
    default = res.plot().axes[0]
    assert default.get_xlabel() == "tid"  # bokmål by default
    plt.close("all")
    with pytest.raises(ParameterError, match="lang='de' is not allowed"):
        res.plot(lang="de")  # type: ignore[arg-type]
    plt.close("all")


# --- bad inputs -----------------------------------------------------------------------------


def _frames() -> dict[str, pd.DataFrame]:
    s = simulate_its(seed=8)
    neg = s.copy()
    neg.loc[3, "count"] = -1
    return {
        "base": s,
        "dup": pd.concat([s, s.iloc[[2]]], ignore_index=True),
        "text": s.assign(count=s["count"].astype(str)),
        "neg": neg,
        "nan": s.assign(count=s["count"].astype(float).where(s.index != 4)),
    }


BAD = [
    ("base", {"outcome": "cases"}, ParameterError, "outcome='cases' is not a column"),
    ("base", {"family": "binomial"}, ParameterError, "family='binomial' is not allowed"),
    ("base", {"start": 3}, EstimationError, "only 2 pre-treatment period"),
    ("base", {"start": 60}, EstimationError, "only 1 post-treatment period"),
    ("base", {"seasonality": 1}, ParameterError, "seasonality=1 is not allowed"),
    ("base", {"seasonality": 12, "n_harmonics": 7}, ParameterError, r"n_harmonics=7 .* 1 … 6"),
    ("base", {"hac_lags": -1}, ParameterError, "hac_lags=-1 is not allowed"),
    (
        "base",
        {"family": "ols", "exposure": "population"},
        ParameterError,
        "not used with family='ols'",
    ),
    ("base", {"control": "ctrl"}, ParameterError, "control='ctrl' is not a column"),
    ("base", {"control": "count"}, ParameterError, "control_exposure= must name"),
    ("base", {"start": "2018"}, ParameterError, "start='2018' is not allowed"),
    ("dup", {}, EstimationError, r"duplicate 'time' values \[3\]"),
    ("text", {}, EstimationError, "outcome column 'count' must be numeric"),
    ("neg", {}, EstimationError, "negative counts"),
    ("nan", {}, EstimationError, "outcome column 'count' has 1 missing"),
]


@pytest.mark.parametrize(("frame", "kwargs", "error", "match"), BAD)
def test_bad_inputs(frame: str, kwargs: dict[str, object], error: type, match: str) -> None:
    args: dict[str, object] = {
        "time": "time",
        "outcome": "count",
        "start": 37,
        "exposure": "population",
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        its(_frames()[frame], **args)  # type: ignore[arg-type]


def test_control_frame_must_cover_the_periods() -> None:
    s = simulate_its(seed=9)
    with pytest.raises(EstimationError, match=r"control series has no rows for time=\[60\]"):
        its(s, time="time", outcome="count", start=37, exposure="population", control=s.iloc[:-1])
