"""`flask content check`: every problem in the content folder as `file:line: message`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.hub.checks import SiteRoutes
from app.hub.content import ContentStore, Problem

# Other features add checks of their own content files: fn(content_dir, site) -> [Problem].
EXTRA_CHECKS: list[Callable[[Path, object], list[Problem]]] = []


def register_check(check: Callable[[Path, object], list[Problem]]) -> None:
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


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
    """Check front matter, topics, slugs, aliases, links, anchors, alt texts, video blocks, and
    the other content files (questionnaire, shop catalogue)."""
    directory = (directory or Path(current_app.config["CONTENT_DIR"])).resolve()
    store = ContentStore(
        directory, current_app.extensions["site"], routes=SiteRoutes.for_app(current_app)
    )
    snapshot = store.snapshot()
    site = current_app.extensions["site"]
    problems = snapshot.problems + [p for check in EXTRA_CHECKS for p in check(directory, site)]
    for problem in problems:
        click.echo(str(problem))
    count = len(problems)
    noun = "probleem" if count == 1 else "problemen"
    click.echo(f"{len(snapshot.items)} bestanden gelezen, {count} {noun}", err=True)
    if count:
        raise SystemExit(1)
