"""Client for Statistics Norway's statbank API (PxWebApi v2), with a safe on-disk cache.

:class:`SsbClient` fetches a table as a tidy frame (one row per cell: code and
label of each dimension, ``value``, ``status``), keeps under SSB's limits,
retries transient failures and keeps the last good response, so an analysis
still runs offline or while SSB is down.

The API (from SSB's and PxTools' documentation; the live API was not reachable here)
------------------------------------------------------------------------------------
* Base ``https://data.ssb.no/api/pxwebapi/v2`` (``/v2-beta`` during the beta);
  override with ``base_url`` or ``PTV_SSB_BASE_URL``. Languages ``no`` and
  ``en``; the project's ``nb`` is sent as ``no``.
* Metadata: ``GET {base}/tables/{id}/metadata?lang=..&outputFormat=json-stat2``
  returns a JSON-stat 2.0 ``dataset`` describing the dimensions (``id``,
  ``size``, ``dimension.<dim>.category``; SSB extras under ``extension``)
  without cell values. The other metadata format is PxWeb's ``json-px``.
* Data: ``GET {base}/tables/{id}/data?lang=..&outputFormat=json-stat2&valueCodes[Dim]=a,b``
  (``*``/``?`` wildcards and expressions such as ``top(3)`` allowed), or POST
  to the same path with ``{"selection": [{"variableCode": "Dim", "valueCodes":
  ["a", "b"]}]}``. This client uses GET, and POST when the URL would exceed
  2,000 characters.
* Limits: 800,000 cells per request; 30 requests per 60 s per IP address.
  Status codes: 400 bad query, 403 too many cells, 404 unknown table, 429 too
  many requests, 50x server trouble.
* The v0 "dataset" API (JSON-stat 1.x bundles) was retired in 2025;
  :func:`decode_jsonstat` still reads its responses.

Behaviour
---------
* **Splitting**: more than ``max_cells`` cells (product of the codes selected
  per dimension; left-out dimensions count 1; wildcards and expressions are
  counted from the metadata, one extra request) → several requests along the
  largest dimension, joined back in JSON-stat row order.
* **Rate limit, retries and bounds** (:mod:`ptvlib.data.sources.http`): at most
  ``max_per_minute`` requests (retries included) in any rolling 60 s; retries on connection
  errors, timeouts, cut-off bodies, HTTP 429 and 5xx after ``backoff * 2**attempt`` s or
  ``Retry-After`` s; a ``Retry-After`` above ``max_wait`` gives up at once. One request
  (all attempts and waits) ends after ``deadline`` seconds, even against a server that
  trickles its answer; a body above ``max_bytes`` is refused while streaming. Other 4xx
  are not retried. Waits are announced through ``progress`` (or logged).
* **Errors** name the table id and the URL. ``SourceUnavailable``: no valid
  response (retries exhausted, a 4xx, truncated JSON, an HTML page with
  status 200). ``SchemaError``: valid JSON-stat whose dimensions differ from
  the query or ``expected_dims`` (the table changed at SSB; never answered
  from the cache).
* **Value checks**: ``fetch(..., transform=f)`` runs the caller's checks (build the table,
  validate counts and keys) *before* anything is cached; a failure is a
  ``SourceUnavailable`` naming table and URL, answered by the last good copy when allowed.
* **Cache** in ``config.cache_dir() / "ssb"`` (:mod:`ptvlib.data.sources.cache`,
  :mod:`ptvlib.data.sources.engine`), written atomically only after every response decoded
  and passed every check; the metadata fetched to plan a query is written only with the
  data it planned, so a drifted or bad response never replaces a good copy. Offline
  (``PTV_OFFLINE``) or after a transient failure the last good copy is returned with a
  :class:`StaleDataWarning` (table and fetch time); no copy: ``SourceUnavailable``.

References
----------
* Statistics Norway, "Statbank PxWebApi user guide",
  https://www.ssb.no/en/api/statbank-pxwebapi-user-guide (800,000 cells, 30
  queries per 60 s); Norwegian version with the per-IP rule and
  ``/v2/config``: https://www.ssb.no/api/api-mot-statistikkbanken--brukerveiledning
* Statistics Norway, "PxWebApi 2.0 beta", https://ssb.no/en/api/pxwebapi/pxwebapi-2.0-beta
  (``/tables/03013/metadata?lang=en&outputformat=json-stat2``,
  ``/tables/03013/data?outputformat=json-stat2&lang=en&valueCodes[Konsumgrp]=01&...``).
* PxTools, OpenAPI ``PxAPI-2.yml``, https://github.com/PxTools/PxApiSpecs
  (status codes, POST ``VariablesSelection``, metadata as JSON-stat2).
* JSON-stat 2.0, https://json-stat.org/format/ (value/status forms, row-major order).
* Recorded responses: ``data/raw/pxwebapi_v2_jsonstat2_fixture_13615`` and
  ``data/raw/ssb08487_national_jsonstat_fixture_egil10`` (PROVENANCE.md).
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import pandas as pd

from ptvlib.basics.exceptions import DataError, ParameterError, SchemaError, SourceUnavailable
from ptvlib.data.sources import cache as _ssb_cache
from ptvlib.data.sources.cache import Part as _Part
from ptvlib.data.sources.engine import CachedSource, Pending, StaleDataWarning, checked
from ptvlib.data.sources.http import Progress, RequestFailure, Transport, check_limits
from ptvlib.data.sources.http import RateLimiter as _RateLimiter
from ptvlib.data.sources.jsonstat import (
    decode,
    expand_patterns,
    find_dataset,
    load_json,
    normalise_selection,
    parse_dimensions,
    row_major,
    split_selection,
)

if TYPE_CHECKING:
    import requests

__all__ = ["DEFAULT_BASE_URL", "SsbClient", "StaleDataWarning", "TableMetadata", "decode_jsonstat"]

#: SSB's PxWebApi v2 root (``PTV_SSB_BASE_URL`` overrides it).
DEFAULT_BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"

QueryArg = Mapping[str, Sequence[str] | str]
_Query = dict[str, list[str]]
_T = TypeVar("_T")

_LANGS = {"nb": "no", "no": "no", "en": "en"}
_TABLE_ID = re.compile(r"[A-Za-z0-9_]{1,40}")
_PATTERN = re.compile(r"[*?]")
_EXPRESSION = re.compile(r"^[A-Za-z]+\(.*\)$")
_RateLimiter = _RateLimiter  # re-exported for the tests of the rate limit


@dataclass(frozen=True)
class TableMetadata:
    """Dimensions of an SSB table, from the metadata endpoint.

    Attributes
    ----------
    table_id : str
        Table number, e.g. ``"08487"``.
    label : str
        Table title in the requested language.
    updated : str or None
        When SSB last updated the table (ISO 8601), if given.
    dimensions : dict of str to dict of str to str
        For each dimension in table order: ``{code: label}`` in published order.
    dimension_labels : dict of str to str
        Label of each dimension.
    """

    table_id: str
    label: str
    updated: str | None
    dimensions: dict[str, dict[str, str]]
    dimension_labels: dict[str, str]

    def codes(self, dim: str) -> list[str]:
        """Category codes of dimension *dim* in published order (SchemaError if unknown)."""
        if dim not in self.dimensions:
            raise SchemaError(
                f"SSB table {self.table_id} has no dimension {dim!r}; found: {list(self.dimensions)}"
            )
        return list(self.dimensions[dim])


def decode_jsonstat(
    data: bytes | str | Mapping[str, Any], *, table_id: str | None = None
) -> pd.DataFrame:
    """Decode a JSON-stat response (2.0 dataset or 1.x bundle) into a tidy frame.

    Parameters
    ----------
    data : bytes, str or dict
        The response body, or the parsed JSON object.
    table_id : str, optional
        Used in error messages only.

    Returns
    -------
    pandas.DataFrame
        One row per cell in JSON-stat order (last dimension fastest): for each
        dimension ``<dim>`` (code) and ``<dim>_label``; ``value`` (float64, NaN
        when null or flagged ``.``, ``..``, ``...``, ``:``; a ``-`` keeps the
        number sent); ``status`` (the SSB symbol, ``""`` when none). ``attrs``
        holds ``label``, ``source``, ``updated``, ``note`` when present and
        ``dimensions`` (the dimension names).

    Raises
    ------
    DataError
        If *data* is not JSON, not a JSON-stat dataset, or inconsistent.

    Examples
    --------
    >>> js = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [1, 2],
    ...       "dimension": {"Region": {"category": {"label": {"0301": "Oslo"}}},
    ...                     "Tid": {"category": {"index": ["2022", "2023"]}}},
    ...       "value": [7.5, None], "status": {"1": ".."}}
    >>> frame = decode_jsonstat(js)
    >>> list(frame.columns)
    ['Region', 'Region_label', 'Tid', 'Tid_label', 'value', 'status']
    >>> frame[["Region_label", "Tid", "value", "status"]].values.tolist()
    [['Oslo', '2022', 7.5, ''], ['Oslo', '2023', nan, '..']]
    """
    where = f"SSB table {table_id}" if table_id else "JSON-stat"
    return decode(data, where=where).frame


def _check_table_id(table_id: Any) -> str:
    if not isinstance(table_id, str) or not _TABLE_ID.fullmatch(table_id):
        raise ParameterError(
            f"table_id={table_id!r} is not allowed; allowed: the table number as a string, "
            "e.g. '08487' (leading zeros matter)"
        )
    return table_id


def _ssb_lang(lang: Any) -> str:
    if lang not in _LANGS:
        raise ParameterError(f"lang={lang!r} is not allowed; allowed: 'nb', 'no', 'en'")
    return _LANGS[lang]


def _check_dims(table_id: str, found: list[str], want: list[str], exact: bool, url: str) -> None:
    missing = [d for d in want if d not in found]
    if missing or (exact and sorted(want) != sorted(found)):
        raise SchemaError(
            f"SSB table {table_id} changed (schema drift): expected dimensions {want}, "
            f"found {found}; missing {missing} (URL: {url})"
        )


class SsbClient(CachedSource):
    """Fetch SSB statbank tables through PxWebApi v2 (see the module docstring).

    Parameters
    ----------
    base_url : str, optional
        API root; default ``PTV_SSB_BASE_URL`` or :data:`DEFAULT_BASE_URL`.
    timeout : float or (float, float), default 30.0
        Connect and read timeout of each attempt in seconds (one number, or a pair).
    max_retries : int, default 4
        Retries after the first attempt, for transient failures.
    backoff : float, default 1.0
        First retry wait in seconds; doubles on every retry.
    max_cells : int, default 800_000
        Largest cell count per request before the query is split.
    max_per_minute : int or None, default 30
        Requests allowed in any rolling 60 s; None turns the limit off.
    cache_dir : path, optional
        Cache folder; default ``ptvlib.basics.config.cache_dir() / "ssb"`` at call time.
    session : requests.Session, optional
        HTTP session (a new one by default).
    sleep, clock : callable
        ``time.sleep`` and ``time.monotonic`` by default; inject fakes in tests.
    max_wait : float, default 30.0
        Cap in seconds on a backoff wait; a ``Retry-After`` above it gives up.
    deadline : float, default 40.0
        Seconds one request may take in all (attempts and retry waits).
    max_bytes : int, default 50_000_000
        Largest response body accepted (streamed; refused beyond).

    Raises
    ------
    ParameterError
        If a limit or timeout is out of range.

    Examples
    --------
    >>> client = SsbClient("https://data.ssb.no/api/pxwebapi/v2")
    >>> client.data_url("08487", {"Tid": ["2022-2023", "2023-2024"]}, lang="nb")
    'https://data.ssb.no/api/pxwebapi/v2/tables/08487/data?lang=no&outputFormat=json-stat2&valueCodes[Tid]=2022-2023,2023-2024'
    """

    source_label = "SSB"
    cache_subdir = "ssb"

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | tuple[float, float] = 30.0,
        max_retries: int = 4,
        backoff: float = 1.0,
        max_cells: int = 800_000,
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
        root = base_url or os.environ.get("PTV_SSB_BASE_URL", "").strip() or DEFAULT_BASE_URL
        self.base_url = root.rstrip("/")
        self.timeout = timeout
        self.max_retries, self.backoff, self.max_wait = max_retries, float(backoff), float(max_wait)
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
        self._limiter = transport.limiter
        self._max_get_url = 2000

    # ------------------------------------------------------------------ public
    def data_url(self, table_id: str, query: QueryArg, lang: str = "no") -> str:
        """GET URL of the data request for *query* (no network, no splitting).

        Parameters
        ----------
        table_id : str
            Table number, e.g. ``"08487"``.
        query : dict
            ``{dimension: codes}``; codes as a list or one comma-separated string.
        lang : {"no", "nb", "en"}, default "no"
            Label language.

        Returns
        -------
        str
            The URL with ``valueCodes[Dim]=a,b`` parameters.
        """
        table_id, lang = _check_table_id(table_id), _ssb_lang(lang)
        return self._get_url(table_id, normalise_selection(query), lang)

    def metadata(
        self,
        table_id: str,
        lang: str = "no",
        *,
        stale_ok: bool = True,
        expected_dims: Sequence[str] | None = None,
    ) -> TableMetadata:
        """Dimensions and categories of a table (JSON-stat2 from the metadata endpoint).

        Parameters
        ----------
        table_id : str
            Table number, e.g. ``"08487"``.
        lang : {"no", "nb", "en"}, default "no"
            Label language (``nb`` is sent as ``no``).
        stale_ok : bool, default True
            After a transient failure return the cached copy with a
            :class:`StaleDataWarning` instead of raising.
        expected_dims : sequence of str, optional
            The dimensions your code expects; a difference raises
            :class:`SchemaError` and the response is not cached.

        Returns
        -------
        TableMetadata

        Raises
        ------
        SourceUnavailable
            No valid response and no cached copy (the message names table and URL).
        SchemaError
            The dimensions differ from *expected_dims*.
        ParameterError
            Bad *table_id* or *lang*.

        Examples
        --------
        >>> client = SsbClient()
        >>> client.metadata("08487", lang="en").codes("ContentsCode")  # doctest: +SKIP
        ['AnmeldteLovbrudd', 'AnmLovbrPer1000']
        """
        table_id, lang = _check_table_id(table_id), _ssb_lang(lang)
        url = self._metadata_url(table_id, lang)
        expected = list(expected_dims) if expected_dims is not None else None

        def check(meta: TableMetadata) -> TableMetadata:
            if expected is not None:
                _check_dims(table_id, list(meta.dimensions), expected, True, url)
            return meta

        def online() -> tuple[TableMetadata, list[Pending]]:
            meta, pending = self._metadata_online(table_id, lang)
            return check(meta), [pending]

        def from_cache(raws: list[bytes], urls: list[str]) -> TableMetadata:
            return check(self._decode_metadata(table_id, raws[0], urls[0]))

        stem = _ssb_cache.cache_stem("meta", table_id, lang, {})
        return self._run(stem, table_id, url, online, from_cache, stale_ok)

    def fetch(
        self,
        table_id: str,
        query: QueryArg,
        lang: str = "no",
        *,
        expected_dims: Sequence[str] | None = None,
        progress: Progress | None = None,
        stale_ok: bool = True,
        transform: Callable[[pd.DataFrame], Any] | None = None,
    ) -> Any:
        """Fetch the cells selected by *query* as a tidy frame (or *transform* of it).

        Parameters
        ----------
        table_id : str
            Table number, e.g. ``"08487"``.
        query : dict
            ``{dimension: codes}``; codes as a list or a comma-separated string;
            ``*``/``?`` wildcards and PxWeb expressions (``top(3)``) allowed.
        lang : {"no", "nb", "en"}, default "no"
            Label language.
        expected_dims : sequence of str, optional
            The table's dimension names as your code expects them; any
            difference raises :class:`SchemaError` (schema drift).
        progress : callable, optional
            ``progress(done, total, message)`` after each request and before
            and during each retry wait.
        stale_ok : bool, default True
            After a transient failure return the last good cached copy with a
            :class:`StaleDataWarning` instead of raising.
        transform : callable, optional
            ``transform(frame) -> result``: the caller's value checks (e.g.
            build and validate the table). Runs before anything is cached; a
            :class:`DataError` it raises is a source failure naming table and
            URL (the cached copy answers when *stale_ok*).

        Returns
        -------
        pandas.DataFrame or object
            As :func:`decode_jsonstat`, in JSON-stat row order even when split;
            ``attrs`` adds ``table_id``, ``urls``, ``fetched_at`` and
            ``from_cache``. With *transform*: what it returned (a frame gets the
            same ``attrs``).

        Raises
        ------
        SourceUnavailable
            No valid response (retries exhausted, 4xx, not JSON-stat, failed
            value checks) and no usable cached copy, or offline without one.
        SchemaError
            The response's dimensions differ from *query* or *expected_dims*.
        ParameterError
            Bad *table_id*, *query* or *lang*.

        Examples
        --------
        >>> client = SsbClient()
        >>> frame = client.fetch(  # doctest: +SKIP
        ...     "08487", {"Gjerningssted": ["0301"], "LovbruddKrim": "*", "Tid": "*",
        ...               "ContentsCode": ["AnmLovbrPer1000"]}, lang="en",
        ...     expected_dims=["Gjerningssted", "LovbruddKrim", "Tid", "ContentsCode"])
        """
        table_id, lang = _check_table_id(table_id), _ssb_lang(lang)
        q = normalise_selection(query)
        expected = list(expected_dims) if expected_dims is not None else None
        where = self._where(table_id)
        first_url = self._get_url(table_id, q, lang)
        stem = _ssb_cache.cache_stem("data", table_id, lang, q)

        def finish(frame: pd.DataFrame, urls: list[str]) -> Any:
            if transform is None:
                return frame
            result = checked(where, urls[0], transform, frame)
            if isinstance(result, pd.DataFrame):
                result.attrs.update({k: frame.attrs[k] for k in ("table_id", "urls")})
            return result

        def online() -> tuple[Any, list[Pending]]:
            plan, pending = self._plan(table_id, q, lang)
            parts, frames = [], []
            for i, sub in enumerate(plan):
                url, body = self._data_request(table_id, sub, lang)
                method = "GET" if body is None else "POST"
                raw = self._request(method, url, body, table_id, progress, i, len(plan))
                frames.append(self._decode_data(table_id, raw, url, q, expected))
                parts.append(_Part(url, method, body, raw))
                if progress is not None:
                    progress(i + 1, len(plan), f"{where}: request {i + 1} of {len(plan)} done")
            urls = [p.url for p in parts]
            result = finish(self._join(table_id, frames, urls), urls)
            return result, [*pending, Pending(stem, table_id, lang, q, tuple(parts))]

        def from_cache(raws: list[bytes], urls: list[str]) -> Any:
            pairs = zip(raws, urls, strict=True)
            frames = [self._decode_data(table_id, r, u, q, expected) for r, u in pairs]
            return finish(self._join(table_id, frames, urls), urls)

        return self._run(stem, table_id, first_url, online, from_cache, stale_ok)

    # ------------------------------------------------------------------ engine
    def _metadata_url(self, table_id: str, lang: str) -> str:
        return f"{self.base_url}/tables/{table_id}/metadata?lang={lang}&outputFormat=json-stat2"

    def _metadata_online(self, table_id: str, lang: str) -> tuple[TableMetadata, Pending]:
        """Fetch and decode the metadata; the cache entry is returned, not written."""
        url = self._metadata_url(table_id, lang)
        raw = self._request("GET", url, None, table_id)
        meta = self._decode_metadata(table_id, raw, url)
        stem = _ssb_cache.cache_stem("meta", table_id, lang, {})
        return meta, Pending(stem, table_id, lang, {}, (_Part(url, "GET", None, raw),))

    def _plan_metadata(self, table_id: str, lang: str) -> tuple[TableMetadata, list[Pending]]:
        """Metadata to plan a query: online (cached only with the data), else the last copy."""
        try:
            meta, pending = self._metadata_online(table_id, lang)
        except RequestFailure as fail:
            if not fail.transient:
                raise
            url = self._metadata_url(table_id, lang)
            stem = _ssb_cache.cache_stem("meta", table_id, lang, {})

            def from_cache(raws: list[bytes], urls: list[str]) -> TableMetadata:
                return self._decode_metadata(table_id, raws[0], urls[0])

            try:
                return self._stale(stem, table_id, url, from_cache, str(fail), fail), []
            except SourceUnavailable as exc:
                raise RequestFailure(str(exc), transient=True) from exc
        return meta, [pending]

    def _plan(self, table_id: str, query: _Query, lang: str) -> tuple[list[_Query], list[Pending]]:
        """The selections to request (*query*, or parts of at most ``max_cells`` cells)."""
        expressions = {d for d, vals in query.items() if any(map(_EXPRESSION.match, vals))}
        patterned = {
            d for d, vals in query.items() if any(map(_PATTERN.search, vals))
        } - expressions
        if not patterned and not expressions:
            return split_selection(query, self.max_cells, {}), []
        meta, pending = self._plan_metadata(table_id, lang)
        fixed = {d: len(meta.codes(d)) for d in expressions}  # upper bound, sent unchanged
        expanded = dict(query)
        for dim in patterned:
            expanded[dim] = expand_patterns(query[dim], meta.codes(dim))
        if math.prod(fixed.get(d, len(v)) for d, v in expanded.items()) <= self.max_cells:
            return [query], pending  # small enough: send the wildcards unchanged
        return split_selection(expanded, self.max_cells, fixed), pending

    def _join(self, table_id: str, frames: list[pd.DataFrame], urls: list[str]) -> pd.DataFrame:
        info = dict(frames[0].attrs)
        frame = (
            frames[0]
            if len(frames) == 1
            else row_major(pd.concat(frames, ignore_index=True), info["dimensions"])
        )
        frame.attrs = {**info, "table_id": table_id, "urls": list(urls)}
        return frame

    def _decode_data(
        self, table_id: str, raw: bytes, url: str, query: _Query, expected: list[str] | None
    ) -> pd.DataFrame:
        try:
            frame = decode(raw, where=f"SSB table {table_id}: the response from {url}").frame
        except DataError as exc:
            raise RequestFailure(f"{exc} (not valid JSON-stat)", transient=True) from exc
        found = frame.attrs["dimensions"]
        want = expected if expected is not None else list(query)
        _check_dims(table_id, found, want, expected is not None, url)
        return frame

    def _decode_metadata(self, table_id: str, raw: bytes, url: str) -> TableMetadata:
        where = f"SSB table {table_id}: the metadata from {url}"
        try:
            ds = find_dataset(load_json(raw, where=where), where=where)
            dims = parse_dimensions(ds, where=where)
        except DataError as exc:
            raise RequestFailure(f"{exc} (not valid JSON-stat)", transient=True) from exc
        return TableMetadata(
            table_id=table_id,
            label=str(ds.get("label", "")),
            updated=ds.get("updated"),
            dimensions={d.id: dict(zip(d.codes, d.labels, strict=True)) for d in dims},
            dimension_labels={d.id: d.label for d in dims},
        )

    # -------------------------------------------------------------------- HTTP
    def _get_url(self, table_id: str, query: _Query, lang: str) -> str:
        params = "".join(
            f"&valueCodes[{quote(dim, safe='')}]=" + ",".join(quote(v, safe="*?(),") for v in vals)
            for dim, vals in query.items()
        )
        return f"{self.base_url}/tables/{table_id}/data?lang={lang}&outputFormat=json-stat2{params}"

    def _data_request(
        self, table_id: str, query: _Query, lang: str
    ) -> tuple[str, dict[str, Any] | None]:
        url = self._get_url(table_id, query, lang)
        if len(url) <= self._max_get_url:
            return url, None
        body = {"selection": [{"variableCode": d, "valueCodes": v} for d, v in query.items()]}
        return f"{self.base_url}/tables/{table_id}/data?lang={lang}&outputFormat=json-stat2", body
