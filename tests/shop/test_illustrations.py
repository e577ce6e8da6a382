"""Product drawings: `flask content check` refuses a missing or unsafe one; the shop serves
each under an address with its fingerprint, with long caching and a strict policy; the
product page, the cards and the schema.org data show it."""

import hashlib
import re
from pathlib import Path

import pytest

from app.shop import service as shop_service
from tests.core.test_structured_data import blocks
from tests.shop.test_content import PRODUCT, line_of, run_check, write_product

DRAWINGS = "winkel/afbeeldingen"
SAFE = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 120">\n'
    '  <rect width="160" height="120" fill="#e3f1ef"/>\n'
    "</svg>\n"
)
ROLLATOR = "lichtgewicht-rollator-met-zitje"


def write_drawing(content_dir, name: str, text: str) -> None:
    (content_dir / DRAWINGS / name).write_text(text, encoding="utf-8")


def test_a_product_with_its_own_new_drawing_passes(content_app, content_dir):
    write_drawing(content_dir, "proef.svg", SAFE)
    write_product(content_dir, image="proef.svg")
    code, output = run_check(content_app)
    assert code == 0, output


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("bestaat-niet.svg", "de afbeelding winkel/afbeeldingen/bestaat-niet.svg bestaat niet"),
        ("foto.jpg", "'image' moet de naam van een SVG-tekening in winkel/afbeeldingen zijn"),
        ("../partners/x.svg", "'image' moet de naam van een SVG-tekening"),
    ],
    ids=["ontbreekt", "geen-svg", "buiten-de-map"],
)
def test_an_image_that_is_not_a_drawing_in_the_folder_is_reported(
    content_app, content_dir, image, message
):
    text = write_product(content_dir, image=image)
    code, output = run_check(content_app)
    assert code == 1
    assert f"{PRODUCT}:{line_of(text, 'image')}: {message}" in output


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        ("<script>alert(1)</script>", "<script> mag niet in een tekening"),
        ('<rect width="9" height="9" onmouseover="x()"/>', "het attribuut 'onmouseover' mag niet"),
        (
            '<image xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://example.org/a.png"/>',
            "de verwijzing 'http://example.org/a.png' gaat buiten de tekening",
        ),
        ('<use href="//example.org/a.svg#b"/>', "de verwijzing '//example.org/a.svg#b'"),
        ('<image href="data:image/png;base64,AAAA"/>', "de verwijzing 'data:image/png"),
        ("<foreignObject/>", "<foreignObject> mag niet in een tekening"),
    ],
    ids=["script", "on-attribuut", "xlink-http", "protocol-relatief", "data", "foreignObject"],
)
def test_an_unsafe_drawing_is_reported_and_its_product_too(
    content_app, content_dir, inner, message
):
    write_drawing(content_dir, "proef.svg", SAFE.replace("</svg>", f"  {inner}\n</svg>"))
    text = write_product(content_dir, image="proef.svg")
    code, output = run_check(content_app)
    assert code == 1
    assert f"{DRAWINGS}/proef.svg:3: {message}" in output
    assert (
        f"{PRODUCT}:{line_of(text, 'image')}: de afbeelding {DRAWINGS}/proef.svg is afgekeurd"
        in output
    )
    # Not served: the file has no address.
    with content_app.test_request_context():
        assert "proef.svg" not in shop_service.catalogue().illustrations


def test_a_drawing_with_a_name_that_cannot_be_an_address_is_reported(content_app, content_dir):
    write_drawing(content_dir, "Mijn Tekening.svg", SAFE)
    code, output = run_check(content_app)
    assert code == 1
    assert f"{DRAWINGS}/Mijn Tekening.svg:1: gebruik voor de naam alleen kleine letters" in output


def test_every_starter_product_has_a_drawing_with_alt_text(app):
    with app.test_request_context():
        catalogue = shop_service.catalogue()
    assert catalogue.problems == []
    products = list(catalogue.products.values())
    assert len(products) >= 20
    for product in products:
        assert product.illustration is not None, product.slug
        assert product.fields.image_alt and len(product.fields.image_alt.strip()) > 20
    # One drawing per product, none shared.
    assert len({p.fields.image for p in products}) == len(products)


def drawing_address(client, slug: str) -> str:
    html = client.get(f"/winkel/{slug}").get_data(as_text=True)
    found = re.search(r'<img class="zg-buy__image" src="([^"]+)"', html)
    assert found, html
    return found.group(1)


def test_a_drawing_is_served_under_its_fingerprint_with_long_caching(client, app):
    address = drawing_address(client, ROLLATOR)
    contents = (Path(app.config["CONTENT_DIR"]) / DRAWINGS / "rollator.svg").read_bytes()
    fingerprint = hashlib.sha256(contents).hexdigest()[:12]
    assert address == f"/winkel/afbeeldingen/rollator.{fingerprint}.svg"
    response = client.get(address)
    assert response.status_code == 200
    assert response.data == contents
    assert response.headers["Content-Type"] == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; style-src 'unsafe-inline';")
    assert "script-src" not in policy and "sandbox" in policy
    again = client.get(address, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_old_fingerprint_leads_to_the_current_drawing(client):
    address = drawing_address(client, ROLLATOR)
    response = client.get("/winkel/afbeeldingen/rollator.0123456789ab.svg")
    assert response.status_code == 302
    assert response.headers["Location"] == address
    assert "immutable" not in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "address",
    [
        "/winkel/afbeeldingen/bestaat-niet.0123456789ab.svg",
        "/winkel/afbeeldingen/rollator.svg",
        "/winkel/afbeeldingen/..%2Fproducten%2Fbedbeugel.0123456789ab.svg",
    ],
)
def test_an_unknown_drawing_is_not_found(client, address):
    assert client.get(address).status_code == 404


def test_the_product_page_shows_the_drawing_with_its_alt_text_above_the_button(client):
    html = client.get(f"/winkel/{ROLLATOR}").get_data(as_text=True)
    image = re.search(r'<img class="zg-buy__image"[^>]*>', html)
    assert image
    assert 'alt="Tekening van een rollator met vier wielen' in image.group(0)
    assert 'width="160" height="120"' in image.group(0)
    assert image.start() < html.index("zg-price") < html.index("In mijn mandje")


def test_the_cards_show_the_drawing_as_decoration_beside_the_named_link(client):
    html = client.get("/winkel").get_data(as_text=True)
    cards = re.findall(r'<article class="zg-card zg-product-card">.*?</article>', html, re.S)
    assert cards
    for card in cards:
        image = re.search(r"<img [^>]*>", card)
        assert image, card
        assert 'alt=""' in image.group(0) and 'width="96" height="72"' in image.group(0)
        assert re.search(r'<h3 class="zg-card__title"><a [^>]*>[^<]+</a></h3>', card)


def test_the_product_data_names_the_drawing(client):
    address = drawing_address(client, ROLLATOR)
    html = client.get(f"/winkel/{ROLLATOR}").get_data(as_text=True)
    assert blocks(html)["Product"]["image"] == ["http://localhost" + address]
