"""Tests of :func:`ptvlib.estimators.staggered.staggered_did`: diff-diff, pyfixest, known truth.

Independent implementations: diff-diff 3.13's ``CallawaySantAnna`` (group-time effects, the
simple and event-study aggregations with their influence-function standard errors) and, for
the count version, pyfixest 0.60's ``fepois`` on each 2 x 2 comparison.
"""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import SUMMARY_COLUMNS
from ptvlib.estimators.did import did
from ptvlib.estimators.simulate import simulate_panel
from ptvlib.estimators.staggered import StaggeredDidResult, staggered_did

matplotlib.use("Agg")

KW = {"unit": "unit", "time": "time", "first_treated": "start"}


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df = simulate_panel(
        n_units=40,
        treated=30,
        staggered=True,
        rate_ratio=0.8,
        population=(50_000, 200_000),
        time_sd=0.0,
        seed=1,
    )
    return df.assign(g=df["start"].fillna(0).astype(int))


def _diff_diff(df: pd.DataFrame, control: str, base: str):  # type: ignore[no-untyped-def]
    from diff_diff import CallawaySantAnna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cs = CallawaySantAnna(control_group=control, base_period=base)
        res = cs.fit(df, outcome="rate", unit="unit", time="time", first_treat="g")
        return res, res.aggregate("event_study")


@pytest.mark.parametrize("control", ["never_treated", "not_yet_treated"])
@pytest.mark.parametrize("base", ["varying", "universal"])
def test_matches_diff_diff_callaway_santanna(panel: pd.DataFrame, control: str, base: str) -> None:
    """Every group-time ATT, the simple and the event-time aggregations and their SEs."""
    ours = staggered_did(panel, outcome="rate", control=control, base_period=base, **KW)  # type: ignore[arg-type]
    ref, es = _diff_diff(panel, control, base)
    gt = ours.group_time
    cells = {
        k: v for k, v in ref.group_time_effects.items() if (k[0] - 1) != k[1] or base == "varying"
    }
    assert len(gt) == len(cells) == 48
    for row in gt.itertuples():
        cell = ref.group_time_effects[(row.group, row.time)]
        assert row.estimate == pytest.approx(cell["effect"], abs=1e-6)
        assert row.se == pytest.approx(cell["se"], abs=1e-6)
        assert row.n_control == cell["n_control"]
    assert ours.att == pytest.approx(ref.overall_att, abs=1e-6)
    assert ours.se == pytest.approx(ref.overall_se, abs=1e-6)
    event = ours.event_time.set_index("rel_time")
    n = 0
    for e, att, se, is_ref in zip(es.event_time, es.att, es.se, es.is_reference, strict=True):
        if is_ref:
            continue
        assert event.loc[int(e), "estimate"] == pytest.approx(att, abs=1e-6)
        assert event.loc[int(e), "se"] == pytest.approx(se, abs=1e-6)
        n += 1
    assert n == len(event)


def test_every_unit_treated_eventually_with_not_yet_treated(panel: pd.DataFrame) -> None:
    late = panel.loc[panel["treated"]].copy()  # 30 units in cohorts 2018-2020, none never treated
    ours = staggered_did(late, outcome="rate", control="not_yet_treated", **KW)  # type: ignore[arg-type]
    ref, _ = _diff_diff(late, "not_yet_treated", "varying")
    assert ours.n_never_treated == 0 and ours.groups == (2018, 2019, 2020)
    post = ours.group_time.loc[ours.group_time["post"]]
    assert set(post["group"]) == {2018, 2019}  # nobody is left to compare 2020 with
    assert ours.att == pytest.approx(ref.overall_att, abs=1e-6)
    assert ours.se == pytest.approx(ref.overall_se, abs=1e-6)
    with pytest.raises(EstimationError, match="needs never-treated units"):
        staggered_did(late, outcome="rate", **KW)  # type: ignore[arg-type]


def test_count_cells_equal_a_poisson_two_by_two(panel: pd.DataFrame) -> None:
    """With an exposure each cell is the Poisson ML DiD with cohort and period effects and a
    log-population offset on that cell's 2 x 2 data (pyfixest fepois, same number to 1e-8)."""
    import pyfixest as pf

    res = staggered_did(panel, outcome="count", exposure="population", **KW)  # type: ignore[arg-type]
    assert res.log_scale and res.rate_ratio == pytest.approx(np.exp(res.att))
    gt = res.group_time
    for g, t in ((2018, 2021), (2019, 2019), (2020, 2015)):
        row = gt.loc[(gt["group"] == g) & (gt["time"] == t)].iloc[0]
        units = panel.loc[(panel["start"] == g) | panel["start"].isna(), "unit"].unique()
        sub = panel.loc[panel["unit"].isin(units) & panel["time"].isin([row["base"], t])]
        d = pd.DataFrame(
            {
                "y": sub["count"],
                "grp": (sub["start"] == g).fillna(False).astype(int),
                "per": sub["time"],
                "D": ((sub["start"] == g).fillna(False) & (sub["time"] == t)).astype(float),
                "lp": np.log(sub["population"]),
            }
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = pf.fepois("y ~ D | grp + per", data=d, offset="lp", iwls_tol=1e-12)
        assert row["estimate"] == pytest.approx(fit.coef().iloc[0], abs=1e-8)


def test_coverage_on_rates_and_counts() -> None:
    """400 seeded panels (100 units: 20 in each of the cohorts 2018, 2019, 2020 and 40 never
    treated; 2008-2024; Poisson counts, populations 50 000-200 000, no year effects; true
    rate ratio 0.8).

    Truth on rates: the population ATT 50·exp(0.3²/2)·(0.8 − 1) = −10.46 per 1 000. Measured:
    95 % intervals cover it in 377/400 = 0.9425 (rates) and cover the rate ratio 0.8 in
    381/400 = 0.9525 (counts with the population exposure). The influence-function SE is
    slightly small with 20 units a cohort: in 1 200 panels of 120 units the rate intervals
    covered 0.9375 and the z-scores had sd 1.05.
    """
    att = 50 * np.exp(0.3**2 / 2) * (0.8 - 1)
    rates, counts, errors, log_errors = [], [], [], []
    for s in range(400):
        df = simulate_panel(
            n_units=100,
            treated=60,
            staggered=True,
            rate_ratio=0.8,
            population=(50_000, 200_000),
            time_sd=0.0,
            seed=s,
        )
        r = staggered_did(df, outcome="rate", **KW)  # type: ignore[arg-type]
        c = staggered_did(df, outcome="count", exposure="population", **KW)  # type: ignore[arg-type]
        rates.append(r.ci[0] <= att <= r.ci[1])
        counts.append(c.rate_ratio_ci[0] <= 0.8 <= c.rate_ratio_ci[1])
        errors.append(r.att - att)
        log_errors.append(c.att - np.log(0.8))
    assert (int(np.sum(rates)), int(np.sum(counts))) == (377, 381)
    assert 0.93 <= np.mean(rates) <= 0.97 and 0.93 <= np.mean(counts) <= 0.97
    assert abs(np.mean(errors)) < 0.05 and abs(np.mean(log_errors)) < 0.002


def test_dynamic_effects_shift_event_times_exactly_unlike_twfe(panel: pd.DataFrame) -> None:
    """Add a known effect growing by 2 per year since the start: event time e moves by exactly
    -2(e+1); the simple aggregation by the cohort-share weighted mean; two-way FE does not."""
    base = staggered_did(panel, outcome="rate", **KW)  # type: ignore[arg-type]
    bumped = panel.copy()
    rel = bumped["time"] - bumped["start"].astype("float")
    extra = np.where(rel.fillna(-1) >= 0, -2.0 * (rel.fillna(-1) + 1), 0.0)
    bumped["rate"] = bumped["rate"] + extra
    res = staggered_did(bumped, outcome="rate", **KW)  # type: ignore[arg-type]
    ev0, ev1 = base.event_time.set_index("rel_time"), res.event_time.set_index("rel_time")
    for e in ev0.index:
        shift = -2.0 * (e + 1) if e >= 0 else 0.0
        assert ev1.loc[e, "estimate"] - ev0.loc[e, "estimate"] == pytest.approx(shift, abs=1e-9)
    post = res.group_time.loc[res.group_time["post"]]
    truth_shift = float(np.mean(-2.0 * (post["rel_time"] + 1)))  # equal cohort sizes
    assert res.att - base.att == pytest.approx(truth_shift, abs=1e-9)
    starts = panel.loc[panel["treated"]].groupby("unit")["start"].first().astype(int).to_dict()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        twfe0 = did(
            panel, unit="unit", time="time", outcome="rate", treated=list(starts), start=starts
        )
        twfe1 = did(
            bumped, unit="unit", time="time", outcome="rate", treated=list(starts), start=starts
        )
    assert abs((twfe1.coef - twfe0.coef) - truth_shift) > 0.5


# --- results API -----------------------------------------------------------------------------


def test_summary_plot_verdict_and_influence(panel: pd.DataFrame) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    res = staggered_did(panel, outcome="rate", **KW)  # type: ignore[arg-type]
    assert isinstance(res, StaggeredDidResult)
    s = res.summary()
    assert tuple(s.columns) == SUMMARY_COLUMNS
    assert s["term"].iloc[0] == "att" and s["term"].iloc[1] == "rel_time=-11"
    psi = res.influence_function()
    assert psi.shape == (40, 1)
    assert res.se == pytest.approx(np.sqrt(np.sum(psi.to_numpy() ** 2)) / 40)
    V = res.event_vcov()
    np.testing.assert_allclose(np.sqrt(np.diag(V)), res.event_time["se"], rtol=1e-12)
    en, nb = res.verdict("en"), res.verdict("nb")
    assert en.startswith("Staggered difference-in-differences (Callaway and Sant'Anna) for rate")
    assert "decrease after 2018–2020" in en and "units never funded" in en
    assert "pre-start effects" in en and "startkohort" in nb
    fig = res.plot(lang="en")
    assert isinstance(fig, Figure) and fig.axes[0].get_xlabel() == "periods since the start"
    assert res.plot().axes[0].get_xlabel() == "år siden start"
    counts = staggered_did(panel, outcome="count", exposure="population", **KW)  # type: ignore[arg-type]
    assert counts.summary()["term"].iloc[0] == "rate_ratio"
    assert "rate ratio" in counts.verdict("en")
    assert counts.plot(lang="en").axes[0].get_ylabel() == "rate ratio"
    plt.close("all")


def test_bad_inputs(panel: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="control='all' is not allowed"):
        staggered_did(panel, outcome="rate", control="all", **KW)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="base_period='fixed' is not allowed"):
        staggered_did(panel, outcome="rate", base_period="fixed", **KW)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="first_treated='cohort' is not a column"):
        staggered_did(panel, outcome="rate", **{**KW, "first_treated": "cohort"})  # type: ignore[arg-type]
    gap = panel.drop(index=panel.index[5])
    with pytest.raises(EstimationError, match="the panel is unbalanced: unit 'u00' has no row"):
        staggered_did(gap, outcome="rate", **KW)  # type: ignore[arg-type]
    varying = panel.copy()
    varying.loc[varying.index[3], "start"] = 2019
    with pytest.raises(ParameterError, match="constant within each unit; unit 'u00'"):
        staggered_did(varying, outcome="rate", **KW)  # type: ignore[arg-type]
    neg = panel.copy()
    neg.loc[neg.index[2], "count"] = -1
    with pytest.raises(EstimationError, match="negative counts"):
        staggered_did(neg, outcome="count", exposure="population", **KW)  # type: ignore[arg-type]
    sparse = panel.loc[panel["time"] % 2 == 0]
    with pytest.raises(EstimationError, match="consecutive periods"):
        staggered_did(sparse, outcome="rate", **KW)  # type: ignore[arg-type]
    never = panel.assign(start=pd.array([pd.NA] * len(panel), dtype="Int64"))
    with pytest.raises(EstimationError, match="no treated cohort"):
        staggered_did(never, outcome="rate", **KW)  # type: ignore[arg-type]
    early = panel.copy()
    early.loc[early["unit"] == "u00", "start"] = 2008
    res = staggered_did(early, outcome="rate", **KW)  # type: ignore[arg-type]
    assert res.n_units == 39 and "treated from the first period" in res.dropped[0]
