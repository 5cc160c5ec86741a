"""The analyst's own data: the police's bydel- or area-level export, as analysts have it.

:func:`load_own` reads CSV (any of ``,``/``;``/tab; UTF-8 with or without BOM,
Windows-1252, Latin-1), Excel (``.xlsx``; a named sheet; title rows above the
header) or parquet, maps Norwegian or English headers to the long schema
:data:`OWN_DATA_SCHEMA`, reads bydel **names** or codes, numbers with decimal
comma and thousands separators, and monthly, quarterly or yearly periods. It
returns **every** indicator × offence group in the file — nothing is filtered
out here; what an assessment uses is the assessment's choice and must be said
there.

Reading, step by step (each in its own module)
----------------------------------------------
1. :mod:`~ptvlib.data.own_read` — the file as text, with the row numbers a
   person sees;
2. :mod:`~ptvlib.data.own_columns` — which column is which;
3. :mod:`~ptvlib.data.own_fields`, :mod:`~ptvlib.data.own_values`,
   :mod:`~ptvlib.data.own_periods` — regions, units, groups, numbers, periods;
4. :mod:`~ptvlib.data.own_problems` — every problem, grouped by kind with
   counts and the first rows, raised once as :class:`~ptvlib.OwnDataError`;
5. here: duplicate keys, then months or quarters summed to years
   (``frequency="year"``, the default, for the yearly designs) or months kept
   (``frequency="month"``, for ITS with seasonality);
6. :mod:`~ptvlib.data.own_store` — :func:`write_validated` writes a stamped
   parquet that :func:`load_own` reads back without validating again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.basics.literals import Frequency, check_literal
from ptvlib.data.own_coded import Coded, combine, combine_radix, first_rows
from ptvlib.data.own_columns import ColumnMap, resolve_columns
from ptvlib.data.own_fields import LEVELS, LIMITS, UNITS, read_groups, read_regions, read_units
from ptvlib.data.own_periods import parse_periods
from ptvlib.data.own_problems import Problems
from ptvlib.data.own_read import RawTable, read_table
from ptvlib.data.own_store import check_stamped, source_stamp, stamped_bytes
from ptvlib.data.own_values import Decimal, Thousands, parse_numbers
from ptvlib.data.schema import Column, Schema, validate

__all__ = [
    "DEFAULT_INDICATOR",
    "OWN_DATA_SCHEMA",
    "OWN_SCHEMA_VERSION",
    "is_synthetic",
    "load_own",
    "write_validated",
]

#: Bump when :data:`OWN_DATA_SCHEMA` or the reading rules change: stamped files are re-validated.
OWN_SCHEMA_VERSION = "2"
#: Indicator of a file that has no indicator column (e.g. ``Bydel;Måned;Lovbruddsgruppe;Antall``).
DEFAULT_INDICATOR = "reported_offences"
_SUMMABLE = ("count", "NOK", "MNOK")

#: Schema of an analyst's own data after :func:`load_own`.
OWN_DATA_SCHEMA = Schema(
    "own_data",
    (
        Column(
            "region",
            "str",
            "region code: 2024 municipality, Oslo bydel (030101…), or any code with level 'area'",
        ),
        Column("region_name", "str", "display name"),
        Column("level", "str", "geographic level", allowed=LEVELS),
        Column("period", "str", "'2016', '2019-2020' (two years) or '2016-01' (a month)"),
        Column("year", "int", "(last) calendar year of the period"),
        Column("month", "int", "1 … 12 for a monthly row; 0 for a year", allowed=tuple(range(13))),
        Column("period_years", "int", "years in the period", allowed=(1, 2)),
        Column(
            "indicator",
            "str",
            "e.g. reported_offences, cases, prosecutions, seizures, confiscations, confiscated_nok",
        ),
        Column("offence_group", "str", "offence group ('total', SSB's groups as ids, or as given)"),
        Column("value", "float", "value", nullable=True),
        Column("unit", "str", "unit of value", allowed=tuple(UNITS)),
        Column("status", "str", "'' when present, else why missing (e.g. incomplete year)"),
        Column("source", "str", "where the row comes from"),
    ),
    keys=("region", "period", "indicator", "offence_group", "unit"),
    nonnegative_when=(("unit", "count"),),
)


def load_own(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    indicator: str | None = None,
    frequency: Frequency = "year",
    decimal: Decimal | None = None,
    thousands: Thousands | None = None,
    encoding: str | None = None,
    sep: str | None = None,
) -> pd.DataFrame:
    """Read and validate an analyst's own data file (CSV, Excel or parquet).

    Parameters
    ----------
    path : str or pathlib.Path
        The file (``~`` allowed).
    columns : dict, optional
        ``{header in the file: schema name}``, e.g. ``{"Bydel": "region",
        "År": "year", "Antall": "value"}``; wins over the recognised headers
        (:data:`ptvlib.data.own_columns.ALIASES`: bydel, år, måned, periode,
        antall, lovbruddsgruppe, indikator, enhet, kilde …).
    sheet : str, optional
        Excel sheet (default: the first).
    indicator : str, optional
        Indicator of every row when the file has no indicator column
        (default :data:`DEFAULT_INDICATOR`).
    frequency : {"year", "month"}, default "year"
        ``year``: months and quarters are summed to calendar years (counts and
        amounts only); a year with months missing is kept with value NaN and
        status ``incomplete year (k of 12 months)``. ``month``: monthly rows
        are returned as they are (``period`` ``2016-01``, ``month`` 1); a file
        with other periods is an error.
    decimal : {",", "."}, optional
        Declared decimal mark (default: detected from the values; see
        :mod:`ptvlib.data.own_values`).
    thousands : {" ", ".", ",", ""}, optional
        Declared thousands separator (default: detected).
    encoding, sep : str, optional
        CSV encoding and delimiter (default: detected).

    Returns
    -------
    pandas.DataFrame
        Validated rows in :data:`OWN_DATA_SCHEMA`, every indicator and offence
        group of the file; ``attrs["own_data"]`` records how the file was read
        (encoding, delimiter, sheet, column mapping, what was assumed).

    Raises
    ------
    OwnDataError
        Missing or unreadable file, missing required columns (the message
        lists the columns found and suggests a mapping), or bad rows:
        ``err.problems`` has one line per kind of problem with its count and
        first rows. Nothing is written.
    ParameterError
        A bad *columns*, *frequency*, *decimal* or *thousands*.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.csv"
    >>> _ = p.write_text("Bydel;Måned;Lovbruddsgruppe;Antall\\n"
    ...                  + "".join(f"Søndre Nordstrand;2019-{m:02d};Vold og mishandling;1 0{m:02d}\\n"
    ...                            for m in range(1, 13)), encoding="utf-8-sig")
    >>> own = load_own(p)
    >>> own.loc[0, ["region", "period", "indicator", "offence_group"]].tolist(), float(own.loc[0, "value"])
    (['030115', '2019', 'reported_offences', 'violence'], 12078.0)
    """
    check_literal("frequency", frequency, Frequency)
    path = Path(path).expanduser()
    where = f"own_data={str(path)!r}"
    if not path.exists():
        raise OwnDataError(f"{where} does not exist")
    if not path.is_file():
        raise OwnDataError(f"{where} is not a file")
    check = check_stamped(path, OWN_SCHEMA_VERSION, OWN_DATA_SCHEMA.names)
    if check.frame is not None:
        stamped = check.options.get("frequency", "year")
        if frequency == stamped:
            return check.frame
        # A validated copy holds one frequency: the other is read from its source.
        if check.origin is None or not check.origin.is_file():
            raise OwnDataError(
                f"{where} is a validated copy by {stamped}; frequency={frequency!r} needs its "
                f"source {str(check.origin)!r}, which is not there"
            )
        return load_own(check.origin, **{**check.options, "frequency": frequency})
    if check.source is not None:
        return load_own(check.source, **check.options)
    raw = read_table(path, sheet=sheet, encoding=encoding, sep=sep)
    n = raw.n
    found = raw.columns
    if n == 0:
        raise OwnDataError(f"{where} has no data rows; columns found: {found}")
    cmap = resolve_columns(found, columns, where=where)
    context = f"columns found: {found}; read as: {cmap.describe()}"
    problems = Problems(n, raw.row_of)
    rows, period_name, shown_period, found_decimal = _parse_rows(
        raw, cmap, problems, path, indicator, decimal, thousands
    )
    problems.raise_if_any(where, context)
    raw.release()  # every column is coded: the file's table is no longer needed
    key = rows.key()
    _check_duplicates(rows, key, problems)
    problems.raise_if_any(where, context)
    out = _to_frequency(rows, key, frequency, problems, period_name, shown_period)
    del rows, key, shown_period  # the per-row codes: hundreds of MB for millions of rows
    problems.raise_if_any(where, context)
    # built in the schema's columns and dtypes (no copy); keys were checked on the codes
    # above (the same keys, far faster than on the strings)
    result = validate(out, OWN_DATA_SCHEMA, check_keys=False)
    result.attrs["own_data"] = {
        "path": str(path),
        **raw.how,
        "columns": dict(cmap.fields),
        "ignored": list(cmap.ignored),
        "frequency": frequency,
        "decimal": found_decimal or "",
        "assumed": _assumed(cmap.fields, indicator),
    }
    return result


def _parse_rows(
    raw: RawTable,
    cmap: ColumnMap,
    problems: Problems,
    path: Path,
    indicator: str | None,
    decimal: Decimal | None,
    thousands: Thousands | None,
) -> tuple[_Rows, str, Coded, str | None]:
    """Every field of every row, with their problems; (rows, period column, its texts, decimal).

    The per-row arrays live only in the returned rows, so a caller that drops
    them frees the memory (millions of rows).
    """
    head = cmap.fields.get
    n = raw.n

    def col(field: str, default: str = "") -> Coded:
        return raw.column(head(field), default)

    region_col = head("region") or "region"

    # regions: codes or names; the analyst's own areas need level 'area'
    region_text = col("region")
    reg = read_regions(region_text)
    level_given = col("level")
    given = level_given.mask(bool)
    is_area = level_given.mask(lambda u: u == "area")
    own_area = reg.unknown & is_area
    shown = region_text
    problems.add(region_col, "a region (code or name)", region_text.mask(lambda u: u == ""), shown)
    problems.add(
        region_col,
        "a known code or name: a 2024 municipality ('0301', 'Bærum'), an Oslo bydel "
        "('030115', 'Søndre Nordstrand', 'Bydel Grorud'), a county, or level 'area' for "
        "the analyst's own areas",
        reg.unknown & ~own_area,
        shown,
    )
    if reg.ambiguous.any():
        choices = "; ".join(f"{t!r}: {c}" for t, c in list(reg.choices.items())[:3])
        problems.add(
            region_col, f"an unambiguous name (use the code): {choices}", reg.ambiguous, shown
        )
    level = reg.level.where(given, level_given)
    problems.add(
        head("level") or "level",
        f"one of {list(LEVELS)}",
        level.mask(lambda u: u not in LEVELS) & ~(reg.unknown | reg.ambiguous),
        level,
    )
    region_name = reg.name
    if head("region_name") and head("region_name") != head("region"):
        names_given = col("region_name")
        region_name = reg.name.where(names_given.mask(bool), names_given)

    # periods
    period_cols = {f: col(f) for f in ("period", "year", "month", "quarter") if head(f)}
    periods = parse_periods(n=n, **period_cols, names=cmap.fields)
    shown_period = next(iter(period_cols.values()))
    period_name = next(cmap.fields[f] for f in ("period", "year", "month", "quarter") if head(f))
    for (column, expected), mask in periods.bad.items():
        problems.add(column, expected, mask, shown_period)
    period_years = periods.period_years
    if head("period_years"):
        years_given = col("period_years")
        problems.add(
            head("period_years") or "period_years",
            "1 or 2",
            years_given.mask(lambda u: u not in ("", "1", "2")),
            years_given,
        )
        period_years = np.where(years_given.mask(lambda u: u == "2"), 2, period_years)

    # what is counted, in what unit
    ind = col("indicator", indicator or DEFAULT_INDICATOR)
    if not head("indicator"):
        ind = Coded(ind.codes, [indicator or DEFAULT_INDICATOR])
    problems.add(
        head("indicator") or "indicator", "a non-empty indicator name", ind.mask(lambda u: u == "")
    )
    group = read_groups(col("offence_group"))
    unit, bad_unit = read_units(col("unit"))
    problems.add(
        head("unit") or "unit",
        f"one of {list(UNITS)}",
        bad_unit,
        unit,
    )
    status = col("status")
    source = col("source", path.name).map(lambda u: u or path.name)

    # values
    value_col = head("value") or "value"
    value_text = col("value")
    num = parse_numbers(
        value_text, decimal=decimal, thousands=thousands, numeric=raw.numeric.get(value_col)
    )
    shown_value = value_text
    for expected, mask in num.bad.items():
        problems.add(value_col, expected, mask, shown_value)
    values = num.values
    no_status = status.mask(lambda u: u == "")
    problems.add(
        value_col,
        "a number, or a status saying why it is missing",
        num.empty & no_status,
        shown_value,
    )
    is_count = unit.mask(lambda u: u == "count")
    problems.add(value_col, "a count >= 0", is_count & (values < 0), shown_value)
    limit = unit.per_row([LIMITS.get(u, 1e12) for u in unit.uniques], dtype=float)
    problems.add(
        value_col,
        "a believable size (at most 1e12 for a count or persons, 1e15 NOK, 1e9 MNOK)",
        np.abs(np.nan_to_num(values)) > limit,
        shown_value,
    )

    rows = _Rows(
        region=reg.code,
        region_name=region_name,
        level=level,
        year=periods.year,
        month=periods.month,
        quarter=periods.quarter,
        period_years=period_years,
        indicator=ind,
        offence_group=group,
        value=values,
        unit=unit,
        status=status,
        source=source,
    )
    return rows, period_name, shown_period, num.decimal


def _assumed(fields: Mapping[str, str], indicator: str | None) -> list[str]:
    notes = []
    if "indicator" not in fields:
        notes.append(f"indicator={indicator or DEFAULT_INDICATOR!r} for every row")
    if "unit" not in fields:
        notes.append("unit='count' for every row")
    if "offence_group" not in fields:
        notes.append("offence_group='total' for every row")
    return notes


@dataclass(frozen=True)
class _Rows:
    """The parsed rows before duplicates and frequency: text fields coded, the rest arrays."""

    region: Coded
    region_name: Coded
    level: Coded
    year: np.ndarray
    month: np.ndarray
    quarter: np.ndarray
    period_years: np.ndarray
    indicator: Coded
    offence_group: Coded
    value: np.ndarray
    unit: Coded
    status: Coded
    source: Coded

    def key(self) -> np.ndarray:
        """One int64 per row, equal for rows with the same key; ``key // 65`` drops the
        month and quarter (they are its last digits, radix 13 and 5)."""
        base = combine(
            [
                self.region.dense(),
                self.year - self.year.min(),
                self.period_years - 1,
                self.indicator.dense(),
                self.offence_group.dense(),
                self.unit.dense(),
            ]
        )
        if len(base) and base.max() >= 2**62 // 65:
            base = pd.factorize(base)[0].astype("int64")
        return combine_radix([base, self.month, self.quarter], [0, 13, 5])

    def frame(self, rows: np.ndarray | None = None) -> pd.DataFrame:
        """The rows at *rows* (default all) in the columns, order and dtypes of the schema."""
        pick = (lambda a: a) if rows is None else (lambda a: a[rows])
        year, month, years = pick(self.year), pick(self.month), pick(self.period_years)
        return pd.DataFrame(
            {
                "region": self.region.strings(rows),
                "region_name": self.region_name.strings(rows),
                "level": self.level.strings(rows),
                "period": _period_labels(year, month, years),
                "year": year.astype("int64"),
                "month": month.astype("int64"),
                "period_years": years.astype("int64"),
                "indicator": self.indicator.strings(rows),
                "offence_group": self.offence_group.strings(rows),
                "value": pick(self.value),
                "unit": self.unit.strings(rows),
                "status": self.status.strings(rows),
                "source": self.source.strings(rows),
            },
            copy=False,  # one block per column: no stacking copy of millions of rows
        )


def _check_duplicates(rows: _Rows, key: np.ndarray, problems: Problems) -> None:
    dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    where = np.flatnonzero(dup)
    examples = []
    for k in pd.unique(key[where])[:3]:
        same = where[key[where] == k]
        r = rows.frame(same[:1]).iloc[0]
        when = str(r["year"])
        if r["month"]:
            when += f"-{r['month']:02d}"
        elif rows.quarter[same[0]]:
            when += f"K{rows.quarter[same[0]]}"
        numbers = ", ".join(str(x) for x in problems._row_of(same[:4]))
        examples.append(
            f"rows {numbers}: {r['region']} {when} {r['indicator']} {r['offence_group']} {r['unit']}"
        )
    problems.note(
        f"{int(dup.sum()):,} rows share a key (region, period, indicator, offence group, unit) — "
        "expected one row per key (sum them, or add the column that tells them apart): "
        + "; ".join(examples)
    )
    problems.bad |= dup


def _period_labels(year: np.ndarray, month: np.ndarray, period_years: np.ndarray) -> pd.Series:
    """'2016', '2015-2016' or '2016-01' per row, each distinct label built once."""
    if not len(year):
        return pd.Series([], dtype="str")
    codes, _ = pd.factorize(combine([year - year.min(), month, period_years - 1]), sort=False)
    lead = first_rows(codes)
    labels = []
    for y, m, py in zip(year[lead], month[lead], period_years[lead], strict=True):
        labels.append(f"{y}-{m:02d}" if m else (f"{y - 1}-{y}" if py == 2 else str(y)))
    return Coded(codes, labels).strings()


def _to_frequency(
    rows: _Rows, key: np.ndarray, frequency: str, problems: Problems, column: str, shown: Coded
) -> pd.DataFrame:
    """Rows at the requested frequency, with ``period`` and ``month`` set."""
    sub = (rows.month > 0) | (rows.quarter > 0)
    if frequency == "month":
        problems.add(
            column,
            "a month (frequency='month' keeps monthly rows; use frequency='year' for years "
            "and quarters)",
            rows.month == 0,
            shown,
        )
        return rows.frame()
    if not sub.any():
        return rows.frame()
    yearly = rows.frame(np.flatnonzero(~sub))
    parts = np.flatnonzero(sub)
    summable = rows.unit.mask(lambda u: u in _SUMMABLE)
    problems.add(
        "unit",
        f"a unit that can be summed over months ({', '.join(_SUMMABLE)}); rates and stocks "
        "need yearly rows or frequency='month'",
        sub & ~summable,
        rows.unit,
    )
    group, first = pd.factorize(key[parts] // 65)
    n_groups = len(first)
    value = rows.value[parts]
    present = ~np.isnan(value)
    total = np.bincount(group, weights=np.where(present, value, 0.0), minlength=n_groups)
    count = np.bincount(group, weights=present, minlength=n_groups)
    monthly = rows.month[parts] > 0
    n_monthly = np.bincount(group, weights=monthly, minlength=n_groups)
    n_rows = np.bincount(group, minlength=n_groups)
    mixed = (n_monthly > 0) & (n_monthly < n_rows)
    if mixed.any():
        problems.note(
            f"{int(mixed.sum()):,} year(s) mix months and quarters — expected one kind of "
            "period per year"
        )
    per = np.where(n_monthly > 0, 12, 4)
    complete = count == per
    lead = parts[first_rows(group)]
    agg = rows.frame(lead)
    agg["month"] = 0
    agg["period_years"] = 1
    agg["value"] = np.where(complete, total, np.nan)
    kind = pd.Series(np.where(per == 12, " months)", " quarters)"))
    reason = (
        "incomplete year ("
        + pd.Series(count.astype("int64")).astype("str")
        + " of "
        + pd.Series(per).astype("str")
        + kind
    )
    agg["status"] = reason.where(pd.Series(~complete), agg["status"]).astype("str")
    agg["period"] = agg["year"].astype("str")
    out = pd.concat([yearly, agg], ignore_index=True)
    key = combine(
        [
            pd.factorize(out[c])[0]
            for c in ("region", "period", "indicator", "offence_group", "unit")
        ]
    )
    dup = pd.Series(key).duplicated(keep=False)
    if dup.any():
        r = out.loc[dup.to_numpy()].iloc[0]
        problems.note(
            f"{int(dup.sum()):,} rows give a year both as a whole and by months or quarters "
            f"(e.g. {r['region']} {r['period']} {r['indicator']} {r['offence_group']}) — "
            "expected one or the other"
        )
    return out


def is_synthetic(own: pd.DataFrame) -> bool:
    """True when the own-data frame says it is synthetic (demo) data.

    Parameters
    ----------
    own : pandas.DataFrame
        A frame from :func:`load_own`.

    Returns
    -------
    bool
    """
    return bool(own["source"].str.contains("SYNTHETIC|SYNTETISK", case=False, regex=True).any())


def write_validated(source: str | Path, target: str | Path, **options: Any) -> Path:
    """Validate *source* once with :func:`load_own` and write a stamped parquet.

    The report runner calls this once in the parent process and hands the
    kernels *target*: :func:`load_own` on it checks the stamp (schema version,
    a SHA-256 of the column data, the source unchanged; see
    :mod:`ptvlib.data.own_store`) and returns the table without parsing or
    validating again.

    Parameters
    ----------
    source : str or pathlib.Path
        The analyst's file (any format :func:`load_own` reads).
    target : str or pathlib.Path
        The parquet file to write (atomically; folders created).
    **options
        Passed to :func:`load_own` (``columns``, ``sheet``, ``frequency``,
        ``decimal`` …) and recorded in the stamp.

    Returns
    -------
    pathlib.Path
        *target*.

    Raises
    ------
    OwnDataError
        *source* failed validation (nothing is written).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "own.csv").write_text("region,year,indicator,value\\n030115,2019,cases,120\\n")
    >>> fast = write_validated(d / "own.csv", d / "run" / "own.parquet")
    >>> load_own(fast)["value"].tolist()
    [120.0]
    """
    from ptvlib.basics.io import atomic_write_bytes

    src = Path(source).expanduser().resolve()
    frame = load_own(src, **options)
    stamp = source_stamp(src, options, OWN_SCHEMA_VERSION)
    stamp["read"] = frame.attrs.get("own_data", {})
    target = Path(target).expanduser()
    atomic_write_bytes(target, stamped_bytes(frame, stamp))
    return target
