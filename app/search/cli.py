"""`flask search reindex [--full]`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.search import service
from app.search.engine import IndexBusy


@click.group("search", cls=AppGroup)
def search_cli() -> None:
    """The search index."""


@search_cli.command("reindex")
@click.option("--full", is_flag=True, help="Rebuild the whole index instead of only what changed.")
def reindex(full: bool) -> None:
    """Index what changed (added, changed or removed documents), or everything with --full; the
    vectors of documents whose text changed are computed too (when the encoder is on)."""
    try:
        counts = service.reindex(full=full)
    except IndexBusy:
        raise click.ClickException(
            "Another process is writing the index; try again shortly."
        ) from None
    words = {
        "added": "toegevoegd",
        "changed": "gewijzigd",
        "removed": "verwijderd",
        "indexed": "opgenomen",
        "encoded": "vectoren berekend",
    }
    click.echo("Zoekindex bijgewerkt: " + ", ".join(f"{v} {words[k]}" for k, v in counts.items()))
