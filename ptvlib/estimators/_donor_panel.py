"""Wide treated-and-donors panel for synthetic DiD and augmented synthetic control (private).

Wraps :func:`ptvlib.estimators._synth_core.prepare_panel` (the synthetic
control's validation: columns, dtypes, duplicate keys, periods, gaps) and adds
what those designs need: several treated units with a common start, and enough
donors for placebo inference.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import Straddle
from ptvlib.estimators._synth_core import prepare_panel

__all__ = ["DonorPanel", "prepare_donor_panel", "treated_units"]


@dataclass(frozen=True, eq=False)
class DonorPanel:
    """Outcome by period (index) and unit (treated columns first, then donors)."""

    panel: pd.DataFrame
    treated: tuple[Hashable, ...]
    start: int
    excluded: pd.DataFrame
    dropped: tuple[int, ...]
    flagged: tuple[int, ...]

    @property
    def Y(self) -> np.ndarray:
        """Donor outcomes (T, J)."""
        return self.panel.to_numpy(dtype=np.float64)[:, len(self.treated) :]

    @property
    def y(self) -> np.ndarray:
        """Mean outcome of the treated units (T,)."""
        return self.panel.to_numpy(dtype=np.float64)[:, : len(self.treated)].mean(axis=1)

    @property
    def pre(self) -> np.ndarray:
        """Pre-treatment periods (bool over the index)."""
        return self.panel.index.to_numpy(dtype=np.int64) < self.start

    @property
    def donors(self) -> list[Hashable]:
        """Donor labels in column order."""
        return list(self.panel.columns[len(self.treated) :])


def treated_units(treated: Hashable | Sequence[Hashable]) -> tuple[Hashable, ...]:
    """One unit or a sequence of units as a tuple (strings are one unit)."""
    if isinstance(treated, str) or not isinstance(treated, Sequence | np.ndarray | pd.Index):
        return (treated,)
    units = tuple(dict.fromkeys(treated))
    if not units:
        raise ParameterError("treated=[] is not allowed; allowed: one unit or a list of units")
    return units


def prepare_donor_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Hashable | Sequence[Hashable],
    start: int,
    donors: Sequence[Hashable] | None,
    period_years: int,
    straddle: Straddle,
    min_pre: int,
    design: str,
) -> DonorPanel:
    """Validate and pivot; every treated unit needs a complete series, placebos >= 2 donors.

    Raises
    ------
    ParameterError
        Malformed input (see :func:`ptvlib.synthetic_control`).
    EstimationError
        Too few periods, a treated unit with gaps, or fewer than ``N1 + 1``
        donors with complete series (*design* names the estimator).
    """
    units = treated_units(treated)
    first, others = units[0], list(units[1:])
    if donors is not None:
        clash = [d for d in donors if d in units]
        if clash:
            raise ParameterError(f"donors include the treated unit(s) {clash!r}; remove them")
    if isinstance(data, pd.DataFrame) and unit in data.columns:
        present = set(pd.unique(data[unit]).tolist())
        absent = [u for u in others if u not in present]
        if absent:
            raise ParameterError(f"treated={absent!r} not in data[{unit!r}]")
        pool = None if donors is None else others + list(donors)
    else:
        pool = None
    prep = prepare_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        treated=first,
        start=start,
        donors=pool,
        period_years=period_years,
        straddle=straddle,
        demean=False,
        min_pre=min_pre,
    )
    excluded = prep.excluded
    incomplete = [u for u in others if u not in prep.panel.columns]
    if incomplete:
        why = dict(zip(excluded["unit"], excluded["reason"], strict=True))
        raise EstimationError(
            f"treated unit {incomplete[0]!r} is not complete over the periods used: "
            f"{why.get(incomplete[0], 'missing')}"
        )
    donor_cols = [c for c in prep.panel.columns[1:] if c not in others]
    need = len(units) + 1
    if len(donor_cols) < need:
        raise EstimationError(
            f"{design} with {len(units)} treated unit(s) needs at least {need} donors with a "
            f"complete {outcome!r} series (placebo inference refits each donor against the "
            f"others); found {len(donor_cols)}"
        )
    panel = prep.panel[[*units, *donor_cols]]
    return DonorPanel(
        panel=panel,
        treated=units,
        start=prep.start,
        excluded=excluded,
        dropped=prep.dropped,
        flagged=prep.flagged,
    )
