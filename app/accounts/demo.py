"""The demo accounts of `make run` (never in production: `flask demo load` refuses there)."""

from __future__ import annotations

from sqlmodel import Session

from app.accounts import service
from app.accounts.models import Role

DEMO_ACCOUNTS = (
    (Role.CAREGIVER, "Anna de Vries", "mantelzorger@example.nl", "zorgen-voor-mama-2026"),
    (Role.STAFF, "Jeroen Bakker", "makelaar@example.nl", "hulplijn-dienst-2026"),
    (Role.EDITOR, "Fatima El Amrani", "redactie@example.nl", "artikelen-schrijven-2026"),
    (Role.ADMIN, "Sanne Visser", "beheer@example.nl", "beheer-van-het-platform-2026"),
)


def load(session: Session) -> list[str]:
    """Create the demo accounts that are missing; returns the lines that print their logins."""
    lines = ["Demo-accounts (alleen voor de lokale demo):"]
    for role, name, email, password in DEMO_ACCOUNTS:
        if service.find_by_email(session, email) is None:
            service.register_user(
                session,
                name=name,
                email=email,
                password=password,
                role=role,
                verified=True,
            )
        lines.append(f"  {role.label:<20} {email:<28} wachtwoord: {password}")
    return lines
