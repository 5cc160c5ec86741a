"""The embedded 08487 table: published Oslo figures, harmonisation, source agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ptvlib.basics import config
from ptvlib.data.loading import load, source_agreement

RAW = config.PROJECT_DIR / "data" / "raw"


@pytest.fixture(scope="module")
def offences() -> pd.DataFrame:
    return load("reported_offences")


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return load("population")


def _oslo_counts(offences: pd.DataFrame) -> pd.DataFrame:
    oslo = offences.query("region == '0301' and unit == 'count'")
    return oslo.pivot(index="period", columns="offence_group", values="value")


def test_oslo_total_matches_published_annual_averages(offences: pd.DataFrame) -> None:
    total = _oslo_counts(offences)["total"]
    # SSB 08487, Oslo (0301), all groups of offences, annual average of the two-year period.
    assert total["2007-2008"] == 82_984
    assert total["2011-2012"] == 89_739
    assert total["2020-2021"] == 59_734
    assert total["2023-2024"] == 70_192


def test_oslo_series_is_complete_over_17_periods(offences: pd.DataFrame) -> None:
    oslo = offences.query("region == '0301' and unit == 'count'")
    periods = sorted(oslo["period"].unique())
    assert len(periods) == 17
    assert periods[0] == "2007-2008" and periods[-1] == "2023-2024"
    assert oslo["value"].notna().all()
    # The total equals the sum of the six groups wherever both are reported counts, up to
    # SSB's rounding of each two-year average to a whole number (±0.5 per group).
    wide = _oslo_counts(offences)
    groups = [g for g in config.OFFENCE_GROUPS if g != "total"]
    reported = oslo.loc[~oslo["derived"]].groupby("period").size() == 7
    diff = (wide.loc[reported[reported].index, groups].sum(axis=1) - wide["total"]).abs()
    assert len(diff.dropna()) == 13
    assert (diff.dropna() <= 3).all()


def test_every_period_has_six_groups_or_a_status(offences: pd.DataFrame) -> None:
    counts = offences.loc[offences["unit"] == "count"]
    per_cell = counts.groupby(["region", "period"])["offence_group"].nunique()
    assert (per_cell == 7).all()
    missing = counts.loc[counts["value"].isna()]
    assert (missing["status"] != "").all(), "a missing value without a reason"
    assert (counts.loc[counts["value"].notna(), "status"] == "").all()


def test_suppressed_cell_is_missing_not_zero(offences: pd.DataFrame) -> None:
    raw = pd.read_csv(RAW / "ssb08487_kommune_2020_2024_chrilur/anmeldt_20-24.csv")
    blank = raw.loc[raw["rusmidler"].isna() & (raw["komnr"] == raw["g_komnr"])].iloc[0]
    code, period = f"{int(blank['komnr']):04d}", blank["år"]
    row = offences.loc[
        (offences["region"] == code)
        & (offences["period"] == period)
        & (offences["offence_group"] == "drugs")
        & (offences["unit"] == "count")
    ]
    assert len(row) == 1
    assert np.isnan(row["value"].iloc[0])
    assert row["status"].iloc[0] == ":"


def test_merged_municipality_is_the_sum_of_its_parts(offences: pd.DataFrame) -> None:
    # Moss (3103 since 2024) = old Moss (0104) + Rygge (0136), merged 2020.
    raw = pd.read_csv(RAW / "ssb08487_kommune_2007_2016_3inar/norwegian_crime.csv")
    parts = raw.query("place in ['Moss', 'Rygge'] and interval == '2012-2013'")
    parts = parts.loc[parts["crime_type"] == "Eiendomstyveri", "reports"]
    assert len(parts) == 2
    moss = offences.query(
        "region == '3103' and period == '2012-2013' and offence_group == 'property_theft' "
        "and unit == 'count'"
    )["value"].iloc[0]
    assert moss == parts.sum()


@pytest.mark.parametrize(
    ("place", "unit_code"),
    [
        ("Våler (Østf.)", "3114"),
        ("Våler (Hedm.)", "3419"),
        ("Herøy (M. og R.)", "1515"),
        ("Herøy (Nordl.)", "1818"),
        ("Nes (Busk.)", "3322"),
        ("Sande (M. og R.)", "1514"),
    ],
)
def test_twin_names_are_matched_to_the_right_code(
    offences: pd.DataFrame, place: str, unit_code: str
) -> None:
    raw = pd.read_csv(RAW / "ssb08487_kommune_2007_2016_3inar/norwegian_crime.csv")
    value = raw.query(
        "place == @place and interval == '2009-2010' and crime_type == 'Trafikkovertredelse'"
    )["reports"]
    got = offences.query(
        "region == @unit_code and period == '2009-2010' and offence_group == 'traffic' "
        "and unit == 'count'"
    )["value"]
    assert len(value) == 1 and len(got) == 1
    assert got.iloc[0] == value.iloc[0]


def test_split_municipalities_form_one_unit(offences: pd.DataFrame) -> None:
    units = set(offences["region"])
    assert {"1508+1580", "1806+1875", "5055+5056+5059"} <= units
    assert not {"1508", "1580", "1806", "1875", "5055"} & units
    assert len(units) == 357 - 1 - 1 - 2  # three groups replace 2, 2 and 3 municipalities


def test_rates_use_population_of_the_second_year(
    offences: pd.DataFrame, population: pd.DataFrame
) -> None:
    oslo = offences.query("region == '0301' and period == '2011-2012' and offence_group == 'total'")
    count = oslo.query("unit == 'count'")["value"].iloc[0]
    rate = oslo.query("unit == 'per_1000'")["value"].iloc[0]
    pop = population.query("region == '0301' and year == 2012")["value"].iloc[0]
    assert rate == pytest.approx(count / pop * 1000)


def test_derived_counts_are_flagged(offences: pd.DataFrame) -> None:
    oslo = offences.query("region == '0301' and unit == 'count'").set_index(
        ["period", "offence_group"]
    )
    assert oslo.loc[("2017-2018", "violence"), "derived"]
    assert not oslo.loc[("2011-2012", "violence"), "derived"]
    assert not oslo.loc[("2021-2022", "violence"), "derived"]


def test_extracts_agree_for_oslo_within_rate_rounding(population: pd.DataFrame) -> None:
    pairs = source_agreement().query("unit_code == '0301'")
    assert set(pairs["period"]) == {"2014-2015", "2015-2016", "2016-2017", "2020-2021"}
    pop = population.query("region == '0301'").set_index("year")["value"]
    year2 = pairs["period"].str[-4:].astype(int)
    # A rate rounded to 0.1 per 1 000 moves a count by up to 0.05 × population / 1000;
    # a total summed from six rounded rates by up to six times that. Plus 0.2 % for revisions.
    k = np.where(pairs["group"] == "total", 6, 1)
    bound = k * 0.05 * pop.loc[year2].to_numpy() / 1000 + 0.002 * pairs["value_a"].to_numpy()
    diff = (pairs["value_b"] - pairs["value_a"]).abs().to_numpy()
    assert (diff <= bound).all(), pairs.assign(diff=diff, bound=bound)


def test_extracts_agree_for_all_municipalities() -> None:
    pairs = source_agreement()
    rel = pairs["rel_diff"].abs()
    assert len(pairs) > 5000
    assert rel.median() < 0.005
    assert rel.quantile(0.99) < 0.03


def test_share_estimate_of_old_populations_is_close_to_the_real_one(
    population: pd.DataFrame,
) -> None:
    """The fallback population of merged old municipalities (share one year earlier × unit total)."""
    from ptvlib.data import regions
    from ptvlib.data.tables import offences as _offences

    kom = pd.read_csv(
        RAW / "ssb08487_kommune_rates_2014_2017_torbskar_kommuneRdat/kom_2016.csv",
        dtype={"kommune": str},
    )
    known = pd.DataFrame({"orig_code": kom["kommune"], "year": kom["year"], "pop": kom["bef_tot"]})
    est = _offences._share_estimates(
        known.query("year == 2015"), population, regions.redistricting()
    )
    exact = known.query("year == 2016").set_index("orig_code")["pop"]
    est = est.set_index("orig_code")["pop"]
    both = pd.concat([est, exact], axis=1, keys=["est", "exact"]).dropna()
    assert len(both) > 300
    rel = (both["est"] - both["exact"]).abs() / both["exact"]
    assert rel.median() < 0.005 and rel.max() < 0.05
