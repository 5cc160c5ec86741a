"""Municipality codes across reforms, analysis units, names and comparison groups."""

from __future__ import annotations

import pytest

from ptvlib.basics.exceptions import UnknownRegionError
from ptvlib.data import regions


def test_357_municipalities_and_15_bydeler() -> None:
    assert len(regions.municipalities()) == 357
    assert len(regions.bydeler()) == 15
    assert len(regions.bydeler(include_extra=True)) == 17


def test_redistricting_2023_is_the_2020_structure() -> None:
    red = regions.redistricting()
    per_year = red.groupby("calyear")["original_code"].nunique()
    assert per_year[2020] == per_year[2021] == per_year[2022] == per_year[2023] == 356
    assert per_year[2024] == 357


def test_every_original_maps_to_one_unit_with_total_weight_one() -> None:
    red = regions.redistricting().merge(regions.analysis_units(), on="current_code")
    w = red.groupby(["original_code", "calyear", "unit_code"])["weight"].sum()
    assert w.between(1 - 1e-9, 1 + 1e-9).all()
    per_orig = red.groupby(["original_code", "calyear"])["unit_code"].nunique()
    assert (per_orig == 1).all()


@pytest.mark.parametrize("code", ["99", "9999", "0302", "030199", ""])
def test_unknown_region_is_named(code: str) -> None:
    with pytest.raises(UnknownRegionError, match=rf"treated_region={code!r} is not a known"):
        regions.validate_region(code, field="treated_region")
