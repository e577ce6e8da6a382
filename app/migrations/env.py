"""Alembic environment: the engine comes from the Flask app (or DATABASE_URL for plain alembic)."""

from __future__ import annotations

from alembic import context

from app.tables import metadata

config = context.config


def run_migrations() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from app.config import load_settings
        from app.db import make_engine

        engine = make_engine(load_settings().database_url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
