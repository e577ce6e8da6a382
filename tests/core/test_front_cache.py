"""The layer in front of the app (app/core/front.py): what a visitor without a session is
answered from memory, and what never comes from it."""

import shutil
import time
from datetime import timedelta

import pytest
from flask import make_response, request, session

from app.consent.routes import banner_state
from app.core.formatting import today
from app.httpcache import public_page
from tests.conftest import PROJECT_ROOT, SAME_ORIGIN, build_app

PAGES = ["/feed.xml", "/sitemap.xml", "/", "/artikelen/respijtzorg", "/account"]


def hits(app) -> int:
    return app.extensions["front_cache"].hits


@pytest.fixture
def visitor(app):
    """A browser that never keeps a cookie: every request a first visit."""
    return app.test_client(use_cookies=False)


def test_a_public_page_is_given_again_from_memory(app, visitor):
    visitor.get("/feed.xml")  # builds the content, which changes its version once
    first = visitor.get("/feed.xml")
    before = hits(app)
    again = visitor.get("/feed.xml")
    assert hits(app) == before + 1
    assert again.status_code == 200
    assert again.data == first.data
    assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert again.headers["Cache-Control"].startswith("public")


def test_a_logged_in_caregiver_never_gets_a_page_from_memory(app, visitor, client, login_as):
    for page in PAGES:  # whatever may be kept for a first visitor is kept now
        visitor.get(page)
        visitor.get(page)
    user = login_as()
    before = hits(app)
    for page in PAGES:
        for _ in range(2):
            response = client.get(page)
            assert response.status_code == 200, page
            assert response.headers["Cache-Control"] == "private, no-store", page
    assert hits(app) == before
    for page in ["/", "/artikelen/respijtzorg"]:
        html = client.get(page).get_data(as_text=True)
        assert "Uitloggen" in html
        seen = visitor.get(page).get_data(as_text=True)
        assert "Uitloggen" not in seen and user.email not in seen


@pytest.mark.parametrize("cookie", ["session=iets", "remember_token=iets", "a=1; remember_token=x"])
def test_a_request_with_a_session_or_remember_cookie_always_goes_to_the_app(app, visitor, cookie):
    visitor.get("/feed.xml")
    visitor.get("/feed.xml")
    before = hits(app)
    visitor.get("/feed.xml", headers={"Cookie": cookie})
    visitor.get("/feed.xml", headers={"Cookie": cookie})
    assert hits(app) == before


def test_a_page_that_sets_a_cookie_is_never_given_again(app, visitor):
    def counted():
        session["gezien"] = session.get("gezien", 0) + 1
        response = make_response("<p>Gezien</p>")
        response.headers["Cache-Control"] = "public, max-age=60"  # says public, sets a cookie
        return response

    app.add_url_rule("/test/gezien", view_func=public_page(counted))
    before = hits(app)
    for _ in range(3):
        assert visitor.get("/test/gezien").headers["Set-Cookie"].startswith("session=")
    assert hits(app) == before


def test_a_first_visit_to_an_article_starts_no_session_and_is_given_again(app, visitor):
    visitor.get("/artikelen/respijtzorg")
    first = visitor.get("/artikelen/respijtzorg")
    assert "Set-Cookie" not in first.headers
    before = hits(app)
    again = visitor.get("/artikelen/respijtzorg")
    assert hits(app) == before + 1 and again.data == first.data


@pytest.mark.parametrize("page", ["/inloggen", "/registreren", "/assistent", "/hulplijn"])
def test_a_page_not_marked_public_is_never_given_again(app, visitor, page):
    """Forms and links from e-mails (a reset link) go to the app every time."""
    first = visitor.get(page)
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    assert first.headers["Cache-Control"] == "private, no-cache"
    before = hits(app)
    visitor.get(page)
    assert hits(app) == before


def test_posts_and_conditional_requests_go_to_the_app(app, visitor):
    first = visitor.get("/feed.xml")
    visitor.get("/feed.xml")
    before = hits(app)
    assert visitor.post("/feed.xml").status_code in (400, 405)
    etag = first.headers["ETag"]
    assert visitor.get("/feed.xml", headers={"If-None-Match": etag}).status_code == 304
    assert hits(app) == before


def test_a_consent_choice_changes_what_is_served(tmp_path, database_url):
    app = build_app(tmp_path, database_url)

    @app.get("/proef/cookiebanner")
    @public_page
    def shows_banner():
        """A public page that depends on the consent cookie, as the banner does."""
        response = app.make_response(f"banner: {banner_state()} {request.path}")
        return response

    client = app.test_client()
    visitor = app.test_client(use_cookies=False)
    chosen = client.post("/cookies/keuze", data={"keuze": "niets"}, headers=SAME_ORIGIN)
    consent = next(
        c.split(";", 1)[0] for c in chosen.headers.getlist("Set-Cookie") if "zg_toestemming" in c
    )

    assert visitor.get("/proef/cookiebanner").get_data(as_text=True).startswith("banner: new")
    before = hits(app)
    visitor.get("/proef/cookiebanner")  # now kept for visitors without a choice
    assert hits(app) == before + 1
    with_choice = visitor.get("/proef/cookiebanner", headers={"Cookie": consent})
    assert with_choice.get_data(as_text=True).startswith("banner: None")
    again = visitor.get("/proef/cookiebanner", headers={"Cookie": consent})
    assert again.get_data(as_text=True).startswith("banner: None")
    assert visitor.get("/proef/cookiebanner").get_data(as_text=True).startswith("banner: new")
    app.extensions["db_engine"].dispose()


def test_a_new_and_an_edited_article_are_served_fresh_within_the_recheck_interval(
    tmp_path, database_url
):
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    recheck = 0.3
    app = build_app(
        tmp_path, database_url, CONTENT_DIR=str(content), CONTENT_RECHECK_SECONDS=recheck
    )
    visitor = app.test_client(use_cookies=False)
    visitor.get("/feed.xml")
    time.sleep(recheck)
    visitor.get("/feed.xml")
    before = hits(app)
    assert b"Logeren in het weekend" not in visitor.get("/feed.xml").data
    assert hits(app) == before + 1  # kept

    article = content / "artikelen" / "logeren-in-het-weekend.md"
    published = today() - timedelta(days=1)
    article.write_text(
        f'---\ntitle: "Logeren in het weekend"\nsummary: "Even weg."\ntopics: [zorg]\n'
        f"tags: [respijtzorg]\npublished: {published}\n---\n\nTekst.\n",
        encoding="utf-8",
    )
    time.sleep(recheck + 0.05)
    assert b"Logeren in het weekend" in visitor.get("/feed.xml").data

    visitor.get("/feed.xml")
    article.write_text(
        article.read_text(encoding="utf-8").replace("in het weekend", "een hele week"), "utf-8"
    )
    time.sleep(recheck + 0.05)
    fresh = visitor.get("/feed.xml").get_data(as_text=True)
    assert "Logeren een hele week" in fresh and "Logeren in het weekend" not in fresh
    app.extensions["db_engine"].dispose()


def test_an_answer_that_varies_on_a_header_outside_the_key_is_never_kept():
    from app.core.front import _keepable

    public = [("Cache-Control", "public, max-age=60")]
    assert _keepable("200 OK", [*public, ("Vary", "HX-Request, HX-Trigger, Accept-Encoding")])
    for vary in ("Accept-Language", "HX-Request, User-Agent", "*"):
        assert _keepable("200 OK", [*public, ("Vary", vary)]) == 0, vary


def test_typing_in_the_search_field_and_submitting_are_kept_apart(app, visitor):
    typing = {"HX-Request": "true", "HX-Target": "zoekresultaten", "HX-Trigger": "zoekveld"}
    submitted = {"HX-Request": "true", "HX-Target": "zoekresultaten"}
    for _ in range(2):
        typed = visitor.get("/zoeken?q=re", headers=typing).get_data(as_text=True)
        whole = visitor.get("/zoeken?q=re", headers=submitted).get_data(as_text=True)
        assert "Typ minstens 3 tekens." in typed and "Typ minstens 3 tekens." not in whole
