"""The consent log's part in the privacy centre (registered with `app.core.personal_data`):
every account consent with its label and date, withdrawing one (the log keeps the proof of
both), the analytical cookies of this browser, and the cookie choices this browser made before
logging in (same consent id, no account).

Features whose processing rests on a consent name its scope here (`add_scope_label`), e.g. the
shop for `partner:<slug>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, url_for
from sqlmodel import Session, col, select

from app.consent import gate, service
from app.consent.models import ConsentRecord
from app.consent.register import CONSENT_COOKIE, Category
from app.core.personal_data import Asking, ConsentLine, DataHandler, Panel, category_for

WITHDRAWAL_VERSION = "1"


def add_scope_label(app: Flask, prefix: str, label: Callable[[str], str]) -> None:
    """Scopes starting with `prefix` are named `label(rest of the scope)` (e.g. a partner)."""
    app.extensions.setdefault("consent_scope_labels", {})[prefix] = label


def label(scope: str) -> str:
    if scope in gate.ACCOUNT_PURPOSES:
        return gate.ACCOUNT_PURPOSES[scope]
    for prefix, name in current_app.extensions.get("consent_scope_labels", {}).items():
        if scope.startswith(prefix):
            return name(scope[len(prefix) :])
    return scope


def account_lines(session: Session, user_id: int) -> list[ConsentLine]:
    """Each account consent ever given, whether it still stands, and since when."""
    rows = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.scope != service.COOKIE_SCOPE)
        .order_by(col(ConsentRecord.at), col(ConsentRecord.id))
    ).all()
    state: dict[str, dict] = {}
    for row in rows:
        granted = row.accepted == row.scope
        line = state.setdefault(row.scope, {"granted": False, "given_at": None})
        if granted and not line["granted"]:
            line["given_at"] = row.at
        line["granted"], line["changed_at"] = granted, row.at
    lines = [ConsentLine(scope, label(scope), **values) for scope, values in state.items()]
    return sorted(lines, key=lambda line: (not line.granted, line.label))


def before_login(session: Session, user_id: int, consent_id: str | None) -> list[ConsentRecord]:
    """Cookie choices without an account that carry a consent id of this person: the id in the
    browser's consent cookie (`consent_id`), or one of their own cookie choices while logged in
    (the id stays the same for one browser)."""
    ids = set(
        session.exec(
            select(ConsentRecord.consent_id).where(
                ConsentRecord.user_id == user_id, ConsentRecord.scope == service.COOKIE_SCOPE
            )
        ).all()
    )
    if consent_id:
        ids.add(consent_id)
    if not ids:
        return []
    return list(
        session.exec(
            select(ConsentRecord)
            .where(
                col(ConsentRecord.user_id).is_(None),
                ConsentRecord.scope == service.COOKIE_SCOPE,
                col(ConsentRecord.consent_id).in_(sorted(ids)),
            )
            .order_by(col(ConsentRecord.at).desc(), col(ConsentRecord.id).desc())
        ).all()
    )


class ConsentData(DataHandler):
    def consents(self, session: Session, asking: Asking) -> list[ConsentLine]:
        lines = []
        if asking.browser:
            choice = service.read_choice(asking.cookies.get(CONSENT_COOKIE))
            on = bool(
                choice
                and choice.is_current()
                and choice.allows(Category.ANALYTICAL)
                and not asking.user.restricted
            )
            lines.append(
                ConsentLine(
                    service.COOKIE_SCOPE,
                    "Analytische cookies",
                    on,
                    explanation=(
                        "Anonieme bezoekersstatistieken van deze site, zonder koppeling met je "
                        "account."
                    ),
                    withdraw_url=url_for("consent.withdraw_cookies"),
                    change_url=url_for("consent.settings"),
                )
            )
        return lines + account_lines(session, asking.user.id)

    def withdraw(self, session: Session, user: Any, scope: str) -> str | None:
        current = service.account_consents(session, user.id).get(scope)
        if current is None or current.accepted != scope:
            return None
        name = label(scope)
        service.record_account_consent(
            session,
            user_id=user.id,
            scope=scope,
            granted=False,
            text=f"Toestemming ingetrokken: {name}",
            version=WITHDRAWAL_VERSION,
        )
        return f"ingetrokken: {name.lower()}"

    def panels(self, session: Session, asking: Asking) -> list[Panel]:
        user_id = asking.user.id
        category = category_for(ConsentRecord.__tablename__)
        if category is None:
            raise LookupError("the consent log's table is not registered")
        fields = dict(category.visible_fields)
        del fields["user_id"]
        earlier = before_login(session, user_id, _consent_id(asking))
        return [
            Panel(
                key="toestemmingen",
                title="Je keuzes over toestemming",
                template="consent/_privacy_history.html",
                context={"history": service.history(session, user_id)},
                export=False,  # the consent log's own file holds them
            ),
            Panel(
                key="cookiekeuzes-voor-inloggen",
                title="Cookiekeuzes van voordat je inlogde",
                template="consent/_privacy_before_login.html",
                rows=[{k: getattr(row, k) for k in fields} for row in earlier],
                fields=fields,
                purpose=category.purpose,
                source=(
                    "je keuzes in de cookiemelding, met hetzelfde keuzenummer als je "
                    "toestemmingscookie"
                ),
                context={"earlier": earlier},
            ),
        ]


def _consent_id(asking: Asking) -> str | None:
    choice = service.read_choice(asking.cookies.get(CONSENT_COOKIE))
    return choice.consent_id if choice else None
