"""Accounts: who may log in, with which role, and what they told us at registration; the
sessions of each account and the single-use links we mail."""

from __future__ import annotations

import enum
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


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX, unique=True)
    name: str = Field(max_length=NAME_MAX)
    phone: str | None = Field(default=None, max_length=PHONE_MAX)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.CAREGIVER.value, max_length=20)
    pending_email: str | None = Field(default=None, max_length=EMAIL_MAX)
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

    # flask-login protocol. The id flask-login keeps in the session and remember-me cookies is
    # not the account's number but the secret key of one login session (`AccountSession`), so
    # ending that session on the server ends both cookies, on that device only.
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
        key = sa.inspect(self).info.get(LOGIN_KEY)
        if key is None:
            raise RuntimeError("start a login session (accounts.sessions.start) before logging in")
        return key

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None


# Where the secret key of the login session this account object was loaded through is kept
# (SQLAlchemy's per-object `info`, which lives as long as the object in this request).
LOGIN_KEY = "login_key"
LOGIN_SESSION = "login_session"


class AccountSession(SQLModel, table=True):
    """One login on one device. The cookies hold a random key; this row holds its hash. Logging
    out deletes the row, so a copy of that device's cookies stops working at once, while the
    account's other devices stay logged in."""

    __tablename__ = "account_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    key_hash: str = Field(max_length=64, unique=True)
    remember: bool = Field(default=False)
    device: str = Field(default="", max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class LinkPurpose(enum.StrEnum):
    REGISTRATION = "registration"
    VERIFY = "verify"
    RESET = "reset"


class AccountLink(SQLModel, table=True):
    """A single-use link mailed to someone: confirm a registration, confirm an address, or set a
    new password. The link holds only a random key; this row holds its hash and, encrypted,
    what the link is for (a registration waiting for confirmation, the address to confirm)."""

    __tablename__ = "account_link"

    id: int | None = Field(default=None, primary_key=True)
    purpose: str = Field(max_length=20)
    key_hash: str = Field(max_length=64, unique=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True),
    )
    payload: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TwoFactor(SQLModel, table=True):
    """The second step of logging in, for staff and administrators: the TOTP secret of their
    authenticator app (encrypted), when they confirmed it, and the last time step used (a code
    works once)."""

    __tablename__ = "account_two_factor"

    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    secret: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_step: int = Field(default=0, sa_type=sa.BigInteger)


class RecoveryCode(SQLModel, table=True):
    """A single-use code for when the authenticator app is lost; only its hash is kept."""

    __tablename__ = "account_recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    code_hash: str = Field(max_length=200)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="user_account",
        name="Accountgegevens",
        purpose=(
            "Je account: inloggen, je bestellingen en je privacycentrum, en contact met je "
            "opnemen als dat nodig is. We vragen je naam, e-mailadres en (als je wilt) je "
            "telefoonnummer."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        subject_column="id",
        source=Source.USER,
        hidden=("password_hash",),
        fields={
            "id": "intern nummer van je account",
            "email": "je e-mailadres",
            "name": "je naam",
            "phone": "je telefoonnummer (als je het gaf)",
            "password_hash": "een onomkeerbare afgeleide van je wachtwoord (argon2id)",
            "role": "je rol op het platform",
            "pending_email": "een nieuw e-mailadres dat nog bevestigd moet worden",
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
    Category(
        table="account_session",
        name="Inlogsessies",
        purpose=(
            "Je ingelogd houden op de apparaten waar je inlogde, en je laten zien waar dat is, "
            "zodat uitloggen op één apparaat alleen dat apparaat uitlogt."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=Retention(
            "age",
            "tot je uitlogt; hoogstens 12 uur zonder activiteit, of 30 dagen met ‘Ingelogd "
            "blijven’",
            days=30,
            column="created_at",
        ),
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        hidden=("key_hash",),
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "key_hash": "een onomkeerbare afgeleide van de sleutel in je cookie",
            "remember": "of je ‘Ingelogd blijven’ aanvinkte",
            "device": "soort browser en apparaat (bijvoorbeeld ‘Firefox op Windows’), zonder "
            "IP-adres",
            "created_at": "wanneer je inlogde",
            "last_seen_at": "wanneer je voor het laatst iets deed (per 10 minuten)",
            "expires_at": "wanneer de sessie vanzelf afloopt",
        },
    ),
    Category(
        table="account_link",
        name="Links in e-mails",
        purpose=(
            "De links die we je mailen om je account of e-mailadres te bevestigen of een nieuw "
            "wachtwoord te kiezen. Tot je een aanmelding bevestigt, staat die hier (versleuteld)."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=Retention(
            "age",
            "een link werkt 1 uur (nieuw wachtwoord) of 24 uur (bevestigen) en verdwijnt na "
            "7 dagen",
            days=7,
            column="created_at",
        ),
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        hidden=("key_hash", "payload"),
        fields={
            "id": "volgnummer",
            "purpose": "waarvoor de link is (aanmelding, e-mailadres, wachtwoord)",
            "key_hash": "een onomkeerbare afgeleide van de code in de link",
            "user_id": "je account",
            "payload": "de aanmelding of het e-mailadres dat de link bevestigt (versleuteld; "
            "leeg zodra de link gebruikt is)",
            "created_at": "wanneer we de link maakten",
            "expires_at": "tot wanneer de link werkt",
            "used_at": "wanneer de link gebruikt is",
        },
    ),
    Category(
        table="account_two_factor",
        name="Tweestapsverificatie (medewerkers)",
        purpose=(
            "Een medewerker logt in met een wachtwoord én een code uit een app, zodat niemand "
            "met alleen een wachtwoord bij gegevens van mantelzorgers kan."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        hidden=("secret",),
        fields={
            "user_id": "je account",
            "secret": "de geheime sleutel van je app (versleuteld)",
            "created_at": "wanneer je de app koppelde",
            "confirmed_at": "wanneer je de eerste code invulde",
            "last_step": "het tijdvak van de laatst gebruikte code",
        },
    ),
    Category(
        table="account_recovery_code",
        name="Herstelcodes voor de tweestapsverificatie",
        purpose="Inloggen als je de app met codes kwijt bent; elke code werkt één keer.",
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        hidden=("code_hash",),
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "code_hash": "een onomkeerbare afgeleide van de code",
            "used_at": "wanneer de code gebruikt is",
        },
    ),
)
