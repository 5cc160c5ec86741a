"""The yearly assessment: panels from the embedded tables and the standard designs per outcome.

Notebooks stay thin by calling these functions. For one offence group,
:func:`assess_outcome` runs

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

and combines their directions into one verdict that can be "inconclusive".

Two-year periods (SSB 08487) are labelled by their last year; a period that
straddles the start is dropped or kept as treated (``straddle``). Periods that
the embedded extracts publish for fewer than half of the municipalities
(2019-2020: 74 of 353, the source author's complete-case filter) are left out
of the panel designs; the treated unit's own series keeps them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import config, regions
from ._io import atomic_write_bytes
from ._outcome import DESIGNS, OutcomeAssessment, combine_directions, family_table, holm
from .params import Params

__all__ = [
    "DESIGNS",
    "OutcomeAssessment",
    "assess_outcome",
    "combine_directions",
    "family_table",
    "holm",
    "offence_panel",
    "outcome_family",
    "rest_of_norway",
]

#: Share of units a period must cover to enter the panel designs.
MIN_COVERAGE = 0.5


def outcome_family(group: str) -> str:
    """``"harm"`` (victim offences), ``"activity"`` (police-driven) or ``"other"``."""
    if group in config.HARM_GROUPS:
        return "harm"
    if group in config.ACTIVITY_GROUPS:
        return "activity"
    return "other"


def offence_panel(
    group: str,
    *,
    year_max: int,
    offences: pd.DataFrame | None = None,
    min_coverage: float = MIN_COVERAGE,
) -> tuple[pd.DataFrame, list[str]]:
    """Long panel of one offence group: counts, population and rate per unit and period.

    Parameters
    ----------
    group : str
        Offence group (see :data:`ptvlib.config.OFFENCE_GROUPS`).
    year_max : int
        Last period end-year to include (the assessment year).
    offences : pandas.DataFrame, optional
        The ``reported_offences`` table (loaded when omitted).
    min_coverage : float
        Periods with values for fewer than this share of units are dropped.

    Returns
    -------
    panel : pandas.DataFrame
        ``region``, ``region_name``, ``period``, ``year``, ``count``, ``rate``
        (per 1 000), ``population`` (count / rate × 1000, i.e. 1 January of the
        period's second year); only rows with a value.
    dropped : list of str
        Periods left out for low coverage.
    """
    from .data import load

    if group not in config.OFFENCE_GROUPS:
        from .exceptions import ParameterError

        raise ParameterError(
            f"offence_group={group!r} is not allowed; allowed: {', '.join(config.OFFENCE_GROUPS)}"
        )
    off = offences if offences is not None else load("reported_offences")
    sel = off.loc[(off["offence_group"] == group) & (off["year"] <= year_max)]
    wide = sel.pivot(
        index=["region", "region_name", "period", "year"], columns="unit", values="value"
    )
    wide = wide.reset_index().rename(columns={"per_1000": "rate"})
    wide.columns.name = None
    coverage = wide.groupby("period")["count"].apply(lambda s: s.notna().mean())
    dropped = sorted(coverage.index[coverage < min_coverage])
    wide = wide.loc[~wide["period"].isin(dropped) & wide["count"].notna() & wide["rate"].notna()]
    wide = wide.assign(population=(wide["count"] / wide["rate"] * 1000.0).round())
    return wide.sort_values(["region", "year"], ignore_index=True), dropped


def rest_of_norway(group: str, *, treated: str, year_max: int) -> pd.DataFrame:
    """Whole country (SSB 08487 "0") minus the treated unit: counts and population by period.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``period``, ``count``, ``population``.
    """
    from .data import load

    nat = load("national_offences")
    nat = nat.loc[
        (nat["region"] == "0")
        & (nat["period_years"] == 2)
        & (nat["offence_group"] == group)
        & (nat["unit"] == "count")
        & (nat["year"] <= year_max)
    ]
    off = load("reported_offences")
    own = off.loc[
        (off["region"] == treated) & (off["offence_group"] == group) & (off["unit"] == "count")
    ]
    pop = load("population")
    country = pop.loc[pop["region"] == "0"].set_index("year")["value"]
    unit = pop.loc[pop["region"] == treated].set_index("year")["value"]
    m = nat[["period", "year", "value"]].merge(
        own[["period", "value"]], on="period", suffixes=("", "_t")
    )
    out = pd.DataFrame(
        {
            "year": m["year"].to_numpy(),
            "period": m["period"].to_numpy(),
            "count": (m["value"] - m["value_t"]).to_numpy(),
            "population": (
                country.reindex(m["year"]).to_numpy() - unit.reindex(m["year"]).to_numpy()
            ),
        }
    )
    return out.dropna().reset_index(drop=True)


def _comparison_units(params: Params, panel: pd.DataFrame) -> list[str]:
    name = (
        params.comparison
        if params.comparison in ("large_cities", "all_municipalities")
        else "large_cities"
    )
    units = regions.comparison_group(name, treated=params.treated_region, n_large=params.n_large)
    return [u for u in units if u in set(panel["region"])]


def _donor_pool(panel: pd.DataFrame, params: Params) -> pd.DataFrame:
    """Treated unit plus municipalities with >= donor_min_population inhabitants the year before start.

    With ~200 small donors and ~10 pre-periods a convex combination fits most
    placebo units exactly before the start, so their post/pre RMSPE ratio is
    infinite and the placebo p-value says nothing; small units also have noisy
    rates. Restricting the pool to comparable units follows Abadie (2021,
    J Econ Lit 59(2):391–425, section 3.2).
    """
    if params.donor_min_population <= 0:
        return panel
    from .data import load

    pop = load("population")
    year = params.start_year - 1
    big = pop.loc[(pop["year"] == year) & (pop["value"] >= params.donor_min_population), "region"]
    keep = set(big) | {params.treated_region}
    return panel.loc[panel["region"].isin(keep)]


def _eligible(panel: pd.DataFrame, units: Sequence[str], start: int) -> pd.DataFrame:
    """Rows of *units* with at least 3 periods before *start* and one from it (panel may be unbalanced)."""
    sub = panel.loc[panel["region"].isin(units)]
    pre = sub["year"] < start
    n_pre = pre.groupby(sub["region"]).transform("sum")
    n_post = (sub["year"] - 1 >= start).groupby(sub["region"]).transform("sum")
    return sub.loc[(n_pre >= 3) & (n_post >= 1)]


def _permutation_p(sub: pd.DataFrame, params: Params, observed: float) -> tuple[float, int]:
    """Share of pseudo-treated comparison units whose |log rate ratio| ≥ the treated one's.

    Each comparison unit that has data at the start is in turn the treated unit
    (the real treated unit left out). Returns the p-value (the real unit
    included, so the smallest value is ``1 / (k + 1)``) and *k*.
    """
    from .estimators.did import did
    from .exceptions import PtvError

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
    from . import __version__
    from .data import BUILD_VERSION, _cache_key

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
        report share it). Stored atomically under ``PTV_CACHE_DIR/assess``.

    Returns
    -------
    OutcomeAssessment
        Designs that could not run are listed in ``errors`` with the reason.
    """
    if not cache:
        return _assess_outcome(params, group, bootstrap=bootstrap, seed=seed)
    path = _assess_cache_path(params, group, bootstrap, seed)
    if path.exists():
        try:
            with open(path, "rb") as fh:
                found = pickle.load(fh)  # our own cache file, written below
            if isinstance(found, OutcomeAssessment):
                return dataclasses.replace(found, params=params)
        except Exception:  # unreadable: recomputed and rewritten
            path.unlink(missing_ok=True)
    result = _assess_outcome(params, group, bootstrap=bootstrap, seed=seed)
    atomic_write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def _assess_outcome(params: Params, group: str, *, bootstrap: int, seed: int) -> OutcomeAssessment:
    from .estimators.did import did
    from .estimators.its import its
    from .estimators.synth import OutsideDonorRangeWarning, synthetic_control
    from .exceptions import PtvError

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
        pool = _donor_pool(panel, params)
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
        units = [treated, *_comparison_units(params, panel)]
        sub = _eligible(panel, units, params.start_year)
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
