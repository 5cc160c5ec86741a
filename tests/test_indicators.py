"""Tests of ptvlib.assessment.indicators: hand-computed values, errors, and a seeded EB simulation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ptvlib.assessment.indicators import (
    change,
    clearance_rate,
    eb_shrunk_rates,
    funding_per_capita,
    index_to_base,
    prosecution_rate,
    rate,
    rate_per_1000,
    rate_per_100000,
    share_of_national,
)
from ptvlib.basics.exceptions import DataError, ParameterError


def _tidy() -> pd.DataFrame:
    rows = []
    for region, vals in {
        "0301": [100.0, 110.0, 90.0, 80.0],
        "4601": [50.0, 50.0, 60.0, 40.0],
    }.items():
        for year, v in zip(range(2015, 2019), vals, strict=True):
            rows.append(
                {
                    "region": region,
                    "year": year,
                    "indicator": "reported_offences",
                    "offence_group": "violence",
                    "value": v,
                    "unit": "count",
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- rates
def test_rate_hand_values_scalar_array_series():
    assert rate(12, 4000) == 3.0
    assert rate_per_1000(30, 10_000) == 3.0
    assert rate_per_100000(30, 10_000) == 300.0
    out = rate(np.array([5.0, 5.0, 5.0, np.nan]), np.array([1000.0, 0.0, -3.0, 10.0]))
    assert out[0] == 5.0 and np.isnan(out[1:]).all()
    counts = pd.Series([10.0, 20.0], index=["a", "b"])
    pop = pd.Series([4000.0, 1000.0], index=["b", "a"])  # other order: aligned by label
    res = rate(counts, pop)
    assert isinstance(res, pd.Series)
    assert res.to_dict() == {"a": 10.0, "b": 5.0}


def test_rate_does_not_mutate_inputs():
    counts = pd.Series([10.0, 20.0])
    pop = pd.Series([1000.0, 0.0])
    before = (counts.copy(), pop.copy())
    rate(counts, pop)
    pd.testing.assert_series_equal(counts, before[0])
    pd.testing.assert_series_equal(pop, before[1])


def test_rate_errors_name_field_and_value():
    with pytest.raises(DataError, match=r"count=-1\.0 .*negative; allowed: values ≥ 0"):
        rate([3, -1], [10, 10])
    with pytest.raises(ParameterError, match=r"per=0 is not allowed; allowed: a positive"):
        rate(1, 10, per=0)
    with pytest.raises(ParameterError, match=r"count must be numeric; got non-numeric value 'x'"):
        rate(["x"], [10])
    with pytest.raises(ParameterError, match="different index labels"):
        rate(pd.Series([1.0], index=["a"]), pd.Series([1.0], index=["b"]))
    with pytest.raises(ParameterError, match="different lengths"):
        rate([1, 2, 3], [10, 10])


def test_funding_per_capita():
    assert funding_per_capita(30, 700_000) == pytest.approx(42.857142857)
    out = funding_per_capita(np.array([0.0, 30.0]), np.array([1000.0, 0.0]))
    assert out[0] == 0.0 and np.isnan(out[1])
    with pytest.raises(DataError, match="amount_mnok"):
        funding_per_capita(-1, 100)


def test_clearance_and_prosecution_rates():
    assert clearance_rate(45, 60) == 75.0
    out = clearance_rate(pd.Series([1, 0], index=["x", "y"]), pd.Series([4, 0], index=["x", "y"]))
    assert out["x"] == 25.0 and math.isnan(out["y"])
    assert prosecution_rate(30, 40) == 75.0
    with pytest.raises(DataError, match=r"cleared=7\.0 exceeds investigated=5\.0 \(label 'b'\)"):
        clearance_rate(pd.Series([1, 7], index=["a", "b"]), pd.Series([2, 5], index=["a", "b"]))
    with pytest.raises(DataError, match="prosecuted=-2"):
        prosecution_rate(-2, 5)


def test_share_of_national():
    assert share_of_national(60_000, 300_000) == 20.0
    np.testing.assert_allclose(share_of_national([1, 0], [4, 0]), [25.0, np.nan])
    with pytest.raises(DataError, match="region_values=5.0 exceeds national_values=4.0"):
        share_of_national(5, 4)


# ---------------------------------------------------------------- index and change
def test_index_to_base_single_and_range_groupwise():
    data = _tidy()
    out = index_to_base(data, 2015)
    oslo = out[out.region == "0301"].value.tolist()
    assert oslo == [100.0, 110.0, 90.0, 80.0]
    assert out[out.region == "4601"].value.tolist() == [100.0, 100.0, 120.0, 80.0]
    assert set(out.unit) == {"index"}
    # range base: mean of 2015-2016 = 105 for Oslo -> 80/105*100
    out2 = index_to_base(data, range(2015, 2017))
    assert out2[(out2.region == "0301") & (out2.year == 2018)].value.item() == pytest.approx(
        100 * 80 / 105
    )
    # input untouched
    assert data.value.tolist()[:2] == [100.0, 110.0] and set(data.unit) == {"count"}


def test_index_to_base_errors():
    data = _tidy()
    short = data[~((data.region == "4601") & (data.year == 2015))]
    with pytest.raises(
        DataError, match=r"base period\(s\) \[2015\] missing or NaN for group .*4601"
    ):
        index_to_base(short, 2015)
    with pytest.raises(DataError, match=r"base period\(s\) \[2014\] missing"):
        index_to_base(pd.Series([1.0, 2.0], index=[2015, 2016]), 2014)
    with pytest.raises(ParameterError, match="column 'yr' is not in the data"):
        index_to_base(data, 2015, time="yr")
    with pytest.raises(DataError, match="several rows share"):
        index_to_base(data, 2015, by=[])  # two regions per year in one group
    zero = data.assign(value=np.where(data.year == 2015, 0.0, data.value))
    with pytest.raises(DataError, match="base value is 0"):
        index_to_base(zero, 2015)


def test_change_series_and_frame():
    s = pd.Series([50.0, 45.0, 40.0], index=[2017, 2020, 2023])
    assert change(s, 2017, 2023) == -10.0
    assert change(s, 2017, 2023, "percent") == pytest.approx(-20.0)
    assert change(s, 2017, 2023, "log") == pytest.approx(math.log(0.8))
    assert math.isnan(change(pd.Series([0.0, 5.0], index=[1, 2]), 1, 2, "percent"))
    out = change(_tidy(), 2015, 2018, "percent")
    assert out.loc[("0301", "reported_offences", "violence", "count")] == pytest.approx(-20.0)
    assert out.loc[("4601", "reported_offences", "violence", "count")] == pytest.approx(-20.0)
    with pytest.raises(ParameterError, match=r"kind='ratio' is not allowed; allowed: 'absolute'"):
        change(s, 2017, 2023, "ratio")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="period 2019 is not in the data"):
        change(s, 2017, 2019)


# ---------------------------------------------------------------- empirical Bayes
def test_eb_hand_computed_example():
    n = np.array([12.0, 60.0, 4000.0, 2000.0])
    x = np.array([1_000.0, 20_000.0, 1_000_000.0, 1_000_000.0])
    out = eb_shrunk_rates(n, x, per=1000)
    # Marshall (1991) moments, written out by hand:
    m = 6072 / 2_021_000
    r = n / x
    s2 = np.sum(x * (r - m) ** 2) / 2_021_000
    a = s2 - m / (2_021_000 / 4)
    w = a / (a + m / x)
    assert out.prior_mean.iloc[0] == pytest.approx(1000 * m)
    assert out.prior_var.iloc[0] == pytest.approx(1e6 * a)
    np.testing.assert_allclose(out.weight, w)
    np.testing.assert_allclose(out.shrunk_rate, 1000 * (m + w * (r - m)))
    # rounded values from a calculator
    assert out.prior_mean.iloc[0] == pytest.approx(3.0045, abs=1e-4)
    assert out.weight.iloc[0] == pytest.approx(0.254, abs=1e-3)
    assert out.shrunk_rate.iloc[0] == pytest.approx(5.291, abs=1e-3)
    # large areas barely move, the small one moves most and toward the mean
    moved = (out.shrunk_rate - out.raw_rate).abs() / out.raw_rate
    assert moved.iloc[2] < 0.002 and moved.iloc[3] < 0.002
    assert moved.iloc[0] > 0.5
    assert out.shrunk_rate.iloc[0] < out.raw_rate.iloc[0]
    assert ((out.ci_low <= out.shrunk_rate) & (out.shrunk_rate <= out.ci_high)).all()


def test_eb_no_between_area_variance_gives_the_mean_and_nan_rows():
    counts = pd.Series([3.0, 40.0, 2500.0, 7.0], index=list("abcd"))
    pop = pd.Series([1_000.0, 20_000.0, 1_000_000.0, 0.0], index=list("abcd"))
    out = eb_shrunk_rates(counts, pop)
    assert out.prior_var.iloc[0] == 0.0
    assert out.loc[["a", "b", "c"], "shrunk_rate"].tolist() == pytest.approx([2543 / 1021] * 3)
    assert out.loc[["a", "b", "c"], "weight"].tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(out.loc["d", "shrunk_rate"]) and np.isnan(out.loc["d", "raw_rate"])


def test_eb_errors():
    with pytest.raises(DataError, match="only 2 area"):
        eb_shrunk_rates([1, 2], [10, 10])
    with pytest.raises(DataError, match=r"counts=-1\.0 \(position 1\) is negative"):
        eb_shrunk_rates([1, -1, 3], [10, 10, 10])
    with pytest.raises(ParameterError, match="method='bayes' is not allowed"):
        eb_shrunk_rates([1, 2, 3], [10, 10, 10], method="bayes")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["gamma-poisson", "gamma-poisson-ml"])
def test_eb_simulation_beats_raw_rates(rng, method):
    """200 areas, gamma true rates (mean 0.03, sd 0.006), log-uniform populations 300–300 000.

    Shrunk rates must have a lower mean squared error against the truth than raw
    rates (overall and among the 59 areas under 3 000), and the prior moments
    must be recovered within 15 %.
    """
    k = 200
    pop = np.exp(rng.uniform(np.log(300), np.log(300_000), k)).round()
    shape = 25.0
    truth = rng.gamma(shape, 0.03 / shape, k)
    counts = rng.poisson(pop * truth)
    out = eb_shrunk_rates(counts, pop, per=1, method=method)
    mse_raw = np.mean((out.raw_rate - truth) ** 2)
    mse_eb = np.mean((out.shrunk_rate - truth) ** 2)
    assert mse_eb < 0.8 * mse_raw  # seeded run: ratio 0.72 (moments), 0.70 (ML)
    small = pop < 3000
    err_raw = (out.raw_rate - truth)[small] ** 2
    err_eb = (out.shrunk_rate - truth)[small] ** 2
    assert err_eb.mean() < 0.75 * err_raw.mean()  # seeded run: 0.67 / 0.66
    assert out.prior_mean.iloc[0] == pytest.approx(0.03, rel=0.15)
    assert math.sqrt(out.prior_var.iloc[0]) == pytest.approx(0.006, rel=0.15)
    # shrinkage weight grows with population
    order = np.argsort(pop)
    assert np.all(np.diff(out.weight.to_numpy()[order]) >= 0)
    # coverage of the 95 % posterior intervals is close to nominal
    cover = np.mean((out.ci_low <= truth) & (truth <= out.ci_high))
    assert 0.90 <= cover <= 0.99
