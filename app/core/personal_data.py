"""Personal data: what each feature declares about the data it keeps, and what it does when a
person uses a right. The privacy centre works only from what is registered here.

Every table with personal data is a `Category` (purpose, legal basis, retention, what erasure
does, how it exports), registered on the app by the feature that owns the table, with an
optional `DataHandler`: the feature's part in the access page and the download, in withdrawing
a consent, correcting, restricting, erasing and the retention job. A test fails when a table
with a user reference or a personal column is not registered, or a registered table leaves a
column undescribed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from blinker import Namespace
from flask import Flask, current_app

if TYPE_CHECKING:
    from sqlmodel import Session


class LegalBasis(enum.StrEnum):
    """The AVG ground a processing rests on, with the wording the statement shows."""

    CONSENT = "toestemming (art. 6 lid 1 sub a AVG)"
    CONTRACT = "uitvoering van de overeenkomst (art. 6 lid 1 sub b AVG)"
    LEGAL_OBLIGATION = "wettelijke verplichting (art. 6 lid 1 sub c AVG)"
    LEGITIMATE_INTEREST = "gerechtvaardigd belang (art. 6 lid 1 sub f AVG)"
    EXPLICIT_CONSENT = "uitdrukkelijke toestemming (art. 9 lid 2 sub a AVG)"


class Erasure(enum.StrEnum):
    """What erasing an account does to the rows of a table."""

    DELETE = "verwijderen"
    ANONYMISE = "anonimiseren"
    KEEP_FISCAL = "fiscale gegevens 7 jaar bewaren, de rest verwijderen"


class Source(enum.StrEnum):
    """Where the data came from (art. 15(1)(g) AVG)."""

    USER = "door jou ingevuld"
    STAFF = "vastgelegd door een medewerker"
    DERIVED = "afgeleid uit andere gegevens"
    SYSTEM = "automatisch vastgelegd door het platform"


# The rules the retention job (`flask privacy retention`) applies to every category.
RETENTION_RULES = {
    "account": "met het account: verwijderd na 3 jaar zonder activiteit (4 weken vooraf gemeld)",
    "fiscal": "7 jaar na het einde van het boekjaar van `column`",
    "consent_proof": "5 jaar na het einde van het account (of na de keuze, zonder account)",
    "age": "`days` dagen of `years` jaar na de datum in `column`",
    "with_parent": "samen met de rij waar deze bij hoort",
    "own": "een regel van de functie zelf (de retention van haar DataHandler)",
}


@dataclass(frozen=True)
class Retention:
    """How long rows are kept: a rule from RETENTION_RULES and its Dutch description."""

    rule: str
    description: str
    days: int | None = None
    years: int | None = None
    column: str | None = None


FISCAL_SEVEN_YEARS = Retention(
    "fiscal",
    column="created_at",
    description=(
        "7 jaar na het einde van het boekjaar van de aankoop (fiscale bewaarplicht); bij het "
        "verwijderen van je account blijven alleen bedragen, btw, datum, producten en "
        "betaalreferentie bewaard, zonder je naam of adres"
    ),
)

ACCOUNT_LIFETIME = Retention(
    "account",
    "zolang je account bestaat; na 3 jaar zonder activiteit verwijderd of geanonimiseerd",
)


@dataclass(frozen=True)
class Category:
    """One registered table of personal data."""

    table: str
    name: str
    purpose: str
    legal_basis: LegalBasis
    retention: Retention
    erasure: Erasure
    fields: dict[str, str]
    subject_column: str = "user_id"
    # For rows that belong to a person through another table (order lines through their order):
    # (this table's column, the parent table). The parent's own category says whose it is.
    parent: tuple[str, str] | None = None
    source: Source = Source.USER
    recipients: str = "niemand buiten Zorggenoot"
    export: bool = True
    health: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    # Columns emptied when rows are anonymised or kept as a fiscal record (besides the link to
    # the person), and columns never shown or exported (a password hash).
    anonymise: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    # Columns about someone other than the person (the member of staff who acted): they stay
    # when the person's rows are anonymised.
    about_others: tuple[str, ...] = ()
    # A boolean column: rows where it is true are kept from the person (access page, download,
    # what erasure reports) because a law forbids telling them (art. 23 AVG), e.g. a request
    # from the police in a running investigation. Erasure still treats them by `erasure`.
    withheld: str | None = None

    @property
    def visible_fields(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k not in self.hidden}


# --- what a feature adds to the privacy centre ---------------------------------------------


@dataclass(frozen=True)
class Asking:
    """Who the privacy centre is working for: the account, and whether the person asks from
    their own browser (`browser`), with that browser's cookies (e.g. the consent cookie's id).
    Staff acting on a request ask without a browser."""

    user: Any
    browser: bool = False
    cookies: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Panel:
    """Something a feature shows on the access page and puts in the download.

    `template` is a fragment rendered with `panel` (this object). `rows` go into the ZIP as
    `<key>.json` (with `fields`, `purpose`, `source` and `meta` in its `_meta` block) and
    `<key>.csv`, unless `export` is False (the rows are in a category's own file already).
    `information` adds to the art. 15 information, by heading (e.g. {"profilering": {...}}).
    `attachments`, called only when the download is made, gives files (name: content) that go
    into the ZIP in a folder named `key` (documents in a dossier)."""

    key: str
    title: str
    template: str
    rows: list[dict] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    purpose: str = ""
    source: str = ""
    meta: dict = field(default_factory=dict)
    information: dict = field(default_factory=dict)
    context: dict = field(default_factory=dict)
    export: bool = True
    attachments: Callable[[], Mapping[str, bytes]] | None = None


@dataclass(frozen=True)
class ConsentLine:
    """One consent, whether it still stands and since when. `withdraw_url` is where its own
    feature takes the withdrawal (otherwise the privacy centre does, through every handler's
    `withdraw`); `change_url` is where it can be given again."""

    scope: str
    label: str
    granted: bool
    given_at: datetime | None = None
    changed_at: datetime | None = None
    explanation: str = ""
    withdraw_url: str | None = None
    change_url: str | None = None


@dataclass(frozen=True)
class Correction:
    """A place where the person corrects data the feature holds (a link in the centre)."""

    label: str
    url: str


@dataclass(frozen=True)
class RetentionLine:
    """What a feature's own retention rule did (or would do, on a dry run)."""

    category: Category
    count: int
    what: str


class DataHandler:
    """A feature's part in the rights. Override what the feature needs; every method has a
    harmless default. Methods that change data flush with the caller's session and return a
    short Dutch note for the request log (or None when they did nothing)."""

    def panels(self, session: Session, asking: Asking) -> list[Panel]:
        return []

    def consents(self, session: Session, asking: Asking) -> list[ConsentLine]:
        return []

    def withdraw(self, session: Session, user: Any, scope: str) -> str | None:
        """Stop what rested on the consent `scope` (the consent log itself is kept elsewhere)."""
        return None

    def corrections(self, session: Session, user: Any) -> list[Correction]:
        return []

    def restriction_changed(self, session: Session, user: Any, *, on: bool) -> str | None:
        return None

    def before_erasure(self, session: Session, user: Any) -> str | None:
        """Called before the registered rows of the account are erased."""
        return None

    def retention(self, session: Session, *, now: datetime, dry_run: bool) -> list[RetentionLine]:
        """Retention rules of the feature's own that the generic rules do not cover."""
        return []


Presenter = Callable[[dict], dict]


@dataclass
class Registry:
    categories: dict[str, Category] = field(default_factory=dict)
    handlers: list[DataHandler] = field(default_factory=list)
    presenters: dict[str, Presenter] = field(default_factory=dict)


def register(
    app: Flask,
    *categories: Category,
    handler: DataHandler | None = None,
    presenters: Mapping[str, Presenter] | None = None,
) -> None:
    """Declare tables of personal data, what the feature does for the rights (`handler`) and
    how rows of a table are shown to their owner (`presenters`: decrypt, give labels)."""
    registry: Registry = app.extensions.setdefault("personal_data", Registry())
    for category in categories:
        existing = registry.categories.get(category.table)
        if existing is not None and existing != category:
            raise ValueError(f"table {category.table!r} is registered twice with different rules")
        registry.categories[category.table] = category
    if handler is not None and handler not in registry.handlers:
        registry.handlers.append(handler)
    registry.presenters.update(presenters or {})


def _registry() -> Registry:
    return current_app.extensions.get("personal_data") or Registry()


def categories() -> list[Category]:
    """All registered categories, in registration order."""
    return list(_registry().categories.values())


def category_for(table: str) -> Category | None:
    return _registry().categories.get(table)


def handlers() -> list[DataHandler]:
    return list(_registry().handlers)


def present(table: str, row: dict) -> dict:
    fn = _registry().presenters.get(table)
    return fn(dict(row)) if fn else dict(row)


# A right was exercised somewhere the privacy centre does not see (a feature below it, such as
# the account page): the privacy centre logs it in the request log. Keyword arguments:
# session, user_id, kind (a request kind such as "correctie") and outcome.
signals = Namespace()
right_exercised = signals.signal("right-exercised")
