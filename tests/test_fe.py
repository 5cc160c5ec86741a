"""Fixed effects without dummies (:mod:`ptvlib.estimators._fe`): same numbers, far less work.

The reference is the dummy design that :func:`ptvlib.did` used before
(:func:`~ptvlib.estimators._did_data.fe_design` + :func:`~ptvlib.estimators._glmfit.fit_model`
+ :func:`~ptvlib.estimators.inference.cluster_robust_vcov`), and pyfixest 0.60's ``fepois``
on a larger monthly panel.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._did_data import fe_design
from ptvlib.estimators._fe import TwoWayFE, fe_cluster_vcov, fit_fe_model
from ptvlib.estimators._glmfit import fit_model
from ptvlib.estimators.did import FewTreatedWarning, did
from ptvlib.estimators.inference import cluster_robust_vcov
from ptvlib.estimators.simulate import simulate_panel


def _frame(
    seed: int, *, n_units: int = 24, drop: int = 15, nb: float | None = None
) -> pd.DataFrame:
    """Unbalanced panel: *drop* random rows removed; clusters of three units (not nested in time)."""
    df = simulate_panel(n_units=n_units, treated=6, rate_ratio=0.8, overdispersion=nb, seed=seed)
    rng = np.random.default_rng(seed)
    df = df.drop(index=rng.choice(df.index[df["time"] != 2018], drop, replace=False))
    return pd.DataFrame(
        {
            "unit": df["unit"].astype(object),
            "time": df["time"],
            "y": df["count"].astype(float),
            "rate": df["rate"],
            "offset": np.log(df["population"]),
            "cluster": (df["unit"].str[1:].astype(int) // 3).astype(str),
            "post": df["post"],
        }
    ).reset_index(drop=True)


@pytest.mark.parametrize("family", ["ols", "poisson", "negbin"])
def test_exact_elimination_equals_the_dummy_design(family: str) -> None:
    f = _frame(1, nb=0.05 if family == "negbin" else None)
    y = (f["rate"] if family == "ols" else f["y"]).to_numpy(dtype=float)
    off = None if family == "ols" else f["offset"].to_numpy()
    d = f["post"].to_numpy(dtype=float)[:, None]
    X, k = fe_design(f, d)
    dense = fit_model(y, X, family, offset=off)  # type: ignore[arg-type]
    v_dense = cluster_robust_vcov(dense.bread, dense.scores, f["cluster"], k=k)
    fe = TwoWayFE.from_frame(f)
    fast = fit_fe_model(y, d, fe, family, offset=off)  # type: ignore[arg-type]
    v_fast = fe_cluster_vcov(fast, fe, d, f["cluster"].to_numpy(), k=k)
    rel = 1e-5 if family == "negbin" else 1e-9  # NB2: alpha from a bounded Brent search
    assert fast.params[0] == pytest.approx(dense.params[0], rel=rel, abs=1e-12)
    assert v_fast[0, 0] == pytest.approx(v_dense[0, 0], rel=10 * rel)
    assert fast.bread[0, 0] == pytest.approx(dense.bread[0, 0], rel=10 * rel)
    assert fast.pearson_dispersion == pytest.approx(dense.pearson_dispersion, rel=rel)
    np.testing.assert_allclose(fast.dense, dense.params, rtol=0, atol=1e-6)
    if family == "negbin":
        assert fast.alpha == pytest.approx(dense.alpha, rel=1e-5)
        assert fast.llf == pytest.approx(dense.llf, rel=1e-10)


def test_event_study_regressors_as_sparse_matrix_equal_dense_dummies() -> None:
    from scipy import sparse

    f = _frame(2)
    rel = np.where(
        f["post"] | f["unit"].isin([f"u{i:02d}" for i in range(6)]), f["time"] - 2018, 99
    )
    times = [e for e in range(-10, 7) if e != -1]
    D = np.column_stack([(rel == e).astype(float) for e in times])
    y, off = f["y"].to_numpy(), f["offset"].to_numpy()
    X, k = fe_design(f, D)
    dense = fit_model(y, X, "poisson", offset=off)
    v_dense = cluster_robust_vcov(dense.bread, dense.scores, f["cluster"], k=k)[:16, :16]
    fe = TwoWayFE.from_frame(f)
    fast = fit_fe_model(y, sparse.csc_matrix(D), fe, "poisson", offset=off)
    v_fast = fe_cluster_vcov(fast, fe, sparse.csc_matrix(D), f["cluster"].to_numpy(), k=k)
    np.testing.assert_allclose(fast.params, dense.params[:16], rtol=0, atol=1e-9)
    np.testing.assert_allclose(v_fast, v_dense, rtol=1e-7, atol=1e-14)


def test_more_periods_than_units_eliminates_the_periods() -> None:
    df = simulate_panel(n_units=6, periods=range(1, 41), start=25, treated=2, seed=3)
    f = df.rename(columns={"count": "y"}).assign(
        offset=np.log(df["population"]), cluster=df["unit"], post=df["post"]
    )
    fe = TwoWayFE.from_frame(f)
    assert fe.swapped and fe.la == 40 and fe.lb == 6
    d = f["post"].to_numpy(dtype=float)[:, None]
    X, k = fe_design(f, d)
    y, off = f["y"].to_numpy(dtype=float), f["offset"].to_numpy()
    dense = fit_model(y, X, "poisson", offset=off)
    fast = fit_fe_model(y, d, fe, "poisson", offset=off)
    assert fast.params[0] == pytest.approx(dense.params[0], abs=1e-10)
    np.testing.assert_allclose(fast.dense, dense.params, atol=1e-8)


def test_collinear_treatment_is_refused() -> None:
    f = _frame(4)
    fe = TwoWayFE.from_frame(f)
    unit_dummy = (f["unit"] == "u03").to_numpy(dtype=float)[:, None]  # in the unit effects' span
    with pytest.raises(EstimationError, match="collinear"):
        fit_fe_model(f["rate"].to_numpy(), unit_dummy, fe, "ols")


def test_monthly_poisson_did_matches_pyfixest_fepois() -> None:
    """200 areas x 96 months, 20 treated, population offset: coefficient and CR1 SE."""
    import pyfixest as pf

    df = simulate_panel(n_units=200, periods=range(1, 97), start=61, treated=20, seed=5)
    res = did(
        df,
        unit="unit",
        time="time",
        outcome="count",
        treated=[f"u{i:03d}" for i in range(20)],
        start=61,
        exposure="population",
        family="poisson",
    )
    d = pd.DataFrame(
        {
            "unit": df["unit"].astype(object),
            "time": df["time"],
            "y": df["count"],
            "lp": np.log(df["population"]),
            "D": df["post"].astype(float),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.fepois(
            "y ~ D | unit + time",
            data=d,
            offset="lp",
            vcov={"CRV1": "unit"},
            iwls_tol=1e-10,
            iwls_maxiter=100,
        )
    assert res.coef == pytest.approx(fit.coef().iloc[0], abs=1e-9)
    assert res.se == pytest.approx(fit.se().iloc[0], rel=1e-6)


@pytest.mark.parametrize(("family", "outcome"), [("ols", "rate"), ("poisson", "count")])
def test_refit_equals_a_full_did_with_the_placebo_units(family: str, outcome: str) -> None:
    df = simulate_panel(n_units=20, treated=3, rate_ratio=0.8, seed=6)
    kw: dict[str, object] = {"unit": "unit", "time": "time", "outcome": outcome, "start": 2018}
    if family != "ols":
        kw["exposure"] = "population"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = did(df, treated=["u00", "u01", "u02"], family=family, **kw)  # type: ignore[arg-type]
        for placebo in (["u07"], ["u04", "u09", "u13"]):
            full = did(df, treated=placebo, family=family, **kw)  # type: ignore[arg-type]
            assert res.refit(placebo) == pytest.approx(full.coef, abs=1e-10)
    assert res.refit(["u00", "u01", "u02"]) == pytest.approx(res.coef, abs=1e-10)
    assert res.refit("u07", start=2016) != pytest.approx(res.refit("u07"))
    with pytest.raises(ParameterError, match="units of the fitted panel"):
        res.refit(["u99"])


def test_refit_of_staggered_starts_reuses_the_real_starts_in_order() -> None:
    df = simulate_panel(n_units=20, treated=3, staggered=True, seed=7)
    starts = {"u00": 2018, "u01": 2019, "u02": 2020}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FewTreatedWarning)
        res = did(df, unit="unit", time="time", outcome="rate", treated=list(starts), start=starts)
        full = did(
            df,
            unit="unit",
            time="time",
            outcome="rate",
            treated=["u05", "u06", "u07"],
            start={"u05": 2018, "u06": 2019, "u07": 2020},
        )
    assert res.refit(["u05", "u06", "u07"]) == pytest.approx(full.coef, abs=1e-10)
    with pytest.raises(ParameterError, match="ambiguous"):
        res.refit(["u05"])


def test_refit_of_two_year_periods_drops_the_placebo_units_straddling_period() -> None:
    """Two-year periods: a placebo unit's 2017-2018 period straddles 2018 and is left out, as a
    full fit would; the real treated units' dropped rows stay dropped."""
    df = simulate_panel(n_units=20, treated=6, periods=range(2008, 2025, 2), seed=8)
    treated = [f"u{i:02d}" for i in range(6)]
    kw = {"unit": "unit", "time": "time", "outcome": "rate", "start": 2018, "period_years": 2}
    res = did(df, treated=treated, **kw)  # type: ignore[arg-type]
    placebo = [f"u{i:02d}" for i in range(10, 16)]
    rest = df.loc[~(df["unit"].isin(treated) & (df["time"] == 2018))]
    full = did(rest, treated=placebo, **kw)  # type: ignore[arg-type]
    assert res.refit(placebo) == pytest.approx(full.coef, abs=1e-10)
    assert res.refit(treated) == pytest.approx(res.coef, abs=1e-10)


def test_refit_of_negbin_keeps_alpha() -> None:
    df = simulate_panel(n_units=20, treated=6, overdispersion=0.03, seed=9)
    treated = [f"u{i:02d}" for i in range(6)]
    res = did(
        df,
        unit="unit",
        time="time",
        outcome="count",
        treated=treated,
        start=2018,
        exposure="population",
        family="negbin",
    )
    assert res.refit(treated) == pytest.approx(res.coef, abs=1e-8)
    assert np.isfinite(res.refit([f"u{i:02d}" for i in range(8, 14)]))
