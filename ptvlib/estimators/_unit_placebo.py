"""Placebo-in-space results shared by synthetic DiD and augmented synthetic control (private).

Every donor (or, with several treated units, every drawn set of donors) is in
turn the pseudo-treated unit, fitted against the other donors with the real
treated units left out. The result is a :class:`~ptvlib.estimators.synth.PlaceboResult`
(same table, plot and ``p_value`` as synthetic control's placebo-in-space),
extended with the statistic used for the rank and the placebo estimates
themselves, so that a caller can derive the minimum detectable effect.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from ptvlib.estimators._synth_core import PlaceboResult, gap_stats, rank_p

__all__ = ["PlaceboStatistic", "UnitPlaceboResult", "unit_placebo_result"]

#: Statistic ranked by a placebo-in-space test: the absolute effect or the RMSPE ratio.
PlaceboStatistic = Literal["att", "ratio"]


@dataclass(frozen=True, eq=False)
class UnitPlaceboResult(PlaceboResult):
    """Placebo-in-space runs of synthetic DiD or augmented synthetic control.

    Attributes
    ----------
    kind, table, gaps, real_gap, start_x
        As in :class:`~ptvlib.estimators.synth.PlaceboResult`. ``table`` also
        has ``abs_att``; with several treated units ``unit`` names the
        pseudo-treated set (``"a+b"``).
    p_value : float
        ``#{runs with statistic >= the real one} / #runs``, the real run
        included; the statistic is ``abs_att`` (two-sided) or ``ratio``.
    statistic : {"att", "ratio"}
        Statistic ranked.
    estimates : numpy.ndarray
        Placebo estimates, one per run in the order of :attr:`units` (the real
        run excluded): the null distribution of the estimator. Adding an effect
        to the treated unit's post-periods shifts the real estimate by exactly
        that effect and leaves these unchanged (the weights use pre-period and
        donor data only), so the minimum detectable effect at level
        :math:`a` is the :math:`1-a` quantile of ``abs(estimates)``.
    units : tuple
        Pseudo-treated unit (or set) of each placebo run.
    """

    statistic: str = "att"
    estimates: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    units: tuple[Hashable, ...] = field(default=(), repr=False)


def unit_placebo_result(
    *,
    labels: Sequence[Hashable],
    gaps: np.ndarray,
    pre: np.ndarray,
    level: float,
    real_label: Hashable,
    real_gap: np.ndarray,
    index: pd.Index,
    start_x: float,
    statistic: PlaceboStatistic,
) -> UnitPlaceboResult:
    """Build the placebo table, rank p-value and gap frame from placebo gap paths.

    Parameters
    ----------
    labels : sequence
        Pseudo-treated unit (or set label) of each run.
    gaps : numpy.ndarray, shape (T, K)
        Gap path of each placebo run (treated minus counterfactual, by period).
    pre : numpy.ndarray of bool, shape (T,)
        Pre-treatment periods.
    level : float
        Outcome level for the rounding-noise floor of the RMSPEs.
    real_label : hashable
        Label of the real run.
    real_gap : numpy.ndarray, shape (T,)
        Gap path of the real fit.
    index : pandas.Index
        Periods.
    start_x : float
        Where a plot draws the start.
    statistic : {"att", "ratio"}
        Statistic ranked for the p-value.

    Returns
    -------
    UnitPlaceboResult
    """
    post = ~pre
    rows = [gap_stats(gaps[:, k], pre, post, level) for k in range(gaps.shape[1])]
    real = gap_stats(real_gap, pre, post, level)
    table = pd.DataFrame([real, *rows], columns=["pre_rmspe", "post_rmspe", "ratio", "att"])
    table.insert(0, "unit", pd.Series([real_label, *labels], dtype=object))
    table["abs_att"] = table["att"].abs()
    table["treated"] = np.arange(len(table)) == 0
    key = "abs_att" if statistic == "att" else "ratio"
    values = table[key].to_numpy(dtype=float)
    p = rank_p(values, values[0])
    table = table.sort_values(key, ascending=False, kind="stable", na_position="last")
    table["rank"] = np.arange(1, len(table) + 1)
    gap_frame = pd.DataFrame(gaps, index=index, columns=pd.Index(list(labels), dtype=object))
    return UnitPlaceboResult(
        kind="space",
        table=table.reset_index(drop=True),
        p_value=p,
        gaps=gap_frame,
        real_gap=pd.Series(real_gap, index=index, name="gap"),
        start_x=start_x,
        statistic=statistic,
        estimates=np.asarray([r[3] for r in rows], dtype=float),
        units=tuple(labels),
    )
