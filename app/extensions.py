"""Flask extensions, created once and bound to each app in `create_app`."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter as _Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager as _LoginManager
from flask_wtf.csrf import CSRFProtect as _CSRFProtect
from htmx_flask import Htmx

READING = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginManager(_LoginManager):
    """flask-login, with "strong" session protection applied to logged-in sessions only.

    Out of the box, a visitor's session that holds only a CSRF token fails the check on every
    request, which rewrites the session cookie and sends a remember-me deletion each time.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


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


class CSRFProtect(_CSRFProtect):
    """Flask-WTF's CSRF check, looking at the method first: a page view (GET) has nothing to
    check, so it need not look up whether its view is exempt."""

    def protect(self, apply_exemptions: bool = False) -> None:
        if request.method in current_app.config["WTF_CSRF_METHODS"]:
            super().protect(apply_exemptions=apply_exemptions)


csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()


class Limiter(_Limiter):
    """Flask-Limiter, for form submissions only.

    Every limit here guards a submission (login, registration, resets, orders), so a page view
    skips the limit check altogether: that bookkeeping was about a tenth of the work of serving
    a cached article.
    """

    def _check_request_limit(self, callable_name=None, in_middleware=True) -> None:
        if request.method in READING:
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
