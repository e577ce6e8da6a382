"""Checkout and staff forms (quantities in the cart are plain fields, checked by the service)."""

from __future__ import annotations

import re

from wtforms import BooleanField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Optional, Regexp, ValidationError

from app.accounts.forms import EMAIL_MESSAGE, PHONE_PATTERN
from app.forms import PlainText, SiteForm, clean_text, max_length, required_message
from app.shop.catalogue import Partner
from app.shop.service import (
    HOUSE_NUMBER,
    MAX_QUANTITY,
    POSTCODE,
    QUANTITY,
    consent_field,
    normalise_postcode,
)


def _dutch_postcode(form, field) -> None:
    if field.data and not POSTCODE.match(normalise_postcode(field.data)):
        raise ValidationError("Vul een Nederlandse postcode in, bijvoorbeeld 3526 KS.")


def checkout_form(partners: list[Partner], *, needs_address: bool, needs_phone: bool):
    """The checkout form for these partners: one unticked consent box per partner, and the
    address and phone fields only when an order line needs them."""
    attrs = {
        "token": HiddenField(),
        "name": StringField(
            "Naam",
            filters=[clean_text],
            render_kw={"autocomplete": "name"},
            validators=[DataRequired(required_message("je naam")), max_length(120), PlainText()],
        ),
    }
    for partner in partners:
        attrs[consent_field(partner)] = BooleanField("")
    if needs_phone:
        attrs["phone"] = StringField(
            "Telefoonnummer",
            filters=[clean_text],
            render_kw={"autocomplete": "tel", "inputmode": "tel"},
            description="Een partner die je bestelling levert, belt je als dat nodig is.",
            validators=[
                Optional(),
                max_length(20),
                Regexp(
                    PHONE_PATTERN, message="Vul een telefoonnummer in, bijvoorbeeld 06 12345678."
                ),
            ],
        )
    if needs_address:
        attrs["street"] = StringField(
            "Straat",
            filters=[clean_text],
            render_kw={"autocomplete": "address-line1"},
            validators=[Optional(), max_length(120), PlainText()],
        )
        attrs["house_number"] = StringField(
            "Huisnummer en toevoeging",
            filters=[clean_text],
            render_kw={"autocomplete": "off"},
            validators=[
                Optional(),
                max_length(10),
                Regexp(HOUSE_NUMBER, message="Vul een huisnummer in, bijvoorbeeld 12 of 12A."),
            ],
        )
        attrs["postcode"] = StringField(
            "Postcode",
            filters=[clean_text],
            render_kw={"autocomplete": "postal-code"},
            description="Bijvoorbeeld 3526 KS.",
            validators=[Optional(), max_length(7), _dutch_postcode],
        )
        attrs["city"] = StringField(
            "Plaats",
            filters=[clean_text],
            render_kw={"autocomplete": "address-level2"},
            validators=[Optional(), max_length(80), PlainText()],
        )
    return type("CheckoutForm", (SiteForm,), attrs)


class BasketForm(SiteForm):
    """Put a product in the cart, or change or remove a line of it. The quantity is read by the
    service (`parse_quantity`), which says what is wrong with it."""

    product = HiddenField()
    actie = HiddenField(default="toevoegen")
    aantal = StringField(
        "Aantal",
        filters=[clean_text],
        default="1",
        render_kw={"type": "number", "min": 0, "max": MAX_QUANTITY, "inputmode": "numeric"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A page can hold a quantity box per product: its id names the product, so the error
        # summary links to the right one.
        box = self[QUANTITY]
        box.id = box.label.field_id = "aantal-" + re.sub(r"[^a-z0-9-]", "", self.product.data or "")


class RefundForm(SiteForm):
    amount = StringField(
        "Bedrag in euro",
        filters=[clean_text],
        description="Bijvoorbeeld 12,50.",
        validators=[DataRequired(required_message("een bedrag"))],
    )
    reason = StringField(
        "Reden (de klant ziet dit niet)",
        filters=[clean_text],
        validators=[Optional(), max_length(200), PlainText()],
    )
    # Sent by the buttons of the confirmation step: "ja" sends the refund to Mollie,
    # "wijzig" goes back to the form with what was typed.
    confirmed = HiddenField()


# --- correcting the details on an order (R3) ----------------------------------------------


def _text(label: str, limit: int, what: str, autocomplete: str, *extra) -> StringField:
    return StringField(
        label,
        filters=[clean_text],
        render_kw={"autocomplete": autocomplete},
        validators=[DataRequired(required_message(what)), max_length(limit), PlainText(), *extra],
    )


ORDER_FORM_FIELDS = {
    "customer_name": lambda: _text("Naam", 120, "je naam", "name"),
    "customer_email": lambda: _text(
        "E-mailadres", 254, "je e-mailadres", "email", Email(EMAIL_MESSAGE)
    ),
    "customer_phone": lambda: _text(
        "Telefoonnummer",
        20,
        "je telefoonnummer",
        "tel",
        Regexp(PHONE_PATTERN, message="Vul een telefoonnummer in, bijvoorbeeld 06 12345678."),
    ),
    "street": lambda: _text("Straat", 120, "je straat", "address-line1"),
    "house_number": lambda: _text("Huisnummer en toevoeging", 10, "je huisnummer", "off"),
    "postcode": lambda: _text("Postcode", 7, "je postcode", "postal-code", _dutch_postcode),
    "city": lambda: _text("Plaats", 80, "je woonplaats", "address-level2"),
}


def order_form(columns: list[str]) -> type[SiteForm]:
    """A form with only the details this order holds."""
    attrs = {name: ORDER_FORM_FIELDS[name]() for name in columns}
    return type("OrderCorrectionForm", (SiteForm,), attrs)


class YearForm(SiteForm):
    """The year on the staff's fiscal page (sent with GET; the choices are the years with
    invoices, filled in by the view)."""

    jaar = SelectField("Jaar", validate_choice=False)
