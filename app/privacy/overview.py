"""Everything the access page shows about one person, gathered once for the page and the download.

The access page (R1) and the ZIP (R2) both render an `Overview`, so the download holds what the
page shows: the registered data category by category, what each feature adds (`Panel`s: who
received data, consent choices, the derived profile, ...), the request log, and the
information art. 15 AVG requires (purposes, recipients, retention, source, rights, and the
route to the Autoriteit Persoonsgegevens). Everything feature-specific comes from the features'
registrations (`app.core.personal_data`); this module knows no feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app
from sqlmodel import Session

from app.accounts.models import User
from app.content import store as content
from app.core.personal_data import Asking, Panel, handlers
from app.db import id_of
from app.privacy import data, requests
from app.privacy.models import PrivacyRequest
from app.privacy.processors import processors
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
    panels: list[Panel]
    requests: list[PrivacyRequest]


def gather(session: Session, user: User, *, cookies: Mapping[str, str] | None = None) -> Overview:
    """Everything held about `user`. `cookies` are the browser's, when the person asks from
    their own browser (a feature may find more with them, e.g. earlier cookie choices)."""
    asking = Asking(user=user, cookies=dict(cookies or {}))
    return Overview(
        user=user,
        sections=data.collect(session, id_of(user)),
        panels=[panel for handler in handlers() for panel in handler.panels(session, asking)],
        requests=requests.of_user(session, id_of(user)),
    )


def information(overview: Overview) -> dict:
    """The information art. 15 AVG requires beside the data itself, tailored to this person:
    per category that holds something of theirs its purpose, basis, recipients, retention and
    source; who actually received data; the processors; rights; the complaint route. Features
    add their part through their panels (e.g. the partners that received data, profiling)."""
    org = content.site().organisation
    held = [s for s in overview.sections if s.rows]
    info: dict = {
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
            "verwerkers": [f"{p.task}: {p.description}" for p in processors(current_app.config)],
            "buiten de Europese Unie": "niemand",
        },
    }
    for panel in overview.panels:
        for heading, part in panel.information.items():
            if isinstance(part, dict):
                info.setdefault(heading, {}).update(part)
            else:
                info[heading] = part
    info["rechten"] = [
        {"recht": name, "artikel": article, "hoe": how} for name, article, how in RIGHTS
    ]
    info["privacycentrum"] = public_url("privacy.centre")
    info["klacht"] = dict(AUTHORITY)
    return info
