"""Randomization inference over treated-area assignments, checked against slow independent code.

Every vectorised shortcut of :mod:`ptvlib.estimators.randomization` and
:mod:`ptvlib.estimators.randomization_synth` is compared with a brute-force
loop that refits the model for each assignment with the project's other
estimators (``did`` for the TWFE coefficient, ``synthetic_control`` for the
synthetic control), and the test-inverted bounds and the MDE are checked by
re-running the test on data shifted by hand.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._ri_core import assignment_count
from ptvlib.estimators.did import did
from ptvlib.estimators.randomization import randomization_inference
from ptvlib.estimators.randomization_synth import synthetic_control_assignments
from ptvlib.estimators.synth import synthetic_control


def _panel(
    n_units: int = 12, effect: float = 0.8, seed: int = 1, years=(2012, 2023)
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_units):
        level = rng.lognormal(0, 0.3)
        pop = rng.integers(20_000, 60_000)
        for t in range(years[0], years[1] + 1):
            shock = rng.normal(0, 0.05)
            rr = effect if (i == 0 and t >= 2018) or (i == 1 and t >= 2019) else 1.0
            mu = 4.0 * pop / 1000 * level * np.exp(shock - 0.02 * (t - years[0])) * rr
            rows.append((f"a{i:02d}", t, float(rng.poisson(mu)), float(pop + 300 * (t - 2012))))
    return pd.DataFrame(rows, columns=["area", "year", "cases", "pop"])


SCHEDULE = {"a00": 2018, "a01": 2019}


def _did_coef(data: pd.DataFrame, schedule: dict[str, int], outcome: str = "z") -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = did(
            data,
            unit="area",
            time="year",
            outcome=outcome,
            treated=list(schedule),
            start=schedule,
            family="ols",
        )
    return res.coef


def test_every_assignment_equals_a_twfe_refit_and_the_p_value_matches() -> None:
    data = _panel()
    data["z"] = np.log(data["cases"] + 0.5) - np.log(data["pop"])
    res = randomization_inference(
        data, unit="area", time="year", outcome="cases", exposure="pop", schedule=SCHEDULE
    )
    units = sorted(data["area"].unique())
    brute = np.array(
        [_did_coef(data, {i: 2018, j: 2019}) for i, j in itertools.permutations(units, 2)]
    )
    assert res.enumerated and res.n_assignments == len(brute) == 12 * 11
    assert res.coef == pytest.approx(_did_coef(data, SCHEDULE), abs=1e-12)
    assert np.sort(res.distribution) == pytest.approx(np.sort(brute), abs=1e-10)
    p = np.mean(np.abs(brute) >= abs(res.coef) * (1 - 1e-9))
    assert res.p_value == pytest.approx(p, abs=1e-12)
    assert res.min_p == pytest.approx(1 / 132)


def test_same_start_enumerates_unordered_sets() -> None:
    data = _panel(n_units=15)
    res = randomization_inference(
        data,
        unit="area",
        time="year",
        outcome="cases",
        schedule={"a00": 2018, "a01": 2018},
        mde=False,
    )
    assert res.n_assignments == res.n_possible == math.comb(15, 2) == 105
    assert assignment_count(15, [1, 1]) == 210 and assignment_count(20, [2, 1]) == 190 * 18


def test_too_many_assignments_are_sampled_with_a_seed() -> None:
    data = _panel(n_units=40, years=(2012, 2020))
    kw = dict(unit="area", time="year", outcome="cases", schedule=SCHEDULE, mde=False)
    a = randomization_inference(data, max_enumerate=100, draws=499, seed=7, **kw)
    b = randomization_inference(data, max_enumerate=100, draws=499, seed=7, **kw)
    full = randomization_inference(data, **kw)
    assert not a.enumerated and a.n_assignments == 500 and a.n_possible == 40 * 39
    assert np.array_equal(a.distribution, b.distribution)
    assert a.p_value == pytest.approx(full.p_value, abs=0.05)
    assert any("seeded sample" in n for n in a.notes)


@pytest.mark.parametrize("side", [0, 1])
def test_interval_bounds_are_where_the_shifted_test_starts_to_reject(side: int) -> None:
    data = _panel()
    kw = dict(unit="area", time="year", outcome="cases", exposure="pop", schedule=SCHEDULE)
    res = randomization_inference(data, mde=False, **kw)
    bound = res.ci[side]
    assert res.ci[0] < res.coef < res.ci[1]
    post = np.zeros(len(data), dtype=bool)
    for area, start in SCHEDULE.items():
        post |= (data["area"] == area).to_numpy() & (data["year"] >= start).to_numpy()

    def p_at(tau: float) -> float:
        shifted = data.assign(cases=np.where(post, data["cases"] * np.exp(-tau), data["cases"]))
        return randomization_inference(shifted, mde=False, **kw).p_value

    eps = 1e-5 * (1 if side == 0 else -1)
    assert p_at(bound + eps) > 0.05  # just inside: not rejected
    assert p_at(bound - eps) <= 0.05  # just outside: rejected


def test_level_scale_mde_matches_injecting_the_effect_by_hand() -> None:
    data = _panel(effect=1.0, seed=3)
    data["z"] = np.log(data["cases"] + 0.5) - np.log(data["pop"])
    sched = {"a00": 2018}
    kw = dict(unit="area", time="year", outcome="z", scale="level", alpha=0.1)
    res = randomization_inference(data, schedule=sched, **kw)
    assert res.n_assignments == 12 and math.isfinite(res.mde)
    base = data.assign(z=data["z"] - res.coef * ((data["area"] == "a00") & (data["year"] >= 2018)))
    others = sorted(set(data["area"]) - {"a00"})

    def power(d: float) -> float:
        """Share detected in the weaker direction: every untreated area given the effect."""
        shares = []
        for sign in (-1.0, 1.0):
            hits = []
            for b in others:
                bump = sign * d * ((base["area"] == b) & (base["year"] >= 2018))
                shifted = base.assign(z=base["z"] + bump)
                r = randomization_inference(shifted, schedule={b: 2018}, mde=False, **kw)
                hits.append(r.p_value <= 0.1)
            shares.append(np.mean(hits))
        return float(min(shares))

    assert power(res.mde * 1.001) >= 0.8
    assert power(res.mde * 0.999) < 0.8


def test_alpha_out_of_reach_gives_an_unbounded_interval() -> None:
    data = _panel(n_units=8)
    res = randomization_inference(
        data, unit="area", time="year", outcome="cases", schedule={"a00": 2018}
    )
    assert res.n_assignments == 8 and not res.alpha_reachable
    assert res.ci == (-math.inf, math.inf) and res.direction == "inconclusive"
    assert "can never reach" in " ".join(res.caveats("en"))


def test_units_with_gaps_are_left_out_and_named() -> None:
    data = _panel()
    data = data.loc[~((data["area"] == "a05") & (data["year"] == 2015))]
    res = randomization_inference(
        data, unit="area", time="year", outcome="cases", schedule=SCHEDULE, mde=False
    )
    assert res.excluded == {"a05": "1 missing period(s)"} and len(res.units) == 11
    gap = data.loc[~((data["area"] == "a00") & (data["year"] == 2015))]
    with pytest.raises(EstimationError, match="treated unit 'a00' has 1 missing"):
        randomization_inference(gap, unit="area", time="year", outcome="cases", schedule=SCHEDULE)


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        ({"schedule": {"zz": 2018}}, r"schedule names unit\(s\) \['zz'\]"),
        ({"schedule": {"a00": 2014}}, r"only 2 period\(s\) before the earliest start 2014"),
        ({"schedule": {"a00": 2030}}, r"after the last period 2023"),
        ({"outcome": "nope"}, r"column\(s\) \['nope'\] not in data"),
        ({"scale": "sqrt"}, r"scale='sqrt' is not allowed"),
        ({"schedule": {}}, r"schedule=\{\} is empty"),
    ],
)
def test_bad_input_is_named(change: dict, pattern: str) -> None:
    kw = dict(unit="area", time="year", outcome="cases", schedule=SCHEDULE) | change
    with pytest.raises((ParameterError, EstimationError), match=pattern):
        randomization_inference(_panel(), **kw)


def test_negative_counts_are_refused_on_the_log_scale() -> None:
    data = _panel()
    data.loc[5, "cases"] = -1.0
    with pytest.raises(ParameterError, match="must be >= 0"):
        randomization_inference(data, unit="area", time="year", outcome="cases", schedule=SCHEDULE)


def test_synthetic_control_statistic_equals_refits_with_the_project_estimator() -> None:
    data = _panel(n_units=8, seed=5)
    data["z"] = np.log(data["cases"] + 0.5) - np.log(data["pop"])
    res = synthetic_control_assignments(
        data, unit="area", time="year", outcome="cases", exposure="pop", schedule=SCHEDULE
    )
    units = sorted(data["area"].unique())
    brute = []
    for i, j in itertools.permutations(units, 2):
        gaps = []
        for u, start in ((i, 2018), (j, 2019)):
            donors = [d for d in units if d not in (i, j)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sc = synthetic_control(
                    data.loc[data["area"].isin([u, *donors])],
                    unit="area",
                    time="year",
                    outcome="z",
                    treated=u,
                    start=start,
                    donors=donors,
                    demean=True,
                )
            gaps.append(sc.att)
        brute.append(np.mean(gaps))
    brute_arr = np.array(brute)
    assert res.n_assignments == len(brute_arr) == 56
    assert np.sort(res.distribution) == pytest.approx(np.sort(brute_arr), abs=1e-7)
    p = np.mean(np.abs(brute_arr) >= abs(res.distribution[0]) * (1 - 1e-9))
    assert res.p_value == pytest.approx(p)
    assert list(res.areas["unit"]) == ["a00", "a01"]


def test_synthetic_control_interval_is_exact_with_one_start() -> None:
    data = _panel(n_units=22, seed=2)
    sched = {"a00": 2018, "a01": 2018}
    kw = dict(unit="area", time="year", outcome="cases", exposure="pop", schedule=sched)
    res = synthetic_control_assignments(data, **kw)
    post = data["area"].isin(list(sched)).to_numpy() & (data["year"] >= 2018).to_numpy()
    for side, sign in ((0, 1), (1, -1)):
        for eps, rejected in ((1e-5, False), (-1e-5, True)):
            tau = res.ci[side] + sign * eps
            # exact sharp null on the log-rate scale: shift log(cases + 0.5)
            shifted = data.assign(
                cases=np.where(post, (data["cases"] + 0.5) * np.exp(-tau) - 0.5, data["cases"])
            )
            p = synthetic_control_assignments(shifted, **kw).p_value
            assert (p <= 0.05) is rejected


def test_synthetic_control_plot_names_each_treated_area_in_its_legend() -> None:
    import matplotlib.pyplot as plt

    data = _panel(n_units=12, seed=3)
    sched = {"a00": 2018, "a01": 2019}
    res = synthetic_control_assignments(
        data, unit="area", time="year", outcome="cases", exposure="pop", schedule=sched
    )
    fig = res.plot(lang="nb", names={"a00": "Søndre Nordstrand", "a01": "Gamle Oslo"})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == [
        "Søndre Nordstrand: observert",
        "Søndre Nordstrand: syntetisk",
        "Gamle Oslo: observert",
        "Gamle Oslo: syntetisk",
    ]
    assert not fig.axes[0].texts, "no code annotations on the lines"
    plt.close("all")
