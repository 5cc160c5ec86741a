"""Stored script injection: markup in data, parameters and file names never runs or links.

An own-data file whose indicator names, area codes, area names and sources
hold ``<script>``, ``<img onerror>`` and ``[x](javascript:…)`` payloads — in a
file whose name is itself a payload, with payload area codes as
``treated_areas`` — goes through a full ``ptv report``. Every page is then
opened in headless Chromium: no payload may have run (each would set
``window.__pwned``), no element may carry an event-handler attribute, no
link may point to ``javascript:``, no image may load ``x``; and the payloads
must be on the page as text, so the test is not passing because the data
were dropped.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ptvlib.assessment.params import validate_params
from ptvlib.report.runner import run_report

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCRIPT = "<script>window.__pwned='script'</script>"
IMG = "<img src=x onerror=\"window.__pwned='img'\">"
LINK = "[x](javascript:window.__pwned='md')"
PAYLOADS = (SCRIPT, IMG, LINK)

DOM_CHECK = """(() => ({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  handlers: Array.from(document.querySelectorAll('*')).flatMap(
      e => Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
  jsLinks: Array.from(document.querySelectorAll('[href],[src]')).filter(
      e => /^\\s*(javascript|data:text|vbscript):/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length,
  scripts: document.querySelectorAll('script').length,
  xImages: Array.from(document.images).filter(i => i.getAttribute('src') === 'x').length,
  text: document.body.innerText,
}))()"""


def _payload_own_data(folder: Path) -> Path:
    rng = np.random.default_rng(2018)
    areas = [
        (f"A1{SCRIPT}", f"Område {IMG}"),
        (f"A2{IMG}", f"Område {LINK}"),
        (f"A3{LINK}", f"Område {SCRIPT}"),
        ("A4", "Område fire"),
        ("A5", "Område fem"),
        ("A6", "Område seks"),
    ]
    rows = []
    for code, name in areas:
        base = rng.uniform(200, 400)
        for year in range(2012, 2025):
            for indicator in (f"cases {SCRIPT}", f"seizures {IMG}"):
                rows.append(
                    {
                        "region": code,
                        "region_name": name,
                        "level": "area",
                        "year": year,
                        "indicator": indicator,
                        "value": float(rng.poisson(base)),
                        "unit": "count",
                        "source": f"export {LINK} {SCRIPT}",
                    }
                )
    path = folder / "<img src=x onerror=window.__pwned=1>.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("injection")
    own = _payload_own_data(root)
    params = validate_params(
        own_data=str(own), treated_areas=[f"A1{SCRIPT}", f"A2{IMG}", f"A3{LINK}"]
    )
    result = run_report(params, out=root / "reports", jobs=2, progress=False)
    assert result.failed == [], result.failed
    return result.index.parent


def test_no_payload_runs_or_links_on_any_page(report: Path) -> None:
    from _browser import Browser

    browser = Browser()
    try:
        shown = {}
        for page in sorted(report.glob("*.html")):
            browser.open(page.as_uri(), settle=0.8)
            dom = browser.evaluate(DOM_CHECK)
            assert dom["pwned"] is None, f"a payload ran on {page.name}: {dom['pwned']}"
            assert dom["handlers"] == [], f"{page.name}: {dom['handlers'][:5]}"
            assert dom["jsLinks"] == 0 and dom["scripts"] == 0 and dom["xImages"] == 0, page.name
            shown[page.name] = dom["text"]
        page06 = shown["06_bydel.html"]
        for payload in PAYLOADS:
            assert payload in page06, f"payload not shown as text on page 6: {payload}"
        assert SCRIPT in shown["index.html"], "the parameters (treated_areas) are shown, inert"
    finally:
        browser.close()


def test_the_export_sanitises_raw_html_outputs(tmp_path: Path) -> None:
    """The second line of defence: raw HTML or Markdown output in a notebook is sanitised."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from ptvlib.report.export import export_html

    node = new_notebook(
        cells=[
            new_markdown_cell(f"# Title {LINK} {IMG}"),
            new_code_cell(
                "x",
                outputs=[
                    new_output("display_data", data={"text/html": f"<p>{SCRIPT}{IMG}</p>"}),
                    new_output("display_data", data={"text/markdown": f"{LINK} and {IMG}"}),
                    new_output(
                        "error", ename="OSError", evalue="/home/ana/secret/x.csv", traceback=["tb"]
                    ),
                ],
            ),
        ]
    )
    src = tmp_path / "raw.ipynb"
    nbformat.write(node, src)
    out = tmp_path / "raw.html"
    export_html(src, out, stem="raw", lang="en")
    body = out.read_text(encoding="utf-8")
    low = body.lower()
    assert "<script" not in low
    assert not re.search(r"<[a-z][^<>]*\son[a-z]+\s*=", low), "no live event-handler attribute"
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", low), "no javascript: link"
    assert "/home/ana" not in body and "x.csv" in body
    assert '<html lang="en"' in body
