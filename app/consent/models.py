"""The consent log (proof of every decision) and the aggregated first-party statistics."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import Category, Erasure, LegalBasis, Retention, Source
from app.db import UTCDateTime, utcnow


class ConsentRecord(SQLModel, table=True):
    """One decision: given, refused or withdrawn. Rows are only ever added, never changed
    (except that erasing an account removes the link to it)."""

    __tablename__ = "consent_record"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    consent_id: str = Field(max_length=36, index=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    scope: str = Field(max_length=80)
    accepted: str = Field(default="", max_length=400)
    refused: str = Field(default="", max_length=400)
    method: str = Field(max_length=20)
    policy_version: str = Field(max_length=20)
    text_hash: str = Field(max_length=64)
    # Set when the account the row belonged to was erased: the proof is kept 5 years from then.
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PageViewDay(SQLModel, table=True):
    """Page views per path per day (only with analytics consent; no person in it)."""

    __tablename__ = "stats_page_view"

    day: date = Field(primary_key=True)
    path: str = Field(primary_key=True, max_length=200)
    views: int = Field(default=0)


class SearchTermDay(SQLModel, table=True):
    """Searches per term per day (only with analytics consent; digits and addresses removed)."""

    __tablename__ = "stats_search_term"

    day: date = Field(primary_key=True)
    term: str = Field(primary_key=True, max_length=80)
    searches: int = Field(default=0)


class VisitorDay(SQLModel, table=True):
    """Visitors per day, counted once a day per browser that gave analytics consent."""

    __tablename__ = "stats_visitor"

    day: date = Field(primary_key=True)
    visitors: int = Field(default=0)


# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="consent_record",
        name="Toestemmingen",
        purpose=(
            "Bewijzen welke toestemming je gaf, weigerde of introk, wanneer en op basis van welke "
            "tekst (art. 7 lid 1 AVG), en je keuzes toepassen."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention(
            "consent_proof",
            "zolang je account bestaat en 5 jaar daarna; bij verwijderen van je account wordt de "
            "koppeling met jou eruit gehaald",
        ),
        erasure=Erasure.ANONYMISE,
        source=Source.USER,
        fields={
            "id": "volgnummer",
            "at": "tijdstip van je keuze",
            "consent_id": "willekeurig keuzenummer, ook bewaard in je toestemmingscookie",
            "user_id": "je account, als je was ingelogd",
            "scope": "waar de keuze over ging (cookies, gezondheidsgegevens, een partner, …)",
            "accepted": "waar je toestemming voor gaf",
            "refused": "wat je weigerde of introk",
            "method": "hoe je koos (alles accepteren, alles weigeren, eigen keuze, intrekken)",
            "policy_version": "versie van de verklaring waaronder je koos",
            "text_hash": "vingerafdruk van de tekst die je zag",
            "ended_at": "wanneer het account werd verwijderd (daarna nog 5 jaar bewijs)",
        },
    ),
)
