"""What the hub (and later the shop) asks for the current visitor: recommendations with their
reasons, and noting what was read. Both go through the consent gate first."""

from __future__ import annotations

from flask_login import current_user

from app import db
from app.accounts.models import Role
from app.consent import gate
from app.profile import scoring, service


def _caregiver() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.CAREGIVER)


def recommendations(
    items: list, *, for_shop: bool = False, limit: int = 6
) -> list[scoring.Recommendation]:
    """Recommended items for the logged-in caregiver; empty (and nothing computed) for anyone
    who is anonymous, objects, restricted processing or gave no consent."""
    if not _caregiver() or not gate.allows("personalisation"):
        return []
    profile = service.build_profile(
        db.session(),
        user_id=current_user.id,
        personalise=True,
        health=gate.allows("health") and not for_shop,
        for_shop=for_shop,
    )
    return scoring.recommend(items, profile, limit=limit)


def note_reading(topics: list[str]) -> None:
    """Count the topics of what a caregiver reads, only with personalisation consent."""
    if (
        _caregiver()
        and gate.allows("personalisation")
        and service.record_reading(
            db.session(), user_id=current_user.id, topics=topics, personalise=True
        )
    ):
        db.session().commit()
