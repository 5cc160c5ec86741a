"""The report's ``index.html``: the answer first, then the verdicts, the pages and their numbers.

A self-contained page (the report's style sheet inline, no scripts, no
external resources, relative links only) so it opens from a file share or an
e-mail attachment. One language (``<html lang>`` and ``<title>`` follow it);
every text from the catalogue, every number through the report's formatter,
every value escaped.

It opens with three sentences a reader can quote (:func:`ptvlib.report.summary.lead`):
what the data show, what stands out, and how much the data can show at all
(the assessment's ``answerability`` sentence when present), then — when the
bydel page analysed own data — a fourth on its verdicts under the same rule
(its sidecar's ``own`` record, labelled when the data are synthetic), then the
verdict per outcome with which designs count. Synthetic own data get the red
synthetic banner under the data sources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptvlib.basics.io import atomic_write_text
from ptvlib.basics.literals import Lang
from ptvlib.report import provenance, summary
from ptvlib.report.escape import html_format, html_text
from ptvlib.report.export import TEMPLATES_DIR, page_title
from ptvlib.report.tables import Col, table
from ptvlib.report.texts import label, text

if TYPE_CHECKING:
    from ptvlib.assessment.params import Params

__all__ = ["VERDICT_WORDS", "index_css", "write_index"]

#: Verdict codes in words, by language (from the text catalogue).
VERDICT_WORDS: dict[str, dict[str, str]] = {
    lang: {
        code: text(f"verdict.{code}", lang)
        for code in (
            "decrease",
            "increase",
            "inconclusive",
            "weak_decrease",
            "weak_increase",
            "conflicting",
        )
    }
    for lang in ("nb", "en")
}


def index_css() -> str:
    """The report's style sheet (the same as the notebook pages')."""
    return (TEMPLATES_DIR / "ptv_report" / "ptv.css").read_text(encoding="utf-8")


def _badge(code: str, lang: Lang) -> str:
    if not code:
        return ""
    word = label("verdict", code, lang, default=code)
    return f"<span class='ptv-badge v-{html_text(code)}'>{html_text(word)}</span>"


def _ok_sidecar(row: Mapping[str, Any]) -> dict[str, Any]:
    """The sidecar of a notebook that ran (a failed notebook's numbers are never shown)."""
    return dict(row.get("sidecar") or {}) if row.get("ok") else {}


def _conclusions(nbs: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Combined rows and design rows of the summary page (else of the funding page), and its sidecar."""
    for prefix in ("05", "03"):
        for r in nbs:
            side = _ok_sidecar(r)
            if not r["notebook"].startswith(prefix) or not side:
                continue
            rows = list(side.get("headlines", [])) + list(side.get("designs", []))
            if any(h.get("design_key") == "combined" for h in rows):
                return rows, side
    return [], {}


def _own_record(nbs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The bydel page's ``own`` record when it analysed own data (its verdicts' sentence), else {}."""
    for r in nbs:
        own = _ok_sidecar(r).get("own") if str(r["notebook"]).startswith("06") else None
        if isinstance(own, Mapping) and own.get("analysed") and own.get("sentence"):
            return dict(own)
    return {}


def _numbers(
    rows: Sequence[Mapping[str, Any]], lang: Lang, designs: Sequence[Mapping[str, Any]] = ()
) -> str:
    if rows and all(r.get("design_key") == "combined" for r in rows):
        shown_c = []
        for r in rows:
            mine = [d for d in designs if d.get("offence_group") == r.get("offence_group")]
            counted = [d for d in mine if summary.counts(d, lang)[0]]
            mdes = [float(d["mde"]) for d in counted if d.get("mde") is not None]
            shown_c.append(
                {
                    **r,
                    "counted": f"{len(counted)} / {len(mine)}" if mine else "",
                    # The primary design's MDE when the assessment gives it (the rule's).
                    "mde_min": r["mde"]
                    if r.get("mde") is not None
                    else (min(mdes) if mdes else None),
                }
            )
        cols = [
            Col("outcome", "col.outcome"),
            Col("verdict", "col.verdict", "verdict"),
            Col("counted", "col.counts"),
        ]
        if any(r["mde_min"] is not None for r in shown_c):
            cols.append(Col("mde_min", "col.mde", "share"))
        return table(shown_c, cols, lang, collapse=0, css="ptv-narrow").markup
    descriptive = all(r.get("scale") in summary.DESCRIPTIVE_SCALES for r in rows)
    if descriptive:
        cols = [
            Col("outcome", "col.outcome"),
            Col("design", "col.measure"),
            Col("estimate", "col.value", "estimate"),
        ]
        return table(rows, cols, lang, collapse=0).markup
    shown = [
        {**r, "counts_text": ""} if r.get("design_key") == "combined" else r
        for r in summary.with_counts(rows, lang)
    ]
    mde = any(r.get("mde") is not None for r in rows)
    return table(shown, summary.design_columns(mde=mde), lang, collapse=0).markup


def write_index(params: Params, out_dir: Path, results: dict[str, Any]) -> Path:
    """Write ``out_dir/index.html`` from the gathered ``results`` and return its path."""
    from ptvlib.basics.numbers import date_text
    from ptvlib.data.regions import region_name

    lang: Lang = params.lang
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    nbs = results["notebooks"]
    title = f"{t('report.title')} – {t('report.subtitle', year=params.year).lower()}"
    parts = [
        f"<!DOCTYPE html><html lang='{'nb' if lang == 'nb' else 'en'}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{html_text(title)}</title><style>{index_css()}</style></head>",
        "<body class='ptv-index'><main>",
        f"<h1>{html_text(t('report.title'))}</h1>",
        f"<p class='ptv-subtitle'>{html_text(t('report.subtitle', year=params.year))}</p>",
    ]
    sources: list[Any] = provenance.default_records(str(params.own_data or ""))
    for r in nbs:
        sources += provenance.records_from(_ok_sidecar(r).get("provenance", []))
    sources = provenance.records_from(sources)
    parts.append(provenance.banner(sources, lang).markup)
    if any(r.kind == "own" and r.detail == provenance.SYNTHETIC for r in sources):
        parts.append(f"<p class='ptv-synthetic'>{html_text(t('report.synthetic'))}</p>")
    failed = [r for r in nbs if not r["ok"]]
    if failed:
        msg = t("report.failed_banner", n=len(failed))
        parts.append(f"<p class='ptv-failed-banner' id='failures'>{html_text(msg)}</p>")

    rows, side = _conclusions(nbs)
    combined = [h for h in rows if h.get("design_key") == "combined"]
    designs = [h for h in rows if h.get("design_key") != "combined"]
    own = _own_record(nbs)
    answerability = dict(side.get("answerability") or {})
    if own and answerability.get("sentence_own"):
        answerability["sentence"] = answerability["sentence_own"]
    lead = summary.lead(
        combined,
        lang,
        year=params.year,
        region=region_name(params.treated_region),
        start=params.start_year,
        answerability=answerability or None,
    )
    if own and combined:
        lead.append(str(own["sentence"]))
    parts.append(f"<section class='ptv-lead'><h2>{html_text(t('report.answer_heading'))}</h2>")
    parts += [f"<p>{html_text(s)}</p>" for s in lead]
    calibration = side.get("calibration") or {}
    if calibration.get("sentence"):
        parts.append(
            f"<p class='ptv-small'><strong>{html_text(t('report.calibration'))}:</strong> "
            f"{html_text(calibration['sentence'])}</p>"
        )
    parts.append(f"<p class='ptv-small'>{html_text(t('report.question'))}</p></section>")

    parts.append(f"<h2>{html_text(t('report.conclusions'))}</h2>")
    if combined:
        parts.append("<ul class='ptv-verdicts'>")
        for c in combined:
            mine = [d for d in designs if d.get("offence_group") == c.get("offence_group")]
            line = summary.outcome_line(c, mine, lang, start=params.start_year)
            parts.append(f"<li>{_badge(str(c.get('verdict', '')), lang)} {html_text(line)}</li>")
        parts.append("</ul>")
    else:
        parts.append(f"<p>{html_text(t('report.no_conclusions'))}</p>")

    parts.append(f"<h2>{html_text(t('report.analyses'))}</h2>")
    parts.append(
        f"<table class='ptv-table'><thead><tr><th scope='col'>{html_text(t('report.page'))}</th>"
        f"<th scope='col'>{html_text(t('report.status'))}</th>"
        f"<th scope='col' class='num'>{html_text(t('report.seconds'))}</th></tr></thead><tbody>"
    )
    for r in nbs:
        stem = str(r["notebook"])
        name = html_text(page_title(stem, lang))
        link = f"<a href='{html_text(r['html'])}'>{name}</a>" if r.get("html") else name
        if r["ok"]:
            status = f"<span class='ok'>{html_text(t('report.status_ok'))}</span>"
        else:
            msg = t("report.status_failed", cell=r.get("cell", ""), error=r.get("error", ""))
            status = f"<span class='failed' data-failed='{html_text(stem)}'>{html_text(msg)}</span>"
        wall = float(r.get("timings", {}).get("wall", 0.0))
        parts.append(f"<tr><td>{link}</td><td>{status}</td><td class='num'>{wall:.0f}</td></tr>")
    parts.append("</tbody></table>")
    if (out_dir / "report.pdf").exists():
        parts.append(f"<p><a href='report.pdf'>{html_text(t('report.pdf'))}</a></p>")

    parts.append(f"<h2>{html_text(t('report.numbers'))}</h2>")
    notes: list[str] = []
    for r in nbs:
        side_r = _ok_sidecar(r)
        shown = list(side_r.get("headlines", []))
        notes.extend(n for n in side_r.get("notes", []) if n not in notes)
        if not shown:
            continue
        opened = " open" if str(r["notebook"]).startswith("05") else ""
        parts.append(
            f"<details class='ptv-section'{opened}><summary>"
            f"{html_text(page_title(str(r['notebook']), lang))}</summary>"
        )
        parts.append(_numbers(shown, lang, list(side_r.get("designs", []))))
        parts.append("</details>")
    if notes:
        parts.append(
            f"<h2>{html_text(t('report.caveats'))}</h2><ul>"
            + "".join(f"<li>{html_text(n)}</li>" for n in notes)
            + "</ul>"
        )
    shown_params = {
        k: v for k, v in results["params"].items() if k not in ("output_dir", "force_error")
    }
    if shown_params.get("own_data"):
        shown_params["own_data"] = Path(str(shown_params["own_data"])).name
    parts.append(
        f"<h2>{html_text(t('report.params'))}</h2><p class='ptv-small'>"
        + ", ".join(
            f"<code>{html_text(k)}={html_text(json.dumps(v, ensure_ascii=False))}</code>"
            for k, v in shown_params.items()
        )
        + "</p>"
    )
    finished = _parse_time(results.get("finished"))
    generated = t(
        "report.generated",
        when=date_text(finished, lang, time=True),
        version=results.get("ptvlib_version", ""),
    )
    parts.append(f"<footer class='ptv-footer'>{html_format('{s}', s=t('report.source'))}<br>")
    parts.append(html_text(generated) + "</footer></main></body></html>")
    index = out_dir / "index.html"
    atomic_write_text(index, "\n".join(parts))
    return index


def _parse_time(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value)).astimezone()
    except (TypeError, ValueError):
        return datetime.now(UTC).astimezone()
