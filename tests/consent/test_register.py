"""Invariant 2 and P33: every cookie the site sets is in the register, with a lifetime, and
nothing but functional cookies is set before consent. Crawls every public page and the
account flows with the test client (the browser does the same in tests/browser/)."""

import re
from collections import deque

from app.consent.register import COOKIES, FIRST_PARTY_NAMES, Category, category_of
from tests.conftest import DEFAULT_PASSWORD


def cookie_names(response) -> set[str]:
    return {h.split("=", 1)[0] for h in response.headers.get_all("Set-Cookie")}


def crawl(client, start="/", limit=500) -> tuple[set[str], int]:
    seen, queue, names = {start}, deque([start]), set()
    while queue and len(seen) <= limit:
        path = queue.popleft()
        response = client.get(path)
        names |= cookie_names(response)
        if response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="(/[^"#]*)', response.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            if href.startswith(("/static/", "/uitloggen")) or href in seen:
                continue
            seen.add(href)
            queue.append(href)
    return names, len(seen)


def test_p33_every_cookie_has_a_purpose_and_a_lifetime_in_the_register():
    for cookie in COOKIES:
        assert cookie.name and cookie.purpose and cookie.lifetime and cookie.party
        assert cookie.category in Category


def test_p16_crawl_before_consent_sets_only_registered_functional_cookies(client):
    names, pages = crawl(client)
    assert pages > 100  # every article, video, topic, tag and fixed page was visited
    assert names <= FIRST_PARTY_NAMES, names - FIRST_PARTY_NAMES
    assert {category_of(n) for n in names} <= {Category.FUNCTIONAL}


def test_a_visitor_who_only_reads_and_searches_gets_no_cookie_until_there_is_something_to_keep(
    client,
):
    """What the register says of the session cookie: not for reading or searching (as the
    visitor types, too); only once there is something to remember, such as a basket."""
    names, pages = crawl(client, limit=150)
    assert pages > 100
    typing = {"HX-Request": "true", "HX-Trigger": "zoekveld"}
    for query in ("respijtzorg", "pgb aanvragen", "ik kan het niet meer aan"):
        names |= cookie_names(client.get(f"/zoeken?q={query}"))
        names |= cookie_names(client.get(f"/zoeken?q={query}", headers=typing))
    assert names == set()
    basket = client.submit(
        "/winkel/mandje",
        {"product": "personenalarm-met-valdetectie", "aantal": "1", "actie": "toevoegen"},
        page="/winkel",
    )
    assert cookie_names(basket) == {"session"}


def test_c2_account_flows_set_only_registered_cookies(client, make_user, outbox):
    user = make_user(email="anna@example.nl")
    names = set()
    names |= cookie_names(
        client.submit(
            "/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"}
        )
    )
    for path in ("/account", "/account/e-mailadres", "/account/wachtwoord", "/"):
        names |= cookie_names(client.get(path))
    names |= cookie_names(client.submit("/cookies/keuze", {"keuze": "alles"}, page="/"))
    for path in ("/", "/artikelen/", "/zoeken?q=zorg"):
        names |= cookie_names(client.get(path))
    names |= cookie_names(client.submit("/cookies/instellingen", {}))
    names |= cookie_names(client.submit("/uitloggen", page="/"))
    assert {"session", "remember_token", "zg_toestemming", "zg_statistiek"} <= names
    assert names <= FIRST_PARTY_NAMES, names - FIRST_PARTY_NAMES


def test_c2_a_logged_in_crawl_and_the_account_features_set_only_registered_cookies(
    client, make_user
):
    """Everything a logged-in caregiver can reach by links (profile, shop, basket, privacy
    centre, account), after accepting all cookies, plus the forms of those features."""
    user = make_user(email="bert@example.nl")
    names = cookie_names(
        client.submit("/inloggen", {"email": user.email, "password": DEFAULT_PASSWORD})
    )
    names |= cookie_names(client.submit("/cookies/keuze", {"keuze": "alles"}, page="/"))
    crawled, pages = crawl(client)
    names |= crawled
    assert pages > 100
    for path in ("/profiel", "/profiel/vragenlijst/1", "/winkel/mandje", "/privacy"):
        names |= cookie_names(client.get(path))
    first = {"relatie": "ouder"}  # the first questionnaire step, saved
    names |= cookie_names(client.submit("/profiel/vragenlijst/1", first))
    names |= cookie_names(client.submit("/privacy/download", page="/privacy"))
    names |= cookie_names(client.submit("/privacy/beperken", {"aan": "1"}, page="/privacy"))
    names |= cookie_names(client.submit("/privacy/beperken", {"aan": "0"}, page="/privacy"))
    assert names <= FIRST_PARTY_NAMES, names - FIRST_PARTY_NAMES


def test_the_cookie_statement_renders_the_register(client):
    html = client.get("/cookies").get_data(as_text=True)
    for cookie in COOKIES:
        assert f"<code>{cookie.name}</code>" in html
        assert cookie.lifetime in html
    assert "Versie 1, geldig vanaf 26 november 2026" in html
