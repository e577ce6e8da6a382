"""Account forms. Field rules give Dutch messages; business rules live in the service."""

from __future__ import annotations

import re

from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Optional, Regexp, ValidationError

from app.accounts.models import EMAIL_MAX, NAME_MAX, PHONE_MAX
from app.accounts.passwords import MAX_LENGTH, password_problems
from app.forms import PlainText, SiteForm, clean_text, max_length, required_message

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()\-]{10,20}$")
EMAIL_MESSAGE = "Vul een geldig e-mailadres in, zoals naam@voorbeeld.nl."


def _email_field(label: str = "E-mailadres") -> EmailField:
    return EmailField(
        label,
        filters=[clean_text],
        validators=[
            DataRequired(required_message("je e-mailadres")),
            max_length(EMAIL_MAX),
            PlainText(),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )


def _phone_field() -> StringField:
    return StringField(
        "Telefoonnummer (niet verplicht)",
        filters=[clean_text],
        validators=[
            Optional(),
            max_length(PHONE_MAX),
            Regexp(PHONE_PATTERN, message="Vul een telefoonnummer in, bijvoorbeeld 06 12345678."),
        ],
        description="Niet verplicht. We gebruiken het alleen als je daar zelf om vraagt.",
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


def _name_field() -> StringField:
    return StringField(
        "Naam",
        filters=[clean_text],
        validators=[DataRequired(required_message("je naam")), max_length(NAME_MAX), PlainText()],
        render_kw={"autocomplete": "name"},
    )


class NewPassword:
    """The project's password rules as a field validator (length, not the e-mail, not common)."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form, field) -> None:
        email = ""
        if self.email_field:
            email = getattr(form, self.email_field).data or ""
        elif getattr(form, "account_email", None):
            email = form.account_email
        for problem in password_problems(field.data or "", email):
            raise ValidationError(problem)


def _new_password_fields(email_field: str | None = None) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Nieuw wachtwoord",
        validators=[
            DataRequired(required_message("een wachtwoord")),
            NewPassword(email_field),
        ],
        description=(
            "Minstens 10 tekens. Een zin van een paar woorden is sterk en goed te onthouden."
        ),
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )
    confirm = PasswordField(
        "Herhaal het wachtwoord",
        validators=[
            DataRequired(required_message("het wachtwoord nog een keer")),
            EqualTo("password", message="De twee wachtwoorden zijn niet hetzelfde."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class RegisterForm(SiteForm):
    name = _name_field()
    email = _email_field()
    phone = _phone_field()
    password, password_confirm = _new_password_fields(email_field="email")


class LoginForm(SiteForm):
    email = _email_field()
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired(required_message("je wachtwoord"))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(
        "Ingelogd blijven op dit apparaat",
        description=(
            "Alleen op een apparaat dat niemand anders gebruikt. Je blijft 30 dagen ingelogd."
        ),
    )
    next = HiddenField()


class ConfirmRegistrationForm(SiteForm):
    password = PasswordField(
        "Wachtwoord",
        validators=[DataRequired(required_message("je wachtwoord"))],
        description="Het wachtwoord dat je koos toen je het account aanmaakte.",
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(SiteForm):
    email = _email_field()


class ResetPasswordForm(SiteForm):
    password, password_confirm = _new_password_fields()


class DetailsForm(SiteForm):
    name = _name_field()
    phone = _phone_field()


class ChangeEmailForm(SiteForm):
    email = _email_field("Nieuw e-mailadres")
    password = PasswordField(
        "Je wachtwoord",
        validators=[DataRequired(required_message("je wachtwoord"))],
        description="Ter controle dat jij het bent.",
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(SiteForm):
    current_password = PasswordField(
        "Huidig wachtwoord",
        validators=[DataRequired(required_message("je huidige wachtwoord"))],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = _new_password_fields()


class SecondStepForm(SiteForm):
    code = StringField(
        "Code",
        filters=[clean_text],
        validators=[DataRequired(required_message("de code uit je app")), max_length(20)],
        description="Zes cijfers uit je app, of een van je herstelcodes.",
        render_kw={
            "autocomplete": "one-time-code",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )
    next = HiddenField()


class EnrolForm(SiteForm):
    code = StringField(
        "Code uit je app",
        filters=[clean_text],
        validators=[DataRequired(required_message("de code uit je app")), max_length(20)],
        description="Zes cijfers. De app maakt elke 30 seconden een nieuwe.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    next = HiddenField()
