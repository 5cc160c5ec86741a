"""Tests of :func:`ptvlib.estimators.sdid.synthetic_did`: Prop 99, diff-diff, known truth, errors.

Published numbers: Arkhangelsky et al. (2021, Table 1) on California's Proposition 99
(Abadie et al. 2010; panel in ``tests/data/abadie_2010_california_prop99``, see its
PROVENANCE.md): DiD −27.3, synthetic control −19.6, SDID −15.6 packs per capita.
Independent implementation: diff-diff 3.13 (``SyntheticDiD``, a port of R synthdid).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators._sdid_weights import ridge_simplex
from ptvlib.estimators._simplex import kkt_violation
from ptvlib.estimators.did import did
from ptvlib.estimators.inference import InferenceWarning
from ptvlib.estimators.sdid import SyntheticDidResult, synthetic_did
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
def exact(prop99: pd.DataFrame) -> SyntheticDidResult:
    return synthetic_did(prop99, **KW)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def fw(prop99: pd.DataFrame) -> SyntheticDidResult:
    return synthetic_did(prop99, **KW, solver="frank_wolfe")  # type: ignore[arg-type]


# --- published numbers -----------------------------------------------------------------------


def test_prop99_table1_sdid_sc_and_did(
    prop99: pd.DataFrame, exact: SyntheticDidResult, fw: SyntheticDidResult
) -> None:
    """Arkhangelsky et al. (2021), Table 1: SDID −15.6, SC −19.6, DiD −27.3."""
    assert exact.att == pytest.approx(-15.6, abs=0.1)
    assert fw.att == pytest.approx(-15.6, abs=0.1)
    assert round(exact.att, 1) == round(fw.att, 1) == -15.6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # California is above every donor; one treated cluster
        sc = synthetic_control(prop99, **KW)  # type: ignore[arg-type]
        twfe = did(prop99, **KW)  # type: ignore[arg-type]
    # The product's SC solves the weight QP exactly: -19.51 (the paper's -19.6 comes from
    # R's synth optimiser); the two-way FE DiD is the paper's number.
    assert round(sc.att, 1) == -19.5
    assert round(twfe.coef, 1) == -27.3
    # SDID sits between SC and DiD, and uses the donors Arkhangelsky et al. show (Fig. 1).
    assert twfe.coef < sc.att < exact.att < 0
    assert set(exact.unit_weights.index[:3]) == {"Nevada", "New Hampshire", "Connecticut"}
    # Time weights fall on the last pre-periods (1986-1988 in the paper's figure).
    lam = exact.time_weights
    assert lam.sum() == pytest.approx(1.0)
    assert lam.loc[1986:1988].sum() > 0.99


def test_prop99_placebo_variance_and_rank(exact: SyntheticDidResult) -> None:
    """Every donor once as pseudo-treated (Algorithm 4 enumerated): se 9.37, rank 2 of 39."""
    est = exact.placebo_estimates
    assert est.shape == (38,)
    assert exact.se == pytest.approx(np.sqrt(np.mean((est - est.mean()) ** 2)))
    assert exact.se == pytest.approx(9.371, abs=1e-3)
    assert exact.ci == pytest.approx(
        (exact.att - 1.959964 * exact.se, exact.att + 1.959964 * exact.se)
    )
    pl = exact.placebo("space")
    assert isinstance(pl, PlaceboResult) and pl.kind == "space"
    assert pl.p_value == pytest.approx(2 / 39)  # Rhode Island's placebo is larger
    assert pl.table.loc[0, "unit"] == "Rhode Island" and pl.table.loc[1, "unit"] == "California"
    assert "California" not in pl.gaps.columns and pl.gaps.shape == (31, 38)
    ratio = exact.placebo("space", statistic="ratio")
    assert ratio.statistic == "ratio" and ratio.p_value == pytest.approx(1 / 39)
    time_runs = exact.placebo("time")
    assert time_runs.kind == "time" and (time_runs.table["start"] < 1989).sum() == 16


# --- independent implementation: diff-diff ------------------------------------------------------


def _diff_diff_fit(prop99: pd.DataFrame):  # type: ignore[no-untyped-def]
    from diff_diff import SyntheticDiD

    data = prop99.assign(treated=(prop99["state"] == "California").astype(int))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = SyntheticDiD(seed=1)
        res = est.fit(
            data,
            outcome="packs",
            treatment="treated",
            unit="state",
            time="Year",
            post_periods=list(range(1989, 2001)),
        )
    return est, res


def test_frank_wolfe_reproduces_diff_diff(prop99: pd.DataFrame, fw: SyntheticDidResult) -> None:
    """R synthdid's Frank-Wolfe iterations, as diff-diff 3.13 runs them: same weights and ATT."""
    _, res = _diff_diff_fit(prop99)
    assert fw.att == pytest.approx(res.att, abs=1e-6)
    omega = res.get_unit_weights_df().set_index("unit")["weight"]
    np.testing.assert_allclose(fw.unit_weights.reindex(omega.index), omega, atol=1e-6)
    lam = res.get_time_weights_df().set_index("period")["weight"]
    np.testing.assert_allclose(fw.time_weights.reindex(lam.index), lam, atol=1e-6)


def test_frank_wolfe_placebo_runs_reproduce_diff_diff(
    prop99: pd.DataFrame, fw: SyntheticDidResult
) -> None:
    """Algorithm 4 with every donor once as pseudo-treated, through diff-diff's public weight
    functions with R's warm starts (fit-time omega renormalised, fit-time lambda)."""
    from diff_diff.utils import (
        compute_sdid_estimator,
        compute_sdid_unit_weights,
        compute_time_weights,
    )

    wide = prop99.pivot(index="Year", columns="state", values="packs")
    donors = [c for c in wide.columns if c != "California"]
    pre = wide.index < 1989
    Y = wide[donors].to_numpy()
    shift, scale = Y[pre].mean(), Y[pre].std()
    Yn = (Y - shift) / scale
    spec = fw._spec
    omega = fw.unit_weights.reindex(donors).to_numpy()
    lam = fw.time_weights.to_numpy()
    taus = []
    for j in range(len(donors)):
        rest = np.array([i for i in range(len(donors)) if i != j])
        w0 = omega[rest] / omega[rest].sum() if omega[rest].sum() > 0 else None
        om = compute_sdid_unit_weights(
            Yn[pre][:, rest],
            Yn[pre, j],
            zeta_omega=spec.zeta_omega,
            min_decrease=spec.min_decrease,
            init_weights=w0,
        )
        la = compute_time_weights(
            Yn[pre][:, rest],
            Yn[~pre][:, rest],
            zeta_lambda=spec.zeta_lambda,
            min_decrease=spec.min_decrease,
            init_weights=lam,
        )
        taus.append(
            scale
            * compute_sdid_estimator(
                Yn[pre][:, rest], Yn[~pre][:, rest], Yn[pre, j], Yn[~pre, j], om, la
            )
        )
    np.testing.assert_allclose(fw.placebo_estimates, taus, atol=1e-6)
    assert fw.se == pytest.approx(np.std(taus), abs=1e-6)


def test_exact_solver_is_the_minimiser(prop99: pd.DataFrame, exact: SyntheticDidResult) -> None:
    """Exact weights satisfy the KKT conditions; Frank-Wolfe (diff-diff) stops 0.0016 short."""
    _, res = _diff_diff_fit(prop99)
    wide = prop99.pivot(index="Year", columns="state", values="packs")
    donors = list(exact.unit_weights.index)
    pre = wide.index < 1989
    A = wide.loc[pre, donors].to_numpy()
    b = wide.loc[pre, "California"].to_numpy()
    A, b = A - A.mean(axis=0), b - b.mean()
    eta = pre.sum() * exact.zeta_omega**2
    X = np.vstack([A, np.sqrt(eta) * np.eye(len(donors))])
    y = np.concatenate([b, np.zeros(len(donors))])
    w = exact.unit_weights.to_numpy()
    assert kkt_violation(X, y, w) < 1e-8
    np.testing.assert_allclose(w, ridge_simplex(A, b, eta), atol=1e-10)
    fw_w = res.get_unit_weights_df().set_index("unit")["weight"].reindex(donors).to_numpy()

    def objective(v: np.ndarray) -> float:
        return float(np.sum((A @ v - b) ** 2) + eta * np.sum(v**2))

    assert objective(w) < objective(fw_w)
    assert exact.att == pytest.approx(res.att, abs=2e-3)
    assert abs(exact.att - res.att) > 1e-4  # they are different solvers


# --- known truth ---------------------------------------------------------------------------


def test_coverage_with_interactive_effects() -> None:
    """400 seeded panels (60 units, one treated, 11 pre- and 6 post-years, rates per 1 000 with
    Poisson noise, populations 50 000-200 000, unit loadings on a random-walk factor with
    sd 0.5, true rate ratio 0.8). The truth is the treated unit's mean post-period effect on
    its expected rate. Measured: placebo-variance 95 % intervals cover it in 378/400 = 0.945;
    the mean error is -0.61 against a mean effect of -13.3 (5 %), the RMSE 2.9.
    """
    hits, errors, truths = [], [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in range(400):
            df = simulate_panel(
                n_units=60,
                treated=1,
                rate_ratio=0.8,
                population=(50_000, 200_000),
                factor_sd=0.5,
                seed=s,
            )
            res = synthetic_did(
                df, unit="unit", time="time", outcome="rate", treated="u00", start=2018
            )
            post = df.loc[(df["unit"] == "u00") & df["post"]]
            truth = float((post["expected_rate"] * (1 - 1 / post["true_rate_ratio"])).mean())
            hits.append(res.ci[0] <= truth <= res.ci[1])
            errors.append(res.att - truth)
            truths.append(truth)
    assert int(np.sum(hits)) == 378
    assert 0.93 <= np.mean(hits) <= 0.97
    assert abs(np.mean(errors)) < 0.06 * abs(np.mean(truths))
    assert np.sqrt(np.mean(np.square(errors))) < 3.0


def test_several_treated_units_use_algorithm_4_draws() -> None:
    df = simulate_panel(n_units=30, treated=3, rate_ratio=0.8, population=(50_000, 200_000), seed=3)
    res = synthetic_did(
        df,
        unit="unit",
        time="time",
        outcome="rate",
        treated=["u00", "u01", "u02"],
        start=2018,
        replications=100,
        seed=1,
    )
    assert res.treated == ("u00", "u01", "u02") and res.placebo_estimates.size == 100
    assert all(u.count("+") == 2 for u in res.placebo("space").units)
    post = df.loc[df["treated"] & df["post"]]
    truth = float((post["expected_rate"] * (1 - 1 / post["true_rate_ratio"])).mean())
    assert res.ci[0] < truth < res.ci[1]
    again = synthetic_did(
        df,
        unit="unit",
        time="time",
        outcome="rate",
        treated=["u00", "u01", "u02"],
        start=2018,
        replications=100,
        seed=1,
    )
    np.testing.assert_array_equal(again.placebo_estimates, res.placebo_estimates)


def test_level_shift_of_the_treated_unit_leaves_sdid_unchanged(prop99: pd.DataFrame) -> None:
    """A treated unit far above every donor: SDID's intercept absorbs it, SC cannot."""
    high = prop99.copy()
    high.loc[high["state"] == "California", "packs"] += 150.0
    base = synthetic_did(prop99, **KW)  # type: ignore[arg-type]
    res = synthetic_did(high, **KW)  # type: ignore[arg-type]
    assert res.att == pytest.approx(base.att, abs=1e-8)
    assert res.intercept == pytest.approx(base.intercept + 150.0, abs=1e-8)
    assert "outside the donors' range" in res.warnings[0]
    assert "fixed level difference" in res.verdict("en")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = synthetic_control(high, **KW)  # type: ignore[arg-type]
    assert abs(sc.att - base.att) > 10


def test_injected_effect_shifts_only_the_real_estimate(prop99: pd.DataFrame) -> None:
    """The weights use pre-period and donor data only: +10 after 1989 moves att by 10 exactly."""
    bumped = prop99.copy()
    bumped.loc[(bumped["state"] == "California") & (bumped["Year"] >= 1989), "packs"] += 10.0
    base = synthetic_did(prop99, **KW)  # type: ignore[arg-type]
    res = synthetic_did(bumped, **KW)  # type: ignore[arg-type]
    assert res.att == pytest.approx(base.att + 10.0, abs=1e-9)
    np.testing.assert_allclose(res.placebo_estimates, base.placebo_estimates, atol=1e-9)


# --- results API ---------------------------------------------------------------------------


def test_summary_plot_verdict(exact: SyntheticDidResult) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    s = exact.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s["term"].tolist() == ["att", "placebo_se", "intercept"]
    assert s["p_value"].iloc[0] == pytest.approx(exact.p_value)
    en, nb = exact.verdict("en"), exact.verdict("nb")
    assert "Synthetic difference-in-differences" in en and "inconclusive" in en
    assert "38 placebo runs" in en
    assert "Syntetisk forskjell-i-forskjeller" in nb and "uavklart" in nb
    assert exact.warnings == ()
    fig = exact.plot(lang="en")
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "California (observed)"
    assert exact.plot().axes[0].get_title().startswith("California: SDID-effekt etter 1989")
    assert isinstance(exact.placebo().plot(lang="en"), Figure)
    plt.close("all")
    with pytest.raises(ParameterError, match="lang='de'"):
        exact.verdict("de")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="statistic='rmspe' is not allowed"):
        exact.placebo(statistic="rmspe")  # type: ignore[arg-type]
    assert "SyntheticDidResult(treated=('California',)" in repr(exact)


def test_input_frame_is_not_modified(prop99: pd.DataFrame) -> None:
    before = prop99.copy(deep=True)
    synthetic_did(prop99, **KW)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(prop99, before)


# --- bad inputs ----------------------------------------------------------------------------


def test_bad_inputs(prop99: pd.DataFrame) -> None:
    few = prop99.loc[prop99["state"].isin(["California", "Utah"])]
    with pytest.raises(EstimationError, match="needs at least 2 donors .* found 1"):
        synthetic_did(few, **KW)  # type: ignore[arg-type]
    with pytest.raises(EstimationError, match="only 2 pre-treatment period"):
        synthetic_did(prop99.loc[prop99["Year"] >= 1987], **KW)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="solver='cvx' is not allowed; allowed: 'exact'"):
        synthetic_did(prop99, **KW, solver="cvx")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="zeta_omega=-1 is not allowed"):
        synthetic_did(prop99, **KW, zeta_omega=-1)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="min_pre=1 is not allowed"):
        synthetic_did(prop99, **KW, min_pre=1)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="outcome='sales' is not a column"):
        synthetic_did(prop99, **{**KW, "outcome": "sales"})  # type: ignore[arg-type]
    gap = prop99.loc[~((prop99["state"] == "Utah") & (prop99["Year"] == 1980))]
    with pytest.raises(EstimationError, match="treated unit 'Utah' is not complete"):
        synthetic_did(gap, **{**KW, "treated": ["California", "Utah"]})  # type: ignore[arg-type]
    small = prop99.loc[prop99["state"].isin(["California", "Utah", "Nevada", "Maine", "Ohio"])]
    with pytest.warns(InferenceWarning, match="only 4 placebo runs"):
        synthetic_did(small, **KW)  # type: ignore[arg-type]
