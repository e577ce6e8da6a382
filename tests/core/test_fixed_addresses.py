"""What browsers and tools ask for at fixed addresses: /favicon.ico, /apple-touch-icon.png and
/.well-known/security.txt (RFC 9116)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image


@pytest.mark.parametrize(
    ("path", "mimetype", "sizes"),
    [
        ("/favicon.ico", "image/vnd.microsoft.icon", {(16, 16), (32, 32), (48, 48)}),
        ("/apple-touch-icon.png", "image/png", {(180, 180)}),
        ("/apple-touch-icon-precomposed.png", "image/png", {(180, 180)}),
    ],
)
def test_the_icons_are_where_browsers_look(client, path, mimetype, sizes):
    with client.get(path) as response:
        body = response.get_data()
    assert response.status_code == 200
    assert response.mimetype in (mimetype, "image/x-icon")
    assert "max-age=604800" in response.headers["Cache-Control"]
    image = Image.open(io.BytesIO(body))
    assert set(image.info.get("sizes", [image.size])) == sizes


def test_pages_name_their_home_screen_icon(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<link rel="apple-touch-icon" href="/static/img/apple-touch-icon\.', html)


def fields(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition(": ")
            found.setdefault(name, []).append(value)
    return found


def test_security_txt_follows_rfc_9116(client):
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response.content_type == "text/plain; charset=utf-8"
    found = fields(response.get_data(as_text=True))
    assert found["Contact"] == ["mailto:info@zorggenoot.nl"]  # from content/site.toml
    assert found["Preferred-Languages"] == ["nl, en"]
    assert found["Canonical"] == ["http://localhost/.well-known/security.txt"]
    (expires,) = found["Expires"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", expires)
    moment = datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    now = datetime.now(UTC)
    assert now + timedelta(days=30) < moment < now + timedelta(days=365)
    assert set(found) == {"Contact", "Expires", "Preferred-Languages", "Canonical"}
