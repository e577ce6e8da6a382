"""Two apps in one process share nothing: each has its own registrations, caches, limits,
configuration and content (issue: registries kept in module globals leaked between apps)."""

from __future__ import annotations

import shutil
from datetime import timedelta

import pytest

from app.core import navigation, pagecache, personal_data
from app.core.navigation import Link
from app.jobs.service import JobKind, register_kind
from tests.conftest import (
    DEFAULT_PASSWORD,
    PROJECT_ROOT,
    SAME_ORIGIN,
    Client,
    build_app,
    registered,
)

NEW_TOPIC = """
[[topics]]
slug = "vrije-tijd"
label = "Vrije tijd"
description = "Ontspanning en tijd voor jezelf naast de zorg."
main = false
"""


@pytest.fixture
def apps(tmp_path, database_url):
    content = tmp_path / "content-b"
    shutil.copytree(PROJECT_ROOT / "content", content)
    site = content / "site.toml"
    site.write_text(
        site.read_text(encoding="utf-8").replace('name = "Zorggenoot"', 'name = "Mantelhulp"')
        + NEW_TOPIC,
        encoding="utf-8",
    )
    first = build_app(tmp_path / "a", database_url, CONTENT_MEMO={})
    second = build_app(
        tmp_path / "b",
        database_url,
        CONTENT_MEMO={},
        CONTENT_DIR=str(content),
        SECRET_KEY="another-secret-key-that-is-long-enough-for-it",
        PUBLIC_BASE_URL="https://b.example.nl",
    )
    first.test_client_class = second.test_client_class = Client
    yield first, second
    for app in (first, second):
        app.extensions["db_engine"].dispose()


def test_no_extension_object_is_shared(apps):
    first, second = apps
    assert first.extensions.keys() == second.extensions.keys()
    for name in first.extensions:
        assert first.extensions[name] is not second.extensions[name], name
    assert first.session_interface is not second.session_interface
    assert first.login_manager is not second.login_manager
    assert first.jinja_env is not second.jinja_env


def test_a_registration_on_one_app_is_not_seen_by_the_other(apps):
    first, second = apps
    before = len(registered(second)), len(second.extensions["pagecache"].vary_functions)

    navigation.add_link(first, Link("footer", "hub.articles", "Alleen op de eerste site"))
    pagecache.vary_on(first, lambda: "eerste")
    personal_data.register(
        first,
        personal_data.Category(
            table="alleen_eerste",
            name="Alleen op de eerste site",
            purpose="Om te laten zien dat registraties per app zijn.",
            legal_basis=personal_data.LegalBasis.CONTRACT,
            retention=personal_data.Retention("account", "Zolang het account bestaat."),
            erasure=personal_data.Erasure.DELETE,
            fields={"tekst": "een tekst"},
        ),
    )
    register_kind(first, JobKind("alleen-eerste", lambda session, payload: None, timedelta(1)))

    assert "Alleen op de eerste site" in first.test_client().get("/").get_data(as_text=True)
    assert "Alleen op de eerste site" not in second.test_client().get("/").get_data(as_text=True)
    assert "alleen_eerste" in [c.table for c in registered(first)]
    assert (len(registered(second)), len(second.extensions["pagecache"].vary_functions)) == before
    assert "alleen-eerste" in first.extensions["job_kinds"]
    assert "alleen-eerste" not in second.extensions["job_kinds"]


def test_each_app_serves_its_own_content_and_settings_from_its_own_cache(apps):
    first, second = apps
    for _ in range(2):  # the second round comes from each app's page cache
        home_first = first.test_client().get("/").get_data(as_text=True)
        home_second = second.test_client().get("/").get_data(as_text=True)
        assert "Zorggenoot" in home_first and "Mantelhulp" not in home_first
        assert "Mantelhulp" in home_second
        assert "https://b.example.nl/" in home_second and "https://b.example.nl" not in home_first
    assert first.extensions["pagecache"].entries and second.extensions["pagecache"].entries
    assert second.test_client().get("/onderwerpen/vrije-tijd").status_code == 200
    assert first.test_client().get("/onderwerpen/vrije-tijd").status_code == 404


def test_a_login_on_one_app_opens_nothing_on_the_other(apps, make_user):
    first, second = apps
    make_user(email="anna@example.nl")
    browser = first.test_client()
    browser.submit("/inloggen", {"email": "anna@example.nl", "password": DEFAULT_PASSWORD})
    assert browser.get("/account").status_code == 200
    other = second.test_client()
    other.set_cookie("session", browser.get_cookie("session").value)
    assert other.get("/account").status_code == 302


def test_rate_limits_are_counted_per_app(apps):
    first, second = apps
    browser = first.test_client()
    token = browser.csrf_token("/inloggen")
    wrong = {"email": "niemand@example.nl", "password": "fout", "csrf_token": token}
    answers = [
        browser.post("/inloggen", data=wrong, headers=SAME_ORIGIN).status_code for _ in range(6)
    ]
    assert answers[-1] == 429
    elsewhere = second.test_client()
    wrong["csrf_token"] = elsewhere.csrf_token("/inloggen")
    assert elsewhere.post("/inloggen", data=wrong, headers=SAME_ORIGIN).status_code != 429


def test_building_many_apps_grows_no_registration(tmp_path, database_url):
    sizes = []
    for number in range(30):
        app = build_app(tmp_path / str(number), database_url)
        sizes.append(
            (
                len(app.extensions["navigation"]),
                len(app.extensions["pagecache"].vary_functions),
                len(app.extensions["search_providers"]),
                len(app.extensions["demo_loaders"]),
                len(registered(app)),
                len(app.url_map._rules),
            )
        )
        app.extensions["db_engine"].dispose()
    assert len(set(sizes)) == 1, sizes
