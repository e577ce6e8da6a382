"""The Hulplijn's forms: the caregiver's first contact, and staff closing a request."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Optional, Regexp

from app.accounts.forms import EMAIL_MESSAGE, PHONE_PATTERN
from app.accounts.models import EMAIL_MAX, NAME_MAX, PHONE_MAX
from app.forms import (
    FieldError,
    PlainText,
    SiteForm,
    add_error,
    clean_text,
    max_length,
    required_message,
)
from app.helpline.models import EXPLANATION_MAX, OUTCOME_MAX, CallMoment, HelpKind

CONSENT_TEXT = (
    "Ja, de Hulplijn mag gebruiken wat ik hierboven vertel over de gezondheid van mijn naaste "
    "of mijzelf, alleen om mijn vraag te beantwoorden."
)
CONSENT_HELP = (
    "Niet verplicht. Zonder dit vinkje bewaren we geen uitleg: laat het vak hierboven dan leeg, "
    "dan bellen of mailen we je gewoon. Je kunt je toestemming altijd intrekken in je "
    "privacycentrum of via de Hulplijn."
)

MISSING_CONSENT = (
    "Vink de toestemming aan als je iets over je situatie vertelt, of laat het vak ‘Waar gaat "
    "je vraag over?’ leeg."
)


class ContactForm(SiteForm):
    kind = RadioField(
        "Wat wil je?",
        choices=[
            SelectChoice(HelpKind.CALL_BACK.value, "Bel me terug"),
            SelectChoice(HelpKind.QUESTION.value, "Beantwoord mijn vraag per e-mail"),
        ],
        default=HelpKind.CALL_BACK.value,
        validate_choice=False,
        validators=[
            DataRequired("Kies of we je bellen of mailen."),
            AnyOf([k.value for k in HelpKind], "Kies of we je bellen of mailen."),
        ],
    )
    name = StringField(
        "Je naam",
        filters=[clean_text],
        validators=[DataRequired(required_message("je naam")), max_length(NAME_MAX), PlainText()],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        "Telefoonnummer",
        filters=[clean_text],
        validators=[
            Optional(),
            max_length(PHONE_MAX),
            Regexp(PHONE_PATTERN, message="Vul een telefoonnummer in, bijvoorbeeld 06 12345678."),
        ],
        description="Nodig als we je terugbellen.",
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    email = EmailField(
        "E-mailadres",
        filters=[clean_text],
        validators=[
            Optional(),
            max_length(EMAIL_MAX),
            PlainText(),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
        description="Nodig voor een antwoord per e-mail. Anders sturen we er alleen een "
        "bevestiging naartoe, als je het invult.",
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )
    moment = RadioField(
        "Wanneer kunnen we je het best bellen?",
        choices=[SelectChoice(m.value, m.label) for m in CallMoment],
        default=CallMoment.ANY.value,
        validate_choice=False,
        validators=[
            DataRequired("Kies een moment."),
            AnyOf([m.value for m in CallMoment], "Kies een van de momenten uit de lijst."),
        ],
        description="Op werkdagen. We bellen binnen twee werkdagen.",
    )
    explanation = TextAreaField(
        "Waar gaat je vraag over? (niet verplicht)",
        filters=[clean_text],
        validators=[Optional(), max_length(EXPLANATION_MAX), PlainText(multiline=True)],
        description="Een paar zinnen is genoeg, bijvoorbeeld: ‘Mijn moeder komt uit het "
        "ziekenhuis en ik weet niet welke hulp er is.’",
    )
    health_consent = BooleanField(CONSENT_TEXT, description=CONSENT_HELP)
    # Left empty by people; filled in by programs that fill in every field.
    website = StringField("Laat dit veld leeg", render_kw={"autocomplete": "off", "tabindex": "-1"})

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        problems = []
        if self.kind.data == HelpKind.CALL_BACK.value and not self.phone.data:
            problems.append(FieldError("phone", "Vul je telefoonnummer in, dan bellen we je."))
        if self.kind.data == HelpKind.QUESTION.value and not self.email.data:
            problems.append(FieldError("email", "Vul je e-mailadres in voor een antwoord."))
        if self.explanation.data and not self.health_consent.data:
            problems.append(FieldError("health_consent", MISSING_CONSENT))
        for problem in problems:
            add_error(self, problem)
        return ok and not problems


class CloseForm(SiteForm):
    outcome = StringField(
        "Wat is er gedaan?",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("in een paar woorden wat er is gedaan")),
            max_length(OUTCOME_MAX),
            PlainText(),
        ],
        description="Bijvoorbeeld: ‘Teruggebeld, uitgelegd hoe de Wmo-melding werkt.’ Zonder "
        "gezondheidsgegevens.",
    )
