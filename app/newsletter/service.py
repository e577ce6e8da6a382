"""Subscribing (always double opt-in), topics, unsubscribing, the pixel's aggregate count and
the open rates. Every choice is a decision in the consent log (`consent.service`) and every
"may we?" is asked of the one consent gate (`consent.gate`).

Someone with an account subscribes as that account (the account's consents count); someone
without one subscribes with only an e-mail address: the decisions of that subscription share
one consent id in the log.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, func, select

from app.accounts.models import User
from app.consent import gate
from app.consent import service as consent
from app.content import store as content
from app.db import id_of, table_of, utcnow
from app.forms import FieldError
from app.mail import service as mail
from app.newsletter.models import (
    Delivery,
    DeliveryStatus,
    Edition,
    OpenToken,
    Subscriber,
    SubscriberStatus,
)
from app.urls import public_url

CONSENT_VERSION = "1"
CONSENT_TEXT = (
    "Ja, stuur mij de nieuwsbrief van Zorggenoot over de onderwerpen die ik kies. We tellen "
    "alleen hoeveel mensen een nieuwsbrief openen, nooit wie. Afmelden kan altijd, met één klik "
    "onderaan elke nieuwsbrief."
)
TOPIC_TEXT = "Ja, stuur mij nieuws over het onderwerp: {label}."
CONFIRM_HOURS = 7 * 24
SCOPE = "newsletter"
CONFIRMATION_METHOD = "dubbele_opt_in"


class TokenError(ValueError):
    """A link from an e-mail that is wrong, changed or too old."""


def new_id() -> str:
    """A new consent id for a subscription without an account."""
    return str(uuid.uuid4())


def topic_scope(slug: str) -> str:
    return f"{SCOPE}:{slug}"


def topic_labels() -> dict[str, str]:
    """The topics one can choose, from site.toml (slug → label)."""
    return {topic.slug: topic.label for topic in content.site().topics}


# --- links --------------------------------------------------------------------------------


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"zorggenoot.newsletter.{salt}")


def _timed(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt=f"zorggenoot.newsletter.{salt}"
    )


def personal_token(subscriber: Subscriber) -> str:
    """The subscriber's own link token (unsubscribe, preferences): no login needed, it names the
    subscription and stops working when the subscription is deleted."""
    return _signer("personal").dumps([subscriber.id, subscriber.consent_id[:8]])


def subscriber_for_token(session: Session, token: str) -> Subscriber:
    """The subscription a personal link names. Raises TokenError."""
    try:
        subscriber_id, check = _signer("personal").loads(token[:200])
        row = session.get(Subscriber, int(subscriber_id))
    except (BadSignature, TypeError, ValueError, OverflowError) as error:
        raise TokenError("onbekende link") from error
    if row is None or row.consent_id[:8] != check:
        raise TokenError("onbekende link")
    return row


def confirm_token(subscriber: Subscriber, topics: list[str]) -> str:
    return _timed("confirm").dumps([subscriber.id, subscriber.consent_id[:8], sorted(topics)])


# --- who is subscribed to what --------------------------------------------------------------


def subject_for(session: Session, subscriber: Subscriber) -> gate.Subject:
    """What the consent gate needs to decide for one subscriber."""
    if subscriber.user_id is not None:
        user = session.get(User, subscriber.user_id)
        if user is None:  # the account is gone: nothing may be sent
            return gate.Subject()
        return gate.Subject(
            user=user, consents=consent.account_consents(session, subscriber.user_id)
        )
    return gate.Subject(
        consents=consent.consents_of(session, subscriber.consent_id),
        address_only=True,
        objects_open_tracking=subscriber.objects_open_tracking,
    )


def chosen_topics(subject: gate.Subject) -> list[str]:
    """The topics the gate allows news about for this subject."""
    return [slug for slug in topic_labels() if gate.decide(topic_scope(slug), subject)]


def address_of(session: Session, subscriber: Subscriber) -> str:
    """Where the newsletter goes: the account's current address, else the one given."""
    if subscriber.user_id is not None:
        user = session.get(User, subscriber.user_id)
        if user is not None:
            return user.email
    return subscriber.email


def of_user(session: Session, user_id: int) -> Subscriber | None:
    return session.exec(select(Subscriber).where(Subscriber.user_id == user_id)).first()


def _clean_topics(topics: list[str]) -> list[str]:
    known = topic_labels()
    chosen = sorted({t for t in topics if t in known})
    if len(topics) and not chosen:
        raise FieldError("topics", "Kies onderwerpen uit de lijst.")
    return chosen


def _by_address(session: Session, email: str) -> Subscriber | None:
    return session.exec(
        select(Subscriber).where(func.lower(Subscriber.email) == email.lower())
    ).first()


# --- subscribing ------------------------------------------------------------------------------


def request_subscription(
    session: Session, *, email: str, topics: list[str], user: User | None = None
) -> Subscriber:
    """Start a subscription (or a change of topics) and send the confirmation link to the
    address: nothing is sent until the person clicks it (double opt-in). An address that is
    already subscribed gets the same mail, so the form tells nobody who is subscribed.

    Raises FieldError when no known topic was chosen."""
    chosen = _clean_topics(topics)
    if not chosen:
        raise FieldError("topics", "Kies minstens één onderwerp.")
    if user is not None:
        email = user.email
        row = of_user(session, id_of(user)) or _by_address(session, email)
        if row is not None and row.user_id is None:
            row.user_id = user.id  # from now on the account's consents count (after the click)
    else:
        row = _by_address(session, email)
    if row is None:
        row = Subscriber(email=email, user_id=user.id if user else None, consent_id=new_id())
        session.add(row)
        session.flush()
    link = public_url("newsletter.confirm", token=confirm_token(row, chosen))
    labels = topic_labels()
    mail.send(
        session,
        to=email,
        subject="Bevestig je aanmelding voor de nieuwsbrief",
        template="newsletter_confirm",
        user_id=row.user_id,
        link=link,
        topics=[labels[t] for t in chosen],
    )
    return row


def read_confirm_token(session: Session, token: str) -> tuple[Subscriber, list[str]]:
    """The subscription and topics a confirmation link names. Raises TokenError."""
    try:
        subscriber_id, check, topics = _timed("confirm").loads(
            token[:400], max_age=CONFIRM_HOURS * 3600
        )
        row = session.get(Subscriber, int(subscriber_id))
    except SignatureExpired as error:
        raise TokenError("verlopen") from error
    except (BadSignature, TypeError, ValueError, OverflowError) as error:
        raise TokenError("onbekende link") from error
    if row is None or row.consent_id[:8] != check or not isinstance(topics, list):
        raise TokenError("onbekende link")
    return row, [t for t in topics if t in topic_labels()]


def _record(
    session: Session,
    subscriber: Subscriber,
    scope: str,
    granted: bool,
    text: str,
    method: str | None = None,
) -> None:
    consent.record_account_consent(
        session,
        user_id=subscriber.user_id,
        scope=scope,
        granted=granted,
        text=text,
        version=CONSENT_VERSION,
        method=method,
        consent_id=None if subscriber.user_id else subscriber.consent_id,
    )


def confirm(session: Session, subscriber: Subscriber, topics: list[str]) -> None:
    """The person clicked the link: the subscription starts (or its topics change). The consent
    log gets the newsletter consent and each topic that changed; clicking twice adds nothing."""
    subject = subject_for(session, subscriber)
    if not subject.granted(SCOPE):
        _record(session, subscriber, SCOPE, True, CONSENT_TEXT, CONFIRMATION_METHOD)
    _set_topics(session, subscriber, subject, topics, CONFIRMATION_METHOD)
    if subscriber.status != SubscriberStatus.ACTIVE:
        subscriber.status = SubscriberStatus.ACTIVE
        subscriber.confirmed_at = utcnow()
        subscriber.ended_at = None
    session.add(subscriber)


def _set_topics(
    session: Session,
    subscriber: Subscriber,
    subject: gate.Subject,
    topics: list[str],
    method: str | None,
) -> list[str]:
    labels = topic_labels()
    changed = []
    for slug, label in labels.items():
        wanted = slug in topics
        if subject.granted(topic_scope(slug)) != wanted:
            _record(
                session,
                subscriber,
                topic_scope(slug),
                wanted,
                TOPIC_TEXT.format(label=label),
                method,
            )
            changed.append(slug)
    return changed


def change_topics(session: Session, subscriber: Subscriber, topics: list[str]) -> list[str]:
    """Change what an active subscriber gets news about (each change in the consent log).
    Returns the topics that changed. Raises FieldError when none is left: to stop, unsubscribe."""
    chosen = _clean_topics(topics)
    if not chosen:
        raise FieldError("topics", "Kies minstens één onderwerp, of meld je af.")
    return _set_topics(session, subscriber, subject_for(session, subscriber), chosen, None)


def set_open_objection(session: Session, subscriber: Subscriber, *, objects: bool) -> None:
    """Without an account: object (or no longer) to counting opens of your newsletters. The
    change is kept in the consent log with the subscription's other choices."""
    if subscriber.objects_open_tracking == objects:
        return
    subscriber.objects_open_tracking = objects
    session.add(subscriber)
    _record(
        session,
        subscriber,
        "open_tracking",
        not objects,
        "Bezwaar tegen het tellen van geopende nieuwsbrieven"
        if objects
        else "Bezwaar tegen het tellen van geopende nieuwsbrieven ingetrokken",
        "bezwaar" if objects else "custom",
    )


def unsubscribe(session: Session, subscriber: Subscriber) -> bool:
    """Stop at once: no further edition goes to this subscriber, not even one being sent now.
    The withdrawal goes into the consent log. Returns False when it had already stopped."""
    subject = subject_for(session, subscriber)
    stopped = subscriber.status == SubscriberStatus.ENDED and not subject.granted(SCOPE)
    if subject.granted(SCOPE):
        _record(session, subscriber, SCOPE, False, "Afgemeld voor de nieuwsbrief", "withdraw")
    if subscriber.status != SubscriberStatus.ENDED:
        subscriber.status = SubscriberStatus.ENDED
        subscriber.ended_at = utcnow()
        session.add(subscriber)
    return not stopped


# --- counting opens, aggregate only -----------------------------------------------------------


def pixel_token(edition_slug: str) -> str:
    """A new random token for one mail's pixel. It is not stored with the recipient: it only
    lets the same mail opened twice count once."""
    return _signer("open").dumps([edition_slug, uuid.uuid4().hex])


def count_open(session: Session, token: str) -> bool:
    """Count one open of an edition (once per mail). True when it counted."""
    try:
        slug, random = _signer("open").loads(token[:200])
    except (BadSignature, TypeError, ValueError) as error:
        raise TokenError("onbekende link") from error
    if not isinstance(slug, str) or session.get(Edition, slug) is None:
        raise TokenError("onbekende editie")
    digest = hashlib.sha256(str(random).encode()).hexdigest()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    tokens = table_of(OpenToken)
    new = session.execute(
        insert(tokens)
        .values(token_hash=digest, edition_slug=slug, seen_at=utcnow())
        .on_conflict_do_nothing()
        .returning(tokens.c.token_hash)
    ).first()
    if new is None:
        return False
    session.execute(
        sa.update(table_of(Edition))
        .where(table_of(Edition).c.slug == slug)
        .values(opens=table_of(Edition).c.opens + 1)
    )
    return True


@dataclass(frozen=True)
class OpenRate:
    slug: str
    subject: str
    sent: int
    opens: int

    @property
    def rate(self) -> float | None:
        return self.opens / self.sent if self.sent else None


def open_rates(session: Session) -> list[OpenRate]:
    """Per edition that went out: how many mails were sent and how many were opened (counted
    once per mail, only where a pixel was allowed). Nobody is named: for the editors' page and,
    later, the dashboard."""
    sent = (
        select(Delivery.edition_slug, func.count())
        .where(Delivery.status == DeliveryStatus.SENT)
        .group_by(col(Delivery.edition_slug))
    )
    counts = dict(session.exec(sent).all())
    editions = session.exec(select(Edition).order_by(col(Edition.started_at).desc())).all()
    return [OpenRate(e.slug, e.subject, counts.get(e.slug, 0), e.opens) for e in editions]
