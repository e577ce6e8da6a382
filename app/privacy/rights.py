"""Exercising rights: restriction (R5), objection (R6), withdrawal (R7) and the corrections a
person can make (R3). What each feature must do as well (tell partners, delete answers that
rested on a consent) comes from its registered handler (`app.core.personal_data`).

Every function logs the right in the request log. Staff pass `by` (their account) and the
`request` they are handling, so the action becomes that request's outcome.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session

from app.accounts.models import User
from app.core.personal_data import Asking, ConsentLine, Correction, handlers
from app.db import id_of
from app.mail import service as mail
from app.privacy import requests
from app.privacy.models import PrivacyRequest, RequestKind

OBJECTIONS = {
    "profiling": (
        "objects_profiling",
        "Aanbevelingen op basis van het profiel",
        "We kiezen geen artikelen of producten meer voor je uit; je ziet de site zoals iedereen.",
    ),
    "marketing": (
        "objects_marketing",
        "Direct marketing, zoals de nieuwsbrief",
        "We sturen je geen nieuwsbrief of aanbiedingen meer.",
    ),
    "open_tracking": (
        "objects_open_tracking",
        "Meten of onze e-mail wordt geopend",
        "In e-mail aan jou zit geen meetpixel meer.",
    ),
}


def _joined(first: str, notes: list[str | None]) -> str:
    return "; ".join([first, *(note for note in notes if note)])


# --- restriction (art. 18) ---------------------------------------------------------------------


def set_restriction(
    session: Session,
    user: User,
    *,
    on: bool,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> bool:
    """Freeze processing to storage only, or lift that; every feature is told (partners that
    received data hear it from the shop). Lifting is announced by e-mail. Returns False when
    nothing changed."""
    if user.restricted == on:
        return False
    user.restricted = on
    session.add(user)
    notes = [handler.restriction_changed(session, user, on=on) for handler in handlers()]
    outcome = _joined("verwerking beperkt tot bewaren" if on else "beperking opgeheven", notes)
    requests.record_done(
        session,
        user_id=id_of(user),
        kind=RequestKind.RESTRICTION if on else RequestKind.LIFTING,
        outcome=outcome,
        by=by,
        request=request,
    )
    if not on:
        mail.send(
            session,
            to=user.email,
            user_id=user.id,
            subject="De beperking van je gegevens is opgeheven",
            template="privacy_restriction_lifted",
            user=user,
        )
    return True


# --- objection (art. 21) -----------------------------------------------------------------------


def set_objection(
    session: Session,
    user: User,
    *,
    kind: str,
    on: bool,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> bool:
    attribute, label, _ = OBJECTIONS[kind]
    if getattr(user, attribute) == on:
        return False
    setattr(user, attribute, on)
    session.add(user)
    requests.record_done(
        session,
        user_id=id_of(user),
        kind=RequestKind.OBJECTION,
        outcome=f"{'bezwaar gemaakt' if on else 'bezwaar ingetrokken'}: {label.lower()}",
        by=by,
        request=request,
    )
    return True


# --- consents (art. 7(3)) ----------------------------------------------------------------------


def consent_lines(
    session: Session, user: User, *, cookies: Mapping[str, str] | None = None
) -> list[ConsentLine]:
    """Every consent of the person, from every feature; with `cookies` (the person's own
    browser) also what that browser chose."""
    asking = Asking(user=user, browser=cookies is not None, cookies=dict(cookies or {}))
    return [line for handler in handlers() for line in handler.consents(session, asking)]


def withdraw(
    session: Session,
    user: User,
    *,
    scope: str,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> bool:
    """Withdraw one consent of the account; later processing stops, the earlier log stays.
    Returns False when there was nothing to withdraw."""
    if not any(line.scope == scope and line.granted for line in consent_lines(session, user)):
        return False
    notes = [handler.withdraw(session, user, scope) for handler in handlers()]
    outcome = "; ".join(note for note in notes if note) or f"ingetrokken: {scope}"
    requests.record_done(
        session,
        user_id=id_of(user),
        kind=RequestKind.WITHDRAWAL,
        outcome=outcome,
        by=by,
        request=request,
    )
    return True


# --- rectification (art. 16) -------------------------------------------------------------------


def corrections(session: Session, user: User) -> list[Correction]:
    """Every place the person can correct what a feature holds."""
    return [item for handler in handlers() for item in handler.corrections(session, user)]
