"""A crawler for the test client: every page a visitor reaches by following links, with the
forms, resources and links each page holds.

It follows `<a href>` links and GET forms (submitted with their default values) on this site,
and redirects to this site. Query-string variants of one address are visited once per set of
parameter names (`/artikelen/?tag=a` and `?tag=b` look the same), so filters and page numbers
do not make the crawl endless.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

LOCAL_HOSTS = {"", "localhost"}

# Attributes that make a browser fetch something, per element.
RESOURCE_ATTRIBUTES = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
# <link rel> values that load something, and those that only name another address.
LOADING_RELS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "mask-icon",
    "manifest",
    "preload",
    "modulepreload",
    "prefetch",
    "preconnect",
    "dns-prefetch",
    "prerender",
}
NAMING_RELS = {"canonical", "alternate", "next", "prev", "author", "license", "help", "search"}
HTMX_REQUESTS = ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete")


@dataclass
class Field:
    name: str
    tag: str
    type: str
    value: str
    options: list[str] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # labels, legends, hints, option labels

    @property
    def wording(self) -> str:
        """Everything the form shows or names: its text and its fields' names and hints."""
        parts = list(self.text)
        for f in self.fields:
            parts += [f.name, *f.attrs.values(), *f.options]
        return " ".join(parts)


@dataclass
class Resource:
    page: str
    tag: str
    attribute: str
    url: str


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    html: str
    links: list[str]
    forms: list[Form]
    resources: list[Resource]
    inline_styles: list[str]
    targets: set[str]


class _PageParser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.resources: list[Resource] = []
        self.inline_styles: list[str] = []
        self.targets: set[str] = set()
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._in_style = False

    def _resource(self, tag: str, attribute: str, value: str) -> None:
        urls = [v.strip().split()[0] for v in value.split(",") if v.strip()]
        if attribute != "srcset":
            urls = [value.strip()]
        self.resources += [Resource(self.url, tag, attribute, u) for u in urls if u]

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        # htmx reads `data-hx-get` as `hx-get`; so does the crawler.
        attrs = {
            k.removeprefix("data-") if k.startswith("data-hx-") else k: v or ""
            for k, v in attrs_list
        }
        if "style" in attrs:
            self.inline_styles.append(attrs["style"])
        if attrs.get("hx-target", "").startswith("#"):
            self.targets.add(attrs["hx-target"][1:])
        for name in HTMX_REQUESTS:
            if attrs.get(name):
                self.resources.append(Resource(self.url, tag, name, attrs[name]))
        for name in RESOURCE_ATTRIBUTES.get(tag, ()):
            if attrs.get(name):
                self._resource(tag, name, attrs[name])
        if tag == "input" and attrs.get("type") == "image" and attrs.get("src"):
            self._resource(tag, "src", attrs["src"])
        if tag == "link" and attrs.get("href"):
            rels = set(attrs.get("rel", "").lower().split())
            unknown = rels - LOADING_RELS - NAMING_RELS
            if rels & LOADING_RELS or unknown or not rels:
                self._resource(tag, "href", attrs["href"])
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            self._resource(tag, "content", attrs.get("content", ""))
        if tag == "style":
            self._in_style = True
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "form":
            self._form = Form(
                page=self.url,
                action=attrs.get("action") or self.url,
                method=(attrs.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        form = self._form
        if form is None:
            return
        hints = {k: v for k, v in attrs.items() if k in ("placeholder", "aria-label", "title")}
        if tag in ("input", "button") and attrs.get("name"):
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("checkbox", "radio") and not attrs.get("value"):
                attrs["value"] = "on"
            form.fields.append(
                Field(attrs["name"], tag, kind, attrs.get("value", ""), attrs=hints | _kinds(attrs))
            )
        elif tag == "select" and attrs.get("name"):
            self._select = Field(attrs["name"], tag, "select", "", attrs=hints)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value", ""))
            if "selected" in attrs or not self._select.value:
                self._select.value = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field(attrs["name"], tag, "textarea", "", attrs=hints)
            form.fields.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_styles.append(data)
        if self._textarea is not None:
            self._textarea.value += data
        if self._form is not None and data.strip():
            self._form.text.append(data.strip())


def _kinds(attrs: dict[str, str]) -> dict[str, str]:
    """The attributes that say what a field expects (for generating fitting values)."""
    return {k: attrs[k] for k in ("inputmode", "autocomplete", "pattern") if k in attrs}


def parse(url: str, html: str) -> _PageParser:
    parser = _PageParser(url)
    parser.feed(html)
    parser.close()
    return parser


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "http", "https") and parts.netloc in LOCAL_HOSTS


def local(base: str, href: str) -> str | None:
    """`href` as a path with query on this site, or None when it leads elsewhere."""
    target = urljoin(base, href.strip())
    parts = urlsplit(target)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in LOCAL_HOSTS:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> tuple[str, frozenset[str]]:
    parts = urlsplit(url)
    return parts.path, frozenset(k for k, _ in parse_qsl(parts.query, keep_blank_values=True))


def _get_form_url(form: Form) -> str | None:
    target = local(form.page, form.action)
    if target is None:
        return None
    values = [(f.name, f.value) for f in form.fields if f.type not in ("submit", "checkbox")]
    query = urlencode(values)
    return target.split("?", 1)[0] + (f"?{query}" if query else "")


def by_view(app: Flask, *, each_address: tuple[str, ...] = ()) -> Callable[[str], Hashable]:
    """Addresses of the same view with the same query names count as one page, except for the
    views in `each_address` (the questionnaire: each step is a different form)."""
    adapter = app.url_map.bind("localhost")

    def same(url: str) -> Hashable:
        path, names = _shape(url)
        try:
            endpoint, _ = adapter.match(path)
        except HTTPException:
            return path, names
        return (path if endpoint in each_address else endpoint), names

    return same


@dataclass
class Crawl:
    pages: dict[str, Page] = field(default_factory=dict)
    elsewhere: set[str] = field(default_factory=set)  # links to other hosts (fine: not loaded)
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def forms(self) -> list[Form]:
        return [form for page in self.pages.values() for form in page.forms]

    @property
    def resources(self) -> list[Resource]:
        return [r for page in self.pages.values() for r in page.resources]


def crawl(
    client: FlaskClient,
    seeds: list[str],
    *,
    skip: tuple[str, ...] = ("/static/",),
    limit: int = 2000,
    same: Callable[[str], Hashable] | None = None,
) -> Crawl:
    """Visit every page reachable from `seeds` with GET; raises when more than `limit` pages
    turn up (the crawl must be complete to prove anything). `same(url)` says which addresses
    count as one page (default: the path and the names in the query string); `by_view` makes
    one page of each view (one article stands for all articles)."""
    result = Crawl()
    queue: deque[str] = deque(seeds)
    seen_shapes: set = set()
    while queue:
        url = queue.popleft()
        shape = (same or _shape)(url)
        if shape in seen_shapes or url.startswith(skip):
            continue
        seen_shapes.add(shape)
        if len(seen_shapes) > limit:
            raise AssertionError(f"more than {limit} pages: the crawl would not be complete")
        response = client.get(url)
        result.statuses[url] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            target = local(url, response.headers["Location"])
            if target:
                queue.append(target)
            continue
        if response.mimetype != "text/html":
            continue  # downloads, feeds; error pages are pages too
        html = response.get_data(as_text=True)
        parsed = parse(url, html)
        page = Page(
            url=url,
            status=response.status_code,
            headers=dict(response.headers),
            html=html,
            links=parsed.links,
            forms=parsed.forms,
            resources=parsed.resources,
            inline_styles=parsed.inline_styles,
            targets=parsed.targets,
        )
        result.pages[url] = page
        for href in parsed.links:
            if href.startswith(("mailto:", "tel:", "#")):
                continue
            target = local(url, href)
            if target is None:
                result.elsewhere.add(href)
            else:
                queue.append(target)
        for form in parsed.forms:
            if form.method == "get":
                target = _get_form_url(form)
                if target:
                    queue.append(target)
    return result
