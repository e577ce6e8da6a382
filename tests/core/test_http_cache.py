"""What browsers and proxies may keep (app/httpcache.py): public pages are revalidated with a
weak ETag and answered 304; nothing personal is ever kept."""

import gzip

from flask import Response

from app.httpcache import add_vary
from tests.conftest import Client

ARTICLE = "/artikelen/respijtzorg"


def test_a_page_that_sets_no_cookie_may_be_kept_by_anyone_for_a_minute(app):
    fresh = app.test_client()
    response = fresh.get("/feed.xml")
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == ("public, max-age=60, stale-while-revalidate=300")
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    again = app.test_client().get("/feed.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # Compressed, the bytes differ every time, but the page is the same: the same weak ETag.
    packed = app.test_client().get("/feed.xml", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == etag
    assert gzip.decompress(packed.data) == response.data
    changed = app.test_client().get("/feed.xml", headers={"If-None-Match": 'W/"iets anders"'})
    assert changed.status_code == 200 and changed.data == response.data


def test_a_visitors_page_with_a_session_is_kept_by_their_own_browser_only(app):
    visitor = app.test_client()
    visitor.post("/cookies/keuze")  # refused for want of a token: that starts a session
    first = visitor.get(ARTICLE)
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = visitor.get(ARTICLE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert "Set-Cookie" not in again.headers


def test_a_consent_choice_changes_the_page_and_its_etag(app):
    visitor = Client(app, app.response_class)
    before = visitor.get(ARTICLE)
    etag = before.headers["ETag"]
    visitor.submit("/cookies/keuze", {"keuze": "niets", "next": ARTICLE}, page=ARTICLE)
    after = visitor.get(ARTICLE, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert 'id="cookiebanner"' in before.get_data(as_text=True)
    assert 'id="cookiebanner"' not in after.get_data(as_text=True)


def test_nothing_of_someone_logged_in_is_kept_anywhere(client, login_as):
    login_as()
    for path in (ARTICLE, "/", "/profiel", "/privacy"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "ETag" not in response.headers, path
        conditional = client.get(path, headers={"If-None-Match": "*"})
        assert conditional.status_code == 200, path


def test_answers_to_forms_errors_and_health_checks_are_not_kept(app, client):
    assert client.get("/bestaat-niet").headers["Cache-Control"] == "no-cache"
    answer = client.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/")
    assert answer.headers["Cache-Control"] == "no-cache" and "ETag" not in answer.headers
    health = app.test_client().get("/healthz")
    assert health.headers["Cache-Control"] == "no-store" and "ETag" not in health.headers


def test_vary_names_every_header_a_page_depends_on_once(client):
    response = client.get(ARTICLE, headers={"Accept-Encoding": "gzip"})
    names = [part.strip().lower() for part in response.headers["Vary"].split(",")]
    assert sorted(names) == sorted(set(names))
    assert {"hx-request", "hx-target", "hx-trigger", "accept-encoding"} <= set(names)


def test_add_vary_adds_only_what_is_missing():
    response = Response("x")
    add_vary(response, "HX-Request", "Accept-Encoding")
    assert response.headers["Vary"] == "HX-Request, Accept-Encoding"
    add_vary(response, "accept-encoding", "Cookie")
    assert response.headers["Vary"] == "HX-Request, Accept-Encoding, Cookie"
    response.vary.add("Origin")  # Flask and Werkzeug add theirs in their own way
    add_vary(response, "HX-Request")
    assert [p.strip() for p in response.headers["Vary"].split(",")] == [
        "HX-Request",
        "Accept-Encoding",
        "Cookie",
        "Origin",
    ]
