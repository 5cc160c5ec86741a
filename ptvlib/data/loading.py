"""Load harmonised, validated tables: the embedded snapshot or Statistics Norway.

:func:`load` builds a catalogued table from ``data/raw`` (or refreshes it
from SSB's API), validates it against its schema and caches it as parquet,
keyed by the SHA-256 of every raw input file and the builder version: a
changed raw file rebuilds the table, a corrupt cache file is rebuilt.

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
        if stale != target and not stale.name.endswith("-ssb.parquet"):
            stale.unlink(missing_ok=True)
            signed_cache.signature_path(stale).unlink(missing_ok=True)
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
    from ptvlib.data.sources.ssb.client import SsbClient
    from ptvlib.data.tables import offences as _offences
    from ptvlib.data.tables import offences_live as _offences_ssb

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
        Default: ``PTV_DATA_SOURCE`` (see :func:`ptvlib.basics.config.data_source`),
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
