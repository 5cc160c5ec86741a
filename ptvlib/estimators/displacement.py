"""Weighted displacement difference (WDD) and quotient (WDQ) for place-based policing.

Did crime fall in the targeted area (e.g. the Oslo sør districts) more than in
a control area, and did it move into a surrounding buffer area (displacement)
or fall there too (diffusion of benefits)? :func:`displacement` answers with
the WDD test of Wheeler & Ratcliffe (2018) and the WDQ of Bowers & Johnson
(2003), from counts before and after the start.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import DataError, EstimationError, ParameterError
from ptvlib.basics.literals import PeriodValues, Straddle, check_literal
from ptvlib.estimators._base import split_periods

if TYPE_CHECKING:
    pass

from ptvlib.estimators.displacement_results import DisplacementResult, caveat_text

__all__ = [
    "DisplacementResult",
    "PeriodValues",
    "caveat_text",
    "displacement",
    "wdd_from_counts",
]


def _pair(name: str, value: Any) -> tuple[float, float]:
    try:
        pre, post = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} must be a (pre, post) pair of counts") from None
    for label, v in (("pre", pre), ("post", post)):
        if not math.isfinite(v) or v < 0:
            raise DataError(f"{name} {label}={v!r} is not allowed; allowed: a count ≥ 0")
    return pre, post


def wdd_from_counts(
    target: tuple[float, float],
    control: tuple[float, float],
    *,
    buffer: tuple[float, float] | None = None,
    buffer_control: tuple[float, float] | None = None,
    years: tuple[float, float] = (1.0, 1.0),
    names: dict[str, str] | None = None,
    outcome: str = "offences",
    start: int | str = "start",
    alpha: float = 0.05,
) -> DisplacementResult:
    """WDD test and WDQ from (pre, post) counts of each area.

    Parameters
    ----------
    target, control : (float, float)
        Counts before and after the start in the targeted area and its control area.
    buffer : (float, float), optional
        Counts in the buffer (possible displacement) area; None leaves
        displacement out (WDD = target part only).
    buffer_control : (float, float), optional
        Separate control matched to the buffer (Wheeler & Ratcliffe's
        :math:`C_d`). When None, *control* serves both areas.
    years : (float, float)
        Years covered by the pre and post counts; the WDD is per year.
    names : dict, optional
        Area names by role (``"target"``, ``"buffer"``, ...), for tables and plots.
    outcome : str
        Outcome label.
    start : int or str
        First treated period, used in the verdict.
    alpha : float
        1 − confidence level.

    Returns
    -------
    DisplacementResult

    Raises
    ------
    DataError
        Negative or missing counts.
    ParameterError
        Bad pairs, *years* or *alpha*.

    Notes
    -----
    With per-year counts :math:`X_0 = X_{pre}/y_0`, :math:`X_1 = X_{post}/y_1`
    and :math:`\\Delta X = X_1 - X_0` (Wheeler & Ratcliffe 2018; per-year
    weighting as in Wheeler's ``ptools::wdd``):

    .. math:: WDD = \\Delta T - \\Delta C_t + \\Delta D - \\Delta C_d

    and, treating each count as Poisson,
    :math:`\\operatorname{Var}(X_k/y) = X_k / y^2`, summed over the eight
    counts. With one shared control :math:`C_t = C_d = C`, so
    :math:`WDD = \\Delta T + \\Delta D - 2\\Delta C` and the control's variance
    enters four times. WDD < 0 means fewer offences than the control trend
    implies. Bowers & Johnson's (2003) measures, as set out by Guerette (2009):
    success :math:`= T_1/C_1 - T_0/C_0`, buffer measure
    :math:`= D_1/C_1 - D_0/C_0`, :math:`WDQ` = buffer measure / success;
    total net effect :math:`= [T_0 C_1/C_0 - T_1] + [D_0 C_1/C_0 - D_1]`.
    WDQ > 0 (with success < 0) signals diffusion of benefits, WDQ < 0
    displacement, WDQ < −1 displacement larger than the direct effect.

    References
    ----------
    .. [1] Wheeler, A. P., & Ratcliffe, J. H. (2018). A simple weighted
       displacement difference test to evaluate place based crime
       interventions. *Crime Science*, 7, 11. doi:10.1186/s40163-018-0085-5
    .. [2] Bowers, K. J., & Johnson, S. D. (2003). Measuring the geographical
       displacement and diffusion of benefit effects of crime prevention
       activity. *Journal of Quantitative Criminology*, 19(3), 275–301.
    .. [3] Guerette, R. T. (2009). *Analyzing Crime Displacement and
       Diffusion*. Problem-Solving Tools Series No. 10, Center for
       Problem-Oriented Policing (Appendices B and C).

    Examples
    --------
    Wheeler's example with two pre-years and one post-year:

    >>> r = wdd_from_counts((80, 20), (100, 50), years=(2, 1))
    >>> round(r.wdd, 1), round(r.se ** 2, 1)
    (-20.0, 115.0)
    """
    t, c = _pair("target", target), _pair("control", control)
    has_buffer = buffer is not None
    d = _pair("buffer", buffer) if buffer is not None else (0.0, 0.0)
    shared = buffer_control is None
    cd = c if buffer_control is None else _pair("buffer_control", buffer_control)
    y0, y1 = _pair("years", years)
    if not (y0 > 0 and y1 > 0):
        raise ParameterError(f"years={years!r} is not allowed; allowed: two positive numbers")
    if not (0 < alpha < 1):
        raise ParameterError(f"alpha={alpha!r} is not allowed; allowed: 0 < alpha < 1")

    def delta(x: tuple[float, float]) -> float:
        return x[1] / y1 - x[0] / y0

    def var(x: tuple[float, float]) -> float:
        return x[1] / y1**2 + x[0] / y0**2

    est_t, var_t = delta(t) - delta(c), var(t) + var(c)
    est_d, var_d = (delta(d) - delta(cd), var(d) + var(cd)) if has_buffer else (0.0, 0.0)
    est = est_t + est_d
    if has_buffer and shared:  # Var(ΔT + ΔD − 2ΔC) = Var ΔT + Var ΔD + 4 Var ΔC
        var_tot = var(t) + var(d) + 4 * var(c)
    else:
        var_tot = var_t + var_d
    from scipy.stats import norm

    se = math.sqrt(var_tot)
    z = est / se if se > 0 else math.nan
    p = float(2 * norm.sf(abs(z))) if se > 0 else math.nan
    q = float(norm.ppf(1 - alpha / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = [np.float64(v) for v in (t[0], t[1], c[0], c[1], d[0], d[1])]
        success = r[1] / r[3] - r[0] / r[2]
        bufm = r[5] / r[3] - r[4] / r[2] if has_buffer else np.nan
        wdq = bufm / success if success != 0 else np.nan
        trend = r[3] / r[2]
        tne = (r[0] / y0) * trend - r[1] / y1
        if has_buffer:
            tne += (r[4] / y0) * trend - r[5] / y1
    names = dict(names or {})
    areas = {"target": t, "control": c}
    if has_buffer:
        areas["buffer"] = d
        if not shared:
            areas["buffer_control"] = cd
    counts = pd.DataFrame(
        [
            {
                "role": k,
                "area": names.get(k, k),
                "pre": v[0],
                "post": v[1],
                "years_pre": y0,
                "years_post": y1,
                "pre_per_year": v[0] / y0,
                "post_per_year": v[1] / y1,
            }
            for k, v in areas.items()
        ]
    )
    caveats = ["poisson"]
    pairs = [("target", "control")]
    if has_buffer:
        pairs.append(("buffer", "control" if shared else "buffer_control"))
        if shared:
            caveats.append("shared")
    for a, b in pairs:
        pa, pb = areas[a][0] / y0, areas[b][0] / y0
        if not (pb > 0 and 0.5 <= pa / pb <= 2):
            caveats.append(f"size:{a} {pa:.0f} vs {b} {pb:.0f} per year before the start")
    return DisplacementResult(
        wdd=est,
        se=se,
        z=z,
        p_value=p,
        ci=(est - q * se, est + q * se),
        wdd_target=est_t,
        se_target=math.sqrt(var_t),
        wdd_buffer=est_d if has_buffer else math.nan,
        se_buffer=math.sqrt(var_d) if has_buffer else math.nan,
        success_measure=float(success),
        buffer_measure=float(bufm),
        wdq=float(wdq),
        total_net_effect=float(tne),
        counts=counts,
        shared_control=shared,
        outcome=outcome,
        start=start,
        alpha=alpha,
        caveats=tuple(caveats),
    )


def displacement(
    data: pd.DataFrame,
    *,
    start: int,
    target: str,
    buffer: str | None,
    control: str,
    buffer_control: str | None = None,
    time: str = "year",
    outcome: str = "value",
    unit: str = "region",
    period_years: int = 1,
    period_values: PeriodValues = "annual_mean",
    straddle: Straddle = "drop",
    alpha: float = 0.05,
    label: str | None = None,
) -> DisplacementResult:
    """Weighted displacement difference from a long frame of counts per area and period.

    Parameters
    ----------
    data : DataFrame
        Long data with one row per area and period: *unit*, *time*, *outcome*
        (a count, e.g. reported offences; filter to one indicator first).
    start : int
        First treated year (e.g. 2018).
    target, buffer, control : str
        Values of *unit* for the targeted area, the buffer area (None: no
        buffer) and the control area.
    buffer_control : str, optional
        A separate control matched to the buffer; default: *control* serves both.
    time, outcome, unit : str
        Column names.
    period_years : {1, 2}
        Years per period; SSB 08487 has rolling two-year periods labelled by
        their last year. Overlapping periods are thinned so that every year is
        counted once (counting back from the last pre and forward from the first
        post period).
    period_values : {"annual_mean", "period_total"}
        Whether a multi-year value is a yearly mean (SSB 08487) or the period total.
    straddle : {"drop", "post"}
        Periods that straddle *start* (see :func:`~ptvlib.estimators._base.split_periods`).
    alpha : float
        1 − confidence level.
    label : str, optional
        Outcome label for text; default *outcome*.

    Returns
    -------
    DisplacementResult
        See :func:`wdd_from_counts` for the formulas.

    Raises
    ------
    DataError
        Unknown area codes, duplicate rows, negative counts.
    EstimationError
        No pre- or post-period with values for all areas.
    ParameterError
        Unknown columns or options.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["T", "B", "C"] * 2, "year": [2017] * 3 + [2018] * 3,
    ...                    "value": [100, 60, 100, 80, 55, 95]})
    >>> r = displacement(df, start=2018, target="T", buffer="B", control="C")
    >>> round(r.wdd, 1), r.buffer_effect
    (-15.0, 'none')
    """
    check_literal("period_values", period_values, PeriodValues)
    check_literal("straddle", straddle, Straddle)
    if period_years not in (1, 2):
        raise ParameterError(f"period_years={period_years!r} is not allowed; allowed: 1, 2")
    for col in (time, outcome, unit):
        if col not in data.columns:
            raise ParameterError(
                f"column {col!r} is not in the data; columns: {list(data.columns)}"
            )
    roles = {"target": target, "control": control}
    if buffer is not None:
        roles["buffer"] = buffer
    if buffer is not None and buffer_control is not None:
        roles["buffer_control"] = buffer_control
    codes = data[unit].astype(str)
    known = sorted(set(codes))
    for role, code in roles.items():
        if str(code) not in known:
            raise DataError(
                f"{role}={code!r} is not a value of column {unit!r}; "
                f"available: {known[:12]}{' …' if len(known) > 12 else ''}"
            )
    sub = pd.DataFrame({"unit": codes, "time": data[time], "y": data[outcome]})
    sub = sub[sub["unit"].isin([str(c) for c in roles.values()])]
    if sub.duplicated(["unit", "time"]).any():
        raise DataError(
            f"several rows per {unit} and {time}; filter to one indicator/offence group"
        )
    sub["y"] = pd.to_numeric(sub["y"], errors="coerce")
    if (sub["y"] < 0).any():
        bad = sub[sub["y"] < 0].iloc[0]
        raise DataError(
            f"{outcome}={float(bad['y'])!r} for {bad['unit']} in {bad['time']} is negative; "
            "allowed: counts ≥ 0"
        )
    wide = sub.pivot(index="time", columns="unit", values="y")
    wide = wide.reindex(columns=[str(c) for c in roles.values()])
    complete = wide.dropna()
    missing = sorted(set(wide.index) - set(complete.index))
    times = np.asarray(complete.index, dtype=float)
    try:
        split = split_periods(
            times, start, period_years=period_years, straddle=straddle, min_pre=1, min_post=1
        )
    except EstimationError as exc:
        raise EstimationError(f"{exc} (periods with values for all areas)") from None
    pre_t, post_t = times[split.pre], times[split.post]
    if period_years > 1:  # keep non-overlapping periods only
        pre_t = pre_t[((pre_t.max() - pre_t) % period_years) == 0]
        post_t = post_t[((post_t - post_t.min()) % period_years) == 0]
    thinned = sorted(set(times[split.pre | split.post]) - set(pre_t) - set(post_t))
    factor = period_years if period_values == "annual_mean" else 1
    sums = {
        k: (
            float(complete.loc[complete.index.isin(pre_t), str(v)].sum() * factor),
            float(complete.loc[complete.index.isin(post_t), str(v)].sum() * factor),
        )
        for k, v in roles.items()
    }
    res = wdd_from_counts(
        sums["target"],
        sums["control"],
        buffer=sums.get("buffer"),
        buffer_control=sums.get("buffer_control"),
        years=(len(pre_t) * period_years, len(post_t) * period_years),
        names={k: str(v) for k, v in roles.items()},
        outcome=label or outcome,
        start=start,
        alpha=alpha,
    )
    dropped = sorted({int(t) for t in (*split.dropped, *thinned, *missing)})
    if dropped:
        res = replace(res, caveats=(*res.caveats, f"dropped:{', '.join(map(str, dropped))}"))
    return res
