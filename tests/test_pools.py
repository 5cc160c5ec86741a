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
