"""The synthetic own-data generator: seeded, labelled, in the own-data format, with its known effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.style import SYNTHETIC_LABEL
from ptvlib.data.demo import DEMO_EFFECTS, demo_own_data, demo_own_frame
from ptvlib.data.own import is_synthetic, load_own

SCHEDULE = {"030115": 2018, "030101": 2018}


def test_same_seed_same_rows_and_every_row_labelled() -> None:
    a, b = demo_own_frame(seed=3), demo_own_frame(seed=3)
    assert a.equals(b) and not a.equals(demo_own_frame(seed=4))
    assert (a["source"] == SYNTHETIC_LABEL).all()
    assert set(zip(a["indicator"], a["offence_group"], strict=True)) == set(DEMO_EFFECTS)
    assert a["region"].nunique() == 16 and a["period"].nunique() == 13 * 12


def test_yearly_rows_are_the_monthly_sums_of_the_same_draw() -> None:
    m = demo_own_frame(seed=5)
    y = demo_own_frame(seed=5, frequency="year")
    summed = m.groupby(["region", "year", "indicator", "offence_group"])["value"].sum()
    got = y.set_index(["region", "year", "indicator", "offence_group"])["value"]
    assert got.sort_index().to_numpy() == pytest.approx(summed.sort_index().to_numpy())


def test_the_known_effects_are_in_the_treated_areas() -> None:
    """Pooled over 40 seeds the treated/untreated change in rates is the true rate ratio."""
    effects = {("cases", "violence"): 0.5, ("seizures", "total"): 1.0}
    ratios = {k: [] for k in effects}
    for seed in range(40):
        f = demo_own_frame(
            seed=seed, effects=effects, schedule=SCHEDULE, frequency="year", sentrum=False
        )
        for k in effects:
            s = f.loc[(f["indicator"] == k[0]) & (f["offence_group"] == k[1])]
            treated = s["region"].isin(list(SCHEDULE))
            post = s["year"] >= 2018

            v = s["value"]
            ratios[k].append(
                (v[treated & post].sum() / v[treated & ~post].sum())
                / (v[~treated & post].sum() / v[~treated & ~post].sum())
            )
    assert np.exp(np.mean(np.log(ratios[("cases", "violence")]))) == pytest.approx(0.5, rel=0.1)
    assert np.exp(np.mean(np.log(ratios[("seizures", "total")]))) == pytest.approx(1.0, rel=0.1)


def test_the_file_loads_as_own_data(tmp_path: Path) -> None:
    path = demo_own_data(tmp_path / "demo.csv", rate_ratio=0.7)
    own = load_own(path, frequency="month")
    assert is_synthetic(own) and len(own) == 16 * 156 * len(DEMO_EFFECTS)
    yearly = load_own(path)  # months summed to years
    assert len(yearly) == 16 * 13 * len(DEMO_EFFECTS)
    assert yearly["value"].sum() == own["value"].sum()
    levels = own.groupby("region")["level"].first()
    assert levels["030116"] == "area" and set(levels.drop("030116")) == {"bydel"}  # Sentrum


def test_bad_options_are_named() -> None:
    with pytest.raises(ParameterError, match="frequency='week' is not allowed"):
        demo_own_frame(frequency="week")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="are not bydel codes"):
        demo_own_frame(schedule={"9999": 2018})
    with pytest.raises(ParameterError, match="are not demo series"):
        demo_own_frame(effects={("patrols", "total"): 1.0})
