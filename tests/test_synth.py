"""Tests of the synthetic control estimator and its exact simplex QP solver."""

from __future__ import annotations

import itertools
import warnings
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators._simplex import kkt_violation, lawson_hanson, simplex_lstsq
from ptvlib.estimators.synth import (
    OutsideDonorRangeWarning,
    SyntheticControlResult,
    synthetic_control,
)

matplotlib.use("Agg")

START = 2018


# ----------------------------------------------------------------- helpers
def long_frame(Y: np.ndarray, years: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Long (unit, year, rate) frame from a (T, N) matrix."""
    T, N = Y.shape
    return pd.DataFrame(
        {
            "kommune": np.repeat(np.array(names, dtype=object), T),
            "year": np.tile(years, N),
            "rate": Y.T.ravel(),
        }
    )


def factor_panel(rng: np.random.Generator, n_units: int, n_years: int) -> np.ndarray:
    """(T, N) rates from a two-factor model with idiosyncratic noise (iid units)."""
    F = rng.normal(0, 1, (n_years, 2)).cumsum(axis=0)
    load = rng.normal(1, 0.5, (2, n_units))
    level = rng.uniform(30, 90, n_units)
    return level + 2.0 * F @ load + rng.normal(0, 1.5, (n_years, n_units))


def fit(df: pd.DataFrame, **kw) -> SyntheticControlResult:
    args = {"unit": "kommune", "time": "year", "outcome": "rate", "treated": "Oslo", "start": START}
    return synthetic_control(df, **(args | kw))


@pytest.fixture
def truth_panel(rng):
    """40 units; Oslo = 0.2 k01 + 0.3 k02 + 0.5 k03 exactly, minus 5 after 2018.

    45 pre-periods > 39 donors, so the donors' paths are affinely independent
    and the convex representation is unique.
    """
    years = np.arange(1973, 2023)  # 45 pre (1973-2017), 5 post (2018-2022)
    Y = factor_panel(rng, 39, years.size)
    truth = np.zeros(39)
    truth[[1, 2, 3]] = [0.2, 0.3, 0.5]
    effect = np.where(years >= START, -5.0, 0.0)
    oslo = Y @ truth + effect
    names = ["Oslo"] + [f"k{i:02d}" for i in range(39)]
    df = long_frame(np.column_stack([oslo, Y]), years, names)
    return df, pd.Series(truth, index=names[1:]), effect


# -------------------------------------------------------------- known truth
def test_known_truth_recovers_donors_and_effect(truth_panel):
    df, truth, effect = truth_panel
    before = df.copy()
    res = fit(df)
    pd.testing.assert_frame_equal(df, before)  # data not mutated
    w = res.weights.reindex(truth.index)
    np.testing.assert_allclose(w.to_numpy(), truth.to_numpy(), atol=1e-8)
    assert list(res.weights.index[:3]) == ["k03", "k02", "k01"]  # sorted descending
    assert res.weights.min() >= 0 and abs(res.weights.sum() - 1) < 1e-12
    post = res.gap.index >= START
    np.testing.assert_allclose(res.gap[post], -5.0, atol=1e-8)
    np.testing.assert_allclose(res.gap[~post], 0.0, atol=1e-8)
    assert res.att == pytest.approx(-5.0, abs=1e-8)
    assert res.pre_rmspe < 1e-8 and res.ratio == np.inf
    pl = res.placebo("space")
    assert pl.p_value == pytest.approx(1 / 40)  # treated ranks first of 40
    assert res.verdict("en").count("decrease") == 1
    assert "nedgang" in res.verdict("nb")


def test_null_panel_placebo_p_not_small(rng):
    years = np.arange(2007, 2024)
    Y = factor_panel(rng, 40, years.size)
    names = ["Oslo"] + [f"k{i:02d}" for i in range(39)]
    res = fit(long_frame(Y, years, names))
    assert res.placebo("space").p_value > 0.2
    assert "inconclusive" in res.verdict("en")
    assert "uavklart" in res.verdict("nb")


def test_space_placebo_p_roughly_uniform_under_null():
    # 200 seeded null panels (40 iid units, 9 pre + 3 post years). With 40 units
    # p <= 0.05 means rank 1 or 2, nominal rate exactly 2/40 = 0.05.
    # Measured: 8 of 200 rejections at 0.05 (rate 0.040); rate at 0.10 is 0.095;
    # mean p 0.50; counts per p-quintile 41, 34, 50, 37, 38 (40 expected each).
    # Binomial(200, 0.05) has sd 3.1; we accept 2..20 rejections (about +-3 sd).
    ps = []
    years = np.arange(2009, 2021)
    names = ["Oslo"] + [f"k{i:02d}" for i in range(39)]
    for seed in range(200):
        Y = factor_panel(np.random.default_rng(seed), 40, years.size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutsideDonorRangeWarning)
            ps.append(fit(long_frame(Y, years, names)).placebo("space").p_value)
    ps = np.array(ps)
    rejections = int(np.sum(ps <= 0.05))
    assert 2 <= rejections <= 20, rejections
    assert abs(ps.mean() - 0.5) < 0.07  # sd of the mean of 200 uniforms is 0.02
    assert np.all((ps > 0) & (ps <= 1))


# -------------------------------------------------------------- exact QP
def enumerate_supports(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Global optimum of the simplex QP by solving the KKT system on every support."""
    T, J = X.shape
    best_val, best_w = np.inf, None
    for k in range(1, J + 1):
        for S in itertools.combinations(range(J), k):
            XS = X[:, list(S)]
            K = np.block([[XS.T @ XS, np.ones((k, 1))], [np.ones((1, k)), np.zeros((1, 1))]])
            try:
                sol = np.linalg.solve(K, np.r_[XS.T @ y, 1.0])
            except np.linalg.LinAlgError:
                continue
            if sol[:k].min() < -1e-12:
                continue
            w = np.zeros(J)
            w[list(S)] = np.clip(sol[:k], 0, None)
            val = float(np.sum((y - X @ w) ** 2))
            if val < best_val - 1e-12:
                best_val, best_w = val, w
    assert best_w is not None
    return best_w


def test_exact_optimum_matches_support_enumeration(rng):
    for _ in range(60):
        T, J = int(rng.integers(3, 6)), int(rng.integers(2, 8))
        X = rng.normal(50, 10, (T, J))
        y = rng.normal(50, 25, T)
        w = simplex_lstsq(X, y)
        np.testing.assert_allclose(w, enumerate_supports(X, y), atol=1e-9)
        # the module's own Lawson-Hanson (fallback/refinement path) agrees too
        Z = y[:, None] - X
        E = np.vstack([Z / np.sqrt(np.mean(Z**2)), np.ones((1, J))])
        u = lawson_hanson(E, np.r_[np.zeros(T), 1.0])
        np.testing.assert_allclose(u / u.sum(), w, atol=1e-9)


def test_exact_optimum_matches_trust_constr(rng):
    from scipy.optimize import Bounds, LinearConstraint, minimize

    T, J = 10, 30
    X = rng.normal(60, 12, (T, J))
    y = X.max(axis=1) + 2.0 + rng.normal(0, 1, T)  # outside the hull: unique optimum
    w = simplex_lstsq(X, y)
    P, q = X.T @ X, X.T @ y
    res = minimize(
        lambda x: x @ P @ x - 2 * q @ x,
        np.full(J, 1 / J),
        jac=lambda x: 2 * (P @ x - q),
        hess=lambda x: 2 * P,
        method="trust-constr",
        bounds=Bounds(0, 1),
        constraints=[LinearConstraint(np.ones((1, J)), 1, 1)],
        options={"gtol": 1e-14, "xtol": 1e-14, "barrier_tol": 1e-14, "maxiter": 20000},
    )
    np.testing.assert_allclose(w, res.x, atol=1e-6)
    assert 1 < (w > 0).sum() <= T + 1


def test_kkt_conditions_hold(rng):
    T, J = 12, 300
    X = rng.normal(55, 15, (T, J))
    zigzag = X[:, :4] @ np.full(4, 0.25) + 40.0 * (-1.0) ** np.arange(T)  # no donor has this shape
    for y in (X.max(axis=1) + 5.0, zigzag):
        w = simplex_lstsq(X, y)
        assert np.linalg.norm(y - X @ w) > 1.0  # imperfect fit: the conditions are informative
        assert w.min() >= 0 and w.sum() == pytest.approx(1, abs=1e-12)
        g = 2 * X.T @ (X @ w - y)  # gradient of ||y - Xw||^2
        on = w > 0
        lam = g[on].mean()
        scale = np.abs(g).max()
        assert np.ptp(g[on]) <= 1e-8 * scale  # equal on the support
        assert g[~on].min() >= lam - 1e-8 * scale  # not smaller off the support
        assert on.sum() <= T + 1
        assert kkt_violation(X, y, w) < 1e-9
    # a deliberately wrong (uniform) answer fails the check
    assert kkt_violation(X, X.max(axis=1) + 5.0, np.full(J, 1 / J)) > 1e-3


def test_slsqp_from_uniform_stalls_but_exact_solver_does_not(rng):
    from scipy.optimize import Bounds, LinearConstraint, minimize

    # Rates per person (~0.05) instead of per 1 000: the objective is ~1e-7,
    # below SLSQP's default ftol, so it stops at the uniform start.
    T, J = 30, 20
    X = factor_panel(rng, J, T) / 1000.0
    truth = np.zeros(J)
    truth[[4, 9, 13]] = [0.6, 0.3, 0.1]
    y = X @ truth
    P, q = X.T @ X, X.T @ y
    res = minimize(
        lambda x: 0.5 * x @ P @ x - q @ x,
        np.full(J, 1 / J),
        method="SLSQP",
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(np.ones(J), 1, 1),
        options={"maxiter": 1000},
    )
    assert np.abs(res.x - 1 / J).max() < 0.05  # stalled near uniform
    assert np.abs(res.x - truth).max() > 0.4
    w = simplex_lstsq(X, y)
    np.testing.assert_allclose(w, truth, atol=1e-8)
    assert kkt_violation(X, y, w) < 1e-9


# -------------------------------------------------------------- bad inputs
@pytest.fixture
def small_df(rng):
    years = np.arange(2010, 2023)
    Y = factor_panel(rng, 8, years.size)
    return long_frame(Y, years, ["Oslo"] + [f"k{i}" for i in range(7)])


def test_missing_column(small_df):
    with pytest.raises(ParameterError, match=r"outcome='ratex' is not a column of data; available"):
        fit(small_df, outcome="ratex")


def test_duplicate_keys(small_df):
    df = pd.concat([small_df, small_df.iloc[[3]]], ignore_index=True)
    with pytest.raises(ParameterError, match=r"duplicate \(kommune, year\) keys"):
        fit(df)


def test_non_numeric_outcome(small_df):
    df = small_df.assign(rate=small_df["rate"].astype(str))
    with pytest.raises(ParameterError, match="outcome='rate' must be a numeric column"):
        fit(df)


def test_treated_not_in_data(small_df):
    with pytest.raises(ParameterError, match="treated='Bergen' is not in data"):
        fit(small_df, treated="Bergen")


def test_treated_missing_at_start(small_df):
    df = small_df[~((small_df.kommune == "Oslo") & (small_df.year == START))]
    with pytest.raises(EstimationError, match="no 'rate' value at the start.*2018"):
        fit(df)


def test_treated_missing_in_pre_period(small_df):
    df = small_df.copy()
    df.loc[(df.kommune == "Oslo") & (df.year == 2014), "rate"] = np.nan
    with pytest.raises(EstimationError, match="missing 'rate' in pre-treatment period.*2014"):
        fit(df)


def test_too_few_pre_periods(small_df):
    with pytest.raises(EstimationError, match="only 2 pre-treatment period.*at least 3"):
        fit(small_df[small_df.year >= 2016])


def test_no_complete_donor(small_df):
    df = small_df.copy()
    df.loc[(df.kommune != "Oslo") & (df.year == 2012), "rate"] = np.nan
    with pytest.raises(EstimationError, match="no donor has a complete 'rate' series"):
        fit(df)


def test_bad_options(small_df):
    with pytest.raises(ParameterError, match="straddle='mid' is not allowed"):
        fit(small_df, straddle="mid")
    with pytest.raises(ParameterError, match="period_years=3 is not allowed"):
        fit(small_df, period_years=3)
    with pytest.raises(ParameterError, match=r"donors not in data\['kommune'\]: 'Bergen'"):
        fit(small_df, donors=["k1", "Bergen"])
    with pytest.raises(ParameterError, match="kind='both' is not allowed"):
        fit(small_df).placebo("both")


def test_donor_with_gap_is_excluded_and_listed(small_df):
    df = small_df[~((small_df.kommune == "k2") & (small_df.year == 2013))]
    res = fit(df)
    assert "k2" not in res.weights.index
    row = res.excluded_donors.set_index("unit").loc["k2", "reason"]
    assert "2013" in row
    sub = fit(df, donors=["k0", "k1", "k3"])
    assert set(sub.weights.index) == {"k0", "k1", "k3"}


# -------------------------------------------------------------- variants
def test_two_year_periods_straddle(rng):
    years = np.arange(2006, 2024)  # two-year averages labelled by their last year
    Y = factor_panel(rng, 12, years.size)
    df = long_frame(Y, years, ["Oslo"] + [f"k{i}" for i in range(11)])
    drop = fit(df, period_years=2, straddle="drop")
    post = fit(df, period_years=2, straddle="post")
    assert drop.dropped_periods == (2018,) and drop.flagged_periods == ()
    assert 2018 not in drop.gap.index and drop.n_post == 5
    assert post.flagged_periods == (2018,) and post.dropped_periods == ()
    assert 2018 in post.gap.index and post.n_post == 6
    assert drop.n_pre == post.n_pre == 12
    pd.testing.assert_series_equal(drop.weights, post.weights)  # same pre-periods, same fit
    assert "2018" in drop.verdict("en")


def test_demean_variant_and_outside_range_warning(rng):
    years = np.arange(2007, 2024)
    Y = factor_panel(rng, 30, years.size)
    truth = np.zeros(30)
    truth[[0, 5, 7]] = [0.5, 0.3, 0.2]
    top = Y.max() + 40.0  # Oslo's level is above every donor in every year
    oslo = Y @ truth - (Y @ truth)[years < START].mean() + top + np.where(years >= START, -4.0, 0.0)
    df = long_frame(np.column_stack([oslo, Y]), years, ["Oslo"] + [f"k{i:02d}" for i in range(30)])
    with pytest.warns(
        OutsideDonorRangeWarning, match=r"above every donor in 11 of 11.*demean=True"
    ):
        plain = fit(df)
    assert issubclass(OutsideDonorRangeWarning, UserWarning)
    assert len(plain.warnings) == 1 and "outside the donors' range" in plain.warnings[0]
    assert plain.fit_share() > 0.05
    assert "demean=True" in plain.verdict("en")
    assert "poor pre-period fit" in plain.verdict("en").lower()
    with warnings.catch_warnings():
        warnings.simplefilter("error", OutsideDonorRangeWarning)
        dm = fit(df, demean=True)
    assert dm.warnings == ()
    # the demeaned fit recovers a convex combination reproducing Oslo's shape exactly
    assert dm.pre_rmspe < 1e-8
    assert dm.att == pytest.approx(-4.0, abs=1e-8)
    assert dm.weights.reindex([f"k{i:02d}" for i in (0, 5, 7)]).sum() > 0.5


def test_placebo_space_matches_direct_fit(small_df):
    res = fit(small_df)
    table = res.placebo("space").table.set_index("unit")
    assert len(table) == 8 and table["treated"].sum() == 1
    direct = fit(small_df[small_df.kommune != "Oslo"], treated="k4")
    assert table.loc["k4", "ratio"] == pytest.approx(direct.ratio, rel=1e-9)
    assert table.loc["k4", "att"] == pytest.approx(direct.att, rel=1e-9, abs=1e-12)
    p = res.placebo("space").p_value
    assert p == pytest.approx((table["ratio"] >= res.ratio).sum() / 8)
    assert res.placebo("space") is res.placebo("space")  # cached
    pd.testing.assert_frame_equal(fit(small_df).placebo("space").table, res.placebo("space").table)


def test_placebo_time_uses_only_pre_data(small_df):
    res = fit(small_df)
    pt = res.placebo("time")
    fake = pt.table[~pt.table["treated"]]
    assert set(fake["start"]) == set(range(2013, 2018))  # each leaves >= 3 pre-years (2010-2012)
    assert 0 < pt.p_value <= 1
    changed = small_df.assign(
        rate=np.where(small_df.year >= START, small_df.rate + 50, small_df.rate)
    )
    fake2 = fit(changed).placebo("time").table
    fake2 = fake2[~fake2["treated"]].set_index("start").sort_index()
    cols = ["pre_rmspe", "post_rmspe", "ratio", "att"]
    pd.testing.assert_frame_equal(fake.set_index("start").sort_index()[cols], fake2[cols])


def test_leave_one_out_summary_and_plots(small_df):
    import matplotlib.pyplot as plt

    res = fit(small_df)
    loo = res.leave_one_out()
    assert list(loo.columns) == ["excluded", "weight", "att", "pre_rmspe", "post_rmspe", "ratio"]
    assert set(loo["excluded"]) == set(res.weights[res.weights > 0].index)
    assert (loo["pre_rmspe"] >= res.pre_rmspe - 1e-12).all()  # fewer donors never fit better
    s = res.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert list(s["term"]) == ["att", "pre_rmspe", "post_rmspe", "rmspe_ratio"]
    assert s["ci_low"].isna().all() and s["ci_high"].isna().all()
    assert s.loc[0, "p_value"] == pytest.approx(res.placebo("space").p_value)
    assert s.loc[0, "estimate"] == pytest.approx(res.att)
    for fig in (
        res.plot(),
        res.plot_placebo(),
        res.plot_placebo(kind="time", max_pre_rmspe_ratio=5),
    ):
        assert len(fig.axes[0].lines) >= 3
        plt.close(fig)
    assert "Syntetisk kontroll" in res.verdict() and "Synthetic control" in res.verdict("en")
    assert "SyntheticControlResult(treated='Oslo'" in repr(res)


def test_plots_follow_lang(small_df):
    import matplotlib.pyplot as plt

    from ptvlib.report.figures import plot_outcome

    res = fit(small_df)

    def texts(fig):
        ax = fig.axes[0]
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        return ax.get_title(), legend, ax.get_ylabel()

    nb_title, nb_legend, nb_y = texts(res.plot(lang="nb"))
    en_title, en_legend, en_y = texts(res.plot(lang="en"))
    assert nb_legend == ["Oslo (observert)", "syntetisk kontroll"]
    assert en_legend == ["Oslo (observed)", "synthetic control"]
    assert "snittavvik etter 2018" in nb_title and "mean gap after 2018" in en_title
    assert nb_y == en_y == "rate"  # the outcome column
    assert texts(res.plot()) == (nb_title, nb_legend, nb_y)  # bokmål by default
    nb_title, nb_legend, nb_y = texts(res.plot_placebo(lang="nb"))
    en_title, en_legend, en_y = texts(res.plot_placebo(lang="en"))
    assert nb_title.startswith("Placebo i rom: p =") and en_title.startswith("Placebo in space")
    assert nb_legend[0].startswith("placebo-enheter (") and nb_legend[1] == "faktisk avvik"
    assert en_legend[0].startswith("placebo units (") and en_legend[1] == "real gap"
    assert nb_y.startswith("avvik (behandlet") and en_y == "gap (treated - synthetic)"
    nb_title, nb_legend, _ = texts(res.placebo("time").plot(lang="nb"))
    en_title, en_legend, _ = texts(res.placebo("time").plot(lang="en"))
    assert nb_title.startswith("Placebo i tid") and nb_legend[0].startswith("placebo-startår")
    assert en_title.startswith("Placebo in time") and en_legend[0].startswith("placebo start")
    assessment = SimpleNamespace(results={"synth": res})
    nb_fig, en_fig = plot_outcome(assessment), plot_outcome(assessment, lang="en")
    assert nb_fig.axes[1].get_title().startswith("Placebo i rom")
    assert en_fig.axes[1].get_title().startswith("Placebo in space")
    # rates are labelled as rates; a fit on log rates (the calibrated design) says so
    assert en_fig.axes[0].get_ylabel() == "Offences per 1,000 inh."
    logged = fit(small_df.assign(log_rate=np.log(small_df["rate"])), outcome="log_rate")
    log_fig = plot_outcome(SimpleNamespace(results={"synth": logged}), lang="en")
    assert log_fig.axes[0].get_ylabel().startswith("log(offences per 1,000")
    assert log_fig.axes[1].get_ylabel().startswith("Gap, log")
    plt.close("all")
    for draw in (
        res.plot,
        res.plot_placebo,
        res.placebo("space").plot,
        lambda lang: plot_outcome(assessment, lang=lang),
    ):
        with pytest.raises(ParameterError, match="lang='de' is not allowed"):
            draw(lang="de")
    plt.close("all")


@pytest.mark.filterwarnings("ignore::ptvlib.estimators.synth.OutsideDonorRangeWarning")
def test_placebo_refusals_name_what_is_missing(small_df):
    one = fit(small_df, donors=["k1"])
    assert one.weights.to_dict() == {"k1": 1.0}
    with pytest.raises(
        EstimationError, match="placebo-in-space needs at least 2 donors; this fit has 1"
    ):
        one.placebo("space")
    assert one.summary()["p_value"].isna().all()  # no placebo distribution: no p-value
    assert "uavklart" in one.verdict()
    short = fit(small_df[small_df.year >= 2015])  # 3 pre-years: no room for a fake start
    with pytest.raises(EstimationError, match="placebo-in-time needs a fake start"):
        short.placebo("time")
    with pytest.raises(ParameterError, match="min_pre=0 is not allowed"):
        fit(small_df, min_pre=0)
