"""The one form of the assistant: a question."""

from __future__ import annotations

from wtforms import TextAreaField
from wtforms.validators import DataRequired

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
