"""`flask content check`: every problem in the content folder as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.hub.content import ContentStore


@click.group("content", cls=AppGroup)
def content_cli() -> None:
    """Tools for editors."""


@content_cli.command("check")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The content folder to check (default: CONTENT_DIR).",
)
def check(directory: Path | None) -> None:
    """Check front matter, topics, slugs, aliases, links, anchors, alt texts and video blocks."""
    directory = (directory or Path(current_app.config["CONTENT_DIR"])).resolve()
    store = ContentStore(directory, current_app.extensions["site"])
    snapshot = store.snapshot()
    for problem in snapshot.problems:
        click.echo(str(problem))
    count = len(snapshot.problems)
    noun = "probleem" if count == 1 else "problemen"
    click.echo(f"{len(snapshot.items)} bestanden gelezen, {count} {noun}", err=True)
    if count:
        raise SystemExit(1)
