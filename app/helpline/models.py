"""A request to the Hulplijn (first contact): who to call or write back, and, only with explicit
consent, a short explanation of the situation, stored encrypted."""

from __future__ import annotations

from datetime import date, datetime

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
    CORRECTION = "correctie", "correctie van het dossier"


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
    DOSSIER = "dossier", "je dossier (Mijn hulpvragen)"


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
    # The dossier the request became part of; such a request goes with the dossier (P34).
    client_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("helpline_client.id", ondelete="CASCADE"), index=True),
    )


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
            "own",
            description=(
                f"{KEEP_DAYS} dagen na je vraag, daarna verwijderd; is je vraag opgenomen in "
                "een dossier, dan zo lang als dat dossier"
            ),
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
            "client_id": "je dossier, als je vraag daarin is opgenomen",
        },
    ),
)


# --- the dossier: a client of the mantelzorgmakelaars, their questions, contacts, documents ---

# A dossier goes this long after its last question was closed, or after this long without
# any activity (P25).
DOSSIER_YEARS = 3
TEXT_MAX = 4000
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class QuestionStatus(LabelledEnum):
    OPEN = "open", "open"
    BUSY = "in-behandeling", "in behandeling"
    DONE = "afgerond", "afgerond"


class Channel(LabelledEnum):
    PHONE = "telefoon", "telefoon"
    EMAIL = "e-mail", "e-mail"
    CHAT = "chat", "chat"
    MEETING = "afspraak", "afspraak"


class Client(SQLModel, table=True):
    """A dossier. Name, phone, e-mail and the insurance data are sealed with the dossier's own
    data key (crypto); `helpline_client_term` holds keyed hashes to find it by them."""

    __tablename__ = "helpline_client"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True),
    )
    name: str = Field(sa_type=sa.Text)
    phone: str = Field(default="", sa_type=sa.Text)
    email: str = Field(default="", sa_type=sa.Text)
    insurer: str = Field(default="", sa_type=sa.Text)
    policy_number: str = Field(default="", sa_type=sa.Text)
    responsible_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    # Restriction of processing (art. 18 AVG): staff may only read, and only with a reason.
    frozen: bool = Field(default=False, nullable=False)
    last_activity_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    retention_warned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, nullable=False)


class ClientTerm(SQLModel, table=True):
    """A keyed hash (crypto.blind_index) of a normalised name part, prefix, e-mail or phone."""

    __tablename__ = "helpline_client_term"
    __table_args__ = (sa.Index("ix_helpline_client_term_term", "term", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("helpline_client.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    term: str = Field(max_length=40)


class Question(SQLModel, table=True):
    __tablename__ = "helpline_question"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("helpline_client.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    topic: str = Field(max_length=20)
    description: str = Field(default="", sa_type=sa.Text)  # sealed
    status: QuestionStatus = Field(
        default=QuestionStatus.OPEN, sa_type=EnumString(QuestionStatus, 20)
    )
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    follow_up: date | None = Field(default=None)
    version: int = Field(default=1, nullable=False)


class ContactMoment(SQLModel, table=True):
    __tablename__ = "helpline_contact"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("helpline_client.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    question_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("helpline_question.id", ondelete="SET NULL")),
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    channel: Channel = Field(sa_type=EnumString(Channel, 20))
    minutes: int = Field(default=0, nullable=False)
    summary: str = Field(default="", sa_type=sa.Text)  # sealed; what the client reads
    notes: str = Field(default="", sa_type=sa.Text)  # sealed; internal notes
    follow_up: date | None = Field(default=None)
    staff_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    version: int = Field(default=1, nullable=False)


class Document(SQLModel, table=True):
    """A document in a dossier; its content is sealed in a file under the instance folder."""

    __tablename__ = "helpline_document"

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("helpline_client.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    uploaded_by: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL")),
    )
    by_client: bool = Field(default=False, nullable=False)
    filename: str = Field(sa_type=sa.Text)  # sealed: a name can say much
    media_type: str = Field(max_length=100)
    size: int
    stored_as: str = Field(max_length=64, unique=True)


DOSSIER_RETENTION = Retention(
    "own",
    description=(
        f"{DOSSIER_YEARS} jaar nadat je laatste vraag is afgerond, of na {DOSSIER_YEARS} jaar "
        "zonder contact (4 weken vooraf gemeld als we je e-mailadres hebben); dan verwijderen "
        "we het hele dossier en vernietigen we de sleutel ervan"
    ),
)
WITH_DOSSIER = Retention("with_parent", description="samen met het dossier")
DOSSIER_RECIPIENTS = "alleen de mantelzorgmakelaars van de Hulplijn (geheimhoudingsplicht)"
SEALED = (
    "versleuteld met een sleutel voor alleen jouw dossier, die we apart van de database "
    "bewaren; wissen we het dossier, dan vernietigen we die sleutel, zodat ook een oude "
    "reservekopie het niet meer kan tonen"
)

DOSSIER_DATA = (
    Category(
        table="helpline_client",
        name="Je dossier bij de Hulplijn",
        purpose=(
            "Je helpen met je vraag over wonen, zorg, financiën of juridische zaken: wie je bent, "
            "hoe we je bereiken en, als het nodig is voor je vraag, je zorgverzekering."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=DOSSIER_RETENTION,
        erasure=Erasure.DELETE,
        source=Source.STAFF,
        health=True,
        recipients=DOSSIER_RECIPIENTS,
        extra={"naam, telefoon, e-mail en verzekering": SEALED},
        fields={
            "id": "je dossiernummer",
            "created_at": "wanneer je dossier is aangemaakt",
            "user_id": "je account (als je dossier eraan gekoppeld is)",
            "name": "je naam (versleuteld)",
            "phone": "je telefoonnummer (versleuteld)",
            "email": "je e-mailadres (versleuteld)",
            "insurer": "je zorgverzekeraar (versleuteld; alleen als je vraag erom vraagt)",
            "policy_number": "je polisnummer (versleuteld; alleen als je vraag erom vraagt)",
            "responsible_id": "de mantelzorgmakelaar die verantwoordelijk is voor je dossier",
            "frozen": "of je de verwerking hebt laten beperken (dossier bevroren)",
            "last_activity_at": "het laatste contact of de laatste wijziging",
            "retention_warned_at": "wanneer we je meldden dat je dossier binnenkort vervalt",
            "version": "versienummer (tegen gelijktijdige wijzigingen)",
        },
        about_others=("responsible_id",),
    ),
    Category(
        table="helpline_client_term",
        name="Zoeksleutels van je dossier",
        purpose=(
            "Je dossier terugvinden op naam, e-mailadres of telefoonnummer zonder die te "
            "ontsleutelen: we bewaren alleen een versleutelde vingerafdruk (HMAC)."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=WITH_DOSSIER,
        erasure=Erasure.DELETE,
        source=Source.DERIVED,
        parent=("client_id", "helpline_client"),
        recipients=DOSSIER_RECIPIENTS,
        export=False,
        fields={
            "id": "volgnummer",
            "client_id": "je dossier",
            "term": "vingerafdruk van (een deel van) je naam, e-mailadres of telefoonnummer",
        },
    ),
    Category(
        table="helpline_question",
        name="Je hulpvragen",
        purpose="Bijhouden waar je hulp bij vraagt en hoe ver we zijn.",
        legal_basis=LegalBasis.CONTRACT,
        retention=WITH_DOSSIER,
        erasure=Erasure.DELETE,
        source=Source.STAFF,
        parent=("client_id", "helpline_client"),
        health=True,
        recipients=DOSSIER_RECIPIENTS,
        fields={
            "id": "nummer van de vraag",
            "client_id": "je dossier",
            "topic": "onderwerp (wonen, zorg, financiën, juridisch)",
            "description": "je vraag in het kort (versleuteld)",
            "status": "open, in behandeling of afgerond",
            "opened_at": "wanneer de vraag begon",
            "closed_at": "wanneer de vraag is afgerond",
            "follow_up": "wanneer we er weer naar kijken",
            "version": "versienummer (tegen gelijktijdige wijzigingen)",
        },
    ),
    Category(
        table="helpline_contact",
        name="Contactmomenten met de Hulplijn",
        purpose="Vastleggen wanneer en hoe we contact hadden, en wat er is besproken.",
        legal_basis=LegalBasis.CONTRACT,
        retention=WITH_DOSSIER,
        erasure=Erasure.DELETE,
        source=Source.STAFF,
        parent=("client_id", "helpline_client"),
        health=True,
        recipients=DOSSIER_RECIPIENTS,
        fields={
            "id": "nummer van het contactmoment",
            "client_id": "je dossier",
            "question_id": "de vraag waar het over ging",
            "at": "wanneer",
            "channel": "telefoon, e-mail, chat of afspraak",
            "minutes": "hoe lang (minuten)",
            "summary": "samenvatting voor jou (versleuteld)",
            "notes": "aantekeningen van de mantelzorgmakelaar (versleuteld)",
            "follow_up": "wanneer we je weer spreken",
            "staff_id": "de mantelzorgmakelaar",
            "version": "versienummer (tegen gelijktijdige wijzigingen)",
        },
        about_others=("staff_id",),
    ),
    Category(
        table="helpline_document",
        name="Documenten in je dossier",
        purpose="Stukken die nodig zijn voor je vraag, zoals een brief of een indicatie.",
        legal_basis=LegalBasis.CONTRACT,
        retention=WITH_DOSSIER,
        erasure=Erasure.DELETE,
        source=Source.USER,
        parent=("client_id", "helpline_client"),
        health=True,
        recipients=DOSSIER_RECIPIENTS,
        extra={"documenten": SEALED + "; in je download zitten ze als bestand"},
        fields={
            "id": "nummer van het document",
            "client_id": "je dossier",
            "uploaded_at": "wanneer het is toegevoegd",
            "uploaded_by": "wie het toevoegde",
            "by_client": "of je het zelf toevoegde",
            "filename": "de bestandsnaam (versleuteld)",
            "media_type": "het soort bestand",
            "size": "de grootte in bytes",
            "stored_as": "de naam van het versleutelde bestand bij ons",
        },
        about_others=("uploaded_by",),
    ),
)
