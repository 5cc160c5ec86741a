"""Numbers as spreadsheets write them: decimal comma or point, thousands separators.

:func:`parse_numbers` turns a column of texts into floats. It parses each
distinct text once (a file of 5 million rows has a few thousand), so it is
vectorised in effect.

Accepted forms
--------------
* ``1234``, ``-12``, ``+3``; the minus sign ``−`` (U+2212) too;
* a decimal part after ``,`` or ``.``: ``3,5`` / ``3.5``;
* thousands grouped by a space, a no-break space (U+00A0, Excel's Norwegian
  default) or a narrow no-break space (U+202F): ``1 234 567,5``; or by ``.``
  or ``,`` when the other one is the decimal mark: ``1.234.567,5`` /
  ``1,234,567.5``; groups must have three digits;
* scientific notation with a decimal point: ``1.5e3``.

Declared or detected
--------------------
With ``decimal=`` (and optionally ``thousands=``) declared, every number must
follow that format. Otherwise the column's **own evidence** decides: a number
whose separator cannot be a thousands separator (``3,5``; ``12,3456``;
``1.234,5``; ``1.234.567``) fixes the decimal mark. A number with one ``,`` or
``.`` followed by exactly three digits (``3,282``, ``3.282``) could be either
3 282 or 3.282: it is read with the evidence, and **rejected** when the column
has none or its evidence conflicts — never silently read as 3.282.

Not numbers: ``inf``, ``nan``, ``#DIV/0!``, text. Empty cells are missing
(the caller decides whether a status must explain them).
"""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import ParameterError
from ptvlib.data.own_coded import Coded

__all__ = ["Decimal", "NumberResult", "Thousands", "parse_numbers"]

Decimal = Literal[",", "."]
Thousands = Literal[" ", ".", ",", ""]

_SPACES = "\u00a0\u202f "
_SIGN = r"[+-]?"
_INT = re.compile(rf"{_SIGN}\d+")
_SPACE_GROUPED = re.compile(rf"{_SIGN}\d{{1,3}}(?:[{_SPACES}]\d{{3}})+(?:([.,])\d+)?")
_ONE_SEP = re.compile(rf"{_SIGN}(\d+)([.,])(\d+)")
_MULTI_SAME = re.compile(rf"{_SIGN}\d{{1,3}}([.,])\d{{3}}(?:\1\d{{3}})+")
_MIXED = re.compile(rf"{_SIGN}\d{{1,3}}([.,])\d{{3}}(?:\1\d{{3}})*([.,])\d+")
_SCIENTIFIC = re.compile(rf"{_SIGN}\d+(?:\.\d+)?[eE][+-]?\d+")
_NON_FINITE = re.compile(r"[+-]?(inf|infinity|nan)", re.IGNORECASE)


class NumberResult:
    """Parsed numbers and what went wrong.

    Attributes
    ----------
    values : numpy.ndarray
        float64, NaN where empty or not a number.
    empty : numpy.ndarray
        bool, the cell was empty.
    bad : dict of str to numpy.ndarray
        For each kind of problem (its expectation text), the rows that have it.
    decimal : str or None
        The decimal mark used (declared or detected; None if no number needed one).
    """

    def __init__(
        self, values: np.ndarray, empty: np.ndarray, bad: dict[str, np.ndarray], decimal: str | None
    ) -> None:
        self.values, self.empty, self.bad, self.decimal = values, empty, bad, decimal


def _check_format(decimal: object, thousands: object) -> None:
    if decimal not in (None, ",", "."):
        raise ParameterError(
            f"decimal={decimal!r} is not allowed; allowed: ',', '.' or None (detect)"
        )
    if thousands not in (None, " ", ".", ",", ""):
        raise ParameterError(
            f"thousands={thousands!r} is not allowed; allowed: ' ' (also no-break space), '.', "
            "',', '' (none) or None (detect)"
        )
    if decimal is not None and thousands == decimal:
        raise ParameterError(f"thousands={thousands!r} is the same as decimal={decimal!r}")


def _classify(text: str) -> tuple[str, float, str | None]:
    """(kind, value, decimal-evidence) of one stripped text without declared format.

    kind: "num" (value final), "ambiguous" (value read with ','=decimal; the
    other reading x1000), "empty", "nonfinite", "bad". Evidence: the decimal
    mark the text proves, or "not," / "not." when it proves a mark is a
    thousands separator.
    """
    t = text.replace("\u2212", "-")
    if not t:
        return "empty", np.nan, None
    if _INT.fullmatch(t):
        return "num", float(t), None
    if _NON_FINITE.fullmatch(t):
        return "nonfinite", np.nan, None
    m = _SPACE_GROUPED.fullmatch(t)
    if m:
        mark = m.group(1)
        plain = re.sub(f"[{_SPACES}]", "", t)
        return "num", float(plain.replace(",", ".")) if mark else float(plain), mark
    m = _MULTI_SAME.fullmatch(t)
    if m:
        sep = m.group(1)
        return "num", float(t.replace(sep, "")), f"not{sep}"
    m = _MIXED.fullmatch(t)
    if m and m.group(1) != m.group(2):
        return "num", float(t.replace(m.group(1), "").replace(m.group(2), ".")), m.group(2)
    m = _ONE_SEP.fullmatch(t)
    if m:
        before, sep, after = m.groups()
        value = float(t.replace(sep, "."))
        if len(after) == 3 and len(before.lstrip("+-")) <= 3:
            return "ambiguous", value, sep
        return "num", value, sep
    if _SCIENTIFIC.fullmatch(t):
        return "num", float(t), "."
    return "bad", np.nan, None


def _declared(text: str, decimal: str, thousands: str | None) -> tuple[str, float]:
    t = text.replace("\u2212", "-")
    if not t:
        return "empty", np.nan
    if _NON_FINITE.fullmatch(t):
        return "nonfinite", np.nan
    if thousands is None:
        seps = _SPACES + ("." if decimal == "," else ",")
    else:
        seps = _SPACES if thousands == " " else thousands
    body = t
    if seps and any(c in t for c in seps):
        group = f"[{re.escape(seps)}]"
        if not re.fullmatch(rf"{_SIGN}\d{{1,3}}(?:{group}\d{{3}})+(?:{re.escape(decimal)}\d+)?", t):
            return "format", np.nan
        body = re.sub(group, "", t)
    if re.fullmatch(rf"{_SIGN}\d+(?:{re.escape(decimal)}\d+)?", body):
        return "num", float(body.replace(decimal, "."))
    if decimal == "." and _SCIENTIFIC.fullmatch(body):
        return "num", float(body)
    return ("format" if re.search(r"\d", body) else "bad"), np.nan


def parse_numbers(
    texts: pd.Series | Coded,
    *,
    decimal: Decimal | None = None,
    thousands: Thousands | None = None,
    numeric: np.ndarray | None = None,
) -> NumberResult:
    """Parse a column of number texts (see the module docstring).

    Parameters
    ----------
    texts : pandas.Series of str or Coded
        One text per row ("" when empty).
    decimal : {",", "."}, optional
        Declared decimal mark; None detects it from the column.
    thousands : {" ", ".", ",", ""}, optional
        Declared thousands separator (``" "`` also accepts the no-break
        spaces; ``""``: none); None accepts spaces, and ``.``/``,`` as implied
        by the decimal mark.
    numeric : numpy.ndarray, optional
        Values of cells that were numbers already (xlsx, parquet), NaN
        elsewhere: used as they are, never re-read from text.

    Returns
    -------
    NumberResult

    Raises
    ------
    ParameterError
        *decimal* or *thousands* not allowed.

    Examples
    --------
    >>> r = parse_numbers(pd.Series(["1 234", "3,5", "3,282", "1.234,5", ""]))
    >>> r.values.tolist()[:4], r.decimal
    ([1234.0, 3.5, 3.282, 1234.5], ',')
    >>> r = parse_numbers(pd.Series(["3,282", "3.282", "12"]))
    >>> list(r.bad)
    ['an unambiguous number: 3,282 or 3.282 could be 3 282 or 3.282 (declare decimal= and thousands=)']
    """
    _check_format(decimal, thousands)
    coded = texts if isinstance(texts, Coded) else Coded.of(texts, len(texts))
    codes, uniq = coded.codes, coded.uniques
    n_u = len(uniq)
    vals = np.full(n_u, np.nan)
    kinds = np.empty(n_u, dtype=object)
    found_decimal: str | None = decimal
    if decimal is not None:
        for i, u in enumerate(uniq):
            kinds[i], vals[i] = _declared(u, decimal, thousands)
    else:
        evidence: list[str | None] = []
        for i, u in enumerate(uniq):
            kinds[i], vals[i], ev = _classify(u)
            evidence.append(ev if kinds[i] == "num" else None)
        proves = {e for e in evidence if e in (",", ".")}
        proves |= {"." if e == "not," else "," for e in evidence if e in ("not,", "not.")}
        if thousands in (",", "."):
            proves.add("." if thousands == "," else ",")
        conflict = len(proves) > 1
        found_decimal = next(iter(proves)) if len(proves) == 1 else None
        for i, u in enumerate(uniq):
            if kinds[i] != "ambiguous":
                continue
            sep = "," if "," in u else "."
            if conflict or found_decimal is None:
                kinds[i] = "ambiguous"
            elif sep == found_decimal:
                kinds[i] = "num"  # value already read with sep as the decimal mark
            else:
                kinds[i], vals[i] = "num", float(u.replace(sep, "").replace("\u2212", "-"))
    names = ["num", "empty", "bad", "nonfinite", "format", "ambiguous"]
    kind_u = np.array([names.index(k) for k in kinds], dtype="int8")
    row_kind = kind_u[codes] if n_u else np.zeros(0, dtype="int8")
    values = vals[codes] if n_u else np.array([], dtype=float)
    bad: dict[str, np.ndarray] = {}
    if numeric is not None:
        typed = ~np.isnan(numeric)
        values = np.where(typed, numeric, values)
        row_kind = np.where(typed, np.where(np.isfinite(numeric), 0, 3), row_kind).astype("int8")
    empty = row_kind == 1
    labels = {
        "bad": "a number",
        "nonfinite": "a finite number (not inf or nan)",
        "format": f"a number written with decimal={decimal!r}"
        + (f" and thousands={thousands!r}" if thousands is not None else ""),
        "ambiguous": "an unambiguous number: 3,282 or 3.282 could be 3 282 or 3.282 "
        "(declare decimal= and thousands=)",
    }
    for kind, label in labels.items():
        mask = row_kind == names.index(kind)
        if mask.any():
            bad[label] = mask
    values = np.where(row_kind == 0, values, np.nan).astype("float64")
    return NumberResult(values, np.asarray(empty, dtype=bool), bad, found_decimal)
