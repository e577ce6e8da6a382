"""The cookie register: every cookie and browser-storage key the site can set, listed once.

The cookie statement renders its table from this list, the banner asks only for the categories
in it, and a test fails on any cookie or storage key the site sets that is not listed here, or
on a non-functional one set before consent.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from app.config import PACKAGE_DIR


class Category(enum.StrEnum):
    FUNCTIONAL = "functional"
    ANALYTICAL = "analytical"
    MARKETING = "marketing"

    @property
    def label(self) -> str:
        return {"functional": "Functioneel", "analytical": "Analytisch", "marketing": "Marketing"}[
            self
        ]


@dataclass(frozen=True)
class Cookie:
    name: str
    category: Category
    purpose: str
    lifetime: str
    party: str = "eigen (Zorggenoot)"
    storage: str = "cookie"
    set_by: str = "de server"


CONSENT_COOKIE = "zg_toestemming"
STATS_COOKIE = "zg_statistiek"
CONSENT_MAX_AGE = timedelta(days=182)
STATS_MAX_AGE = timedelta(days=1)

COOKIES: tuple[Cookie, ...] = (
    Cookie(
        name="session",
        category=Category.FUNCTIONAL,
        purpose=(
            "Houdt bij dat je bent ingelogd, beveiligt formulieren tegen misbruik (CSRF) en "
            "onthoudt korte meldingen, je winkelmandje en je laatste vragen aan de assistent "
            "(zonder de persoonsgegevens die we eruit halen). Je krijgt het pas als je inlogt "
            "of iets doet dat we moeten onthouden, zoals iets in je mandje leggen of de "
            "assistent iets vragen; wie alleen leest of zoekt, krijgt het niet."
        ),
        lifetime="tot je de browser sluit",
    ),
    Cookie(
        name="remember_token",
        category=Category.FUNCTIONAL,
        purpose="Houdt je ingelogd op dit apparaat, alleen als je ‘Ingelogd blijven’ aanvinkt.",
        lifetime="30 dagen",
    ),
    Cookie(
        name=CONSENT_COOKIE,
        category=Category.FUNCTIONAL,
        purpose=(
            "Onthoudt je keuze in de cookiemelding (en een willekeurig keuzenummer waarmee we "
            "kunnen aantonen welke keuze je maakte), zodat we het niet bij elke pagina vragen."
        ),
        lifetime="182 dagen",
    ),
    Cookie(
        name=STATS_COOKIE,
        category=Category.ANALYTICAL,
        purpose=(
            "Alleen met je toestemming: onthoudt de datum waarop je bezoek het laatst is geteld, "
            "zodat we het aantal bezoekers per dag kunnen tellen. Er staat geen nummer of naam in "
            "en we koppelen het aan niets anders."
        ),
        lifetime="1 dag",
    ),
    Cookie(
        name="htmx-current-path-for-history",
        category=Category.FUNCTIONAL,
        purpose=(
            "Onthoudt het adres van de pagina die je bekijkt, zodat de terugknop goed werkt als "
            "pagina's snel worden gewisseld. Er staat alleen een adres van deze site in."
        ),
        lifetime="tot je het tabblad sluit",
        storage="sessionStorage (browseropslag)",
        set_by="htmx, in je browser",
    ),
    Cookie(
        name="YouTube (youtube-nocookie.com)",
        category=Category.FUNCTIONAL,
        purpose=(
            "Pas als je zelf op ‘Video afspelen’ klikt, laadt YouTube de video. YouTube kan dan "
            "eigen cookies of opslag gebruiken om de video af te spelen. Tot die klik laden we "
            "niets van YouTube."
        ),
        lifetime="bepaald door YouTube",
        party="derde partij (Google/YouTube)",
        storage="cookies en browseropslag van youtube-nocookie.com",
        set_by="YouTube, na jouw klik",
    ),
)

FIRST_PARTY_NAMES = frozenset(
    c.name for c in COOKIES if c.party.startswith("eigen") and c.storage == "cookie"
)
BROWSER_STORAGE_KEYS = frozenset(
    c.name for c in COOKIES if c.party.startswith("eigen") and c.storage != "cookie"
)


def category_of(name: str) -> Category | None:
    return next((c.category for c in COOKIES if c.name == name), None)


@dataclass(frozen=True)
class Policy:
    version: str
    date: date
    changes: str


# The cookie statement's version: the one place to change when the statement or the cookie list
# changes. Everything reads it from here when it needs it, so a new version asks every visitor
# to choose again (the banner says what changed) and each new decision is logged under it.
POLICY = Policy(
    version="1",
    date=date(2026, 11, 26),
    changes="Eerste versie van deze cookieverklaring.",
)

BANNER_TITLE = "Cookies op deze website"
BANNER_TEXT = (
    "Zorggenoot gebruikt functionele cookies die nodig zijn om de site te laten werken, zoals "
    "om in te loggen. Met jouw toestemming tellen we ook anoniem hoeveel mensen de site bezoeken "
    "en waarnaar ze zoeken, zodat we de informatie kunnen verbeteren. Dat doen we zelf: er gaat "
    "niets naar andere partijen en we koppelen het niet aan jou. Je keuze kun je altijd wijzigen "
    "via ‘Cookie-instellingen’ onderaan elke pagina."
)


# Every template that shows a cookie choice: its wording is part of the proof.
CHOICE_TEMPLATES = ("_banner.html", "_banner_settings.html", "_choices.html", "settings.html")


def banner_hash() -> str:
    """A fingerprint of everything a visitor could have read when choosing (the banner, the
    settings layer and page, their buttons, the "wat is er veranderd" line), stored with every
    decision as proof. Any change in that wording gives a new fingerprint."""

    folder = PACKAGE_DIR / "templates" / "consent"
    parts = [POLICY.version, POLICY.changes, BANNER_TITLE, BANNER_TEXT]
    parts += [(folder / name).read_text(encoding="utf-8") for name in CHOICE_TEMPLATES]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
