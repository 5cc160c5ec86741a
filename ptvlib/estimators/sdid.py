"""Synthetic difference-in-differences (Arkhangelsky et al. 2021) with placebo inference.

Synthetic control reweights donors so that their *level* matches the treated
unit before the start, which fails when the treated unit lies above every
donor (Oslo's crime rate does in most years). Difference-in-differences keeps
all donors with equal weight and trusts parallel trends. SDID does both halves
partly: unit weights :math:`\\hat\\omega` make the donors' pre-period *trend*
parallel to the treated unit's (a unit intercept absorbs the level gap, and a
ridge penalty spreads the weights), and time weights :math:`\\hat\\lambda` pick
the pre-periods that best predict the post-period, so the comparison is a
weighted DiD.

Inference follows the paper's placebo variance (Algorithm 4): every donor in
turn is the pseudo-treated unit and SDID is refitted on the other donors; the
standard deviation of those placebo estimates is the standard error. With one
treated unit the product decides by the rank of the real estimate among the
placebo estimates (:meth:`SyntheticDidResult.placebo`).

References
----------
Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W. & Wager, S. (2021).
Synthetic difference-in-differences. *American Economic Review*, 111(12),
4088-4118. https://doi.org/10.1257/aer.20190159

Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods for
comparative case studies: Estimating the effect of California's tobacco control
program. *Journal of the American Statistical Association*, 105(490), 493-505.
https://doi.org/10.1198/jasa.2009.ap08746
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
from ptvlib.basics.literals import Lang, SdidSolver, Straddle, check_literal
from ptvlib.basics.numbers import number
from ptvlib.estimators._base import summary_frame, verdict_text
from ptvlib.estimators._donor_panel import DonorPanel, prepare_donor_panel
from ptvlib.estimators._sdid_fit import SdidFit, SdidSpec, fit_sdid, placebo_sdid, sdid_spec
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

__all__ = ["SdidSolver", "SyntheticDidResult", "synthetic_did"]


_DESIGN = {"nb": "Syntetisk forskjell-i-forskjeller", "en": "Synthetic difference-in-differences"}
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "observed": "{treated} (observert)",
        "synthetic": "syntetisk DiD (parallellforskjøvet)",
        "weights": "tidsvekter før start",
        "title": "{treated}: SDID-effekt etter {start} {att} (95 %-intervall {lo} til {hi})",
    },
    "en": {
        "observed": "{treated} (observed)",
        "synthetic": "synthetic DiD (parallel-shifted)",
        "weights": "time weights before the start",
        "title": "{treated}: SDID effect after {start} {att} (95 % interval {lo} to {hi})",
    },
}
_CAVEATS: dict[str, dict[str, str]] = {
    "nb": {
        "placebo": "intervallet bygger på placebovarians: hver donor behandlet som om den fikk "
        "tiltaket ({n} placebokjøringer); p-verdien er rangeringen av effekten blant dem",
        "few": "med {n} kjøringer er minste mulige placebo-p {p}",
        "outside": "{treated} ligger utenfor donorenes spenn før start; SDID tillater et fast "
        "nivåavvik, men forutsetter parallell utvikling med de vektede donorene",
        "fit": "vektet trendavvik før start (RMSPE) {rmspe}",
        "dropped": "perioder som spenner over start ({per}) er utelatt",
        "flagged": "perioder som spenner over start ({per}) er regnet som etter",
    },
    "en": {
        "placebo": "the interval uses the placebo variance: each donor treated as if it got the "
        "funding ({n} placebo runs); the p-value is the effect's rank among them",
        "few": "with {n} runs the smallest attainable placebo p is {p}",
        "outside": "{treated} lies outside the donors' range before the start; SDID allows a fixed "
        "level difference but assumes the same change as the weighted donors",
        "fit": "weighted pre-period trend gap (RMSPE) {rmspe}",
        "dropped": "periods straddling the start ({per}) were dropped",
        "flagged": "periods straddling the start ({per}) were counted as post",
    },
}


@dataclass(frozen=True, eq=False, repr=False)
class SyntheticDidResult(DonorDesignMixin):
    """Result of :func:`synthetic_did`.

    Attributes
    ----------
    att : float
        Average effect on the treated over the post-periods (outcome units).
    se : float
        Placebo standard error (Algorithm 4 of Arkhangelsky et al. 2021):
        :math:`\\sqrt{(r-1)/r}\\,\\mathrm{sd}(\\hat\\tau^{(b)})` over the *r*
        placebo runs.
    ci : (float, float)
        95 % interval :math:`\\hat\\tau \\pm z_{0.975}\\,\\mathrm{se}`.
    unit_weights : pandas.Series
        :math:`\\hat\\omega` over the donors (>= 0, sum 1), sorted descending.
    time_weights : pandas.Series
        :math:`\\hat\\lambda` over the pre-periods (>= 0, sum 1).
    observed, synthetic, gap : pandas.Series
        Treated (mean) path, the donors' weighted path shifted by
        :attr:`intercept`, and their difference; ``att`` is the post-period
        mean of ``gap``.
    intercept : float
        :math:`\\hat\\lambda'(y_{\\mathrm{pre}} - Y_{\\mathrm{pre}}\\hat\\omega)`,
        the level difference SDID allows.
    treated : tuple
        Treated unit(s).
    start : int
        First treated year.
    outcome : str
        Outcome column.
    solver : {"exact", "frank_wolfe"}
        Weight solver.
    zeta_omega, zeta_lambda, noise_level : float
        Regularisation of the unit and time weights and the noise level
        :math:`\\sigma` they are built from (outcome units).
    period_years, straddle, min_pre
        As passed to :func:`synthetic_did`.
    excluded_donors : pandas.DataFrame
        Candidate donors left out (``unit``, ``reason``).
    dropped_periods, flagged_periods : tuple of int
        Straddling periods dropped or counted as post.
    warnings : tuple of str
        Notes raised while fitting.
    panel : pandas.DataFrame
        Outcome used (index: period; columns: treated unit(s), then donors).
    """

    att: float
    se: float
    ci: tuple[float, float]
    unit_weights: pd.Series
    time_weights: pd.Series
    observed: pd.Series
    synthetic: pd.Series
    gap: pd.Series
    intercept: float
    treated: tuple[Hashable, ...]
    start: int
    outcome: str
    solver: str
    zeta_omega: float
    zeta_lambda: float
    noise_level: float
    period_years: int
    straddle: Straddle
    min_pre: int
    excluded_donors: pd.DataFrame
    dropped_periods: tuple[int, ...]
    flagged_periods: tuple[int, ...]
    warnings: tuple[str, ...]
    panel: pd.DataFrame
    _space: UnitPlaceboResult = field(repr=False)
    _spec: SdidSpec = field(repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False, compare=False)

    def __repr__(self) -> str:
        top = ", ".join(f"{k}: {v:.3f}" for k, v in self.unit_weights.head(3).items())
        return (
            f"SyntheticDidResult(treated={self.treated!r}, start={self.start}, att={self.att:.4g}, "
            f"se={self.se:.4g}, p={self.p_value:.3g}, n_pre={self.n_pre}, n_post={self.n_post}, "
            f"donors={self.unit_weights.size}, weights={{{top}, ...}})"
        )

    def _refit_gap(self, Y: np.ndarray, pre: np.ndarray) -> np.ndarray:
        """Gap path of SDID refitted on *Y* (treated columns first) with pre-periods *pre*."""
        n1 = len(self.treated)
        spec = sdid_spec(Y[:, n1:], pre, n_treated=n1, solver=self.solver)
        return fit_sdid(Y[:, n1:], Y[:, :n1].mean(axis=1), pre, spec).gap

    # --------------------------------------------------------------- reporting
    def summary(self) -> pd.DataFrame:
        """Tidy summary with :data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`.

        Returns
        -------
        pandas.DataFrame
            Rows ``att`` (placebo-variance 95 % interval, placebo rank p-value,
            ``n`` = post-periods), ``placebo_se`` (``n`` = placebo runs),
            ``intercept`` (the allowed level difference, ``n`` = pre-periods).
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
                {"term": "intercept", "estimate": self.intercept, "n": self.n_pre},
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
        pre_rmspe = float(np.sqrt(np.mean(self.gap.to_numpy()[self.pre] ** 2)))
        caveats = [
            words["placebo"].format(n=runs),
            words["fit"].format(rmspe=number(pre_rmspe, lang)),
        ]
        if runs + 1 < 20:
            caveats.append(
                words["few"].format(n=runs + 1, p=number(1 / (runs + 1), lang, decimals=3))
            )
        if any("outside the donors' range" in w for w in self.warnings):
            caveats.append(words["outside"].format(treated=", ".join(map(str, self.treated))))
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
        """Observed path, the parallel-shifted synthetic path and the time weights.

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
        name = ", ".join(map(str, self.treated))
        ax.plot(
            t,
            self.observed,
            color=COLORS["treated"],
            lw=2.2,
            label=text["observed"].format(treated=name),
        )
        ax.plot(
            t,
            self.synthetic,
            color=COLORS["counterfactual"],
            lw=2.0,
            ls="--",
            label=text["synthetic"],
        )
        lam = self.time_weights.to_numpy()
        if lam.max() > 0:
            lo, hi = ax.get_ylim()
            height = 0.15 * (hi - lo) * lam / lam.max()
            ax.bar(
                self.time_weights.index,
                height,
                bottom=lo,
                color=COLORS["band"],
                alpha=0.7,
                label=text["weights"],
            )
            ax.set_ylim(lo, hi)
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


def placebo_sets(
    n_donors: int, n_treated: int, *, replications: int, seed: int
) -> list[np.ndarray]:
    """Pseudo-treated donor sets: every donor (one treated unit), else Algorithm 4's draws.

    With ``C(J, N1) <= replications`` every set is used once; otherwise
    *replications* distinct random sets (seeded).
    """
    if n_treated == 1:
        return [np.array([j]) for j in range(n_donors)]
    if math.comb(n_donors, n_treated) <= replications:
        import itertools

        return [np.array(c) for c in itertools.combinations(range(n_donors), n_treated)]
    rng = np.random.default_rng(seed)
    seen: set[tuple[int, ...]] = set()
    out: list[np.ndarray] = []
    while len(out) < replications:
        pick = tuple(sorted(rng.choice(n_donors, n_treated, replace=False).tolist()))
        if pick not in seen:
            seen.add(pick)
            out.append(np.array(pick))
    return out


def _check_zeta(name: str, value: float | None) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.floating)
        or not value >= 0
    ):
        raise ParameterError(f"{name}={value!r} is not allowed; allowed: None or a number >= 0")


def synthetic_did(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Hashable | Sequence[Hashable],
    start: int,
    donors: Sequence[Hashable] | None = None,
    period_years: int = 1,
    straddle: Straddle = "drop",
    min_pre: int = 3,
    solver: SdidSolver = "exact",
    zeta_omega: float | None = None,
    zeta_lambda: float | None = None,
    replications: int = 200,
    seed: int = 0,
) -> SyntheticDidResult:
    """Synthetic difference-in-differences for one (or a few) treated units with a common start.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit and period (not modified); rates rather
        than counts when units differ in size.
    unit, time, outcome : str
        Column names: unit identifier, period (integer end-year) and outcome.
    treated : hashable or sequence
        The treated unit, or several units treated from the same *start*
        (their mean path is the treated path).
    start : int
        First treated year.
    donors : sequence, optional
        Candidate donors; default every other unit. Donors with gaps are
        excluded and listed in ``excluded_donors``.
    period_years : {1, 2}
        Years per period (SSB two-year averages: 2).
    straddle : {"drop", "post"}
        Periods straddling *start*: dropped (default) or counted as post.
    min_pre : int
        Minimum number of pre-periods (default 3, at least 2).
    solver : {"exact", "frank_wolfe"}
        ``"exact"`` (default) computes the minimisers of the paper's weight
        problems; ``"frank_wolfe"`` runs R synthdid's Frank–Wolfe iterations
        with sparsification, which reproduce R and diff-diff but can stop short
        of the minimiser (see :mod:`ptvlib.estimators._sdid_weights`).
    zeta_omega, zeta_lambda : float, optional
        Regularisation in outcome units; default
        :math:`(N_1 T_1)^{1/4}\\sigma` and :math:`10^{-6}\\sigma`.
    replications : int
        Placebo draws when several units are treated (Algorithm 4); with one
        treated unit every donor is used once.
    seed : int
        Seed of those draws.

    Returns
    -------
    SyntheticDidResult

    Raises
    ------
    ParameterError
        A column is missing, a key repeats, *treated* or a donor is not in the
        data, or an option is not allowed.
    EstimationError
        Fewer than *min_pre* pre-periods or no post-period, a treated unit with
        gaps, or fewer than :math:`N_1 + 1` complete donors.

    Notes
    -----
    With donors' pre-period outcomes :math:`Y_{jt}` and the treated mean
    :math:`y_t`, the unit weights solve

    .. math::

        (\\hat\\omega_0, \\hat\\omega) = \\arg\\min_{\\omega_0,\\ \\omega \\in \\Delta}
        \\sum_{t < T_0} \\Big(\\omega_0 + \\sum_j \\omega_j Y_{jt} - y_t\\Big)^2
        + \\zeta_\\omega^2 T_0 \\lVert\\omega\\rVert^2 ,

    the time weights

    .. math::

        (\\hat\\lambda_0, \\hat\\lambda) = \\arg\\min_{\\lambda_0,\\ \\lambda \\in \\Delta}
        \\sum_j \\Big(\\lambda_0 + \\sum_{t<T_0} \\lambda_t Y_{jt} - \\bar Y_{j,\\mathrm{post}}\\Big)^2
        + \\zeta_\\lambda^2 N_0 \\lVert\\lambda\\rVert^2 ,

    with :math:`\\zeta_\\omega = (N_1T_1)^{1/4}\\sigma`, :math:`\\zeta_\\lambda = 10^{-6}\\sigma`
    and :math:`\\sigma` the standard deviation of the donors' first differences
    before the start (Arkhangelsky et al. 2021, eqs. 2.2-2.4; R synthdid's
    defaults). The estimate is
    :math:`\\hat\\tau = (\\bar y_{\\mathrm{post}} - \\hat\\lambda'y_{\\mathrm{pre}})
    - \\sum_j\\hat\\omega_j(\\bar Y_{j,\\mathrm{post}} - \\hat\\lambda'Y_{j,\\mathrm{pre}})`.
    The placebo runs reuse the real fit's :math:`\\zeta`'s (as R's
    ``placebo_se``). On California's Proposition 99 (Abadie et al. 2010) this
    gives −15.6 packs per capita, the paper's Table 1 value.

    References
    ----------
    Arkhangelsky, D., Athey, S., Hirshberg, D. A., Imbens, G. W. & Wager, S.
    (2021). Synthetic difference-in-differences. *American Economic Review*,
    111(12), 4088-4118.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> years = np.arange(2008, 2024)
    >>> trend = np.linspace(0, 6, years.size)
    >>> rows = [{"unit": f"k{i}", "year": y, "rate": 40 + 2 * i + trend[k] + rng.normal(0, 0.5)}
    ...         for i in range(24) for k, y in enumerate(years)]
    >>> rows += [{"unit": "Oslo", "year": y, "rate": 80 + trend[k] - 3.0 * (y >= 2018)
    ...           + rng.normal(0, 0.5)} for k, y in enumerate(years)]
    >>> res = synthetic_did(pd.DataFrame(rows), unit="unit", time="year", outcome="rate",
    ...                     treated="Oslo", start=2018)
    >>> round(res.att, 1), round(res.p_value, 3)
    (-3.2, 0.04)
    """
    check_literal("solver", solver, SdidSolver)
    _check_zeta("zeta_omega", zeta_omega)
    _check_zeta("zeta_lambda", zeta_lambda)
    if isinstance(min_pre, bool) or not isinstance(min_pre, int | np.integer) or min_pre < 2:
        raise ParameterError(f"min_pre={min_pre!r} is not allowed; allowed: an integer >= 2")
    if (
        isinstance(replications, bool)
        or not isinstance(replications, int | np.integer)
        or replications < 2
    ):
        raise ParameterError(
            f"replications={replications!r} is not allowed; allowed: an integer >= 2"
        )
    dp: DonorPanel = prepare_donor_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        treated=treated,
        start=start,
        donors=donors,
        period_years=period_years,
        straddle=straddle,
        min_pre=min_pre,
        design="synthetic_did",
    )
    Y, y, pre = dp.Y, dp.y, dp.pre
    n1 = len(dp.treated)
    spec = sdid_spec(
        Y, pre, n_treated=n1, solver=solver, zeta_omega=zeta_omega, zeta_lambda=zeta_lambda
    )
    fit: SdidFit = fit_sdid(Y, y, pre, spec)
    sets = placebo_sets(Y.shape[1], n1, replications=int(replications), seed=seed)
    taus, gaps = placebo_sdid(Y, pre, spec, sets, fit)
    se = float(np.sqrt(np.mean((taus - taus.mean()) ** 2)))
    from scipy.stats import norm

    z = float(norm.ppf(0.975))
    donors_ = dp.donors
    labels = [donors_[s[0]] if s.size == 1 else "+".join(str(donors_[i]) for i in s) for s in sets]
    index = dp.panel.index
    space = unit_placebo_result(
        labels=labels,
        gaps=gaps,
        pre=pre,
        level=outcome_level(dp.panel.to_numpy(dtype=float)),
        real_label=dp.treated[0] if n1 == 1 else "+".join(map(str, dp.treated)),
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
            f"treated unit(s) {dp.treated!r} are {where} every donor in {k} of {int(pre.sum())} "
            "pre-treatment periods (outside the donors' range); SDID's unit intercept absorbs "
            "the level difference"
        )
    if taus.size + 1 < 20:
        msg = (
            f"only {taus.size} placebo runs: the placebo standard error is imprecise and the "
            f"smallest attainable p-value is {1 / (taus.size + 1):.3f}"
        )
        _warnings.warn(msg, InferenceWarning, stacklevel=2)
        notes.append(msg)
    omega = pd.Series(fit.omega, index=pd.Index(donors_, dtype=object, name=unit), name="weight")
    synthetic = y - fit.gap
    return SyntheticDidResult(
        att=fit.tau,
        se=se,
        ci=(fit.tau - z * se, fit.tau + z * se),
        unit_weights=omega.sort_values(ascending=False, kind="stable"),
        time_weights=pd.Series(fit.lam, index=index[pre], name="weight"),
        observed=pd.Series(y, index=index, name="observed"),
        synthetic=pd.Series(synthetic, index=index, name="synthetic"),
        gap=pd.Series(fit.gap, index=index, name="gap"),
        intercept=fit.intercept,
        treated=dp.treated,
        start=dp.start,
        outcome=outcome,
        solver=solver,
        zeta_omega=spec.zeta_omega * spec.scale,
        zeta_lambda=spec.zeta_lambda * spec.scale,
        noise_level=spec.noise,
        period_years=period_years,
        straddle=straddle,
        min_pre=min_pre,
        excluded_donors=dp.excluded,
        dropped_periods=dp.dropped,
        flagged_periods=dp.flagged,
        warnings=tuple(notes),
        panel=dp.panel,
        _space=space,
        _spec=spec,
    )
