"""The companies that handle personal data for us, as this installation is configured.

The privacy statement lists exactly these. They are read from the same settings the parts that
talk to them read: mail goes to an e-mail company only when SMTP_URL is set (otherwise it is
written to a folder on the server), and payments go to Mollie only when MOLLIE_API_ENDPOINT is
Mollie's API (otherwise to the local test sandbox, which is no company at all).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MOLLIE_HOSTS = ("api.mollie.com",)


@dataclass(frozen=True)
class Processor:
    key: str
    task: str
    description: str
    party: str = ""  # set when a processing agreement (verwerkersovereenkomst) binds it


HOSTING = Processor(
    key="hosting",
    task="Hosting",
    description=(
        "Een hostingbedrijf beheert de servers waarop de website en de database draaien. "
        "Die servers staan in de Europese Unie."
    ),
    party="het hostingbedrijf",
)
MOLLIE = Processor(
    key="mollie",
    task="Betalen",
    description=(
        "Mollie B.V. in Amsterdam handelt je betaling af. We sturen Mollie alleen het bedrag "
        "en je bestelnummer, niet je naam of e-mailadres. Wat je op de betaalpagina van Mollie "
        "invult, verwerkt Mollie onder eigen verantwoordelijkheid, als betaaldienst."
    ),
)
SANDBOX = Processor(
    key="betaal-test",
    task="Betalen",
    description=(
        "Deze installatie is een test: betalingen gaan naar een nagebootste betaaldienst op "
        "onze eigen server. Er wordt niet echt betaald en er gaat niets naar Mollie of een "
        "ander bedrijf."
    ),
)
LOCAL_MAIL = Processor(
    key="email-map",
    task="E-mail",
    description=(
        "Deze installatie verstuurt geen e-mail via een e-mailbedrijf: elk bericht wordt als "
        "bestand op onze eigen server bewaard."
    ),
)


def _email(smtp_url: str) -> Processor:
    host = urlsplit(smtp_url).hostname or "onbekend"
    return Processor(
        key="email",
        task="E-mail",
        description=f"Een e-mailbedrijf verstuurt onze e-mail, via de mailserver {host}.",
        party="het e-mailbedrijf",
    )


def processors(config: Mapping[str, Any]) -> list[Processor]:
    """Who processes personal data for this installation, from its settings."""
    found = [HOSTING, _email(config["SMTP_URL"]) if config.get("SMTP_URL") else LOCAL_MAIL]
    endpoint = urlsplit(config.get("MOLLIE_API_ENDPOINT") or "")
    found.append(MOLLIE if endpoint.hostname in MOLLIE_HOSTS else SANDBOX)
    return found
