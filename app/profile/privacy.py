"""The profile's part in the privacy centre (registered with `app.core.personal_data`): the
derived profile and how recommendations are made, correcting answers, and what withdrawing the
health or personalisation consent deletes."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlmodel import Session

from app.accounts.models import Role
from app.consent import gate
from app.consent import service as consent
from app.core.personal_data import Asking, Correction, DataHandler, Panel
from app.profile import service

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


class ProfileData(DataHandler):
    def panels(self, session: Session, asking: Asking) -> list[Panel]:
        user = asking.user
        subject = gate.Subject(user=user, consents=consent.account_decisions(session, user.id))
        personalise = gate.decide("personalisation", subject)
        profile = service.build_profile(
            session,
            user_id=user.id,
            personalise=personalise,
            health=gate.decide("health", subject),
        )
        rows = [
            {"kenmerk": tag, "gewicht": round(weight, 2), "reden": profile.reasons.get(tag, "")}
            for tag, weight in sorted(profile.weights.items())
        ]
        return [
            Panel(
                key="profiel-en-aanbevelingen",
                title="Je profiel en hoe we aanbevelingen maken",
                template="profile/_privacy_profile.html",
                rows=rows,
                fields={
                    "kenmerk": "een kenmerk uit je profiel (een onderwerp of een situatie)",
                    "gewicht": "hoe zwaar het meetelt, van 0 tot 1",
                    "reden": "waarom het in je profiel staat",
                },
                purpose="Artikelen en producten voor je uitkiezen (alleen met je toestemming).",
                source="afgeleid uit je antwoorden in de vragenlijst en wat je las",
                meta={"personalised": personalise, "how_recommendations_are_made": RECOMMENDATIONS},
                information={
                    "profilering": {
                        "aan": personalise,
                        "hoe aanbevelingen worden gemaakt": RECOMMENDATIONS,
                    }
                },
                context={"profile": profile, "personalise": personalise},
            )
        ]

    def withdraw(self, session: Session, user: Any, scope: str) -> str | None:
        if not service.forget_for_withdrawal(session, user_id=user.id, scope=scope):
            return None
        if scope == "health":
            return "antwoorden over gezondheid verwijderd"
        return "wat we bijhielden over wat je las verwijderd"

    def corrections(self, session: Session, user: Any) -> list[Correction]:
        if not user.has_role(Role.CAREGIVER):
            return []
        return [Correction("Je antwoorden in de vragenlijst", url_for("profile.overview"))]
