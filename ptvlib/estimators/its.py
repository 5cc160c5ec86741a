"""Interrupted time series (segmented regression), single or with a control series.

Notes
-----
With :math:`\\tau_t = t - s` (time centred at the start *s*) and
:math:`P_t=\\mathbb 1[t\\ge s]`, the model is

.. math::  g(E[y_t]) = \\beta_0 + \\beta_1\\tau_t + \\beta_2 P_t + \\beta_3 P_t\\tau_t
           + \\sum_{k=1}^{K}\\big[\\gamma_k\\sin(2\\pi k t/m)+\\delta_k\\cos(2\\pi k t/m)\\big]
           \\;[+\\log E_t],

with :math:`g=\\log` and offset :math:`\\log E_t` (exposure, e.g. population)
for ``"poisson"``, ``"quasipoisson"`` and ``"negbin"``, and the identity for
``"ols"``. :math:`\\beta_2` is the level change at the start
(:attr:`ItsResult.rate_ratio` :math:`=e^{\\beta_2}` for log link,
:attr:`ItsResult.level_change` for OLS) and :math:`\\beta_3` the change in slope
per period (:attr:`ItsResult.slope_change`, :math:`e^{\\beta_3}` for log link).
``slope_change=False`` drops :math:`\\beta_3` (the model of Lopez Bernal et al.
2017, ``aces ~ offset(log(stdpop)) + smokban + time``). ``seasonality=m`` adds
:math:`K` = ``n_harmonics`` Fourier pairs of period *m* (in the time index,
e.g. 12 for monthly data), as ``harmonic(month, 2, 12)`` in the paper.

Errors: Poisson and NB2 use the model-based covariance
:math:`(X'WX)^{-1}`; quasi-Poisson the same mean model scaled by the Pearson
dispersion :math:`\\hat\\phi=\\chi^2_P/(n-p)` (:attr:`ItsResult.dispersion`)
with :math:`t_{n-p}` intervals (as R's ``quasipoisson``); OLS Newey–West HAC
errors with ``hac_lags`` (default :math:`\\lfloor 4(T/100)^{2/9}\\rfloor`).
Passing ``hac_lags`` to a count family gives HAC errors for it as well.

**Comparative ITS** (``control=``): the treated and control series are stacked
with a group indicator :math:`G` (1 = treated) interacting every segment term,

.. math::  \\ldots + G(\\beta_4 + \\beta_5\\tau_t + \\beta_6 P_t + \\beta_7 P_t\\tau_t),

so :math:`\\beta_6` and :math:`\\beta_7` are the *differences* between the two
series' level and slope changes — a difference-in-differences of segmented
trends. Seasonality is shared. HAC errors then sum scores over both series per
period (Driscoll–Kraay).

References
----------
.. [1] Lopez Bernal, J., Cummins, S. & Gasparrini, A. (2017). Interrupted time
   series regression for the evaluation of public health interventions: a
   tutorial. *International Journal of Epidemiology* 46(1), 348–355.
.. [2] Lopez Bernal, J., Cummins, S. & Gasparrini, A. (2018). The use of
   controls in interrupted time series studies of public health interventions.
   *International Journal of Epidemiology* 47(6), 2082–2093.
.. [3] Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite,
   heteroskedasticity and autocorrelation consistent covariance matrix.
   *Econometrica* 55(3), 703–708.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import ItsFamily, Lang, Straddle, check_literal
from ptvlib.basics.numbers import number
from ptvlib.basics.style import COLORS, figure_axes
from ptvlib.estimators._base import split_periods, summary_frame, verdict_text
from ptvlib.estimators._did_data import check_column, check_numeric, check_time
from ptvlib.estimators._glmfit import fit_model
from ptvlib.estimators.inference import hac_vcov

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["ItsResult", "its"]

#: Figure labels of :meth:`ItsResult.plot` by language.
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "observed": "observert",
        "fitted": "tilpasset",
        "counterfactual": "kontrafaktisk",
        "time": "tid",
        "per_1000": " per 1 000",
    },
    "en": {
        "observed": "observed",
        "fitted": "fitted",
        "counterfactual": "counterfactual",
        "time": "time",
        "per_1000": " per 1 000",
    },
}
_DESIGN = {
    "nb": ("Avbrutt tidsserie", "Avbrutt tidsserie med kontrollserie"),
    "en": ("Interrupted time series", "Comparative interrupted time series"),
}
_CAVEATS = {
    "nb": {
        "trend": "Metoden forutsetter at trenden før start ville ha fortsatt uten tiltaket, og at "
        "ingenting annet som påvirker utfallet endret seg samtidig",
        "control": "Kontrollserien antas å fange opp felles endringer etter start",
        "overdispersed": "Tellingene varierer mer enn Poisson-modellen tillater (dispersjon "
        "{d}); bruk family='quasipoisson' eller 'negbin'",
        "police": "Registrerte narkotika- og ordenslovbrudd øker ofte med politiets aktivitet, "
        "så en økning kan speile mer kontroll heller enn mer kriminalitet",
    },
    "en": {
        "trend": "The method assumes that the pre-start trend would have continued without the "
        "funding and that nothing else affecting the outcome changed at the same time",
        "control": "The control series is assumed to capture common changes after the start",
        "overdispersed": "Counts vary more than the Poisson model allows (dispersion {d}); "
        "use family='quasipoisson' or 'negbin'",
        "police": "Reported drug and public-order offences tend to rise with police activity, "
        "so an increase can reflect more enforcement rather than more crime",
    },
}


@dataclass(frozen=True, eq=False)
class ItsResult:
    """Result of :func:`its`.

    Attributes
    ----------
    family : str
        Model family.
    outcome : str
        Outcome column.
    start : int
        First intervention period.
    comparative : bool
        Whether a control series was used (effects are then differences to it).
    rate_ratio, rate_ratio_ci : float, (float, float)
        Level change as a rate ratio (log link; NaN for OLS).
    level_change, level_change_ci : float, (float, float)
        Level change in outcome units (OLS; NaN for log link).
    slope_change, slope_change_ci : float, (float, float)
        Change in slope per period: a ratio per period (log link) or a
        difference per period (OLS); NaN with ``slope_change=False``.
    p_value, slope_p_value : float
        p-values of the level and slope changes.
    dispersion : float
        Pearson :math:`\\chi^2/(n-p)` (residual variance for OLS).
    alpha : float
        NB2 dispersion (negbin; NaN otherwise).
    hac_lags : int or None
        Newey–West lags used (None: model-based errors).
    params : pandas.DataFrame
        All terms: ``term, coef, se, p_value``.
    counterfactual : pandas.DataFrame
        Treated series: ``time, observed, fitted, counterfactual, post`` (counts
        for log link) and ``exposure`` when given; the counterfactual sets the
        intervention terms to 0.
    n : int
        Observations in the fit.
    warnings : tuple of str
        Notes on the fit (e.g. overdispersion).
    dropped : tuple of int
        Periods dropped as straddling the start.
    """

    family: str
    outcome: str
    start: int
    comparative: bool
    rate_ratio: float
    rate_ratio_ci: tuple[float, float]
    level_change: float
    level_change_ci: tuple[float, float]
    slope_change: float
    slope_change_ci: tuple[float, float]
    p_value: float
    slope_p_value: float
    dispersion: float
    alpha: float
    hac_lags: int | None
    params: pd.DataFrame = field(repr=False)
    counterfactual: pd.DataFrame = field(repr=False)
    n: int = 0
    warnings: tuple[str, ...] = ()
    dropped: tuple[int, ...] = ()

    @property
    def log_link(self) -> bool:
        """True unless ``family="ols"``."""
        return self.family != "ols"

    @property
    def estimate(self) -> float:
        """Headline level change (rate ratio or difference)."""
        return self.rate_ratio if self.log_link else self.level_change

    def summary(self) -> pd.DataFrame:
        """Tidy frame with the level change and (if modelled) the slope change."""
        level_ci = self.rate_ratio_ci if self.log_link else self.level_change_ci
        rows = [
            {
                "term": "rate_ratio" if self.log_link else "level_change",
                "estimate": self.estimate,
                "ci_low": level_ci[0],
                "ci_high": level_ci[1],
                "p_value": self.p_value,
                "n": self.n,
            }
        ]
        if math.isfinite(self.slope_change):
            rows.append(
                {
                    "term": "slope_change",
                    "estimate": self.slope_change,
                    "ci_low": self.slope_change_ci[0],
                    "ci_high": self.slope_change_ci[1],
                    "p_value": self.slope_p_value,
                    "n": self.n,
                }
            )
        return summary_frame(rows)

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Observed series, fitted segments and the counterfactual after the start.

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
        cf = self.counterfactual
        scale = 1000.0 / cf["exposure"] if "exposure" in cf else 1.0
        unit = text["per_1000"] if "exposure" in cf else ""
        ax.scatter(
            cf["time"],
            cf["observed"] * scale,
            s=12,
            color=COLORS["comparison"],
            label=text["observed"],
        )
        ax.plot(cf["time"], cf["fitted"] * scale, color=COLORS["treated"], label=text["fitted"])
        post = cf["post"].to_numpy()
        ax.plot(
            cf["time"][post],
            (cf["counterfactual"] * scale)[post],
            linestyle="--",
            color=COLORS["counterfactual"],
            label=text["counterfactual"],
        )
        ax.axvline(self.start - 0.5, color=COLORS["start"], linestyle=":")
        ax.set_xlabel(text["time"])
        ax.set_ylabel(self.outcome + unit)
        ax.legend()
        return fig

    def verdict(self, lang: Lang = "nb") -> str:
        """Plain-language paragraph on the level change, with design caveats."""
        check_literal("lang", lang, Lang)
        words = _CAVEATS[lang]
        caveats = [words["trend"]]
        if self.comparative:
            caveats.append(words["control"])
        if self.family == "poisson" and self.dispersion > 1.5 and self.hac_lags is None:
            caveats.append(
                words["overdispersed"].format(d=number(self.dispersion, lang, decimals=2))
            )
        caveats.append(words["police"])
        return verdict_text(
            lang=lang,
            design=_DESIGN[lang][int(self.comparative)],
            outcome=self.outcome,
            start=self.start,
            estimate=self.estimate,
            ci=self.rate_ratio_ci if self.log_link else self.level_change_ci,
            p_value=self.p_value,
            scale="ratio" if self.log_link else "difference",
            caveats=caveats,
        )


def _series(
    frame: pd.DataFrame, time: str, outcome: str, exposure: str | None, counts: bool, role: str
) -> pd.DataFrame:
    for name, col in ((f"{role}time", time), (f"{role}outcome", outcome)):
        check_column(frame, name, col)
    t = check_time(frame, time)
    if pd.Series(t).duplicated().any():
        dup = sorted(set(pd.Series(t)[pd.Series(t).duplicated()].tolist()))[:5]
        raise EstimationError(f"duplicate {time!r} values {dup}: a series needs one row per period")
    out = pd.DataFrame({"time": t, "y": check_numeric(frame, outcome, "outcome", counts=counts)})
    if exposure is not None:
        check_column(frame, f"{role}exposure", exposure)
        e = check_numeric(frame, exposure, "exposure")
        if (e <= 0).any():
            raise EstimationError(f"exposure column {exposure!r} must be > 0 (a population)")
        out["exposure"] = e
    return out


def _control_series(
    data: pd.DataFrame,
    control: str | pd.DataFrame,
    time: str,
    outcome: str,
    exposure: str | None,
    control_exposure: str | None,
    counts: bool,
) -> pd.DataFrame:
    if isinstance(control, pd.DataFrame):
        return _series(control, time, outcome, exposure, counts, "control ")
    check_column(data, "control", control)
    if exposure is not None and control_exposure is None:
        raise ParameterError(
            f"control={control!r} is a column, so control_exposure= must name the control "
            "series' population column when exposure is given"
        )
    return _series(data, time, control, control_exposure, counts, "control ")


def _design(
    t: np.ndarray, g: np.ndarray | None, start: int, slope: bool, season: int | None, k: int
) -> tuple[np.ndarray, list[str]]:
    tc = (t - start).astype(float)
    post = (t >= start).astype(float)
    cols = {"const": np.ones(t.size), "time": tc, "level": post}
    if slope:
        cols["slope"] = post * tc
    if g is not None:
        for name in list(cols):
            cols[f"group:{name}"] = g * cols[name]
    if season is not None:
        for h in range(1, k + 1):
            if 2 * h != season:
                cols[f"sin{h}"] = np.sin(2 * np.pi * h * t / season)
            cols[f"cos{h}"] = np.cos(2 * np.pi * h * t / season)
    return np.column_stack(list(cols.values())), list(cols)


def its(
    data: pd.DataFrame,
    *,
    time: str,
    outcome: str,
    start: int,
    exposure: str | None = None,
    family: ItsFamily = "poisson",
    control: str | pd.DataFrame | None = None,
    control_exposure: str | None = None,
    seasonality: int | None = None,
    n_harmonics: int = 2,
    slope_change: bool = True,
    hac_lags: int | None = None,
    period_years: int = 1,
    straddle: Straddle = "drop",
) -> ItsResult:
    """Segmented regression of one series (or a series against a control).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period (not modified).
    time : str
        Whole-number time index (years, or 1, 2, … for months).
    outcome : str
        Count (log-link families) or value (``"ols"``).
    start : int
        First period of the intervention, on the *time* scale.
    exposure : str, optional
        Population column; ``log(exposure)`` is the offset of log-link families.
    family : {"poisson", "quasipoisson", "negbin", "ols"}
        Model (see the module notes).
    control : str or pandas.DataFrame, optional
        Control series: a column of *data* with the control outcome, or a frame
        with the same *time*, *outcome* (and *exposure*) columns. Gives a
        comparative ITS.
    control_exposure : str, optional
        Population column of a column-*control* (required with *exposure*).
    seasonality : int, optional
        Periods per seasonal cycle (12 for monthly data): adds Fourier terms.
    n_harmonics : int
        Number of Fourier pairs with *seasonality* (1 … seasonality // 2).
    slope_change : bool
        Model a change in slope (False: level change only).
    hac_lags : int, optional
        Newey–West lags; default the Newey–West rule for OLS and model-based
        errors for count families.
    period_years : {1, 2}
        Years per period, for two-year periods that straddle the start.
    straddle : {"drop", "post"}
        Straddling periods: drop, or treat as post.

    Returns
    -------
    ItsResult

    Raises
    ------
    ParameterError
        Unknown column or option, bad *seasonality*/*n_harmonics*/*hac_lags*,
        exposure with OLS.
    EstimationError
        Fewer than 3 pre-periods (2 post-periods with a slope change),
        non-numeric or missing outcome, negative counts, duplicate periods,
        control series not covering the same periods.

    Examples
    --------
    >>> from ptvlib.estimators.simulate import simulate_its
    >>> s = simulate_its(rate_ratio=0.8, seed=1)
    >>> res = its(s, time="time", outcome="count", start=37, exposure="population")
    >>> round(res.rate_ratio, 2)
    0.8
    """
    check_literal("family", family, ItsFamily)
    check_literal("straddle", straddle, Straddle)
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    if period_years not in (1, 2):
        raise ParameterError(f"period_years={period_years!r} is not allowed; allowed: 1, 2")
    if isinstance(start, bool) or not isinstance(start, int | np.integer):
        raise ParameterError(
            f"start={start!r} is not allowed; allowed: a whole period on the time scale"
        )
    if seasonality is not None and (
        isinstance(seasonality, bool) or not isinstance(seasonality, int) or seasonality < 2
    ):
        raise ParameterError(
            f"seasonality={seasonality!r} is not allowed; allowed: None or an integer >= 2"
        )
    if seasonality is not None and not (
        isinstance(n_harmonics, int) and 1 <= n_harmonics <= seasonality // 2
    ):
        raise ParameterError(
            f"n_harmonics={n_harmonics!r} is not allowed; allowed: 1 … {seasonality // 2}"
        )
    if hac_lags is not None and (
        isinstance(hac_lags, bool) or not isinstance(hac_lags, int) or hac_lags < 0
    ):
        raise ParameterError(
            f"hac_lags={hac_lags!r} is not allowed; allowed: None or an integer >= 0"
        )
    if family == "ols" and exposure is not None:
        raise ParameterError(
            f"exposure={exposure!r} is not used with family='ols'; pass a rate as outcome "
            "or use a count family"
        )
    counts = family != "ols"
    treated = _series(data, time, outcome, exposure, counts, "")
    split = split_periods(
        treated["time"].to_numpy(),
        int(start),
        period_years=period_years,
        straddle=straddle,
        min_pre=3,
        min_post=2 if slope_change else 1,
    )
    keep_times = set(treated["time"].to_numpy()[split.pre | split.post].tolist())
    treated = treated.loc[treated["time"].isin(keep_times)].sort_values("time", ignore_index=True)
    frames = [treated.assign(g=1.0)]
    if control is not None:
        ctrl = _control_series(data, control, time, outcome, exposure, control_exposure, counts)
        ctrl = ctrl.loc[ctrl["time"].isin(keep_times)].sort_values("time", ignore_index=True)
        missing = sorted(keep_times - set(ctrl["time"].tolist()))
        if missing:
            raise EstimationError(f"the control series has no rows for {time}={missing[:5]}")
        frames.append(ctrl.assign(g=0.0))
    stacked = pd.concat(frames, ignore_index=True)
    t = stacked["time"].to_numpy()
    g = stacked["g"].to_numpy() if control is not None else None
    X, names = _design(t, g, int(start), slope_change, seasonality, n_harmonics)
    offset = np.log(stacked["exposure"].to_numpy()) if exposure is not None else np.zeros(len(t))
    fit_family = "poisson" if family == "quasipoisson" else family
    fit = fit_model(stacked["y"].to_numpy(), X, fit_family, offset=offset)
    return _result(
        fit,
        X,
        names,
        stacked,
        offset,
        family=family,
        outcome=outcome,
        start=int(start),
        comparative=control is not None,
        hac_lags=hac_lags,
        dropped=split.dropped,
    )


def _result(
    fit,
    X: np.ndarray,
    names: list[str],
    stacked: pd.DataFrame,
    offset: np.ndarray,
    *,
    family: str,
    outcome: str,
    start: int,
    comparative: bool,
    hac_lags: int | None,
    dropped: tuple[int, ...],
) -> ItsResult:
    from scipy import stats

    n, p = X.shape
    t = stacked["time"].to_numpy()
    if family == "ols" and hac_lags is None:
        hac_lags = int(math.floor(4 * (len(np.unique(t)) / 100) ** (2 / 9)))
    if hac_lags is not None:
        V = hac_vcov(fit.bread, fit.scores, t, hac_lags)
    elif family == "quasipoisson":
        V = fit.bread * fit.pearson_dispersion
    else:
        V = fit.bread
    se = np.sqrt(np.clip(np.diag(V), 0.0, None))
    dist = stats.t(n - p) if family == "quasipoisson" and hac_lags is None else stats.norm()
    crit = float(dist.ppf(0.975))
    with np.errstate(divide="ignore", invalid="ignore"):
        pvals = 2 * dist.sf(np.abs(fit.params / se))
    params = pd.DataFrame({"term": names, "coef": fit.params, "se": se, "p_value": pvals})
    prefix = "group:" if comparative else ""

    def effect(term: str) -> tuple[float, tuple[float, float], float]:
        if term not in names:
            return math.nan, (math.nan, math.nan), math.nan
        i = names.index(term)
        b, lo, hi = fit.params[i], fit.params[i] - crit * se[i], fit.params[i] + crit * se[i]
        if family != "ols":
            return math.exp(b), (math.exp(lo), math.exp(hi)), float(pvals[i])
        return float(b), (float(lo), float(hi)), float(pvals[i])

    level, level_ci, p_level = effect(prefix + "level")
    slope, slope_ci, p_slope = effect(prefix + "slope")
    is_treated = stacked["g"].to_numpy() == 1.0
    effect_cols = [i for i, nm in enumerate(names) if nm in (prefix + "level", prefix + "slope")]
    X_cf = X.copy()
    X_cf[:, effect_cols] = 0.0
    link = np.exp if family != "ols" else (lambda v: v)
    cf = pd.DataFrame(
        {
            "time": t[is_treated],
            "observed": stacked["y"].to_numpy()[is_treated],
            "fitted": link(X @ fit.params + offset)[is_treated],
            "counterfactual": link(X_cf @ fit.params + offset)[is_treated],
            "post": t[is_treated] >= start,
        }
    )
    if "exposure" in stacked:
        cf["exposure"] = stacked["exposure"].to_numpy()[is_treated]
    notes = []
    if family == "poisson" and fit.pearson_dispersion > 1.5:
        notes.append(
            f"overdispersion: Pearson chi2/df = {fit.pearson_dispersion:.2f} > 1.5; Poisson "
            "intervals are too narrow, use family='quasipoisson' or 'negbin'"
        )
    nan2 = (math.nan, math.nan)
    log = family != "ols"
    return ItsResult(
        family=family,
        outcome=outcome,
        start=start,
        comparative=comparative,
        rate_ratio=level if log else math.nan,
        rate_ratio_ci=level_ci if log else nan2,
        level_change=math.nan if log else level,
        level_change_ci=nan2 if log else level_ci,
        slope_change=slope,
        slope_change_ci=slope_ci,
        p_value=p_level,
        slope_p_value=p_slope,
        dispersion=fit.pearson_dispersion,
        alpha=fit.alpha,
        hac_lags=hac_lags,
        params=params,
        counterfactual=cf,
        n=n,
        warnings=tuple(notes),
        dropped=dropped,
    )
