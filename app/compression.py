"""Compressed pages: what the views send (HTML, feeds, JSON, text) goes out gzipped to a browser
that accepts it, so `make run` and gunicorn need no proxy for it. Static files come compressed
from WhiteNoise (`assets`), gzip or brotli.

BREACH: a page that holds a secret (the CSRF token) and also shows text an attacker chose (a
search query) could let someone who sees the encrypted traffic guess the secret from the sizes
of many compressed responses. As Django does, each compressed response is made a random 0 to
100 bytes longer ("Heal the BREACH": a random file name in the gzip header, which browsers
ignore), which makes such guessing unworkable. Brotli has no such field, so pages are gzip only.
"""

from __future__ import annotations

import secrets
import zlib

from flask import Flask, Response, request

from app.httpcache import add_vary

COMPRESSIBLE = {
    "text/html",
    "text/plain",
    "text/css",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
}
MIN_SIZE = 500  # below this the gzip header and the round trip cost more than they save
MAX_PADDING = 100
LEVEL = 6


def gzip_with_random_length(data: bytes, *, max_padding: int = MAX_PADDING) -> bytes:
    """`data` as a gzip stream (RFC 1952) whose header names a file of 0 to `max_padding - 1`
    random letters, so equal pages differ in compressed length."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(data) + compressor.flush()
    name = b"z" * secrets.randbelow(max_padding) + b"\x00"
    # ID1 ID2, deflate, FNAME flag, no time, no extra flags, OS unknown.
    header = b"\x1f\x8b\x08\x08" + b"\x00\x00\x00\x00" + b"\x00\xff"
    trailer = (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "little")
    trailer += (len(data) & 0xFFFFFFFF).to_bytes(4, "little")
    return header + name + body + trailer


def should_compress(response: Response) -> bool:
    """Whether `response` is a complete text body worth compressing."""
    return (
        response.mimetype in COMPRESSIBLE
        and response.status_code not in (204, 206, 304)
        and response.status_code >= 200
        and not response.direct_passthrough
        and not response.is_streamed
        and "Content-Encoding" not in response.headers
    )


def compress_response(response: Response) -> Response:
    """Gzip `response` in place when it is worth it and the browser accepts gzip."""
    if not should_compress(response):
        return response
    add_vary(response, "Accept-Encoding")
    accepted = request.headers.get("Accept-Encoding", "")
    if "gzip" not in accepted.lower() or request.accept_encodings.quality("gzip") <= 0:
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip_with_random_length(data))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    """Must be the first `after_request` registered, so it runs last (Flask runs them in
    reverse) and compresses what every other one left."""
    app.after_request(compress_response)
