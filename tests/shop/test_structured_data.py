"""Product pages carry a schema.org Product with its offer at the catalogue's price."""

from __future__ import annotations

from app.shop import service as shop_service
from app.shop.money import decimal_euros
from tests.core.test_structured_data import blocks


def test_a_product_page_offers_the_product_at_the_catalogue_price(client):
    with client.application.test_request_context():
        product = shop_service.catalogue().for_sale()[0]
    html = client.get(f"/winkel/{product.slug}").get_data(as_text=True)
    data = blocks(html)["Product"]
    assert data["name"] == product.title
    assert data["brand"]["name"] == product.partner.name
    offer = data["offers"]
    assert offer["price"] == decimal_euros(product.price_cents)
    assert offer["priceCurrency"] == "EUR"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["url"] == f"http://localhost/winkel/{product.slug}"
    assert "BreadcrumbList" in blocks(html)


def test_decimal_euros():
    assert decimal_euros(12950) == "129.50"
    assert decimal_euros(5) == "0.05"
    assert decimal_euros(-250) == "-2.50"
