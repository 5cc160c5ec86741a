"""The designs for one outcome: :func:`assess_outcome` runs them and caches the result.

For one offence group, against one comparison pool
(:func:`~ptvlib.assessment.pools.assessment_pool`: municipalities with at least
``donor_min_population`` inhabitants, the treated unit's police district and
``excluded_regions`` out, units with data gaps listed), :func:`assess_outcome`
runs

* the **calibrated designs** that decide the verdict
  (:mod:`ptvlib.assessment.placebo`): synthetic control on log rates ranked on
  its post-period gap, synthetic difference-in-differences and the augmented
  synthetic control (for a treated unit outside its comparison units' range,
  which Oslo is), difference-in-differences on log rates with a permutation
  over the pool, and the treated unit's own segmented time series ranked
  against the same model on every pool unit — each with a confidence set by
  test inversion and its minimum detectable effect
  (:mod:`ptvlib.assessment.power`);
* the estimator objects behind them, for figures and text (the synthetic
  control's weights, gaps and leave-one-out; the SDID and ASCM fits; the
  event study and its HonestDiD breakdown value);
* **model-based designs shown beside them**, which never decide: the Poisson
  difference-in-differences on counts with cluster-robust (CR1) errors, and
  the time series against the rest of Norway with Newey–West errors;
* the **decision rule** (:mod:`ptvlib.assessment.verdicts`: the primary
  design's placebo p-value, Holm-adjusted within the outcome's family over
  ``offence_groups``), and its **timing sensitivity**
  (:mod:`ptvlib.assessment.sensitivity`: start one year earlier and later,
  without the COVID periods),

and returns an :class:`~ptvlib.assessment.outcome_results.OutcomeAssessment`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from ptvlib.assessment.outcome_results import OutcomeAssessment
from ptvlib.assessment.panels import outcome_family, rest_of_norway
from ptvlib.assessment.params import Params
from ptvlib.basics import config, signed_cache
from ptvlib.basics.io import FileLock

__all__ = ["assess_outcome"]


#: Parameters that change an assessment (the others only change text or output paths).
_ASSESS_FIELDS = (
    "year",
    "treated_region",
    "start_year",
    "offence_groups",
    "straddle",
    "donor_min_population",
    "excluded_regions",
)
#: Changes whenever the designs or the decision rule change what an assessment holds.
_DESIGNS_VERSION = "calibrated-1"


def _assess_cache_path(params: Params, group: str, bootstrap: int, seed: int) -> Path:
    from ptvlib.basics.version import __version__
    from ptvlib.data.loading import BUILD_VERSION
    from ptvlib.data.loading import cache_key as _cache_key

    parts = [__version__, BUILD_VERSION, _DESIGNS_VERSION, group, str(bootstrap), str(seed)]
    parts += [f"{k}={getattr(params, k)!r}" for k in _ASSESS_FIELDS]
    parts += [_cache_key(name) for name in ("reported_offences", "population", "national_offences")]
    key = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    return config.cache_dir() / "assess" / f"{group}-{key}.pkl"


def assess_outcome(
    params: Params, group: str, *, bootstrap: int = 9999, seed: int = 2018, cache: bool = True
) -> OutcomeAssessment:
    """Run every design for one offence group.

    Parameters
    ----------
    params : Params
        Validated parameters.
    group : str
        Offence group.
    bootstrap : int
        Wild cluster bootstrap draws for the OLS DiD.
    seed : int
        Seed of the bootstrap (deterministic results).
    cache : bool
        Reuse a stored result for the same inputs: the parameters that matter,
        the checksums of the data, and the library version (the notebooks of one
        report share it). Stored atomically under ``PTV_CACHE_DIR/assess``, signed
        with the installation's key (:mod:`ptvlib.basics.signed_cache`); computed
        under a file lock, so a second process asking for the same assessment
        waits and reads it.

    Returns
    -------
    OutcomeAssessment
        Designs that could not run are listed in ``errors`` with the reason.
    """
    if not cache:
        return _assess_outcome(params, group, bootstrap=bootstrap, seed=seed)
    path = _assess_cache_path(params, group, bootstrap, seed)
    # Unpickled only when its HMAC (key outside the cache) matches: a planted file is removed.
    found = signed_cache.load_pickle(path, OutcomeAssessment)
    if found is not None:
        return dataclasses.replace(found, params=params)
    # Parallel kernels of one report need the same assessments: the first computes, the others
    # wait for it and read the stored result instead of repeating the same fits.
    with FileLock(path.with_name(f".{path.stem}.lock")):
        found = signed_cache.load_pickle(path, OutcomeAssessment)
        if found is not None:
            return dataclasses.replace(found, params=params)
        result = _assess_outcome(params, group, bootstrap=bootstrap, seed=seed)
        signed_cache.dump_pickle(path, result)
    return result


def _family_rule(params: Params, group: str) -> Any:
    """The decision rule over the outcomes of *group*'s family among ``offence_groups``."""
    from ptvlib.assessment.group_tests import group_tests
    from ptvlib.assessment.verdicts import apply_rule, family_of

    fam = family_of(group)
    members = [g for g in dict.fromkeys([*params.offence_groups, group]) if family_of(g) == fam]
    evidence = {g: group_tests(params, g).evidence() for g in members}
    return apply_rule(evidence)[group]


def _assess_outcome(params: Params, group: str, *, bootstrap: int, seed: int) -> OutcomeAssessment:
    from ptvlib.assessment.group_tests import group_tests
    from ptvlib.assessment.sensitivity import timing_sensitivity
    from ptvlib.basics.exceptions import PtvError
    from ptvlib.estimators.did import did
    from ptvlib.estimators.its import its
    from ptvlib.estimators.synth import synthetic_control

    res: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    errors: dict[str, str] = {}
    gt = group_tests(params, group)
    errors.update(gt.errors)
    pool = gt.pool
    if pool is None:
        return OutcomeAssessment(
            group=group, family=outcome_family(group), params=params, errors=errors
        )
    treated = params.treated_region
    panel = pool.panel.assign(log_rate=np.log(pool.panel["rate"]))
    extra["pool_n"] = pool.n
    extra["pool_years"] = pool.years
    extra["outside_range"] = gt.outside
    res.update(gt.results)  # the SDID and ASCM fits behind their placebo tests
    common: dict[str, Any] = dict(
        unit="region",
        time="year",
        start=params.start_year,
        period_years=2,
        straddle=params.straddle,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sc = synthetic_control(
                panel, outcome="log_rate", treated=treated, demean=True, **common
            )
            res["synth"] = _gap_ranked(sc)
            extra["synth_n_donors"] = int(sc.weights.size)
            extra["synth_loo"] = sc.leave_one_out()
        except PtvError as err:
            errors["synth"] = str(err)
        try:
            dl = did(
                panel,
                outcome="log_rate",
                treated=treated,
                family="ols",
                cluster="region",
                bootstrap=bootstrap,
                seed=seed,
                **common,
            )
            res["did"] = dl
            es = dl.event_study()
            res["event_study"] = es
            extra["pretrend_joint_p"] = es.pretrend_p_value
            extra["honest"] = _honest(es)
            res["did_poisson"] = did(
                panel,
                outcome="count",
                treated=treated,
                exposure="population",
                family="poisson",
                cluster="region",
                **common,
            )
        except PtvError as err:
            errors["did"] = str(err)
        try:
            own = panel.loc[panel["region"] == treated, ["year", "period", "count", "population"]]
            its_kw: dict[str, Any] = dict(
                time="year",
                outcome="count",
                start=params.start_year,
                exposure="population",
                period_years=2,
                straddle=params.straddle,
                family="quasipoisson",
                hac_lags=1,  # two-year averages overlap: lag-1 autocorrelation about 0.5
            )
            res["its"] = its(own, **its_kw)
            extra["its_lag1"] = _lag1(res["its"])
            rest = rest_of_norway(group, treated=treated, year_max=params.year)
            rest = rest.loc[rest["year"].isin(pool.years)]
            res["its_comparative"] = its(own, control=rest, control_exposure="population", **its_kw)
        except PtvError as err:
            errors["its"] = str(err)
    try:
        rule = _family_rule(params, group)
    except PtvError as err:
        rule = None
        errors["rule"] = str(err)
    sensitivity = timing_sensitivity(params, group)
    return OutcomeAssessment(
        group=group,
        family=outcome_family(group),
        params=params,
        results=res,
        extra=extra,
        errors=errors,
        tests=dict(gt.tests),
        rule=rule,
        pool=pool,
        sensitivity=sensitivity,
    )


def _honest(es: Any) -> Any:
    """HonestDiD relative-magnitudes sensitivity of the event study (None when it cannot run)."""
    from ptvlib.basics.exceptions import PtvError
    from ptvlib.estimators.honest import honest_did

    try:
        return honest_did(es, method="relative_magnitudes")
    except PtvError:
        return None


def _lag1(r: Any) -> float:
    """Lag-1 autocorrelation of a time series fit's Pearson residuals (in time order)."""
    cf = r.counterfactual.sort_values("time")
    e = ((cf["observed"] - cf["fitted"]) / np.sqrt(cf["fitted"])).to_numpy(dtype=float)
    e = e - e.mean()
    return float(np.sum(e[1:] * e[:-1]) / np.sum(e * e))


def _gap_ranked(sc: Any) -> Any:
    """The synthetic control with its placebo-in-space p-value ranked on the post-period gap.

    The estimator's placebo runs are the same fits as the calibrated test's
    (:func:`~ptvlib.assessment.placebo.synth_test`); only the statistic that
    is ranked changes, from the RMSPE ratio to the absolute mean post-period
    gap, so the figures and the estimator's own verdict show the p-value that
    counts.
    """
    from ptvlib.assessment.placebo import rank_p

    placebo = sc.placebo("space")
    table = placebo.table
    real = table.loc[table["treated"], "att"].to_numpy(dtype=float)[0]
    null = table.loc[~table["treated"], "att"].to_numpy(dtype=float)
    table = table.assign(abs_att=table["att"].abs())
    table = table.sort_values("abs_att", ascending=False, kind="stable", ignore_index=True)
    table["rank"] = np.arange(1, len(table) + 1)
    sc._cache["space"] = dataclasses.replace(placebo, table=table, p_value=rank_p(null, real))
    return sc
