"""A local "fake Mollie" for the offline demo and for tests.

It speaks the part of the Payments and Refunds API v2 that mollie-api-python uses, serves a
hosted test checkout, and offers a /_fake/ control surface (MOLLIE.md section 7). With
MOLLIE_API_ENDPOINT pointed at it and any test_ key, the real client runs the shop's whole
payment flow without network access. It is its own Flask app, because it plays a third party
rather than a part of the site, and it refuses to exist when APP_ENV is production.

This module builds the app and runs it; the views are in `routes.py`, the state and
its rules in `state.py`, the wire format in `model.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path

import click
import requests
from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server, run_simple

from tools.mollie_sandbox.model import ApiError, Clock, error_body, iso, utc_now
from tools.mollie_sandbox.routes import (
    Deliverer,
    Sandbox,
    api,
    checkout,
    control,
    current_sandbox,
    hal,
    json_body,
)
from tools.mollie_sandbox.state import CachedResponse, SandboxState

__all__ = ["Deliverer", "SandboxServer", "create_sandbox_app", "post_webhook", "sandbox_cli"]

USER_AGENT = "Mollie HTTP client/1.0 (sandbox)"
WEBHOOK_TIMEOUT = 15  # seconds, as Mollie
AUTHORIZATION = re.compile(r"Bearer ((test|live|access)_\w+)")


def create_sandbox_app(
    *, deliver_webhook: Deliverer | None = None, clock: Clock | None = None
) -> Flask:
    """Build a fresh sandbox with empty state.

    `deliver_webhook(url, payment_id)` returns the shop's HTTP status or None; the default
    posts over HTTP like Mollie, tests may pass one that posts through a Flask test client.
    `clock` returns the current aware UTC time (tests move it to make payments expire).
    Raises RuntimeError when APP_ENV is production: a fake payment provider that marks
    orders paid on a button click must never sit next to real money.
    """
    if os.environ.get("APP_ENV", "").strip() == "production":
        raise RuntimeError("The Mollie sandbox is a fake payment provider; not in production.")
    app = Flask(
        __name__, template_folder=str(Path(__file__).with_name("templates")), static_folder=None
    )
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    state = SandboxState(clock or utc_now)
    app.extensions["mollie_sandbox"] = Sandbox(state, deliver_webhook or post_webhook)
    app.before_request(_guard_api)
    app.after_request(_finish_api_call)
    app.teardown_request(_release_idempotency_key)
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    for blueprint in (api, control, checkout):
        app.register_blueprint(blueprint)
    return app


def post_webhook(url: str, payment_id: str) -> int | None:
    """Call a webhook the way Mollie does: a form POST holding only `id`, a 15 s timeout and
    no redirects followed. Returns the status code, or None when nothing answered."""
    try:
        with requests.post(
            url,
            data={"id": payment_id},
            headers={"User-Agent": USER_AGENT},
            timeout=WEBHOOK_TIMEOUT,
            allow_redirects=False,
        ) as response:
            return response.status_code
    except requests.RequestException:
        return None


# Around every request: errors the Mollie way, the API key, idempotency, the API log --------


def _api_error(error: ApiError) -> Response:
    return hal(error_body(error.status, error.detail, error.field), error.status)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    return hal(error_body(status, error.description or error.name), status)


def _replay(cached: CachedResponse) -> Response:
    return Response(cached.body, status=cached.status, content_type=cached.content_type)


def _guard_api() -> Response | None:
    """Before each /v2 call: an armed error wins, then the API key, then idempotency."""
    if not request.path.startswith("/v2/"):
        return None
    state = current_sandbox().state
    armed = state.take_error()
    if armed is not None:
        return _replay(armed)
    match = AUTHORIZATION.fullmatch(request.headers.get("Authorization", ""))
    if match is None:
        raise ApiError(401, "Missing authentication, or failed to authenticate")
    token, kind = match.groups()
    if kind == "access":  # an organisation token picks its mode per call
        testmode = request.args.get("testmode") == "true" or json_body().get("testmode") is True
        g.mode = "test" if testmode else "live"
    else:
        g.mode = kind
    key = request.headers.get("Idempotency-Key", "").strip()
    if request.method != "POST" or not key:  # Mollie ignores the key on GET/PATCH/DELETE
        return None
    scoped_key = f"{token}\n{key}"
    cached = state.claim_idempotency_key(scoped_key, _fingerprint())
    if cached is not None:
        response = _replay(cached)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    g.idempotency_key = scoped_key
    return None


def _fingerprint() -> str:
    """Same endpoint and same JSON (key order aside) count as the same request."""
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True).encode() if raw.strip() else b""
    except ValueError:
        canonical = raw
    return hashlib.sha256(request.full_path.encode() + b"\n" + canonical).hexdigest()


def _finish_api_call(response: Response) -> Response:
    """After each /v2 call: remember the answer for its idempotency key, then (when armed
    with `after`) lose that answer on the way back, and log the call."""
    key = g.pop("idempotency_key", None)
    state = current_sandbox().state
    if key is not None:
        cached = None
        if response.status_code < 500:  # a server error may be retried with the same key
            cached = CachedResponse(
                response.status_code, response.get_data(), response.content_type
            )
        state.settle_idempotency_key(key, cached)
    if not request.path.startswith("/v2/"):
        return response
    lost = state.take_error(after=True)
    if lost is not None:
        response = _replay(lost)
    state.log_api_call(
        {
            "method": request.method,
            "path": request.full_path.rstrip("?"),
            "idempotency_key": request.headers.get("Idempotency-Key") or None,
            "replayed": response.headers.get("Idempotent-Replayed") == "true",
            "status_code": response.status_code,
            "at": iso(state.clock()),
        }
    )
    return response


def _release_idempotency_key(_error: BaseException | None) -> None:
    key = g.pop("idempotency_key", None)
    if key is not None:  # the request died before an answer existed
        current_sandbox().state.settle_idempotency_key(key, None)


# Running it ------------------------------------------------------------------------------


@click.group("sandbox")
def sandbox_cli() -> None:
    """The local fake Mollie for the offline demo (never in production)."""


@sandbox_cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5001, show_default=True, type=int)
def run_sandbox(host: str, port: int) -> None:
    """Serve the sandbox; set MOLLIE_API_ENDPOINT to its URL and use any test_ key."""
    try:
        sandbox = create_sandbox_app()
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Mollie sandbox on http://{host}:{port} (use it as MOLLIE_API_ENDPOINT).")
    # Threaded: the shop's webhook handler calls back in while a request here waits on it.
    run_simple(host, port, sandbox, threaded=True)


class _QuietHandler(WSGIRequestHandler):
    """No access-log line per request in test output; errors are still logged."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SandboxServer:
    """The sandbox on 127.0.0.1 and a free port, in a daemon thread, for tests that need real
    HTTP (the mollie client, webhooks into a live shop server)::

        with SandboxServer() as sandbox:
            mollie = Client(api_endpoint=sandbox.url)
    """

    def __init__(
        self, *, deliver_webhook: Deliverer | None = None, clock: Clock | None = None
    ) -> None:
        self.app = create_sandbox_app(deliver_webhook=deliver_webhook, clock=clock)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL for `Client(api_endpoint=...)`, e.g. http://127.0.0.1:54321."""
        if self._server is None:
            raise RuntimeError("The sandbox server has not been started.")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def state(self) -> SandboxState:
        """The sandbox's memory, for assertions that the HTTP surface does not expose."""
        return self.app.extensions["mollie_sandbox"].state

    def start(self) -> SandboxServer:
        # Threaded: a webhook handler calls back in while the request that fired it waits.
        self._server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=_QuietHandler
        )
        # A short poll interval, so that stopping (once per test) takes milliseconds.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="mollie-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
