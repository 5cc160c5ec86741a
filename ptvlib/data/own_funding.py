"""The analyst's own funding table: actual allocations per area and year.

The public ``funding`` table holds amounts as announced in press releases and
news (no audited series exists publicly). For dose–response the analyst can
give the actual allocations instead: :func:`load_funding` reads them like own
data (CSV/Excel/parquet, Norwegian headers, bydel names, decimal comma,
grouped errors) into :data:`OWN_FUNDING_SCHEMA`, one row per area, year and
purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.data.own_coded import Coded
from ptvlib.data.own_columns import ALIASES, resolve_columns
from ptvlib.data.own_fields import LEVELS, read_regions
from ptvlib.data.own_periods import parse_periods
from ptvlib.data.own_problems import Problems
from ptvlib.data.own_read import read_table
from ptvlib.data.own_values import Decimal, Thousands, parse_numbers
from ptvlib.data.schema import Column, Schema, coerce, validate

__all__ = ["FUNDING_ALIASES", "OWN_FUNDING_SCHEMA", "load_funding"]

#: Headers recognised in a funding file.
FUNDING_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ALIASES["region"],
    "region_name": ALIASES["region_name"],
    "level": ALIASES["level"],
    "year": (*ALIASES["year"], "budsjettar", "budget year"),
    "amount": (
        "amount", "amount mnok", "amount_mnok", "belop", "belop mnok", "mnok", "mill kr",
        "bevilgning", "tildeling", "tildelt", "midler", "kroner", "nok", "sum",
    ),
    "unit": ALIASES["unit"],
    "purpose": ("purpose", "formal", "tiltak", "satsing", "post"),
    "source": ALIASES["source"],
}  # fmt: skip

#: Schema of :func:`load_funding`.
OWN_FUNDING_SCHEMA = Schema(
    "own_funding",
    (
        Column("region", "str", "area or bydel code (030115 …) or the analyst's own area code"),
        Column("region_name", "str", "display name"),
        Column("level", "str", "geographic level", allowed=LEVELS),
        Column("year", "int", "budget year"),
        Column("amount_mnok", "float", "allocation in million NOK", nonnegative=True),
        Column("purpose", "str", "what the money is for ('' if not given)"),
        Column("source", "str", "where the row comes from"),
    ),
    keys=("region", "year", "purpose"),
)
_TO_MNOK = {
    "mnok": 1.0,
    "mill kr": 1.0,
    "millioner kroner": 1.0,
    "nok": 1e-6,
    "kr": 1e-6,
    "kroner": 1e-6,
}


def load_funding(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    unit: str = "MNOK",
    decimal: Decimal | None = None,
    thousands: Thousands | None = None,
) -> pd.DataFrame:
    """Read the analyst's actual allocations per area and year.

    Parameters
    ----------
    path : str or pathlib.Path
        CSV, Excel or parquet with an area, a year and an amount column
        (headers as :data:`FUNDING_ALIASES`, or mapped with *columns*).
    columns : dict, optional
        ``{header in the file: field}``; fields: region, region_name, level,
        year, amount, unit, purpose, source.
    sheet : str, optional
        Excel sheet.
    unit : {"MNOK", "NOK"}, default "MNOK"
        Unit of the amounts when the file has no unit column.
    decimal, thousands : str, optional
        Number format (default: detected; see :mod:`ptvlib.data.own_values`).

    Returns
    -------
    pandas.DataFrame
        Validated rows of :data:`OWN_FUNDING_SCHEMA` (amounts in MNOK).

    Raises
    ------
    OwnDataError
        Unreadable file, missing columns, or bad rows (grouped by kind, with
        counts and the first rows): unknown area, a year that is not a year,
        an amount that is not a number or is negative, an unknown unit, two
        rows for the same area, year and purpose.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "midler.csv"
    >>> _ = p.write_text("Bydel;År;Beløp\\nSøndre Nordstrand;2018;30\\nSøndre Nordstrand;2019;27,5\\n")
    >>> load_funding(p)[["region", "year", "amount_mnok"]].values.tolist()
    [['030115', 2018, 30.0], ['030115', 2019, 27.5]]
    """
    path = Path(path).expanduser()
    where = f"funding_data={str(path)!r}"
    if not path.is_file():
        raise OwnDataError(f"{where} does not exist or is not a file")
    if unit not in ("MNOK", "NOK"):
        raise OwnDataError(f"unit={unit!r} is not allowed; allowed: 'MNOK', 'NOK'")
    raw = read_table(path, sheet=sheet)
    n = raw.n
    found = raw.columns
    if n == 0:
        raise OwnDataError(f"{where} has no data rows; columns found: {found}")
    cmap = resolve_columns(
        found,
        columns,
        where=where,
        aliases=FUNDING_ALIASES,
        required=("region", "year", "amount"),
        time_fields=(),
    )
    head = cmap.fields.get

    def col(field: str, default: str = "") -> Coded:
        return raw.column(head(field), default)

    def shown(c: Coded) -> Coded:
        return c

    problems = Problems(n, raw.row_of)
    region_col = head("region") or "region"
    region_text = col("region")
    reg = read_regions(region_text)
    level_given = col("level")
    level = reg.level.where(level_given.mask(bool), level_given)
    own_area = reg.unknown & level_given.mask(lambda u: u == "area")
    problems.add(
        region_col,
        "a known code or name, or level 'area'",
        reg.unknown & ~own_area,
        shown(region_text),
    )
    problems.add(
        region_col, "an unambiguous name (use the code)", reg.ambiguous, shown(region_text)
    )
    year_text = col("year")
    years = parse_periods(n=n, year=year_text, names=cmap.fields)
    for (column, expected), mask in years.bad.items():
        problems.add(column, expected, mask, shown(year_text))
    amount_col = head("amount") or "amount"
    text = col("amount")
    num = parse_numbers(
        text, decimal=decimal, thousands=thousands, numeric=raw.numeric.get(amount_col)
    )
    for expected, mask in num.bad.items():
        problems.add(amount_col, expected, mask, shown(text))
    problems.add(amount_col, "an amount (empty is not allowed)", num.empty, shown(text))
    problems.add(amount_col, "an amount >= 0", num.values < 0, shown(text))
    units = col("unit")
    mapped = [_TO_MNOK.get(" ".join(u.lower().replace(".", " ").split())) for u in units.uniques]
    problems.add(
        head("unit") or "unit",
        "MNOK or NOK",
        units.per_row(
            [m is None and u != "" for m, u in zip(mapped, units.uniques, strict=True)], dtype=bool
        ),
        shown(units),
    )
    default = _TO_MNOK[unit.lower()]
    factor = units.per_row([m if m is not None else default for m in mapped], dtype=float)
    problems.add(amount_col, "at most 1e6 MNOK (absurd)", num.values * factor > 1e6, shown(text))
    context = f"columns found: {found}; read as: {cmap.describe()}"
    problems.raise_if_any(where, context)
    out = pd.DataFrame(
        {
            "region": reg.code.strings(),
            "region_name": reg.name.strings(),
            "level": level.strings(),
            "year": years.year,
            "amount_mnok": num.values * factor,
            "purpose": col("purpose").strings(),
            "source": col("source", path.name).map(lambda u: u or path.name).strings(),
        }
    )
    dup = out.duplicated(list(OWN_FUNDING_SCHEMA.keys), keep=False).to_numpy()
    problems.add(
        head("year") or "year",
        "one row per area, year and purpose (sum duplicates)",
        dup,
        shown(year_text),
    )
    problems.raise_if_any(where, context)
    return validate(coerce(out, OWN_FUNDING_SCHEMA), OWN_FUNDING_SCHEMA)
