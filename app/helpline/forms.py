"""The Hulplijn's forms: the caregiver's first contact, and staff closing a request."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Email,
    InputRequired,
    NumberRange,
    Optional,
    Regexp,
)

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
    whole_number,
)
from app.helpline.models import (
    EXPLANATION_MAX,
    OUTCOME_MAX,
    TEXT_MAX,
    CallMoment,
    Channel,
    HelpKind,
    QuestionStatus,
)

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


# --- the dossier ----------------------------------------------------------------------------

REASON_MAX = 300
TOPICS = [
    SelectChoice("wonen", "Wonen"),
    SelectChoice("zorg", "Zorg"),
    SelectChoice("financien", "Financiën"),
    SelectChoice("juridisch", "Juridisch"),
]
TOPIC_VALUES = [t.value for t in TOPICS]
TOPIC_LABELS = {t.value: t.label for t in TOPICS}
PICK_TOPIC = "Kies een onderwerp uit de lijst."


def _topic() -> SelectField:
    return SelectField(
        "Onderwerp",
        choices=TOPICS,
        validate_choice=False,
        validators=[DataRequired(PICK_TOPIC), AnyOf(TOPIC_VALUES, PICK_TOPIC)],
    )


def _text(label: str, *, required: str | None = None, description: str = "") -> TextAreaField:
    first = DataRequired(required_message(required)) if required else Optional()
    return TextAreaField(
        label,
        filters=[clean_text],
        validators=[first, max_length(TEXT_MAX), PlainText(multiline=True)],
        description=description,
    )


class VersionField(HiddenField):
    """The version of the record the form was opened on (a colleague's change is noticed)."""

    def process_formdata(self, valuelist):
        self.data = whole_number(valuelist[0] if valuelist else None)


class DossierSearchForm(SiteForm):
    """The staff search (a GET form: nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    q = SearchField(
        "Zoek een cliënt",
        filters=[clean_text],
        validators=[Optional(), max_length(200)],
        description="Op naam (ook het begin, zoals ‘jans’), e-mailadres, telefoonnummer of "
        "dossiernummer (D-000012).",
        render_kw={"autocomplete": "off"},
    )


class ReasonForm(SiteForm):
    reason = StringField(
        "Waarom open je dit dossier?",
        filters=[clean_text],
        validators=[
            DataRequired(required_message("waarom je dit dossier opent")),
            max_length(REASON_MAX),
            PlainText(),
        ],
        description="Bijvoorbeeld: ‘Collega ziek, cliënt belt terug over de Wmo-aanvraag.’ De "
        "verantwoordelijke mantelzorgmakelaar en de cliënt zien je reden.",
    )


class DossierStartForm(SiteForm):
    """Turn a request into a new dossier, or add it to a proposed one."""

    target = RadioField("Waar hoort deze vraag bij?", validate_choice=False, default="nieuw")
    topic = _topic()
    description = _text(
        "De vraag in het kort",
        description="Alleen wat nodig is om de vraag te beantwoorden.",
    )
    same_person = BooleanField("Ik heb gecontroleerd dat dit dezelfde persoon is")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.target.data != "nieuw" and not self.same_person.data:
            add_error(
                self,
                FieldError(
                    "same_person",
                    "Bevestig dat het dezelfde persoon is: we voegen dossiers nooit "
                    "samen zonder controle.",
                ),
            )
            return False
        return ok


class QuestionForm(SiteForm):
    topic = _topic()
    description = _text("De vraag in het kort", required="de vraag")


class QuestionEditForm(SiteForm):
    status = SelectField(
        "Stand",
        choices=[SelectChoice(s.value, s.label) for s in QuestionStatus],
        validate_choice=False,
        validators=[AnyOf([s.value for s in QuestionStatus], "Kies een stand uit de lijst.")],
    )
    description = _text("De vraag in het kort", required="de vraag")
    follow_up = DateField("Opvolgen op (niet verplicht)", validators=[Optional()])
    version = VersionField()


class ContactMomentForm(SiteForm):
    channel = SelectField(
        "Hoe",
        choices=[SelectChoice(c.value, c.label) for c in Channel],
        validate_choice=False,
        validators=[AnyOf([c.value for c in Channel], "Kies hoe het contact was.")],
    )
    on = DateField("Datum", validators=[InputRequired("Vul de datum van het contact in.")])
    minutes = IntegerField(
        "Duur in minuten",
        validators=[
            Optional(),
            NumberRange(0, 600, "Vul een duur tussen 0 en 600 minuten in."),
        ],
    )
    question = SelectField("Over de vraag", validate_choice=False, default="")
    summary = _text(
        "Samenvatting voor de cliënt",
        required="een samenvatting",
        description="Dit leest de cliënt bij ‘Mijn hulpvragen’.",
    )
    notes = _text(
        "Interne aantekeningen (niet verplicht)",
        description="Niet op ‘Mijn hulpvragen’; wel in de inzage en download van de cliënt.",
    )
    follow_up = DateField("Volgend contact (niet verplicht)", validators=[Optional()])


class NotesForm(SiteForm):
    summary = _text("Samenvatting voor de cliënt", required="een samenvatting")
    notes = _text("Interne aantekeningen (niet verplicht)")
    version = VersionField()


class DocumentForm(SiteForm):
    document = FileField(
        "Document",
        description="PDF, JPEG, PNG, DOCX of ODT, hoogstens 10 MB.",
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.odt"},
    )


class PolicyForm(SiteForm):
    insurer = StringField(
        "Zorgverzekeraar", filters=[clean_text], validators=[max_length(120), PlainText()]
    )
    policy_number = StringField(
        "Polisnummer", filters=[clean_text], validators=[max_length(60), PlainText()]
    )


class DetailsForm(SiteForm):
    name = StringField(
        "Naam",
        filters=[clean_text],
        validators=[DataRequired(required_message("de naam")), max_length(NAME_MAX), PlainText()],
    )
    phone = StringField(
        "Telefoonnummer",
        filters=[clean_text],
        validators=[Optional(), max_length(PHONE_MAX), PlainText()],
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
    )
    version = VersionField()


class EraseForm(SiteForm):
    sure = BooleanField(
        "De cliënt heeft gevraagd het dossier te wissen; ik begrijp dat het niet terug kan",
        validators=[DataRequired("Vink aan dat je het dossier echt wilt wissen.")],
    )


class CorrectionForm(SiteForm):
    what = _text(
        "Wat klopt er niet, en wat moet het zijn?",
        required="wat er niet klopt",
        description="Een mantelzorgmakelaar past het aan en laat je weten wat er is veranderd.",
    )
