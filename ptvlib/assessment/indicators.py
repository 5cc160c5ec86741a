"""Indicators: rates, indices, changes, shares, clearance and shrunk small-area rates.

Every function is pure and vectorised: inputs are never modified and a new
object is returned. Numbers may be scalars, lists, :class:`numpy.ndarray` or
:class:`pandas.Series`; when any input is a Series the result is a Series with
that index (two Series must hold the same labels, in any order). Missing or
undefined results (population 0, denominator 0) are NaN; impossible inputs
(negative counts, numerator above denominator) raise
:class:`~ptvlib.DataError`, bad options raise
:class:`~ptvlib.ParameterError`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.assessment.shrinkage import EbMethod, eb_shrunk_rates
from ptvlib.basics.checks import (
    _check_nonnegative,
    _check_positive_number,
    _inputs,
    _numeric,
    _wrap,
)
from ptvlib.basics.exceptions import DataError, ParameterError
from ptvlib.basics.literals import ChangeKind, check_literal

__all__ = [
    "ChangeKind",
    "EbMethod",
    "change",
    "clearance_rate",
    "eb_shrunk_rates",
    "funding_per_capita",
    "index_to_base",
    "prosecution_rate",
    "rate",
    "rate_per_1000",
    "rate_per_100000",
    "share_of_national",
]


#: Key columns used by :func:`index_to_base` and :func:`change` when ``by`` is None.
_DEFAULT_KEYS = ("region", "indicator", "offence_group", "unit")


# --------------------------------------------------------------------------- helpers
def rate(count: Any, population: Any, per: float = 1000) -> Any:
    """Rate of *count* per *per* inhabitants.

    Parameters
    ----------
    count : number, array-like or Series
        Event counts (e.g. reported offences); must be ≥ 0 (NaN allowed).
    population : number, array-like or Series
        Persons at risk (e.g. population at 1 January).
    per : float
        Scale of the rate (1000 gives "per 1 000 inhabitants").

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``per * count / population``; NaN where the population is missing or ≤ 0.

    Raises
    ------
    DataError
        A count is negative.
    ParameterError
        *per* is not a positive number, inputs are non-numeric or misaligned.

    Notes
    -----
    .. math:: r_i = \\text{per} \\cdot n_i / x_i

    Examples
    --------
    >>> rate(12, 4000)
    3.0
    >>> rate([5, 5], [1000, 0], per=100_000).tolist()
    [500.0, nan]
    """
    per_f = _check_positive_number("per", per)
    return _ratio("count", count, "population", population, per_f, f"rate_per_{per_f:g}")


def rate_per_1000(count: Any, population: Any) -> Any:
    """:func:`rate` per 1 000 inhabitants.

    Parameters
    ----------
    count, population : number, array-like or Series
        As in :func:`rate`.

    Returns
    -------
    float, numpy.ndarray or pandas.Series

    Examples
    --------
    >>> rate_per_1000(30, 10_000)
    3.0
    """
    return rate(count, population, per=1000)


def rate_per_100000(count: Any, population: Any) -> Any:
    """:func:`rate` per 100 000 inhabitants.

    Parameters
    ----------
    count, population : number, array-like or Series
        As in :func:`rate`.

    Returns
    -------
    float, numpy.ndarray or pandas.Series

    Examples
    --------
    >>> rate_per_100000(30, 10_000)
    300.0
    """
    return rate(count, population, per=100_000)


def funding_per_capita(amount_mnok: Any, population: Any) -> Any:
    """Funding in NOK per inhabitant from an amount in million NOK.

    Parameters
    ----------
    amount_mnok : number, array-like or Series
        Amount in MNOK (≥ 0; 0 before the funding starts).
    population : number, array-like or Series
        Inhabitants of the funded area.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``amount_mnok * 1e6 / population``; NaN where the population is missing or ≤ 0.

    Raises
    ------
    DataError
        A negative amount.

    Examples
    --------
    >>> round(funding_per_capita(30, 700_000), 2)  # Oslo sør, 30 MNOK a year
    42.86
    """
    return _ratio("amount_mnok", amount_mnok, "population", population, 1e6, "nok_per_capita")


def _ratio(
    num_name: str, num: Any, den_name: str, den: Any, scale: float, label: str, share: bool = False
) -> Any:
    """``scale * num / den`` with NaN for den ≤ 0; *share* also checks num ≤ den ≥ 0."""
    arr, index, scalar = _inputs(**{num_name: num, den_name: den})
    n, d = arr[num_name], arr[den_name]
    _check_nonnegative(num_name, n, index)
    if share:
        _check_nonnegative(den_name, d, index)
    over = np.flatnonzero(n > d * (1 + 1e-9) + 1e-12) if share else np.array([], dtype=int)
    if over.size:
        i = int(over[0])
        where = f" (label {index[i]!r})" if index is not None else f" (position {i})"
        raise DataError(
            f"{num_name}={float(n[i])!r} exceeds {den_name}={float(d[i])!r}{where}; "
            f"allowed: {num_name} ≤ {den_name}"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(d > 0, scale * n / np.where(d > 0, d, 1.0), np.nan)
    return _wrap(out, index, scalar, label)


def clearance_rate(cleared: Any, investigated: Any) -> Any:
    """Share of investigated cases that were cleared (oppklaringsprosent), in percent.

    Parameters
    ----------
    cleared : number, array-like or Series
        Cleared (solved) cases, ≥ 0.
    investigated : number, array-like or Series
        Investigated (finally processed) cases, ≥ *cleared*.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``100 * cleared / investigated``; NaN where *investigated* is 0 or missing.

    Raises
    ------
    DataError
        Negative values, or *cleared* above *investigated* (names the label).

    Examples
    --------
    >>> clearance_rate(45, 60)
    75.0
    >>> clearance_rate([1, 0], [2, 0]).tolist()
    [50.0, nan]
    """
    return _ratio("cleared", cleared, "investigated", investigated, 100.0, "clearance_rate", True)


def prosecution_rate(prosecuted: Any, cleared_or_investigated: Any) -> Any:
    """Share of cases with a prosecution decision (påtaleprosent), in percent.

    Parameters
    ----------
    prosecuted : number, array-like or Series
        Cases ending in indictment, fine or waiver of prosecution (≥ 0).
    cleared_or_investigated : number, array-like or Series
        Denominator: cleared or investigated cases (≥ *prosecuted*).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``100 * prosecuted / cleared_or_investigated``; NaN for a zero denominator.

    Raises
    ------
    DataError
        Negative values, or *prosecuted* above the denominator.

    Examples
    --------
    >>> prosecution_rate(30, 40)
    75.0
    """
    den = "cleared_or_investigated"
    return _ratio(
        "prosecuted", prosecuted, den, cleared_or_investigated, 100.0, "prosecution_rate", True
    )


def share_of_national(region_values: Any, national_values: Any) -> Any:
    """A region's share of the national total, in percent.

    Parameters
    ----------
    region_values : number, array-like or Series
        Counts (or amounts) for the region, ≥ 0.
    national_values : number, array-like or Series
        National totals for the same periods, ≥ *region_values*.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``100 * region / national``; NaN where the national value is 0 or missing.

    Raises
    ------
    DataError
        Negative values, or a region value above the national one.

    Examples
    --------
    >>> share_of_national(60_000, 300_000)
    20.0
    """
    return _ratio(
        "region_values",
        region_values,
        "national_values",
        national_values,
        100.0,
        "share_of_national",
        True,
    )


# --------------------------------------------------------------------------- index and change
def _keys(frame: pd.DataFrame, by: str | Sequence[str] | None, time: str, value: str) -> list[str]:
    for col in (time, value):
        if col not in frame.columns:
            raise ParameterError(
                f"column {col!r} is not in the data; columns: {list(frame.columns)}"
            )
    if by is None:
        return [c for c in _DEFAULT_KEYS if c in frame.columns]
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise ParameterError(f"by={missing!r} not in the data; columns: {list(frame.columns)}")
    return keys


def _check_unique(frame: pd.DataFrame, cols: list[str]) -> None:
    dup = frame.duplicated(subset=cols, keep=False)
    if dup.any():
        row = frame.loc[dup, cols].iloc[0].to_dict()
        raise DataError(f"several rows share the same group and period, e.g. {row}; pass by=")


def index_to_base(
    data: pd.DataFrame | pd.Series,
    base: Hashable | Sequence[Hashable] | range,
    *,
    by: str | Sequence[str] | None = None,
    time: str = "year",
    value: str = "value",
) -> pd.DataFrame | pd.Series:
    """Index a series to its value in a base period (= 100), within groups.

    Parameters
    ----------
    data : DataFrame or Series
        A tidy frame (one row per group and period) or a Series indexed by period.
    base : period, sequence of periods or range
        One base period (e.g. ``2017``) or several whose mean is the base
        (e.g. ``range(2015, 2018)`` for 2015–2017).
    by : str or list of str, optional
        Group columns. Default: those of ``region, indicator, offence_group, unit``
        present. ``[]`` indexes the whole frame as one series.
    time, value : str
        Period and value columns.

    Returns
    -------
    DataFrame or Series
        A copy where *value* is ``100 * value / base_value``; a frame's ``unit``
        column (if any) becomes ``"index"``.

    Raises
    ------
    DataError
        A group lacks (a value for) a base period, has a zero base, or has duplicate periods.
    ParameterError
        Unknown columns.

    Notes
    -----
    .. math:: I_{g,t} = 100 \\cdot y_{g,t} / \\bar y_{g,B},\\quad
              \\bar y_{g,B} = |B|^{-1} \\sum_{b \\in B} y_{g,b}

    Examples
    --------
    >>> s = pd.Series([80.0, 100.0, 120.0], index=[2016, 2017, 2018])
    >>> index_to_base(s, 2017).tolist()
    [80.0, 100.0, 120.0]
    >>> index_to_base(s, [2016, 2017]).round(1).tolist()
    [88.9, 111.1, 133.3]
    """
    periods = list(base) if isinstance(base, (list, tuple, range, set, np.ndarray)) else [base]
    if not periods:
        raise ParameterError("base is empty; allowed: one period or a non-empty sequence")
    label = str(periods[0]) if len(periods) == 1 else f"{periods[0]}–{periods[-1]}"
    if isinstance(data, pd.Series):
        if data.index.has_duplicates:
            raise DataError("the Series index has duplicate periods")
        missing = [p for p in periods if p not in data.index or pd.isna(data.get(p))]
        if missing:
            raise DataError(f"base period(s) {missing} missing; available: {list(data.index)}")
        vals, _, _ = _numeric("data", data)
        b = float(np.mean(vals[data.index.get_indexer(periods)]))
        if b == 0:
            raise DataError(f"base value is 0 for base={label}; an index is undefined")
        return pd.Series(100.0 * vals / b, index=data.index, name=data.name)
    keys = _keys(data, by, time, value)
    frame = data.copy()
    grp = keys or ["__all__"]
    if not keys:
        frame["__all__"] = 0
    _check_unique(frame, [*grp, time])
    vals, _, _ = _numeric(value, frame[value])
    frame[value] = vals
    in_base = frame[frame[time].isin(periods) & frame[value].notna()]
    stats = in_base.groupby(grp, dropna=False)[value].agg(["mean", "count"]).reset_index()
    merged = frame[grp].merge(stats, on=grp, how="left")
    bad = merged["count"].fillna(0).to_numpy() < len(periods)
    if bad.any():
        row = merged.loc[bad, keys].iloc[0].to_dict() if keys else {}
        raise DataError(
            f"base period(s) {periods} missing or NaN for group {row}; "
            f"allowed: periods present for every group"
        )
    base_vals = merged["mean"].to_numpy()
    if (base_vals == 0).any():
        row = merged.loc[base_vals == 0, keys].iloc[0].to_dict() if keys else {}
        raise DataError(f"base value is 0 for group {row}; an index is undefined")
    frame[value] = 100.0 * vals / base_vals
    if "unit" in frame.columns:
        frame["unit"] = "index"
    return frame.drop(columns="__all__") if not keys else frame


def _change(a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "absolute":
            return b - a
        if kind == "percent":
            return np.where(a != 0, 100.0 * (b - a) / np.where(a != 0, a, 1.0), np.nan)
        ok = (a > 0) & (b > 0)
        return np.where(ok, np.log(np.where(ok, b, 1.0) / np.where(ok, a, 1.0)), np.nan)


def change(
    data: pd.Series | pd.DataFrame,
    from_: Hashable,
    to: Hashable,
    kind: ChangeKind = "absolute",
    *,
    by: str | Sequence[str] | None = None,
    time: str = "year",
    value: str = "value",
) -> float | pd.Series:
    """Change of a series from one period to another.

    Parameters
    ----------
    data : Series or DataFrame
        A Series indexed by period, or a tidy frame (one row per group and period).
    from_, to : period
        Periods to compare (e.g. ``2017`` and ``2023``).
    kind : {"absolute", "percent", "log"}
        ``to - from``, ``100 * (to - from) / from`` or ``ln(to / from)``.
    by : str or list of str, optional
        Group columns of a frame (default as in :func:`index_to_base`).
    time, value : str
        Period and value columns of a frame.

    Returns
    -------
    float or Series
        A float for a Series; for a frame a Series indexed by the groups. Percent
        change from 0 and log change of a non-positive value are NaN.

    Raises
    ------
    DataError
        A period is missing (for a Series, or for some group of a frame).
    ParameterError
        Unknown *kind* or columns.

    Examples
    --------
    >>> s = pd.Series([50.0, 40.0], index=[2017, 2023])
    >>> change(s, 2017, 2023), change(s, 2017, 2023, "percent")
    (-10.0, -20.0)
    >>> round(change(s, 2017, 2023, "log"), 4)
    -0.2231
    """
    check_literal("kind", kind, ChangeKind)
    if isinstance(data, pd.Series):
        if data.index.has_duplicates:
            raise DataError("the Series index has duplicate periods")
        for p in (from_, to):
            if p not in data.index:
                raise DataError(f"period {p!r} is not in the data; available: {list(data.index)}")
        vals, _, _ = _numeric("data", data.loc[[from_, to]])
        return float(_change(vals[:1], vals[1:], kind)[0])
    keys = _keys(data, by, time, value)
    grp = keys or ["__all__"]
    frame = data.assign(__all__=0) if not keys else data
    _check_unique(frame, [*grp, time])
    wide = frame[frame[time].isin([from_, to])].pivot_table(
        index=grp, columns=time, values=value, aggfunc="first", dropna=False
    )
    all_groups = frame[grp].drop_duplicates().set_index(grp).index
    wide = wide.reindex(all_groups)
    for p in (from_, to):
        if p not in wide.columns:
            raise DataError(f"period {p!r} is not in the data for any group")
    rows = frame[frame[time].isin([from_, to])].groupby(grp, dropna=False)[time].nunique()
    short = rows.reindex(all_groups).fillna(0) < 2
    if short.any():
        raise DataError(
            f"period {from_!r} or {to!r} is missing for group {short[short].index[0]!r}"
        )
    a, _, _ = _numeric(value, wide[from_])
    b, _, _ = _numeric(value, wide[to])
    out = pd.Series(_change(a, b, kind), index=wide.index, name=f"change_{kind}")
    if not keys:
        out.index = pd.RangeIndex(len(out))
    return out
