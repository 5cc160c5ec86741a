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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError
from ptvlib.basics.literals import PlaceboKind, PlaceboStatistic, check_literal
from ptvlib.estimators._base import split_periods
from ptvlib.estimators._synth_core import (
    NOISE,
    PlaceboResult,
    gap_stats,
    outcome_level,
    rank_p,
    start_x,
)

if TYPE_CHECKING:
    from ptvlib.basics.literals import Straddle

__all__ = ["DonorDesignMixin", "PlaceboStatistic", "UnitPlaceboResult", "unit_placebo_result"]


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
        donor data only), so a caller can inject effects and re-rank to find
        the minimum detectable effect; a level-:math:`a` test rejects roughly
        when ``abs(att)`` exceeds the :math:`1-a` quantile of ``abs(estimates)``.
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
    every = np.column_stack([real_gap, gaps])  # real run first
    pre_r = np.sqrt(np.mean(every[pre] ** 2, axis=0))
    post_r = np.sqrt(np.mean(every[post] ** 2, axis=0))
    noise = NOISE * level  # as gap_stats: RMSPEs below the floor are rounding noise
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pre_r > noise, post_r / pre_r, np.where(post_r > noise, np.inf, np.nan))
    att = np.mean(every[post], axis=0)
    table = pd.DataFrame({"pre_rmspe": pre_r, "post_rmspe": post_r, "ratio": ratio, "att": att})
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
        estimates=att[1:].copy(),
        units=tuple(labels),
    )


def _restat(res: UnitPlaceboResult, statistic: PlaceboStatistic) -> UnitPlaceboResult:
    """The same placebo runs ranked by another statistic."""
    if res.statistic == statistic:
        return res
    table = res.table.sort_values("treated", ascending=False, kind="stable")
    col = "abs_att" if statistic == "att" else "ratio"
    vals = table[col].to_numpy(dtype=float)
    p = rank_p(vals, vals[0])
    table = table.sort_values(col, ascending=False, kind="stable", na_position="last")
    table["rank"] = np.arange(1, len(table) + 1)
    return UnitPlaceboResult(
        kind=res.kind,
        table=table.reset_index(drop=True),
        p_value=p,
        gaps=res.gaps,
        real_gap=res.real_gap,
        start_x=res.start_x,
        statistic=statistic,
        estimates=res.estimates,
        units=res.units,
    )


class DonorDesignMixin:
    """Periods, placebo runs and placebo p-value shared by the SDID and ASCM results.

    The result dataclass provides ``panel`` (treated columns first), ``treated``,
    ``start``, ``gap``, ``period_years``, ``straddle``, ``min_pre``, ``_space``
    (the placebo-in-space runs, computed at fit time) and ``_cache``, and
    implements ``_refit_gap(Y, pre)`` for placebo-in-time runs.
    """

    panel: pd.DataFrame
    treated: tuple[Hashable, ...]
    start: int
    gap: pd.Series
    period_years: int
    straddle: Straddle
    min_pre: int
    _space: UnitPlaceboResult
    _cache: dict[str, Any]

    def _refit_gap(self, Y: np.ndarray, pre: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    @property
    def times(self) -> np.ndarray:
        """Periods used (int array)."""
        return self.panel.index.to_numpy(dtype=np.int64)

    @property
    def pre(self) -> np.ndarray:
        """Boolean mask of pre-treatment periods over :attr:`times`."""
        return self.times < self.start

    @property
    def n_pre(self) -> int:
        """Number of pre-treatment periods."""
        return int(self.pre.sum())

    @property
    def n_post(self) -> int:
        """Number of post-treatment periods."""
        return int((~self.pre).sum())

    @property
    def placebo_estimates(self) -> np.ndarray:
        """Estimate of every placebo-in-space run: the null distribution behind :attr:`se`."""
        return self._space.estimates

    @property
    def p_value(self) -> float:
        """Placebo-in-space rank p-value of :attr:`att` (two-sided, real run included)."""
        return self._space.p_value

    def placebo(
        self, kind: PlaceboKind = "space", *, statistic: PlaceboStatistic = "att"
    ) -> UnitPlaceboResult:
        """Placebo runs in space (other donors) or in time (fake start years).

        Parameters
        ----------
        kind : {"space", "time"}
            ``"space"``: every donor in turn is the pseudo-treated unit, fitted
            on the other donors with the treated unit(s) left out (with several
            treated units, random donor sets of the same size, as in Algorithm 4).
            ``"time"``: the start is moved to each earlier year that leaves
            ``min_pre`` pre-periods, on data before the real start only.
        statistic : {"att", "ratio"}
            Statistic ranked: the absolute estimate (default; the placebo
            variance test) or the post/pre RMSPE ratio of the gap paths
            (Abadie et al. 2010).

        Returns
        -------
        UnitPlaceboResult
            A :class:`~ptvlib.estimators.synth.PlaceboResult` with
            ``estimates`` (placebo estimates) and ``statistic``.

        Raises
        ------
        EstimationError
            No fake start leaves ``min_pre`` pre-periods and one fake post-period.
        """
        check_literal("kind", kind, PlaceboKind)
        check_literal("statistic", statistic, PlaceboStatistic)
        key = f"{kind}:{statistic}"
        if key not in self._cache:
            if kind == "space":
                self._cache[key] = _restat(self._space, statistic)
            else:
                self._cache[key] = self._placebo_time(statistic)
        return self._cache[key]

    def _placebo_time(self, statistic: PlaceboStatistic) -> UnitPlaceboResult:
        Y = self.panel.to_numpy(dtype=float)
        pre, times = self.pre, self.times
        Yp, tp = Y[pre], times[pre]
        rows: list[tuple[int, float, float, float, float]] = []
        paths: dict[int, pd.Series] = {}
        seen: set[tuple[bytes, bytes]] = set()
        for fake in range(int(tp.min()) + 1, int(tp.max()) + 1):
            try:
                sp = split_periods(
                    tp,
                    fake,
                    period_years=self.period_years,
                    straddle=self.straddle,
                    min_pre=self.min_pre,
                )
            except EstimationError:
                continue
            used = sp.pre | sp.post
            key = (sp.pre.tobytes(), sp.post.tobytes())
            if key in seen:
                continue
            seen.add(key)
            fpre = sp.pre[used]
            gap = self._refit_gap(Yp[used], fpre)
            rows.append((fake, *gap_stats(gap, fpre, ~fpre, outcome_level(Y))))
            paths[fake] = pd.Series(gap, index=tp[used])
        if not rows:
            raise EstimationError(
                f"placebo-in-time needs a fake start with at least min_pre={self.min_pre} "
                f"pre-period(s) and 1 fake post-period before start={self.start}; "
                f"there are only {tp.size} pre-period(s)"
            )
        table = pd.DataFrame(rows, columns=["start", "pre_rmspe", "post_rmspe", "ratio", "att"])
        real = gap_stats(self.gap.to_numpy(), pre, ~pre, outcome_level(Y))
        table = pd.concat(
            [pd.DataFrame([(self.start, *real)], columns=table.columns), table], ignore_index=True
        )
        table["abs_att"] = table["att"].abs()
        table["treated"] = np.arange(len(table)) == 0
        col = "abs_att" if statistic == "att" else "ratio"
        vals = table[col].to_numpy(dtype=float)
        p = rank_p(vals, vals[0])
        est = table["att"].to_numpy()[1:]
        table = table.sort_values(col, ascending=False, kind="stable", na_position="last")
        table["rank"] = np.arange(1, len(table) + 1)
        return UnitPlaceboResult(
            kind="time",
            table=table.reset_index(drop=True),
            p_value=p,
            gaps=pd.DataFrame(paths).reindex(self.panel.index[pre]),
            real_gap=self.gap,
            start_x=start_x(times, self.start),
            statistic=statistic,
            estimates=est,
            units=tuple(int(s) for s in table.loc[~table["treated"], "start"]),
        )
