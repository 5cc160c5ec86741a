"""The pre-specified decision rule: how calibrated designs become one verdict per outcome.

Everything that decides a verdict is declared here, in one place, so that the
municipal assessment, the own-data assessment, the report and the calibration
on untreated units (:func:`ptvlib.calibrate`) apply the same rule.

The rule
--------
1. **Only calibrated inference decides.** A design *counts* when its p-value
   comes from a placebo / permutation / randomization distribution over
   comparison units (or treated-area assignments) in which the level
   :data:`ALPHA` is attainable (at least ``1 / ALPHA - 1`` = 19 comparison
   units). Model-based p-values (cluster-robust CR1, the wild cluster bootstrap
   with one treated cluster, Newey–West) may be shown; they never count.
2. **Primary outcomes and one primary design per outcome.** The outcome
   families are :data:`FAMILIES`: the *primary* family holds the harm outcomes
   (violence, property theft); total, drug and public-order offences form the
   *secondary* family (drug and public-order reports follow police activity);
   any other offence group is its own *exploratory* family. Each outcome has
   one primary design (:data:`PRIMARY_DESIGN`), chosen from the calibration on
   untreated municipalities — the smallest minimum detectable effect at the
   controlled false-positive rate — and never from the treated unit's result.
3. **Family-wise error control in the verdict itself.** The primary designs'
   p-values are Holm-adjusted (:func:`holm`) within each family, over the
   outcomes assessed.
4. **Codes** (:func:`decide`):

   * ``inconclusive`` — the primary design's Holm-adjusted p-value is above
     :data:`ALPHA` (or it could not run);
   * ``conflicting`` — it is at or below :data:`ALPHA`, but another counting
     design has an unadjusted p at or below :data:`ALPHA` in the opposite
     direction;
   * ``decrease`` / ``increase`` ("consistent") — it is at or below
     :data:`ALPHA` and at least one other counting design agrees at
     :data:`ALPHA` (and none disagrees);
   * ``weak_decrease`` / ``weak_increase`` — it is at or below :data:`ALPHA`
     and no other counting design reaches :data:`ALPHA`.

   Every code other than ``inconclusive`` therefore needs a Holm rejection,
   so over untreated units the share of non-inconclusive verdicts is bounded
   by the family-wise level (about ``ALPHA / m`` per outcome in a family of
   *m*); :func:`ptvlib.calibrate` measures it.

Other assessments (the analyst's own bydel data) apply the same rule with
their own outcomes, designs and families: build one :class:`Evidence` per
design and outcome (``p_kind="randomization"`` for randomization inference
over treated-area assignments; ``counts=False`` with a ``why_not`` for
model-based p-values) and call :func:`apply_rule` with ``primary_design=``
and ``families=``; :func:`reachable` says whether a permutation or
randomization distribution can reach :data:`ALPHA`.

References
----------
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
*Scandinavian Journal of Statistics* 6(2), 65–70.

Abadie, A., Diamond, A. & Hainmueller, J. (2010). Synthetic control methods
for comparative case studies. *JASA* 105(490), 493–505 (placebo inference).

MacKinnon, J. G. & Webb, M. D. (2018). The wild bootstrap for few (treated)
clusters. *The Econometrics Journal* 21(2), 114–135.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ALPHA",
    "CODES",
    "COMBINED_LABELS",
    "FAMILIES",
    "FAMILY_LABELS",
    "POWER",
    "PRIMARY_DESIGN",
    "Evidence",
    "RuleOutcome",
    "apply_rule",
    "decide",
    "family_of",
    "holm",
    "reachable",
]

#: Level of every test and of the family-wise error rate.
ALPHA = 0.05
#: Power at which a minimum detectable effect is stated.
POWER = 0.80

#: Outcome families for the family-wise adjustment (offence groups).
FAMILIES: dict[str, tuple[str, ...]] = {
    "primary": ("violence", "property_theft"),
    "secondary": ("total", "drugs", "public_order"),
}

#: Family names in words, by language.
FAMILY_LABELS: dict[str, dict[str, str]] = {
    "nb": {"primary": "primærutfall", "secondary": "sekundærutfall", "exploratory": "utforskende"},
    "en": {
        "primary": "primary outcome",
        "secondary": "secondary outcome",
        "exploratory": "exploratory",
    },
}

#: The primary design of each offence group (design keys of the municipal assessment).
#:
#: Chosen by :func:`~ptvlib.assessment.power.choose_primary` from the
#: calibration on the untreated municipalities of the default pool (2024 data,
#: start 2018, 81–83 units), never from Oslo's result: the design with the
#: smallest minimum detectable effect (80 % power) at the Holm level of a first
#: rejection in the outcome's family; designs within two percentage points count
#: as equal and :data:`~ptvlib.assessment.power.PREFERENCE` decides (synthetic
#: DiD, built for a treated unit at the edge of its comparison units, first).
#: MDEs found (synthetic control / synthetic DiD / augmented SC /
#: difference-in-differences / time series; falls for harm outcomes and all
#: offences, rises for the activity outcomes):
#:
#: * all offences (0.05 / 3): 38 / 38 / 36 / 38 / 44 % → synthetic DiD (tie);
#: * property theft (0.05 / 2): 42 / 39 / 46 / 47 / 43 % → synthetic DiD;
#: * violence (0.05 / 2): 39 / 34 / 33 / 35 / 43 % → synthetic DiD (tie);
#: * drugs (0.05 / 3): +183 / +230 / +161 / +217 / +502 % → augmented SC;
#: * public order (0.05 / 3): +158 / +123 / +141 / +128 / +831 % → synthetic DiD.
#:
#: ``tests/test_calibration.py`` checks the choice against a fresh calibration.
#: Groups not listed use :data:`DEFAULT_PRIMARY`.
PRIMARY_DESIGN: dict[str, str] = {
    "total": "sdid",
    "property_theft": "sdid",
    "violence": "sdid",
    "drugs": "ascm",
    "public_order": "sdid",
}
#: Primary design of a group missing from :data:`PRIMARY_DESIGN`.
DEFAULT_PRIMARY = "sdid"

#: Verdict codes.
CODES: tuple[str, ...] = (
    "decrease",
    "increase",
    "weak_decrease",
    "weak_increase",
    "conflicting",
    "inconclusive",
)

#: Verdict codes in words, by language.
COMBINED_LABELS: dict[str, dict[str, str]] = {
    "nb": {
        "decrease": "samstemt nedgang",
        "increase": "samstemt økning",
        "weak_decrease": "svak indikasjon på nedgang",
        "weak_increase": "svak indikasjon på økning",
        "conflicting": "motstridende",
        "inconclusive": "uavklart",
    },
    "en": {
        "decrease": "consistent decrease",
        "increase": "consistent increase",
        "weak_decrease": "weak indication of a decrease",
        "weak_increase": "weak indication of an increase",
        "conflicting": "conflicting",
        "inconclusive": "inconclusive",
    },
}


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values (NaN entries stay NaN).

    Parameters
    ----------
    p_values : sequence of float
        Unadjusted p-values of one family.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same order; ``m`` counts the finite entries.

    Notes
    -----
    With the finite p-values sorted :math:`p_{(1)} \\le \\dots \\le p_{(m)}`,
    :math:`\\tilde p_{(k)} = \\min\\{1, \\max_{l \\le k} (m - l + 1) p_{(l)}\\}`.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2), 65–70.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if not ok.any():
        return out
    q = p[ok]
    order = np.argsort(q, kind="stable")
    m = len(q)
    adj = np.maximum.accumulate((m - np.arange(m)) * q[order])
    res = np.empty_like(q)
    res[order] = np.minimum(adj, 1.0)
    out[ok] = res
    return out


def family_of(outcome: str, families: Mapping[str, Sequence[str]] | None = None) -> str:
    """Family of an outcome: a key of *families* (default :data:`FAMILIES`) or ``"exploratory"``.

    Examples
    --------
    >>> family_of("violence"), family_of("drugs"), family_of("traffic")
    ('primary', 'secondary', 'exploratory')
    """
    for name, members in (FAMILIES if families is None else families).items():
        if outcome in members:
            return name
    return "exploratory"


def reachable(n_comparison: int, alpha: float = ALPHA) -> bool:
    """Whether a placebo p-value over *n_comparison* units can reach *alpha*.

    The smallest placebo p-value is ``1 / (n_comparison + 1)``.

    Examples
    --------
    >>> reachable(19), reachable(18), reachable(40, 0.05 / 3), reachable(60, 0.05 / 3)
    (True, False, False, True)
    """
    return n_comparison >= 1 and 1.0 / (n_comparison + 1) <= alpha + 1e-12


@dataclass(frozen=True)
class Evidence:
    """What one design says about one outcome, as the rule reads it.

    Attributes
    ----------
    design : str
        Design key.
    estimate : float
        Signed effect on a scale where 0 is no effect (e.g. a log rate ratio);
        only its sign is used.
    p_value : float
        Two-sided p-value (NaN when the design could not run).
    counts : bool
        Whether the design may enter the verdict (calibrated, level reachable).
    p_kind : str
        What the p-value is: ``placebo``, ``permutation``, ``randomization``,
        ``model``.
    why_not : str
        Why it does not count (empty when it counts).
    """

    design: str
    estimate: float
    p_value: float
    counts: bool = True
    p_kind: str = "placebo"
    why_not: str = ""

    @property
    def sign(self) -> int:
        """``-1``, ``0`` or ``1`` (0 for a missing or zero estimate)."""
        if not math.isfinite(self.estimate) or self.estimate == 0:
            return 0
        return 1 if self.estimate > 0 else -1

    def significant(self, alpha: float = ALPHA) -> bool:
        """Counts and has ``p_value <= alpha``."""
        return self.counts and math.isfinite(self.p_value) and self.p_value <= alpha + 1e-12


@dataclass(frozen=True)
class RuleOutcome:
    """The rule applied to one outcome.

    Attributes
    ----------
    outcome : str
        Outcome (offence group or indicator).
    code : str
        Verdict code (:data:`CODES`).
    family : str
        Outcome family.
    family_size : int
        Outcomes in the family with a finite primary p-value (Holm's *m*).
    primary : str
        Primary design key.
    p_primary, p_adjusted : float
        The primary design's p-value, before and after Holm.
    agreeing, opposing : tuple of str
        Other counting designs significant at :data:`ALPHA` in the same /
        opposite direction.
    """

    outcome: str
    code: str
    family: str
    family_size: int
    primary: str
    p_primary: float
    p_adjusted: float
    agreeing: tuple[str, ...] = ()
    opposing: tuple[str, ...] = ()


def decide(
    primary: Evidence | None,
    p_adjusted: float,
    supporting: Sequence[Evidence] = (),
    *,
    alpha: float = ALPHA,
) -> str:
    """The verdict code of one outcome (see the module notes).

    Parameters
    ----------
    primary : Evidence or None
        The primary design's evidence (None: it could not run).
    p_adjusted : float
        Its family-wise (Holm) adjusted p-value.
    supporting : sequence of Evidence
        The other designs; only those that count are read.
    alpha : float
        Level.

    Returns
    -------
    str
        One of :data:`CODES`.

    Examples
    --------
    >>> sc = Evidence("synth", -0.2, 0.01)
    >>> decide(sc, 0.02), decide(sc, 0.02, [Evidence("did", -0.1, 0.03)])
    ('weak_decrease', 'decrease')
    >>> decide(sc, 0.02, [Evidence("did", 0.1, 0.03)]), decide(sc, 0.06)
    ('conflicting', 'inconclusive')
    >>> decide(sc, 0.02, [Evidence("did", -0.3, 0.001, counts=False)])
    'weak_decrease'
    """
    if primary is None or not primary.counts or primary.sign == 0:
        return "inconclusive"
    if not (math.isfinite(p_adjusted) and p_adjusted <= alpha + 1e-12):
        return "inconclusive"
    direction = "decrease" if primary.sign < 0 else "increase"
    others = [e for e in supporting if e.design != primary.design and e.significant(alpha)]
    if any(e.sign == -primary.sign for e in others):
        return "conflicting"
    if any(e.sign == primary.sign for e in others):
        return direction
    return f"weak_{direction}"


def apply_rule(
    evidence: Mapping[str, Sequence[Evidence]],
    *,
    primary_design: Mapping[str, str] | None = None,
    families: Mapping[str, Sequence[str]] | None = None,
    alpha: float = ALPHA,
) -> dict[str, RuleOutcome]:
    """Apply the decision rule to a set of outcomes assessed together.

    Parameters
    ----------
    evidence : mapping
        Outcome → the designs' :class:`Evidence`.
    primary_design : mapping, optional
        Outcome → primary design key (default :data:`PRIMARY_DESIGN`, then
        :data:`DEFAULT_PRIMARY`).
    families : mapping, optional
        Family → outcomes (default :data:`FAMILIES`); other outcomes are
        ``exploratory``.
    alpha : float
        Level of the tests and of the family-wise error rate.

    Returns
    -------
    dict
        Outcome → :class:`RuleOutcome`.

    Examples
    --------
    >>> ev = {"property_theft": [Evidence("sdid", -0.3, 0.02)],
    ...       "violence": [Evidence("sdid", 0.1, 0.5)]}
    >>> out = apply_rule(ev)
    >>> out["property_theft"].p_adjusted, out["property_theft"].code
    (0.04, 'weak_decrease')
    """
    designs = PRIMARY_DESIGN if primary_design is None else primary_design
    primaries: dict[str, Evidence | None] = {}
    for outcome, items in evidence.items():
        key = designs.get(outcome, DEFAULT_PRIMARY)
        found = [e for e in items if e.design == key]
        primaries[outcome] = found[0] if found else None
    by_family: dict[str, list[str]] = {}
    for outcome in evidence:
        by_family.setdefault(family_of(outcome, families), []).append(outcome)
    out: dict[str, RuleOutcome] = {}
    for family, members in by_family.items():
        raw = [
            primaries[o].p_value if primaries[o] is not None and primaries[o].counts else math.nan  # type: ignore[union-attr]
            for o in members
        ]
        adjusted = holm(raw)
        m = int(np.isfinite(np.asarray(raw, dtype=float)).sum())
        for outcome, p, q in zip(members, raw, adjusted, strict=True):
            prim = primaries[outcome]
            code = decide(prim, float(q), evidence[outcome], alpha=alpha)
            others = [
                e
                for e in evidence[outcome]
                if prim is not None and e.design != prim.design and e.significant(alpha)
            ]
            sign = prim.sign if prim is not None else 0
            out[outcome] = RuleOutcome(
                outcome=outcome,
                code=code,
                family=family,
                family_size=m,
                primary=designs.get(outcome, DEFAULT_PRIMARY),
                p_primary=float(p),
                p_adjusted=float(q),
                agreeing=tuple(e.design for e in others if sign and e.sign == sign),
                opposing=tuple(e.design for e in others if sign and e.sign == -sign),
            )
    return out
