"""Exercising rights: restriction (R5), objection (R6), withdrawal (R7) and rectification (R3),
with the notices partners must get (art. 19 AVG).

Every function logs the right in the request log. Staff pass `by` (their account) and the
`request` they are handling, so the action becomes that request's outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.accounts.models import User
from app.consent import gate
from app.consent import service as consent
from app.consent.models import ConsentRecord
from app.mail import service as mail
from app.privacy import requests
from app.privacy.models import PartnerNotice, PrivacyRequest
from app.shop.models import Handoff, Order

OBJECTIONS = {
    "profiling": (
        "objects_profiling",
        "Aanbevelingen op basis van je profiel",
        "We kiezen geen artikelen of producten meer voor je uit; je ziet de site zoals iedereen.",
    ),
    "marketing": (
        "objects_marketing",
        "Direct marketing, zoals de nieuwsbrief",
        "We sturen je geen nieuwsbrief of aanbiedingen meer.",
    ),
    "open_tracking": (
        "objects_open_tracking",
        "Meten of je onze e-mail opent",
        "In e-mail aan jou zit geen meetpixel meer.",
    ),
}
NOTICE_KINDS = {
    "correctie": "gegevens gecorrigeerd",
    "verwijdering": "gegevens verwijderen",
    "beperking": "verwerking beperkt: alleen bewaren",
    "opheffing": "beperking opgeheven",
    "intrekking": "toestemming ingetrokken: niets meer doorgeven of gebruiken",
}
ORDER_FIELDS = {
    "customer_name": "name",
    "customer_email": "email",
    "customer_phone": "phone",
    "street": "address",
    "house_number": "address",
    "postcode": "address",
    "city": "address",
}


# --- partners ----------------------------------------------------------------------------------


def partners_reached(session: Session, user_id: int) -> dict[str, list[str]]:
    """Partner -> the order numbers of this person whose data that partner received."""
    rows = session.exec(
        select(Handoff.partner_slug, Order.number)
        .join(Order, Order.id == Handoff.order_id)
        .where(Order.user_id == user_id, Handoff.status == "klaar")
        .order_by(Order.id)
    ).all()
    reached: dict[str, list[str]] = {}
    for slug, number in rows:
        reached.setdefault(slug, [])
        if number not in reached[slug]:
            reached[slug].append(number)
    return reached


def notify_partners(
    session: Session,
    *,
    user_id: int,
    kind: str,
    only: str | None = None,
    payloads: dict[str, dict] | None = None,
    reached: dict[str, list[str]] | None = None,
) -> list[PartnerNotice]:
    """One outbox row per partner that received data of this person (or only `only`)."""
    if kind not in NOTICE_KINDS:
        raise ValueError(kind)
    reached = partners_reached(session, user_id) if reached is None else reached
    notices = []
    for slug, numbers in reached.items():
        if only is not None and slug != only:
            continue
        notice = PartnerNotice(
            user_id=user_id,
            partner_slug=slug,
            kind=kind,
            order_numbers=",".join(numbers)[:400],
            payload=json.dumps((payloads or {}).get(slug, {}), ensure_ascii=False),
        )
        session.add(notice)
        notices.append(notice)
    return notices


def notices_of(session: Session, user_id: int) -> list[PartnerNotice]:
    return list(
        session.exec(
            select(PartnerNotice)
            .where(PartnerNotice.user_id == user_id)
            .order_by(PartnerNotice.created_at.desc(), PartnerNotice.id.desc())
        )
    )


def _told(notices: list[PartnerNotice]) -> str:
    if not notices:
        return ""
    names = ", ".join(sorted({n.partner_slug for n in notices}))
    return f"; partners ingelicht: {names}"


# --- restriction (art. 18) ---------------------------------------------------------------------


def set_restriction(
    session: Session,
    user: User,
    *,
    on: bool,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> bool:
    """Freeze processing to storage only, or lift that. Lifting is announced by e-mail.
    Returns False when nothing changed."""
    if user.restricted == on:
        return False
    user.restricted = on
    session.add(user)
    kind = "beperking" if on else "opheffing"
    notices = notify_partners(session, user_id=user.id, kind=kind)
    outcome = ("verwerking beperkt tot bewaren" if on else "beperking opgeheven") + _told(notices)
    requests.record_done(
        session, user_id=user.id, kind=kind, outcome=outcome, by=by, request=request
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
        user_id=user.id,
        kind="bezwaar",
        outcome=f"{'bezwaar gemaakt' if on else 'bezwaar ingetrokken'}: {label.lower()}",
        by=by,
        request=request,
    )
    return True


# --- consents (art. 7(3)) ----------------------------------------------------------------------


@dataclass
class ConsentLine:
    scope: str
    label: str
    granted: bool
    given_at: datetime | None
    changed_at: datetime


def _label(scope: str) -> str:
    if scope.startswith("partner:"):
        from app.shop import service as shop

        partner = shop.catalogue().partners.get(scope.split(":", 1)[1])
        name = partner.name if partner else scope.split(":", 1)[1]
        return f"Gegevens doorgeven aan {name} voor je bestelling"
    return gate.ACCOUNT_PURPOSES.get(scope, scope)


def consent_lines(session: Session, user_id: int) -> list[ConsentLine]:
    """Each account consent ever given, whether it still stands, and since when."""
    rows = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.user_id == user_id, ConsentRecord.scope != consent.COOKIE_SCOPE)
        .order_by(ConsentRecord.at, ConsentRecord.id)
    ).all()
    lines: dict[str, ConsentLine] = {}
    for row in rows:
        granted = row.accepted == row.scope
        line = lines.get(row.scope)
        if line is None:
            line = lines[row.scope] = ConsentLine(row.scope, _label(row.scope), False, None, row.at)
        if granted and not line.granted:
            line.given_at = row.at
        line.granted, line.changed_at = granted, row.at
    return sorted(lines.values(), key=lambda line: (not line.granted, line.label))


def withdraw(
    session: Session,
    user: User,
    *,
    scope: str,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> bool:
    """Withdraw one account consent; later processing stops, the earlier log stays.
    Returns False when there was nothing to withdraw."""
    current = consent.account_consents(session, user.id).get(scope)
    if current is None or current.accepted != scope:
        return False
    notices: list[PartnerNotice] = []
    if scope in ("health", "personalisation"):
        from app.profile import service as profile

        profile.set_consent(session, user=user, scope=scope, granted=False)
    else:
        text = f"Toestemming ingetrokken: {_label(scope)}"
        consent.record_account_consent(
            session, user_id=user.id, scope=scope, granted=False, text=text, version="1"
        )
        if scope.startswith("partner:"):
            notices = notify_partners(
                session, user_id=user.id, kind="intrekking", only=scope.split(":", 1)[1]
            )
    requests.record_done(
        session,
        user_id=user.id,
        kind="intrekking",
        outcome=f"ingetrokken: {_label(scope).lower()}{_told(notices)}",
        by=by,
        request=request,
    )
    return True


def record_cookie_withdrawal(session: Session, user: User) -> None:
    requests.record_done(
        session,
        user_id=user.id,
        kind="intrekking",
        outcome="toestemming voor analytische cookies ingetrokken",
    )


# --- rectification (art. 16) -------------------------------------------------------------------


def correctable_orders(session: Session, user_id: int) -> list[Order]:
    """Orders with contact or delivery details the caregiver gave."""
    return list(
        session.exec(
            select(Order)
            .where(Order.user_id == user_id, Order.number.is_not(None))
            .order_by(Order.id.desc())
        )
    )


def correct_order(
    session: Session,
    user: User,
    order: Order,
    values: dict[str, str | None],
    *,
    by: int | None = None,
    request: PrivacyRequest | None = None,
) -> list[str]:
    """Change the details on an order; partners that received them get the corrected values
    (only the fields each one received). Returns the changed column names."""
    changed = []
    for column, value in values.items():
        if column not in ORDER_FIELDS or getattr(order, column) is None:
            continue  # a detail that was never given is not added afterwards
        value = (value or "").strip() or None
        if value != getattr(order, column):
            setattr(order, column, value)
            changed.append(column)
    if not changed:
        return []
    session.add(order)
    handoffs = session.exec(
        select(Handoff).where(Handoff.order_id == order.id, Handoff.status == "klaar")
    ).all()
    current = {
        "name": order.customer_name,
        "email": order.customer_email,
        "phone": order.customer_phone,
        "address": " ".join(
            filter(None, [order.street, order.house_number, order.postcode, order.city])
        ),
    }
    touched = {ORDER_FIELDS[c] for c in changed}
    reached, payloads = {}, {}
    for handoff in handoffs:
        received = set(filter(None, handoff.fields.split(",")))
        if received & touched:
            reached[handoff.partner_slug] = [order.number]
            payloads[handoff.partner_slug] = {f: current[f] for f in sorted(received & touched)}
    notices = notify_partners(
        session, user_id=user.id, kind="correctie", payloads=payloads, reached=reached
    )
    requests.record_done(
        session,
        user_id=user.id,
        kind="correctie",
        outcome=f"gegevens bij bestelling {order.number} gecorrigeerd{_told(notices)}",
        by=by,
        request=request,
    )
    return changed
