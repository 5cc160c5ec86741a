"""Sensitivity of an event study to violations of parallel trends (Rambachan & Roth 2023).

A pre-trend test answers "did trends differ before the start?" with a yes or
no, has little power and biases what survives it (Roth 2022). HonestDiD asks
instead how large a violation would have to be to overturn the conclusion:
robust intervals for the average post-period effect under bounded
differences in trends, and the **breakdown value**, the smallest bound at
which the interval includes zero.

* ``"relative_magnitudes"`` (:math:`\\Delta^{RM}(\\bar M)`): after the start the
  trend difference may change each period by up to :math:`\\bar M` times the
  largest change seen before the start. :math:`\\bar M = 0` is exact parallel
  trends and returns the event study's own interval; :math:`\\bar M = 1` allows
  post-period violations as large as the worst pre-period one.
* ``"smoothness"`` (:math:`\\Delta^{SD}(M)`): the trend difference may bend by up
  to :math:`M` per period (in coefficient units); :math:`M = 0` allows exactly
  linear differential trends, extrapolated from the pre-periods.

References
----------
Rambachan, A. & Roth, J. (2023). A more credible approach to parallel trends.
*The Review of Economic Studies*, 90(5), 2555-2591.
https://doi.org/10.1093/restud/rdad018

Roth, J. (2022). Pretest with caution: Event-study estimates after testing for
parallel trends. *American Economic Review: Insights*, 4(3), 305-322.
https://doi.org/10.1257/aeri.20210236

Armstrong, T. B. & Kolesár, M. (2018). Optimal inference in a class of
regression models. *Econometrica*, 86(2), 655-683.
https://doi.org/10.3982/ECTA14434
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import HonestMethod, Lang, check_literal
from ptvlib.estimators._base import classify, summary_frame
from ptvlib.estimators._event_study import EventStudyResult
from ptvlib.estimators._honest_bounds import flci, rm_bounds

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["HonestDidResult", "HonestMethod", "breakdown_sentence", "honest_did"]


#: Default grid of :math:`\bar M` for relative magnitudes.
RM_GRID: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
#: Default grid of :math:`M` for smoothness, as multiples of the largest pre-period bend.
SD_GRID: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0)

_SENTENCE: dict[str, dict[str, str]] = {
    "nb": {
        "rm": "Fortegnet holder med mindre trendforskjellene etter start overstiger {m} ganger "
        "den største trendforskjellen før start (Rambachan og Roth 2023).",
        "sd": "Fortegnet holder med mindre trendforskjellen bøyer av med mer enn {m} per periode "
        "etter start, sammenlignet med en rett forlengelse av trenden før start (Rambachan og "
        "Roth 2023).",
        "zero": "Selv med parallelle trender omfatter intervallet null, så fortegnet er ikke "
        "fastslått (Rambachan og Roth 2023).",
        "always": "Fortegnet holder for alle {what}: koeffisientene før start viser ingen "
        "trendforskjell å skalere (Rambachan og Roth 2023).",
        "rm_what": "M̄",
        "sd_what": "M",
        "xlabel_rm": "M̄ (trendbrudd etter start relativt til det største før start)",
        "xlabel_sd": "M (avbøyning i trendforskjellen per periode)",
        "ylabel": "robust 95 %-intervall ({scale})",
        "title": "Følsomhet for brudd på parallelle trender (bruddpunkt {m})",
        "original": "opprinnelig",
        "lead_rm": "HonestDiD (relative størrelser) for {outcome}",
        "lead_sd": "HonestDiD (glatthet) for {outcome}",
        "ratio": "rateforhold",
        "difference": "forskjell",
    },
    "en": {
        "rm": "The sign holds unless post-period trend differences exceed {m} times the largest "
        "pre-period one (Rambachan and Roth 2023).",
        "sd": "The sign holds unless the trend difference bends by more than {m} per period "
        "after the start, compared with a straight extrapolation of the pre-period trend "
        "(Rambachan and Roth 2023).",
        "zero": "Even with parallel trends the interval includes zero, so the sign is not "
        "established (Rambachan and Roth 2023).",
        "always": "The sign holds for every {what}: the pre-period coefficients show no trend "
        "difference to scale (Rambachan and Roth 2023).",
        "rm_what": "M̄",
        "sd_what": "M",
        "xlabel_rm": "M̄ (post-period trend break relative to the largest pre-period one)",
        "xlabel_sd": "M (bend of the trend difference per period)",
        "ylabel": "robust 95 % interval ({scale})",
        "title": "Sensitivity to violations of parallel trends (breakdown {m})",
        "original": "original",
        "lead_rm": "HonestDiD (relative magnitudes) for {outcome}",
        "lead_sd": "HonestDiD (smoothness) for {outcome}",
        "ratio": "rate ratio",
        "difference": "difference",
    },
}


def breakdown_sentence(
    breakdown: float, *, lang: Lang = "nb", method: HonestMethod = "relative_magnitudes"
) -> str:
    """The breakdown value as one sentence for a verdict (bokmål or English).

    Parameters
    ----------
    breakdown : float
        Breakdown value (:attr:`HonestDidResult.breakdown`): 0 when even the
        parallel-trends interval includes zero, ``inf`` when no bound overturns
        the sign.
    lang : {"nb", "en"}
        Language.
    method : {"relative_magnitudes", "smoothness"}
        Which restriction *breakdown* refers to.

    Returns
    -------
    str

    Examples
    --------
    >>> breakdown_sentence(0.07, lang="en")
    'The sign holds unless post-period trend differences exceed 0.07 times the largest pre-period one (Rambachan and Roth 2023).'
    >>> breakdown_sentence(0.07)
    'Fortegnet holder med mindre trendforskjellene etter start overstiger 0,07 ganger den største trendforskjellen før start (Rambachan og Roth 2023).'
    """
    from ptvlib.basics.numbers import number

    check_literal("lang", lang, Lang)
    check_literal("method", method, HonestMethod)
    words = _SENTENCE[lang]
    key = "rm" if method == "relative_magnitudes" else "sd"
    if breakdown == 0:
        return words["zero"]
    if math.isinf(breakdown):
        return words["always"].format(what=words[key + "_what"])
    decimals = 2 if breakdown >= 0.01 else 4
    return words[key].format(m=number(breakdown, lang, decimals=decimals))


@dataclass(frozen=True, eq=False)
class HonestDidResult:
    """Result of :func:`honest_did`.

    Attributes
    ----------
    method : {"relative_magnitudes", "smoothness"}
        Restriction on the post-period differences in trends.
    table : pandas.DataFrame
        One row per bound: ``mbar``, ``lb``, ``ub`` (identified set; NaN for
        smoothness), ``ci_low``, ``ci_high`` (robust interval, coefficient
        scale: log rate ratio for count families).
    estimate, se : float
        The target :math:`\\hat\\theta = l'\\hat\\beta_{\\mathrm{post}}` and its
        standard error (the event study's ``average_post`` by default).
    ci : (float, float)
        The event study's own interval for :math:`\\theta`.
    breakdown : float
        Smallest bound at which the robust interval includes zero (0: already
        at parallel trends; ``inf``: never).
    max_pre_step : float
        Largest absolute change :math:`B_0` of the pre-period coefficients
        (the step into the reference period included).
    max_pre_bend : float
        Largest absolute second difference of the pre-period coefficients.
    log_link : bool
        Coefficients are log rate ratios (count families).
    outcome : str
        Outcome column.
    n_pre, n_post : int
        Pre- and post-period coefficients used.
    critical_value : float
        Critical value of the event study's intervals (t with G − 1 df for
        OLS, normal for count families).
    weights : numpy.ndarray
        :math:`l`, the target's weights over the post-periods.
    """

    method: str
    table: pd.DataFrame = field(repr=False)
    estimate: float
    se: float
    ci: tuple[float, float]
    breakdown: float
    max_pre_step: float
    max_pre_bend: float
    log_link: bool
    outcome: str
    n_pre: int
    n_post: int
    critical_value: float
    weights: np.ndarray = field(repr=False)

    def robust_ci(self, mbar: float) -> tuple[float, float]:
        """Robust interval at one of the bounds in :attr:`table`."""
        row = self.table.loc[np.isclose(self.table["mbar"], mbar)]
        if row.empty:
            shown = ", ".join(f"{m:g}" for m in self.table["mbar"])
            raise ParameterError(f"mbar={mbar!r} is not in the table; allowed: {shown}")
        return float(row["ci_low"].iloc[0]), float(row["ci_high"].iloc[0])

    def breakdown_sentence(self, lang: Lang = "nb") -> str:
        """:func:`breakdown_sentence` for this result."""
        return breakdown_sentence(self.breakdown, lang=lang, method=self.method)  # type: ignore[arg-type]

    def summary(self) -> pd.DataFrame:
        """Tidy frame (:data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`).

        Returns
        -------
        pandas.DataFrame
            ``original`` (the event study's interval), one ``mbar=...`` row per
            bound (robust interval, ratio scale for count families) and
            ``breakdown`` (its value in ``estimate``).
        """
        tr = math.exp if self.log_link else float
        rows: list[dict[str, object]] = [
            {
                "term": "original",
                "estimate": tr(self.estimate),
                "ci_low": tr(self.ci[0]),
                "ci_high": tr(self.ci[1]),
                "n": self.n_post,
            }
        ]
        for r in self.table.itertuples():
            rows.append(
                {
                    "term": f"mbar={r.mbar:g}",
                    "estimate": tr(self.estimate),
                    "ci_low": tr(r.ci_low),
                    "ci_high": tr(r.ci_high),
                    "n": self.n_post,
                }
            )
        rows.append({"term": "breakdown", "estimate": self.breakdown, "n": self.n_pre})
        return summary_frame(rows)

    def verdict(self, lang: Lang = "nb") -> str:
        """The breakdown sentence, led by the design and the outcome.

        Parameters
        ----------
        lang : {"nb", "en"}
            Language.

        Returns
        -------
        str
        """
        check_literal("lang", lang, Lang)
        words = _SENTENCE[lang]
        lead = words["lead_" + ("rm" if self.method == "relative_magnitudes" else "sd")]
        return f"{lead.format(outcome=self.outcome)}: {self.breakdown_sentence(lang)}"

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Robust intervals against the bound, the original interval first.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        lang : {"nb", "en"}
            Language of labels and title: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ptvlib.basics.numbers import number
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        words = _SENTENCE[lang]
        fig, ax = figure_axes(ax)
        tr = np.exp if self.log_link else (lambda v: v)
        t = self.table
        x = t["mbar"].to_numpy(dtype=float)
        step = float(np.min(np.diff(x))) if x.size > 1 else 1.0
        est = float(tr(self.estimate))
        ax.errorbar(
            [x.min() - step],
            [est],
            yerr=[[est - float(tr(self.ci[0]))], [float(tr(self.ci[1])) - est]],
            fmt="o",
            color=COLORS["comparison"],
            capsize=3,
            label=words["original"],
        )
        lo, hi = tr(t["ci_low"].to_numpy()), tr(t["ci_high"].to_numpy())
        ax.vlines(x, lo, hi, color=COLORS["treated"], lw=2.0)
        ax.axhline(1.0 if self.log_link else 0.0, color=COLORS["comparison"], lw=1)
        key = "rm" if self.method == "relative_magnitudes" else "sd"
        ax.set_xlabel(words["xlabel_" + key])
        ax.set_ylabel(
            words["ylabel"].format(scale=words["ratio" if self.log_link else "difference"])
        )
        shown = "∞" if math.isinf(self.breakdown) else number(self.breakdown, lang, decimals=2)
        ax.set_title(words["title"].format(m=shown))
        ax.legend(loc="best", frameon=False)
        return fig


def _excludes_zero(lo: float, hi: float) -> bool:
    return classify(lo, hi, null=0.0) != "inconclusive"


def honest_did(
    event_study: EventStudyResult,
    *,
    method: HonestMethod = "relative_magnitudes",
    mbar: float | Sequence[float] | None = None,
    weights: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> HonestDidResult:
    """Robust intervals and the breakdown value of an event study (Rambachan & Roth 2023).

    Parameters
    ----------
    event_study : EventStudyResult
        From :meth:`ptvlib.estimators.did.DidResult.event_study`.
    method : {"relative_magnitudes", "smoothness"}
        Restriction on the post-period differences in trends.
    mbar : float or sequence of float, optional
        Bounds :math:`\\bar M` (relative magnitudes; default ``0, 0.25, …, 2``)
        or :math:`M` (smoothness, in coefficient units per period; default
        ``0, 0.25, 0.5, 1, 2`` times the largest pre-period bend). Must be >= 0.
    weights : sequence of float, optional
        Weights :math:`l` of the target over the post-periods; default equal
        weights (the event study's ``average_post``).
    alpha : float
        1 − coverage of the intervals (0.05).

    Returns
    -------
    HonestDidResult

    Raises
    ------
    ParameterError
        *event_study* is not an :class:`EventStudyResult`, a bound is negative,
        *weights* has the wrong length, or an option is not allowed.
    EstimationError
        The event study has no pre-period or no post-period coefficient, or its
        covariance is missing.

    Notes
    -----
    The formulas are in :mod:`ptvlib.estimators._honest_bounds`. Relative
    magnitudes: identified set :math:`l'\\hat\\beta_{\\mathrm{post}} \\pm \\bar M
    B_0\\sum_j|\\sum_{k\\ge j} l_k|`, widened by the event study's critical value
    times the standard error; the breakdown value is then
    :math:`(|\\hat\\theta| - c\\,\\mathrm{se}) / (B_0\\sum_j|\\sum_{k\\ge j}l_k|)`.
    Smoothness: the optimal fixed-length interval; the breakdown value is found
    by bisection. Periods are taken in order of ``rel_time`` (two-year periods
    step by 2; a dropped straddling period is skipped). The pre-period
    coefficients are treated as the violations before the start (no
    anticipation). Both agree with diff-diff 3.13's ``HonestDiD``
    (``relative_magnitude`` to rounding, ``smoothness`` to about 1e-6).

    References
    ----------
    Rambachan, A. & Roth, J. (2023). A more credible approach to parallel
    trends. *The Review of Economic Studies*, 90(5), 2555-2591.

    Examples
    --------
    >>> from ptvlib.estimators.did import did
    >>> from ptvlib.estimators.simulate import simulate_panel
    >>> df = simulate_panel(n_units=30, treated=15, rate_ratio=0.8, seed=2,
    ...                     population=(50_000, 200_000))
    >>> es = did(df, unit="unit", time="time", outcome="count", treated=[f"u{i:02d}" for i in range(15)],
    ...          start=2018, exposure="population", family="poisson").event_study()
    >>> res = honest_did(es)
    >>> res.robust_ci(0.0) == res.ci  # M̄ = 0: the event study's own interval
    True
    >>> round(res.breakdown, 2)
    3.91
    """
    if not isinstance(event_study, EventStudyResult):
        raise ParameterError(
            f"event_study must be an EventStudyResult (from DidResult.event_study()); "
            f"got {type(event_study).__name__}"
        )
    check_literal("method", method, HonestMethod)
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} is not allowed; allowed: a number in (0, 1)")
    V = event_study.vcov
    if V is None or V.empty:
        raise EstimationError("the event study has no covariance of its coefficients")
    rels = [int(e) for e in V.index]
    ref = event_study.reference
    pre = [e for e in rels if e < ref]
    post = [e for e in rels if e > ref]
    if not pre or not post:
        raise EstimationError(
            f"HonestDiD needs pre- and post-period coefficients; this event study has "
            f"{len(pre)} before and {len(post)} after the reference period {ref}"
        )
    coefs = event_study.coefficients.set_index("rel_time")["coef"]
    order = pre + post
    beta = coefs.loc[order].to_numpy(dtype=float)
    sigma = V.loc[order, order].to_numpy(dtype=float)
    T, K = len(pre), len(post)
    if weights is None:
        lw = np.full(K, 1.0 / K)
    else:
        lw = np.asarray(weights, dtype=float)
        if lw.shape != (K,) or not np.isfinite(lw).all():
            raise ParameterError(
                f"weights has {lw.size} value(s); allowed: {K} finite numbers, one per "
                f"post-period coefficient (rel_time {post})"
            )
    theta = float(lw @ beta[T:])
    se = math.sqrt(max(float(lw @ sigma[T:, T:] @ lw), 0.0))
    from scipy import stats

    log_link = event_study.log_link
    df = None if log_link else float(event_study.n_clusters - 1)
    crit = float(stats.norm.ppf(1 - alpha / 2) if df is None else stats.t.ppf(1 - alpha / 2, df))
    ci = (theta - crit * se, theta + crit * se)
    ext = np.concatenate([beta[:T], [0.0]])
    bend = float(np.max(np.abs(np.diff(ext, 2)))) if ext.size >= 3 else 0.0
    _, _, b0 = rm_bounds(beta[:T], beta[T:], lw, 0.0)
    if mbar is None:
        grid = (
            RM_GRID
            if method == "relative_magnitudes"
            else tuple(m * (bend if bend > 0 else se) for m in SD_GRID)
        )
    else:
        grid = (mbar,) if isinstance(mbar, int | float | np.floating) else tuple(mbar)
    values = [float(m) for m in grid]
    if not values or any(not (math.isfinite(m) and m >= 0) for m in values):
        raise ParameterError(f"mbar={mbar!r} is not allowed; allowed: numbers >= 0")
    rows = []
    if method == "relative_magnitudes":
        for m in values:
            lb, ub, _ = rm_bounds(beta[:T], beta[T:], lw, m)
            rows.append((m, lb, ub, lb - crit * se, ub + crit * se))
        scale = b0 * float(np.sum(np.abs(np.cumsum(lw[::-1])[::-1])))
        if not _excludes_zero(*ci):
            breakdown = 0.0
        elif scale == 0:
            breakdown = math.inf
        else:
            breakdown = (abs(theta) - crit * se) / scale
    else:
        for m in values:
            sol = flci(beta, sigma, T, lw, m, alpha=alpha)
            rows.append((m, math.nan, math.nan, sol.centre - sol.half, sol.centre + sol.half))
        breakdown = _sd_breakdown(beta, sigma, T, lw, alpha, se)
    table = pd.DataFrame(rows, columns=["mbar", "lb", "ub", "ci_low", "ci_high"])
    return HonestDidResult(
        method=method,
        table=table,
        estimate=theta,
        se=se,
        ci=ci,
        breakdown=float(breakdown),
        max_pre_step=b0,
        max_pre_bend=bend,
        log_link=log_link,
        outcome=event_study.outcome,
        n_pre=T,
        n_post=K,
        critical_value=crit,
        weights=lw,
    )


def _sd_breakdown(
    beta: np.ndarray,
    sigma: np.ndarray,
    T: int,
    lw: np.ndarray,
    alpha: float,
    se: float,
) -> float:
    """Smallest M at which the smoothness FLCI includes zero (bisection; 0 or inf at the ends)."""

    def excludes(m: float) -> bool:
        sol = flci(beta, sigma, T, lw, m, alpha=alpha)
        return _excludes_zero(sol.centre - sol.half, sol.centre + sol.half)

    if not excludes(0.0):
        return 0.0
    hi = max(se, 1e-12)
    for _ in range(60):
        if not excludes(hi):
            break
        hi *= 4
    else:
        return math.inf
    lo = 0.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if excludes(mid):
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-6 * hi:
            break
    return 0.5 * (lo + hi)
