"""`flask keys rotate`: re-encrypt every encrypted value with the newest key."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import crypto, db


@click.group("keys", cls=AppGroup)
def keys_cli() -> None:
    """Encryption keys (ENCRYPTION_KEYS)."""


@keys_cli.command("rotate")
def rotate() -> None:
    """Re-encrypt every encrypted value in the database with the newest key.

    Put the new key first in ENCRYPTION_KEYS and keep the old ones behind it, run this, then
    remove the old keys. Covers every column declared with crypto.register_column (health
    answers in the questionnaire and their labels), and wraps the data keys in the key store
    (what was told the Hulplijn) with the newest key. Values already encrypted with the newest
    key are skipped, so running it again is harmless. Privacy downloads in instance/exports are not
    re-encrypted: they are removed after 7 days, so keep the old key at least that long (or
    delete those files).
    """
    session = db.session()
    result = crypto.rotate_all(session)
    if result.unreadable:
        session.rollback()
        raise click.ClickException(
            f"{len(result.unreadable)} waarde(n) zijn met geen enkele sleutel te ontsleutelen; "
            "er is niets gewijzigd. Welke: " + ", ".join(result.unreadable[:20])
        )
    session.commit()
    rewrapped = crypto.rewrap_keys()
    click.echo(
        f"{result.rotated} waarde(n) opnieuw versleuteld met de nieuwste sleutel; "
        f"{result.already_current} waren dat al. {rewrapped} sleutel(s) in de sleutelopslag "
        "opnieuw ingepakt."
    )
