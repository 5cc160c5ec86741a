"""The designs run on one own-data series (bydeler against bydeler).

Deciding designs (they enter the verdict, :mod:`ptvlib.assessment.own_results`):

* ``ri`` — randomization inference over treated-area assignments of the
  two-way fixed-effects DiD on yearly log rates, with a test-inverted
  interval and the minimum detectable effect
  (:func:`~ptvlib.estimators.randomization.randomization_inference`);
* ``sc`` — synthetic control per treated area from the untreated areas,
  tested over the same assignments
  (:func:`~ptvlib.estimators.randomization_synth.synthetic_control_assignments`).

Shown, never deciding (``counts = False`` with the reason):

* ``staggered`` — Callaway & Sant'Anna (2021) group-time DiD against the
  never-treated areas (:func:`~ptvlib.estimators.staggered.staggered_did`,
  log rate ratios with a population exposure): robust to effects that differ
  by start year, but its unit-clustered errors rest on two treated areas;
* ``sdid`` — synthetic DiD (:func:`~ptvlib.estimators.sdid.synthetic_did`)
  per start year against the never-treated areas, on log rates, combined by
  the number of treated areas: its placebo over a dozen donors per start
  year is not calibrated over assignments and cannot reach 0.05 with one
  treated area and fewer than 19 donors;
* ``did_cr1`` — Poisson DiD with cluster-robust (CR1) errors: with a handful
  of treated clusters those errors are far too small (its own warning is
  carried into the reason);
* ``its`` — interrupted time series of the treated areas' sum (monthly with
  seasonality when the file is monthly): a single series reads any city-wide
  change as an effect and is not calibrated;
* ``spillover`` — randomization inference on the buffer areas (treated areas
  left out): a separate question, displacement or diffusion of benefits.

Buffer areas are left out of the deciding designs' comparison areas. An
area scheduled to start after the last year of the data is left out as
well (it is neither treated nor a clean comparison).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.assessment.bydel import OwnSeries
from ptvlib.assessment.schedule import Schedule
from ptvlib.basics.exceptions import PtvError

__all__ = ["DESIGN_KEYS", "DesignRun", "run_designs", "run_gate", "run_shown", "run_support"]

#: Designs in the order they are shown; the first two decide.
DESIGN_KEYS: tuple[str, ...] = ("ri", "sc", "staggered", "sdid", "did_cr1", "its", "spillover")

#: What each design's p-value is (the sidecar's ``p_kind``).
P_KIND: dict[str, str] = {
    "ri": "randomization",
    "sc": "randomization",
    "staggered": "model",
    "sdid": "model",  # a normal p from the placebo variance (the paper's inference), not a rank
    "did_cr1": "model",
    "its": "model",
    "spillover": "randomization",
}


@dataclass(frozen=True, eq=False)
class DesignRun:
    """One design on one series.

    Attributes
    ----------
    key : str
        Design key (:data:`DESIGN_KEYS`).
    result : object or None
        The estimator's result (None when it could not run).
    estimate : float
        Rate ratio (log scale) or difference (level scale).
    ci : (float, float)
        95 % interval on the estimate's scale (NaN when none).
    p_value : float
        Its p-value (see :data:`P_KIND`).
    scale : {"ratio", "difference"}
        Scale of the estimate.
    counts : bool
        The design enters the verdict.
    why_not : str
        Why it does not count (English key phrase; translated by the results).
    mde : float
        Minimum detectable effect (relative change), NaN when not computed.
    warnings : tuple of str
        The estimator's own warnings and notes.
    error : str
        Why it could not run ("" when it ran).
    """

    key: str
    result: Any = field(repr=False)
    estimate: float = math.nan
    ci: tuple[float, float] = (math.nan, math.nan)
    p_value: float = math.nan
    scale: str = "ratio"
    counts: bool = True
    why_not: str = ""
    mde: float = math.nan
    warnings: tuple[str, ...] = ()
    error: str = ""

    @property
    def direction(self) -> str:
        """``decrease``/``increase`` when the p-value is at most 0.05, else ``inconclusive``."""
        if not (self.p_value <= 0.05) or not math.isfinite(self.estimate):
            return "inconclusive"
        null = 1.0 if self.scale == "ratio" else 0.0
        return "decrease" if self.estimate < null else "increase"

    @property
    def p_kind(self) -> str:
        """What the p-value is."""
        return P_KIND[self.key]


def _failed(key: str, err: Exception, counts: bool, why_not: str = "") -> DesignRun:
    return DesignRun(key, None, counts=counts, why_not=why_not, error=str(err).split("\n")[0])


@dataclass(frozen=True, eq=False)
class _Frames:
    """The panels the designs run on, after buffers and late starters are left out."""

    data: pd.DataFrame
    main: pd.DataFrame
    starts: dict[str, int]
    late: dict[str, int]
    buffers: list[str]
    exposure: str | None


def _frames(series: OwnSeries, schedule: Schedule) -> _Frames:
    data = series.yearly
    last = int(data["year"].max())
    present = set(data["region"])
    late = {a: s for a, s in schedule.starts.items() if a in present and s > last}
    starts = {a: s for a, s in schedule.starts.items() if a in present and s <= last}
    buffers = [b for b in schedule.buffers if b in present]
    main = data.loc[~data["region"].isin(buffers + list(late))]
    return _Frames(data, main, starts, late, buffers, "population" if series.exposure else None)


def run_gate(
    series: OwnSeries,
    schedule: Schedule,
    *,
    alpha: float = 0.05,
    seed: int = 2018,
    mde: bool = True,
) -> DesignRun:
    """The deciding design: randomization inference over treated-area assignments (``ri``)."""
    from ptvlib.estimators.randomization import randomization_inference

    f = _frames(series, schedule)
    try:
        ri = randomization_inference(
            f.main,
            unit="region",
            time="year",
            outcome="value",
            exposure=f.exposure,
            schedule=f.starts,
            scale=series.scale,
            alpha=alpha,
            seed=seed,
            mde=mde,
        )
    except (PtvError, ValueError) as err:
        return _failed("ri", err, True)
    return DesignRun(
        "ri",
        ri,
        estimate=ri.estimate,
        ci=ri.estimate_ci,
        p_value=ri.p_value,
        scale="ratio" if ri.log_scale else "difference",
        mde=ri.mde,
        warnings=ri.notes,
        counts=ri.alpha_reachable,
        why_not="" if ri.alpha_reachable else "alpha_unreachable",
    )


def run_support(
    series: OwnSeries, schedule: Schedule, *, alpha: float = 0.05, seed: int = 2018
) -> DesignRun:
    """The supporting design: synthetic control tested over the same assignments (``sc``)."""
    from ptvlib.estimators.randomization_synth import synthetic_control_assignments

    if series.scale != "log":
        return DesignRun("sc", None, counts=False, why_not="level_scale", error="level scale")
    f = _frames(series, schedule)
    try:
        sc = synthetic_control_assignments(
            f.main,
            unit="region",
            time="year",
            outcome="value",
            exposure=f.exposure,
            schedule=f.starts,
            alpha=alpha,
            seed=seed,
        )
    except (PtvError, ValueError) as err:
        return _failed("sc", err, True)
    return DesignRun(
        "sc",
        sc,
        estimate=sc.estimate,
        ci=sc.estimate_ci,
        p_value=sc.p_value,
        warnings=tuple(f"{k}: {v}" for k, v in sc.excluded.items()),
    )


def run_shown(
    series: OwnSeries, schedule: Schedule, *, alpha: float = 0.05, seed: int = 2018
) -> dict[str, DesignRun]:
    """The designs shown but never deciding: ``did_cr1``, ``its`` and (with buffers) ``spillover``."""
    from ptvlib.estimators.randomization import randomization_inference

    f = _frames(series, schedule)
    out = {
        "staggered": _staggered(series, f),
        "sdid": _sdid(series, f),
        "did_cr1": _did_cr1(f.main, f.starts, f.exposure),
        "its": _its(series, f.main, f.starts),
    }
    if f.buffers:
        spill = f.data.loc[~f.data["region"].isin(list(f.starts) + list(f.late))]
        try:
            sp = randomization_inference(
                spill,
                unit="region",
                time="year",
                outcome="value",
                exposure=f.exposure,
                schedule={b: schedule.buffers[b] for b in f.buffers},
                scale=series.scale,
                alpha=alpha,
                seed=seed,
            )
            out["spillover"] = DesignRun(
                "spillover",
                sp,
                estimate=sp.estimate,
                ci=sp.estimate_ci,
                p_value=sp.p_value,
                scale="ratio" if sp.log_scale else "difference",
                mde=sp.mde,
                counts=False,
                why_not="spillover",
                warnings=sp.notes,
            )
        except (PtvError, ValueError) as err:
            out["spillover"] = _failed("spillover", err, False, "spillover")
    return out


def run_designs(
    series: OwnSeries,
    schedule: Schedule,
    *,
    alpha: float = 0.05,
    shown: bool = True,
    seed: int = 2018,
) -> dict[str, DesignRun]:
    """Run every design on *series* with *schedule* (:func:`run_gate`, :func:`run_support`, :func:`run_shown`).

    Parameters
    ----------
    series : OwnSeries
        The series (yearly panel, optional monthly panel).
    schedule : Schedule
        Treated areas with starts, and buffer areas.
    alpha : float
        Level of the tests and intervals.
    shown : bool
        Also run the designs that are shown but never decide (``did_cr1``,
        ``its``, ``spillover``); the verdict does not depend on them.
    seed : int
        Seed of sampled assignments.

    Returns
    -------
    dict
        Design key → :class:`DesignRun`.
    """
    out = {
        "ri": run_gate(series, schedule, alpha=alpha, seed=seed),
        "sc": run_support(series, schedule, alpha=alpha, seed=seed),
    }
    if shown:
        out |= run_shown(series, schedule, alpha=alpha, seed=seed)
    return out


def _log_outcome(series: OwnSeries, frame: pd.DataFrame) -> pd.Series:
    """The outcome on the designs' scale: log rate (log scale) or the value (level scale)."""
    if series.scale != "log":
        return frame["value"]
    z = np.log(frame["value"] + 0.5)
    return z - np.log(frame["population"]) if series.exposure else z


def _staggered(series: OwnSeries, f: _Frames) -> DesignRun:
    from ptvlib.estimators.staggered import staggered_did

    first = f.main["region"].map(f.starts).astype("float64")
    data = f.main.assign(first_treated=first.fillna(0.0))
    log_counts = series.scale == "log" and not series.exposure
    if log_counts:
        data = data.assign(value=np.log(data["value"] + 0.5))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = staggered_did(
                data,
                unit="region",
                time="year",
                outcome="value",
                first_treated="first_treated",
                control="never_treated",
                exposure=f.exposure if series.scale == "log" else None,
            )
    except (PtvError, ValueError) as err:
        return _failed("staggered", err, False, "unit_clustered")
    ratio = series.scale == "log"
    if ratio and not res.log_scale:  # log counts without exposure: the ATT is a log ratio
        est = math.exp(res.att)
        ci = (math.exp(res.ci[0]), math.exp(res.ci[1]))
    else:
        est, ci = res.estimate, (res.rate_ratio_ci if res.log_scale else res.ci)
    return DesignRun(
        "staggered",
        res,
        estimate=est,
        ci=ci,
        p_value=res.p_value,
        scale="ratio" if ratio else "difference",
        counts=False,
        why_not="unit_clustered",
        warnings=res.dropped,
    )


def _sdid(series: OwnSeries, f: _Frames) -> DesignRun:
    from ptvlib.estimators.sdid import synthetic_did

    data = f.main.assign(z=_log_outcome(series, f.main))
    never = [a for a in dict.fromkeys(data["region"]) if a not in f.starts]
    cohorts: dict[int, list[str]] = {}
    for area, start in f.starts.items():
        cohorts.setdefault(start, []).append(area)
    atts, ses, ns, ps = [], [], [], []
    try:
        for start, areas in sorted(cohorts.items()):
            rows = data.loc[data["region"].isin(areas + never)]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = synthetic_did(
                    rows,
                    unit="region",
                    time="year",
                    outcome="z",
                    treated=areas,
                    start=int(start),
                    donors=never,
                )
            atts.append(res.att)
            ses.append(res.se)
            ns.append(len(areas))
            ps.append(res.p_value)
    except (PtvError, ValueError) as err:
        return _failed("sdid", err, False, "sdid_placebo")
    w = np.asarray(ns, dtype=float) / sum(ns)
    att = float(w @ np.asarray(atts))
    se = float(np.sqrt(w**2 @ np.asarray(ses) ** 2))
    z = att / se if se > 0 else math.nan
    from scipy import stats

    p = float(2 * stats.norm.sf(abs(z))) if math.isfinite(z) else math.nan
    lo, hi = att - 1.96 * se, att + 1.96 * se
    ratio = series.scale == "log"
    return DesignRun(
        "sdid",
        {"att": atts, "se": ses, "n": ns, "placebo_p": ps, "cohorts": sorted(cohorts)},
        estimate=math.exp(att) if ratio else att,
        ci=(math.exp(lo), math.exp(hi)) if ratio else (lo, hi),
        p_value=p,
        scale="ratio" if ratio else "difference",
        counts=False,
        why_not="sdid_placebo",
    )


def _did_cr1(main: pd.DataFrame, starts: dict[str, int], exposure: str | None) -> DesignRun:
    from ptvlib.estimators.did import did

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = did(
                main,
                unit="region",
                time="year",
                outcome="value",
                treated=list(starts),
                start=dict(starts),
                exposure=exposure,
                family="poisson",
                cluster="region",
            )
    except (PtvError, ValueError) as err:
        return _failed("did_cr1", err, False, "cluster_robust")
    return DesignRun(
        "did_cr1",
        res,
        estimate=res.rate_ratio,
        ci=res.rate_ratio_ci,
        p_value=res.p_value,
        counts=False,
        why_not="cluster_robust",
        warnings=res.warnings,
    )


def _its(series: OwnSeries, main: pd.DataFrame, starts: dict[str, int]) -> DesignRun:
    from ptvlib.estimators.its import its

    first = min(starts.values()) if starts else 0
    try:
        if series.monthly is not None:
            m = series.monthly
            t = m.loc[m["region"].isin(list(starts))]
            if series.exposure:
                from ptvlib.assessment.bydel import population_table

                t = t.merge(population_table(), on=["region", "year"], how="left")
            cols = ["value"] + (["population"] if series.exposure else [])
            agg = t.groupby(["t", "year"], as_index=False)[cols].sum(min_count=1)
            agg = agg.loc[agg["value"].notna()]
            start = int(agg.loc[agg["year"] >= first, "t"].min())
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = its(
                    agg,
                    time="t",
                    outcome="value",
                    start=start,
                    exposure="population" if series.exposure else None,
                    family="quasipoisson" if series.scale == "log" else "ols",
                    seasonality=12,
                )
        else:
            t = main.loc[main["region"].isin(list(starts))]
            cols = ["value"] + (["population"] if series.exposure else [])
            agg = t.groupby("year", as_index=False)[cols].sum(min_count=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = its(
                    agg,
                    time="year",
                    outcome="value",
                    start=first,
                    exposure="population" if series.exposure else None,
                    family="quasipoisson" if series.scale == "log" else "ols",
                )
    except (PtvError, ValueError) as err:
        return _failed("its", err, False, "single_series")
    ratio = series.scale == "log"
    return DesignRun(
        "its",
        res,
        estimate=res.rate_ratio if ratio else res.level_change,
        ci=res.rate_ratio_ci if ratio else res.level_change_ci,
        p_value=res.p_value,
        scale="ratio" if ratio else "difference",
        counts=False,
        why_not="single_series",
    )
