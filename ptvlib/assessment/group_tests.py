"""The calibrated designs of one offence group: the pool, and each design's placebo test.

:func:`group_tests` builds the comparison pool
(:func:`~ptvlib.assessment.pools.assessment_pool`) and runs every calibrated
design of :mod:`ptvlib.assessment.placebo` on it. The yearly assessment
(:func:`~ptvlib.assessment.outcome.assess_outcome`) reads the treated unit's
evidence; the calibration (:func:`~ptvlib.assessment.calibration.calibrate`)
reads every pool unit's as if it were the treated one — the same numbers, so
the verdicts it counts are the ones the assessment would give. Results are
kept in memory per process and in the signed cache
(``PTV_CACHE_DIR/assess/tests-*.pkl``, :mod:`ptvlib.basics.signed_cache`);
the report's notebooks run in parallel, so the first process to need a group
computes it under a file lock while the others wait and then read it, instead
of every kernel repeating the same fits on the same two cores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.assessment.params import Params
from ptvlib.assessment.placebo import (
    CALIBRATED_DESIGNS,
    EffectDirection,
    PlaceboTest,
    ascm_test,
    did_test,
    its_test,
    rank_p,
    sdid_test,
    synth_test,
)
from ptvlib.assessment.pools import Pool, assessment_pool
from ptvlib.assessment.verdicts import Evidence, reachable

__all__ = ["COVID_YEARS", "GroupTests", "effect_direction", "group_tests"]

#: Period end-years of the two-year periods that contain 2020 or 2021 (COVID).
COVID_YEARS: tuple[int, ...] = (2020, 2021, 2022)


def effect_direction(group: str) -> EffectDirection:
    """Direction the funding is claimed to move an outcome, for power statements.

    Less crime for harm outcomes and all offences; more reported drug and
    public-order offences (activity outcomes: more police work finds more).

    Examples
    --------
    >>> effect_direction("violence"), effect_direction("drugs")
    ('decrease', 'increase')
    """
    from ptvlib.assessment.panels import outcome_family

    return "increase" if outcome_family(group) == "activity" else "decrease"


@dataclass(frozen=True, eq=False)
class GroupTests:
    """The pool and the calibrated placebo tests of one group under one timing.

    Attributes
    ----------
    group : str
        Offence group.
    start : int
        First treated year.
    drop_years : tuple of int
        Period end-years left out besides the straddling one.
    pool : Pool or None
        Treated unit and comparison pool (None when it could not be built).
    tests : dict
        Design key → :class:`~ptvlib.assessment.placebo.PlaceboTest`.
    errors : dict
        Design (or ``"pool"``) → why it could not run.
    results : dict
        The estimator results behind ``sdid`` and ``ascm`` (weights, paths).
    outside : tuple or None
        ``("above"|"below", k)`` when the treated unit's pre-period rate lies
        outside every pool unit's in *k* of the pre-periods (most of them).
    """

    group: str
    start: int
    drop_years: tuple[int, ...]
    pool: Pool | None
    tests: dict[str, PlaceboTest] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict, repr=False)
    outside: tuple[str, int] | None = None

    @property
    def direction(self) -> EffectDirection:
        """See :func:`effect_direction`."""
        return effect_direction(self.group)

    def why_not(self, n: int) -> str:
        """Empty when a placebo p over *n* units can reach :data:`ALPHA`, else the reason code."""
        return "" if reachable(n) else "unreachable"

    def evidence(self) -> list[Evidence]:
        """The treated unit's evidence, one per calibrated design that ran."""
        out = []
        for key, t in self.tests.items():
            why = self.why_not(t.n)
            out.append(Evidence(key, t.estimate, t.p_value, counts=not why, why_not=why))
        return out

    def unit_evidence(self, unit: str) -> list[Evidence]:
        """Evidence of pool unit *unit* as the pseudo-treated one (the others its pool)."""
        out = []
        for key, t in self.tests.items():
            i = t.units.index(unit)
            est = float(t.matrix[i, i])
            p = rank_p(np.delete(t.matrix[i], i), est)
            why = self.why_not(t.n - 1)
            out.append(Evidence(key, est, p, counts=not why, why_not=why))
        return out


def _key(params: Params) -> tuple[object, ...]:
    """The parameters a pool depends on, and the data checksums (hashable)."""
    from ptvlib.data.loading import cache_key

    data = tuple(cache_key(n) for n in ("reported_offences", "population"))
    return (
        params.year,
        params.treated_region,
        params.straddle,
        params.donor_min_population,
        tuple(params.excluded_regions),
        data,
    )


def _params(key: tuple[object, ...]) -> Params:
    year, treated, straddle, min_pop, excluded, _ = key
    return Params(
        year=int(year),  # type: ignore[call-overload]
        treated_region=str(treated),
        straddle=straddle,  # type: ignore[arg-type]
        donor_min_population=int(min_pop),  # type: ignore[call-overload]
        excluded_regions=list(excluded),  # type: ignore[call-overload]
    )


def group_tests(
    params: Params,
    group: str,
    *,
    start: int | None = None,
    drop_years: Sequence[int] = (),
    out_of_pool: Sequence[str] = (),
    designs: Sequence[str] | None = None,
) -> GroupTests:
    """Pool and calibrated placebo tests of one group (kept in memory per process).

    Parameters
    ----------
    params : Params
        Validated parameters.
    group : str
        Offence group.
    start : int, optional
        First treated year (default ``params.start_year``; the timing
        sensitivity passes others).
    drop_years : sequence of int
        Period end-years to leave out (e.g. :data:`COVID_YEARS`).
    out_of_pool : sequence of str
        More units to keep out of the pool.
    designs : sequence of str, optional
        Run only these designs (default every one of
        :data:`~ptvlib.assessment.placebo.CALIBRATED_DESIGNS`); the timing
        sensitivity first needs only the primary designs.

    Returns
    -------
    GroupTests
    """
    s = params.start_year if start is None else int(start)
    # The main analysis needs every leave-two-out fit (calibration, MDE); the timing
    # variants only the treated unit's p-values.
    main = s == params.start_year and not drop_years
    chosen = tuple(d for d in CALIBRATED_DESIGNS if designs is None or d in designs)
    args = (
        _key(params),
        group,
        s,
        tuple(sorted(drop_years)),
        tuple(sorted(out_of_pool)),
        main,
        chosen,
    )
    if args in _MEMO:
        return _MEMO[args]
    found = _stored(args)
    if len(_MEMO) > 256:
        _MEMO.clear()
    _MEMO[args] = found
    return found


#: Group tests computed or read in this process.
_MEMO: dict[tuple[object, ...], GroupTests] = {}
#: Changes whenever the designs change what a GroupTests holds.
_VERSION = "group-tests-2"


def _stored(args: tuple[object, ...]) -> GroupTests:
    """Read *args*' group tests from the signed cache, or compute and store them under a lock."""
    import hashlib

    from ptvlib.basics import config, signed_cache
    from ptvlib.basics.io import FileLock
    from ptvlib.basics.version import __version__

    digest = hashlib.sha256(repr((__version__, _VERSION, args)).encode()).hexdigest()[:24]
    folder = config.cache_dir() / "assess"
    path = folder / f"tests-{args[1]}-{digest}.pkl"
    found = signed_cache.load_pickle(path, GroupTests)
    if found is not None:
        return found
    with FileLock(folder / f".tests-{digest}.lock"):
        found = signed_cache.load_pickle(path, GroupTests)  # another process may have finished
        if found is not None:
            return found
        result = _compute(*args)  # type: ignore[arg-type]
        try:
            signed_cache.dump_pickle(path, result)
        except OSError:  # a read-only cache: the result is still right, just not kept
            pass
        return result


def _compute(
    key: tuple[object, ...],
    group: str,
    start: int,
    drop_years: tuple[int, ...],
    out_of_pool: tuple[str, ...],
    main: bool,
    designs: tuple[str, ...] = CALIBRATED_DESIGNS,
) -> GroupTests:
    from ptvlib.basics.exceptions import PtvError

    params = _params(key)
    panel = _panel(key, group, params.year)
    try:
        pool = assessment_pool(
            panel, params, start=start, drop_years=drop_years, out_of_pool=out_of_pool
        )
    except PtvError as err:
        return GroupTests(group, start, drop_years, None, errors={"pool": str(err)})
    wide = pool.panel.pivot(index="year", columns="region")
    order = [pool.treated, *pool.units]
    years = np.asarray(pool.years)
    rate = wide["rate"][order].to_numpy(dtype=float)
    counts = wide["count"][order].to_numpy(dtype=float)
    population = wide["population"][order].to_numpy(dtype=float)
    pre = years < start
    post = ~pre
    tests: dict[str, PlaceboTest] = {}
    errors: dict[str, str] = {}
    if pool.n < 3:
        errors["pool"] = f"only {pool.n} comparison units"
        return GroupTests(group, start, drop_years, pool, tests, errors)
    Y = np.log(rate)
    long = pool.panel.assign(log_rate=np.log(pool.panel["rate"]))
    donor_kw: dict[str, Any] = dict(treated=pool.treated, start=start, units=pool.units)
    results: dict[str, Any] = {}

    def donor(design: str) -> PlaceboTest:
        if design == "sdid":
            test, results["sdid"] = sdid_test(long, **donor_kw)
        else:
            # The timing variants reuse the real fit's ridge penalty in the placebo runs.
            test, results["ascm"] = ascm_test(long, placebo_cv=main, **donor_kw)
        return test

    runners = {
        "synth": lambda: synth_test(Y, pre, post, pool.units, leave_two_out=main),
        "sdid": lambda: donor("sdid"),
        "ascm": lambda: donor("ascm"),
        "did": lambda: did_test(Y, pre, post, pool.units),
        "its": lambda: its_test(counts, population, years, start, pool.units),
    }
    for design in designs:
        try:
            tests[design] = runners[design]()
        except (PtvError, ValueError, np.linalg.LinAlgError) as err:
            errors[design] = str(err)
    from ptvlib.estimators._synth_core import outside_range

    side = outside_range(rate[pre, 0], rate[pre, 1:])
    return GroupTests(group, start, drop_years, pool, tests, errors, results, side)


@lru_cache(maxsize=32)
def _panel(key: tuple[object, ...], group: str, year: int) -> pd.DataFrame:
    from ptvlib.assessment.panels import offence_panel

    return offence_panel(group, year_max=year)[0]
