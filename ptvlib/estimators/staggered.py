"""Staggered adoption: Callaway & Sant'Anna (2021) group-time effects and their aggregations.

When areas are funded from different years, two-way fixed effects compares
late-funded areas with already-funded ones and can weight the effects oddly,
even with the wrong sign (Goodman-Bacon 2021). Callaway & Sant'Anna estimate
one effect per funding cohort :math:`g` and period :math:`t`, each a clean 2 × 2
comparison with units not (yet) funded, and then average them: a simple
average over all post-funding cells and an event-time profile by years since
funding. Standard errors come from the influence functions (clustered by
unit), as in R's ``did`` package.

References
----------
Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with
multiple time periods. *Journal of Econometrics*, 225(2), 200-230.
https://doi.org/10.1016/j.jeconom.2020.12.001

Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment
timing. *Journal of Econometrics*, 225(2), 254-277.
https://doi.org/10.1016/j.jeconom.2021.03.014

Wooldridge, J. M. (2023). Simple approaches to nonlinear difference-in-differences
with panel data. *The Econometrics Journal*, 26(3), C31-C66.
https://doi.org/10.1093/ectj/utad016
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import BasePeriod, Lang, StaggeredControl, check_literal
from ptvlib.basics.numbers import number
from ptvlib.estimators._base import summary_frame, verdict_text
from ptvlib.estimators._did_data import check_column, check_numeric, check_time
from ptvlib.estimators._staggered_fit import GroupTime, aggregate, group_time

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["BasePeriod", "StaggeredControl", "StaggeredDidResult", "staggered_did"]


_DESIGN = {
    "nb": "Forskjell-i-forskjeller med ulike starttider (Callaway og Sant'Anna)",
    "en": "Staggered difference-in-differences (Callaway and Sant'Anna)",
}
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "xlabel": "år siden start",
        "ratio": "rateforhold",
        "difference": "effekt på {outcome}",
        "title": "Effekt etter tid siden start (samlet: {est})",
    },
    "en": {
        "xlabel": "periods since the start",
        "ratio": "rate ratio",
        "difference": "effect on {outcome}",
        "title": "Effect by time since the start (overall: {est})",
    },
}
_CAVEATS: dict[str, dict[str, str]] = {
    "nb": {
        "parallel": "Metoden forutsetter at hver startkohort uten tiltaket ville ha utviklet seg "
        "som {ctrl}",
        "never": "enhetene som aldri fikk tiltaket",
        "notyet": "enhetene som ennå ikke hadde fått det",
        "pre": "{k} av {m} effekter før start har et 95 %-intervall som utelukker null",
        "few": "bare {n} behandlede enheter: intervallene bygger på store utvalg og kan være for "
        "smale; en permutasjonstest er tryggere",
        "dropped": "utelatt: {what}",
    },
    "en": {
        "parallel": "The method assumes that each start cohort would, without the funding, have "
        "changed like {ctrl}",
        "never": "the units never funded",
        "notyet": "the units not yet funded",
        "pre": "{k} of {m} pre-start effects have a 95 % interval that excludes zero",
        "few": "only {n} treated units: the intervals rest on large-sample theory and may be too "
        "narrow; a permutation test is safer",
        "dropped": "left out: {what}",
    },
}


def _z() -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.975))


def _p(est: np.ndarray, se: np.ndarray) -> np.ndarray:
    from scipy.stats import norm

    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(2 * norm.sf(np.abs(est / se)), dtype=float)


@dataclass(frozen=True, eq=False)
class StaggeredDidResult:
    """Result of :func:`staggered_did`.

    Attributes
    ----------
    att : float
        Simple aggregation: the group-share weighted mean of every post-start
        group-time effect (outcome units; with an exposure, the log rate ratio).
    se : float
        Its influence-function standard error (clustered by unit).
    ci : (float, float)
        95 % interval (normal critical value, as R's ``did``).
    p_value : float
        Two-sided p-value of ``att = 0``.
    rate_ratio, rate_ratio_ci : float, (float, float)
        :math:`e^{\\mathrm{att}}` and its interval with an exposure (NaN otherwise).
    group_time : pandas.DataFrame
        One row per cell: ``group`` (first treated period), ``time``, ``rel_time``,
        ``base``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p_value``,
        ``n_treated``, ``n_control``, ``post``.
    event_time : pandas.DataFrame
        Aggregation by ``rel_time`` = time − group: ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``p_value``, ``n_groups``.
    control : {"never_treated", "not_yet_treated"}
        Comparison units.
    base_period : {"varying", "universal"}
        Base of the pre-start cells.
    outcome : str
        Outcome column.
    log_scale : bool
        True when an exposure made the cells log rate ratios.
    n_units, n_treated, n_never_treated : int
        Units used, treated units among them and never-treated units.
    groups : tuple of int
        Start cohorts.
    dropped : tuple of str
        Units or cohorts left out, with the reason.
    """

    att: float
    se: float
    ci: tuple[float, float]
    p_value: float
    rate_ratio: float
    rate_ratio_ci: tuple[float, float]
    group_time: pd.DataFrame = field(repr=False)
    event_time: pd.DataFrame = field(repr=False)
    control: str
    base_period: str
    outcome: str
    log_scale: bool
    n_units: int
    n_treated: int
    n_never_treated: int
    groups: tuple[int, ...]
    dropped: tuple[str, ...]
    _gt: GroupTime = field(repr=False)
    _units: pd.Index = field(repr=False)

    @property
    def estimate(self) -> float:
        """Headline estimate: rate ratio with an exposure, else the ATT."""
        return self.rate_ratio if self.log_scale else self.att

    def influence_function(self, kind: Literal["simple", "event"] = "simple") -> pd.DataFrame:
        """Influence functions of the aggregations, one row per unit.

        Parameters
        ----------
        kind : {"simple", "event"}
            The simple aggregation (one column ``att``) or one column per event time.

        Returns
        -------
        pandas.DataFrame
            :math:`\\psi_i` with :math:`\\widehat\\theta - \\theta \\approx \\frac1n\\sum_i\\psi_i`;
            :math:`\\psi'\\psi/n^2` is the covariance of the estimates (for
            sensitivity analyses such as HonestDiD on the event-time profile).
        """
        check_literal("kind", kind, Literal["simple", "event"])
        gt = self._gt
        if kind == "simple":
            agg = aggregate(gt, gt.times >= gt.groups)
            return pd.DataFrame({"att": agg.psi}, index=self._units)
        rel = gt.times - gt.groups
        cols = {int(e): aggregate(gt, rel == e).psi for e in self.event_time["rel_time"]}
        return pd.DataFrame(cols, index=self._units)

    def event_vcov(self) -> pd.DataFrame:
        """Covariance of the event-time estimates (rows and columns: ``rel_time``)."""
        psi = self.influence_function("event")
        n = len(psi)
        return pd.DataFrame(
            psi.to_numpy().T @ psi.to_numpy() / n**2, index=psi.columns, columns=psi.columns
        )

    def summary(self) -> pd.DataFrame:
        """Tidy frame (:data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`).

        Returns
        -------
        pandas.DataFrame
            Row ``att`` (or ``rate_ratio``; ``n`` = units), then one row per
            event time ``rel_time=e`` (``n`` = cohorts in it).
        """
        tr = math.exp if self.log_scale else float
        head = "rate_ratio" if self.log_scale else "att"
        rows: list[dict[str, object]] = [
            {
                "term": head,
                "estimate": tr(self.att),
                "ci_low": tr(self.ci[0]),
                "ci_high": tr(self.ci[1]),
                "p_value": self.p_value,
                "n": self.n_units,
            }
        ]
        for r in self.event_time.itertuples():
            rows.append(
                {
                    "term": f"rel_time={int(r.rel_time)}",
                    "estimate": tr(r.estimate),
                    "ci_low": tr(r.ci_low),
                    "ci_high": tr(r.ci_high),
                    "p_value": r.p_value,
                    "n": int(r.n_groups),
                }
            )
        return summary_frame(rows)

    def verdict(self, lang: Lang = "nb", *, unit: str = "") -> str:
        """Plain-language paragraph on the simple aggregation, with caveats.

        Parameters
        ----------
        lang : {"nb", "en"}
            Language.
        unit : str
            Unit of the outcome for differences, e.g. ``"per 1 000"``.

        Returns
        -------
        str
        """
        check_literal("lang", lang, Lang)
        words = _CAVEATS[lang]
        ctrl = words["never" if self.control == "never_treated" else "notyet"]
        caveats = [words["parallel"].format(ctrl=ctrl)]
        pre = self.event_time.loc[self.event_time["rel_time"] < 0]
        if len(pre):
            k = int(((pre["ci_low"] > 0) | (pre["ci_high"] < 0)).sum())
            caveats.append(words["pre"].format(k=k, m=len(pre)))
        if self.n_treated <= 5:
            caveats.append(words["few"].format(n=self.n_treated))
        if self.dropped:
            caveats.append(words["dropped"].format(what="; ".join(self.dropped)))
        if self.log_scale:
            est, ci = self.rate_ratio, self.rate_ratio_ci
        else:
            est, ci = self.att, self.ci
        return verdict_text(
            lang=lang,
            design=_DESIGN[lang],
            outcome=self.outcome,
            start=f"{min(self.groups)}–{max(self.groups)}"
            if len(self.groups) > 1
            else self.groups[0],
            estimate=est,
            ci=ci,
            p_value=self.p_value,
            scale="ratio" if self.log_scale else "difference",
            unit=unit,
            caveats=caveats,
        )

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Event-time estimates with 95 % intervals; pre-start in grey, post-start in red.

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
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        text = _PLOT_TEXT[lang]
        fig, ax = figure_axes(ax)
        e = self.event_time
        tr = np.exp if self.log_scale else (lambda v: v)
        for mask, colour in ((e["rel_time"] < 0, "comparison"), (e["rel_time"] >= 0, "treated")):
            sub = e.loc[mask]
            est = tr(sub["estimate"].to_numpy())
            lo, hi = tr(sub["ci_low"].to_numpy()), tr(sub["ci_high"].to_numpy())
            ax.errorbar(
                sub["rel_time"],
                est,
                yerr=[est - lo, hi - est],
                fmt="o",
                color=COLORS[colour],
                ecolor=COLORS["band"],
                capsize=3,
            )
        ax.axhline(1.0 if self.log_scale else 0.0, color=COLORS["comparison"], lw=1)
        ax.axvline(-0.5, color=COLORS["start"], ls="--")
        ax.set_xlabel(text["xlabel"])
        ax.set_ylabel(
            text["ratio"] if self.log_scale else text["difference"].format(outcome=self.outcome)
        )
        ax.set_title(text["title"].format(est=number(self.estimate, lang)))
        return fig


def _first_treated(values: pd.Series, name: str) -> np.ndarray:
    """First treated period per row; NaN/NA, 0 and inf mean never treated."""
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        raise ParameterError(
            f"first_treated={name!r} must be numeric (a period, or NaN/0/inf for never treated); "
            f"it has dtype {values.dtype}"
        )
    g = values.to_numpy(dtype="float64", na_value=np.nan)
    g = np.where(np.isnan(g) | (g == 0), np.inf, g)
    bad = np.isfinite(g) & (g != np.round(g))
    if bad.any():
        raise ParameterError(f"first_treated={name!r} must hold whole periods; found {g[bad][0]!r}")
    return g


def staggered_did(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    control: StaggeredControl = "never_treated",
    exposure: str | None = None,
    base_period: BasePeriod = "varying",
) -> StaggeredDidResult:
    """Callaway & Sant'Anna (2021) DiD for units treated from different periods.

    Parameters
    ----------
    data : pandas.DataFrame
        Balanced long panel, one row per unit and period (not modified).
    unit, time, outcome : str
        Columns: unit id, period (whole numbers, consecutive), outcome (a rate;
        a count when *exposure* is given).
    first_treated : str
        Column with each unit's first treated period (constant within a unit);
        NaN, 0 or inf for never treated. Units treated in the first period have
        no pre-period and are left out; a first treated period after the last
        period counts as never treated (as in R's ``did``).
    control : {"never_treated", "not_yet_treated"}
        Comparison units of each cell.
    exposure : str, optional
        Population column: the cells become log rate ratios of summed counts
        over summed exposures (Poisson 2 × 2 DiD with group and period effects
        and a log-exposure offset), reported as rate ratios.
    base_period : {"varying", "universal"}
        Base of the pre-start cells: the previous period (default, as R's
        ``did``) or the period before the cohort's start.

    Returns
    -------
    StaggeredDidResult

    Raises
    ------
    ParameterError
        A column is missing or malformed, ``first_treated`` varies within a
        unit, or an option is not allowed.
    EstimationError
        The panel is unbalanced or has missing values, there is no treated
        cohort with a pre-period, or no comparison units (e.g. no never-treated
        unit with ``control="never_treated"``).

    Notes
    -----
    See :mod:`ptvlib.estimators._staggered_fit` for the cells, their influence
    functions and the aggregation weights (group shares, with R ``did``'s term
    for estimating them). The simple aggregation is
    :math:`\\sum_{g,t \\ge g} p_g\\,ATT(g,t) / \\sum_{g,t\\ge g} p_g`; event time
    :math:`e` averages :math:`ATT(g, g+e)` over the cohorts observed at
    :math:`e`, weighted by :math:`p_g`. Estimates and standard errors agree with
    diff-diff 3.13's ``CallawaySantAnna`` (``estimation_method="dr"`` without
    covariates) to rounding.

    References
    ----------
    Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with
    multiple time periods. *Journal of Econometrics*, 225(2), 200-230.

    Examples
    --------
    >>> from ptvlib.estimators.simulate import simulate_panel
    >>> df = simulate_panel(n_units=40, treated=24, staggered=True, rate_ratio=0.8,
    ...                     population=(50_000, 200_000), time_sd=0.0, seed=1)
    >>> res = staggered_did(df, unit="unit", time="time", outcome="rate", first_treated="start")
    >>> res.groups, round(res.att, 1), res.ci[0] < -10.2 < res.ci[1]
    ((2018, 2019, 2020), -9.8, True)
    >>> counts = staggered_did(df, unit="unit", time="time", outcome="count",
    ...                        first_treated="start", exposure="population")
    >>> round(counts.rate_ratio, 2)
    0.8
    """
    check_literal("control", control, StaggeredControl)
    check_literal("base_period", base_period, BasePeriod)
    if not isinstance(data, pd.DataFrame):
        raise ParameterError(f"data must be a pandas DataFrame; got {type(data).__name__}")
    for name, col in (
        ("unit", unit),
        ("time", time),
        ("outcome", outcome),
        ("first_treated", first_treated),
    ):
        check_column(data, name, col)
    if exposure is not None:
        check_column(data, "exposure", exposure)
    if len(data) == 0:
        raise EstimationError("data has no rows")
    if data[unit].isna().any():
        raise EstimationError(f"unit column {unit!r} has missing values")
    t = check_time(data, time)
    y = check_numeric(data, outcome, "outcome", counts=exposure is not None)
    g_row = _first_treated(data[first_treated], first_treated)
    codes, units = pd.factorize(data[unit], sort=True)
    periods = np.unique(t)
    per_unit = pd.Series(g_row).groupby(codes).nunique(dropna=False)
    if (per_unit > 1).any():
        bad = units[int(per_unit.index[per_unit.to_numpy() > 1][0])]
        raise ParameterError(
            f"first_treated={first_treated!r} must be constant within each unit; unit {bad!r} "
            "has several values"
        )
    pos = np.searchsorted(periods, t)
    n_units, n_t = len(units), periods.size
    count = np.zeros((n_units, n_t), dtype=int)
    np.add.at(count, (codes, pos), 1)
    if (count > 1).any():
        i, j = np.argwhere(count > 1)[0]
        raise EstimationError(
            f"duplicate keys ({unit!r}, {time!r}): ({units[i]!r}, {int(periods[j])}); the panel "
            "needs one row per unit and period"
        )
    if (count == 0).any():
        i, j = np.argwhere(count == 0)[0]
        raise EstimationError(
            f"the panel is unbalanced: unit {units[i]!r} has no row for {time}={int(periods[j])}; "
            f"staggered_did needs every unit in every period ({int((count == 0).sum())} "
            "unit-period(s) missing)"
        )
    if periods.size > 1 and not np.all(np.diff(periods) == 1):
        raise EstimationError(
            f"time column {time!r} must hold consecutive periods; found gaps in "
            f"{periods.tolist()[:12]}"
        )
    Y = np.empty((n_units, n_t))
    Y[codes, pos] = y
    E = None
    if exposure is not None:
        e = check_numeric(data, exposure, "exposure")
        if (e <= 0).any():
            raise EstimationError(f"exposure column {exposure!r} must be > 0 (a population)")
        E = np.empty((n_units, n_t))
        E[codes, pos] = e
    G = np.full(n_units, np.inf)
    G[codes] = g_row
    dropped: list[str] = []
    late = np.isfinite(G) & (G > periods.max())
    G[late] = np.inf
    if late.any():
        dropped.append(
            f"{int(late.sum())} unit(s) first treated after the last period count as never treated"
        )
    early = np.isfinite(G) & (G <= periods.min())
    if early.any():
        dropped.append(
            f"{int(early.sum())} unit(s) treated from the first period (no pre-period): "
            + ", ".join(map(str, units[early][:5].tolist()))
        )
    keep = ~early
    Y, G, kept_units = Y[keep], G[keep], units[keep]
    if E is not None:
        E = E[keep]
    if not np.isfinite(G).any():
        raise EstimationError(
            f"no treated cohort with a pre-period: every unit in {first_treated!r} is never "
            "treated or treated from the first period"
        )
    n_never = int((~np.isfinite(G)).sum())
    if control == "never_treated" and n_never == 0:
        raise EstimationError(
            "control='never_treated' needs never-treated units and there are none; "
            "use control='not_yet_treated'"
        )
    if E is not None:
        zero = [u for u, s in zip(kept_units, Y.sum(axis=1), strict=True) if s == 0]
        if zero:
            raise EstimationError(
                f"unit(s) {zero[:5]} have zero counts in every period; rate ratios of cohorts "
                "need counts"
            )
    gt = group_time(Y, periods, G, control=control, base_period=base_period, exposure=E)
    post = gt.times >= gt.groups
    if not post.any():
        raise EstimationError(
            "no post-start cell has comparison units; with control='not_yet_treated' the "
            "last cohort has none after everyone is treated"
        )
    z = _z()
    se_cells = gt.se()
    gt_frame = pd.DataFrame(
        {
            "group": gt.groups,
            "time": gt.times,
            "rel_time": gt.times - gt.groups,
            "base": gt.bases,
            "estimate": gt.att,
            "se": se_cells,
            "ci_low": gt.att - z * se_cells,
            "ci_high": gt.att + z * se_cells,
            "p_value": _p(gt.att, se_cells),
            "n_treated": gt.n_treated,
            "n_control": gt.n_control,
            "post": post,
        }
    )
    rel = gt.times - gt.groups
    rows = []
    for e in np.unique(rel):
        agg = aggregate(gt, rel == e)
        rows.append((int(e), agg.att, agg.se, int(np.unique(gt.groups[rel == e]).size)))
    ev = pd.DataFrame(rows, columns=["rel_time", "estimate", "se", "n_groups"])
    ev.insert(3, "ci_low", ev["estimate"] - z * ev["se"])
    ev.insert(4, "ci_high", ev["estimate"] + z * ev["se"])
    ev.insert(5, "p_value", _p(ev["estimate"].to_numpy(), ev["se"].to_numpy()))
    simple = aggregate(gt, post)
    ci = (simple.att - z * simple.se, simple.att + z * simple.se)
    log_scale = E is not None
    nan2 = (math.nan, math.nan)
    return StaggeredDidResult(
        att=simple.att,
        se=simple.se,
        ci=ci,
        p_value=float(_p(np.array([simple.att]), np.array([simple.se]))[0]),
        rate_ratio=math.exp(simple.att) if log_scale else math.nan,
        rate_ratio_ci=(math.exp(ci[0]), math.exp(ci[1])) if log_scale else nan2,
        group_time=gt_frame,
        event_time=ev,
        control=control,
        base_period=base_period,
        outcome=outcome,
        log_scale=log_scale,
        n_units=int(G.size),
        n_treated=int(np.isfinite(G).sum()),
        n_never_treated=n_never,
        groups=tuple(int(g) for g in np.unique(G[np.isfinite(G)])),
        dropped=tuple(dropped),
        _gt=gt,
        _units=pd.Index(kept_units, name=unit),
    )
