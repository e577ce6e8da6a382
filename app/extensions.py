"""Flask extensions, created once and bound to each app in `create_app`."""

from __future__ import annotations

from flask import request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager as _LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx


class LoginManager(_LoginManager):
    """flask-login, with "strong" session protection applied to logged-in sessions only.

    Out of the box, a visitor's session that holds only a CSRF token fails the check on every
    request, which rewrites the session cookie and sends a remember-me deletion each time.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


@limiter.request_filter
def _reading_is_not_limited() -> bool:
    # Every limit guards a form submission (login, registration, resets); skipping the check
    # for page views keeps them fast.
    return request.method in ("GET", "HEAD", "OPTIONS")
