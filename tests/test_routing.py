"""Addresses that differ from a page's only by a trailing slash lead to the page."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("asked", "target"),
    [
        ("/artikelen", "/artikelen/"),
        ("/onderwerpen", "/onderwerpen/"),
        ("/winkel/", "/winkel"),
        ("/winkel/?categorie=alarmering", "/winkel?categorie=alarmering"),
        ("/privacy-verklaring/", "/privacy-verklaring"),
        ("/cookies/", "/cookies"),
        ("/artikelen/respijtzorg/", "/artikelen/respijtzorg"),
        ("/inloggen/", "/inloggen"),
    ],
)
def test_the_other_spelling_redirects_permanently(client, asked, target):
    response = client.get(asked)
    assert response.status_code == 308
    # Flask's own redirect (to a slash) names the host; ours a path: both stay on the site.
    assert response.headers["Location"].removeprefix("http://localhost") == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize(
    "asked", ["/\\elders.example/", "//elders.example/", "/%5Celders.example/"]
)
def test_a_slash_redirect_never_leaves_the_site(client, asked):
    response = client.get(asked)
    location = response.headers.get("Location", "")
    assert not location.startswith(("//", "/\\", "http")), location


def test_unknown_addresses_stay_404(client):
    assert client.get("/bestaat/ook/niet/").status_code == 404
    assert client.get("/winkel/bestaat-niet/").status_code in (308, 404)
    assert client.get("/winkel/bestaat-niet").status_code == 404


def test_forms_are_not_redirected(client):
    assert client.post("/inloggen/").status_code in (400, 404, 405)


# Addresses kept by url_for (remember_urls): always what Flask itself builds.
ASKED_URLS: list[tuple[str, dict[str, Any]]] = [
    ("hub.home", {}),
    ("static", {"filename": "css/site.css"}),
    ("search.search", {"q": "respijtzorg", "soort": "article"}),
    ("search.search", {"soort": "article", "q": "respijtzorg"}),
    ("search.search", {"q": "zorg & werk <b>", "pagina": 2}),
    ("search.search", {"q": ["a", "b"]}),
    ("hub.article", {"slug": "respijtzorg", "_anchor": "aanvragen"}),
    ("search.search", {"q": "x", "_external": True}),
]


def test_kept_addresses_are_those_flask_builds(app):
    from flask import Flask, url_for

    def built(endpoint, values):
        return Flask.url_for(app, endpoint, **values)

    for script_root in ("", "/zorg"):
        with app.test_request_context("/zoeken", base_url=f"http://localhost{script_root}"):
            for endpoint, values in ASKED_URLS:
                expected = built(endpoint, values)
                assert url_for(endpoint, **values) == expected  # built and kept
                assert url_for(endpoint, **values) == expected  # kept
        with app.test_request_context("/", base_url=f"http://elders.example{script_root}"):
            assert url_for("hub.home") == built("hub.home", {}) == f"{script_root}/"
            assert url_for("search.search", q="x", _external=True).startswith(
                f"http://elders.example{script_root}/zoeken"
            )

    # An object is built each time: what it holds may change (and its identity be reused).
    class Slug:
        text = "respijtzorg"

        def __str__(self) -> str:
            return self.text

    slug = Slug()
    with app.test_request_context("/"):
        assert url_for("hub.article", slug=slug) == "/artikelen/respijtzorg"
        slug.text = "dementie"
        assert url_for("hub.article", slug=slug) == "/artikelen/dementie"
    # A blueprint-relative endpoint is kept per blueprint.
    with app.test_request_context("/zoeken"):
        app.preprocess_request()
        assert url_for(".search") == "/zoeken"
    with app.test_request_context("/artikelen/respijtzorg"):
        app.preprocess_request()
        assert url_for(".article", slug="respijtzorg") == "/artikelen/respijtzorg"
    # Outside a request Flask builds absolute addresses, and needs SERVER_NAME (unset here).
    with app.app_context(), pytest.raises(RuntimeError, match="SERVER_NAME"):
        url_for("hub.home")


def test_templates_use_the_kept_addresses(app, client):
    assert app.jinja_env.globals["url_for"] is app.url_for
    html = client.get("/zoeken?q=respijtzorg").get_data(as_text=True)
    assert 'action="/zoeken"' in html
