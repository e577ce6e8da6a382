"""The sitemap: each feature adds the public pages it brings (`add_pages`), and /sitemap.xml
lists them all, so no feature has to know another's addresses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app


@dataclass(frozen=True)
class Entry:
    """One public page: its address as `url_for` gives it, and when its content last changed
    (None when the page has no such date, e.g. a list)."""

    path: str
    changed: date | None = None


def add_pages(app: Flask, pages: Callable[[], Iterable[Entry]]) -> None:
    """`pages()` answers, within a request, the public pages a feature has right now."""
    app.extensions.setdefault("sitemap", []).append(pages)


def entries() -> list[Entry]:
    """Every registered page once, by address."""
    found: dict[str, Entry] = {}
    for pages in current_app.extensions.get("sitemap", []):
        for entry in pages():
            found.setdefault(entry.path, entry)
    return sorted(found.values(), key=lambda entry: entry.path)
