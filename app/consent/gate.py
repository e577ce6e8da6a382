"""The consent gate: the one place that decides whether a processing that needs permission may
happen. Features ask `allows(purpose)`; nothing else decides.

Purposes:
- `analytics`        first-party statistics (cookie choice, analytical category)
- `personalisation`  recommendations from the profile (account consent; objection stops it)
- `health`           health data in the profile (explicit account consent, art. 9)
- `newsletter`       direct marketing by e-mail (account consent; objection stops it)
- `statistics`       questionnaire answers counted in the public figures (account consent)
- `newsletter:<topic>` the newsletter's news about one topic (newsletter allowed, and that topic)
- `open_tracking`    counting newsletter opens (newsletter allowed and no objection)
- `partner:<slug>`   handing data to one shop partner (account consent per partner)

Restriction of processing (art. 18) answers no to all of them for that account. Someone who
subscribed to the newsletter with only an e-mail address is a subject without an account
(`address_only`): the newsletter purposes are decided from the consents of that subscription.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Protocol

from flask import g, request
from flask_login import current_user

from app import db
from app.accounts.models import User
from app.consent import service
from app.consent.register import CONSENT_COOKIE, Category

ACCOUNT_PURPOSES = {
    "personalisation": "Aanbevelingen op basis van het profiel",
    "health": "Gezondheidsgegevens gebruiken voor passende aanbevelingen",
    "newsletter": "De nieuwsbrief ontvangen",
    "statistics": "Antwoorden laten meetellen in Zorggenoot in cijfers",
}


class Decision(Protocol):
    """The newest consent decision of one scope: what it accepted ("" for a refusal)."""

    @property
    def accepted(self) -> str: ...


class UnknownPurpose(ValueError):
    """A purpose the gate does not know: a programming error, never a silent yes."""


@dataclass
class Subject:
    """Everything the gate knows about who is asking."""

    choice: service.CookieChoice | None = None
    user: User | None = None
    consents: Mapping[str, Decision] = field(default_factory=dict)
    # A newsletter subscriber without an account, and their own objection to counting opens.
    address_only: bool = False
    objects_open_tracking: bool = False

    # The account's consents, read when first needed (statistics, asked on every page, need
    # only the cookie choice).
    load_consents: Callable[[], Mapping[str, Decision]] | None = field(default=None, repr=False)

    def granted(self, scope: str) -> bool:
        if self.load_consents is not None:
            self.consents, self.load_consents = self.load_consents(), None
        row = self.consents.get(scope)
        return bool(row and row.accepted == scope)


def decide(purpose: str, subject: Subject) -> bool:
    """Whether `purpose` may happen for `subject` (pure: no request, no database)."""
    user = subject.user
    restricted = bool(user and user.restricted)
    if purpose == "analytics":
        choice = subject.choice
        return (
            bool(choice and choice.is_current() and choice.allows(Category.ANALYTICAL))
            and not restricted
        )
    newsletter = purpose in ("newsletter", "open_tracking") or purpose.startswith("newsletter:")
    if purpose not in ACCOUNT_PURPOSES and not newsletter and not purpose.startswith("partner:"):
        raise UnknownPurpose(purpose)
    if restricted:
        return False
    if user is None:
        if not (subject.address_only and newsletter):
            return False
        objects_marketing, objects_opens = False, subject.objects_open_tracking
    else:
        objects_marketing, objects_opens = user.objects_marketing, user.objects_open_tracking
    if purpose == "personalisation":
        return bool(user and subject.granted("personalisation") and not user.objects_profiling)
    if purpose == "newsletter":
        return subject.granted("newsletter") and not objects_marketing
    if purpose.startswith("newsletter:"):
        return decide("newsletter", subject) and subject.granted(purpose)
    if purpose == "open_tracking":
        return decide("newsletter", subject) and not objects_opens
    return subject.granted(purpose)


def current_subject() -> Subject:
    """The subject of this request (the account's consents are read at most once per request)."""
    if "consent_subject" not in g:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        load = partial(service.account_decisions, db.session(), user.id) if user else None
        g.consent_subject = Subject(
            choice=service.read_choice(request.cookies.get(CONSENT_COOKIE)),
            user=user,
            load_consents=load,
        )
    return g.consent_subject


def allows(purpose: str) -> bool:
    """The gate, for the current request."""
    return decide(purpose, current_subject())


def forget() -> None:
    """Call after recording a decision, so the rest of the request sees it."""
    g.pop("consent_subject", None)
