"""The bydel picture: rates per 1 000 by bydel, Sentrum without a rate, one year is not a panel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ptvlib.assessment.bydel_picture import bydel_picture, public_bydel_series
from ptvlib.assessment.own import assess_own_frame
from ptvlib.assessment.schedule import Schedule
from ptvlib.basics.exceptions import ParameterError
from ptvlib.data.loading import load
from ptvlib.data.regions import bydeler


def _table(years: list[int], seed: int = 0) -> pd.DataFrame:
    """A frame in the bydel_offences schema (made-up counts; real codes and populations)."""
    rng = np.random.default_rng(seed)
    codes = [*bydeler()["code"], "030116", "030199"]
    rows = []
    for y in years:
        for i, code in enumerate(codes):
            value = 8000.0 if code == "030116" else 2000.0 + 150 * i + rng.integers(0, 100)
            rows.append(
                {
                    "region": code,
                    "region_name": code,
                    "level": "bydel" if code < "030116" else "area",
                    "period": str(y),
                    "year": y,
                    "period_years": 1,
                    "indicator": "reported_offences",
                    "offence_group": "total",
                    "value": value,
                    "unit": "count",
                    "status": "",
                    "source": "test",
                }
            )
    return pd.DataFrame(rows)


def test_rates_per_1000_with_sentrum_and_unknown_without_a_rate() -> None:
    off = _table([2024])
    pic = bydel_picture(offences=off, lang="en")
    assert pic is not None and pic.year == 2024 and not pic.is_panel
    t = pic.table
    assert len(t) == 17 and t["rate_per_1000"].notna().sum() == 15
    rates = t["rate_per_1000"].dropna().to_numpy()
    assert np.all(np.diff(rates) <= 0), "bydeler sorted by rate"
    pop = load("population").query("year == 2024").set_index("region")["value"]
    row = t.loc[t["region"] == "030101"].iloc[0]
    assert row["rate_per_1000"] == pytest.approx(1000 * row["offences"] / pop["030101"])
    sentrum = t.loc[t["region"] == "030116"].iloc[0]
    assert math.isnan(sentrum["rate_per_1000"]) and "meaningless" in sentrum["note"]
    assert "no population" in t.loc[t["region"] == "030199", "note"].iloc[0]
    assert "Sporveien" in t.loc[t["region"] == "030114", "note"].iloc[0]
    b = off.loc[off["region"].isin(list(bydeler()["code"]))]
    assert pic.oslo_15[0] == b["value"].sum()
    assert pic.oslo_all == off["value"].sum()
    assert pic.oslo_15[2] == pytest.approx(
        1000 * b["value"].sum() / pop[list(bydeler()["code"])].sum()
    )
    with pytest.raises(ParameterError, match=r"year=2019 is not in bydel_offences"):
        bydel_picture(2019, offences=off)


def test_one_year_is_not_a_panel_and_several_years_run_the_designs() -> None:
    assert public_bydel_series(_table([2024])) is None
    panel = public_bydel_series(_table(list(range(2014, 2025))))
    assert panel is not None and set(panel["year"]) == set(range(2014, 2025))
    rep = assess_own_frame(
        panel, Schedule(starts={"030115": 2018}, origin="funding_table"), year=2024, shown=False
    )
    assert [(a.indicator, a.offence_group) for a in rep] == [("reported_offences", "total")]
    a = rep.assessments[0]
    assert "030116" in a.excluded  # Sentrum: too few residents for a rate
    assert a.designs["ri"].result.n_assignments == 15
    assert not a.designs["ri"].result.alpha_reachable or a.designs["ri"].result.min_p <= 0.05


def test_the_embedded_2024_picture() -> None:
    """Oslo kommune's KRI002 for 2024 (data/raw/oslo_kri002_bydel_2024_from_web): one year."""
    pic = bydel_picture(lang="nb")
    assert pic is not None and pic.years == (2024,) and not pic.is_panel
    assert pic.oslo_15[0] == 59_248  # the 15 bydeler (PROVENANCE.md)
    assert pic.oslo_all == 68_106  # with Sentrum
    t = pic.table.set_index("region")
    assert t["rate_per_1000"].notna().sum() == 15 and math.isnan(t.loc["030116", "rate_per_1000"])
    pop = load("population").query("year == 2024").set_index("region")["value"]
    assert t.loc["030115", "rate_per_1000"] == pytest.approx(1000 * 2651 / pop["030115"])
    assert t["rate_per_1000"].idxmax() == "030104"  # St. Hanshaugen, next to Sentrum
    assert "1 528" in t.loc["030116", "note"].replace("\xa0", " ")
    assert public_bydel_series() is None, "one year: no panel, no design"
