"""Comparison and donor pools: which units a treated unit is compared with.

The calibrated designs (synthetic control, difference-in-differences,
interrupted time series ranked against untreated units) share **one pool**,
built by :func:`assessment_pool`:

1. municipalities with at least ``donor_min_population`` inhabitants the year
   before the start (Abadie 2021, sec. 3.2: comparable units; the default
   10 000 keeps about 80 units with complete series, so that a placebo
   p-value can reach 0.05 / 3 — the Holm level of the first test in a family
   of three outcomes);
2. minus the treated unit's own police district (:func:`police_district`:
   Asker and Bærum are in Oslo police district since 2017 and share its
   police, so they cannot be untreated controls);
3. minus ``excluded_regions`` (default :data:`~ptvlib.assessment.exclusions.DEFAULT_EXCLUDED`:
   municipalities whose reported crime is driven by an international airport
   or a border crossing);
4. minus units with a missing value in a period used — each listed with the
   reason in :attr:`Pool.dropped`, never dropped silently.

:func:`comparison_group` (large cities, all municipalities) serves the
descriptive comparisons of the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ptvlib.assessment.exclusions import DEFAULT_EXCLUDED, DROP_REASONS
from ptvlib.assessment.params import Params
from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.data import regions
from ptvlib.data.regions import OSLO, OSLO_POLICE_DISTRICT

__all__ = [
    "Pool",
    "assessment_pool",
    "comparison_group",
    "comparison_units",
    "donor_pool",
    "eligible",
    "police_district",
]


def police_district(code: str) -> tuple[str, ...]:
    """Municipalities (2024 codes) in the same police district as *code*, itself included.

    Only Oslo police district (Oslo, Bærum, Asker) is mapped; any other unit
    is its own district here.

    Examples
    --------
    >>> police_district("3201"), police_district("4601")
    (('0301', '3201', '3203'), ('4601',))
    """
    return OSLO_POLICE_DISTRICT if code in OSLO_POLICE_DISTRICT else (code,)


@dataclass(frozen=True, eq=False)
class Pool:
    """The treated unit and its comparison pool for one offence group.

    Attributes
    ----------
    treated : str
        Treated unit.
    units : tuple of str
        Comparison units, sorted.
    years : tuple of int
        Period end-years used (straddling and left-out periods removed).
    pre : numpy.ndarray
        Boolean mask of pre-periods over :attr:`years`.
    panel : pandas.DataFrame
        Balanced long panel of the treated unit and the pool over
        :attr:`years` (``region``, ``region_name``, ``period``, ``year``,
        ``count``, ``rate``, ``population``).
    dropped : pandas.DataFrame
        Candidates left out: ``region``, ``region_name``, ``reason`` (a key of
        :data:`~ptvlib.assessment.exclusions.DROP_REASONS`) and ``periods``
        (tuple of the period end-years without a value, for ``missing`` and
        ``zero``).
    min_population : int
        Population threshold used.
    """

    treated: str
    units: tuple[str, ...]
    years: tuple[int, ...]
    pre: np.ndarray
    panel: pd.DataFrame
    dropped: pd.DataFrame
    min_population: int

    @property
    def n(self) -> int:
        """Number of comparison units."""
        return len(self.units)

    def dropped_text(self, lang: str = "nb") -> list[str]:
        """One line per dropped unit, e.g. ``"Stavanger (1103): no value for 2018-2019"``."""
        words = DROP_REASONS[lang]
        n = len(self.years)
        order = {k: i for i, k in enumerate(DROP_REASONS[lang])}
        rows = sorted(self.dropped.itertuples(), key=lambda r: (order[r.reason], r.region))
        return [
            f"{r.region_name} ({r.region}): "
            + words[r.reason].format(detail=_periods_text(r.periods, n, lang))
            for r in rows
        ]


@lru_cache(maxsize=8)
def _population(key: str, year: int) -> pd.Series:
    """Population by region in *year* (kept per data version: *key* is its checksum)."""
    from ptvlib.data.loading import load

    pop = load("population")
    pop = pop.loc[pop["year"] == year]
    return pd.Series(pop["value"].to_numpy(), index=pop["region"].to_numpy(), name="population")


def _periods_text(years: Sequence[int], n_used: int | None = None, lang: str = "en") -> str:
    """``"2009-2010, 2010-2011"``, or ``"9 of 15 periods (2007-2008 … 2018-2019)"`` when long."""
    labels = [f"{y - 1}-{y}" for y in years]
    if len(labels) <= 3 or n_used is None:
        return ", ".join(labels)
    of, periods = ("av", "perioder") if lang == "nb" else ("of", "periods")
    return f"{len(labels)} {of} {n_used} {periods} ({labels[0]} … {labels[-1]})"


def assessment_pool(
    panel: pd.DataFrame,
    params: Params,
    *,
    treated: str | None = None,
    start: int | None = None,
    drop_years: Sequence[int] = (),
    out_of_pool: Sequence[str] = (),
) -> Pool:
    """The comparison pool of the calibrated designs (see the module notes).

    Parameters
    ----------
    panel : pandas.DataFrame
        :func:`~ptvlib.assessment.panels.offence_panel` of one group.
    params : Params
        ``donor_min_population``, ``excluded_regions``, ``start_year``,
        ``straddle`` and ``treated_region`` are read.
    treated : str, optional
        Treated unit (default ``params.treated_region``).
    start : int, optional
        First treated year (default ``params.start_year``).
    drop_years : sequence of int
        Period end-years to leave out as well (e.g. the COVID periods).
    out_of_pool : sequence of str
        More units to keep out (the calibration keeps the real treated unit's
        police district out of every pool).

    Returns
    -------
    Pool

    Raises
    ------
    EstimationError
        The treated unit has a missing value in a period used, or fewer than
        3 pre-periods or no post-period remain.
    """
    from ptvlib.data.loading import cache_key
    from ptvlib.estimators._base import split_periods

    treated = params.treated_region if treated is None else treated
    start = params.start_year if start is None else start
    years_all = np.array(sorted(set(panel["year"].astype(int)) - set(drop_years)))
    split = split_periods(years_all, start, period_years=2, straddle=params.straddle, min_pre=3)
    years = years_all[split.pre | split.post]
    pre = years < start
    sub = panel.loc[panel["year"].isin(years)]
    names = dict(zip(panel["region"], panel["region_name"], strict=False))

    own = sub.loc[sub["region"] == treated].set_index("year")
    gaps = [int(y) for y in years if y not in own.index or not own.loc[y, "count"] > 0]
    if gaps:
        raise EstimationError(
            f"treated unit {treated!r} has no value (or zero offences) for {_periods_text(gaps)}; "
            "a complete series over the periods used is required"
        )
    pop = _population(cache_key("population"), start - 1)
    pop = pop.loc[pop.index.isin(set(panel["region"]))]
    big = pop.index[pop >= params.donor_min_population]
    candidates = sorted(set(big) - {treated})
    district = set(police_district(treated)) | set(out_of_pool)
    excluded = set(params.excluded_regions)
    dropped: list[tuple[str, str, str, tuple[int, ...]]] = []
    units: list[str] = []
    wide = sub.pivot(index="year", columns="region", values="count").reindex(years)
    for code in candidates:
        name = names.get(code, code)
        if code in district:
            dropped.append((code, name, "police_district", ()))
            continue
        if code in excluded:
            dropped.append((code, name, DEFAULT_EXCLUDED.get(code, "excluded"), ()))
            continue
        col = wide[code] if code in wide.columns else pd.Series(np.nan, index=years)
        missing = [int(y) for y, v in col.items() if not np.isfinite(v)]
        if missing:
            dropped.append((code, name, "missing", tuple(missing)))
            continue
        zero = [int(y) for y, v in col.items() if v <= 0]
        if zero:
            dropped.append((code, name, "zero", tuple(zero)))
            continue
        units.append(code)
    keep = sub.loc[sub["region"].isin([treated, *units])].sort_values(
        ["region", "year"], ignore_index=True
    )
    frame = pd.DataFrame(dropped, columns=["region", "region_name", "reason", "periods"])
    return Pool(
        treated=treated,
        units=tuple(units),
        years=tuple(int(y) for y in years),
        pre=pre,
        panel=keep,
        dropped=frame,
        min_population=params.donor_min_population,
    )


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
