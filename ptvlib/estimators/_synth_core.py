"""Internals of :func:`ptvlib.estimators.synth.synthetic_control`.

* :func:`prepare_panel` checks the inputs at the boundary and turns a long
  ``(unit, time, outcome)`` frame into a wide outcome panel over the periods
  used (treated unit first, then the donors with a complete series), raising
  one clear error per problem that names the field, the bad value and what is
  allowed or missing;
* array-level helpers fit one synthetic path and summarise a gap;
* :class:`PlaceboResult` holds placebo runs (re-exported by
  :mod:`ptvlib.estimators.synth`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import Lang, Straddle, check_literal
from ptvlib.basics.numbers import p_value
from ptvlib.estimators._base import split_periods
from ptvlib.estimators._simplex import simplex_lstsq

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "NOISE",
    "PlaceboResult",
    "Prepared",
    "fit_path",
    "gap_stats",
    "outcome_level",
    "outside_range",
    "prepare_panel",
    "rank_p",
    "start_x",
]

#: Figure labels of :meth:`PlaceboResult.plot` by language.
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "runs_space": "placebo-enheter",
        "runs_time": "placebo-startår",
        "real_gap": "faktisk avvik",
        "ylabel": "avvik (behandlet − syntetisk)",
        "title_space": "Placebo i rom: {p}",
        "title_time": "Placebo i tid: {p}",
    },
    "en": {
        "runs_space": "placebo units",
        "runs_time": "placebo start years",
        "real_gap": "real gap",
        "ylabel": "gap (treated - synthetic)",
        "title_space": "Placebo in space: {p}",
        "title_time": "Placebo in time: {p}",
    },
}


@dataclass(frozen=True)
class Prepared:
    """Wide panel ready for fitting.

    Attributes
    ----------
    panel : pandas.DataFrame
        Outcome by period (index, int) and unit (columns: treated, then donors).
    treated : hashable
        Treated unit label as found in the data.
    start : int
        First treated year.
    excluded : pandas.DataFrame
        Candidate donors left out, columns ``unit`` and ``reason``.
    dropped, flagged : tuple of int
        Straddling periods dropped or kept as post-periods.
    """

    panel: pd.DataFrame
    treated: Hashable
    start: int
    excluded: pd.DataFrame
    dropped: tuple[int, ...]
    flagged: tuple[int, ...]


def _show(values: Sequence[object], limit: int = 8) -> str:
    items = [repr(v) if isinstance(v, str) else str(v) for v in list(values)[:limit]]
    more = len(values) - limit
    return ", ".join(items) + (f", ... ({more} more)" if more > 0 else "")


def _as_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer | float | np.floating):
        raise ParameterError(f"{name}={value!r} is not allowed; allowed: an integer year")
    if not float(value).is_integer():
        raise ParameterError(f"{name}={value!r} is not allowed; allowed: an integer year")
    return int(value)


def _check_columns(data: object, unit: str, time: str, outcome: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(
            f"data must be a pandas DataFrame in long format (one row per unit and period); "
            f"got {type(data).__name__}"
        )
    for name, col in (("unit", unit), ("time", time), ("outcome", outcome)):
        if col not in data.columns:
            raise ParameterError(
                f"{name}={col!r} is not a column of data; available columns: {_show(list(data.columns), 20)}"
            )
    frame = data[[unit, time, outcome]]
    y = frame[outcome]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        example = y.dropna().iloc[0] if y.notna().any() else None
        raise ParameterError(
            f"outcome={outcome!r} must be a numeric column; it has dtype {y.dtype} "
            f"(e.g. value {example!r}); convert it with pandas.to_numeric first"
        )
    t = frame[time]
    if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t):
        raise ParameterError(
            f"time={time!r} must hold integer years; it has dtype {t.dtype} (e.g. {t.iloc[0]!r})"
        )
    bad_t = t.isna() | (t.astype("float64") % 1 != 0)
    if bad_t.any():
        raise ParameterError(
            f"time={time!r} must hold integer years; {int(bad_t.sum())} row(s) do not, "
            f"e.g. {t[bad_t].iloc[0]!r}"
        )
    if frame[unit].isna().any():
        raise ParameterError(f"unit={unit!r} has {int(frame[unit].isna().sum())} missing value(s)")
    dup = frame.duplicated([unit, time], keep=False)
    if dup.any():
        first = frame[dup].iloc[0]
        raise ParameterError(
            f"data has {int(dup.sum())} rows with duplicate ({unit}, {time}) keys, e.g. "
            f"({first[unit]!r}, {int(first[time])}); each unit may appear once per period"
        )
    return frame


def prepare_panel(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Hashable,
    start: int,
    donors: Sequence[Hashable] | None,
    period_years: int,
    straddle: Straddle,
    demean: bool,
    min_pre: int,
) -> Prepared:
    """Validate the inputs of ``synthetic_control`` and build the wide panel.

    Parameters
    ----------
    data, unit, time, outcome, treated, start, donors, period_years, straddle, demean, min_pre
        As in :func:`ptvlib.estimators.synth.synthetic_control`.

    Returns
    -------
    Prepared

    Raises
    ------
    ParameterError
        Malformed input (see ``synthetic_control``).
    EstimationError
        Too few periods, treated unit incomplete, or no complete donor.
    """
    check_literal("straddle", straddle, Straddle)
    if period_years not in (1, 2) or isinstance(period_years, bool):
        raise ParameterError(f"period_years={period_years!r} is not allowed; allowed: 1, 2")
    if isinstance(min_pre, bool) or not isinstance(min_pre, int | np.integer) or min_pre < 1:
        raise ParameterError(f"min_pre={min_pre!r} is not allowed; allowed: an integer >= 1")
    if not isinstance(demean, bool | np.bool_):
        raise ParameterError(f"demean={demean!r} is not allowed; allowed: True, False")
    start = _as_int("start", start)
    frame = _check_columns(data, unit, time, outcome)

    units = pd.unique(frame[unit])
    if treated not in set(units.tolist()):
        raise ParameterError(
            f"treated={treated!r} is not in data[{unit!r}]; units present include: {_show(units.tolist())}"
        )
    if donors is None:
        candidates = [u for u in units.tolist() if u != treated]
    else:
        candidates = list(dict.fromkeys(donors))
        unknown = [d for d in candidates if d not in set(units.tolist())]
        if unknown:
            raise ParameterError(f"donors not in data[{unit!r}]: {_show(unknown)}")
        if treated in candidates:
            raise ParameterError(f"donors include the treated unit {treated!r}; remove it")
        if not candidates:
            raise ParameterError("donors is empty; give at least one donor unit or None for all")

    values = frame[outcome].astype("float64").where(np.isfinite(frame[outcome].astype("float64")))
    long = pd.DataFrame(
        {"u": frame[unit].to_numpy(dtype=object), "t": frame[time].astype("int64"), "y": values}
    )
    wide = long.pivot(index="t", columns="u", values="y").sort_index()
    own = wide[treated]
    if own.notna().sum() == 0:
        raise EstimationError(f"treated unit {treated!r} has no non-missing {outcome!r} values")
    wide = wide.loc[
        wide.index >= own.first_valid_index()
    ]  # periods before the treated series begins are unused
    times = wide.index.to_numpy(dtype=np.int64)
    split = split_periods(
        times, start, period_years=period_years, straddle=straddle, min_pre=min_pre
    )
    used = split.pre | split.post
    wide = wide.loc[used]
    times, pre = times[used], split.pre[used]

    missing = times[wide[treated].isna().to_numpy()]
    if missing.size:
        first_post = int(times[~pre].min())
        if first_post in set(missing.tolist()):
            raise EstimationError(
                f"treated unit {treated!r} has no {outcome!r} value at the start: the first "
                f"post-treatment period {first_post} (start={start}) is missing"
            )
        kind = "pre-treatment" if np.isin(missing, times[pre]).any() else "post-treatment"
        raise EstimationError(
            f"treated unit {treated!r} is missing {outcome!r} in {kind} period(s) "
            f"{_show(missing.tolist())}; a complete series over {times.min()}-{times.max()} is required"
        )

    reasons: list[tuple[Hashable, str]] = []
    keep: list[Hashable] = []
    # One missing-value matrix for all candidates (a pandas lookup per donor is slow).
    missing_matrix = wide.reindex(columns=candidates).isna().to_numpy()
    for d, miss in zip(candidates, missing_matrix.T, strict=True):
        gaps = times[miss]
        if gaps.size == 0:
            keep.append(d)
        elif gaps.size == times.size:
            reasons.append(
                (d, f"no {outcome!r} values in the periods used ({times.min()}-{times.max()})")
            )
        else:
            reasons.append(
                (d, f"missing {outcome!r} in {gaps.size} period(s): {_show(gaps.tolist())}")
            )
    if not keep:
        raise EstimationError(
            f"no donor has a complete {outcome!r} series over the periods used "
            f"({times.min()}-{times.max()}); all {len(candidates)} candidate(s) have gaps, e.g. "
            f"{reasons[0][0]!r}: {reasons[0][1]}"
        )
    panel = wide[[treated, *keep]].copy()
    panel.index = pd.Index(times, name=time)
    panel.columns = pd.Index([treated, *keep], dtype=object, name=unit)
    excluded = pd.DataFrame(reasons, columns=["unit", "reason"]).astype({"unit": object})
    return Prepared(
        panel=panel,
        treated=treated,
        start=start,
        excluded=excluded,
        dropped=split.dropped,
        flagged=split.flagged,
    )


#: RMSPEs below this multiple of the mean absolute outcome are rounding noise (treated as 0).
NOISE = 1e-9


def fit_path(
    Y: np.ndarray, pre: np.ndarray, target: int, pool: np.ndarray, demean: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Weights over *pool* and the synthetic path over all rows of *Y*."""
    X, y = Y[:, pool], Y[:, target]
    if not demean:
        w = simplex_lstsq(X[pre], y[pre])
        return w, X @ w
    mx, my = X[pre].mean(axis=0), float(y[pre].mean())
    w = simplex_lstsq(X[pre] - mx, y[pre] - my)
    return w, (X - mx) @ w + my


def gap_stats(
    gap: np.ndarray, pre: np.ndarray, post: np.ndarray, level: float
) -> tuple[float, float, float, float]:
    """``(pre_rmspe, post_rmspe, ratio, att)`` of one gap path.

    RMSPEs below ``1e-9 * level`` are rounding noise and count as 0: an exact
    pre-fit gives ``ratio = inf`` (or NaN when the post gap is 0 too).
    """
    pre_r = float(np.sqrt(np.mean(gap[pre] ** 2)))
    post_r = float(np.sqrt(np.mean(gap[post] ** 2)))
    noise = NOISE * level
    if pre_r > noise:
        ratio = post_r / pre_r
    else:
        ratio = math.inf if post_r > noise else math.nan
    return pre_r, post_r, ratio, float(np.mean(gap[post]))


def outcome_level(Y: np.ndarray) -> float:
    """Typical size of the outcome (for the rounding-noise floor)."""
    return float(np.mean(np.abs(Y))) or 1.0


def rank_p(stats: np.ndarray, own: float) -> float:
    """Share of the non-NaN *stats* (which include *own*) that are >= *own*."""
    valid = stats[~np.isnan(stats)]
    if math.isnan(own) or valid.size == 0:
        return math.nan
    return float(np.sum(valid >= own)) / valid.size


def start_x(times: np.ndarray, start: int) -> float:
    pre, post = times[times < start], times[times >= start]
    if pre.size and post.size:
        return (float(pre.max()) + float(post.min())) / 2
    return float(start) - 0.5


@dataclass(frozen=True, eq=False)
class PlaceboResult:
    """Placebo runs of a synthetic control, in space or in time.

    Attributes
    ----------
    kind : {"space", "time"}
        ``"space"``: every donor in turn is the treated unit, with the other
        donors as its pool (the real treated unit is left out of the pools).
        ``"time"``: the start is moved to earlier years, using only data before
        the real start.
    table : pandas.DataFrame
        One row per run, sorted by ``ratio`` (descending): ``unit`` (space) or
        ``start`` (time), ``pre_rmspe``, ``post_rmspe``, ``ratio``, ``att``,
        ``treated`` (True for the real run) and ``rank`` (1 = largest ratio).
    p_value : float
        ``#{runs with ratio >= the real ratio} / #runs``, the real run included
        (Abadie et al. 2010). The smallest attainable value is ``1 / #runs``.
    gaps : pandas.DataFrame
        Gap paths (index: period; one column per placebo run).
    real_gap : pandas.Series
        The real gap path.
    start_x : float
        Where to draw the start line.
    """

    kind: str
    table: pd.DataFrame
    p_value: float
    gaps: pd.DataFrame = field(repr=False)
    real_gap: pd.Series = field(repr=False)
    start_x: float = field(repr=False)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        max_pre_rmspe_ratio: float | None = None,
        lang: Lang = "nb",
    ) -> Figure:
        """Placebo gaps in grey, the real gap in red, the start as a dotted line.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        max_pre_rmspe_ratio : float, optional
            Hide placebo runs whose pre-RMSPE exceeds this multiple of the real
            run's (Abadie et al. 2010 show 20, 5 and 2); all runs by default.
        lang : {"nb", "en"}
            Language of labels, title and legend: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        text = _PLOT_TEXT[lang]
        fig, ax = figure_axes(ax)
        tab = self.table.set_index(self.table.columns[0])
        real_pre = float(tab.loc[tab["treated"], "pre_rmspe"].iloc[0])
        from matplotlib.collections import LineCollection

        cols = [
            c
            for c in self.gaps.columns
            if max_pre_rmspe_ratio is None
            or tab.loc[c, "pre_rmspe"] <= max_pre_rmspe_ratio * real_pre
        ]
        x = np.asarray(self.gaps.index, dtype=float)
        segments = [np.column_stack([x, self.gaps[c].to_numpy(dtype=float)]) for c in cols]
        # One collection instead of hundreds of Line2D objects: same picture, far faster to draw.
        ax.add_collection(
            LineCollection(segments, colors=COLORS["placebo"], linewidths=0.8, alpha=0.8)
        )
        ax.autoscale_view()
        shown = len(cols)
        kind = "space" if self.kind == "space" else "time"
        ax.plot([], [], color=COLORS["placebo"], label=f"{text['runs_' + kind]} ({shown})")
        ax.plot(
            self.real_gap.index,
            self.real_gap,
            color=COLORS["treated"],
            lw=2.2,
            label=text["real_gap"],
        )
        ax.axhline(0.0, color="black", lw=0.6)
        ax.axvline(self.start_x, color=COLORS["start"], ls=":", lw=1.2)
        ax.set_ylabel(text["ylabel"])
        ax.set_title(text["title_" + kind].format(p=p_value(self.p_value, lang)))
        ax.legend(loc="best", frameon=False)
        return fig


def outside_range(y: np.ndarray, X: np.ndarray) -> tuple[str, int] | None:
    """``("above"|"below", k)`` if *y* is outside the donors' range in most periods."""
    above = int(np.sum(y > X.max(axis=1)))
    below = int(np.sum(y < X.min(axis=1)))
    half = y.size / 2
    if above > half:
        return "above", above
    if below > half:
        return "below", below
    return None
