"""Dose–response: does more funding per inhabitant go with a larger change in the outcome?

:func:`dose_response` regresses the outcome on a continuous funding intensity
("dose", e.g. NOK per capita, 0 before the funding starts) with unit and time
fixed effects (two-way FE): Poisson with a log-population offset, or OLS on
rates. It answers "per extra 10 NOK per inhabitant, how much did the rate
change?" – which only has content when several units receive different doses
at different times. With public data only Oslo is funded, so the estimate rests
on one unit's time variation; the result says so.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import DataError, EstimationError, ParameterError
from ptvlib.basics.literals import DoseFamily, Lang, check_literal
from ptvlib.estimators._base import summary_frame, verdict_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DoseFamily", "DoseResponseResult", "SingleTreatedUnitWarning", "dose_response"]


#: Fewer clusters than this get a caveat (cluster-robust SEs need many clusters).
_FEW_CLUSTERS = 20

#: Figure labels of :meth:`DoseResponseResult.plot` by language.
_PLOT_TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "untreated": "uten midler",
        "treated": "med midler",
        "fitted": "tilpasset",
        "change_log": "endring i log-rate",
        "change": "endring",
        "xlabel": "{dose} (snitt fra {start})",
    },
    "en": {
        "untreated": "no funding",
        "treated": "funded",
        "fitted": "fitted",
        "change_log": "change in log rate",
        "change": "change",
        "xlabel": "{dose} (mean from {start})",
    },
}


class SingleTreatedUnitWarning(UserWarning):
    """Only one unit ever receives a non-zero dose: the slope rests on its time variation."""


_CAVEATS = {
    "single": (
        "Bare én enhet ({0}) får midler, så stigningstallet er identifisert kun fra denne "
        "enhetens variasjon over tid; det kan ikke skille bevilgningen fra alt annet som "
        "skjedde der samtidig, og klyngerobuste standardfeil er upålitelige med én behandlet "
        "klynge (her brukes den største av klyngerobust og modellbasert standardfeil)",
        "Only one unit ({0}) receives funding, so the slope is identified from that unit's "
        "time variation only; it cannot separate the funding from anything else that changed "
        "there at the same time, and cluster-robust standard errors are unreliable with one "
        "treated cluster (the larger of cluster-robust and model-based errors is used)",
    ),
    "few_clusters": (
        "Bare {0} klynger; klyngerobuste standardfeil kan være for små",
        "Only {0} clusters; cluster-robust standard errors may be too small",
    ),
    "unequal": (
        "Klyngene er svært ulike i størrelse (største har {0} % av hendelsene); da blir "
        "klyngerobuste standardfeil ofte for små",
        "Clusters differ a lot in size (the largest holds {0} % of the events); cluster-robust "
        "standard errors then tend to be too small",
    ),
    "scale": (
        "Estimatet gjelder per {0} enheter av doseringen",
        "The estimate is per {0} units of the dose",
    ),
    "dropped_units": (
        "Enheter uten hendelser i noen periode er utelatt: {0}",
        "Units with no events in any period were left out: {0}",
    ),
    "dropped_rows": (
        "{0} rader med manglende verdier er utelatt",
        "{0} rows with missing values were left out",
    ),
    "linear": (
        "Modellen antar at effekten øker lineært med dosen (log-lineært for Poisson) og at "
        "enhetene ellers hadde fulgt samme trend",
        "The model assumes the effect grows linearly with the dose (log-linearly for Poisson) "
        "and that units would otherwise have followed the same trend",
    ),
}


def _caveat(code: str, lang: Lang) -> str:
    kind, _, detail = code.partition(":")
    texts = _CAVEATS.get(kind)
    return code if texts is None else texts[0 if lang == "nb" else 1].format(detail)


@dataclass(frozen=True, eq=False)
class DoseResponseResult:
    """Result of :func:`dose_response`.

    Attributes
    ----------
    estimate : float
        Rate ratio (Poisson) or difference in the outcome (OLS) per *per* units of dose.
    ci : (float, float)
        Confidence interval of *estimate* (t with G − 1 degrees of freedom).
    p_value : float
        Two-sided p-value of no dose effect.
    beta, se : float
        Coefficient per one unit of dose (log scale for Poisson) and its standard error.
    per : float
        Dose units the estimate refers to.
    family : {"poisson", "ols"}
        Model.
    n_obs, n_units, n_treated, n_clusters : int
        Rows used, units, units with any non-zero dose, clusters.
    outcome, dose : str
        Labels.
    start : int or str
        First period with a non-zero dose.
    alpha : float
        1 − confidence level.
    caveats : tuple of str
        Caveat codes; :meth:`verdict` turns them into text.
    points : DataFrame
        Per unit: ``unit``, ``dose`` (mean dose from *start*), ``change`` (change
        in log rate or rate from before *start*, net of undosed units), for the plot.
    """

    estimate: float
    ci: tuple[float, float]
    p_value: float
    beta: float
    se: float
    per: float
    family: DoseFamily
    n_obs: int
    n_units: int
    n_treated: int
    n_clusters: int
    outcome: str
    dose: str
    start: int | str
    alpha: float
    caveats: tuple[str, ...]
    points: pd.DataFrame

    def summary(self) -> pd.DataFrame:
        """One-row tidy frame (term ``dose_per_<per>``) with estimate, interval, p and n.

        Returns
        -------
        DataFrame
            Columns :data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`.
        """
        return summary_frame(
            [
                {
                    "term": f"dose_per_{self.per:g}",
                    "estimate": self.estimate,
                    "ci_low": self.ci[0],
                    "ci_high": self.ci[1],
                    "p_value": self.p_value,
                    "n": self.n_obs,
                }
            ]
        )

    def plot(self, ax=None, *, lang: Lang = "nb") -> Figure:
        """Scatter of each unit's change in the outcome against its dose, with the fitted line.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure when None.
        lang : {"nb", "en"}
            Language of axis labels and legend: bokmål (default) or English.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        text = _PLOT_TEXT[lang]
        fig, ax = figure_axes(ax)
        pts = self.points
        treated = pts["dose"] != 0
        ax.scatter(
            pts.loc[~treated, "dose"],
            pts.loc[~treated, "change"],
            color=COLORS["comparison"],
            label=text["untreated"],
        )
        ax.scatter(
            pts.loc[treated, "dose"],
            pts.loc[treated, "change"],
            color=COLORS["treated"],
            label=text["treated"],
        )
        for _, row in pts[treated].iterrows():
            ax.annotate(str(row["unit"]), (row["dose"], row["change"]), fontsize=8)
        hi = float(max(pts["dose"].max(), 0.0)) if len(pts) else 1.0
        xs = np.linspace(min(0.0, float(pts["dose"].min()) if len(pts) else 0.0), hi, 50)
        ax.plot(xs, self.beta * xs, color=COLORS["counterfactual"], label=text["fitted"])
        ax.axhline(0, color=COLORS["start"], lw=0.8)
        scale = text["change_log"] if self.family == "poisson" else text["change"]
        ax.set_xlabel(text["xlabel"].format(dose=self.dose, start=self.start))
        ax.set_ylabel(f"{self.outcome}: {scale}")
        ax.legend()
        return fig

    def verdict(self, lang: Lang = "nb") -> str:
        """Plain-language paragraph with estimate, interval, p-value and caveats.

        Parameters
        ----------
        lang : {"nb", "en"}
            Language.

        Returns
        -------
        str
        """
        check_literal("lang", lang, Lang)
        nb = lang == "nb"
        design = (
            "Dose–respons (toveis faste effekter)"
            if nb
            else "Dose–response (two-way fixed effects)"
        )
        return verdict_text(
            lang=lang,
            design=design,
            outcome=self.outcome,
            start=self.start,
            estimate=self.estimate,
            ci=self.ci,
            p_value=self.p_value,
            scale="ratio" if self.family == "poisson" else "difference",
            unit=f"per {self.per:g} {self.dose}",
            caveats=[_caveat(c, lang) for c in self.caveats],
        )


def _py(value: object) -> object:
    """Plain Python scalar for messages (``2010`` rather than ``np.int64(2010)``)."""
    return value.item() if isinstance(value, np.generic) else value


def _design(frame: pd.DataFrame) -> pd.DataFrame:
    units = pd.get_dummies(frame["u"], prefix="u", dtype="float64")
    times = pd.get_dummies(frame["t"], prefix="t", drop_first=True, dtype="float64")
    return pd.concat([frame[["d"]].astype("float64"), units, times], axis=1)


def _points(frame: pd.DataFrame, start: object, family: str) -> pd.DataFrame:
    work = frame.assign(post=frame["t"] >= start, e=frame["e"] if "e" in frame else 1.0)
    agg = work.groupby(["u", "post"]).agg(
        y_sum=("y", "sum"), e_sum=("e", "sum"), y_mean=("y", "mean"), d_mean=("d", "mean")
    )
    wide = agg.unstack("post").dropna()
    if family == "poisson":
        ok = (wide[("y_sum", False)] > 0) & (wide[("y_sum", True)] > 0)
        wide = wide[ok]
        change = np.log(wide[("y_sum", True)] / wide[("e_sum", True)]) - np.log(
            wide[("y_sum", False)] / wide[("e_sum", False)]
        )
    else:
        change = wide[("y_mean", True)] - wide[("y_mean", False)]
    pts = pd.DataFrame(
        {
            "unit": wide.index,
            "dose": wide[("d_mean", True)].to_numpy(),
            "change": change.to_numpy(dtype=float),
        }
    )
    base = pts.loc[pts["dose"] == 0, "change"]
    if len(base):
        pts["change"] = pts["change"] - base.mean()
    return pts


def dose_response(
    data: pd.DataFrame,
    *,
    dose: str,
    unit: str = "region",
    time: str = "year",
    outcome: str = "value",
    exposure: str | None = None,
    family: DoseFamily = "poisson",
    cluster: str | None = None,
    per: float = 1.0,
    alpha: float = 0.05,
    label: str | None = None,
) -> DoseResponseResult:
    """Two-way fixed-effects dose–response of an outcome on funding intensity.

    Parameters
    ----------
    data : DataFrame
        One row per unit and period.
    dose : str
        Column with the funding intensity (e.g. NOK per capita; 0 before funding).
    unit, time, outcome : str
        Unit, period and outcome columns. For ``"poisson"`` the outcome is a count.
    exposure : str, optional
        Population column: log offset for Poisson; for OLS the outcome becomes
        ``1000 * outcome / exposure`` (rate per 1 000). None: no offset / raw outcome.
    family : {"poisson", "ols"}
        Poisson GLM (rate ratio) or OLS (difference).
    cluster : str, optional
        Cluster column for robust standard errors; default *unit*.
    per : float
        Dose units the estimate refers to: with dose in NOK per capita, ``per=10``
        gives the rate ratio per 10 NOK per inhabitant.
    alpha : float
        1 − confidence level.
    label : str, optional
        Outcome label for text; default *outcome*.

    Returns
    -------
    DoseResponseResult

    Raises
    ------
    ParameterError
        Unknown columns or options.
    DataError
        Duplicate unit–periods, negative counts (Poisson), non-positive exposure.
    EstimationError
        Too thin: fewer than 2 units, periods or clusters; no dose variation left
        after the fixed effects; too few rows for the parameters.

    Warns
    -----
    SingleTreatedUnitWarning
        Only one unit ever has a non-zero dose.

    Notes
    -----
    Poisson: :math:`\\log E[y_{it}] = \\log x_{it} + \\alpha_i + \\gamma_t + \\beta d_{it}`,
    reported as :math:`\\exp(\\text{per} \\cdot \\beta)`; OLS:
    :math:`r_{it} = \\alpha_i + \\gamma_t + \\beta d_{it} + \\varepsilon_{it}`,
    reported as :math:`\\text{per} \\cdot \\beta`. Standard errors are
    cluster-robust (statsmodels' CR1 with small-sample correction) and the
    interval uses a t distribution with G − 1 degrees of freedom, G clusters.
    Units whose outcome is 0 in every period carry no information in the
    Poisson model and are dropped. Cluster-robust inference is known to
    over-reject when few clusters are treated or cluster sizes differ a lot
    (MacKinnon & Webb 2017) – in this module's simulations, Poisson fits with
    populations from 20 000 to 500 000 rejected a true null about 12 % of the
    time at the 5 % level, OLS on rates about 5 %; a caveat flags clusters
    holding more than three times their equal share. With a
    single treated unit the larger of the cluster-robust and the model-based
    (Pearson-scaled) standard error is used and the result carries a caveat.

    References
    ----------
    .. [1] MacKinnon, J. G., & Webb, M. D. (2017). Wild bootstrap inference for
       wildly different cluster sizes. *Journal of Applied Econometrics*,
       32(2), 233–254.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> units, years = [f"k{i}" for i in range(12)], range(2012, 2020)
    >>> df = pd.DataFrame([(u, y) for u in units for y in years], columns=["region", "year"])
    >>> df["pop"] = 50_000.0
    >>> df["nok"] = np.where((df.year >= 2016) & (df.region < "k6"),
    ...                      df.region.str[1:].astype(int) * 10.0, 0.0)
    >>> df["value"] = rng.poisson(df["pop"] * 0.05 * np.exp(-0.01 * df["nok"]))
    >>> r = dose_response(df, dose="nok", exposure="pop", per=10)
    >>> r.verdict("en").split(":")[0], round(r.estimate, 2)
    ('Dose–response (two-way fixed effects) for value', 0.9)
    """
    check_literal("family", family, DoseFamily)
    for name, val in (("per", per), ("alpha", alpha)):
        if not (isinstance(val, (int, float)) and math.isfinite(val) and val > 0):
            raise ParameterError(f"{name}={val!r} is not allowed; allowed: a positive number")
    if not alpha < 1:
        raise ParameterError(f"alpha={alpha!r} is not allowed; allowed: 0 < alpha < 1")
    cluster = cluster or unit
    cols = {"u": unit, "t": time, "y": outcome, "d": dose, "g": cluster}
    if exposure is not None:
        cols["e"] = exposure
    for col in dict.fromkeys(cols.values()):
        if col not in data.columns:
            raise ParameterError(
                f"column {col!r} is not in the data; columns: {list(data.columns)}"
            )
    frame = pd.DataFrame({k: data[v] for k, v in cols.items()}, index=data.index)
    for k in ("y", "d", "e"):
        if k in frame:
            frame[k] = pd.to_numeric(frame[k], errors="coerce")
    n_in = len(frame)
    frame = frame.dropna().reset_index(drop=True)
    caveats: list[str] = []
    if n_in > len(frame):
        caveats.append(f"dropped_rows:{n_in - len(frame)}")
    if frame.duplicated(["u", "t"]).any():
        row = [_py(v) for v in frame.loc[frame.duplicated(["u", "t"]), ["u", "t"]].iloc[0]]
        raise DataError(
            f"several rows for {unit}={row[0]!r}, {time}={row[1]!r}; "
            "filter to one indicator/offence group"
        )
    if "e" in frame and (frame["e"] <= 0).any():
        bad = frame.loc[frame["e"] <= 0].iloc[0]
        raise DataError(
            f"{exposure}={float(bad['e'])!r} for {bad['u']} in {bad['t']}; allowed: exposure > 0"
        )
    if family == "poisson":
        if (frame["y"] < 0).any():
            bad = frame.loc[frame["y"] < 0].iloc[0]
            raise DataError(
                f"{outcome}={float(bad['y'])!r} for {bad['u']} in {bad['t']}; "
                "allowed: counts ≥ 0 for family='poisson'"
            )
        zero = frame.groupby("u")["y"].transform("sum") <= 0
        if zero.any():
            caveats.append(
                f"dropped_units:{', '.join(map(str, sorted(frame.loc[zero, 'u'].unique())))}"
            )
            frame = frame[~zero].reset_index(drop=True)
    elif "e" in frame:
        frame["y"] = 1000.0 * frame["y"] / frame["e"]
    n_units, n_times = frame["u"].nunique(), frame["t"].nunique()
    if n_units < 2 or n_times < 2:
        raise EstimationError(
            f"{n_units} unit(s) and {n_times} period(s) with complete data; "
            "at least 2 of each are needed"
        )
    X = _design(frame)
    if len(frame) <= X.shape[1] + 1:
        raise EstimationError(
            f"{len(frame)} rows for {X.shape[1]} parameters; more periods or units are needed"
        )
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise EstimationError(
            f"{dose!r} has no variation left after unit and time fixed "
            "effects (constant within units, or the same path in every unit)"
        )
    groups = pd.factorize(frame["g"])[0]
    n_clusters = int(groups.max()) + 1
    if n_clusters < 2:
        raise EstimationError(f"only {n_clusters} cluster in {cluster!r}; at least 2 are needed")
    treated = sorted(frame.loc[frame["d"] != 0, "u"].unique(), key=str)
    start = frame.loc[frame["d"] != 0, "t"].min()

    import statsmodels.api as sm
    from scipy.stats import t as t_dist

    y = frame["y"].to_numpy(dtype=float)
    if family == "poisson":
        offset = np.log(frame["e"].to_numpy(dtype=float)) if "e" in frame else None
        model = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset)
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        plain = model.fit(scale="X2")
    else:
        model = sm.OLS(y, X)
        fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        plain = model.fit()
    beta = float(fit.params["d"])
    se = float(fit.bse["d"])
    if len(treated) == 1:
        se = max(se, float(plain.bse["d"]))
        caveats.insert(0, f"single:{treated[0]}")
        warnings.warn(
            f"only one unit ({treated[0]}) has a non-zero {dose!r}: the dose–response slope is "
            "identified from that unit's time variation only",
            SingleTreatedUnitWarning,
            stacklevel=2,
        )
    if n_clusters < _FEW_CLUSTERS:
        caveats.append(f"few_clusters:{n_clusters}")
    # cluster size: events for Poisson (its weights grow with the mean), rows for OLS
    weight = frame["y"] if family == "poisson" else pd.Series(1.0, index=frame.index)
    if weight.sum() > 0:
        top = float(weight.groupby(groups).sum().max() / weight.sum())
        if top > 3 / n_clusters:
            caveats.append(f"unequal:{100 * top:.0f}")
    caveats.extend([f"scale:{per:g}", "linear"])
    df_t = n_clusters - 1
    q = float(t_dist.ppf(1 - alpha / 2, df_t))
    p = float(2 * t_dist.sf(abs(beta / se), df_t)) if se > 0 else math.nan
    lo, hi = per * (beta - q * se), per * (beta + q * se)
    if family == "poisson":
        est, ci = math.exp(per * beta), (math.exp(lo), math.exp(hi))
    else:
        est, ci = per * beta, (lo, hi)
    start_label: Any = _py(start)
    return DoseResponseResult(
        estimate=est,
        ci=ci,
        p_value=p,
        beta=beta,
        se=se,
        per=float(per),
        family=family,
        n_obs=len(frame),
        n_units=n_units,
        n_treated=len(treated),
        n_clusters=n_clusters,
        outcome=label or outcome,
        dose=dose,
        start=start_label,
        alpha=alpha,
        caveats=tuple(caveats),
        points=_points(frame, start, family),
    )
