"""The demo accounts of `make run` (never in production: `flask demo load` refuses there)."""

from __future__ import annotations

import click
import pyotp
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import Session

from app.accounts import service, two_factor
from app.accounts.models import Role

DEMO_ACCOUNTS = (
    (Role.CAREGIVER, "Anna de Vries", "mantelzorger@example.nl", "zorgen-voor-mama-2026"),
    (Role.STAFF, "Jeroen Bakker", "makelaar@example.nl", "hulplijn-dienst-2026"),
    (Role.EDITOR, "Fatima El Amrani", "redactie@example.nl", "artikelen-schrijven-2026"),
    (Role.ADMIN, "Sanne Visser", "beheer@example.nl", "beheer-van-het-platform-2026"),
)
# The demo staff and administrator log in with a second step too: these development secrets
# go into an authenticator app, or `flask demo code EMAIL` prints the current code.
DEMO_SECRETS = {
    "makelaar@example.nl": "JBSWY3DPEHPK3PXPZORGGENOOTDEMO22",
    "beheer@example.nl": "KRUGKIDROVUWG2ZAMJZG653OEBTG6ZBA",
}


def load(session: Session) -> list[str]:
    """Create the demo accounts that are missing; returns the lines that print their logins."""
    lines = ["Demo-accounts (alleen voor de lokale demo):"]
    for role, name, email, password in DEMO_ACCOUNTS:
        user = service.find_by_email(session, email)
        if user is None:
            user = service.register_user(
                session,
                name=name,
                email=email,
                password=password,
                role=role,
                verified=True,
            )
            session.flush()
        lines.append(f"  {role.label:<20} {email:<28} wachtwoord: {password}")
        secret = DEMO_SECRETS.get(email)
        if secret and not two_factor.enrolled(session, user):
            two_factor.enrol_with(session, user, secret)
    lines.append("")
    lines.append("Medewerkers en beheerders loggen in met een tweede stap: de code uit een app.")
    lines.append("  `flask demo code EMAIL` toont de code van nu, of zet de sleutel in een app:")
    for email, secret in DEMO_SECRETS.items():
        lines.append(f"  {email:<28} sleutel: {secret}")
    return lines


@click.command("code")
@click.argument("email")
@with_appcontext
def code_command(email: str) -> None:
    """Toon de code van nu voor een demo-medewerker (alleen voor de lokale demo)."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("Demo-codes bestaan niet in productie.")
    secret = DEMO_SECRETS.get(email.strip().lower())
    if secret is None:
        raise click.ClickException(f"Geen demo-account met tweede stap: {email}")
    click.echo(pyotp.TOTP(secret).now())
