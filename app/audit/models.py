"""The audit trail: security-relevant events on accounts (L3)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import ACCOUNT_LIFETIME, Category, Erasure, LegalBasis, Source
from app.db import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True),
    )
    actor_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    action: str = Field(max_length=60)
    detail: str = Field(default="", max_length=500)


# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="audit_event",
        name="Beveiligingslogboek",
        purpose=(
            "Je account beveiligen en misbruik opsporen: wanneer je inlogde, je wachtwoord of "
            "e-mailadres wijzigde en wie er namens jou iets deed."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        fields={
            "id": "volgnummer van de gebeurtenis",
            "at": "tijdstip",
            "user_id": "het account waar het over gaat",
            "actor_id": "wie het deed (jijzelf of een medewerker)",
            "action": "wat er gebeurde",
            "detail": "korte toelichting zonder inhoud van berichten",
        },
    ),
)
