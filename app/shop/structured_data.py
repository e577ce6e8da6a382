"""schema.org data for the shop's products (see `app.core.structured_data`)."""

from __future__ import annotations

from typing import Any

from flask import url_for

from app.content import store as content
from app.core.structured_data import absolute, share_image
from app.shop import illustrations
from app.shop.catalogue import Product
from app.shop.money import decimal_euros

IN_STOCK = "https://schema.org/InStock"
NOT_AVAILABLE = "https://schema.org/Discontinued"


def image(product: Product) -> str:
    """The product's own drawing when it has one, else the site's share image."""
    if product.illustration:
        return absolute(illustrations.url(product.illustration))
    return share_image()


def product(item: Product) -> dict[str, Any]:
    """A Product with one Offer: the price with BTW in euros, sold by the organisation."""
    address = absolute(url_for("shop.product", slug=item.slug))
    return {
        "@type": "Product",
        "name": item.title,
        "description": item.fields.summary,
        "sku": item.slug,
        "image": [image(item)],
        "brand": {"@type": "Brand", "name": item.partner.name},
        "url": address,
        "offers": {
            "@type": "Offer",
            "url": address,
            "price": decimal_euros(item.price_cents),
            "priceCurrency": "EUR",
            "availability": IN_STOCK if item.active else NOT_AVAILABLE,
            "seller": {"@type": "Organization", "name": content.site().organisation.name},
        },
    }
