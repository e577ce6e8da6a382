"""`flask content check`: every problem in the content folder as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.content import store


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
    """Check site.toml, the articles, videos and pages (front matter, topics, slugs, aliases,
    links, anchors, alt texts, video blocks), the shop catalogue and the questionnaire."""
    directory = (directory or Path(current_app.config["CONTENT_DIR"])).resolve()
    problems, checked = store.store().check(directory)
    for problem in problems:
        click.echo(str(problem))
    count = len(problems)
    noun = "probleem" if count == 1 else "problemen"
    files = sum(len(checked.files(name)) for name in checked.sources)
    click.echo(f"{files} bestanden gelezen, {count} {noun}", err=True)
    if count:
        raise SystemExit(1)
