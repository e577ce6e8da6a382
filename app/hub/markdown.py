"""Building the content snapshot: Markdown rendering with links resolved, then sanitised."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from app.content import sanitise as sanitising
from app.content.files import Problem, line_of_key
from app.content.sanitise import plain_text, sanitise
from app.content.site import SiteInfo
from app.hub.checks import (
    LinkTargets,
    SiteRoutes,
    check_images,
    check_links,
    line_in_source,
    normalise,
    route_clashes,
)
from app.hub.content import Heading, Item, Snapshot
from app.hub.frontmatter import parse_file
from app.hub.rendered import Rendered

# What rendering depends on besides the Markdown and nh3 libraries (app/hub/rendered.py).
RENDERER = (Path(__file__), Path(sanitising.__file__ or ""))
EXTENSIONS = ["toc", "tables", "attr_list", "footnotes", "admonition", "sane_lists", "def_list"]


def slugify(value: str, separator: str = "-") -> str:
    """Heading anchors in plain ASCII: 'Financiële hulp' -> 'financiele-hulp'."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[\s_-]+", separator, value)


def heading_id(reserved: frozenset[str]):
    """The toc's slugify: `slugify`, with `-1` added to an id the page around the text already
    uses (the skip link's `inhoud`, the related articles' `lees-ook`), so no id is used twice."""

    def make(value: str, separator: str = "-") -> str:
        slug = slugify(value, separator)
        return f"{slug}{separator}1" if slug in reserved else slug

    return make


def url_for_item(kind: str, slug: str) -> str:
    return {"article": f"/artikelen/{slug}", "video": f"/videos/{slug}", "page": f"/{slug}"}[kind]


class _Links(Treeprocessor):
    """Turn `other.md#anchor` links into site URLs; note the links and images to check."""

    def __init__(self, md, item: Item, urls: dict[str, str]) -> None:
        super().__init__(md)
        self.item = item
        self.urls = urls
        self.unresolved: list[str] = []

    def run(self, root: ET.Element) -> None:
        base = PurePosixPath(self.item.rel_path).parent
        for element in root.iter():
            if element.tag == "a":
                self._link(element, base)
            elif element.tag == "img":
                self.item.images.append((element.get("src", ""), element.get("alt", ""), 0))

    def _link(self, element: ET.Element, base: PurePosixPath) -> None:
        href = element.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            return
        if not parts.path or parts.path.startswith("/"):
            # `#anchor` on this page, or `/artikelen/x` elsewhere on the site: checked later.
            self.item.links.append((href, 0))
            return
        if not parts.path.endswith(".md"):
            return
        target = normalise(base / parts.path)
        self.item.links.append((href, 0))
        url = self.urls.get(target)
        if url is None:
            self.unresolved.append(href)
            return
        element.set("href", url + (f"#{parts.fragment}" if parts.fragment else ""))


class _LinkExtension(Extension):
    def __init__(self, item: Item, urls: dict[str, str]) -> None:
        super().__init__()
        self.processor: _Links | None = None
        self.item = item
        self.urls = urls

    def extendMarkdown(self, md) -> None:  # noqa: N802 - the Markdown API's name
        self.processor = _Links(md, self.item, self.urls)
        md.treeprocessors.register(self.processor, "zorggenoot_links", 1)


class _RawHtml(HTMLParser):
    """Links and images an editor wrote as raw HTML, which the Markdown tree never sees."""

    def __init__(self, item: Item) -> None:
        super().__init__()
        self.item = item

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "img":
            self.item.images.append((values.get("src", ""), values.get("alt", ""), 0))
        elif tag == "a" and "href" in values:
            parts = urlsplit(values["href"])
            if not (parts.scheme or parts.netloc) and (not parts.path or parts.path[0] == "/"):
                self.item.links.append((values["href"], 0))


def render(item: Item, urls: dict[str, str], reserved: frozenset[str] = frozenset()) -> list[str]:
    """Render the item's Markdown into sanitised HTML, its headings' ids outside `reserved`;
    returns the links it could not resolve."""
    links = _LinkExtension(item, urls)
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, links],
        extension_configs={
            "toc": {"slugify": heading_id(reserved), "toc_depth": "2-3"},
            "footnotes": {"BACKLINK_TITLE": "Terug naar voetnoot %d in de tekst"},
        },
        output_format="html",
    )
    html = md.convert(item.body_markdown)
    raw = _RawHtml(item)
    for block in md.htmlStash.rawHtmlBlocks:
        if isinstance(block, str):
            raw.feed(block)
    raw.close()
    # The toc extension sets `toc_tokens` on the converter; Markdown's types do not declare it.
    tokens = md.toc_tokens  # type: ignore[attr-defined]
    item.headings = [Heading(t["level"], t["id"], t["name"]) for t in _flatten(tokens)]
    item.html = sanitise(html)
    item.text = plain_text(item.html)
    return links.processor.unresolved if links.processor else []


def _flatten(tokens: list[dict]) -> list[dict]:
    flat: list[dict] = []
    for token in tokens:
        flat.append(token)
        flat.extend(_flatten(token.get("children", [])))
    return flat


def build_snapshot(
    content_dir: Path,
    site: SiteInfo,
    files: list[Path],
    routes: SiteRoutes | None = None,
    rendered: Path | None = None,
) -> Snapshot:
    """Parse and render every content file; bad files are left out and reported.

    With the app's `routes`, absolute links inside the site are checked too, and a page whose
    slug is one of the app's own addresses (it could never be reached) is left out. With
    `rendered`, a file (app/hub/rendered.py) keeps what was rendered for the next process.
    """
    items: list[Item] = []
    problems: list[Problem] = []
    by_key: dict[tuple[str, str], Item] = {}
    for path in files:
        item, found = parse_file(path, content_dir, site)
        problems.extend(found)
        if item is None:
            continue
        key = (item.kind, item.slug)
        if key in by_key:
            other = by_key[key].rel_path
            problems.append(
                Problem(
                    item.rel_path,
                    line_of_key(item.source, "slug"),
                    f"de slug '{item.slug}' wordt al gebruikt door {other}",
                )
            )
            continue
        if item.kind == "page" and routes is not None:
            clash, alias_clashes = route_clashes(item, routes)
            problems.extend(alias_clashes)
            if clash:
                problems.append(clash)
                continue
        by_key[key] = item
        items.append(item)

    aliases = _aliases(items, by_key, problems)
    urls = {item.rel_path: url_for_item(item.kind, item.slug) for item in items}
    reserved = routes.page_ids if routes is not None else frozenset()
    kept = Rendered(rendered, RENDERER, urls, reserved)
    for item in items:
        unresolved = kept.apply(item)
        if unresolved is None:
            unresolved = render(item, urls, reserved)
            kept.keep(item, unresolved)
        for href in unresolved:
            problems.append(
                Problem(
                    item.rel_path,
                    line_in_source(item, f"]({href}", href),
                    f"de link '{href}' verwijst naar een bestand dat niet bestaat",
                )
            )
    targets = LinkTargets(by_key, aliases, site, routes) if routes is not None else None
    check_links(items, urls, targets, problems)
    check_images(items, problems)
    kept.save()
    problems.sort(key=lambda p: (p.path, p.line))
    return Snapshot(items=items, problems=problems, by_key=by_key, aliases=aliases)


def _aliases(
    items: list[Item], by_key: dict, problems: list[Problem]
) -> dict[tuple[str, str], str]:
    aliases: dict[tuple[str, str], str] = {}
    for item in items:
        for alias in item.meta.aliases:
            key = (item.kind, alias)
            if key in by_key or key in aliases:
                problems.append(
                    Problem(
                        item.rel_path,
                        line_of_key(item.source, "aliases"),
                        f"de alias '{alias}' wordt al gebruikt",
                    )
                )
                continue
            aliases[key] = item.slug
    return aliases
