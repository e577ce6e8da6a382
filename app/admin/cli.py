"""`flask admin grant EMAIL`: make an existing account an administrator (a deployment step)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import db
from app.accounts import service as accounts
from app.admin import service


@click.group("admin", cls=AppGroup)
def admin_cli() -> None:
    """Beheerders."""


@admin_cli.command("grant")
@click.argument("email")
def grant(email: str) -> None:
    """Maak het account met dit e-mailadres beheerder."""
    session = db.session()
    user = accounts.find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"Er is geen account met het e-mailadres {email}.")
    service.make_admin(session, user)
    session.commit()
    click.echo(f"{user.email} is nu beheerder.")
