"""`flask shop sync`, `flask shop sync-payments`, `flask shop fiscal-export` and
`flask partners deliver`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app import db
from app.jobs import service as jobs
from app.payments.reconcile import reconcile
from app.shop import delivery, journal, service
from app.shop.invoices import INVOICE
from app.shop.money import VAT_RATES, comma_euros


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


@shop_cli.command("fiscal-export")
@click.option("--year", type=click.IntRange(2000, 2999), required=True, help="Het kalenderjaar.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Waar het CSV-bestand komt (standaard verkoopdagboek-JAAR.csv hier).",
)
def fiscal_export(year: int, out: Path | None) -> None:
    """Write the sales journal of YEAR as CSV and print the BTW totals per quarter."""
    found = journal.entries(db.session(), year)
    target = out or Path(journal.filename(year))
    target.write_text(journal.csv_text(found), encoding="utf-8", newline="")
    invoices = sum(1 for entry in found if entry.kind == journal.KINDS[INVOICE])
    click.echo(
        f"Verkoopdagboek {year}: {invoices} facturen en {len(found) - invoices} creditnota's "
        f"in {target}"
    )
    click.echo("Btw-aangifte per kwartaal (in euro; creditnota's zijn al afgetrokken):")
    for quarter in journal.quarters(found):
        click.echo(f"Kwartaal {quarter.number}")
        for rate in VAT_RATES:
            click.echo(
                f"  {journal.RUBRIEKEN[rate]}: omzet {comma_euros(quarter.net[rate])}"
                + (f", btw {comma_euros(quarter.vat[rate])}" if rate else "")
            )
        click.echo(f"  totaal btw: {comma_euros(quarter.vat_cents)}")
    click.echo(journal.ZERO_RATE_NOTE)


@click.group("partners", cls=AppGroup)
def partners_cli() -> None:
    """Deliveries to partners."""


@partners_cli.command("deliver")
@click.option("--limit", default=500, show_default=True, help="Hoogstens zoveel verzendingen.")
def deliver(limit: int) -> None:
    """Send every delivery to partners that is due now, then stop (for cron, every minute;
    `flask jobs work` sends them too)."""
    report = jobs.run_due(limit=limit, only=(delivery.KIND,))
    click.echo(f"Verzending aan partners: {report}.")
