"""A WSGI layer in front of the app that answers a visitor without a session from memory.

A GET without the session or remember-me cookie is answered from here, before Flask builds a
request, when an earlier answer to the same request may be given again: the app sent it as
`public` (app/httpcache.py: nobody logged in, no cookie of the site's own, none set) with a
`max-age`, status 200, and no `Set-Cookie`. Everything else goes to the app every time: a
POST, a request with either cookie, a conditional request (the app answers 304 itself), static
files (WhiteNoise answers them cheaply), and anything the app did not mark `public`.

An answer is kept for the `max-age` it carries, under the method, the address (path and
query), the host and forwarded headers, the whole `Cookie` header (the consent cookie decides
the banner and embedded videos), the htmx headers and whether the browser takes gzip; all are
dropped as soon as the content changed (the content store's version, looked at no more often
than it rechecks its files) or the date did (scheduled articles).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from flask import Flask

from app.core.formatting import today

MAX_ENTRIES = 1000
MAX_BODY = 512 * 1024
MAX_AGE = re.compile(r"(?:^|[,\s])max-age=(\d+)")
KEY_HEADERS = (
    "HTTP_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_COOKIE",
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
    "HTTP_HX_TRIGGER",
)
# An answer that says it varies on a request header outside the key is never kept.
KEYED = frozenset(
    {"accept-encoding", *(h.removeprefix("HTTP_").replace("_", "-").lower() for h in KEY_HEADERS)}
)

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Stored:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    until: float


class FrontCache:
    """The layer; `app.extensions["front_cache"]`, wrapped around `app.wsgi_app`."""

    def __init__(self, app: Flask, inner: Callable[..., Iterable[bytes]]) -> None:
        self.inner = inner
        self.content = app.extensions["content"]
        self.personal_cookies = (
            app.config.get("SESSION_COOKIE_NAME", "session"),
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        )
        self.static_prefix = (app.static_url_path or "/static").rstrip("/") + "/"
        self.entries: dict[tuple, Stored] = {}
        self.lock = threading.Lock()
        self.state: tuple = ()
        self.hits = 0

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.inner(environ, start_response)
        self._forget_when_changed()
        entry = self.entries.get(key)
        if entry is not None and entry.until > time.monotonic():
            self.hits += 1
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        return self._pass_and_keep(key, environ, start_response)

    def _key(self, environ: dict) -> tuple | None:
        """What identifies the answer, or None when this request always goes to the app."""
        if environ.get("REQUEST_METHOD") != "GET":
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.static_prefix) or "HTTP_IF_NONE_MATCH" in environ:
            return None
        if _has_cookie(environ.get("HTTP_COOKIE", ""), self.personal_cookies):
            return None
        gzip = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "").lower()
        return (
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("wsgi.url_scheme"),
            gzip,
            *(environ.get(name, "") for name in KEY_HEADERS),
        )

    def _forget_when_changed(self) -> None:
        state = (self.content.version(), today())
        if state != self.state:
            with self.lock:
                self.entries.clear()
                self.state = state

    def _pass_and_keep(
        self, key: tuple, environ: dict, start_response: StartResponse
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
            answer["status"], answer["headers"] = status, headers
            return start_response(status, headers, exc_info)

        state = self.state
        result = self.inner(environ, capture)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in result:
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BODY:  # too big to keep: hand the rest over as it comes
                    return _rest(chunks, result)
        except BaseException:
            _close(result)
            raise
        _close(result)
        seconds = _keepable(answer.get("status", ""), answer.get("headers", []))
        if seconds:
            stored = Stored(
                answer["status"], list(answer["headers"]), b"".join(chunks), time.monotonic()
            )
            with self.lock:
                if self.state == state:  # the content did not change while it was made
                    if len(self.entries) >= MAX_ENTRIES:
                        self.entries.clear()
                    self.entries[key] = replace(stored, until=stored.until + seconds)
        return chunks


def _has_cookie(header: str, names: tuple[str, ...]) -> bool:
    for part in header.split(";"):
        name = part.split("=", 1)[0].strip()
        if name in names:
            return True
    return False


def _keepable(status: str, headers: list[tuple[str, str]]) -> int:
    """For how many seconds this answer may be given again to others (0: never)."""
    if not status.startswith("200 "):
        return 0
    cache_control = ""
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return 0
        if lowered == "vary" and any(
            name.strip().lower() not in KEYED for name in value.split(",") if name.strip()
        ):
            return 0  # "*" included
        if lowered == "cache-control":
            cache_control = value.lower()
    if "public" not in cache_control or "private" in cache_control or "no-" in cache_control:
        return 0
    match = MAX_AGE.search(cache_control)
    return int(match.group(1)) if match else 0


def _rest(chunks: list[bytes], result: Iterable[bytes]) -> Iterable[bytes]:
    try:
        yield from chunks
        yield from result
    finally:
        _close(result)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


def init_app(app: Flask) -> None:
    """Put the layer around the app as it is now (call last: it must be the outermost)."""
    if not app.config.get("FRONT_CACHE", True):
        return
    layer = FrontCache(app, app.wsgi_app)
    app.extensions["front_cache"] = layer
    app.wsgi_app = layer  # type: ignore[method-assign]
