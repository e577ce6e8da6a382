"""Legal disclosures (P18): what the platform gave an authority about an account, on what legal
basis and when, recorded by staff."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import Category, Erasure, LegalBasis, Retention, Source
from app.db import UTCDateTime, utcnow

AUTHORITY_MAX = 120
BASIS_MAX = 200
WHAT_MAX = 500
REFERENCE_MAX = 80
KEEP_YEARS = 5


class LegalDisclosure(SQLModel, table=True):
    """One disclosure to an authority. `secret` when the law forbids telling the person (a
    gag order in a criminal investigation): the row is then kept from their access page."""

    __tablename__ = "legal_disclosure"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    authority: str = Field(max_length=AUTHORITY_MAX)
    legal_basis: str = Field(max_length=BASIS_MAX)
    what: str = Field(max_length=WHAT_MAX)
    disclosed_on: date
    reference: str = Field(default="", max_length=REFERENCE_MAX)
    secret: bool = Field(default=False)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    recorded_by: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )


PERSONAL_DATA = (
    Category(
        table="legal_disclosure",
        name="Gegevens die we aan instanties gaven",
        purpose=(
            "Soms verplicht de wet ons gegevens te geven aan een instantie, zoals de "
            "Belastingdienst, de politie of een rechter. We leggen vast welke instantie het "
            "vroeg, op grond van welke wet, wat we gaven en wanneer. Je ziet dat hier, behalve "
            "als de wet ons verbiedt het je te vertellen, bijvoorbeeld tijdens een "
            "strafrechtelijk onderzoek. Verwijder je je account, dan bewaren we dit verslag "
            "zonder koppeling met je account tot 5 jaar na de verstrekking: we moeten kunnen "
            "laten zien dat we alleen gaven wat de wet vroeg (art. 5 lid 2 en art. 17 lid 3 "
            "sub b en e AVG)."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention(
            "age",
            f"{KEEP_YEARS} jaar na het vastleggen, als bewijs van wat we gaven en waarom",
            years=KEEP_YEARS,
            column="recorded_at",
        ),
        erasure=Erasure.ANONYMISE,
        source=Source.STAFF,
        recipients="de instantie die om de gegevens vroeg",
        withheld="secret",
        about_others=("recorded_by",),
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "authority": "de instantie die de gegevens kreeg",
            "legal_basis": "de wet waarop de instantie zich beriep",
            "what": "welke gegevens we gaven",
            "disclosed_on": "wanneer we de gegevens gaven",
            "reference": "het kenmerk van het verzoek van de instantie",
            "secret": "of de wet ons verbiedt je hierover te vertellen",
            "recorded_at": "wanneer een medewerker dit vastlegde",
            "recorded_by": "de medewerker die dit vastlegde",
        },
    ),
)
