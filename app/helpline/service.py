"""Requests to the Hulplijn: taking them in, the staff queue, and closing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import crypto, db
from app.accounts.models import User
from app.audit import access
from app.audit.models import AccessAction
from app.consent import service as consent
from app.core.formatting import AMSTERDAM
from app.db import utcnow
from app.helpline.models import (
    CallMoment,
    HelpKind,
    HelpRequest,
    HelpSource,
    HelpStatus,
)
from app.mail import service as mail

CONSENT_SCOPE = "hulplijn_gezondheid"
CONSENT_VERSION = "1"
# First contact is due within this many working days (Monday to Friday).
DUE_WORKING_DAYS = 2


@dataclass(frozen=True)
class Contact:
    """What a caregiver filled in (already validated by the form)."""

    kind: HelpKind
    name: str
    phone: str | None
    email: str | None
    moment: CallMoment
    explanation: str
    consent_text: str


def submit(session: Session, contact: Contact, *, user_id: int | None) -> HelpRequest:
    """Store a request (the caller commits). The explanation is kept only with the explicit
    consent the form asked for, encrypted; the confirmation e-mail repeats none of it."""
    consent_id = None
    if contact.explanation:
        record = consent.record_account_consent(
            session,
            user_id=user_id,
            scope=CONSENT_SCOPE,
            granted=True,
            text=contact.consent_text,
            version=CONSENT_VERSION,
            method="hulplijn",
        )
        consent_id = record.consent_id
    row = HelpRequest(
        user_id=user_id,
        kind=contact.kind,
        name=contact.name,
        phone=contact.phone or None,
        email=contact.email or None,
        moment=contact.moment,
        consent_id=consent_id,
        source=HelpSource.FORM,
    )
    session.add(row)
    session.flush()
    if contact.explanation:
        # Sealed with the request's own key: erasing the request destroys the key.
        row.explanation = crypto.seal(sealed_as(row.id), contact.explanation)
    if row.email:
        mail.send(
            session,
            to=row.email,
            user_id=user_id,
            subject="We hebben je vraag aan de Hulplijn ontvangen",
            template="helpline_received",
            request=row,
        )
    return row


def sealed_as(request_id: int | None) -> str:
    """The data key that seals a request's explanation."""
    return crypto.subject(HelpRequest.__tablename__, request_id)


def explanation(row: HelpRequest) -> str:
    return crypto.unseal(sealed_as(row.id), row.explanation) if row.explanation else ""


def working_days_between(start: datetime, end: datetime) -> int:
    """Whole working days (Monday to Friday, Dutch time) from `start` to `end`."""
    day, last = start.astimezone(AMSTERDAM).date(), end.astimezone(AMSTERDAM).date()
    count = 0
    while day < last:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count


def is_late(row: HelpRequest, now: datetime | None = None) -> bool:
    """An open request whose first contact is past two working days."""
    return row.status == HelpStatus.NEW and (
        working_days_between(row.created_at, now or utcnow()) > DUE_WORKING_DAYS
    )


def queue(session: Session) -> list[HelpRequest]:
    """Open requests, oldest first."""
    return list(
        session.exec(
            select(HelpRequest)
            .where(HelpRequest.status == HelpStatus.NEW)
            .order_by(col(HelpRequest.created_at), col(HelpRequest.id))
        )
    )


def recently_closed(session: Session, limit: int = 20) -> list[HelpRequest]:
    return list(
        session.exec(
            select(HelpRequest)
            .where(HelpRequest.status == HelpStatus.DONE)
            .order_by(col(HelpRequest.handled_at).desc())
            .limit(limit)
        )
    )


def shown_to_staff(session: Session, row: HelpRequest, *, staff: Any) -> None:
    """A member of staff is shown the request: every time is in the access log."""
    access.record(
        session,
        actor=staff,
        action=AccessAction.READ,
        what=f"Hulplijn-vraag {row.id}",
        subject_id=row.user_id,
    )


def staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    """The names of these staff accounts, by id (for 'opgepakt door')."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.exec(select(User).where(col(User.id).in_(wanted)))
    return {db.id_of(u): u.name for u in rows}


def take(session: Session, row: HelpRequest, *, staff: Any) -> bool:
    """`staff` takes the request (calls back, answers); False when a colleague already did or
    it is handled."""
    if row.status == HelpStatus.DONE or row.taken_by not in (None, staff.id):
        return False
    if row.taken_by == staff.id:
        return True
    row.taken_by = staff.id
    row.taken_at = utcnow()
    session.add(row)
    access.record(
        session,
        actor=staff,
        action=AccessAction.CHANGE,
        what=f"Hulplijn-vraag {row.id} opgepakt",
        subject_id=row.user_id,
    )
    return True


def close(session: Session, row: HelpRequest, *, staff: Any, outcome: str) -> bool:
    """Mark a request handled; False when someone else already did."""
    if row.status == HelpStatus.DONE:
        return False
    row.status = HelpStatus.DONE
    row.handled_at = utcnow()
    row.handled_by = staff.id
    row.outcome = outcome
    session.add(row)
    access.record(
        session,
        actor=staff,
        action=AccessAction.CHANGE,
        what=f"Hulplijn-vraag {row.id} afgehandeld",
        subject_id=row.user_id,
    )
    return True


def of_user(session: Session, user_id: int) -> list[HelpRequest]:
    return list(
        session.exec(
            select(HelpRequest)
            .where(HelpRequest.user_id == user_id)
            .order_by(col(HelpRequest.created_at).desc())
        )
    )


def forget_explanations(session: Session, user_id: int) -> int:
    """After the consent is withdrawn: the explanations go, the request itself stays."""
    rows = [r for r in of_user(session, user_id) if r.explanation]
    for row in rows:
        row.explanation = ""
        session.add(row)
    # Destroying the keys makes every earlier copy unreadable too (a backup, the database log).
    crypto.destroy_keys(sealed_as(row.id) for row in rows)
    return len(rows)


def ask_correction(session: Session, client: Any, user: Any, what: str) -> HelpRequest:
    """A client asks for a correction of their dossier: a request in the queue, already part
    of the dossier, its text sealed like an explanation (the dossier rests on the agreement)."""
    row = HelpRequest(
        user_id=user.id,
        kind=HelpKind.CORRECTION,
        name="",  # the dossier holds the client's details, sealed
        source=HelpSource.DOSSIER,
        client_id=client.id,
    )
    session.add(row)
    session.flush()
    row.explanation = crypto.seal(sealed_as(row.id), what)
    return row
