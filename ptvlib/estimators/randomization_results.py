"""The result of :func:`ptvlib.estimators.randomization.randomization_inference`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.basics.literals import Lang, check_literal

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["MDE_POWER", "RandomizationResult"]

#: Power at which the minimum detectable effect is read off.
MDE_POWER = 0.8


@dataclass(frozen=True, eq=False, repr=False)
class RandomizationResult:
    """Result of :func:`randomization_inference`.

    Attributes
    ----------
    outcome : str
        Outcome column.
    scale : {"log", "level"}
        ``log``: the coefficient is a log rate ratio; ``level``: a difference.
    treated : tuple
        Treated units (in schedule order).
    starts : dict
        First treated period of each treated unit.
    coef : float
        TWFE coefficient of the actual assignment.
    ci : (float, float)
        Test-inversion interval for a constant effect at level ``alpha``
        (``±inf`` when the bound is not reached, e.g. when ``alpha`` is below
        the smallest attainable p-value).
    p_value : float
        Two-sided randomization p-value of no effect.
    alpha : float
        Level of the interval.
    n_assignments : int
        Assignments evaluated (actual included).
    n_possible : int
        Distinct assignments of the schedule to the units.
    enumerated : bool
        All distinct assignments were evaluated (else a seeded sample).
    min_p : float
        Smallest attainable p-value, ``1 / n_assignments``.
    mde : float
        Minimum detectable effect at 80 % power and ``alpha``: a relative
        change (``0.24`` = 24 %, either direction) on the log scale, a
        difference on the level scale; NaN when not computed or not reached.
    power : pandas.DataFrame
        Power curve: ``effect`` (rate ratio or difference), ``power``.
    distribution : numpy.ndarray
        Statistic of every evaluated assignment (actual first).
    units : tuple
        Units in the analysis (treated and comparison).
    excluded : dict
        Units left out, with the reason.
    missing : dict
        Units left out → their number of missing or invalid periods.
    n_periods : int
        Periods in the panel.
    notes : tuple of str
        What the reader should know (sampled assignments, unreachable level ...).
    """

    outcome: str
    scale: str
    treated: tuple[Any, ...]
    starts: dict[Any, int]
    coef: float
    ci: tuple[float, float]
    p_value: float
    alpha: float
    n_assignments: int
    n_possible: int
    enumerated: bool
    min_p: float
    mde: float
    power: pd.DataFrame = field(repr=False)
    distribution: np.ndarray = field(repr=False)
    units: tuple[Any, ...] = ()
    excluded: dict[Any, str] = field(default_factory=dict)
    n_periods: int = 0
    notes: tuple[str, ...] = ()
    missing: dict[Any, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"RandomizationResult(outcome={self.outcome!r}, estimate={self.estimate:.4g}, "
            f"ci=({self.estimate_ci[0]:.4g}, {self.estimate_ci[1]:.4g}), "
            f"p_value={self.p_value:.4g}, n_assignments={self.n_assignments})"
        )

    @property
    def log_scale(self) -> bool:
        """True when the effect is a rate ratio."""
        return self.scale == "log"

    @property
    def estimate(self) -> float:
        """Rate ratio :math:`e^{coef}` (log scale) or the difference (level scale)."""
        return math.exp(self.coef) if self.log_scale else self.coef

    @property
    def estimate_ci(self) -> tuple[float, float]:
        """The interval on the estimate's scale."""
        lo, hi = self.ci
        if self.log_scale:
            return (math.exp(lo), math.exp(hi))
        return (lo, hi)

    @property
    def alpha_reachable(self) -> bool:
        """The smallest attainable p-value is at most ``alpha``."""
        return self.min_p <= self.alpha

    @property
    def direction(self) -> str:
        """``decrease`` / ``increase`` when p ≤ alpha, else ``inconclusive``."""
        if not (self.p_value <= self.alpha):
            return "inconclusive"
        return "decrease" if self.coef < 0 else "increase"

    def summary(self) -> pd.DataFrame:
        """Tidy one-row frame (:data:`~ptvlib.estimators._base.SUMMARY_COLUMNS`)."""
        from ptvlib.estimators._base import summary_frame

        lo, hi = self.estimate_ci
        term = "rate_ratio" if self.log_scale else "difference"
        return summary_frame(
            [
                {
                    "term": term,
                    "estimate": self.estimate,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_value": self.p_value,
                    "n": self.n_assignments,
                }
            ]
        )

    def caveats(self, lang: Lang = "nb") -> list[str]:
        """Design-specific caveats in *lang* (numbers in the report's locale)."""
        from ptvlib.basics import numbers as fmt

        check_literal("lang", lang, Lang)
        nb = lang == "nb"
        out = [
            (
                f"{fmt.integer(self.n_assignments, lang)} tildelinger av samme startplan til "
                f"{fmt.integer(len(self.units), lang)} områder"
                + (" (alle)" if self.enumerated else " (tilfeldig utvalg, fast frø)")
                + f"; minste mulige p er {fmt.number(self.min_p, lang, decimals=3)}"
                if nb
                else f"{fmt.integer(self.n_assignments, lang)} assignments of the same schedule "
                f"to {fmt.integer(len(self.units), lang)} areas"
                + (" (all of them)" if self.enumerated else " (seeded random sample)")
                + f"; the smallest attainable p is {fmt.number(self.min_p, lang, decimals=3)}"
            ),
            (
                "intervallet er testinvertert under antakelsen om en konstant effekt"
                if nb
                else "the interval inverts the test under a constant effect"
            ),
        ]
        if not self.alpha_reachable:
            out.append(
                f"med så få tildelinger kan p aldri bli {fmt.number(self.alpha, lang)} eller "
                "lavere: designet kan ikke gi et signal"
                if nb
                else f"with so few assignments p can never reach {fmt.number(self.alpha, lang)}: "
                "the design cannot give a signal"
            )
        if math.isfinite(self.mde):
            size = (
                fmt.percent(self.mde, lang, decimals=0)
                if self.log_scale
                else fmt.number(self.mde, lang)
            )
            out.append(
                f"effekter mindre enn om lag {size} (begge retninger) kan ikke skilles fra støy "
                "(80 % styrke)"
                if nb
                else f"effects smaller than about {size} (either direction) cannot be told from "
                "noise (80% power)"
            )
        if self.missing:
            word = "manglende perioder" if nb else "missing periods"
            names = ", ".join(
                f"{k} ({fmt.integer(v, lang)} {word})" for k, v in self.missing.items()
            )
            out.append(f"utelatt: {names}" if nb else f"left out: {names}")
        return out

    def verdict(self, lang: Lang = "nb") -> str:
        """One plain-language paragraph: estimate, interval, p-value, direction, caveats."""
        from ptvlib.estimators._base import verdict_text

        design = "Randomiseringsinferens (DiD)" if lang == "nb" else "Randomization inference (DiD)"
        start = min(self.starts.values()) if self.starts else ""
        return verdict_text(
            lang=lang,
            design=design,
            outcome=self.outcome,
            start=start,
            estimate=self.estimate,
            ci=self.estimate_ci,
            p_value=self.p_value,
            scale="ratio" if self.log_scale else "difference",
            direction=self.direction,  # type: ignore[arg-type]
            caveats=self.caveats(lang),
        )

    def plot(self, ax: Axes | None = None, *, lang: Lang = "nb") -> Figure:
        """Histogram of the randomization distribution with the actual assignment marked."""
        from ptvlib.basics.style import COLORS, figure_axes

        check_literal("lang", lang, Lang)
        fig, ax = figure_axes(ax)
        values = np.exp(self.distribution) if self.log_scale else self.distribution
        ax.hist(values[1:], bins=30, color=COLORS["placebo"], edgecolor="white")
        ax.axvline(values[0], color=COLORS["treated"], lw=2)
        ax.axvline(1.0 if self.log_scale else 0.0, color=COLORS["start"], lw=1, ls="--")
        if lang == "nb":
            ax.set_xlabel("rateforhold" if self.log_scale else "differanse")
            ax.set_ylabel("tildelinger")
            ax.set_title("Faktisk tildeling (rød) blant alle tildelinger", loc="left")
        else:
            ax.set_xlabel("rate ratio" if self.log_scale else "difference")
            ax.set_ylabel("assignments")
            ax.set_title("Actual assignment (red) among all assignments", loc="left")
        return fig
