"""`flask newsletter send SLUG [--dry-run]` and `flask newsletter rates`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import db
from app.newsletter import editions, sending, service

newsletter_cli = AppGroup("newsletter", help="De nieuwsbrief versturen en de cijfers bekijken.")


@newsletter_cli.command("send")
@click.argument("slug")
@click.option("--dry-run", is_flag=True, help="Alleen tellen wie hem zou krijgen.")
@click.option("--rate", type=float, default=None, help="Mails per seconde (deze worker).")
@click.option("--limit", type=int, default=None, help="Stop na zoveel mails.")
def send(slug: str, dry_run: bool, rate: float | None, limit: int | None) -> None:
    """Send edition SLUG (content/nieuwsbrieven/SLUG.md). Safe to run again after a crash, and
    on PostgreSQL in several processes at once: nobody gets it twice."""
    found = editions.current()
    edition = found.by_slug.get(slug)
    if edition is None:
        problems = [str(p) for p in found.problems if p.path.endswith(f"/{slug}.md")]
        raise click.ClickException(
            "\n".join([f"Geen bruikbare nieuwsbrief '{slug}' in content/nieuwsbrieven.", *problems])
        )
    report = sending.send(db.session(), edition, dry_run=dry_run, rate=rate, limit=limit)
    click.echo(report.text())
    if report.failed:
        raise SystemExit(1)


@newsletter_cli.command("rates")
def rates() -> None:
    """Per edition: sent, opened (counted per mail, nobody named)."""
    for rate in service.open_rates(db.session()):
        share = f"{rate.rate:.0%}" if rate.rate is not None else "-"
        click.echo(
            f"{rate.slug}\t{rate.sent} verstuurd\t{rate.opens} geopend\t{share}\t{rate.subject}"
        )
