"""The report as a reader gets it, in both languages: screenshots, one language, number formats,
shareable files and the PDF.

Runs ``ptv report`` twice (bokmål and English, defaults plus the synthetic
own-data file), prints the bokmål report to PDF, and opens every page in
headless Chromium. Screenshots go to ``reports/browser-test/<lang>/``
(git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ptvlib.assessment.params import validate_params
from ptvlib.basics import config
from ptvlib.basics.version import __version__
from ptvlib.data.loading import BUILD_VERSION
from ptvlib.report.pdf import write_pdf
from ptvlib.report.runner import run_report
from ptvlib.report.texts import CATALOGUE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SHOTS = config.PROJECT_DIR / "reports" / "browser-test"
STEMS = [
    "01_data_overview",
    "02_crime_trends",
    "03_funding_effect",
    "04_enforcement_outcomes",
    "05_assessment_summary",
    "06_bydel",
]

#: Words that give away English in the bokmål report, and bokmål in the English one.
ENGLISH_WORDS = frozenset(
    "the and of with inconclusive decrease increase source weight verdict estimate caveats "
    "municipality municipalities offences reported inhabitants year years count value values "
    "table page summary overview trends funding effect police crime shown missing suppressed "
    "counts interval treated control observed fitted outcome outcomes rows period".split()
)
NORWEGIAN_WORDS = frozenset(
    "og av med ikke uavklart nedgang økning kilde vekt anslag forbehold kommune kommuner "
    "lovbrudd innbyggere år antall fra etter før er som det på oppsummering datagrunnlag "
    "side tabell rader teller utfall konklusjon periode behandlet observert tilpasset".split()
)

#: Visible text of the page without source wording quoted as published (``.ptv-verbatim``).
VISIBLE_TEXT = """(() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('.ptv-verbatim, style, script').forEach(e => e.remove());
  body.querySelectorAll('details').forEach(d => d.setAttribute('open', ''));
  document.documentElement.appendChild(body); const t = body.innerText; body.remove(); return t;
})()"""
#: The same without code (parameter names such as ``treated_region`` are identifiers, not words).
PROSE_TEXT = VISIBLE_TEXT.replace(
    "'.ptv-verbatim, style, script'", "'.ptv-verbatim, style, script, code'"
)


@pytest.fixture(scope="module")
def reports(demo_report: dict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bokmål report (shared with test_report, conftest) and the same run in English."""
    assert demo_report["result"].failed == [], demo_report["result"].failed
    root = tmp_path_factory.mktemp("publication")
    own = demo_report["own"]
    params = validate_params(own_data=str(own), treated_areas=["030115", "030101"], lang="en")
    result = run_report(params, out=root / "en", jobs=2, progress=False)
    assert result.failed == [], result.failed
    out = {"nb": demo_report["dir"], "en": result.index.parent}
    write_pdf(out["nb"])
    return out


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from _browser import Browser

    b = Browser()
    yield b
    b.close()


def _pages(folder: Path) -> list[Path]:
    return [folder / "index.html", *(folder / f"{s}.html" for s in STEMS)]


def test_screenshots_of_every_page_in_both_languages(reports: dict[str, Path], browser) -> None:  # type: ignore[no-untyped-def]
    for lang, folder in reports.items():
        shutil.rmtree(SHOTS / lang, ignore_errors=True)
        for page in _pages(folder):
            browser.open(page.as_uri())
            assert browser.errors() == [], f"console errors on {lang}/{page.name}"
            broken = browser.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
            )
            assert broken == 0, f"{broken} broken image(s) on {lang}/{page.name}"
            png = browser.screenshot(SHOTS / lang / f"{page.stem}.png")
            assert png.stat().st_size > 20_000, png


def _other_language_entries(lang: str) -> list[str]:
    """Fragments (>= 12 characters, between fields) of every entry only the other language has."""
    other = "en" if lang == "nb" else "nb"
    mine = {v[lang] for v in CATALOGUE.values()}
    fragments = set()
    for entry in CATALOGUE.values():
        if entry[other] in mine or entry[other] == entry[lang]:
            continue
        for part in re.split(r"\{[^}]*\}|\n|\*\*|\*|`", entry[other]):
            part = part.strip(" .,:;–-()«»'\"")
            if len(part) >= 12 and part not in entry[lang]:
                fragments.add(part)
    return sorted(fragments)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_page_is_in_one_language(reports: dict[str, Path], browser, lang: str) -> None:  # type: ignore[no-untyped-def]
    words = ENGLISH_WORDS if lang == "nb" else NORWEGIAN_WORDS
    fragments = _other_language_entries(lang)
    title = CATALOGUE["report.title"][lang]
    for page in _pages(reports[lang]):
        browser.open(page.as_uri())
        assert browser.evaluate("document.documentElement.lang") == lang, page.name
        assert title in browser.evaluate("document.title"), page.name
        text = browser.evaluate(PROSE_TEXT)
        tokens = set(re.findall(r"[^\W\d_]+", text.lower()))
        assert not tokens & words, f"{lang}/{page.name}: {sorted(tokens & words)}"
        found = [f for f in fragments if f in text]
        assert not found, f"{lang}/{page.name} shows the other language: {found[:5]}"


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_numbers_read_as_numbers_in_the_report_language(
    reports: dict[str, Path],
    browser,  # type: ignore[no-untyped-def]
    lang: str,
) -> None:
    bad = [
        r"\d[eE][-+]?\d",  # 7e-18, -1.29e+03
        r"p = 0[.,]000\b",
        r"\bNaN\b|\bnan\b|\bNone\b(?! of)|\bTrue\b|\bFalse\b|\binf\b",
        r"\d{4}-\d{2}-\d{2}T\d{2}",  # ISO timestamps
        r"PosixPath",
        r"(?<![\d,.])\d{4,}[.,]0\b",  # 6234.0: a count as a float, without digit grouping
    ]
    if lang == "nb":
        bad.append(r"\d\.\d")  # a decimal point in bokmål
        bad.append(r"(?<![\d,])[1-9]\d{0,2},\d{3}(?!\d)")  # 70,192
    else:
        bad.append(r"\d,\d{1,2}(?!\d)")  # a decimal comma in English
    for page in _pages(reports[lang]):
        browser.open(page.as_uri())
        text = browser.evaluate(VISIBLE_TEXT)
        for name in (__version__, BUILD_VERSION, "CC BY 4.0", "NLOD 2.0"):  # names, not numbers
            text = text.replace(name, "")
        for pattern in bad:
            hits = re.findall(rf".{{0,30}}(?:{pattern}).{{0,30}}", text)
            assert not hits, f"{lang}/{page.name}: {pattern} in {hits[:3]}"
    browser.open((reports[lang] / "index.html").as_uri())
    text = browser.evaluate(VISIBLE_TEXT)
    assert re.search(r"70\s192" if lang == "nb" else r"70,192", text), "counts with digit grouping"
    assert ("p < 0,001" if lang == "nb" else "p < 0.001") in text


def test_shareable_files(reports: dict[str, Path], browser) -> None:  # type: ignore[no-untyped-def]
    """Relative links only, a link back to the index and a data banner on every page, no paths."""
    for lang, folder in reports.items():
        machine = [str(folder.parent.parent), str(config.PROJECT_DIR), "/tmp/", "/home/", "/root/"]
        for path in [*folder.glob("*.html"), *folder.glob("*.json"), *folder.glob("*.ipynb")]:
            body = path.read_text(encoding="utf-8")
            for marker in machine:
                assert marker not in body, f"{lang}/{path.name} holds a machine path ({marker})"
            assert "PosixPath" not in body
        for page in _pages(folder):
            browser.open(page.as_uri())
            hrefs = browser.evaluate("Array.from(document.links).map(a => a.getAttribute('href'))")
            for href in hrefs:
                if href.startswith(("http://", "https://", "#")):
                    continue
                assert "://" not in href and not href.startswith("/"), href
                assert (folder / href).exists(), f"{page.name} links to a missing {href}"
            if page.name != "index.html":
                assert "index.html" in hrefs, f"{page.name} has no link back to the index"
            assert browser.evaluate("document.querySelectorAll('.ptv-banner').length") == 1
            banner = browser.evaluate("document.querySelector('.ptv-banner').innerText")
            assert BUILD_VERSION in banner
        browser.open((folder / "06_bydel.html").as_uri())
        assert "own_demo.csv" in browser.evaluate("document.querySelector('.ptv-banner').innerText")


def test_the_index_opens_with_the_answer(reports: dict[str, Path], browser) -> None:  # type: ignore[no-untyped-def]
    browser.open((reports["nb"] / "index.html").as_uri())
    lead = browser.evaluate(
        "Array.from(document.querySelectorAll('.ptv-lead p')).map(p => p.innerText)"
    )
    assert lead[0].startswith("Offentlige data til og med 2024 viser")
    # Every outcome is inconclusive under the calibrated rule; the third sentence is the
    # assessment's answerability statement.
    assert "Ingen av designene på kommunenivå" in lead[1]
    assert "kan ikke besvare spørsmålet" in lead[2] and "bydel" in lead[2]
    heading = browser.evaluate("document.querySelector('.ptv-lead h2').innerText")
    assert heading == "Svaret i korte trekk"


def test_pdf_has_every_page_on_a4(reports: dict[str, Path]) -> None:
    pdf = reports["nb"] / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+59[45]\.\d+ x 841\.\d+ pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 6
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert CATALOGUE["report.title"]["nb"] in flat
    for stem in STEMS:
        assert CATALOGUE[f"page.{stem}"]["nb"] in flat, f"heading of {stem} not in the PDF"
    assert f"1 / {pages}" in flat and f"{pages} / {pages}" in flat, "page numbers"
    assert BUILD_VERSION in flat, "the data sources in the footer"
    # Collapsed sections are printed: a recipient only the (collapsed) funding table names.
    assert "Troms politidistrikt" in flat
    results = json.loads((reports["nb"] / "results.json").read_text(encoding="utf-8"))
    assert results["lang"] == "nb"
