"""Augmented synthetic control (Ben-Michael, Feller & Rothstein 2021), ridge outcome model.

When no convex combination of donors reproduces the treated unit's
pre-period path (Oslo lies above its donors), the synthetic control is biased
by the remaining imbalance. The augmented synthetic control (ASCM) estimates
that bias with a ridge regression of the outcomes on the pre-period path and
removes it. The result is again a weighting estimator: the synthetic-control
weights plus a ridge correction that may be negative, i.e. it extrapolates
beyond the donors' convex hull, by as little as the penalty allows.

Inference, as for the product's other one-treated-unit designs, is by placebo
runs: every donor in turn is the pseudo-treated unit, with the penalty chosen
again by cross-validation for each; their spread is the placebo standard error
and the rank of the real estimate the p-value. (R's augsynth defaults to
conformal inference, Chernozhukov, Wüthrich & Zhu 2021.)

References
----------
Ben-Michael, E., Feller, A. & Rothstein, J. (2021). The augmented synthetic
control method. *Journal of the American Statistical Association*, 116(536),
1789-1803. https://doi.org/10.1080/01621459.2021.1929245

Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for
comparative case studies. *Journal of the American Statistical Association*,
105(490), 493-505. https://doi.org/10.1198/jasa.2009.ap08746

Chernozhukov, V., Wüthrich, K. & Zhu, Y. (2021). An exact and robust conformal
inference method for counterfactual and synthetic controls. *Journal of the
American Statistical Association*, 116(536), 1849-1864.
https://doi.org/10.1080/01621459.2021.1920957
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.literals import Lang, Straddle, check_literal
from ptvlib.basics.numbers import number
from ptvlib.estimators._ascm_fit import AscmFit, fit_ascm, placebo_ascm
from ptvlib.estimators._base import summary_frame, verdict_text
from ptvlib.estimators._donor_panel import prepare_donor_panel, treated_units
from ptvlib.estimators._synth_core import outcome_level, outside_range, start_x
from ptvlib.estimators._unit_placebo import (
    DonorDesignMixin,
    UnitPlaceboResult,
    unit_placebo_result,
)
from ptvlib.estimators.inference import InferenceWarning

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["AugmentedSynthResult", "augmented_synth"]

_DESIGN = {"nb": "Augmentert syntetisk kontroll", "en": "Augmented synthetic control"}
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "observed": "{treated} (observert)",
        "ascm": "augmentert syntetisk kontroll",
        "sc": "syntetisk kontroll (uten korreksjon)",
        "title": "{treated}: ASCM-effekt etter {start} {att} (95 %-intervall {lo} til {hi})",
    },
    "en": {
        "observed": "{treated} (observed)",
        "ascm": "augmented synthetic control",
        "sc": "synthetic control (uncorrected)",
        "title": "{treated}: ASCM effect after {start} {att} (95 % interval {lo} to {hi})",
    },
}
_CAVEATS: dict[str, dict[str, str]] = {
    "nb": {
        "placebo": "intervallet bygger på placebovarians: hver donor behandlet som om den fikk "
        "tiltaket ({n} placebokjøringer, straffen valgt på nytt for hver); p-verdien er "
        "rangeringen av effekten blant dem",
        "few": "med {n} kjøringer er minste mulige placebo-p {p}",
        "extrapolate": "negative vekter summerer til {neg}: estimatet ekstrapolerer utenfor "
        "donorenes spenn",
        "bias": "ridge-korreksjonen flytter estimatet {shift} fra syntetisk kontroll",
        "dropped": "perioder som spenner over start ({per}) er utelatt",
        "flagged": "perioder som spenner over start ({per}) er regnet som etter",
    },
    "en": {
        "placebo": "the interval uses the placebo variance: each donor treated as if it got the "
        "funding ({n} placebo runs, penalty chosen again for each); the p-value is the "
        "effect's rank among them",
        "few": "with {n} runs the smallest attainable placebo p is {p}",
        "extrapolate": "negative weights sum to {neg}: the estimate extrapolates beyond the "
        "donors' range",
        "bias": "the ridge correction moves the estimate by {shift} from synthetic control",
        "dropped": "periods straddling the start ({per}) were dropped",
        "flagged": "periods straddling the start ({per}) were counted as post",
    },
}


@dataclass(frozen=True, eq=False, repr=False)
class AugmentedSynthResult(DonorDesignMixin):
    """Result of :func:`augmented_synth`.

    Attributes
    ----------
    att : float
        Average post-period gap between the treated unit and its augmented
        synthetic control (outcome units).
    se : float
        Placebo standard error: :math:`\\sqrt{(r-1)/r}\\,\\mathrm{sd}` of the
        *r* placebo estimates (as for :func:`~ptvlib.estimators.sdid.synthetic_did`).
    ci : (float, float)
        95 % interval :math:`\\hat\\tau \\pm z_{0.975}\\,\\mathrm{se}`.
    unit_weights : pandas.Series
        Augmented weights :math:`\\hat\\gamma` (sum 1, may be negative), sorted descending.
    sc_weights : pandas.Series
        The synthetic-control part :math:`\\hat w` (on the simplex).
    lambda_ : float
        Ridge penalty (cross-validated unless given).
    cv : pandas.DataFrame
        Cross-validation table (``lambda``, ``error``, ``se``, ``chosen``); empty
        when *lambda_* was given.
    sc_att : float
        The uncorrected synthetic control's estimate on the same panel (its
        difference to :attr:`att` is the estimated bias of synthetic control).
    observed, synthetic, gap : pandas.Series
        Treated path, :math:`\\hat\\gamma'Y_{0t}` and their difference.
    treated : tuple
        The treated unit (one).
    start, outcome, period_years, straddle, min_pre
        As passed to :func:`augmented_synth`.
    excluded_donors : pandas.DataFrame
        Candidate donors left out (``unit``, ``reason``).
    dropped_periods, flagged_periods : tuple of int
        Straddling periods dropped or counted as post.
    warnings : tuple of str
        Notes raised while fitting.
    panel : pandas.DataFrame
        Outcome used (index: period; columns: treated unit, then donors).
    """

    att: float
    se: float
    ci: tuple[float, float]
    unit_weights: pd.Series
    sc_weights: pd.Series
    lambda_: float
    cv: pd.DataFrame
    sc_att: float
    observed: pd.Series
    synthetic: pd.Series
    gap: pd.Series
    treated: tuple[Hashable, ...]
    start: int
    outcome: str
    period_years: int
    straddle: Straddle
    min_pre: int
    excluded_donors: pd.DataFrame
    dropped_periods: tuple[int, ...]
    flagged_periods: tuple[int, ...]
    warnings: tuple[str, ...]
    panel: pd.DataFrame
    _space: UnitPlaceboResult = field(repr=False)
    _fixed_lambda: bool = field(repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"AugmentedSynthResult(treated={self.treated[0]!r}, start={self.start}, "
            f"att={self.att:.4g}, se={self.se:.4g}, p={self.p_value:.3g}, "
            f"lambda_={self.lambda_:.4g}, sc_att={self.sc_att:.4g}, donors={self.unit_weights.size})"
        )

    @property
    def negative_weight(self) -> float:
        """Sum of the negative augmented weights (0: no extrapolation)."""
        return float(self.unit_weights[self.unit_weights < 0].sum())

    def _refit_gap(self, Y: np.ndarray, pre: np.ndarray) -> np.ndarray:
        """Gap path of ASCM refitted on *Y* (treated column first) with pre-periods *pre*."""
        lam = self.lambda_ if self._fixed_lambda else None
        return fit_ascm(Y[:, 1:], Y[:, 0], pre, lam).gap

    def summary(self) -> pd.DataFrame:
        """Tidy summary with :data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`.

        Returns
        -------
        pandas.DataFrame
            Rows ``att`` (placebo-variance 95 % interval, placebo rank p-value,
            ``n`` = post-periods), ``placebo_se`` (``n`` = placebo runs),
            ``sc_att`` (the uncorrected synthetic control) and ``lambda``.
        """
        return summary_frame(
            [
                {
                    "term": "att",
                    "estimate": self.att,
                    "ci_low": self.ci[0],
                    "ci_high": self.ci[1],
                    "p_value": self.p_value,
                    "n": self.n_post,
                },
                {"term": "placebo_se", "estimate": self.se, "n": self.placebo_estimates.size},
                {"term": "sc_att", "estimate": self.sc_att, "n": self.n_post},
                {"term": "lambda", "estimate": self.lambda_, "n": self.n_pre},
            ]
        )

    def verdict(self, lang: Lang = "nb", *, unit: str = "") -> str:
        """One plain-language paragraph: estimate, placebo interval and p-value, caveats.

        Parameters
        ----------
        lang : {"nb", "en"}
            Language.
        unit : str
            Unit of the outcome, e.g. ``"per 1 000"``.

        Returns
        -------
        str
            "Inconclusive"/"uavklart" unless the interval excludes 0 *and* the
            placebo rank p-value is below 0.05.
        """
        check_literal("lang", lang, Lang)
        words = _CAVEATS[lang]
        runs = self.placebo_estimates.size
        caveats = [
            words["placebo"].format(n=runs),
            words["bias"].format(shift=number(self.att - self.sc_att, lang, signed=True)),
        ]
        if self.negative_weight < -0.01:
            caveats.append(
                words["extrapolate"].format(neg=number(self.negative_weight, lang, decimals=2))
            )
        if runs + 1 < 20:
            caveats.append(
                words["few"].format(n=runs + 1, p=number(1 / (runs + 1), lang, decimals=3))
            )
        if self.dropped_periods or self.flagged_periods:
            per = ", ".join(map(str, self.dropped_periods or self.flagged_periods))
            caveats.append(words["dropped" if self.dropped_periods else "flagged"].format(per=per))
        return verdict_text(
            lang=lang,
            design=_DESIGN[lang],
            outcome=self.outcome,
            start=self.start,
            estimate=self.att,
            ci=self.ci,
            p_value=self.p_value if math.isfinite(self.p_value) else None,
            scale="difference",
            unit=unit,
            caveats=caveats,
        )

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Observed path, the augmented synthetic control and the uncorrected one.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
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
        t = self.times
        name = str(self.treated[0])
        ax.plot(
            t,
            self.observed,
            color=COLORS["treated"],
            lw=2.2,
            label=text["observed"].format(treated=name),
        )
        ax.plot(
            t, self.synthetic, color=COLORS["counterfactual"], lw=2.0, ls="--", label=text["ascm"]
        )
        donors = self.panel.iloc[:, 1:]
        sc_path = donors.to_numpy() @ self.sc_weights.reindex(donors.columns).to_numpy()
        ax.plot(t, sc_path, color=COLORS["comparison"], lw=1.2, ls=":", label=text["sc"])
        ax.axvline(start_x(t, self.start), color=COLORS["start"], ls=":", lw=1.2)
        ax.set_ylabel(self.outcome)
        ax.set_title(
            text["title"].format(
                treated=name,
                start=self.start,
                att=number(self.att, lang, signed=True),
                lo=number(self.ci[0], lang),
                hi=number(self.ci[1], lang),
            )
        )
        ax.legend(loc="best", frameon=False)
        return fig


def augmented_synth(
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
    min_pre: int = 3,
    lambda_: float | None = None,
    placebo_cv: bool = True,
) -> AugmentedSynthResult:
    """Ridge-augmented synthetic control for one treated unit, with placebo inference.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (not modified); rates rather
        than counts when units differ in size.
    unit, time, outcome : str
        Column names: unit identifier, period (integer end-year) and outcome.
    treated : hashable
        The treated unit.
    start : int
        First treated year.
    donors : sequence, optional
        Candidate donors; default every other unit (donors with gaps are
        excluded and listed in ``excluded_donors``).
    period_years : {1, 2}
        Years per period (SSB two-year averages: 2).
    straddle : {"drop", "post"}
        Periods straddling *start*: dropped (default) or counted as post.
    min_pre : int
        Minimum number of pre-periods (default 3; cross-validation leaves one out).
    lambda_ : float, optional
        Ridge penalty; default chosen by leave-one-period-out cross-validation
        (augsynth's rule: the largest penalty within one standard error of the
        smallest error), again for every placebo run.
    placebo_cv : bool
        Cross-validate the penalty again in every placebo run (default: the
        same procedure as the real fit, which keeps the placebo test exact).
        ``False`` reuses the real fit's penalty: one QP per donor instead of
        :math:`T_0`, for large donor pools or repeated calibration runs.

    Returns
    -------
    AugmentedSynthResult

    Raises
    ------
    ParameterError
        A column is missing, a key repeats, *treated* is not one unit of the
        data, *lambda_* is not a positive number, or an option is not allowed.
    EstimationError
        Fewer than *min_pre* pre-periods or no post-period, the treated unit
        has gaps, or fewer than 2 complete donors.

    Notes
    -----
    With the donors' pre-period outcomes :math:`X_0` (:math:`T_0 \\times J`) and
    the treated unit's :math:`x_1`, both centred by the donors' mean in each
    period, and the synthetic-control weights :math:`\\hat w` (exact simplex
    QP with :math:`V = I`, as :func:`~ptvlib.estimators.synth.synthetic_control`),

    .. math::

        \\hat\\gamma = \\hat w + X_0'(X_0X_0' + \\lambda I)^{-1}(x_1 - X_0\\hat w),
        \\qquad \\hat Y_{1t}(0) = \\sum_j \\hat\\gamma_j Y_{jt},

    the ridge ASCM of Ben-Michael, Feller & Rothstein (2021, eq. 12). As
    :math:`\\lambda \\to \\infty` it is the synthetic control; as :math:`\\lambda
    \\to 0` (with :math:`J > T_0`) it fits the pre-period exactly with the
    minimum-norm correction. It matches pysyncon's ``AugSynth`` (a port of R's
    augsynth, ``progfunc="Ridge"``): on Prop 99 the same cross-validated
    :math:`\\lambda = 429.8` and an ATT of −15.95 packs.

    References
    ----------
    Ben-Michael, E., Feller, A. & Rothstein, J. (2021). The augmented synthetic
    control method. *Journal of the American Statistical Association*,
    116(536), 1789-1803.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> years = np.arange(2008, 2024)
    >>> trend = np.linspace(0, 6, years.size)
    >>> rows = [{"unit": f"k{i}", "year": y, "rate": 40 + 2 * i + (1 + i / 20) * trend[k]
    ...          + rng.normal(0, 0.5)} for i in range(24) for k, y in enumerate(years)]
    >>> rows += [{"unit": "Oslo", "year": y, "rate": 92 + 2.3 * trend[k] - 3.0 * (y >= 2018)
    ...           + rng.normal(0, 0.5)} for k, y in enumerate(years)]
    >>> res = augmented_synth(pd.DataFrame(rows), unit="unit", time="year", outcome="rate",
    ...                       treated="Oslo", start=2018)
    >>> round(res.att, 1), round(res.sc_att, 1), res.negative_weight < 0
    (-2.9, 3.6, True)
    """
    units = treated_units(treated)
    if len(units) != 1:
        raise ParameterError(
            f"treated={treated!r} is not allowed; allowed: one unit (augmented synthetic "
            "control has one treated unit; use synthetic_did for several)"
        )
    if lambda_ is not None and (
        isinstance(lambda_, bool)
        or not isinstance(lambda_, int | float | np.floating)
        or not lambda_ > 0
        or not math.isfinite(lambda_)
    ):
        raise ParameterError(f"lambda_={lambda_!r} is not allowed; allowed: None or a number > 0")
    if not isinstance(placebo_cv, bool | np.bool_):
        raise ParameterError(f"placebo_cv={placebo_cv!r} is not allowed; allowed: True, False")
    if isinstance(min_pre, bool) or not isinstance(min_pre, int | np.integer) or min_pre < 3:
        raise ParameterError(f"min_pre={min_pre!r} is not allowed; allowed: an integer >= 3")
    dp = prepare_donor_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        treated=units[0],
        start=start,
        donors=donors,
        period_years=period_years,
        straddle=straddle,
        min_pre=min_pre,
        design="augmented_synth",
    )
    Y, y, pre = dp.Y, dp.y, dp.pre
    fit: AscmFit = fit_ascm(Y, y, pre, lambda_)
    taus, gaps = placebo_ascm(Y, pre, lambda_ if lambda_ is not None or placebo_cv else fit.lam)
    se = float(np.sqrt(np.mean((taus - taus.mean()) ** 2)))
    from scipy.stats import norm

    z = float(norm.ppf(0.975))
    att = float(np.mean(fit.gap[~pre]))
    index = dp.panel.index
    names = pd.Index(dp.donors, dtype=object, name=unit)
    space = unit_placebo_result(
        labels=dp.donors,
        gaps=gaps,
        pre=pre,
        level=outcome_level(dp.panel.to_numpy(dtype=float)),
        real_label=units[0],
        real_gap=fit.gap,
        index=index,
        start_x=start_x(index.to_numpy(dtype=np.int64), dp.start),
        statistic="att",
    )
    notes: list[str] = []
    side = outside_range(y[pre], Y[pre])
    if side is not None:
        where, k = side
        notes.append(
            f"treated unit {units[0]!r} is {where} every donor in {k} of {int(pre.sum())} "
            "pre-treatment periods (outside the donors' range); the ridge correction "
            "extrapolates"
        )
    if taus.size + 1 < 20:
        msg = (
            f"only {taus.size} placebo runs: the placebo standard error is imprecise and the "
            f"smallest attainable p-value is {1 / (taus.size + 1):.3f}"
        )
        _warnings.warn(msg, InferenceWarning, stacklevel=2)
        notes.append(msg)
    if fit.cv is not None:
        lams, mean, cv_se = fit.cv
        cv = pd.DataFrame({"lambda": lams, "error": mean, "se": cv_se, "chosen": lams == fit.lam})
    else:
        cv = pd.DataFrame(columns=["lambda", "error", "se", "chosen"])
    return AugmentedSynthResult(
        att=att,
        se=se,
        ci=(att - z * se, att + z * se),
        unit_weights=pd.Series(fit.gamma, index=names, name="weight").sort_values(
            ascending=False, kind="stable"
        ),
        sc_weights=pd.Series(fit.w, index=names, name="weight").sort_values(
            ascending=False, kind="stable"
        ),
        lambda_=fit.lam,
        cv=cv,
        sc_att=float(np.mean(fit.sc_gap[~pre])),
        observed=pd.Series(y, index=index, name="observed"),
        synthetic=pd.Series(y - fit.gap, index=index, name="synthetic"),
        gap=pd.Series(fit.gap, index=index, name="gap"),
        treated=units,
        start=dp.start,
        outcome=outcome,
        period_years=period_years,
        straddle=straddle,
        min_pre=min_pre,
        excluded_donors=dp.excluded,
        dropped_periods=dp.dropped,
        flagged_periods=dp.flagged,
        warnings=tuple(notes),
        panel=dp.panel,
        _space=space,
        _fixed_lambda=lambda_ is not None or not placebo_cv,
    )
