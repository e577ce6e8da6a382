"""The cookie banner, the cookie settings and statement, and first-party counting."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import cast

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlmodel import Session
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response as BaseResponse

from app import db, htmx
from app.consent import gate, models, register, service, statistics
from app.consent.privacy import ConsentData
from app.consent.register import (
    BANNER_TEXT,
    BANNER_TITLE,
    CONSENT_COOKIE,
    CONSENT_MAX_AGE,
    COOKIES,
    STATS_COOKIE,
    STATS_MAX_AGE,
    Category,
)
from app.core import pagecache, personal_data
from app.core import statistics as counting
from app.core.formatting import AMSTERDAM
from app.core.navigation import Link, add_link
from app.core.sitemap import Entry, add_pages
from app.htmx import wants_fragment
from app.urls import is_safe_next

log = logging.getLogger(__name__)
bp = Blueprint("consent", __name__)

BANNER_ID = "cookiebanner"
NOT_COUNTED = {"static", "core.healthz", "hub.feed", "core.sitemap", "hub.robots"}
# Pages whose address holds only public names (an article's slug, a topic). Any other address
# with a variable part (an e-mail token, an order number, a request id) is counted by its
# pattern, so no token or number ever reaches the statistics.
PUBLIC_ADDRESSES = {"hub.article", "hub.video", "hub.topic", "hub.tag", "hub.page", "shop.product"}


# Pages that never show the banner: the settings page is the banner's own "Instellingen",
# in full, so showing the banner above it again would ask the same question twice.
NO_BANNER = {"consent.settings"}


def banner_state() -> str | None:
    """None when no banner is needed; "new" on a first visit; "changed" after a policy change;
    "expired" when the choice is older than 182 days. A choice made in this very request counts
    (its cookie is only set on the way out), and the settings page never shows the banner."""
    if request.endpoint in NO_BANNER:
        return None
    choice = g.get("new_choice") or service.read_choice(request.cookies.get(CONSENT_COOKIE))
    if choice is None:
        return "new"
    if choice.version != register.POLICY.version:
        return "changed"
    if not choice.is_current():
        return "expired"
    return None


def _back() -> str:
    target = request.form.get("next") or request.referrer or ""
    if target.startswith(request.host_url):
        target = "/" + target[len(request.host_url) :]
    return target if is_safe_next(target) else url_for("hub.home")


def _save(accepted: set[str], method: str, *, commit: bool = True) -> None:
    """Record the decision; the consent cookie is set on the way out (`_apply_cookies`)."""
    previous = service.read_choice(request.cookies.get(CONSENT_COOKIE))
    user_id = current_user.id if current_user.is_authenticated else None
    g.new_choice = service.decide_cookies(
        db.session(), previous=previous, accepted=accepted, method=method, user_id=user_id
    )
    if commit:
        db.session().commit()
    gate.forget()


def _save_all_or_nothing(choice: str) -> set[str]:
    """The "Alles accepteren" ("alles") or "Alles weigeren" ("niets") button."""
    accepted = {c.value for c in service.OPTIONAL} if choice == "alles" else set()
    _save(accepted, "accept_all" if choice == "alles" else "refuse_all")
    return accepted


@bp.post("/cookies/keuze")
def choose():
    """The banner's three buttons: accept all, refuse all, or open the settings."""
    choice = request.form.get("keuze")
    if choice == "instellingen":
        if wants_fragment(BANNER_ID):
            return render_template(
                "consent/_banner_settings.html", current=_current_accepted(), next=_back()
            )
        return redirect(url_for("consent.settings", next=_back()), code=303)
    if choice not in ("alles", "niets"):
        return htmx.redirect(_back())
    _save_all_or_nothing(choice)
    return _saved()


SAVED = "Je cookiekeuze is opgeslagen. Je kunt haar altijd wijzigen via Cookie-instellingen."


def _saved() -> BaseResponse | str:
    """After a choice in the banner: the banner gives way to a short confirmation in its place
    (htmx), or the page the visitor was on comes back with that confirmation."""
    if wants_fragment(BANNER_ID):
        return render_template("consent/_banner_saved.html", message=SAVED)
    flash(SAVED, "ok")
    return htmx.redirect(_back())


@bp.post("/cookies/intrekken")
def withdraw_cookies():
    """Withdraw the analytical cookies in one click (the privacy centre's button); a
    logged-in person's withdrawal is also a right exercised, in their request log."""
    _save(set(), "withdraw", commit=False)
    if current_user.is_authenticated:
        personal_data.right_exercised.send(
            cast("LocalProxy[Flask]", current_app)._get_current_object(),
            session=db.session(),
            user_id=current_user.id,
            kind="intrekking",
            outcome="toestemming voor analytische cookies ingetrokken",
        )
    db.session().commit()
    flash("Je toestemming voor analytische cookies is ingetrokken.", "ok")
    return redirect(_back(), code=303)


@bp.route("/cookies/instellingen", methods=["GET", "POST"])
def settings():
    """Choose per category (nothing pre-ticked); also the place to withdraw."""
    if request.method == "POST":
        shortcut = request.form.get("keuze")  # "Alles accepteren" / "Alles weigeren" here too
        if shortcut in ("alles", "niets"):
            accepted = _save_all_or_nothing(shortcut)
        else:
            accepted = {c.value for c in service.OPTIONAL if request.form.get(c.value) == "ja"}
            _save(accepted, "custom")
        if wants_fragment(BANNER_ID):
            return _saved()
        return render_template(
            "consent/settings.html", current=accepted, saved=True, next=_back(), cookies=COOKIES
        )
    return render_template(
        "consent/settings.html",
        current=_current_accepted(),
        saved=False,
        next=request.args.get("next") if is_safe_next(request.args.get("next")) else None,
        cookies=COOKIES,
    )


@bp.get("/cookies")
@pagecache.cached_page
def statement():
    """The cookie statement: the table comes from the cookie register."""
    return render_template(
        "consent/statement.html", cookies=COOKIES, policy=register.POLICY, categories=list(Category)
    )


def _current_accepted() -> set[str]:
    choice = service.read_choice(request.cookies.get(CONSENT_COOKIE))
    return set(choice.accepted) if choice and choice.is_current() else set()


def _apply_cookies(response: Response) -> Response:
    """Set the consent cookie after a decision; delete the statistics cookie when it is no
    longer allowed (refused, withdrawn, restricted or expired)."""
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    new = g.pop("new_choice", None)
    if new is not None:
        response.set_cookie(
            CONSENT_COOKIE,
            service.encode_choice(new),
            max_age=int(CONSENT_MAX_AGE.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=secure,
        )
        gate.current_subject().choice = new
    if STATS_COOKIE in request.cookies and not gate.allows("analytics"):
        response.delete_cookie(STATS_COOKIE, samesite="Lax", secure=secure, httponly=True)
    return response


def _countable(response: Response) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and request.endpoint is not None
        and request.endpoint not in NOT_COUNTED
        and gate.allows("analytics")
    )


def _counted_path() -> str:
    rule = request.url_rule
    if request.view_args and request.endpoint not in PUBLIC_ADDRESSES and rule is not None:
        return rule.rule
    return request.path


def _count(response: Response) -> Response:
    """First-party statistics, only with analytics consent: a page view, a search term, and
    once a day the visit itself. No account, no IP address, no identifier."""
    if not _countable(response):
        return response
    today = datetime.now(AMSTERDAM).date()
    live_search = request.headers.get("HX-Trigger") == "zoekveld"
    try:
        with Session(db.engine()) as session:
            if not live_search:
                service.count_page_view(session, day=today, path=_counted_path())
            if request.endpoint == "search.search" and request.args.get("q") and not live_search:
                service.count_search(
                    session,
                    day=today,
                    query=request.args["q"],
                    words=[w.text for w in counting.vocabulary(current_app).words],
                )
            if request.cookies.get(STATS_COOKIE) != today.isoformat():
                service.count_visitor(session, day=today)
                response.set_cookie(
                    STATS_COOKIE,
                    today.isoformat(),
                    max_age=int(STATS_MAX_AGE.total_seconds()),
                    httponly=True,
                    samesite="Lax",
                    secure=current_app.config["SESSION_COOKIE_SECURE"],
                )
            session.commit()
    except Exception:  # noqa: BLE001 - statistics must never break a page
        log.exception("statistics could not be counted")
    return response


def _this_address() -> Markup:
    return escape(request.full_path if request.query_string else request.path)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    personal_data.register(app, *models.PERSONAL_DATA, handler=ConsentData())
    statistics.init_app(app)
    pagecache.vary_on(app, banner_state)
    # Where the banner's choice leads back to: this address, filled in per request (a page may
    # be kept apart from its query: app.core.pagecache.render_in_shell).
    pagecache.per_request(app, "banner_next", _this_address)
    add_link(app, Link("footer", "consent.statement", "Cookieverklaring", order=50))
    add_link(app, Link("footer", "consent.settings", "Cookie-instellingen", order=60))
    add_pages(app, lambda: [Entry(url_for("consent.statement"), register.POLICY.date)])

    @app.context_processor
    def _banner():
        return {
            "cookie_banner_state": banner_state,
            "banner_title": BANNER_TITLE,
            "banner_text": BANNER_TEXT,
            "policy": register.POLICY,
        }

    @app.after_request
    def _after(response: Response) -> Response:
        return _count(_apply_cookies(response))
