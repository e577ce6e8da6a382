"""The conversation of a logged-in caregiver, kept in the database: each question sealed with
a data key of its own (so wiping it, erasure or the 90-day retention leaves nothing readable in
any copy of the database), the replies found again from the hub when it is shown."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app import crypto
from app.assistant.masking import Masked
from app.assistant.models import AssistantTurn

# The most recent questions shown on the page.
SHOWN = 20


def sealed_as(turn_id: int | None) -> str:
    return crypto.subject(AssistantTurn.__tablename__, turn_id)


def add(session: Session, user_id: int, masked: Masked) -> AssistantTurn:
    """Keep a question (already masked); the caller commits."""
    turn = AssistantTurn(user_id=user_id, masked=",".join(masked.found))
    session.add(turn)
    session.flush()
    turn.question = crypto.seal(sealed_as(turn.id), masked.text)
    return turn


def question(turn: AssistantTurn) -> str:
    return crypto.unseal(sealed_as(turn.id), turn.question) if turn.question else ""


def recent(session: Session, user_id: int, limit: int = SHOWN) -> list[dict]:
    """The latest questions, oldest first, as the page shows them: {"q", "found", "id"}."""
    rows = session.exec(
        select(AssistantTurn)
        .where(AssistantTurn.user_id == user_id)
        .order_by(col(AssistantTurn.at).desc(), col(AssistantTurn.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "q": question(turn),
            "found": [kind for kind in turn.masked.split(",") if kind],
            "id": str(turn.id),
        }
        for turn in reversed(rows)
    ]


def clear(session: Session, user_id: int) -> int:
    """Wipe the conversation: the keys first, then the rows. Returns how many questions."""
    ids = list(session.exec(select(AssistantTurn.id).where(AssistantTurn.user_id == user_id)))
    crypto.destroy_keys(sealed_as(i) for i in ids)
    session.execute(sa.delete(AssistantTurn).where(col(AssistantTurn.user_id) == user_id))
    return len(ids)


def present(row: dict) -> dict:
    """A stored question as its owner reads it on the access page and in the download."""
    shown = dict(row)
    if shown.get("question"):
        shown["question"] = crypto.unseal(sealed_as(shown["id"]), shown["question"])
    return shown
