"""The newsletter's forms: subscribing with an e-mail address, and choosing topics."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.accounts.forms import EMAIL_MESSAGE
from app.accounts.models import EMAIL_MAX
from app.forms import SiteForm, clean_text, max_length, required_message

TOPICS_MESSAGE = "Kies minstens één onderwerp."


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _known_topics(form, field) -> None:
    allowed = {choice.value for choice in field.choices}
    if not field.data:
        raise ValidationError(TOPICS_MESSAGE)
    if any(value not in allowed for value in field.data):
        raise ValidationError("Kies onderwerpen uit de lijst.")


def _topics_field() -> CheckboxList:
    return CheckboxList(
        "Waar wil je nieuws over?",
        validators=[_known_topics],
        validate_choice=False,
        description="Je kunt dit later altijd veranderen, via de link onderaan elke nieuwsbrief.",
    )


class SubscribeForm(SiteForm):
    email = EmailField(
        "E-mailadres",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("je e-mailadres")),
            max_length(EMAIL_MAX),
            Email(EMAIL_MESSAGE, check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"},
    )
    topics = _topics_field()


class AccountSubscribeForm(SiteForm):
    topics = _topics_field()


class PreferencesForm(SiteForm):
    topics = _topics_field()
    no_open_count = BooleanField(
        "Tel niet of ik de nieuwsbrief open",
        description=(
            "We tellen alleen per nieuwsbrief hoeveel mensen hem openen, nooit wie. Vink dit aan "
            "en je nieuwsbrieven bevatten daarvoor geen plaatje meer."
        ),
    )


def with_topics(form, labels: dict[str, str]):
    """Fill a form's topic choices from site.toml."""
    form.topics.choices = [SelectChoice(slug, label) for slug, label in labels.items()]
    return form
