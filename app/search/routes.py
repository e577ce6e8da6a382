"""The search page: full results without JavaScript, live results with htmx."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from htmx_flask import request as htmx_request
from markupsafe import Markup

from app.content import store as content
from app.core.navigation import Link, add_link
from app.core.pagecache import cached_page, render_in_shell
from app.core.pagination import page_number
from app.htmx import is_partial, render
from app.search import cli, crisis, service

bp = Blueprint("search", __name__)

LIVE_TRIGGER = "zoekveld"


def _live() -> bool:
    """Sent while typing in the search field (then the last word may be unfinished)."""
    return bool(htmx_request.htmx) and htmx_request.htmx.trigger == LIVE_TRIGGER


def _answered_by() -> tuple[int, bool]:
    """Besides the address and the content, a search page depends on the index commit it is
    answered from and on whether it was asked while typing."""
    return service.index_generation(), _live()


@bp.get("/zoeken")
@cached_page(vary=_answered_by)
def search():
    """Search articles, videos, pages and products."""
    query = service.clean_query(request.args.get("q"))
    topic = request.args.get("onderwerp") or None
    site = content.site()
    if topic and site.topic(topic) is None:
        topic = None
    kind = request.args.get("soort") or None
    live = _live()
    outcome = None
    if query:
        service.ensure_fresh()
        outcome = service.search(
            query,
            kind=kind,
            topic=topic,
            page=page_number(request.args.get("pagina")),
            live=live,
            exact=request.args.get("precies") == "1",
        )
    context = {
        "kind": kind if kind in service.KINDS else None,
        "topic": site.topic(topic) if topic else None,
    }
    results = {
        "outcome": outcome,
        "kinds": service.KINDS,
        "hit_kinds": service.KIND_SINGULAR,
        # Someone who may be in danger sees who to call now, above any result.
        "help_now": crisis.needs_help_now(query),
        "help_lines": crisis.HELP_LINES,
    }
    if is_partial():  # what is typed, a filter chosen: the results only
        return render(
            "search/search.html",
            fragment="search/_results.html",
            target="zoekresultaten",
            query=query,
            fragment_title=True,
            **context,
            **results,
        )
    # The whole page: the results (escaped by the template), in a page that is the same for
    # every query.
    found = Markup(render_template("search/_results.html", query=query, **context, **results))  # noqa: S704
    slots: dict[str, str] = {"results_html": found}
    if query:
        slots["query"] = query
    else:
        context["query"] = ""
    return render_in_shell(
        "search/search.html", slots=slots, vary=(context["kind"], topic, bool(query)), **context
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_link(app, Link("main", "search.search", "Zoeken", order=50))
    app.cli.add_command(cli.search_cli)
    service.init_app(app)
