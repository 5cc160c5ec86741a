"""Rate limiter and retrying HTTP request loop (private helpers of :mod:`ptvlib.data.sources.ssb.client`).

:func:`request_with_retries` sends one request through a :class:`RateLimiter`
and retries transient failures (connection errors, timeouts, cut-off bodies,
HTTP 429 and 5xx), waiting ``backoff * 2**attempt`` seconds or the server's
``Retry-After``, each capped at ``max_wait``. Any other 4xx is not retried.
Every failure is raised as :class:`RequestFailure`, whose ``transient`` flag tells
the client whether the last good cached copy may answer instead.
:func:`check_limits` validates a client's limits and timeouts.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ptvlib.basics.exceptions import ParameterError

if TYPE_CHECKING:
    import requests

__all__ = [
    "HINTS",
    "RETRY_STATUS",
    "Progress",
    "RateLimiter",
    "RequestFailure",
    "check_limits",
    "request_with_retries",
    "retry_after_seconds",
    "snippet",
]

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
_USER_AGENT = "ptv-analyse (ptvlib.data.sources.ssb.client)"


class RequestFailure(Exception):
    """No valid response; ``transient`` ones may be answered from the cache.

    Parameters
    ----------
    message : str
        What failed, naming the table and the URL.
    transient : bool
        True when a later attempt might succeed (timeouts, 5xx, a broken body).
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
) -> None:
    """Check the request limits and timeouts of an SSB client, in this order.

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
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def request_with_retries(
    session: requests.Session,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    *,
    table_id: str,
    limiter: RateLimiter,
    timeout: float | tuple[float, float],
    max_retries: int,
    backoff: float,
    max_wait: float,
    sleep: Callable[[float], None],
    progress: Progress | None = None,
    done: int = 0,
    total: int = 1,
) -> bytes:
    """One request with rate limiting and retries; the body of the 200 answer.

    Parameters
    ----------
    session : requests.Session
        Session that sends the request.
    method : {"GET", "POST"}
        HTTP method; *body* is sent as JSON with POST.
    url : str
        Full request URL.
    body : dict or None
        JSON body (POST) or None.
    table_id : str
        Named in every message.
    limiter : RateLimiter
        Acquired before every attempt, retries included.
    timeout : float or (float, float)
        Connect and read timeout in seconds.
    max_retries : int
        Retries after the first attempt.
    backoff : float
        First retry wait in seconds; doubles on every retry.
    max_wait : float
        Cap on any single wait, ``Retry-After`` included.
    sleep : callable
        Called with the seconds to wait between attempts.
    progress : callable, optional
        ``progress(done, total, message)`` before each retry wait.
    done, total : int
        Passed to *progress* unchanged.

    Returns
    -------
    bytes
        The body of the first HTTP 200 answer.

    Raises
    ------
    RequestFailure
        ``transient=True`` after the last retry; ``transient=False`` for a
        non-retried 4xx or a request that could not be sent at all.
    """
    import requests

    transient = (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )
    headers = {"Accept": "application/json", "User-Agent": _USER_AGENT}
    shown = url if method == "GET" else f"{url} (POST)"
    reason = ""
    for attempt in range(max_retries + 1):
        limiter.acquire()
        retry_after = None
        try:
            resp = session.request(method, url, json=body, headers=headers, timeout=timeout)
        except transient as exc:
            inner = getattr(exc.args[0], "reason", None) if exc.args else None
            reason = f"{type(exc).__name__}: {snippet(str(inner or exc))}"
        except requests.RequestException as exc:
            raise RequestFailure(
                f"SSB table {table_id}: request to {shown} failed: {exc}", transient=False
            ) from exc
        else:
            if resp.status_code == 200:
                return resp.content
            reason = f"HTTP {resp.status_code}"
            if resp.status_code not in RETRY_STATUS:
                hint = HINTS.get(resp.status_code, "not retried")
                raise RequestFailure(
                    f"SSB table {table_id}: HTTP {resp.status_code} from {shown}: {hint}; "
                    f"server said: {snippet(resp.text)!r}",
                    transient=False,
                )
            retry_after = retry_after_seconds(resp.headers.get("Retry-After"))
        if attempt == max_retries:
            break
        wait = min(backoff * 2**attempt if retry_after is None else retry_after, max_wait)
        if progress is not None:
            progress(
                done,
                total,
                f"SSB table {table_id}: {reason}; retry {attempt + 1} of {max_retries} in {wait:g} s",
            )
        sleep(wait)
    raise RequestFailure(
        f"SSB table {table_id}: no valid response from {shown} after {max_retries + 1} "
        f"attempt(s); last error: {reason}",
        transient=True,
    )
