"""What search engines and shared links read besides the page: the share image (og:image) and
schema.org data as JSON-LD. Core gives the site-wide parts (the organisation, breadcrumbs, the
default image) and writes the `<script type="application/ld+json">` blocks; features describe
their own things (the hub its articles, the shop its products) with these helpers.

A JSON-LD block is data, not a script: the browser never runs it, so the Content-Security-Policy
(`script-src 'self'`) neither blocks it nor needs a nonce for it. The JSON is written so that no
text in it can close the block (`<`, `>`, `&` and `'` are escaped).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, url_for
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from app.content import store as content

CONTEXT = "https://schema.org"
SHARE_IMAGE = "img/share.png"
SHARE_IMAGE_SIZE = (1200, 630)
LOGO = "img/apple-touch-icon.png"  # square and raster, as search engines want a logo
# Only these can serve as og:image on the common platforms (no SVG).
RASTER = (".png", ".jpg", ".jpeg", ".webp", ".gif")


def absolute(path: str) -> str:
    """`path` on this site as a full address under PUBLIC_BASE_URL."""
    return current_app.config["PUBLIC_BASE_URL"] + path


def static_image(filename: str | None) -> str | None:
    """The full address of `img/<filename>` when it is a raster image, else None."""
    if not filename or not filename.lower().endswith(RASTER):
        return None
    return absolute(url_for("static", filename=f"img/{filename}"))


def share_image() -> str:
    return absolute(url_for("static", filename=SHARE_IMAGE))


def script(data: dict[str, Any]) -> Markup:
    """`data` as a JSON-LD block (with the schema.org context added)."""
    body = htmlsafe_json_dumps(
        {"@context": CONTEXT, **data}, dumps=json.dumps, ensure_ascii=False, separators=(",", ":")
    )
    return Markup('<script type="application/ld+json">{}</script>').format(body)


def organisation() -> dict[str, Any]:
    """The organisation, from content/site.toml."""
    org = content.site().organisation
    data: dict[str, Any] = {
        "@type": "Organization",
        "name": org.name,
        "legalName": org.legal_name,
        "url": absolute("/"),
        "logo": absolute(url_for("static", filename=LOGO)),
        "email": org.email,
        "telephone": org.helpline_tel,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": org.street,
            "postalCode": org.postcode,
            "addressLocality": org.city,
            "addressCountry": "NL",
        },
        "identifier": {"@type": "PropertyValue", "propertyID": "KvK", "value": org.kvk},
    }
    if org.vat_number:
        data["vatID"] = org.vat_number
    return data


def publisher() -> dict[str, Any]:
    """The organisation as the publisher of an article or the seller of an offer."""
    org = content.site().organisation
    return {
        "@type": "Organization",
        "name": org.name,
        "logo": {"@type": "ImageObject", "url": absolute(url_for("static", filename=LOGO))},
    }


def breadcrumb_list(trail: list[tuple[str | None, str]], here: str) -> dict[str, Any]:
    """A BreadcrumbList for a trail of (address, label); the last step (address None) is
    `here`, the page's own full address."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": number,
                "name": label,
                "item": absolute(href) if href else here,
            }
            for number, (href, label) in enumerate(trail, start=1)
        ],
    }


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        json_ld=script,
        organisation_data=organisation,
        breadcrumb_data=breadcrumb_list,
        share_image=share_image,
        share_image_size=SHARE_IMAGE_SIZE,
        static_image=static_image,
    )
