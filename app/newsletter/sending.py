"""`flask newsletter send`: one edition to every subscriber whose consents allow it.

The send log (`newsletter_delivery`) has one row per recipient, unique per edition. A worker
claims a row (QUEUED → SENDING, committed) before it hands the mail to the mail server, and marks
it SENT afterwards. A worker that is killed leaves at most the rows it had claimed in SENDING:
they are never sent again (each recipient gets an edition at most once) and the report names
how many. Several workers can share one send on PostgreSQL (`FOR UPDATE SKIP LOCKED`); on SQLite
run one. Each worker keeps to `NEWSLETTER_RATE` mails per second; a mail the server refuses is
tried again `NEWSLETTER_ATTEMPTS` times, then counted as failed.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from app.consent import gate
from app.db import table_of, utcnow
from app.mail import service as mail
from app.newsletter import service
from app.newsletter.editions import EditionText
from app.newsletter.models import Delivery, DeliveryStatus, Edition, Subscriber, SubscriberStatus
from app.urls import public_url

log = logging.getLogger(__name__)

DEFAULT_RATE = 50.0  # mails per second per worker
DEFAULT_ATTEMPTS = 3
DEFAULT_RETRY_PAUSE = 5.0


@dataclass
class SendReport:
    slug: str
    dry_run: bool = False
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    would_send: int = 0
    totals: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        if self.dry_run:
            return (
                f"Proefrun voor '{self.slug}': {self.would_send} ontvanger(s) zouden deze "
                "nieuwsbrief krijgen. Er is niets verstuurd."
            )
        t = self.totals
        lines = [
            f"Nieuwsbrief '{self.slug}': deze keer {self.sent} verstuurd, {self.skipped} "
            f"overgeslagen, {self.failed} mislukt ({self.retried} keer opnieuw geprobeerd).",
            "In totaal: "
            + ", ".join(f"{status.label} {t.get(status.value, 0)}" for status in DeliveryStatus),
        ]
        if t.get(DeliveryStatus.SENDING.value):
            lines.append(
                f"Let op: {t[DeliveryStatus.SENDING.value]} mail(s) werden verstuurd toen een "
                "verzending werd afgebroken; die gaan niet opnieuw (hoogstens één keer per "
                "ontvanger)."
            )
        if t.get(DeliveryStatus.FAILED.value):
            lines.append("Mislukte mails staan met hun foutsoort in het verzendlog.")
        return "\n".join(lines)


def wanted(session: Session, subscriber: Subscriber, edition: EditionText) -> gate.Subject | None:
    """The gate's subject when this subscriber may get this edition now, else None."""
    if subscriber.status != SubscriberStatus.ACTIVE:
        return None
    subject = service.subject_for(session, subscriber)
    if not gate.decide(service.SCOPE, subject):
        return None
    if edition.topics and not any(
        gate.decide(service.topic_scope(t), subject) for t in edition.topics
    ):
        return None
    return subject


def build(
    session: Session,
    subscriber: Subscriber,
    subject: gate.Subject,
    edition: EditionText,
    *,
    to: str | None = None,
    test: bool = False,
) -> EmailMessage:
    """The edition for one recipient: their own unsubscribe link in the headers (RFC 8058) and
    the footer, and a pixel only when the gate allows counting opens for them."""
    token = service.personal_token(subscriber)
    unsubscribe = public_url("newsletter.unsubscribe", token=token)
    pixel = None
    if not test and gate.decide("open_tracking", subject):
        pixel = public_url("newsletter.pixel", token=service.pixel_token(edition.slug))
    message = mail.build_message(
        to=to or service.address_of(session, subscriber),
        subject=("[TEST] " if test else "") + edition.subject,
        template="newsletter",
        edition=edition,
        unsubscribe_url=unsubscribe,
        preferences_url=public_url("newsletter.preferences", token=token),
        pixel_url=pixel,
    )
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


class Transport:
    """One SMTP connection kept open for a whole send (or the outbox folder, in development)."""

    def __init__(self, url: str | None) -> None:
        self.url = url
        self.server: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        parts = urlsplit(self.url or "")
        host = parts.hostname or "localhost"
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, parts.port or 465, timeout=20, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, parts.port or 25, timeout=20)
        if parts.scheme == "smtp+starttls":
            server.starttls(context=ssl.create_default_context())
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        return server

    def send(self, message: EmailMessage) -> None:
        """Raises mail.MailError (or smtplib.SMTPRecipientsRefused for a refused address)."""
        if not self.url:
            mail.deliver_now(message, "newsletter")
            return
        try:
            if self.server is None:
                self.server = self._connect()
            self.server.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise mail.MailError(type(exc).__name__) from exc

    def close(self) -> None:
        if self.server is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.server.quit()
            self.server = None


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def prepare(session: Session, edition: EditionText) -> None:
    """The edition's row and a QUEUED row for each active subscriber without one (several
    workers may do this at once: the unique constraint keeps one row per recipient)."""
    insert = _insert(session)
    session.execute(
        insert(table_of(Edition))
        .values(slug=edition.slug, subject=edition.subject, started_at=utcnow(), opens=0)
        .on_conflict_do_nothing()
    )
    subscribers = table_of(Subscriber)
    deliveries = table_of(Delivery)
    missing = sa.select(
        sa.literal(edition.slug),
        subscribers.c.id,
        sa.literal(DeliveryStatus.QUEUED.value),
        sa.literal(0),
        sa.literal(""),
    ).where(
        subscribers.c.status == SubscriberStatus.ACTIVE.value,
        ~sa.exists().where(
            deliveries.c.subscriber_id == subscribers.c.id,
            deliveries.c.edition_slug == edition.slug,
        ),
    )
    session.execute(
        insert(deliveries)
        .from_select(["edition_slug", "subscriber_id", "status", "attempts", "error"], missing)
        .on_conflict_do_nothing()
    )
    session.commit()


def claim(engine: sa.Engine, slug: str) -> int | None:
    """Take the next QUEUED row of this send for this worker (committed before sending)."""
    deliveries = table_of(Delivery)
    for _ in range(20):
        with engine.begin() as connection:
            query = (
                sa.select(deliveries.c.id)
                .where(
                    deliveries.c.edition_slug == slug,
                    deliveries.c.status == DeliveryStatus.QUEUED.value,
                )
                .order_by(deliveries.c.id)
                .limit(1)
            )
            if engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            row_id = connection.execute(query).scalar()
            if row_id is None:
                return None
            taken = connection.execute(
                sa.update(deliveries)
                .where(
                    deliveries.c.id == row_id,
                    deliveries.c.status == DeliveryStatus.QUEUED.value,
                )
                .values(
                    status=DeliveryStatus.SENDING.value,
                    claimed_at=utcnow(),
                    attempts=deliveries.c.attempts + 1,
                )
            ).rowcount
            if taken == 1:
                return row_id
    return None


def _finish(engine: sa.Engine, row_id: int, status: DeliveryStatus, error: str = "") -> None:
    deliveries = table_of(Delivery)
    values: dict = {"status": status.value, "error": error[:80]}
    if status == DeliveryStatus.SENT:
        values["sent_at"] = utcnow()
    with engine.begin() as connection:
        connection.execute(sa.update(deliveries).where(deliveries.c.id == row_id).values(values))


def totals(session: Session, slug: str) -> dict[str, int]:
    rows = session.exec(
        select(Delivery.status, sa.func.count())
        .where(Delivery.edition_slug == slug)
        .group_by(Delivery.status)
    ).all()
    return {str(status): count for status, count in rows}


def send(
    session: Session,
    edition: EditionText,
    *,
    dry_run: bool = False,
    rate: float | None = None,
    limit: int | None = None,
) -> SendReport:
    """Send `edition` to everyone it is due to who has not had it (resumable). `limit` stops
    after that many mails (tests, a careful start). Raises nothing for a mail that fails: it
    is retried, then counted as failed in the report."""
    config = current_app.config
    report = SendReport(edition.slug, dry_run=dry_run)
    if dry_run:
        active = session.exec(
            select(Subscriber).where(Subscriber.status == SubscriberStatus.ACTIVE)
        ).all()
        report.would_send = sum(1 for s in active if wanted(session, s, edition) is not None)
        return report
    rate = rate if rate is not None else float(config.get("NEWSLETTER_RATE", DEFAULT_RATE))
    attempts = int(config.get("NEWSLETTER_ATTEMPTS", DEFAULT_ATTEMPTS))
    pause = float(config.get("NEWSLETTER_RETRY_PAUSE", DEFAULT_RETRY_PAUSE))
    prepare(session, edition)
    engine = session.get_bind()
    if not isinstance(engine, sa.Engine):
        raise TypeError("the session must be bound to an engine")
    transport = Transport(config.get("SMTP_URL") or None)
    interval = 1.0 / rate if rate > 0 else 0.0
    next_at = time.monotonic()
    try:
        while limit is None or report.sent < limit:
            row_id = claim(engine, edition.slug)
            if row_id is None:
                break
            session.expire_all()
            row = session.get(Delivery, row_id)
            subscriber = session.get(Subscriber, row.subscriber_id) if row else None
            subject = wanted(session, subscriber, edition) if subscriber else None
            if row is None or subscriber is None or subject is None:
                _finish(engine, row_id, DeliveryStatus.SKIPPED)
                report.skipped += 1
                continue
            message = build(session, subscriber, subject, edition)
            session.rollback()  # end the read transaction before the wait and the SMTP talk
            if interval:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at = max(next_at, time.monotonic() - interval) + interval
            try:
                transport.send(message)
            except smtplib.SMTPRecipientsRefused:
                _finish(engine, row_id, DeliveryStatus.FAILED, "adres geweigerd")
                report.failed += 1
                continue
            except mail.MailError as error:
                if row.attempts >= attempts:
                    _finish(engine, row_id, DeliveryStatus.FAILED, str(error))
                    report.failed += 1
                else:
                    _finish(engine, row_id, DeliveryStatus.QUEUED, str(error))
                    report.retried += 1
                    time.sleep(pause)
                continue
            _finish(engine, row_id, DeliveryStatus.SENT)
            report.sent += 1
    finally:
        transport.close()
    _finish_edition(session, edition.slug)
    report.totals = totals(session, edition.slug)
    return report


def _finish_edition(session: Session, slug: str) -> None:
    remaining = session.exec(
        select(sa.func.count())
        .select_from(Delivery)
        .where(Delivery.edition_slug == slug, Delivery.status == DeliveryStatus.QUEUED)
    ).one()
    edition = session.get(Edition, slug)
    if edition is not None and not remaining and edition.finished_at is None:
        edition.finished_at = utcnow()
        session.add(edition)
    session.commit()
