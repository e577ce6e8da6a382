"""Rendered Markdown kept in the instance folder, so a new process does not render it again.

Rendering the hub's files is most of what building the content costs (Python-Markdown, then
sanitising): half a second for the starter content, at the first page of every worker. The
result of each file is kept in one JSON file under a key of everything rendering depends on:
the file's path and text, the addresses of all content files (a link to another file becomes
its address), the ids the page already uses, and the renderer itself (the source of the
modules that render and sanitise, and the versions of Markdown and nh3). A key that does not
match is rendered again; the file then holds only what the last build used.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import markdown

from app.hub.content import Heading, Item


@cache
def renderer(sources: tuple[Path, ...]) -> str:
    """A digest of the modules that render and sanitise and of the Markdown and nh3 versions:
    a changed module or library, other results."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    digest.update(f"{markdown.__version__} {version('nh3')}".encode())
    return digest.hexdigest()


class Rendered:
    """The kept results of one build (`path` None: nothing is kept, e.g. `content check`)."""

    def __init__(
        self,
        path: Path | None,
        sources: tuple[Path, ...],
        urls: dict[str, str],
        reserved: frozenset[str],
    ) -> None:
        self.path = path
        self.context = json.dumps([renderer(sources), urls, sorted(reserved)], sort_keys=True)
        self.kept = self._read()
        self.used: dict[str, dict[str, Any]] = {}

    def _read(self) -> dict[str, dict[str, Any]]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _key(self, item: Item) -> str:
        text = json.dumps([self.context, item.rel_path, item.body_markdown])
        return hashlib.sha256(text.encode()).hexdigest()

    def apply(self, item: Item) -> list[str] | None:
        """Fill in `item` as rendering would and return its unresolved links; None when it
        was not kept (render it, then `keep` it)."""
        key = self._key(item)
        entry = self.kept.get(key)
        if not isinstance(entry, dict):
            return None
        item.html, item.text = entry["html"], entry["text"]
        item.headings = [Heading(*heading) for heading in entry["headings"]]
        item.links.extend((href, line) for href, line in entry["links"])
        item.images.extend((src, alt, line) for src, alt, line in entry["images"])
        self.used[key] = entry
        return list(entry["unresolved"])

    def keep(self, item: Item, unresolved: list[str]) -> None:
        self.used[self._key(item)] = {
            "html": item.html,
            "text": item.text,
            "headings": [[h.level, h.id, h.title] for h in item.headings],
            "links": [list(link) for link in item.links],
            "images": [list(image) for image in item.images],
            "unresolved": unresolved,
        }

    def save(self) -> None:
        """Write what this build used, when it differs from what was kept (atomically: other
        processes may read it at the same moment)."""
        if self.path is None or self.used.keys() == self.kept.keys():
            return
        written = self.path.with_name(f"{self.path.name}.{secrets.token_hex(4)}")
        try:
            written.write_text(json.dumps(self.used), encoding="utf-8")
            written.replace(self.path)
        except OSError:  # not kept: the next process renders again, which is only slower
            written.unlink(missing_ok=True)
