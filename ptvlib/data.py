"""Load harmonised, validated tables: embedded snapshot, Statistics Norway, or own data.

* :func:`load` builds a catalogued table from ``data/raw`` (or refreshes it
  from SSB's API), validates it against its schema and caches it as parquet,
  keyed by the SHA-256 of every raw input file and the builder version: a
  changed raw file rebuilds the table, a corrupt cache file is rebuilt.
* :func:`load_own` reads an analyst's own police export in the same long
  schema and rejects bad rows with messages that give the row, column, value
  and what was expected.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from . import catalog, config, regions
from ._io import atomic_path, sha256_file
from ._literals import Source, check_literal
from .exceptions import DataError, OwnDataError, SourceUnavailable
from .schema import Column, Schema, coerce, validate

__all__ = [
    "BUILD_VERSION",
    "OWN_DATA_SCHEMA",
    "CacheRebuiltWarning",
    "SsbFallbackWarning",
    "datasets",
    "load",
    "load_own",
    "source_agreement",
]

log = logging.getLogger(__name__)

#: Bump when a builder's output changes: every cached table is rebuilt.
BUILD_VERSION = "2026.11.1"

Progress = Callable[[int, int, str], None]


class CacheRebuiltWarning(UserWarning):
    """A cached table could not be read or failed validation and was rebuilt."""


class SsbFallbackWarning(UserWarning):
    """Statistics Norway's API was unavailable; an older copy was used instead."""


def datasets() -> pd.DataFrame:
    """Every dataset :func:`load` knows, with a one-line description.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``description``, ``ssb_table`` (live source, if any).

    Examples
    --------
    >>> "reported_offences" in datasets()["name"].tolist()
    True
    """
    rows = [
        {"name": d.name, "description": d.description, "ssb_table": d.ssb_table or ""}
        for d in catalog.DATASETS.values()
    ]
    return pd.DataFrame(rows)


#: SHA-256 of raw files, remembered per (path, size, mtime) within the process.
_DIGESTS: dict[tuple[str, int, int], str] = {}
#: Tables read and validated in this process, by (name, parquet path, size, mtime): a
#: changed or replaced cache file is read and validated again.
_LOADED: dict[tuple[str, str, int, int], pd.DataFrame] = {}


def _digest(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = sha256_file(path)
    return _DIGESTS[key]


def _cache_key(name: str) -> str:
    raw = config.raw_dir()
    digest = hashlib.sha256(f"{BUILD_VERSION}|{name}".encode())
    for rel in sorted(catalog.files_of(name)):
        path = raw / rel
        if not path.exists():
            raise DataError(f"dataset {name!r}: raw file missing: {path}")
        digest.update(f"|{rel}={_digest(path)}".encode())
    return digest.hexdigest()[:20]


def _tables_dir() -> Path:
    path = config.cache_dir() / "tables"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_parquet(frame: pd.DataFrame, target: Path) -> None:
    with atomic_path(target, suffix=".parquet") as tmp:
        frame.to_parquet(tmp, index=False)


def _read_valid(path: Path, schema: Schema) -> pd.DataFrame | None:
    """Read and validate a cached parquet file; None (with a warning) if unusable."""
    try:
        frame = pd.read_parquet(path)
        return validate(coerce(frame, schema), schema)
    except Exception as err:
        warnings.warn(
            f"cached table {path.name} is unusable ({type(err).__name__}: {err}); rebuilding it",
            CacheRebuiltWarning,
            stacklevel=3,
        )
        return None


def _embedded(name: str, refresh: bool) -> pd.DataFrame:
    ds = catalog.get(name)
    key = _cache_key(name)
    target = _tables_dir() / f"{name}-{key}.parquet"
    if target.exists() and not refresh:
        st = target.stat()
        memo = (name, str(target), st.st_size, st.st_mtime_ns)
        if memo in _LOADED:
            return _LOADED[memo].copy()  # this very file was read and validated already
        cached = _read_valid(target, ds.schema)
        if cached is not None:
            _LOADED[memo] = cached
            return cached.copy()
    frame = validate(coerce(ds.build(config.raw_dir()), ds.schema), ds.schema)
    _write_parquet(frame, target)
    for stale in _tables_dir().glob(f"{name}-*.parquet"):
        if stale != target and not stale.name.endswith("-ssb.parquet"):
            stale.unlink(missing_ok=True)
    st = target.stat()
    _LOADED[(name, str(target), st.st_size, st.st_mtime_ns)] = frame
    return frame.copy()


def _from_ssb(name: str, progress: Progress | None) -> pd.DataFrame:
    ds = catalog.get(name)
    if ds.ssb_table is None:
        raise DataError(
            f"dataset {name!r} has no Statistics Norway table; source='ssb' is allowed for: "
            + ", ".join(d.name for d in catalog.DATASETS.values() if d.ssb_table)
        )
    target = _tables_dir() / f"{name}-ssb.parquet"
    try:
        frame = _fetch_ssb(name, progress)
    except (SourceUnavailable, DataError) as err:
        if target.exists():
            cached = _read_valid(target, ds.schema)
            if cached is not None:
                warnings.warn(
                    f"SSB table {ds.ssb_table} unavailable ({err}); using the last good copy "
                    f"{target.name}",
                    SsbFallbackWarning,
                    stacklevel=3,
                )
                return cached
        warnings.warn(
            f"SSB table {ds.ssb_table} unavailable ({err}); using the embedded snapshot",
            SsbFallbackWarning,
            stacklevel=3,
        )
        return _embedded(name, refresh=False)
    frame = validate(coerce(frame, ds.schema), ds.schema)
    _write_parquet(frame, target)
    return frame


def _fetch_ssb(name: str, progress: Progress | None) -> pd.DataFrame:
    from . import _offences, _offences_ssb
    from .ssb import SsbClient

    if name != "reported_offences":  # pragma: no cover - only 08487 is registered
        raise DataError(f"no SSB mapping for {name!r}")
    query = {
        "Gjerningssted": "*",
        "LovbruddKrim": list(_offences_ssb.SSB_GROUPS),
        "ContentsCode": ["AnmeldteLovbrudd"],
        "Tid": "*",
    }
    if config.offline():
        raise SourceUnavailable("offline mode (PTV_OFFLINE is set)")
    # stale_ok=False: a failure must reach load(), which decides between the last good
    # processed copy and the embedded snapshot and warns (SsbFallbackWarning).
    cube = SsbClient().fetch(
        "08487",
        query,
        lang="no",
        expected_dims=list(_offences_ssb.SSB_DIMS),
        progress=progress,
        stale_ok=False,
    )
    source = _offences_ssb.source_from_ssb(cube)
    return _offences.build_offences(load("population"), sources=[source])


def load(
    name: str,
    *,
    source: Source | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Load a catalogued dataset as a tidy, validated DataFrame.

    Parameters
    ----------
    name : str
        Dataset name; see :func:`datasets`.
    source : {"embedded", "ssb", "auto"}, optional
        Default: ``PTV_DATA_SOURCE`` (see :func:`ptvlib.config.data_source`),
        else ``embedded``. ``embedded``: build from ``data/raw`` (no network). ``ssb``: refresh
        from Statistics Norway's API; when it fails, fall back to the last good
        SSB copy, else the embedded snapshot, with a
        :class:`SsbFallbackWarning` naming the table. ``auto``: ``ssb`` unless
        ``PTV_OFFLINE`` is set.
    refresh : bool
        Rebuild the embedded table even if a valid cache exists.
    progress : callable, optional
        ``progress(done, total, message)`` for downloads.

    Returns
    -------
    pandas.DataFrame
        A new frame (callers may modify it freely).

    Raises
    ------
    UnknownDatasetError
        *name* is not in the catalogue.
    ParameterError
        *source* is not allowed.
    SchemaError
        The built table does not match its schema (a bug or a changed raw file).

    Examples
    --------
    >>> pop = load("population")
    >>> int(pop.query("region == '0301' and year == 2020")["value"].iloc[0])
    693494
    """
    catalog.get(name)
    if source is None:
        source = config.data_source()  # type: ignore[assignment]
    check_literal("source", source, Source)
    if source == "auto":
        source = "embedded" if config.offline() or catalog.get(name).ssb_table is None else "ssb"
    if source == "ssb":
        return _from_ssb(name, progress)
    return _embedded(name, refresh)


def source_agreement() -> pd.DataFrame:
    """Compare the 08487 extracts where they overlap (same unit, period, group).

    Returns
    -------
    pandas.DataFrame
        ``unit_code``, ``period``, ``group``, ``source_a``, ``value_a``,
        ``source_b``, ``value_b``, ``rel_diff``, ``derived_a``, ``derived_b``.
    """
    from . import _offences

    key = _cache_key("reported_offences")
    target = _tables_dir() / f"source_agreement-{key}.parquet"
    if target.exists():
        try:
            return pd.read_parquet(target)
        except Exception:  # unreadable: rebuilt below
            target.unlink(missing_ok=True)
    frame = _offences.source_agreement(load("population"))
    _write_parquet(frame, target)
    for stale in _tables_dir().glob("source_agreement-*.parquet"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return frame


# ------------------------------------------------------------------ own data
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
