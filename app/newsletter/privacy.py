"""The newsletter's part in the privacy centre: a withdrawn newsletter consent ends the
subscription, and its own retention rules (unconfirmed and ended subscriptions, open tokens)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.core.personal_data import (
    Category,
    DataHandler,
    Erasure,
    LegalBasis,
    Retention,
    RetentionLine,
    Source,
    category_for,
)
from app.db import table_of, utcnow
from app.newsletter.models import (
    OPEN_TOKEN_DAYS,
    Delivery,
    OpenToken,
    Subscriber,
    SubscriberStatus,
)

PENDING_DAYS = 7
ENDED_DAYS = 30

# Not personal data (no person, no address: a hash of a random number that was only in a
# mail), but kept no longer than needed all the same; the retention job reports it.
OPEN_TOKENS = Category(
    table="newsletter_open",
    name="Geopende nieuwsbrieven (alleen tellen)",
    purpose="Een nieuwsbrief die twee keer wordt geopend één keer tellen.",
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    retention=Retention("age", f"{OPEN_TOKEN_DAYS} dagen", days=OPEN_TOKEN_DAYS, column="seen_at"),
    erasure=Erasure.DELETE,
    source=Source.SYSTEM,
    subject_column="",
    export=False,
    fields={
        "token_hash": "vingerafdruk van een willekeurig getal",
        "edition_slug": "editie",
        "seen_at": "wanneer",
    },
)


def _delete_subscribers(session: Session, where: sa.ColumnElement[bool], dry_run: bool) -> int:
    subscribers = table_of(Subscriber)
    ids = sa.select(subscribers.c.id).where(where)
    connection = session.connection()
    if dry_run:
        return connection.execute(
            sa.select(sa.func.count()).select_from(subscribers).where(where)
        ).scalar_one()
    connection.execute(
        sa.delete(table_of(Delivery)).where(table_of(Delivery).c.subscriber_id.in_(ids))
    )
    return connection.execute(sa.delete(subscribers).where(where)).rowcount


class NewsletterData(DataHandler):
    def withdraw(self, session: Session, user: Any, scope: str) -> str | None:
        """A withdrawn newsletter consent ends the subscription at once (the consent log's own
        handler records the withdrawal and reports it)."""
        if scope != "newsletter":
            return None
        table = table_of(Subscriber)
        session.execute(
            sa.update(table)
            .where(table.c.user_id == user.id, table.c.status != SubscriberStatus.ENDED.value)
            .values(status=SubscriberStatus.ENDED.value, ended_at=utcnow())
        )
        return None

    def retention(self, session: Session, *, now: datetime, dry_run: bool) -> list[RetentionLine]:
        subscribers = table_of(Subscriber)
        category = category_for(Subscriber.__tablename__)
        if category is None:
            raise LookupError("the newsletter's table is not registered")
        pending = _delete_subscribers(
            session,
            sa.and_(
                subscribers.c.status == SubscriberStatus.PENDING.value,
                subscribers.c.created_at <= now - timedelta(days=PENDING_DAYS),
            ),
            dry_run,
        )
        ended = _delete_subscribers(
            session,
            sa.and_(
                subscribers.c.status == SubscriberStatus.ENDED.value,
                subscribers.c.ended_at <= now - timedelta(days=ENDED_DAYS),
            ),
            dry_run,
        )
        tokens = table_of(OpenToken)
        old = tokens.c.seen_at <= now - timedelta(days=OPEN_TOKEN_DAYS)
        connection = session.connection()
        if dry_run:
            opened = connection.execute(
                sa.select(sa.func.count()).select_from(tokens).where(old)
            ).scalar_one()
        else:
            opened = connection.execute(sa.delete(tokens).where(old)).rowcount
            session.commit()
        verb = "zou(den) worden verwijderd" if dry_run else "verwijderd"
        return [
            RetentionLine(
                category, pending, f"{verb} (aanmelding niet bevestigd na {PENDING_DAYS} dagen)"
            ),
            RetentionLine(category, ended, f"{verb} ({ENDED_DAYS} dagen na afmelden)"),
            RetentionLine(OPEN_TOKENS, opened, f"{verb} ({OPEN_TOKEN_DAYS} dagen oud)"),
        ]
