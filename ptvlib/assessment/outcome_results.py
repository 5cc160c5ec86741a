"""Result of the assessment of one outcome across designs.

Returned by :func:`ptvlib.assessment.outcome.assess_outcome`. The verdict is
the decision rule's (:mod:`ptvlib.assessment.verdicts`); this module turns it
and the designs into tables, sentences and the report's headline rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ptvlib.assessment.design_labels import DESIGNS
from ptvlib.assessment.params import Params
from ptvlib.assessment.verdicts import (
    ALPHA,
    DEFAULT_PRIMARY,
    POWER,
    PRIMARY_DESIGN,
    family_of,
    holm,
    reachable,
)
from ptvlib.basics import config
from ptvlib.basics.literals import Lang, check_literal

if TYPE_CHECKING:
    from ptvlib.assessment.placebo import PlaceboTest
    from ptvlib.assessment.pools import Pool
    from ptvlib.assessment.verdicts import RuleOutcome

__all__ = ["CALIBRATED", "DESIGNS", "MODEL_BASED", "OutcomeAssessment", "family_table"]

#: Designs with calibrated (placebo / permutation) inference, in display order.
CALIBRATED: tuple[str, ...] = ("synth", "sdid", "ascm", "did", "its")
#: Designs shown with model-based inference only.
MODEL_BASED: tuple[str, ...] = ("did_poisson", "its_comparative")

_COLUMNS = [
    "design_key",
    "design",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "p_kind",
    "scale",
    "direction",
    "counts",
    "primary",
    "why_not",
    "mde",
    "mde_family",
    "model_ci_low",
    "model_ci_high",
    "model_p",
    "n",
]


@dataclass(frozen=True)
class OutcomeAssessment:
    """All designs for one offence group, and the verdict of the decision rule.

    Attributes
    ----------
    group : str
        Offence group.
    family : str
        ``harm``, ``activity`` or ``other`` (what the outcome measures; the
        rule's family is :attr:`rule`'s).
    params : Params
        Parameters of the run.
    results : dict
        Estimator results by design key (:data:`DESIGNS`) plus ``event_study``.
    extra : dict
        Pool size and years, synthetic-control leave-one-out (``synth_loo``),
        event-study joint pre-trend p (descriptive).
    errors : dict
        Designs that could not run, with the reason.
    tests : dict
        Calibrated placebo tests by design key
        (:class:`~ptvlib.assessment.placebo.PlaceboTest`).
    rule : RuleOutcome or None
        The decision rule applied over the outcome's family.
    pool : Pool or None
        The comparison pool (with the units that dropped out and why).
    sensitivity : pandas.DataFrame or None
        :func:`~ptvlib.assessment.sensitivity.timing_sensitivity` rows of this group.
    """

    group: str
    family: str
    params: Params
    results: dict[str, Any] = field(default_factory=dict, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    errors: dict[str, str] = field(default_factory=dict)
    tests: dict[str, PlaceboTest] = field(default_factory=dict, repr=False)
    rule: RuleOutcome | None = None
    pool: Pool | None = field(default=None, repr=False)
    sensitivity: pd.DataFrame | None = field(default=None, repr=False)

    # ------------------------------------------------------------- verdict
    @property
    def combined(self) -> str:
        """Verdict code of the decision rule (``inconclusive`` when it could not run)."""
        return self.rule.code if self.rule is not None else "inconclusive"

    @property
    def primary_design(self) -> str:
        """Key of the primary design (:data:`~ptvlib.assessment.verdicts.PRIMARY_DESIGN`)."""
        return PRIMARY_DESIGN.get(self.group, DEFAULT_PRIMARY)

    @property
    def direction(self) -> str:
        """Direction of the effect the funding is claimed to have (for power)."""
        from ptvlib.assessment.group_tests import effect_direction

        return effect_direction(self.group)

    def _mde(self, key: str, alpha: float) -> float:
        t = self.tests.get(key)
        return t.mde(alpha, POWER, self.direction) if t is not None else math.nan  # type: ignore[arg-type]

    @property
    def alpha_family(self) -> float:
        """Holm level of a first rejection in this outcome's family."""
        m = self.rule.family_size if self.rule is not None else 1
        return ALPHA / max(m, 1)

    @property
    def mde(self) -> float:
        """The primary design's minimum detectable effect (80 % power, level 0.05)."""
        return self._mde(self.primary_design, ALPHA)

    @property
    def mde_family(self) -> float:
        """The primary design's minimum detectable effect at the family-wise level."""
        return self._mde(self.primary_design, self.alpha_family)

    def verdict(self, lang: Lang = "nb") -> str:
        """Plain-language verdict: code, primary design, power, other designs, timing robustness."""
        check_literal("lang", lang, Lang)
        from ptvlib.assessment.verdict_text import outcome_verdict

        return outcome_verdict(self, lang)

    def verdict_summary(self, lang: Lang = "nb") -> str:
        """The verdict without the other designs' details (code, primary design, power, timing)."""
        check_literal("lang", lang, Lang)
        from ptvlib.assessment.verdict_text import outcome_verdict

        return outcome_verdict(self, lang, "summary")

    def verdict_details(self, lang: Lang = "nb") -> str:
        """What the other designs say, why SDID/ASCM are shown, the HonestDiD breakdown value."""
        check_literal("lang", lang, Lang)
        from ptvlib.assessment.verdict_text import outcome_verdict

        return outcome_verdict(self, lang, "details")

    # -------------------------------------------------------------- tables
    def table(self, lang: Lang = "nb") -> pd.DataFrame:
        """One row per design: estimate (rate ratio), interval, p-value and whether it counts.

        Calibrated designs show the placebo / permutation p-value and the
        confidence set by test inversion, and in ``model_ci_low``,
        ``model_ci_high``, ``model_p`` the model-based interval (CR1 for the
        difference-in-differences, Newey–West with one lag for the time
        series: two-year averages overlap, so consecutive periods are
        correlated); model-based designs their own interval and p-value, with
        ``counts`` False and ``why_not`` saying why.
        """
        check_literal("lang", lang, Lang)
        rows = [
            {"design_key": key, "design": DESIGNS[lang][key], **row}
            for key, row in self._rows(lang).items()
        ]
        frame = pd.DataFrame(rows, columns=_COLUMNS)
        frame.insert(0, "outcome", self.group)
        return frame

    def _rows(self, lang: Lang) -> dict[str, dict[str, Any]]:
        from ptvlib.assessment.verdict_text import why_not_text
        from ptvlib.basics import numbers as fmt
        from ptvlib.estimators._base import classify

        out: dict[str, dict[str, Any]] = {}
        primary = self.primary_design
        for key in CALIBRATED:
            t = self.tests.get(key)
            if t is None:
                continue
            model = self._model(key)
            lo, hi = t.ci(ALPHA)
            counts = reachable(t.n)
            p = t.p_value
            direction = "inconclusive"
            if counts and p <= ALPHA + 1e-12 and t.estimate != 0:
                direction = "decrease" if t.estimate < 0 else "increase"
            out[key] = dict(
                estimate=math.exp(t.estimate),
                ci_low=1.0 + lo,
                ci_high=1.0 + hi,
                p_value=p,
                p_kind="permutation" if key == "did" else "placebo",
                scale="ratio",
                direction=direction,
                counts=counts,
                primary=key == primary,
                why_not=""
                if counts
                else why_not_text("unreachable", lang, n=t.n, p=fmt.number(1 / (t.n + 1), lang)),
                mde=self._mde(key, ALPHA),
                mde_family=self._mde(key, self.alpha_family),
                model_ci_low=model[0],
                model_ci_high=model[1],
                model_p=model[2],
                n=t.n + 1,
            )
        for key in MODEL_BASED:
            r = self.results.get(key)
            if r is None:
                continue
            lo, hi = r.rate_ratio_ci
            out[key] = dict(
                estimate=r.rate_ratio,
                ci_low=lo,
                ci_high=hi,
                p_value=r.p_value,
                p_kind="model",
                scale="ratio",
                direction=classify(lo, hi, null=1.0, p_value=r.p_value),
                counts=False,
                primary=False,
                why_not=why_not_text(key, lang),
                mde=math.nan,
                mde_family=math.nan,
                model_ci_low=lo,
                model_ci_high=hi,
                model_p=r.p_value,
                n=r.n,
            )
        return out

    def _model(self, key: str) -> tuple[float, float, float]:
        """A calibrated design's model-based interval and p (shown, never deciding).

        The difference-in-differences' cluster-robust (CR1) interval, the
        time series' Newey–West (one lag) interval, and the normal interval
        from the placebo standard error of SDID and ASCM (the papers'
        inference), as rate ratios; NaN for the synthetic control, which has
        none.
        """
        r = self.results.get(key)
        if key in ("sdid", "ascm") and r is not None:
            lo, hi = r.ci
            return math.exp(lo), math.exp(hi), math.nan
        if key == "did" and r is not None:
            lo, hi = r.ci
            return math.exp(lo), math.exp(hi), float(r.p_value)
        if key == "its" and r is not None:
            lo, hi = r.rate_ratio_ci
            return float(lo), float(hi), float(r.p_value)
        return math.nan, math.nan, math.nan

    def headlines(self, lang: Lang = "nb") -> list[dict[str, Any]]:
        """Rows for the report sidecar: one per design plus the combined verdict.

        Design rows carry ``mde``, ``counts``, ``why_not``, ``scale`` and
        ``p_kind`` (the sidecar contract); the combined row the verdict code,
        its text (``text``: :meth:`verdict_summary`; ``details``:
        :meth:`verdict_details`), the primary design, its family-wise p-value
        and MDE.
        """
        check_literal("lang", lang, Lang)
        rows = []
        label = config.OFFENCE_GROUP_LABELS[lang][self.group]
        for r in self.table(lang).to_dict("records"):
            rows.append(
                {
                    "outcome": label,
                    "offence_group": self.group,
                    "design": r["design"],
                    "design_key": r["design_key"],
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "p_value": r["p_value"],
                    "p_kind": r["p_kind"],
                    "scale": r["scale"],
                    "verdict": r["direction"],
                    "counts": bool(r["counts"]),
                    "primary": bool(r["primary"]),
                    "why_not": r["why_not"],
                    "mde": _finite(r["mde"]),
                    "mde_family": _finite(r["mde_family"]),
                }
            )
        rule = self.rule
        rows.append(
            {
                "outcome": label,
                "offence_group": self.group,
                "design": "Samlet" if lang == "nb" else "Combined",
                "design_key": "combined",
                "estimate": None,
                "ci_low": None,
                "ci_high": None,
                "p_value": rule.p_adjusted if rule is not None else None,
                "p_kind": "holm",
                "scale": "",
                "verdict": self.combined,
                "text": self.verdict_summary(lang),
                "details": self.verdict_details(lang),
                "primary_design": self.primary_design,
                "rule_family": rule.family if rule is not None else family_of(self.group),
                "mde": _finite(self.mde),
                "mde_family": _finite(self.mde_family),
            }
        )
        return rows

    # ------------------------------------------------------- side results
    def donor_leave_one_out(self) -> pd.DataFrame:
        """The synthetic control refitted without each donor with positive weight.

        Returns
        -------
        pandas.DataFrame
            ``excluded``, ``name``, ``weight``, ``estimate`` (relative change
            without that donor), ``change`` (percentage points against the
            full fit); empty when the synthetic control did not run.
        """
        from ptvlib.data.regions import region_name

        loo = self.extra.get("synth_loo")
        sc = self.results.get("synth")
        if loo is None or sc is None or loo.empty:
            return pd.DataFrame(columns=["excluded", "name", "weight", "estimate", "change"])
        full = math.expm1(sc.att)
        est = np.expm1(loo["att"].to_numpy(dtype=float))
        return pd.DataFrame(
            {
                "excluded": loo["excluded"].to_numpy(),
                "name": [region_name(str(c)) for c in loo["excluded"]],
                "weight": loo["weight"].to_numpy(dtype=float),
                "estimate": est,
                "change": est - full,
            }
        ).sort_values("weight", ascending=False, ignore_index=True)

    def dropped_units(self, lang: Lang = "nb") -> list[str]:
        """Units that dropped out of the pool, each with the reason."""
        return self.pool.dropped_text(lang) if self.pool is not None else []

    def pool_sentence(self, lang: Lang = "nb") -> str:
        """The comparison pool in one paragraph: its size, and every unit left out and why."""
        from ptvlib.assessment.verdict_text import pool_sentence

        return pool_sentence(self, lang)

    def donor_sentence(self, lang: Lang = "nb") -> str:
        """Leave-one-out of the synthetic control's top donors in one sentence ("" without it)."""
        from ptvlib.assessment.verdict_text import donor_sentence

        return donor_sentence(self.donor_leave_one_out(), self.results.get("synth"), lang)


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def family_table(assessments: Sequence[OutcomeAssessment], lang: Lang = "nb") -> pd.DataFrame:
    """All designs for all outcomes, with Holm-adjusted p-values within each rule family and design.

    ``p_holm`` adjusts the counting designs' p-values over the outcomes of a
    family (the verdict uses it for the primary designs, see
    :mod:`ptvlib.assessment.verdicts`); model-based rows stay NaN.
    """
    frames = [
        a.table(lang).assign(family=a.family, rule_family=family_of(a.group)) for a in assessments
    ]
    table = pd.concat(frames, ignore_index=True)
    table["p_holm"] = np.nan
    counting = table["counts"].astype(bool)
    for _, idx in table.loc[counting].groupby(["rule_family", "design_key"]).groups.items():
        table.loc[idx, "p_holm"] = holm(table.loc[idx, "p_value"].to_numpy(dtype=float))
    return table
