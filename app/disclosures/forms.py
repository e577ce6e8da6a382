"""The staff form to record a legal disclosure."""

from __future__ import annotations

from datetime import timedelta

from wtforms import BooleanField, DateField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Optional, ValidationError

from app.accounts.forms import EMAIL_MESSAGE
from app.core.formatting import today
from app.disclosures.models import AUTHORITY_MAX, BASIS_MAX, REFERENCE_MAX, WHAT_MAX
from app.forms import PlainText, SiteForm, clean_text, max_length, required_message


def _not_in_future(form, field) -> None:
    """Compared with today in the Netherlands, as the form's default is (not the server's day)."""
    if field.data and field.data > today():
        raise ValidationError("Deze datum ligt in de toekomst. Vul de dag in waarop we gaven.")
    if field.data and field.data < today() - timedelta(days=5 * 366):
        raise ValidationError("Deze datum ligt meer dan vijf jaar terug.")


class DisclosureForm(SiteForm):
    email = EmailField(
        "E-mailadres van het account",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("het e-mailadres van het account")),
            max_length(254),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
        description="Het account waarover de instantie gegevens kreeg.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    authority = StringField(
        "Welke instantie",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("de instantie")),
            max_length(AUTHORITY_MAX),
            PlainText(),
        ],
        description="Bijvoorbeeld: Belastingdienst, Politie Midden-Nederland, rechtbank Utrecht.",
    )
    legal_basis = StringField(
        "Wettelijke grondslag",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("de wet waarop de instantie zich beriep")),
            max_length(BASIS_MAX),
            PlainText(),
        ],
        description="Het wetsartikel uit het verzoek, bijvoorbeeld: art. 126nd Wetboek van "
        "Strafvordering, of art. 53 Algemene wet inzake rijksbelastingen.",
    )
    what = TextAreaField(
        "Welke gegevens we gaven",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("welke gegevens we gaven")),
            max_length(WHAT_MAX),
            PlainText(multiline=True),
        ],
        description="Noem de soorten gegevens, niet de gegevens zelf. Bijvoorbeeld: naam, "
        "e-mailadres en de bestellingen van 2026.",
    )
    disclosed_on = DateField(
        "Gegeven op",
        validators=[InputRequired("Vul de datum in waarop we de gegevens gaven."), _not_in_future],
    )
    reference = StringField(
        "Kenmerk van het verzoek (niet verplicht)",
        filters=[clean_text],
        validators=[Optional(), max_length(REFERENCE_MAX), PlainText()],
        description="Het nummer of kenmerk dat de instantie op haar verzoek zette.",
    )
    secret = BooleanField(
        "De wet verbiedt ons de persoon hierover te vertellen",
        description="Alleen aanvinken als de instantie dat schriftelijk en met een wetsartikel "
        "heeft gevraagd. Dan ziet de persoon deze verstrekking niet in het privacycentrum.",
    )
