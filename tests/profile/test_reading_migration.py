"""The migration of the topic counts keeps what the access page says is kept: at most five
reads, and of the last reading only its Dutch calendar day (SQLite and, with DATABASE_URL,
PostgreSQL)."""

from datetime import UTC, datetime

from alembic import command
from sqlmodel import Session, select

from app.accounts.models import User
from app.core.cli import alembic_config
from app.profile.models import ReadTopic
from tests.conftest import build_app
from tests.test_migrations import migration_url  # noqa: F401 - the fixture

BEFORE = "9cca0de39480"


def test_counts_are_cut_to_five_and_moments_to_their_day(tmp_path, migration_url):  # noqa: F811
    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    engine = app.extensions["db_engine"]
    command.upgrade(config, BEFORE)
    with Session(engine) as session:
        user = User(email="a@example.nl", name="A", password_hash="x")
        session.add(user)
        session.flush()
        assert user.id is not None
        # 23:30 UTC on 3 December is 00:30 on 4 December in the Netherlands.
        late = datetime(2026, 12, 3, 23, 30, tzinfo=UTC)
        afternoon = datetime(2026, 12, 2, 14, 5, tzinfo=UTC)
        session.add(ReadTopic(user_id=user.id, topic="zorg", reads=1290, last_read_at=late))
        session.add(ReadTopic(user_id=user.id, topic="werk", reads=3, last_read_at=afternoon))
        session.commit()
    with app.app_context():
        command.upgrade(config, "head")
    with Session(engine) as session:
        rows = session.exec(select(ReadTopic).order_by(ReadTopic.topic)).all()
        found = [(r.topic, r.reads, r.last_read_at) for r in rows]
    engine.dispose()
    # Midnight in the Netherlands (CET, UTC+1) of 2 and 4 December.
    assert found == [
        ("werk", 3, datetime(2026, 12, 1, 23, 0, tzinfo=UTC)),
        ("zorg", 5, datetime(2026, 12, 3, 23, 0, tzinfo=UTC)),
    ]
