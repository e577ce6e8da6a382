"""Demo requests in the Hulplijn's queue (`flask demo load`)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.db import utcnow
from app.helpline import service
from app.helpline.forms import CONSENT_TEXT
from app.helpline.models import CallMoment, HelpKind, HelpRequest

DEMO = (
    (4, HelpKind.CALL_BACK, "Henk Jansen", "06 23456789", None, CallMoment.MORNING, ""),
    (
        1,
        HelpKind.QUESTION,
        "Ria Bos",
        None,
        "ria.bos@example.nl",
        CallMoment.ANY,
        "Mijn man heeft parkinson en valt vaker. Welke hulp kunnen we aanvragen?",
    ),
    (0, HelpKind.CALL_BACK, "Yusuf Demir", "06 34567890", None, CallMoment.AFTERNOON, ""),
)


def load_demo(session: Session) -> list[str]:
    if session.exec(select(HelpRequest)).first() is not None:
        return []
    for days_ago, kind, name, phone, email, moment, explanation in DEMO:
        row = service.submit(
            session,
            service.Contact(kind, name, phone, email, moment, explanation, CONSENT_TEXT),
            user_id=None,
        )
        row.created_at = utcnow() - timedelta(days=days_ago)
        session.add(row)
    return [f"Hulplijn: {len(DEMO)} vragen in de wachtrij op /staff/hulplijn."]
