"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import os

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
