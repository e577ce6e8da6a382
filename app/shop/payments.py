"""Paying an order with Mollie: create the payment, apply what Mollie says (with the state of
its refunds, see `refunds.py`), and catch up on missed webhooks.

Invariant 7: the webhook trusts nothing but the API. It reads only the id, fetches the payment,
and applies the status idempotently: an order moves out of "pending" once, with a
compare-and-set update, so two deliveries at the same moment make one transition and one e-mail.

No payment goes unnoticed. A payment is only started for an order that waits for one, checked
again after applying what Mollie says about the previous attempt. A paid payment for an order
that no longer waits still pays it when the order ended unpaid (failed, canceled, expired) and
the payment covers it; otherwise it is an extra payment: refunded through Mollie, and staff are
told (a mark on the order and an e-mail).

A slow Mollie does not hold up the site: the client has short timeouts (`app.payments.mollie`),
pages ask Mollie about a payment at most once every few seconds (a compare-and-set on
`checked_at`, so every worker shares it) and otherwise show what is known, and the order page
polls less and less often, then stops.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from mollie.api.client import Client
from mollie.api.error import ConflictError, NotFoundError
from mollie.api.error import Error as MollieError
from mollie.api.objects.payment import Payment
from mollie.api.objects.refund import Refund
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from app.content import store as content
from app.db import utcnow
from app.mail import service as mail
from app.payments import mollie
from app.shop import refunds, service
from app.shop.models import (
    CANCELED,
    EXPIRED,
    FAILED,
    PAID,
    PENDING,
    REFUND_NO_MONEY,
    REFUND_UNSETTLED,
    Order,
    PaymentRow,
    RefundRow,
)
from app.shop.money import mollie_amount
from app.urls import public_url

log = logging.getLogger(__name__)

PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,40}$")
FINAL_PAYMENT = {"paid": PAID, "failed": FAILED, "canceled": CANCELED, "expired": EXPIRED}
OPEN_PAYMENT = ("open", "pending", "authorized")
ENDED_UNPAID = (FAILED, CANCELED, EXPIRED)
RECONCILE_AFTER = timedelta(minutes=15)
# A page asks Mollie about one payment at most this often, whichever worker serves it.
REFRESH_EVERY = timedelta(seconds=5)
# Seconds between the order page's own checks while it waits for a payment: quick at first,
# then slower; after POLL_LIMIT checks (about 15 minutes) it stops and says to reload later.
POLL_DELAYS = (3, 3, 5, 10, 15, 30, 60)
POLL_LIMIT = 20

NOT_PENDING = {
    PAID: "je betaling is al binnen. Je hoeft niet nog een keer te betalen.",
    FAILED: "de betaling is mislukt",
    CANCELED: "de betaling is geannuleerd",
    EXPIRED: "de tijd om te betalen is verlopen",
}


class PaymentUnavailable(Exception):
    """Mollie could not be reached or refused the request; nothing is lost, try again."""


class PaymentBusy(Exception):
    """Another request is starting this order's payment at this very moment."""


def not_pending_message(order: Order) -> str:
    """Why an order cannot be paid (any more), in plain Dutch."""
    reason = NOT_PENDING.get(order.status, "")
    if order.status == PAID:
        return f"Deze bestelling wacht niet meer op betaling: {reason}"
    return (
        f"Deze bestelling wacht niet meer op betaling: {reason}, en er is niets afgeschreven. "
        "Wil je de producten toch? Kies ‘Opnieuw bestellen’: dan zet je ze terug in je mandje."
    )


def _require_pending(order: Order) -> None:
    if order.status != PENDING:
        raise service.ShopError(not_pending_message(order))


def start(session: Session, order: Order) -> str:
    """The checkout URL for an order waiting for payment: the open payment if there is one,
    otherwise a new payment.

    What Mollie says about the previous attempt is applied first, and the order is checked
    again after that: a payment that ended meanwhile (its webhook still on its way) ends the
    order, and then no new payment is made. The idempotency key comes from the order's random
    key and the attempt, so a retry after a lost answer or a double click never creates a
    second payment. Raises ShopError (with the reason), PaymentBusy or PaymentUnavailable."""
    _require_pending(order)
    client = mollie.client()
    latest = _latest(session, order)
    if latest is not None and latest.status in OPEN_PAYMENT:
        _stamp_checked(session, latest)
        try:
            payment, found = _fetch(client, latest.mollie_id)
        except MollieError as error:
            _log_start_failure(order, error)
            raise PaymentUnavailable from error
        _settle(session, payment, found)
        session.refresh(order)
        _require_pending(order)
        if payment.status == "open" and payment.checkout_url:
            return payment.checkout_url
        if payment.status in OPEN_PAYMENT:
            raise service.ShopError(
                "Je betaling wordt nog verwerkt door je bank. Wacht even en vernieuw de pagina."
            )
    attempt = latest.attempt + 1 if latest is not None else 1
    try:
        payment = client.payments.create(
            {
                "amount": mollie_amount(order.total_cents),
                "description": f"Bestelling {order.number} bij Zorggenoot",
                "redirectUrl": public_url("shop.order", number=order.number),
                "webhookUrl": public_url("shop.webhook"),
                "locale": "nl_NL",
                "metadata": {"order_id": order.id, "order_number": order.number},
            },
            idempotency_key=f"zorggenoot-{order.idempotency_key}-{attempt}",
        )
    except ConflictError as error:  # the same key is in progress: a double click
        raise PaymentBusy from error
    except MollieError as error:
        _log_start_failure(order, error)
        raise PaymentUnavailable from error
    _store(session, order, payment, attempt)
    if not payment.checkout_url:
        raise PaymentUnavailable
    return payment.checkout_url


def _log_start_failure(order: Order, error: MollieError) -> None:
    # No personal data in the log: the order number and the kind of failure are enough.
    log.error("payment for order %s could not be started: %s", order.number, type(error).__name__)


def _store(session: Session, order: Order, payment: Payment, attempt: int) -> None:
    """Keep a payment Mollie made. A second request that got the same payment (a double click,
    answered from Mollie's idempotency cache) may store it at the same moment: the database
    keeps one row, and neither request fails."""
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(PaymentRow)
        .values(
            order_id=order.id,
            mollie_id=payment.id,
            attempt=attempt,
            status=payment.status,
            amount_cents=order.total_cents,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["mollie_id"])
    )
    order.payment_attempts = max(order.payment_attempts, attempt)
    session.add(order)


def _latest(session: Session, order: Order) -> PaymentRow | None:
    return session.exec(
        select(PaymentRow)
        .where(PaymentRow.order_id == order.id)
        .order_by(PaymentRow.attempt.desc(), PaymentRow.id.desc())
    ).first()


def _row(session: Session, payment_id: str) -> PaymentRow | None:
    return session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).first()


def apply(session: Session, payment: Payment) -> bool:
    """Apply a payment as fetched from Mollie. Returns True when this call moved the order to
    paid (so the caller sends the confirmation, once). Safe twice and out of order.

    A paid payment pays an order that waits for it, and also one that ended unpaid (an older
    attempt failed, was canceled or expired while this one was still open) when it covers the
    order's amount. Whether a paid payment was one too many is `_claim_surplus`'s question."""
    row = _row(session, payment.id)
    if row is None:
        return False
    row.status, row.method, row.updated_at = payment.status, payment.method, utcnow()
    order = session.get(Order, row.order_id)
    target = FINAL_PAYMENT.get(payment.status)
    if target is None:
        return False
    if target != PAID:
        if row.attempt < order.payment_attempts:
            return False  # an older attempt failing does not touch a newer one
        _move(session, order, target, waiting=(PENDING,))
        return False
    covers = row.amount_cents >= order.total_cents
    waiting = (PENDING, *ENDED_UNPAID) if covers else (PENDING,)
    ended = order.status in ENDED_UNPAID
    moved = _move(session, order, PAID, waiting=waiting, paid_with=payment.id)
    if moved:
        if ended:
            log.warning("order %s was paid after it had ended unpaid", order.number)
        service.hand_off(session, order)
    return moved


def _move(
    session: Session, order: Order, target: str, *, waiting: tuple, paid_with: str | None = None
) -> bool:
    """Compare-and-set the order from one of the `waiting` states to `target`."""
    values: dict = {"status": target}
    if target == PAID:
        values.update(paid_at=utcnow(), paid_with=paid_with)
    moved = (
        session.execute(
            sa.update(Order).where(Order.id == order.id, Order.status.in_(waiting)).values(**values)
        ).rowcount
        == 1
    )
    session.refresh(order)
    return moved


def _claim_surplus(session: Session, payment: Payment) -> bool:
    """Mark a paid payment that its order did not need (the order was paid with another one,
    or it could not pay the order). True for the one call that marked it: that call tells staff.
    An order paid before the paying payment was recorded takes this one as its payment."""
    if payment.status != "paid":
        return False
    row = _row(session, payment.id)
    if row is None or row.surplus_at is not None:
        return False
    order = session.get(Order, row.order_id)
    if order.status == PAID:
        if order.paid_with is None:
            session.execute(
                sa.update(Order)
                .where(Order.id == order.id, Order.paid_with.is_(None))
                .values(paid_with=payment.id)
            )
            session.refresh(order)
        if order.paid_with == payment.id:
            return False
    claimed = (
        session.execute(
            sa.update(PaymentRow)
            .where(PaymentRow.id == row.id, PaymentRow.surplus_at.is_(None))
            .values(surplus_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    session.refresh(row)
    if claimed:
        log.warning("order %s: payment %s was not needed", order.number, payment.id)
    return claimed


def _settle_surplus(session: Session, payment_id: str, found: list[Refund], *, new: bool) -> None:
    """After the commit: refund an extra payment that has no refund yet, and queue a message to
    the customer when it was refunded and to staff when the payment was found extra (`new`)."""
    row = _row(session, payment_id)
    if row is None or row.surplus_at is None:
        return
    order = session.get(Order, row.order_id)
    refunded_now = row.surplus_refund_id is None and _refund_surplus(session, order, row, found)
    if refunded_now:
        refunds.tell_customer(session, order, row.amount_cents, failed=False, surplus=True)
    if new:
        alert_staff(session, order, row)
    session.commit()


def _refund_surplus(session: Session, order: Order, row: PaymentRow, found: list[Refund]) -> bool:
    """Give an extra payment back in full through Mollie. True when this call recorded the
    refund. A refund Mollie already has for it (an answer that got lost) is taken as it is."""
    made = next((r for r in found if r.status not in REFUND_NO_MONEY), None)
    if made is None:
        try:
            made = mollie.payment_stub(mollie.client(), row.mollie_id).refunds.create(
                {
                    "amount": mollie_amount(row.amount_cents),
                    "description": f"Dubbele betaling {order.number}"[:140],
                },
                idempotency_key=f"zorggenoot-{order.idempotency_key}-extra-{row.mollie_id}",
            )
        except MollieError as error:
            log.error(
                "extra payment for order %s not refunded: %s", order.number, type(error).__name__
            )
            return False
    recorded = (
        session.execute(
            sa.update(PaymentRow)
            .where(PaymentRow.id == row.id, PaymentRow.surplus_refund_id.is_(None))
            .values(surplus_refund_id=made.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    session.commit()
    session.refresh(row)
    return recorded


def alert_staff(session: Session, order: Order, row: PaymentRow) -> None:
    """Queue an e-mail to the organisation about an extra payment (its address from
    content/site.toml); the caller commits. The one place in the shop that mails staff."""
    mail.send(
        session,
        to=content.site().organisation.email,
        subject=f"Dubbele betaling voor bestelling {order.number}",
        template="staff_surplus_payment",
        order=order,
        payment=row,
        staff_url=public_url("shop_staff.order", number=order.number),
    )


def surplus_payments(session: Session, order: Order) -> list[PaymentRow]:
    """The extra payments of an order (paid when the order no longer needed them)."""
    return list(
        session.exec(
            select(PaymentRow)
            .where(PaymentRow.order_id == order.id, PaymentRow.surplus_at.is_not(None))
            .order_by(PaymentRow.id)
        )
    )


def orders_with_surplus(session: Session, order_ids: list[int]) -> set[int]:
    """Which of these orders had a payment too many (staff see a mark on them)."""
    if not order_ids:
        return set()
    return set(
        session.exec(
            select(PaymentRow.order_id).where(
                PaymentRow.order_id.in_(order_ids), PaymentRow.surplus_at.is_not(None)
            )
        )
    )


def _fetch(client: Client, payment_id: str) -> tuple[Payment, list[Refund]]:
    """A payment and its refunds as Mollie has them now. Raises mollie's Error."""
    payment = client.payments.get(payment_id)
    return payment, refunds.fetch(payment)


def _apply_fetched(session: Session, payment: Payment, found: list[Refund]) -> tuple[bool, int]:
    """Apply a fetched payment and its refunds, and commit; then deal with an extra payment.
    Returns (paid now, refunds changed)."""
    paid_now = apply(session, payment)
    moved = refunds.apply(session, payment.id, found)
    surplus = _claim_surplus(session, payment)
    refunds.tell_undone(session, moved)
    session.commit()
    _settle_surplus(session, payment.id, found, new=surplus)
    return paid_now, len(moved)


def _settle(session: Session, payment: Payment, found: list[Refund]) -> tuple[bool, int]:
    """`_apply_fetched`, and the order confirmation when this moved the order to paid."""
    paid_now, changed = _apply_fetched(session, payment, found)
    if paid_now:
        row = _row(session, payment.id)
        send_confirmation(session, session.get(Order, row.order_id))
    return paid_now, changed


def handle_webhook(session: Session, payment_id: str) -> int:
    """The HTTP status for Mollie: 200 for done, unknown or malformed ids; 503 when Mollie or
    the database is unreachable, so Mollie tries again later. Mollie calls this for refund
    changes too (with the payment's id), so the refunds are fetched with the payment."""
    if not PAYMENT_ID.match(payment_id or ""):
        return 200
    if _row(session, payment_id) is None:
        return 200
    try:
        payment, found = _fetch(mollie.client(), payment_id)
    except NotFoundError:
        return 200
    except MollieError as error:
        log.warning("webhook: payment could not be fetched: %s", type(error).__name__)
        return 503
    _settle(session, payment, found)
    return 200


def refresh(session: Session, order: Order) -> None:
    """Ask Mollie about what may still change: the newest payment while it is open (the
    return page), the paid payment while a refund is under way (the order page).

    At most once per REFRESH_EVERY per payment, claimed in the database before asking, so
    that the workers together ask once; when Mollie is slow or down the page shows what is
    known."""
    row = _to_check(session, order)
    if row is None or not _claim_check(session, row):
        return
    try:
        payment, found = _fetch(mollie.client(), row.mollie_id)
    except MollieError as error:
        log.warning("order page: payment could not be fetched: %s", type(error).__name__)
        return
    _settle(session, payment, found)


def _to_check(session: Session, order: Order) -> PaymentRow | None:
    latest = _latest(session, order)
    if latest is None:
        return None
    if latest.status in OPEN_PAYMENT:
        return latest
    if order.status == PAID and refunds.unsettled(session, order):
        return refunds.paying_payment(session, order)
    return None


def _claim_check(session: Session, row: PaymentRow) -> bool:
    """Claim the right to ask Mollie about `row` now (committed at once, so other workers
    see it); False when someone asked less than REFRESH_EVERY ago."""
    now = utcnow()
    claimed = (
        session.execute(
            sa.update(PaymentRow)
            .where(
                PaymentRow.id == row.id,
                sa.or_(
                    PaymentRow.checked_at.is_(None), PaymentRow.checked_at <= now - REFRESH_EVERY
                ),
            )
            .values(checked_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    session.commit()
    return claimed


def _stamp_checked(session: Session, row: PaymentRow) -> None:
    """Note (and commit) that Mollie is asked about `row` now, so that the page shown right
    after need not ask again, also when Mollie does not answer."""
    session.execute(
        sa.update(PaymentRow)
        .where(PaymentRow.id == row.id)
        .values(checked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()


def next_poll(raw: str | None) -> tuple[int, int | None]:
    """The order page's own check number `raw` (from its URL; anything odd counts as 0) and
    the seconds until the next one, or None when the page stops checking by itself."""
    text = (raw or "").strip()
    polls = min(int(text), POLL_LIMIT) if text.isdecimal() and len(text) < 4 else 0
    if polls >= POLL_LIMIT:
        return polls, None
    return polls, POLL_DELAYS[min(polls, len(POLL_DELAYS) - 1)]


def send_confirmation(session: Session, order: Order) -> bool:
    """Queue the order confirmation exactly once (a compare-and-set on the order guards it,
    in the same transaction as the queued message)."""
    claimed = (
        session.execute(
            sa.update(Order)
            .where(Order.id == order.id, Order.confirmation_sent_at.is_(None))
            .values(confirmation_sent_at=utcnow())
        ).rowcount
        == 1
    )
    if not claimed:
        session.commit()
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
        products={line.product_slug: catalogue.products.get(line.product_slug) for line in lines},
        order_url=public_url("shop.order", number=order.number),
        withdrawal_url=public_url("hub.page", slug="herroepingsrecht"),
    )
    session.commit()
    return True


def reconcile(session: Session, *, now=None) -> dict[str, int]:
    """Fetch what a missed webhook would have told us: for anything older than 15 minutes,
    payments still open and paid payments with a refund still under way; and, whatever their
    age, paid payments that did not settle their order (a paid payment on an order that is not
    paid, or an extra payment not yet refunded)."""
    cutoff = (now or utcnow()) - RECONCILE_AFTER
    waiting = select(PaymentRow).where(
        PaymentRow.status.in_(OPEN_PAYMENT), PaymentRow.created_at < cutoff
    )
    refunding = select(PaymentRow).where(
        PaymentRow.status == "paid",
        PaymentRow.order_id.in_(
            select(RefundRow.order_id).where(
                RefundRow.status.in_(REFUND_UNSETTLED), RefundRow.created_at < cutoff
            )
        ),
    )
    unsettled = (
        select(PaymentRow)
        .join(Order, Order.id == PaymentRow.order_id)
        .where(
            PaymentRow.status == "paid",
            PaymentRow.surplus_refund_id.is_(None),
            sa.or_(
                Order.status != PAID,
                sa.func.coalesce(Order.paid_with, "") != PaymentRow.mollie_id,
            ),
        )
    )
    rows = {
        row.id: row
        for query in (waiting, refunding, unsettled)
        for row in session.exec(query).all()
    }
    counts = {"checked": 0, "changed": 0, "errors": 0, "refunds": 0, "extra": 0}
    client = mollie.client()
    for row in rows.values():
        counts["checked"] += 1
        before, was_surplus = row.status, row.surplus_at is not None
        try:
            payment, found = _fetch(client, row.mollie_id)
        except MollieError:
            counts["errors"] += 1
            continue
        _, refunds_changed = _settle(session, payment, found)
        session.refresh(row)
        counts["changed"] += payment.status != before
        counts["refunds"] += refunds_changed
        counts["extra"] += row.surplus_at is not None and not was_surplus
    return counts
