"""Tests of the weighted displacement difference (WDD) and quotient (WDQ).

Published numbers used:

* Wheeler (2021, andrewpwheeler.com, "The WDD test with different pre/post time
  periods"): treated 80 → 20, control 100 → 50 with two pre-years and one
  post-year: unweighted WDD −10 with variance 250 (SE ≈ 15.8); per-year WDD −20
  with variance 115 (SE ≈ 10.7).
* CRIME De-Coder (2025, "Some extensions to the WDD statistic"): control
  100 → 90, treated 100 → 80: WDD −10, SE ≈ 19.
* ptools R package, ``wdd`` examples: inputs control (20, 20), treated (20, 10),
  displacement treated (30, 20), displacement control (30, 30); the expected
  values below are hand-computed from Wheeler & Ratcliffe's formula.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from ptvlib.basics.exceptions import DataError, EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators.displacement import caveat_text, displacement, wdd_from_counts


def test_wheeler_blog_example_with_different_time_periods():
    r = wdd_from_counts((80, 20), (100, 50), years=(2, 1))
    assert r.wdd == pytest.approx(-20.0)
    assert r.se**2 == pytest.approx(115.0)
    assert r.se == pytest.approx(10.7, abs=0.05)
    # blog: "-20 ± 2 × 10.7 ≈ [+1, -41]"
    assert r.ci[0] == pytest.approx(-41.0, abs=0.1) and r.ci[1] == pytest.approx(1.0, abs=0.1)
    assert r.p_value > 0.05
    plain = wdd_from_counts((80, 20), (100, 50))
    assert plain.wdd == -10.0 and plain.se**2 == pytest.approx(250.0)
    assert plain.se == pytest.approx(15.8, abs=0.05)


def test_crime_decoder_calculator_example():
    r = wdd_from_counts((100, 80), (100, 90))
    assert r.wdd == -10.0
    assert round(r.se) == 19  # sqrt(370) = 19.24


def test_ptools_example_with_separate_displacement_control():
    r = wdd_from_counts((20, 10), (20, 20), buffer=(30, 20), buffer_control=(30, 30), alpha=0.1)
    assert (r.wdd_target, r.se_target) == pytest.approx((-10.0, math.sqrt(70)))
    assert (r.wdd_buffer, r.se_buffer) == pytest.approx((-10.0, math.sqrt(110)))
    assert (r.wdd, r.se) == pytest.approx((-20.0, math.sqrt(180)))
    assert r.z == pytest.approx(-20 / math.sqrt(180))  # -1.4907
    assert r.ci == pytest.approx(
        (-20 - 1.6448536 * math.sqrt(180), -20 + 1.6448536 * math.sqrt(180))
    )
    assert not r.shared_control


def test_shared_control_subtracts_change_twice_with_correct_variance():
    r = wdd_from_counts((100, 80), (100, 95), buffer=(60, 55))
    # (-20) - (-5) + (-5) - (-5) = -15; Var = 100+80 + 60+55 + 4*(100+95) = 1075
    assert r.wdd == pytest.approx(-15.0)
    assert r.se**2 == pytest.approx(1075.0)
    assert r.shared_control and "shared" in r.caveats


def test_wdq_success_measure_and_total_net_effect_by_hand():
    # Bowers & Johnson via Guerette (2009): Rb=100, Ra=80, Cb=100, Ca=100, Db=50, Da=45
    r = wdd_from_counts((100, 80), (100, 100), buffer=(50, 45))
    assert r.success_measure == pytest.approx(-0.20)
    assert r.buffer_measure == pytest.approx(-0.05)
    assert r.wdq == pytest.approx(0.25)
    assert r.total_net_effect == pytest.approx(25.0)  # [100·1 − 80] + [50·1 − 45]


def test_displacement_and_diffusion_are_detected():
    disp = wdd_from_counts(
        (1000, 800), (1000, 1000), buffer=(1000, 1200), buffer_control=(1000, 1000)
    )
    assert disp.buffer_effect == "displacement"
    assert disp.wdq == pytest.approx(-1.0)  # (1.2 - 1) / (0.8 - 1): displacement eclipses
    assert "flyttet seg til bufferområdet" in disp.verdict("nb")
    diff = wdd_from_counts(
        (1000, 800), (1000, 1000), buffer=(1000, 850), buffer_control=(1000, 1000)
    )
    assert diff.buffer_effect == "diffusion"
    assert diff.wdq == pytest.approx(0.75)
    assert "diffusion of benefits" in diff.verdict("en")
    assert diff.ci[1] < 0 and "consistent with a decrease" in diff.verdict("en")
    none = wdd_from_counts((100, 80), (100, 100))
    assert none.buffer_effect == "no_buffer" and math.isnan(none.wdq)


def test_size_mismatch_caveat():
    r = wdd_from_counts((100, 80), (1000, 950))
    assert any(c.startswith("size:target 100 vs control 1000") for c in r.caveats)
    assert "similar size" in r.verdict("en")


def _ssb_like() -> pd.DataFrame:
    """Rolling two-year periods ending 2012–2023 (annual means), three areas."""
    rows = []
    for end in range(2012, 2024):
        post = end >= 2019
        for region, pre_v, post_v in (("T", 100.0, 80.0), ("B", 50.0, 50.0), ("C", 100.0, 95.0)):
            rows.append(
                {
                    "region": region,
                    "year": end,
                    "period": f"{end - 1}-{end}",
                    "indicator": "reported_offences",
                    "value": post_v if post else pre_v,
                }
            )
    return pd.DataFrame(rows)


def test_displacement_from_rolling_two_year_periods():
    df = _ssb_like()
    r = displacement(df, start=2018, target="T", buffer="B", control="C", period_years=2)
    c = r.counts.set_index("role")
    # kept: pre periods ending 2013, 2015, 2017; post 2019, 2021, 2023 -> 6 years each
    assert c.loc["target", "years_pre"] == 6 and c.loc["target", "years_post"] == 6
    assert c.loc["target", "pre"] == 3 * 2 * 100.0 and c.loc["target", "post"] == 3 * 2 * 80.0
    # per year: (80-100) - (95-100) + (50-50) - (95-100) = -10
    assert r.wdd == pytest.approx(-10.0)
    # Var per year: (480+600)/36 + (300+300)/36 + 4*(570+600)/36
    assert r.se**2 == pytest.approx((1080 + 600 + 4 * 1170) / 36)
    assert "dropped:2012, 2014, 2016, 2018, 2020, 2022" in r.caveats
    assert "2012, 2014" in caveat_text(r.caveats[-1], "en")
    # period totals instead of annual means: counts are not doubled
    tot = displacement(
        df,
        start=2018,
        target="T",
        buffer="B",
        control="C",
        period_years=2,
        period_values="period_total",
    )
    assert tot.counts.set_index("role").loc["target", "pre"] == 300.0
    assert df.shape == (36, 5)  # input untouched


def test_displacement_result_interface():
    df = _ssb_like()
    r = displacement(
        df, start=2018, target="T", buffer="B", control="C", period_years=2, label="vold"
    )
    s = r.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s.term.tolist()[:3] == ["wdd_total", "wdd_target", "wdd_buffer"]
    assert s.loc[0, "estimate"] == pytest.approx(r.wdd)
    assert isinstance(r.plot(), Figure)
    nb, en = r.verdict("nb"), r.verdict("en")
    assert nb.startswith("Vektet forskyvningsdifferanse (WDD) for vold")
    assert "Poisson" in en and "2018" in en
    with pytest.raises(ParameterError, match="lang='de' is not allowed"):
        r.verdict("de")  # type: ignore[arg-type]


def test_plot_follows_lang():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _ssb_like()
    r = displacement(df, start=2018, target="T", buffer="B", control="C", period_years=2)
    nb, en = r.plot(lang="nb").axes[0], r.plot(lang="en").axes[0]
    assert [t.get_text() for t in nb.get_legend().get_texts()] == ["før", "etter"]
    assert [t.get_text() for t in en.get_legend().get_texts()] == ["before", "after"]
    assert nb.get_ylabel().endswith(" per år") and en.get_ylabel().endswith(" per year")
    assert " til " in nb.get_title() and " to " in en.get_title()
    assert nb.get_xticklabels()[0].get_text() == "målområde\nT"
    assert en.get_xticklabels()[0].get_text() == "target\nT"
    assert r.plot().axes[0].get_ylabel() == nb.get_ylabel()  # bokmål by default
    plt.close("all")
    with pytest.raises(ParameterError, match="lang='de' is not allowed"):
        r.plot(lang="de")
    plt.close("all")


def test_displacement_errors():
    df = _ssb_like()
    with pytest.raises(
        DataError,
        match=r"control='X' is not a value of column 'region'; available: \['B', 'C', 'T'\]",
    ):
        displacement(df, start=2018, target="T", buffer="B", control="X")
    with pytest.raises(ParameterError, match="column 'aar' is not in the data"):
        displacement(df, start=2018, target="T", buffer="B", control="C", time="aar")
    with pytest.raises(ParameterError, match="period_values='mean' is not allowed"):
        displacement(df, start=2018, target="T", buffer="B", control="C", period_values="mean")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="period_years=3 is not allowed; allowed: 1, 2"):
        displacement(df, start=2018, target="T", buffer="B", control="C", period_years=3)
    with pytest.raises(EstimationError, match="only 0 post-treatment period"):
        displacement(df, start=2030, target="T", buffer="B", control="C")
    dup = pd.concat([df, df.assign(indicator="other")])
    with pytest.raises(DataError, match="several rows per region and year"):
        displacement(dup, start=2018, target="T", buffer="B", control="C")
    neg = df.assign(value=np.where(df.region == "C", -1.0, df.value))
    with pytest.raises(DataError, match=r"value=-1\.0 for C in 2012 is negative"):
        displacement(neg, start=2018, target="T", buffer="B", control="C")
    with pytest.raises(DataError, match="target pre=-1.0"):
        wdd_from_counts((-1, 3), (2, 2))
    with pytest.raises(ParameterError, match=r"years=\(0, 1\) is not allowed"):
        wdd_from_counts((1, 3), (2, 2), years=(0, 1))


@pytest.mark.parametrize("shared", [True, False])
def test_type_one_error_of_z_test_under_poisson_null(rng, shared):
    """2 000 seeded replications, all areas Poisson with the same additive trend (no effect).

    Means per period: target 200 → 180, buffer 200 → 180, control(s) 200 → 180.
    The two-sided 5 % test must reject in 3.5–6.5 % of replications (binomial SE
    0.5 %). With a shared control, ignoring that its change enters twice (naive
    variance) must over-reject (> 8 %), which shows the variance correction matters.
    """
    reps = 2000
    pre, post = 200.0, 180.0
    draws = rng.poisson([pre, post], size=(reps, 4, 2))
    reject = naive_reject = 0
    for t, d, c, cd in draws:
        r = wdd_from_counts(
            tuple(t), tuple(c), buffer=tuple(d), buffer_control=None if shared else tuple(cd)
        )
        reject += r.p_value < 0.05
        naive = r.wdd / math.sqrt(r.se_target**2 + r.se_buffer**2)
        naive_reject += abs(naive) > 1.959964
    rate = reject / reps
    assert 0.035 <= rate <= 0.065
    if shared:
        assert naive_reject / reps > 0.08
    else:
        assert naive_reject == reject
