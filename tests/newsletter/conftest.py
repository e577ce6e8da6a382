from __future__ import annotations

import pytest

from app import db
from app.newsletter import editions, service
from app.newsletter.models import Subscriber

WINTER = "2026-12-winter"  # topics: zorg, financien
BALANCE = "2027-01-balans"  # topics: balans, werk


@pytest.fixture
def make_subscriber(app):
    """Factory: an address-only subscriber who confirmed, with `topics` (default: zorg)."""
    counter = iter(range(1, 100_000))

    def make(email: str | None = None, topics: tuple[str, ...] = ("zorg",)) -> Subscriber:
        with app.app_context():
            session = db.session()
            row = Subscriber(
                email=email or f"lezer{next(counter)}@example.nl", consent_id=service.new_id()
            )
            session.add(row)
            session.flush()
            service.confirm(session, row, list(topics))
            session.commit()
            session.refresh(row)
            session.expunge(row)
            return row

    return make


@pytest.fixture
def edition(app):
    def get(slug: str = WINTER) -> editions.EditionText:
        with app.app_context():
            return editions.current().by_slug[slug]

    return get
