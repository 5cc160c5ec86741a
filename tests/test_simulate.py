"""Tests of the seeded simulators in :mod:`ptvlib.estimators.simulate`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.style import SYNTHETIC_LABEL
from ptvlib.estimators.simulate import simulate_its, simulate_panel

PANEL_COLUMNS = [
    "unit",
    "time",
    "population",
    "count",
    "rate",
    "treated",
    "post",
    "true_rate_ratio",
    "expected_rate",
    "start",
    "label",
]


def test_panel_is_labelled_synthetic_and_has_the_documented_columns() -> None:
    df = simulate_panel(seed=1)
    assert df.attrs["synthetic"] is True
    assert df.attrs["label"] == SYNTHETIC_LABEL
    assert (df["label"] == SYNTHETIC_LABEL).all()
    assert list(df.columns) == PANEL_COLUMNS
    assert df.shape == (30 * 17, len(PANEL_COLUMNS))
    assert df["unit"].nunique() == 30 and df["time"].min() == 2008 and df["time"].max() == 2024
    assert not df.duplicated(["unit", "time"]).any()
    assert pd.api.types.is_bool_dtype(df["treated"]) and pd.api.types.is_bool_dtype(df["post"])
    np.testing.assert_allclose(df["rate"], 1000 * df["count"] / df["population"])
    # Defaults: one treated unit, u00, from 2018; effect 0.8 only there.
    assert sorted(df.loc[df["treated"], "unit"].unique()) == ["u00"]
    post = df["post"].to_numpy()
    assert (df.loc[post, "time"] >= 2018).all() and post.sum() == 7
    assert set(df.loc[post, "true_rate_ratio"]) == {0.8}
    assert set(df.loc[~post, "true_rate_ratio"]) == {1.0}
    lo, hi = df["population"].min(), df["population"].max()
    assert 5_000 <= lo and hi <= 700_000 * 1.02**16 + 1


def test_panel_is_reproducible_and_seed_dependent() -> None:
    a = simulate_panel(seed=7)
    b = simulate_panel(seed=7)
    c = simulate_panel(seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["count"], c["count"])


def test_panel_counts_match_expected_rates() -> None:
    df = simulate_panel(n_units=60, base_rate=20.0, seed=3)
    expected = df["expected_rate"] * df["population"] / 1000
    ratio = df["count"].sum() / expected.sum()
    assert ratio == pytest.approx(1.0, abs=0.01)
    # Poisson: Pearson dispersion about 1.
    pearson = float(np.mean((df["count"] - expected) ** 2 / expected))
    assert 0.8 < pearson < 1.25
    # The true effect sits in expected_rate: treated post rates are 0.8 x the same unit's
    # level without the effect (same unit, same year effect).
    baseline = simulate_panel(n_units=60, base_rate=20.0, seed=3, rate_ratio=1.0)
    post = df["post"].to_numpy()
    np.testing.assert_allclose(
        df.loc[post, "expected_rate"].to_numpy(),
        0.8 * baseline.loc[post, "expected_rate"].to_numpy(),
    )


def test_overdispersion_inflates_the_variance() -> None:
    df = simulate_panel(n_units=60, overdispersion=0.05, seed=4)
    expected = df["expected_rate"] * df["population"] / 1000
    pearson = float(np.mean((df["count"] - expected) ** 2 / expected))
    assert pearson > 20  # NB2 variance mu + 0.05 mu^2 with mu in the thousands


def test_treated_as_number_and_staggered_starts() -> None:
    df = simulate_panel(treated=6, staggered=True, seed=5)
    treated = sorted(df.loc[df["treated"], "unit"].unique())
    assert treated == ["u00", "u01", "u02", "u03", "u04", "u05"]
    starts = df.loc[df["treated"]].groupby("unit")["start"].first()
    assert starts.to_dict() == {
        "u00": 2018,
        "u01": 2019,
        "u02": 2020,
        "u03": 2018,
        "u04": 2019,
        "u05": 2020,
    }
    assert df.loc[~df["treated"], "start"].isna().all()
    first_post = df.loc[df["post"]].groupby("unit")["time"].min()
    assert (first_post == starts).all()


def test_pre_trend_changes_only_treated_pre_periods() -> None:
    flat = simulate_panel(treated=3, seed=6)
    trend = simulate_panel(treated=3, seed=6, pre_trend=0.05)
    ratio = np.log(trend["expected_rate"] / flat["expected_rate"])
    treated_pre = (trend["treated"] & ~trend["post"]).to_numpy()
    assert np.allclose(ratio[~treated_pre], 0.0)
    expected = 0.05 * (trend.loc[treated_pre, "time"] - 2018)
    np.testing.assert_allclose(ratio[treated_pre], expected)


def test_simulate_its_is_labelled_and_has_the_effect() -> None:
    s = simulate_its(rate_ratio=0.8, slope_ratio=1.01, seed=2)
    assert s.attrs["synthetic"] is True and (s["label"] == SYNTHETIC_LABEL).all()
    assert list(s["time"]) == list(range(1, 61))
    assert int(s["post"].sum()) == 24
    post = s["post"].to_numpy()
    np.testing.assert_allclose(
        s.loc[post, "true_rate_ratio"], 0.8 * 1.01 ** (s.loc[post, "time"] - 37)
    )
    pd.testing.assert_frame_equal(s, simulate_its(rate_ratio=0.8, slope_ratio=1.01, seed=2))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"treated": ("zz",)}, "treated="),
        ({"treated": 30}, "treated="),
        ({"n_units": 1}, "n_units=1"),
        ({"rate_ratio": 0.0}, "rate_ratio"),
        ({"overdispersion": -1.0}, "overdispersion=-1.0"),
    ],
)
def test_panel_bad_inputs(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        simulate_panel(**kwargs)  # type: ignore[arg-type]
