"""The report's formatter: tables, estimates, p-values and sentences in each language's number format."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from ptvlib.assessment.params import validate_params
from ptvlib.estimators._base import verdict_text
from ptvlib.report import summary
from ptvlib.report.escape import html_text, md_text, safe_url
from ptvlib.report.html import write_index
from ptvlib.report.tables import Col, estimate_text, interval_text, table

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "scale", "nb", "en"),
    [
        (0.9, "ratio", f"-10,0{NBSP}% (rateforhold 0,90)", "-10.0% (rate ratio 0.90)"),
        (1.054, "ratio", f"+5,4{NBSP}% (rateforhold 1,05)", "+5.4% (rate ratio 1.05)"),
        (-1290.4, "difference", f"-1{NBSP}290", "-1,290"),
        (6.634, "difference", "+6,63", "+6.63"),
        (9.77, "percent", f"+9,8{NBSP}%", "+9.8%"),
        (70192.0, "count", f"70{NBSP}192", "70,192"),
        (6234.0, "count", f"6{NBSP}234", "6,234"),
        (97.89, "rate", "97,9", "97.9"),
        (None, "ratio", "–", "–"),
        (math.nan, "difference", "–", "–"),
    ],
)
def test_estimates_on_their_scale(value, scale, nb, en) -> None:  # type: ignore[no-untyped-def]
    assert estimate_text(value, scale, "nb") == nb
    assert estimate_text(value, scale, "en") == en


def test_intervals_and_p_values() -> None:
    assert interval_text(0.849, 0.953, "ratio", "nb") == "0,85 til 0,95"
    assert interval_text(-67.2, 11.4, "difference", "en") == "-67.2 to 11.4"
    assert interval_text(None, 1.0, "ratio", "nb") == "–"
    row = {"design_key": "did_poisson", "p_value": 7e-18}
    assert summary.p_text(row, "nb") == "modell-p < 0,001"
    assert (
        summary.p_text({**row, "p_value": 0.0004, "p_kind": "placebo"}, "en") == "placebo p < 0.001"
    )
    assert summary.p_text({"design_key": "synth", "p_value": 0.0208}, "nb") == "placebo-p = 0,02"
    assert summary.p_text({"design_key": "synth", "p_value": None}, "nb") == ""


def test_a_table_reads_as_a_publication_table() -> None:
    rows = [
        {"year": 2024, "n": 70192.0, "p": 7e-18, "ok": True, "code": "weak_decrease", "x": None},
        {"year": 2023, "n": 6234.0, "p": 0.83, "ok": False, "code": "inconclusive", "x": 1.5},
    ]
    cols = [
        Col("year", "col.year", "year"),
        Col("n", "col.count_per_year", "int"),
        Col("p", "col.p", "p"),
        Col("ok", "col.oslo_specific", "bool"),
        Col("code", "col.verdict", "verdict"),
        Col("x", "col.value", "number", missing="why_missing.synth_interval"),
    ]
    nb = table(rows, cols, "nb").markup
    assert ">År</th>" in nb and "Lovbrudd per år" in nb
    assert f"70{NBSP}192" in nb and f"6{NBSP}234" in nb and "6234.0" not in nb
    assert "&lt; 0,001" in nb and "0,83" in nb and ">ja<" in nb and ">nei<" in nb
    assert "svak indikasjon på nedgang" in nb and "weak_decrease" not in nb.replace(
        "v-weak_decrease", ""
    )
    assert (
        "–<sup class='ptv-mark'>¹</sup>" in nb and "Syntetisk kontroll gir ikke et intervall" in nb
    )
    assert "<td class='num'>2024</td>" in nb, "years without digit grouping"
    assert not re.search(r"<t[hd][^>]*>\s*0\s*</t[hd]>", nb), "no index column"
    en = table(rows, cols, "en").markup
    assert "70,192" in en and "&lt; 0.001" in en and "weak sign of a decrease" in en
    long = table([{"year": y} for y in range(2000, 2030)], [Col("year", "col.year", "year")], "nb")
    assert long.markup.count("<details") == 1 and "30 rader" in long.markup


def test_values_are_escaped_and_links_safe() -> None:
    payload = "<img src=x onerror=alert(1)>"
    cell = table(
        [{"a": payload, "u": "javascript:alert(1)"}],
        [Col("a", "col.indicator"), Col("u", "col.source", "link")],
        "en",
    ).markup
    assert payload not in cell and "&lt;img src=x onerror=alert(1)&gt;" in cell
    assert "href" not in cell, "a javascript: URL is shown as text, never as a link"
    assert (
        html_text('"x"') == "&quot;x&quot;" and safe_url("https://ssb.no/x") == "https://ssb.no/x"
    )
    assert md_text("[x](javascript:y)").startswith("\\[x\\]")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_verdict_sentences_have_no_raw_floats(lang: str) -> None:
    texts = [
        verdict_text(
            lang=lang,
            design="D",
            outcome="o",
            start=2018,
            estimate=0.9,
            ci=(0.849, 0.953),
            p_value=7e-18,
            scale="ratio",
        ),
        verdict_text(
            lang=lang,
            design="D",
            outcome="o",
            start=2018,
            estimate=-1290.4,
            ci=(-2000.0, -500.0),
            p_value=0.0,
            scale="difference",
            unit="per år",
            caveats=["small caveat", "another one"],
        ),
    ]
    for t in texts:
        assert not re.search(r"\d[eE][-+]?\d|p = 0[.,]000", t), t
        assert re.search(r"Forbehold: [A-ZÆØÅ]|Caveats: [A-Z]", t) or "small" not in t
    dec = "," if lang == "nb" else "."
    assert f"0{dec}90" in texts[0] and ("p < 0,001" if lang == "nb" else "p < 0.001") in texts[0]


def _results(tmp_path: Path, side05: dict) -> dict:
    (tmp_path / "05_assessment_summary.html").write_text("<html></html>")
    return {
        "year": 2024,
        "lang": "nb",
        "params": {"year": 2024, "own_data": "/home/ana/secret/export.csv"},
        "ptvlib_version": "0.1.0",
        "finished": "2026-12-01T21:05:00+00:00",
        "elapsed_seconds": 1.0,
        "notebooks": [
            {
                "notebook": "05_assessment_summary",
                "ok": True,
                "cell": "",
                "error": "",
                "timings": {"wall": 3.0},
                "html": "05_assessment_summary.html",
                "sidecar": side05,
            },
        ],
    }


def _combined(**extra):  # type: ignore[no-untyped-def]
    return {
        "outcome": "Rusmiddellovbrudd",
        "offence_group": "drugs",
        "design_key": "combined",
        "design": "Samlet",
        "verdict": "weak_decrease",
        "family": "activity",
        "text": "Rusmiddellovbrudd: kalibrert tekst fra vurderingen.",
        **extra,
    }


def test_the_index_renders_the_calibrated_keys_when_present(tmp_path: Path) -> None:
    designs = [
        {
            "outcome": "Rusmiddellovbrudd",
            "offence_group": "drugs",
            "design_key": "synth",
            "design": "Syntetisk kontroll",
            "estimate": -0.81,
            "p_value": 0.02,
            "scale": "difference",
            "verdict": "decrease",
            "counts": True,
            "mde": 0.24,
            "p_kind": "placebo",
        },
        {
            "outcome": "Rusmiddellovbrudd",
            "offence_group": "drugs",
            "design_key": "did_poisson",
            "design": "Forskjell-i-forskjeller (Poisson)",
            "estimate": 0.96,
            "ci_low": 0.89,
            "ci_high": 1.04,
            "p_value": 0.28,
            "scale": "ratio",
            "verdict": "inconclusive",
            "counts": False,
            "why_not": "for få sammenligningsenheter",
        },
    ]
    side = {
        "headlines": [_combined()],
        "designs": designs,
        "provenance": [
            {"kind": "fallback", "table": "08487", "detail": "SSB table 08487 unavailable"}
        ],
        "answerability": {
            "sentence": "Dataene kan oppdage en endring på 24 % eller mer.",
            "mde": {"drugs": 0.24},
            "funding_share_of_budget": [0.01, 0.02],
            "answerable": False,
        },
        "calibration": {
            "sentence": "Kjørt på 300 kommuner uten tiltak: signal i 4,7 % av tilfellene.",
            "n_units": 300,
            "n_assessments": 300,
            "n_signals": 14,
            "share": 0.047,
            "per_design": {},
            "settings": {},
        },
    }
    index = write_index(validate_params(), tmp_path, _results(tmp_path, side)).read_text()
    assert "Dataene kan oppdage en endring på 24 % eller mer." in index  # the power sentence
    assert "signal i 4,7 % av tilfellene" in index and "Kalibrering" in index
    assert "kalibrert tekst fra vurderingen" in index, "the assessment's own verdict text"
    bullet = summary.design_bullet(designs[1], "nb")
    assert "Teller ikke" in bullet and "for få sammenligningsenheter" in bullet
    assert "24" in index and "Minste påviselige effekt" in index
    assert "SSB table 08487 unavailable" in index, "the fallback is in the banner"
    assert "/home/ana" not in index and "export.csv" in index


def test_the_index_without_the_calibrated_keys(tmp_path: Path) -> None:
    designs = [
        {
            "outcome": "Rusmiddellovbrudd",
            "offence_group": "drugs",
            "design_key": "did_poisson",
            "design": "Forskjell-i-forskjeller (Poisson)",
            "estimate": 0.96,
            "ci_low": 0.89,
            "ci_high": 1.04,
            "p_value": 0.28,
            "scale": "ratio",
            "verdict": "inconclusive",
            "pretrend_p": 7e-18,
        },
    ]
    side = {"headlines": [_combined(text="")], "designs": designs}
    index = write_index(validate_params(), tmp_path, _results(tmp_path, side)).read_text()
    assert "trendene før start var ikke parallelle (p &lt; 0,001)" in index
    assert "politiets egne tall per bydel" in index, "the power sentence until calibration lands"
    assert "<html lang='nb'>" in index
    json.dumps(side)  # the sidecar shape stays JSON


def test_a_design_that_does_not_count_points_nowhere_and_says_why_once() -> None:
    from ptvlib.assessment.verdict_text import why_not_text

    for lang, word in (("nb", "Teller ikke"), ("en", "Does not count")):
        row = {
            "design_key": "did_poisson",
            "design": "DiD",
            "estimate": 0.9,
            "ci_low": 0.85,
            "ci_high": 0.95,
            "p_value": 3e-4,
            "p_kind": "model",
            "scale": "ratio",
            "verdict": "decrease",
            "counts": False,
            "why_not": why_not_text("did_poisson", lang),
        }
        bullet = summary.design_bullet(row, lang)
        assert bullet.count(word) == 1 and bullet.lower().count(word.lower()) == 1, bullet
        assert ".." not in bullet
        assert summary.effect_text(row, lang).endswith("0,001" if lang == "nb" else "0.001")
        shown = summary.with_counts([row, {**row, "counts": True}], lang)
        assert shown[0]["verdict"] is None and shown[1]["verdict"] == "decrease"
        html = table(shown, summary.design_columns(), lang).markup
        assert html.count("ptv-badge") == 1, "a badge only for the design that counts"


def test_the_family_wise_p_value_is_named() -> None:
    row = {"design_key": "combined", "p_value": 0.5, "p_kind": "holm"}
    assert summary.p_text(row, "nb") == "Holm-justert p = 0,50"
    assert summary.p_text(row, "en") == "Holm-adjusted p = 0.50"


def test_the_summary_plot_draws_only_scales_that_have_rows() -> None:
    from ptvlib.report.figures import plot_summary

    rows = [
        {"outcome": "Vold", "design_key": "sdid", "design": "SDID", "estimate": 1.01,
         "ci_low": 0.75, "ci_high": 1.36, "p_value": 0.95, "scale": "ratio", "counts": True},
    ]  # fmt: skip
    assert len(plot_summary(rows).axes) == 1, "no empty panel for a scale without rows"
    both = [*rows, {**rows[0], "design_key": "did_ols", "scale": "difference", "estimate": -3.0,
                    "ci_low": -5.0, "ci_high": -1.0}]  # fmt: skip
    assert len(plot_summary(both).axes) == 2
