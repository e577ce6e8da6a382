"""The assistant's tables.

- `assistant_turn`: the questions of a logged-in caregiver, each sealed with a data key of its
  own, kept 90 days. Of a visitor who is not logged in nothing is kept on the server.
- `assistant_report`: answers reported with "Klopt dit antwoord niet?": the masked question,
  what the assistant answered (the quoted passage, or that it was not sure), the article it
  quoted and the comment, masked as well. A report names no account, no IP address and no
  session: nothing links it to the person who sent it. Open reports are deleted after 12 months;
  an editor who marks one handled deletes it at once.
"""

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

KEEP_YEARS = 1
MAX_COMMENT = 1000


class AnswerReport(SQLModel, table=True):
    """One reported answer (see the module's docstring for what is never stored)."""

    __tablename__ = "assistant_report"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    question: str = Field(sa_type=sa.Text)
    # "answer" (a quoted passage) or "unsure" (no passage: the assistant said it was not sure).
    kind: str = Field(max_length=10)
    quote: str = Field(default="", sa_type=sa.Text)
    article_url: str = Field(default="", max_length=300)
    article_title: str = Field(default="", max_length=300)
    comment: str = Field(default="", sa_type=sa.Text)


# Not registered as personal data: no column refers to a person and both texts are masked
# before they are stored. A name typed in a comment could still slip through the masking, so
# the reports are kept no longer than needed all the same; the retention job reports them
# (app.assistant.feedback.Reports.retention) and the privacy statement says so.
REPORTS = Category(
    table="assistant_report",
    name="Meldingen over antwoorden van de assistent",
    purpose="Artikelen en antwoorden van de assistent verbeteren.",
    legal_basis=LegalBasis.LEGITIMATE_INTEREST,
    retention=Retention(
        "age",
        "tot de redactie de melding heeft afgehandeld, uiterlijk 12 maanden",
        years=KEEP_YEARS,
        column="created_at",
    ),
    erasure=Erasure.DELETE,
    source=Source.USER,
    subject_column="",
    export=False,
    fields={
        "id": "volgnummer",
        "created_at": "wanneer de melding binnenkwam",
        "question": "de vraag, zonder persoonsgegevens",
        "kind": "antwoord met een stukje tekst, of ‘niet zeker’",
        "quote": "het stukje tekst dat de assistent liet zien",
        "article_url": "adres van het artikel",
        "article_title": "titel van het artikel",
        "comment": "wat er niet klopt (niet verplicht), zonder persoonsgegevens",
    },
)
