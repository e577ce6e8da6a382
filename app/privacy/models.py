"""Privacy tables: the request log, export files, and the job lock."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import Category, Erasure, LegalBasis, Retention, Source
from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum


class RequestKind(LabelledEnum):
    """What a request is about, with the AVG article in the label."""

    ACCESS = "inzage", "Inzage in gegevens (art. 15 AVG)"
    DOWNLOAD = "download", "Gegevens downloaden (art. 20 AVG)"
    CORRECTION = "correctie", "Gegevens corrigeren (art. 16 AVG)"
    ERASURE = "verwijdering", "Account en gegevens verwijderen (art. 17 AVG)"
    RESTRICTION = "beperking", "Verwerking beperken (art. 18 AVG)"
    LIFTING = "opheffing", "Beperking opheffen (art. 18 lid 3 AVG)"
    OBJECTION = "bezwaar", "Bezwaar maken (art. 21 AVG)"
    WITHDRAWAL = "intrekking", "Toestemming intrekken (art. 7 lid 3 AVG)"
    OTHER = "overig", "Andere vraag over privacy"


class RequestChannel(LabelledEnum):
    """How a request reached us."""

    SELF = "zelf", "zelf, in het privacycentrum"
    PHONE = "telefoon", "telefonisch"
    EMAIL = "email", "per e-mail"
    POST = "post", "per post"
    RETENTION = "bewaartermijn", "automatisch, na afloop van de bewaartermijn"
    RESTORE = "herstel", "automatisch opnieuw, na het terugzetten van een back-up"

    @property
    def by_staff(self) -> bool:
        """A channel through which a person asks the Hulplijn, so staff record the request."""
        return self in (RequestChannel.PHONE, RequestChannel.EMAIL, RequestChannel.POST)


class RequestStatus(LabelledEnum):
    """Where a request stands. It follows from the request's dates, so it is not stored."""

    UNVERIFIED = "onbevestigd", "nog niet bevestigd"
    VERIFIED = "bevestigd", "bevestigd"
    DONE = "afgehandeld", "afgehandeld"


def _user_fk(ondelete: str = "SET NULL", nullable: bool = True):
    return Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete=ondelete), nullable=nullable, index=True
        ),
    )


class PrivacyRequest(SQLModel, table=True):
    """One exercised right, self-service or recorded by staff (R8)."""

    __tablename__ = "privacy_request"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = _user_fk()
    kind: RequestKind = Field(sa_type=EnumString(RequestKind, 20))
    channel: RequestChannel = Field(
        default=RequestChannel.SELF, sa_type=EnumString(RequestChannel, 20)
    )
    detail: str = Field(default="", max_length=500)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    extended_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    extension_reason: str = Field(default="", max_length=500)
    extension_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    outcome: str = Field(default="", max_length=300)
    handled_by: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    verify_code_hash: str | None = Field(default=None, max_length=64)
    verify_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def status(self) -> RequestStatus:
        if self.completed_at is not None:
            return RequestStatus.DONE
        return RequestStatus.VERIFIED if self.verified_at else RequestStatus.UNVERIFIED

    @property
    def deadline(self) -> datetime:
        return self.extended_until or self.due_at

    @property
    def is_open(self) -> bool:
        return self.completed_at is None


class ExportFile(SQLModel, table=True):
    """A ZIP with everything held about one person, built on demand and removed after 7 days."""

    __tablename__ = "privacy_export"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    filename: str = Field(max_length=80, unique=True)
    size_bytes: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    downloaded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class JobLock(SQLModel, table=True):
    """One row per running job, so a job started on several machines runs once."""

    __tablename__ = "job_lock"

    # A job's name, not a person's.
    name: str = Field(
        primary_key=True, max_length=40, sa_column_kwargs={"info": {"personal": False}}
    )
    holder: str = Field(max_length=80)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


FIVE_YEARS_AFTER_REQUEST = Retention(
    "age",
    "5 jaar na het verzoek, als bewijs dat we het verzoek hebben afgehandeld; bij verwijderen "
    "van je account halen we de koppeling met jou en elke toelichting eruit",
    years=5,
    column="received_at",
)

# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="privacy_request",
        name="Je privacyverzoeken",
        purpose=(
            "Bijhouden welke rechten je uitoefende (inzien, downloaden, corrigeren, beperken, "
            "bezwaar, intrekken, verwijderen), zodat we binnen een maand antwoorden en kunnen "
            "laten zien dat we dat deden."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=FIVE_YEARS_AFTER_REQUEST,
        erasure=Erasure.ANONYMISE,
        source=Source.SYSTEM,
        anonymise=("detail", "extension_reason", "outcome", "verify_code_hash"),
        hidden=("verify_code_hash",),
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "kind": "welk recht",
            "channel": "hoe het verzoek binnenkwam",
            "detail": "korte toelichting",
            "received_at": "ontvangen op",
            "due_at": "uiterste antwoorddatum (een maand na ontvangst)",
            "extended_until": "verlengde antwoorddatum, als die er is",
            "extension_reason": "waarom we meer tijd nodig hadden",
            "extension_sent_at": "wanneer we je over de verlenging berichtten",
            "completed_at": "afgehandeld op",
            "outcome": "uitkomst",
            "handled_by": "de medewerker die het afhandelde",
            "verify_code_hash": "vingerafdruk van de controlecode die we je stuurden",
            "verify_sent_at": "wanneer we je een controlecode stuurden",
            "verified_at": "wanneer je de controlecode aan ons doorgaf",
        },
    ),
    Category(
        table="privacy_export",
        name="Downloads van je gegevens",
        purpose="Het bestand met al je gegevens klaarzetten, zodat alleen jij het kunt downloaden.",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention(
            "age",
            "7 dagen na het klaarzetten; daarna verwijderen we het bestand",
            days=7,
            column="created_at",
        ),
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "filename": "naam van het bestand op onze server",
            "size_bytes": "grootte van het bestand",
            "created_at": "klaargezet op",
            "downloaded_at": "laatst gedownload op",
        },
    ),
)
