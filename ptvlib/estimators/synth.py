"""Synthetic control (Abadie, Diamond & Hainmueller 2010) with exact convex weights.

One treated unit (Oslo) is compared with a convex combination of donor units
(other municipalities) chosen to reproduce its pre-treatment outcome path.
Inference is by placebo runs: in space (every donor in turn treated as if it
got the funding) and in time (fake start years before the real one).

The weights solve a small quadratic programme exactly (see
:mod:`ptvlib.estimators._simplex`), so hundreds of placebo fits take well
under a second.

References
----------
Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for
comparative case studies: Estimating the effect of California's tobacco control
program. *Journal of the American Statistical Association*, 105(490), 493-505.
https://doi.org/10.1198/jasa.2009.ap08746

Abadie, A., Diamond, A. & Hainmueller, J. (2015). Comparative politics and the
synthetic control method. *American Journal of Political Science*, 59(2),
495-510. https://doi.org/10.1111/ajps.12116

Abadie, A. (2021). Using synthetic controls: Feasibility, data requirements, and
methodological aspects. *Journal of Economic Literature*, 59(2), 391-425.
https://doi.org/10.1257/jel.20191450

Ferman, B. & Pinto, C. (2021). Synthetic controls with imperfect pretreatment
fit. *Quantitative Economics*, 12(4), 1197-1221. https://doi.org/10.3982/QE1596

Doudchenko, N. & Imbens, G. W. (2016). Balancing, regression,
difference-in-differences and synthetic control methods: A synthesis. NBER
Working Paper 22791. https://doi.org/10.3386/w22791
"""

from __future__ import annotations

import warnings as _warnings
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ptvlib.basics.literals import Straddle
from ptvlib.estimators._synth_core import (
    PlaceboResult,
    Prepared,
    fit_path,
    gap_stats,
    outcome_level,
    outside_range,
    prepare_panel,
)
from ptvlib.estimators.synth_results import SyntheticControlResult

if TYPE_CHECKING:
    pass

__all__ = [
    "OutsideDonorRangeWarning",
    "PlaceboResult",
    "SyntheticControlResult",
    "synthetic_control",
]


class OutsideDonorRangeWarning(UserWarning):
    """The treated unit's pre-period outcome lies above (or below) every donor.

    A convex combination cannot leave the donors' range, so the synthetic
    control then misses the treated unit's level; ``demean=True`` fits the
    shape instead (Ferman & Pinto 2021).
    """


def synthetic_control(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Hashable,
    start: int,
    donors: Sequence[Hashable] | None = None,
    period_years: int = 1,
    straddle: Straddle = "drop",
    demean: bool = False,
    min_pre: int = 3,
) -> SyntheticControlResult:
    """Fit a synthetic control for one treated unit from a long panel.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (not modified). Use rates
        (e.g. per 1 000 residents), not counts: Oslo is larger than every donor.
        Periods before the treated unit's first observation are ignored; from
        there on its series must be complete. Missing or non-finite outcomes
        count as gaps.
    unit, time, outcome : str
        Column names: unit identifier, period (integer end-year) and outcome.
    treated : hashable
        The treated unit (e.g. Oslo's municipality number ``"0301"``).
    start : int
        First treated year (2018 for the targeted funding).
    donors : sequence, optional
        Candidate donor units; default all other units. Candidates with a gap
        in the periods used are excluded and listed in ``excluded_donors``.
    period_years : {1, 2}
        Years per period; SSB table 08487 publishes two-year averages labelled
        by their last year ("2017-2018" is 2018).
    straddle : {"drop", "post"}
        Periods that straddle *start* are dropped (default) or counted as
        post-periods (see :func:`~ptvlib.estimators._base.split_periods`).
    demean : bool
        Fit on each unit's deviations from its own pre-period mean, so the fit
        is on shape and the gap is level-adjusted (Ferman & Pinto 2021;
        Doudchenko & Imbens 2016). Use when the treated unit lies outside the
        donors' range.
    min_pre : int
        Minimum number of pre-periods (default 3).

    Returns
    -------
    SyntheticControlResult

    Raises
    ------
    ParameterError
        A column is missing, the outcome or time is not numeric, (unit, time)
        keys repeat, *treated* or a donor is not in the data, or an option is
        not allowed.
    EstimationError
        Fewer than *min_pre* pre-periods or no post-period, the treated unit is
        missing at the start or in a pre-period, or no donor has a complete
        series.

    Warns
    -----
    OutsideDonorRangeWarning
        The treated unit lies above (or below) every donor in most pre-periods.

    Notes
    -----
    With treated outcome :math:`Y_{1t}`, donor outcomes :math:`Y_{jt}` and
    pre-periods :math:`t < T_0`, the weights are the exact solution of

    .. math::

        \\hat w = \\arg\\min_{w \\ge 0,\\ \\sum_j w_j = 1}
        \\sum_{t < T_0} \\Big(Y_{1t} - \\sum_j w_j Y_{jt}\\Big)^2 ,

    i.e. the predictor matrix is the pre-period outcome path and
    :math:`V = I` (Abadie 2021, sec. 4, discusses this choice). With
    ``demean=True`` every :math:`Y_{it}` is replaced by
    :math:`Y_{it} - \\bar Y_{i,\\mathrm{pre}}` and the synthetic path is
    :math:`\\bar Y_{1,\\mathrm{pre}} + \\sum_j \\hat w_j (Y_{jt} - \\bar
    Y_{j,\\mathrm{pre}})`. The gap is :math:`Y_{1t} - \\hat Y_{1t}`;
    ``att`` is its post-period mean; ``ratio`` is
    :math:`\\mathrm{RMSPE}_\\mathrm{post} / \\mathrm{RMSPE}_\\mathrm{pre}`.

    References
    ----------
    Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods
    for comparative case studies. *JASA*, 105(490), 493-505.

    Abadie, A. (2021). Using synthetic controls. *Journal of Economic
    Literature*, 59(2), 391-425.

    Ferman, B. & Pinto, C. (2021). Synthetic controls with imperfect
    pretreatment fit. *Quantitative Economics*, 12(4), 1197-1221.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> years = np.arange(2008, 2024)
    >>> paths = {f"k{i}": 40 + 5 * i + rng.normal(0, 2, years.size) for i in range(6)}
    >>> paths["Oslo"] = 0.6 * paths["k4"] + 0.4 * paths["k5"] - 4.0 * (years >= 2018)
    >>> data = pd.DataFrame([{"kommune": u, "year": y, "rate": v}
    ...                      for u, p in paths.items() for y, v in zip(years, p)])
    >>> res = synthetic_control(data, unit="kommune", time="year", outcome="rate",
    ...                         treated="Oslo", start=2018)
    >>> res.weights.round(3).head(3).to_dict()
    {'k4': 0.6, 'k5': 0.4, 'k0': 0.0}
    >>> round(res.att, 3), round(res.placebo("space").p_value, 3)
    (-4.0, 0.143)
    """
    prep: Prepared = prepare_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        treated=treated,
        start=start,
        donors=donors,
        period_years=period_years,
        straddle=straddle,
        demean=demean,
        min_pre=min_pre,
    )
    panel = prep.panel
    Y = panel.to_numpy(dtype=np.float64)
    times = panel.index.to_numpy(dtype=np.int64)
    pre = times < prep.start
    pool = np.arange(1, Y.shape[1])
    w, synth = fit_path(Y, pre, 0, pool, demean)
    gap = Y[:, 0] - synth
    pre_r, post_r, ratio, att = gap_stats(gap, pre, ~pre, outcome_level(Y))

    notes: list[str] = []
    Yc = Y[pre] - Y[pre].mean(axis=0) if demean else Y[pre]
    side = outside_range(Yc[:, 0], Yc[:, 1:])
    if side is not None:
        where, k = side
        more = (
            "even after demeaning; its shape is outside the donors' range"
            if demean
            else "consider demean=True (fit on shape, level-adjusted gap)"
        )
        msg = (
            f"treated unit {treated!r} is {where} every donor in {k} of {int(pre.sum())} "
            f"pre-treatment periods (outside the donors' range): a convex synthetic control "
            f"cannot reach its level, so the pre-period fit is poor; {more}"
        )
        _warnings.warn(msg, OutsideDonorRangeWarning, stacklevel=2)
        notes.append(msg)

    index = panel.index
    weights = pd.Series(w, index=panel.columns[1:], name="weight")
    weights = weights.sort_values(ascending=False, kind="stable")
    return SyntheticControlResult(
        weights=weights,
        observed=pd.Series(Y[:, 0], index=index, name="observed"),
        synthetic=pd.Series(synth, index=index, name="synthetic"),
        gap=pd.Series(gap, index=index, name="gap"),
        pre_rmspe=pre_r,
        post_rmspe=post_r,
        ratio=ratio,
        att=att,
        treated=prep.treated,
        start=prep.start,
        outcome=outcome,
        demean=bool(demean),
        period_years=period_years,
        straddle=straddle,
        min_pre=min_pre,
        excluded_donors=prep.excluded,
        dropped_periods=prep.dropped,
        flagged_periods=prep.flagged,
        warnings=tuple(notes),
        panel=panel,
    )
