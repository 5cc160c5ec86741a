"""Tests of :func:`ptvlib.estimators.ascm.augmented_synth`: pysyncon, closed form, truth, errors.

Independent implementation: pysyncon 1.7's ``AugSynth`` (a port of R's augsynth with
``progfunc="Ridge"``), on California's Proposition 99 (``tests/data/abadie_2010_california_prop99``).
Ben-Michael, Feller & Rothstein (2021) publish no Prop 99 number; the test reports ASCM beside
the product's synthetic control and synthetic DiD on the same panel.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._ascm_fit import fit_ascm, lambda_grid
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators._simplex import simplex_lstsq
from ptvlib.estimators.ascm import AugmentedSynthResult, augmented_synth
from ptvlib.estimators.inference import InferenceWarning
from ptvlib.estimators.sdid import synthetic_did
from ptvlib.estimators.simulate import simulate_panel
from ptvlib.estimators.synth import PlaceboResult, synthetic_control

matplotlib.use("Agg")

PROP99 = Path(__file__).resolve().parent / "data" / "abadie_2010_california_prop99"
KW = {"unit": "state", "time": "Year", "outcome": "packs", "treated": "California", "start": 1989}


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    wide = pd.read_csv(PROP99 / "california_prop99.csv")
    return wide.melt(id_vars="Year", var_name="state", value_name="packs")


@pytest.fixture(scope="module")
def res(prop99: pd.DataFrame) -> AugmentedSynthResult:
    return augmented_synth(prop99, **KW)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pysyncon_fit(prop99: pd.DataFrame):  # type: ignore[no-untyped-def]
    from pysyncon import AugSynth, Dataprep

    controls = sorted(set(prop99["state"]) - {"California"})
    dp = Dataprep(
        foo=prop99,
        predictors=[],
        predictors_op="mean",
        dependent="packs",
        unit_variable="state",
        time_variable="Year",
        treatment_identifier="California",
        controls_identifier=controls,
        time_predictors_prior=range(1970, 1989),
        time_optimize_ssr=range(1970, 1989),
    )
    aug = AugSynth()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aug.fit(dataprep=dp, use_covariates=False)
    z0, z1 = dp.make_outcome_mats(time_period=range(1970, 2001))
    gap = z1 - z0 @ aug.W
    return aug, pd.Series(aug.W, index=controls), float(gap.loc[1989:].mean())


# --- independent implementation --------------------------------------------------------------


def test_prop99_matches_pysyncon_augsynth(res: AugmentedSynthResult, pysyncon_fit) -> None:  # type: ignore[no-untyped-def]
    """Same cross-validated penalty; weights and ATT to pysyncon's SLSQP tolerance."""
    aug, weights, att = pysyncon_fit
    assert res.lambda_ == pytest.approx(aug.lambda_, rel=1e-10)
    assert res.lambda_ == pytest.approx(429.84, abs=0.01)
    np.testing.assert_allclose(res.unit_weights.reindex(weights.index), weights, atol=1e-5)
    assert res.att == pytest.approx(att, abs=1e-4)
    assert res.att == pytest.approx(-15.95, abs=0.01)
    cv = aug.cv_result
    np.testing.assert_allclose(res.cv["lambda"], cv.lambdas, rtol=1e-12)
    np.testing.assert_allclose(res.cv["error"], cv.errors_mean, rtol=1e-4)
    assert res.cv.loc[res.cv["chosen"], "lambda"].item() == pytest.approx(aug.lambda_)


def test_prop99_beside_synthetic_control_and_sdid(
    prop99: pd.DataFrame, res: AugmentedSynthResult
) -> None:
    """Prop 99, packs per capita 1989-2000: SC -19.51, ASCM -15.95, SDID -15.61 (paper -15.6).

    The ridge correction removes about 3.6 packs of synthetic control's pre-period imbalance
    bias and lands next to SDID.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = synthetic_control(prop99, **KW)  # type: ignore[arg-type]
    sdid = synthetic_did(prop99, **KW)  # type: ignore[arg-type]
    table = pd.Series({"sc": sc.att, "ascm": res.att, "sdid": sdid.att}).round(2)
    assert table.to_dict() == {"sc": -19.51, "ascm": -15.95, "sdid": -15.61}
    assert res.sc_att == pytest.approx(sc.att, abs=1e-8)  # same exact simplex QP
    np.testing.assert_allclose(res.sc_weights.reindex(sc.weights.index), sc.weights, atol=1e-10)
    assert abs(res.att - sdid.att) < 0.5 < abs(sc.att - sdid.att)
    assert res.negative_weight < 0 and res.unit_weights.sum() == pytest.approx(1.0)


# --- closed form -----------------------------------------------------------------------------


def test_ridge_correction_equals_its_closed_form_on_a_small_case() -> None:
    """T0 = 3, J = 5: gamma = w + X0'(X0 X0' + lambda I)^{-1}(x1 - X0 w), X0 centred by period.

    Written out with a plain linear solve (no SVD), plus its two limits: lambda -> infinity
    gives synthetic control; lambda -> 0 (J > T0) fits the pre-period exactly with the
    minimum-norm correction.
    """
    Y = np.array(
        [
            [10.0, 12.0, 9.0, 14.0, 11.0],
            [11.0, 12.5, 9.5, 15.0, 11.5],
            [12.0, 13.5, 9.0, 16.5, 12.0],
            [13.0, 14.0, 10.0, 17.0, 13.0],
            [13.5, 15.0, 10.5, 18.0, 13.0],
        ]
    )
    y = np.array([16.0, 17.5, 19.0, 17.0, 18.0])  # above every donor before the start
    pre = np.array([True, True, True, False, False])
    centre = Y[pre].mean(axis=1)
    X0, x1 = Y[pre] - centre[:, None], y[pre] - centre
    w = simplex_lstsq(X0, x1)
    lam = 2.5
    gamma = w + X0.T @ np.linalg.solve(X0 @ X0.T + lam * np.eye(3), x1 - X0 @ w)
    fit = fit_ascm(Y, y, pre, lam)
    np.testing.assert_allclose(fit.gamma, gamma, atol=1e-12)
    np.testing.assert_allclose(fit.gap, y - Y @ gamma, atol=1e-12)
    assert gamma.sum() == pytest.approx(1.0)
    big = fit_ascm(Y, y, pre, 1e12)
    np.testing.assert_allclose(big.gamma, w, atol=1e-9)
    tiny = fit_ascm(Y, y, pre, 1e-12)
    np.testing.assert_allclose(X0 @ tiny.gamma, x1, atol=1e-8)
    min_norm = w + np.linalg.pinv(X0) @ (x1 - X0 @ w)
    np.testing.assert_allclose(tiny.gamma, min_norm, atol=1e-8)
    grid = lambda_grid(X0)
    assert grid.size == 21 and grid[1] == pytest.approx(np.linalg.svd(X0)[1][0] ** 2)


# --- known truth -----------------------------------------------------------------------------


def test_recovers_the_effect_where_synthetic_control_cannot() -> None:
    """Treated unit above every donor (log-rate level +0.6, its own trend loading): 10 seeded
    panels of 40 units; ASCM's mean error is a fraction of synthetic control's."""
    sc_err, ascm_err = [], []
    for s in range(10):
        df = simulate_panel(
            n_units=40,
            treated=1,
            rate_ratio=0.8,
            population=(50_000, 200_000),
            factor_sd=0.5,
            seed=s,
        )
        df.loc[df["unit"] == "u00", ["rate", "expected_rate"]] *= np.exp(0.6)
        post = df.loc[(df["unit"] == "u00") & df["post"]]
        truth = float((post["expected_rate"] * (1 - 1 / post["true_rate_ratio"])).mean())
        kw = {"unit": "unit", "time": "time", "outcome": "rate", "treated": "u00", "start": 2018}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = augmented_synth(df, **kw)  # type: ignore[arg-type]
        ascm_err.append(a.att - truth)
        sc_err.append(a.sc_att - truth)
    assert np.mean(np.abs(ascm_err)) < 0.5 * np.mean(np.abs(sc_err))


def test_placebo_in_space(res: AugmentedSynthResult) -> None:
    pl = res.placebo("space")
    assert isinstance(pl, PlaceboResult) and pl.kind == "space"
    assert res.placebo_estimates.shape == (38,) and pl.gaps.shape == (31, 38)
    est = res.placebo_estimates
    assert res.se == pytest.approx(np.sqrt(np.mean((est - est.mean()) ** 2)))
    assert res.p_value == pytest.approx(np.mean(np.r_[abs(res.att), np.abs(est)] >= abs(res.att)))
    # Each placebo is a full ASCM (penalty cross-validated) of that donor on the others.
    wide = res.panel
    donors = list(wide.columns[1:])
    j = donors.index("Utah")
    Y = wide.to_numpy()[:, 1:]
    pre = wide.index.to_numpy() < 1989
    own = fit_ascm(np.delete(Y, j, axis=1), Y[:, j], pre, None)
    assert est[j] == pytest.approx(own.gap[~pre].mean(), abs=1e-10)
    assert res.placebo("time").kind == "time"
    # placebo_cv=False keeps the real penalty in every placebo run.
    fixed = augmented_synth(
        res.panel.reset_index().melt(id_vars="Year", var_name="state", value_name="packs"),
        **KW,
        placebo_cv=False,
    )  # type: ignore[arg-type]
    assert fixed.att == pytest.approx(res.att) and fixed.lambda_ == res.lambda_
    own_fixed = fit_ascm(np.delete(Y, j, axis=1), Y[:, j], pre, res.lambda_)
    assert fixed.placebo_estimates[j] == pytest.approx(own_fixed.gap[~pre].mean(), abs=1e-10)


# --- results API -----------------------------------------------------------------------------


def test_summary_plot_verdict(res: AugmentedSynthResult) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    s = res.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s["term"].tolist() == ["att", "placebo_se", "sc_att", "lambda"]
    en, nb = res.verdict("en"), res.verdict("nb")
    assert en.startswith("Augmented synthetic control for packs")
    assert "negative weights sum to" in en.lower() and "38 placebo runs" in en
    assert nb.startswith("Augmentert syntetisk kontroll for packs") and "uavklart" in nb
    fig = res.plot(lang="en")
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [
        "California (observed)",
        "augmented synthetic control",
        "synthetic control (uncorrected)",
    ]
    assert res.plot().axes[0].get_title().startswith("California: ASCM-effekt etter 1989")
    plt.close("all")
    assert "AugmentedSynthResult(treated='California'" in repr(res)


def test_bad_inputs(prop99: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="allowed: one unit"):
        augmented_synth(prop99, **{**KW, "treated": ["California", "Utah"]})  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="lambda_=-1.0 is not allowed"):
        augmented_synth(prop99, **KW, lambda_=-1.0)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="min_pre=2 is not allowed"):
        augmented_synth(prop99, **KW, min_pre=2)  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="only 2 pre-treatment period"):
        augmented_synth(prop99.loc[prop99["Year"] >= 1987], **KW)  # type: ignore[arg-type]
    few = prop99.loc[prop99["state"].isin(["California", "Utah"])]
    with pytest.raises(EstimationError, match="augmented_synth with 1 treated unit"):
        augmented_synth(few, **KW)  # type: ignore[arg-type]
    small = prop99.loc[prop99["state"].isin(["California", "Utah", "Nevada", "Maine", "Ohio"])]
    with pytest.warns(InferenceWarning, match="only 4 placebo runs"):
        fixed = augmented_synth(small, **KW, lambda_=100.0)  # type: ignore[arg-type]
    assert fixed.cv.empty and fixed.lambda_ == 100.0
