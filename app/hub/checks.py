"""Checks that look across the whole content folder: links within the site and their anchors,
alt texts, and page slugs that would hide behind one of the app's own addresses.

Each finds problems for `flask content check` (and the editors' overview); none of them stops
the site from serving the rest of the content.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, RequestRedirect

from app.content.files import Problem, line_of_key
from app.content.site import SiteInfo
from app.hub.content import Item

PAGE_ENDPOINT = "hub.page"
ITEM_ENDPOINTS = {"hub.article": "article", "hub.video": "video", PAGE_ENDPOINT: "page"}
MISSING_ITEM = {
    "article": "een artikel dat niet bestaat",
    "video": "een video die niet bestaat",
    "page": "een pagina die niet bestaat",
}


TEMPLATE_ID = re.compile(r'\bid="([a-z0-9-]+)"')


class SiteRoutes:
    """The app's own addresses: which view answers a path, so that links in content can be
    checked and a page slug cannot collide with a route. Also the ids the templates use
    (`page_ids`), which a heading in content must not take."""

    def __init__(
        self,
        url_map: Map,
        static_folder: str | None = None,
        page_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.url_map = url_map
        self.static_folder = Path(static_folder) if static_folder else None
        self.page_ids = page_ids

    @classmethod
    def for_app(cls, app: Flask) -> SiteRoutes:
        if "template_ids" not in app.extensions:  # read once: templates ship with the code
            folder = Path(app.root_path, app.template_folder or "templates")
            app.extensions["template_ids"] = frozenset(
                found
                for template in folder.rglob("*.html")
                for found in TEMPLATE_ID.findall(template.read_text(encoding="utf-8"))
            )
        return cls(app.url_map, app.static_folder, app.extensions["template_ids"])

    def match(self, path: str, method: str = "GET") -> tuple[str, Mapping[str, Any]] | None:
        """(endpoint, arguments) of the view that answers `path`, after a trailing-slash
        redirect; None when no view does (404 or 405)."""
        adapter = self.url_map.bind("localhost")
        for _ in range(3):
            try:
                return adapter.match(path, method=method)
            except RequestRedirect as redirect:
                path = urlsplit(redirect.new_url).path
            except HTTPException:
                return None
        return None

    def claimed(self, path: str) -> str | None:
        """The endpoint, other than a content page, that answers `path` for GET or POST."""
        for method in ("GET", "POST"):
            found = self.match(path, method)
            if found and found[0] != PAGE_ENDPOINT:
                return found[0]
        return None

    def static_file_exists(self, filename: str) -> bool:
        return self.static_folder is not None and (self.static_folder / filename).is_file()

    def fingerprint(self) -> tuple:
        """Changes when the routes change, so cached check results are not shared wrongly."""
        rules = sorted((rule.rule, rule.endpoint) for rule in self.url_map.iter_rules())
        return (str(self.static_folder), *sorted(self.page_ids), *rules)


def normalise(path: PurePosixPath) -> str:
    """'artikelen/../paginas/./x.md' -> 'paginas/x.md' (never above the content folder)."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def line_in_source(item: Item, *needles: str) -> int:
    """The first line that holds the first needle found; the body's first line otherwise."""
    lines = item.source.splitlines()
    for needle in needles:
        for number, line in enumerate(lines, start=1):
            if needle in line:
                return number
    return item.body_line


def _link_line(item: Item, href: str) -> int:
    return line_in_source(item, f"]({href}", f"]: {href}", f'"{href}"', f"'{href}'", href)


def route_clashes(item: Item, routes: SiteRoutes) -> tuple[Problem | None, list[Problem]]:
    """For a page: (a problem when its slug is an address of the app itself, which would hide
    the page; problems for aliases that are such addresses)."""
    clash = None
    if routes.claimed(f"/{item.slug}"):
        clash = Problem(
            item.rel_path,
            line_of_key(item.source, "slug"),
            f"de slug '{item.slug}' botst met het adres /{item.slug} van de site zelf: "
            "kies een andere slug",
        )
    aliases = [
        Problem(
            item.rel_path,
            line_of_key(item.source, "aliases"),
            f"de alias '{alias}' botst met het adres /{alias} van de site zelf",
        )
        for alias in item.meta.aliases
        if routes.claimed(f"/{alias}")
    ]
    return clash, aliases


def anchors_of(item: Item) -> set[str]:
    return {h.id for h in item.headings} | set(re.findall(r'\bid="([^"]+)"', item.html))


class LinkTargets:
    """What an absolute link inside the site may point to."""

    def __init__(
        self,
        by_key: dict[tuple[str, str], Item],
        aliases: dict[tuple[str, str], str],
        site: SiteInfo,
        routes: SiteRoutes,
    ) -> None:
        self.by_key = by_key
        self.aliases = aliases
        self.site = site
        self.routes = routes
        self.tags = {
            tag
            for item in by_key.values()
            if item.kind != "page" and not item.meta.draft
            for tag in item.meta.tags
        }

    def resolve(self, path: str) -> tuple[Item | None, str | None]:
        """(the content item at `path` if any, what is wrong with the link or None)."""
        found = self.routes.match(unquote(path))
        if found is None:
            return None, "verwijst naar een adres dat niet bestaat op de site"
        endpoint, args = found
        if endpoint in ITEM_ENDPOINTS:
            kind = ITEM_ENDPOINTS[endpoint]
            slug = self.aliases.get((kind, args["slug"]), args["slug"])
            target = self.by_key.get((kind, slug))
            if target is None:
                return None, f"verwijst naar {MISSING_ITEM[kind]}"
            if target.meta.draft:
                return None, f"verwijst naar een concept ({target.rel_path})"
            return target, None
        if endpoint == "hub.topic" and args["topic"] not in self.site.topic_slugs:
            return None, "verwijst naar een onderwerp dat niet bestaat"
        if endpoint == "hub.tag" and args["tag"] not in self.tags:
            return None, "verwijst naar een tag die bij geen enkel artikel of video hoort"
        if endpoint == "static" and not self.routes.static_file_exists(args["filename"]):
            return None, "verwijst naar een bestand dat niet bestaat"
        return None, None


def check_links(
    items: list[Item],
    urls: dict[str, str],
    targets: LinkTargets | None,
    problems: list[Problem],
) -> None:
    """Anchors of `.md` links and of `#anchor` links on the same page, and absolute links
    within the site (`/artikelen/x`, `/onderwerpen/y`, `/zoeken`): each must lead somewhere.
    Absolute links are only checked when the app's routes are known (`targets`)."""
    anchors = {item.rel_path: anchors_of(item) for item in items}
    anchors_by_url = {urls[item.rel_path]: anchors[item.rel_path] for item in items}
    for item in items:
        base = PurePosixPath(item.rel_path).parent

        def add(href: str, message: str, item: Item = item) -> None:
            problems.append(Problem(item.rel_path, _link_line(item, href), message))

        for href, _ in item.links:
            parts = urlsplit(href)
            fragment = unquote(parts.fragment)
            if not parts.path:
                if fragment and fragment not in anchors[item.rel_path]:
                    add(href, f"het anker '#{fragment}' bestaat niet op deze pagina")
            elif parts.path.startswith("/"):
                if targets is None:
                    continue
                target, message = targets.resolve(parts.path)
                if message:
                    add(href, f"de link '{href}' {message}")
                elif target and fragment and fragment not in anchors[target.rel_path]:
                    add(href, f"het anker '#{fragment}' bestaat niet in {parts.path}")
            else:
                url = urls.get(normalise(base / parts.path))
                if url and fragment and fragment not in anchors_by_url[url]:
                    add(href, f"het anker '#{fragment}' bestaat niet in {parts.path}")


def check_images(items: list[Item], problems: list[Problem]) -> None:
    """Every image, in Markdown or raw HTML, needs alt text."""
    for item in items:
        for src, alt, _ in item.images:
            if not alt.strip():
                line = line_in_source(item, f"]({src}", f'"{src}"', f"'{src}'", src)
                problems.append(
                    Problem(item.rel_path, line, f"de afbeelding '{src}' heeft geen alt-tekst")
                )
