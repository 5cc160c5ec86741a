"""Verdict sentences of the municipal assessment, in bokmål and English.

Built from an :class:`~ptvlib.assessment.outcome_results.OutcomeAssessment`:
the verdict code in words, the primary design's estimate, confidence set and
p-value before and after the family-wise adjustment, the minimum detectable
effect when nothing is found, what the other counting designs say, and which
timing variants the verdict is robust to. Every number goes through
:mod:`ptvlib.basics.numbers`.
"""

from __future__ import annotations

import math
from typing import Any

from ptvlib.basics import config
from ptvlib.basics import numbers as fmt
from ptvlib.basics.literals import Lang

__all__ = [
    "DESIGN_NAMES",
    "P_KIND_WORDS",
    "WHY_NOT",
    "donor_sentence",
    "outcome_verdict",
    "pool_sentence",
    "why_not_text",
]

#: Design names inside a sentence (lower case), by language.
DESIGN_NAMES: dict[str, dict[str, str]] = {
    "nb": {
        "synth": "syntetisk kontroll",
        "sdid": "syntetisk forskjell-i-forskjeller",
        "ascm": "utvidet syntetisk kontroll",
        "did": "forskjell-i-forskjeller",
        "its": "avbrutt tidsserie",
        "did_poisson": "forskjell-i-forskjeller (Poisson)",
        "its_comparative": "avbrutt tidsserie mot resten av landet",
    },
    "en": {
        "synth": "synthetic control",
        "sdid": "synthetic difference-in-differences",
        "ascm": "augmented synthetic control",
        "did": "difference-in-differences",
        "its": "interrupted time series",
        "did_poisson": "difference-in-differences (Poisson)",
        "its_comparative": "interrupted time series against the rest of Norway",
    },
}

#: What a p-value is, in a sentence, by language.
P_KIND_WORDS: dict[str, dict[str, Any]] = {
    "nb": {"placebo": "placebo", "permutation": "permutasjons", "model": "modellbasert"},
    "en": {"placebo": "placebo", "permutation": "permutation", "model": "model-based"},
}

#: Why a design does not count, by language (``{n}``, ``{p}`` are filled in): the reason
#: only, in lower case without a final stop; the pages put "does not count:" before it.
WHY_NOT: dict[str, dict[str, str]] = {
    "nb": {
        "did_poisson": "klyngerobuste feil (CR1) med én behandlet enhet undervurderer "
        "usikkerheten; vist til sammenligning",
        "its_comparative": "modellbasert p (Newey–West) mot én kontrollserie; den kalibrerte "
        "tidsserien sammenligner allerede med hver kommune i utvalget",
        "unreachable": "med {n} sammenligningsenheter er minste mulige placebo-p {p}, over 0,05",
    },
    "en": {
        "did_poisson": "cluster-robust (CR1) errors with one treated unit understate the "
        "uncertainty; shown for comparison",
        "its_comparative": "model-based (Newey–West) p against one control series; the "
        "calibrated time series already compares with every pool municipality",
        "unreachable": "with {n} comparison units the smallest attainable placebo p is {p}, "
        "above 0.05",
    },
}

_WORDS: dict[str, dict[str, Any]] = {
    "nb": {
        "head": "{label}: {word} etter {start} ({family}).",
        "primary": "Hoveddesign: {design}, {est} (95\u00a0%-{kind}intervall {ci}; {p}; justert for "
        "{m} {family_pl} etter Holm {p_adj}).",
        "primary_one": "Hoveddesign: {design}, {est} (95\u00a0%-{kind}intervall {ci}; {p}).",
        "mde": {
            "decrease": "En nedgang mindre enn omtrent {mde} kunne ikke skilles fra støy "
            "(80\u00a0% styrke på 5\u00a0%-nivå{fam}).",
            "increase": "En økning mindre enn omtrent {mde} kunne ikke skilles fra støy "
            "(80\u00a0% styrke på 5\u00a0%-nivå{fam}).",
        },
        "mde_fam": "; {mde} på familienivået",
        "mde_inf": "Med disse dataene kunne ingen effektstørrelse oppdages med 80\u00a0% styrke.",
        "others": "Andre design som teller: {items}.",
        "item": "{design} {est} ({kind}-{p})",
        "agree": " {designs} peker samme vei på 5\u00a0%-nivå.",
        "oppose": " {designs} peker motsatt vei på 5\u00a0%-nivå.",
        "none_agree": " Ingen andre design når 5\u00a0%-nivå.",
        "robust": "Dommen er den samme med {items}.",
        "not_robust": "Dommen endres med {items}.",
        "outside": "{treated} ligger {where} hver kommune i utvalget i {k} av {n} perioder før "
        "start; en vanlig syntetisk kontroll når ikke det nivået, så den er tilpasset nivået, og "
        "syntetisk forskjell-i-forskjeller (enhetskonstant og tidsvekter) og utvidet syntetisk "
        "kontroll (ridge-korreksjon) vises ved siden av.",
        "where": {"above": "over", "below": "under"},
        "honest": "Forskjell-i-forskjeller (HonestDiD): hendelsesstudiens snitt etter start, målt "
        "mot siste periode før start og ikke mot hele perioden før som anslaget over, er {est}; "
        "for dette tallet gjelder: {sentence}. Det bygger på hendelsesstudiens modellbaserte "
        "intervall, som er for smalt med én behandlet enhet, og teller ikke i dommen.",
        "activity": "Dette er et aktivitetsutfall: flere anmeldelser kan bety mer politiarbeid, "
        "ikke mer kriminalitet.",
        "no_primary": "Hoveddesignet ({design}) kunne ikke kjøres: {why}",
        "unreachable": "Med {n} sammenligningsenheter kan en placebo-p ikke bli lavere enn {p}, "
        "så ingen design kan telle: dommen er uavklart uansett hva dataene viser.",
        "family_pl": {
            "primary": "primærutfall",
            "secondary": "sekundærutfall",
            "exploratory": "utforskende utfall",
        },
        "and": " og ",
    },
    "en": {
        "head": "{label}: {word} after {start} ({family}).",
        "primary": "Primary design: {design}, {est} (95% {kind} interval {ci}; {p}; Holm-adjusted "
        "over {m} {family_pl} {p_adj}).",
        "primary_one": "Primary design: {design}, {est} (95% {kind} interval {ci}; {p}).",
        "mde": {
            "decrease": "A fall smaller than about {mde} could not be told from noise (80% power "
            "at the 5% level{fam}).",
            "increase": "A rise smaller than about {mde} could not be told from noise (80% power "
            "at the 5% level{fam}).",
        },
        "mde_fam": "; {mde} at the family-wise level",
        "mde_inf": "With these data no effect size could be detected with 80% power.",
        "others": "Other designs that count: {items}.",
        "item": "{design} {est} ({kind} {p})",
        "agree": " {designs} point the same way at the 5% level.",
        "oppose": " {designs} point the other way at the 5% level.",
        "none_agree": " No other design reaches the 5% level.",
        "robust": "The verdict is the same with {items}.",
        "not_robust": "The verdict changes with {items}.",
        "outside": "{treated} lies {where} every pool municipality in {k} of {n} pre-periods; a "
        "plain synthetic control cannot reach that level, so it is level-adjusted, and synthetic "
        "difference-in-differences (unit intercept and time weights) and augmented synthetic "
        "control (ridge correction) are shown beside it.",
        "where": {"above": "above", "below": "below"},
        "honest": "Difference-in-differences (HonestDiD): the event study's mean after the start, "
        "against the last period before the start rather than the whole pre-period like the "
        "estimate above, is {est}; for that number: {sentence}. It uses the event study's "
        "model-based interval, which is too narrow with one treated unit, and does not count in "
        "the verdict.",
        "activity": "This is an activity outcome: more reports can mean more police work, not "
        "more crime.",
        "no_primary": "The primary design ({design}) could not run: {why}",
        "unreachable": "With {n} comparison units a placebo p-value cannot go below {p}, so no "
        "design can count: the verdict is inconclusive whatever the data show.",
        "family_pl": {
            "primary": "primary outcomes",
            "secondary": "secondary outcomes",
            "exploratory": "exploratory outcomes",
        },
        "and": " and ",
    },
}


def why_not_text(key: str, lang: Lang, **values: Any) -> str:
    """The reason a design does not count, in the report language."""
    return WHY_NOT[lang][key].format(**values)


def _join(items: list[str], lang: Lang) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + _WORDS[lang]["and"] + items[-1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _pct(share: float, lang: Lang) -> str:
    return fmt.percent(share, lang, decimals=0)


def outcome_verdict(a: Any, lang: Lang, part: str = "all") -> str:
    """The verdict paragraph of an :class:`~ptvlib.assessment.outcome_results.OutcomeAssessment`.

    *part* ``"summary"`` gives the verdict, the primary design, what could have
    been detected and the timing robustness (the report's index);
    ``"details"`` what the other designs say, why SDID and ASCM are shown,
    and the HonestDiD breakdown value (the outcome's own section); ``"all"``
    both.
    """
    from ptvlib.assessment.sensitivity import robust_to
    from ptvlib.assessment.verdicts import COMBINED_LABELS, FAMILY_LABELS, reachable

    w = _WORDS[lang]
    label = config.OFFENCE_GROUP_LABELS[lang][a.group]
    code = a.combined
    rule = a.rule
    fam = rule.family if rule is not None else "exploratory"
    parts = [
        w["head"].format(
            label=label,
            word=COMBINED_LABELS[lang][code],
            start=a.params.start_year,
            family=FAMILY_LABELS[lang][fam],
        )
    ]
    key = a.primary_design
    test = a.tests.get(key)
    names = DESIGN_NAMES[lang]
    if test is None:
        why = a.errors.get(key) or a.errors.get("pool") or "–"
        parts.append(w["no_primary"].format(design=names.get(key, key), why=why))
    elif not reachable(test.n):
        p_min = fmt.number(1 / (test.n + 1), lang, decimals=2)
        parts.append(w["unreachable"].format(n=test.n, p=p_min))
    else:
        lo, hi = test.ci()
        kind = P_KIND_WORDS[lang]["permutation" if key == "did" else "placebo"]
        ci = (
            f"{fmt.percent_change(1 + lo, lang)} {'til' if lang == 'nb' else 'to'} "
            f"{fmt.percent_change(1 + hi, lang) if math.isfinite(hi) else '∞'}"
        )
        values = dict(
            design=names[key],
            est=fmt.percent_change(1 + test.effect, lang),
            kind=kind,
            ci=ci,
            p=fmt.p_value(test.p_value, lang),
        )
        if rule is not None and rule.family_size > 1:
            parts.append(
                w["primary"].format(
                    m=rule.family_size,
                    family_pl=w["family_pl"][fam],
                    p_adj=fmt.p_value(rule.p_adjusted, lang),
                    **values,
                )
            )
        else:
            parts.append(w["primary_one"].format(**values))
        if code == "inconclusive":
            mde, mde_fam = a.mde, a.mde_family
            if math.isfinite(mde):
                famtext = (
                    w["mde_fam"].format(mde=_pct(mde_fam, lang))
                    if math.isfinite(mde_fam) and rule is not None and rule.family_size > 1
                    else ""
                )
                parts.append(w["mde"][a.direction].format(mde=_pct(mde, lang), fam=famtext))
            else:
                parts.append(w["mde_inf"])
    details: list[str] = []
    others = [k for k in a.tests if k != key and reachable(a.tests[k].n)]
    if others:
        items = []
        for k in others:
            t = a.tests[k]
            kind = P_KIND_WORDS[lang]["permutation" if k == "did" else "placebo"]
            if not math.isfinite(t.estimate):
                continue
            items.append(
                w["item"].format(
                    design=names[k],
                    est=fmt.percent_change(1 + t.effect, lang),
                    kind=kind,
                    p=fmt.p_value(t.p_value, lang),
                )
            )
        details.append(w["others"].format(items=_join(items, lang)))
    if rule is not None and code != "inconclusive":
        note = ""
        if rule.opposing:
            note += w["oppose"].format(designs=_join([names[d] for d in rule.opposing], lang))
        if rule.agreeing:
            note += w["agree"].format(designs=_join([names[d] for d in rule.agreeing], lang))
        if not rule.agreeing and not rule.opposing:
            note += w["none_agree"]
        parts.append(note.strip())
    outside = a.extra.get("outside_range")
    if outside:
        from ptvlib.data.regions import region_name

        details.append(
            w["outside"].format(
                treated=region_name(a.params.treated_region),
                where=w["where"][outside[0]],
                k=outside[1],
                n=int(a.pool.pre.sum()) if a.pool is not None else "–",
            )
        )
    honest = a.extra.get("honest")
    if honest is not None and ("did" == key or "did" in others):
        sentence = _lower_first(honest.breakdown_sentence(lang)).rstrip(".")
        # the event study of the log-rate DiD: its mean is a log change (a ratio for count models)
        ratio = math.exp(honest.estimate)
        est = fmt.percent_change(ratio, lang, decimals=1)
        details.append(w["honest"].format(sentence=sentence, est=est))
    tail: list[str] = []
    if a.sensitivity is not None and not a.sensitivity.empty:
        same, different = robust_to(a.sensitivity, a.group, lang)
        if same:
            tail.append(w["robust"].format(items=_join(same, lang)))
        if different:
            tail.append(w["not_robust"].format(items=_join(different, lang)))
    if a.family == "activity":
        tail.append(w["activity"])
    if part == "summary":
        return " ".join(parts + tail)
    if part == "details":
        return " ".join(details)
    return " ".join(parts + details + tail)


_POOL: dict[str, dict[str, str]] = {
    "nb": {
        "pool": "Sammenligningsutvalget har {n} kommuner med minst {min_pop} innbyggere året før "
        "start og verdier i alle periodene som brukes.",
        "out": "Utelatt: {items}.",
        "loo": "Uten én av de {k} største donorene om gangen ligger den syntetiske kontrollens "
        "anslag mellom {lo} og {hi} (full tilpasning {full}); det flytter seg mest uten {name} "
        "({name_est}).",
    },
    "en": {
        "pool": "The comparison pool has {n} municipalities with at least {min_pop} inhabitants "
        "the year before the start and a value in every period used.",
        "out": "Left out: {items}.",
        "loo": "Leaving out one of the {k} largest donors at a time puts the synthetic control's "
        "estimate between {lo} and {hi} (full fit {full}); it moves most without {name} "
        "({name_est}).",
    },
}


def pool_sentence(a: Any, lang: Lang) -> str:
    """The pool of an assessment: its size and every unit left out with the reason."""
    pool = a.pool
    if pool is None:
        return ""
    w = _POOL[lang]
    text = w["pool"].format(n=pool.n, min_pop=fmt.integer(pool.min_population, lang))
    dropped = pool.dropped_text(lang)
    if dropped:
        text += " " + w["out"].format(items="; ".join(dropped))
    return text


def donor_sentence(loo: Any, sc: Any, lang: Lang, *, top: int = 5) -> str:
    """Leave-one-out of the top donors (the table of ``OutcomeAssessment.donor_leave_one_out``)."""
    if sc is None or loo is None or len(loo) == 0:
        return ""
    part = loo.head(top)
    full = math.expm1(sc.att)
    k = int(part["change"].abs().idxmax())
    return _POOL[lang]["loo"].format(
        k=len(part),
        lo=fmt.percent(float(part["estimate"].min()), lang, decimals=0, signed=True),
        hi=fmt.percent(float(part["estimate"].max()), lang, decimals=0, signed=True),
        full=fmt.percent(full, lang, decimals=0, signed=True),
        name=part.loc[k, "name"],
        name_est=fmt.percent(float(part.loc[k, "estimate"]), lang, decimals=0, signed=True),
    )
