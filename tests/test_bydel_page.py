"""The own-data parts of the report as a reader reads them: names, texts, figures, the index's answer.

Runs the bydel designs once on the seeded synthetic demo frame and shows the
page sections through a :class:`~ptvlib.report.page.Page` outside a kernel
(IPython prints what it would display, so the markup is read from stdout).
"""

from __future__ import annotations

import math

import pytest

from ptvlib.assessment.own import assess_own, assess_own_frame
from ptvlib.assessment.own_results import area_name, series_name
from ptvlib.assessment.params import validate_params
from ptvlib.assessment.schedule import Schedule
from ptvlib.basics.style import SYNTHETIC_LABEL
from ptvlib.data.demo import DEMO_SCHEDULE, demo_own_frame
from ptvlib.report import bydel_page, provenance
from ptvlib.report.page import Page

SCHEDULE = Schedule(starts=dict(DEMO_SCHEDULE), origin="treatment_schedule")


@pytest.fixture(scope="module")
def report():
    return assess_own_frame(demo_own_frame(seed=2018), SCHEDULE, year=2024)


def _page(lang: str = "nb", **params) -> Page:  # type: ignore[no-untyped-def]
    p = validate_params(lang=lang, **params)
    return Page("06_bydel", p, declared=frozenset({"year", "lang", *params}))


# ------------------------------------------------------------------ names
def test_series_are_named_in_the_reader_language_and_unknown_ones_as_given() -> None:
    assert series_name("cases", "violence", "count") == "Straffesaker – vold og mishandling"
    assert series_name("cases", "violence", "count", "en") == (
        "Criminal cases – violence and maltreatment"
    )
    assert series_name("seizures", "total", "count", "nb", synthetic=True) == (
        f"Beslag – alle lovbruddsgrupper [{SYNTHETIC_LABEL}]"
    )
    assert series_name("arrests", "gang_crime", "count", "en") == "arrests – gang_crime"
    assert series_name("cases", "drugs", "per_1000", "nb").endswith("(per 1\u00a0000 innbyggere)")
    assert area_name("030116") == "Sentrum" and area_name("holmlia") == "holmlia"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_no_raw_keys_and_the_left_out_bydel_by_name_with_formatted_numbers(report, lang) -> None:
    rows = report.headlines(lang)
    for h in rows:
        assert "_" not in h["outcome"] and not h["outcome"].startswith("cases"), h["outcome"]
    text = next(h["text"] for h in rows if h["design_key"] == "combined")
    assert "030116" not in text and "Sentrum:" in text
    if lang == "nb":
        assert "(lavest i perioden; under 5\u00a0000)" in text
        assert text.startswith(f"Straffesaker – vold og mishandling [{SYNTHETIC_LABEL}]")
    else:
        assert "(lowest in the period; under 5,000)" in text


def test_the_combined_row_says_its_p_is_holm_adjusted(report) -> None:
    rows = report.headlines("nb")
    combined = [h for h in rows if h["design_key"] == "combined"]
    assert combined and all(h["p_kind"] == "holm" for h in combined)
    gate = {(h["indicator"], h["offence_group"]): h for h in rows if h["design_key"] == "own_ri"}
    for h in combined:
        assert gate[(h["indicator"], h["offence_group"])]["p_kind"] == "randomization"
        assert h["p_value"] >= gate[(h["indicator"], h["offence_group"])]["p_value"]


# --------------------------------------------------------------- page 6
def test_the_design_text_follows_a_schedule_with_one_treated_area(capsys) -> None:  # type: ignore[no-untyped-def]
    params = validate_params(lang="nb")
    bydel_page.own_designs(_page("nb"), assess_own(params), has_own=False)
    shown = capsys.readouterr().out
    assert "Med ett behandlet område blant 15 områder" in shown
    assert "kan ingen tildelingstest nå 0,05" in shown and "1/15 = 0,067" in shown
    assert "to behandlede" not in shown


def test_the_design_text_follows_a_staggered_schedule(report, capsys) -> None:  # type: ignore[no-untyped-def]
    facts = bydel_page.design_facts(report)
    assert facts["k"] == 2 and facts["assignments"] == facts["n"] * (facts["n"] - 1)
    bydel_page.own_designs(_page("en"), report, has_own=True)
    shown = capsys.readouterr().out
    assert f"With two treated areas among {facts['n']} areas in the comparison" in shown
    assert "no assignment test can reach" not in shown
    # The summary badge uses the words of the verdict sentence.
    assert "v-decrease'>consistent decrease</span>" in shown
    assert (
        f"Criminal cases – violence and maltreatment [{SYNTHETIC_LABEL}]: consistent decrease."
        in (shown)
    )
    # The supporting synthetic control has no MDE, and says why.
    assert "power is computed for the deciding design" in shown


def test_the_randomization_histogram_speaks_the_report_language(report) -> None:
    import matplotlib

    matplotlib.use("Agg")
    ri = report.assessments[0].designs["ri"].result
    for lang, title, mark in (
        ("nb", "Faktisk tildeling (rød) blant alle tildelinger", ","),
        ("en", "Actual assignment (red) among all assignments", "."),
    ):
        fig = bydel_page.label_randomization(ri.plot(lang=lang), lang, log_scale=ri.log_scale)
        fig.canvas.draw()
        ax = fig.axes[0]
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert ax.get_title(loc="left") == title
        assert ax.get_xlabel().startswith("Rateforhold" if lang == "nb" else "Rate ratio")
        assert ticks and all(mark in t for t in ticks), ticks
        other = "." if mark == "," else ","
        assert not any(other in t for t in ticks), ticks


# ---------------------------------------------------------- index, page 4
def test_the_answer_sentence_names_the_bydel_verdicts_and_the_synthetic_label(report) -> None:
    nb = bydel_page.own_answer(report, "nb")
    assert nb.startswith(f"{SYNTHETIC_LABEL}: på bydelsnivå")
    assert "samstemt nedgang for straffesaker – vold og mishandling" in nb
    assert "de øvrige tre seriene er uavklart" in nb
    en = bydel_page.own_record(report, "en")
    assert en["synthetic"] is True and en["analysed"] == len(report)
    assert "consistent decrease for criminal cases – violence and maltreatment" in en["sentence"]
    real = assess_own_frame(
        demo_own_frame(seed=2018).assign(source="politiet"), SCHEDULE, year=2024, shown=False
    )
    assert SYNTHETIC_LABEL not in bydel_page.own_answer(real, "nb")
    assert bydel_page.own_answer(assess_own(validate_params()), "nb") == ""


def test_page_4_shows_the_enforcement_series_and_links_page_6(report, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ptvlib.data.demo import demo_own_data

    page = Page(
        "04_enforcement_outcomes",
        validate_params(own_data=str(demo_own_data(tmp_path / "demo.csv"))),
        declared=frozenset({"year", "lang", "own_data"}),
    )
    rows = bydel_page.enforcement(page, report, has_own=True)
    shown = capsys.readouterr().out
    assert {r["indicator"] for r in rows} == {"cases", "seizures", "confiscations"}
    assert all(r["design_key"] == "combined" and r["p_kind"] == "holm" for r in rows)
    assert "href='06_bydel.html'" in shown and "Beslag – alle lovbruddsgrupper" in shown
    assert "class='ptv-synthetic'" in shown
    assert all(r.detail == provenance.SYNTHETIC for r in page.sources if r.kind == "own")
    empty = Page("04_enforcement_outcomes", validate_params(), declared=frozenset({"year"}))
    assert bydel_page.enforcement(empty, report, has_own=False) == []
    assert "Markdown" in capsys.readouterr().out  # the static paragraph 04.own_data, as before


def test_a_synthetic_own_file_is_synthetic_in_every_banner_and_footer() -> None:
    recs = provenance.records_from(
        [
            {"kind": "own", "table": "demo.csv"},
            {"kind": "own", "table": "demo.csv", "detail": provenance.SYNTHETIC},
            {"kind": "own", "table": "other.csv"},
        ]
    )
    assert [(r.table, r.detail) for r in recs] == [
        ("demo.csv", provenance.SYNTHETIC),
        ("other.csv", ""),
    ]
    html = provenance.banner(recs, "nb").markup
    assert f"<code>demo.csv</code> – <strong class='ptv-synthetic-label'>{SYNTHETIC_LABEL}" in html
    assert "Egne data: filen <code>other.csv</code></li>" in html


def test_the_picture_row_is_a_rate_with_the_measure_in_its_column() -> None:
    from ptvlib.assessment.bydel_picture import bydel_picture
    from ptvlib.report.tables import estimate_text

    pic = bydel_picture(lang="nb")
    row = bydel_page.headline_rows(assess_own(validate_params()), None, pic, "nb")[-1]
    assert row["scale"] == "rate" and math.isfinite(row["estimate"])
    assert row["outcome"] == "Alle lovbruddsgrupper, 15 bydeler"
    assert row["design"].startswith(
        "Anmeldte lovbrudd per 1\u00a0000 innbyggere (bydelsbildet 2024"
    )
    assert estimate_text(row["estimate"], row["scale"], "nb") == "83,1"
    assert estimate_text(83, "count", "nb", unit="nøkkeltall") == "83 nøkkeltall"
