"""``report.pdf``: the index and every page in one A4 document, printed by headless Chromium.

:func:`write_pdf` joins ``index.html`` and the notebook pages of a report
folder into one print document — the report's print style sheet (A4, no cut
columns, headings kept with what follows, collapsed sections expanded),
links between pages turned into links inside the document, and a footer on
every sheet with the run's data sources, its date and the page number — and
prints it with Chromium (``--headless --print-to-pdf``). The PDF is written
atomically; the print document is a temporary file.

Chromium is found through ``PTV_CHROMIUM`` or on ``PATH`` (``chromium``,
``chromium-browser``, ``google-chrome``); ``make report`` installs Debian's
``chromium`` when it is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ptvlib.basics.exceptions import PtvError
from ptvlib.basics.io import atomic_path
from ptvlib.basics.literals import Lang

__all__ = ["PdfError", "chromium_path", "print_document", "write_pdf"]

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class PdfError(PtvError):
    """The PDF could not be written (no browser, or the browser failed)."""


def chromium_path() -> str:
    """The browser that prints the PDF: ``PTV_CHROMIUM``, else Chromium or Chrome on ``PATH``.

    Raises
    ------
    PdfError
        No browser found; the message says how to install one.
    """
    env = os.environ.get("PTV_CHROMIUM", "").strip()
    if env:
        return env
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "no Chromium found for the PDF: install it (Debian: 'apt-get install chromium', or "
        "'make browser') or set PTV_CHROMIUM=/path/to/chromium"
    )


_MARGIN_FONT = "font-family: system-ui, 'DejaVu Sans', sans-serif;"
_BODY = re.compile(r"<body[^>]*>(.*)</body>", flags=re.S | re.I)
_HEAD = re.compile(r"<head[^>]*>(.*)</head>", flags=re.S | re.I)


def _body(html: str) -> str:
    found = _BODY.search(html)
    return found.group(1) if found else html


def _css_string(value: str) -> str:
    """*value* as a CSS string literal (for ``content:``)."""
    clean = " ".join(value.split())
    return '"' + clean.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _footer(results: dict[str, Any], lang: Lang) -> str:
    from datetime import datetime

    from ptvlib.basics.numbers import date_text
    from ptvlib.basics.style import SYNTHETIC_LABEL
    from ptvlib.report import provenance
    from ptvlib.report.texts import label, text

    records: list[Any] = []
    for row in results.get("notebooks", []):
        records += provenance.records_from((row.get("sidecar") or {}).get("provenance", []))
    records = provenance.records_from(records)
    parts = []
    for rec in provenance.records_from(records) or provenance.default_records():
        if rec.kind == "embedded":
            if not rec.table:  # the snapshot once; its tables are named on the pages
                parts.append(text("pdf.embedded", lang, version=rec.detail or "–"))
        elif rec.kind == "own" and rec.detail == provenance.SYNTHETIC:
            parts.append(text("pdf.own_synthetic", lang, file=rec.table))
        elif rec.kind == "own":
            parts.append(text("pdf.own", lang, file=rec.table))
        else:
            name = label("dataset_name", rec.table, lang, default=rec.table)
            parts.append(text(f"pdf.{rec.kind}", lang, table=name))
    try:
        when = date_text(datetime.fromisoformat(str(results.get("finished"))).astimezone(), lang)
    except (TypeError, ValueError):
        when = ""
    footer = text("pdf.footer", lang, sources="; ".join(dict.fromkeys(parts)), date=when)
    if any(r.kind == "own" and r.detail == provenance.SYNTHETIC for r in records):
        # First, so that a narrow margin never cuts it off.
        footer = f"{SYNTHETIC_LABEL} · {footer}"
    return footer


def print_document(out_dir: Path) -> str:
    """The print document of the report in *out_dir*: index and pages, in order, as one HTML."""
    from ptvlib.report.texts import text

    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    lang: Lang = results.get("lang", "nb")
    stems = [
        r["notebook"] for r in results["notebooks"] if (out_dir / f"{r['notebook']}.html").exists()
    ]
    pages = {s: (out_dir / f"{s}.html").read_text(encoding="utf-8") for s in stems}
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    head_source = pages[stems[0]] if stems else index
    head = _HEAD.search(head_source)
    title = text("report.title", lang)
    footer = _footer(results, lang)
    page_css = (
        "@page { size: A4; margin: 15mm 13mm 18mm 13mm;"
        f" @bottom-left {{ content: {_css_string(footer)}; {_MARGIN_FONT} font-size: 7pt;"
        " color: #666; width: 80%; }"
        ' @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt;'
        f" {_MARGIN_FONT} color: #666; }} }}"
        " .ptv-print-page { break-before: page; }"
        " .ptv-index { max-width: none; margin: 0; padding: 0; }"
        " .ptv-nav { display: none; }"
    )
    body = [f"<section class='ptv-index' id='index'>{_body(index)}</section>"]
    for stem in stems:
        body.append(
            f"<section class='ptv-print-page' id='page-{stem}'>{_body(pages[stem])}</section>"
        )
    doc = "".join(body)
    doc = re.sub(r"<details(?![^>]*\bopen\b)", "<details open", doc)
    for stem in stems:  # links between files become links inside the document
        doc = doc.replace(f"href='{stem}.html'", f"href='#page-{stem}'")
        doc = doc.replace(f'href="{stem}.html"', f'href="#page-{stem}"')
    doc = doc.replace("href='index.html'", "href='#index'")
    head_html = head.group(1) if head else ""
    head_html = re.sub(r"<title>.*?</title>", "", head_html, flags=re.S)
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head>{head_html}<title>{title}</title>"
        f"<style>{page_css}</style></head><body class='jp-Notebook'>{doc}</body></html>"
    )


def write_pdf(out_dir: Path, *, timeout: float = 180.0) -> Path:
    """Print the report in *out_dir* (``index.html`` and its pages) to ``out_dir/report.pdf``.

    Parameters
    ----------
    out_dir : pathlib.Path
        A report folder written by ``ptv report`` (with ``results.json``).
    timeout : float
        Seconds allowed for the browser.

    Returns
    -------
    pathlib.Path
        The PDF.

    Raises
    ------
    PdfError
        No browser, the browser failed or timed out, or it wrote no PDF.
    """
    browser = chromium_path()
    out_dir = Path(out_dir)
    target = out_dir / "report.pdf"
    with tempfile.TemporaryDirectory(prefix="ptv-pdf-") as tmp:
        doc = Path(tmp) / "report-print.html"
        doc.write_text(print_document(out_dir), encoding="utf-8")
        with atomic_path(target, suffix=".pdf") as part:
            cmd = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--print-to-pdf={part}",
                doc.as_uri(),
            ]
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=timeout, check=False
                )
            except subprocess.TimeoutExpired:
                raise PdfError(
                    f"the browser did not print the PDF within {timeout:.0f} s"
                ) from None
            except OSError as err:
                raise PdfError(f"the browser {browser!r} could not start: {err}") from None
            if proc.returncode != 0 or not Path(part).exists() or Path(part).stat().st_size == 0:
                tail = (proc.stderr or "").strip().splitlines()[-3:]
                raise PdfError(
                    f"the browser failed to print the PDF (exit {proc.returncode}): {' | '.join(tail)}"
                )
    return target
