"""The sandbox's vocabulary: statuses and their transitions, validation of incoming JSON
as strict as Mollie's, and the JSON that goes out (payments, refunds, errors).

Flask-free, so the wire format can be read (and tested) on its own; `state.py` keeps
the objects and applies the rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

Clock = Callable[[], datetime]

OPEN, PENDING, AUTHORIZED = "open", "pending", "authorized"
PAID, CANCELED, EXPIRED, FAILED = "paid", "canceled", "expired", "failed"
PAYMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({PENDING, AUTHORIZED, PAID, CANCELED, EXPIRED, FAILED}),
    PENDING: frozenset({PAID, FAILED, CANCELED, EXPIRED}),
    AUTHORIZED: frozenset({PAID, CANCELED, EXPIRED}),
}
PAYMENT_STATUSES = frozenset({OPEN, PENDING, AUTHORIZED, PAID, CANCELED, EXPIRED, FAILED})
PAYMENT_WEBHOOK_STATUSES = frozenset({PAID, AUTHORIZED, CANCELED, EXPIRED, FAILED})
REACHED_AT_FIELDS = {
    AUTHORIZED: "authorizedAt",
    PAID: "paidAt",
    CANCELED: "canceledAt",
    EXPIRED: "expiredAt",
    FAILED: "failedAt",
}

QUEUED, PROCESSING, REFUNDED = "queued", "processing", "refunded"
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    QUEUED: frozenset({PENDING, PROCESSING, REFUNDED, FAILED, CANCELED}),
    PENDING: frozenset({PROCESSING, REFUNDED, FAILED, CANCELED}),
    PROCESSING: frozenset({REFUNDED, FAILED}),
}
REFUND_STATUSES = frozenset({QUEUED, PENDING, PROCESSING, REFUNDED, FAILED, CANCELED})
REFUND_WEBHOOK_STATUSES = frozenset({PROCESSING, REFUNDED, FAILED})

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "ISK"})
SEQUENCE_TYPES = frozenset({"oneoff", "first", "recurring"})
LOCALES = frozenset(
    {"en_US", "en_GB", "nl_NL", "nl_BE", "fr_FR", "fr_BE", "de_DE", "de_AT", "de_CH", "es_ES"}
    | {"ca_ES", "pt_PT", "it_IT", "nb_NO", "sv_SE", "fi_FI", "da_DK", "is_IS", "hu_HU", "pl_PL"}
    | {"lv_LV", "lt_LT"}
)
METADATA_MAX_BYTES = 1024
HAL = "application/hal+json"
DOCS = "https://docs.mollie.com/reference/v2"


class ApiError(Exception):
    """An error answered the Mollie way: JSON with `status`, `title`, `detail`, maybe `field`."""

    def __init__(self, status: int, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field = field


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Mollie's timestamp form: ISO 8601 in UTC with an explicit +00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Money:
    currency: str
    value: Decimal

    def to_json(self) -> dict[str, str]:
        places = 0 if self.currency in ZERO_DECIMAL_CURRENCIES else 2
        return {"currency": self.currency, "value": f"{self.value:.{places}f}"}


def parse_amount(raw: Any, field: str = "amount") -> Money:
    """Check an amount as strictly as Mollie: a string value with exactly the currency's
    decimals (so "10.1", "10" and 10.0 are all refused), above zero. Raises ApiError 422."""
    if not isinstance(raw, dict):
        raise ApiError(422, "The amount is required and must be an object.", field)
    currency = raw.get("currency")
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
        raise ApiError(422, "The currency is invalid.", f"{field}.currency")
    value = raw.get("value")
    pattern = r"[0-9]+" if currency in ZERO_DECIMAL_CURRENCIES else r"[0-9]+\.[0-9]{2}"
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise ApiError(422, "The amount contains an invalid value", f"{field}.value")
    if Decimal(value) <= 0:
        raise ApiError(422, "The amount must be higher than zero.", f"{field}.value")
    return Money(currency, Decimal(value))


def parse_url(data: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    """An absolute http(s) URL, or None when absent and allowed. Localhost is fine here:
    the sandbox runs next to the shop (real Mollie refuses it for webhookUrl)."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ApiError(422, f"The {name} is required.", name)
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApiError(422, f"The {name} is invalid.", name)
    return value


def parse_description(data: dict[str, Any], *, limit: int, required: bool) -> str:
    value = data.get("description")
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ApiError(422, "The description is required.", "description")
    return value[:limit]  # Mollie truncates rather than refuses


def parse_locale(data: dict[str, Any]) -> str | None:
    value = data.get("locale")
    if value is not None and value not in LOCALES:
        raise ApiError(422, "The locale is invalid.", "locale")
    return value


def parse_metadata(data: dict[str, Any]) -> Any:
    value = data.get("metadata")
    if len(json.dumps(value).encode()) > METADATA_MAX_BYTES:
        raise ApiError(422, "The metadata is too large (at most 1 kB).", "metadata")
    return value


@dataclass
class Payment:
    id: str
    mode: str
    created_at: datetime
    amount: Money
    description: str
    redirect_url: str | None
    cancel_url: str | None
    webhook_url: str | None
    metadata: Any
    locale: str | None
    method: str | None
    requested_methods: list[str]
    sequence_type: str
    customer_id: str | None
    status: str = OPEN
    expires_at: datetime | None = None
    reached_at: dict[str, datetime] = field(default_factory=dict)
    amount_refunded: Decimal = Decimal(0)
    refund_ids: list[str] = field(default_factory=list)

    @property
    def is_final(self) -> bool:
        return self.status not in PAYMENT_TRANSITIONS


@dataclass
class Refund:
    id: str
    payment_id: str
    mode: str
    created_at: datetime
    amount: Money
    description: str
    metadata: Any
    status: str = PENDING


def _link(href: str, kind: str = HAL) -> dict[str, str]:
    return {"href": href, "type": kind}


def payment_json(
    payment: Payment, base_url: str, *, refunds: list[Refund] | None = None
) -> dict[str, Any]:
    """The payment as Mollie shows it; `base_url` is the request's host URL, so that link
    hrefs carry exactly the scheme, host and port the client was configured with."""
    body: dict[str, Any] = {
        "resource": "payment",
        "id": payment.id,
        "mode": payment.mode,
        "createdAt": iso(payment.created_at),
        "amount": payment.amount.to_json(),
        "description": payment.description,
        "method": payment.method,
        "metadata": payment.metadata,
        "status": payment.status,
    }
    if not payment.is_final:
        body["isCancelable"] = payment.status == OPEN
        if payment.expires_at is not None:
            body["expiresAt"] = iso(payment.expires_at)
    for status, name in REACHED_AT_FIELDS.items():
        if status in payment.reached_at:
            body[name] = iso(payment.reached_at[status])
    if PAID in payment.reached_at:
        remaining = payment.amount.value - payment.amount_refunded
        body["amountRefunded"] = Money(payment.amount.currency, payment.amount_refunded).to_json()
        body["amountRemaining"] = Money(payment.amount.currency, remaining).to_json()
    body["profileId"] = "pfl_sandbox"
    body["sequenceType"] = payment.sequence_type
    optional = {
        "redirectUrl": payment.redirect_url,
        "cancelUrl": payment.cancel_url,
        "webhookUrl": payment.webhook_url,
        "locale": payment.locale,
        "customerId": payment.customer_id,
    }
    body.update({name: value for name, value in optional.items() if value is not None})
    links = {
        "self": _link(f"{base_url}v2/payments/{payment.id}"),
        "dashboard": _link(f"https://my.mollie.com/dashboard/payments/{payment.id}", "text/html"),
        "documentation": _link(f"{DOCS}/payments-api/get-payment", "text/html"),
    }
    if payment.status == OPEN and payment.sequence_type != "recurring":
        links["checkout"] = _link(f"{base_url}checkout/{payment.id}", "text/html")
    if payment.refund_ids:
        links["refunds"] = _link(f"{base_url}v2/payments/{payment.id}/refunds")
    body["_links"] = links
    if refunds is not None:
        body["_embedded"] = {"refunds": [refund_json(r, base_url) for r in refunds]}
    return body


def refund_json(refund: Refund, base_url: str) -> dict[str, Any]:
    """The refund as Mollie shows it (`paymentId` lets `refund.get_payment()` work)."""
    payment_url = f"{base_url}v2/payments/{refund.payment_id}"
    return {
        "resource": "refund",
        "id": refund.id,
        "mode": refund.mode,
        "amount": refund.amount.to_json(),
        "status": refund.status,
        "createdAt": iso(refund.created_at),
        "description": refund.description,
        "metadata": refund.metadata,
        "paymentId": refund.payment_id,
        "_links": {
            "self": _link(f"{payment_url}/refunds/{refund.id}"),
            "payment": _link(payment_url),
            "documentation": _link(f"{DOCS}/refunds-api/get-payment-refund", "text/html"),
        },
    }


def error_body(status: int, detail: str, field: str | None = None) -> dict[str, Any]:
    """Mollie's error shape. `detail` is never left out: the client would raise KeyError."""
    title = "Unauthorized Request" if status == 401 else HTTPStatus(status).phrase
    body: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    if field:
        body["field"] = field
    body["_links"] = {
        "documentation": {
            "href": "https://docs.mollie.com/overview/handling-errors",
            "type": "text/html",
        }
    }
    return body
