"""What browsers and a proxy in front may keep of a page, and conditional requests (ETag, 304).

- Someone logged in: `private, no-store`. Their pages may hold personal data.
- A visitor who is not logged in, sends no session or remember cookie, and asks GET or HEAD
  for a page marked public (`public_page`: the same for every such visitor, e.g. an article):
  a 200 that sets no cookie is `public, max-age=60, stale-while-revalidate=300`, so a browser or
  a proxy may keep it for a minute and show it a little longer while it asks again.
- Any other page for a visitor who is not logged in (one with a session: a basket, a message;
  or a page that is not marked, such as a link from an e-mail): `private, no-cache`, so only
  their own browser keeps it, and asks every time.
- Either way the page gets a weak ETag over its content, and `If-None-Match` with it answers
  304 without the page. Weak, because the compressed bytes differ every time (compression.py)
  while the page is the same.
- Anything else (a form's answer, an error, a redirect) is `no-cache`; a view that set its own
  Cache-Control (a download: no-store; a drawing: immutable) keeps it.

Pages vary on `Cookie` (the cookie banner, the consent), `HX-Request` and `Accept-Encoding`,
which the page cache and compression already say in `Vary`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from flask_login.config import COOKIE_NAME as REMEMBER_COOKIE

MAX_AGE = 60
STALE_WHILE_REVALIDATE = 300
PUBLIC = f"public, max-age={MAX_AGE}, stale-while-revalidate={STALE_WHILE_REVALIDATE}"
VISITOR = "private, no-cache"
PERSONAL = "private, no-store"
OTHER = "no-cache"
PUBLIC_PAGE = "public_page"
CONDITIONAL = frozenset(("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH"))


def add_vary(response: Response, *names: str) -> None:
    """Add `names` to the response's `Vary`, each once, with plain text work: this runs on every
    response, and `response.vary.add` parses and writes the header again for every name."""
    present = response.headers.get("Vary")
    if not present:
        response.headers["Vary"] = ", ".join(names)
        return
    there = {part.strip().lower() for part in present.split(",")}
    missing = [name for name in names if name.lower() not in there]
    if missing:
        response.headers["Vary"] = ", ".join([present, *missing])


def public_page(view: Callable) -> Callable:
    """Mark a view whose page is the same for every visitor without a session (its address,
    the consent cookie and the htmx headers aside), so it may be kept by others."""
    setattr(view, PUBLIC_PAGE, True)
    return view


def _is_public_page() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, PUBLIC_PAGE, False))


def _has_own_cookies() -> bool:
    config = current_app.config
    cookies = request.cookies
    remember = config.get("REMEMBER_COOKIE_NAME", REMEMBER_COOKIE)
    return config["SESSION_COOKIE_NAME"] in cookies or remember in cookies


def _sets_cookie(response: Response) -> bool:
    """Whether this response sets a cookie, including the session's, which Flask adds only
    after every `after_request` step has run."""
    if "Set-Cookie" in response.headers:
        return True
    interface = current_app.session_interface
    return not interface.is_null_session(session) and interface.should_set_cookie(
        current_app, session
    )


def cache_headers(response: Response) -> Response:
    if "Cache-Control" in response.headers:
        return response
    endpoint = request.endpoint
    if endpoint is None or endpoint.endswith("static"):
        return response  # WhiteNoise and the static view say it themselves
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = PERSONAL
        return response
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
    ):
        response.headers["Cache-Control"] = OTHER
        return response
    private = not _is_public_page() or _has_own_cookies() or _sets_cookie(response)
    response.headers["Cache-Control"] = VISITOR if private else PUBLIC
    response.add_etag(weak=True)
    if CONDITIONAL.intersection(request.environ):  # ETag is the only validator we give
        response.make_conditional(request)  # 304, without the page, when the browser has it
    return response


def init_app(app: Flask) -> None:
    """Register right after compression (so it runs just before it: Flask runs `after_request`
    steps in reverse), when the page is final but not yet compressed."""
    app.after_request(cache_headers)
