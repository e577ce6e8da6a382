"""Delivering to partners: hand-offs and art. 19 notices really go out, through the job queue.

Each message to a partner is a `PartnerDelivery` row and a job of kind `partner_delivery`,
written in the transaction that made the hand-off or the notice. The worker (`flask jobs
work`, or `flask partners deliver` from cron) sends it the way the partner's content file
says: a JSON POST to its HTTPS address, signed with HMAC-SHA256 over the timestamp and the
body with the partner's own secret (`PARTNER_SECRET_<SLUG>` in the environment) and carrying
an idempotency key that is the same on every try; or, for a partner without an address, an
e-mail. A failed try is tried again with the queue's backoff for 72 hours; then the delivery
is marked failed and staff get an e-mail. Every try, good or bad, is in the access log.

Only "delivered" means the partner has it: the privacy centre says "doorgegeven" only then.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.audit import access
from app.audit.models import AccessAction
from app.content import store as content
from app.db import id_of, utcnow
from app.jobs import service as jobs
from app.mail import service as mail
from app.shop import partner_transport as transport
from app.shop import service
from app.shop.catalogue import Partner
from app.shop.models import (
    DeliveryChannel,
    DeliveryStatus,
    Handoff,
    HandoffStatus,
    Order,
    PartnerDelivery,
    PartnerNotice,
)
from app.urls import public_url

KIND = "partner_delivery"
KEEP_TRYING = timedelta(hours=72)
WORKER = access.SystemActor("Verzendproces")


def _channel(partner: Partner | None) -> DeliveryChannel:
    return DeliveryChannel.HTTPS if partner and partner.endpoint else DeliveryChannel.EMAIL


def _queue(
    session: Session,
    *,
    partner_slug: str,
    user_id: int | None,
    handoff_id: int | None = None,
    notice_id: int | None = None,
) -> PartnerDelivery:
    delivery = PartnerDelivery(
        partner_slug=partner_slug,
        user_id=user_id,
        handoff_id=handoff_id,
        notice_id=notice_id,
        channel=_channel(service.catalogue().partners.get(partner_slug)),
    )
    session.add(delivery)
    session.flush()
    # A hand-off's job goes with the account when it is erased before it was sent; a notice
    # (about that erasure, say) must still go out.
    jobs.enqueue(
        session, KIND, {"delivery": id_of(delivery)}, user_id=user_id if handoff_id else None
    )
    return delivery


def queue_handoffs(session: Session, handoffs: list[Handoff], *, user_id: int | None) -> None:
    """Queue the hand-offs that carry data (not those withheld); the caller commits."""
    session.flush()
    for handoff in handoffs:
        if handoff.status == HandoffStatus.READY:
            _queue(
                session,
                partner_slug=handoff.partner_slug,
                user_id=user_id,
                handoff_id=id_of(handoff),
            )


def queue_notice(session: Session, notice: PartnerNotice) -> PartnerDelivery:
    """Queue a notice to its partner; the caller commits."""
    session.flush()
    return _queue(
        session, partner_slug=notice.partner_slug, user_id=notice.user_id, notice_id=id_of(notice)
    )


def cancel_handoffs(session: Session, user_id: int, *, partner: str | None = None) -> int:
    """Hand-offs of this person not sent yet are not sent at all (a withdrawn consent, a
    restriction or an erasure came first). Returns how many."""
    where = [
        col(PartnerDelivery.user_id) == user_id,
        col(PartnerDelivery.handoff_id).is_not(None),
        col(PartnerDelivery.status).in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED]),
    ]
    if partner is not None:
        where.append(col(PartnerDelivery.partner_slug) == partner)
    result = session.execute(
        sa.update(PartnerDelivery).where(*where).values(status=DeliveryStatus.CANCELLED)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- what a partner gets ------------------------------------------------------------------------


def message(session: Session, delivery: PartnerDelivery) -> dict | None:
    """The JSON body for this delivery; None when there is nothing to send any more (the
    hand-off is gone, or the consent it rests on was withdrawn)."""
    org = content.site().organisation.name
    if delivery.handoff_id is not None:
        handoff = session.get(Handoff, delivery.handoff_id)
        order = session.get(Order, handoff.order_id) if handoff else None
        if handoff is None or order is None or handoff.status != HandoffStatus.READY:
            return None
        if not service.partner_consent_stands(session, order.user_id, handoff.partner_slug):
            return None
        lines = [
            {"product": line.product_slug, "naam": line.title, "aantal": line.quantity}
            for line in service.order_lines(session, order)
            if line.partner_slug == handoff.partner_slug
        ]
        return {
            "soort": "bestelling",
            "van": org,
            "bestelling": order.number,
            "gegevens": json.loads(handoff.payload or "{}"),
            "regels": lines,
            "kenmerk": delivery.key,
        }
    notice = session.get(PartnerNotice, delivery.notice_id)
    if notice is None:
        return None
    return {
        "soort": "bericht",
        "van": org,
        "onderwerp": notice.kind.value,
        "betekenis": notice.kind.label,
        "bestellingen": [n for n in notice.order_numbers.split(",") if n],
        "gegevens": json.loads(notice.payload or "{}"),
        "kenmerk": delivery.key,
    }


def describe(delivery: PartnerDelivery, session: Session) -> str:
    """What a delivery carries, for staff and the access log ("bestelling 2026-00012")."""
    if delivery.handoff_id is not None:
        handoff = session.get(Handoff, delivery.handoff_id)
        order = session.get(Order, handoff.order_id) if handoff else None
        return f"bestelgegevens van bestelling {order.number if order else '?'}"
    notice = session.get(PartnerNotice, delivery.notice_id)
    if notice is None:
        return "bericht"
    return f"bericht '{notice.kind.label}' (bestelling {notice.order_numbers.replace(',', ', ')})"


def _note_try(engine: sa.Engine, delivery_id: int, problem: str) -> None:
    """A failed try, in its own transaction: the job's own rolls back."""
    with Session(engine) as session:
        delivery = session.get(PartnerDelivery, delivery_id)
        if delivery is None:
            return
        delivery.attempts += 1
        delivery.last_try_at = utcnow()
        delivery.last_error = problem[:120]
        session.add(delivery)
        access.record(
            session,
            actor=WORKER,
            action=AccessAction.TRANSFER_FAILED,
            what=f"{service.partner_name(delivery.partner_slug)}: {describe(delivery, session)}",
            subject_id=delivery.user_id,
            reason=problem,
        )
        session.commit()


def deliver(session: Session, payload: dict) -> None:
    """The job: send one delivery. Raises DeliveryError when it did not arrive (the queue
    tries again later); a delivery that is no longer pending is left as it is."""
    delivery = session.get(PartnerDelivery, payload["delivery"])
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return
    body = message(session, delivery)
    if body is None:
        delivery.status = DeliveryStatus.CANCELLED
        session.add(delivery)
        return
    partner = service.catalogue().partners.get(delivery.partner_slug)
    try:
        if partner is None:
            raise transport.DeliveryError("deze partner staat niet meer in de winkel")
        delivery.channel = _channel(partner)
        if partner.endpoint:
            transport.post(partner, delivery.key, body)
        else:
            transport.send_mail(partner, body)
    except transport.DeliveryError as error:
        _note_try(cast(sa.Engine, session.get_bind()), id_of(delivery), str(error))
        raise
    now = utcnow()
    delivery.status, delivery.delivered_at, delivery.last_try_at = (
        DeliveryStatus.DELIVERED,
        now,
        now,
    )
    delivery.attempts += 1
    delivery.last_error = ""
    session.add(delivery)
    if delivery.notice_id is not None and (
        notice := session.get(PartnerNotice, delivery.notice_id)
    ):
        notice.sent_at = now
        session.add(notice)
    access.record(
        session,
        actor=WORKER,
        action=AccessAction.TRANSFER,
        what=f"{service.partner_name(delivery.partner_slug)}: {describe(delivery, session)}",
        subject_id=delivery.user_id,
    )


def give_up(session: Session, payload: dict) -> None:
    """After 72 hours of tries: the delivery is failed and staff are told by e-mail."""
    delivery = session.get(PartnerDelivery, payload["delivery"])
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return
    delivery.status = DeliveryStatus.FAILED
    session.add(delivery)
    mail.send(
        session,
        to=content.site().organisation.email,
        subject=f"Niet afgeleverd bij {service.partner_name(delivery.partner_slug)}",
        template="staff_partner_delivery_failed",
        partner_name=service.partner_name(delivery.partner_slug),
        what=describe(delivery, session),
        problem=delivery.last_error,
        staff_url=public_url("shop_partners.overview"),
    )


def retry(session: Session, delivery_id: int) -> tuple[PartnerDelivery | None, bool]:
    """Staff send a failed delivery again, with the same idempotency key. Returns the delivery
    (None when there is none) and whether it was put back in the queue: only a failed one is.
    The caller commits."""
    delivery = session.get(PartnerDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.FAILED:
        return delivery, False
    delivery.status = DeliveryStatus.PENDING
    session.add(delivery)
    jobs.enqueue(
        session,
        KIND,
        {"delivery": delivery_id},
        user_id=delivery.user_id if delivery.handoff_id else None,
    )
    return delivery, True


def by_handoff(session: Session, handoff_ids: list[int]) -> dict[int, PartnerDelivery]:
    """The delivery of each of these hand-offs (a withheld one has none)."""
    if not handoff_ids:
        return {}
    rows = session.exec(
        select(PartnerDelivery).where(col(PartnerDelivery.handoff_id).in_(handoff_ids))
    ).all()
    return {row.handoff_id: row for row in rows if row.handoff_id is not None}


def by_notice(session: Session, notice_ids: list[int]) -> dict[int, PartnerDelivery]:
    """The delivery of each of these notices."""
    if not notice_ids:
        return {}
    rows = session.exec(
        select(PartnerDelivery).where(col(PartnerDelivery.notice_id).in_(notice_ids))
    ).all()
    return {row.notice_id: row for row in rows if row.notice_id is not None}


def register(app) -> None:
    jobs.register_kind(
        app, jobs.JobKind(KIND, deliver, give_up_after=KEEP_TRYING, on_give_up=give_up)
    )
