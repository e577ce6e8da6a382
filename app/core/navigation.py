"""Header and footer links, shown only for the features this build has."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request

from app.core.pagination import page_number

MAIN_MENU = (
    ("hub.articles", {}, "Artikelen"),
    ("hub.videos", {}, "Video's"),
    ("hub.topics", {}, "Onderwerpen"),
    ("shop.catalogue", {}, "Winkel"),
    ("search.search", {}, "Zoeken"),
    ("assistant.chat", {}, "Assistent"),
    ("hub.page", {"slug": "hulplijn"}, "Hulplijn"),
)
FOOTER = (
    ("hub.page", {"slug": "over-ons"}, "Over ons"),
    ("hub.page", {"slug": "contact"}, "Contact"),
    ("hub.page", {"slug": "hulplijn"}, "Hulplijn"),
    ("privacy.statement", {}, "Privacyverklaring"),
    ("consent.statement", {}, "Cookieverklaring"),
    ("consent.settings", {}, "Cookie-instellingen"),
    ("hub.page", {"slug": "herroepingsrecht"}, "Herroepingsrecht"),
    ("hub.feed", {}, "Nieuwsfeed (Atom)"),
)


def has_endpoint(endpoint: str) -> bool:
    """Whether this build has the feature behind `endpoint` (templates link only to those)."""
    return endpoint in current_app.view_functions


def nav_items() -> list[tuple[str, dict, str]]:
    return [(e, args, label) for e, args, label in MAIN_MENU if e in current_app.view_functions]


def footer_links() -> list[tuple[str, dict, str]]:
    return [(e, args, label) for e, args, label in FOOTER if e in current_app.view_functions]


def canonical_url() -> str:
    """This page's address under PUBLIC_BASE_URL, without filters (only the page number)."""
    url = current_app.config["PUBLIC_BASE_URL"] + request.path
    page = page_number(request.args.get("pagina"))
    if page > 1:
        url += "?" + urlencode({"pagina": page})
    return url


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items,
        footer_links=footer_links,
        has_endpoint=has_endpoint,
        canonical_url=canonical_url,
    )
