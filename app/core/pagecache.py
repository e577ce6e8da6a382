"""A short-lived in-process cache of public pages as an anonymous visitor sees them, and of
pages that every logged-in visitor with the same role sees alike (`render_shared`).

Rendering an article costs a few milliseconds; serving it from memory costs a fraction of that.
Only GET requests from visitors who are not logged in and have no pending messages are served
from the cache, and only for views marked `@cached_page`. Everything personal stays out:

- the CSRF token (only for a visitor who has a session) and other per-visitor bits (the cart
  count) are rendered as placeholders and filled in per request (`per_request`);
- the key holds the path and query, the htmx headers, the content version, the date, and what
  the functions registered with `vary_on` say (e.g. whether the cookie banner shows);
- entries live at most `TTL_SECONDS`, and the cache is emptied when it is full;
- a page whose address has a query is kept from the second time it is asked for: most of
  those are searches asked once, and keeping each costs more than it gives (some 4 % of a
  search page's instructions), as with a CDN's "one-hit wonders" (nginx:
  `proxy_cache_min_uses 2`).

A page rendered by `render_shared` for someone logged in is kept per role (and whether they
restricted processing) and shown to others with that role: while it is rendered, templates see
a `current_user` that holds nothing but those two facts (`Viewer`), so nothing of one person
can end up in another's page.

A page of which only a few parts change with every request (a search page: the words searched
and the results; the start page, the article list and the shop for a caregiver: her
recommendations) is rendered by `render_in_shell`: the rest of it (the header, the form, the
footer) is rendered once with placeholders for those parts, kept like a shared page, and every
request fills in its own parts.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.content import store as content
from app.core.formatting import today
from app.core.navigation import canonical_url
from app.httpcache import public_page
from app.security import allow_frame

TTL_SECONDS = 60.0
MAX_ENTRIES = 1000
# The keys of addresses with a query asked for once and not kept: forgotten all at once when
# there are this many.
MAX_ASKED = 10_000
MAX_SIGNED = 10_000


class PageCache:
    """One app's cache and what it varies on (kept on the app: apps never share one)."""

    def __init__(self) -> None:
        # The placeholders carry a secret of this cache: a visitor can put NUL characters in a
        # query string that a page shows (`?tag=%00pc:x%00`), but cannot guess this, so no text
        # of theirs is ever taken for a placeholder.
        self.secret = secrets.token_hex(16)
        self.mark = re.compile(f"\x00pc{self.secret}:([a-z_]+)\x00".encode())
        self.entries: dict[tuple, tuple] = {}
        self.asked: set[int] = set()
        self.lock = threading.Lock()
        self.vary_functions: list[Callable[[], Any]] = []
        self.per_request: dict[str, Callable[[], Any]] = {}
        # CSRF tokens signed once per session token (signing is the slow part, and tokens do
        # not expire: WTF_CSRF_TIME_LIMIT is None).
        self.signed: dict[str, str] = {}


def _cache() -> PageCache:
    return current_app.extensions["pagecache"]


def vary_on(app: Flask, function: Callable[[], Any]) -> None:
    """Pages look different depending on what `function` returns for the current request
    (e.g. whether the cookie banner shows)."""
    app.extensions["pagecache"].vary_functions.append(function)


def fresh_csrf() -> str:
    """The visitor's CSRF token, signed once per session token and app; none for a visitor
    whose session holds nothing, whose forms are accepted on what the browser says of where
    they come from (app/extensions.py), so that their pages start no session."""
    if not session:
        return ""
    signed = _cache().signed
    raw = session.get("csrf_token")
    if raw and "csrf_token" not in g and raw in signed:
        g.csrf_token = signed[raw]
    token = generate_csrf()
    raw = session.get("csrf_token")
    if raw and raw not in signed:
        if len(signed) >= MAX_SIGNED:
            signed.clear()
        signed[raw] = token
    return token


def per_request(app: Flask, name: str, function: Callable[[], Any]) -> None:
    """A template function `name` whose value differs per visitor: while a page is rendered for
    the cache it leaves a placeholder, which every response fills in with `function()`."""
    app.extensions["pagecache"].per_request[name] = function

    def template_function():
        if g.get("rendering_for_cache"):
            return f"\x00pc{_cache().secret}:{name}\x00"
        return function()

    app.jinja_env.globals[name] = template_function
    app.context_processor(lambda: {name: template_function})


def _keepable() -> bool:
    """A GET with no message waiting for this visitor, with the page cache switched on."""
    return (
        request.method == "GET"
        and current_app.config.get("PAGE_CACHE", True)
        and "_flashes" not in session
    )


def _cacheable() -> bool:
    return _keepable() and "_user_id" not in session


HTMX_HEADERS = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
)


def _key(vary: Callable[[], Any] | None = None, *, address: str | None = None) -> tuple:
    environ = request.environ
    headers = tuple(environ.get(name, "") for name in HTMX_HEADERS)
    extra = tuple(f() for f in _cache().vary_functions)
    own = vary() if vary is not None else None
    address = request.full_path if address is None else address
    return (address, headers, extra, own, content.store().version(), today())


def cached_page(view: Callable | None = None, *, vary: Callable[[], Any] | None = None) -> Callable:
    """Serve this view's anonymous 200 responses from memory for up to a minute.

    `@cached_page(vary=fn)`: the page also depends on what `fn()` returns for the request
    (e.g. the state of something besides the content, or a header only this view reads)."""
    if view is None:
        return lambda function: cached_page(function, vary=vary)

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not _cacheable():
            return view(*args, **kwargs)
        key = _key(vary)
        if request.query_string and _kept(key) is None and _first_time(key):
            return view(*args, **kwargs)
        return _serve(key, lambda: view(*args, **kwargs))

    return public_page(wrapped)


def _serve(key: tuple, produce: Callable[[], Any]) -> Response:
    """The response kept under `key`, made by `produce()` when there is none or it is too old."""
    entry = _kept(key)
    if entry is None:
        with _rendering_for_cache():
            response = current_app.make_response(produce())
        if response.status_code != 200 or response.direct_passthrough:
            return _fill(response)
        entry = (
            time.monotonic(),
            _split(response.get_data()),
            response.mimetype,
            [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in ("content-length", "content-type", "set-cookie")
            ],
            tuple(g.get("csp_frames", ())),
        )
        _keep(key, entry)
    _, parts, mimetype, headers, frames = entry
    for origin in frames:
        if origin not in g.get("csp_frames", ()):
            allow_frame(origin)
    return Response(_join(parts), mimetype=mimetype, headers=headers)


def _kept(key: tuple) -> tuple | None:
    """The entry kept under `key` (its first item the time it was made), unless too old."""
    entry = _cache().entries.get(key)
    if entry is None or time.monotonic() - entry[0] > TTL_SECONDS:
        return None
    return entry


def _first_time(key: tuple) -> bool:
    """Whether `key` is asked for the first time (since the cache last forgot what was asked).
    A key is remembered by its hash: two keys with one hash only make the second kept from its
    first time."""
    asked = _cache().asked
    hashed = hash(key)
    if hashed in asked:
        return False
    if len(asked) >= MAX_ASKED:
        asked.clear()
    asked.add(hashed)
    return True


def _keep(key: tuple, entry: tuple) -> None:
    page_cache = _cache()
    with page_cache.lock:
        if len(page_cache.entries) >= MAX_ENTRIES:
            page_cache.entries.clear()
        page_cache.entries[key] = entry


@contextmanager
def _rendering_for_cache() -> Iterator[None]:
    """While a page is rendered to be kept, per-visitor bits are rendered as placeholders."""
    before = g.get("rendering_for_cache", False)
    g.rendering_for_cache = True
    try:
        yield
    finally:
        g.rendering_for_cache = before


def _split(page: bytes) -> list:
    """The page's bytes around the placeholders (their names, as text, at the odd places): what
    is kept, so that serving it only joins bytes. Split as bytes: the page is never decoded."""
    pieces = _cache().mark.split(page)
    return [p if i % 2 == 0 else p.decode() for i, p in enumerate(pieces)]


@dataclass(frozen=True)
class Viewer:
    """All a shared page may know of the logged-in visitor it is rendered for."""

    role: str
    restricted: bool
    is_authenticated: bool = True
    is_anonymous: bool = False


def render_shared(template: str, **context: Any) -> Response | str:
    """`render_template`, except that for someone logged in the page is rendered once per role
    (and restriction) and kept like a public page: only for a view whose page shows nothing of
    the person but what the header shows of every account (their menu, the CSRF token and the
    basket's count, filled in per request)."""
    if g.get("rendering_for_cache") or not (_keepable() and current_user.is_authenticated):
        return render_template(template, **context)
    viewer = Viewer(role=current_user.role, restricted=bool(current_user.restricted))
    key = ("shared", viewer, template, *_key())
    return _serve(key, lambda: render_template(template, current_user=viewer, **context))


def render_in_shell(
    template: str, *, slots: dict[str, str], vary: tuple = (), **context: Any
) -> Response | str:
    """`render_template(template, **slots, **context)` for a page that differs from request to
    request only in `slots`: text it shows as it is (escaped like any value) or HTML (`Markup`),
    each used by the template only as `{{ name }}`. The rest of the page is rendered once per
    `vary` (what else of the request the context holds), address without its query
    (the canonical one), role, and everything a kept page is kept by, with a placeholder for
    each slot, and kept like a shared page (while it is rendered, templates see only the role
    of someone logged in, `Viewer`); each request fills in its slots and per-visitor bits."""
    if not _keepable():
        return render_template(template, **slots, **context)
    if current_user.is_authenticated:
        viewer: Viewer | None = Viewer(
            role=current_user.role, restricted=bool(current_user.restricted)
        )
        context["current_user"] = viewer
    else:
        viewer = None
    key = ("shell", template, viewer, vary, *_key(address=canonical_url()))
    entry = _kept(key)
    if entry is None:
        # A placeholder is the cache's secret and a slot's name: nothing a visitor typed.
        secret = _cache().secret
        marks = {name: Markup(f"\x00pc{secret}:slot_{name}\x00") for name in slots}  # noqa: S704
        with _rendering_for_cache():
            page = render_template(template, **marks, **context).encode()
            entry = (time.monotonic(), _split(page))
        _keep(key, entry)
    filled = {f"slot_{name}": str(escape(value)).encode() for name, value in slots.items()}
    # Rendered for the page cache itself, the per-visitor bits stay placeholders for it to fill.
    keep_marks = g.get("rendering_for_cache", False)
    return Response(_join(entry[1], filled, keep_marks=keep_marks), mimetype="text/html")


def _join(parts: list, filled: dict[str, bytes] | None = None, keep_marks: bool = False) -> bytes:
    page_cache = _cache()
    functions = page_cache.per_request
    values: dict[str, bytes] = dict(filled or {})
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            if part not in values:
                if keep_marks:
                    values[part] = f"\x00pc{page_cache.secret}:{part}\x00".encode()
                else:
                    values[part] = str(functions[part]()).encode()
            out.append(values[part])
        else:
            out.append(part)
    return b"".join(out)


def _fill(response: Response) -> Response:
    if not response.direct_passthrough and response.mimetype == "text/html":
        response.set_data(_join(_split(response.get_data())))
    return response


def init_app(app: Flask) -> None:
    """The app's page cache, and `csrf_token()` for templates; must run after Flask-WTF, which
    installs its own both as a global and through a context processor (the later one wins)."""
    app.extensions["pagecache"] = PageCache()
    per_request(app, "csrf_token", fresh_csrf)
