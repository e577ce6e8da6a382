"""Menus: features add their links (`add_link`); templates show those the visitor may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, current_app, request
from flask_login import current_user

from app.core.pagination import page_number

AREAS = ("main", "footer", "account", "staff", "editor", "admin")


@dataclass(frozen=True)
class Link:
    """One menu link. `area`: main (header), footer, account (logged-in visitor's own pages),
    staff, editor or admin. `roles`: only accounts with one of these roles see it (empty:
    everyone who sees the area). Lower `order` comes first."""

    area: str
    endpoint: str
    label: str
    args: dict = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    order: int = 100


def add_link(app: Flask, link: Link) -> None:
    if link.area not in AREAS:
        raise ValueError(f"unknown menu area {link.area!r}")
    app.extensions.setdefault("navigation", []).append(link)


def links(area: str) -> list[tuple[str, dict, str]]:
    """(endpoint, arguments, label) of the links in `area` this visitor may see."""
    role = current_user.role if current_user.is_authenticated else None
    chosen = [
        link
        for link in current_app.extensions.get("navigation", [])
        if link.area == area
        and link.endpoint in current_app.view_functions
        and (not link.roles or role in link.roles)
    ]
    return [
        (link.endpoint, link.args, link.label) for link in sorted(chosen, key=lambda x: x.order)
    ]


def has_endpoint(endpoint: str) -> bool:
    """Whether this build has the feature behind `endpoint` (templates link only to those)."""
    return endpoint in current_app.view_functions


def canonical_url() -> str:
    """This page's address under PUBLIC_BASE_URL, without filters (only the page number)."""
    url = current_app.config["PUBLIC_BASE_URL"] + request.path
    page = page_number(request.args.get("pagina"))
    if page > 1:
        url += "?" + urlencode({"pagina": page})
    return url


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=lambda: links("main"),
        footer_links=lambda: links("footer"),
        menu=links,
        has_endpoint=has_endpoint,
        canonical_url=canonical_url,
    )
