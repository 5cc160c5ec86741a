"""Client for Oslo kommune's statistikkbank (PxWeb API v1), with the same safe cache as SSB's.

:class:`OsloStatbankClient` reads a table's metadata and fetches a selection
of it as a tidy frame (one row per cell: code and label of each variable,
``value``, ``status``). It shares the HTTP transport (rate limit, retries,
deadline, size cap) and the cache engine of the SSB client
(:mod:`ptvlib.data.sources.http`, :mod:`ptvlib.data.sources.engine`).

The API (PxWeb API v1; the live site was not reachable from here)
-----------------------------------------------------------------
* Root ``https://statistikkbanken.oslo.kommune.no/statbank/api/v1/no/db1``
  (Norwegian only; override with ``base_url`` or ``PTV_OSLO_BASE_URL``); a
  table is addressed by its path under the root, e.g.
  ``Kriminalitet/KRI002.px``.
* ``GET`` on the table URL: the metadata (see
  :mod:`ptvlib.data.sources.oslo.metadata`).
* ``POST`` on the table URL with ``{"query": [{"code": "geografi", "selection":
  {"filter": "item", "values": ["01", "02"]}}, ...], "response": {"format":
  "json-stat2"}}``: the data as a JSON-stat 2.0 dataset. Variables left out
  of the query must allow elimination.
* Limits of the installation: ``maxValues`` 1 000 and ``maxCells`` 550 000.
  The client reads ``maxValues`` as the most data cells one query may return
  (PxWeb's API configuration uses it so) and splits every query into parts of
  at most ``max_cells`` cells, default 1 000 — the stricter of the two
  readings, so no query is refused for size. Rate: at most ``max_per_minute``
  requests (default 30) in any rolling minute.
* Status codes: 400 bad query, 403 too many cells, 404 no such table, 429 too
  many requests, 50x server trouble.

Behaviour (as :class:`~ptvlib.data.sources.ssb.client.SsbClient`)
-----------------------------------------------------------------
Retries with backoff or ``Retry-After`` (a wait above ``max_wait`` gives up),
an overall ``deadline`` per request, bodies above ``max_bytes`` refused; every
response decoded and checked (JSON-stat shape, the queried variables present,
the caller's *transform*) before it is cached atomically in
``config.cache_dir() / "oslo"``; offline or after a transient failure the last
good copy answers with a :class:`~ptvlib.data.sources.engine.StaleDataWarning`;
a renamed variable is :class:`~ptvlib.SchemaError` (schema drift).

References
----------
* Statistics Sweden (M. Nordberg), "PxWeb API description", 2020 (URLs,
  metadata result, table retrieval query, response formats, limits).
* JSON-stat 2.0, https://json-stat.org/format/.
* Oslo kommune, Statistikkbanken, table KRI002,
  https://statistikkbanken.oslo.kommune.no/statbank/pxweb/no/db1/db1__Kriminalitet/KRI002.px/
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from ptvlib.basics.exceptions import DataError, ParameterError, SchemaError
from ptvlib.data.sources import cache as _cache
from ptvlib.data.sources.cache import Part
from ptvlib.data.sources.engine import CachedSource, Pending, checked
from ptvlib.data.sources.http import Progress, RequestFailure, Transport, check_limits
from ptvlib.data.sources.jsonstat import decode, normalise_selection, row_major, split_selection
from ptvlib.data.sources.oslo.metadata import PxMetadata, parse_metadata

if TYPE_CHECKING:
    import requests

__all__ = ["DEFAULT_BASE_URL", "OsloStatbankClient", "table_id_of"]

#: Oslo kommune's PxWeb API v1 root (``PTV_OSLO_BASE_URL`` overrides it).
DEFAULT_BASE_URL = "https://statistikkbanken.oslo.kommune.no/statbank/api/v1/no/db1"

_PATH = re.compile(r"[\w-]+(/[\w.-]+)*/?[\w-]+\.px", re.UNICODE)


def table_id_of(table_path: Any) -> str:
    """Short id of a table path (``"Kriminalitet/KRI002.px"`` → ``"KRI002"``), checked.

    Raises
    ------
    ParameterError
        Not a ``folder/TABLE.px`` path (no ``..``, no query string).

    Examples
    --------
    >>> table_id_of("Kriminalitet/KRI002.px")
    'KRI002'
    """
    if not isinstance(table_path, str) or not _PATH.fullmatch(table_path) or ".." in table_path:
        raise ParameterError(
            f"table_path={table_path!r} is not allowed; allowed: a table path under the "
            "API root, e.g. 'Kriminalitet/KRI002.px'"
        )
    return table_path.rsplit("/", 1)[-1].removesuffix(".px")


class OsloStatbankClient(CachedSource):
    """Fetch tables of Oslo kommune's statistikkbank through PxWeb API v1.

    Parameters
    ----------
    base_url : str, optional
        API root; default ``PTV_OSLO_BASE_URL`` or :data:`DEFAULT_BASE_URL`.
    timeout : float or (float, float), default 30.0
        Connect and read timeout of each attempt in seconds.
    max_retries : int, default 4
        Retries after the first attempt, for transient failures.
    backoff : float, default 1.0
        First retry wait in seconds; doubles on every retry.
    max_cells : int, default 1_000
        Most cells one query may return (the installation's ``maxValues``).
    max_per_minute : int or None, default 30
        Requests allowed in any rolling 60 s; None turns the limit off.
    cache_dir : path, optional
        Cache folder; default ``config.cache_dir() / "oslo"`` at call time.
    session : requests.Session, optional
        HTTP session (a new one by default).
    sleep, clock : callable
        ``time.sleep`` and ``time.monotonic`` by default; fakes in tests.
    max_wait : float, default 30.0
        Cap on a backoff wait; a ``Retry-After`` above it gives up.
    deadline : float, default 40.0
        Seconds one request may take in all.
    max_bytes : int, default 50_000_000
        Largest response body accepted.

    Examples
    --------
    >>> OsloStatbankClient("https://example.test/api/v1/no/db1/").table_url("Kriminalitet/KRI002.px")
    'https://example.test/api/v1/no/db1/Kriminalitet/KRI002.px'
    """

    source_label = "Oslo statbank"
    cache_subdir = "oslo"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | tuple[float, float] = 30.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_cells: int = 1_000,
        max_per_minute: int | None = 30,
        cache_dir: str | os.PathLike[str] | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_wait: float = 30.0,
        deadline: float = 40.0,
        max_bytes: int = 50_000_000,
    ) -> None:
        check_limits(
            timeout=timeout,
            max_retries=max_retries,
            max_cells=max_cells,
            max_per_minute=max_per_minute,
            backoff=backoff,
            max_wait=max_wait,
            deadline=deadline,
            max_bytes=max_bytes,
        )
        root = base_url or os.environ.get("PTV_OSLO_BASE_URL", "").strip() or DEFAULT_BASE_URL
        self.base_url = root.rstrip("/")
        self.max_cells = max_cells
        transport = Transport(
            timeout=timeout,
            deadline=deadline,
            max_retries=max_retries,
            backoff=backoff,
            max_wait=max_wait,
            max_bytes=max_bytes,
            max_per_minute=max_per_minute,
            sleep=sleep,
            clock=clock,
            session=session,
        )
        super().__init__(transport, cache_dir)

    def table_url(self, table_path: str) -> str:
        """URL of a table (GET: metadata, POST: data)."""
        table_id_of(table_path)
        return f"{self.base_url}/{table_path}"

    # ------------------------------------------------------------------ metadata
    def metadata(
        self,
        table_path: str,
        *,
        stale_ok: bool = True,
        check: Callable[[PxMetadata], Any] | None = None,
    ) -> PxMetadata:
        """The table's variables and values (v1 metadata), cached once it passed *check*.

        Parameters
        ----------
        table_path : str
            E.g. ``"Kriminalitet/KRI002.px"``.
        stale_ok : bool, default True
            After a transient failure return the cached copy with a warning.
        check : callable, optional
            ``check(meta)``: raise :class:`~ptvlib.SchemaError` when the
            metadata lacks what the caller needs (then nothing is cached).

        Returns
        -------
        PxMetadata

        Raises
        ------
        SourceUnavailable
            No valid response and no cached copy.
        SchemaError
            Raised by *check* (schema drift).
        """
        table_id = table_id_of(table_path)
        url = self.table_url(table_path)

        def verified(meta: PxMetadata) -> PxMetadata:
            if check is not None:
                check(meta)
            return meta

        def online() -> tuple[PxMetadata, list[Pending]]:
            meta, pending = self._metadata_online(table_path)
            return verified(meta), [pending]

        def from_cache(raws: list[bytes], urls: list[str]) -> PxMetadata:
            return verified(self._decode_metadata(table_id, raws[0], urls[0]))

        return self._run(self._meta_stem(table_id), table_id, url, online, from_cache, stale_ok)

    def _meta_stem(self, table_id: str) -> str:
        return _cache.cache_stem("meta", table_id, "no", {})

    def _metadata_online(self, table_path: str) -> tuple[PxMetadata, Pending]:
        table_id = table_id_of(table_path)
        url = self.table_url(table_path)
        raw = self._request("GET", url, None, table_id)
        meta = self._decode_metadata(table_id, raw, url)
        pending = Pending(
            self._meta_stem(table_id), table_id, "no", {}, (Part(url, "GET", None, raw),)
        )
        return meta, pending

    def _decode_metadata(self, table_id: str, raw: bytes, url: str) -> PxMetadata:
        where = f"{self._where(table_id)}: the metadata from {url}"
        try:
            return parse_metadata(raw, table_id=table_id, where=where)
        except SchemaError:
            raise
        except DataError as exc:
            raise RequestFailure(f"{exc} (not PxWeb v1 metadata)", transient=True) from exc

    # ---------------------------------------------------------------------- data
    def fetch(
        self,
        table_path: str,
        query: Mapping[str, Sequence[str]],
        *,
        progress: Progress | None = None,
        stale_ok: bool = True,
        transform: Callable[[pd.DataFrame], Any] | None = None,
        with_metadata: Pending | None = None,
    ) -> Any:
        """Fetch the cells selected by *query* (``{variable code: value codes}``).

        Parameters
        ----------
        table_path : str
            E.g. ``"Kriminalitet/KRI002.px"``.
        query : dict
            Value codes per variable; variables left out must allow elimination.
        progress : callable, optional
            ``progress(done, total, message)`` after each request and during waits.
        stale_ok : bool, default True
            After a transient failure return the last good copy with a warning.
        transform : callable, optional
            The caller's value checks, run before anything is cached (see
            :meth:`SsbClient.fetch <ptvlib.data.sources.ssb.client.SsbClient.fetch>`).
        with_metadata : Pending, optional
            The metadata entry :meth:`plan_metadata` fetched online to plan this
            query; it is cached together with the data, once the data passed
            every check (never before, so drifted metadata replaces nothing).

        Returns
        -------
        pandas.DataFrame or object
            Per variable ``<code>`` and ``<code>_label``, ``value``, ``status``,
            in JSON-stat row order; ``attrs``: ``table_id``, ``urls``,
            ``fetched_at``, ``from_cache``. With *transform*: what it returned.

        Raises
        ------
        SourceUnavailable
            No valid response (or failed value checks) and no usable cached copy.
        SchemaError
            A queried variable is missing from the response (schema drift).
        """
        table_id = table_id_of(table_path)
        q = normalise_selection(query)
        url = self.table_url(table_path)
        where = self._where(table_id)
        stem = _cache.cache_stem("data", table_id, "no", q)
        plan = split_selection(q, self.max_cells, {})

        def finish(frame: pd.DataFrame, urls: list[str]) -> Any:
            if transform is None:
                return frame
            result = checked(where, urls[0], transform, frame)
            if isinstance(result, pd.DataFrame):
                result.attrs.update({k: frame.attrs[k] for k in ("table_id", "urls")})
            return result

        def online() -> tuple[Any, list[Pending]]:
            parts, frames = [], []
            for i, sub in enumerate(plan):
                body = self.query_body(sub)
                raw = self._request("POST", url, body, table_id, progress, i, len(plan))
                frames.append(self._decode_data(table_id, raw, url, q))
                parts.append(Part(url, "POST", body, raw))
                if progress is not None:
                    progress(i + 1, len(plan), f"{where}: request {i + 1} of {len(plan)} done")
            result = finish(self._join(table_id, frames, [url] * len(frames)), [url])
            pending = [] if with_metadata is None else [with_metadata]
            return result, [*pending, Pending(stem, table_id, "no", q, tuple(parts))]

        def from_cache(raws: list[bytes], urls: list[str]) -> Any:
            frames = [self._decode_data(table_id, r, u, q) for r, u in zip(raws, urls, strict=True)]
            return finish(self._join(table_id, frames, urls), urls)

        return self._run(stem, table_id, url, online, from_cache, stale_ok)

    def plan_metadata(self, table_path: str) -> tuple[PxMetadata, Pending | None]:
        """Metadata to plan a query: online and not cached yet, else the last good copy.

        Returns
        -------
        (PxMetadata, Pending or None)
            The metadata, and its cache entry when it came online: pass that to
            :meth:`fetch` as *with_metadata*, so it is cached with the data it
            planned. None when it came from the cache (offline or failing, with
            a :class:`~ptvlib.data.sources.engine.StaleDataWarning`).

        Raises
        ------
        SourceUnavailable
            No valid response and no cached copy, or a non-retried error.
        """
        from ptvlib.basics import config
        from ptvlib.basics.exceptions import SourceUnavailable

        table_id = table_id_of(table_path)
        reason = "offline mode (PTV_OFFLINE is set)"
        if not config.offline():
            try:
                return self._metadata_online(table_path)
            except RequestFailure as fail:
                if not fail.transient:
                    raise SourceUnavailable(str(fail)) from fail
                reason = str(fail)

        def from_cache(raws: list[bytes], urls: list[str]) -> PxMetadata:
            return self._decode_metadata(table_id, raws[0], urls[0])

        url = self.table_url(table_path)
        return self._stale(self._meta_stem(table_id), table_id, url, from_cache, reason), None

    @staticmethod
    def query_body(query: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """The v1 POST body selecting *query* as JSON-stat 2.0.

        Examples
        --------
        >>> OsloStatbankClient.query_body({"år": ["34"]})
        {'query': [{'code': 'år', 'selection': {'filter': 'item', 'values': ['34']}}], 'response': {'format': 'json-stat2'}}
        """
        return {
            "query": [
                {"code": code, "selection": {"filter": "item", "values": list(values)}}
                for code, values in query.items()
            ],
            "response": {"format": "json-stat2"},
        }

    def _decode_data(
        self, table_id: str, raw: bytes, url: str, query: dict[str, list[str]]
    ) -> pd.DataFrame:
        where = f"{self._where(table_id)}: the response from {url}"
        try:
            frame = decode(raw, where=where).frame
        except DataError as exc:
            raise RequestFailure(f"{exc} (not valid JSON-stat)", transient=True) from exc
        found = frame.attrs["dimensions"]
        missing = [c for c in query if c not in found]
        if missing:
            raise SchemaError(
                f"{self._where(table_id)} changed (schema drift): the query selects "
                f"{list(query)}, the response has {found}; missing {missing} (URL: {url})"
            )
        return frame

    def _join(self, table_id: str, frames: list[pd.DataFrame], urls: list[str]) -> pd.DataFrame:
        info = dict(frames[0].attrs)
        frame = (
            frames[0]
            if len(frames) == 1
            else row_major(pd.concat(frames, ignore_index=True), info["dimensions"])
        )
        frame.attrs = {**info, "table_id": table_id, "urls": list(urls)}
        return frame
