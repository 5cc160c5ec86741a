"""The analyst's own data: the police's bydel- or area-level export in the project's long schema.

:func:`load_own` reads CSV, Excel or parquet and rejects bad rows with
messages that give the row, column, value and what was expected.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ptvlib.basics.exceptions import OwnDataError
from ptvlib.data import regions
from ptvlib.data.schema import Column, Schema, coerce, validate

__all__ = ["OWN_DATA_SCHEMA", "is_synthetic", "load_own"]

_OWN_UNITS = ("count", "per_1000", "per_100000", "NOK", "MNOK", "percent", "persons")
_OWN_LEVELS = (
    "country",
    "county",
    "municipality",
    "municipality_group",
    "bydel",
    "police_district",
    "area",
)

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
        Column("level", "str", "geographic level", allowed=_OWN_LEVELS),
        Column("period", "str", "period label (default: the year)"),
        Column("year", "int", "(last) year of the period"),
        Column("period_years", "int", "years in the period", allowed=(1, 2)),
        Column(
            "indicator",
            "str",
            "e.g. cases, cleared_cases, prosecutions, seizures, confiscations, confiscated_nok",
        ),
        Column("offence_group", "str", "offence group or 'total'"),
        Column("value", "float", "value", nullable=True),
        Column("unit", "str", "unit of value", allowed=_OWN_UNITS),
        Column("status", "str", "'' when present, else why missing"),
        Column("source", "str", "where the row comes from"),
    ),
    keys=("region", "period", "indicator", "offence_group", "unit"),
    nonnegative_when=(("unit", "count"),),
)
_REQUIRED = ("region", "year", "indicator", "value")


def _read_any(path: Path) -> tuple[pd.DataFrame, int]:
    """Read CSV/Excel/parquet as strings; return the frame and the first data row's number."""
    suffix = path.suffix.lower()
    try:
        if suffix in {".csv", ".txt"}:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
        elif suffix in {".xlsx", ".xls"}:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suffix in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
            frame = frame.astype("string").fillna("").astype("str")
        else:
            raise OwnDataError(
                f"own_data={str(path)!r}: file type {suffix or '(none)'!r} is not supported; "
                "allowed: .csv, .xlsx, .parquet"
            )
    except OwnDataError:
        raise
    except Exception as err:
        raise OwnDataError(f"own_data={str(path)!r} could not be read: {err}") from None
    first_row = 1 if suffix in {".parquet", ".pq"} else 2
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, first_row


def load_own(path: str | Path) -> pd.DataFrame:
    """Read and validate an analyst's own data file (CSV, Excel or parquet).

    The file uses the project's long schema (:data:`OWN_DATA_SCHEMA`). Required
    columns: ``region``, ``year``, ``indicator``, ``value``. Optional, with
    defaults: ``period`` (the year), ``period_years`` (1), ``region_name``
    (looked up), ``level`` (inferred from the code: 4 digits municipality, 6
    digits bydel), ``offence_group`` ("total"), ``unit`` ("count"),
    ``status`` (""), ``source`` (the file name).

    Parameters
    ----------
    path : str or pathlib.Path
        File to read.

    Returns
    -------
    pandas.DataFrame
        Validated rows in :data:`OWN_DATA_SCHEMA`.

    Raises
    ------
    OwnDataError
        The file is missing, unreadable, lacks a required column, or has bad
        rows; ``err.problems`` lists every bad row as "row N, column C: value
        V — expected ...". Nothing is written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "own.csv"
    >>> _ = p.write_text("region,year,indicator,value\\n030115,2019,cases,120\\n")
    >>> own = load_own(p)
    >>> own.loc[0, ["region", "level", "region_name"]].tolist(), float(own.loc[0, "value"])
    (['030115', 'bydel', 'Søndre Nordstrand'], 120.0)
    """
    path = Path(path)
    if not path.exists():
        raise OwnDataError(f"own_data={str(path)!r} does not exist")
    raw, first = _read_any(path)
    missing = [c for c in _REQUIRED if c not in raw.columns]
    if missing:
        raise OwnDataError(
            f"own_data={str(path)!r}: missing required column(s) {missing}; "
            f"required: {list(_REQUIRED)}; optional: period, period_years, region_name, level, "
            f"offence_group, unit, status, source"
        )
    n = len(raw)
    if n == 0:
        raise OwnDataError(f"own_data={str(path)!r} has no data rows")
    row_no = np.arange(first, first + n)
    problems: list[str] = []

    def col(name: str, default: str) -> pd.Series:
        if name in raw.columns:
            return raw[name].astype("str").str.strip()
        return pd.Series([default] * n, index=raw.index, dtype="str")

    def bad(mask: pd.Series | np.ndarray, column: str, values: pd.Series, expected: str) -> None:
        for i in np.flatnonzero(np.asarray(mask)):
            problems.append(
                f"row {row_no[i]}, column {column!r}: value {values.iloc[i]!r} — expected {expected}"
            )

    year_txt = col("year", "")
    year = pd.to_numeric(year_txt, errors="coerce")
    bad(
        year.isna() | (year % 1 != 0) | ~year.between(1900, 2100),
        "year",
        year_txt,
        "a whole year between 1900 and 2100",
    )
    value_txt = col("value", "")
    value = pd.to_numeric(value_txt.str.replace(",", ".", regex=False), errors="coerce")
    status = col("status", "")
    bad(value.isna() & (value_txt != ""), "value", value_txt, "a number (empty only with a status)")
    bad(
        (value_txt == "") & (status == ""),
        "value",
        value_txt,
        "a number, or a status saying why it is missing",
    )
    unit = col("unit", "count")
    bad(~unit.isin(_OWN_UNITS), "unit", unit, f"one of {list(_OWN_UNITS)}")
    bad((unit == "count") & (value < 0), "value", value_txt, "a count >= 0")
    region = col("region", "")
    level = col("level", "")
    names = regions._all_names()
    inferred = np.where(
        region.str.fullmatch(r"\d{6}"),
        "bydel",
        np.where(region.str.fullmatch(r"\d{4}"), "municipality", ""),
    )
    level = level.where(level != "", pd.Series(inferred, index=raw.index, dtype="str"))
    bad(~level.isin(_OWN_LEVELS), "level", level, f"one of {list(_OWN_LEVELS)}")
    known = region.isin(list(names))
    bad((region == ""), "region", region, "a region code")
    bad(
        (region != "") & ~known & (level != "area"),
        "region",
        region,
        "a known code (2024 municipality e.g. '0301', Oslo bydel '030101'…'030115', county '03') "
        "or level 'area' for the analyst's own areas",
    )
    indicator = col("indicator", "")
    bad(indicator == "", "indicator", indicator, "a non-empty indicator name (e.g. 'cases')")
    period_years_txt = col("period_years", "1")
    period_years = pd.to_numeric(period_years_txt, errors="coerce")
    bad(~period_years.isin([1, 2]), "period_years", period_years_txt, "1 or 2")
    year_int = year.fillna(0).astype("int64")
    period = col("period", "")
    period = period.where(period != "", year_int.astype("str"))
    region_name = col("region_name", "")
    region_name = region_name.where(region_name != "", region.map(names).fillna(region))
    out = pd.DataFrame(
        {
            "region": region,
            "region_name": region_name,
            "level": level,
            "period": period,
            "year": year_int,
            "period_years": period_years.fillna(1).astype("int64"),
            "indicator": indicator,
            "offence_group": col("offence_group", "total").replace("", "total"),
            "value": value.astype("float64"),
            "unit": unit,
            "status": status,
            "source": col("source", path.name).replace("", path.name),
        }
    )
    keys = list(OWN_DATA_SCHEMA.keys)
    dup = out.duplicated(keys, keep=False)
    if dup.any():
        for _, grp in out.loc[dup].groupby(keys, sort=False):
            rows = ", ".join(str(row_no[i]) for i in grp.index)
            key = ", ".join(f"{k}={grp.iloc[0][k]!r}" for k in keys)
            problems.append(f"rows {rows}: duplicate key ({key}) — expected one row per key")
    if problems:
        raise OwnDataError(f"own_data={str(path)!r}: {len(problems)} problem(s)", problems)
    return validate(coerce(out, OWN_DATA_SCHEMA), OWN_DATA_SCHEMA)


def is_synthetic(own: pd.DataFrame) -> bool:
    """True when the own-data frame says it is synthetic (demo) data."""
    return bool(own["source"].str.contains("SYNTHETIC|SYNTETISK", case=False, regex=True).any())
