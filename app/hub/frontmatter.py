"""Reading one content file's front matter and checking its fields (the check's messages)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.config import PACKAGE_DIR
from app.content.files import FrontMatterError, Problem, digest, line_of_key, split_front_matter
from app.content.site import SiteInfo
from app.hub.content import KINDS, FrontMatter, Item, LocalVideo
from app.hub.video_files import check_media


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
    slug = meta.slug or path.stem
    if kind == "video" and isinstance(meta.video, LocalVideo):
        where = (rel, line_of_key(source, "video"))
        problems += check_media(meta.video, slug, PACKAGE_DIR / "static", where=where)
    item = Item(
        kind=kind,
        slug=slug,
        meta=meta,
        path=path,
        rel_path=rel,
        source=source,
        body_markdown=body,
        body_line=body_line,
        content_hash=digest(source),
    )
    return item, problems


VIDEO_PROVIDERS = ("youtube", "local")
MESSAGES = {
    "missing": "het veld '{field}' ontbreekt",
    "extra_forbidden": "het veld '{field}' bestaat niet (bedoel je een ander veld?)",
}


def _field_problem(rel: str, source: str, error: ErrorDetails) -> Problem:
    loc = list(error["loc"])
    if loc[:1] == ["video"] and len(loc) > 2 and loc[1] in VIDEO_PROVIDERS:
        del loc[1]  # the kind of video block, which the editor did not write as a key
    field = str(loc[0]) if loc else "?"
    where = ".".join(str(part) for part in loc)
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
            "een video heeft een blok 'video': provider local met slides, of youtube met id, "
            "duration en transcript",
            True,
        )
    if kind != "video" and meta.video is not None:
        add("video", "alleen bestanden in videos/ hebben een blok 'video'")
    if meta.image and not (meta.image_alt or "").strip():
        add("image_alt", "bij 'image' hoort een beschrijving in 'image_alt' (alt-tekst)")
    if meta.image and not (PACKAGE_DIR / "static" / "img" / meta.image).is_file():
        add("image", f"de afbeelding static/img/{meta.image} bestaat niet")
    if meta.updated and meta.updated < meta.published:
        add("updated", "'updated' ligt vóór 'published'")
    if meta.expires and meta.expires <= meta.published:
        add("expires", "'expires' ligt niet na 'published'")
    return fatal, problems
