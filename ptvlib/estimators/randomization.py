"""Randomization inference over treated-area assignments, with intervals by test inversion.

When a few areas (bydeler) out of a dozen or so got the funding, cluster-robust
standard errors are far too small (MacKinnon & Webb 2017, 2018) and the only
inference that holds is to ask how unusual the treated areas' change is among
all the ways the same schedule of starts could have been handed out to the
areas. :func:`randomization_inference` does that for the two-way fixed-effects
difference-in-differences coefficient:

* **test** — the statistic is recomputed for every distinct assignment of the
  schedule (``C(15, 2) = 105`` pairs, ``15 · 14 = 210`` ordered pairs when the
  two areas start in different years), or a seeded sample when there are more
  than *max_enumerate*; the two-sided p-value is the share of assignments
  with a statistic at least as large in absolute value, the actual one
  included, so the smallest attainable p-value is ``1/A``;
* **interval** — all constant effects :math:`\\tau` that the same test does
  not reject at level :math:`\\alpha` (Rosenbaum 2002; Imbens & Rubin 2015,
  ch. 5): the treated areas' post-period outcomes are put back to their no-
  effect values under :math:`\\tau` (counts divided by :math:`e^\\tau` on the
  log scale, :math:`\\tau` subtracted on the level scale) and the test is run
  again; the bounds are found by a grid scan and bisection;
* **power** — the minimum detectable effect at 80 % power: an effect is added
  to placebo assignments of untreated areas only (on data with the estimated
  effect removed), the same test is run on each, and the MDE is the smallest
  effect (in both directions) detected in at least 80 % of them.

Everything is vectorised: on a balanced panel the statistic of every
assignment is a sum of entries of one unit × start table (see
:mod:`ptvlib.estimators._ri_core`): one evaluation of 100 000 assignments is a
gather of milliseconds, and the whole call — test, interval and MDE — on 60
areas × 156 months with 100 000 sampled assignments takes about 2 s
(``bench/bench_bydel.py``).

References
----------
.. [1] Fisher, R. A. (1935). *The Design of Experiments*. Oliver & Boyd.
.. [2] Rosenbaum, P. R. (2002). Covariance adjustment in randomized experiments
   and observational studies. *Statistical Science* 17(3), 286–327.
.. [3] Imbens, G. W. & Rubin, D. B. (2015). *Causal Inference for Statistics,
   Social, and Biomedical Sciences*. Cambridge University Press, ch. 5.
.. [4] MacKinnon, J. G. & Webb, M. D. (2020). Randomization inference for
   difference-in-differences with few treated clusters. *Journal of
   Econometrics* 218(2), 435–450.
.. [5] Conley, T. G. & Taber, C. R. (2011). Inference with "difference in
   differences" with a small number of policy changes. *Review of Economics
   and Statistics* 93(1), 113–125.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import RiScale, check_literal
from ptvlib.estimators import _ri_core as core
from ptvlib.estimators._ri_panel import RiPanel, prepare_ri_panel
from ptvlib.estimators.randomization_results import MDE_POWER, RandomizationResult

__all__ = ["RandomizationResult", "randomization_inference"]


# ------------------------------------------------------------------ helpers
def _transform(p: RiPanel, scale: str, offset: float) -> np.ndarray:
    if scale == "log":
        z = np.log(p.y + offset)
        if p.exposure is not None:
            z = z - np.log(p.exposure)
        return np.asarray(z)
    if p.exposure is not None:
        return np.asarray(1000.0 * p.y / p.exposure)
    return p.y


def _adjusted(
    p: RiPanel, taus: np.ndarray, scale: str, offset: float, z0: np.ndarray
) -> np.ndarray:
    """Outcomes with the actual treated units' post values put back under effect tau: (G, N, T)."""
    taus = np.asarray(taus, dtype=float).reshape(-1, 1, 1)
    d0 = p.d0[None, :, :]
    if scale == "log":
        y = p.y[None, :, :] * np.exp(-taus * d0)
        z = np.log(y + offset)
        if p.exposure is not None:
            z = z - np.log(p.exposure)[None, :, :]
        return np.asarray(z)
    return np.asarray(z0[None, :, :] - taus * d0)


def _stats_for(
    p: RiPanel,
    taus: np.ndarray,
    assign: core.Assignments,
    q: float,
    scale: str,
    offset: float,
    z0: np.ndarray,
) -> np.ndarray:
    zt = core.double_demean(_adjusted(p, taus, scale, offset, z0))
    return core.statistics(core.post_sums(zt, p.start_index), assign, q)  # (G, A)


def _invert(
    p: RiPanel,
    assign: core.Assignments,
    q: float,
    scale: str,
    offset: float,
    z0: np.ndarray,
    coef: float,
    spread: float,
    alpha: float,
) -> tuple[tuple[float, float], list[str]]:
    """Test-inversion bounds: grid scan for the accepted region, then bisection."""
    notes: list[str] = []
    if 1.0 / assign.n > alpha:
        return (-math.inf, math.inf), notes

    def pval(taus: np.ndarray) -> np.ndarray:
        return core.p_values(_stats_for(p, taus, assign, q, scale, offset, z0))

    width = 10.0 * spread
    for _ in range(6):
        grid = coef + np.linspace(-width, width, 81)
        acc = pval(grid) > alpha
        if not acc.any():  # the accepted region is narrower than the grid step
            width /= 8.0
            continue
        if acc[0] or acc[-1]:
            width *= 4.0
            continue
        break
    else:
        notes.append("test inversion did not bracket the interval")
        lo = -math.inf if acc[0] else grid[np.flatnonzero(acc)[0]]
        hi = math.inf if acc[-1] else grid[np.flatnonzero(acc)[-1]]
        return (float(lo), float(hi)), notes
    idx = np.flatnonzero(acc)
    if len(idx) != idx[-1] - idx[0] + 1:
        notes.append("the accepted set is not an interval; its hull is shown")

    def bisect(rejected: float, accepted: float) -> float:
        for _ in range(50):
            mid = 0.5 * (rejected + accepted)
            if pval(np.array([mid]))[0] > alpha:
                accepted = mid
            else:
                rejected = mid
            if abs(accepted - rejected) < 1e-7 * max(1.0, abs(accepted)):
                break
        return accepted

    lo = bisect(float(grid[idx[0] - 1]), float(grid[idx[0]]))
    hi = bisect(float(grid[idx[-1] + 1]), float(grid[idx[-1]]))
    return (lo, hi), notes


def _power(
    p: RiPanel,
    assign: core.Assignments,
    q: float,
    base: np.ndarray,
    alpha: float,
    spread: float,
    scale: str,
    rng: np.random.Generator,
    max_ref: int = 1000,
    max_placebo: int = 200,
) -> tuple[float, pd.DataFrame]:
    """MDE (80 % power) by adding an effect to placebo assignments of untreated units."""
    actual = set(assign.units[0].tolist())
    clean = ~np.isin(assign.units, list(actual)).any(axis=1)
    candidates = np.flatnonzero(clean)
    if len(candidates) == 0 or 1.0 / assign.n > alpha:
        return math.nan, pd.DataFrame({"effect": [], "power": []})
    if assign.enumerated and assign.n <= max_ref:
        ref = np.arange(assign.n)
        exact = True
    else:
        ref = rng.choice(assign.n, size=min(max_ref, assign.n), replace=False)
        exact = False
    if len(candidates) > max_placebo:
        candidates = rng.choice(candidates, size=max_placebo, replace=False)
    post_len = p.n_periods - p.start_index[assign.slot_start]
    k = core.cross_design(
        assign.units[ref], assign.units[candidates], post_len, p.n_units, p.n_periods
    )  # (R, B)
    beta_ref = base[ref][:, None]
    beta_b = base[candidates][None, :]
    if scale == "log":
        d = np.geomspace(0.002, 4.0, 64)
    else:
        d = spread * np.geomspace(0.02, 60.0, 64)
    signed = np.r_[-d[::-1], d]

    def power_at(delta: float) -> float:
        stats = np.abs(beta_ref + delta * k / q)
        obs = np.abs(beta_b + delta)
        hits = (stats >= obs * (1 - core.TIE)).sum(axis=0)
        pv = hits / len(ref) if exact else (1.0 + hits) / (1.0 + len(ref))
        return float(np.mean(pv <= alpha))

    powers = np.array([power_at(float(delta)) for delta in signed])
    down = powers[: len(d)][::-1]
    up = powers[len(d) :]
    both = np.minimum(down, up)
    ok = np.flatnonzero(np.minimum.accumulate(both[::-1])[::-1] >= MDE_POWER)
    if len(ok) == 0:
        mde = math.nan
    else:
        hi = float(d[ok[0]])
        lo = float(d[ok[0] - 1]) if ok[0] > 0 else 0.0
        for _ in range(40):  # the grid brackets the threshold: bisect it
            mid = 0.5 * (lo + hi)
            if min(power_at(-mid), power_at(mid)) >= MDE_POWER:
                hi = mid
            else:
                lo = mid
        mde = float(np.expm1(hi)) if scale == "log" else hi
    effect = np.exp(signed) if scale == "log" else signed
    return mde, pd.DataFrame({"effect": effect, "power": powers})


# ----------------------------------------------------------------- public
def randomization_inference(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    schedule: Mapping[Any, int],
    exposure: str | None = None,
    scale: RiScale = "log",
    offset: float = 0.5,
    alpha: float = 0.05,
    draws: int = 9999,
    max_enumerate: int = 100_000,
    seed: int | None = 2018,
    mde: bool = True,
    min_pre: int = 3,
) -> RandomizationResult:
    """Randomization test, test-inversion interval and MDE of a TWFE DiD over assignments.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel, one row per unit × period (not modified). Units with a gap
        (missing or non-finite outcome or exposure) are left out and listed in
        ``excluded``; a treated unit with a gap is an error.
    unit, time, outcome : str
        Columns: unit id, whole-number period (years, or a month index) and
        outcome (a count on the log scale).
    schedule : mapping
        Treated unit → first treated period (staggered starts allowed). The
        placebo assignments hand out the same multiset of starts.
    exposure : str, optional
        Population column: the log scale uses ``log(outcome + offset) -
        log(exposure)``, the level scale ``1000 · outcome / exposure``.
    scale : {"log", "level"}
        ``log`` (counts; the effect is a rate ratio) or ``level`` (the outcome
        as given; a difference).
    offset : float
        Added to counts before the log (zeros).
    alpha : float
        Level of the interval and of the power calculation.
    draws : int
        Random assignments when they are too many to enumerate.
    max_enumerate : int
        Enumerate every distinct assignment up to this many.
    seed : int, optional
        Seed of the random assignments and of the power subsample.
    mde : bool
        Compute the minimum detectable effect (80 % power).
    min_pre : int
        Periods needed before the earliest start.

    Returns
    -------
    RandomizationResult

    Raises
    ------
    ParameterError
        Missing columns, bad options, a scheduled unit not in the data, a
        non-numeric outcome, negative counts on the log scale, repeated keys.
    EstimationError
        Too few periods before the earliest start or none after the latest,
        a treated unit with a gap, fewer comparison units than treated ones.

    Notes
    -----
    Two-way FE on :math:`z_{it}` (log rate or level) with
    :math:`D_{it}=1[t \\ge s_i]`; :math:`\\hat\\beta_a = D_a'Mz/D_a'MD_a`. The
    p-value is :math:`\\#\\{a: |\\hat\\beta_a| \\ge |\\hat\\beta_0|\\}/A`. Under
    the sharp null of a constant effect :math:`\\tau` the no-effect outcomes
    are :math:`y_{it}e^{-\\tau D_{0,it}}` (log scale) or
    :math:`z_{it}-\\tau D_{0,it}` (level); the interval is
    :math:`\\{\\tau: p(\\tau) > \\alpha\\}`. The MDE adds :math:`\\delta D_b`
    to placebo assignments :math:`b` of untreated units (on data with
    :math:`\\hat\\beta` removed), so every statistic moves by
    :math:`\\delta K_{ab}/Q` (:func:`~ptvlib.estimators._ri_core.cross_design`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> rows = [(f"a{i}", t, rng.poisson(200 * (0.8 if i < 2 and t >= 2018 else 1.0)))
    ...         for i in range(12) for t in range(2012, 2024)]
    >>> panel = pd.DataFrame(rows, columns=["area", "year", "cases"])
    >>> res = randomization_inference(panel, unit="area", time="year", outcome="cases",
    ...                               schedule={"a0": 2018, "a1": 2018})
    >>> res.n_assignments, round(res.min_p, 4), res.direction
    (66, 0.0152, 'decrease')
    >>> lo, hi = res.estimate_ci
    >>> bool(lo < 0.8 < hi)
    True
    """
    check_literal("scale", scale, RiScale)
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha={alpha!r} is not allowed; allowed: 0 < alpha < 1")
    if not offset >= 0.0:
        raise ParameterError(f"offset={offset!r} is not allowed; allowed: a number >= 0")
    p = prepare_ri_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        schedule=schedule,
        exposure=exposure,
        log_scale=scale == "log",
        offset=offset,
        min_pre=min_pre,
    )
    assign = core.draw_assignments(
        p.n_units,
        p.treated_index,
        p.slot_start,
        draws=draws,
        max_enumerate=max_enumerate,
        seed=seed,
    )
    post_len = p.n_periods - p.start_index[p.slot_start]
    q = core.design_norm(post_len, p.n_units, p.n_periods)
    if not q > 0:
        raise EstimationError("the treatment indicator is collinear with the fixed effects")
    z0 = _transform(p, scale, offset)
    dist = _stats_for(p, np.zeros(1), assign, q, scale, offset, z0)[0]
    coef = float(dist[0])
    pval = float(core.p_values(dist))
    spread = float(np.std(dist[1:])) if assign.n > 1 else 0.0
    if not spread > 0:
        spread = max(abs(coef), 1e-3)
    ci, notes = _invert(p, assign, q, scale, offset, z0, coef, spread, alpha)
    rng = np.random.default_rng(seed)
    mde_value, curve = math.nan, pd.DataFrame({"effect": [], "power": []})
    if mde:
        base = _stats_for(p, np.array([coef]), assign, q, scale, offset, z0)[0]
        mde_value, curve = _power(p, assign, q, base, alpha, spread, scale, rng)
    if not assign.enumerated:
        notes.append(
            f"{assign.n_possible} distinct assignments: a seeded sample of {assign.n - 1} was used"
        )
    return RandomizationResult(
        outcome=outcome,
        scale=scale,
        treated=p.treated,
        starts=dict(p.starts),
        coef=coef,
        ci=ci,
        p_value=pval,
        alpha=alpha,
        n_assignments=assign.n,
        n_possible=assign.n_possible,
        enumerated=assign.enumerated,
        min_p=1.0 / assign.n,
        mde=mde_value,
        power=curve,
        distribution=dist,
        units=p.units,
        excluded=dict(p.excluded),
        n_periods=p.n_periods,
        notes=tuple(notes + list(p.notes)),
        missing=dict(p.missing),
    )
