"""`flask stats aggregate`: compute the public figures (run nightly, e.g. from cron)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app import db
from app.core.formatting import AMSTERDAM
from app.dashboard import service
from app.db import utcnow


@click.group("stats", cls=AppGroup)
def stats_cli() -> None:
    """The public figures on /cijfers."""


@stats_cli.command("aggregate")
def aggregate() -> None:
    """Count, suppress small numbers and publish every registered series.

    Reads each feature's counts through its registered series provider and writes only the
    result (rounded to 5, counts of 1 to 9 held back) to the published tables; /cijfers shows
    nothing else. Run it nightly; running it twice on one day gives the same figures."""
    today = utcnow().astimezone(AMSTERDAM).date()
    done = service.aggregate(db.session(), current_app, today=today)
    for key, periods in done.items():
        click.echo(f"{key}: {periods} maand(en) gepubliceerd")
