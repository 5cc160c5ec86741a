"""How the pages and the index put the assessment into words.

The assessment returns numbers and verdict codes per design and outcome;
this module says them in the report language, from the text catalogue:

* :func:`counts` — does a design enter the verdict, and if not, why (the
  assessment's ``counts``/``why_not`` when present, else today's rule: a
  difference-in-differences whose pre-trend test rejects at 5 % does not count);
* :func:`effect_text` and :func:`design_bullet` — one design's estimate on its
  scale with its interval, the kind of p-value, and whether it counts;
* :func:`outcome_line` — one outcome's verdict in a sentence or three;
* :func:`activity_caveat` — the activity caveat, once, in the direction found;
* :func:`lead` — the index's opening: the answer and its power in three
  sentences (the assessment's ``answerability`` sentence when present).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ptvlib.basics import numbers
from ptvlib.basics.literals import Lang
from ptvlib.report.escape import html_text
from ptvlib.report.tables import Col, estimate_text, is_missing
from ptvlib.report.texts import label, text

__all__ = [
    "DESCRIPTIVE_SCALES",
    "DIFFERENCE_DESIGNS",
    "P_KIND",
    "activity_caveat",
    "counts",
    "design_bullet",
    "design_columns",
    "effect_text",
    "join_words",
    "lead",
    "outcome_line",
    "p_text",
    "with_counts",
]

#: What each design's p-value is, when the assessment does not say (``p_kind``).
P_KIND: dict[str, str] = {
    "synth": "placebo",
    "did_poisson": "model",
    "did_ols": "bootstrap",
    "its": "model",
    "its_comparative": "model",
    "own_did": "model",
    "own_its": "model",
}

#: Scales of figures that are shown, not estimated (key figures, rates, ranks): they do not count.
DESCRIPTIVE_SCALES: frozenset[str] = frozenset(
    {"count", "percent", "rate", "index", "rank", "number"}
)

#: Designs whose estimate is a difference in offences per 1 000 inhabitants.
DIFFERENCE_DESIGNS: frozenset[str] = frozenset({"did_ols"})

_PRETREND_DESIGNS = frozenset({"did_poisson", "did_ols"})
_SIGNED = ("decrease", "increase")


def join_words(words: Sequence[str], lang: Lang) -> str:
    """``a, b og c`` / ``a, b and c``; names after the first start in lower case.

    Examples
    --------
    >>> join_words(["Vold", "Ran", "Tyveri"], "nb"), join_words(["x"], "en")
    ('Vold, ran og tyveri', 'x')
    """
    words = [w for w in words if w]
    words = words[:1] + [w[:1].lower() + w[1:] for w in words[1:]]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + text("list.and", lang) + words[-1]


def counts(row: Mapping[str, Any], lang: Lang) -> tuple[bool, str | None]:
    """Whether a design enters the verdict, and why not.

    Uses the row's ``counts`` and ``why_not`` (the calibrated assessment)
    when present; otherwise a difference-in-differences does not count when
    its linear pre-trend test (``pretrend_p``) rejects at 5 %.

    Examples
    --------
    >>> counts({"design_key": "did_poisson", "pretrend_p": 7e-18}, "nb")[0]
    False
    >>> counts({"design_key": "synth"}, "nb"), counts({"counts": False, "why_not": "x"}, "en")
    ((True, None), (False, 'x'))
    """
    if "counts" in row and row["counts"] is not None:
        return bool(row["counts"]), (None if row["counts"] else row.get("why_not") or None)
    pt: Any = row.get("pretrend_p")
    if row.get("design_key") in _PRETREND_DESIGNS and not is_missing(pt) and float(pt) < 0.05:
        return False, text("why_not.pretrend", lang, p=numbers.p_value(pt, lang))
    return True, None


def p_text(row: Mapping[str, Any], lang: Lang) -> str:
    """The p-value with its kind: ``placebo-p = 0,02``, ``modell-p < 0,001``.

    Examples
    --------
    >>> p_text({"design_key": "synth", "p_value": 0.0208}, "nb")
    'placebo-p = 0,02'
    >>> p_text({"design_key": "did_poisson", "p_value": 3e-4}, "en")
    'model p < 0.001'
    """
    p = row.get("p_value")
    if is_missing(p):
        return ""
    kind = row.get("p_kind") or P_KIND.get(str(row.get("design_key", "")), "model")
    name = label("p_kind", str(kind), lang, default=str(kind))
    value = numbers.p_value(p, lang, prefix=False)
    return f"{name} {value}" if value.startswith("<") else f"{name} = {value}"


def unit_of(row: Mapping[str, Any], lang: Lang) -> str:
    """Unit of a difference estimate (offences per 1 000 inhabitants for the public-data designs)."""
    if row.get("unit_text"):
        return str(row["unit_text"])
    if row.get("design_key") in DIFFERENCE_DESIGNS:
        return text("unit.per_1000_short", lang)
    return ""


def effect_text(row: Mapping[str, Any], lang: Lang) -> str:
    """One design's estimate in words: estimate, interval, p-value and direction (plain text).

    Examples
    --------
    >>> effect_text({"design_key": "did_poisson", "estimate": 0.9, "ci_low": 0.849,
    ...              "ci_high": 0.953, "p_value": 3e-4, "scale": "ratio",
    ...              "verdict": "inconclusive"}, "nb")
    '-10,0\\xa0% (rateforhold 0,90), 95 %-intervall 0,85 til 0,95, modell-p < 0,001 – uavklart'
    """
    scale = row.get("scale") or "difference"
    parts = [estimate_text(row.get("estimate"), scale, lang, unit=unit_of(row, lang))]
    if not (is_missing(row.get("ci_low")) or is_missing(row.get("ci_high"))):
        decimals = 2 if scale == "ratio" else None
        lo = numbers.number(row["ci_low"], lang, decimals=decimals)
        hi = numbers.number(row["ci_high"], lang, decimals=decimals)
        parts.append(text("effect.interval", lang, lo=lo, hi=hi))
    p = p_text(row, lang)
    if p:
        parts.append(p)
    verdict = str(row.get("verdict") or "inconclusive")
    direction = (
        text(f"effect.direction.{verdict}", lang) if verdict in (*_SIGNED, "inconclusive") else ""
    )
    if row.get("counts") is False:
        direction = ""  # a design that does not count points nowhere (its bullet says why)
    out = ", ".join(parts)
    return f"{out} – {direction}" if direction else out


def design_bullet(row: Mapping[str, Any], lang: Lang) -> str:
    """HTML of one design's bullet: name, effect, and, when it does not count, why."""
    counted, why = counts(row, lang)
    design = row.get("design") or label("design", str(row.get("design_key")), lang, default="")
    out = f"<strong>{html_text(design)}</strong>: {html_text(effect_text(row, lang))}."
    if not counted:
        note = text("counts.no", lang)
        out += f" <em class='ptv-not-counted'>{html_text(note[:1].upper() + note[1:])}"
        out += f": {html_text(why)}.</em>" if why else ".</em>"
    if row.get("mde") is not None and not is_missing(row.get("mde")):
        mde = numbers.percent(float(row["mde"]), lang, decimals=0)
        out += " " + html_text(text("outcome.mde", lang, mde=mde))
    return out


def _verdict_word(code: str, lang: Lang) -> str:
    return label("verdict", code, lang, default=code)


def outcome_line(
    combined: Mapping[str, Any], designs: Sequence[Mapping[str, Any]], lang: Lang, *, start: Any
) -> str:
    """One outcome's verdict in plain text.

    When the assessment provided ``counts`` for its designs (the calibrated
    assessment), its own verdict sentence (``text``) is used as it is; else
    the sentence is composed here: verdict, how many designs count, which
    point where, and which do not count and why.
    """
    calibrated = any("counts" in d for d in designs)
    if calibrated and combined.get("text"):
        return str(combined["text"])
    code = str(combined.get("verdict") or "inconclusive")
    parts = [
        text(
            "outcome.line",
            lang,
            outcome=combined.get("outcome", ""),
            verdict=_verdict_word(code, lang),
            start=start,
        )
    ]
    status = [(d, *counts(d, lang)) for d in designs]
    counted = [d for d, ok, _ in status if ok]
    if designs:
        k = _count_word(len(counted), lang)
        counted_text = text("outcome.counted", lang, k=k, n=_count_word(len(designs), lang))
        parts.append(counted_text[:1].upper() + counted_text[1:])
    signed = [d for d in counted if d.get("verdict") in _SIGNED]
    if counted and not signed:
        parts.append(text("outcome.none_signed", lang))
    elif signed:
        direction = _verdict_word(str(signed[0]["verdict"]), lang)
        if len(signed) == len(counted):
            parts.append(text("outcome.signed_all", lang, direction=direction))
        else:
            signed_names = join_words([str(d.get("design", "")) for d in signed], lang)
            key = "outcome.signed" if len(signed) == 1 else "outcome.signed_many"
            parts.append(text(key, lang, designs=signed_names, direction=direction))
    excluded: dict[str, list[str]] = {}
    for d, ok, why in status:
        if not ok:
            excluded.setdefault(why or "–", []).append(str(d.get("design", "")))
    for why, names in excluded.items():
        key = "outcome.excluded" if len(names) == 1 else "outcome.excluded_many"
        parts.append(text(key, lang, design=join_words(names, lang), why=why))
    mdes = [float(d["mde"]) for d in counted if not is_missing(d.get("mde"))]
    if mdes:
        parts.append(text("outcome.mde", lang, mde=numbers.percent(min(mdes), lang, decimals=0)))
    return " ".join(parts)


def activity_caveat(combined_rows: Iterable[Mapping[str, Any]], lang: Lang) -> str | None:
    """The activity caveat for the activity outcomes shown, in the direction their verdict points.

    Examples
    --------
    >>> activity_caveat([{"family": "activity", "outcome": "Rusmiddellovbrudd",
    ...                   "verdict": "weak_decrease"}], "nb")  # doctest: +ELLIPSIS
    'Rusmiddellovbrudd måler også politiets aktivitet: færre anmeldelser kan bety mindre kontroll...'
    """
    rows = [r for r in combined_rows if r.get("family") == "activity"]
    if not rows:
        return None
    found = {str(r.get("verdict") or "").removeprefix("weak_") for r in rows}
    direction = next((d for d in _SIGNED if found == {d}), "inconclusive")
    names = join_words([str(r.get("outcome", "")) for r in rows], lang)
    return text(f"activity.{direction}", lang, outcomes=names)


def lead(
    combined_rows: Sequence[Mapping[str, Any]],
    lang: Lang,
    *,
    year: int,
    region: str,
    start: int,
    answerability: Mapping[str, Any] | None = None,
) -> list[str]:
    """The index's opening: the answer, what stands out, and the power, in three sentences.

    Parameters
    ----------
    combined_rows : sequence of mapping
        One row per outcome with ``outcome``, ``verdict`` and ``family``.
    lang : {"nb", "en"}
        Report language.
    year, start : int
        Assessment year and first year of the funding.
    region : str
        Name of the treated unit ("Oslo").
    answerability : mapping, optional
        The assessment's answerability record; its ``sentence`` is the third
        sentence when given.

    Returns
    -------
    list of str
        Plain-text sentences.
    """
    n = len(combined_rows)
    if n == 0:
        return [text("lead.failed", lang)]
    codes = [str(r.get("verdict") or "inconclusive") for r in combined_rows]
    k = codes.count("inconclusive")
    fields = dict(period=year, region=region, start=start, n=_count_word(n, lang))
    if k == n:
        first = text("lead.all_inconclusive", lang, **fields)
    elif k:
        first = text("lead.some_inconclusive", lang, **fields, k=_count_word(k, lang))
    else:
        first = text("lead.none_inconclusive", lang, **fields)
    signed = [r for r, c in zip(combined_rows, codes, strict=True) if c != "inconclusive"]
    if signed:
        clauses = []
        for r in signed:
            code = str(r.get("verdict"))
            word = _verdict_word(code, lang)
            base = code.removeprefix("weak_")
            name = str(r.get("outcome", ""))
            names = {"outcome": name, "outcome_lower": name[:1].lower() + name[1:]}
            if r.get("family") == "activity" and base in _SIGNED:
                why = text(f"lead.why.{base}", lang)
                clauses.append(text("lead.signed_activity", lang, **names, verdict=word, why=why))
            else:
                clauses.append(text("lead.signed", lang, **names, verdict=word))
        second = "; ".join(clauses) + "."
        second = second[:1].upper() + second[1:]
    else:
        second = text("lead.no_signal", lang)
    sentence = (answerability or {}).get("sentence")
    third = str(sentence) if sentence else text("lead.power_fallback", lang, region=region)
    return [first, second, third]


_WORDS = {
    "nb": ["null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
}


def _count_word(n: int, lang: Lang) -> str:
    return _WORDS[lang][n] if 0 <= n < len(_WORDS[lang]) else numbers.integer(n, lang)


def finite(value: Any) -> bool:
    """True for a finite number."""
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def design_columns(*, holm: bool = False, mde: bool = False) -> list[Col]:
    """Columns of a table of designs: outcome, design, estimate, interval, p, counts, direction."""
    cols = [
        Col("outcome", "col.outcome"),
        Col("design", "col.design"),
        Col("estimate", "col.estimate", "estimate"),
        Col("ci_low", "col.interval", "interval", hi="ci_high", missing=_why_no_interval),
        Col("p_text", "col.p", nowrap=True),
    ]
    if holm:
        cols.append(Col("p_holm", "col.p_holm", "p"))
    if mde:
        cols.append(Col("mde", "col.mde", "share"))
    cols += [Col("counts_text", "col.counts"), Col("verdict", "col.direction", "verdict")]
    return cols


def _why_no_interval(row: Mapping[str, Any], lang: Lang) -> str | None:
    if row.get("design_key") == "synth":
        return label("why_missing", "synth_interval", lang)
    return None


def with_counts(rows: Sequence[Mapping[str, Any]], lang: Any) -> list[dict[str, Any]]:
    """Rows with the texts of their ``counts`` and ``p_value`` columns (for :func:`design_columns`)."""
    out = []
    for r in rows:
        ok, why = counts(r, lang)
        word = label("counts", "yes" if ok else "no", lang)
        if (
            r.get("scale") in DESCRIPTIVE_SCALES
        ):  # a figure shown, not an estimate: nothing to count
            out.append({**r, "counts_text": "", "p_text": p_text(r, lang), "verdict": None})
            continue
        out.append(
            {
                **r,
                "counts_text": word if ok else f"{word}: {why}",
                "p_text": p_text(r, lang),
                # no direction badge for a design that does not count ("–" in the column)
                "verdict": r.get("verdict") if ok else None,
            }
        )
    return out
