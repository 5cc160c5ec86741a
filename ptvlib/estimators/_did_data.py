"""Private input checks and design matrices for :func:`ptvlib.estimators.did.did`.

Every refusal is one :class:`~ptvlib.EstimationError` (data too thin
or unsuitable) or :class:`~ptvlib.ParameterError` (bad argument)
naming the field, the value and what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.estimators._base import split_periods

__all__ = ["Panel", "check_column", "check_numeric", "fe_design", "fe_dof", "prepare_panel"]


def check_column(data: pd.DataFrame, name: str, value: Any) -> None:
    """Raise ParameterError unless *value* is a column of *data*."""
    if not isinstance(value, Hashable) or value not in data.columns:
        shown = ", ".join(repr(c) for c in list(data.columns)[:20])
        raise ParameterError(f"{name}={value!r} is not a column of data; columns: {shown}")


def check_numeric(
    data: pd.DataFrame, column: str, role: str, *, counts: bool = False
) -> np.ndarray:
    """Return *column* as float64, refusing non-numeric, missing and (counts) negative values."""
    s = data[column]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise EstimationError(
            f"{role} column {column!r} must be numeric; found dtype {s.dtype} (e.g. {s.iloc[0]!r})"
        )
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        rows = list(data.index[bad][:5])
        raise EstimationError(
            f"{role} column {column!r} has {int(bad.sum())} missing or infinite value(s) "
            f"(rows {rows}); fill or drop them first"
        )
    if counts and (values < 0).any():
        neg = np.flatnonzero(values < 0)[:5]
        shown = [(data.index[i], values[i]) for i in neg]
        raise EstimationError(
            f"{role} column {column!r} has negative counts {shown} (row, value); "
            "count families (poisson, negbin) need counts >= 0"
        )
    return values


def check_time(data: pd.DataFrame, column: str) -> np.ndarray:
    """Return the time column as int64 (integer-valued numbers only)."""
    values = check_numeric(data, column, "time")
    if not np.all(values == np.round(values)):
        raise EstimationError(
            f"time column {column!r} must hold whole numbers (years or period index)"
        )
    return values.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Panel:
    """Checked analysis frame and treatment bookkeeping."""

    frame: pd.DataFrame  # unit, time, y, offset, cluster, treated, post, rel
    treated: tuple[Any, ...]
    starts: dict[Any, int]
    dropped: tuple[tuple[Any, int], ...]
    flagged: tuple[tuple[Any, int], ...]
    notes: tuple[str, ...]


def _starts(treated: Any, start: int | Mapping[Any, int]) -> tuple[list[Any], dict[Any, int]]:
    if isinstance(treated, str) or not isinstance(treated, Sequence | np.ndarray | pd.Index):
        units = [treated]
    else:
        units = list(dict.fromkeys(treated))
    if not units:
        raise ParameterError("treated=[] is not allowed; allowed: one unit or a list of units")
    if isinstance(start, Mapping):
        extra = [u for u in start if u not in units]
        missing = [u for u in units if u not in start]
        if extra or missing:
            raise ParameterError(
                f"start must give one year per treated unit; missing for {missing}, "
                f"given for units not in treated: {extra}"
            )
        starts = dict(start)
    else:
        starts = {u: start for u in units}
    for u, s in starts.items():
        if isinstance(s, bool) or not isinstance(s, int | np.integer | float) or s != int(s):
            raise ParameterError(
                f"start={s!r} for unit {u!r} is not allowed; allowed: a whole year"
            )
        starts[u] = int(s)
    return units, starts


def prepare_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Any,
    start: int | Mapping[Any, int],
    exposure: str | None,
    counts: bool,
    cluster: str | None,
    period_years: int,
    straddle: str,
) -> Panel:
    """Check the long panel and derive treatment, post and relative-period columns."""
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    for name, col in (("unit", unit), ("time", time), ("outcome", outcome)):
        check_column(data, name, col)
    if exposure is not None:
        check_column(data, "exposure", exposure)
    if cluster is not None:
        check_column(data, "cluster", cluster)
    if len(data) == 0:
        raise EstimationError("data has no rows")
    if data[unit].isna().any():
        raise EstimationError(f"unit column {unit!r} has missing values")
    t = check_time(data, time)
    y = check_numeric(data, outcome, "outcome", counts=counts)
    unit_values = data[unit].to_numpy()
    # Integer codes (units in sorted order) make the checks and the loop below O(n).
    ucodes, ulevels = pd.factorize(unit_values, sort=True)
    span = int(t.max() - t.min()) + 1
    key = ucodes.astype(np.int64) * span + (t - t.min())
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if dup.any():
        keys = pd.DataFrame({"unit": unit_values, "time": t})
        shown = list(keys.loc[dup].drop_duplicates().itertuples(index=False, name=None))[:5]
        raise EstimationError(
            f"duplicate keys ({unit!r}, {time!r}): {shown}; the panel needs one row per unit and period"
        )
    frame = pd.DataFrame({"unit": unit_values, "time": t, "y": y})
    if exposure is not None:
        e = check_numeric(data, exposure, "exposure")
        if (e <= 0).any():
            raise EstimationError(f"exposure column {exposure!r} must be > 0 (a population)")
        frame["offset"] = np.log(e)
    else:
        frame["offset"] = 0.0
    frame["cluster"] = unit_values if cluster is None else data[cluster].to_numpy()
    if frame["cluster"].isna().any():
        raise EstimationError(f"cluster column {cluster!r} has missing values")

    units, starts = _starts(treated, start)
    code_of = {u: c for c, u in enumerate(ulevels.tolist())}
    absent = [u for u in units if u not in code_of]
    if absent:
        raise EstimationError(f"treated unit(s) {absent} not found in column {unit!r}")
    is_treated = np.isin(ucodes, [code_of[u] for u in units])
    if is_treated.all():
        raise EstimationError(
            f"no control units: every unit in column {unit!r} is treated; DiD needs untreated units"
        )
    all_times = np.unique(t)
    keep = np.ones(len(frame), dtype=bool)
    post = np.zeros(len(frame), dtype=bool)
    rel = np.full(len(frame), np.nan)
    dropped: list[tuple[Any, int]] = []
    flagged: list[tuple[Any, int]] = []
    by_unit = np.argsort(ucodes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(ucodes, minlength=len(ulevels)))])
    for u in units:
        c = code_of[u]
        rows = by_unit[bounds[c] : bounds[c + 1]]
        s = starts[u]
        try:
            split = split_periods(
                t[rows],
                s,
                period_years=period_years,
                straddle=straddle,  # type: ignore[arg-type]
            )
        except EstimationError as exc:
            raise EstimationError(f"treated unit {u!r}: {exc}") from exc
        first_post = all_times[all_times - period_years + 1 >= s]
        if first_post.size and not np.any(t[rows] == first_post[0]):
            raise EstimationError(
                f"treated unit {u!r} is missing at its start: no row for {time}={int(first_post[0])} "
                f"(first period from start={s})"
            )
        keep[rows] = split.pre | split.post
        post[rows] = split.post
        rel[rows] = t[rows] - s
        dropped += [(u, y_) for y_ in split.dropped]
        flagged += [(u, y_) for y_ in split.flagged]
    frame["treated"] = is_treated
    frame["post"] = post
    frame["rel"] = rel
    kept = np.flatnonzero(keep)
    order = kept[np.lexsort((t[kept], ucodes[kept]))]  # by unit, then time
    frame = frame.take(order).reset_index(drop=True)

    notes: list[str] = []
    if counts:
        totals = frame.groupby("unit", sort=False)["y"].sum()
        zero = totals.index[totals.to_numpy() == 0].tolist()
        bad_treated = [u for u in zero if u in units]
        if bad_treated:
            raise EstimationError(
                f"treated unit(s) {bad_treated} have zero counts in every period; "
                "a count model cannot estimate their level"
            )
        if zero:
            frame = frame.loc[~frame["unit"].isin(zero)].reset_index(drop=True)
            notes.append(f"dropped control unit(s) with zero counts in every period: {zero}")
    if frame["unit"].nunique() - len(units) < 1:
        raise EstimationError("no control units left after dropping all-zero units")
    return Panel(
        frame=frame,
        treated=tuple(units),
        starts=starts,
        dropped=tuple(dropped),
        flagged=tuple(flagged),
        notes=tuple(notes),
    )


def _nested(fe_codes: np.ndarray, cluster_codes: np.ndarray) -> bool:
    """True when every level of the fixed effect lies in one cluster."""
    span = pd.Series(cluster_codes).groupby(fe_codes).agg(["min", "max"])
    return bool((span["min"] == span["max"]).all())


def fe_dof(frame: pd.DataFrame, m: int) -> int:
    """Parameter count of the CR1 factor for *m* regressors plus unit and time effects.

    ``m + 1 + Σ_f (L_f - 1)`` over fixed effects *not* nested in the clusters,
    which reproduces pyfixest's default ``ssc(k_adj=True, k_fixef="nonnested")``
    and Stata's ``reghdfe``.
    """
    clusters, _ = pd.factorize(frame["cluster"])
    k = m + 1
    for col in ("unit", "time"):
        codes, levels = pd.factorize(frame[col], sort=True)
        if not _nested(codes, clusters):
            k += len(levels) - 1
    return k


def fe_design(frame: pd.DataFrame, regressors: np.ndarray) -> tuple[np.ndarray, int]:
    """Dense design ``[regressors, 1, unit dummies, time dummies]`` and the CR1 parameter count.

    Only the wild cluster bootstrap (OLS, few clusters) and tests still need the
    dummies; the fits themselves eliminate the effects exactly
    (:mod:`ptvlib.estimators._fe`). The count is :func:`fe_dof`.
    """
    reg = np.asarray(regressors, dtype=float).reshape(len(frame), -1)
    u_codes, u_levels = pd.factorize(frame["unit"], sort=True)
    t_codes, t_levels = pd.factorize(frame["time"], sort=True)
    n = len(frame)
    du = np.zeros((n, len(u_levels)))
    du[np.arange(n), u_codes] = 1.0
    dt = np.zeros((n, len(t_levels)))
    dt[np.arange(n), t_codes] = 1.0
    X = np.column_stack([reg, np.ones(n), du[:, 1:], dt[:, 1:]])
    return X, fe_dof(frame, reg.shape[1])


def rel_reference(frame: pd.DataFrame) -> int:
    """Reference relative period: the last pre-treatment period (−1 for yearly data)."""
    pre = frame.loc[frame["treated"].to_numpy() & ~frame["post"].to_numpy(), "rel"]
    if pre.empty:
        raise EstimationError("no pre-treatment rows of treated units for an event study")
    return int(pre.max())


def finite(x: float) -> float:
    """Float or NaN (never None)."""
    return float(x) if x is not None and math.isfinite(float(x)) else math.nan
