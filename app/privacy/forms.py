"""Privacy centre and staff queue forms."""

from __future__ import annotations

from datetime import timedelta

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Optional, Regexp, ValidationError

from app.accounts.forms import EMAIL_MESSAGE
from app.core.formatting import today
from app.forms import PlainText, SiteForm, clean_text, max_length, required_message
from app.privacy.models import RequestChannel, RequestKind
from app.privacy.requests import REASON_MAX


class EraseForm(SiteForm):
    password = PasswordField(
        "Je wachtwoord",
        validators=[InputRequired(required_message("je wachtwoord"))],
        render_kw={"autocomplete": "current-password"},
        description="Zo weten we zeker dat jij het bent.",
    )
    confirm = BooleanField(
        "Ik begrijp dat mijn account en gegevens verdwijnen en dat dit niet ongedaan kan worden.",
        validators=[DataRequired("Vink aan dat je dit begrijpt.")],
    )


def _not_in_future(form, field) -> None:
    """Compared with today in the Netherlands, as the form's default is (not the server's day)."""
    if field.data and field.data > today():
        raise ValidationError("Deze datum ligt in de toekomst.")
    if field.data and field.data < today() - timedelta(days=366):
        raise ValidationError("Deze datum ligt meer dan een jaar terug.")


class RecordRequestForm(SiteForm):
    email = EmailField(
        "E-mailadres van de aanvrager",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("het e-mailadres van het account")),
            max_length(254),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
        description="Het adres waarmee de aanvrager een account heeft.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    kind = SelectField(
        "Wat vraagt de aanvrager?", choices=[SelectChoice(k.value, k.label) for k in RequestKind]
    )
    channel = SelectField(
        "Hoe kwam het verzoek binnen?",
        choices=[SelectChoice(c.value, c.label) for c in RequestChannel if c.by_staff],
    )
    received_on = DateField(
        "Ontvangen op",
        validators=[InputRequired("Vul de datum van ontvangst in."), _not_in_future],
        description="De termijn van een maand telt vanaf deze dag.",
    )
    detail = TextAreaField(
        "Toelichting (niet verplicht)",
        filters=[clean_text],
        validators=[Optional(), max_length(500), PlainText(multiline=True)],
        description="Kort en zonder gezondheidsgegevens: wat vroeg de aanvrager precies?",
    )


class CodeForm(SiteForm):
    code = StringField(
        "Controlecode",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("de code van zes cijfers")),
            Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message="Vul de zes cijfers van de code in."),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ExtendForm(SiteForm):
    months = SelectField(
        "Hoeveel langer?",
        choices=[SelectChoice("1", "Eén maand"), SelectChoice("2", "Twee maanden")],
        default="1",
    )
    reason = TextAreaField(
        "Reden (gaat per e-mail naar de aanvrager)",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("de reden")),
            max_length(REASON_MAX),
            PlainText(multiline=True),
        ],
    )


class CloseForm(SiteForm):
    outcome = StringField(
        "Uitkomst",
        filters=[clean_text],
        validators=[DataRequired(required_message("de uitkomst")), max_length(300), PlainText()],
        description="Bijvoorbeeld: ‘Gegevens per e-mail toegelicht’ of ‘Verzoek ingetrokken’.",
    )


class StaffEraseForm(SiteForm):
    confirm = BooleanField(
        "De aanvrager wil het account en de gegevens laten verwijderen en weet wat er "
        "bewaard blijft.",
        validators=[DataRequired("Vink aan dat de aanvrager dit wil.")],
    )
