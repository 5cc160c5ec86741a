"""Periods as exports write them: years, two-year periods, quarters, months, dates.

:func:`parse_periods` reads the ``period`` column and/or separate ``year``,
``quarter`` and ``month`` columns (each distinct text parsed once).
:func:`to_years` sums months or quarters to calendar years for the yearly
designs; monthly rows are kept as they are for ITS with seasonality.

Accepted forms (case-insensitive)
---------------------------------
=====================  ================================================
year                   ``2016``; two-year period ``2019-2020`` (08487)
month                  ``2016-01``, ``2016-1``, ``2016/01``, ``2016.01``, ``201601``,
                       ``2016M01``, ``01.2016``, ``1/2016``, ``jan 2016``,
                       ``januar 2016``, ``January 2016``, ``2016 jan``
date (its month)       ``2016-01-15``, ``2016-01-15 00:00:00``, ``15.01.2016``,
                       ``15/01/2016`` (day first, as Norwegian dates are)
quarter                ``2016K1``, ``2016Q1``, ``2016-K1``, ``K1 2016``, ``Q1-2016``,
                       ``1. kvartal 2016``
=====================  ================================================

A separate ``month`` column may hold ``1`` … ``12``, ``01``, or a month name
(``jan``, ``januar``, ``mars``, ``okt``, ``des`` …) beside a ``year`` column,
or a full month such as ``2016-01``; ``0`` or empty means a whole year (as
:func:`ptvlib.load_own` writes it). A separate ``quarter`` column holds
``1`` … ``4``, ``K1``, ``Q1`` or a full quarter such as ``2016K1``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ptvlib.basics.text import text_key
from ptvlib.data.own_coded import Coded, combine, first_rows

__all__ = ["MONTHS", "Periods", "parse_periods"]

#: Month names and abbreviations (bokmål, nynorsk and English) → month number.
MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        ("jan", "januar", "january"),
        ("feb", "februar", "february"),
        ("mar", "mars", "march"),
        ("apr", "april"),
        ("mai", "may"),
        ("jun", "juni", "june"),
        ("jul", "juli", "july"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("okt", "oktober", "oct", "october"),
        ("nov", "november"),
        ("des", "desember", "dec", "december"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _num

_YEAR = r"(19\d\d|20\d\d|2100)"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("year", re.compile(rf"{_YEAR}(?:\.0)?")),
    ("two_year", re.compile(rf"{_YEAR}\s*[-/]\s*{_YEAR}")),
    (
        "date_ymd",
        re.compile(rf"{_YEAR}-(\d{{1,2}})-(\d{{1,2}})(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?"),
    ),
    ("date_dmy", re.compile(rf"(\d{{1,2}})[./](\d{{1,2}})[./]{_YEAR}(?: \d\d:\d\d(?::\d\d)?)?")),
    ("month_ym", re.compile(rf"{_YEAR}\s*(?:[-/.]|m)\s*(\d{{1,2}})", re.IGNORECASE)),
    ("month_ym_compact", re.compile(rf"{_YEAR}(0[1-9]|1[0-2])")),
    ("month_my", re.compile(rf"(\d{{1,2}})\s*[-/.]\s*{_YEAR}")),
    ("quarter_yq", re.compile(rf"{_YEAR}\s*[-/ ]?\s*[kq]\s*([1-4])", re.IGNORECASE)),
    ("quarter_qy", re.compile(rf"[kq]\s*([1-4])\s*[-/ ]?\s*{_YEAR}", re.IGNORECASE)),
    ("quarter_kvartal", re.compile(rf"([1-4])\s*\.?\s*kvartal\s*{_YEAR}", re.IGNORECASE)),
]
_NAME_YEAR = re.compile(rf"([a-z]+)\s*[-/ ]?\s*{_YEAR}")
_YEAR_NAME = re.compile(rf"{_YEAR}\s*[-/ ]?\s*([a-z]+)")


@dataclass(frozen=True)
class Periods:
    """Parsed periods, one entry per row.

    Attributes
    ----------
    year : numpy.ndarray
        int32 calendar year (the last year of a two-year period); 0 where bad.
    month : numpy.ndarray
        int32, 1 … 12 for monthly rows, else 0.
    quarter : numpy.ndarray
        int32, 1 … 4 for quarterly rows, else 0.
    period_years : numpy.ndarray
        int32, 2 for a two-year period, else 1.
    bad : dict of (str, str) to numpy.ndarray
        ``(column, expectation)`` → rows that could not be read.
    """

    year: np.ndarray
    month: np.ndarray
    quarter: np.ndarray
    period_years: np.ndarray
    bad: dict[tuple[str, str], np.ndarray]

    @property
    def kind(self) -> np.ndarray:
        """``"month"``, ``"quarter"`` or ``"year"`` per row."""
        return np.where(self.month > 0, "month", np.where(self.quarter > 0, "quarter", "year"))


def _one(text: str) -> tuple[int, int, int, int] | None:
    """(year, month, quarter, period_years) of one period text, or None."""
    t = text.strip()
    for name, pattern in _PATTERNS:
        m = pattern.fullmatch(t)
        if not m:
            continue
        g = m.groups()
        if name == "year":
            return int(g[0]), 0, 0, 1
        if name == "two_year":
            a, b = int(g[0]), int(g[1])
            return (b, 0, 0, 2) if b == a + 1 else None
        if name == "date_ymd":
            y, mo, d = int(g[0]), int(g[1]), int(g[2])
        elif name == "date_dmy":
            d, mo, y = int(g[0]), int(g[1]), int(g[2])
        elif name in ("month_ym", "month_ym_compact"):
            y, mo, d = int(g[0]), int(g[1]), 1
        elif name == "month_my":
            mo, y, d = int(g[0]), int(g[1]), 1
        elif name == "quarter_yq":
            return int(g[0]), 0, int(g[1]), 1
        else:
            return int(g[1]), 0, int(g[0]), 1
        return (y, mo, 0, 1) if 1 <= mo <= 12 and 1 <= d <= 31 else None
    key = text_key(t)
    for pattern, name_first in ((_NAME_YEAR, True), (_YEAR_NAME, False)):
        m = pattern.fullmatch(key)
        if m:
            name, year = (m.group(1), m.group(2)) if name_first else (m.group(2), m.group(1))
            if name in MONTHS:
                return int(year), MONTHS[name], 0, 1
    return None


def _month_only(text: str) -> int | None:
    t = text_key(text)
    if t.isdigit() and 1 <= int(t) <= 12:
        return int(t)
    return MONTHS.get(t)


def _quarter_only(text: str) -> int | None:
    t = text_key(text).replace(" ", "")
    t = t.removeprefix("k").removeprefix("q").removesuffix("kvartal").rstrip(".")
    return int(t) if t in {"1", "2", "3", "4"} else None


def _coded(texts: pd.Series | Coded | None, n: int) -> Coded | None:
    if texts is None or isinstance(texts, Coded):
        return texts
    return Coded.of(texts, n)


_PERIOD_FORMS = (
    "a year (2016), two-year period (2019-2020), quarter (2016K1), month "
    "(2016-01, 2016M01, jan 2016) or date"
)


def _one_row(
    texts: dict[str, str], label: dict[str, str]
) -> tuple[tuple[int, int, int, int], list[tuple[str, str]]]:
    """(year, month, quarter, period_years) and problems of one combination of period texts."""
    y = mo = q = 0
    py = 1
    have = False
    bad: list[tuple[str, str]] = []
    t = texts.get("period", "")
    if t:
        got = _one(t)
        if got is None:
            bad.append((label["period"], _PERIOD_FORMS))
        else:
            y, mo, q, py = got
            have = True
    t = texts.get("month", "")
    if t not in ("", "0"):
        full = _one(t)
        only = _month_only(t)
        if full is not None and full[1] > 0:
            if have and mo and full[1] != mo:
                bad.append((label["month"], f"the same month as column {label['period']!r}"))
            mo = full[1]
            if not have:
                y, have = full[0], True
        elif only is not None:
            if have and mo and only != mo:
                bad.append((label["month"], f"the same month as column {label['period']!r}"))
            mo = only
        else:
            bad.append((label["month"], "a month: 1 … 12, jan … des, or 2016-01"))
    t = texts.get("quarter", "")
    if t not in ("", "0"):
        full = _one(t)
        only = _quarter_only(t)
        if full is not None and full[2] > 0:
            q = full[2]
            if not have:
                y, have = full[0], True
        elif only is not None:
            q = only
        else:
            bad.append((label["quarter"], "a quarter: 1 … 4, K1 … K4, Q1 … Q4, or 2016K1"))
    t = texts.get("year", "")
    if t:
        got = _one(t) if re.fullmatch(r"\d{4}(\.0)?", t) else None
        if got is None:
            bad.append((label["year"], "a whole year between 1900 and 2100"))
        elif have and got[0] != y:
            bad.append((label["year"], f"the year of column {label['period']!r}"))
        elif not have:
            y, have = got[0], True
    if not have and not bad:
        first = next((c for c in ("period", "year", "month") if c in texts), "year")
        bad.append((label[first], "a year (the row has no period)"))
    if mo and q:
        bad.append((label["quarter"], "either a month or a quarter, not both"))
    return (y, mo, q, py), bad


def parse_periods(
    *,
    n: int,
    period: pd.Series | Coded | None = None,
    year: pd.Series | Coded | None = None,
    month: pd.Series | Coded | None = None,
    quarter: pd.Series | Coded | None = None,
    names: dict[str, str] | None = None,
) -> Periods:
    """Read the period of every row from whichever period columns the file has.

    Each distinct combination of the period texts is read once (a file of
    millions of monthly rows has a few hundred), then spread to the rows.

    Parameters
    ----------
    n : int
        Rows.
    period, year, month, quarter : pandas.Series of str or Coded, optional
        The columns (texts; "" when empty).
    names : dict, optional
        Column names as the file has them, for messages (``{"year": "År"}``).

    Returns
    -------
    Periods
        A row is bad when no column gives it a year, when a text cannot be
        read, or when columns disagree (``period`` 2016-03 with ``year`` 2017).

    Examples
    --------
    >>> p = parse_periods(n=3, period=pd.Series(["2016M01", "jan 2016", "2016K2"]))
    >>> p.year.tolist(), p.month.tolist(), p.quarter.tolist()
    ([2016, 2016, 2016], [1, 1, 0], [0, 0, 2])
    >>> p = parse_periods(n=2, year=pd.Series(["2016", "2016"]), month=pd.Series(["mars", "12"]))
    >>> p.month.tolist()
    [3, 12]
    """
    names = names or {}
    label = {c: names.get(c, c) for c in ("period", "year", "month", "quarter")}
    given = {
        name: coded
        for name, coded in zip(
            ("period", "year", "month", "quarter"),
            (_coded(c, n) for c in (period, year, month, quarter)),
            strict=True,
        )
        if coded is not None
    }
    if not given:
        zeros = np.zeros(n, dtype="int32")
        key = (label["year"], "a year (the row has no period)")
        return Periods(zeros, zeros, zeros, zeros + 1, {key: np.ones(n, dtype=bool)})
    joint = combine([c.codes for c in given.values()])
    codes, _ = pd.factorize(joint, sort=False)
    lead = first_rows(codes)
    table = np.zeros((len(lead), 4), dtype="int32")  # int32: four per-row arrays of millions
    flags: dict[tuple[str, str], np.ndarray] = {}
    for j, row in enumerate(lead):
        texts = {name: c.uniques[int(c.codes[row])] for name, c in given.items()}
        table[j], bad = _one_row(texts, label)
        for key in bad:
            flags.setdefault(key, np.zeros(len(lead), dtype=bool))[j] = True
    return Periods(
        table[codes, 0],
        table[codes, 1],
        table[codes, 2],
        table[codes, 3],
        {key: mask[codes] for key, mask in flags.items()},
    )
