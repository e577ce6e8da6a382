"""The one place that decides between a full page and an htmx fragment."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template
from htmx_flask import request


def is_partial() -> bool:
    """True for an htmx request that swaps part of a page (not boosted navigation and not a
    history restore, which always get the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def wants_fragment(target: str) -> bool:
    """True only for a partial htmx request aimed at the element with id `target`."""
    return is_partial() and request.htmx.target == target


def render(template: str, *, fragment: str | None = None, target: str = "", **context) -> Response:
    """Render `template`, or just `fragment` when an htmx request targets `target`."""
    chosen = fragment if fragment and wants_fragment(target) else template
    return make_response(render_template(chosen, **context))


def init_app(app: Flask) -> None:
    @app.after_request
    def _vary_on_htmx(response: Response) -> Response:
        # Any URL may answer htmx and plain requests differently: caches must keep them apart.
        if "Vary" in response.headers:
            response.vary.add("HX-Request")
        else:
            response.headers["Vary"] = "HX-Request"
        return response
