"""Synthetic control for several treated areas with staggered starts, tested over assignments.

Each treated area gets its own synthetic control (exact convex weights, fitted
on the demeaned pre-period path of the log rate — Ferman & Pinto 2021 — so an
area outside the donors' range is fitted on its shape). The statistic is the
post-period mean log gap averaged over the treated areas: not the post/pre
RMSPE ratio, which a good pre-fit alone makes extreme (the municipal drug
"effect" of the 2024 report was that artefact), and not the gap divided by the
pre-period RMSPE either: with six or seven yearly pre-periods and a dozen
donors the pre-fit is often exact, and the ratio explodes.

The placebo distribution is the same statistic for every assignment of the
schedule's starts to the areas, each area of an assignment fitted from the
areas outside it (as in Cavallo, Galiani, Noy & Pantano 2013, but with the
actual assignment treated exactly like the others). In simulations an
earlier variant that fitted the treated areas from all untreated areas and
each placebo area from the untreated areas but itself called a true null a
signal in 9–14 % of 100 seeds of the demo generator: the actual areas had one
donor more, fitted better and so differed. Fitting every assignment the same
way gave 3.0 % and 4.5 % for the two true-null series over 200 seeds, with
95 % intervals covering the truth in 93.5–97 % of them per series.

References
----------
.. [1] Abadie, A. (2021). Using synthetic controls: Feasibility, data
   requirements, and methodological aspects. *Journal of Economic Literature*
   59(2), 391–425.
.. [2] Cavallo, E., Galiani, S., Noy, I. & Pantano, J. (2013). Catastrophic
   natural disasters and economic growth. *Review of Economics and
   Statistics* 95(5), 1549–1561.
.. [3] Ferman, B. & Pinto, C. (2021). Synthetic controls with imperfect
   pretreatment fit. *Quantitative Economics* 12(4), 1197–1221.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import EstimationError, ParameterError
from ptvlib.basics.literals import Lang, check_literal
from ptvlib.estimators import _ri_core as core
from ptvlib.estimators._ri_panel import prepare_ri_panel
from ptvlib.estimators._simplex import simplex_lstsq

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["SynthAssignmentResult", "synthetic_control_assignments"]


@dataclass(frozen=True, eq=False, repr=False)
class SynthAssignmentResult:
    """Result of :func:`synthetic_control_assignments`.

    Attributes
    ----------
    outcome : str
        Outcome column.
    treated : tuple
        Treated areas.
    starts : dict
        First treated period of each.
    coef : float
        Effect on the log scale: the treated areas' post-period gaps averaged
        with weights :math:`1/\\mathrm{RMSPE}_{pre}` (the centre of the interval).
    ci : (float, float)
        Test-inversion interval (constant effect) at level ``alpha``.
    p_value : float
        Two-sided placebo p-value over assignments to untreated areas.
    alpha : float
        Level.
    n_assignments : int
        Assignments evaluated (actual included).
    min_p : float
        Smallest attainable p-value.
    areas : pandas.DataFrame
        Per treated area: ``start``, ``gap`` (mean post log gap), ``pre_rmspe``,
        ``top_donors``.
    paths : pandas.DataFrame
        Long frame ``unit, time, observed, synthetic`` of the treated areas.
    distribution : numpy.ndarray
        Statistic of every assignment (actual first).
    donors : tuple
        Untreated areas (donors of the treated areas).
    excluded : dict
        Areas left out, with the reason.
    """

    outcome: str
    treated: tuple[Any, ...]
    starts: dict[Any, int]
    coef: float
    ci: tuple[float, float]
    p_value: float
    alpha: float
    n_assignments: int
    min_p: float
    areas: pd.DataFrame = field(repr=False)
    paths: pd.DataFrame = field(repr=False)
    distribution: np.ndarray = field(repr=False)
    donors: tuple[Any, ...] = ()
    excluded: dict[Any, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"SynthAssignmentResult(outcome={self.outcome!r}, estimate={self.estimate:.4g}, "
            f"p_value={self.p_value:.4g}, n_assignments={self.n_assignments})"
        )

    @property
    def estimate(self) -> float:
        """Rate ratio :math:`e^{coef}`."""
        return math.exp(self.coef)

    @property
    def estimate_ci(self) -> tuple[float, float]:
        """Interval as rate ratios."""
        return (math.exp(self.ci[0]), math.exp(self.ci[1]))

    @property
    def direction(self) -> str:
        """``decrease`` / ``increase`` when p ≤ alpha, else ``inconclusive``."""
        if not (self.p_value <= self.alpha):
            return "inconclusive"
        return "decrease" if self.coef < 0 else "increase"

    def summary(self) -> pd.DataFrame:
        """Tidy one-row frame."""
        from ptvlib.estimators._base import summary_frame

        lo, hi = self.estimate_ci
        return summary_frame(
            [
                {
                    "term": "rate_ratio",
                    "estimate": self.estimate,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_value": self.p_value,
                    "n": self.n_assignments,
                }
            ]
        )

    def verdict(self, lang: Lang = "nb") -> str:
        """One plain-language paragraph."""
        from ptvlib.basics import numbers as fmt
        from ptvlib.estimators._base import verdict_text

        check_literal("lang", lang, Lang)
        nb = lang == "nb"
        caveats = [
            (
                f"placebo over {fmt.integer(self.n_assignments, lang)} tildelinger av samme "
                f"startplan (minste mulige p {fmt.number(self.min_p, lang, decimals=3)}); hvert "
                "område er tilpasset fra områdene utenfor tildelingen"
                if nb
                else f"placebo over {fmt.integer(self.n_assignments, lang)} assignments of the same "
                f"schedule (smallest attainable p {fmt.number(self.min_p, lang, decimals=3)}); each "
                "area is fitted from the areas outside the assignment"
            )
        ]
        return verdict_text(
            lang=lang,
            design="Syntetisk kontroll (områder)" if nb else "Synthetic control (areas)",
            outcome=self.outcome,
            start=min(self.starts.values()),
            estimate=self.estimate,
            ci=self.estimate_ci,
            p_value=self.p_value,
            scale="ratio",
            direction=self.direction,  # type: ignore[arg-type]
            caveats=caveats,
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        lang: Lang = "nb",
        names: Mapping[Hashable, str] | None = None,
    ) -> Figure:
        """Observed and synthetic log rate of each treated area.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        lang : {"nb", "en"}
            Language of labels and legend.
        names : mapping, optional
            Display name of each treated unit (default: the unit as given).

        Returns
        -------
        matplotlib.figure.Figure
        """
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        fig, ax = figure_axes(ax)
        words = ("observed", "synthetic") if lang == "en" else ("observert", "syntetisk")
        for i, (u, grp) in enumerate(self.paths.groupby("unit", sort=False)):
            name = (names or {}).get(u, str(u))
            colour = COLORS["treated"] if i == 0 else f"C{i}"
            ax.plot(grp["time"], grp["observed"], color=colour, lw=2, label=f"{name}: {words[0]}")
            ax.plot(
                grp["time"], grp["synthetic"], color=colour, ls="--", label=f"{name}: {words[1]}"
            )
        ax.legend(frameon=False, fontsize=8)
        for s in sorted(set(self.starts.values())):
            ax.axvline(s - 0.5, color=COLORS["start"], lw=1, ls=":")
        ax.set_ylabel("log(count / exposure)" if lang == "en" else "log(antall / eksponering)")
        ax.set_title(
            "Observed (solid) and synthetic (dashed)"
            if lang == "en"
            else "Observert (heltrukken) og syntetisk (stiplet)",
            loc="left",
        )
        return fig


@dataclass(frozen=True)
class _Fit:
    gap: float  # mean post-period gap
    slope: float  # d(gap)/d(tau) under a constant effect on the actual treated (weights fixed)
    pre_rmspe: float
    weights: np.ndarray
    path: np.ndarray


class _Fitter:
    """Demeaned synthetic-control fits of one target from a donor set, cached."""

    def __init__(self, z: np.ndarray, d0: np.ndarray, start_index: np.ndarray) -> None:
        self.z, self.d0, self.start_index = z, d0, start_index
        self.n = z.shape[0]
        self.cache: dict[tuple[int, int, frozenset[int]], _Fit] = {}

    def fit(self, target: int, s: int, excluded: frozenset[int]) -> _Fit:
        """Fit *target* (start index *s*) from every unit not in *excluded* (nor the target)."""
        base_key: tuple[int, int, frozenset[int]] = (target, s, frozenset())
        base = self.cache.get(base_key)
        if base is None:
            base = self._solve(target, s, frozenset({target}))
            self.cache[base_key] = base
        others = excluded - {target}
        if not others or not any(base.weights[j] > 0 for j in others):
            return base
        key = (target, s, frozenset(others))
        hit = self.cache.get(key)
        if hit is None:
            hit = self._solve(target, s, frozenset(others | {target}))
            self.cache[key] = hit
        return hit

    def _solve(self, target: int, s: int, out: frozenset[int]) -> _Fit:
        n_pre = int(self.start_index[s])
        pool = np.array([j for j in range(self.n) if j not in out], dtype=np.intp)
        x, y = self.z[pool].T, self.z[target]
        mx, my = x[:n_pre].mean(axis=0), float(y[:n_pre].mean())
        w_pool = simplex_lstsq(x[:n_pre] - mx, y[:n_pre] - my)
        path = (x - mx) @ w_pool + my
        gap = y - path
        # The same fit on the actual treatment indicator: how the gap moves with tau.
        dx, dy = self.d0[pool].T, self.d0[target]
        dpath = (dx - dx[:n_pre].mean(axis=0)) @ w_pool + float(dy[:n_pre].mean())
        dgap = dy - dpath
        weights = np.zeros(self.n)
        weights[pool] = w_pool
        return _Fit(
            gap=float(gap[n_pre:].mean()),
            slope=float(dgap[n_pre:].mean()),
            pre_rmspe=float(np.sqrt(np.mean(gap[:n_pre] ** 2))),
            weights=weights,
            path=path,
        )


def synthetic_control_assignments(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    schedule: Mapping[Any, int],
    exposure: str | None = None,
    offset: float = 0.5,
    alpha: float = 0.05,
    draws: int = 999,
    max_enumerate: int = 5_000,
    seed: int | None = 2018,
    min_pre: int = 3,
) -> SynthAssignmentResult:
    """Synthetic control per treated area, tested over every assignment of the schedule.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel of counts (not modified).
    unit, time, outcome : str
        Columns.
    schedule : mapping
        Treated unit → first treated period.
    exposure : str, optional
        Population column (log rate = ``log(count + offset) - log(exposure)``).
    offset : float
        Added to counts before the log.
    alpha : float
        Level of the interval.
    draws : int
        Random assignments when there are more than *max_enumerate*.
    max_enumerate : int
        Enumerate every distinct assignment up to this many.
    seed : int, optional
        Seed of the random assignments.
    min_pre : int
        Periods needed before the earliest start.

    Returns
    -------
    SynthAssignmentResult

    Raises
    ------
    ParameterError, EstimationError
        As :func:`~ptvlib.estimators.randomization.randomization_inference`.

    Notes
    -----
    For an assignment :math:`a`, every area :math:`u \\in a` (start
    :math:`s_u`) is fitted from the areas *not* in :math:`a` on its demeaned
    pre-period log rate; the statistic is the mean over :math:`u \\in a` of
    the post-period mean gap :math:`\\bar g_u`. This is the exact
    randomization test of no effect (the actual assignment is treated like
    every other one: its donors are the areas outside it). Under a constant
    effect :math:`\\tau` on the actual treated areas, with the weights held
    at their fitted values, every gap is linear in :math:`\\tau`:
    :math:`\\bar g_u(\\tau) = \\bar g_u - \\tau \\bar h_u` with :math:`h` the
    same fit applied to the actual treatment indicator; the interval is
    :math:`\\{\\tau: p(\\tau) > \\alpha\\}` (exact when no adjusted period
    enters a pre-period fit, i.e. with a single start).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> rows = [(f"a{i}", t, rng.poisson(300 * (0.7 if i == 0 and t >= 2019 else 1.0)))
    ...         for i in range(24) for t in range(2010, 2024)]
    >>> res = synthetic_control_assignments(pd.DataFrame(rows, columns=["u", "t", "y"]),
    ...                                     unit="u", time="t", outcome="y", schedule={"a0": 2019})
    >>> res.n_assignments, round(res.p_value, 4), res.direction
    (24, 0.0417, 'decrease')
    """
    if not 0.0 < alpha < 1.0:
        raise ParameterError(f"alpha={alpha!r} is not allowed; allowed: 0 < alpha < 1")
    p = prepare_ri_panel(
        data,
        unit=unit,
        time=time,
        outcome=outcome,
        schedule=schedule,
        exposure=exposure,
        log_scale=True,
        offset=offset,
        min_pre=min_pre,
    )
    if p.n_units - len(p.treated) < 2:
        raise EstimationError("synthetic control needs at least two untreated areas as donors")
    z = np.log(p.y + offset)
    if p.exposure is not None:
        z = z - np.log(p.exposure)
    assign = core.draw_assignments(
        p.n_units,
        p.treated_index,
        p.slot_start,
        draws=draws,
        max_enumerate=max_enumerate,
        seed=seed,
    )
    fitter = _Fitter(z, p.d0, p.start_index)
    n_a, k = assign.units.shape
    g = np.empty(n_a)
    h = np.empty(n_a)
    for a in range(n_a):
        members = assign.units[a]
        out = frozenset(int(u) for u in members)
        fits = [
            fitter.fit(int(u), int(s), out) for u, s in zip(members, assign.slot_start, strict=True)
        ]
        g[a] = sum(f.gap for f in fits) / k
        h[a] = sum(f.slope for f in fits) / k
    pval = float(core.p_values(g))
    coef = float(g[0] / h[0]) if h[0] != 0 else float(g[0])

    def pvals(taus: np.ndarray) -> np.ndarray:
        return core.p_values(g[None, :] - taus[:, None] * h[None, :])

    ci = _invert_linear(pvals, coef, float(np.std(g[1:])) or 1e-3, alpha, 1.0 / n_a)
    rows, paths = [], []
    actual = frozenset(int(u) for u in assign.units[0])
    for u, row, s in zip(p.treated, p.treated_index, p.slot_start, strict=True):
        f = fitter.fit(int(row), int(s), actual)
        top = np.argsort(-f.weights)[:3]
        donors_txt = ", ".join(
            f"{p.units[j]} {f.weights[j]:.2f}" for j in top if f.weights[j] > 0.005
        )
        rows.append(
            {
                "unit": u,
                "start": p.starts[u],
                "gap": f.gap,
                "pre_rmspe": f.pre_rmspe,
                "top_donors": donors_txt,
            }
        )
        paths.append(
            pd.DataFrame(
                {"unit": u, "time": list(p.times), "observed": z[row], "synthetic": f.path}
            )
        )
    untreated = [p.units[i] for i in range(p.n_units) if i not in set(p.treated_index.tolist())]
    return SynthAssignmentResult(
        outcome=outcome,
        treated=p.treated,
        starts=dict(p.starts),
        coef=coef,
        ci=ci,
        p_value=pval,
        alpha=alpha,
        n_assignments=n_a,
        min_p=1.0 / n_a,
        areas=pd.DataFrame(rows),
        paths=pd.concat(paths, ignore_index=True),
        distribution=g,
        donors=tuple(untreated),
        excluded=dict(p.excluded),
    )


def _invert_linear(
    pvals: Any, coef: float, spread: float, alpha: float, min_p: float
) -> tuple[float, float]:
    """Bounds of ``{tau: pvals(tau) > alpha}`` by a widening grid scan and bisection."""
    if min_p > alpha:
        return (-math.inf, math.inf)
    width = 10.0 * spread
    for _ in range(8):
        grid = coef + np.linspace(-width, width, 161)
        acc = pvals(grid) > alpha
        if not acc.any():
            width /= 8.0
            continue
        if acc[0] or acc[-1]:
            width *= 4.0
            continue
        idx = np.flatnonzero(acc)

        def bisect(rej: float, ok: float) -> float:
            for _ in range(50):
                mid = 0.5 * (rej + ok)
                if pvals(np.array([mid]))[0] > alpha:
                    ok = mid
                else:
                    rej = mid
            return ok

        return (
            bisect(float(grid[idx[0] - 1]), float(grid[idx[0]])),
            bisect(float(grid[idx[-1] + 1]), float(grid[idx[-1]])),
        )
    return (-math.inf, math.inf)
