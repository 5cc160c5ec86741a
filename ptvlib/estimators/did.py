"""Difference-in-differences with unit and period fixed effects (two-way FE).

:func:`did` compares the change in a treated unit (e.g. Oslo or a city district
with targeted police funding from 2018) with the change in untreated units over
the same years, in one of three models:

* ``"ols"`` — the outcome as given (e.g. a rate per 1 000); the effect is a
  difference in outcome units (:attr:`DidResult.att`).
* ``"poisson"`` — counts with ``log(exposure)`` as offset (Poisson
  pseudo-maximum likelihood, valid under any variance); the effect is a rate
  ratio (:attr:`DidResult.rate_ratio`).
* ``"negbin"`` — NB2 counts, dispersion :math:`\\alpha` estimated by profile
  maximum likelihood (see :mod:`ptvlib.estimators._glmfit`); rate ratio.

Notes
-----
The model is :math:`g(E[y_{it}]) = \\beta D_{it} + a_i + b_t` (+ offset), with
:math:`D_{it}=1` for treated units from their start (staggered starts allowed).
The fixed effects are eliminated exactly, without dummy columns
(:mod:`ptvlib.estimators._fe`), so monthly panels of hundreds of areas fit in
a fraction of a second; :meth:`DidResult.refit` reuses that work for placebo
assignments. Standard errors are cluster-robust CR1
(:func:`~ptvlib.estimators.inference.cluster_robust_vcov`), clustered by unit
unless *cluster* says otherwise, with :math:`K` counting fixed effects nested in
the clusters as one, like pyfixest's default and Stata's ``reghdfe``. OLS uses
:math:`t_{G-1}` critical values and p-values, the count models the normal
distribution (as pyfixest's ``feols``/``fepois``).

With one (or very few) treated clusters cluster-robust errors are badly
anti-conservative (MacKinnon & Webb 2017, 2018): in our simulations with 5 of
30 units treated and populations from 5 000 to 700 000, Poisson CR1 95 %
intervals covered the truth in only 79 % of 200 panels (95 % with 20 of 40
treated and populations 50 000–200 000). :func:`did` therefore warns with
:class:`FewTreatedWarning` (also recorded in :attr:`DidResult.warnings`) when
at most 5 clusters are treated. The
wild cluster restricted bootstrap (``bootstrap=9999``, OLS only) is better but
also unreliable with a single treated cluster; a placebo test over units
(:func:`~ptvlib.estimators.inference.permutation_test` or synthetic control) is
the honest check.

With staggered starts and heterogeneous effects the two-way FE coefficient can
weight cohorts oddly (Goodman-Bacon 2021); here controls are never-treated
units, which limits but does not remove the problem.

References
----------
.. [1] Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based
   improvements for inference with clustered errors. *Review of Economics and
   Statistics* 90(3), 414–427.
.. [2] MacKinnon, J. G. & Webb, M. D. (2017). Wild bootstrap inference for
   wildly different cluster sizes. *Journal of Applied Econometrics* 32(2), 233–254.
.. [3] Goodman-Bacon, A. (2021). Difference-in-differences with variation in
   treatment timing. *Journal of Econometrics* 225(2), 254–277.
.. [4] Santos Silva, J. M. C. & Tenreyro, S. (2006). The log of gravity.
   *Review of Economics and Statistics* 88(4), 641–658.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.literals import DidFamily, Lang, Straddle, check_literal
from ptvlib.basics.numbers import p_value
from ptvlib.basics.style import COLORS, figure_axes
from ptvlib.estimators._base import summary_frame, verdict_text
from ptvlib.estimators._did_data import Panel, fe_design, fe_dof, prepare_panel
from ptvlib.estimators._event_study import EventStudyResult, event_study
from ptvlib.estimators._fe import TwoWayFE, fe_cluster_vcov, fit_fe_model
from ptvlib.estimators.bootstrap import BootstrapResult, wild_cluster_bootstrap
from ptvlib.estimators.inference import InferenceWarning

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["DidResult", "EventStudyResult", "FewTreatedWarning", "did"]


class FewTreatedWarning(InferenceWarning):
    """One or few (≤ 5) treated clusters: cluster-robust standard errors are unreliable."""


_FEW_TREATED = 5


_DESIGN = {"nb": "Forskjell-i-forskjeller", "en": "Difference-in-differences"}
#: Figure labels of :meth:`DidResult.plot` by language.
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {"treated": "behandlet", "control": "kontroll", "time": "tid", "per_1000": " per 1 000"},
    "en": {"treated": "treated", "control": "control", "time": "time", "per_1000": " per 1 000"},
}
_CAVEATS = {
    "nb": {
        "parallel": "Metoden forutsetter parallelle trender: uten tiltaket ville behandlede "
        "enheter og sammenligningsenhetene ha utviklet seg likt",
        "pretrend": "test av lineær trendforskjell før start: {p} (felles test: {pj})",
        "one": "Bare én behandlet klynge: klyngerobuste standardfeil er upålitelige; bruk "
        "villbootstrap (bootstrap=9999) med varsomhet eller en placebotest (syntetisk kontroll)",
        "few": "Få klynger ({g}): usikkerheten kan være undervurdert",
        "staggered": "Ulike starttider: to-veis faste effekter kan vekte effektene skjevt",
        "police": "Registrerte narkotika- og ordenslovbrudd øker ofte med politiets aktivitet, "
        "så en økning kan speile mer kontroll heller enn mer kriminalitet",
    },
    "en": {
        "parallel": "The method assumes parallel trends: without the funding, treated and "
        "comparison units would have changed alike",
        "pretrend": "test of a linear difference in pre-trends: {p} (joint test: {pj})",
        "one": "Only one treated cluster: cluster-robust standard errors are unreliable; use the "
        "wild bootstrap (bootstrap=9999) with care or a placebo test (synthetic control)",
        "few": "Few clusters ({g}): uncertainty may be understated",
        "staggered": "Staggered starts: two-way fixed effects can weight the effects oddly",
        "police": "Reported drug and public-order offences tend to rise with police activity, "
        "so an increase can reflect more enforcement rather than more crime",
    },
}


@dataclass(frozen=True, eq=False)
class DidResult:
    """Result of :func:`did`.

    Attributes
    ----------
    family : {"ols", "poisson", "negbin"}
        Model.
    outcome : str
        Outcome column.
    treated : tuple
        Treated units.
    starts : dict
        First treated year of each treated unit.
    coef, se : float
        Treatment coefficient (log rate ratio for count families) and its CR1 SE.
    ci : (float, float)
        95 % CR1 interval for *coef*.
    p_value : float
        CR1 p-value (t with G−1 df for OLS, normal for count families).
    att, att_ci : float, (float, float)
        Effect in outcome units (OLS only; NaN otherwise).
    rate_ratio, rate_ratio_ci : float, (float, float)
        :math:`e^{coef}` and its interval (count families; NaN for OLS).
    boot : BootstrapResult or None
        Wild cluster bootstrap of the coefficient (``bootstrap=`` draws, OLS).
    n, n_units, n_periods, n_clusters, n_treated_clusters : int
        Sizes.
    alpha : float
        NB2 dispersion (negbin; NaN otherwise).
    dispersion : float
        Pearson :math:`\\chi^2/(n-p)` (residual variance for OLS).
    warnings : tuple of str
        Messages of warnings issued (e.g. :class:`FewTreatedWarning`) and notes.
    dropped, flagged : tuple of (unit, time)
        Treated rows dropped or kept as post because their period straddles the start.
    panel : pandas.DataFrame
        The analysis frame used (unit, time, y, offset, cluster, treated, post, rel).
    period_years : int
        Years per period.
    straddle : {"drop", "post"}
        Treatment of periods that straddle a start.
    """

    family: str
    outcome: str
    treated: tuple[Any, ...]
    starts: dict[Any, int]
    coef: float
    se: float
    ci: tuple[float, float]
    p_value: float
    att: float
    att_ci: tuple[float, float]
    rate_ratio: float
    rate_ratio_ci: tuple[float, float]
    boot: BootstrapResult | None
    n: int
    n_units: int
    n_periods: int
    n_clusters: int
    n_treated_clusters: int
    alpha: float
    dispersion: float
    warnings: tuple[str, ...]
    dropped: tuple[tuple[Any, int], ...]
    flagged: tuple[tuple[Any, int], ...]
    panel: pd.DataFrame = field(repr=False)
    period_years: int = 1
    straddle: str = "drop"
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def log_link(self) -> bool:
        """True for count families (effect on the ratio scale)."""
        return self.family != "ols"

    def refit(self, treated: Any, start: int | Mapping[Any, int] | None = None) -> float:
        """Treatment coefficient with the treatment given to other units (placebo inference).

        For placebo-in-space and randomization inference: the same model on the
        same analysis rows, with *treated* as the treated units. The
        fixed-effects layout is built once per result and reused; with OLS the
        projection on the unit and period effects is factorised once, so each
        call costs one projection of the new treatment dummy; count families
        warm-start IRLS from the real fit (NB2 keeps its :math:`\\hat\\alpha`).

        Parameters
        ----------
        treated : unit or sequence of units
            Units that get the treatment in this refit (any units of the panel).
        start : int or dict, optional
            Start year(s). Default: the real start when it is common; with
            staggered starts, the real units' starts in the order of
            :attr:`treated` (same number of units required).

        Returns
        -------
        float
            The coefficient (:attr:`coef` scale: ATT for OLS, log rate ratio for
            count families). For ``period_years=1`` it equals
            ``did(data, treated=..., ...).coef`` on the same data; rows of the
            real treated units that were dropped as straddling stay dropped.

        Raises
        ------
        ParameterError
            A unit is not in the panel, or *start* is ambiguous.
        EstimationError
            The placebo treatment has no post-period rows or is collinear.

        Examples
        --------
        >>> from ptvlib.estimators.simulate import simulate_panel
        >>> from ptvlib.estimators.inference import permutation_test
        >>> df = simulate_panel(n_units=10, treated=6, rate_ratio=0.7, seed=4)
        >>> treated = [f"u0{i}" for i in range(6)]
        >>> res = did(df, unit="unit", time="time", outcome="rate", treated=treated, start=2018)
        >>> abs(res.refit(treated) - res.coef) < 1e-12
        True
        >>> perm = permutation_test(res.refit, sorted(set(df["unit"])), treated)
        >>> perm.n_assignments, round(perm.p_value, 4)  # all 210 assignments, the real one first
        (210, 0.0048)
        """
        from ptvlib.estimators._did_refit import DidRefitter

        if "refit" not in self._cache:
            self._cache["refit"] = DidRefitter(
                self.panel,
                family=self.family,
                starts=self.starts,
                period_years=self.period_years,
                straddle=self.straddle,
                alpha=self.alpha,
            )
        units = (
            [treated] if isinstance(treated, str) or not hasattr(treated, "__iter__") else treated
        )
        return self._cache["refit"].coef(list(units), start)

    @property
    def estimate(self) -> float:
        """Headline estimate: rate ratio (count families) or ATT (OLS)."""
        return self.rate_ratio if self.log_link else self.att

    @property
    def boot_p_value(self) -> float:
        """Wild cluster bootstrap p-value (NaN without ``bootstrap=``)."""
        return self.boot.p_value if self.boot is not None else math.nan

    @property
    def boot_ci(self) -> tuple[float, float]:
        """Wild cluster bootstrap interval on the ATT scale (NaN without ``bootstrap=``)."""
        return self.boot.ci if self.boot is not None else (math.nan, math.nan)

    def event_study(self) -> EventStudyResult:
        """Coefficients by period relative to the start, and a joint pre-trend test.

        Returns
        -------
        EventStudyResult
            See :func:`ptvlib.estimators._event_study.event_study`: the reference
            period (the last before the start, −1 for yearly data) is omitted.
        """
        return event_study(
            self.panel, family=self.family, outcome=self.outcome, start=_start_label(self.starts)
        )

    def summary(self) -> pd.DataFrame:
        """Tidy frame (:data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`) of the effect."""
        term = "rate_ratio" if self.log_link else "att"
        ci = self.rate_ratio_ci if self.log_link else self.att_ci
        rows = [
            {
                "term": term,
                "estimate": self.estimate,
                "ci_low": ci[0],
                "ci_high": ci[1],
                "p_value": self.p_value,
                "n": self.n,
            }
        ]
        if self.boot is not None:
            rows.append(
                {
                    "term": f"{term} (wild bootstrap)",
                    "estimate": self.estimate,
                    "ci_low": self.boot.ci[0],
                    "ci_high": self.boot.ci[1],
                    "p_value": self.boot.p_value,
                    "n": self.n,
                }
            )
        return summary_frame(rows)

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Mean outcome (per 1 000 with exposure) of treated and control units by period.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        lang : {"nb", "en"}
            Language of axis labels and legend: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        check_literal("lang", lang, Lang)
        text = _PLOT_TEXT[lang]
        fig, ax = figure_axes(ax)
        p = self.panel
        per_1000 = self.log_link and bool((p["offset"] != 0).any())
        value = p["y"] / np.exp(p["offset"]) * 1000.0 if per_1000 else p["y"]
        means = value.groupby([p["treated"], p["time"]]).mean()
        for flag, label, colour in (
            (True, text["treated"], "treated"),
            (False, text["control"], "comparison"),
        ):
            if flag in means.index.get_level_values(0):
                s = means.xs(flag, level=0)
                ax.plot(s.index, s.to_numpy(), marker="o", color=COLORS[colour], label=label)
        ax.axvline(min(self.starts.values()) - 0.5, color=COLORS["start"], linestyle="--")
        ax.set_xlabel(text["time"])
        ax.set_ylabel(self.outcome + (text["per_1000"] if per_1000 else ""))
        ax.legend()
        return fig

    def _caveats(self, lang: Lang) -> list[str]:
        words = _CAVEATS[lang]
        caveats = [words["parallel"]]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InferenceWarning)
                es = self.event_study()
            if math.isfinite(es.pretrend_slope_p_value):
                caveats[0] += "; " + words["pretrend"].format(
                    p=p_value(es.pretrend_slope_p_value, lang),
                    pj=p_value(es.pretrend_p_value, lang),
                )
        except (ValueError, np.linalg.LinAlgError):
            pass
        if self.n_treated_clusters == 1:
            caveats.append(words["one"])
        if self.n_clusters < 30:
            caveats.append(words["few"].format(g=self.n_clusters))
        if len(set(self.starts.values())) > 1:
            caveats.append(words["staggered"])
        caveats.append(words["police"])
        return caveats

    def verdict(self, lang: Lang = "nb") -> str:
        """Plain-language paragraph (bootstrap interval and p-value when available)."""
        check_literal("lang", lang, Lang)
        if self.boot is not None:
            ci, p = self.boot.ci, self.boot.p_value
        else:
            ci = self.rate_ratio_ci if self.log_link else self.att_ci
            p = self.p_value
        return verdict_text(
            lang=lang,
            design=_DESIGN[lang],
            outcome=self.outcome,
            start=_start_label(self.starts),
            estimate=self.estimate,
            ci=ci,
            p_value=p,
            scale="ratio" if self.log_link else "difference",
            caveats=self._caveats(lang),
        )


def _start_label(starts: Mapping[Any, int]) -> int | str:
    years = sorted(set(starts.values()))
    return years[0] if len(years) == 1 else f"{years[0]}–{years[-1]}"


def did(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Any,
    start: int | Mapping[Any, int],
    exposure: str | None = None,
    family: DidFamily = "ols",
    cluster: str | None = None,
    bootstrap: int | None = None,
    period_years: int = 1,
    straddle: Straddle = "drop",
    seed: int | None = None,
) -> DidResult:
    """Two-way fixed-effects difference-in-differences for one or more treated units.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit × period (not modified).
    unit, time, outcome : str
        Columns: unit id, period end-year (whole numbers), outcome (count or rate).
    treated : unit or list of units
        Treated unit(s).
    start : int or dict
        First treated year, or a dict ``unit -> year`` for staggered starts.
    exposure : str, optional
        Population column; its log is the offset of count families (not allowed
        with ``"ols"``: pass a rate as *outcome* instead).
    family : {"ols", "poisson", "negbin"}
        Model (see the module notes).
    cluster : str, optional
        Cluster column for CR1 errors; default the *unit* column.
    bootstrap : int, optional
        Number of wild cluster restricted bootstrap draws (OLS only); see
        :func:`~ptvlib.estimators.inference.wild_cluster_bootstrap` (Rademacher,
        enumerated when :math:`2^G\\le` draws, Webb six-point when G < 12).
    period_years : {1, 2}
        Years covered by each period (SSB two-year averages: 2).
    straddle : {"drop", "post"}
        Treated rows whose period straddles their start: drop, or keep as post.
    seed : int, optional
        Seed for the bootstrap weights.

    Returns
    -------
    DidResult

    Raises
    ------
    ParameterError
        Unknown column, family, straddle, bad *start*/*treated*, bootstrap with a
        count family, exposure with OLS.
    EstimationError
        Fewer than 3 pre-periods, no control units, a treated unit missing at
        its start, non-numeric or missing outcome, negative counts, duplicate
        unit × period keys, collinear design.

    Warns
    -----
    FewTreatedWarning
        Only one treated cluster.

    Examples
    --------
    >>> from ptvlib.estimators.simulate import simulate_panel
    >>> df = simulate_panel(treated=8, rate_ratio=0.8, seed=2)
    >>> res = did(df, unit="unit", time="time", outcome="count", treated=[f"u0{i}" for i in range(8)],
    ...           start=2018, exposure="population", family="poisson")
    >>> round(res.rate_ratio, 2), res.n_clusters
    (0.8, 30)
    """
    check_literal("family", family, DidFamily)
    check_literal("straddle", straddle, Straddle)
    if period_years not in (1, 2):
        raise ParameterError(f"period_years={period_years!r} is not allowed; allowed: 1, 2")
    if bootstrap is not None:
        if family != "ols":
            raise ParameterError(
                f"bootstrap={bootstrap!r} with family={family!r} is not supported; the wild "
                "cluster bootstrap is implemented for family='ols' (use bootstrap=None)"
            )
        if (
            isinstance(bootstrap, bool)
            or not isinstance(bootstrap, int | np.integer)
            or bootstrap < 1
        ):
            raise ParameterError(
                f"bootstrap={bootstrap!r} is not allowed; allowed: None or an integer >= 1"
            )
    if exposure is not None and family == "ols":
        raise ParameterError(
            f"exposure={exposure!r} is not used with family='ols'; pass a rate as outcome, "
            "or use family='poisson'/'negbin' for counts with a population offset"
        )
    panel = prepare_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        treated=treated,
        start=start,
        exposure=exposure,
        counts=family != "ols",
        cluster=cluster,
        period_years=period_years,
        straddle=straddle,
    )
    return _fit(
        panel,
        family=family,
        outcome=outcome,
        bootstrap=bootstrap,
        seed=seed,
        period_years=period_years,
        straddle=straddle,
    )


def _fit(
    panel: Panel,
    *,
    family: str,
    outcome: str,
    bootstrap: int | None,
    seed: int | None,
    period_years: int = 1,
    straddle: str = "drop",
) -> DidResult:
    from scipy import stats

    f = panel.frame
    d = f["post"].to_numpy(dtype=float)[:, None]
    fe = TwoWayFE.from_frame(f)
    y = f["y"].to_numpy(dtype=float)
    clusters = f["cluster"].to_numpy()
    fit = fit_fe_model(y, d, fe, family, offset=f["offset"].to_numpy(dtype=float))  # type: ignore[arg-type]
    V = fe_cluster_vcov(fit, fe, d, clusters, k=fe_dof(f, 1))
    coef, se = float(fit.params[0]), math.sqrt(max(float(V[0, 0]), 0.0))
    g = int(pd.Series(clusters).nunique())
    treated_rows = f["treated"].to_numpy()
    g_treated = int(pd.Series(clusters[treated_rows]).nunique())
    dist = stats.t(g - 1) if family == "ols" else stats.norm()
    crit = float(dist.ppf(0.975))
    z = coef / se if se > 0 else math.nan
    p = float(2 * dist.sf(abs(z))) if math.isfinite(z) else math.nan
    ci = (coef - crit * se, coef + crit * se)

    messages = list(panel.notes)
    if g_treated == 1:
        msg = (
            f"only one treated cluster ({panel.treated[0]!r} of {g}): cluster-robust standard "
            "errors are unreliable with one treated cluster (MacKinnon & Webb 2017); use "
            "bootstrap=9999 (wild cluster bootstrap, itself fragile here) or a placebo test "
            "(permutation_test / synthetic control)"
        )
        warnings.warn(msg, FewTreatedWarning, stacklevel=3)
        messages.append(msg)
    elif g_treated <= _FEW_TREATED:
        msg = (
            f"only {g_treated} treated clusters of {g}: cluster-robust standard errors can be "
            "far too small, above all when units differ a lot in size (in simulations with 5 "
            "of 30 units treated, populations 5 000-700 000, 95 % intervals covered 79 %); "
            "check with bootstrap=9999 (OLS on rates) or a placebo test"
        )
        warnings.warn(msg, FewTreatedWarning, stacklevel=3)
        messages.append(msg)
    elif g < 10:
        msg = f"only {g} clusters: cluster-robust standard errors are unreliable; use bootstrap="
        warnings.warn(msg, InferenceWarning, stacklevel=3)
        messages.append(msg)
    boot = None
    if bootstrap is not None:
        X, _ = fe_design(f, d)  # the bootstrap works on the dummy design (few clusters)
        boot = wild_cluster_bootstrap(X, y, clusters, coef=0, draws=int(bootstrap), seed=seed)
    nan2 = (math.nan, math.nan)
    ols = family == "ols"
    return DidResult(
        family=family,
        outcome=outcome,
        treated=panel.treated,
        starts=panel.starts,
        coef=coef,
        se=se,
        ci=ci,
        p_value=p,
        att=coef if ols else math.nan,
        att_ci=ci if ols else nan2,
        rate_ratio=math.nan if ols else math.exp(coef),
        rate_ratio_ci=nan2 if ols else (math.exp(ci[0]), math.exp(ci[1])),
        boot=boot,
        n=len(f),
        n_units=int(f["unit"].nunique()),
        n_periods=int(f["time"].nunique()),
        n_clusters=g,
        n_treated_clusters=g_treated,
        alpha=fit.alpha,
        dispersion=fit.pearson_dispersion,
        warnings=tuple(messages),
        dropped=panel.dropped,
        flagged=panel.flagged,
        panel=f,
        period_years=period_years,
        straddle=straddle,
    )
