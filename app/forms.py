"""Shared form pieces: Dutch validators and input cleaning used by every feature's forms, the
one way a refused input reaches the form (`FieldError` and `add_error`), and the form of a
button that posts (`ButtonForm`).

Every form template shows errors the same way, through `templates/macros/forms.html`: an error
summary above the form and each message next to its field. A view never flashes a field error.
"""

from __future__ import annotations

import re
import unicodedata

from flask import session
from flask_wtf import FlaskForm
from flask_wtf.form import _FlaskFormCSRF
from wtforms import Field, Form
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, ValidationError

# C0/C1 control characters, except tab and newline which a text area may hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_digits(text: str) -> bool:
    """True for the digits 0-9 only. `str.isdigit` alone also passes '²' and '①', which
    `int` refuses (a crash), and '٣', which `int` reads as 3: numbers typed by a visitor are
    checked here, nowhere else."""
    return text.isascii() and text.isdigit()


def whole_number(text: str | None, *, max_digits: int = 9) -> int | None:
    """A whole number written with 0-9 only (spaces around it allowed), or None: no sign, no
    other scripts' digits, and at most `max_digits` digits (so never a huge integer)."""
    cleaned = (text or "").strip()
    if not is_digits(cleaned) or len(cleaned) > max_digits:
        return None
    return int(cleaned)


def clean_text(value: str | None) -> str | None:
    """Unicode-normalise (NFC) and trim; used as a WTForms filter."""
    if value is None:
        return None
    return unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()


class PlainText:
    """Refuse control characters (a single-line field refuses line breaks as well)."""

    def __init__(self, multiline: bool = False) -> None:
        self.pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and self.pattern.search(field.data):
            raise ValidationError("Dit veld bevat tekens die hier niet kunnen, zoals stuurtekens.")


def max_length(limit: int) -> Length:
    return Length(max=limit, message=f"Gebruik hoogstens {limit} tekens.")


def required_message(what: str) -> str:
    return f"Vul {what} in."


class FieldError(Exception):
    """Input that a service refuses, with a message in Dutch for the person who typed it.
    `field` names the form field the message belongs next to; None means the form as a whole
    (the message then shows in the error summary above the form)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def add_error(form: Form, error: FieldError) -> None:
    """Show a refused input on the form: next to its field, or above the form when the form has
    no such field. The one way a view reports what a service (or the view itself) refused; the
    form keeps what was typed, and its template shows the message like any validator's."""
    if error.field is not None and error.field in form:
        field = form[error.field]
        # A field that was never validated holds its errors in a tuple.
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


class _SessionCSRF(_FlaskFormCSRF):
    """A form's token, for a visitor who has a session; a visitor without one gets an empty
    field, so showing a form starts no session (app/extensions.py says what checks instead)."""

    def generate_csrf_token(self, csrf_token_field):
        return super().generate_csrf_token(csrf_token_field) if session else ""


class SiteForm(FlaskForm):
    """The base of every form: WTForms' own messages (such as a choice that is not in the list)
    come from its Dutch catalogue, never in English."""

    class Meta:
        locales = ("nl_NL", "nl")
        csrf_class = _SessionCSRF

        def get_translations(self, form):
            # Flask-WTF would look for Flask-Babel, which the site does not use.
            return DefaultMeta.get_translations(self, form)


class ButtonForm(SiteForm):
    """Only the CSRF token: for a button that posts (log out, pay again, withdraw a consent)."""
