"""Sections that more than one page shows, or that would make a notebook thick.

Each function takes the :class:`~ptvlib.report.page.Page` and shows one
section through it: one outcome's designs (page 3), all designs together
(pages 3 and 5), the verdicts (page 5), the own-data designs (page 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ptvlib.basics import numbers
from ptvlib.report import figures, summary
from ptvlib.report.escape import html_text
from ptvlib.report.page import Page
from ptvlib.report.summary import design_columns, with_counts
from ptvlib.report.tables import Col
from ptvlib.report.texts import label

__all__ = [
    "funding",
    "all_designs",
    "outcome_designs",
    "verdicts",
]


def outcome_designs(page: Page, assessment: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """One outcome on page 3: its figure, the synthetic control's weights, one bullet per design."""
    from ptvlib.data.regions import region_name

    lang, group = page.lang, assessment.group
    page.heading(f"group.{group}", level=3)
    for design, error in assessment.errors.items():
        page.sentence(
            "03.errors",
            outcome=label("group", group, lang),
            design=label("design", design, lang, default=design),
            error=error,
        )
    page.figure(figures.plot_outcome(assessment, lang=lang))
    sc = assessment.results.get("synth")
    if sc is not None:
        w = sc.weights[sc.weights > 0.01]
        weights = pd.DataFrame(
            {"region": [region_name(c) for c in w.index], "weight": w.to_numpy()}
        )
        page.table(
            weights,
            [Col("region", "col.region"), Col("weight", "col.weight", "share", decimals=1)],
            caption=page.t("03.weights"),
            narrow=True,
        )
    mine = [r for r in rows if r.get("offence_group") == group and r["design_key"] != "combined"]
    bullets = [summary.design_bullet(r, lang) for r in mine]
    if sc is not None:
        bullets[0] += " " + html_text(_fit_text(page, sc))
    page.bullets(bullets, markup=True)
    extra = assessment.extra
    if "did_permutation_p" in extra:
        page.sentence(
            "03.permutation",
            k=extra["did_permutation_k"],
            p=numbers.p_value(extra["did_permutation_p"], lang),
            pt=numbers.p_value(extra.get("pretrend_p"), lang),
        )


def _fit_text(page: Page, sc: Any) -> str:
    """The synthetic control's pre-start fit in words, as a referee would want it.

    On log rates the RMSPE is about the relative error of the fitted rate; the
    sentence names the level adjustment, the donors with weight, the
    pre-periods, and warns that a near-perfect fit with many donors is
    interpolation (the placebo test, not the fit, carries the inference).
    """
    lang = page.lang
    n_pre = sc.n_pre
    n_weighted = int((sc.weights > 0.01).sum())
    if str(sc.outcome).startswith("log"):
        fit = page.t(
            "03.fit_log",
            rmspe=numbers.number(sc.pre_rmspe, lang, decimals=3),
            share=numbers.percent(sc.pre_rmspe, lang, decimals=1),
            k=n_weighted,
            n=n_pre,
        )
    else:
        fit = page.t(
            "03.fit",
            rmspe=numbers.number(sc.pre_rmspe, lang),
            share=numbers.percent(sc.fit_share(), lang, decimals=1),
        )
    out = fit[:1].upper() + fit[1:] + "."
    if n_weighted >= n_pre or sc.fit_share() < 1e-4:
        out += " " + page.t("03.fit_interpolates")
    return out


def all_designs(
    page: Page, assessments: Sequence[Any], rows: Sequence[Mapping[str, Any]], *, holm: bool = True
) -> None:
    """Every design for every outcome: the table (with Holm-adjusted p) and the summary plot."""
    from ptvlib.assessment.outcome_results import family_table

    lang = page.lang
    design_rows = [dict(r) for r in rows if r.get("design_key") != "combined"]
    if holm and assessments:
        fam = family_table(list(assessments), lang)
        adj = {
            (o, d): p
            for o, d, p in zip(fam["outcome"], fam["design_key"], fam["p_holm"], strict=True)
        }
        for r in design_rows:
            r["p_holm"] = adj.get((r.get("offence_group"), r.get("design_key")))
    mde = any(r.get("mde") is not None for r in design_rows)
    page.table(with_counts(design_rows, lang), design_columns(holm=holm, mde=mde), collapse=40)
    page.figure(
        figures.plot_summary(
            rows, lang=lang, title=page.t("fig.summary_title", year=page.params.year)
        )
    )


def verdicts(page: Page, rows: Sequence[Mapping[str, Any]]) -> None:
    """The verdict per outcome: a table and one sentence per outcome; the activity caveat."""
    lang = page.lang
    combined = [r for r in rows if r.get("design_key") == "combined"]
    lines = []
    table_rows = []
    for c in combined:
        designs = [
            r
            for r in rows
            if r.get("offence_group") == c.get("offence_group")
            and r.get("design_key") != "combined"
        ]
        lines.append(summary.outcome_line(c, designs, lang, start=page.params.start_year))
        counted = sum(1 for d in designs if summary.counts(d, lang)[0])
        table_rows.append(
            {
                **c,
                "family_label": label("family", str(c.get("family", "")), lang, default=""),
                "counted": f"{counted} / {len(designs)}",
            }
        )
    page.table(
        table_rows,
        [
            Col("outcome", "col.outcome"),
            Col("family_label", "col.family"),
            Col("verdict", "col.verdict", "verdict"),
            Col("counted", "col.counts"),
        ],
        narrow=True,
    )
    page.bullets(lines)
    caveat = summary.activity_caveat(combined, lang)
    if caveat:
        page.caveat_text(caveat)


def own_file_name(path: str) -> str:
    """The own-data file's name without its folders (no machine path on a page)."""
    return Path(path).name


def funding(page: Page, params: Any) -> None:
    """The money (page 3): the public table, the analyst's own table when given, the yearly figure."""
    from ptvlib.assessment.supplementary import funding_intensity
    from ptvlib.data.loading import load

    public = load("funding").query("year <= @params.year").sort_values(["year", "row"])
    page.table(
        public,
        [
            Col("year", "col.year", "year"),
            Col("amount_mnok", "col.amount_mnok", "number", decimals=1),
            Col("recipient", "col.recipient", "verbatim"),
            Col("kind", "col.funding_kind", "label", labels="funding_kind"),
            Col("oslo_specific", "col.oslo_specific", "bool"),
            Col("police", "col.police", "bool"),
            Col("source_url", "col.source", "link"),
        ],
        collapse=12,
    )
    source = None
    if params.funding_data:
        from ptvlib.data.own_funding import load_funding

        name = Path(params.funding_data).name
        own = load_funding(params.funding_data).query("year <= @params.year")
        page.sentence("03.own_funding", file=name)
        page.table(
            own,
            [
                Col("region", "col.area", "verbatim"),
                Col("year", "col.year", "year"),
                Col("amount_mnok", "col.amount_mnok", "number", decimals=1),
                Col("purpose", "col.purpose", "verbatim"),
                Col("source", "col.source", "verbatim"),
            ],
            collapse=12,
        )
        source = page.t("fig.source_own_funding", file=name)
    intensity = funding_intensity(
        params.year, funding_data=params.funding_data, treated_region=params.treated_region
    ).query("year >= @params.start_year - 2")
    page.figure(figures.plot_funding(intensity, lang=page.lang, source=source))
