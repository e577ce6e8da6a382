"""Command-line jobs: database migrations and the demo accounts."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

from app import db
from app.accounts import service as accounts
from app.accounts.models import Role
from app.config import PROJECT_ROOT

DEMO_ACCOUNTS = (
    (Role.CAREGIVER, "Anna de Vries", "mantelzorger@example.nl", "zorgen-voor-mama-2026"),
    (Role.STAFF, "Jeroen Bakker", "makelaar@example.nl", "hulplijn-dienst-2026"),
    (Role.EDITOR, "Fatima El Amrani", "redactie@example.nl", "artikelen-schrijven-2026"),
    (Role.ADMIN, "Sanne Visser", "beheer@example.nl", "beheer-van-het-platform-2026"),
)


def alembic_config(app: Flask) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["engine"] = app.extensions["db_engine"]
    return config


@click.group("db", cls=AppGroup)
def db_cli() -> None:
    """Database migrations (Alembic)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    command.upgrade(alembic_config(current_app), revision)
    click.echo(f"Database bijgewerkt tot {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(current_app), message=message, autogenerate=True)


@click.group("demo", cls=AppGroup)
def demo_cli() -> None:
    """Demo data for the offline site (never in production)."""


@demo_cli.command("load")
def load() -> None:
    """Create the demo accounts (safe to run again) and print their logins."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Demo accounts are never created in production.")
    session = db.session()
    click.echo("\nDemo-accounts (alleen voor de lokale demo):")
    for role, name, email, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(session, email) is None:
            accounts.register_user(
                session,
                name=name,
                email=email,
                password=password,
                role=role,
                verified=True,
                situation="Demo-account." if role is Role.CAREGIVER else "",
            )
        click.echo(f"  {role.label:<20} {email:<28} wachtwoord: {password}")
    session.commit()
    outbox = Path(current_app.config["OUTBOX_DIR"])
    click.echo(f"\nE-mail komt in {outbox} terecht (geen echte verzending).\n")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_cli)
