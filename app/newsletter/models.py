"""The newsletter's tables: who subscribed, each edition's send and its aggregate open count,
the send log (one row per recipient per edition) and the open tokens that only de-duplicate.

No table links an open to a person: `newsletter_open` holds a hash of a random token that was
only ever in the mail itself, and is emptied after 30 days.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import (
    ACCOUNT_LIFETIME,
    Category,
    Erasure,
    LegalBasis,
    Retention,
    Source,
)
from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum

EMAIL_MAX = 254
OPEN_TOKEN_DAYS = 30


class SubscriberStatus(LabelledEnum):
    PENDING = "wacht", "wacht op bevestiging"
    ACTIVE = "actief", "aangemeld"
    ENDED = "afgemeld", "afgemeld"


class DeliveryStatus(LabelledEnum):
    QUEUED = "wacht", "wacht"
    SENDING = "bezig", "wordt verstuurd"
    SENT = "verstuurd", "verstuurd"
    FAILED = "mislukt", "mislukt"
    SKIPPED = "overgeslagen", "overgeslagen (geen toestemming meer)"


class Subscriber(SQLModel, table=True):
    """One subscription, with or without an account. What the person chose (the newsletter and
    its topics) is in the consent log, under `consent_id` or the account."""

    __tablename__ = "newsletter_subscriber"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX, sa_column_kwargs={"unique": True})
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True, unique=True
        ),
    )
    consent_id: str = Field(max_length=36)
    status: SubscriberStatus = Field(
        default=SubscriberStatus.PENDING, sa_type=EnumString(SubscriberStatus, 20)
    )
    # Without an account: the objection to counting opens (with one, the account's own).
    objects_open_tracking: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Edition(SQLModel, table=True):
    """One edition that was (or is being) sent: its aggregate open count, nobody in it."""

    __tablename__ = "newsletter_edition"

    slug: str = Field(primary_key=True, max_length=120)
    subject: str = Field(max_length=200)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    opens: int = Field(default=0)


class Delivery(SQLModel, table=True):
    """The send log: one row per recipient per edition, claimed before the mail goes out, so
    nobody gets an edition twice (also after a crash or with several workers)."""

    __tablename__ = "newsletter_delivery"
    __table_args__ = (sa.UniqueConstraint("edition_slug", "subscriber_id"),)

    id: int | None = Field(default=None, primary_key=True)
    edition_slug: str = Field(
        sa_column=sa.Column(
            sa.String(120), sa.ForeignKey("newsletter_edition.slug"), nullable=False
        )
    )
    subscriber_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("newsletter_subscriber.id", ondelete="CASCADE"), nullable=False
        )
    )
    status: DeliveryStatus = Field(
        default=DeliveryStatus.QUEUED, sa_type=EnumString(DeliveryStatus, 20), index=True
    )
    attempts: int = Field(default=0)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=80)


class OpenToken(SQLModel, table=True):
    """A hash of the random token in one sent mail's pixel, so a mail opened twice counts once.
    The token was never stored with the recipient: this row names an edition, not a person."""

    __tablename__ = "newsletter_open"

    token_hash: str = Field(primary_key=True, max_length=64)
    edition_slug: str = Field(max_length=120)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


PERSONAL_DATA = (
    Category(
        table="newsletter_subscriber",
        name="Nieuwsbrief",
        purpose=(
            "Je de nieuwsbrief sturen over de onderwerpen die je koos, en je afmelding meteen "
            "laten werken."
        ),
        legal_basis=LegalBasis.CONSENT,
        retention=Retention(
            ACCOUNT_LIFETIME.rule,
            "zolang je bent aangemeld; een niet bevestigde aanmelding wordt na 7 dagen "
            "verwijderd, een afmelding na 30 dagen",
        ),
        erasure=Erasure.DELETE,
        source=Source.USER,
        fields={
            "id": "volgnummer",
            "email": "het e-mailadres waarop je de nieuwsbrief krijgt",
            "user_id": "je account, als je je aanmeldde terwijl je was ingelogd",
            "consent_id": "keuzenummer van je toestemmingen in het toestemmingslog",
            "status": "of je aanmelding wacht op bevestiging, loopt of is beëindigd",
            "objects_open_tracking": "of je bezwaar maakte tegen het tellen van geopende mails",
            "created_at": "wanneer je je aanmeldde",
            "confirmed_at": "wanneer je je aanmelding bevestigde",
            "ended_at": "wanneer je je afmeldde",
        },
    ),
    Category(
        table="newsletter_delivery",
        name="Verstuurde nieuwsbrieven",
        purpose="Elke nieuwsbrief hoogstens één keer naar je sturen, ook als het versturen hapert.",
        legal_basis=LegalBasis.CONSENT,
        retention=Retention("with_parent", "samen met je aanmelding"),
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        parent=("subscriber_id", "newsletter_subscriber"),
        fields={
            "id": "volgnummer",
            "edition_slug": "welke nieuwsbrief",
            "subscriber_id": "je aanmelding",
            "status": "of hij is verstuurd",
            "attempts": "hoe vaak we het probeerden",
            "claimed_at": "wanneer het versturen begon",
            "sent_at": "wanneer hij is verstuurd",
            "error": "wat er misging (zonder je adres)",
        },
    ),
)
