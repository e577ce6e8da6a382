"""What the assistant keeps: the questions of a logged-in caregiver, each sealed with a data key
of its own, kept 90 days. Of a visitor who is not logged in nothing is kept on the server."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import Category, Erasure, LegalBasis, Retention, Source
from app.db import UTCDateTime, utcnow

# A logged-in caregiver's questions are deleted this many days after they were asked.
KEEP_DAYS = 90


class AssistantTurn(SQLModel, table=True):
    """One question of a logged-in caregiver (with personal data taken out); the reply is not
    stored: it is found again from the hub when the conversation is shown."""

    __tablename__ = "assistant_turn"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    # Sealed with the key "assistant_turn:<id>" (crypto.seal); destroyed when the row goes.
    question: str = Field(default="", sa_type=sa.Text)
    # What was taken out of the question, as the codes of masking.LABELS ("phone,email").
    masked: str = Field(default="", max_length=200)


PERSONAL_DATA = (
    Category(
        table="assistant_turn",
        name="Je vragen aan de assistent",
        purpose=(
            "Als je bent ingelogd: je gesprek met de assistent bewaren, zodat je het later "
            "terugziet. Persoonsgegevens zoals een telefoonnummer of adres halen we er eerst uit."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=Retention(
            "age",
            f"{KEEP_DAYS} dagen na je vraag, of eerder als je op ‘Gesprek wissen’ drukt",
            days=KEEP_DAYS,
            column="at",
        ),
        erasure=Erasure.DELETE,
        source=Source.USER,
        health=True,
        extra={
            "versleuteling": (
                "elke vraag is versleuteld met een eigen sleutel die we apart van de database "
                "bewaren; wissen we de vraag, dan vernietigen we die sleutel"
            )
        },
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "at": "wanneer je de vraag stelde",
            "question": "je vraag (zonder de persoonsgegevens die we eruit haalden)",
            "masked": "wat we uit je vraag haalden (alleen de soort, niet de waarde)",
        },
    ),
)
