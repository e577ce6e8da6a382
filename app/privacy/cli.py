"""`flask privacy retention [--dry-run]`: the retention job, for cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import db
from app.privacy import retention


@click.group("privacy", cls=AppGroup)
def privacy_cli() -> None:
    """Privacy jobs."""


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Alleen laten zien wat er zou gebeuren.")
def run_retention(dry_run: bool) -> None:
    """Apply every retention period in the registry and print what was (or would be) done."""
    engine = db.engine()
    holder = retention.new_holder()
    if not retention.acquire(engine, holder, db.utcnow()):
        click.echo("De bewaartermijn-taak draait al op een andere machine; er is niets gedaan.")
        return
    try:
        report = retention.run(db.session(), dry_run=dry_run)
        if dry_run:
            db.session().rollback()
    finally:
        retention.release(engine, holder)
    click.echo(report.text())
