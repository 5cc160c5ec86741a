"""The designs for one outcome: :func:`assess_outcome` runs them and caches the result.

For one offence group, :func:`assess_outcome` runs

* **synthetic control** on rates per 1 000 against the municipalities with at
  least ``donor_min_population`` inhabitants and a complete series
  (placebo-in-space p-value; the demeaned variant is primary when the treated
  unit lies outside the donors' range),
* **difference-in-differences** against the comparison group: Poisson on counts
  with a log-population offset (rate ratio, CR1 errors by unit), OLS on rates
  with a wild cluster bootstrap, an event study with a linear pre-trend test
  (which, when it rejects, keeps the DiD out of the verdict), and a permutation
  p-value that re-runs the Poisson model with each comparison unit as the
  pseudo-treated one,
* **interrupted time series** of the treated unit alone (quasi-Poisson on
  counts, population offset) and against the rest of Norway (comparative ITS),

and returns an :class:`~ptvlib.assessment.outcome_results.OutcomeAssessment`
whose verdict combines their directions (:mod:`ptvlib.assessment.verdicts`).
Panels come from :mod:`ptvlib.assessment.panels`, pools from
:mod:`ptvlib.assessment.pools`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.assessment.outcome_results import OutcomeAssessment
from ptvlib.assessment.panels import offence_panel, outcome_family, rest_of_norway
from ptvlib.assessment.params import Params
from ptvlib.assessment.pools import comparison_units, donor_pool, eligible
from ptvlib.basics import config, signed_cache

__all__ = ["assess_outcome"]


def _permutation_p(sub: pd.DataFrame, params: Params, observed: float) -> tuple[float, int]:
    """Share of pseudo-treated comparison units whose |log rate ratio| ≥ the treated one's.

    Each comparison unit that has data at the start is in turn the treated unit
    (the real treated unit left out). Returns the p-value (the real unit
    included, so the smallest value is ``1 / (k + 1)``) and *k*.
    """
    from ptvlib.basics.exceptions import PtvError
    from ptvlib.estimators.did import did

    controls = sorted(set(sub["region"]) - {params.treated_region})
    donor = sub.loc[sub["region"] != params.treated_region]
    stats = [abs(observed)]
    for unit in controls:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = did(
                    donor,
                    unit="region",
                    time="year",
                    outcome="count",
                    treated=unit,
                    start=params.start_year,
                    exposure="population",
                    family="poisson",
                    period_years=2,
                    straddle=params.straddle,
                )
        except PtvError:
            continue  # this unit has no data at the start: it cannot be a pseudo-treated unit
        stats.append(abs(r.coef))
    arr = np.asarray(stats)
    return float(np.mean(arr >= arr[0] - 1e-12)), len(arr) - 1


#: Parameters that change an assessment (the others only change text or output paths).
_ASSESS_FIELDS = (
    "year",
    "treated_region",
    "start_year",
    "comparison",
    "n_large",
    "straddle",
    "donor_min_population",
)


def _assess_cache_path(params: Params, group: str, bootstrap: int, seed: int) -> Path:
    from ptvlib.basics.version import __version__
    from ptvlib.data.loading import BUILD_VERSION
    from ptvlib.data.loading import cache_key as _cache_key

    parts = [__version__, BUILD_VERSION, group, str(bootstrap), str(seed)]
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
        with the installation's key (:mod:`ptvlib.basics.signed_cache`).

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
    result = _assess_outcome(params, group, bootstrap=bootstrap, seed=seed)
    signed_cache.dump_pickle(path, result)
    return result


def _assess_outcome(params: Params, group: str, *, bootstrap: int, seed: int) -> OutcomeAssessment:
    from ptvlib.basics.exceptions import PtvError
    from ptvlib.estimators.did import did
    from ptvlib.estimators.its import its
    from ptvlib.estimators.synth import OutsideDonorRangeWarning, synthetic_control

    res: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    errors: dict[str, str] = {}
    panel, dropped = offence_panel(group, year_max=params.year)
    extra["dropped_periods"] = dropped
    treated = params.treated_region
    common: dict[str, Any] = dict(
        unit="region",
        time="year",
        start=params.start_year,
        period_years=2,
        straddle=params.straddle,
    )

    # Synthetic control on rates over comparable donors (see _donor_pool); the demeaned
    # variant is primary when the treated unit is outside the donors' range.
    try:
        pool = donor_pool(panel, params)
        extra["synth_donor_min_population"] = params.donor_min_population
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sc = synthetic_control(pool, outcome="rate", treated=treated, **common)
        outside = any(issubclass(w.category, OutsideDonorRangeWarning) for w in caught)
        res["synth_standard"] = sc
        if outside:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res["synth_demeaned"] = synthetic_control(
                    pool, outcome="rate", treated=treated, demean=True, **common
                )
        primary = res.get("synth_demeaned", sc)
        res["synth"] = primary
        extra["synth_outside_range"] = outside
        extra["synth_p"] = primary.placebo("space").p_value
        extra["synth_n_donors"] = int(primary.weights.size)
    except PtvError as err:
        errors["synth"] = str(err)

    # Difference-in-differences against the comparison group.
    try:
        units = [treated, *comparison_units(params, panel)]
        sub = eligible(panel, units, params.start_year)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dp = did(
                sub,
                outcome="count",
                treated=treated,
                exposure="population",
                family="poisson",
                cluster="region",
                **common,
            )
            do = did(
                sub,
                outcome="rate",
                treated=treated,
                family="ols",
                cluster="region",
                bootstrap=bootstrap,
                seed=seed,
                **common,
            )
        res["did_poisson"], res["did_ols"] = dp, do
        es = dp.event_study()
        res["event_study"] = es
        # The joint Wald test of all leads rejects far too often with one treated unit
        # (see EventStudyResult); the one-degree-of-freedom linear pre-trend test gates the verdict.
        extra["pretrend_p"] = es.pretrend_slope_p_value
        extra["pretrend_joint_p"] = es.pretrend_p_value
        extra["did_units"] = sorted(set(sub["region"]))
        extra["did_permutation_p"], extra["did_permutation_k"] = _permutation_p(
            sub, params, dp.coef
        )
    except PtvError as err:
        errors["did"] = str(err)

    # Interrupted time series of the treated unit (all its periods) and against the rest of Norway.
    try:
        own = offence_panel(group, year_max=params.year, min_coverage=0.0)[0]
        own = own.loc[own["region"] == treated, ["year", "period", "count", "population"]]
        its_kw: dict[str, Any] = dict(
            time="year",
            outcome="count",
            start=params.start_year,
            exposure="population",
            period_years=2,
            straddle=params.straddle,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res["its"] = its(own, family="quasipoisson", **its_kw)
            rest = rest_of_norway(group, treated=treated, year_max=params.year)
            res["its_comparative"] = its(
                own, family="quasipoisson", control=rest, control_exposure="population", **its_kw
            )
    except PtvError as err:
        errors["its"] = str(err)
    return OutcomeAssessment(
        group=group,
        family=outcome_family(group),
        params=params,
        results=res,
        extra=extra,
        errors=errors,
    )
