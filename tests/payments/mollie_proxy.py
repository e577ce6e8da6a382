"""A real HTTP server between the shop and the sandbox, for a Mollie that fails or hangs.

It forwards every call to the sandbox and counts the calls it received. It can refuse one call
with a 503 (Mollie did nothing), or hang: take every call and never answer, so that the shop's
client times out. Nothing sleeps: a hanging call waits on an event that stopping the server
sets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

FORWARDED = ("authorization", "content-type", "accept", "idempotency-key", "user-agent")
PASSED_BACK = ("content-type", "idempotent-replayed")
UNAVAILABLE = b'{"status": 503, "title": "Service Unavailable", "detail": "Even niet"}'
WAIT_AT_MOST = 30  # seconds: a safety net, never reached when the test goes as planned


class MollieProxy:
    """Forward to `target` (the sandbox's URL); count the calls, fail one, or hang."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.hanging = False
        self._calls: list[tuple[str, str]] = []
        self._fail: Callable[[str, str], bool] | None = None
        self._closing = threading.Event()
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def fail_next(self, method: str, path_start: str) -> None:
        """Answer the next call like this with a 503, without passing it on."""
        with self._lock:
            self._fail = lambda m, p: m == method and p.startswith(path_start)

    def calls(self, method: str | None = None, path_start: str = "") -> list[tuple[str, str]]:
        """The calls received so far (also those never answered)."""
        with self._lock:
            return [
                (m, p) for m, p in self._calls if method in (None, m) and p.startswith(path_start)
            ]

    def start(self) -> MollieProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handle(self, request: _Handler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        with self._lock:
            self._calls.append((request.command, request.path))
            fail = self._fail is not None and self._fail(request.command, request.path)
            if fail:
                self._fail = None
        request.close_connection = True
        if self.hanging:
            self._closing.wait(WAIT_AT_MOST)  # never answer: the shop's client gives up
            return
        if fail:
            _answer(request, 503, UNAVAILABLE, {"Content-Type": "application/hal+json"})
            return
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED}
        with requests.request(
            request.command,
            self.target + request.path,
            data=body,
            headers=headers,
            timeout=WAIT_AT_MOST,
            allow_redirects=False,
        ) as answer:
            passed = {k: v for k, v in answer.headers.items() if k.lower() in PASSED_BACK}
            _answer(request, answer.status_code, answer.content, passed)


def _answer(request: _Handler, status: int, content: bytes, headers: dict[str, str]) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.send_header("Content-Length", str(len(content)))
    request.send_header("Connection", "close")
    request.end_headers()
    request.wfile.write(content)


class _Handler(BaseHTTPRequestHandler):
    proxy: MollieProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass

    def do_GET(self) -> None:
        self.proxy._handle(self)

    do_POST = do_PATCH = do_DELETE = do_GET
