"""PxWeb API v1 table metadata: parsing, and finding variables by their role.

A v1 table URL answers ``GET`` with its metadata (Statistics Sweden, "PxWeb API
description", section 4.3 "Table metadata result")::

    {"title": "Anmeldte lovbrudd ... etter ... gjerningsbydel",
     "variables": [
        {"code": "geografi", "text": "geografi",
         "values": ["01", "02", ...], "valueTexts": ["Bydel Gamle Oslo", ...],
         "elimination": true},
        {"code": "år", "text": "år", "values": ["34", ...], "valueTexts": ["2024", ...],
         "time": true}, ...]}

``values`` are the codes a query selects; ``valueTexts`` the labels in the
same order. ``time: true`` marks the time variable; ``elimination: true`` a
variable that may be left out of a query (the server sums or drops it). Codes
are installation-specific: Oslo kommune's tables use lowercase Norwegian
variable codes and may code years as sequence numbers ("36" for 2026), so
roles are found from the flags and the texts, never from positions or codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ptvlib.basics.exceptions import DataError, SchemaError
from ptvlib.basics.text import text_key
from ptvlib.data.sources.jsonstat import load_json

__all__ = ["PxMetadata", "PxVariable", "parse_metadata", "text_key", "year_of"]

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")


@dataclass(frozen=True)
class PxVariable:
    """One variable of a PxWeb v1 table.

    Attributes
    ----------
    code : str
        Code used in queries (e.g. ``"geografi"``).
    text : str
        Label.
    values : tuple of str
        Value codes in published order.
    value_texts : tuple of str
        Value labels, same order.
    time : bool
        The time variable.
    elimination : bool
        May be left out of a query.
    """

    code: str
    text: str
    values: tuple[str, ...]
    value_texts: tuple[str, ...]
    time: bool = False
    elimination: bool = False

    @property
    def labels(self) -> dict[str, str]:
        """``{code: text}`` in published order."""
        return dict(zip(self.values, self.value_texts, strict=True))

    def describe(self, limit: int = 3) -> str:
        """``code ('text': 'first', 'second', … n values)`` for messages."""
        shown = ", ".join(repr(t) for t in self.value_texts[:limit])
        more = f", … {len(self.values)} values" if len(self.values) > limit else ""
        return f"{self.code} ({self.text!r}: {shown}{more})"


@dataclass(frozen=True)
class PxMetadata:
    """Metadata of one PxWeb v1 table.

    Attributes
    ----------
    table_id : str
        Short id, e.g. ``"KRI002"``.
    title : str
        Table title.
    variables : tuple of PxVariable
        In table order.
    """

    table_id: str
    title: str
    variables: tuple[PxVariable, ...]

    @property
    def codes(self) -> list[str]:
        """Variable codes in table order."""
        return [v.code for v in self.variables]

    def variable(self, code: str) -> PxVariable:
        """The variable *code* (SchemaError naming the ones found if absent)."""
        for v in self.variables:
            if v.code == code:
                return v
        raise SchemaError(
            f"Oslo statbank table {self.table_id} has no variable {code!r}; found: {self.codes}"
        )

    def describe(self) -> str:
        """Every variable on one line, for messages."""
        return "; ".join(v.describe() for v in self.variables)

    def time_variable(self) -> PxVariable:
        """The variable flagged ``time: true``.

        Raises
        ------
        SchemaError
            None or several are flagged (names the table and what was found).
        """
        flagged = [v for v in self.variables if v.time]
        if len(flagged) != 1:
            raise SchemaError(
                f"Oslo statbank table {self.table_id}: expected one time variable "
                f"('time': true), found {len(flagged)}; variables: {self.describe()}"
            )
        return flagged[0]

    def find(
        self, match: Callable[[str], bool], *, role: str, exclude: tuple[str, ...] = ()
    ) -> PxVariable:
        """The one variable (not in *exclude*) with the most value texts for which *match* holds.

        Parameters
        ----------
        match : callable
            ``match(value_text) -> bool``.
        role : str
            What is looked for, e.g. ``"area (gjerningsbydel)"``, for messages.
        exclude : tuple of str
            Codes of variables already assigned a role.

        Raises
        ------
        SchemaError
            No variable has a matching value text.
        """
        scored = [
            (sum(map(match, v.value_texts)), v) for v in self.variables if v.code not in exclude
        ]
        best = max((s for s, _ in scored), default=0)
        if best == 0:
            raise SchemaError(
                f"Oslo statbank table {self.table_id}: no {role} variable found in the "
                f"metadata; variables: {self.describe()}"
            )
        return next(v for s, v in scored if s == best)


def year_of(text: str) -> int | None:
    """The four-digit year in a time label ("2024", "2024*", "År 2024"), or None.

    Examples
    --------
    >>> year_of("2024"), year_of("36"), year_of("2019-2020")
    (2024, None, 2020)
    """
    found = _YEAR.findall(text)
    return int(found[-1]) if found else None


def _strings(x: Any) -> bool:
    return isinstance(x, list) and all(isinstance(i, str) for i in x)


def parse_metadata(
    raw: bytes | str | Mapping[str, Any], *, table_id: str, where: str
) -> PxMetadata:
    """Parse a v1 metadata response (see the module docstring).

    Parameters
    ----------
    raw : bytes, str or dict
        The response body.
    table_id : str
        Short table id for messages.
    where : str
        Names the table and URL in messages.

    Returns
    -------
    PxMetadata

    Raises
    ------
    DataError
        Not JSON, an HTML page, or not the v1 metadata shape.

    Examples
    --------
    >>> meta = parse_metadata(
    ...     {"title": "T", "variables": [{"code": "år", "text": "år", "values": ["34"],
    ...      "valueTexts": ["2024"], "time": True}]}, table_id="X", where="X")
    >>> meta.time_variable().labels
    {'34': '2024'}
    """
    obj = load_json(raw, where=where)
    variables = obj.get("variables")
    if not isinstance(variables, list) or not variables:
        keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
        raise DataError(f"{where}: not PxWeb v1 metadata (no 'variables' list; keys: {keys})")
    out = []
    for i, v in enumerate(variables):
        ok = (
            isinstance(v, Mapping)
            and isinstance(v.get("code"), str)
            and _strings(v.get("values"))
            and _strings(v.get("valueTexts"))
            and len(v["values"]) == len(v["valueTexts"])
        )
        if not ok:
            raise DataError(
                f"{where}: variable {i} is not PxWeb v1 metadata (needs 'code', and 'values' "
                f"and 'valueTexts' of the same length): {str(v)[:120]}"
            )
        out.append(
            PxVariable(
                code=v["code"],
                text=str(v.get("text", v["code"])),
                values=tuple(v["values"]),
                value_texts=tuple(v["valueTexts"]),
                time=v.get("time") is True,
                elimination=v.get("elimination") is True,
            )
        )
    return PxMetadata(table_id, str(obj.get("title", "")), tuple(out))
