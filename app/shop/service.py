"""The shop: catalogue sync, cart pricing, checkout into an order, hand-offs to partners.

Prices, BTW and totals always come from the catalogue on the server, in integer cents; what a
browser sends is only which product and how many.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.consent import gate
from app.consent import service as consent
from app.content import store as content
from app.db import id_of, utcnow
from app.forms import FieldError, is_digits
from app.shop.catalogue import SOURCE, Catalogue, Partner, Product
from app.shop.lines import ShownLine, new_line, shown
from app.shop.models import (
    Handoff,
    HandoffStatus,
    Order,
    OrderLine,
    OrderStatus,
    PartnerRow,
    ProductRow,
)
from app.shop.money import VatLine, vat_breakdown

MAX_QUANTITY = 20
MAX_LINES = 30
POSTCODE = re.compile(r"^[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}$")
HOUSE_NUMBER = re.compile(r"^[1-9][0-9]{0,4}( ?[A-Za-z0-9-]{1,6})?$")
CONSENT_VERSION = "1"
# The partner consent for an order with a product that reveals health (art. 9(2)(a) AVG).
HEALTH_CONSENT_VERSION = "1-art9"
# The quantity field of the cart's forms, which the quantity rules below are about.
QUANTITY = "aantal"
TOO_MANY = f"Je kunt hoogstens {MAX_QUANTITY} stuks van één product bestellen."
# In the instance folder: what the catalogue and database were at the last sync at a start.
SYNC_STAMP = "catalogue-synced"

log = logging.getLogger(__name__)


class ShopError(FieldError):
    """Something the customer should be told, in Dutch; next to `field` when it is about what
    was typed there."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(field, message)


def catalogue() -> Catalogue:
    return content.store().get(SOURCE.name)


def partner_name(slug: str) -> str:
    """The partner's name, or its slug when the partner left the catalogue."""
    partner = catalogue().partners.get(slug)
    return partner.name if partner else slug


def sync_catalogue(session: Session) -> dict[str, int]:
    """Copy partners and products into the database so orders can refer to them; products that
    left the content are marked inactive, never deleted (old orders still point at them)."""
    current = catalogue()
    for partner in current.partners.values():
        partner_row = session.get(PartnerRow, partner.slug) or PartnerRow(
            slug=partner.slug, name="", needs="", privacy_url=""
        )
        partner_row.name, partner_row.needs, partner_row.privacy_url = (
            partner.name,
            ",".join(partner.needs),
            str(partner.fields.privacy_url),
        )
        session.add(partner_row)
    session.flush()
    seen = set()
    for product in current.products.values():
        seen.add(product.slug)
        row = session.get(ProductRow, product.slug) or ProductRow(
            slug=product.slug,
            partner_slug=product.partner.slug,
            title="",
            kind="",
            price_cents=0,
            vat_rate=0,
            shipping=False,
            active=False,
        )
        f = product.fields
        row.partner_slug, row.title, row.kind = product.partner.slug, f.title, f.kind
        row.price_cents, row.vat_rate, row.shipping, row.active, row.reveals_health = (
            f.price_cents,
            f.vat_rate,
            f.shipping,
            f.active,
            f.reveals_health,
        )
        row.synced_at = utcnow()
        session.add(row)
    gone = 0
    for row in session.exec(select(ProductRow)):
        if row.slug not in seen and row.active:
            row.active = False
            gone += 1
    return {"partners": len(current.partners), "products": len(seen), "withdrawn": gone}


def sync_at_start(app: Flask) -> None:
    """Sync the catalogue when the app starts and its files changed since the last sync at a
    start (after `db upgrade`: before the tables exist there is nothing to sync into). A stamp
    in the instance folder holds a digest of the catalogue's files (sizes and times) and of the
    database's address, so a start with nothing new reads no catalogue: every worker of a
    deployment after the first starts without it. A failure is logged, never fatal: orders
    sync what they need, and `flask shop sync` can be run by hand (after restoring a backup)."""
    if not app.config.get("SHOP_SYNC_ON_START", True):
        return
    engine = app.extensions["db_engine"]
    stamp = Path(app.config["INSTANCE_DIR"]) / SYNC_STAMP
    with app.app_context():
        files = content.store().fingerprint(SOURCE.name)
        mark = hashlib.sha256(f"{app.config['DATABASE_URL']}\n{files}".encode()).hexdigest()
        try:
            if stamp.read_text(encoding="ascii") == mark:
                return
        except OSError:
            pass  # never synced from this instance folder
        try:
            if not sa.inspect(engine).has_table(ProductRow.__tablename__):
                return
            with Session(engine) as session:
                counts = sync_catalogue(session)
                session.commit()
            log.info("catalogue synced at start: %s", counts)
        except sa.exc.SQLAlchemyError:  # e.g. another worker synced at the same moment
            log.warning("catalogue not synced at start", exc_info=True)
            return
        written = stamp.with_name(f"{SYNC_STAMP}.{secrets.token_hex(4)}")
        try:
            written.write_text(mark, encoding="ascii")
            written.replace(stamp)
        except OSError:  # the next start syncs again, which is only slower
            log.warning("catalogue sync not noted in %s", stamp, exc_info=True)


def _sync_rows(session: Session, products: list[Product]) -> None:
    """Make sure the products an order refers to exist as rows (the catalogue is the truth)."""
    for product in products:
        partner = product.partner
        if session.get(PartnerRow, partner.slug) is None:
            session.add(
                PartnerRow(
                    slug=partner.slug,
                    name=partner.name,
                    needs=",".join(partner.needs),
                    privacy_url=str(partner.fields.privacy_url),
                )
            )
            session.flush()
        row = session.get(ProductRow, product.slug)
        if row is None:
            f = product.fields
            session.add(
                ProductRow(
                    slug=product.slug,
                    partner_slug=partner.slug,
                    title=f.title,
                    kind=f.kind,
                    price_cents=f.price_cents,
                    vat_rate=f.vat_rate,
                    shipping=f.shipping,
                    active=f.active,
                    reveals_health=f.reveals_health,
                )
            )
    session.flush()


# --- the cart -----------------------------------------------------------------------------------


@dataclass
class Line:
    product: Product
    quantity: int

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity


def parse_quantity(raw: str | None) -> int:
    """A quantity from a form; raises ShopError with the reason when it is not 0–20."""
    text = (raw or "").strip()
    digits = text.removeprefix("-")
    if not is_digits(digits):
        raise ShopError("Vul een aantal in met cijfers, bijvoorbeeld 1.", field=QUANTITY)
    number = (int(digits) if len(digits) < 6 else 10**6) * (-1 if text.startswith("-") else 1)
    if number < 0:
        raise ShopError("Een aantal kan niet negatief zijn.", field=QUANTITY)
    if number > MAX_QUANTITY:
        raise ShopError(TOO_MANY, field=QUANTITY)
    return number


def set_quantity(
    cart: dict[str, int], slug: str, quantity: int, *, add: bool = False
) -> dict[str, int]:
    """The cart with `slug` set to (or increased by) `quantity`; 0 removes it. Raises ShopError
    for a product that is not for sale or a quantity above the maximum."""
    product = catalogue().products.get(slug)
    if product is None or not product.active:
        raise ShopError("Dit product is niet (meer) te koop.")
    cart = dict(cart)
    new = cart.get(slug, 0) + quantity if add else quantity
    if new > MAX_QUANTITY:
        raise ShopError(TOO_MANY, field=QUANTITY)
    if new <= 0:
        cart.pop(slug, None)
    else:
        if slug not in cart and len(cart) >= MAX_LINES:
            raise ShopError("Je mandje is vol. Bestel eerst wat erin zit.")
        cart[slug] = new
    return cart


def cart_lines(cart: dict) -> tuple[list[Line], list[str]]:
    """The priced lines of a cart, and messages about what was dropped (no longer for sale)."""
    lines, dropped = [], []
    products = catalogue().products
    for slug, quantity in cart.items():
        product = products.get(str(slug))
        if (
            product is None
            or not product.active
            or not isinstance(quantity, int)
            or not 0 < quantity <= MAX_QUANTITY
        ):
            dropped.append(product.title if product else str(slug))
            continue
        lines.append(Line(product, quantity))
    return sorted(lines, key=lambda line: (line.product.partner.name, line.product.title)), dropped


def basket_notice(slug: str, action: str, quantity: int) -> str:
    """What to tell the customer after a change to the basket: `quantity` is what is in it now."""
    product = catalogue().products.get(slug)
    title = product.title if product else "Het product"
    if action == "toevoegen":
        return "Toegevoegd aan je mandje."
    if quantity <= 0:
        return f"{title} is uit je mandje gehaald."
    return f"Het aantal is aangepast: {quantity}× {title}."


def clean_cart(cart: dict) -> dict[str, int]:
    lines, _ = cart_lines(cart if isinstance(cart, dict) else {})
    return {line.product.slug: line.quantity for line in lines}


def totals(lines: list[Line]) -> tuple[int, list[VatLine]]:
    return sum(line.total_cents for line in lines), vat_breakdown(
        (line.total_cents, line.product.fields.vat_rate) for line in lines
    )


def partners_of(lines: list[Line]) -> list[Partner]:
    seen: dict[str, Partner] = {}
    for line in lines:
        seen.setdefault(line.product.partner.slug, line.product.partner)
    return list(seen.values())


# --- checkout -----------------------------------------------------------------------------------


def consent_text(partner: Partner, *, health: bool = False) -> str:
    """The consent box for one partner. With `health` (the order holds a product of this
    partner that reveals health) it names what can be inferred, as art. 9(2)(a) AVG asks of
    an explicit consent."""
    text = (
        f"Ja, Zorggenoot mag {partner.needs_text()} doorgeven aan {partner.name}, zodat "
        f"{partner.name} mijn bestelling kan leveren."
    )
    if health:
        text += (
            f" Ik weet dat {partner.name} uit deze bestelling iets kan afleiden over de "
            f"gezondheid van mij of mijn naaste. {partner.name} krijgt deze gegevens alleen met "
            "deze uitdrukkelijke toestemming."
        )
    return text


def consent_version(*, health: bool) -> str:
    return HEALTH_CONSENT_VERSION if health else CONSENT_VERSION


def reveals_health(lines: list[Line], partner: Partner) -> bool:
    """Whether the lines hold a product of this partner that reveals health."""
    return any(
        line.product.reveals_health and line.product.partner.slug == partner.slug for line in lines
    )


def consent_texts(lines: list[Line]) -> dict[str, str]:
    """The consent text per partner of these lines (by partner slug)."""
    return {
        partner.slug: consent_text(partner, health=reveals_health(lines, partner))
        for partner in partners_of(lines)
    }


@dataclass
class CheckoutData:
    token: str
    consented: set[str]
    name: str
    phone: str | None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    city: str | None = None


def consent_field(partner: Partner) -> str:
    """The checkout's consent box for one partner."""
    return f"partner_{partner.slug}"


def checkout_problems(
    lines: list[Line], data: CheckoutData, *, first_partner: Partner
) -> list[FieldError]:
    """What the lines the customer actually orders (those of consented partners) still need:
    an address when something is delivered, a phone number when a partner needs one, and at
    least one consent. Each problem names the checkout field it is about."""
    ordered = [line for line in lines if line.product.partner.slug in data.consented]
    problems = []
    if any(line.product.fields.shipping for line in ordered):
        for name, what in (
            ("street", "je straat"),
            ("house_number", "je huisnummer"),
            ("postcode", "je postcode"),
            ("city", "je woonplaats"),
        ):
            if not getattr(data, name):
                problems.append(FieldError(name, f"Vul {what} in: er wordt iets bij je bezorgd."))
    if any("phone" in line.product.partner.needs for line in ordered) and not data.phone:
        problems.append(
            FieldError(
                "phone", "Vul je telefoonnummer in: de partner heeft het nodig om te leveren."
            )
        )
    if not ordered:
        problems.append(
            FieldError(
                consent_field(first_partner),
                "Je gaf voor geen enkele partner toestemming. Zonder toestemming kunnen we je "
                "gegevens niet doorgeven en kan er niets worden geleverd.",
            )
        )
    return problems


def new_checkout_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_postcode(raw: str) -> str:
    text = re.sub(r"\s+", "", raw or "").upper()
    return f"{text[:4]} {text[4:]}" if len(text) == 6 else text


def place_order(
    session: Session, *, user: User, cart: dict, data: CheckoutData
) -> tuple[Order, list[Line]]:
    """Turn the consented part of the cart into an order waiting for payment.

    The same checkout token twice gives the existing order (a double click orders once), also
    when both arrive at the same moment: the second then finds the token taken in the
    database, and this session is rolled back to return the order the first one made. Lines
    of partners without consent stay out. Records each partner consent with its text.
    Raises ShopError when nothing can be ordered."""
    existing = _order_with_token(session, data.token, user)
    if existing is not None:
        return existing, []
    try:
        return _place_order(session, user=user, cart=cart, data=data)
    except IntegrityError:
        session.rollback()
        existing = _order_with_token(session, data.token, user)
        if existing is None:
            raise
        return existing, []


def _order_with_token(session: Session, token: str, user: User) -> Order | None:
    existing = session.exec(select(Order).where(Order.checkout_token == token)).first()
    if existing is not None and existing.user_id != user.id:
        raise ShopError("Deze bestelling hoort niet bij jouw account.")
    return existing


def _place_order(
    session: Session, *, user: User, cart: dict, data: CheckoutData
) -> tuple[Order, list[Line]]:
    lines, _ = cart_lines(cart)
    ordered = [line for line in lines if line.product.partner.slug in data.consented]
    if not ordered:
        raise ShopError("Er is niets om te bestellen: geef toestemming voor minstens één partner.")
    for partner in partners_of(ordered):
        consent.record_account_consent(
            session,
            user_id=id_of(user),
            scope=f"partner:{partner.slug}",
            granted=True,
            text=consent_text(partner, health=reveals_health(ordered, partner)),
            version=consent_version(health=reveals_health(ordered, partner)),
        )
    shipping = any(line.product.fields.shipping for line in ordered)
    needs_phone = any("phone" in p.needs for p in partners_of(ordered))
    total, _ = totals(ordered)
    order = Order(
        user_id=user.id,
        checkout_token=data.token,
        total_cents=total,
        customer_name=data.name,
        customer_email=user.email,
        customer_phone=data.phone if needs_phone else None,
        street=data.street if shipping else None,
        house_number=data.house_number if shipping else None,
        postcode=normalise_postcode(data.postcode) if shipping and data.postcode else None,
        city=data.city if shipping else None,
    )
    session.add(order)
    _sync_rows(session, [line.product for line in ordered])
    session.flush()
    order.number = f"ZG{order.created_at:%Y}-{order.id:06d}"
    for line in ordered:
        session.add(
            new_line(
                order_id=id_of(order),
                product=line.product,
                quantity=line.quantity,
                total_cents=line.total_cents,
            )
        )
    session.flush()  # a second order with the same token fails here, not at the commit
    return order, ordered


# --- after an order ended unpaid -----------------------------------------------------------------


def reorder(
    cart: dict[str, int], order: Order, lines: Sequence[ShownLine]
) -> tuple[dict[str, int], list[str]]:
    """The cart with the products of an order that ended unpaid put back in it (at least as
    many as were ordered, so twice is the same as once), and the titles of those that could not
    go back (no longer for sale, or the cart is full). Raises ShopError for an order that is
    paid or still waits for payment."""
    if order.status == OrderStatus.PAID:
        raise ShopError("Deze bestelling is betaald. Er is niets opnieuw te bestellen.")
    if not order.status.ended_unpaid:
        raise ShopError(
            "Deze bestelling wacht nog op je betaling. Betaal haar hier, dan hoef je niet "
            "opnieuw te bestellen."
        )
    refilled, missing = dict(cart), []
    for line in lines:
        if line.product_slug is None:
            missing.append(line.title)
            continue
        wanted = max(refilled.get(line.product_slug, 0), line.quantity)
        try:
            refilled = set_quantity(refilled, line.product_slug, wanted)
        except ShopError:
            missing.append(line.title)
    return refilled, missing


def order_for(session: Session, *, number: str, user_id: int) -> Order | None:
    """An order of this account (None for someone else's or an unknown number)."""
    order = session.exec(select(Order).where(Order.number == number)).first()
    return order if order is not None and order.user_id == user_id else None


def order_lines(session: Session, order: Order) -> list[ShownLine]:
    """The lines of an order as people read them (a line that reveals health decrypted)."""
    return [
        shown(line)
        for line in session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(col(OrderLine.id))
        )
    ]


def order_vat(lines: Sequence[ShownLine]) -> list[VatLine]:
    return vat_breakdown((line.line_total_cents, line.vat_rate) for line in lines)


def history(session: Session, user_id: int) -> list[Order]:
    return list(
        session.exec(select(Order).where(Order.user_id == user_id).order_by(col(Order.id).desc()))
    )


# --- hand-off to partners -----------------------------------------------------------------------


def hand_off(session: Session, order: Order) -> list[Handoff]:
    """After payment: one outbox row per partner with exactly the fields that partner needs and
    the caregiver consented to, logged with the consent it rests on. Skipped (and said so) when
    the consent is gone or processing is restricted."""
    if order.status != OrderStatus.PAID or order.user_id is None:
        return []
    user = session.get(User, order.user_id)
    consents = consent.account_consents(session, order.user_id)
    subject = gate.Subject(user=user, consents=consents)
    made = []
    current = catalogue()
    for slug in sorted({line.partner_slug for line in order_lines(session, order)}):
        if session.exec(
            select(Handoff).where(Handoff.order_id == order.id, Handoff.partner_slug == slug)
        ).first():
            continue
        partner = current.partners.get(slug)
        needs = partner.needs if partner else []
        allowed = gate.decide(f"partner:{slug}", subject)
        values = {
            "name": order.customer_name,
            "email": order.customer_email,
            "phone": order.customer_phone,
            "address": " ".join(
                filter(None, [order.street, order.house_number, order.postcode, order.city])
            )
            or None,
        }
        payload = {field: values[field] for field in needs} if allowed else {}
        record = consents.get(f"partner:{slug}")
        handoff = Handoff(
            order_id=id_of(order),
            partner_slug=slug,
            fields=",".join(needs) if allowed else "",
            payload=json.dumps(payload, ensure_ascii=False),
            consent_id=record.id if record and allowed else None,
            status=HandoffStatus.READY if allowed else HandoffStatus.WITHHELD,
        )
        session.add(handoff)
        made.append(handoff)
    return made


def partner_consent_stands(session: Session, user_id: int | None, slug: str) -> bool:
    """Whether the person's consent to give data to this partner still stands (and their
    processing is not restricted): asked again right before anything is sent."""
    if user_id is None:
        return False
    user = session.get(User, user_id)
    if user is None:
        return False
    subject = gate.Subject(user=user, consents=consent.account_decisions(session, user_id))
    return gate.decide(f"partner:{slug}", subject)


def handoffs(session: Session, order: Order) -> list[Handoff]:
    return list(
        session.exec(select(Handoff).where(Handoff.order_id == order.id).order_by(col(Handoff.id)))
    )
