"""What survives of editors' HTML, and the plain text of rendered HTML (summaries, search)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "hr",
    "br",
    "div",
    "span",
    "sup",
    "sub",
    "abbr",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "caption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope"},
    "*": {"id", "class"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Set by the sanitiser on every link and image, also those an editor wrote as raw HTML.
LINK_REL = "noopener"
SET_ATTRIBUTES = {"img": {"loading": "lazy"}}
# Every table sits in a box that scrolls sideways on a narrow screen and takes keyboard focus, so
# it scrolls by keyboard too (the templates' `table_region` macro makes the same box).
TABLE_BOX = '<div class="zg-table-wrap" role="region" aria-label="Tabel" tabindex="0">'


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def plain_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.chunks)).strip()


def sanitise(html: str) -> str:
    """Only harmless markup survives: no scripts, event handlers, styles or javascript: links.
    Tables come out in their scrolling box."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values=SET_ATTRIBUTES,
        strip_comments=True,
    )
    # The sanitiser writes every table tag as plain `<table` and `</table>`.
    return clean.replace("<table", TABLE_BOX + "<table").replace("</table>", "</table></div>")
