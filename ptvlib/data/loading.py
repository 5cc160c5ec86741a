"""Load harmonised, validated tables: the embedded snapshot or the live source.

:func:`load` builds a catalogued table from ``data/raw`` (or refreshes it
from its live source: Statistics Norway's API, Oslo kommune's statbank),
validates it against its schema and caches it as parquet, keyed by the SHA-256
of every raw input file and the builder version: a changed raw file rebuilds
the table, a corrupt cache file is rebuilt.

Every frame :func:`load` returns carries ``attrs["provenance"]`` — where it
came from and of when — and :func:`provenance` summarises every table loaded in
the process, for the report to show:

=====================  ==================================================
``origin``             meaning
=====================  ==================================================
``embedded``           the snapshot in ``data/raw`` (``as_of`` says of when)
``live``               fetched from the live source now (``as_of``: UTC time)
``live_cache``         the live source failed; the last good live copy
``embedded_fallback``  the live source failed and no live copy exists
=====================  ==================================================

Every cached parquet file has a ``<file>.sig`` sidecar with an HMAC-SHA256 of
its bytes (:mod:`ptvlib.basics.signed_cache`, keyed per installation): a file
whose bytes changed after it was written (one flipped byte, a planted table) is
rebuilt with a :class:`CacheRebuiltWarning` before anything reads a value from it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ptvlib.basics import config, signed_cache
from ptvlib.basics.exceptions import DataError, SourceUnavailable, WorkspaceError
from ptvlib.basics.io import atomic_path, sha256_file
from ptvlib.basics.literals import Source, check_literal
from ptvlib.data import catalog
from ptvlib.data.schema import Schema, coerce, validate

__all__ = [
    "BUILD_VERSION",
    "CacheRebuiltWarning",
    "SsbFallbackWarning",
    "cache_key",
    "datasets",
    "load",
    "provenance",
    "source_agreement",
]

log = logging.getLogger(__name__)

#: Bump when a builder's output changes: every cached table is rebuilt.
BUILD_VERSION = "2026.12.1"

Progress = Callable[[int, int, str], None]


class CacheRebuiltWarning(UserWarning):
    """A cached table could not be read or failed validation and was rebuilt."""


class SsbFallbackWarning(UserWarning):
    """A live source (Statistics Norway, Oslo kommune's statbank) failed; an older copy was used."""


def datasets() -> pd.DataFrame:
    """Every dataset :func:`load` knows, with a one-line description.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``description``, ``ssb_table`` (Statistics Norway
        table, if any) and ``live_source`` (what ``ptv data update`` refreshes
        from; empty: the table stays embedded).

    Examples
    --------
    >>> "reported_offences" in datasets()["name"].tolist()
    True
    """
    rows = [
        {
            "name": d.name,
            "description": d.description,
            "ssb_table": d.ssb_table or "",
            "live_source": d.live_source,
        }
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


def cache_key(name: str) -> str:
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
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise WorkspaceError(
            f"cannot create the table cache {path} ({err.strerror or err}); set PTV_CACHE_DIR "
            "to a writable folder"
        ) from None
    return path


def _write_parquet(frame: pd.DataFrame, target: Path) -> None:
    """Write a cached table and its signature (the table first: a reader in between rebuilds)."""
    try:
        with atomic_path(target, suffix=".parquet") as tmp:
            frame.to_parquet(tmp, index=False)
        signed_cache.sign_file(target)
    except OSError as err:
        raise WorkspaceError(
            f"cannot write the cached table {target.name} into {target.parent} "
            f"({err.strerror or err}); the table must be rebuilt there: make the folder "
            "writable or set PTV_CACHE_DIR to a writable folder"
        ) from None


def _read_parquet(path: Path) -> pd.DataFrame:
    """A cached parquet file, read from bytes that matched their signature."""
    return pd.read_parquet(io.BytesIO(signed_cache.read_verified(path)))


def _read_valid(path: Path, schema: Schema) -> pd.DataFrame | None:
    """Read and validate a cached parquet file; None (with a warning) if unusable."""
    try:
        frame = _read_parquet(path)
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
    key = cache_key(name)
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
    inputs = {dep: load(dep) for dep in ds.inputs}
    frame = validate(coerce(ds.build(config.raw_dir(), inputs), ds.schema), ds.schema)
    _write_parquet(frame, target)
    for stale in _tables_dir().glob(f"{name}-*.parquet"):
        if stale != target and not stale.name.endswith("-live.parquet"):
            stale.unlink(missing_ok=True)
            signed_cache.signature_path(stale).unlink(missing_ok=True)
    st = target.stat()
    _LOADED[(name, str(target), st.st_size, st.st_mtime_ns)] = frame
    return frame.copy()


def _from_live(name: str, progress: Progress | None) -> pd.DataFrame:
    from ptvlib.data import live

    ds = catalog.get(name)
    if not live.has_live(name):
        return _stamp(_embedded(name, refresh=False), name, "embedded", note="no live source")
    label = live.LABELS[name]
    target = _tables_dir() / f"{name}-live.parquet"
    try:
        frame = live.fetch_live(name, progress, population=lambda: load("population"))
    except (SourceUnavailable, DataError) as err:
        if target.exists():
            cached = _read_valid(target, ds.schema)
            if cached is not None:
                warnings.warn(
                    f"{label} unavailable ({err}); using the last good copy {target.name}",
                    SsbFallbackWarning,
                    stacklevel=3,
                )
                before = dict(cached.attrs.get("provenance", {}))  # as written with the copy
                return _stamp(
                    cached,
                    name,
                    "live_cache",
                    as_of=str(before.get("as_of", "")),
                    note=f"{label} unavailable: {err}",
                )
        warnings.warn(
            f"{label} unavailable ({err}); using the embedded snapshot",
            SsbFallbackWarning,
            stacklevel=3,
        )
        return _stamp(
            _embedded(name, refresh=False),
            name,
            "embedded_fallback",
            note=f"{label} unavailable: {err}",
        )
    fetched_at = str(frame.attrs.get("fetched_at", ""))
    frame = validate(coerce(frame, ds.schema), ds.schema)
    _stamp(frame, name, "live", as_of=fetched_at)
    _write_parquet(frame, target)
    return frame


#: Provenance of the last load of each dataset in this process.
_PROVENANCE: dict[str, dict[str, str]] = {}


def _stamp(
    frame: pd.DataFrame, name: str, origin: str, *, as_of: str = "", note: str = ""
) -> pd.DataFrame:
    """Record where *frame* came from in ``frame.attrs["provenance"]`` and the registry."""
    ds = catalog.get(name)
    embedded = origin.startswith("embedded")
    record = {
        "dataset": name,
        "origin": origin,
        "source": "data/raw (embedded snapshot)" if embedded else ds.live_source,
        "as_of": ds.as_of if embedded else as_of,
        "note": note,
    }
    frame.attrs["provenance"] = dict(record)
    _PROVENANCE[name] = record
    return frame


def provenance(names: list[str] | None = None) -> pd.DataFrame:
    """Where each loaded table came from and of when, for the report to show.

    Parameters
    ----------
    names : list of str, optional
        Datasets to report; those not loaded yet in this process are loaded
        now (from the default source). Default: every dataset loaded so far.

    Returns
    -------
    pandas.DataFrame
        ``dataset``, ``origin`` (``embedded``, ``live``, ``live_cache``,
        ``embedded_fallback``; see the module docstring), ``source``,
        ``as_of`` (the snapshot's date, or the UTC fetch time of live data)
        and ``note`` (why a fallback happened; "no live source" when live data
        was asked for a table that has none).

    Examples
    --------
    >>> _ = load("funding", source="embedded")
    >>> provenance(["funding"])[["dataset", "origin"]].values.tolist()
    [['funding', 'embedded']]
    """
    wanted = list(_PROVENANCE) if names is None else list(names)
    for name in wanted:
        catalog.get(name)
        if name not in _PROVENANCE:
            load(name)
    rows = [_PROVENANCE[n] for n in wanted]
    return pd.DataFrame(rows, columns=["dataset", "origin", "source", "as_of", "note"])


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
        Default: ``PTV_DATA_SOURCE`` (see :func:`ptvlib.basics.config.data_source`),
        else ``embedded``. ``embedded``: build from ``data/raw`` (no network).
        ``ssb``: refresh from the table's live source (Statistics Norway's
        API; Oslo kommune's statbank for ``bydel_offences``); when it fails,
        fall back to the last good live copy, else the embedded snapshot, with
        a :class:`SsbFallbackWarning` naming the table. A table without a live
        source stays embedded (its provenance says so). ``auto``: ``ssb``
        unless ``PTV_OFFLINE`` is set.
    refresh : bool
        Rebuild the embedded table even if a valid cache exists.
    progress : callable, optional
        ``progress(done, total, message)`` for downloads.

    Returns
    -------
    pandas.DataFrame
        A new frame (callers may modify it freely); ``attrs["provenance"]``
        says where it came from (see :func:`provenance`).

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
        source = "embedded" if config.offline() else "ssb"
    if source == "ssb":
        return _from_live(name, progress)
    return _stamp(_embedded(name, refresh), name, "embedded")


def source_agreement() -> pd.DataFrame:
    """Compare the 08487 extracts where they overlap (same unit, period, group).

    Returns
    -------
    pandas.DataFrame
        ``unit_code``, ``period``, ``group``, ``source_a``, ``value_a``,
        ``source_b``, ``value_b``, ``rel_diff``, ``derived_a``, ``derived_b``.
    """
    from ptvlib.data.tables import offences as _offences

    key = cache_key("reported_offences")
    target = _tables_dir() / f"source_agreement-{key}.parquet"
    if target.exists():
        try:
            return _read_parquet(target)
        except Exception:  # unreadable or its signature does not match: rebuilt below
            target.unlink(missing_ok=True)
    frame = _offences.source_agreement(load("population"))
    _write_parquet(frame, target)
    for stale in _tables_dir().glob("source_agreement-*.parquet"):
        if stale != target:
            stale.unlink(missing_ok=True)
            signed_cache.signature_path(stale).unlink(missing_ok=True)
    return frame
