"""A request to the Hulplijn (first contact): who to call or write back, and, only with explicit
consent, a short explanation of the situation, stored encrypted."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import Category, Erasure, LegalBasis, Retention, Source
from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum

EXPLANATION_MAX = 2000
OUTCOME_MAX = 300
# A request that never became part of a dossier is deleted after this many days (P34).
KEEP_DAYS = 180


class HelpKind(LabelledEnum):
    CALL_BACK = "terugbellen", "terugbellen"
    QUESTION = "vraag", "vraag per e-mail"


class CallMoment(LabelledEnum):
    ANY = "maakt-niet-uit", "maakt niet uit"
    MORNING = "ochtend", "ochtend (9.00 tot 12.00 uur)"
    AFTERNOON = "middag", "middag (12.00 tot 17.00 uur)"


class HelpStatus(LabelledEnum):
    NEW = "nieuw", "nieuw"
    DONE = "afgehandeld", "afgehandeld"


class HelpSource(LabelledEnum):
    FORM = "formulier", "het formulier op de site"
    REGISTRATION = "registratie", "je registratie (toen we nog om je situatie vroegen)"


class HelpRequest(SQLModel, table=True):
    __tablename__ = "helpline_request"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True),
    )
    kind: HelpKind = Field(sa_type=EnumString(HelpKind, 20))
    name: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    moment: CallMoment = Field(default=CallMoment.ANY, sa_type=EnumString(CallMoment, 20))
    # Encrypted (crypto); empty when the caregiver told nothing or gave no consent for it.
    explanation: str = Field(default="", sa_type=sa.Text)
    # The consent log entry of the explicit consent for the explanation (art. 9(2)(a) AVG).
    consent_id: str | None = Field(default=None, max_length=36)
    source: HelpSource = Field(default=HelpSource.FORM, sa_type=EnumString(HelpSource, 20))
    status: HelpStatus = Field(default=HelpStatus.NEW, sa_type=EnumString(HelpStatus, 20))
    # The makelaar who took the request, so that two colleagues do not both call.
    taken_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    taken_by: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    outcome: str = Field(default="", max_length=OUTCOME_MAX)


PERSONAL_DATA = (
    Category(
        table="helpline_request",
        name="Vragen aan de Hulplijn",
        purpose=(
            "Je terugbellen of je vraag beantwoorden. We vragen je naam, je telefoonnummer en/of "
            "e-mailadres, wanneer we je het best kunnen bellen en, als je wilt, een korte uitleg "
            "van je situatie."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=Retention(
            "age",
            days=KEEP_DAYS,
            column="created_at",
            description=f"{KEEP_DAYS} dagen na je vraag, daarna verwijderd",
        ),
        erasure=Erasure.DELETE,
        source=Source.USER,
        health=True,
        recipients="alleen de mantelzorgmakelaars van de Hulplijn",
        extra={
            "uitleg van je situatie": (
                "alleen met je uitdrukkelijke toestemming (art. 9 lid 2 sub a AVG), versleuteld "
                "met een sleutel voor alleen jouw vraag, die we apart van de database bewaren; "
                "verwijderen we je vraag of trek je je toestemming in, dan vernietigen we die "
                "sleutel, zodat ook een oude reservekopie je uitleg niet meer kan tonen. Zonder "
                "toestemming bewaren we geen uitleg"
            )
        },
        fields={
            "id": "volgnummer van je vraag",
            "created_at": "wanneer je je vraag stuurde",
            "user_id": "je account (als je ingelogd was)",
            "kind": "of je teruggebeld wilt worden of een antwoord per e-mail wilt",
            "name": "je naam",
            "phone": "je telefoonnummer",
            "email": "je e-mailadres",
            "moment": "wanneer we je het best kunnen bellen",
            "explanation": "je uitleg van je situatie (versleuteld; alleen met je toestemming)",
            "consent_id": "het nummer van je toestemming in het toestemmingenlogboek",
            "source": "waar de vraag vandaan kwam",
            "status": "of je vraag al is afgehandeld",
            "taken_at": "wanneer een mantelzorgmakelaar je vraag oppakte",
            "taken_by": "de mantelzorgmakelaar die je vraag oppakte",
            "handled_at": "wanneer je vraag werd afgehandeld",
            "handled_by": "de mantelzorgmakelaar die je vraag afhandelde",
            "outcome": "wat er met je vraag is gedaan, in een paar woorden",
        },
    ),
)
