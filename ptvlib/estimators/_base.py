"""Shared pieces of every estimator result: summary frame, verdict text, periods.

Every result type in :mod:`ptvlib.estimators` is a frozen dataclass with

* ``summary()`` -> tidy :class:`pandas.DataFrame` with :data:`SUMMARY_COLUMNS`,
* ``plot(ax=None)`` -> :class:`matplotlib.figure.Figure`,
* ``verdict(lang="nb")`` -> one plain-language paragraph.

This module gives them one vocabulary so the report reads the same for every
design. Direction words follow the outcome's scale: a rate ratio below 1 (or a
difference below 0) is a *decrease*.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ptvlib.basics.exceptions import EstimationError
from ptvlib.basics.literals import Lang, Straddle, check_literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CAUSAL_CAVEAT",
    "SUMMARY_COLUMNS",
    "Direction",
    "PeriodSplit",
    "classify",
    "split_periods",
    "summary_frame",
    "verdict_text",
]

#: Columns of every ``summary()`` frame, in order.
SUMMARY_COLUMNS: tuple[str, ...] = ("term", "estimate", "ci_low", "ci_high", "p_value", "n")

Direction = Literal["decrease", "increase", "inconclusive"]


def summary_frame(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """Build a tidy summary frame with exactly :data:`SUMMARY_COLUMNS`.

    Missing keys become NaN; ``term`` is a string column, the rest floats
    (``n`` an integer).

    Examples
    --------
    >>> summary_frame([{"term": "att", "estimate": -1.5, "ci_low": -2.0, "ci_high": -1.0,
    ...                 "p_value": 0.01, "n": 40}])
      term  estimate  ci_low  ci_high  p_value   n
    0  att      -1.5    -2.0     -1.0     0.01  40
    """
    import pandas as pd

    records = [{c: row.get(c, np.nan) for c in SUMMARY_COLUMNS} for row in rows]
    frame = pd.DataFrame.from_records(records, columns=list(SUMMARY_COLUMNS))
    frame["term"] = frame["term"].astype("str")
    for col in ("estimate", "ci_low", "ci_high", "p_value"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["n"] = pd.to_numeric(frame["n"], errors="coerce").astype("Int64")
    return frame


def classify(
    ci_low: float,
    ci_high: float,
    *,
    null: float,
    p_value: float | None = None,
    alpha: float = 0.05,
) -> Direction:
    """Direction of an effect that the interval (and p-value) supports.

    ``"decrease"`` when the whole interval lies below *null*, ``"increase"``
    when it lies above, otherwise ``"inconclusive"``. When a p-value is given
    (e.g. a placebo p-value for synthetic control, which has no interval), it
    must also be below *alpha*.

    Parameters
    ----------
    ci_low, ci_high : float
        Interval bounds on the estimate's scale (NaN allowed: inconclusive).
    null : float
        Value of no effect (0 for differences, 1 for ratios).
    p_value : float, optional
        Must be < *alpha* for a non-inconclusive answer.
    alpha : float
        Significance level.

    Returns
    -------
    {"decrease", "increase", "inconclusive"}

    Examples
    --------
    >>> classify(0.80, 0.95, null=1.0)
    'decrease'
    >>> classify(-0.2, 0.4, null=0.0)
    'inconclusive'
    >>> classify(0.80, 0.95, null=1.0, p_value=0.3)
    'inconclusive'
    """
    if p_value is not None and not (p_value < alpha):
        return "inconclusive"
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return "inconclusive"
    if ci_high < null:
        return "decrease"
    if ci_low > null:
        return "increase"
    return "inconclusive"


_WORDS: dict[str, dict[str, Any]] = {
    "nb": {
        "decrease": "nedgang",
        "increase": "økning",
        "inconclusive": "uavklart",
        "ratio": "{pct} ({est} som rateforhold)",
        "difference": "{est} {unit}",
        "interval": "95 %-intervall {lo} til {hi}",
        "verdict": {
            "decrease": "Dataene er forenlige med en nedgang etter {start}.",
            "increase": "Dataene er forenlige med en økning etter {start}.",
            "inconclusive": (
                "Resultatet er uavklart: dataene kan ikke skille effekten fra null "
                "eller fra vanlig variasjon."
            ),
        },
        "lead": "{design} for {outcome}: anslått endring {effect}",
        "caveat": "Forbehold: ",
    },
    "en": {
        "decrease": "decrease",
        "increase": "increase",
        "inconclusive": "inconclusive",
        "ratio": "{pct} ({est} as a rate ratio)",
        "difference": "{est} {unit}",
        "interval": "95 % interval {lo} to {hi}",
        "verdict": {
            "decrease": "The data are consistent with a decrease after {start}.",
            "increase": "The data are consistent with an increase after {start}.",
            "inconclusive": (
                "The result is inconclusive: the data cannot tell the effect apart from "
                "zero or from ordinary variation."
            ),
        },
        "lead": "{design} for {outcome}: estimated change {effect}",
        "caveat": "Caveats: ",
    },
}

#: The causal caveat, once per page or report (not repeated in every verdict).
CAUSAL_CAVEAT: dict[str, str] = {
    "nb": "Sammenhengen er ikke nødvendigvis en årsakseffekt av bevilgningen.",
    "en": "The association is not necessarily a causal effect of the funding.",
}


def _sentence(text: str) -> str:
    """*text* as a sentence: capital first letter, one full stop."""
    text = text.strip().rstrip(".")
    return (text[:1].upper() + text[1:] + ".") if text else ""


def verdict_text(
    *,
    lang: Lang,
    design: str,
    outcome: str,
    start: int | str,
    estimate: float,
    ci: tuple[float, float] | None,
    p_value: float | None,
    scale: Literal["ratio", "difference"],
    unit: str = "",
    direction: Direction | None = None,
    caveats: Sequence[str] = (),
) -> str:
    """One plain-language paragraph: estimate, interval, p-value, direction, caveats.

    Numbers follow the language (:mod:`ptvlib.basics.numbers`: ``0,90`` and
    ``p < 0,001`` in bokmål, ``0.90`` and ``p < 0.001`` in English); every
    caveat reads as its own sentence. The causal caveat
    (:data:`CAUSAL_CAVEAT`) is not repeated here: a page or report states it
    once.

    Parameters
    ----------
    lang : {"nb", "en"}
        Language.
    design : str
        Name of the design in *lang* (e.g. "Syntetisk kontroll").
    outcome : str
        Outcome label in *lang*.
    start : int or str
        First treated period, used in the sentence.
    estimate : float
        Point estimate (ratio or difference).
    ci : (float, float) or None
        95 % interval, or None when the design has none (synthetic control).
    p_value : float or None
        p-value (placebo, permutation or model-based).
    scale : {"ratio", "difference"}
        Ratio estimates are also shown as a percentage change.
    unit : str
        Unit of a difference (e.g. "per 1 000").
    direction : {"decrease", "increase", "inconclusive"}, optional
        Overrides the direction derived with :func:`classify`.
    caveats : sequence of str
        Design-specific caveats in *lang*, appended to the paragraph.

    Returns
    -------
    str

    Examples
    --------
    >>> print(verdict_text(lang="en", design="Interrupted time series", outcome="violence",
    ...                    start=2018, estimate=0.9, ci=(0.85, 0.95), p_value=0.0001,
    ...                    scale="ratio"))  # doctest: +NORMALIZE_WHITESPACE
    Interrupted time series for violence: estimated change -10.0% (0.90 as a rate ratio),
    95 % interval 0.85 to 0.95, p < 0.001. The data are consistent with a decrease after 2018.
    >>> text = verdict_text(lang="nb", design="Syntetisk kontroll", outcome="vold", start=2018,
    ...                     estimate=-1290.4, ci=None, p_value=0.4, scale="difference",
    ...                     unit="per år", caveats=["god tilpasning før 2018"])
    >>> text.split(". ")[0]
    'Syntetisk kontroll for vold: anslått endring -1\xa0290 per år, p = 0,40'
    >>> text.split(". ")[-1]
    'Forbehold: God tilpasning før 2018.'
    """
    from ptvlib.basics import numbers

    check_literal("lang", lang, Lang)
    w = _WORDS[lang]
    null = 1.0 if scale == "ratio" else 0.0
    if direction is None:
        lo, hi = ci if ci is not None else (math.nan, math.nan)
        if ci is None and p_value is not None and math.isfinite(estimate):
            # No interval (synthetic control): direction from the sign, gated by the p-value.
            lo = hi = estimate
        direction = classify(lo, hi, null=null, p_value=p_value)
    if scale == "ratio":
        effect = w["ratio"].format(
            pct=numbers.percent_change(estimate, lang, decimals=1),
            est=numbers.number(estimate, lang, decimals=2),
        )
    else:
        effect = (
            w["difference"]
            .format(est=numbers.number(estimate, lang, signed=True), unit=unit)
            .rstrip()
        )
    parts = [w["lead"].format(design=design, outcome=outcome, effect=effect)]
    if ci is not None:
        decimals = 2 if scale == "ratio" else None
        parts.append(
            w["interval"].format(
                lo=numbers.number(ci[0], lang, decimals=decimals),
                hi=numbers.number(ci[1], lang, decimals=decimals),
            )
        )
    if p_value is not None and math.isfinite(p_value):
        parts.append(numbers.p_value(p_value, lang))
    text = ", ".join(parts) + ". " + w["verdict"][direction].format(start=start)
    if caveats:
        text += " " + w["caveat"] + " ".join(_sentence(c) for c in caveats if c.strip())
    return text


@dataclass(frozen=True)
class PeriodSplit:
    """Which periods are pre-treatment, post-treatment or dropped.

    Attributes
    ----------
    pre, post : numpy.ndarray of bool
        Masks over the input periods.
    dropped : tuple
        Periods removed because they straddle the start (``straddle="drop"``).
    flagged : tuple
        Straddling periods kept as post-treatment (``straddle="post"``).
    """

    pre: np.ndarray
    post: np.ndarray
    dropped: tuple[int, ...]
    flagged: tuple[int, ...]


def split_periods(
    times: Sequence[int] | np.ndarray,
    start: int,
    *,
    period_years: int = 1,
    straddle: Straddle = "drop",
    min_pre: int = 3,
    min_post: int = 1,
) -> PeriodSplit:
    """Split period end-years into pre and post treatment around *start*.

    A period is labelled by its **last** year ``t`` and covers
    ``t - period_years + 1 … t`` (SSB 08487 periods are two-year averages, so
    "2017-2018" has ``t = 2018``). It is *pre* when it ends before *start*,
    *post* when it begins at or after *start*, and *straddling* otherwise.

    Parameters
    ----------
    times : sequence of int
        Period end-years (may repeat, e.g. one per unit).
    start : int
        First treated year.
    period_years : int
        Length of each period in years (1 or 2).
    straddle : {"drop", "post"}
        ``"drop"`` removes straddling periods (default: they mix pre and post
        years); ``"post"`` keeps them as treated and records them in ``flagged``.
    min_pre, min_post : int
        Minimum number of distinct pre/post periods; fewer raises.

    Returns
    -------
    PeriodSplit

    Raises
    ------
    EstimationError
        Too few pre- or post-periods, naming how many were found.

    Examples
    --------
    >>> s = split_periods([2014, 2015, 2016, 2017, 2018, 2019], 2018, period_years=2)
    >>> s.dropped, int(s.pre.sum()), int(s.post.sum())
    ((2018,), 4, 1)
    """
    check_literal("straddle", straddle, Straddle)
    if period_years not in (1, 2):
        raise EstimationError(f"period_years={period_years!r} is not allowed; allowed: 1, 2")
    t = np.asarray(times, dtype=float)
    first = t - period_years + 1
    pre = t < start
    post = first >= start
    strad = ~pre & ~post
    dropped: tuple[int, ...] = ()
    flagged: tuple[int, ...] = ()
    if strad.any():
        years = tuple(sorted({int(v) for v in t[strad]}))
        if straddle == "drop":
            dropped = years
        else:
            flagged = years
            post = post | strad
    n_pre = len(set(t[pre].tolist()))
    n_post = len(set(t[post].tolist()))
    if n_pre < min_pre:
        raise EstimationError(
            f"only {n_pre} pre-treatment period(s) before start={start}; "
            f"at least {min_pre} are needed"
        )
    if n_post < min_post:
        raise EstimationError(
            f"only {n_post} post-treatment period(s) from start={start}; "
            f"at least {min_post} are needed"
        )
    return PeriodSplit(pre=pre, post=post, dropped=dropped, flagged=flagged)
