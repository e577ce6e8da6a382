"""The job queue: work that must happen after a request, reliably (e-mail, partner deliveries)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import Category, Erasure, LegalBasis, Retention, Source
from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum


class JobStatus(LabelledEnum):
    """A job waits until it is done (then it is deleted), or is given up."""

    PENDING = "pending", "wacht op verzending"
    FAILED = "failed", "opgegeven"


class Job(SQLModel, table=True):
    """One piece of work, written in the same transaction as what caused it and done by a
    worker (`flask jobs work`). A job that succeeds is deleted; one that keeps failing is marked
    failed once its kind's time is up, and stays visible to staff for a while."""

    __tablename__ = "job_queue"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    # Who the work is about (so erasing an account removes what is still queued for it).
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True),
    )
    # JSON, encrypted: it can hold an address, a name or a link with a token.
    payload: str = Field(sa_type=sa.Text)
    status: JobStatus = Field(
        default=JobStatus.PENDING, sa_type=EnumString(JobStatus, 10), index=True
    )
    attempts: int = Field(default=0)
    # Empty for a new job (due at once, whatever the clock of the machine that runs it says);
    # set to a moment in the future after a failure.
    run_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_by: str | None = Field(default=None, max_length=80)
    # The kind of the last failure (an exception name), never its text: no personal data.
    last_error: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="job_queue",
        name="Berichten die nog verstuurd worden",
        purpose=(
            "E-mails en berichten aan partners die klaarstaan om verstuurd te worden. Zo gaat er "
            "niets verloren als een mailserver of partner even niet bereikbaar is."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=Retention(
            "age",
            "tot het bericht is verstuurd (meestal binnen een minuut); lukt dat niet, dan "
            "uiterlijk 30 dagen",
            days=30,
            column="created_at",
        ),
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        recipients="de mailprovider of de partner aan wie het bericht gericht is",
        hidden=("payload", "locked_by"),
        fields={
            "id": "volgnummer",
            "kind": "soort bericht (e-mail, bericht aan een partner)",
            "user_id": "je account",
            "payload": "het bericht zelf (versleuteld)",
            "status": "wacht of mislukt",
            "attempts": "hoe vaak we het probeerden",
            "run_after": "wanneer we het (opnieuw) proberen",
            "locked_until": "tot wanneer een verzendproces ermee bezig is",
            "locked_by": "welk verzendproces ermee bezig is",
            "last_error": "soort fout bij de laatste poging",
            "created_at": "wanneer het klaargezet werd",
        },
    ),
)
