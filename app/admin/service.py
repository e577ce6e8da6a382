"""The administrator's work: who has which role, and whether the background jobs keep up.

Nothing here reads what caregivers wrote, their profile or any dossier: an administrator sees
accounts with a role other than caregiver, finds one account by its exact address, and sees
counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Role, User
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.forms import FieldError
from app.jobs.models import Job, JobStatus
from app.privacy.retention import RUN_ACTION as RETENTION_RUN

# The roles an administrator hands out; making someone an administrator stays a deployment step
# (`flask admin grant EMAIL`), so no administrator can lock out another.
GRANTABLE = (Role.CAREGIVER, Role.STAFF, Role.EDITOR)
ROLE_CHANGED = "role.changed"


class RoleError(FieldError):
    """A role change that is not allowed, with the message for the administrator (shown next
    to the choice of role)."""

    def __init__(self, message: str) -> None:
        super().__init__("role", message)


def team(session: Session) -> list[User]:
    """Every account with a role other than caregiver, by role and name."""
    rows = session.exec(select(User).where(col(User.role) != Role.CAREGIVER.value))
    return sorted(rows, key=lambda u: (u.role, u.name.lower(), u.id or 0))


def change_role(session: Session, user: User, role: Role, *, by: User) -> bool:
    """Give `user` the role `role`; logged in the audit trail with who did it. False when the
    account already had it."""
    if user.id == by.id:
        raise RoleError("Je kunt je eigen rol niet wijzigen. Vraag een andere beheerder.")
    if user.role == Role.ADMIN.value:
        raise RoleError("De rol van een beheerder wijzig je niet hier, maar bij de installatie.")
    if role not in GRANTABLE:
        raise RoleError("Kies mantelzorger, mantelzorgmakelaar of redacteur.")
    if user.role == role.value:
        return False
    before = Role(user.role)
    user.role = role.value
    session.add(user)
    audit.record(
        session,
        action=ROLE_CHANGED,
        user_id=user.id,
        actor_id=by.id,
        detail=f"{before.label} → {role.label}",
    )
    return True


def make_admin(session: Session, user: User) -> None:
    """For the deployment (`flask admin grant`): the first administrator, or another."""
    before = Role(user.role)
    user.role = Role.ADMIN.value
    session.add(user)
    audit.record(
        session, action=ROLE_CHANGED, user_id=user.id, detail=f"{before.label} → beheerder"
    )


@dataclass
class Health:
    last_retention: datetime | None
    retention_detail: str
    jobs: list[tuple[str, int, int]]  # (kind, waiting, given up)
    oldest_waiting: datetime | None
    retention_late: bool = False  # more than a day and a bit since the last run
    queue_late: bool = False  # something has waited for more than an hour


def health(session: Session, now: datetime) -> Health:
    """What the administrator checks: the last retention run and the queue, per kind."""
    last = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == RETENTION_RUN)
        .order_by(col(AuditEvent.at).desc())
        .limit(1)
    ).first()
    per_kind: dict[str, dict[str, int]] = {}
    rows = session.exec(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    for kind, status, number in rows:
        per_kind.setdefault(kind, {})[status] = number
    oldest = session.exec(
        select(func.min(Job.created_at)).where(Job.status == JobStatus.PENDING)
    ).first()
    return Health(
        last_retention=last.at if last else None,
        retention_detail=last.detail if last else "",
        jobs=sorted(
            (kind, c.get(JobStatus.PENDING, 0), c.get(JobStatus.FAILED, 0))
            for kind, c in per_kind.items()
        ),
        oldest_waiting=oldest,
        retention_late=last is not None and now - last.at > timedelta(hours=26),
        queue_late=oldest is not None and now - oldest > timedelta(hours=1),
    )
