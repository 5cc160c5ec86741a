"""The one formatter for every table a report reader sees.

:func:`table` turns a frame (or a list of records) into an HTML table that
reads as a publication table, not as a pandas dump:

* headers from the text catalogue in the report language, with their unit;
* no index column; duplicate columns dropped;
* numbers in the language's format (:mod:`ptvlib.basics.numbers`): ``70 192``,
  ``0,83``, ``9,8 %``, ``< 0,001``; years without digit grouping;
* estimates with their scale (a rate ratio also as a percentage change, a
  difference with its unit);
* verdict codes as readable labels (badges), booleans as *ja*/*nei*;
* a missing value as "–", with its reason as a numbered note under the table
  where the reason is known;
* every value escaped (:mod:`ptvlib.report.escape`); links only to
  ``http(s)`` addresses;
* long tables collapsed in a ``<details>`` element (expanded in the PDF).

:func:`estimate_text` and :func:`interval_text` give the same formats for
sentences.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ptvlib.basics import numbers
from ptvlib.basics.literals import ColumnKind, EstimateScale, Lang, check_literal
from ptvlib.report.escape import Html, html_text, safe_url, url_label
from ptvlib.report.texts import label, text

__all__ = ["Col", "estimate_text", "interval_text", "is_missing", "table"]

_NUMERIC: frozenset[str] = frozenset(
    {"int", "number", "percent", "share", "p", "estimate", "interval", "year"}
)
_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


@dataclass(frozen=True)
class Col:
    """One column of a report table.

    Attributes
    ----------
    name : str
        Column (or record key) holding the value.
    header : str
        Catalogue key of the header (the header names its unit).
    kind : str
        How values are shown (:data:`ptvlib.basics.literals.ColumnKind`):
        ``text``, ``verbatim`` (source wording quoted as published), ``int``,
        ``number``, ``percent`` (a value in percent, ``9.8``), ``share``
        (``0.098``), ``p``, ``year``, ``bool``, ``label`` (a code shown as
        the catalogue entry ``labels.code``), ``verdict`` (a direction or
        verdict code as a badge; its words from ``labels.code`` when *labels*
        is given, else ``verdict.code``), ``estimate`` (uses the row's ``scale`` and
        ``unit``), ``interval`` (this column and *hi*), ``link``.
    decimals : int, optional
        Digits after the decimal mark (``number``, ``percent``, ``share``).
    labels : str, optional
        Catalogue prefix for ``label`` and ``verdict`` columns (``"group"``, ``"combined"``).
    hi : str, optional
        Upper bound column of an ``interval``.
    missing : str or callable, optional
        Why a value is missing: a catalogue key, or a function of the row and
        the language returning the reason (or None). Shown as a numbered note.
    header_values : mapping, optional
        Fields of the header text (e.g. ``{"period": "2023-2024"}``).
    nowrap : bool
        Keep each cell on one line (short texts such as ``placebo-p = 0,02``).
    """

    name: str
    header: str
    kind: ColumnKind = "text"
    decimals: int | None = None
    labels: str | None = None
    hi: str | None = None
    missing: str | Callable[[Mapping[str, Any], Lang], str | None] | None = None
    header_values: Mapping[str, Any] | None = None
    nowrap: bool = False


def is_missing(value: Any) -> bool:
    """True for None, NaN, pandas NA and empty strings.

    Examples
    --------
    >>> is_missing(None), is_missing(float("nan")), is_missing(""), is_missing(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


def estimate_text(
    value: Any, scale: EstimateScale | str | None, lang: Lang = "nb", *, unit: str = ""
) -> str:
    """An estimate on its scale, as a reader reads it (plain text).

    Parameters
    ----------
    value : float
        The estimate.
    scale : str
        ``ratio`` (rate ratio: shown with its percentage change),
        ``difference`` (signed, with *unit*), ``percent`` (a value in percent),
        ``count`` (whole number, with *unit* when given), ``rate`` and ``index`` (one decimal),
        ``rank`` (whole number); anything else: a plain number.
    lang : {"nb", "en"}
        Report language.
    unit : str
        Unit shown after a difference (e.g. ``per 1 000 innb.``).

    Examples
    --------
    >>> estimate_text(0.9, "ratio"), estimate_text(0.9, "ratio", "en")
    ('-10,0\\xa0% (rateforhold 0,90)', '-10.0% (rate ratio 0.90)')
    >>> estimate_text(-1290.4, "difference", unit="per år"), estimate_text(9.77, "percent")
    ('-1\\xa0290 per år', '+9,8\\xa0%')
    >>> estimate_text(70192.0, "count", "en"), estimate_text(None, "ratio")
    ('70,192', '–')
    """
    check_literal("lang", lang, Lang)
    if is_missing(value):
        return numbers.MISSING
    if scale == "ratio":
        return text(
            "effect.ratio",
            lang,
            pct=numbers.percent_change(value, lang, decimals=1),
            est=numbers.number(value, lang, decimals=2),
        )
    if scale == "difference":
        est = numbers.number(value, lang, signed=True)
        return f"{est} {unit}".rstrip()
    if scale == "percent":
        return numbers.percent(float(value) / 100.0, lang, decimals=1, signed=True)
    if scale in ("count", "rank"):
        return f"{numbers.integer(value, lang)} {unit}".rstrip()
    if scale in ("rate", "index"):
        return numbers.number(value, lang, decimals=1)
    return numbers.number(value, lang)


def interval_text(lo: Any, hi: Any, scale: str | None, lang: Lang = "nb") -> str:
    """A 95 % interval on the estimate's scale (``0,85 til 0,95``), or "–" when missing.

    Examples
    --------
    >>> interval_text(0.849, 0.953, "ratio"), interval_text(-67.2, 11.4, "difference", "en")
    ('0,85 til 0,95', '-67.2 to 11.4')
    >>> interval_text(None, None, "ratio")
    '–'
    """
    if is_missing(lo) or is_missing(hi):
        return numbers.MISSING
    decimals = 2 if scale == "ratio" else None
    return numbers.interval(lo, hi, lang, decimals=decimals)


def _badge(code: Any, lang: Lang, prefix: str = "verdict") -> str:
    word = label(
        prefix, str(code), lang, default=label("verdict", str(code), lang, default=str(code))
    )
    return f"<span class='ptv-badge v-{html_text(code)}'>{html_text(word)}</span>"


def _cell(col: Col, row: Mapping[str, Any], lang: Lang) -> str | None:
    """HTML of one cell, or None when the value is missing."""
    value: Any = row.get(col.name)
    if col.kind == "interval":
        hi = row.get(col.hi or "")
        if is_missing(value) or is_missing(hi):
            return None
        return html_text(interval_text(value, hi, row.get("scale"), lang))
    if is_missing(value):
        return None
    kind = col.kind
    if kind == "text":
        return html_text(value)
    if kind == "verbatim":
        return f"<span class='ptv-verbatim'>{html_text(value)}</span>"
    if kind == "int":
        return html_text(numbers.integer(value, lang))
    if kind == "number":
        return html_text(numbers.number(value, lang, decimals=col.decimals))
    if kind == "percent":
        share = float(value) / 100.0
        return html_text(numbers.percent(share, lang, decimals=col.decimals or 1))
    if kind == "share":
        return html_text(numbers.percent(value, lang, decimals=col.decimals or 0))
    if kind == "p":
        return html_text(numbers.p_value(value, lang, prefix=False))
    if kind == "year":
        return html_text(str(int(float(value))) if _is_number(value) else value)
    if kind == "bool":
        return html_text(text("yes" if bool(value) else "no", lang))
    if kind == "label":
        return html_text(label(col.labels or "", str(value), lang, default=str(value)))
    if kind == "verdict":
        return _badge(value, lang, col.labels or "verdict")
    if kind == "estimate":
        return html_text(
            estimate_text(value, row.get("scale"), lang, unit=str(row.get("unit_text") or ""))
        )
    if kind == "link":
        url = safe_url(value)
        if url is None:
            return html_text(value)
        host = f"<span class='ptv-verbatim'>{html_text(url_label(url))}</span>"  # a name
        return f"<a href='{html_text(url)}' rel='noopener noreferrer'>{host}</a>"
    raise ValueError(f"unknown column kind {kind!r}")


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _records(data: Any) -> list[dict[str, Any]]:
    if hasattr(data, "to_dict") and hasattr(data, "columns"):
        frame = data.loc[:, ~data.columns.duplicated()]
        return [dict(r) for r in frame.to_dict("records")]
    return [dict(r) for r in data]


def table(
    data: Any,
    columns: Sequence[Col],
    lang: Lang = "nb",
    *,
    caption: str | None = None,
    collapse: int = 15,
    notes: Iterable[str] = (),
    css: str = "",
) -> Html:
    """Format *data* as a report table.

    Parameters
    ----------
    data : pandas.DataFrame or sequence of mapping
        Rows; the frame's index is not shown.
    columns : sequence of Col
        Columns to show, in order.
    lang : {"nb", "en"}
        Report language.
    caption : str, optional
        Caption (already in *lang*; escaped here).
    collapse : int
        Tables with more rows are collapsed (``<details>``); 0 never collapses.
    notes : iterable of str
        Notes under the table (in *lang*; escaped here).
    css : str
        Extra CSS class of the table.

    Returns
    -------
    ptvlib.report.escape.Html
        Displayable table (``_repr_html_``).

    Examples
    --------
    >>> t = table([{"year": 2024, "n": 70192.0, "p": 7e-18}],
    ...           [Col("year", "col.year", "year"), Col("n", "col.rows", "int"),
    ...            Col("p", "col.p", "p")], "nb")
    >>> "<td class='num'>2024</td>" in t.markup, "70\\xa0192" in t.markup, "&lt; 0,001" in t.markup
    (True, True, True)
    """
    check_literal("lang", lang, Lang)
    rows = _records(data)
    reasons: dict[str, str] = {}
    head = []
    for col in columns:
        name = text(col.header, lang, **dict(col.header_values or {}))
        cls = " class='num'" if col.kind in _NUMERIC else ""
        head.append(f"<th scope='col'{cls}>{html_text(name)}</th>")
    body = []
    for row in rows:
        cells = []
        for col in columns:
            content = _cell(col, row, lang)
            classes = (["num"] if col.kind in _NUMERIC else []) + (["nowrap"] if col.nowrap else [])
            cls = f" class='{' '.join(classes)}'" if classes else ""
            if content is None:
                content = numbers.MISSING
                reason = _reason(col, row, lang)
                if reason:
                    mark = reasons.setdefault(reason, _MARKS[len(reasons) % len(_MARKS)])
                    content += f"<sup class='ptv-mark'>{mark}</sup>"
            cells.append(f"<td{cls}>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = html_text(caption) if caption else ""
    # A table of many columns is set smaller on paper, so that no column runs off the sheet.
    wide = " ptv-wide" if len(columns) >= 8 else ""
    parts = [f"<table class='ptv-table{wide} {html_text(css)}'>"]
    if cap and not (collapse and len(rows) > collapse):
        parts.append(f"<caption>{cap}</caption>")
    parts += ["<thead><tr>", *head, "</tr></thead><tbody>", *body, "</tbody></table>"]
    foot = [f"<li><sup>{m}</sup> {html_text(r)}</li>" for r, m in reasons.items()]
    foot += [f"<li>{html_text(n)}</li>" for n in notes]
    if foot:
        parts.append("<ul class='ptv-notes'>" + "".join(foot) + "</ul>")
    markup = "".join(parts)
    if collapse and len(rows) > collapse:
        title = text(
            "page.table_rows", lang, caption=caption or text("page.show_table", lang), n=len(rows)
        )
        markup = (
            f"<details class='ptv-details'><summary>{html_text(title)}</summary>{markup}</details>"
        )
    return Html(f"<div class='ptv-table-wrap'>{markup}</div>")


def _reason(col: Col, row: Mapping[str, Any], lang: Lang) -> str | None:
    if col.missing is None:
        return None
    if callable(col.missing):
        return col.missing(row, lang)
    return text(col.missing, lang)
