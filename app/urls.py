"""Absolute links for e-mails, Mollie redirects and feeds, built from PUBLIC_BASE_URL."""

from __future__ import annotations

from typing import Any, TypeGuard
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute public URL of `endpoint`, usable inside and outside a request."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["PUBLIC_BASE_URL"] + adapter.build(endpoint, values)


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Accept only a local path such as `/account`; never another host or scheme."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
