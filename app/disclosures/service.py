"""Recording legal disclosures and reading them back (P18)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from app.accounts import service as accounts
from app.audit import access
from app.audit.models import AccessAction
from app.disclosures.models import LegalDisclosure
from app.forms import FieldError

NO_ACCOUNT = (
    "Er is geen account met dit e-mailadres. Controleer het adres in het verzoek van de instantie."
)


@dataclass(frozen=True)
class Disclosure:
    """What staff typed, already checked by the form."""

    email: str
    authority: str
    legal_basis: str
    what: str
    disclosed_on: date
    reference: str = ""
    secret: bool = False


def record(session: Session, disclosure: Disclosure, *, staff: Any) -> LegalDisclosure:
    """Record a disclosure about the account with `disclosure.email`, with an entry in the
    access log (the caller commits).

    A secret disclosure's access-log entry names the disclosure but not the person, because the
    person sees the entries about them on their access page; the disclosure row links them.
    Raises FieldError on "email" when no account has that address."""
    user = accounts.find_by_email(session, disclosure.email)
    if user is None:
        raise FieldError("email", NO_ACCOUNT)
    row = LegalDisclosure(
        user_id=user.id,
        authority=disclosure.authority,
        legal_basis=disclosure.legal_basis,
        what=disclosure.what,
        disclosed_on=disclosure.disclosed_on,
        reference=disclosure.reference,
        secret=disclosure.secret,
        recorded_by=staff.id,
    )
    session.add(row)
    session.flush()
    what = f"verstrekking {row.id} aan {disclosure.authority} vastgelegd"
    access.record(
        session,
        actor=staff,
        action=AccessAction.CREATE,
        what=what + (" (geheim)" if disclosure.secret else ""),
        subject_id=None if disclosure.secret else user.id,
        reason=None if disclosure.secret else disclosure.legal_basis,
    )
    return row


def lift_secrecy(session: Session, row: LegalDisclosure, *, staff: Any) -> bool:
    """The law no longer forbids telling the person (the authority said so, or the gag order
    ended): from now on they see the disclosure. Logged in the access log, now about them.
    Returns False when it was not secret (the caller commits)."""
    if not row.secret:
        return False
    row.secret = False
    session.add(row)
    access.record(
        session,
        actor=staff,
        action=AccessAction.CHANGE,
        what=f"verstrekking {row.id} aan {row.authority}: niet meer geheim",
        subject_id=row.user_id,
        reason=row.legal_basis,
    )
    return True


def recent(session: Session, limit: int = 50) -> list[LegalDisclosure]:
    """The latest recorded disclosures, for staff."""
    return list(
        session.exec(select(LegalDisclosure).order_by(col(LegalDisclosure.id).desc()).limit(limit))
    )


def told(session: Session, user_id: int) -> list[LegalDisclosure]:
    """The disclosures about this person that they may be told of, newest first."""
    return list(
        session.exec(
            select(LegalDisclosure)
            .where(LegalDisclosure.user_id == user_id, col(LegalDisclosure.secret).is_(False))
            .order_by(col(LegalDisclosure.disclosed_on).desc(), col(LegalDisclosure.id).desc())
        )
    )


def one_told(session: Session, disclosure_id: int, user_id: int) -> LegalDisclosure | None:
    """One disclosure about this person that they may be told of; None for someone else's, a
    secret one, or an unknown number."""
    row = session.get(LegalDisclosure, disclosure_id)
    if row is None or row.user_id != user_id or row.secret:
        return None
    return row
