"""The deadline of :class:`ptvlib.data.sources.http.Transport`: sockets a watchdog can shut.

A read timeout applies to each read, so a server that sends one byte every few
seconds never trips it. The sessions made here register the socket of every
connection they open; :class:`Watchdog` shuts those sockets down when a
request passes its deadline, which wakes any read blocked on them (the request
then fails with a connection error that the transport reports as the deadline).
"""

from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests

__all__ = ["Watchdog", "session_with_watchdog"]


def session_with_watchdog(session: requests.Session | None) -> tuple[requests.Session, Any]:
    """*session* (or a new one) whose connections register their sockets in a WeakSet.

    The watchdog of :class:`Transport` shuts those sockets down when a request
    passes its deadline, which wakes any read blocked on them.
    """
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    sockets: weakref.WeakSet[Any] = weakref.WeakSet()

    class _Conn(HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class _SConn(HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)

    class _Pool(HTTPConnectionPool):
        ConnectionCls = _Conn

    class _SPool(HTTPSConnectionPool):
        ConnectionCls = _SConn

    class _Adapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SPool}

    session = session if session is not None else requests.Session()
    session.mount("http://", _Adapter())
    session.mount("https://", _Adapter())
    return session, sockets


class Watchdog:
    """Shut every tracked socket down after *seconds* unless cancelled first."""

    def __init__(self, sockets: Any, seconds: float) -> None:
        self.fired = False
        self._sockets = sockets
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        import socket

        self.fired = True
        for sock in list(self._sockets):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
