"""Shared form pieces: Dutch validators and input cleaning used by every feature's forms."""

from __future__ import annotations

import re
import unicodedata

from wtforms import Field, Form
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
