"""The assessment on the real data: panels, supplementary inputs, and recorded regression values.

Regression values were recorded from the embedded data with the pinned
environment (requirements.lock); they change only when the data, the
harmonisation or an estimator changes — which is what these tests are for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from ptvlib.assessment import outcome as assess
from ptvlib.assessment import supplementary
from ptvlib.assessment.outcome_results import OutcomeAssessment, family_table
from ptvlib.assessment.panels import offence_panel, rest_of_norway
from ptvlib.assessment.params import validate_params
from ptvlib.assessment.verdicts import holm
from ptvlib.data.loading import load
from ptvlib.estimators.synth import synthetic_control

# Oslo (0301) against every municipality with a complete series (the specification),
# rates per 1 000, start 2018, two-year periods, straddling 2017-2018 dropped, 2019-2020 left out
# (published for 74 of 353 units). top: (donor, weight) of the largest weights.
SC_ALL_MUNICIPALITIES = {
    "total": dict(
        n_donors=206,
        att=8.6279,
        pre=4.3024,
        p=0.8502,
        gap2024=12.659,
        top=[("3209", 0.3554), ("3318", 0.2300), ("4022", 0.2156)],
    ),
    "property_theft": dict(
        n_donors=220,
        att=12.3219,
        pre=4.7861,
        p=0.7557,
        gap2024=14.6387,
        top=[("3419", 0.5476), ("3326", 0.3707), ("3209", 0.0817)],
    ),
    "violence": dict(
        n_donors=216,
        att=1.8317,
        pre=0.2199,
        p=0.5714,
        gap2024=1.6599,
        top=[("4005", 0.4124), ("5622", 0.2427), ("5607", 0.1069)],
    ),
    "drugs": dict(n_donors=204, att=1.3659, pre=0.0, p=0.1951, gap2024=1.5703, top=None),
    "public_order": dict(
        n_donors=199,
        att=-0.8033,
        pre=0.3862,
        p=0.6550,
        gap2024=-2.3761,
        top=[("5605", 0.3841), ("5634", 0.2624), ("3209", 0.2343)],
    ),
    "traffic": dict(n_donors=223, att=0.1081, pre=0.0, p=0.2991, gap2024=2.7434, top=None),
    "other": dict(
        n_donors=224,
        att=1.7266,
        pre=0.2012,
        p=0.6400,
        gap2024=2.5954,
        top=[("4213", 0.3026), ("3101", 0.2301), ("3416", 0.1324)],
    ),
}


@pytest.mark.parametrize("group", sorted(SC_ALL_MUNICIPALITIES))
def test_synthetic_control_for_oslo_against_all_municipalities(group: str) -> None:
    want = SC_ALL_MUNICIPALITIES[group]
    panel, dropped = offence_panel(group, year_max=2024)
    assert dropped == ["2019-2020"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = synthetic_control(
            panel,
            unit="region",
            time="year",
            outcome="rate",
            treated="0301",
            start=2018,
            period_years=2,
        )
    assert sc.weights.size == want["n_donors"]
    assert sc.weights.sum() == pytest.approx(1.0) and (sc.weights >= 0).all()
    assert sc.att == pytest.approx(want["att"], abs=1e-3)
    assert sc.pre_rmspe == pytest.approx(want["pre"], abs=1e-3)
    assert float(sc.gap.loc[2024]) == pytest.approx(want["gap2024"], abs=1e-3)
    assert sc.placebo("space").p_value == pytest.approx(want["p"], abs=1e-3)
    assert sc.dropped_periods == (2018,)
    if want["top"] is None:
        # Exact pre-period fit (more donors than periods): the weights are not unique.
        assert sc.pre_rmspe < 1e-6
    else:
        for donor, weight in want["top"]:
            assert sc.weights[donor] == pytest.approx(weight, abs=1e-3)


@pytest.fixture(scope="module")
def params():
    return validate_params(year=2024)


@pytest.fixture(scope="module")
def assessments(params) -> dict[str, OutcomeAssessment]:
    return {
        g: assess.assess_outcome(params, g)
        for g in ("total", "property_theft", "violence", "drugs")
    }


def test_default_assessment_is_inconclusive_for_harm_outcomes(assessments) -> None:
    """Recorded verdicts of the 2024 assessment (donors >= 20 000 inhabitants, large cities)."""
    assert assessments["total"].combined == "inconclusive"
    assert assessments["property_theft"].combined == "inconclusive"
    assert assessments["violence"].combined == "inconclusive"
    assert assessments["drugs"].combined == "weak_decrease"
    assert not any(a.errors for a in assessments.values())


def test_pre_trend_rejection_stops_did_from_counting(assessments) -> None:
    total = assessments["total"]
    assert total.pretrend_violated
    row = total.table("en").set_index("design_key").loc["did_poisson"]
    assert row["ci_high"] < 1.0, "taken at face value the DiD says 'decrease' ..."
    assert row["direction"] == "inconclusive", "... but trends were not parallel before 2018"
    assert "not parallel" in total.verdict("en")
    assert not assessments["violence"].pretrend_violated


def test_recorded_default_numbers(assessments) -> None:
    t = {g: a.table("en").set_index("design_key") for g, a in assessments.items()}
    assert t["total"].loc["did_poisson", "estimate"] == pytest.approx(0.8998, abs=1e-3)
    assert t["total"].loc["its", "estimate"] == pytest.approx(0.8802, abs=1e-3)
    assert t["property_theft"].loc["its", "estimate"] == pytest.approx(0.7731, abs=1e-3)
    assert t["violence"].loc["synth", "p_value"] == pytest.approx(0.1429, abs=1e-3)
    assert t["drugs"].loc["synth", "p_value"] == pytest.approx(0.0208, abs=1e-3)
    assert assessments["total"].extra["synth_n_donors"] == 47


def test_family_table_holm_adjusts_within_family(assessments) -> None:
    table = family_table(list(assessments.values()), "en")
    harm = table.query("family == 'harm' and design_key == 'its'")
    assert len(harm) == 2
    np.testing.assert_allclose(harm["p_holm"], holm(harm["p_value"].to_numpy()))
    assert (table["p_holm"].dropna() >= table.loc[table["p_holm"].notna(), "p_value"] - 1e-12).all()


def test_offence_panel_population_is_the_denominator() -> None:
    panel, _ = offence_panel("total", year_max=2024)
    pop = load("population").set_index(["region", "year"])["value"]
    oslo = panel.query("region == '0301'").set_index("year")
    for year in (2012, 2024):
        assert oslo.loc[year, "population"] == pop[("0301", year)]


def test_rest_of_norway_is_country_minus_oslo() -> None:
    rest = rest_of_norway("total", treated="0301", year_max=2024).set_index("year")
    nat = (
        load("national_offences")
        .query(
            "region == '0' and period_years == 2 and offence_group == 'total' and unit == 'count'"
        )
        .set_index("year")["value"]
    )
    assert rest.loc[2024, "count"] == nat[2024] - 70_192
    assert rest.loc[2008, "count"] == nat[2008] - 82_984


def test_funding_intensity_counts_each_allocation_once() -> None:
    stated = supplementary.funding_intensity(2024, scenario="stated").set_index("year")
    assert stated.loc[2017, "mnok"] == 0.0
    assert stated.loc[2018, "mnok"] == 30.0  # proposed and granted: the same 30 MNOK
    assert stated.loc[2019, "mnok"] == 30.0 + 16.0 + 7.0
    assert np.isnan(stated.loc[2020, "mnok"])  # "continued", amount not stated
    cont = supplementary.funding_intensity(2024, scenario="continued").set_index("year")
    assert cont.loc[2024, "mnok"] == 53.0 and cont.loc[2024, "assumed"]
    assert not cont.loc[2019, "assumed"]


def test_supplementary_panels_have_the_expected_shape(params) -> None:
    dose = supplementary.dose_panel(params, "property_theft")
    assert (dose.query("region != '0301'")["dose"] == 0).all()
    oslo = dose.query("region == '0301'").set_index("year")["dose"]
    assert oslo.loc[2017] == 0 and oslo.loc[2019] > 0
    disp = supplementary.displacement_panel(params, "violence")
    assert set(disp["region"]) == {"target", "buffer", "control_target", "control_buffer"}
    wide = disp.pivot(index="year", columns="region", values="count")
    pre = wide.loc[wide.index < 2018]
    assert pre["control_target"].mean() == pytest.approx(pre["target"].mean())
    assert isinstance(wide, pd.DataFrame)


def test_assessments_are_cached_by_their_inputs(tmp_cache, params) -> None:
    first = assess.assess_outcome(params, "violence")
    stored = list((tmp_cache / "assess").glob("violence-*.pkl"))
    assert len(stored) == 1
    again = assess.assess_outcome(params, "violence")
    pd.testing.assert_frame_equal(again.table("en"), first.table("en"))
    other = assess.assess_outcome(
        validate_params(year=2024, donor_min_population=50_000), "violence"
    )
    assert len(list((tmp_cache / "assess").glob("violence-*.pkl"))) == 2
    assert other.extra["synth_n_donors"] < first.extra["synth_n_donors"]
    stored[0].write_bytes(b"not a pickle")
    rebuilt = assess.assess_outcome(params, "violence")
    pd.testing.assert_frame_equal(rebuilt.table("en"), first.table("en"))
    fresh = assess.assess_outcome(params, "violence", cache=False)
    pd.testing.assert_frame_equal(fresh.table("en"), first.table("en"))
