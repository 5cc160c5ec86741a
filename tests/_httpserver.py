"""A real HTTP server on 127.0.0.1 that tests can script to misbehave.

Each request is recorded (:class:`Seen`) and answered by the next queued
:class:`Reply`, or by a *responder* function when the queue is empty. A reply
can be delayed (to run past a client's read timeout), truncated or carry any
status, headers and body.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """What the server sends back."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    content_type: str = "application/json; charset=utf-8"
    declared_length: int | None = None  # a larger Content-Length than the body cuts it off


@dataclass
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes


class ScriptedServer:
    """Start with :meth:`start`, stop with :meth:`stop`; ``url`` is the root URL."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.replies: collections.deque[Reply] = collections.deque()
        self.responder: Callable[[Seen], Reply] | None = None
        self._release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(self.command, parts.path, parse_qs(parts.query), body)
                reply = server._next(seen)
                if reply.delay:
                    server._release.wait(reply.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    length = reply.declared_length or len(reply.body)
                    self.send_header("Content-Length", str(length))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(reply.body)

            do_GET = _answer
            do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def _next(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(seen)
        return Reply(status=500, body=b'{"error": "no scripted reply"}')

    def queue(self, *replies: Reply) -> None:
        """Answer the next requests with *replies*, in order."""
        self.replies.extend(replies)

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()  # wake handlers that are still delaying
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
