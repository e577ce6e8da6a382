"""Accounts: who may log in, with which role, and what they told us at registration."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import ACCOUNT_LIFETIME, Category, Erasure, LegalBasis, Source
from app.db import UTCDateTime, utcnow


class Role(enum.StrEnum):
    CAREGIVER = "caregiver"
    STAFF = "staff"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CAREGIVER: "mantelzorger",
    Role.STAFF: "mantelzorgmakelaar",
    Role.EDITOR: "redacteur",
    Role.ADMIN: "beheerder",
}

NAME_MAX = 120
EMAIL_MAX = 254
PHONE_MAX = 20
SITUATION_MAX = 2000


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX, unique=True)
    name: str = Field(max_length=NAME_MAX)
    phone: str | None = Field(default=None, max_length=PHONE_MAX)
    situation: str = Field(default="", sa_type=sa.Text)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.CAREGIVER.value, max_length=20)
    pending_email: str | None = Field(default=None, max_length=EMAIL_MAX)
    session_version: int = Field(default=1)
    email_verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_active_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    # The caregiver's choices under art. 18 and 21 AVG; the consent gate reads them.
    restricted: bool = Field(default=False)
    objects_profiling: bool = Field(default=False)
    objects_marketing: bool = Field(default=False)
    objects_open_tracking: bool = Field(default=False)
    # When the retention job warned that the account will be erased for inactivity.
    retention_warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    # flask-login protocol. The id carries the session version, so bumping it ends every
    # session and remember-me cookie of the account at once (password change, erasure).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}:{self.created_stamp}"

    @property
    def created_stamp(self) -> str:
        """When the account was made, in milliseconds: a session of an erased account never
        opens a later account that got the same number (SQLite hands out the highest number
        again; a restored backup resets PostgreSQL's counter)."""
        return str(int(self.created_at.timestamp() * 1000))

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="user_account",
        name="Accountgegevens",
        purpose=(
            "Je account: inloggen, contact met je opnemen en je hulpvraag beantwoorden. "
            "Bij het eerste contact vragen we je naam, e-mailadres, (optioneel) telefoonnummer "
            "en een korte uitleg van je situatie."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        subject_column="id",
        source=Source.USER,
        hidden=("password_hash", "session_version"),
        fields={
            "id": "intern nummer van je account",
            "email": "je e-mailadres",
            "name": "je naam",
            "phone": "je telefoonnummer (als je het gaf)",
            "situation": "de korte uitleg van je situatie",
            "password_hash": "een onomkeerbare afgeleide van je wachtwoord (argon2id)",
            "role": "je rol op het platform",
            "pending_email": "een nieuw e-mailadres dat nog bevestigd moet worden",
            "session_version": "teller waarmee we al je sessies tegelijk kunnen beëindigen",
            "email_verified_at": "wanneer je je e-mailadres bevestigde",
            "created_at": "wanneer je account werd aangemaakt",
            "restricted": "of je de verwerking hebt laten beperken (alleen bewaren)",
            "objects_profiling": (
                "of je bezwaar maakt tegen aanbevelingen op basis van je profiel"
            ),
            "objects_marketing": "of je bezwaar maakt tegen direct marketing (nieuwsbrief)",
            "objects_open_tracking": "of je bezwaar maakt tegen het meten of je e-mail opent",
            "retention_warned_at": (
                "wanneer we je waarschuwden dat je account na lange inactiviteit verdwijnt"
            ),
            "last_active_at": (
                "wanneer je voor het laatst actief was (de bewaartermijn telt hiervanaf)"
            ),
        },
    ),
)
