"""Numbers, shares, p-values and dates as a reader expects them in the report's language.

Every number a reader sees — in a verdict sentence, a table cell or an axis —
goes through these functions, so the bokmål report reads ``70 192``, ``0,83``,
``9,8 %`` and ``p < 0,001`` and the English one ``70,192``, ``0.83``, ``9.8%``
and ``p < 0.001``. Formats come from the Unicode CLDR through Babel (locales
``nb_NO`` and ``en_GB``); Babel is imported on first use so that
``import ptvlib`` stays light. Missing values print as an en dash.
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import cache
from typing import Any

from ptvlib.basics.literals import Lang, check_literal

__all__ = [
    "LOCALES",
    "MISSING",
    "date_text",
    "integer",
    "interval",
    "number",
    "p_value",
    "percent",
    "percent_change",
]

#: CLDR locale of each report language.
LOCALES: dict[str, str] = {"nb": "nb_NO", "en": "en_GB"}

#: Shown where a value is missing (an en dash).
MISSING = "–"


@cache
def _babel() -> Any:
    import babel.numbers

    return babel.numbers


def _value(x: Any) -> float | None:
    """*x* as a float, or None when it is missing (None, NaN, pandas NA)."""
    if x is None:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _auto_decimals(v: float) -> int:
    a = abs(v)
    if a >= 100 or v == int(v):
        return 0
    if a >= 10:
        return 1
    return 2


def number(x: Any, lang: Lang = "nb", *, decimals: int | None = None, signed: bool = False) -> str:
    """A number with the language's digit grouping and decimal mark.

    Parameters
    ----------
    x : float or None
        The value (None and NaN print as :data:`MISSING`).
    lang : {"nb", "en"}
        Report language.
    decimals : int, optional
        Digits after the decimal mark. Default: none for whole numbers and
        values of at least 100, one from 10, else two.
    signed : bool
        Show ``+`` for positive values (for changes and differences).

    Returns
    -------
    str

    Examples
    --------
    >>> number(70192), number(70192, "en")
    ('70\\xa0192', '70,192')
    >>> number(0.8312), number(0.8312, "en"), number(-1290.4, "nb", signed=True)
    ('0,83', '0.83', '-1\\xa0290')
    >>> number(float("nan")), number(3.5, decimals=0, signed=True)
    ('–', '+4')
    """
    check_literal("lang", lang, Lang)
    v = _value(x)
    if v is None:
        return MISSING
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    d = _auto_decimals(v) if decimals is None else decimals
    v = round(v, d)
    if v == 0:
        v = 0.0  # no "-0"
    pattern = "#,##0" + ("." + "0" * d if d > 0 else "")
    text = _babel().format_decimal(v, format=pattern, locale=LOCALES[lang])
    return "+" + text if signed and v > 0 else text


def integer(x: Any, lang: Lang = "nb") -> str:
    """A count: rounded to a whole number, with digit grouping.

    Examples
    --------
    >>> integer(6234.0), integer(1234567.4, "en"), integer(None)
    ('6\\xa0234', '1,234,567', '–')
    """
    return number(x, lang, decimals=0)


def percent(share: Any, lang: Lang = "nb", *, decimals: int = 1, signed: bool = False) -> str:
    """A share (0.098) as a percentage: ``9,8 %`` in bokmål, ``9.8%`` in English.

    Examples
    --------
    >>> percent(0.098), percent(0.098, "en"), percent(-0.12, signed=True, decimals=0)
    ('9,8\\xa0%', '9.8%', '-12\\xa0%')
    """
    check_literal("lang", lang, Lang)
    v = _value(share)
    if v is None:
        return MISSING
    if math.isinf(v):
        return "∞"
    pct = number(v * 100.0, lang, decimals=decimals, signed=signed)
    return f"{pct}\u00a0%" if lang == "nb" else f"{pct}%"


def percent_change(ratio: Any, lang: Lang = "nb", *, decimals: int = 0) -> str:
    """A rate ratio as a signed percentage change (0.88 → ``-12 %``).

    Examples
    --------
    >>> percent_change(0.88), percent_change(1.054, "en", decimals=1)
    ('-12\\xa0%', '+5.4%')
    """
    v = _value(ratio)
    if v is None:
        return MISSING
    return percent(v - 1.0, lang, decimals=decimals, signed=True)


def p_value(p: Any, lang: Lang = "nb", *, floor: float = 0.001, prefix: bool = True) -> str:
    """A p-value as a reader reads it: ``p = 0,03``, ``p < 0,001``.

    Two decimals from 0.01 up, three below; values under *floor* print as
    ``p < floor`` (never ``p = 0.000`` or ``7e-18``). With ``prefix=False``
    the ``p =`` is left out (for a table column headed "p-value"):
    ``0,03``, ``< 0,001``.

    Examples
    --------
    >>> p_value(0.0312), p_value(0.83, "en"), p_value(7e-18), p_value(0.004, "en")
    ('p = 0,03', 'p = 0.83', 'p < 0,001', 'p = 0.004')
    >>> p_value(None), p_value(7e-18, prefix=False), p_value(0.5, "en", prefix=False)
    ('p = –', '< 0,001', '0.50')
    """
    v = _value(p)
    head = "p " if prefix else ""
    if v is None:
        return f"{head}= {MISSING}" if prefix else MISSING
    if v < floor:
        return f"{head}< {number(floor, lang, decimals=max(3, -math.floor(math.log10(floor))))}"
    text = number(v, lang, decimals=2 if v >= 0.01 else 3)
    return f"p = {text}" if prefix else text


def interval(lo: Any, hi: Any, lang: Lang = "nb", *, decimals: int | None = None) -> str:
    """A confidence interval in words: ``0,80 til 0,95`` / ``0.80 to 0.95``.

    Examples
    --------
    >>> interval(0.8, 0.951, decimals=2), interval(-3.2, 1.5, "en", decimals=1)
    ('0,80 til 0,95', '-3.2 to 1.5')
    """
    word = "til" if lang == "nb" else "to"
    return f"{number(lo, lang, decimals=decimals)} {word} {number(hi, lang, decimals=decimals)}"


def date_text(when: _dt.date | _dt.datetime, lang: Lang = "nb", *, time: bool = False) -> str:
    """A date (and optionally the time) in words: ``1. desember 2026`` / ``1 December 2026``.

    Examples
    --------
    >>> import datetime
    >>> date_text(datetime.date(2026, 12, 1)), date_text(datetime.date(2026, 12, 1), "en")
    ('1. desember 2026', '1 December 2026')
    >>> date_text(datetime.datetime(2026, 12, 1, 21, 5), "nb", time=True)
    '1. desember 2026 kl. 21:05'
    """
    check_literal("lang", lang, Lang)
    import babel.dates

    day = when.date() if isinstance(when, _dt.datetime) else when
    text = babel.dates.format_date(day, format="long", locale=LOCALES[lang])
    if time and isinstance(when, _dt.datetime):
        clock = f"{when.hour:02d}:{when.minute:02d}"
        text += f" kl. {clock}" if lang == "nb" else f", {clock}"
    return text
