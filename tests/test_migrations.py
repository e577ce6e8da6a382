"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.cli import alembic_config
from app.tables import metadata
from tests.conftest import EXTERNAL_DB, build_app


@pytest.fixture
def migration_url(tmp_path):
    if not EXTERNAL_DB:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    # A schema of its own on the PostgreSQL server, so the shared test tables stay untouched.
    schema = f"migrations_{os.getpid()}"
    admin = sa.create_engine(EXTERNAL_DB.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in EXTERNAL_DB else "?"
    yield f"{EXTERNAL_DB}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def test_migrations_match_the_models(tmp_path, migration_url):
    from alembic import command

    app = build_app(tmp_path, migration_url)
    command.upgrade(alembic_config(app), "head")
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        )
    assert diff == []
    # And they can be undone.
    command.downgrade(alembic_config(app), "base")
    with engine.connect() as connection:
        assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrade_twice_is_safe(tmp_path, migration_url):
    from alembic import command

    app = build_app(tmp_path, migration_url)
    command.upgrade(alembic_config(app), "head")
    command.upgrade(alembic_config(app), "head")
    app.extensions["db_engine"].dispose()


def test_orders_that_exist_get_their_own_random_key_and_paid_ones_their_payment(
    tmp_path, migration_url
):
    """The migration that gives orders a random key for Mollie fills it for orders made
    before it (each its own), and records which payment paid the paid ones."""
    from alembic import command
    from alembic.script import ScriptDirectory

    app = build_app(tmp_path, migration_url)
    config = alembic_config(app)
    before = ScriptDirectory.from_config(config).get_revision("5e1f0c2a9b7d").down_revision
    assert isinstance(before, str)  # one parent, no merge
    command.upgrade(config, before)
    engine = app.extensions["db_engine"]
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for number, status in ((1, "paid"), (2, "canceled"), (3, "pending")):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_order (id, number, checkout_token, status, total_cents, "
                    "payment_attempts, created_at, refunded_cents) "
                    "VALUES (:id, :number, :token, :status, 1000, 1, :now, 0)"
                ),
                {
                    "id": number,
                    "number": f"ZG-{number}",
                    "token": f"t{number}",
                    "status": status,
                    "now": now,
                },
            )
        for id_, mollie_id, status in ((1, "tr_open1", "open"), (2, "tr_paid1", "paid")):
            connection.execute(
                sa.text(
                    "INSERT INTO shop_payment (id, order_id, mollie_id, attempt, status, "
                    "amount_cents, created_at, updated_at) "
                    "VALUES (:id, 1, :mollie_id, :id, :status, 1000, :now, :now)"
                ),
                {"id": id_, "mollie_id": mollie_id, "status": status, "now": now},
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT idempotency_key, paid_with FROM shop_order ORDER BY id")
        ).all()
    keys = [key for key, _ in rows]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys) and len(set(keys)) == 3
    assert [paid_with for _, paid_with in rows] == ["tr_paid1", None, None]
    command.downgrade(config, before)
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("shop_order")}
    assert "idempotency_key" not in columns
    engine.dispose()
