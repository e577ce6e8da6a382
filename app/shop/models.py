"""Shop tables: the catalogue as synced from content, orders and hand-offs; and the personal-data
categories of these and of the payments and refunds of orders (their rows are in
`app.payments.models`)."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.personal_data import (
    FISCAL_SEVEN_YEARS,
    Category,
    Erasure,
    LegalBasis,
    Retention,
    Source,
)
from app.db import UTCDateTime, utcnow
from app.enums import EnumString, LabelledEnum


class OrderStatus(LabelledEnum):
    """Where an order is. Only "pending" changes to another, with one exception: an order that
    ended unpaid is still paid by a late payment that covers it."""

    PENDING = "pending", "wacht op betaling"
    PAID = "paid", "betaald"
    FAILED = "failed", "betaling mislukt"
    CANCELED = "canceled", "geannuleerd"
    EXPIRED = "expired", "betaling verlopen"

    @property
    def ended_unpaid(self) -> bool:
        """The payment failed, was canceled or expired: nothing was charged."""
        return self in (OrderStatus.FAILED, OrderStatus.CANCELED, OrderStatus.EXPIRED)


class HandoffStatus(LabelledEnum):
    """Whether a partner received the data of an order."""

    READY = "klaar", "doorgegeven"
    WITHHELD = "tegengehouden", "tegengehouden"


class NoticeKind(LabelledEnum):
    """What a notice asks a partner to do (art. 19 AVG)."""

    CORRECTION = "correctie", "gegevens gecorrigeerd"
    ERASURE = "verwijdering", "gegevens verwijderen"
    RESTRICTION = "beperking", "verwerking beperkt: alleen bewaren"
    LIFTING = "opheffing", "beperking opgeheven"
    WITHDRAWAL = "intrekking", "toestemming ingetrokken: niets meer doorgeven of gebruiken"


class DeliveryStatus(LabelledEnum):
    """Whether a message to a partner arrived. Only "pending" and "failed" change: to
    "delivered" on success, "failed" after 72 hours of tries, "cancelled" when the consent or
    the account went before it was sent; staff put a failed one back to "pending"."""

    PENDING = "wacht", "wordt verstuurd"
    DELIVERED = "afgeleverd", "afgeleverd"
    FAILED = "mislukt", "mislukt"
    CANCELLED = "geannuleerd", "niet verstuurd"


class DeliveryChannel(LabelledEnum):
    HTTPS = "https", "beveiligde koppeling"
    EMAIL = "email", "e-mail"


class PartnerRow(SQLModel, table=True):
    __tablename__ = "shop_partner"

    slug: str = Field(primary_key=True, max_length=80)
    # A company's name, not a person's: kept out of the personal-data check on purpose.
    name: str = Field(max_length=120, sa_column_kwargs={"info": {"personal": False}})
    needs: str = Field(max_length=80)
    privacy_url: str = Field(max_length=300)


class ProductRow(SQLModel, table=True):
    __tablename__ = "shop_product"

    slug: str = Field(primary_key=True, max_length=120)
    partner_slug: str = Field(foreign_key="shop_partner.slug", max_length=80)
    title: str = Field(max_length=160)
    kind: str = Field(max_length=20)
    price_cents: int
    vat_rate: int
    shipping: bool
    active: bool
    reveals_health: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    synced_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def new_order_key() -> str:
    """A random key of an order: the base of its idempotency keys at Mollie. Random, not the
    order number, so a restored backup or a second environment never repeats one."""
    return secrets.token_hex(16)


class Order(SQLModel, table=True):
    __tablename__ = "shop_order"

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, max_length=20, unique=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    checkout_token: str = Field(max_length=64, unique=True)
    status: OrderStatus = Field(
        default=OrderStatus.PENDING, sa_type=EnumString(OrderStatus, 20), index=True
    )
    total_cents: int
    payment_attempts: int = Field(default=0)
    idempotency_key: str = Field(default_factory=new_order_key, max_length=32, unique=True)
    # The Mollie payment that paid this order; any other paid payment is an extra one.
    paid_with: str | None = Field(default=None, max_length=40)
    customer_name: str | None = Field(default=None, max_length=120)
    customer_email: str | None = Field(default=None, max_length=254)
    customer_phone: str | None = Field(default=None, max_length=20)
    street: str | None = Field(default=None, max_length=120)
    house_number: str | None = Field(default=None, max_length=10)
    postcode: str | None = Field(default=None, max_length=7)
    city: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmation_sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    refunded_cents: int = Field(default=0)
    # Given when the order is paid (app.shop.invoices): consecutive per calendar year.
    invoice_number: str | None = Field(default=None, max_length=20, unique=True)

    @property
    def has_address(self) -> bool:
        return bool(self.street)


# What an order line of a product that reveals health says in plain text; the product itself
# is only in the line's encrypted `sealed` column, which erasure empties.
GENERIC_HEALTH_TITLE = "hulpmiddel"


class OrderLine(SQLModel, table=True):
    """One product in an order. A product that reveals something about health (see
    `reveals_health` in the catalogue) is kept as `GENERIC_HEALTH_TITLE` with no product slug;
    its real title and slug are encrypted in `sealed` (read them with `app.shop.lines`)."""

    __tablename__ = "shop_order_line"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("shop_order.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    product_slug: str | None = Field(
        default=None, foreign_key="shop_product.slug", max_length=120, nullable=True
    )
    partner_slug: str = Field(max_length=80)
    title: str = Field(max_length=160)
    # JSON {"title", "product_slug"}, encrypted with the data keys; only for health products.
    sealed: str | None = Field(default=None, sa_type=sa.Text)
    quantity: int
    unit_price_cents: int
    vat_rate: int
    line_total_cents: int


class InvoiceCounter(SQLModel, table=True):
    """The last number given in one series (invoices, credit notes) in one calendar year. The
    row is locked by the update that takes the next number, so numbers are given one at a
    time and a transaction that rolls back gives its number back."""

    __tablename__ = "shop_invoice_counter"

    series: str = Field(primary_key=True, max_length=1)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = Field(default=0)


class CreditNote(SQLModel, table=True):
    """The credit note of one refund that Mollie carried out, with its own number series. What
    it takes back per BTW rate is fixed when it is made (`rates`, JSON: rate -> gross cents)."""

    __tablename__ = "shop_credit_note"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)
    order_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("shop_order.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    refund_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("shop_refund.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    amount_cents: int
    rates: str = Field(max_length=200)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Handoff(SQLModel, table=True):
    """Data handed to one partner for one order: exactly the fields the caregiver consented to."""

    __tablename__ = "shop_handoff"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("shop_order.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    partner_slug: str = Field(max_length=80)
    fields: str = Field(max_length=80)
    payload: str = Field(sa_type=sa.Text)
    consent_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("consent_record.id", ondelete="SET NULL"))
    )
    status: HandoffStatus = Field(
        default=HandoffStatus.READY, sa_type=EnumString(HandoffStatus, 20)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class PartnerNotice(SQLModel, table=True):
    """A message a partner must act on (art. 19 AVG): a correction, an erasure, a restriction or
    its lifting, or a withdrawn consent. Partners find the customer by the order number."""

    __tablename__ = "privacy_partner_notice"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True, index=True
        ),
    )
    partner_slug: str = Field(max_length=80, index=True)
    kind: NoticeKind = Field(sa_type=EnumString(NoticeKind, 20))
    order_numbers: str = Field(max_length=400)
    payload: str = Field(default="{}", sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PartnerDelivery(SQLModel, table=True):
    """One message to a partner, a hand-off or a notice, and whether it arrived. Sent by the job
    queue (`app.shop.delivery`); `key` is its idempotency key, the same on every try."""

    __tablename__ = "shop_partner_delivery"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True),
    )
    partner_slug: str = Field(max_length=80, index=True)
    handoff_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("shop_handoff.id", ondelete="CASCADE"), nullable=True, unique=True
        ),
    )
    notice_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.ForeignKey("privacy_partner_notice.id", ondelete="CASCADE"),
            nullable=True,
            unique=True,
        ),
    )
    key: str = Field(default_factory=lambda: secrets.token_hex(16), max_length=32, unique=True)
    channel: DeliveryChannel = Field(sa_type=EnumString(DeliveryChannel, 10))
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING, sa_type=EnumString(DeliveryStatus, 20), index=True
    )
    attempts: int = Field(default=0)
    # The kind of the last failure ("HTTP 503", "Timeout"), never a text from the partner.
    last_error: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_try_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# Payments and refunds (tables of app.payments) are personal data through the order they belong
# to, which only the shop knows: the shop declares them, in the order of the privacy statement.

# What these tables hold, registered on the app by the feature (see app.core.personal_data).
PERSONAL_DATA = (
    Category(
        table="shop_order",
        name="Bestellingen",
        purpose=(
            "Je bestelling afhandelen: betalen, bezorgen door de partner, een factuur maken, "
            "herroeping en terugbetaling. Je adres vragen we alleen als er iets bezorgd wordt."
        ),
        legal_basis=LegalBasis.CONTRACT,
        retention=FISCAL_SEVEN_YEARS,
        erasure=Erasure.KEEP_FISCAL,
        recipients=(
            "Mollie (betaling) en, alleen met je toestemming per partner, de partner die levert"
        ),
        anonymise=(
            "customer_name",
            "customer_email",
            "customer_phone",
            "street",
            "house_number",
            "postcode",
            "city",
        ),
        extra={"fiscal": "bewaard vanwege een wettelijke verplichting (art. 6 lid 1 sub c AVG)"},
        fields={
            "id": "intern nummer",
            "number": "bestelnummer",
            "user_id": "je account",
            "checkout_token": "eenmalige code die dubbel bestellen voorkomt",
            "status": "stand van de betaling",
            "total_cents": "totaalbedrag in centen, inclusief btw",
            "payment_attempts": "hoe vaak een betaling is gestart",
            "idempotency_key": "willekeurige code die dubbel betalen bij Mollie voorkomt",
            "paid_with": "de betaling bij Mollie waarmee de bestelling is betaald",
            "customer_name": "je naam op de bestelling",
            "customer_email": "je e-mailadres voor de bevestiging",
            "customer_phone": "je telefoonnummer, als een partner dat nodig heeft",
            "street": "straat (alleen bij bezorging)",
            "house_number": "huisnummer (alleen bij bezorging)",
            "postcode": "postcode (alleen bij bezorging)",
            "city": "plaats (alleen bij bezorging)",
            "created_at": "wanneer je bestelde",
            "paid_at": "wanneer je betaalde",
            "confirmation_sent_at": "wanneer de bevestiging is verstuurd",
            "refunded_cents": "terugbetaald bedrag in centen",
            "invoice_number": "factuurnummer",
        },
    ),
    Category(
        table="shop_order_line",
        name="Bestelde producten",
        purpose="Wat je bestelde, tegen welke prijs en met welk btw-tarief (voor je factuur).",
        legal_basis=LegalBasis.CONTRACT,
        retention=FISCAL_SEVEN_YEARS,
        erasure=Erasure.KEEP_FISCAL,
        parent=("order_id", "shop_order"),
        anonymise=("sealed",),
        health=True,
        extra={
            "gezondheid": (
                "bij een product dat iets over gezondheid zegt (Hof van Justitie EU, "
                "Lindenapotheke, C-21/23): uitdrukkelijke toestemming (art. 9 lid 2 sub a AVG) "
                "om het aan de partner door te geven; de naam van het product bewaren we "
                "versleuteld, en na het verwijderen van je account alleen als 'hulpmiddel' met "
                "bedrag en btw-tarief"
            )
        },
        fields={
            "id": "volgnummer",
            "order_id": "de bestelling",
            "product_slug": "het product (leeg bij een product dat iets over gezondheid zegt)",
            "partner_slug": "de partner",
            "title": "naam van het product ('hulpmiddel' bij een product dat iets over "
            "gezondheid zegt)",
            "sealed": "bij een product dat iets over gezondheid zegt: de naam van het product, "
            "versleuteld",
            "quantity": "aantal",
            "unit_price_cents": "prijs per stuk in centen",
            "vat_rate": "btw-tarief",
            "line_total_cents": "regeltotaal in centen",
        },
    ),
    Category(
        table="shop_payment",
        name="Betalingen",
        purpose="Je betaling via Mollie volgen en, als het nodig is, terugbetalen.",
        legal_basis=LegalBasis.CONTRACT,
        retention=FISCAL_SEVEN_YEARS,
        erasure=Erasure.KEEP_FISCAL,
        source=Source.SYSTEM,
        recipients="Mollie B.V. (betaaldienst)",
        parent=("order_id", "shop_order"),
        fields={
            "id": "volgnummer",
            "order_id": "de bestelling",
            "mollie_id": "betaalreferentie bij Mollie",
            "attempt": "welke poging",
            "status": "stand van de betaling",
            "amount_cents": "bedrag",
            "method": "betaalmethode",
            "created_at": "gestart op",
            "updated_at": "laatst bijgewerkt",
            "checked_at": "wanneer we Mollie laatst naar de betaling vroegen",
            "surplus_at": "wanneer bleek dat deze betaling dubbel was (al betaald)",
            "surplus_refund_id": "referentie bij Mollie van de terugbetaling ervan",
        },
    ),
    Category(
        table="shop_refund",
        name="Terugbetalingen",
        purpose="Geld dat we je terugbetaalden, bijvoorbeeld na herroeping.",
        legal_basis=LegalBasis.CONTRACT,
        retention=FISCAL_SEVEN_YEARS,
        erasure=Erasure.KEEP_FISCAL,
        source=Source.STAFF,
        recipients="Mollie B.V. (betaaldienst)",
        anonymise=("reason",),
        parent=("order_id", "shop_order"),
        fields={
            "id": "volgnummer",
            "order_id": "de bestelling",
            "mollie_refund_id": "referentie bij Mollie",
            "amount_cents": "bedrag",
            "status": "stand",
            "reason": "reden",
            "staff_id": "de medewerker die terugbetaalde",
            "created_at": "wanneer",
        },
    ),
    Category(
        table="shop_credit_note",
        name="Creditnota’s",
        purpose="Een creditnota voor elke terugbetaling, zoals de belastingregels vragen.",
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=FISCAL_SEVEN_YEARS,
        erasure=Erasure.KEEP_FISCAL,
        source=Source.SYSTEM,
        parent=("order_id", "shop_order"),
        fields={
            "id": "volgnummer",
            "number": "nummer van de creditnota",
            "order_id": "de bestelling",
            "refund_id": "de terugbetaling",
            "amount_cents": "teruggegeven bedrag in centen, inclusief btw",
            "rates": "dat bedrag per btw-tarief",
            "issued_at": "datum van de creditnota",
        },
    ),
    Category(
        table="shop_handoff",
        name="Gegevens doorgegeven aan partners",
        purpose=(
            "Alleen met je toestemming per partner: de gegevens die die partner nodig heeft om te "
            "leveren, en een verslag van wat we wanneer aan wie doorgaven."
        ),
        legal_basis=LegalBasis.CONSENT,
        retention=Retention(
            "with_parent",
            "zolang de bestelling bewaard wordt; bij verwijderen van je account wissen we deze "
            "gegevens en laten we de partner weten dat hij ze ook moet wissen",
        ),
        erasure=Erasure.DELETE,
        source=Source.SYSTEM,
        recipients="de partner die jouw bestelling levert",
        parent=("order_id", "shop_order"),
        fields={
            "id": "volgnummer",
            "order_id": "de bestelling",
            "partner_slug": "aan welke partner",
            "fields": "welke gegevens",
            "payload": "de doorgegeven gegevens zelf",
            "consent_id": "de toestemming waarop het doorgeven rust",
            "status": "stand",
            "created_at": "wanneer",
        },
    ),
    Category(
        table="privacy_partner_notice",
        name="Berichten aan partners over je gegevens",
        purpose=(
            "Partners die gegevens van je kregen laten weten dat je iets corrigeerde, liet "
            "verwijderen of beperken, of je toestemming introk (art. 19 AVG)."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention(
            "age",
            "5 jaar, als bewijs dat we de partner op de hoogte brachten; bij verwijderen van je "
            "account halen we de koppeling met jou en de gecorrigeerde gegevens eruit",
            years=5,
            column="created_at",
        ),
        erasure=Erasure.ANONYMISE,
        source=Source.SYSTEM,
        recipients="de partner die het bericht betreft",
        anonymise=("payload",),
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "partner_slug": "welke partner",
            "kind": "waarover (correctie, verwijdering, beperking, intrekking)",
            "order_numbers": "de bestelnummers waarmee de partner je herkent",
            "payload": "de gecorrigeerde gegevens, alleen bij een correctie",
            "created_at": "wanneer",
            "sent_at": "wanneer het bericht bij de partner aankwam",
        },
    ),
    Category(
        table="shop_partner_delivery",
        name="Verzending aan partners",
        purpose=(
            "Bijhouden of je gegevens en onze berichten echt bij de partner aankwamen, zodat we "
            "het opnieuw proberen als dat niet lukte, en je alleen zeggen dat het gebeurd is als "
            "het gebeurd is."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        retention=Retention(
            "age",
            "5 jaar, als bewijs dat we de partner op de hoogte brachten; een verzending van "
            "bestelgegevens gaat weg met die gegevens",
            years=5,
            column="created_at",
        ),
        erasure=Erasure.ANONYMISE,
        source=Source.SYSTEM,
        recipients="de partner die het bericht betreft",
        fields={
            "id": "volgnummer",
            "user_id": "je account",
            "partner_slug": "aan welke partner",
            "handoff_id": "de doorgegeven bestelgegevens",
            "notice_id": "het bericht over je gegevens",
            "key": "willekeurige code waarmee de partner een herhaald bericht herkent",
            "channel": "hoe (beveiligde koppeling of e-mail)",
            "status": "wordt verstuurd, afgeleverd, mislukt of niet verstuurd",
            "attempts": "hoe vaak we het probeerden",
            "last_error": "soort fout bij de laatste poging",
            "created_at": "wanneer het klaargezet werd",
            "last_try_at": "wanneer we het laatst probeerden",
            "delivered_at": "wanneer het aankwam",
        },
    ),
)
