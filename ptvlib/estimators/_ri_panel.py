"""The balanced unit × period matrices that randomization inference works on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError

__all__ = ["RiPanel", "prepare_ri_panel"]


@dataclass(frozen=True, eq=False)
class RiPanel:
    """A balanced panel as matrices (units in rows, periods in columns).

    Attributes
    ----------
    y : ndarray, shape (N, T)
        Outcome.
    exposure : ndarray, shape (N, T), or None
        Exposure (population).
    d0 : ndarray, shape (N, T)
        Actual treatment indicator.
    units, times : tuple
        Row and column labels.
    treated : tuple
        Treated units in schedule order.
    treated_index : ndarray of int, shape (k,)
        Row of each treated unit.
    slot_start : ndarray of int, shape (k,)
        Index into ``start_index`` of each treated unit's start.
    start_index : ndarray of int, shape (S,)
        First period (column) of each distinct start.
    starts : dict
        Treated unit → start period.
    excluded : dict
        Units left out, with the reason.
    notes : tuple of str
        Notes for the reader.
    missing : dict
        Units left out → their number of missing or invalid periods.
    """

    y: np.ndarray
    exposure: np.ndarray | None
    d0: np.ndarray
    units: tuple[Any, ...]
    times: tuple[int, ...]
    treated: tuple[Any, ...]
    treated_index: np.ndarray
    slot_start: np.ndarray
    start_index: np.ndarray
    starts: dict[Any, int]
    excluded: dict[Any, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    missing: dict[Any, int] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        """Rows."""
        return int(self.y.shape[0])

    @property
    def n_periods(self) -> int:
        """Columns."""
        return int(self.y.shape[1])


def prepare_ri_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    schedule: Mapping[Any, int],
    exposure: str | None,
    log_scale: bool,
    offset: float,
    min_pre: int,
) -> RiPanel:
    """Validate a long panel and pivot it to balanced matrices.

    Raises
    ------
    ParameterError
        Missing columns, non-numeric values, repeated keys, unknown treated
        units, negative counts on the log scale, an empty schedule.
    EstimationError
        A treated unit with a gap, too few pre-periods, no post-period, fewer
        comparison units than treated ones.
    """
    cols = [unit, time, outcome] + ([exposure] if exposure else [])
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ParameterError(
            f"column(s) {missing} not in data; columns found: {list(data.columns)}"
        )
    if not schedule:
        raise ParameterError(
            "schedule={} is empty; allowed: a mapping unit -> first treated period"
        )
    frame = data[cols].copy()
    for c in [time, outcome] + ([exposure] if exposure else []):
        if not pd.api.types.is_numeric_dtype(frame[c]):
            raise ParameterError(f"column {c!r} must be numeric; found dtype {frame[c].dtype}")
    if frame.duplicated([unit, time]).any():
        first = frame.loc[frame.duplicated([unit, time], keep=False), [unit, time]].iloc[0]
        raise ParameterError(
            f"({unit}, {time}) repeats, e.g. ({first[unit]!r}, {first[time]!r}); "
            "allowed: one row per unit and period"
        )
    all_units = list(dict.fromkeys(frame[unit].tolist()))
    unknown = [u for u in schedule if u not in set(all_units)]
    if unknown:
        raise ParameterError(
            f"schedule names unit(s) {unknown} that are not in the data; allowed: "
            f"{', '.join(map(str, all_units[:20]))}"
        )
    unit_codes = pd.Index(all_units).get_indexer(frame[unit])
    time_values = frame[time].to_numpy(dtype=float)
    times = np.unique(time_values)
    if not np.all(times == np.round(times)):
        raise ParameterError(f"column {time!r} must hold whole numbers (years or a month index)")
    time_codes = np.searchsorted(times, time_values)
    ym = np.full((len(all_units), len(times)), np.nan)
    ym[unit_codes, time_codes] = frame[outcome].to_numpy(dtype=float)
    em = None
    if exposure:
        em = np.full_like(ym, np.nan)
        em[unit_codes, time_codes] = frame[exposure].to_numpy(dtype=float)
    if log_scale:
        neg = np.isfinite(ym) & (ym < 0)
        if neg.any():
            i, j = np.argwhere(neg)[0]
            raise ParameterError(
                f"{outcome}={ym[i, j]!r} for {all_units[i]!r} in {int(times[j])}: counts on the "
                "log scale must be >= 0"
            )
    bad = ~np.isfinite(ym)
    if em is not None:
        bad |= ~np.isfinite(em) | (em <= 0)
    if log_scale and offset == 0:
        bad |= ym <= 0
    excluded: dict[Any, str] = {}
    n_missing: dict[Any, int] = {}
    keep = []
    for i, u in enumerate(all_units):
        n_bad = int(bad[i].sum())
        if n_bad:
            if u in schedule:
                raise EstimationError(
                    f"treated unit {u!r} has {n_bad} missing or invalid period(s) of {outcome!r}"
                    + (f" or {exposure!r}" if exposure else "")
                    + "; randomization inference needs a complete series"
                )
            excluded[u] = f"{n_bad} missing period(s)"
            n_missing[u] = n_bad
        else:
            keep.append(i)
    units = tuple(all_units[i] for i in keep)
    ym = ym[keep]
    em = em[keep] if em is not None else None
    treated = tuple(schedule)
    if len(units) - len(treated) < len(treated):
        raise EstimationError(
            f"{len(units) - len(treated)} comparison unit(s) for {len(treated)} treated: "
            "randomization inference needs at least as many comparison units as treated ones"
        )
    starts = {u: int(s) for u, s in schedule.items()}
    distinct = sorted(set(starts.values()))
    first, last = times[0], times[-1]
    start_index = np.searchsorted(times, np.asarray(distinct, dtype=float), side="left")
    n_pre = int(start_index[0])
    if n_pre < min_pre:
        raise EstimationError(
            f"only {n_pre} period(s) before the earliest start {distinct[0]} (data from "
            f"{int(first)}); at least {min_pre} are needed"
        )
    if distinct[-1] > last:
        late = [u for u, s in starts.items() if s > last]
        raise EstimationError(
            f"start {distinct[-1]} of {late} is after the last period {int(last)}: no post-period"
        )
    row = {u: i for i, u in enumerate(units)}
    treated_index = np.array([row[u] for u in treated], dtype=np.intp)
    slot_start = np.array([distinct.index(starts[u]) for u in treated], dtype=np.intp)
    d0 = np.zeros_like(ym)
    for i, s in zip(treated_index, slot_start, strict=True):
        d0[i, start_index[s] :] = 1.0
    notes = []
    if excluded:
        notes.append(f"{len(excluded)} unit(s) with gaps left out: {', '.join(map(str, excluded))}")
    return RiPanel(
        y=ym,
        exposure=em,
        d0=d0,
        units=units,
        times=tuple(int(t) for t in times),
        treated=treated,
        treated_index=treated_index,
        slot_start=slot_start,
        start_index=start_index.astype(np.intp),
        starts=starts,
        excluded=excluded,
        notes=tuple(notes),
        missing=n_missing,
    )
