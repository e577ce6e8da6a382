"""Forms for the questionnaire, built from its definition: one form class per step."""

from __future__ import annotations

from typing import cast

from wtforms import BooleanField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import PlainText, SiteForm, clean_text, is_digits, max_length
from app.profile.gemeenten import Ambiguous, municipalities, province_hint
from app.profile.questionnaire import Question, Step

CHOOSE_MESSAGE = "Kies een van de antwoorden uit de lijst."


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _known_choice(form, field) -> None:
    allowed = {choice.value for choice in field.choices}
    chosen = field.data if isinstance(field.data, list) else [field.data] if field.data else []
    if any(value not in allowed for value in chosen):
        raise ValidationError(CHOOSE_MESSAGE)


class _Alone:
    """An answer such as "Geen van beide" that cannot be ticked together with another."""

    def __init__(self, question: Question) -> None:
        self.alone = {o.value: o.label for o in question.options if o.exclusive}

    def __call__(self, form, field) -> None:
        chosen = set(field.data or [])
        for value, label in self.alone.items():
            if value in chosen and len(chosen) > 1:
                raise ValidationError(
                    f"Je koos ‘{label}’ en ook een ander antwoord. Kies ‘{label}’ óf de "
                    "antwoorden die wel passen."
                )


class _WholeNumber:
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def __call__(self, form, field) -> None:
        text = (field.data or "").strip()
        if not text:
            return
        if not is_digits(text) or len(text) > 6:
            raise ValidationError(f"Vul een heel getal in, bijvoorbeeld {min(self.high, 12)}.")
        if not self.low <= int(text) <= self.high:
            raise ValidationError(f"Vul een getal in van {self.low} tot en met {self.high}.")


def _municipality(form, field) -> None:
    """Accept a Dutch municipality however it is written, and keep its CBS name."""
    if not field.data:
        return
    try:
        name = municipalities().find(field.data)
    except Ambiguous as several:
        options = " of ".join(province_hint(n) for n in several.names)
        message = f"Er zijn meer gemeenten met deze naam. Bedoel je {options}?"
        raise ValidationError(message) from None
    if name is None:
        raise ValidationError(
            "Deze gemeente kennen we niet. Controleer de spelling, of kies een gemeente uit de "
            "lijst, bijvoorbeeld Utrecht of Súdwest-Fryslân. Woont je naaste niet in Nederland? "
            "Laat dit veld dan leeg."
        )
    field.data = name


def _field(question: Question):
    common = {"label": question.label, "description": question.help}
    choices = [SelectChoice(o.value, o.label) for o in question.options]
    if question.type == "single":
        return RadioField(
            choices=choices, validate_choice=False, validators=[_known_choice], **common
        )
    if question.type == "multiple":
        return CheckboxList(
            choices=choices,
            validate_choice=False,
            validators=[_known_choice, _Alone(question)],
            **common,
        )
    if question.type == "number":
        return StringField(
            filters=[clean_text],
            # The questionnaire's validator requires both bounds for a number question.
            validators=[_WholeNumber(cast(int, question.min), cast(int, question.max))],
            render_kw={"inputmode": "numeric", "autocomplete": "off"},
            **common,
        )
    checks = [max_length(question.max_length), PlainText()]
    if question.municipality:
        return StringField(
            filters=[clean_text],
            validators=[*checks, _municipality],
            render_kw={"list": "gemeenten", "autocomplete": "off"},
            **common,
        )
    return StringField(filters=[clean_text], validators=checks, **common)


def step_form(step: Step, *, ask_personalisation: bool, personalisation_text: str):
    """A form class for one step; the first step also asks the personalisation consent."""
    attrs = {question.key: _field(question) for question in step.questions}
    if ask_personalisation:
        attrs["personalisation"] = BooleanField(personalisation_text)
    return type(f"Step{step.key.title()}Form", (SiteForm,), attrs)


def values(form, step: Step) -> dict[str, object]:
    """The typed answers of a valid form (numbers as int, empty as None)."""
    result: dict[str, object] = {}
    for question in step.questions:
        data = getattr(form, question.key).data
        if question.type == "number":
            result[question.key] = int(data) if data else None
        elif question.type == "multiple":
            result[question.key] = list(dict.fromkeys(data or [])) or None
        else:
            result[question.key] = data or None
    return result


class HealthConsentForm(SiteForm):
    consent = BooleanField("")
