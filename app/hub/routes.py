"""The information hub: home, articles, videos, topics, tags, pages and the editors' overview."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from app.accounts.access import role_required
from app.accounts.models import Role
from app.content import store as content
from app.core.navigation import Link, add_link
from app.core.pagecache import cached_page, render_in_shell, render_shared
from app.core.pagination import page_number, paginate
from app.core.sitemap import add_pages
from app.core.statistics import add_vocabulary
from app.htmx import is_partial, render
from app.hub import feeds, search, service, statistics, structured_data, video_files
from app.hub.content import LocalVideo
from app.profile import personal
from app.search.service import register_provider
from app.security import allow_frame

bp = Blueprint("hub", __name__)

YOUTUBE = "https://www.youtube-nocookie.com"


def _is_editor() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.EDITOR, Role.ADMIN)


def _item_or_redirect(kind: str, slug: str, endpoint: str):
    """The visible item, a 301 to its new address for an old slug, or 404."""
    item = service.find(kind, slug, preview=_is_editor())
    if item is not None:
        return item, None
    target = service.alias_target(kind, slug)
    if target:
        return None, redirect(url_for(endpoint, slug=target), code=301)
    abort(404)


def _listed(template: str, *, fragment: str | None = None, target: str = "", **context):
    """A list of what is published, the same for everyone: for htmx the part it asked for (or
    the whole page); the whole page kept per role for someone logged in (`render_shared`)."""
    if is_partial():
        return render(template, fragment=fragment, target=target, **context)
    return render_shared(template, **context)


@bp.get("/")
@cached_page
def home():
    """The start page: for a caregiver who allows it, "Aanbevolen voor jou" first; then featured
    and latest articles, the main topics, search and the Hulplijn."""
    if is_partial():  # no part of it is swapped on its own: htmx is sent to the whole page
        return render("hub/home.html")
    sections = service.home_sections()
    recommended = personal.recommendations(
        [i for i in service.visible() if i.kind != "page"], limit=3
    )
    # Hers (escaped by their template), in a page that is the same for everyone with her role.
    mine = (
        render_template("hub/_home_recommended.html", recommended=recommended)
        if recommended
        else ""
    )
    return render_in_shell("hub/home.html", slots={"recommended_html": Markup(mine)}, **sections)  # noqa: S704


@bp.get("/artikelen/")
@cached_page
def articles():
    """All articles, filtered by topic and tag; htmx swaps the list and, out of band, the
    filter links, so both always show the same choice."""
    site = content.site()
    topic = request.args.get("onderwerp") or None
    tag = request.args.get("tag") or None
    if topic and site.topic(topic) is None:
        topic = None
    page = service.articles_page(
        topic=topic, tag=tag, number=page_number(request.args.get("pagina"))
    )
    context = {
        "page": page,
        "topic": site.topic(topic) if topic else None,
        "tag": tag,
        "tags": service.tag_counts(service.visible("article")),
    }
    if is_partial():  # a filter or page chosen: the list (nothing of hers is in it)
        return render(
            "hub/articles.html",
            fragment="hub/_article_results.html",
            target="artikelen-lijst",
            **context,
        )
    recommended = personal.recommendations(service.visible("article"))
    view = "alles" if request.args.get("weergave") == "alles" or not recommended else "voor-jou"
    # Hers (escaped by their template), in a list that is the same for everyone with her role.
    mine = (
        render_template(
            "hub/_articles_personal.html",
            recommended=recommended if view == "voor-jou" else [],
            view=view,
        )
        if recommended
        else ""
    )
    return render_in_shell(
        "hub/articles.html",
        slots={"personal_html": Markup(mine)},  # noqa: S704
        vary=(topic, tag),
        **context,
    )


@bp.get("/artikelen/<slug>")
@cached_page
def article(slug: str):
    """One article with its table of contents and related reading."""
    item, moved = _item_or_redirect("article", slug, "hub.article")
    if moved:
        return moved
    personal.note_reading(item.meta.topics)
    return render_shared(
        "hub/article.html",
        item=item,
        related=service.related(item),
        status=item.status(service.today()),
    )


@bp.get("/videos/")
@cached_page
def videos():
    """All videos."""
    page = paginate(
        service.visible("video"), page_number(request.args.get("pagina")), service.PER_PAGE
    )
    return _listed("hub/videos.html", page=page)


@bp.get("/videos/<slug>")
@cached_page
def video(slug: str):
    """One video: one made here in a <video> player with captions; one on YouTube as a poster
    until the visitor chooses to play, then the youtube-nocookie player."""
    item, moved = _item_or_redirect("video", slug, "hub.video")
    if moved:
        return moved
    if isinstance(item.meta.video, LocalVideo):
        return render_shared(
            "hub/video.html",
            item=item,
            player=video_files.player(item.slug, Path(current_app.static_folder or "static")),
            related=service.related(item),
            status=item.status(service.today()),
        )
    play = request.args.get("afspelen") == "1"
    if play:
        # Only now, after the click, may this page load a frame from YouTube.
        allow_frame(YOUTUBE)
    return render_shared(
        "hub/video.html",
        item=item,
        play=play,
        youtube=YOUTUBE,
        related=service.related(item),
        status=item.status(service.today()),
    )


@bp.get("/onderwerpen/")
@cached_page
def topics():
    """The subjects of the hub."""
    counts = {t.slug: 0 for t in content.site().topics}
    for item in service.visible():
        for topic in item.meta.topics:
            counts[topic] = counts.get(topic, 0) + 1
    return _listed("hub/topics.html", counts=counts)


@bp.get("/onderwerpen/<topic>")
@cached_page
def topic(topic: str):
    """Articles and videos about one subject."""
    found = content.site().topic(topic)
    if found is None:
        abort(404)
    items = [i for i in service.visible() if topic in i.meta.topics and i.kind != "page"]
    page = paginate(items, page_number(request.args.get("pagina")), service.PER_PAGE)
    return _listed(
        "hub/topic.html",
        fragment="hub/_item_list.html",
        target="onderwerp-lijst",
        topic=found,
        page=page,
        list_id="onderwerp-lijst",
        list_endpoint="hub.topic",
        list_args={"topic": topic},
    )


@bp.get("/tags/<tag>")
@cached_page
def tag(tag: str):
    """Articles and videos with one tag."""
    items = [i for i in service.visible() if tag in i.meta.tags and i.kind != "page"]
    if not items:
        abort(404)
    page = paginate(items, page_number(request.args.get("pagina")), service.PER_PAGE)
    return _listed(
        "hub/tag.html",
        fragment="hub/_item_list.html",
        target="tag-lijst",
        tag=tag,
        page=page,
        thin=page.total < service.MIN_TAG_ITEMS,
        list_id="tag-lijst",
        list_endpoint="hub.tag",
        list_args={"tag": tag},
    )


@bp.get("/redactie")
@role_required(Role.EDITOR, Role.ADMIN)
def editorial():
    """For editors: every item with its status, and what the content check found."""
    snapshot = service.snapshot()
    items = sorted(snapshot.items, key=lambda i: (i.kind, i.meta.published), reverse=True)
    return render_template(
        "hub/editorial.html", items=items, problems=snapshot.problems, today=service.today()
    )


@bp.get("/<slug>")
@cached_page
def page(slug: str):
    """A fixed page: over ons, Hulplijn, contact, herroepingsrecht."""
    item, moved = _item_or_redirect("page", slug, "hub.page")
    if moved:
        return moved
    return render_shared("hub/page.html", item=item, status=item.status(service.today()))


bp.add_url_rule("/feed.xml", view_func=feeds.feed)
bp.add_url_rule("/robots.txt", view_func=feeds.robots)


def init_app(app: Flask) -> None:
    content.add_source(app, service.content_source(app))
    app.register_blueprint(bp)
    for link in (
        Link("main", "hub.articles", "Artikelen", order=10),
        Link("main", "hub.videos", "Video's", order=20),
        Link("main", "hub.topics", "Onderwerpen", order=30),
        Link("footer", "hub.page", "Over ons", {"slug": "over-ons"}, order=10),
        Link("footer", "hub.page", "Contact", {"slug": "contact"}, order=20),
        Link("footer", "hub.page", "Herroepingsrecht", {"slug": "herroepingsrecht"}, order=70),
        Link("footer", "hub.feed", "Nieuwsfeed (Atom)", order=80),
        Link("editor", "hub.editorial", "Redactie", roles=(Role.EDITOR.value, Role.ADMIN.value)),
    ):
        add_link(app, link)
    register_provider(app, search.documents, search.version)
    add_pages(app, feeds.sitemap_pages)
    add_vocabulary(app, statistics.vocabulary)
    app.jinja_env.globals.update(
        article_data=structured_data.article, video_data=structured_data.video
    )
