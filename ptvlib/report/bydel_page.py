"""The sections of page 6 (bydeler): the public bydel picture, the schedule, the bydel designs.

Each function shows one section through the :class:`~ptvlib.report.page.Page`
(escaped, from the text catalogue and the table formatter); the numbers and
the verdict sentences come from :mod:`ptvlib.assessment.own` and
:mod:`ptvlib.assessment.bydel_picture`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from ptvlib.basics import numbers
from ptvlib.basics.literals import Lang
from ptvlib.report import figures
from ptvlib.report.escape import Html, html_text
from ptvlib.report.page import Page
from ptvlib.report.summary import design_columns, with_counts
from ptvlib.report.tables import Col
from ptvlib.report.texts import label, text

__all__ = [
    "design_facts",
    "enforcement",
    "headline_rows",
    "label_randomization",
    "own_answer",
    "own_designs",
    "own_record",
    "own_summary",
    "picture",
    "public_panel",
    "schedule",
]

#: The parameters behind each origin of a schedule (shown as code, not prose).
_ORIGIN_PARAMS: dict[str, tuple[str, ...]] = {
    "treatment_schedule": ("treatment_schedule",),
    "treated_areas": ("treated_areas", "start_year"),
}


def picture(page: Page, pic: Any) -> None:
    """The bydel picture of one year: offences, rates per 1 000, the Oslo rate; one year is no panel."""
    if pic is None:
        page.text("06.no_bydel_table")
        return
    lang = page.lang
    page.table(
        pic.table,
        [
            Col("name", "col.bydel"),
            Col("offences", "col.offences", "int"),
            Col("population", "col.population", "int"),
            Col("rate_per_1000", "col.rate_residents", "number", decimals=1),
            Col("note", "col.note"),
        ],
        caption=page.t("06.picture_caption", year=pic.year),
        collapse=20,
    )
    page.sentence(
        "06.oslo_rate",
        rate=numbers.number(pic.oslo_15[2], lang, decimals=1),
        n15=numbers.integer(pic.oslo_15[0], lang),
        n_all=numbers.integer(pic.oslo_all, lang),
    )
    page.figure(pic.plot(lang=lang))
    if not pic.is_panel:
        page.text("06.cross_section")


def schedule(page: Page, sched: Any) -> None:
    """Who got the money from when, with the source of each entry and what the sources leave open."""
    page.text("06.schedule")
    lang = page.lang
    rows = sched.table(lang).to_dict("records")
    for r in rows:
        r["role_label"] = label("role", str(r["role"]), lang, default=str(r["role"]))
    page.table(
        rows,
        [
            Col("area", "col.area_code"),
            Col("name", "col.bydel"),
            Col("start", "col.start", "year"),
            Col("role_label", "col.role"),
            Col("source", "col.source", "verbatim"),
        ],
        narrow=True,
    )
    names = _ORIGIN_PARAMS.get(sched.origin, ())
    if names:
        code = ", ".join(f"<code>{html_text(n)}</code>" for n in names)
        page.html(Html(f"<p>{page.t('origin.parameters', params=code)}</p>"))
    else:
        page.note(page.t("origin.funding_table"))
    if sched.asks:
        page.sentence("06.asks")
        page.table(
            sched.asks,
            [
                Col("year", "col.year", "year"),
                Col("amount_mnok", "col.amount_mnok", "number"),
                Col("text", "col.wording", "verbatim"),
                Col("source_url", "col.source", "link"),
            ],
        )
    if sched.timing:
        page.sentence("06.timing")
        page.table(
            sched.timing,
            [
                Col("year", "col.year", "year"),
                Col("text", "col.wording", "verbatim"),
                Col("source_url", "col.source", "link"),
            ],
        )
    if sched.absent:
        page.sentence("06.absent", areas=", ".join(sched.absent))


def design_facts(report: Any) -> dict[str, Any]:
    """The schedule behind the designs: treated areas, areas, the smallest attainable p.

    From the gate's assignments when a series ran (the areas of the data);
    else from the schedule over Oslo's 15 bydeler.

    Returns
    -------
    dict
        ``k`` treated areas, ``n`` areas, ``min_p`` (``1 / assignments``) and
        ``assignments``.
    """
    from ptvlib.estimators._ri_core import assignment_count

    for a in report:
        ri = a.designs.get("ri")
        if ri is not None and ri.result is not None:
            r = ri.result
            return {
                "k": len(r.treated),
                "n": len(r.units),
                "min_p": float(r.min_p),
                "assignments": int(r.n_assignments),
            }
    starts = dict(report.schedule.starts)
    sizes = [list(starts.values()).count(y) for y in sorted(set(starts.values()))]
    n = 15
    count = assignment_count(n, sizes) if sizes else 0
    return {
        "k": len(starts),
        "n": n,
        "min_p": 1.0 / count if count else math.nan,
        "assignments": count,
    }


def _design_text(page: Page, report: Any) -> None:
    """What the designs can do with this schedule (number of treated areas, smallest attainable p)."""
    lang = page.lang
    facts = design_facts(report)
    k, n = facts["k"], facts["n"]
    areas = page.t("06.areas_one") if k == 1 else page.t("06.areas_many", k=_count(k, lang))
    page.sentence("06.designs", areas=areas, n=numbers.integer(n, lang))
    if math.isfinite(facts["min_p"]) and facts["min_p"] > report.alpha:
        key = "06.one_treated_unreachable" if k == 1 else "06.unreachable"
        page.sentence(
            key,
            n=numbers.integer(n, lang),
            assignments=numbers.integer(facts["assignments"], lang),
            p=numbers.number(facts["min_p"], lang, decimals=3),
            alpha=numbers.number(report.alpha, lang, decimals=2),
        )


def own_summary(
    page: Page, report: Any, *, indicators: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """One row per series (the combined verdict) as a table; *indicators* keeps only those.

    The verdict badge uses the words of the verdict sentences (``samstemt
    nedgang``), the p-value is the Holm-adjusted one of the gate. Returns the
    rows shown.
    """
    rows = headline_rows(report, None, None, page.lang)
    combined = [
        r
        for r in rows
        if r.get("design_key") == "combined"
        and (indicators is None or r.get("indicator") in indicators)
    ]
    if combined:
        page.table(
            combined,
            [
                Col("outcome", "col.series"),
                Col("verdict", "col.verdict", "verdict", labels="combined"),
                Col("estimate", "col.estimate", "estimate"),
                Col("ci_low", "col.interval", "interval", hi="ci_high"),
                Col("p_value", "col.p_holm", "p"),
                Col("mde", "col.mde", "share"),
            ],
            caption=page.t("06.summary_caption"),
        )
    return combined


def _no_mde(row: Mapping[str, Any], lang: Lang) -> str | None:
    if row.get("design_key") == "own_sc":
        return label("why_missing", "own_sc_mde", lang)
    return None


def _design_table_columns() -> list[Col]:
    cols = []
    for c in design_columns(mde=True):
        if c.name == "outcome":
            continue
        cols.append(Col("mde", "col.mde", "share", missing=_no_mde) if c.name == "mde" else c)
    return cols


def label_randomization(fig: Any, lang: Lang, *, log_scale: bool, synthetic: bool = False) -> Any:
    """The randomization histogram's texts from the catalogue, its numbers in *lang*'s format."""
    ax = fig.axes[0]
    ax.set_title(label("fig", "ri_title", lang), loc="left")
    ax.set_xlabel(label("fig", "ri_ratio" if log_scale else "ri_difference", lang))
    ax.set_ylabel(label("fig", "ri_assignments", lang))
    figures._numbers_axis(ax, lang, "x")
    figures._numbers_axis(ax, lang, "y", decimals=0)
    if synthetic:
        figures.label_synthetic(fig)
    return fig


def own_designs(page: Page, report: Any, *, has_own: bool) -> None:
    """Every series of the own data: summary, then per series its designs, verdict and figures."""
    lang = page.lang
    _design_text(page, report)
    page.note(report.rule(lang))
    if not has_own:
        page.text("06.no_own_data")
        return
    if report.synthetic:
        page.synthetic_banner()
    rows = headline_rows(report, None, None, lang)
    own_summary(page, report)
    for a in report:
        page.heading("06.series", level=3, series=a.name(lang))
        page.note(a.verdict(lang))
        mine = [
            r
            for r in rows
            if r.get("indicator") == a.indicator
            and r.get("offence_group") == a.offence_group
            and r.get("unit") == a.unit
            and str(r.get("design_key", "")).startswith("own_")
        ]
        page.table(with_counts(mine, lang), _design_table_columns())
        for key in ("ri", "sc"):
            result = a.results.get(key)
            if result is None:
                continue
            if key == "sc":
                from ptvlib.assessment.own_results import area_name

                names = {u: area_name(str(u)) for u in result.starts}
                fig = result.plot(lang=lang, names=names)
            else:
                fig = result.plot(lang=lang)
            if key == "ri":
                label_randomization(
                    fig, lang, log_scale=result.log_scale, synthetic=report.synthetic
                )
            else:
                for ax in fig.axes:
                    figures._numbers_axis(ax, lang)
                    ax.set_ylabel(page.t("fig.own_log"))
                if report.synthetic:
                    figures.label_synthetic(fig)
            page.figure(fig)
        for note in a.notes_text(lang):
            page.caveat_text(note)
    if report.not_analysed:
        page.heading("06.h.not_analysed", level=3)
        page.table(
            report.not_analysed_table(lang),
            [
                Col("indicator", "col.indicator"),
                Col("offence_group", "col.offence_group"),
                Col("unit", "col.unit_own"),
                Col("reason", "col.reason"),
            ],
        )
    page.caveat("caveat.ri_constant")
    page.caveat_causal()


def enforcement(page: Page, report: Any, *, has_own: bool) -> list[dict[str, Any]]:
    """The own-data enforcement series' verdicts on the enforcement page (page 4), with a link to page 6.

    Without own data the page says where they would be analysed. Returns the
    combined rows shown (for the page's sidecar).
    """
    from ptvlib.assessment.own_results import ENFORCEMENT_INDICATORS

    if not has_own:
        page.text("04.own_data")
        return []
    link = f"<a href='06_bydel.html'>{html_text(page.t('page.06_bydel'))}</a>"
    shown = [a for a in report if a.indicator in ENFORCEMENT_INDICATORS]
    if not shown:
        page.html(Html(f"<p>{page.t('04.own_none', page=link)}</p>"))
        return []
    if report.synthetic:
        page.synthetic_banner()
    page.html(Html(f"<p>{page.t('04.own_summary', page=link)}</p>"))
    rows = own_summary(page, report, indicators=ENFORCEMENT_INDICATORS)
    page.caveat("caveat.ri_constant")
    return rows


def own_answer(report: Any, lang: Lang) -> str:
    """One sentence for the report's answer: what the bydel designs found, under the same rule.

    Empty when no series was analysed. Synthetic data are labelled once, at
    the start.
    """
    from ptvlib.assessment.verdicts import COMBINED_LABELS
    from ptvlib.report.summary import join_words

    n = len(report)
    if not n:
        return ""
    signed = [a for a in report if a.combined != "inconclusive"]
    found = join_words(
        [
            text(
                "lead.own_one",
                lang,
                verdict=COMBINED_LABELS[lang][a.combined],
                series=_lower(series_plain(a, lang)),
            )
            for a in signed
        ],
        lang,
    )
    if not signed:
        sentence = text("lead.own_none", lang, n=_count(n, lang))
    elif len(signed) == n:
        sentence = text("lead.own_all", lang, found=found)
    else:
        sentence = text("lead.own_some", lang, found=found, k=_count(n - len(signed), lang))
    if report.synthetic:
        from ptvlib.basics.style import SYNTHETIC_LABEL

        sentence = f"{SYNTHETIC_LABEL}: {_lower(sentence)}"
    return sentence


def _lower(words: str) -> str:
    return words[:1].lower() + words[1:]


def _count(n: int, lang: Lang) -> str:
    """A count in words up to ten (``tre``, ``three``), else in digits."""
    words = {
        "nb": ["null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti"],
        "en": [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
        ],
    }[lang]
    return words[n] if 0 <= n < len(words) else numbers.integer(n, lang)


def series_plain(a: Any, lang: Lang) -> str:
    """A series' name without the synthetic label (the sentence carries it once)."""
    from ptvlib.assessment.own_results import series_name

    return series_name(a.indicator, a.offence_group, a.unit, lang)


def own_record(report: Any, lang: Lang) -> dict[str, Any]:
    """The sidecar's ``own`` record: whether there are own-data verdicts, synthetic, the sentence."""
    return {
        "analysed": len(report),
        "synthetic": bool(report.synthetic),
        "sentence": own_answer(report, lang),
        "verdicts": report.verdicts(),
    }


def public_panel(page: Page, public_report: Any, pic: Any) -> None:
    """The bydel designs on the public table when it has several years (the live KRI002)."""
    if public_report is None:
        if pic is not None:
            page.text("06.no_public_panel")
        return
    page.text("06.public_panel")
    for a in public_report:
        page.heading("06.series", level=3, series=a.name(page.lang))
        page.note(a.verdict(page.lang))


def headline_rows(report: Any, public_report: Any, pic: Any, lang: Lang) -> list[dict[str, Any]]:
    """Sidecar rows of page 6: every series' designs and verdict, the public panel, the picture."""
    rows = []
    for r in report.headlines(lang):
        r = dict(r)
        r["design"] = label("design", str(r.get("design_key")), lang, default=str(r["design"]))
        rows.append(r)
    if public_report is not None:
        for r in public_report.headlines(lang):
            rows.append(dict(r) | {"source": "bydel_offences"})
    if pic is not None:
        rows.append(
            {
                "outcome": text("06.picture_outcome", lang),
                "offence_group": "total",
                "design": text("measure.bydel_rate", lang, year=pic.year),
                "design_key": "bydel_picture",
                "estimate": pic.oslo_15[2],
                "period": str(pic.year),
                "scale": "rate",
                "counts": False,
                "why_not": label("why_not", "cross_section", lang),
                "verdict": "",
            }
        )
    return rows
