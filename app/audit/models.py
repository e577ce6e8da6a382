"""The audit trail: security-relevant events on accounts (L3), and the access log (NEN 7513):
every time a member of staff reads or acts on someone's records, append-only and hash-chained."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import ACCOUNT_LIFETIME, Category, Erasure, LegalBasis, Source
from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum


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


class AccessAction(LabelledEnum):
    READ = "inzien", "ingezien"
    CREATE = "aanmaken", "aangemaakt"
    CHANGE = "wijzigen", "gewijzigd"
    DOWNLOAD = "downloaden", "gedownload"
    EXPORT = "exporteren", "geëxporteerd"
    DELETE = "verwijderen", "verwijderd"
    TRANSFER = "doorgeven", "doorgegeven aan een partner"
    TRANSFER_FAILED = "doorgeven-mislukt", "doorgeven aan een partner mislukt"


class AccessEntry(SQLModel, table=True):
    """One access by staff. The chained part (when, who, what) is covered by `hash`, which also
    covers the previous entry's hash; the part about the person (`subject_id`, `reason`) enters
    the hash only through `subject_digest`, salted with `subject_salt`. Erasing the person empties
    those three, which leaves the chain whole and the digest unlinkable.

    The database refuses every DELETE and every UPDATE except that one (see `TRIGGERS`)."""

    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: int | None = None  # no foreign key: the log outlives accounts
    actor_role: str = Field(max_length=20)
    actor_name: str = Field(max_length=60)
    action: AccessAction = Field(sa_type=EnumString(AccessAction, 20), nullable=False)
    what: str = Field(max_length=120)
    subject_id: int | None = Field(default=None, index=True)
    reason: str | None = Field(default=None, max_length=500)
    subject_salt: str | None = Field(default=None, max_length=32)
    subject_digest: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AccessUnlock(SQLModel, table=True):
    """Holds a row only inside the transaction that anonymises entries of an erased person."""

    __tablename__ = "access_log_unlock"

    id: int | None = Field(default=None, primary_key=True)


# Columns an allowed UPDATE may only empty, and those it must leave as they are.
ERASABLE = ("subject_id", "reason", "subject_salt")
CHAINED = ("at", "actor_id", "actor_role", "actor_name", "action", "what", "subject_digest")
_FIXED = (*CHAINED, "prev_hash", "hash")

# An UPDATE is refused unless the unlock row exists, it only empties the erasable columns and
# leaves the rest as it was. (The SQL is built from the constant column names above.)
_SQLITE_REFUSE = "SELECT RAISE(ABORT, 'access_log: alleen toevoegen')"
_SQLITE_BAD_UPDATE = " OR ".join(
    ["NOT EXISTS (SELECT 1 FROM access_log_unlock)"]
    + [f"NEW.{c} IS NOT NULL" for c in ERASABLE]
    + [f"NEW.{c} IS NOT OLD.{c}" for c in _FIXED]
)
_PG_BAD_CHANGE = " OR ".join(
    ["TG_OP = 'DELETE'", "NOT EXISTS (SELECT 1 FROM access_log_unlock)"]
    + [f"NEW.{c} IS NOT NULL" for c in ERASABLE]
    + [f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _FIXED]
)
TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log "
        f"BEGIN {_SQLITE_REFUSE}; END",
        "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log "
        f"WHEN {_SQLITE_BAD_UPDATE} BEGIN {_SQLITE_REFUSE}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION access_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF {_PG_BAD_CHANGE} THEN RAISE EXCEPTION 'access_log: alleen toevoegen'; END IF; "
        "RETURN NEW; END $$",
        "CREATE TRIGGER access_log_guard BEFORE UPDATE OR DELETE ON access_log "
        "FOR EACH ROW EXECUTE FUNCTION access_log_guard()",
    ],
}
DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS access_log_no_delete",
        "DROP TRIGGER IF EXISTS access_log_no_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS access_log_guard ON access_log",
        "DROP FUNCTION IF EXISTS access_log_guard()",
    ],
}


@sa.event.listens_for(SQLModel.metadata.tables["access_log"], "after_create")
def _guard(table: sa.Table, connection: sa.Connection, **_: object) -> None:
    for statement in TRIGGERS.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)


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
    Category(
        table="access_log",
        name="Wie je gegevens heeft ingezien",
        purpose=(
            "Laten zien en controleren welke medewerker wanneer je gegevens (een Hulplijn-vraag, "
            "een bestelling, een privacyverzoek) heeft ingezien of behandeld, en waarom. Niemand "
            "kan een regel wijzigen of weghalen. Verwijder je je account, dan halen we de "
            "koppeling met jou en de reden eruit."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=ACCOUNT_LIFETIME,
        erasure=Erasure.ANONYMISE,
        source=Source.SYSTEM,
        subject_column="subject_id",
        fields={
            "id": "volgnummer",
            "at": "tijdstip",
            "actor_id": "het account van de medewerker",
            "actor_role": "de rol van de medewerker",
            "actor_name": "de voornaam van de medewerker",
            "action": "wat de medewerker deed",
            "what": "welk gegeven",
            "subject_id": "jouw account",
            "reason": "de reden, als die werd gevraagd",
            "subject_salt": "willekeurige waarde voor de controlesom",
            "subject_digest": "controlesom van de koppeling met jou",
            "prev_hash": "controlesom van de vorige regel",
            "hash": "controlesom van deze regel",
        },
        hidden=("actor_id", "subject_salt", "subject_digest", "prev_hash", "hash"),
        anonymise=("reason", "subject_salt"),
        about_others=("actor_id", "actor_role", "actor_name"),
    ),
)
