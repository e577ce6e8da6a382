"""The web baseline: security headers, error pages, htmx fragments and the health check."""

import re

import pytest

from tests.conftest import SAME_ORIGIN, build_app, htmx_headers


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_broken_database(tmp_path):
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'no-such-dir' / 'x.db'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    app.extensions["db_engine"].dispose()


def test_security_headers_on_every_response(client):
    for path in ("/", "/inloggen", "/bestaat-niet", "/static/css/site.css"):
        with client.get(path) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        # No third-party hosts, except that a form may lead to the payment provider's checkout.
        assert "http" not in csp.replace("form-action 'self' http://127.0.0.1:5001", "")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in headers  # only in production


def test_pages_vary_on_hx_request(client):
    assert "HX-Request" in client.get("/").headers["Vary"]


def test_cookies_are_httponly_and_lax(client):
    # A form refused for want of a token starts a session, so the page asked again has one.
    cookie = client.post("/inloggen").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.fixture
def production_app(tmp_path, database_url):
    from cryptography.fernet import Fernet

    app = build_app(
        tmp_path,
        database_url,
        APP_ENV="production",
        SECRET_KEY="p" * 48,
        PUBLIC_BASE_URL="https://www.zorggenoot.nl",
        MOLLIE_API_KEY="live_abcdefghijklmnopqrstuvwxyz01",
        MOLLIE_API_ENDPOINT="https://api.mollie.com",
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    yield app
    app.extensions["db_engine"].dispose()


def test_p27_production_redirects_to_https_and_sends_hsts(production_app):
    client = production_app.test_client()
    plain = client.get("/inloggen", base_url="http://www.zorggenoot.nl")
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://www.zorggenoot.nl/inloggen"
    secure = client.get("/inloggen", base_url="https://www.zorggenoot.nl")
    assert secure.status_code == 200
    assert "max-age=63072000" in secure.headers["Strict-Transport-Security"]
    assert "Set-Cookie" not in secure.headers  # a visitor's page starts no session
    refused = client.post("/inloggen", base_url="https://www.zorggenoot.nl")
    assert "Secure" in refused.headers["Set-Cookie"]


def test_p27_the_https_redirect_goes_to_our_own_address_never_a_forwarded_host(production_app):
    client = production_app.test_client()
    response = client.get(
        "/zoeken?q=mantelzorg",
        base_url="http://www.zorggenoot.nl",
        headers={"X-Forwarded-Host": "boos.example", "Host": "boos.example"},
    )
    assert response.status_code == 301
    assert response.headers["Location"] == "https://www.zorggenoot.nl/zoeken?q=mantelzorg"


def test_p27_production_trusts_the_proxy_for_https(production_app):
    client = production_app.test_client()
    response = client.get(
        "/inloggen", base_url="http://www.zorggenoot.nl", headers={"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "code", "text"),
    [
        ("get", "/bestaat-niet", 404, "Pagina niet gevonden"),
        ("put", "/inloggen", 405, "Dat kan hier niet"),
        ("post", "/inloggen", 400, "Deze pagina stond te lang open"),
    ],
)
def test_dutch_error_pages(client, method, path, code, text):
    response = getattr(client, method)(path)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert text in html and '<html lang="nl"' in html


def test_413_for_a_request_that_is_too_large(client):
    response = client.post("/inloggen", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Te veel gegevens" in response.get_data(as_text=True)


def test_500_is_dutch_and_rolls_back(app):
    @app.get("/kapot")
    def broken():
        raise RuntimeError("stuk")

    response = app.test_client().get("/kapot")
    assert response.status_code == 500
    assert "Er ging bij ons iets mis" in response.get_data(as_text=True)


def test_htmx_requests_get_a_small_error_fragment(client):
    response = client.get("/bestaat-niet", headers=htmx_headers("resultaten"))
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Pagina niet gevonden" in html and "<html" not in html


@pytest.mark.parametrize("kind", ["boosted", "restore"])
def test_boosted_navigation_and_history_restore_get_the_whole_error_page(client, kind):
    headers = htmx_headers("resultaten", **{kind: True})
    html = client.get("/bestaat-niet", headers=headers).get_data(as_text=True)
    assert "<html" in html


def test_htmx_helper_chooses_fragment_only_when_targeted(app):
    from flask import Flask

    from app.htmx import wants_fragment

    assert isinstance(app, Flask)
    cases = [
        ({}, False),
        (htmx_headers("lijst"), True),
        (htmx_headers("iets-anders"), False),
        (htmx_headers("lijst", boosted=True), False),
        (htmx_headers("lijst", restore=True), False),
    ]
    for headers, expected in cases:
        with app.test_request_context("/", headers=headers):
            assert wants_fragment("lijst") is expected


def test_base_page_is_dutch_with_skip_link_and_htmx_config(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="nl"' in html
    assert 'href="#inhoud"' in html and 'id="inhoud"' in html
    assert '"allowEval":false' in html and '"includeIndicatorStyles":false' in html
    assert 'data-hx-boost="true"' in html and "X-CSRFToken" in html
    assert re.search(r"/static/vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js", html)


def test_p02_footer_names_the_organisation(client):
    html = client.get("/").get_data(as_text=True)
    for fact in (
        "Zorggenoot B.V.",
        "92131530",
        "Europalaan 500",
        "3526 KS",
        "info@zorggenoot.nl",
        "085-4016867",
    ):
        assert fact in html


def test_csrf_is_checked_for_htmx_requests_too(client, login_as):
    login_as()
    response = client.post("/account", data={"name": "X"}, headers=htmx_headers("inhoud"))
    assert response.status_code == 400
    token = client.csrf_token("/account")
    ok = client.post(
        "/account",
        data={"name": "Nieuwe Naam"},
        headers={**htmx_headers(boosted=True), "X-CSRFToken": token},
    )
    assert ok.status_code == 303


@pytest.mark.parametrize(
    ("headers", "accepted"),
    [
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "none"}, True),  # typed or from a bookmark
        ({"Origin": "http://localhost"}, True),  # an older browser: Origin only
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-site"}, False),  # another host under the same domain
        ({"Origin": "https://boos.example"}, False),
        ({"Origin": "null"}, False),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, False),
        ({}, False),  # neither: only the session's token would do
    ],
)
def test_a_form_without_a_token_is_judged_on_where_the_browser_says_it_comes_from(
    client, headers, accepted
):
    response = client.post("/cookies/keuze", data={"keuze": "niets"}, headers=headers)
    assert (response.status_code == 303) is accepted, response.status_code
    if not accepted:
        assert "Deze pagina stond te lang open" in response.get_data(as_text=True)


def test_a_valid_token_does_not_let_in_a_form_from_another_site(client):
    assert client.post("/cookies/keuze").status_code == 400  # starts a session
    token = client.csrf_token("/")
    assert token
    sent = {"keuze": "niets", "csrf_token": token}
    elsewhere = client.post("/cookies/keuze", data=sent, headers={"Sec-Fetch-Site": "cross-site"})
    assert elsewhere.status_code == 400
    assert client.post("/cookies/keuze", data=sent).status_code == 303


def test_the_payment_providers_webhook_is_not_judged_on_its_origin(client):
    """Mollie posts from its own servers: the webhook is exempt, whatever headers come along."""
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://mollie.com"}, {}):
        response = client.post("/betalen/webhook", data={"id": "tr_onbekend"}, headers=headers)
        assert "te lang open" not in response.get_data(as_text=True)
        assert (
            response.status_code
            == client.post(
                "/betalen/webhook", data={"id": "tr_onbekend"}, headers=SAME_ORIGIN
            ).status_code
        )
