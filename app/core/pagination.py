"""One way to paginate a list: clamp the page number, slice, and say what is around it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from app.forms import whole_number

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.total)


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything odd becomes page 1."""
    number = whole_number(raw, max_digits=18)
    return 1 if number is None else max(1, min(number, 100_000))


def paginate(items: list[T], number: int, per_page: int) -> Page[T]:
    """The requested page, or the last one when `number` is past the end."""
    total = len(items)
    last = max(1, -(-total // per_page))
    number = max(1, min(number, last))
    start = (number - 1) * per_page
    return Page(
        items=items[start : start + per_page], number=number, per_page=per_page, total=total
    )
