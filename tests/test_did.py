"""Tests of :func:`ptvlib.estimators.did.did`: known truth, coverage, second opinions, errors."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators.bootstrap import wild_cluster_bootstrap
from ptvlib.estimators.did import DidResult, FewTreatedWarning, did
from ptvlib.estimators.simulate import simulate_panel

matplotlib.use("Agg")

UNITS20 = [f"u{i:02d}" for i in range(20)]


def _did(df: pd.DataFrame, **kw: object) -> DidResult:
    args: dict[str, object] = {
        "unit": "unit",
        "time": "time",
        "treated": UNITS20[:10],
        "start": 2018,
    }
    args.update(kw)
    if args.get("family", "ols") == "ols":
        args.setdefault("outcome", "rate")
    else:
        args.setdefault("outcome", "count")
        args.setdefault("exposure", "population")
    return did(df, **args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_panel(
        n_units=30,
        treated=10,
        rate_ratio=0.8,
        overdispersion=0.01,
        population=(50_000, 200_000),
        seed=11,
    )


# --- known truth ---------------------------------------------------------------------------


def test_poisson_recovers_rate_ratio_with_population_offset(panel: pd.DataFrame) -> None:
    res = _did(panel, family="poisson")
    assert res.rate_ratio == pytest.approx(0.8, abs=0.04)
    assert res.rate_ratio_ci[0] < 0.8 < res.rate_ratio_ci[1]
    assert res.p_value < 0.001
    assert np.isnan(res.att) and res.n == 510 and res.n_clusters == 30
    assert res.n_treated_clusters == 10 and res.warnings == ()
    assert res.rate_ratio == pytest.approx(np.exp(res.coef))


def test_poisson_single_treated_unit_warns_and_records(panel: pd.DataFrame) -> None:
    df = simulate_panel(rate_ratio=0.8, seed=12)
    with pytest.warns(FewTreatedWarning, match="only one treated cluster"):
        res = _did(df, family="poisson", treated="u00")
    assert res.treated == ("u00",)
    assert any("bootstrap" in w and "placebo" in w for w in res.warnings)
    assert res.rate_ratio == pytest.approx(0.8, abs=0.03)


def test_staggered_starts_recover_rate_ratio() -> None:
    df = simulate_panel(n_units=30, treated=9, staggered=True, rate_ratio=0.75, seed=13)
    starts = df.loc[df["treated"]].groupby("unit")["start"].first().astype(int).to_dict()
    assert set(starts.values()) == {2018, 2019, 2020}
    res = _did(df, family="poisson", treated=list(starts), start=starts)
    assert res.rate_ratio == pytest.approx(0.75, abs=0.03)
    assert res.starts == starts
    # A wrong common start dilutes the estimate towards 1.
    wrong = _did(df, family="poisson", treated=list(starts), start=2018)
    assert wrong.rate_ratio > res.rate_ratio + 0.01


def test_ols_on_rates_recovers_att() -> None:
    df = simulate_panel(n_units=30, treated=10, rate_ratio=0.8, time_sd=0.0, seed=14)
    res = _did(df, treated=UNITS20[:10])
    true_att = float((df.loc[df["post"], "expected_rate"] * (1 - 1 / 0.8)).mean())
    assert res.att == pytest.approx(true_att, abs=2 * res.se)
    assert res.att_ci[0] < true_att < res.att_ci[1]
    assert np.isnan(res.rate_ratio)


def test_negbin_estimates_dispersion_and_effect() -> None:
    import statsmodels.api as sm

    from ptvlib.estimators._did_data import fe_design

    df = simulate_panel(n_units=30, treated=10, rate_ratio=0.8, overdispersion=0.03, seed=15)
    res = _did(df, family="negbin")
    assert abs(res.coef - np.log(0.8)) < 3 * res.se
    assert 0.02 < res.alpha < 0.045  # true NB2 alpha 0.03
    # Second opinion: statsmodels' joint ML NB2 on the same dummies and offset.
    X, _ = fe_design(res.panel, res.panel["post"].to_numpy(dtype=float))
    model = sm.NegativeBinomial(
        res.panel["y"].to_numpy(), X, offset=res.panel["offset"].to_numpy(), loglike_method="nb2"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = model.fit(disp=0, method="bfgs", maxiter=2000)
        ml = model.fit(start_params=first.params, disp=0, method="newton", maxiter=100)
    assert res.coef == pytest.approx(ml.params[0], abs=1e-5)
    assert res.alpha == pytest.approx(ml.params[-1], rel=1e-4)


def test_null_panel_is_not_significant() -> None:
    df = simulate_panel(n_units=30, treated=10, rate_ratio=1.0, overdispersion=0.01, seed=16)
    res = _did(df, family="poisson", treated=UNITS20[:10])
    assert res.p_value > 0.2
    assert res.rate_ratio_ci[0] < 1.0 < res.rate_ratio_ci[1]
    assert "inconclusive" in res.verdict("en")
    assert "uavklart" in res.verdict("nb")
    ols = _did(df, treated=UNITS20[:10])
    assert ols.p_value > 0.2


# --- coverage --------------------------------------------------------------------------------


def test_coverage_of_95_percent_intervals() -> None:
    """200 seeded panels each (40 units, 20 treated, 17 years).

    Measured: Poisson DiD rate-ratio intervals cover the true 0.8 in 190/200 = 0.950;
    OLS DiD on rates (time_sd=0, so levels have parallel trends) cover the population
    ATT, 50·exp(0.3²/2)·(0.8 − 1), in 188/200 = 0.940. A binomial(200, 0.95) share lies in
    [0.90, 0.99] with probability > 0.99. (With one large treated unit among very unequal
    units CR1 under-covers: 0.89 for 10/30 treated and populations 5 000–700 000.)
    """
    treated = UNITS20
    att = 50 * np.exp(0.3**2 / 2) * (0.8 - 1)
    hits_pois, hits_ols, z_pois = [], [], []
    for s in range(200):
        df = simulate_panel(
            n_units=40, treated=20, rate_ratio=0.8, population=(50_000, 200_000), seed=s
        )
        res = _did(df, family="poisson", treated=treated)
        hits_pois.append(res.rate_ratio_ci[0] <= 0.8 <= res.rate_ratio_ci[1])
        z_pois.append((res.coef - np.log(0.8)) / res.se)
        df = simulate_panel(n_units=40, treated=20, rate_ratio=0.8, time_sd=0.0, seed=10_000 + s)
        res = _did(df, treated=treated)
        hits_ols.append(res.att_ci[0] <= att <= res.att_ci[1])
    assert 0.90 <= np.mean(hits_pois) <= 0.99
    assert 0.90 <= np.mean(hits_ols) <= 0.99
    assert 0.8 < np.std(z_pois) < 1.2  # standard errors are calibrated, not just lucky


# --- second opinions -------------------------------------------------------------------------


def _pyfixest_frame(res: DidResult) -> pd.DataFrame:
    p = res.panel
    return pd.DataFrame(
        {
            "unit": p["unit"].astype(object),
            "time": p["time"],
            "y": p["y"],
            "lp": p["offset"],
            "treat_post": p["post"].astype(float),
        }
    )


def test_ols_matches_pyfixest_feols_crv1(panel: pd.DataFrame) -> None:
    import pyfixest as pf

    res = _did(panel)
    d = _pyfixest_frame(res)
    fit = pf.feols("y ~ treat_post | unit + time", data=d, vcov={"CRV1": "unit"})
    assert res.coef == pytest.approx(fit.coef().iloc[0], abs=1e-6, rel=0)
    assert res.se == pytest.approx(fit.se().iloc[0], abs=1e-6, rel=0)
    assert res.p_value == pytest.approx(fit.pvalue().iloc[0], abs=1e-6)
    lo, hi = fit.confint().iloc[0]
    assert res.att_ci == pytest.approx((lo, hi), abs=1e-6)


def test_poisson_matches_pyfixest_fepois_crv1(panel: pd.DataFrame) -> None:
    import pyfixest as pf

    res = _did(panel, family="poisson")
    d = _pyfixest_frame(res)
    # pyfixest's default IRLS tolerance (1e-8) leaves its bread ~1e-7 off; tighten it.
    fit = pf.fepois(
        "y ~ treat_post | unit + time",
        data=d,
        offset="lp",
        vcov={"CRV1": "unit"},
        iwls_tol=1e-10,
        iwls_maxiter=100,
    )
    assert res.coef == pytest.approx(fit.coef().iloc[0], abs=1e-6, rel=0)
    assert res.se == pytest.approx(fit.se().iloc[0], abs=1e-6, rel=0)
    assert res.p_value == pytest.approx(fit.pvalue().iloc[0], abs=1e-6)


def test_ols_matches_linearmodels_coefficient(panel: pd.DataFrame) -> None:
    from linearmodels.panel import PanelOLS

    res = _did(panel)
    d = _pyfixest_frame(res).set_index(["unit", "time"])
    fit = PanelOLS(d["y"], d[["treat_post"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    assert res.coef == pytest.approx(fit.params["treat_post"], abs=1e-8)


def test_bootstrap_in_did_equals_direct_call() -> None:
    df = simulate_panel(n_units=9, treated=3, rate_ratio=0.7, seed=17)
    with pytest.warns(FewTreatedWarning, match="only 3 treated clusters of 9"):
        res = _did(df, treated=["u00", "u01", "u02"], bootstrap=9999, seed=3)
    assert res.boot is not None
    assert res.boot.weights == "rademacher (enumerated)" and res.boot.draws == 2**9
    from ptvlib.estimators._did_data import fe_design

    X, _ = fe_design(res.panel, res.panel["post"].to_numpy(dtype=float))
    direct = wild_cluster_bootstrap(
        X, res.panel["y"].to_numpy(), res.panel["cluster"].to_numpy(), draws=9999, seed=3
    )
    assert res.boot_p_value == direct.p_value
    assert res.boot_ci == pytest.approx(direct.ci)
    assert res.boot.estimate == pytest.approx(res.att)
    assert res.boot_ci[0] < res.att < res.boot_ci[1]
    summary = res.summary()
    assert list(summary["term"]) == ["att", "att (wild bootstrap)"]
    assert summary["p_value"].iloc[1] == res.boot_p_value


# --- event study -----------------------------------------------------------------------------


def test_event_study_detects_a_differential_pre_trend() -> None:
    kw = {"n_units": 30, "treated": 15, "population": (50_000, 200_000), "seed": 18}
    parallel = _did(simulate_panel(**kw), family="poisson", treated=UNITS20[:15]).event_study()
    trending = _did(
        simulate_panel(**kw, pre_trend=0.02), family="poisson", treated=UNITS20[:15]
    ).event_study()
    assert parallel.pretrend_slope_p_value > 0.1 and parallel.pretrend_p_value > 0.05
    assert trending.pretrend_slope_p_value < 0.001 and trending.pretrend_p_value < 0.001
    # Treated log rates climbed 0.02 a year more than the controls' before the start.
    assert trending.pretrend_slope == pytest.approx(0.02, abs=0.003)
    assert abs(parallel.pretrend_slope) < 0.003
    assert trending.pretrend_df == parallel.pretrend_df == 9
    assert trending.pretrend_test == "F(9, 21)"


def test_linear_pretrend_test_has_about_nominal_size() -> None:
    """40 seeded parallel OLS panels (30 units, 10 treated): measured 2/40 rejections at 5 %."""
    rejections = 0
    for s in range(40):
        df = simulate_panel(n_units=30, treated=10, overdispersion=0.01, seed=100 + s)
        es = _did(df, treated=UNITS20[:10]).event_study()
        rejections += es.pretrend_slope_p_value < 0.05
    assert rejections <= 6  # binomial(40, 0.05) exceeds 6 with probability < 0.01


def test_event_study_layout_and_reference(panel: pd.DataFrame) -> None:
    es = _did(panel, family="poisson").event_study()
    c = es.coefficients
    assert list(c["rel_time"]) == list(range(-10, 7))
    assert es.reference == -1
    ref = c.loc[c["rel_time"] == -1].iloc[0]
    assert ref["estimate"] == 1.0 and np.isnan(ref["se"])
    post = c.loc[c["rel_time"] >= 0, "estimate"]
    assert post.between(0.7, 0.9).all()
    s = es.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s["term"].iloc[-1].startswith("pretrend_joint F(")
    assert np.exp(es.average_post) == pytest.approx(0.8, abs=0.05)
    assert "pre-trends" in es.verdict("en")


def test_two_year_periods_drop_the_straddling_period() -> None:
    df = simulate_panel(n_units=20, treated=4, periods=range(2008, 2025, 2), seed=19)
    with pytest.warns(FewTreatedWarning):
        res = _did(df, family="poisson", treated=UNITS20[:4], period_years=2)
    assert res.dropped == tuple((u, 2018) for u in UNITS20[:4])
    assert not ((res.panel["time"] == 2018) & res.panel["treated"]).any()
    assert res.event_study().reference == -2
    with pytest.warns(FewTreatedWarning):
        kept = _did(df, family="poisson", treated=UNITS20[:4], period_years=2, straddle="post")
    assert kept.flagged == res.dropped and kept.n == res.n + 4


# --- results API -----------------------------------------------------------------------------


def test_summary_plot_verdict(panel: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    res = _did(panel, family="poisson")
    s = res.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS and s["term"].tolist() == ["rate_ratio"]
    assert s["estimate"].iloc[0] == pytest.approx(res.rate_ratio)
    fig = res.plot()
    assert isinstance(fig, Figure)
    fig2 = res.event_study().plot()
    assert isinstance(fig2, Figure)
    plt.close("all")
    text = res.verdict("en")
    assert "decrease" in text and "parallel trends" in text and "police activity" in text
    assert "parallelle trender" in res.verdict("nb")
    with pytest.raises(ParameterError, match="lang='de'"):
        res.verdict("de")  # type: ignore[arg-type]


def test_plots_follow_lang(panel: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt

    res = _did(panel, family="poisson")
    nb, en = res.plot(lang="nb").axes[0], res.plot(lang="en").axes[0]
    assert [t.get_text() for t in nb.get_legend().get_texts()] == ["behandlet", "kontroll"]
    assert [t.get_text() for t in en.get_legend().get_texts()] == ["treated", "control"]
    assert (nb.get_xlabel(), en.get_xlabel()) == ("tid", "time")
    assert nb.get_ylabel() == en.get_ylabel() == "count per 1 000"
    es = res.event_study()
    nb, en = es.plot(lang="nb").axes[0], es.plot(lang="en").axes[0]
    assert (nb.get_ylabel(), en.get_ylabel()) == ("rateforhold", "rate ratio")
    assert nb.get_xlabel() == "periode relativt til start"
    assert en.get_xlabel() == "period relative to start"
    assert nb.get_title().startswith("trend før start: lineær p =")
    assert en.get_title().startswith("pre-trend: linear p =")
    assert es.plot().axes[0].get_ylabel() == "rateforhold"  # bokmål by default
    plt.close("all")
    for draw in (res.plot, es.plot):
        with pytest.raises(ParameterError, match="lang='de' is not allowed"):
            draw(lang="de")  # type: ignore[arg-type]
    plt.close("all")


def test_input_frame_is_not_modified(panel: pd.DataFrame) -> None:
    before = panel.copy(deep=True)
    _did(panel, family="poisson")
    _did(panel, bootstrap=99, seed=1)
    pd.testing.assert_frame_equal(panel, before)


# --- bad inputs ------------------------------------------------------------------------------


def _bad_frames() -> dict[str, pd.DataFrame]:
    base = simulate_panel(n_units=6, treated=2, seed=20)
    dup = pd.concat([base, base.iloc[[3]]], ignore_index=True)
    text = base.assign(count=base["count"].astype(str))
    neg = base.copy()
    neg.loc[5, "count"] = -3
    nan = base.assign(rate=base["rate"].where(base.index != 7))
    missing_start = base.loc[~((base["unit"] == "u00") & (base["time"] == 2018))]
    return {
        "dup": dup,
        "text": text,
        "neg": neg,
        "nan": nan,
        "missing_start": missing_start,
        "base": base,
    }


BAD = [
    ("base", {"outcome": "crimes"}, ParameterError, "outcome='crimes' is not a column"),
    ("base", {"unit": "kommune"}, ParameterError, "unit='kommune' is not a column"),
    ("base", {"family": "logit"}, ParameterError, "family='logit' is not allowed; allowed: 'ols'"),
    ("base", {"straddle": "keep"}, ParameterError, "straddle='keep' is not allowed"),
    ("base", {"period_years": 3}, ParameterError, "period_years=3 is not allowed"),
    ("dup", {}, EstimationError, r"duplicate keys \('unit', 'time'\): \[\('u00', 2011\)\]"),
    ("text", {"family": "poisson"}, EstimationError, "outcome column 'count' must be numeric"),
    ("neg", {"family": "poisson"}, EstimationError, "negative counts"),
    ("nan", {}, EstimationError, "outcome column 'rate' has 1 missing"),
    (
        "base",
        {"treated": ["u00", "u07"]},
        EstimationError,
        r"treated unit\(s\) \['u07'\] not found",
    ),
    ("base", {"treated": [f"u{i:02d}" for i in range(6)]}, EstimationError, "no control units"),
    ("missing_start", {}, EstimationError, "treated unit 'u00' is missing at its start"),
    ("base", {"start": 2010}, EstimationError, "only 2 pre-treatment period"),
    ("base", {"start": {"u00": 2018}}, ParameterError, r"missing for \['u01'\]"),
    (
        "base",
        {"family": "poisson", "bootstrap": 999},
        ParameterError,
        "bootstrap=999 with family='poisson'",
    ),
    (
        "base",
        {"exposure": "population"},
        ParameterError,
        "exposure='population' is not used with family='ols'",
    ),
    ("base", {"bootstrap": -5}, ParameterError, "bootstrap=-5 is not allowed"),
]


@pytest.mark.parametrize(("frame", "kwargs", "error", "match"), BAD)
def test_bad_inputs(frame: str, kwargs: dict[str, object], error: type, match: str) -> None:
    df = _bad_frames()[frame]
    args: dict[str, object] = {"treated": ["u00", "u01"]}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        _did(df, **args)
