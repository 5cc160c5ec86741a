"""The report's ``index.html``: conclusions first, then the analyses and their numbers.

A self-contained page (inline CSS, no scripts, no external resources) so it
opens from a file share or an e-mail attachment. Text in bokmål or English.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ptvlib.basics.io import atomic_write_text

if TYPE_CHECKING:
    from ptvlib.assessment.params import Params

__all__ = ["VERDICT_WORDS", "write_index"]

#: Verdict codes in words.
VERDICT_WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "decrease": "nedgang",
        "increase": "økning",
        "inconclusive": "uavklart",
        "weak_decrease": "svak indikasjon på nedgang",
        "weak_increase": "svak indikasjon på økning",
        "conflicting": "motstridende",
    },
    "en": {
        "decrease": "decrease",
        "increase": "increase",
        "inconclusive": "inconclusive",
        "weak_decrease": "weak indication of a decrease",
        "weak_increase": "weak indication of an increase",
        "conflicting": "conflicting",
    },
}

_TEXT = {
    "nb": {
        "title": "Effekt av politisatsingen i utsatte områder i Oslo",
        "lead": "Vurdering for {year}: går målrettede midler til Oslo politidistrikt sammen med mindre "
        "kriminalitet og flere straffesaker, beslag og inndragninger (påstanden i Politiets "
        "trusselvurdering 2021)? Tallene er offentlige data; konklusjonen kan være «uavklart».",
        "conclusions": "Konklusjon per utfall",
        "notebooks": "Analyser",
        "status_ok": "fullført",
        "status_failed": "feilet i celle {cell}: {error}",
        "numbers": "Tall fra hver analyse",
        "outcome": "Utfall",
        "design": "Mål/design",
        "estimate": "Anslag",
        "interval": "95 %-intervall",
        "p": "p-verdi",
        "verdict": "Retning",
        "params": "Parametre",
        "caveats": "Forbehold",
        "source": "Kilde: Statistisk sentralbyrå (tabell 08487, 07459) og offentlige nettsider; "
        "se data/README.md for datakatalogen.",
        "failed_banner": "{n} analyse(r) feilet – se markeringen under. De andre analysene er komplette.",
        "no_conclusions": "Oppsummeringen (notatbok 05) ga ingen konklusjoner.",
        "generated": "Laget {when} med ptvlib {version} på {secs:.0f} s.",
        "seconds": "sek",
    },
    "en": {
        "title": "Effect of the police effort in vulnerable areas in Oslo",
        "lead": "Assessment for {year}: does targeted funding of Oslo police district go with less crime "
        "and more prosecutions, seizures and confiscations (the claim of the police threat "
        "assessment 2021)? The numbers are public data; the verdict can be 'inconclusive'.",
        "conclusions": "Verdict per outcome",
        "notebooks": "Analyses",
        "status_ok": "completed",
        "status_failed": "failed in cell {cell}: {error}",
        "numbers": "Numbers from each analysis",
        "outcome": "Outcome",
        "design": "Measure/design",
        "estimate": "Estimate",
        "interval": "95 % interval",
        "p": "p-value",
        "verdict": "Direction",
        "params": "Parameters",
        "caveats": "Caveats",
        "source": "Source: Statistics Norway (tables 08487, 07459) and public web pages; "
        "see data/README.md for the data catalogue.",
        "failed_banner": "{n} analysis/analyses failed – see below. The other analyses are complete.",
        "no_conclusions": "The summary (notebook 05) gave no verdicts.",
        "generated": "Generated {when} with ptvlib {version} in {secs:.0f} s.",
        "seconds": "s",
    },
}

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #e5e5e5;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f5}.ok{color:#1a7f37}.failed{color:#b2182b;font-weight:600}
.banner{background:#fde8e8;border:1px solid #b2182b;padding:.6rem 1rem;border-radius:4px}
.num{text-align:right;font-variant-numeric:tabular-nums}.small{color:#666;font-size:.85rem}code{background:#f5f5f5;padding:0 .2rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:3px;font-size:.85rem;font-weight:600}
.v-decrease,.v-weak_decrease{background:#e6f4ea;color:#1a7f37}.v-increase,.v-weak_increase{background:#fde8e8;color:#b2182b}
.v-inconclusive,.v-conflicting{background:#fff4ce;color:#7a5d00}
ul.verdicts li{margin:.35rem 0}details{margin:.6rem 0}summary{cursor:pointer;font-weight:600}
"""


def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if abs(v) >= 1000:
            return f"{v:,.0f}".replace(",", " ")
        return f"{v:.3g}" if abs(v) >= 0.001 or v == 0 else f"{v:.1e}"
    return html.escape(str(v))


def _badge(code: str, lang: str) -> str:
    if not code:
        return ""
    word = VERDICT_WORDS[lang].get(code, code)
    return f"<span class='badge v-{html.escape(code)}'>{html.escape(word)}</span>"


def _numbers_table(rows: list[dict[str, Any]], t: dict[str, str], lang: str) -> str:
    e = html.escape
    out = [
        f"<table><tr><th>{e(t['outcome'])}</th><th>{e(t['design'])}</th>"
        f"<th class='num'>{e(t['estimate'])}</th><th>{e(t['interval'])}</th>"
        f"<th class='num'>{e(t['p'])}</th><th>{e(t['verdict'])}</th></tr>"
    ]
    for h in rows:
        lo, hi = h.get("ci_low"), h.get("ci_high")
        interval = f"{_fmt(lo)} – {_fmt(hi)}" if lo is not None and hi is not None else "–"
        out.append(
            f"<tr><td>{_fmt(h.get('outcome', ''))}</td><td>{_fmt(h.get('design', ''))}</td>"
            f"<td class='num'>{_fmt(h.get('estimate'))}</td><td>{interval}</td>"
            f"<td class='num'>{_fmt(h.get('p_value'))}</td>"
            f"<td>{_badge(str(h.get('verdict') or ''), lang)}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def write_index(params: Params, out_dir: Path, results: dict[str, Any]) -> Path:
    """Write ``out_dir/index.html`` from the gathered ``results`` and return its path."""
    lang = params.lang
    t = _TEXT[lang]
    e = html.escape
    nbs = results["notebooks"]
    parts = [
        f"<!DOCTYPE html><html lang='{'nb' if lang == 'nb' else 'en'}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>{e(t['title'])} – {params.year}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(t['title'])} – {params.year}</h1><p>{e(t['lead'].format(year=params.year))}</p>",
    ]
    failed = [r for r in nbs if not r["ok"]]
    if failed:
        parts.append(
            f"<p class='banner' id='failures'>{e(t['failed_banner'].format(n=len(failed)))}</p>"
        )

    summary = next((r for r in nbs if r["notebook"].startswith("05")), None)
    verdicts = [
        h for h in ((summary or {}).get("sidecar") or {}).get("headlines", []) if h.get("text")
    ]
    parts.append(f"<h2>{e(t['conclusions'])}</h2>")
    if verdicts:
        parts.append("<ul class='verdicts'>")
        for h in verdicts:
            parts.append(f"<li>{_badge(str(h.get('verdict', '')), lang)} {e(str(h['text']))}</li>")
        parts.append("</ul>")
    else:
        parts.append(f"<p>{e(t['no_conclusions'])}</p>")

    parts.append(
        f"<h2>{e(t['notebooks'])}</h2><table><tr><th></th><th>Status</th>"
        f"<th class='num'>{e(t['seconds'])}</th></tr>"
    )
    for r in nbs:
        stem = r["notebook"]
        link = f"<a href='{e(r['html'])}'>{e(stem)}</a>" if r["html"] else e(stem)
        if r["ok"]:
            status = f"<span class='ok'>{e(t['status_ok'])}</span>"
        else:
            msg = t["status_failed"].format(cell=r["cell"], error=r["error"])
            status = f"<span class='failed' data-failed='{e(stem)}'>{e(msg)}</span>"
        wall = r.get("timings", {}).get("wall", 0.0)
        parts.append(f"<tr><td>{link}</td><td>{status}</td><td class='num'>{wall:.0f}</td></tr>")
    parts.append("</table>")

    parts.append(f"<h2>{e(t['numbers'])}</h2>")
    notes: list[str] = []
    for r in nbs:
        side = r.get("sidecar") or {}
        rows = side.get("headlines", [])
        notes.extend(n for n in side.get("notes", []) if n not in notes)
        if not rows:
            continue
        opened = " open" if r["notebook"].startswith("03") else ""
        parts.append(f"<details{opened}><summary>{e(r['notebook'])}</summary>")
        parts.append(_numbers_table(rows, t, lang))
        parts.append("</details>")
    if notes:
        parts.append(
            f"<h2>{e(t['caveats'])}</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>"
        )
    shown = {k: v for k, v in results["params"].items() if k not in ("output_dir", "force_error")}
    parts.append(
        f"<h2>{e(t['params'])}</h2><p class='small'>"
        + ", ".join(
            f"<code>{e(k)}={e(json.dumps(v, ensure_ascii=False))}</code>" for k, v in shown.items()
        )
        + "</p>"
    )
    parts.append(f"<p class='small'>{e(t['source'])}<br>")
    generated = t["generated"].format(
        when=results["finished"], version=results["ptvlib_version"], secs=results["elapsed_seconds"]
    )
    parts.append(e(generated) + "</p></body></html>")
    index = out_dir / "index.html"
    atomic_write_text(index, "\n".join(parts))
    return index
