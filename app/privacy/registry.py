"""The personal-data registry: one declaration per table that holds personal data.

Each feature registers its tables next to their models. The privacy centre, the export, the
erasure, the retention job and the tables on the privacy statement all read this registry, so a
table added later is covered the day it is registered. A test fails when a table with a user
reference or a personal column is not registered, or when a registered table leaves a column
undescribed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field


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


# The rules the retention job (`flask privacy retention`) applies.
RETENTION_RULES = {
    "account": "met het account: verwijderd na 3 jaar zonder activiteit (4 weken vooraf gemeld)",
    "fiscal": "7 jaar na het einde van het boekjaar van `column`",
    "consent_proof": "5 jaar na het einde van het account (of na de keuze, zonder account)",
    "age": "`days` dagen of `years` jaar na de datum in `column`",
    "with_parent": "samen met de rij waar deze bij hoort",
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

    @property
    def visible_fields(self) -> dict[str, str]:
        return {k: v for k, v in self.fields.items() if k not in self.hidden}


_REGISTRY: dict[str, Category] = {}
_PRESENTERS: dict[str, Callable[[dict], dict]] = {}


def register(category: Category) -> Category:
    """Add a table to the registry (once); returns the category for convenience."""
    existing = _REGISTRY.get(category.table)
    if existing is not None and existing != category:
        raise ValueError(f"table {category.table!r} is registered twice with different rules")
    _REGISTRY[category.table] = category
    return category


def categories() -> list[Category]:
    """All registered categories, in registration order."""
    return list(_REGISTRY.values())


def category_for(table: str) -> Category | None:
    return _REGISTRY.get(table)


def presenter(table: str) -> Callable:
    """Register how a row of `table` is shown to its owner (decrypt, give labels); the access
    page and the export use it. Without one, rows are shown as stored."""

    def decorator(fn: Callable[[dict], dict]) -> Callable[[dict], dict]:
        _PRESENTERS[table] = fn
        return fn

    return decorator


def present(table: str, row: dict) -> dict:
    fn = _PRESENTERS.get(table)
    return fn(dict(row)) if fn else dict(row)
