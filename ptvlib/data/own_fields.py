"""Reading the fields of an own-data file: regions (codes or names), units, groups, values.

Every function works on the distinct texts of a column (factorised once), so
a file of millions of rows costs a few thousand look-ups; the results are
mapped back to the rows with integer codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ptvlib.basics.text import text_key
from ptvlib.data import regions
from ptvlib.data.groups import group_id
from ptvlib.data.own_coded import Coded

__all__ = [
    "LEVELS",
    "LIMITS",
    "UNITS",
    "Regions",
    "read_groups",
    "read_regions",
    "read_units",
]

#: Geographic levels of own data.
LEVELS = (
    "country",
    "county",
    "municipality",
    "municipality_group",
    "bydel",
    "police_district",
    "area",
)
#: Units of own data, with the texts recognised for each.
UNITS: dict[str, tuple[str, ...]] = {
    "count": ("count", "antall", "stk", "n", "saker", "anmeldelser"),
    "per_1000": ("per 1000", "per_1000", "pr 1000", "per 1000 innbyggere", "pr 1000 innbyggere"),
    "per_100000": ("per 100000", "per_100000", "pr 100000", "per 100000 innbyggere"),
    "NOK": ("nok", "kr", "kroner", "kr."),
    "MNOK": ("mnok", "mill kr", "millioner kroner", "mill. kr", "mill kroner"),
    "percent": ("percent", "prosent", "%", "pst"),
    "persons": ("persons", "personer", "innbyggere"),
}
#: Largest believable absolute value per unit; anything above is an error, not data.
LIMITS: dict[str, float] = {
    "count": 1e12,
    "persons": 1e12,
    "NOK": 1e15,
    "MNOK": 1e9,
    "per_1000": 1e9,
    "per_100000": 1e11,
    "percent": 1e9,
}
_UNIT_KEYS = {text_key(a): u for u, aliases in UNITS.items() for a in (u, *aliases)}
_UNIT_KEYS[""] = "count"


def _level_of(code: str) -> str:
    if code == "0":
        return "country"
    if "+" in code:
        return "municipality_group"
    if len(code) == 2:
        return "county"
    if len(code) == 4:
        return "municipality"
    if code in ("030116", "030117"):
        return "area"
    return "bydel"


@dataclass(frozen=True)
class Regions:
    """Regions read from a column of codes or names, one entry per distinct text.

    Attributes
    ----------
    code, level, name : Coded
        Per row (codes shared with the input column); for texts that are not
        known: the text itself and level ``""``.
    unknown, ambiguous : numpy.ndarray of bool
        Per row: neither a known code nor a known name; a name of several places.
    choices : dict of str to list of str
        For each ambiguous text, the codes it could be.
    """

    code: Coded
    level: Coded
    name: Coded
    unknown: np.ndarray
    ambiguous: np.ndarray
    choices: dict[str, list[str]]


def read_regions(texts: Coded) -> Regions:
    """Codes (``0301``, ``030115``, ``301`` and ``30115`` as Excel drops the zero) or names.

    Names tolerate case, diacritics, a ``Bydel`` prefix and a leading code
    (:func:`ptvlib.data.regions.match_names`); a name shared by several places
    is ambiguous, never guessed.
    """
    names = regions._all_names()
    found, ambiguous = regions.match_names([u for u in texts.uniques if u not in names])
    code_u, level_u, name_u = [], [], []
    unknown_u, ambiguous_u = [], []
    for u in texts.uniques:
        code = "0" + u if re.fullmatch(r"\d{3}|\d{5}", u) else u
        if code not in names:
            code = found.get(u, "")
        known = bool(code)
        code_u.append(code if known else u)
        level_u.append(_level_of(code) if known else "")
        name_u.append(names.get(code, code) if known else u)
        ambiguous_u.append(not known and u in ambiguous)
        unknown_u.append(not known and u not in ambiguous and u != "")
    c = texts.codes
    return Regions(
        Coded(c, code_u),
        Coded(c, level_u),
        Coded(c, name_u),
        texts.per_row(unknown_u, dtype=bool),
        texts.per_row(ambiguous_u, dtype=bool),
        ambiguous,
    )


def read_units(texts: Coded) -> tuple[Coded, np.ndarray]:
    """Units (``count`` when empty) and the rows whose unit is not known."""
    mapped = [_UNIT_KEYS.get(text_key(u)) for u in texts.uniques]
    bad = texts.per_row([m is None for m in mapped], dtype=bool)
    return Coded(texts.codes, [m or u for m, u in zip(mapped, texts.uniques, strict=True)]), bad


def read_groups(texts: Coded) -> Coded:
    """Offence groups: SSB's names become the project's ids; other texts are kept as given."""
    return texts.map(lambda u: group_id(u) or " ".join(u.split()) or "total")
