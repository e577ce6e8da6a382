"""Paying for an order: the shop's side of `app.payments`.

Payments knows Mollie; the shop knows orders. The shop registers `OrderPayables` with payments
(`init_app`), and payments calls it when a payment of an order changes (the contract is in
`app/payments/payables.py`). What happens to an order lives here: its compare-and-set status
moves, the hand-off to partners and the confirmation after payment, the refunded total and the
customer's refund e-mails, the decision that a payment was not needed, and the e-mail that
tells staff about it. The order page's own checks while it waits are here too.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, col, select

from app.content import store as content
from app.db import changed_one, utcnow
from app.mail import service as mail
from app.payments import payables, refunds
from app.payments import service as payments
from app.payments.models import PaymentRow, PaymentStatus, RefundRow
from app.payments.payables import Paid, Payable
from app.shop import delivery, invoices, service
from app.shop.models import Order, OrderStatus
from app.urls import public_url

log = logging.getLogger(__name__)

# Seconds between the order page's own checks while it waits for a payment: quick at first,
# then slower; after POLL_LIMIT checks (about 15 minutes) it stops and says to reload later.
POLL_DELAYS = (3, 3, 5, 10, 15, 30, 60)
POLL_LIMIT = 20

NOT_PENDING = {
    OrderStatus.PAID: "je betaling is al binnen. Je hoeft niet nog een keer te betalen.",
    OrderStatus.FAILED: "de betaling is mislukt",
    OrderStatus.CANCELED: "de betaling is geannuleerd",
    OrderStatus.EXPIRED: "de tijd om te betalen is verlopen",
}
ORDER_ENDS = {
    PaymentStatus.FAILED: OrderStatus.FAILED,
    PaymentStatus.CANCELED: OrderStatus.CANCELED,
    PaymentStatus.EXPIRED: OrderStatus.EXPIRED,
}


def not_pending_message(order: Order) -> str:
    """Why an order cannot be paid (any more), in plain Dutch."""
    reason = NOT_PENDING.get(order.status, "")
    if order.status == OrderStatus.PAID:
        return f"Deze bestelling wacht niet meer op betaling: {reason}"
    return (
        f"Deze bestelling wacht niet meer op betaling: {reason}, en er is niets afgeschreven. "
        "Wil je de producten toch? Kies ‘Opnieuw betalen’: je ziet dan eerst nog een keer het "
        "overzicht en betaalt ze als nieuwe bestelling."
    )


def payable(order: Order) -> Payable:
    """An order as payments sees it."""
    if order.id is None or order.number is None:
        raise ValueError("only a placed order can be paid")
    return Payable(
        id=order.id,
        reference=order.number,
        amount_cents=order.total_cents,
        key=order.idempotency_key,
        description=f"Bestelling {order.number} bij Zorggenoot",
        redirect_url=public_url("shop.order", number=order.number),
        metadata={"order_id": order.id, "order_number": order.number},
        refusal=None if order.status == OrderStatus.PENDING else not_pending_message(order),
        paid_with=order.paid_with,
    )


def start(session: Session, order: Order) -> str:
    """The checkout URL at Mollie for an order waiting for payment (see `payments.start`).
    Raises NotPayable (with the reason), PaymentBusy or PaymentUnavailable."""
    return payments.start(session, payable(order))


def refresh(session: Session, order: Order) -> None:
    """Apply what Mollie says now about an open payment or a refund under way, unless someone
    asked just before (see `payments.refresh`)."""
    payments.refresh(session, payable(order))


def next_poll(raw: str | None) -> tuple[int, int | None]:
    """The order page's own check number `raw` (from its URL; anything odd counts as 0) and
    the seconds until the next one, or None when the page stops checking by itself."""
    text = (raw or "").strip()
    polls = min(int(text), POLL_LIMIT) if text.isdecimal() and len(text) < 4 else 0
    if polls >= POLL_LIMIT:
        return polls, None
    return polls, POLL_DELAYS[min(polls, len(POLL_DELAYS) - 1)]


def refund(
    session: Session, *, order: Order, amount_cents: int, staff_id: int, reason: str
) -> RefundRow:
    """Refund part or all of a paid order through Mollie, tell the customer, and commit.

    Only the payment that paid the order is refunded here, never an extra payment (that one
    goes back whole by itself). Raises ShopError (not paid; a wrong amount, about the field
    `amount`) or
    RefundUnavailable (Mollie unreachable or refusing)."""
    check_refund(order, amount_cents)
    paid_for = payable(order)
    paid = refunds.paying_payment(session, paid_for)
    if paid is None:
        raise service.ShopError("Er is geen betaling gevonden om terug te betalen.")
    row, new = refunds.refund(
        session, paid, paid_for, amount_cents=amount_cents, staff_id=staff_id, reason=reason
    )
    if new:  # otherwise a parallel request stored it, and told the customer
        order.refunded_cents = refunds.refunded_cents(session, paid_for.id)
        session.add(order)
        invoices.issue_credit_note(session, order, row)  # when Mollie refunded it at once
        tell_customer(session, order, amount_cents, failed=False)
        session.commit()
    return row


def check_refund(order: Order, amount_cents: int) -> None:
    """Raise ShopError unless this order can be refunded this amount now (asked before staff
    confirm, and again when the refund goes out)."""
    if order.status != OrderStatus.PAID:
        raise service.ShopError("Alleen een betaalde bestelling kan worden terugbetaald.")
    remaining = order.total_cents - order.refunded_cents
    if not 0 < amount_cents <= remaining:
        raise service.ShopError(
            "Het bedrag moet tussen € 0,01 en het resterende bedrag liggen.", field="amount"
        )


class OrderPayables:
    """What payments calls for orders (`app.payments.payables.Payables`)."""

    def payable(self, session: Session, payable_id: int) -> Payable:
        return payable(_order(session, payable_id, fresh=True))

    def started(self, session: Session, payable_id: int, attempt: int) -> None:
        order = _order(session, payable_id)
        order.payment_attempts = max(order.payment_attempts, attempt)
        session.add(order)

    def paid(self, session: Session, payable_id: int, payment: PaymentRow) -> Paid:
        """A paid payment pays an order that waits for it, and also one that ended unpaid (an
        older attempt failed, was canceled or expired while this one was still open) when it
        covers the order's amount. Then the partners get their hand-off and the customer the
        confirmation, in this transaction. Any other paid payment was not needed, unless the
        order was paid before its paying payment was recorded: then it takes this one."""
        order = _order(session, payable_id)
        covers = payment.amount_cents >= order.total_cents
        ended = [status for status in OrderStatus if status.ended_unpaid]
        waiting = [OrderStatus.PENDING, *ended] if covers else [OrderStatus.PENDING]
        was_ended = order.status in ended
        if _move(session, order, OrderStatus.PAID, waiting=waiting, paid_with=payment.mollie_id):
            if was_ended:
                log.warning("order %s was paid after it had ended unpaid", order.number)
            invoices.assign_invoice_number(session, order)
            delivery.queue_handoffs(
                session, service.hand_off(session, order), user_id=order.user_id
            )
            send_confirmation(session, order)
            return Paid.NOW
        if order.status == OrderStatus.PAID:
            if order.paid_with is None:
                changed_one(
                    session,
                    sa.update(Order)
                    .where(col(Order.id) == order.id, col(Order.paid_with).is_(None))
                    .values(paid_with=payment.mollie_id),
                )
                session.refresh(order)
            if order.paid_with == payment.mollie_id:
                return Paid.EARLIER
        return Paid.NOT_NEEDED

    def ended(self, session: Session, payable_id: int, status: PaymentStatus) -> None:
        _move(
            session, _order(session, payable_id), ORDER_ENDS[status], waiting=[OrderStatus.PENDING]
        )

    def refunds_moved(
        self, session: Session, payable_id: int, moved: list[RefundRow], refunded_cents: int
    ) -> None:
        """Keep the refunded total, make the credit note of each refund Mollie carried out, and
        tell the customer about each refund that failed or was canceled (they were told it was
        on its way)."""
        order = _order(session, payable_id)
        order.refunded_cents = refunded_cents
        session.add(order)
        for row in moved:
            invoices.issue_credit_note(session, order, row)
            if not row.status.moved_money:
                tell_customer(session, order, row.amount_cents, failed=True)

    def extra_payment(
        self, session: Session, payable_id: int, payment: PaymentRow, *, refunded: bool, new: bool
    ) -> None:
        order = _order(session, payable_id)
        if refunded:
            tell_customer(session, order, payment.amount_cents, failed=False, surplus=True)
        if new:
            alert_staff(session, order, payment)

    def paying_payments(self) -> sa.Select:
        return select(Order.paid_with).where(
            Order.status == OrderStatus.PAID, col(Order.paid_with).is_not(None)
        )


def _order(session: Session, order_id: int, *, fresh: bool = False) -> Order:
    order = session.get(Order, order_id, populate_existing=fresh)
    if order is None:  # payment rows go with their order, so this cannot be
        raise LookupError(f"order {order_id} has payments but does not exist")
    return order


def _move(
    session: Session,
    order: Order,
    target: OrderStatus,
    *,
    waiting: list[OrderStatus],
    paid_with: str | None = None,
) -> bool:
    """Compare-and-set the order from one of the `waiting` states to `target`."""
    values: dict = {"status": target}
    if target == OrderStatus.PAID:
        values.update(paid_at=utcnow(), paid_with=paid_with)
    moved = changed_one(
        session,
        sa.update(Order)
        .where(col(Order.id) == order.id, col(Order.status).in_(waiting))
        .values(**values),
    )
    session.refresh(order)
    return moved


def send_confirmation(session: Session, order: Order) -> bool:
    """Queue the order confirmation exactly once (a compare-and-set on the order guards it,
    in the same transaction as the queued message); the caller commits. An order whose account
    was erased has no address left: nothing is sent."""
    if order.customer_email is None:
        return False
    claimed = changed_one(
        session,
        sa.update(Order)
        .where(col(Order.id) == order.id, col(Order.confirmation_sent_at).is_(None))
        .values(confirmation_sent_at=utcnow()),
    )
    if not claimed:
        return False
    session.refresh(order)
    lines = service.order_lines(session, order)
    catalogue = service.catalogue()
    mail.send(
        session,
        to=order.customer_email,
        user_id=order.user_id,
        subject=f"Bevestiging van je bestelling {order.number}",
        template="order_confirmation",
        order=order,
        lines=lines,
        vat=service.order_vat(lines),
        partners={line.partner_slug: catalogue.partners.get(line.partner_slug) for line in lines},
        products={
            line.product_slug: catalogue.products.get(line.product_slug)
            for line in lines
            if line.product_slug
        },
        order_url=public_url("shop.order", number=order.number),
        withdrawal_url=public_url("hub.page", slug="herroepingsrecht"),
    )
    return True


def tell_customer(
    session: Session, order: Order, amount_cents: int, *, failed: bool, surplus: bool = False
) -> None:
    """Queue an e-mail telling the customer that a refund is on its way, or that it did not
    happen; `surplus` for the refund of a payment the order did not need (paid twice). The
    caller commits. An order whose account was erased has no address left: nothing is sent."""
    if order.customer_email is None:
        return
    subject = f"Terugbetaling voor bestelling {order.number}"
    template = "order_refund_failed" if failed else "order_refund"
    if surplus:
        subject, template = (
            f"Je betaalde twee keer voor bestelling {order.number}",
            "order_surplus_refund",
        )
    mail.send(
        session,
        to=order.customer_email,
        user_id=order.user_id,
        subject=f"{subject} is niet gelukt" if failed else subject,
        template=template,
        order=order,
        amount_cents=amount_cents,
        order_url=public_url("shop.order", number=order.number),
    )


def alert_staff(session: Session, order: Order, payment: PaymentRow) -> None:
    """Queue an e-mail to the organisation about an extra payment (its address from
    content/site.toml); the caller commits. The one place in the shop that mails staff."""
    mail.send(
        session,
        to=content.site().organisation.email,
        subject=f"Dubbele betaling voor bestelling {order.number}",
        template="staff_surplus_payment",
        order=order,
        payment=payment,
        staff_url=public_url("shop_staff.order", number=order.number),
    )


def init_app(app: Flask) -> None:
    payables.register(app, OrderPayables())
