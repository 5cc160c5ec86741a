"""Every catalogued dataset loads, matches its schema, has unique keys and documentation."""

from __future__ import annotations

import pandas as pd
import pytest

from ptvlib.basics import config
from ptvlib.basics.exceptions import UnknownDatasetError
from ptvlib.data import catalog
from ptvlib.data.loading import datasets, load
from ptvlib.data.schema import validate

NAMES = sorted(catalog.DATASETS)


@pytest.mark.parametrize("name", NAMES)
def test_dataset_loads_and_matches_schema(name: str) -> None:
    ds = catalog.get(name)
    frame = load(name)
    assert len(frame) > 0
    assert list(frame.columns) == ds.schema.names
    validate(frame, ds.schema)  # raises on any violation
    if ds.schema.keys:
        assert not frame.duplicated(list(ds.schema.keys)).any()


@pytest.mark.parametrize("name", NAMES)
def test_dataset_is_documented_and_its_files_exist(name: str) -> None:
    ds = catalog.get(name)
    assert ds.description and ds.caveats and ds.licence
    files = catalog.files_of(name)
    assert files
    for rel in files:
        assert (config.raw_dir() / rel).is_file(), rel
        assert (config.raw_dir() / rel.split("/")[0] / "PROVENANCE.md").is_file()


@pytest.mark.parametrize("name", NAMES)
def test_load_returns_a_fresh_copy(name: str) -> None:
    first = load(name)
    first.iloc[0, 0] = None
    assert load(name).iloc[0, 0] is not None


def test_datasets_lists_every_name_with_a_description() -> None:
    listed = datasets()
    assert sorted(listed["name"]) == NAMES
    assert listed["description"].str.len().gt(20).all()
    assert listed.set_index("name").loc["reported_offences", "ssb_table"] == "08487"


def test_unknown_dataset_names_the_allowed_ones() -> None:
    with pytest.raises(
        UnknownDatasetError, match=r"dataset='crime' is not known; allowed: .*reported_offences"
    ):
        load("crime")


def test_every_raw_folder_is_catalogued_or_a_fixture() -> None:
    used = {rel.split("/")[0] for name in NAMES for rel in catalog.files_of(name)}
    folders = {p.name for p in config.raw_dir().iterdir() if p.is_dir()}
    # The v2 JSON-stat2 response is a parser fixture only (tests/test_ssb.py).
    assert folders - used == {"pxwebapi_v2_jsonstat2_fixture_13615"}


def test_national_two_year_average_matches_single_years() -> None:
    nat = load("national_offences")
    two = nat.query("region == 'Ialt' and period_years == 2 and unit == 'count'")
    one = nat.query("region == 'Ialt' and period_years == 1 and unit == 'count'")
    one = one.set_index(["offence_group", "year"])["value"]
    for group in ("total", "property_theft"):
        for y in (2010, 2015, 2019, 2024):
            avg = (one[(group, y - 1)] + one[(group, y)]) / 2
            got = two.query("offence_group == @group and year == @y")["value"].iloc[0]
            # Single years come from ssb.no pages of other dates: SSB revises back-years slightly.
            assert got == pytest.approx(avg, rel=0.01)


def test_national_groups_sum_to_total() -> None:
    nat = load("national_offences").query("period_years == 1 and year == 2024")
    by = nat.set_index("offence_group")["value"]
    six = ["property_theft", "violence", "drugs", "public_order", "traffic", "other"]
    assert by[six].sum() == by["total"]


def test_funding_rows_keep_their_source() -> None:
    f = load("funding")
    assert f["source_url"].str.startswith("http").all()
    oslo2018 = f.query("year == 2018 and oslo_specific and kind == 'allocation'")
    assert set(oslo2018["amount_mnok"]) == {30.0}
    assert (f.query("kind == 'amount_not_stated'")["amount_mnok"].isna()).all()


def test_keyfigures_repair_unquoted_comma_and_parse_approximations() -> None:
    k = load("enforcement_keyfigures")
    conf = k.query("category == 'confiscation' and year == 2013")
    assert conf["value"].iloc[0] == 3_700_000
    assert "3,7 millioner" in conf["unit_of_value"].iloc[0]
    approx = k.query("value_text == '~30000'")
    assert approx["approximate"].iloc[0] and approx["value"].iloc[0] == 30_000
    assert set(k.query("value_text == '<200'")["bound"]) == {"upper"}
    assert k["source_url"].str.startswith("http").all()
    assert {"clearance", "seizures", "confiscation", "drug_cases"} <= set(k["category"])


def test_population_has_bydeler_and_units() -> None:
    pop = load("population")
    by = pop.query("level == 'bydel'")
    assert by["region"].nunique() == 15
    assert set(by["year"]) == set(range(2005, 2026))
    oslo = pop.query("region == '0301'").set_index("year")["value"]
    assert oslo[2008] == 560_484 and oslo[2025] == 724_290
    # A composite unit is the sum of its members.
    members = pop.query("region in ['1806', '1875'] and year == 2015")["value"].sum()
    unit = pop.query("region == '1806+1875' and year == 2015")["value"].iloc[0]
    assert unit == members
    assert isinstance(pop, pd.DataFrame)
