"""The sandbox's views: the Mollie API under /v2, the test controls under /_fake, and the
hosted checkout. Shared plumbing (the sandbox on the app, HAL responses, webhook delivery with
its log) sits at the top; `sandbox.py` builds the app around these blueprints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request
from flask import redirect as flask_redirect
from werkzeug.wrappers import Response as WerkzeugResponse

from app.core.formatting import euro
from tools.mollie_sandbox.model import (
    CANCELED,
    EXPIRED,
    FAILED,
    HAL,
    OPEN,
    PAID,
    PAYMENT_WEBHOOK_STATUSES,
    REFUND_WEBHOOK_STATUSES,
    ApiError,
    Money,
    Payment,
    error_body,
    iso,
    payment_json,
    refund_json,
)
from tools.mollie_sandbox.state import CachedResponse, SandboxState

Deliverer = Callable[[str, str], int | None]


class _Identified(Protocol):
    id: str


T = TypeVar("T", bound=_Identified)

MAX_LIMIT, DEFAULT_LIMIT = 250, 50
CHECKOUT_OUTCOMES = (
    (PAID, "Betaald"),
    (FAILED, "Mislukt"),
    (CANCELED, "Geannuleerd"),
    (EXPIRED, "Verlopen"),
)
STATUS_LABELS = {
    "open": "open",
    "pending": "in behandeling",
    "authorized": "geautoriseerd",
    "paid": "betaald",
    "canceled": "geannuleerd",
    "expired": "verlopen",
    "failed": "mislukt",
}
# The checkout page loads nothing and runs nothing; form-action stays open because the
# 303 after the POST leads to the shop, another origin.
CHECKOUT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
)

api = Blueprint("api", __name__, url_prefix="/v2")
control = Blueprint("control", __name__, url_prefix="/_fake")
checkout = Blueprint("checkout", __name__)


@dataclass
class Sandbox:
    """What the views share: the state and how webhooks go out."""

    state: SandboxState
    deliver: Deliverer


def current_sandbox() -> Sandbox:
    return current_app.extensions["mollie_sandbox"]


def hal(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type=HAL)


def json_body() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return data


def deliver(sandbox: Sandbox, payment_id: str, url: str | None, trigger: str) -> int | None:
    """Deliver one webhook and log the attempt (also when the deliverer raises).

    Called with no lock held: the shop's handler fetches the payment from this same sandbox
    while we wait for its answer."""
    if not url:
        return None
    entry: dict[str, Any] = {
        "url": url,
        "payment_id": payment_id,
        "trigger": trigger,
        "at": iso(sandbox.state.clock()),
        "status_code": None,
    }
    try:
        entry["status_code"] = sandbox.deliver(url, payment_id)
    except Exception as error:
        entry["error"] = repr(error)
        raise
    finally:
        sandbox.state.log_delivery(entry)
    return entry["status_code"]


def paginated(items: Sequence[T], name: str, to_json: Callable[[T, str], Any]) -> Response:
    """A Mollie list page: `count`, `_embedded`, and full-URL `_links` built from the request's
    host, so that the client's get_next() recognises them as its own endpoint."""
    raw_limit = request.args.get("limit", str(DEFAULT_LIMIT))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ApiError(400, f"The limit must be between 1 and {MAX_LIMIT}.", "limit")
    limit = int(raw_limit)
    ids = [item.id for item in items]
    start = 0
    if "from" in request.args:
        if request.args["from"] not in ids:
            raise ApiError(400, "The 'from' id is not in this list.", "from")
        start = ids.index(request.args["from"])
    page = items[start : start + limit]
    base_url = request.host_url
    list_url = base_url.rstrip("/") + request.path

    def link(from_id: str | None) -> dict[str, str]:
        query = f"from={from_id}&limit={limit}" if from_id else f"limit={limit}"
        return {"href": f"{list_url}?{query}", "type": HAL}

    has_next = start + limit < len(items)
    body = {
        "count": len(page),
        "_embedded": {name: [to_json(item, base_url) for item in page]},
        "_links": {
            "self": link(request.args.get("from")),
            "previous": link(ids[max(0, start - limit)]) if start > 0 else None,
            "next": link(ids[start + limit]) if has_next else None,
            "documentation": {"href": "https://docs.mollie.com/", "type": "text/html"},
        },
    }
    return hal(body)


# /v2: the Mollie API ----------------------------------------------------------------------


@api.post("/payments")
def create_payment() -> Response:
    """Create an open payment with a checkout link (201)."""
    payment = current_sandbox().state.create_payment(json_body(), g.mode)
    return hal(payment_json(payment, request.host_url), 201)


@api.get("/payments")
def list_payments() -> Response:
    """This mode's payments, newest first, paginated."""
    return paginated(current_sandbox().state.list_payments(g.mode), "payments", payment_json)


@api.get("/payments/<payment_id>")
def get_payment(payment_id: str) -> Response:
    """One payment; `embed=refunds` adds its refunds."""
    state = current_sandbox().state
    payment = state.get_payment(payment_id, g.mode)
    refunds = None
    if "refunds" in request.args.get("embed", "").split(","):
        refunds = state.list_refunds(payment_id, g.mode)
    return hal(payment_json(payment, request.host_url, refunds=refunds))


@api.patch("/payments/<payment_id>")
def update_payment(payment_id: str) -> Response:
    """Change the fields a merchant may change."""
    payment = current_sandbox().state.update_payment(payment_id, json_body(), g.mode)
    return hal(payment_json(payment, request.host_url))


@api.delete("/payments/<payment_id>")
def cancel_payment(payment_id: str) -> Response:
    """Cancel an open payment. The webhook goes out just after this response, as Mollie's
    does: a shop that cancels inside a database transaction must not wait on itself."""
    sandbox = current_sandbox()
    payment = sandbox.state.cancel_payment(payment_id, g.mode)
    response = hal(payment_json(payment, request.host_url))
    response.call_on_close(lambda: deliver(sandbox, payment.id, payment.webhook_url, CANCELED))
    return response


@api.post("/payments/<payment_id>/refunds")
def create_refund(payment_id: str) -> Response:
    """Refund part or all of a paid payment (201, status pending)."""
    refund = current_sandbox().state.create_refund(payment_id, json_body(), g.mode)
    return hal(refund_json(refund, request.host_url), 201)


@api.get("/payments/<payment_id>/refunds")
def list_payment_refunds(payment_id: str) -> Response:
    """One payment's refunds, newest first."""
    refunds = current_sandbox().state.list_refunds(payment_id, g.mode)
    return paginated(refunds, "refunds", refund_json)


@api.get("/payments/<payment_id>/refunds/<refund_id>")
def get_refund(payment_id: str, refund_id: str) -> Response:
    """One refund of one payment."""
    refund = current_sandbox().state.get_refund(refund_id, payment_id, g.mode)
    return hal(refund_json(refund, request.host_url))


@api.delete("/payments/<payment_id>/refunds/<refund_id>")
def cancel_refund(payment_id: str, refund_id: str) -> Response:
    """Cancel a refund that is still queued or pending (204)."""
    current_sandbox().state.cancel_refund(payment_id, refund_id, g.mode)
    return Response(status=204)


@api.get("/refunds")
def list_refunds() -> Response:
    """All of this mode's refunds, newest first."""
    return paginated(current_sandbox().state.list_refunds(None, g.mode), "refunds", refund_json)


# /_fake: controls for tests and the demo ---------------------------------------------------


def _wanted_status(body: dict[str, Any]) -> str:
    status = body.get("status")
    if not isinstance(status, str):
        raise ApiError(400, "Give the new status as a string.", "status")
    return status


@control.post("/payments/<payment_id>/status")
def set_payment_status(payment_id: str) -> Response:
    """Move a payment as its customer or bank would, then deliver the webhook before answering."""
    body = json_body()
    sandbox = current_sandbox()
    payment = sandbox.state.transition_payment(payment_id, _wanted_status(body))
    code = None
    if body.get("webhook", True) and payment.status in PAYMENT_WEBHOOK_STATUSES:
        code = deliver(sandbox, payment.id, payment.webhook_url, payment.status)
    return jsonify(status=payment.status, webhook_status_code=code)


@control.post("/payments/<payment_id>/webhook")
def redeliver_webhook(payment_id: str) -> Response:
    """Call the webhook again with the same id, to test that the shop handles duplicates."""
    sandbox = current_sandbox()
    payment = sandbox.state.get_payment(payment_id)
    if not payment.webhook_url:
        raise ApiError(409, "This payment has no webhookUrl.")
    code = deliver(sandbox, payment.id, payment.webhook_url, "redelivery")
    return jsonify(status=payment.status, webhook_status_code=code)


@control.post("/refunds/<refund_id>/status")
def set_refund_status(refund_id: str) -> Response:
    """Move a refund; processing, refunded and failed call the payment's webhook (with tr_)."""
    body = json_body()
    sandbox = current_sandbox()
    refund = sandbox.state.transition_refund(refund_id, _wanted_status(body))
    code = None
    if body.get("webhook", True) and refund.status in REFUND_WEBHOOK_STATUSES:
        payment = sandbox.state.get_payment(refund.payment_id)
        code = deliver(sandbox, payment.id, payment.webhook_url, f"refund {refund.status}")
    return jsonify(status=refund.status, webhook_status_code=code)


@control.post("/next-error")
def arm_next_error() -> Response:
    """Make the next /v2 call answer exactly this status, body and content type. With
    `"after": true` the call first does its work (a payment is made, a key remembered), as when
    Mollie acted but the answer got lost on the way back."""
    body = json_body()
    status = body.get("http_status", 503)
    if not isinstance(status, int) or not 200 <= status <= 599:
        raise ApiError(400, "http_status must be a number from 200 to 599.", "http_status")
    content = body.get("body")
    if content is None:
        content = json.dumps(error_body(status, "An error armed through /_fake/next-error."))
    elif not isinstance(content, str):
        content = json.dumps(content)
    content_type = body.get("content_type") or HAL
    current_sandbox().state.arm_error(
        CachedResponse(status, content.encode(), str(content_type)), after=body.get("after") is True
    )
    return Response(status=204)


@control.get("/api-log")
def api_log() -> Response:
    """The latest /v2 calls: method, path, idempotency_key, replayed, status_code, at."""
    return jsonify(calls=current_sandbox().state.api_calls())


@control.get("/webhook-log")
def webhook_log() -> Response:
    """Every delivery attempt so far: url, payment_id, trigger, at, status_code (and error)."""
    return jsonify(deliveries=current_sandbox().state.deliveries())


@control.post("/reset")
def reset() -> Response:
    """Forget all payments, refunds, idempotency keys, logs and the armed error."""
    current_sandbox().state.reset()
    return Response(status=204)


@control.post("/expire-open")
def expire_open() -> Response:
    """Time travel: expire open payments past expiresAt (all open ones with {"all": true})."""
    sandbox = current_sandbox()
    expired = sandbox.state.expire_open(everything=json_body().get("all") is True)
    codes = {p.id: deliver(sandbox, p.id, p.webhook_url, EXPIRED) for p in expired}
    return jsonify(expired=[p.id for p in expired], webhook_status_codes=codes)


# The hosted checkout ---------------------------------------------------------------------


def _amount_text(amount: Money) -> str:
    if amount.currency == "EUR":
        return euro(int(amount.value * 100))
    return f"{amount.currency}\u00a0{amount.to_json()['value'].replace('.', ',')}"


def _checkout_page(payment: Payment | None, status: int = 200) -> Response:
    html = render_template(
        "checkout.html",
        payment=payment,
        amount=_amount_text(payment.amount) if payment else "",
        status_label=STATUS_LABELS.get(payment.status, "") if payment else "",
        outcomes=CHECKOUT_OUTCOMES,
    )
    response = Response(html, status=status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = CHECKOUT_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@checkout.get("/checkout/<payment_id>")
def show_checkout(payment_id: str) -> Response:
    """Mollie's test-mode screen: the tester picks how the payment ends."""
    try:
        payment = current_sandbox().state.get_payment(payment_id)
    except ApiError:
        return _checkout_page(None, 404)
    return _checkout_page(payment)


@checkout.post("/checkout/<payment_id>")
def choose_outcome(payment_id: str) -> WerkzeugResponse:
    """Apply the outcome, deliver the webhook first, then send the customer back with a 303."""
    sandbox = current_sandbox()
    choice = request.form.get("status", "")
    try:
        payment = sandbox.state.get_payment(payment_id)
    except ApiError:
        return _checkout_page(None, 404)
    if payment.status != OPEN:
        return _checkout_page(payment, 409)
    if choice not in {value for value, _ in CHECKOUT_OUTCOMES} | {OPEN}:
        return _checkout_page(payment, 400)
    if choice != OPEN:
        try:
            payment = sandbox.state.transition_payment(payment_id, choice)
        except ApiError:  # another tab finished it a moment ago
            return _checkout_page(sandbox.state.get_payment(payment_id), 409)
        deliver(sandbox, payment.id, payment.webhook_url, payment.status)
    target = payment.cancel_url if choice == CANCELED and payment.cancel_url else None
    target = target or payment.redirect_url
    if target is None:  # recurring payments have no customer to send back
        return _checkout_page(payment)
    return flask_redirect(target, 303)
