"""The engine both live clients share: online with a checked cache write, or the last good copy.

:class:`CachedSource` holds a :class:`~ptvlib.data.sources.http.Transport` and
a cache folder. :meth:`CachedSource._run` answers one request:

1. offline (``PTV_OFFLINE``) → the last good cached copy, with a
   :class:`StaleDataWarning` naming the table and when the copy was fetched;
2. otherwise ``online()`` fetches, decodes and **checks** everything (schema,
   then the caller's value checks) and returns the result with every response
   that should be cached — the data *and* any metadata it fetched on the way;
3. only then are those responses written (atomically, data first, then each
   sidecar). A response that fails any check never replaces a good copy, and
   neither does the metadata fetched with it;
4. after a transient failure (retries exhausted, a broken, oversized or
   implausible body) the last good copy answers with a warning when
   ``stale_ok``; else :class:`~ptvlib.SourceUnavailable` names table and URL.

Schema drift (:class:`~ptvlib.SchemaError` from a client's decoder: the table
changed at the source) is never answered from the cache: it must be seen.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pandas as pd

from ptvlib.basics import config
from ptvlib.basics.exceptions import DataError, SchemaError, SourceUnavailable
from ptvlib.data.sources import cache as _cache
from ptvlib.data.sources.cache import Part
from ptvlib.data.sources.http import Progress, RequestFailure, Transport

__all__ = ["CachedSource", "Pending", "StaleDataWarning", "checked"]

_T = TypeVar("_T")


class StaleDataWarning(UserWarning):
    """Live data came from the on-disk cache (offline, or the source failed); it may be out of date."""


@dataclass(frozen=True)
class Pending:
    """Responses to cache once everything they belong to has passed its checks."""

    stem: str
    table_id: str
    lang: str
    query: dict[str, list[str]]
    parts: tuple[Part, ...]


def checked(where: str, url: str, transform: Callable[[Any], _T], value: Any) -> _T:
    """``transform(value)``; a :class:`~ptvlib.DataError` it raises becomes a transient failure.

    The value checks a caller passes (build the table, validate its schema:
    counts >= 0, keys unique ...) run before anything is cached. A failure
    names the table and the URL and may be answered by the last good copy.

    Parameters
    ----------
    where : str
        ``"SSB table 08487"`` or similar.
    url : str
        The request URL, for the message.
    transform : callable
        The caller's checks; returns the result.
    value : object
        The decoded response.

    Returns
    -------
    object
        What *transform* returned.

    Raises
    ------
    RequestFailure
        ``transient=True`` when *transform* raised a DataError (SchemaError included).
    """
    try:
        return transform(value)
    except DataError as err:
        raise RequestFailure(
            f"{where}: the response from {url} failed the value checks: {err}", transient=True
        ) from err


class CachedSource:
    """Base of the live clients: a transport, a cache folder and the engine above.

    Parameters
    ----------
    transport : Transport
        Sends the requests.
    cache_dir : path, optional
        Cache folder; default ``config.cache_dir() / cache_subdir`` at call time.
    """

    #: Prefix of every message: ``"<source_label> table <id>"``.
    source_label: ClassVar[str] = "source"
    #: Folder under ``config.cache_dir()`` for the raw responses.
    cache_subdir: ClassVar[str] = "live"

    def __init__(self, transport: Transport, cache_dir: str | os.PathLike[str] | None) -> None:
        self._transport = transport
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None

    def _where(self, table_id: str) -> str:
        return f"{self.source_label} table {table_id}"

    def _root(self) -> Path:
        return (
            self._cache_dir
            if self._cache_dir is not None
            else config.cache_dir() / self.cache_subdir
        )

    def _request(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        table_id: str,
        progress: Progress | None = None,
        done: int = 0,
        total: int = 1,
    ) -> bytes:
        return self._transport.request(
            method,
            url,
            body,
            where=self._where(table_id),
            progress=progress,
            done=done,
            total=total,
        )

    def _commit(self, pending: list[Pending]) -> str:
        """Cache every pending entry (all checks passed); return the data entry's fetch time."""
        fetched_at = ""
        for p in pending:
            fetched_at = _cache.store(
                self._root(), p.stem, p.table_id, p.lang, p.query, list(p.parts)
            )
        return fetched_at

    def _run(
        self,
        stem: str,
        table_id: str,
        url: str,
        online: Callable[[], tuple[_T, list[Pending]]],
        from_cache: Callable[[list[bytes], list[str]], _T],
        stale_ok: bool,
    ) -> _T:
        """Online with a checked cache write, or the cached copy (offline / transient failure).

        *online* returns the result and the entries to cache, the entry of
        *stem* last; they are written only after it returned.
        """
        if config.offline():
            return self._stale(stem, table_id, url, from_cache, "offline mode (PTV_OFFLINE is set)")
        try:
            result, pending = online()
        except RequestFailure as fail:
            if fail.transient and stale_ok:
                return self._stale(stem, table_id, url, from_cache, str(fail), fail)
            raise SourceUnavailable(str(fail)) from fail.__cause__
        fetched_at = self._commit(pending)
        if isinstance(result, pd.DataFrame):
            result.attrs.update(fetched_at=fetched_at, from_cache=False)
        return result

    def _stale(
        self,
        stem: str,
        table_id: str,
        url: str,
        from_cache: Callable[[list[bytes], list[str]], _T],
        reason: str,
        cause: Exception | None = None,
    ) -> _T:
        where = self._where(table_id)
        why = reason.removeprefix(f"{where}: ")
        cached = _cache.load(self._root(), stem)
        if cached is None:
            raise SourceUnavailable(
                f"{where}: {why}; and no usable cached copy in {self._root()} (URL: {url})"
            ) from cause
        record, raws = cached
        try:
            result = from_cache(raws, [p["url"] for p in record["parts"]])
        except (RequestFailure, SchemaError) as fail:
            raise SourceUnavailable(f"{fail}; the cached copy is unusable ({why})") from fail
        warnings.warn(
            f"{where}: using the cached copy fetched {record['fetched_at']}; reason: {why}",
            StaleDataWarning,
            stacklevel=4,
        )
        if isinstance(result, pd.DataFrame):
            result.attrs.update(fetched_at=record["fetched_at"], from_cache=True)
        return result

    def _cached_only(self, stem: str) -> tuple[dict[str, Any], list[bytes]] | None:
        """The cached entry *stem*, or None (no network)."""
        return _cache.load(self._root(), stem)
