"""Static files: fingerprinted names in every page, compressed copies, cached for good."""

from __future__ import annotations

import gzip
import os
import re
import time
from pathlib import Path

import brotli
import pytest

from app.assets import build, fingerprinted_name
from tests.crawl import parse

FINGERPRINTED = re.compile(r"^/static/.+\.[0-9a-f]{12}(\.[a-z0-9]+)?$")
FOREVER = "max-age=315360000, public, immutable"  # WhiteNoise's ten years


def static_references(client, path: str) -> list[str]:
    page = parse(path, client.get(path).get_data(as_text=True))
    return [r.url for r in page.resources if r.url.startswith("/static/")]


@pytest.mark.parametrize("path", ["/", "/artikelen/respijtzorg", "/winkel", "/inloggen"])
def test_pages_load_their_css_js_and_images_under_fingerprinted_names(client, path):
    references = static_references(client, path)
    assert any(r.endswith(".css") for r in references)
    assert any(r.endswith(".js") for r in references)
    assert [r for r in references if not FINGERPRINTED.match(r)] == []


def test_a_fingerprinted_file_is_cached_for_good_with_the_security_headers(client):
    (sheet,) = [r for r in static_references(client, "/") if "/css/site." in r]
    with client.get(sheet) as response:
        body = response.get_data()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == FOREVER
    assert response.mimetype == "text/css"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Access-Control-Allow-Origin" not in response.headers
    assert body == Path(client.application.static_folder, "css/site.css").read_bytes()


@pytest.mark.parametrize(("accept", "encoding"), [("gzip", "gzip"), ("br, gzip", "br"), ("", None)])
def test_static_files_come_compressed_when_the_browser_accepts_it(client, accept, encoding):
    (script,) = [r for r in static_references(client, "/") if "/htmx/" in r]
    with client.get(script, headers={"Accept-Encoding": accept}) as response:
        body = response.get_data()
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    source = Path(client.application.static_folder, "vendor/htmx/htmx.min.js").read_bytes()
    decoded = {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}[encoding](body)
    assert decoded == source
    if encoding:
        assert len(body) < len(source) / 2


def test_the_plain_name_still_works_but_is_checked_each_time(client):
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=0, public"
    assert "immutable" not in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_old_fingerprint_is_not_found(client):
    assert client.get("/static/css/site.000000000000.css").status_code == 404


def test_fingerprinted_names():
    assert fingerprinted_name("css/site.css", "ab" * 32) == "css/site." + "ab" * 6 + ".css"
    htmx = fingerprinted_name("vendor/htmx/htmx.min.js", "0" * 64)
    assert htmx == "vendor/htmx/htmx.min.000000000000.js"
    assert fingerprinted_name("LICENSE", "1" * 64) == "LICENSE.111111111111"
    assert fingerprinted_name(".hidden", "2" * 64) == ".hidden.222222222222"


def test_a_changed_file_gets_a_new_name_and_the_same_files_reuse_the_build(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "a.css").write_text("body { color: black; }\n" * 50)
    (source / "img.png").write_bytes(b"\x89PNG not really")
    target = tmp_path / "built"

    first = build(source, target)
    again = build(source, target)
    assert again.folder == first.folder
    name = first.names["css/a.css"]
    assert (first.folder / name).read_text() == (source / "css" / "a.css").read_text()
    assert (first.folder / (name + ".gz")).is_file() and (first.folder / (name + ".br")).is_file()
    assert (first.folder / "css" / "a.css.br").is_file()
    # Images that are compressed already get no second copy.
    assert not (first.folder / (first.names["img.png"] + ".gz")).exists()

    # Made now on the clock the build compares with (under TEST_CLOCK not the disk's clock).
    for made in target.iterdir():
        os.utime(made, (time.time(), time.time()))
    (source / "css" / "a.css").write_text("body { color: navy; }\n" * 50)
    second = build(source, target)
    assert second.folder != first.folder
    assert second.names["css/a.css"] != name
    assert second.names["img.png"] == first.names["img.png"]
    # The previous build stays for the workers that still use it, and goes after a day.
    assert first.folder.is_dir()


def test_old_builds_are_removed_after_a_day(tmp_path):
    source = tmp_path / "static"
    source.mkdir()
    (source / "a.txt").write_text("one")
    target = tmp_path / "built"
    first = build(source, target)
    day_ago = time.time() - 2 * 24 * 3600
    for old in target.iterdir():
        os.utime(old, (day_ago, day_ago))
    (source / "a.txt").write_text("two")
    second = build(source, target)
    assert not first.folder.exists()
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [second.folder.name, second.folder.name + ".json"]
    )
