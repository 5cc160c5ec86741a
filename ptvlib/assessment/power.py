"""Power: what the data could have detected, and whether the question is answerable with them.

Every calibrated design's **minimum detectable effect** (MDE) comes from its
own null distribution on the real panel: a relative effect is injected into
each untreated pool municipality in turn, the same placebo test is run with
that municipality as the treated one, and the MDE is the smallest effect
detected (80 % power) in at least 80 % of them, at level 0.05 and at the
family-wise (Holm) level the decision rule needs for a first rejection
(:meth:`~ptvlib.assessment.placebo.PlaceboTest.mde`).

:func:`choose_primary` applies the rule of
:data:`~ptvlib.assessment.verdicts.PRIMARY_DESIGN` to these numbers (never to
the treated unit's result), and :func:`answerability` sets the primary MDEs
beside the funding's share of Oslo police district's budget.

References
----------
Chalfin, A. & McCrary, J. (2018). Are U.S. cities underpoliced? Theory and
evidence. *Review of Economics and Statistics* 100(1), 167–186 (elasticities of
crime with respect to police numbers well below one in absolute value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ptvlib.assessment.group_tests import group_tests
from ptvlib.assessment.params import Params
from ptvlib.assessment.verdicts import ALPHA, FAMILIES, POWER, family_of
from ptvlib.basics.literals import Lang, check_literal

__all__ = [
    "PREFERENCE",
    "TIE",
    "Answerability",
    "answerability",
    "budget_share",
    "choose_primary",
    "family_alpha",
    "mde_table",
]

#: Order in which designs with (nearly) the same MDE are preferred: synthetic DiD
#: (built for a treated unit at the edge of its comparison units: unit intercept,
#: spread weights, time weights), the level-adjusted synthetic control (fits the
#: treated unit's own pre-period path), the augmented synthetic control (may
#: extrapolate with negative weights), the difference-in-differences (assumes
#: parallel trends), the single-series time series (extrapolates one unit's trend).
PREFERENCE: tuple[str, ...] = ("sdid", "synth", "ascm", "did", "its")
#: MDEs this close (absolute, as shares) count as equal when choosing the primary design.
TIE = 0.02


def family_alpha(group: str, groups: Sequence[str], alpha: float = ALPHA) -> float:
    """Holm level of a first rejection in *group*'s family: ``alpha / m`` over the assessed groups.

    Examples
    --------
    >>> family_alpha("violence", ["total", "violence", "property_theft", "drugs"])
    0.025
    """
    fam = family_of(group)
    m = sum(1 for g in groups if family_of(g) == fam)
    return alpha / max(m, 1)


def mde_table(params: Params, groups: Sequence[str] | None = None) -> pd.DataFrame:
    """MDE of every calibrated design for every group.

    Parameters
    ----------
    params : Params
        Validated parameters.
    groups : sequence of str, optional
        Offence groups (default ``params.offence_groups``); they also set
        each family's size for the family-wise level.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``design``, ``direction``, ``n`` (pool units), ``mde``
        (at 0.05), ``alpha_family``, ``mde_family`` (at the Holm level of a
        first rejection), ``estimate`` and ``p_value`` of the treated unit
        (shown, never used to choose).
    """
    chosen = list(params.offence_groups if groups is None else groups)
    rows = []
    for g in chosen:
        gt = group_tests(params, g)
        a_fam = family_alpha(g, chosen)
        for key, t in gt.tests.items():
            rows.append(
                {
                    "group": g,
                    "design": key,
                    "direction": gt.direction,
                    "n": t.n,
                    "mde": t.mde(ALPHA, POWER, gt.direction),
                    "alpha_family": a_fam,
                    "mde_family": t.mde(a_fam, POWER, gt.direction),
                    "estimate": t.effect,
                    "p_value": t.p_value,
                }
            )
    return pd.DataFrame(rows)


def choose_primary(table: pd.DataFrame, *, tie: float = TIE) -> dict[str, str]:
    """The primary design of each group from an :func:`mde_table`.

    The design with the smallest MDE at the family-wise level; designs within
    *tie* of it count as equal and :data:`PREFERENCE` decides among them.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["g", "g", "g"], "design": ["synth", "did", "its"],
    ...                   "mde_family": [0.33, 0.32, 0.25]})
    >>> choose_primary(t)
    {'g': 'its'}
    """
    out: dict[str, str] = {}
    for g, part in table.groupby("group", sort=False):
        best = float(part["mde_family"].min())
        near = set(part.loc[part["mde_family"] <= best + tie + 1e-12, "design"])
        out[str(g)] = next(d for d in PREFERENCE if d in near)
    return out


def budget_share(year: int, *, funding_data: str = "") -> tuple[float, float]:
    """The Oslo-specific police money as a share of Oslo police district's budget frame.

    The lowest and highest yearly amount from the start to *year*
    (:func:`~ptvlib.assessment.supplementary.funding_intensity`, ``stated``;
    from the analyst's own table when *funding_data* is given) over the
    district's budget frame of the last year before the money (the embedded
    ``police_resources`` table: 2 877 MNOK in 2017).

    Examples
    --------
    >>> [round(x, 4) for x in budget_share(2024)]
    [0.0104, 0.0184]
    """
    from ptvlib.assessment.supplementary import funding_intensity
    from ptvlib.data.loading import load

    money = funding_intensity(year, scenario="stated", funding_data=funding_data)
    money = money.loc[(money["mnok"] > 0) & money["mnok"].notna(), "mnok"]
    res = load("police_resources")
    frame = res.loc[
        (res["district"] == "Oslo")
        & (res["measure"] == "budsjettramme (disponeringsskriv)")
        & (res["unit"] == "MNOK")
    ].sort_values("year")
    budget = float(frame["value"].iloc[-1])
    return float(money.min()) / budget, float(money.max()) / budget


@dataclass(frozen=True)
class Answerability:
    """Whether the municipal data can answer the question.

    Attributes
    ----------
    mde : dict
        Primary outcome → the primary design's MDE (at 0.05, 80 % power).
    mde_family : dict
        The same at the family-wise level.
    funding_share : tuple of float
        Lowest and highest yearly money as a share of the budget frame.
    answerable : bool
        True when some primary MDE is at most the highest funding share — the
        effect if crime fell in proportion to the money, which is generous
        (published elasticities of crime to police numbers are well below
        one).
    """

    mde: dict[str, float]
    mde_family: dict[str, float] = field(default_factory=dict)
    funding_share: tuple[float, float] = (math.nan, math.nan)
    answerable: bool = False

    def sentence(self, lang: Lang = "nb", *, own_data: bool = False) -> str:
        """Two sentences for the report's opening: what could be detected, and the money's size.

        With *own_data* (the report also has bydel verdicts on the police's own
        figures) the last clause points to them instead of asking for them.
        """
        check_literal("lang", lang, Lang)
        from ptvlib.basics import config
        from ptvlib.basics import numbers as fmt

        labels = config.OFFENCE_GROUP_LABELS[lang]
        parts = [
            f"{fmt.percent(v, lang, decimals=0)} ({labels[g].lower()})" for g, v in self.mde.items()
        ]
        joined = (" eller " if lang == "nb" else " or ").join(parts)
        lo, hi = (fmt.percent(v, lang) for v in self.funding_share)
        if lang == "nb":
            head = (
                f"Med disse dataene må en nedgang være omtrent {joined} før metoden kan skille den "
                "fra støy (80\u00a0% styrke på 5\u00a0%-nivå). "
                f"Pengene var {lo}–{hi} av budsjettrammen til Oslo politidistrikt; "
            )
            tail = (
                "en virkning i takt med pengene ligger innenfor det dataene kan oppdage."
                if self.answerable
                else "selv om kriminaliteten falt i takt med pengene, ville virkningen være langt "
                "mindre enn det: kommunetallene kan ikke besvare spørsmålet"
                + (
                    "; svaret må komme fra politiets egne tall for bydelene."
                    if own_data
                    else ", det krever politiets egne tall for bydelene."
                )
            )
            return head + tail
        head = (
            f"With these data a fall would have to be about {joined} before the method could "
            "tell it from noise (80% power at the 5% level). "
            f"The money was {lo}–{hi} of Oslo police district's budget frame; "
        )
        tail = (
            "an effect in step with the money is within what the data can detect."
            if self.answerable
            else "even if crime fell in step with the money, the effect would be far smaller than "
            "that: the municipal figures cannot answer the question"
            + (
                "; the answer has to come from the police's own figures for the bydeler."
                if own_data
                else "; that needs the police's own figures for the bydeler (city districts)."
            )
        )
        return head + tail

    def sidecar(self, lang: Lang = "nb") -> dict[str, Any]:
        """The report's ``answerability`` record."""
        return {
            "sentence": self.sentence(lang),
            "sentence_own": self.sentence(lang, own_data=True),
            "mde": dict(self.mde),
            "mde_family": dict(self.mde_family),
            "funding_share_of_budget": list(self.funding_share),
            "answerable": self.answerable,
        }


def answerability(params: Params) -> Answerability:
    """The primary outcomes' primary-design MDEs beside the funding's share of the budget.

    Parameters
    ----------
    params : Params
        Validated parameters; the primary outcomes among ``offence_groups``
        are used (all primary outcomes when none is selected).
    """
    from ptvlib.assessment.verdicts import DEFAULT_PRIMARY, PRIMARY_DESIGN

    groups = [g for g in params.offence_groups if family_of(g) == "primary"] or list(
        FAMILIES["primary"]
    )
    mde, mde_fam = {}, {}
    for g in groups:
        gt = group_tests(params, g)
        t = gt.tests.get(PRIMARY_DESIGN.get(g, DEFAULT_PRIMARY))
        if t is None:
            continue
        mde[g] = t.mde(ALPHA, POWER, gt.direction)
        mde_fam[g] = t.mde(family_alpha(g, params.offence_groups), POWER, gt.direction)
    share = budget_share(params.year, funding_data=params.funding_data)
    ok = bool(mde) and min(mde.values()) <= share[1]
    return Answerability(mde=mde, mde_family=mde_fam, funding_share=share, answerable=ok)
