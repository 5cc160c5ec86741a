"""A real HTTP server on 127.0.0.1 that tests can script to misbehave.

Each request is recorded (:class:`Seen`) and answered by the next queued
:class:`Reply`, or by a *responder* function when the queue is empty. A reply
can be delayed (to run past a client's read timeout), truncated, trickled one
byte at a time (from the status line or from the body on), sent chunked without
a ``Content-Length``, or carry any status, headers and body.
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
    trickle: float = 0.0  # seconds between single bytes (0: send at once)
    trickle_from: str = "body"  # "head": the status line and headers trickle too
    chunked: bool = False  # Transfer-Encoding: chunked, no Content-Length


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
                with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                phrase = self.responses.get(reply.status, ("",))[0]
                head = [f"{self.protocol_version} {reply.status} {phrase}", "Connection: close"]
                head.append(f"Content-Type: {reply.content_type}")
                if reply.chunked:
                    head.append("Transfer-Encoding: chunked")
                    body = (
                        b"".join(
                            b"%x\r\n%s\r\n"
                            % (len(reply.body[i : i + 256]), reply.body[i : i + 256])
                            for i in range(0, len(reply.body), 256)
                        )
                        + b"0\r\n\r\n"
                    )
                else:
                    head.append(f"Content-Length: {reply.declared_length or len(reply.body)}")
                    body = reply.body
                head += [f"{key}: {value}" for key, value in reply.headers.items()]
                head_bytes = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
                self.close_connection = True
                if not reply.trickle:
                    self.wfile.write(head_bytes + body)
                    return
                slow = head_bytes + body if reply.trickle_from == "head" else body
                if reply.trickle_from != "head":
                    self.wfile.write(head_bytes)
                    self.wfile.flush()
                for i in range(len(slow)):
                    self.wfile.write(slow[i : i + 1])
                    self.wfile.flush()
                    if server._release.wait(reply.trickle):
                        return  # the server is stopping

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
