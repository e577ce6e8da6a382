"""Pages go out gzipped to browsers that accept it, each a random few bytes longer (BREACH)."""

from __future__ import annotations

import gzip

import pytest

from app.compression import gzip_with_random_length

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.mark.parametrize(
    ("path", "mimetype"),
    [
        ("/", "text/html"),
        ("/artikelen/respijtzorg", "text/html"),
        ("/feed.xml", "application/atom+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/bestaat-niet", "text/html"),
    ],
)
def test_pages_are_gzipped_when_the_browser_accepts_it(client, path, mimetype):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert packed.status_code == plain.status_code
    assert packed.mimetype == mimetype
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    html = gzip.decompress(packed.get_data()).decode()
    # The same page (the CSRF token and the nonce-free parts are equal per visitor).
    assert html == plain.get_data(as_text=True)


def test_without_accept_encoding_the_page_is_plain_and_says_it_varies(client):
    response = client.get("/")
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.get_data(as_text=True).startswith("<!doctype html>")


def test_a_refused_gzip_is_respected(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in response.headers


def test_small_answers_stay_plain(client):
    response = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert response.json["status"] == "ok"


def test_redirects_and_empty_answers_stay_plain(client):
    response = client.get("/artikelen", headers=GZIP)
    assert response.status_code in (301, 308)
    assert "Content-Encoding" not in response.headers


def test_compressed_sizes_vary_from_one_response_to_the_next():
    """Heal the BREACH: the same page, compressed again, has another length."""
    page = b"<p>mantelzorg</p>" * 500
    lengths = {len(gzip_with_random_length(page)) for _ in range(40)}
    assert len(lengths) > 10
    assert max(lengths) - min(lengths) < 100
    assert all(gzip.decompress(gzip_with_random_length(page)) == page for _ in range(5))


def test_the_random_bytes_are_in_the_header_only():
    packed = gzip_with_random_length(b"x" * 1000, max_padding=50)
    assert packed[:3] == b"\x1f\x8b\x08" and packed[3] & 0x08  # deflate with a file name
    assert gzip.decompress(packed) == b"x" * 1000
