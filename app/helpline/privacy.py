"""The Hulplijn's part in the privacy centre: the explanation shown decrypted to its owner, the
explicit consent for it, and what withdrawing that consent removes."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlmodel import Session

from app import crypto
from app.consent import service as consent
from app.core.personal_data import Asking, ConsentLine, DataHandler
from app.helpline import service
from app.helpline.models import CallMoment, HelpKind, HelpSource, HelpStatus

CONSENT_LABEL = "Je uitleg aan de Hulplijn over je situatie (gezondheid)"


def present(row: dict) -> dict:
    """A stored request as its owner reads it: the explanation decrypted, words for codes."""
    shown = dict(row)
    if shown.get("explanation"):
        shown["explanation"] = crypto.unseal(service.sealed_as(shown["id"]), shown["explanation"])
    for key, kind in (
        ("kind", HelpKind),
        ("moment", CallMoment),
        ("source", HelpSource),
        ("status", HelpStatus),
    ):
        member = kind.parse(shown.get(key))
        if member is not None:
            shown[key] = member.label
    return shown


class HelplineData(DataHandler):
    def consents(self, session: Session, asking: Asking) -> list[ConsentLine]:
        record = consent.account_consents(session, asking.user.id).get(service.CONSENT_SCOPE)
        if record is None:
            return []
        granted = bool(record.accepted)
        return [
            ConsentLine(
                scope=service.CONSENT_SCOPE,
                label=CONSENT_LABEL,
                granted=granted,
                given_at=record.at if granted else None,
                changed_at=record.at,
                explanation=(
                    "Trek je deze toestemming in, dan verwijderen we je uitleg. Je vraag zelf "
                    "blijft staan, zodat we je nog kunnen terugbellen."
                ),
                change_url=url_for("helpline.contact"),
            )
        ]

    def withdraw(self, session: Session, user: Any, scope: str) -> str | None:
        if scope != service.CONSENT_SCOPE:
            return None
        count = service.forget_explanations(session, user.id)
        return f"uitleg aan de Hulplijn verwijderd ({count})" if count else None
