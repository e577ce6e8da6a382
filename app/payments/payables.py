"""What payments asks of the feature whose things are paid: the contract between them.

Payments knows Mollie, payment rows and refund rows; it does not know what is paid for. A
feature that sells something (the shop, for its orders) registers one `Payables` object on the
app with `register(app, payables)`. Payments then calls it inside a transaction that payments
commits, so a callback queues what it sends (e-mail) in that transaction and never commits:

- `payable(session, id)`: the amount, the keys and the texts for Mollie, and whether the
  payable still waits for a payment (`refusal` is None) or why not, in Dutch;
- `started(session, id, attempt)`: a payment was made at Mollie (its attempt number);
- `paid(session, id, payment)`: Mollie says this payment is paid; the feature moves the payable
  and does what follows payment, and answers with `Paid`: whether this payment pays it, or was
  not needed (payments then refunds it whole and calls `extra_payment`);
- `ended(session, id, status)`: the newest payment failed, was canceled or expired;
- `refunds_moved(session, id, moved, refunded_cents)`: after Mollie's word on the payable's
  refunds (`moved` are those whose status this call changed);
- `extra_payment(session, id, payment, refunded=..., new=...)`: a payment that was not needed,
  after the attempt to refund it (`new`: it was found not needed just now);
- `paying_payments()`: a query for the Mollie ids (never NULL) of the payments that paid their
  payable, so that `reconcile` finds paid payments that settled nothing.

The feature imports payments, never the other way round; the id is an int that payments stores
in the `order_id` column of its rows.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from flask import Flask, current_app
from sqlmodel import Session

from app.payments.models import PaymentRow, PaymentStatus, RefundRow

KEY = "payments.payables"


@dataclass(frozen=True)
class Payable:
    """Something to be paid, as payments needs to know it."""

    id: int
    reference: str  # short and not personal, e.g. the order number: in descriptions and logs
    amount_cents: int
    key: str  # random and stable: the base of every idempotency key sent to Mollie
    description: str  # what the customer sees at Mollie and on the bank statement
    redirect_url: str  # where Mollie sends the customer back
    metadata: Mapping[str, Any] = field(default_factory=dict)
    refusal: str | None = None  # why it cannot be paid now, in Dutch; None while it waits
    paid_with: str | None = None  # the Mollie id of the payment that paid it, once known


class Paid(enum.Enum):
    """The answer to `Payables.paid`."""

    NOW = "now"  # this payment paid the payable now (what follows payment is done)
    EARLIER = "earlier"  # this payment had paid it already: nothing more to do
    NOT_NEEDED = "not needed"  # paid by another payment, or this one could not pay it


class Payables(Protocol):
    def payable(self, session: Session, payable_id: int) -> Payable: ...

    def started(self, session: Session, payable_id: int, attempt: int) -> None: ...

    def paid(self, session: Session, payable_id: int, payment: PaymentRow) -> Paid: ...

    def ended(self, session: Session, payable_id: int, status: PaymentStatus) -> None: ...

    def refunds_moved(
        self, session: Session, payable_id: int, moved: list[RefundRow], refunded_cents: int
    ) -> None: ...

    def extra_payment(
        self, session: Session, payable_id: int, payment: PaymentRow, *, refunded: bool, new: bool
    ) -> None: ...

    def paying_payments(self) -> sa.Select: ...


def register(app: Flask, payables: Payables) -> None:
    """Make `payables` the one that payments calls in this app."""
    if KEY in app.extensions:
        raise RuntimeError("payments already has its payables")
    app.extensions[KEY] = payables


def payables() -> Payables:
    """The registered payables of the current app."""
    try:
        return current_app.extensions[KEY]
    except KeyError:
        raise RuntimeError("no feature registered payables with payments") from None
