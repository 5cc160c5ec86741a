"""HTTP for the live sources: rate limit, retries, an overall deadline and a size cap.

:class:`Transport` sends one request at a time through a :class:`RateLimiter`
and retries transient failures (connection errors, timeouts, cut-off bodies,
HTTP 429 and 5xx), waiting ``backoff * 2**attempt`` seconds or the server's
``Retry-After``. Every request has three bounds:

* **deadline** — the seconds one request may take in all, every attempt and
  every retry wait included (waits for the rate limit are not counted: they
  are the client's own). A watchdog shuts the connection when it passes, so a
  server that trickles one byte every few seconds cannot hold the client
  (a read timeout alone would not: it applies to each read, not to the body);
* **max_wait** — a ``Retry-After`` above it gives up at once with a message
  saying so, instead of waiting silently; backoff waits are capped at it;
* **max_bytes** — the body is streamed and refused once it passes the cap (and
  at once when ``Content-Length`` says it will), so a huge answer never sits
  in memory.

Waits are announced through ``progress(done, total, message)`` (or a logged
warning when no callback is given), and a long wait is announced again every
:data:`TICK` seconds. Every failure is raised as :class:`RequestFailure`, whose
``transient`` flag tells the caller whether the last good cached copy may
answer instead. :func:`check_limits` validates a client's limits.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ptvlib.basics.exceptions import ParameterError
from ptvlib.data.sources._watchdog import Watchdog, session_with_watchdog

if TYPE_CHECKING:
    import requests

__all__ = [
    "HINTS",
    "RETRY_STATUS",
    "TICK",
    "Progress",
    "RateLimiter",
    "RequestFailure",
    "Transport",
    "check_limits",
    "retry_after_seconds",
    "snippet",
]

log = logging.getLogger("ptvlib.data.sources")

#: ``progress(done, total, message)`` callback.
Progress = Callable[[int, int, str], None]

#: HTTP statuses that are retried (too many requests, server trouble).
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: What a non-retried client error most likely means, for error messages.
HINTS = {
    400: "the query was rejected (unknown dimension or code?)",
    403: "too many cells for one request (lower max_cells)",
    404: "no such table or endpoint",
}
#: A wait longer than this is announced again every TICK seconds.
TICK = 10.0
_USER_AGENT = "ptv-analyse (ptvlib.data.sources)"
_CHUNK = 1 << 16


class RequestFailure(Exception):
    """No valid response; ``transient`` ones may be answered from the cache.

    Parameters
    ----------
    message : str
        What failed, naming the table and the URL.
    transient : bool
        True when the last good cached copy may answer instead (timeouts, 5xx,
        a broken or oversized body, a response that failed its checks).
    """

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class RateLimiter:
    """At most *max_calls* acquisitions in any rolling *period* seconds.

    Parameters
    ----------
    max_calls : int or None
        Calls allowed per window; None turns the limit off.
    period : float
        Window length in seconds.
    clock : callable
        Monotonic clock returning seconds.
    sleep : callable
        Called with the seconds to wait when the window is full.
    """

    def __init__(
        self,
        max_calls: int | None,
        period: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.max_calls, self.period, self._clock, self._sleep = max_calls, period, clock, sleep
        self._stamps: deque[float] = deque()

    def _prune(self, now: float) -> None:
        while self._stamps and now - self._stamps[0] >= self.period:
            self._stamps.popleft()

    def pending(self) -> float:
        """Seconds the next :meth:`acquire` will wait (0.0 when the window has room)."""
        if self.max_calls is None:
            return 0.0
        now = self._clock()
        self._prune(now)
        if len(self._stamps) < self.max_calls:
            return 0.0
        return max(0.0, self._stamps[0] + self.period - now)

    def acquire(self) -> float:
        """Wait until a call is allowed, record it, and return the seconds waited.

        Returns
        -------
        float
            Seconds slept (0.0 when the window had room or there is no limit).
        """
        if self.max_calls is None:
            return 0.0
        now, waited = self._clock(), 0.0
        self._prune(now)
        if len(self._stamps) >= self.max_calls:
            waited = self._stamps[0] + self.period - now
            self._sleep(waited)
            now = max(self._clock(), now + waited)
            self._prune(now)
        self._stamps.append(now)
        return waited


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header.

    Parameters
    ----------
    value : str or None
        The header value.

    Returns
    -------
    float or None
        None if absent, negative, not finite or in HTTP-date form.

    Examples
    --------
    >>> retry_after_seconds("7"), retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT")
    (7.0, None)
    """
    try:
        seconds = float((value or "").strip())
    except ValueError:
        return None
    return seconds if value and math.isfinite(seconds) and seconds >= 0 else None


def _positive(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x > 0


def _count(x: Any, low: int) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= low


def check_limits(
    *,
    timeout: Any,
    max_retries: Any,
    max_cells: Any,
    max_per_minute: Any,
    backoff: Any,
    max_wait: Any,
    deadline: Any = 40.0,
    max_bytes: Any = 50_000_000,
) -> None:
    """Check the request limits and timeouts of a client, in this order.

    Parameters
    ----------
    timeout : float or (float, float)
        Seconds > 0 (one number, or a connect/read pair).
    max_retries : int
        Integer >= 0.
    max_cells : int
        Integer >= 1.
    max_per_minute : int or None
        None or an integer >= 1.
    backoff, max_wait : float
        Seconds >= 0.
    deadline : float
        Seconds > 0.
    max_bytes : int
        Integer >= 1.

    Raises
    ------
    ParameterError
        For the first value out of range, naming it and what is allowed.

    Examples
    --------
    >>> check_limits(timeout=(3, 30), max_retries=0, max_cells=1, max_per_minute=None,
    ...              backoff=0, max_wait=0.5)
    >>> check_limits(timeout=30, max_retries=-1, max_cells=1, max_per_minute=30,
    ...              backoff=1, max_wait=60)
    Traceback (most recent call last):
    ...
    ptvlib.ParameterError: max_retries=-1 is not allowed; allowed: an integer >= 0
    """
    pairs = timeout if isinstance(timeout, tuple) else (timeout,)
    checks = [
        (
            "timeout",
            timeout,
            len(pairs) <= 2 and all(_positive(t) for t in pairs),
            "seconds > 0",
        ),
        ("max_retries", max_retries, _count(max_retries, 0), "an integer >= 0"),
        ("max_cells", max_cells, _count(max_cells, 1), "an integer >= 1"),
        (
            "max_per_minute",
            max_per_minute,
            max_per_minute is None or _count(max_per_minute, 1),
            "None or an integer >= 1",
        ),
        ("backoff", backoff, backoff == 0 or _positive(backoff), "seconds >= 0"),
        ("max_wait", max_wait, max_wait == 0 or _positive(max_wait), "seconds >= 0"),
        ("deadline", deadline, _positive(deadline), "seconds > 0"),
        ("max_bytes", max_bytes, _count(max_bytes, 1), "an integer >= 1"),
    ]
    for name, value, ok, allowed in checks:
        if not ok:
            raise ParameterError(f"{name}={value!r} is not allowed; allowed: {allowed}")


def snippet(text: str, limit: int = 160) -> str:
    """*text* on one line, cut to *limit* characters with an ellipsis.

    Parameters
    ----------
    text : str
        Any text, e.g. a response body.
    limit : int, default 160
        Longest result.

    Returns
    -------
    str

    Examples
    --------
    >>> snippet("a\\n  b" + "c" * 10, limit=6)
    'a bcc…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _Attempt(Exception):
    """One attempt failed.

    *reason* is the short cause ("HTTP 503", "ReadTimeout: ..."), *detail* what
    follows the URL in the final message; *retry* whether another attempt may
    succeed, *transient* whether the cache may answer when none does.
    """

    def __init__(
        self,
        reason: str,
        *,
        retry: bool,
        transient: bool = True,
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason, self.retry, self.transient = reason, retry, transient
        self.detail, self.retry_after = detail, retry_after


class Transport:
    """Rate-limited, retrying, deadline- and size-bounded HTTP (see the module docstring).

    Parameters
    ----------
    timeout : float or (float, float)
        Connect and read timeout of each attempt, in seconds.
    deadline : float
        Seconds one request may take in all (attempts and retry waits).
    max_retries : int
        Retries after the first attempt, for transient failures.
    backoff : float
        First retry wait in seconds; doubles on every retry.
    max_wait : float
        Cap on a backoff wait; a ``Retry-After`` above it gives up.
    max_bytes : int
        Largest response body accepted.
    max_per_minute : int or None
        Requests allowed in any rolling 60 s (retries included); None: no limit.
    sleep, clock : callable
        ``time.sleep`` and ``time.monotonic`` in production; fakes in tests.
    session : requests.Session, optional
        HTTP session (a new one by default); the watchdog adapters are mounted on it.
    """

    def __init__(
        self,
        *,
        timeout: float | tuple[float, float],
        deadline: float,
        max_retries: int,
        backoff: float,
        max_wait: float,
        max_bytes: int,
        max_per_minute: int | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        session: requests.Session | None = None,
    ) -> None:
        self.timeout, self.deadline = timeout, float(deadline)
        self.max_retries, self.backoff, self.max_wait = max_retries, float(backoff), float(max_wait)
        self.max_bytes = max_bytes
        self.limiter = RateLimiter(max_per_minute, 60.0, clock, sleep)
        self._sleep, self._clock = sleep, clock
        self._given_session = session
        self._session: requests.Session | None = None
        self._sockets: Any = None

    def _ensure_session(self) -> requests.Session:
        if self._session is None:
            self._session, self._sockets = session_with_watchdog(self._given_session)
        return self._session

    @staticmethod
    def _announce(progress: Progress | None, done: int, total: int, message: str) -> None:
        if progress is not None:
            progress(done, total, message)
        else:
            log.warning(message)

    def _wait(
        self, seconds: float, message: str, progress: Progress | None, done: int, total: int
    ) -> None:
        """Sleep *seconds*, announcing the wait first and again every :data:`TICK` seconds."""
        self._announce(progress, done, total, message)
        left = seconds
        while True:
            step = min(left, TICK)
            self._sleep(step)
            left -= step
            if left <= 1e-9:
                return
            self._announce(progress, done, total, f"{message}: still waiting, {left:g} s left")

    def request(
        self,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        *,
        where: str,
        progress: Progress | None = None,
        done: int = 0,
        total: int = 1,
    ) -> bytes:
        """One request with rate limiting, retries, deadline and size cap; the 200 body.

        Parameters
        ----------
        method : {"GET", "POST"}
            HTTP method; *body* is sent as JSON with POST.
        url : str
            Full request URL.
        body : dict or None
            JSON body (POST) or None.
        where : str
            Names the table in every message, e.g. ``"SSB table 08487"``.
        progress : callable, optional
            ``progress(done, total, message)`` before and during each wait.
        done, total : int
            Passed to *progress* unchanged.

        Returns
        -------
        bytes
            The body of the first complete HTTP 200 answer.

        Raises
        ------
        RequestFailure
            ``transient=True`` after the last retry, past the deadline, for a
            ``Retry-After`` above ``max_wait`` or a body above ``max_bytes``;
            ``transient=False`` for a non-retried 4xx or a request that could
            not be sent at all.
        """
        session = self._ensure_session()
        shown = url if method == "GET" else f"{url} (POST)"
        start, excluded = self._clock(), 0.0
        reason = ""

        def left() -> float:
            return self.deadline - (self._clock() - start - excluded)

        for attempt in range(self.max_retries + 1):
            pending = self.limiter.pending()
            if pending > 0:
                self._announce(
                    progress,
                    done,
                    total,
                    f"{where}: rate limit ({self.limiter.max_calls} requests a minute); "
                    f"waiting {pending:.3g} s",
                )
            excluded += self.limiter.acquire()
            if left() <= 0:
                reason = f"no complete answer within the {self.deadline:g} s deadline"
                break
            try:
                return self._attempt(session, method, url, body, left(), where, shown)
            except _Attempt as fail:
                reason = fail.reason
                if not fail.retry:
                    raise RequestFailure(
                        f"{where}: {reason} from {shown}{fail.detail}", transient=fail.transient
                    ) from None
                retry_after = fail.retry_after
            if attempt == self.max_retries:
                break
            if retry_after is not None and retry_after > self.max_wait:
                raise RequestFailure(
                    f"{where}: {reason} from {shown}; the server asks to retry after "
                    f"{retry_after:g} s (Retry-After), more than max_wait={self.max_wait:g} s: "
                    "giving up now; try again later",
                    transient=True,
                )
            wait = min(
                self.backoff * 2**attempt if retry_after is None else retry_after, self.max_wait
            )
            if wait > left():
                raise RequestFailure(
                    f"{where}: {reason} from {shown}; giving up: retry {attempt + 1} (in "
                    f"{wait:g} s) would pass the {self.deadline:g} s deadline",
                    transient=True,
                )
            self._wait(
                wait,
                f"{where}: {reason}; retry {attempt + 1} of {self.max_retries} in {wait:g} s",
                progress,
                done,
                total,
            )
        raise RequestFailure(
            f"{where}: no valid response from {shown} after {attempt + 1} attempt(s); "
            f"last error: {reason}",
            transient=True,
        )

    def _attempt(
        self,
        session: requests.Session,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        seconds: float,
        where: str,
        shown: str,
    ) -> bytes:
        """One attempt under a watchdog of *seconds*; raises :class:`_Attempt` on failure."""
        import requests

        not_sendable = (
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        )
        transient = (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        )
        headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
        with Watchdog(self._sockets, seconds) as dog:
            try:
                resp = session.request(
                    method, url, json=body, headers=headers, timeout=self.timeout, stream=True
                )
                try:
                    if resp.status_code == 200:
                        return self._read_body(resp, where, shown)
                    text = resp.raw.read(4096, decode_content=True) or b""
                finally:
                    resp.close()
            except RequestFailure:
                raise
            except not_sendable as exc:
                raise RequestFailure(
                    f"{where}: request to {shown} failed: {exc}", transient=False
                ) from exc
            except transient as exc:
                if dog.fired:
                    raise _Attempt(
                        f"no complete answer within the {self.deadline:g} s deadline "
                        "(the server is too slow or trickles its answer)",
                        retry=False,
                    ) from None
                inner = getattr(exc.args[0], "reason", None) if exc.args else None
                raise _Attempt(
                    f"{type(exc).__name__}: {snippet(str(inner or exc))}", retry=True
                ) from None
            except requests.RequestException as exc:
                raise RequestFailure(
                    f"{where}: request to {shown} failed: {exc}", transient=False
                ) from exc
        status = resp.status_code
        if status not in RETRY_STATUS:
            said = snippet(text.decode("utf-8", "replace"))
            hint = HINTS.get(status, "not retried")
            raise _Attempt(
                f"HTTP {status}",
                retry=False,
                transient=False,
                detail=f": {hint}; server said: {said!r}",
            )
        raise _Attempt(
            f"HTTP {status}",
            retry=True,
            retry_after=retry_after_seconds(resp.headers.get("Retry-After")),
        )

    def _read_body(self, resp: requests.Response, where: str, shown: str) -> bytes:
        """Stream the body; refuse it once it passes ``max_bytes``."""
        declared = resp.headers.get("Content-Length", "")
        too_big = RequestFailure(
            f"{where}: the response from {shown} is larger than max_bytes="
            f"{self.max_bytes:,} bytes; refused (raise max_bytes if the table is really that big)",
            transient=True,
        )
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_big
        buf = bytearray()
        for chunk in resp.iter_content(_CHUNK):
            buf += chunk
            if len(buf) > self.max_bytes:
                raise too_big
        return bytes(buf)
