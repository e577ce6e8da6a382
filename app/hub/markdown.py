"""Reading the content folder: front matter, Markdown rendering, links and sanitising."""

from __future__ import annotations

import re
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pydantic import ValidationError

from app.config import PROJECT_ROOT
from app.core.site import SiteInfo
from app.hub.checks import (
    LinkTargets,
    SiteRoutes,
    check_images,
    check_links,
    line_in_source,
    normalise,
    route_clashes,
)
from app.hub.content import (
    KINDS,
    FrontMatter,
    FrontMatterError,
    Heading,
    Item,
    Problem,
    Snapshot,
    digest,
    line_of_key,
    split_front_matter,
)

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
EXTENSIONS = ["toc", "tables", "attr_list", "footnotes", "admonition", "sane_lists", "def_list"]


def slugify(value: str, separator: str = "-") -> str:
    """Heading anchors in plain ASCII: 'Financiële hulp' -> 'financiele-hulp'."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[\s_-]+", separator, value)


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
    """Only harmless markup survives: no scripts, event handlers, styles or javascript: links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        set_tag_attribute_values=SET_ATTRIBUTES,
        strip_comments=True,
    )


def parse_file(path: Path, content_dir: Path, site: SiteInfo) -> tuple[Item | None, list[Problem]]:
    """Read one file's front matter; returns the item (None when it cannot be used) and problems."""
    rel = path.relative_to(content_dir).as_posix()
    kind = KINDS[path.parent.name]
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(rel, 1, f"het bestand kan niet worden gelezen: {error}")]
    try:
        data, body, body_line = split_front_matter(source)
    except FrontMatterError as error:
        return None, [Problem(rel, error.line, str(error))]
    except ValueError as error:
        return None, [Problem(rel, 1, str(error))]
    try:
        meta = FrontMatter.model_validate(data)
    except ValidationError as error:
        return None, [_field_problem(rel, source, e) for e in error.errors()]
    fatal, problems = _check_fields(rel, source, kind, meta, site)
    if fatal:
        return None, fatal + problems
    item = Item(
        kind=kind,
        slug=meta.slug or path.stem,
        meta=meta,
        path=path,
        rel_path=rel,
        source=source,
        body_markdown=body,
        body_line=body_line,
        content_hash=digest(source),
    )
    return item, problems


MESSAGES = {
    "missing": "het veld '{field}' ontbreekt",
    "extra_forbidden": "het veld '{field}' bestaat niet (bedoel je een ander veld?)",
}


def _field_problem(rel: str, source: str, error: dict) -> Problem:
    field = str(error["loc"][0]) if error["loc"] else "?"
    where = ".".join(str(part) for part in error["loc"])
    template = MESSAGES.get(error["type"])
    message = template.format(field=where) if template else f"'{where}': {error['msg']}"
    return Problem(rel, line_of_key(source, field), message)


def _check_fields(
    rel: str, source: str, kind: str, meta: FrontMatter, site: SiteInfo
) -> tuple[list[Problem], list[Problem]]:
    """Rules that depend on the kind of item or on site.toml: (fatal problems, other problems)."""
    fatal: list[Problem] = []
    problems: list[Problem] = []

    def add(field: str, message: str, is_fatal: bool = False) -> None:
        (fatal if is_fatal else problems).append(Problem(rel, line_of_key(source, field), message))

    if kind != "page" and not meta.topics:
        add("topics", "het veld 'topics' ontbreekt: kies minstens één onderwerp", is_fatal=True)
    for topic in meta.topics:
        if topic not in site.topic_slugs:
            known = ", ".join(sorted(site.topic_slugs))
            add("topics", f"onbekend onderwerp '{topic}' (bekend zijn: {known})", is_fatal=True)
    for tag in meta.audience:
        if tag not in site.audience:
            add("audience", f"onbekende doelgroep '{tag}' (zie [audience] in site.toml)")
    if kind == "video" and meta.video is None:
        add(
            "video",
            "een video heeft een blok 'video' met provider, id, duration en transcript",
            True,
        )
    if kind != "video" and meta.video is not None:
        add("video", "alleen bestanden in videos/ hebben een blok 'video'")
    if meta.image and not (meta.image_alt or "").strip():
        add("image_alt", "bij 'image' hoort een beschrijving in 'image_alt' (alt-tekst)")
    if meta.image and not (PROJECT_ROOT / "static" / "img" / meta.image).is_file():
        add("image", f"de afbeelding static/img/{meta.image} bestaat niet")
    if meta.updated and meta.updated < meta.published:
        add("updated", "'updated' ligt vóór 'published'")
    if meta.expires and meta.expires <= meta.published:
        add("expires", "'expires' ligt niet na 'published'")
    return fatal, problems


def render(item: Item, urls: dict[str, str]) -> list[str]:
    """Render the item's Markdown into sanitised HTML; returns the links it could not resolve."""
    links = _LinkExtension(item, urls)
    md = markdown.Markdown(
        extensions=[*EXTENSIONS, links],
        extension_configs={
            "toc": {"slugify": slugify, "toc_depth": "2-3"},
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
    item.headings = [Heading(t["level"], t["id"], t["name"]) for t in _flatten(md.toc_tokens)]
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
    content_dir: Path, site: SiteInfo, files: list[Path], routes: SiteRoutes | None = None
) -> Snapshot:
    """Parse and render every content file; bad files are left out and reported.

    With the app's `routes`, absolute links inside the site are checked too, and a page whose
    slug is one of the app's own addresses (it could never be reached) is left out.
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
    for item in items:
        for href in render(item, urls):
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
