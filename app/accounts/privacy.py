"""The account's part in the privacy centre (registered with `app.core.personal_data`): where
the person corrects what they gave at registration."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlmodel import Session

from app.accounts.models import Role
from app.core.personal_data import Correction, DataHandler


class AccountData(DataHandler):
    def corrections(self, session: Session, user: Any) -> list[Correction]:
        return [
            Correction("Je naam, telefoonnummer en situatie", url_for("accounts.account")),
            Correction("Je e-mailadres", url_for("accounts.change_email")),
        ]


def present_account(row: dict) -> dict:
    """The role in words ("mantelzorger"), not its stored value."""
    role = next((r for r in Role if r.value == row.get("role")), None)
    return {**row, "role": role.label if role else row.get("role")}
