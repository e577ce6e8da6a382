"""Everything the access page shows about one person, gathered once for the page and the download.

The access page (R1) and the ZIP (R2) both render an `Overview`, so the download holds what the
page shows: the registered data, who received it, every consent choice (also the cookie choices
made in the same browser before logging in), the request log, the notices to partners, the
derived profile with how recommendations are made, and the information art. 15 AVG requires
(purposes, recipients, retention, source, rights, and the route to the Autoriteit
Persoonsgegevens).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from app.accounts.models import User
from app.consent import gate
from app.consent import service as consent
from app.consent.models import ConsentRecord
from app.content import store as content
from app.privacy import data, requests, rights
from app.privacy.models import PartnerNotice, PrivacyRequest
from app.profile import service as profile_service
from app.profile.scoring import Profile
from app.shop import service as shop
from app.shop.models import Handoff, Order
from app.urls import public_url

AP_URL = "https://www.autoriteitpersoonsgegevens.nl/een-tip-of-klacht-indienen-bij-de-ap"
AUTHORITY = {
    "naam": "Autoriteit Persoonsgegevens",
    "online": AP_URL,
    "post": "Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag",
    "telefoon": "088 - 1805 250",
    "toelichting": (
        "Je mag een klacht indienen bij de Autoriteit Persoonsgegevens, de toezichthouder voor "
        "privacy in Nederland, ook zonder eerst bij ons te klagen (art. 77 AVG)."
    ),
}
# How recommendations are made (art. 15 lid 1 sub h AVG), as the statement explains it.
RECOMMENDATIONS = (
    "We kiezen artikelen en producten voor je uit alleen als je daar toestemming voor gaf. We "
    "kijken naar je antwoorden in de vragenlijst en naar de onderwerpen waarover je las. Een "
    "artikel of product dat beter bij die antwoorden en onderwerpen past, krijgt meer punten; "
    "alleen wat genoeg punten heeft, tonen we als aanbeveling. Antwoorden over gezondheid tellen "
    "alleen mee voor artikelen, met je aparte toestemming, nooit voor de winkel. Dit rekenen we "
    "zelf uit; een partner ziet je profiel nooit. Er volgen geen besluiten uit die rechtsgevolgen "
    "voor je hebben: een aanbeveling is alleen een suggestie, prijzen zijn voor iedereen gelijk."
)
# The rights (art. 12-22 AVG), each with how to use it here.
RIGHTS = (
    ("Inzage", "art. 15 AVG", "Bekijk al je gegevens in het privacycentrum, onder ‘Inzien’."),
    ("Correctie", "art. 16 AVG", "Verbeter je gegevens in het privacycentrum."),
    (
        "Verwijdering",
        "art. 17 AVG",
        "Verwijder je account in het privacycentrum; je bevestigt met je wachtwoord.",
    ),
    (
        "Beperking",
        "art. 18 AVG",
        "Laat de verwerking beperken in het privacycentrum: we bewaren je gegevens dan alleen.",
    ),
    ("Overdraagbaarheid", "art. 20 AVG", "Download je gegevens in het privacycentrum."),
    (
        "Bezwaar",
        "art. 21 AVG",
        "Maak bezwaar tegen aanbevelingen, direct marketing en het meten of je e-mail opent.",
    ),
    (
        "Toestemming intrekken",
        "art. 7 lid 3 AVG",
        "Trek elke toestemming apart in; wat we eerder deden blijft geldig, daarna stoppen we.",
    ),
    ("Klacht indienen", "art. 77 AVG", AUTHORITY["toelichting"]),
)


@dataclass
class Overview:
    user: User
    sections: list[data.Section]
    received: list[tuple[Handoff, Order]]
    consent_history: list[ConsentRecord]
    before_login: list[ConsentRecord]
    requests: list[PrivacyRequest]
    notices: list[PartnerNotice]
    profile: Profile
    personalise: bool
    partners: dict[str, str]


def cookie_choices_before_login(
    session: Session, user_id: int, consent_id: str | None = None
) -> list[ConsentRecord]:
    """Cookie choices without an account that carry a consent id of this person: the id in the
    browser's consent cookie (`consent_id`), or one of their own cookie choices while logged in
    (the id stays the same for one browser)."""
    ids = set(
        session.exec(
            select(ConsentRecord.consent_id).where(
                ConsentRecord.user_id == user_id, ConsentRecord.scope == consent.COOKIE_SCOPE
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
                ConsentRecord.user_id.is_(None),
                ConsentRecord.scope == consent.COOKIE_SCOPE,
                ConsentRecord.consent_id.in_(sorted(ids)),
            )
            .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        ).all()
    )


def received(session: Session, user_id: int) -> list[tuple[Handoff, Order]]:
    """Which partner received what, and when."""
    return list(
        session.exec(
            select(Handoff, Order)
            .join(Order, Order.id == Handoff.order_id)
            .where(Order.user_id == user_id)
            .order_by(Handoff.created_at.desc())
        )
    )


def gather(session: Session, user: User, *, consent_id: str | None = None) -> Overview:
    """Everything held about `user`. `consent_id` is the id in the browser's consent cookie,
    when the person asks from their own browser."""
    subject = gate.Subject(user=user, consents=consent.account_consents(session, user.id))
    personalise = gate.decide("personalisation", subject)
    health = gate.decide("health", subject)
    return Overview(
        user=user,
        sections=data.collect(session, user.id),
        received=received(session, user.id),
        consent_history=consent.history(session, user.id),
        before_login=cookie_choices_before_login(session, user.id, consent_id),
        requests=requests.of_user(session, user.id),
        notices=rights.notices_of(session, user.id),
        profile=profile_service.build_profile(
            session, user_id=user.id, personalise=personalise, health=health
        ),
        personalise=personalise,
        partners={slug: p.name for slug, p in shop.catalogue().partners.items()},
    )


def information(overview: Overview) -> dict:
    """The information art. 15 AVG requires beside the data itself, tailored to this person:
    per category that holds something of theirs its purpose, basis, recipients, retention and
    source; the partners that actually received data; profiling; rights; the complaint route."""
    org = content.site().organisation
    held = [s for s in overview.sections if s.rows]
    partners = sorted(
        {
            overview.partners.get(handoff.partner_slug, handoff.partner_slug)
            for handoff, _ in overview.received
            if handoff.status == "klaar"
        }
    )
    return {
        "verwerkingsverantwoordelijke": {
            "naam": org.legal_name,
            "adres": f"{org.street}, {org.postcode} {org.city}",
            "kvk": org.kvk,
            "e-mail over privacy": org.privacy_email,
        },
        "verwerkingen": [
            {
                "onderdeel": s.category.name,
                "tabel": s.category.table,
                "aantal": len(s.rows),
                "doel": s.category.purpose,
                "grondslag": s.category.legal_basis.value,
                "ontvangers": s.category.recipients,
                "bewaartermijn": s.category.retention.description,
                "herkomst": s.category.source.value,
                "bij verwijderen": s.category.erasure.value,
            }
            for s in held
        ],
        "ontvangers": {
            "partners die gegevens van je kregen": partners,
            "verwerkers": [
                "een hostingbedrijf in de Europese Unie (servers en database)",
                "een e-mailbedrijf (het versturen van e-mail)",
                "Mollie B.V. (betalingen; alleen bedrag en bestelnummer)",
            ],
            "buiten de Europese Unie": "niemand",
        },
        "profilering": {
            "aan": overview.personalise,
            "hoe aanbevelingen worden gemaakt": RECOMMENDATIONS,
        },
        "rechten": [
            {"recht": name, "artikel": article, "hoe": how} for name, article, how in RIGHTS
        ],
        "privacycentrum": public_url("privacy.centre"),
        "klacht": dict(AUTHORITY),
    }


def profile_rows(overview: Overview) -> list[dict]:
    """The derived profile as rows: each tag, its weight and the reason it is there."""
    return [
        {
            "kenmerk": tag,
            "gewicht": round(weight, 2),
            "reden": overview.profile.reasons.get(tag, ""),
        }
        for tag, weight in sorted(overview.profile.weights.items())
    ]
