"""`flask jobs run|work|status`: the worker that sends queued e-mail and other queued work; and
the queue's registration on the app."""

from __future__ import annotations

import signal
import time

import click
from flask import Flask
from flask.cli import AppGroup

from app import crypto, db
from app.core import personal_data
from app.jobs import models, service


@click.group("jobs", cls=AppGroup)
def jobs_cli() -> None:
    """The queue of e-mail and other work done after a request."""


@jobs_cli.command("run")
@click.option("--limit", default=500, show_default=True, help="Hoogstens zoveel taken.")
def run(limit: int) -> None:
    """Do every job that is due now, then stop (for cron, every minute)."""
    click.echo(f"Wachtrij: {service.run_due(limit=limit)}.")


@jobs_cli.command("work")
@click.option("--interval", default=2.0, show_default=True, help="Seconden tussen rondes.")
def work(interval: float) -> None:
    """Keep doing due jobs until stopped (Ctrl+C or SIGTERM finishes the current job first)."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    holder = service.new_holder()
    click.echo("De wachtrij wordt verwerkt (Ctrl+C stopt).")
    try:
        while not stopping:
            report = service.run_due(holder=holder)
            if report.done or report.retried or report.failed:
                click.echo(f"Wachtrij: {report}.")
            time.sleep(interval)
    except KeyboardInterrupt:
        pass


@jobs_cli.command("status")
def status() -> None:
    """How many jobs wait or were given up, per kind."""
    counts = service.counts(db.session())
    if not counts:
        click.echo("De wachtrij is leeg.")
    for name, number in sorted(counts.items()):
        click.echo(f"{name}: {number}")


def _present(row: dict) -> dict:
    """The status in words ("wacht op verzending"), not its stored value."""
    status = models.JobStatus.parse(row.get("status"))
    return {**row, "status": status.label if status else row.get("status")}


def init_app(app: Flask) -> None:
    crypto.register_column(app, "job_queue", "payload")
    personal_data.register(app, *models.PERSONAL_DATA, presenters={"job_queue": _present})
    app.cli.add_command(jobs_cli)
