"""Which column of an own-data file is which: explicit mapping, else common headers.

:func:`resolve_columns` maps the file's headers to the schema's names. An
explicit ``columns={"Bydel": "region", "Antall": "value"}`` always wins; every
other header is recognised when its comparable form (lowercase, no diacritics,
no punctuation; ``År`` → ``ar``) is one of :data:`ALIASES`. Headers that match
nothing are ignored (listed in the result's ``ignored``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

from ptvlib.basics.exceptions import OwnDataError, ParameterError
from ptvlib.basics.text import text_key

__all__ = ["ALIASES", "FIELDS", "REQUIRED", "ColumnMap", "recognise", "resolve_columns"]

#: Schema names a column can be mapped to, with the headers recognised for each.
ALIASES: dict[str, tuple[str, ...]] = {
    "region": (
        "region", "bydel", "bydelsnummer", "bydelsnr", "bydelskode", "gjerningsbydel",
        "omrade", "omradekode", "area", "area code", "region code", "regionkode", "geografi", "sted",
        "gjerningssted", "kommune", "kommunenummer", "kommunenr", "knr", "kode", "code",
    ),
    "region_name": (
        "region name", "regionnavn", "bydelsnavn", "omradenavn", "navn", "name", "area name",
    ),
    "level": ("level", "niva", "geografisk niva"),
    "period": ("period", "periode", "tid", "tidsperiode", "dato", "date", "tidspunkt", "ar og maned"),
    "year": ("year", "ar", "aar", "arstall", "aarstall", "statistikkar"),
    "month": ("month", "maned", "maaned", "mnd", "maned nr", "manedsnummer"),
    "quarter": ("quarter", "kvartal"),
    "period_years": ("period years", "ar i perioden"),
    "indicator": ("indicator", "indikator", "maltall", "maal", "mal", "measure", "variabel", "statistikkvariabel"),
    "offence_group": (
        "offence group", "lovbruddsgruppe", "lovbruddsgrupper", "lovbruddskategori", "lovbruddstype",
        "type lovbrudd", "kategori", "gruppe", "lovbrudd",
    ),
    "value": (
        "value", "antall", "verdi", "count", "sum", "n", "antall saker", "antall anmeldelser",
        "anmeldte lovbrudd", "belop", "amount",
    ),
    "unit": ("unit", "enhet", "maleenhet"),
    "status": ("status", "flagg", "merknad"),
    "source": ("source", "kilde"),
}  # fmt: skip
#: Every schema name a column can be mapped to.
FIELDS: tuple[str, ...] = tuple(ALIASES)
#: Columns a file must have (one of ``year`` / ``period`` / ``month`` with a year in it).
REQUIRED: tuple[str, ...] = ("region", "value")
_BY_KEY = {text_key(alias): field for field, aliases in ALIASES.items() for alias in aliases}


def recognise(header: str, aliases: Mapping[str, tuple[str, ...]] | None = None) -> str | None:
    """The schema name a header is recognised as, or None.

    Parameters
    ----------
    header : str
        A column header.
    aliases : dict, optional
        Field → recognised headers (default :data:`ALIASES`).

    Examples
    --------
    >>> [recognise(h) for h in ["Bydel", "\\ufeffÅr", "Måned", "Lovbruddsgruppe", "Antall", "x"]]
    ['region', 'year', 'month', 'offence_group', 'value', None]
    """
    key = text_key(header)
    if aliases is None:
        return key if key in ALIASES else _BY_KEY.get(key)
    if key in aliases:
        return key
    return next((f for f, names in aliases.items() if key in {text_key(a) for a in names}), None)


@dataclass(frozen=True)
class ColumnMap:
    """How a file's columns were read.

    Attributes
    ----------
    fields : dict of str to str
        Schema name → the file's header.
    ignored : tuple of str
        Headers not used.
    """

    fields: dict[str, str]
    ignored: tuple[str, ...]

    def describe(self) -> str:
        """``'Bydel' → region, 'Antall' → value`` for messages."""
        return (
            ", ".join(f"{header!r} → {field}" for field, header in self.fields.items()) or "nothing"
        )


def _suggest(
    missing: list[str], free: list[str], aliases: Mapping[str, tuple[str, ...]]
) -> dict[str, str]:
    """A mapping to try: the unused header closest to a missing field's aliases."""
    out: dict[str, str] = {}
    left = list(free)
    for field in missing:
        best, score = None, 0.0
        for header in left:
            for alias in (field, *aliases[field]):
                s = difflib.SequenceMatcher(None, text_key(header), alias).ratio()
                if s > score:
                    best, score = header, s
        if best is None or (score < 0.5 and len(left) != 1):
            continue
        out[best] = field
        left.remove(best)
    return out


def resolve_columns(
    found: list[str],
    columns: Mapping[str, str] | None,
    *,
    where: str,
    aliases: Mapping[str, tuple[str, ...]] | None = None,
    required: tuple[str, ...] = REQUIRED,
    time_fields: tuple[str, ...] = ("year", "period", "month", "quarter"),
) -> ColumnMap:
    """Map the file's headers to schema names (see the module docstring).

    Parameters
    ----------
    found : list of str
        Headers as read (whitespace and a byte-order mark already stripped).
    columns : dict, optional
        ``{header in the file: schema name}``; wins over recognition.
    where : str
        ``own_data='file.csv'`` for messages.
    aliases : dict, optional
        Field → recognised headers (default :data:`ALIASES`).
    required : tuple of str
        Fields the file must have.
    time_fields : tuple of str
        At least one of these is required too.

    Returns
    -------
    ColumnMap

    Raises
    ------
    ParameterError
        *columns* maps to a name that is not a schema field.
    OwnDataError
        *columns* names a header the file does not have; two headers read as
        the same field; a required column is missing (the message lists the
        columns found, how they were read, and a mapping to try).
    """
    table = ALIASES if aliases is None else aliases
    allowed = tuple(table)
    columns = dict(columns or {})
    bad_targets = {h: f for h, f in columns.items() if f not in allowed}
    if bad_targets:
        raise ParameterError(f"columns={bad_targets!r}: not a field; allowed: {', '.join(allowed)}")
    by_key = {text_key(h): h for h in found}
    fields: dict[str, str] = {}
    for header, field in columns.items():
        actual = header if header in found else by_key.get(text_key(header))
        if actual is None:
            raise OwnDataError(
                f"{where}: columns={{{header!r}: {field!r}}} names a column the file does not "
                f"have; columns found: {found}"
            )
        if field in fields:
            raise OwnDataError(
                f"{where}: columns= maps both {fields[field]!r} and {actual!r} to {field!r}"
            )
        fields[field] = actual
    taken = set(fields.values())
    clashes: dict[str, list[str]] = {}
    for header in found:
        if header in taken:
            continue
        recognised = recognise(header, aliases)
        if recognised is None or recognised in fields and fields[recognised] in columns:
            continue
        clashes.setdefault(recognised, []).append(header)
    for field, headers in clashes.items():
        if len(headers) > 1:
            raise OwnDataError(
                f"{where}: columns {headers} are all read as {field!r}; say which one with "
                f"columns={{{headers[0]!r}: {field!r}}} (and map or drop the others)"
            )
        fields[field] = headers[0]
    if "region" not in fields and "region_name" in fields:
        fields["region"] = fields["region_name"]  # names only: they are matched to codes
    has_time = not time_fields or any(f in fields for f in time_fields)
    missing = [f for f in required if f not in fields] + ([] if has_time else [time_fields[0]])
    if missing:
        used = set(fields.values())
        free = [h for h in found if h not in used]
        tip = _suggest(missing, free, table)
        hint = f"; try columns={tip!r}" if tip else ""
        mapped = ColumnMap(fields, tuple(free)).describe()
        need = [*required, " or ".join(time_fields)] if time_fields else list(required)
        optional = [f for f in allowed if f not in required and f not in time_fields]
        raise OwnDataError(
            f"{where}: missing required column(s) {missing}; columns found: {found}; read as: "
            f"{mapped}{hint}. Required: {', '.join(need)}; optional: {', '.join(optional)}"
        )
    used = set(fields.values())
    return ColumnMap(fields, tuple(h for h in found if h not in used))
