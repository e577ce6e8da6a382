"""What the site accepts from a request before any view runs.

- Path variables: a text variable (`<slug>`, `<number>`, `<token>`) never holds control
  characters, and an `<int:…>` variable is written in ASCII digits and fits the database's
  integer column. Anything else names nothing on this site: 404, before a view or a query sees
  it (PostgreSQL refuses NUL in text and integers past 2**31 - 1 with an error, not a miss).
- Bodies: the site's forms are plain HTML forms. A file or a JSON document where a form was
  expected is refused (Flask-WTF would hand a file or a JSON list to a text field's validators).
- Addresses built in a request (`url_for`) are kept (`remember_urls`): a page builds some fifty,
  mostly the same for every visitor (the menu, the footer, the static files).
- Slashes: an address differs from a page's only by a trailing slash, either way, leads to the
  page with a permanent redirect (`/artikelen` -> `/artikelen/`, as Flask does, and
  `/winkel/` -> `/winkel`), instead of a 404 for one spelling and a redirect for the other.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, has_request_context, redirect, request, url_for
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import IntegerConverter, UnicodeConverter

# C0 and C1 control characters and DEL: in no slug, order number or e-mail token.
CONTROL = "\\x00-\\x1f\\x7f-\\x9f"
INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the type of every id column
MAX_KEPT_URLS = 10_000
# Values an address is kept for: compared by what they hold. An object compared by identity could
# be gone and its identity reused by another, which would get its address.
PLAIN_VALUES = (str, int, float, bool, type(None))


class TextConverter(UnicodeConverter):
    """A path segment without control characters."""

    def __init__(self, map, minlength: int = 1, maxlength: int | None = None, length=None):
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", f"[^/{CONTROL}]", 1)


class IdConverter(IntegerConverter):
    """A whole number in ASCII digits (no `٣`, which `\\d` would match) up to INT_MAX."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int = INT_MAX):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def install_converters(app: Flask) -> None:
    """Must run before any route is added: rules pick their converters when they are added."""
    app.url_map.converters.update(default=TextConverter, string=TextConverter, int=IdConverter)


def without_trailing_slash(app: Flask) -> str | None:
    """For a GET that matched no page: the same address without its trailing slash, when that
    is a page (with the query string kept); None otherwise. The address is built again from
    the page it names, never copied from the request, so `/\\elders.example/` cannot become
    a redirect to another site."""
    path = request.path
    if (
        request.method not in ("GET", "HEAD")
        or not isinstance(request.routing_exception, NotFound)
        or len(path) < 2
        or not path.endswith("/")
    ):
        return None
    try:
        endpoint, args = app.url_map.bind_to_environ(request.environ).match(
            path.rstrip("/"), method=request.method
        )
    except HTTPException:
        return None
    query = request.query_string.decode("latin-1")
    return url_for(endpoint, **args) + (f"?{query}" if query else "")


def remember_urls(app: Flask) -> None:
    """Keep the addresses `url_for` builds within a request. Werkzeug builds each afresh (some
    ten microseconds), and a page asks for some fifty, mostly the same on every page. An
    address is kept per endpoint (one relative to a blueprint per blueprint), values in their
    order, anchor, method, script root and host: all it depends on, as the app's one
    `url_defaults` function (the static files' fingerprints) gives the same for the same values.
    Absolute addresses (`_external`, `_scheme`, or outside a request, as in e-mails and jobs)
    and values other than text, numbers and None (a list, an object) are built each time; the
    kept ones are forgotten all at once when there are MAX_KEPT_URLS (every search builds its
    own)."""
    build = app.url_for
    kept: dict[tuple, str] = {}

    def url_for_kept(
        endpoint: str,
        /,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        if _external or _scheme is not None or not has_request_context():
            return build(
                endpoint,
                _anchor=_anchor,
                _method=_method,
                _scheme=_scheme,
                _external=_external,
                **values,
            )
        if not all(isinstance(value, PLAIN_VALUES) for value in values.values()):
            return build(endpoint, _anchor=_anchor, _method=_method, **values)
        relative_to = request.blueprint if endpoint[:1] == "." else None
        key = (endpoint, relative_to, _anchor, _method, request.script_root, request.host)
        key += tuple(values.items())  # type: ignore[assignment]
        try:
            return kept[key]
        except KeyError:
            pass
        url = build(endpoint, _anchor=_anchor, _method=_method, **values)
        if len(kept) >= MAX_KEPT_URLS:
            kept.clear()
        kept[key] = url
        return url

    setattr(app, "url_for", url_for_kept)  # noqa: B010 - an instance attribute over the method
    app.jinja_env.globals["url_for"] = url_for_kept  # Flask gave templates the method itself


def init_app(app: Flask) -> None:
    remember_urls(app)

    @app.before_request
    def _slashes():
        target = without_trailing_slash(app)
        return redirect(target, 308) if target else None

    def _limit() -> int | None:
        return getattr(app.view_functions.get(request.endpoint or ""), "upload_limit", None)

    def _upload_limit():
        if limit := _limit():
            request.max_content_length = limit

    # First of all hooks: the CSRF check reads the body, and must read it with this limit.
    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)

    @app.before_request
    def _forms_only():
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if request.is_json:
                abort(415)
            if request.files and not _limit():
                abort(400)


def accepts_files(limit: int):
    """Mark a view that takes file uploads of up to `limit` bytes (all others refuse files)."""

    def mark(view):
        view.upload_limit = limit
        return view

    return mark
