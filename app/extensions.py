"""Flask extensions, one set per app (two apps in one process share none of them).

Views declare their rate limits and CSRF exemptions with the small decorators below; `init_app`
creates the app's CSRF protection, htmx helper and rate limiter, and `apply_view_rules` applies
the declarations once every blueprint is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

READING = frozenset({"GET", "HEAD", "OPTIONS"})
LIMITS = "rate_limits"
NO_LIMITS = "rate_limit_exempt"
NO_CSRF = "csrf_exempt"


def rate_limit(value: str, **options: Any) -> Callable:
    """Limit how often a view may be called, e.g. `@rate_limit("5 per minute", methods=["POST"])`
    (the options are Flask-Limiter's: methods, key_func, ...)."""

    def declare(view: Callable) -> Callable:
        view.__dict__.setdefault(LIMITS, []).insert(0, (value, options))
        return view

    return declare


def no_rate_limit(view: Callable) -> Callable:
    setattr(view, NO_LIMITS, True)
    return view


def no_csrf(view: Callable) -> Callable:
    """For a view a third party posts to (the payment provider's webhook), never a form."""
    setattr(view, NO_CSRF, True)
    return view


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signing serializer built once per set of keys
    instead of on every request (building one serializes a test value and derives its signer)."""

    def __init__(self) -> None:
        self._serializers: dict = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]


def limiter() -> Limiter:
    """This app's rate limiter."""
    return current_app.extensions["rate_limiter"]


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    CSRFProtect(app)
    Htmx(app)
    rates = Limiter(get_remote_address, app=app, default_limits=[], headers_enabled=True)
    # Every limit guards a submission (login, registration, resets, orders), so a page view
    # skips the limit check altogether: that bookkeeping was about a tenth of the work of
    # serving a cached article.
    rates.request_filter(lambda: request.method in READING)
    app.extensions["rate_limiter"] = rates


def apply_view_rules(app: Flask) -> None:
    """Apply the views' declared rate limits and CSRF exemptions (after every blueprint)."""
    rates: Limiter = app.extensions["rate_limiter"]
    csrf: CSRFProtect = app.extensions["csrf"]
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, NO_CSRF, False):
            csrf.exempt(view)
        if getattr(view, NO_LIMITS, False):
            rates.exempt(view)
        wrapped: Callable[..., Any] = view
        for value, options in getattr(view, LIMITS, ()):
            wrapped = rates.limit(value, **options)(wrapped)
        app.view_functions[endpoint] = wrapped
