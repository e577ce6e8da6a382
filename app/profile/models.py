"""The caregiver's questionnaire answers, their progress through it, and (with consent) what
topics they read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import (
    ACCOUNT_LIFETIME,
    Category,
    Erasure,
    LegalBasis,
    Source,
)
from app.db import UTCDateTime, utcnow


def _user_fk(unique: bool = False):
    return Field(
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
            unique=unique,
        )
    )


class ProfileAnswer(SQLModel, table=True):
    """One answer, with the wording of the question and of the chosen options as the caregiver
    saw them, so it stays readable when the questionnaire changes. Health answers are stored
    encrypted (Fernet) in `value` and `answer_label`."""

    __tablename__ = "profile_answer"
    __table_args__ = (sa.UniqueConstraint("user_id", "question_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk()
    question_key: str = Field(max_length=60)
    version: str = Field(max_length=20)
    health: bool = Field(default=False)
    value: str = Field(sa_type=sa.Text)
    question_label: str | None = Field(default=None, sa_type=sa.Text)
    answer_label: str | None = Field(default=None, sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ProfileProgress(SQLModel, table=True):
    """Where the caregiver is in the questionnaire, so they can stop and resume."""

    __tablename__ = "profile_progress"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk(unique=True)
    version: str = Field(max_length=20)
    furthest_step: int = Field(default=1)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class ReadTopic(SQLModel, table=True):
    """How often the caregiver read about a topic, up to the number that still weighs more, and
    the day of the last reading (recorded only with personalisation consent)."""

    __tablename__ = "profile_read_topic"
    __table_args__ = (sa.UniqueConstraint("user_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = _user_fk()
    topic: str = Field(max_length=40)
    reads: int = Field(default=0)
    last_read_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="profile_answer",
        name="Antwoorden in de vragenlijst",
        purpose=(
            "Je situatie kennen, zodat de Hulplijn je beter kan helpen en (alleen met je "
            "toestemming) artikelen en producten voor je kan uitkiezen. Antwoorden over de "
            "gezondheid van je naaste gebruiken we alleen met je uitdrukkelijke toestemming, "
            "alleen om je te helpen en nooit voor de winkel; ze zijn versleuteld opgeslagen."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        source=Source.USER,
        extra={
            "health": "gezondheidsantwoorden: uitdrukkelijke toestemming (art. 9 lid 2 sub a AVG)"
        },
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "question_key": "welke vraag",
            "version": "versie van de vragenlijst waarin je antwoordde",
            "health": "of het een antwoord over gezondheid is",
            "value": "je antwoord (versleuteld als het over gezondheid gaat)",
            "question_label": "de vraag zoals je die zag",
            "answer_label": "je antwoord in woorden (versleuteld als het over gezondheid gaat)",
            "updated_at": "wanneer je het antwoord gaf of wijzigde",
        },
    ),
    Category(
        table="profile_progress",
        name="Voortgang in de vragenlijst",
        purpose="Onthouden tot welke stap je de vragenlijst invulde, zodat je later verder kunt.",
        legal_basis=LegalBasis.CONTRACT,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "version": "versie van de vragenlijst",
            "furthest_step": "de verste stap die je bereikte",
            "completed_at": "wanneer je de vragenlijst afrondde",
            "updated_at": "laatste wijziging",
        },
    ),
    Category(
        table="profile_read_topic",
        name="Onderwerpen die je las",
        purpose=(
            "Alleen met je toestemming voor persoonlijke aanbevelingen: hoe vaak je over een "
            "onderwerp las, zodat we passende artikelen eerst kunnen tonen."
        ),
        legal_basis=LegalBasis.CONSENT,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.DELETE,
        source=Source.DERIVED,
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "topic": "het onderwerp",
            "reads": "hoe vaak je erover las (we tellen tot 5 keer)",
            "last_read_at": "de dag waarop je er het laatst over las",
        },
    ),
)
