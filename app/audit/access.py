"""The access log (NEN 7513): who of staff read or acted on whose records, when, why.

Each entry's hash covers what happened and the previous entry's hash, so removing or changing an
entry breaks the chain at that point (`verify`, `flask audit verify`). The database refuses
UPDATE and DELETE on the table (triggers in `app.audit.models`); the one exception is erasing
the person an entry is about, which empties the link to them and the reason inside a
transaction that first puts a row in `access_log_unlock` (`forget_subject`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.audit.models import AccessAction, AccessEntry, AccessUnlock
from app.db import utcnow

GENESIS = "0" * 64
# Entries are added one at a time: on PostgreSQL a transaction-scoped advisory lock orders the
# writers (SQLite allows one writer at a time anyway).
_CHAIN_LOCK = 7513


def _digest(*parts: object) -> str:
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def subject_digest(salt: str | None, subject_id: int | None, reason: str | None) -> str:
    return _digest(salt, subject_id, reason)


def entry_hash(entry: AccessEntry) -> str:
    return _digest(
        entry.prev_hash,
        entry.at.isoformat(),
        entry.actor_id,
        entry.actor_role,
        entry.actor_name,
        str(entry.action),
        entry.what,
        entry.subject_digest,
    )


@dataclass(frozen=True)
class _Role:
    label: str


@dataclass(frozen=True)
class SystemActor:
    """The platform itself as the one who acted (a worker that sent data to a partner)."""

    name: str
    id: None = None
    role_enum: _Role = _Role("systeem")


def _first_name(name: str | None) -> str:
    return (name or "").split(" ", 1)[0][:60] or "onbekend"


def record(
    session: Session,
    *,
    actor: Any,
    action: AccessAction,
    what: str,
    subject_id: int | None,
    reason: str | None = None,
) -> AccessEntry:
    """Append one entry (flushed with the caller's transaction, committed by the caller).
    `actor` is the staff member's account: its id, its role's name and its first name are
    copied (the log outlives accounts and roles)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    last = session.exec(select(AccessEntry.hash).order_by(col(AccessEntry.id).desc())).first()
    salt = secrets.token_hex(16)
    reason = (reason or "").strip()[:500] or None
    entry = AccessEntry(
        at=utcnow(),
        actor_id=actor.id,
        actor_role=actor.role_enum.label[:20],
        actor_name=_first_name(actor.name),
        action=action,
        what=what[:120],
        subject_id=subject_id,
        reason=reason,
        subject_salt=salt,
        subject_digest=subject_digest(salt, subject_id, reason),
        prev_hash=last or GENESIS,
        hash="",
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def forget_subject(session: Session, user_id: int) -> int:
    """Empty the link to `user_id` and the reasons in their entries (erasure); the chain stays
    whole. Returns how many entries were anonymised."""
    unlock = AccessUnlock()
    session.add(unlock)
    session.flush()
    result = session.execute(
        sa.update(AccessEntry)
        .where(col(AccessEntry.subject_id) == user_id)
        .values(subject_id=None, reason=None, subject_salt=None)
    )
    count = cast(sa.CursorResult, result).rowcount
    session.delete(unlock)
    session.flush()
    return count


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_at: int | None = None  # the id of the first entry that does not fit
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verdict:
    """Walk the chain from the first entry; report the first one that does not fit."""
    previous = GENESIS
    checked = 0
    for entry in session.exec(select(AccessEntry).order_by(col(AccessEntry.id))):
        if entry.prev_hash != previous:
            return Verdict(checked, entry.id, "de vorige regel ontbreekt of is gewijzigd")
        if entry_hash(entry) != entry.hash:
            return Verdict(checked, entry.id, "deze regel is gewijzigd")
        if entry.subject_salt is not None and entry.subject_digest != subject_digest(
            entry.subject_salt, entry.subject_id, entry.reason
        ):
            return Verdict(checked, entry.id, "de persoon of de reden is gewijzigd")
        previous = entry.hash
        checked += 1
    return Verdict(checked)


def of_subject(session: Session, user_id: int) -> list[AccessEntry]:
    return list(
        session.exec(
            select(AccessEntry)
            .where(AccessEntry.subject_id == user_id)
            .order_by(col(AccessEntry.id).desc())
        )
    )
