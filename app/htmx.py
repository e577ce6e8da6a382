"""The one place that decides between a full page and an htmx fragment."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template
from flask import redirect as plain_redirect
from htmx_flask import request
from werkzeug.wrappers import Response as BaseResponse

from app.httpcache import add_vary


def is_partial() -> bool:
    """True for an htmx request that swaps part of a page (not boosted navigation and not a
    history restore, which always get the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def wants_fragment(target: str) -> bool:
    """True only for a partial htmx request aimed at the element with id `target`."""
    return is_partial() and request.htmx.target == target


def redirect(location: str) -> BaseResponse:
    """Leave the part of the page that was swapped and go to `location` as a whole page.

    A plain redirect is followed inside the browser's request, and htmx would then put the
    whole next page into the element it swaps (a page inside the page). A partial htmx request
    therefore gets `HX-Redirect`: htmx loads `location` as the browser does without JavaScript.
    Everyone else gets a 303."""
    if is_partial():
        return Response(status=204, headers={"HX-Redirect": location})
    return plain_redirect(location, code=303)


def render(
    template: str, *, fragment: str | None = None, target: str = "", **context
) -> BaseResponse:
    """Render `template`, or just `fragment` when an htmx request targets `target`.

    A partial GET that this page has no fragment for (a redirect followed into a swap target,
    a link in a fragment that points elsewhere) is sent to the whole page with `HX-Redirect`
    before anything is rendered, so flashed messages are still there for that page."""
    wanted = bool(fragment) and wants_fragment(target)
    if is_partial() and not wanted and request.method == "GET":
        return redirect(request.full_path if request.query_string else request.path)
    chosen = fragment if wanted and fragment else template
    return make_response(render_template(chosen, **context))


# The request headers an answer may depend on besides the address (render(), the search field).
VARY = ("HX-Request", "HX-Target", "HX-Trigger")


def init_app(app: Flask) -> None:
    @app.after_request
    def _vary_on_htmx(response: Response) -> Response:
        # Any URL may answer htmx and plain requests differently (a fragment for the target
        # asked, or what is typed into the search field): caches must keep them apart.
        add_vary(response, *VARY)
        return response
