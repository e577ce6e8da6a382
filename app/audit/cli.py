"""`flask audit verify`: check the access log's hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import db
from app.audit import access

audit_cli = AppGroup("audit", help="Het toegangslogboek controleren.")


@audit_cli.command("verify")
def verify() -> None:
    """Controleer de keten van het toegangslogboek; meldt de eerste regel die niet klopt."""
    verdict = access.verify(db.session())
    if verdict.ok:
        click.echo(f"Het toegangslogboek klopt: {verdict.checked} regels gecontroleerd.")
        return
    click.echo(
        f"Het toegangslogboek klopt niet vanaf regel {verdict.broken_at}: {verdict.problem} "
        f"({verdict.checked} regels ervoor kloppen).",
        err=True,
    )
    raise SystemExit(1)
