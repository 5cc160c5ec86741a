"""The sections of page 6 (bydeler): the public bydel picture, the schedule, the bydel designs.

Each function shows one section through the :class:`~ptvlib.report.page.Page`
(escaped, from the text catalogue and the table formatter); the numbers and
the verdict sentences come from :mod:`ptvlib.assessment.own` and
:mod:`ptvlib.assessment.bydel_picture`.
"""

from __future__ import annotations

from typing import Any

from ptvlib.basics import numbers
from ptvlib.basics.literals import Lang
from ptvlib.report import figures
from ptvlib.report.escape import Html, html_text
from ptvlib.report.page import Page
from ptvlib.report.summary import design_columns, with_counts
from ptvlib.report.tables import Col
from ptvlib.report.texts import label

__all__ = ["headline_rows", "own_designs", "picture", "public_panel", "schedule"]

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


def own_designs(page: Page, report: Any, *, has_own: bool) -> None:
    """Every series of the own data: summary, then per series its designs, verdict and figures."""
    lang = page.lang
    page.text("06.designs")
    page.note(report.rule(lang))
    if not has_own:
        page.text("06.no_own_data")
        return
    if report.synthetic:
        page.synthetic_banner()
    rows = headline_rows(report, None, None, lang)
    combined = [r for r in rows if r.get("design_key") == "combined"]
    page.table(
        combined,
        [
            Col("outcome", "col.series"),
            Col("verdict", "col.verdict", "verdict"),
            Col("estimate", "col.estimate", "estimate"),
            Col("ci_low", "col.interval", "interval", hi="ci_high"),
            Col("p_value", "col.p_holm", "p"),
            Col("mde", "col.mde", "share"),
        ],
        caption=page.t("06.summary_caption"),
    )
    for a in report:
        page.heading("06.series", level=3, series=a.label)
        page.note(a.verdict(lang))
        mine = [
            r
            for r in rows
            if r.get("indicator") == a.indicator
            and r.get("offence_group") == a.offence_group
            and r.get("unit") == a.unit
            and str(r.get("design_key", "")).startswith("own_")
        ]
        page.table(
            with_counts(mine, lang), [c for c in design_columns(mde=True) if c.name != "outcome"]
        )
        for key in ("ri", "sc"):
            result = a.results.get(key)
            if result is not None:
                fig = result.plot(lang=lang)
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


def public_panel(page: Page, public_report: Any, pic: Any) -> None:
    """The bydel designs on the public table when it has several years (the live KRI002)."""
    if public_report is None:
        if pic is not None:
            page.text("06.no_public_panel")
        return
    page.text("06.public_panel")
    for a in public_report:
        page.heading("06.series", level=3, series=a.label)
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
                "outcome": label("measure", "bydel_rate", lang),
                "design": label("design", "bydel_picture", lang),
                "design_key": "bydel_picture",
                "estimate": pic.oslo_15[2],
                "period": str(pic.year),
                "scale": "count",
                "counts": False,
                "why_not": label("why_not", "cross_section", lang),
                "verdict": "",
            }
        )
    return rows
