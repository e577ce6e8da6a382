"""The page cache never shares anything personal between visitors."""

import re

from tests.conftest import DEFAULT_PASSWORD, SAME_ORIGIN


def token(response) -> str:
    found = re.search(r'"X-CSRFToken": "([^"]+)"', response.get_data(as_text=True))
    assert found, "the page has no CSRF token for htmx"
    return found.group(1)


def test_a_visitor_without_a_session_gets_no_token_and_no_cookie(app):
    visitor = app.test_client()
    page = visitor.get("/artikelen/respijtzorg")
    assert "Set-Cookie" not in page.headers
    assert page.headers["Cache-Control"].startswith("public")
    assert '"X-CSRFToken": ""' in page.get_data(as_text=True)
    # A browser's form post says where it comes from; that is what lets it in.
    response = visitor.post("/cookies/keuze", data={"keuze": "niets"}, headers=SAME_ORIGIN)
    assert response.status_code == 303


def test_each_visitor_with_a_session_gets_their_own_csrf_token(app):
    first, second = app.test_client(), app.test_client()
    for visitor in (first, second):  # a refused form starts a session
        assert visitor.post("/cookies/keuze", data={"keuze": "niets"}).status_code == 400
    a, b = first.get("/artikelen/respijtzorg"), second.get("/artikelen/respijtzorg")
    assert token(a) != token(b)
    assert "\x00" not in a.get_data(as_text=True) + b.get_data(as_text=True)
    # And the token from a cached page works for a form post that says nothing of its origin.
    again = first.get("/artikelen/respijtzorg")
    response = first.post("/cookies/keuze", data={"keuze": "niets", "csrf_token": token(again)})
    assert response.status_code == 303


def test_logged_in_pages_are_not_served_from_the_cache(app, client, make_user):
    user = make_user(name="Zeer Herkenbare Naam")
    anonymous = app.test_client()
    anonymous.get("/")
    client.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD})
    assert "Mijn account" in client.get("/").get_data(as_text=True)
    assert "Mijn account" not in anonymous.get("/").get_data(as_text=True)


def test_banner_state_is_part_of_the_key(app):
    visitor = app.test_client()
    assert 'id="cookiebanner"' in visitor.get("/").get_data(as_text=True)
    visitor.post("/cookies/keuze", data={"keuze": "niets"}, headers=SAME_ORIGIN)
    assert 'id="cookiebanner"' not in visitor.get("/").get_data(as_text=True)
    assert 'id="cookiebanner"' in app.test_client().get("/").get_data(as_text=True)
