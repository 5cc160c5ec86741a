"""Calibration: the whole verdict pipeline run on municipalities that got no money.

:func:`calibrate` takes every municipality of the treated unit's comparison
pool in turn as the "treated" unit — the real treated unit and its police
district out of every pool, the other pool units as its comparison units —
and applies the same designs and the same decision rule
(:func:`~ptvlib.assessment.verdicts.apply_rule`, Holm within each outcome
family) that decide the real verdicts. None of these municipalities got the
targeted funding, so every verdict other than ``inconclusive`` is a false
signal; a trustworthy rule gives few (the project requires at most 5 % at the
default settings over the five offence groups).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ptvlib.assessment.group_tests import GroupTests, group_tests
from ptvlib.assessment.params import Params
from ptvlib.assessment.verdicts import ALPHA, Evidence, apply_rule
from ptvlib.basics.literals import Lang, check_literal

__all__ = ["CalibrationResult", "calibrate"]

#: Design labels of the calibration summary, by language.
_DESIGN_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "synth": "Syntetisk kontroll (placebo)",
        "sdid": "Syntetisk forskjell-i-forskjeller (placebo)",
        "ascm": "Utvidet syntetisk kontroll (placebo)",
        "did": "Forskjell-i-forskjeller (permutasjon)",
        "its": "Avbrutt tidsserie (placebo)",
        "verdict": "Samlet dom (regelen)",
    },
    "en": {
        "synth": "Synthetic control (placebo)",
        "sdid": "Synthetic difference-in-differences (placebo)",
        "ascm": "Augmented synthetic control (placebo)",
        "did": "Difference-in-differences (permutation)",
        "its": "Interrupted time series (placebo)",
        "verdict": "Verdict (the rule)",
    },
}


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Verdicts of the pipeline on untreated municipalities.

    Attributes
    ----------
    params : Params
        Settings of the run (the treated unit's pool is the one calibrated).
    groups : tuple of str
        Offence groups.
    verdicts : pandas.DataFrame
        One row per (pseudo-treated unit, group): ``unit``, ``unit_name``,
        ``group``, ``family``, ``code``, ``primary``, ``p_primary``,
        ``p_adjusted``.
    designs : pandas.DataFrame
        One row per (unit, group, design): ``estimate`` (log scale),
        ``p_value``, ``signal`` (p at or below :data:`ALPHA`).
    pools : dict
        Group → number of pool units.
    """

    params: Params
    groups: tuple[str, ...]
    verdicts: pd.DataFrame = field(repr=False)
    designs: pd.DataFrame = field(repr=False)
    pools: dict[str, int] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        """Distinct pseudo-treated municipalities."""
        return int(self.verdicts["unit"].nunique())

    @property
    def n_assessments(self) -> int:
        """Unit × group verdicts."""
        return len(self.verdicts)

    @property
    def n_signals(self) -> int:
        """Verdicts other than ``inconclusive`` (false signals: no unit got the money)."""
        return int((self.verdicts["code"] != "inconclusive").sum())

    @property
    def share(self) -> float:
        """:attr:`n_signals` / :attr:`n_assessments`."""
        return self.n_signals / self.n_assessments if self.n_assessments else math.nan

    def summary(self) -> pd.DataFrame:
        """Signals per design (p at or below 0.05, unadjusted) and for the verdict, overall and per group.

        Returns
        -------
        pandas.DataFrame
            ``design`` (a design key or ``"verdict"``), ``group`` (``"all"``
            or an offence group), ``n``, ``signals``, ``share``.
        """
        rows: list[dict[str, Any]] = []
        d = self.designs
        for (design, group), part in d.groupby(["design", "group"], sort=True):
            rows.append(_row(str(design), str(group), len(part), int(part["signal"].sum())))
        for design, part in d.groupby("design", sort=True):
            rows.append(_row(str(design), "all", len(part), int(part["signal"].sum())))
        v = self.verdicts
        for group, part in v.groupby("group", sort=True):
            rows.append(
                _row("verdict", str(group), len(part), int((part["code"] != "inconclusive").sum()))
            )
        rows.append(_row("verdict", "all", self.n_assessments, self.n_signals))
        return pd.DataFrame(rows, columns=["design", "group", "n", "signals", "share"])

    def codes(self) -> pd.Series:
        """How many verdicts of each code."""
        return self.verdicts["code"].value_counts()

    def sentence(self, lang: Lang = "nb") -> str:
        """One sentence for the report: the method on untreated municipalities and its false signals."""
        check_literal("lang", lang, Lang)
        from ptvlib.basics import numbers as fmt

        n, k, m = self.n_units, self.n_signals, self.n_assessments
        share = fmt.percent(self.share, lang)
        if lang == "nb":
            return (
                f"Den samme metoden brukt på {fmt.integer(n, lang)} kommuner uten satsingen, hver "
                f"i tur som «behandlet», ga {fmt.integer(k, lang)} signaler i "
                f"{fmt.integer(m, lang)} vurderinger ({share}); kravet er høyst 5\u00a0%."
            )
        return (
            f"The same method run on {fmt.integer(n, lang)} municipalities without the funding, "
            f"each in turn as the 'treated' unit, gave {fmt.integer(k, lang)} signals in "
            f"{fmt.integer(m, lang)} assessments ({share}); the requirement is at most 5%."
        )

    def per_design(self) -> dict[str, dict[str, float | int]]:
        """Design key → ``{"n", "signals", "share"}`` over all groups (the sidecar's ``per_design``)."""
        s = self.summary()
        s = s.loc[s["group"] == "all"]
        return {
            str(r.design): {"n": int(r.n), "signals": int(r.signals), "share": float(r.share)}
            for r in s.itertuples()
        }

    def sidecar(self, lang: Lang = "nb") -> dict[str, Any]:
        """The report's ``calibration`` record (see the sidecar contract in the README)."""
        p = self.params
        return {
            "sentence": self.sentence(lang),
            "n_units": self.n_units,
            "n_assessments": self.n_assessments,
            "n_signals": self.n_signals,
            "share": self.share,
            "per_design": self.per_design(),
            "settings": {
                "year": p.year,
                "start_year": p.start_year,
                "treated_region": p.treated_region,
                "donor_min_population": p.donor_min_population,
                "excluded_regions": list(p.excluded_regions),
                "groups": list(self.groups),
                "alpha": ALPHA,
            },
        }

    def table(self, lang: Lang = "nb") -> pd.DataFrame:
        """The summary with design labels in the report language (for display)."""
        check_literal("lang", lang, Lang)
        s = self.summary()
        s.insert(1, "label", s["design"].map(_DESIGN_LABELS[lang]))
        return s


def _row(design: str, group: str, n: int, signals: int) -> dict[str, Any]:
    return {
        "design": design,
        "group": group,
        "n": n,
        "signals": signals,
        "share": signals / n if n else math.nan,
    }


def calibrate(params: Params, groups: Sequence[str] | None = None) -> CalibrationResult:
    """Run the verdict pipeline with every untreated pool municipality as the treated unit.

    Parameters
    ----------
    params : Params
        Validated parameters (default settings: ``validate_params()``); the
        pool of ``params.treated_region`` is calibrated, with that unit and
        its police district out of every pool.
    groups : sequence of str, optional
        Offence groups (default ``params.offence_groups``).

    Returns
    -------
    CalibrationResult

    Examples
    --------
    >>> import ptvlib
    >>> cal = ptvlib.calibrate(ptvlib.validate_params(), groups=["violence"])
    >>> cal.n_units > 19 and cal.share <= 0.05
    True
    """
    from ptvlib.assessment.panels import outcome_family
    from ptvlib.assessment.verdicts import family_of
    from ptvlib.data.regions import region_name

    chosen = tuple(params.offence_groups if groups is None else groups)
    tests: dict[str, GroupTests] = {g: group_tests(params, g) for g in chosen}
    units = sorted({u for gt in tests.values() if gt.pool is not None for u in gt.pool.units})
    design_rows: list[dict[str, Any]] = []
    verdict_rows: list[dict[str, Any]] = []
    for unit in units:
        evidence: dict[str, list[Evidence]] = {}
        for g, gt in tests.items():
            if gt.pool is None or unit not in gt.pool.units or not gt.tests:
                continue
            evidence[g] = gt.unit_evidence(unit)
            for e in evidence[g]:
                design_rows.append(
                    {
                        "unit": unit,
                        "group": g,
                        "design": e.design,
                        "estimate": e.estimate,
                        "p_value": e.p_value,
                        "signal": e.significant(ALPHA),
                    }
                )
        for g, out in apply_rule(evidence).items():
            verdict_rows.append(
                {
                    "unit": unit,
                    "unit_name": region_name(unit),
                    "group": g,
                    "family": family_of(g),
                    "outcome_family": outcome_family(g),
                    "code": out.code,
                    "primary": out.primary,
                    "p_primary": out.p_primary,
                    "p_adjusted": out.p_adjusted,
                }
            )
    return CalibrationResult(
        params=params,
        groups=chosen,
        verdicts=pd.DataFrame(verdict_rows),
        designs=pd.DataFrame(design_rows),
        pools={g: (gt.pool.n if gt.pool is not None else 0) for g, gt in tests.items()},
    )
