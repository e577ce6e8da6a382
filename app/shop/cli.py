"""`flask shop sync` and `flask shop sync-payments`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import db
from app.payments.reconcile import reconcile
from app.shop import service


@click.group("shop", cls=AppGroup)
def shop_cli() -> None:
    """The shop's jobs."""


@shop_cli.command("sync")
def sync() -> None:
    """Copy the catalogue from content/winkel into the database."""
    counts = service.sync_catalogue(db.session())
    db.session().commit()
    words = {"partners": "partners", "products": "producten", "withdrawn": "uit het aanbod"}
    click.echo("Catalogus bijgewerkt: " + ", ".join(f"{v} {words[k]}" for k, v in counts.items()))


@shop_cli.command("sync-payments")
def sync_payments() -> None:
    """Ask Mollie about payments still open after 15 minutes (a missed webhook) and apply them;
    settle paid payments that did not settle their order (late or extra payments)."""
    counts = reconcile(db.session())
    words = {
        "checked": "nagekeken",
        "changed": "gewijzigd",
        "errors": "zonder antwoord van Mollie",
        "refunds": "terugbetalingen bijgewerkt",
        "extra": "dubbele betalingen",
    }
    click.echo("Betalingen: " + ", ".join(f"{v} {words[k]}" for k, v in counts.items()))
