"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlmodel import Session

from app.audit import access, models
from app.audit.cli import audit_cli
from app.audit.models import AccessAction, AuditEvent
from app.core import personal_data
from app.core.personal_data import DataHandler


def record(
    session: Session,
    *,
    action: str,
    user_id: int | None,
    actor_id: int | None = None,
    detail: str = "",
) -> AuditEvent:
    """Add one audit event (flushed with the caller's transaction, never committed here).

    `user_id` is the account concerned, `actor_id` who acted (defaults to that account).
    """
    event = AuditEvent(
        action=action,
        user_id=user_id,
        actor_id=actor_id if actor_id is not None else user_id,
        detail=detail[:500],
    )
    session.add(event)
    return event


class AccessLogData(DataHandler):
    def before_erasure(self, session: Session, user: Any) -> str | None:
        count = access.forget_subject(session, user.id)
        return f"toegangslogboek: koppeling en reden verwijderd ({count})" if count else None


def present_access(row: dict) -> dict:
    """An access-log entry as the person reads it: a word for the action."""
    shown = dict(row)
    action = AccessAction.parse(shown.get("action"))
    if action is not None:
        shown["action"] = action.label
    return shown


def init_app(app: Flask) -> None:
    personal_data.register(
        app,
        *models.PERSONAL_DATA,
        handler=AccessLogData(),
        presenters={"access_log": present_access},
    )
    app.cli.add_command(audit_cli)
