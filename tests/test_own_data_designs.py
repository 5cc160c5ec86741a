"""The bydel designs on own data: schedule, every series analysed, the rule, what the verdict says."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptvlib.assessment.bydel import own_series, period_months
from ptvlib.assessment.own import assess_own, assess_own_frame
from ptvlib.assessment.own_designs import DesignRun
from ptvlib.assessment.own_results import combine_own
from ptvlib.assessment.params import validate_params
from ptvlib.assessment.schedule import Schedule, default_schedule, parse_schedule, resolve_schedule
from ptvlib.basics.exceptions import ParameterError
from ptvlib.data.demo import DEMO_EFFECTS, DEMO_SCHEDULE, demo_own_data, demo_own_frame
from ptvlib.data.own import load_own

SCHEDULE = Schedule(starts=dict(DEMO_SCHEDULE), origin="treatment_schedule")


@pytest.fixture(scope="module")
def report():
    return assess_own_frame(demo_own_frame(seed=2018), SCHEDULE, year=2024)


# ----------------------------------------------------------------- schedule
def test_schedule_entries_are_parsed_and_bad_ones_named() -> None:
    assert parse_schedule(["030115:2018", " 030101 : 2019 "]) == {"030115": 2018, "030101": 2019}
    with pytest.raises(ParameterError, match=r"entry '030115:18' is not allowed"):
        parse_schedule(["030115:18"])
    with pytest.raises(ParameterError, match="given twice"):
        parse_schedule(["030115:2018", "030115:2019"])
    with pytest.raises(ParameterError, match="year 1850 is not allowed"):
        parse_schedule(["030115:1850"])


def test_default_schedule_comes_from_the_funding_table_with_sources_and_asks() -> None:
    s = default_schedule()
    assert s.starts == {"030115": 2018}
    assert "regjeringen.no" in s.sources["030115"] and "dagsavisen.no" in s.sources["030115"]
    indre = [a for a in s.asks if "indre øst" in a["text"]]
    assert indre and indre[0]["year"] == 2019 and indre[0]["amount_mnok"] == 7.0
    assert "spans several bydeler" in indre[0]["reason"]
    assert any("names no area" in a["reason"] for a in s.asks)
    assert any("Holmlia" in n and "2017" in n for n in s.notes), "earlier timing is reported"


def test_resolve_schedule_order_and_conflicts() -> None:
    areas = {"030115", "030101", "030114", "030113"}
    s = resolve_schedule(["030115:2018", "030101:2019"], [], 2018, ["030114"], areas=areas)
    assert s.origin == "treatment_schedule" and s.buffers == {"030114": 2018}
    assert resolve_schedule([], ["030101"], 2017, areas=areas).starts == {"030101": 2017}
    assert resolve_schedule([], [], 2018, areas=areas).origin == "funding_table"
    with pytest.raises(ParameterError, match="name different areas"):
        resolve_schedule(["030115:2018"], ["030101"], 2018)
    with pytest.raises(ParameterError, match=r"buffer_areas \['030115'\] are also treated"):
        resolve_schedule(["030115:2018"], [], 2018, ["030115"])
    with pytest.raises(ParameterError, match=r"\['039999'\] not in own_data"):
        resolve_schedule(["039999:2018"], [], 2018, areas=areas)
    with pytest.raises(ParameterError, match=r"entry '030115' is not allowed; allowed: AREA:YEAR"):
        resolve_schedule(["030115"], [], 2018)


def test_params_take_the_schedule_and_buffers(tmp_path: Path) -> None:
    own = demo_own_data(tmp_path / "demo.csv")
    p = validate_params(
        own_data=str(own),
        treatment_schedule=["030115:2018", "030101:2019"],
        buffer_areas=["030114"],
    )
    assert p.treatment_schedule == ["030115:2018", "030101:2019"]
    with pytest.raises(ParameterError, match="needs own_data"):
        validate_params(treatment_schedule=["030115:2018"])
    with pytest.raises(ParameterError, match=r"buffer_areas: \['9'\] not in own_data"):
        validate_params(own_data=str(own), buffer_areas=["9"])


# ------------------------------------------------------------------ series
def test_every_indicator_and_offence_group_is_analysed(report) -> None:
    got = {(a.indicator, a.offence_group) for a in report}
    assert got == set(DEMO_EFFECTS)
    assert report.not_analysed == []
    assert report.synthetic and all("SYNTHETIC DATA" in a.label for a in report)


def test_series_that_cannot_be_analysed_are_listed_with_the_reason() -> None:
    frame = demo_own_frame(seed=1, frequency="year")
    extra = frame.loc[frame["indicator"] == "seizures"].assign(indicator="patrol_hours")
    extra = extra.loc[~extra["region"].isin(list(DEMO_SCHEDULE))]  # no treated area
    odd = frame.loc[frame["indicator"] == "confiscations"].assign(unit="litres")
    rep = assess_own_frame(pd.concat([frame, extra, odd]), SCHEDULE, year=2024, shown=False)
    reasons = {(s["indicator"], s["unit"]): s["reason"] for s in rep.not_analysed}
    assert reasons[("patrol_hours", "count")] == "no treated area in this series"
    assert reasons[("confiscations", "litres")] == "unit 'litres' has no design"
    assert len(rep) == len(DEMO_EFFECTS)
    table = rep.not_analysed_table("nb")
    assert list(table.columns) == ["indicator", "offence_group", "unit", "reason"]
    assert "ingen behandlede områder i denne serien" in set(table["reason"])
    rows = [h for h in rep.headlines("en") if h["design_key"] == "not_analysed"]
    assert {h["indicator"] for h in rows} == {"patrol_hours", "confiscations"}


def test_monthly_rows_become_complete_years_and_sentrum_is_left_out() -> None:
    frame = demo_own_frame(seed=4, years=(2012, 2025))
    frame = frame.loc[~((frame["year"] == 2025) & (frame["period"] > "2025-06"))]
    series, skipped = own_series(frame, year=2025)
    assert skipped == []
    s = series[0]
    assert sorted(set(s.yearly["year"])) == list(range(2012, 2025))
    assert any("[2025]" in n for n in s.notes)
    assert s.monthly is not None and s.monthly["t"].max() == 13 * 12 + 5
    assert "030116" in s.excluded and "under 5,000" in s.excluded["030116"]  # formatted (en)
    raw = frame.loc[
        (frame["indicator"] == s.indicator)
        & (frame["offence_group"] == s.offence_group)
        & (frame["region"] == "030115")
        & (frame["year"] == 2020)
    ]
    got = s.yearly.loc[(s.yearly["region"] == "030115") & (s.yearly["year"] == 2020), "value"]
    assert float(got.iloc[0]) == float(raw["value"].sum())


def test_period_labels() -> None:
    months, k = period_months(pd.DataFrame({"period": ["2016M01", "2016M12"]}))
    assert months.tolist() == [1, 12] and k == 12
    months, k = period_months(pd.DataFrame({"period": ["2016Q1", "2016K3"]}))
    assert months.tolist() == [1, 7] and k == 4
    assert period_months(pd.DataFrame({"period": ["2016", "2017"]}))[1] == 1


# -------------------------------------------------------------------- rule
def _run(key: str, estimate: float, p: float) -> DesignRun:
    return DesignRun(key, None, estimate=estimate, p_value=p)


@pytest.mark.parametrize(
    ("ri", "sc", "p_holm", "code"),
    [
        ((0.8, 0.004), (0.85, 0.01), 0.02, "decrease"),
        ((1.3, 0.004), (1.2, 0.03), 0.02, "increase"),
        ((0.8, 0.004), (1.2, 0.03), 0.02, "conflicting"),
        ((0.8, 0.004), (1.2, 0.30), 0.02, "weak_decrease"),
        ((0.8, 0.004), (0.9, 0.30), 0.02, "weak_decrease"),
        ((0.8, 0.004), (0.85, 0.01), 0.08, "inconclusive"),
    ],
)
def test_combined_rule(ri, sc, p_holm, code) -> None:
    assert combine_own(_run("ri", *ri), _run("sc", *sc), p_holm, 0.05) == code


def test_holm_runs_over_every_series(report) -> None:
    from ptvlib.assessment.verdicts import holm

    raw = [a.designs["ri"].p_value for a in report]
    assert [a.p_holm for a in report] == pytest.approx(list(holm(raw)))
    assert {a.family_size for a in report} == {len(DEMO_EFFECTS)}


def test_verdict_shows_the_few_clusters_warning_and_the_power(report) -> None:
    a = next(a for a in report if a.offence_group == "violence")
    text = a.verdict("en")
    assert (
        "cluster-robust errors with 2 treated clusters of 15: standard errors far too small" in text
    )
    assert "shown, does not count" in text
    assert "Holm-adjusted over 5 series" in text and "smallest attainable p 0.005" in text
    assert "cannot be told from noise" in text
    assert "Sentrum: " in text and "030116" not in text, "Sentrum's exclusion is stated by name"
    nb = a.verdict("nb")
    assert "klyngerobuste feil med 2 behandlede klynger av 15" in nb and "vises, teller ikke" in nb
    # every p-value says what it is: a rank among assignments or a model's
    assert "Randomization inference: " in text and "randomization p " in text
    assert "model p " in text
    assert not re.findall(r"(?<!randomization)(?<!model)(?<!series:)(?<!attainable) p [=<]", text)
    assert "randomiserings-p " in nb and "modell-p " in nb


def test_staggered_and_sdid_are_shown_with_their_reason(report) -> None:
    a = next(a for a in report if a.offence_group == "violence")
    for key in ("staggered", "sdid"):
        run = a.designs[key]
        assert not run.error and not run.counts and run.scale == "ratio"
        assert run.ci[0] < run.estimate < run.ci[1]
    assert a.designs["staggered"].result.groups == (2018, 2019)
    assert a.designs["sdid"].result["cohorts"] == [2018, 2019]
    text = a.verdict("en")
    assert "unit-clustered errors with 2 treated areas" in text
    assert "placebo over 13 comparison areas per start year" in text


def test_results_and_errors_by_design(report) -> None:
    a = report.assessments[0]
    assert {"ri", "sc", "staggered", "did_cr1", "its"} <= set(a.results)
    assert all(hasattr(r, "plot") for r in a.results.values())
    assert a.errors == {}


def test_shown_designs_do_not_change_the_verdict(report) -> None:
    quiet = assess_own_frame(demo_own_frame(seed=2018), SCHEDULE, year=2024, shown=False)
    assert quiet.verdicts() == report.verdicts()
    for a in quiet:
        want = {"ri", "sc"} if a.p_holm <= 0.05 else {"ri"}
        assert set(a.designs) == want
        assert math.isnan(a.designs["ri"].mde)


def test_headlines_follow_the_report_contract(report) -> None:
    rows = report.headlines("en")
    combined = [h for h in rows if h["design_key"] == "combined"]
    assert len(combined) == len(DEMO_EFFECTS)
    for h in rows:
        if h["design_key"] == "not_analysed":
            continue
        assert h["scale"] in {"ratio", "difference"}
        assert isinstance(h["counts"], bool) and "why_not" in h and "mde" in h and "p_kind" in h
    cr1 = next(h for h in rows if h["design_key"] == "own_did_cr1")
    assert cr1["counts"] is False and "far too small" in cr1["why_not"]
    ri = next(h for h in rows if h["design_key"] == "own_ri")
    assert ri["p_kind"] == "randomization" and ri["n_assignments"] == 210 and ri["counts"]
    assert 0 < ri["mde"] < 1 and ri["min_p"] == pytest.approx(1 / 210)


def test_buffer_areas_leave_the_comparison_and_get_their_own_estimate() -> None:
    frame = demo_own_frame(seed=3, frequency="year")
    sched = Schedule(
        starts=dict(DEMO_SCHEDULE), origin="x", buffers={"030114": 2018, "030113": 2018}
    )
    rep = assess_own_frame(frame, sched, year=2024)
    a = rep.assessments[0]
    ri = a.designs["ri"].result
    assert "030114" not in ri.units and "030113" not in ri.units
    sp = a.designs["spillover"]
    assert sp.result.treated == ("030114", "030113") and not sp.counts
    assert "030115" not in sp.result.units


def test_assess_own_reads_the_file_and_uses_the_funding_default(tmp_path: Path) -> None:
    own = demo_own_data(tmp_path / "demo.csv")
    params = validate_params(own_data=str(own))
    rep = assess_own(params, load_own(own), shown=False)
    assert rep.schedule.origin == "funding_table" and rep.schedule.starts == {"030115": 2018}
    assert rep.assessments[0].treated == ("030115",)
    empty = assess_own(validate_params())
    assert len(empty) == 0 and empty.schedule.origin == "funding_table"


def test_level_scale_series_get_a_difference() -> None:
    frame = demo_own_frame(seed=5, frequency="year")
    share = frame.loc[frame["indicator"] == "seizures"].assign(
        indicator="cleared_share", unit="percent", value=lambda d: 40 + np.log1p(d["value"])
    )
    rep = assess_own_frame(share, SCHEDULE, year=2024)
    a = rep.assessments[0]
    assert a.designs["ri"].scale == "difference" and a.designs["sc"].counts is False
    assert math.isfinite(a.designs["ri"].estimate)


def test_the_loaders_yearly_sums_with_an_incomplete_year_and_the_monthly_companion(
    tmp_path: Path,
) -> None:
    frame = demo_own_frame(seed=6, years=(2012, 2025))
    frame = frame.loc[~((frame["year"] == 2025) & (frame["period"] > "2025-06"))]
    path = tmp_path / "export.csv"
    frame.assign(value=frame["value"].astype("int64")).to_csv(path, index=False)
    yearly, monthly = load_own(path), load_own(path, frequency="month")
    assert (yearly.loc[yearly["year"] == 2025, "status"].str.startswith("incomplete year")).all()
    series, skipped = own_series(yearly, year=2025, monthly=monthly)
    assert skipped == [] and len(series) == len(DEMO_EFFECTS)
    s = series[0]
    assert sorted(set(s.yearly["year"])) == list(range(2012, 2025))
    assert any("[2025]" in n and "incomplete" in n for n in s.notes)
    assert s.monthly is not None and s.monthly["t"].max() == 13 * 12 + 5
    rep = assess_own_frame(yearly, SCHEDULE, year=2025, monthly=monthly)
    its = rep.assessments[0].designs["its"]
    assert not its.error and its.result.n > 13 * 12, "the ITS runs on months"
    yearly_only = assess_own_frame(yearly, SCHEDULE, year=2025)
    assert yearly_only.verdicts() == rep.verdicts()
    assert yearly_only.assessments[0].designs["its"].result.n < 20
