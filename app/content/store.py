"""The one way files under CONTENT_DIR are read and kept fresh on a running site.

Every kind of content is a `Source`: the files it reads (glob patterns under the content folder)
and how to build its value from them. `site.toml` (the organisation, topics and audiences) is
the first source; every other source is built with it and is built again when it changes. The
store builds a source on first use; afterwards it looks at the files' sizes and modification
times at most every `recheck_seconds`, and builds again only what changed. `flask content check`
builds every source from a folder and prints their problems.

A broken site.toml on a running site keeps the last good one (and the check reports it); at
start it is an error, never a silent default.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from flask import Flask, current_app

from app.content.files import Problem
from app.content.site import SiteInfo, load_site

log = logging.getLogger(__name__)

RECHECK_SECONDS = 2.0
SITE = "site"


def _no_key() -> Hashable:
    return None


def _problems_of(value: Any) -> list[Problem]:
    return list(getattr(value, "problems", []))


@dataclass(frozen=True)
class Source:
    """One kind of content: `build(content_dir, site)` reads the files matching `patterns`
    (paths under the content folder; wildcards only in the file name: "artikelen/*.md").

    `problems(value)` lists what an editor must fix (default: the value's `problems`); `key()`
    adds to what identifies a build besides the files (e.g. the app's routes, which the hub's
    link check uses)."""

    name: str
    patterns: tuple[str, ...]
    build: Callable[[Path, SiteInfo], Any]
    problems: Callable[[Any], list[Problem]] = _problems_of
    key: Callable[[], Hashable] = _no_key


def _site_source() -> Source:
    return Source(SITE, ("site.toml",), lambda content_dir, _site: load_site(content_dir))


class ContentStore:
    """The content of one app. `memo` (optional) lets several stores reading the same unchanged
    files share the parsing (the test suite passes one; each app otherwise has its own)."""

    def __init__(
        self,
        content_dir: Path,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        memo: dict | None = None,
    ) -> None:
        self.content_dir = content_dir
        self.recheck_seconds = recheck_seconds
        self.sources: dict[str, Source] = {SITE: _site_source()}
        self.memo: dict = memo if memo is not None else {}
        self.serial = 0
        self._values: dict[str, tuple[tuple, Any]] = {}
        self._checked_at = float("-inf")
        self._lock = threading.RLock()

    def add(self, source: Source) -> None:
        for pattern in source.patterns:
            if any(c in pattern.rpartition("/")[0] for c in "*?["):
                raise ValueError(f"{source.name}: wildcards only in the file name: {pattern}")
        self.sources[source.name] = source

    # --- reading --------------------------------------------------------------------------

    def get(self, name: str) -> Any:
        """The current value of source `name` (built now if it never was or its files changed)."""
        self._recheck()
        built = self._values.get(name)
        if built is not None:
            return built[1]
        with self._lock:
            if name not in self._values:
                self._build(name)
            return self._values[name][1]

    def site(self) -> SiteInfo:
        return self.get(SITE)

    def version(self) -> int:
        """A number that changes whenever any content changed (for caches of derived pages)."""
        self._recheck()
        return self.serial

    # --- freshness ------------------------------------------------------------------------

    def files(self, name: str) -> list[Path]:
        """The files source `name` reads now."""
        return self._files(self.sources[name])

    def _files(self, source: Source) -> list[Path]:
        return sorted(Path(name) for name in self._found(source))

    def fingerprint(self, name: str) -> str:
        """A digest of the files source `name` reads now and of site.toml, found without
        reading them (their sizes and modification times): unchanged files, the same digest."""
        names = [SITE] if name == SITE else [SITE, name]
        signatures = [self._signature(self.sources[n]) for n in names]
        return hashlib.sha256(repr((str(self.content_dir), signatures)).encode()).hexdigest()

    def _signature(self, source: Source) -> tuple:
        found = self._found(source)
        return tuple((name, *found[name]) for name in sorted(found))

    def _found(self, source: Source) -> dict[str, tuple[int, int]]:
        """Each file of `source` (its path as text) with its modification time and size: one
        read of each pattern's folder and one stat per file, in plain strings (at 5,000 articles
        pathlib's glob, its paths and a second stat of each file took four times as long, in a
        request once every `recheck_seconds`)."""
        found: dict[str, tuple[int, int]] = {}
        for pattern in source.patterns:
            folder, _, name = pattern.rpartition("/")
            matches = re.compile(fnmatch.translate(name)).match
            try:
                with os.scandir(os.path.join(self.content_dir, folder)) as entries:
                    paths = [entry.path for entry in entries if matches(entry.name)]
            except OSError:
                continue  # no such folder: no files
            for path in paths:
                try:
                    stat = os.stat(path)
                except OSError:
                    continue  # removed between listing and looking: the next look sees it gone
                if S_ISREG(stat.st_mode):
                    found[path] = (stat.st_mtime_ns, stat.st_size)
        return found

    def _recheck(self) -> None:
        if time.monotonic() - self._checked_at < self.recheck_seconds:
            return
        with self._lock:
            if time.monotonic() - self._checked_at < self.recheck_seconds:
                return
            site_changed = False
            if (
                SITE in self._values
                and self._signature(self.sources[SITE]) != self._values[SITE][0]
            ):
                site_changed = self._rebuild_site()
            for name in [n for n in self._values if n != SITE]:
                if site_changed or self._signature(self.sources[name]) != self._values[name][0]:
                    del self._values[name]
                    self.serial += 1
            self._checked_at = time.monotonic()

    def _rebuild_site(self) -> bool:
        """Read site.toml again; on a broken file keep the last good one. True when it changed."""
        source = self.sources[SITE]
        signature = self._signature(source)
        try:
            value = source.build(self.content_dir, None)  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a broken file must not take the site down
            log.exception("content/site.toml cannot be read; the last good version stays in use")
            self._values[SITE] = (signature, self._values[SITE][1])
            return False
        self._values[SITE] = (signature, value)
        self.serial += 1
        return True

    def _build(self, name: str) -> None:
        source = self.sources[name]
        site = None if name == SITE else self.site()
        signature = self._signature(source)
        site_signature = () if name == SITE else self._values[SITE][0]
        key = (self.content_dir, name, signature, site_signature, source.key())
        value = self.memo.get(key)
        if value is None:
            value = source.build(self.content_dir, site)  # type: ignore[arg-type]
            for problem in source.problems(value):
                log.warning("content skipped or incomplete: %s", problem)
            if len(self.memo) > 32:
                self.memo.clear()
            self.memo[key] = value
        self._values[name] = (signature, value)
        self.serial += 1

    # --- the editors' check ---------------------------------------------------------------

    def check(self, directory: Path) -> tuple[list[Problem], Any]:
        """Every problem of every source, built afresh from `directory`; also returns the
        site's own problem when site.toml cannot be read."""
        other = ContentStore(directory, recheck_seconds=float("inf"))
        other.sources = dict(self.sources)
        try:
            other.site()
        except Exception as error:  # noqa: BLE001 - reported to the editor, not raised
            return [Problem("site.toml", 1, f"kan niet worden gelezen: {error}")], other
        problems: list[Problem] = []
        for name, source in other.sources.items():
            if name != SITE:
                problems.extend(source.problems(other.get(name)))
        return problems, other


def store() -> ContentStore:
    return current_app.extensions["content"]


def site() -> SiteInfo:
    """The organisation, topics and audiences as site.toml says now."""
    return store().site()


def add_source(app: Flask, source: Source) -> None:
    """A feature adds a kind of content (its files are then reloaded and checked like all)."""
    app.extensions["content"].add(source)


def init_app(app: Flask) -> None:
    app.extensions["content"] = ContentStore(
        Path(app.config["CONTENT_DIR"]),
        recheck_seconds=app.config.get("CONTENT_RECHECK_SECONDS", RECHECK_SECONDS),
        memo=app.config.get("CONTENT_MEMO"),
    )
