"""Writing the audit trail."""

from __future__ import annotations

from flask import Flask
from sqlmodel import Session

from app.audit import models
from app.audit.models import AuditEvent
from app.core import personal_data


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


def init_app(app: Flask) -> None:
    personal_data.register(app, *models.PERSONAL_DATA)
