"""Paying with Mollie: start a payment for a payable, apply what Mollie says (with the state of
its refunds, see `refunds.py`); `reconcile.py` catches up on missed webhooks.

Invariant 7: the webhook trusts nothing but the API. It reads only the id, fetches the payment,
and applies the status idempotently: the payable's feature moves it with a compare-and-set, so
two deliveries at the same moment make one transition and one e-mail.

No payment goes unnoticed. A payment is only started for a payable that waits for one, checked
again after applying what Mollie says about the previous attempt. A paid payment that its
payable did not need (the feature says so, see `payables.py`) is refunded whole through Mollie
and the feature is told (`surplus.py`).

A slow Mollie does not hold up the site: the client has short timeouts (`mollie.py`), pages ask
Mollie about a payment at most once every few seconds (a compare-and-set on `checked_at`, so
every worker shares it) and otherwise show what is known.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from mollie.api.error import ConflictError, NotFoundError
from mollie.api.error import Error as MollieError
from mollie.api.objects.payment import Payment
from mollie.api.objects.refund import Refund
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.db import changed_one, utcnow
from app.payments import mollie, refunds, surplus
from app.payments.models import PaymentRow, PaymentStatus
from app.payments.payables import Paid, Payable, payables
from app.urls import public_url

if TYPE_CHECKING:
    from mollie.api.client import Client

log = logging.getLogger(__name__)

PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,40}$")
# A page asks Mollie about one payment at most this often, whichever worker serves it.
REFRESH_EVERY = timedelta(seconds=5)
# The database could not be reached, or gave up on this request (locked, deadlocked).
DATABASE_DOWN = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)


class PaymentUnavailable(Exception):
    """Mollie could not be reached or refused the request; nothing is lost, try again."""


class PaymentBusy(Exception):
    """Another request is starting this payable's payment at this very moment."""


class NotPayable(Exception):
    """The payable cannot be paid now; the message says why, in plain Dutch."""


def start(session: Session, payable: Payable) -> str:
    """The checkout URL for a payable waiting for payment: the open payment if there is one,
    otherwise a new payment.

    What Mollie says about the previous attempt is applied first, and the payable is checked
    again after that: a payment that ended meanwhile (its webhook still on its way) ends the
    payable, and then no new payment is made. The idempotency key comes from the payable's
    random key and the attempt, so a retry after a lost answer or a double click never creates
    a second payment. Raises NotPayable (with the reason), PaymentBusy or PaymentUnavailable."""
    _require_waiting(payable)
    client = mollie.client()
    latest = _latest(session, payable.id)
    if latest is not None and latest.status.is_open:
        _stamp_checked(session, latest)
        try:
            payment, found = fetch(client, latest.mollie_id)
        except MollieError as error:
            _log_start_failure(payable, error)
            raise PaymentUnavailable from error
        settle(session, payment, found)
        _require_waiting(payables().payable(session, payable.id))
        status = PaymentStatus.parse(payment.status)
        if status is PaymentStatus.OPEN and payment.checkout_url:
            return payment.checkout_url
        if status is not None and status.is_open:
            raise NotPayable(
                "Je betaling wordt nog verwerkt door je bank. Wacht even en vernieuw de pagina."
            )
    attempt = latest.attempt + 1 if latest is not None else 1
    try:
        payment = client.payments.create(
            {
                "amount": mollie.amount(payable.amount_cents),
                "description": payable.description,
                "redirectUrl": payable.redirect_url,
                "webhookUrl": public_url("payments.webhook"),
                "locale": "nl_NL",
                "metadata": dict(payable.metadata),
            },
            idempotency_key=f"zorggenoot-{payable.key}-{attempt}",
        )
    except ConflictError as error:  # the same key is in progress: a double click
        raise PaymentBusy from error
    except MollieError as error:
        _log_start_failure(payable, error)
        raise PaymentUnavailable from error
    _store(session, payable, payment, attempt)
    if not payment.checkout_url:
        raise PaymentUnavailable
    return payment.checkout_url


def _require_waiting(payable: Payable) -> None:
    if payable.refusal is not None:
        raise NotPayable(payable.refusal)


def _log_start_failure(payable: Payable, error: MollieError) -> None:
    # No personal data in the log: the reference and the kind of failure are enough.
    log.error("payment for %s could not be started: %s", payable.reference, type(error).__name__)


def _store(session: Session, payable: Payable, payment: Payment, attempt: int) -> None:
    """Keep a payment Mollie made. A second request that got the same payment (a double click,
    answered from Mollie's idempotency cache) may store it at the same moment: the database
    keeps one row, and neither request fails."""
    now = utcnow()
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(PaymentRow)
        .values(
            order_id=payable.id,
            mollie_id=payment.id,
            attempt=attempt,
            status=payment.status,  # checked by the column type
            amount_cents=payable.amount_cents,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["mollie_id"])
    )
    payables().started(session, payable.id, attempt)


def _latest(session: Session, payable_id: int) -> PaymentRow | None:
    return session.exec(
        select(PaymentRow)
        .where(PaymentRow.order_id == payable_id)
        .order_by(col(PaymentRow.attempt).desc(), col(PaymentRow.id).desc())
    ).first()


def _row(session: Session, payment_id: str) -> PaymentRow | None:
    return session.exec(select(PaymentRow).where(PaymentRow.mollie_id == payment_id)).first()


def apply(session: Session, payment: Payment) -> Paid | None:
    """Apply a payment as fetched from Mollie to its row and its payable. Safe twice and out of
    order. For a paid payment, returns the payable's answer (`Paid`); otherwise None.

    A failed, canceled or expired payment ends the payable only when it is the newest attempt
    (an older attempt failing does not touch a newer one). A status Mollie does not document is
    logged and left alone."""
    row = _row(session, payment.id)
    if row is None:
        return None
    status = PaymentStatus.parse(payment.status)
    if status is None:
        log.warning("payment %s has an unknown status %r", payment.id, payment.status)
        return None
    row.status, row.method, row.updated_at = status, payment.method, utcnow()
    if status is PaymentStatus.PAID:
        if row.is_surplus:
            return Paid.NOT_NEEDED  # found not needed before; that does not change
        return payables().paid(session, row.order_id, row)
    if status.ended_unpaid and row.attempt >= _newest_attempt(session, row.order_id):
        payables().ended(session, row.order_id, status)
    return None


def _newest_attempt(session: Session, payable_id: int) -> int:
    newest = session.exec(
        select(sa.func.max(PaymentRow.attempt)).where(PaymentRow.order_id == payable_id)
    ).one()
    return newest or 0


def fetch(client: Client, payment_id: str) -> tuple[Payment, list[Refund]]:
    """A payment and its refunds as Mollie has them now. Raises mollie's Error."""
    payment = client.payments.get(payment_id)
    return payment, refunds.fetch(payment)


def settle(session: Session, payment: Payment, found: list[Refund]) -> tuple[bool, int]:
    """Apply a fetched payment and its refunds, and commit; then deal with a payment that was
    not needed. Returns (the payable was paid now, number of refunds whose status changed)."""
    paid = apply(session, payment)
    row = _row(session, payment.id)
    if row is None:
        session.commit()
        return False, 0
    moved = refunds.apply(session, row, found)
    new_surplus = paid is Paid.NOT_NEEDED and surplus.claim(session, row)
    session.commit()
    surplus.settle(session, row, found, new=new_surplus)
    return paid is Paid.NOW, len(moved)


def handle_webhook(session: Session, payment_id: str) -> int:
    """The HTTP status for Mollie: 200 for done, unknown or malformed ids; 503 when Mollie or
    the database is unreachable, so Mollie tries again later. Mollie calls this for refund
    changes too (with the payment's id), so the refunds are fetched with the payment."""
    if not PAYMENT_ID.match(payment_id or ""):
        return 200
    try:
        if _row(session, payment_id) is None:
            return 200
        try:
            payment, found = fetch(mollie.client(), payment_id)
        except NotFoundError:
            return 200
        except MollieError as error:
            log.warning("webhook: payment could not be fetched: %s", type(error).__name__)
            return 503
        settle(session, payment, found)
    except DATABASE_DOWN as error:
        with suppress(sa.exc.SQLAlchemyError):
            session.rollback()
        log.warning("webhook: the database could not be used: %s", type(error).__name__)
        return 503
    return 200


def refresh(session: Session, payable: Payable) -> None:
    """Ask Mollie about what may still change: the newest payment while it is open (the
    return page), the paying payment while a refund is under way (the order page).

    At most once per REFRESH_EVERY per payment, claimed in the database before asking, so
    that the workers together ask once; when Mollie is slow or down the page shows what is
    known."""
    row = _to_check(session, payable)
    if row is None or not _claim_check(session, row):
        return
    try:
        payment, found = fetch(mollie.client(), row.mollie_id)
    except MollieError as error:
        log.warning("page: payment could not be fetched: %s", type(error).__name__)
        return
    settle(session, payment, found)


def _to_check(session: Session, payable: Payable) -> PaymentRow | None:
    latest = _latest(session, payable.id)
    if latest is None:
        return None
    if latest.status.is_open:
        return latest
    if refunds.unsettled(session, payable.id):  # only a paid payable has refunds
        return refunds.paying_payment(session, payable)
    return None


def _claim_check(session: Session, row: PaymentRow) -> bool:
    """Claim the right to ask Mollie about `row` now (committed at once, so other workers
    see it); False when someone asked less than REFRESH_EVERY ago."""
    now = utcnow()
    claimed = changed_one(
        session,
        sa.update(PaymentRow)
        .where(
            col(PaymentRow.id) == row.id,
            sa.or_(
                col(PaymentRow.checked_at).is_(None),
                col(PaymentRow.checked_at) <= now - REFRESH_EVERY,
            ),
        )
        .values(checked_at=now),
    )
    session.commit()
    return claimed


def _stamp_checked(session: Session, row: PaymentRow) -> None:
    """Note (and commit) that Mollie is asked about `row` now, so that the page shown right
    after need not ask again, also when Mollie does not answer."""
    session.execute(
        sa.update(PaymentRow)
        .where(col(PaymentRow.id) == row.id)
        .values(checked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    session.commit()
