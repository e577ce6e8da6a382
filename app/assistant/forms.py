"""The forms of the assistant: a question, and a report about a reply."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired

from app.assistant.models import MAX_COMMENT
from app.assistant.service import MAX_QUESTION
from app.forms import PlainText, SiteForm, clean_text, max_length


class QuestionForm(SiteForm):
    question = TextAreaField(
        "Je vraag",
        description="Bijvoorbeeld: hoe vraag ik respijtzorg aan? Noem geen namen, BSN of "
        "telefoonnummers.",
        filters=[clean_text],
        validators=[
            DataRequired(message="Typ eerst je vraag."),
            max_length(MAX_QUESTION),
            PlainText(multiline=True),
        ],
    )


class ReportForm(SiteForm):
    """ "Klopt dit antwoord niet?" under one reply: only an optional comment. Made with the
    turn's prefix, so every reply's form on the page has fields with ids of their own."""

    comment = TextAreaField(
        "Wat klopt er niet? (niet verplicht)",
        description="Noem geen namen, BSN of telefoonnummers.",
        filters=[clean_text],
        validators=[max_length(MAX_COMMENT), PlainText(multiline=True)],
    )
