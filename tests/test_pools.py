"""Tests of the comparison groups and donor pools (:mod:`ptvlib.assessment.pools`)."""

from __future__ import annotations

import pytest

from ptvlib.assessment.pools import comparison_group
from ptvlib.basics.exceptions import ParameterError


def test_large_cities_are_the_most_populous_units() -> None:
    group = comparison_group("large_cities", n_large=5)
    assert group == ["4601", "5001", "1103", "3201", "4204"]
    assert "0301" not in comparison_group("all_municipalities")
    with pytest.raises(ParameterError, match="comparison='foo' is not allowed"):
        comparison_group("foo")


def test_assessment_pool_rules() -> None:
    from ptvlib.assessment.panels import offence_panel
    from ptvlib.assessment.params import validate_params
    from ptvlib.assessment.pools import assessment_pool, police_district
    from ptvlib.basics.exceptions import EstimationError

    panel, _ = offence_panel("total", year_max=2024)
    pool = assessment_pool(panel, validate_params())
    assert pool.years == (
        2008,
        2009,
        2010,
        2011,
        2012,
        2013,
        2014,
        2015,
        2016,
        2017,
        2019,
        2021,
        2022,
        2023,
        2024,
    )
    assert int(pool.pre.sum()) == 10
    assert pool.n >= 60 and pool.min_population == 10_000
    # The panel is balanced over the years used: one row per unit and year.
    assert len(pool.panel) == (pool.n + 1) * len(pool.years)
    # With no exclusions the airport municipalities come back; the police district never does.
    open_pool = assessment_pool(panel, validate_params(excluded_regions=[]))
    assert {"3209", "3101"} <= set(open_pool.units)
    assert not {"3201", "3203"} & set(open_pool.units)
    assert police_district("0301") == ("0301", "3201", "3203")
    # A treated unit with a gap cannot be assessed: the error names it and the periods.
    with pytest.raises(EstimationError, match="'1103' has no value.*2018-2019"):
        assessment_pool(panel, validate_params(treated_region="1103", excluded_regions=[]))
