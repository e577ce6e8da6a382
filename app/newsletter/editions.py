"""The editions editors write: `content/nieuwsbrieven/<slug>.md`, Markdown with front matter
(`subject`, `planned`, `topics`), read through the content store and checked by
`flask content check`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown

from app.content import store as content
from app.content.files import SLUG_PATTERN, Problem, line_of_key, split_front_matter
from app.content.sanitise import sanitise
from app.content.site import SiteInfo

FOLDER = "nieuwsbrieven"
SOURCE_NAME = "newsletter_editions"
SUBJECT_MAX = 200
KNOWN_KEYS = {"subject", "planned", "topics"}


@dataclass(frozen=True)
class EditionText:
    """One edition as the editor wrote it."""

    slug: str
    subject: str
    planned: dt.date
    topics: tuple[str, ...]
    markdown: str
    html: str
    rel_path: str


@dataclass
class Editions:
    by_slug: dict[str, EditionText] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def ordered(self) -> list[EditionText]:
        return sorted(self.by_slug.values(), key=lambda e: (e.planned, e.slug), reverse=True)


def render_body(text: str) -> str:
    """The edition's Markdown as HTML fit for an e-mail (only harmless markup survives)."""
    return sanitise(markdown.markdown(text, extensions=["sane_lists"]))


def _read_one(path: Path, content_dir: Path, site: SiteInfo) -> tuple[EditionText | None, list]:
    rel = path.relative_to(content_dir).as_posix()
    slug = path.stem
    try:
        source = path.read_text(encoding="utf-8")
        data, body, _line = split_front_matter(source)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return None, [Problem(rel, getattr(error, "line", 1), str(error))]
    problems: list[Problem] = []
    if not re.match(SLUG_PATTERN, slug):
        problems.append(
            Problem(rel, 1, "de bestandsnaam mag alleen kleine letters, cijfers en - bevatten")
        )
    for key in sorted(set(data) - KNOWN_KEYS):
        problems.append(
            Problem(
                rel,
                line_of_key(source, key),
                f"het veld '{key}' bestaat niet (bedoel je subject, planned of topics?)",
            )
        )
    subject = data.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        problems.append(
            Problem(rel, line_of_key(source, "subject"), "het veld 'subject' ontbreekt")
        )
    elif len(subject) > SUBJECT_MAX:
        problems.append(
            Problem(
                rel,
                line_of_key(source, "subject"),
                f"het onderwerp is langer dan {SUBJECT_MAX} tekens",
            )
        )
    planned = data.get("planned")
    if not isinstance(planned, dt.date) or isinstance(planned, dt.datetime):
        problems.append(
            Problem(
                rel,
                line_of_key(source, "planned"),
                "het veld 'planned' moet een datum zijn, zoals 2026-12-15",
            )
        )
    topics = data.get("topics", [])
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        problems.append(Problem(rel, line_of_key(source, "topics"), "'topics' moet een lijst zijn"))
        topics = []
    for topic in topics:
        if topic not in site.topic_slugs:
            problems.append(
                Problem(
                    rel,
                    line_of_key(source, "topics"),
                    f"het onderwerp '{topic}' staat niet in site.toml",
                )
            )
    if not body.strip():
        problems.append(Problem(rel, 1, "de nieuwsbrief heeft geen tekst"))
    if problems:
        return None, problems
    edition = EditionText(
        slug=slug,
        subject=str(subject).strip(),
        planned=planned,  # type: ignore[arg-type]
        topics=tuple(topics),
        markdown=body.strip(),
        html=render_body(body),
        rel_path=rel,
    )
    return edition, []


def build(content_dir: Path, site: SiteInfo) -> Editions:
    editions = Editions()
    for path in sorted((content_dir / FOLDER).glob("*.md")):
        edition, problems = _read_one(path, content_dir, site)
        editions.problems.extend(problems)
        if edition is not None:
            editions.by_slug[edition.slug] = edition
    return editions


SOURCE = content.Source(SOURCE_NAME, (f"{FOLDER}/*.md",), build)


def current() -> Editions:
    return content.store().get(SOURCE_NAME)
