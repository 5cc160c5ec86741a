"""Option strings declared once as ``Literal`` aliases and checked at runtime.

Each public function that takes an option string names its ``Literal`` alias in
the signature and calls :func:`check_literal` at the boundary, so a typo gives
one clear :class:`~ptvlib.ParameterError` naming the allowed values.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from ptvlib.basics.exceptions import ParameterError

__all__ = [
    "BasePeriod",
    "BootWeights",
    "ChangeKind",
    "ColumnKind",
    "Comparison",
    "DidFamily",
    "DoseFamily",
    "EbMethod",
    "EstimateScale",
    "Frequency",
    "HonestMethod",
    "ItsFamily",
    "Lang",
    "Level",
    "PeriodValues",
    "PlaceboKind",
    "PlaceboStatistic",
    "RiScale",
    "SdidSolver",
    "Source",
    "StaggeredControl",
    "Straddle",
    "Unit",
    "check_literal",
]

#: Language of user-facing text: bokmål (default) or English.
Lang = Literal["nb", "en"]
#: Model family of :func:`ptvlib.did`.
DidFamily = Literal["ols", "poisson", "negbin"]
#: Model family of :func:`ptvlib.its`.
ItsFamily = Literal["poisson", "quasipoisson", "negbin", "ols"]
#: Placebo design of synthetic control: other units (space) or a fake start (time).
PlaceboKind = Literal["space", "time"]
#: Scale of the randomization-inference statistic: log rates (ratio) or the outcome as given.
RiScale = Literal["log", "level"]
#: What to do with a two-year period that straddles the start year.
Straddle = Literal["drop", "post"]
#: Comparison group for Oslo.
Comparison = Literal["large_cities", "all_municipalities", "rest_of_norway", "synthetic"]
#: Geographic level of a row.
Level = Literal["country", "county", "municipality", "bydel", "police_district", "area"]
#: Unit of a value.
Unit = Literal["count", "per_1000", "per_100000", "NOK", "MNOK", "percent", "index", "persons"]
#: How a report table formats a column (:func:`ptvlib.report.tables.table`).
ColumnKind = Literal[
    "text",
    "verbatim",
    "int",
    "number",
    "percent",
    "share",
    "p",
    "year",
    "bool",
    "label",
    "verdict",
    "estimate",
    "interval",
    "link",
]
#: Scale of an estimate in a report row: rate ratio, difference, or a value in percent.
EstimateScale = Literal["ratio", "difference", "percent", "count", "rate", "index", "rank"]
#: Where :func:`ptvlib.load` takes a table from.
Source = Literal["embedded", "ssb", "auto"]
#: Periods :func:`ptvlib.load_own` returns: calendar years, or the file's months.
Frequency = Literal["year", "month"]

#: How :func:`ptvlib.change` measures a change between two periods.
ChangeKind = Literal["absolute", "percent", "log"]
#: How :func:`ptvlib.eb_shrunk_rates` estimates the gamma prior: moments (Marshall) or marginal ML.
EbMethod = Literal["gamma-poisson", "gamma-poisson-ml"]
#: Restriction of :func:`ptvlib.honest_did` on the post-period differences in trends.
HonestMethod = Literal["relative_magnitudes", "smoothness"]
#: Comparison units of :func:`ptvlib.staggered_did`.
StaggeredControl = Literal["never_treated", "not_yet_treated"]
#: Base period of the pre-period cells: the previous period, or the one before the start.
BasePeriod = Literal["varying", "universal"]
#: Wild-bootstrap weight schemes.
BootWeights = Literal["auto", "rademacher", "webb"]
#: Weight solver of :func:`ptvlib.synthetic_did`: the exact minimiser or R synthdid's Frank-Wolfe.
SdidSolver = Literal["exact", "frank_wolfe"]
#: Statistic ranked by a placebo-in-space test: the absolute effect or the RMSPE ratio.
PlaceboStatistic = Literal["att", "ratio"]
#: Model of :func:`ptvlib.dose_response`: Poisson counts with offset, or OLS on rates.
DoseFamily = Literal["poisson", "ols"]
#: What one value of a multi-year period holds: the yearly mean (SSB 08487) or the period total.
PeriodValues = Literal["annual_mean", "period_total"]


def check_literal(name: str, value: Any, alias: Any) -> Any:
    """Return *value* if it is one of the ``Literal`` *alias* values, else raise.

    Parameters
    ----------
    name : str
        Parameter name used in the message.
    value : object
        Value to check.
    alias : typing.Literal
        The allowed values.

    Returns
    -------
    object
        *value*, unchanged.

    Raises
    ------
    ParameterError
        If *value* is not allowed; the message lists the allowed values.

    Examples
    --------
    >>> check_literal("lang", "nb", Lang)
    'nb'
    >>> check_literal("lang", "de", Lang)
    Traceback (most recent call last):
    ...
    ptvlib.ParameterError: lang='de' is not allowed; allowed: 'nb', 'en'
    """
    allowed = get_args(alias)
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"{name}={value!r} is not allowed; allowed: {shown}")
    return value
