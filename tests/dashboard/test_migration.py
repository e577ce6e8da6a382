"""The migration of the figures turns stored search terms into the words they matched: no free
text stays behind (SQLite and, with DATABASE_URL, PostgreSQL)."""

from datetime import date

import sqlalchemy as sa
from alembic import command

from app.core.cli import alembic_config
from tests.conftest import build_app
from tests.test_migrations import migration_url  # noqa: F401 - the fixture

BEFORE = "c2f6066645de"


def test_old_search_terms_become_topics_and_tags(tmp_path, migration_url):  # noqa: F811
    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    engine = app.extensions["db_engine"]
    command.upgrade(config, BEFORE)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO stats_search_term (day, term, searches) VALUES (:d, :t, :n)"),
            [
                {"d": date(2026, 11, 1), "t": "mijn moeder jansen dementie", "n": 3},
                {"d": date(2026, 11, 1), "t": "dementie", "n": 2},
                {"d": date(2026, 11, 1), "t": "pgb aanvragen", "n": 4},
                {"d": date(2026, 11, 1), "t": "kees de vries utrecht", "n": 1},
                {"d": date(2026, 11, 2), "t": "jan", "n": 5},
            ],
        )
    with app.app_context():
        command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT day, term, searches FROM stats_search_term ORDER BY day, term")
        ).all()
    engine.dispose()
    assert [(str(day), term, n) for day, term, n in rows] == [
        ("2026-11-01", "dementie", 5),
        ("2026-11-01", "overig", 1),
        ("2026-11-01", "pgb", 4),
        ("2026-11-02", "overig", 5),
    ]
