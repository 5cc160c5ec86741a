"""The calibrated placebo tests (:mod:`ptvlib.assessment.placebo`) against independent computations.

* the closed forms agree with the estimators the report shows (two-way fixed
  effects OLS, segmented quasi-Poisson regression, synthetic control) on the
  real 2024 panel;
* on a small seeded panel, every placebo estimate, p-value and minimum
  detectable effect agrees with a slow brute-force loop that refits every
  synthetic control from scratch (no shortcut) and injects the effect into
  the data itself;
* the confidence set is the set of effects the test does not reject.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from ptvlib.assessment.group_tests import group_tests
from ptvlib.assessment.params import validate_params
from ptvlib.assessment.placebo import (
    critical_value,
    did_test,
    its_test,
    rank_p,
    synth_test,
)
from ptvlib.estimators._synth_core import fit_path


@pytest.fixture(scope="module")
def violence():
    return group_tests(validate_params(year=2024), "violence")


def _wide(gt, column: str) -> np.ndarray:
    pool = gt.pool
    return pool.panel.pivot(index="year", columns="region", values=column)[
        [pool.treated, *pool.units]
    ].to_numpy(dtype=float)


def test_did_closed_form_is_the_two_way_fixed_effects_coefficient(violence) -> None:
    from ptvlib.estimators.did import did

    panel = violence.pool.panel.assign(log_rate=lambda d: np.log(d["rate"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = did(
            panel,
            unit="region",
            time="year",
            outcome="log_rate",
            treated="0301",
            start=2018,
            period_years=2,
            family="ols",
        )
    assert violence.tests["did"].estimate == pytest.approx(fit.coef, abs=1e-10)
    # A pool unit as the treated one, the real treated unit out of the panel.
    unit = violence.pool.units[7]
    other = panel.loc[panel["region"] != "0301"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        placebo = did(
            other,
            unit="region",
            time="year",
            outcome="log_rate",
            treated=unit,
            start=2018,
            period_years=2,
            family="ols",
        )
    assert violence.tests["did"].null[7] == pytest.approx(placebo.coef, abs=1e-10)


def test_its_batch_is_the_estimators_level_change(violence) -> None:
    from ptvlib.estimators.its import its

    pool = violence.pool
    for unit, k in (("0301", None), (pool.units[3], 3), (pool.units[40], 40)):
        own = pool.panel.loc[pool.panel["region"] == unit]
        r = its(
            own,
            time="year",
            outcome="count",
            start=2018,
            exposure="population",
            family="quasipoisson",
            period_years=2,
            hac_lags=1,
        )
        got = violence.tests["its"].estimate if k is None else violence.tests["its"].null[k]
        assert got == pytest.approx(math.log(r.rate_ratio), abs=1e-8)


def test_synth_estimate_and_placebos_are_the_estimators(violence) -> None:
    from ptvlib.estimators.synth import synthetic_control

    panel = violence.pool.panel.assign(log_rate=lambda d: np.log(d["rate"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = synthetic_control(
            panel,
            unit="region",
            time="year",
            outcome="log_rate",
            treated="0301",
            start=2018,
            period_years=2,
            demean=True,
        )
    test = violence.tests["synth"]
    assert test.estimate == pytest.approx(sc.att, abs=1e-10)
    table = sc.placebo("space").table.set_index("unit")
    placebo_att = table.loc[list(test.units), "att"].to_numpy(dtype=float)
    np.testing.assert_allclose(test.null, placebo_att, atol=1e-10)


def test_rank_p_and_critical_value_agree() -> None:
    rng = np.random.default_rng(5)
    null = rng.normal(size=39)
    for alpha in (0.05, 0.1, 0.025):
        c = critical_value(null, alpha)
        assert rank_p(null, c * (1 + 1e-9)) <= alpha < rank_p(null, c * (1 - 1e-9))
    assert critical_value(null[:10], 0.05) == math.inf  # 1/11 > 0.05
    assert rank_p(null, 100.0) == pytest.approx(1 / 40)


def test_confidence_set_is_the_effects_not_rejected(violence) -> None:
    t = violence.tests["synth"]
    lo, hi = t.ci(0.05)
    assert lo < t.effect < hi
    for bound in (lo, hi):
        shifted = t.estimate - math.log1p(bound)
        assert rank_p(t.null, shifted * 1.0001) <= 0.05  # just outside: rejected
        assert rank_p(t.null, shifted * 0.9999) > 0.05  # just inside: kept


# --------------------------------------------------------------------------- brute force
def _small_panel(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """SYNTHETIC DATA: 13 units x 11 periods of log rates with unit trends and AR(1) noise."""
    rng = np.random.default_rng(seed)
    n, t = 13, 11
    years = np.arange(2008, 2008 + t)
    trend = rng.normal(0, 0.02, n)
    level = rng.normal(0, 0.3, n)
    noise = np.zeros((t, n))
    for k in range(1, t):
        noise[k] = 0.5 * noise[k - 1] + rng.normal(0, 0.05, n)
    common = np.cumsum(rng.normal(0, 0.04, t))
    Y = level + np.outer(years - 2008, trend) + common[:, None] + noise
    return Y, years


def _brute_synth(Y: np.ndarray, pre: np.ndarray, treated: int, pool: list[int]) -> float:
    """Mean post-period gap of a level-adjusted synthetic control fitted from scratch."""
    _, synth = fit_path(Y, pre, treated, np.asarray(pool), True)
    return float((Y[:, treated] - synth)[~pre].mean())


def test_synth_matrix_matches_refitting_everything() -> None:
    Y, years = _small_panel()
    pre = years < 2016  # 8 pre-periods, 12 donors: unique weights
    units = [f"u{k}" for k in range(1, Y.shape[1])]
    test = synth_test(Y, pre, ~pre, units)
    n = len(units)
    for i in range(n):
        for j in range(n):
            pool = [k for k in range(1, n + 1) if k not in (i + 1, j + 1)]
            if i == j:
                pool = [k for k in range(1, n + 1) if k != j + 1]
            assert test.matrix[i, j] == pytest.approx(
                _brute_synth(Y, pre, j + 1, pool), abs=1e-9
            ), (i, j)


def _brute_unit(Y: np.ndarray, pre: np.ndarray, i: int, fall: float, design: str):
    """Inject a fall into pool unit i's data; refit its estimate and its placebos from scratch."""
    Z = np.delete(Y, 0, axis=1).copy()  # the real treated unit out of every pool
    Z[~pre, i] += math.log1p(-fall)
    n = Z.shape[1]
    if design == "did":
        delta = Z[~pre].mean(axis=0) - Z[pre].mean(axis=0)
        est = delta[i] - np.delete(delta, i).mean()
        null = [delta[j] - np.delete(delta, [i, j]).mean() for j in range(n) if j != i]
        return est, np.asarray(null)
    est = _brute_synth(Z, pre, i, [k for k in range(n) if k != i])
    null = [
        _brute_synth(Z, pre, j, [k for k in range(n) if k not in (i, j)])
        for j in range(n)
        if j != i
    ]
    return est, np.asarray(null)


@pytest.mark.parametrize("design", ["synth", "did"])
def test_mde_matches_a_brute_force_power_curve(design: str) -> None:
    Y, years = _small_panel(seed=11)
    # 25 units, so that 0.05 is attainable with 24 comparison units.
    Y2, _ = _small_panel(seed=12)
    Y = np.hstack([Y, Y2[:, 1:]])
    pre = years < 2016
    units = [f"u{k}" for k in range(1, Y.shape[1])]
    test = (synth_test if design == "synth" else did_test)(Y, pre, ~pre, units)
    n = len(units)
    grid = np.round(np.arange(0.0, 0.8, 0.01), 2)
    detected = np.zeros((grid.size, n), dtype=bool)
    for i in range(n):
        _, null = _brute_unit(Y, pre, i, 0.0, design)
        # The injected effect leaves the other units' placebo estimates unchanged ...
        np.testing.assert_allclose(_brute_unit(Y, pre, i, 0.5, design)[1], null, atol=1e-9)
        np.testing.assert_allclose(null, np.delete(test.matrix[i], i), atol=1e-9)
        for g, f in enumerate(grid):
            # ... and moves the unit's own estimate, refitted on the changed data.
            Z = np.delete(Y, 0, axis=1).copy()
            Z[~pre, i] += math.log1p(-f)
            est = (
                _brute_synth(Z, pre, i, [k for k in range(n) if k != i])
                if design == "synth"
                else _brute_unit(Y, pre, i, float(f), "did")[0]
            )
            detected[g, i] = rank_p(null, est) <= 0.05 and est < 0
    power = detected.mean(axis=1)
    first = grid[np.argmax(power >= 0.8)] if (power >= 0.8).any() else math.inf
    mde = test.mde(0.05, 0.8, "decrease")
    # The closed form is exact: the grid's first effect with 80 % power is the next grid step.
    assert mde < first <= mde + 0.01 + 1e-9
    for f, pw in zip(grid[::10], power[::10], strict=True):
        assert test.power(float(f)) == pytest.approx(pw, abs=1e-12)
    np.testing.assert_array_equal(
        test.unit_p_values() <= 0.05,
        [rank_p(np.delete(test.matrix[i], i), test.matrix[i, i]) <= 0.05 for i in range(n)],
    )


def test_its_batch_fits_each_series_like_a_single_fit() -> None:
    rng = np.random.default_rng(2)
    years = np.array([2008, 2009, 2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2019, 2021, 2022])
    pop = rng.uniform(1e4, 1e5, (years.size, 6))
    counts = rng.poisson(pop * 0.05).astype(float)
    test = its_test(counts, pop, years, 2018, [f"u{k}" for k in range(5)])
    from ptvlib.estimators.its import its

    for k in range(6):
        frame = pd.DataFrame({"year": years, "count": counts[:, k], "population": pop[:, k]})
        r = its(
            frame,
            time="year",
            outcome="count",
            start=2018,
            exposure="population",
            family="poisson",
            period_years=2,
        )
        got = test.estimate if k == 0 else test.null[k - 1]
        assert got == pytest.approx(math.log(r.rate_ratio), abs=1e-8)


def test_sdid_and_ascm_calibration_rows_are_within_three_ranks_of_exact_refits(violence) -> None:
    """The pseudo-treated unit out of every pool and its own regularisation, refitted exactly."""
    from ptvlib.assessment.placebo import ascm_test, sdid_test

    pool = violence.pool
    other = pool.panel.loc[pool.panel["region"] != "0301"]
    other = other.assign(log_rate=np.log(other["rate"]))
    for unit in pool.units[::20]:
        units = [u for u in pool.units if u != unit]
        for key, fit in (("sdid", sdid_test), ("ascm", ascm_test)):
            exact, _ = fit(other, treated=unit, start=2018, units=units)
            approx = violence.tests[key]
            i = approx.units.index(unit)
            p = rank_p(np.delete(approx.matrix[i], i), approx.matrix[i, i])
            assert abs(exact.p_value - p) * (len(units) + 1) <= 3 + 1e-9, (key, unit)
            assert exact.estimate == pytest.approx(approx.matrix[i, i], abs=5e-3)


def test_group_tests_are_shared_through_the_signed_cache(tmp_cache, monkeypatch) -> None:
    """A second process (here: a cleared memo) reads the stored tests instead of refitting."""
    from ptvlib.assessment import group_tests as module

    params = validate_params()
    module._MEMO.clear()
    first = module.group_tests(params, "violence")
    stored = list((tmp_cache / "assess").glob("tests-violence-*.pkl"))
    assert len(stored) == 1

    def refit(*args, **kwargs):
        raise AssertionError("recomputed although a valid stored copy exists")

    module._MEMO.clear()
    monkeypatch.setattr(module, "_compute", refit)
    again = module.group_tests(params, "violence")
    assert again.tests["sdid"].p_value == first.tests["sdid"].p_value
    np.testing.assert_array_equal(again.tests["synth"].matrix, first.tests["synth"].matrix)
    # A changed byte is not trusted: the copy is rejected and the tests recomputed.
    data = bytearray(stored[0].read_bytes())
    data[-10] ^= 0xFF
    stored[0].write_bytes(bytes(data))
    module._MEMO.clear()
    with pytest.raises(AssertionError, match="recomputed"):
        module.group_tests(params, "violence")
    module._MEMO.clear()
