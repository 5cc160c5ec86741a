"""Comparison and donor pools: which units a treated unit is compared with.

A comparison group (:func:`comparison_group`) is a list of analysis-unit
codes; the donor pool of synthetic control keeps units above a population
threshold; the panel designs need units with enough periods on both sides of
the start.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ptvlib.assessment.params import Params
from ptvlib.basics.exceptions import ParameterError
from ptvlib.data import regions
from ptvlib.data.regions import OSLO

__all__ = ["comparison_group", "comparison_units", "donor_pool", "eligible"]


def comparison_group(
    name: str,
    *,
    treated: str = OSLO,
    population: pd.DataFrame | None = None,
    year: int = 2024,
    n_large: int = 10,
) -> list[str]:
    """Analysis-unit codes of a comparison group for the treated unit.

    Parameters
    ----------
    name : {"large_cities", "all_municipalities", "rest_of_norway"}
        ``large_cities``: the *n_large* most populous units other than the
        treated one in *year*; ``all_municipalities``: every unit except the
        treated one; ``rest_of_norway``: same members as
        ``all_municipalities`` (the notebooks aggregate them into one series).
    treated : str
        Unit to leave out.
    population : pandas.DataFrame, optional
        Population table (``region``, ``year``, ``value``); loaded when omitted.
    year : int
        Year whose population ranks the large cities.
    n_large : int
        Number of large cities.

    Returns
    -------
    list of str

    Raises
    ------
    ParameterError
        Unknown group name.

    Examples
    --------
    >>> comparison_group("large_cities")[:3]
    ['4601', '5001', '1103']
    """
    allowed = ("large_cities", "all_municipalities", "rest_of_norway")
    if name not in allowed:
        raise ParameterError(f"comparison={name!r} is not allowed; allowed: {', '.join(allowed)}")
    units = sorted(set(regions.analysis_units()["unit_code"]) - {treated})
    if name != "large_cities":
        return units
    if population is None:
        from ptvlib.data.loading import load

        population = load("population")
    pop = population.loc[(population["year"] == year) & population["region"].isin(units)]
    ranked = pop.sort_values("value", ascending=False)["region"].tolist()
    return ranked[:n_large]


def comparison_units(params: Params, panel: pd.DataFrame) -> list[str]:
    name = (
        params.comparison
        if params.comparison in ("large_cities", "all_municipalities")
        else "large_cities"
    )
    units = comparison_group(name, treated=params.treated_region, n_large=params.n_large)
    return [u for u in units if u in set(panel["region"])]


def donor_pool(panel: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Treated unit plus municipalities with >= donor_min_population inhabitants the year before start.

    With ~200 small donors and ~10 pre-periods a convex combination fits most
    placebo units exactly before the start, so their post/pre RMSPE ratio is
    infinite and the placebo p-value says nothing; small units also have noisy
    rates. Restricting the pool to comparable units follows Abadie (2021,
    J Econ Lit 59(2):391–425, section 3.2).
    """
    if params.donor_min_population <= 0:
        return panel
    from ptvlib.data.loading import load

    pop = load("population")
    year = params.start_year - 1
    big = pop.loc[(pop["year"] == year) & (pop["value"] >= params.donor_min_population), "region"]
    keep = set(big) | {params.treated_region}
    return panel.loc[panel["region"].isin(keep)]


def eligible(panel: pd.DataFrame, units: Sequence[str], start: int) -> pd.DataFrame:
    """Rows of *units* with at least 3 periods before *start* and one from it (panel may be unbalanced)."""
    sub = panel.loc[panel["region"].isin(units)]
    pre = sub["year"] < start
    n_pre = pre.groupby(sub["region"]).transform("sum")
    n_post = (sub["year"] - 1 >= start).groupby(sub["region"]).transform("sum")
    return sub.loc[(n_pre >= 3) & (n_post >= 1)]
