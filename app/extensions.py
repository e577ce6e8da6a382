"""Flask extensions, the CSRF check and rate limits, one set per app (two apps in one process
share none).

A form or htmx request that changes something is accepted when the browser says it comes from a
page of this site: `Sec-Fetch-Site: same-origin` (or `none`, typed by the person), or without
that header an `Origin` equal to the site's own. Every browser of the last years sends one of
them, and a page elsewhere cannot forge either. A request that says it comes from elsewhere is
refused. Without either header (an old browser, a script), the session's CSRF token must be in
the form or the `X-CSRFToken` header, as before. So a visitor needs no session, and no cookie,
to use a form: the pages they see are the same for everyone and can be kept (core/front.py).

Views declare their rate limits and CSRF exemptions with the small decorators below. A limit
is checked inside the view it guards, for the methods it names, so a page view does no rate
limit work at all. Counting is done by the `limits` library in Redis (REDIS_URL) or in memory;
while Redis does not answer, in this process's memory (logged), and Redis again once it does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, cast

from flask import Flask, current_app, g, make_response, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from app.errors import render_error
from app.httpcache import add_vary

log = logging.getLogger(__name__)
NO_CSRF = "csrf_exempt"
RETRY_PRIMARY = 30  # seconds between attempts to go back to Redis after it failed
WRITING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def client_address() -> str:
    return request.remote_addr or "127.0.0.1"


class RateLimiter:
    """This app's counters (see the module's docstring)."""

    def __init__(self, app: Flask) -> None:
        self.enabled = bool(app.config.get("RATELIMIT_ENABLED", True))
        uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
        options = app.config.get("RATELIMIT_STORAGE_OPTIONS", {}) if uri != "memory://" else {}
        self.primary = cast(Storage, storage_from_string(uri, **options))
        self.memory = MemoryStorage()
        self._primary_failed_at: float | None = None
        self._lock = threading.Lock()

    @property
    def storage(self) -> Storage:
        """Where to count now: Redis, or memory while Redis is down."""
        failed = self._primary_failed_at
        if failed is None:
            return self.primary
        if time.monotonic() - failed > RETRY_PRIMARY and self._answers():
            with self._lock:
                self._primary_failed_at = None
            log.warning("rate limits: Redis answers again; counting there")
            return self.primary
        return self.memory

    def _answers(self) -> bool:
        try:
            return bool(self.primary.check())
        except Exception:  # noqa: BLE001 - any failure means: still down
            with self._lock:
                self._primary_failed_at = time.monotonic()
            return False

    def failed(self, error: Exception) -> None:
        with self._lock:
            self._primary_failed_at = time.monotonic()
        log.warning(
            "rate limits: Redis does not answer (%s); counting in memory", type(error).__name__
        )

    def hit(self, item: RateLimitItem, *identifiers: str) -> tuple[bool, int, int]:
        """Count one use; (allowed, remaining, seconds until the window frees a place)."""
        storage = self.storage
        try:
            return self._hit(storage, item, identifiers)
        except storage.base_exceptions as error:
            if storage is self.memory:
                raise
            self.failed(error)
            return self._hit(self.memory, item, identifiers)

    @staticmethod
    def _hit(storage: Storage, item: RateLimitItem, identifiers: Sequence[str]):
        strategy = MovingWindowRateLimiter(storage)
        allowed = strategy.hit(item, *identifiers)
        stats = strategy.get_window_stats(item, *identifiers)
        return allowed, stats.remaining, max(1, int(stats.reset_time - time.time()) + 1)


def limiter() -> RateLimiter:
    """This app's rate limiter."""
    return current_app.extensions["rate_limiter"]


def rate_limit(
    value: str,
    *,
    methods: Sequence[str] | None = None,
    key_func: Callable[[], str] = client_address,
) -> Callable:
    """Limit how often a view may be submitted to, e.g. `@rate_limit("5 per minute")` (POST,
    PUT, PATCH and DELETE unless `methods` names others; per client address unless `key_func`
    says otherwise). Over the limit the visitor gets the
    Dutch 429 page with Retry-After; answers that count carry X-RateLimit-* headers."""
    items = parse_many(value)
    guarded = {m.upper() for m in methods} if methods else WRITING

    def declare(view: Callable) -> Callable:
        @wraps(view)
        def limited(*args: Any, **kwargs: Any):
            rates = limiter()
            if not rates.enabled or request.method not in guarded:
                return view(*args, **kwargs)
            scope, key = request.endpoint or view.__name__, key_func()
            outcome = [(item, *rates.hit(item, scope, key)) for item in items]
            tightest = min(outcome, key=lambda o: o[2])
            refused = [o for o in outcome if not o[1]]
            if refused:
                response = render_error(429)
                wait = max(o[3] for o in refused)
                response.headers["Retry-After"] = str(wait)
            else:
                response = make_response(view(*args, **kwargs))
                wait = tightest[3]
            item, _, remaining, reset = tightest if not refused else refused[0]
            response.headers["X-RateLimit-Limit"] = str(item.amount)
            response.headers["X-RateLimit-Remaining"] = str(max(0, remaining))
            response.headers["X-RateLimit-Reset"] = str(int(time.time()) + wait)
            return response

        return limited

    return declare


def _said_origin() -> bool | None:
    """True when the browser says the request comes from this site, False when it says it
    comes from elsewhere, None when it says neither."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return None
    return origin == f"{request.scheme}://{request.host}"


def check_csrf() -> None:
    """Before every view (see the module's docstring); a refusal is the Dutch 400 page."""
    config = current_app.config
    if request.method not in WRITING or not config.get("WTF_CSRF_ENABLED", True):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, NO_CSRF, False):
        return
    said = _said_origin()
    if said is False:
        raise CSRFError("The request comes from another site.")
    if said:
        g.csrf_valid = True  # Flask-WTF's forms then skip their own token check
        return
    current_app.extensions["csrf"].protect(apply_exemptions=True)


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

    def save_session(self, app: Flask, session, response) -> None:
        # Most visitors hold no session: Flask would then only add "Cookie" to Vary when the
        # session was looked at, after reading seven cookie settings; this does only that.
        if not session and not session.modified:
            if session.accessed:
                add_vary(response, "Cookie")
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    CSRFProtect(app)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # check_csrf does it
    app.before_request(check_csrf)
    Htmx(app)
    app.extensions["rate_limiter"] = RateLimiter(app)


def apply_view_rules(app: Flask) -> None:
    """Apply the views' CSRF exemptions (after every blueprint is registered)."""
    csrf: CSRFProtect = app.extensions["csrf"]
    for view in list(app.view_functions.values()):
        if getattr(view, NO_CSRF, False):
            csrf.exempt(view)
