"""Statuses as enums: a `StrEnum` whose members carry their Dutch label, and a column type that
stores such a member as its plain string and reads it back as the member.

The database keeps the same strings as before ("paid", "klaar"), so no migration is needed
when a raw string becomes an enum; comparing a member with its string is still true.
"""

from __future__ import annotations

import enum
from typing import Any, Self

import sqlalchemy as sa


class LabelledEnum(enum.StrEnum):
    """A string enum with a Dutch label per member: `PAID = "paid", "betaald"`."""

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def parse(cls, raw: object) -> Self | None:
        """The member for `raw`, or None when `raw` is not one of its values (the caller says
        what an unknown value means)."""
        return next((member for member in cls if member.value == raw), None)


class EnumString(sa.types.TypeDecorator):
    """A VARCHAR column holding the value of a `StrEnum` member. Writing refuses anything that
    is not a value of the enum; reading gives the member back."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum_class: type[enum.StrEnum], length: int) -> None:
        super().__init__(length=length)
        self.enum_class = enum_class

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Any) -> enum.StrEnum | None:
        if value is None:
            return None
        return self.enum_class(value)
