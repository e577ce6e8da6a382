"""The Hulplijn's part in the privacy centre: the explanation shown decrypted to its owner, the
explicit consent for it, and what withdrawing that consent removes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from sqlmodel import Session

from app import crypto
from app.consent import service as consent
from app.core.personal_data import (
    Asking,
    ConsentLine,
    Correction,
    DataHandler,
    Panel,
    RetentionLine,
)
from app.helpline import dossier, retention, service
from app.helpline.models import (
    DOSSIER_DATA,
    DOSSIER_YEARS,
    KEEP_DAYS,
    PERSONAL_DATA,
    CallMoment,
    Channel,
    HelpKind,
    HelpSource,
    HelpStatus,
    QuestionStatus,
)

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


def _labelled(shown: dict, kinds: dict) -> dict:
    for key, kind in kinds.items():
        member = kind.parse(shown.get(key))
        if member is not None:
            shown[key] = member.label
    return shown


def _unsealed(*columns: str, labels: dict | None = None):
    """A presenter for a dossier table: these columns opened with the dossier's key."""

    def present_row(row: dict) -> dict:
        shown = dict(row)
        owner = shown.get("client_id", shown.get("id"))
        for column in columns:
            shown[column] = dossier.unseal(owner, shown.get(column) or "")
        return _labelled(shown, labels or {})

    return present_row


DOSSIER_PRESENTERS = {
    "helpline_client": _unsealed("name", "phone", "email", "insurer", "policy_number"),
    "helpline_question": _unsealed("description", labels={"status": QuestionStatus}),
    "helpline_contact": _unsealed("summary", "notes", labels={"channel": Channel}),
    "helpline_document": _unsealed("filename"),
}


class HelplineData(DataHandler):
    def panels(self, session: Session, asking: Asking) -> list[Panel]:
        clients = dossier.of_account(session, asking.user.id)
        documents = [d for c in clients for d in dossier.documents(session, c)]
        if not documents:
            return []

        def file_name(document: Any) -> str:
            return f"{document.id}-{dossier.document_name(document)}"

        def files() -> dict[str, bytes]:
            return {file_name(d): dossier.document_content(d) for d in documents}

        return [
            Panel(
                key="hulplijn-documenten",
                title="Documenten in je dossier bij de Hulplijn",
                template="helpline/_documents_panel.html",
                rows=[
                    {
                        "id": d.id,
                        "filename": dossier.document_name(d),
                        "size": d.size,
                        "file": file_name(d),
                    }
                    for d in documents
                ],
                fields={"id": "nummer", "filename": "bestandsnaam", "size": "grootte (bytes)"},
                export=False,
                attachments=files,
            )
        ]

    def corrections(self, session: Session, user: Any) -> list[Correction]:
        if not dossier.of_account(session, user.id):
            return []
        return [Correction("Je dossier bij de Hulplijn", url_for("helpline.mine") + "#correctie")]

    def restriction_changed(self, session: Session, user: Any, *, on: bool) -> str | None:
        clients = dossier.of_account(session, user.id)
        for client in clients:
            client.frozen = on
            session.add(client)
        if not clients:
            return None
        return "dossier bij de Hulplijn bevroren" if on else "dossier bij de Hulplijn weer open"

    def before_erasure(self, session: Session, user: Any) -> str | None:
        count = dossier.erase(session, dossier.of_account(session, user.id))
        return f"dossier bij de Hulplijn gewist, met de sleutel ervan ({count})" if count else None

    def retention(self, session: Session, *, now: datetime, dry_run: bool) -> list[RetentionLine]:
        requests, clients = PERSONAL_DATA[0], DOSSIER_DATA[0]
        loose = retention.loose_requests(session, now=now, dry_run=dry_run)
        expired, warned = retention.dossiers(session, now=now, dry_run=dry_run)
        verb = "zou(den) worden verwijderd" if dry_run else "verwijderd"
        return [
            RetentionLine(requests, loose, f"{verb} ({KEEP_DAYS} dagen, zonder dossier)"),
            RetentionLine(
                clients, expired, f"{verb} ({DOSSIER_YEARS} jaar na afronding of laatste contact)"
            ),
            RetentionLine(clients, warned, "waarschuwing(en) verstuurd, 4 weken vooraf"),
        ]

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
