"""The sandbox's memory: payments, refunds, idempotency keys, the webhook log.

All state sits behind one lock, and callers only ever get deep copies. Serialising a payment
can then never race with a transition in another request thread, and webhooks are delivered
with the lock released: the shop's handler calls back into the sandbox while one runs.
"""

from __future__ import annotations

import copy
import secrets
import string
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tools.mollie_sandbox.model import (
    CANCELED,
    EXPIRED,
    FAILED,
    OPEN,
    PAID,
    PAYMENT_STATUSES,
    PAYMENT_TRANSITIONS,
    PENDING,
    QUEUED,
    REACHED_AT_FIELDS,
    REFUND_STATUSES,
    REFUND_TRANSITIONS,
    SEQUENCE_TYPES,
    ApiError,
    Clock,
    Payment,
    Refund,
    parse_amount,
    parse_description,
    parse_locale,
    parse_metadata,
    parse_url,
    utc_now,
)

PAYMENT_LIFETIME = timedelta(minutes=15)
IDEMPOTENCY_TTL = timedelta(hours=1)
API_LOG_SIZE = 500  # the demo runs for days; the log keeps only the latest calls
ID_ALPHABET = string.ascii_letters + string.digits
# A refund that ends like this never moved money, so the payment gets the amount back.
REFUND_RETURNS_MONEY = frozenset({FAILED, CANCELED})


@dataclass
class CachedResponse:
    """A first answer to an idempotency key, replayed byte for byte on a repeat."""

    status: int
    body: bytes
    content_type: str | None


@dataclass
class _IdempotencyEntry:
    fingerprint: str
    stored_at: datetime
    response: CachedResponse | None = None  # None while the first request is still running


class SandboxState:
    """Payments, refunds, the idempotency cache, the webhook log and the armed error."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._payments: dict[str, Payment] = {}  # insertion order = creation order
            self._refunds: dict[str, Refund] = {}
            self._idempotency: dict[str, _IdempotencyEntry] = {}
            self._deliveries: list[dict[str, Any]] = []
            self._api_calls: deque[dict[str, Any]] = deque(maxlen=API_LOG_SIZE)
            self._next_error: CachedResponse | None = None
            self._next_error_after = False

    # Payments ---------------------------------------------------------------------------

    def create_payment(self, data: dict[str, Any], mode: str) -> Payment:
        """Validate a create-payment body as Mollie does and store an open payment."""
        amount = parse_amount(data.get("amount"))
        description = parse_description(data, limit=255, required=True)
        sequence_type = data.get("sequenceType", "oneoff")
        if sequence_type not in SEQUENCE_TYPES:
            raise ApiError(422, "The sequence type is invalid.", "sequenceType")
        recurring = sequence_type == "recurring"
        customer_id = data.get("customerId")
        if recurring and not customer_id:
            raise ApiError(422, "A recurring payment needs a customerId.", "customerId")
        method = data.get("method")
        if isinstance(method, str):
            method = [method]
        if method is not None and (
            not isinstance(method, list) or not all(isinstance(m, str) for m in method)
        ):
            raise ApiError(422, "The method is invalid.", "method")
        now = self.clock()
        payment = Payment(
            id="",
            mode=mode,
            created_at=now,
            amount=amount,
            description=description,
            redirect_url=parse_url(data, "redirectUrl", required=not recurring),
            cancel_url=parse_url(data, "cancelUrl"),
            webhook_url=parse_url(data, "webhookUrl"),
            metadata=parse_metadata(data),
            locale=parse_locale(data),
            # A single forced method is known at once; a choice stays null until paid.
            method=method[0] if method and len(method) == 1 else None,
            requested_methods=method or [],
            sequence_type=sequence_type,
            customer_id=customer_id,
            expires_at=now + PAYMENT_LIFETIME,
        )
        with self._lock:
            payment.id = self._new_id("tr_", self._payments)
            self._payments[payment.id] = payment
            return copy.deepcopy(payment)

    def get_payment(self, payment_id: str, mode: str | None = None) -> Payment:
        with self._lock:
            return copy.deepcopy(self._payment(payment_id, mode))

    def list_payments(self, mode: str) -> list[Payment]:
        """All payments of one mode, newest first."""
        with self._lock:
            found = [p for p in self._payments.values() if p.mode == mode]
            return copy.deepcopy(found[::-1])

    def update_payment(self, payment_id: str, data: dict[str, Any], mode: str) -> Payment:
        """PATCH: only the fields Mollie lets a merchant change."""
        with self._lock:
            payment = self._payment(payment_id, mode)
            changes: dict[str, Any] = {}
            if "description" in data:
                changes["description"] = parse_description(data, limit=255, required=True)
            for name, attribute in (
                ("redirectUrl", "redirect_url"),
                ("cancelUrl", "cancel_url"),
                ("webhookUrl", "webhook_url"),
            ):
                if name in data:
                    changes[attribute] = parse_url(data, name, required=name == "redirectUrl")
            if "metadata" in data:
                changes["metadata"] = parse_metadata(data)
            if "locale" in data:
                changes["locale"] = parse_locale(data)
            for attribute, value in changes.items():
                setattr(payment, attribute, value)
            return copy.deepcopy(payment)

    def cancel_payment(self, payment_id: str, mode: str) -> Payment:
        """DELETE: cancel when cancelable (open), else 422 as Mollie answers."""
        with self._lock:
            payment = self._payment(payment_id, mode)
            if payment.status != OPEN:
                raise ApiError(422, f"The payment cannot be canceled (status {payment.status}).")
            self._move(payment, CANCELED)
            return copy.deepcopy(payment)

    def transition_payment(self, payment_id: str, status: str) -> Payment:
        """Move a payment along the allowed transitions; 409 for any other move."""
        if status not in PAYMENT_STATUSES:
            raise ApiError(400, f"Unknown payment status {status!r}.", "status")
        with self._lock:
            payment = self._payment(payment_id)
            if status not in PAYMENT_TRANSITIONS.get(payment.status, ()):
                raise ApiError(409, f"A payment cannot go from {payment.status} to {status}.")
            self._move(payment, status)
            return copy.deepcopy(payment)

    def expire_open(self, *, everything: bool) -> list[Payment]:
        """Expire open payments whose expiresAt has passed (or all open ones)."""
        now = self.clock()
        with self._lock:
            due = [
                p
                for p in self._payments.values()
                if p.status == OPEN
                and (everything or (p.expires_at is not None and p.expires_at <= now))
            ]
            for payment in due:
                self._move(payment, EXPIRED)
            return copy.deepcopy(due)

    def _move(self, payment: Payment, status: str) -> None:
        payment.status = status
        if status in REACHED_AT_FIELDS:
            payment.reached_at[status] = self.clock()
        if status == PAID and payment.method is None:
            payment.method = (payment.requested_methods or ["ideal"])[0]
        if payment.is_final:
            payment.expires_at = None

    def _payment(self, payment_id: str, mode: str | None = None) -> Payment:
        payment = self._payments.get(payment_id)
        if payment is None or (mode is not None and payment.mode != mode):
            # Test and live data are separate worlds, as at Mollie.
            raise ApiError(404, f"No payment exists with token {payment_id}.")
        return payment

    # Refunds ----------------------------------------------------------------------------

    def create_refund(self, payment_id: str, data: dict[str, Any], mode: str) -> Refund:
        """Refund part or all of a paid payment; the payment's amounts move at once."""
        amount = parse_amount(data.get("amount"))
        description = parse_description(data, limit=140, required=False)
        metadata = parse_metadata(data)
        with self._lock:
            payment = self._payment(payment_id, mode)
            if payment.status != PAID:
                raise ApiError(422, "The payment has not been paid, so it cannot be refunded.")
            if amount.currency != payment.amount.currency:
                raise ApiError(
                    422, "The currency differs from the payment's currency.", "amount.currency"
                )
            remaining = payment.amount.value - payment.amount_refunded
            if amount.value > remaining:
                raise ApiError(
                    422,
                    f"The amount is higher than the amount that can still be refunded "
                    f"({remaining} {amount.currency}).",
                    "amount.value",
                )
            refund = Refund(
                id=self._new_id("re_", self._refunds),
                payment_id=payment.id,
                mode=mode,
                created_at=self.clock(),
                amount=amount,
                description=description,
                metadata=metadata,
            )
            self._refunds[refund.id] = refund
            payment.refund_ids.append(refund.id)
            payment.amount_refunded += amount.value
            return copy.deepcopy(refund)

    def get_refund(self, refund_id: str, payment_id: str | None, mode: str | None) -> Refund:
        with self._lock:
            return copy.deepcopy(self._refund(refund_id, payment_id, mode))

    def list_refunds(self, payment_id: str | None, mode: str) -> list[Refund]:
        """Refunds of one payment (or all of one mode), newest first."""
        with self._lock:
            if payment_id is not None:
                self._payment(payment_id, mode)
            found = [
                r
                for r in self._refunds.values()
                if r.mode == mode and payment_id in (None, r.payment_id)
            ]
            return copy.deepcopy(found[::-1])

    def cancel_refund(self, payment_id: str, refund_id: str, mode: str) -> None:
        """DELETE: only while queued or pending, as at Mollie; the money stays put."""
        with self._lock:
            refund = self._refund(refund_id, payment_id, mode)
            if refund.status not in (QUEUED, PENDING):
                raise ApiError(422, f"The refund cannot be canceled (status {refund.status}).")
            self._move_refund(refund, CANCELED)

    def transition_refund(self, refund_id: str, status: str) -> Refund:
        """Move a refund along the allowed transitions; 409 for any other move."""
        if status not in REFUND_STATUSES:
            raise ApiError(400, f"Unknown refund status {status!r}.", "status")
        with self._lock:
            refund = self._refund(refund_id, None, None)
            if status not in REFUND_TRANSITIONS.get(refund.status, ()):
                raise ApiError(409, f"A refund cannot go from {refund.status} to {status}.")
            self._move_refund(refund, status)
            return copy.deepcopy(refund)

    def _move_refund(self, refund: Refund, status: str) -> None:
        refund.status = status
        if status in REFUND_RETURNS_MONEY:
            self._payments[refund.payment_id].amount_refunded -= refund.amount.value

    def _refund(self, refund_id: str, payment_id: str | None, mode: str | None) -> Refund:
        refund = self._refunds.get(refund_id)
        if (
            refund is None
            or payment_id not in (None, refund.payment_id)
            or mode not in (None, refund.mode)
        ):
            raise ApiError(404, f"No refund exists with token {refund_id}.")
        return refund

    def _new_id(self, prefix: str, taken: dict[str, Any]) -> str:
        while True:
            candidate = prefix + "".join(secrets.choice(ID_ALPHABET) for _ in range(10))
            if candidate not in taken:
                return candidate

    # Idempotency, the armed error, the API log and the webhook log -------------------------

    def claim_idempotency_key(self, key: str, fingerprint: str) -> CachedResponse | None:
        """Start a keyed POST: None means go ahead (then call `settle_idempotency_key`), a
        CachedResponse means replay it. Raises ApiError 400 when the key was used for another
        request, 409 while the first request with the key is still running."""
        now = self.clock()
        with self._lock:
            for stale in [
                k for k, e in self._idempotency.items() if now - e.stored_at > IDEMPOTENCY_TTL
            ]:
                del self._idempotency[stale]
            entry = self._idempotency.get(key)
            if entry is None:
                self._idempotency[key] = _IdempotencyEntry(fingerprint, now)
                return None
            if entry.fingerprint != fingerprint:
                raise ApiError(400, "The Idempotency-Key was already used for another request.")
            if entry.response is None:
                raise ApiError(409, "A request with this Idempotency-Key is still in progress.")
            return entry.response

    def settle_idempotency_key(self, key: str, response: CachedResponse | None) -> None:
        """Remember the first answer for an hour, or forget the key (None: a server error)."""
        with self._lock:
            entry = self._idempotency.get(key)
            if entry is None or entry.response is not None:
                return
            if response is None:
                del self._idempotency[key]
            else:
                entry.response = response
                entry.stored_at = self.clock()

    def arm_error(self, response: CachedResponse, *, after: bool = False) -> None:
        """Make the next /v2 call answer `response`: instead of doing anything (the default),
        or `after` doing its work, as when Mollie acted but its answer got lost on the way."""
        with self._lock:
            self._next_error, self._next_error_after = response, after

    def take_error(self, *, after: bool = False) -> CachedResponse | None:
        """The armed error if it is due at this point of a call (before or after the work)."""
        with self._lock:
            if self._next_error is None or self._next_error_after != after:
                return None
            armed, self._next_error = self._next_error, None
            return armed

    def log_api_call(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._api_calls.append(entry)

    def api_calls(self) -> list[dict[str, Any]]:
        """The latest /v2 calls, oldest first: method, path, Idempotency-Key, replayed, status."""
        with self._lock:
            return copy.deepcopy(list(self._api_calls))

    def log_delivery(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._deliveries.append(entry)

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._deliveries)
