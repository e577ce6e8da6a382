"""Shared links show a picture (og:image), and pages carry schema.org data as JSON-LD:
Organization on the home page, Article on articles, BreadcrumbList wherever breadcrumbs show,
Product with its offer on product pages."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def blocks(html: str) -> dict[str, dict]:
    found = {}
    for raw in LD.findall(html):
        data = json.loads(raw)
        assert data["@context"] == "https://schema.org"
        found[data["@type"]] = data
    return found


def meta(html: str, name: str) -> str:
    match = re.search(rf'<meta property="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} meta tag"
    return match.group(1)


def test_every_page_has_a_share_image_of_1200_by_630(client):
    for path in ("/", "/onderwerpen/zorg", "/artikelen/respijtzorg", "/cookies"):
        html = client.get(path).get_data(as_text=True)
        image = meta(html, "og:image")
        assert image and image.startswith("http://localhost/static/img/share."), path
        assert image.endswith(".png")
        assert meta(html, "og:image:width") == "1200" and meta(html, "og:image:height") == "630"
        assert meta(html, "og:image:alt")
        assert '<meta name="twitter:card" content="summary_large_image">' in html
    with client.get(image.removeprefix("http://localhost")) as response:
        assert response.status_code == 200 and response.mimetype == "image/png"
        picture = Image.open(io.BytesIO(response.get_data()))
    assert picture.size == (1200, 630) and picture.format == "PNG"


def test_the_home_page_describes_the_organisation_from_site_toml(client):
    data = blocks(client.get("/").get_data(as_text=True))["Organization"]
    assert data["name"] == "Zorggenoot" and data["legalName"] == "Zorggenoot B.V."
    assert data["address"]["streetAddress"] == "Europalaan 500"
    assert data["address"]["postalCode"] == "3526 KS"
    assert data["identifier"]["value"] == "92131530"
    assert data["telephone"] == "+31854016867"
    assert data["url"] == "http://localhost/"
    assert data["logo"].endswith(".png")


@pytest.mark.parametrize("path", ["/onderwerpen/zorg", "/videos/", "/winkel", "/cookies"])
def test_pages_with_breadcrumbs_carry_a_breadcrumb_list(client, path):
    html = client.get(path).get_data(as_text=True)
    assert 'aria-label="Kruimelpad"' in html
    crumbs = blocks(html)["BreadcrumbList"]["itemListElement"]
    assert crumbs[-1]["item"] == f"http://localhost{path}"
