"""`flask privacy retention [--dry-run]`: the retention job, for cron; and
`flask privacy replay-erasures`: repeat the ledger's erasures after restoring a backup."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import db
from app.audit import service as audit
from app.privacy import erasure, retention


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
        else:
            audit.record(
                db.session(),
                action=retention.RUN_ACTION,
                user_id=None,
                detail=f"{report.changes} wijziging(en)",
            )
            db.session().commit()
    finally:
        retention.release(engine, holder)
    if not dry_run:
        # Whatever an earlier erasure could not cut from SQLite's log (a busy moment) goes now.
        db.truncate_wal(engine)
    click.echo(report.text())


@privacy_cli.command("replay-erasures")
def replay_erasures() -> None:
    """Run right after restoring a database backup, before the site opens again: erase once
    more every account of the erasure ledger that the backup brought back."""
    result = erasure.replay_erasures(db.session())
    db.truncate_wal(db.engine())
    click.echo(result.text())
