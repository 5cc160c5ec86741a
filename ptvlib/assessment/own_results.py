"""The verdict of the bydel designs: one code per indicator × offence group, under a declared rule.

The rule (:data:`OWN_RULE`, shown in the report):

1. **Gate** — randomization inference over treated-area assignments (``ri``):
   its two-sided p-value, Holm-adjusted over every series analysed from the
   file (one family: every indicator × offence group), must be at most
   ``alpha`` (0.05). With too few assignments for ``alpha`` to be attainable
   no series can pass, and the verdict says so.
2. **Support** — synthetic control tested over the same assignments
   (``sc``): a series that passes the gate is a *consistent* ``decrease`` /
   ``increase`` when the synthetic control points the same way with its own
   p ≤ ``alpha``; ``conflicting`` when it points the other way with p ≤
   ``alpha``; otherwise ``weak_decrease`` / ``weak_increase`` (only the gate
   sees it).
3. Everything else is ``inconclusive``. Staggered adoption (Callaway &
   Sant'Anna), synthetic DiD, Poisson DiD with cluster-robust errors, the
   interrupted time series and the spillover analysis are shown with the
   reason they do not count.

This is the project's one decision rule (:mod:`ptvlib.assessment.verdicts`)
with the bydel designs: every series is one outcome in a single family, the
primary design is ``ri``, and :func:`~ptvlib.assessment.verdicts.apply_rule`
adjusts with Holm and decides with
:func:`~ptvlib.assessment.verdicts.decide`; the codes and their words are
those of the municipal outcomes
(:data:`ptvlib.assessment.verdicts.COMBINED_LABELS`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ptvlib.assessment.own_designs import DESIGN_KEYS, P_KIND, DesignRun
from ptvlib.assessment.schedule import Schedule
from ptvlib.assessment.verdicts import COMBINED_LABELS, Evidence, decide
from ptvlib.basics.config import OFFENCE_GROUP_LABELS, OWN_INDICATOR_LABELS, OWN_UNIT_LABELS
from ptvlib.basics.literals import Lang, check_literal
from ptvlib.basics.style import SYNTHETIC_LABEL

__all__ = [
    "ENFORCEMENT_INDICATORS",
    "OWN_RULE",
    "OwnAssessment",
    "OwnReport",
    "area_name",
    "combine_own",
    "evidence",
    "series_name",
]

#: The declared decision rule of the bydel designs, by language.
OWN_RULE: dict[str, str] = {
    "nb": (
        "Avgjørende design er randomiseringsinferens over hvilke områder som fikk midlene "
        "(forskjell-i-forskjeller på årlige lograter, alle tildelinger av samme startplan): "
        "p-verdien Holm-justeres over alle indikatorer og lovbruddsgrupper i filen og må være "
        "høyst 0,05. Syntetisk kontroll testet over de samme tildelingene støtter: samme retning "
        "med p ≤ 0,05 gir «samstemt», motsatt retning med p ≤ 0,05 gir «motstridende», ellers "
        "«svak indikasjon». Alt annet er «uavklart». Forskjøvet start (Callaway & Sant'Anna), "
        "syntetisk DiD, Poisson-DiD med klyngerobuste feil, avbrutt tidsserie og smitteeffekt "
        "vises, men teller ikke."
    ),
    "en": (
        "The deciding design is randomization inference over which areas got the money "
        "(difference-in-differences on yearly log rates, every assignment of the same start "
        "schedule): its p-value is Holm-adjusted over every indicator and offence group in the "
        "file and must be at most 0.05. Synthetic control tested over the same assignments "
        "supports: the same direction with p ≤ 0.05 makes it 'consistent', the opposite direction "
        "with p ≤ 0.05 'conflicting', otherwise 'weak indication'. Everything else is "
        "'inconclusive'. Staggered adoption (Callaway & Sant'Anna), synthetic DiD, Poisson DiD "
        "with cluster-robust errors, the interrupted time series and spillover are shown but do "
        "not count."
    ),
}

#: Own-data indicators that measure enforcement (the claim's straffesaker, beslag and
#: inndragninger), shown with their verdicts on the enforcement page as well.
ENFORCEMENT_INDICATORS: tuple[str, ...] = (
    "cases",
    "prosecutions",
    "seizures",
    "confiscations",
    "confiscated_nok",
)

#: Design names by language.
DESIGN_NAMES: dict[str, dict[str, str]] = {
    "nb": {
        "ri": "Randomiseringsinferens (DiD, områder)",
        "sc": "Syntetisk kontroll (områder)",
        "staggered": "Forskjøvet start (Callaway & Sant'Anna)",
        "sdid": "Syntetisk DiD per startår",
        "did_cr1": "Poisson-DiD, klyngerobuste feil",
        "its": "Avbrutt tidsserie (behandlede områder)",
        "spillover": "Smitteeffekt (bufferområder)",
        "combined": "Samlet vurdering",
    },
    "en": {
        "ri": "Randomization inference (DiD, areas)",
        "sc": "Synthetic control (areas)",
        "staggered": "Staggered adoption (Callaway & Sant'Anna)",
        "sdid": "Synthetic DiD by start year",
        "did_cr1": "Poisson DiD, cluster-robust errors",
        "its": "Interrupted time series (treated areas)",
        "spillover": "Spillover (buffer areas)",
        "combined": "Combined verdict",
    },
}

_WHY_NOT: dict[str, dict[str, str]] = {
    "nb": {
        "cluster_robust": "klyngerobuste feil med {k} behandlede klynger av {g}: altfor små "
        "standardfeil",
        "single_series": "én serie: en endring i hele byen leses som effekt; ikke kalibrert",
        "unit_clustered": "enhetsklyngede feil med {k} behandlede områder: altfor små standardfeil",
        "sdid_placebo": "placebo over {d} sammenligningsområder per startår: ikke kalibrert over "
        "tildelinger, og p kan ikke nå 0,05",
        "spillover": "eget spørsmål: smitte til naboområder",
        "alpha_unreachable": "for få tildelinger: minste mulige p er over 0,05",
        "level_scale": "syntetisk kontroll brukes bare på lograter",
        "failed": "kunne ikke kjøres: {error}",
    },
    "en": {
        "cluster_robust": "cluster-robust errors with {k} treated clusters of {g}: standard errors "
        "far too small",
        "single_series": "a single series: a city-wide change reads as an effect; not calibrated",
        "unit_clustered": "unit-clustered errors with {k} treated areas: standard errors far too "
        "small",
        "sdid_placebo": "placebo over {d} comparison areas per start year: not calibrated over "
        "assignments, and p cannot reach 0.05",
        "spillover": "a separate question: spillover to neighbouring areas",
        "alpha_unreachable": "too few assignments: the smallest attainable p is above 0.05",
        "level_scale": "synthetic control is used on log rates only",
        "failed": "could not run: {error}",
    },
}


#: Why a series is not analysed, by language (``detail`` fills the blank).
NOT_ANALYSED: dict[str, dict[str, str]] = {
    "nb": {
        "unit": "enheten {detail!r} har ikke noe design",
        "two_year": "toårige perioder: bydelsdesignene trenger års- eller månedsrader",
        "no_rows": "ingen rader til og med {detail}",
        "no_complete_year": "ikke noe fullstendig år",
        "no_treated": "ingen behandlede områder i denne serien",
        "design": "randomiseringsinferensen kunne ikke kjøres: {detail}",
    },
    "en": {
        "unit": "unit {detail!r} has no design",
        "two_year": "two-year periods: the bydel designs need yearly or monthly rows",
        "no_rows": "no rows up to {detail}",
        "no_complete_year": "no complete year",
        "no_treated": "no treated area in this series",
        "design": "randomization inference could not run: {detail}",
    },
}


def series_name(
    indicator: str, offence_group: str, unit: str, lang: Lang = "nb", *, synthetic: bool = False
) -> str:
    """A series of the own data as a reader reads it: ``Indicator – offence group (unit)``.

    Indicators and offence groups the product knows are named in *lang*
    (:data:`~ptvlib.basics.config.OWN_INDICATOR_LABELS`,
    :data:`~ptvlib.basics.config.OFFENCE_GROUP_LABELS`); others are shown as
    the file gives them (the page escapes them). Synthetic data carry the
    label ``SYNTETISKE DATA / SYNTHETIC DATA``.

    Examples
    --------
    >>> series_name("cases", "violence", "count")
    'Straffesaker – vold og mishandling'
    >>> series_name("seizures", "total", "count", "en", synthetic=True)
    'Seizures – all groups of offences [SYNTETISKE DATA / SYNTHETIC DATA]'
    >>> series_name("arrests", "gang_crime", "per_1000", "en")
    'arrests – gang_crime (per 1,000 residents)'
    """
    check_literal("lang", lang, Lang)
    name = OWN_INDICATOR_LABELS[lang].get(indicator, indicator)
    known = OFFENCE_GROUP_LABELS[lang].get(offence_group)
    group = known[:1].lower() + known[1:] if known else offence_group
    text = f"{name} – {group}"
    if unit != "count":
        text += f" ({OWN_UNIT_LABELS[lang].get(unit, unit)})"
    return f"{text} [{SYNTHETIC_LABEL}]" if synthetic else text


def area_name(code: str) -> str:
    """An own-data area by name: a bydel's name (``030116`` → ``Sentrum``), else the code as given.

    Examples
    --------
    >>> area_name("030116"), area_name("holmlia")
    ('Sentrum', 'holmlia')
    """
    from ptvlib.basics.exceptions import UnknownRegionError
    from ptvlib.data.regions import region_name

    try:
        return region_name(code)
    except UnknownRegionError:
        return code


def _reason(entry: dict[str, Any], lang: Lang) -> str:
    code = entry.get("code")
    if code in NOT_ANALYSED[lang]:
        return NOT_ANALYSED[lang][code].format(detail=entry.get("detail", ""))
    return str(entry.get("reason", ""))


def evidence(run: DesignRun) -> Evidence:
    """The rule's view of one design run (:class:`ptvlib.assessment.verdicts.Evidence`).

    The estimate is signed on a scale where 0 is no effect (log rate ratio or
    difference); a design that could not run has no p-value and does not count.
    """
    null = 1.0 if run.scale == "ratio" else 0.0
    est = run.estimate
    if run.scale == "ratio":
        signed = math.log(est) if math.isfinite(est) and est > 0 else math.nan
    else:
        signed = est - null
    return Evidence(
        design=run.key,
        estimate=signed,
        p_value=run.p_value if not run.error else math.nan,
        counts=run.counts and not run.error,
        p_kind=run.p_kind,
        why_not=run.why_not,
    )


def combine_own(ri: DesignRun | None, sc: DesignRun | None, p_holm: float, alpha: float) -> str:
    """The verdict code of one series under :data:`OWN_RULE` (:func:`~ptvlib.assessment.verdicts.decide`).

    Examples
    --------
    >>> from ptvlib.assessment.own_designs import DesignRun
    >>> ri = DesignRun("ri", None, estimate=0.85, p_value=0.004)
    >>> sc = DesignRun("sc", None, estimate=0.9, p_value=0.03)
    >>> combine_own(ri, sc, 0.02, 0.05), combine_own(ri, None, 0.02, 0.05)
    ('decrease', 'weak_decrease')
    >>> combine_own(ri, sc, 0.06, 0.05)
    'inconclusive'
    """
    primary = evidence(ri) if ri is not None else None
    supporting = [evidence(sc)] if sc is not None else []
    return decide(primary, p_holm, supporting, alpha=alpha)


#: What a p-value is, in words (the pages' ``p_kind`` labels; this layer has no catalogue).
_P_WORDS: dict[str, dict[str, str]] = {
    "nb": {"randomization": "randomiserings-p", "model": "modell-p", "placebo": "placebo-p"},
    "en": {"randomization": "randomization p", "model": "model p", "placebo": "placebo p"},
}


def _p_text(key: str, p: float, lang: Lang) -> str:
    """A design's p-value with its kind: ``randomiserings-p = 0,03``, ``modell-p < 0,001``."""
    from ptvlib.basics import numbers

    value = numbers.p_value(p, lang, prefix=False)
    kind = _P_WORDS[lang][P_KIND.get(key, "model")]
    return f"{kind} {value}" if value.startswith("<") else f"{kind} = {value}"


def _fmt_estimate(run: DesignRun, lang: Lang) -> str:
    from ptvlib.basics import numbers as fmt

    if run.scale == "ratio":
        return (
            f"{fmt.percent_change(run.estimate, lang, decimals=1)} "
            f"({'rateforhold' if lang == 'nb' else 'rate ratio'} {fmt.number(run.estimate, lang)}; "
            f"95 %-intervall {fmt.interval(*run.ci, lang, decimals=2)})"
            if lang == "nb"
            else f"{fmt.percent_change(run.estimate, lang, decimals=1)} "
            f"(rate ratio {fmt.number(run.estimate, lang)}; "
            f"95% interval {fmt.interval(*run.ci, lang, decimals=2)})"
        )
    word = "95 %-intervall" if lang == "nb" else "95% interval"
    return f"{fmt.number(run.estimate, lang, signed=True)} ({word} {fmt.interval(*run.ci, lang)})"


@dataclass(frozen=True, eq=False)
class OwnAssessment:
    """The bydel designs and their verdict for one indicator × offence group.

    Attributes
    ----------
    indicator, offence_group, unit : str
        The series.
    designs : dict
        Design key → :class:`~ptvlib.assessment.own_designs.DesignRun`.
    p_holm : float
        The gate's Holm-adjusted p-value (NaN when the gate did not run).
    family_size : int
        Series in the Holm family.
    alpha : float
        Level of the rule.
    combined : str
        Verdict code (:func:`combine_own`).
    excluded : dict
        Areas left out of this series, with the reason (English).
    notes : tuple of str
        Notes from building the series (English).
    synthetic : bool
        The data are synthetic (demo).
    """

    indicator: str
    offence_group: str
    unit: str
    designs: dict[str, DesignRun] = field(repr=False)
    p_holm: float
    family_size: int
    alpha: float
    combined: str
    excluded: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    synthetic: bool = False
    series: Any = field(default=None, repr=False)

    def excluded_text(self, lang: Lang = "nb") -> dict[str, str]:
        """Areas left out of this series, with the reason in *lang*."""
        if self.series is None:
            return dict(self.excluded)
        return dict(self.series.excluded_text(lang))

    def notes_text(self, lang: Lang = "nb") -> list[str]:
        """Notes from building the series, in *lang*."""
        return list(self.series.notes_text(lang)) if self.series is not None else list(self.notes)

    def name(self, lang: Lang = "nb") -> str:
        """The series in words in *lang* (:func:`series_name`; the synthetic label when synthetic)."""
        return series_name(
            self.indicator, self.offence_group, self.unit, lang, synthetic=self.synthetic
        )

    @property
    def label(self) -> str:
        """The series in words in bokmål (:meth:`name`)."""
        return self.name("nb")

    @property
    def results(self) -> dict[str, Any]:
        """Design key → the estimator's result, for the designs that ran and can plot."""
        return {
            k: r.result
            for k, r in self.designs.items()
            if not r.error and r.result is not None and hasattr(r.result, "plot")
        }

    @property
    def errors(self) -> dict[str, str]:
        """Design key → why it could not run."""
        return {k: r.error for k, r in self.designs.items() if r.error}

    @property
    def treated(self) -> tuple[str, ...]:
        """Treated areas of the gate (empty when it did not run)."""
        ri = self.designs.get("ri")
        return tuple(ri.result.treated) if ri is not None and ri.result is not None else ()

    def why_not(self, key: str, lang: Lang = "nb") -> str:
        """Why design *key* does not count, in *lang* ("" when it counts)."""
        run = self.designs[key]
        words = _WHY_NOT[lang]
        if run.error:
            return words["failed"].format(error=run.error)
        if run.counts:
            return ""
        if run.why_not == "cluster_robust" and run.result is not None:
            return words["cluster_robust"].format(
                k=run.result.n_treated_clusters, g=run.result.n_clusters
            )
        if run.why_not == "unit_clustered" and run.result is not None:
            return words["unit_clustered"].format(k=run.result.n_treated)
        if run.why_not == "sdid_placebo":
            ri = self.designs.get("ri")
            d = len(ri.result.units) - len(ri.result.treated) if ri and ri.result else "?"
            return words["sdid_placebo"].format(d=d)
        return words.get(run.why_not, run.why_not)

    def verdict(self, lang: Lang = "nb") -> str:
        """The verdict in words: code, gate, support, power, and what is shown but does not count."""
        from ptvlib.basics import numbers as fmt

        check_literal("lang", lang, Lang)
        nb = lang == "nb"
        parts = [f"{self.name(lang)}: {COMBINED_LABELS[lang][self.combined]}."]
        ri = self.designs.get("ri")
        if ri is None or ri.error:
            err = ri.error if ri is not None else ""
            parts.append(
                f"Randomiseringsinferensen kunne ikke kjøres ({err})."
                if nb
                else f"Randomization inference could not run ({err})."
            )
        else:
            r = ri.result
            holm_nb = (
                f"Holm-justert over {self.family_size} serier: {fmt.p_value(self.p_holm, lang)}; "
                if math.isfinite(self.p_holm)
                else ""
            )
            holm_en = (
                f"Holm-adjusted over {self.family_size} series: {fmt.p_value(self.p_holm, lang)}; "
                if math.isfinite(self.p_holm)
                else ""
            )
            parts.append(
                (
                    f"Randomiseringsinferens: {_fmt_estimate(ri, lang)}, "
                    f"{_p_text('ri', ri.p_value, lang)} ({holm_nb}"
                    f"{fmt.integer(r.n_assignments, lang)} tildelinger, minste mulige p "
                    f"{fmt.number(r.min_p, lang, decimals=3)})."
                )
                if nb
                else (
                    f"Randomization inference: {_fmt_estimate(ri, lang)}, "
                    f"{_p_text('ri', ri.p_value, lang)} ({holm_en}"
                    f"{fmt.integer(r.n_assignments, lang)} assignments, smallest attainable p "
                    f"{fmt.number(r.min_p, lang, decimals=3)})."
                )
            )
            if not r.alpha_reachable:
                parts.append(self.why_not("ri", lang).capitalize() + ".")
            if math.isfinite(ri.mde):
                size = fmt.percent(ri.mde, lang, decimals=0)
                parts.append(
                    f"Effekter mindre enn om lag {size} kan ikke skilles fra støy (80 % styrke)."
                    if nb
                    else f"Effects smaller than about {size} cannot be told from noise (80% power)."
                )
        sc = self.designs.get("sc")
        if sc is not None and not sc.error and sc.counts:
            parts.append(
                f"Syntetisk kontroll: {_fmt_estimate(sc, lang)}, {_p_text('sc', sc.p_value, lang)}."
                if nb
                else f"Synthetic control: {_fmt_estimate(sc, lang)}, {_p_text('sc', sc.p_value, lang)}."
            )
        elif sc is not None:
            parts.append(
                f"Syntetisk kontroll teller ikke: {self.why_not('sc', lang)}."
                if nb
                else f"Synthetic control does not count: {self.why_not('sc', lang)}."
            )
        shown = [k for k in DESIGN_KEYS[2:] if k in self.designs]
        for key in shown:
            run = self.designs[key]
            name = DESIGN_NAMES[lang][key]
            head = "vises, teller ikke" if nb else "shown, does not count"
            if run.error:
                parts.append(f"{name} ({head}): {self.why_not(key, lang)}.")
            else:
                parts.append(
                    f"{name} ({head}: {self.why_not(key, lang)}): {_fmt_estimate(run, lang)}, "
                    f"{_p_text(key, run.p_value, lang)}."
                )
        if self.excluded:
            names = "; ".join(f"{area_name(a)}: {r}" for a, r in self.excluded_text(lang).items())
            parts.append(f"Utelatt: {names}." if nb else f"Left out: {names}.")
        return " ".join(parts)

    def table(self, lang: Lang = "nb") -> pd.DataFrame:
        """One row per design: estimate, interval, p-value, what it is, whether it counts and why not."""
        check_literal("lang", lang, Lang)
        rows = []
        for key in DESIGN_KEYS:
            if key not in self.designs:
                continue
            run = self.designs[key]
            rows.append(
                {
                    "design": DESIGN_NAMES[lang][key],
                    "design_key": key,
                    "estimate": run.estimate,
                    "ci_low": run.ci[0],
                    "ci_high": run.ci[1],
                    "p_value": run.p_value,
                    "p_holm": self.p_holm if key == "ri" else math.nan,
                    "p_kind": run.p_kind,
                    "scale": run.scale,
                    "mde": run.mde,
                    "counts": run.counts and not run.error,
                    "why_not": self.why_not(key, lang),
                }
            )
        return pd.DataFrame(rows)

    def headlines(self, lang: Lang = "nb") -> list[dict[str, Any]]:
        """Sidecar rows: one per design plus the combined verdict (the report contract)."""
        base = {
            "outcome": self.name(lang),
            "indicator": self.indicator,
            "offence_group": self.offence_group,
            "unit": self.unit,
        }
        rows = []
        for r in self.table(lang).to_dict("records"):
            run = self.designs[r["design_key"]]
            extra: dict[str, Any] = {}
            if r["design_key"] in ("ri", "spillover") and run.result is not None:
                extra = {
                    "n_assignments": run.result.n_assignments,
                    "min_p": run.result.min_p,
                    "enumerated": run.result.enumerated,
                }
            rows.append(
                base
                | {
                    "design": r["design"],
                    "design_key": f"own_{r['design_key']}",
                    "estimate": r["estimate"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "p_value": r["p_value"],
                    "scale": r["scale"],
                    "p_kind": r["p_kind"],
                    "counts": bool(r["counts"]),
                    "why_not": r["why_not"],
                    "mde": r["mde"],
                    "verdict": run.direction if not run.error else "inconclusive",
                }
                | ({"p_holm": self.p_holm} if r["design_key"] == "ri" else {})
                | extra
            )
        ri = self.designs.get("ri")
        rows.append(
            base
            | {
                "design": DESIGN_NAMES[lang]["combined"],
                "design_key": "combined",
                "estimate": ri.estimate if ri is not None else math.nan,
                "ci_low": ri.ci[0] if ri is not None else math.nan,
                "ci_high": ri.ci[1] if ri is not None else math.nan,
                "p_value": self.p_holm,
                "scale": ri.scale if ri is not None else "ratio",
                "p_kind": "holm",
                "mde": ri.mde if ri is not None else math.nan,
                "counts": True,
                "why_not": "",
                "verdict": self.combined,
                "text": self.verdict(lang),
            }
        )
        return rows


@dataclass(frozen=True, eq=False)
class OwnReport:
    """Every series of an own-data file, their verdicts, and what was not analysed.

    Attributes
    ----------
    assessments : list of OwnAssessment
        One per analysed indicator × offence group (in file order).
    not_analysed : list of dict
        ``indicator, offence_group, unit, reason`` of each series not analysed.
    schedule : Schedule
        The treatment schedule used (with its sources and open questions).
    alpha : float
        Level of the rule.
    synthetic : bool
        The data are synthetic (demo).
    """

    assessments: list[OwnAssessment]
    not_analysed: list[dict[str, Any]]
    schedule: Schedule
    alpha: float = 0.05
    synthetic: bool = False

    def __iter__(self) -> Iterator[OwnAssessment]:
        return iter(self.assessments)

    def __len__(self) -> int:
        return len(self.assessments)

    def rule(self, lang: Lang = "nb") -> str:
        """The declared decision rule in *lang*."""
        check_literal("lang", lang, Lang)
        return OWN_RULE[lang]

    def verdicts(self) -> dict[str, str]:
        """``indicator/offence_group`` → verdict code."""
        return {f"{a.indicator}/{a.offence_group}": a.combined for a in self.assessments}

    def summary(self, lang: Lang = "nb") -> pd.DataFrame:
        """One row per series: verdict, the gate's estimate, interval, p, Holm p, MDE, SC p."""
        check_literal("lang", lang, Lang)
        rows = []
        for a in self.assessments:
            ri, sc = a.designs.get("ri"), a.designs.get("sc")
            rows.append(
                {
                    "indicator": a.indicator,
                    "offence_group": a.offence_group,
                    "unit": a.unit,
                    "verdict": COMBINED_LABELS[lang][a.combined],
                    "code": a.combined,
                    "estimate": ri.estimate if ri else math.nan,
                    "ci_low": ri.ci[0] if ri else math.nan,
                    "ci_high": ri.ci[1] if ri else math.nan,
                    "p_value": ri.p_value if ri else math.nan,
                    "p_holm": a.p_holm,
                    "mde": ri.mde if ri else math.nan,
                    "sc_estimate": sc.estimate if sc else math.nan,
                    "sc_p_value": sc.p_value if sc else math.nan,
                }
            )
        return pd.DataFrame(rows)

    def not_analysed_table(self, lang: Lang = "nb") -> pd.DataFrame:
        """Series not analysed, with the reason in *lang* (empty frame with the columns when none)."""
        check_literal("lang", lang, Lang)
        groups = OFFENCE_GROUP_LABELS[lang]
        rows = [
            {
                "indicator": OWN_INDICATOR_LABELS[lang].get(s["indicator"], s["indicator"]),
                "offence_group": groups.get(s["offence_group"], s["offence_group"]),
                "unit": OWN_UNIT_LABELS[lang].get(s["unit"], s["unit"]),
                "reason": _reason(s, lang),
            }
            for s in self.not_analysed
        ]
        return pd.DataFrame(rows, columns=["indicator", "offence_group", "unit", "reason"])

    def headlines(self, lang: Lang = "nb") -> list[dict[str, Any]]:
        """Every assessment's sidecar rows, then one row per series not analysed."""
        rows = [h for a in self.assessments for h in a.headlines(lang)]
        for s in self.not_analysed:
            rows.append(
                {
                    "outcome": series_name(
                        s["indicator"],
                        s["offence_group"],
                        s.get("unit", "count"),
                        lang,
                        synthetic=self.synthetic,
                    ),
                    "indicator": s["indicator"],
                    "offence_group": s["offence_group"],
                    "design": "ikke analysert" if lang == "nb" else "not analysed",
                    "design_key": "not_analysed",
                    "counts": False,
                    "why_not": _reason(s, lang),
                    "verdict": "",
                }
            )
        return rows
