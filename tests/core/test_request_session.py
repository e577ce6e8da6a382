"""The database session of a request ends with the request: what it wrote and did not commit is
gone, and it holds nothing that keeps another connection from writing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from app import db
from app.consent.models import ConsentRecord


def record(user_id: int, scope: str) -> ConsentRecord:
    return ConsentRecord(
        user_id=user_id,
        consent_id="c",
        scope=scope,
        accepted=scope,
        method="custom",
        policy_version="1",
        text_hash="0" * 64,
    )


def test_what_a_request_did_not_commit_is_rolled_back_when_it_ends(app, make_user):
    user = make_user()
    with app.test_request_context("/"):
        request_session = db.session()
        request_session.add(record(user.id, "newsletter"))
        request_session.flush()  # written in the request's transaction, never committed
    engine = app.extensions["db_engine"]
    # Another connection may write at once (on SQLite a transaction left open would hold the
    # write lock until the busy timeout) and finds nothing of the request's write.
    with Session(engine) as other:
        other.add(record(user.id, "statistics"))
        other.commit()
        scopes = other.exec(select(ConsentRecord.scope).where(ConsentRecord.user_id == user.id))
        assert list(scopes) == ["statistics"]
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT 1")).scalar() == 1
