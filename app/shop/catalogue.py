"""The catalogue: partners and their products and services, written by editors in
`content/winkel/` and validated (a content source: reloaded when a file changes)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import markdown
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StrictBool, ValidationError

from app.content.files import (
    SLUG_PATTERN,
    FrontMatterError,
    Problem,
    line_of_key,
    split_front_matter,
)
from app.content.sanitise import plain_text, sanitise
from app.content.site import SiteInfo
from app.content.store import Source
from app.shop import illustrations as drawings
from app.shop.illustrations import Illustration
from app.shop.money import VAT_RATES

NEEDS = {
    "name": "je naam",
    "email": "je e-mailadres",
    "phone": "je telefoonnummer",
    "address": "je adres",
}
FIELD_NAMES = {
    "name": "naam",
    "email": "e-mailadres",
    "phone": "telefoonnummer",
    "address": "adres",
}
# A Dutch btw-identificatienummer: NL, nine digits, B, two digits.
VAT_NUMBER = re.compile(r"^NL[0-9]{9}B[0-9]{2}$")
WITHDRAWAL = {
    "standard": "Je hebt 14 dagen bedenktijd.",
    "hygiene": (
        "Verzegelde verzorgingsproducten kun je niet meer terugsturen als de verzegeling is "
        "verbroken."
    ),
    "perishable": "Maaltijden en andere bederfelijke producten kun je niet terugsturen.",
    "service_started": "Vraag je de partner om binnen 14 dagen te beginnen, dan betaal je bij "
    "herroepen naar rato; is de dienst helemaal geleverd, dan vervalt de bedenktijd.",
    "fixed_date": "Voor een dienst op een vaste datum geldt geen bedenktijd.",
}


class PartnerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=300)
    privacy_url: HttpUrl
    needs: list[Literal["name", "email", "phone", "address"]] = Field(min_length=1)
    needs_reason: str = Field(min_length=1, max_length=300)
    # How the partner receives orders and notices: its own HTTPS address, or else an e-mail
    # address (exactly one of the two).
    delivery_endpoint: str | None = Field(default=None, max_length=300)
    delivery_email: str | None = Field(default=None, max_length=254)


# Hosts on this machine: a partner endpoint there may use plain http (development and tests).
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def partner_delivery_problems(fields: PartnerFields) -> list[tuple[str, str]]:
    """What is wrong with how a partner receives data, in Dutch, per field."""
    endpoint = (fields.delivery_endpoint or "").strip()
    address = (fields.delivery_email or "").strip()
    if not endpoint and not address:
        return [
            (
                "needs",
                "vul 'delivery_endpoint' (het https-adres van de partner) of 'delivery_email' "
                "(het e-mailadres voor bestellingen) in: anders komt een bestelling nooit aan",
            )
        ]
    if endpoint and address:
        return [
            (
                "delivery_email",
                "vul 'delivery_endpoint' of 'delivery_email' in, niet allebei: de partner "
                "krijgt zijn gegevens op één manier",
            )
        ]
    if endpoint:
        parts = urlsplit(endpoint)
        local = parts.scheme == "http" and parts.hostname in LOOPBACK
        if not parts.hostname or (parts.scheme != "https" and not local):
            return [
                (
                    "delivery_endpoint",
                    f"'{endpoint}' is geen https-adres: gegevens gaan alleen versleuteld naar "
                    "een partner (begin met https://)",
                )
            ]
        return []
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return [("delivery_email", f"'{address}' is geen geldig e-mailadres")]
    return []


def secret_variable(slug: str) -> str:
    """The environment variable that holds a partner's signing secret."""
    return "PARTNER_SECRET_" + re.sub(r"[^A-Z0-9]", "_", slug.upper())


class ProductFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=160)
    summary: str = Field(min_length=1, max_length=300)
    slug: str | None = Field(default=None, pattern=SLUG_PATTERN)
    partner: str = Field(pattern=SLUG_PATTERN)
    kind: Literal["product", "service"]
    category: str
    price_cents: int = Field(gt=0, le=10_000_00)
    vat_rate: int
    shipping: bool
    tags: list[str] = Field(default_factory=list)
    audience: list[str] = Field(default_factory=list)
    withdrawal: Literal["standard", "hygiene", "perishable", "service_started", "fixed_date"] = (
        "standard"
    )
    active: bool = True
    # Whether an order of it tells something about someone's health (incontinence material,
    # medical aids): such order lines are health data (EU Court of Justice, C-21/23), kept
    # encrypted, named in the partner consent, and kept generically in the fiscal record.
    reveals_health: StrictBool = False
    image: str | None = None
    image_alt: str | None = None


@dataclass
class Partner:
    slug: str
    fields: PartnerFields
    html: str

    @property
    def name(self) -> str:
        return self.fields.name

    @property
    def needs(self) -> list[str]:
        return list(self.fields.needs)

    @property
    def endpoint(self) -> str | None:
        return (self.fields.delivery_endpoint or "").strip() or None

    @property
    def delivery_email(self) -> str | None:
        return (self.fields.delivery_email or "").strip() or None

    @property
    def secret_variable(self) -> str:
        return secret_variable(self.slug)

    def needs_text(self) -> str:
        words = [NEEDS[n] for n in self.fields.needs]
        return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " en " + words[-1]


@dataclass
class ProductMeta:
    """What recommendations and search read (the same names as articles use)."""

    audience: list[str]
    topics: list[str]
    tags: list[str]
    published: date = date(2026, 1, 1)
    featured: bool = False


@dataclass
class Product:
    slug: str
    fields: ProductFields
    partner: Partner
    html: str
    text: str
    illustration: Illustration | None = None
    meta: ProductMeta = field(init=False)

    def __post_init__(self) -> None:
        self.meta = ProductMeta(
            audience=list(self.fields.audience), topics=[], tags=list(self.fields.tags)
        )

    @property
    def title(self) -> str:
        return self.fields.title

    @property
    def price_cents(self) -> int:
        return self.fields.price_cents

    @property
    def active(self) -> bool:
        return self.fields.active

    @property
    def withdrawal_text(self) -> str:
        return WITHDRAWAL[self.fields.withdrawal]

    @property
    def reveals_health(self) -> bool:
        return self.fields.reveals_health


@dataclass
class Category:
    slug: str
    label: str


@dataclass
class Catalogue:
    partners: dict[str, Partner]
    products: dict[str, Product]
    categories: list[Category]
    problems: list[Problem]
    illustrations: dict[str, Illustration] = field(default_factory=dict)

    def category(self, slug: str) -> Category | None:
        return next((c for c in self.categories if c.slug == slug), None)

    def for_sale(self) -> list[Product]:
        return sorted((p for p in self.products.values() if p.active), key=lambda p: p.title)


def _render(body: str) -> str:
    return sanitise(markdown.markdown(body, extensions=["sane_lists"]))


def load(content_dir: Path, site: SiteInfo) -> Catalogue:
    """Read everything under content/winkel; files with errors are left out and reported."""
    root = content_dir / "winkel"
    problems: list[Problem] = []
    categories: list[Category] = []
    try:
        data = tomllib.loads((root / "winkel.toml").read_text(encoding="utf-8"))
        categories = [Category(c["slug"], c["label"]) for c in data.get("categories", [])]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        problems.append(Problem("winkel/winkel.toml", 1, f"kan niet worden gelezen: {error}"))
    partners: dict[str, Partner] = {}
    for path in sorted((root / "partners").glob("*.md")):
        parsed = _parse(path, content_dir, PartnerFields, problems)
        if parsed:
            fields, body = parsed
            if delivery_problems := partner_delivery_problems(fields):
                text = path.read_text(encoding="utf-8")
                where = path.relative_to(content_dir).as_posix()
                for key, message in delivery_problems:
                    problems.append(Problem(where, line_of_key(text, key), message))
                continue
            partners[path.stem] = Partner(slug=path.stem, fields=fields, html=_render(body))
    illustrations = drawings.load(content_dir, problems)
    products: dict[str, Product] = {}
    known_categories = {c.slug for c in categories}
    for path in sorted((root / "producten").glob("*.md")):
        parsed = _parse(path, content_dir, ProductFields, problems)
        if not parsed:
            continue
        fields, body = parsed
        rel, source = path.relative_to(content_dir).as_posix(), path.read_text(encoding="utf-8")
        slug = fields.slug or path.stem
        errors = _product_rules(fields, partners, known_categories, site)
        if fields.image and (
            wrong := drawings.image_problem(fields.image, illustrations, content_dir)
        ):
            errors.append(("image", wrong))
        for key, message in errors:
            problems.append(Problem(rel, line_of_key(source, key), message))
        if errors or slug in products:
            if slug in products:
                problems.append(
                    Problem(rel, line_of_key(source, "slug"), f"de slug '{slug}' bestaat al")
                )
            continue
        html = _render(body)
        products[slug] = Product(
            slug=slug,
            fields=fields,
            partner=partners[fields.partner],
            html=html,
            text=plain_text(html),
            illustration=illustrations.get(fields.image or ""),
        )
    problems.extend(_vat_number_problems(content_dir, site))
    return Catalogue(
        partners=partners,
        products=products,
        categories=categories,
        problems=problems,
        illustrations=illustrations,
    )


def _vat_number_problems(content_dir: Path, site: SiteInfo) -> list[Problem]:
    """A shop sends invoices, and an invoice must name the btw-nummer (from site.toml)."""
    number = site.organisation.vat_number
    if VAT_NUMBER.match(number):
        return []
    try:
        source = (content_dir / "site.toml").read_text(encoding="utf-8")
    except OSError:
        source = ""
    line = next(
        (n for n, text in enumerate(source.splitlines(), 1) if text.startswith("vat_number")), 1
    )
    message = (
        "vat_number ontbreekt: een factuur moet het btw-nummer noemen (NL, 9 cijfers, B, "
        "2 cijfers, bijvoorbeeld NL123456789B01)"
        if not number
        else f"vat_number '{number}' is geen btw-nummer (NL, 9 cijfers, B, 2 cijfers)"
    )
    return [Problem("site.toml", line, message)]


def _parse(path: Path, content_dir: Path, model, problems: list[Problem]):
    rel = path.relative_to(content_dir).as_posix()
    try:
        source = path.read_text(encoding="utf-8")
        data, body, _ = split_front_matter(source)
        return model.model_validate(data), body
    except FrontMatterError as error:
        problems.append(Problem(rel, error.line, str(error)))
    except ValidationError as error:
        for e in error.errors():
            key = str(e["loc"][0]) if e["loc"] else "?"
            where = ".".join(str(p) for p in e["loc"])
            if e["type"] == "missing":
                message = f"het veld '{where}' ontbreekt"
            elif e["type"] in ("bool_type", "bool_parsing"):
                message = (
                    f"'{where}' moet true (ja) of false (nee) zijn, zonder aanhalingstekens, "
                    f"niet {e['input']!r}"
                )
            else:
                message = f"'{where}': {e['msg']}"

            problems.append(Problem(rel, line_of_key(source, key), message))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        problems.append(Problem(rel, 1, str(error)))
    return None


def _product_rules(
    fields: ProductFields, partners, categories, site: SiteInfo
) -> list[tuple[str, str]]:
    errors = []
    if fields.partner not in partners:
        errors.append(
            ("partner", f"onbekende partner '{fields.partner}' (geen bestand in winkel/partners)")
        )
    if fields.category not in categories:
        errors.append(
            ("category", f"onbekende categorie '{fields.category}' (zie winkel/winkel.toml)")
        )
    if fields.vat_rate not in VAT_RATES:
        errors.append(("vat_rate", f"het btw-tarief moet 21, 9 of 0 zijn, niet {fields.vat_rate}"))
    for tag in fields.audience:
        audience = site.audience.get(tag)
        if audience is None:
            errors.append(("audience", f"onbekende doelgroep '{tag}'"))
        elif audience.health:
            errors.append(
                ("audience", f"'{tag}' is een gezondheidstag: die gebruiken we nooit in de winkel")
            )
    if fields.image and not (fields.image_alt or "").strip():
        errors.append(
            ("image_alt", "bij 'image' hoort een beschrijving in 'image_alt' (alt-tekst)")
        )
    return errors


SOURCE = Source(
    "catalogue",
    ("winkel/*.toml", "winkel/partners/*.md", "winkel/producten/*.md", drawings.PATTERN),
    load,
)


def field_names(raw: object) -> str:
    """A stored list of fields ("name,address") as people read it ("naam, adres")."""
    return ", ".join(FIELD_NAMES.get(f.strip(), f.strip()) for f in str(raw or "").split(",") if f)
