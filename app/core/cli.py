"""Command-line jobs: database migrations and the demo data features bring."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlmodel import Session

from app import db
from app.config import PACKAGE_DIR

if TYPE_CHECKING:
    from alembic.config import Config

DemoLoader = Callable[[Session], list[str]]


def add_demo(app: Flask, loader: DemoLoader) -> None:
    """A feature adds demo data for `flask demo load` (`loader` creates what is missing and
    returns lines to print, e.g. logins)."""
    app.extensions.setdefault("demo_loaders", []).append(loader)


def alembic_config(app: Flask) -> Config:
    # Alembic is imported when a migration command runs, not when any command starts.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(PACKAGE_DIR / "migrations"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["engine"] = app.extensions["db_engine"]
    return config


@click.group("db", cls=AppGroup)
def db_cli() -> None:
    """Database migrations (Alembic)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from alembic import command

    command.upgrade(alembic_config(current_app), revision)
    click.echo(f"Database bijgewerkt tot {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def revision(message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    from alembic import command

    command.revision(alembic_config(current_app), message=message, autogenerate=True)


@click.group("demo", cls=AppGroup)
def demo_cli() -> None:
    """Demo data for the offline site (never in production)."""


@demo_cli.command("load")
def load() -> None:
    """Create the demo data every feature brings (safe to run again) and print the logins."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Demogegevens maken we nooit aan in productie.")
    session = db.session()
    for loader in current_app.extensions.get("demo_loaders", []):
        click.echo("")
        for line in loader(session):
            click.echo(line)
        session.commit()
    outbox = Path(current_app.config["OUTBOX_DIR"])
    click.echo(f"\nE-mail komt in {outbox} terecht (geen echte verzending).\n")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(demo_cli)
