"""C1–C4 and P16: the banner, the consent log as proof, withdrawal, counting only with consent."""

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.consent import service
from app.consent.models import ConsentRecord, PageViewDay, SearchTermDay, VisitorDay
from app.consent.register import CONSENT_COOKIE, STATS_COOKIE, banner_hash
from app.core.statistics import match_terms
from tests.conftest import SAME_ORIGIN, htmx_headers, local_path


def set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie header, for every cookie this response sets or deletes."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_all("Set-Cookie")}


def choose(client, keuze, page="/"):
    return client.submit("/cookies/keuze", {"keuze": keuze, "next": page}, page=page)


def rows(session, model):
    return session.exec(select(model)).all()


def test_p16_before_any_choice_only_functional_cookies_and_no_counting(client, session):
    for path in ("/", "/artikelen/", "/artikelen/respijtzorg", "/zoeken?q=pgb", "/cookies"):
        response = client.get(path)
        assert 'id="cookiebanner"' in response.get_data(as_text=True)
        assert set(set_cookies(response)) <= {"session"}
    assert rows(session, PageViewDay) == [] and rows(session, VisitorDay) == []
    assert rows(session, SearchTermDay) == []


def test_p16_refuse_all_then_three_pages_still_nothing_counted(client, session):
    response = choose(client, "niets")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert CONSENT_COOKIE in set_cookies(response)
    for path in ("/", "/artikelen/", "/zoeken?q=respijtzorg"):
        page = client.get(path)
        assert 'id="cookiebanner"' not in page.get_data(as_text=True)
        assert STATS_COOKIE not in set_cookies(page)
    assert rows(session, PageViewDay) == [] and rows(session, SearchTermDay) == []
    record = rows(session, ConsentRecord)[0]
    assert (record.method, record.accepted, record.refused) == ("refuse_all", "", "analytical")


def test_accepting_analytics_counts_pages_searches_and_visits_without_marketing(client, session):
    choose(client, "alles")
    first = client.get("/artikelen/respijtzorg")
    assert STATS_COOKIE in set_cookies(first)
    client.get("/artikelen/respijtzorg")
    client.get("/zoeken?q=Mijn moeder 0612345678 dementie")
    views = {r.path: r.views for r in rows(session, PageViewDay)}
    assert views["/artikelen/respijtzorg"] == 2
    # Counted as the tag it matched; the rest of what was typed is not kept.
    assert [r.term for r in rows(session, SearchTermDay)] == ["dementie"]
    assert [r.visitors for r in rows(session, VisitorDay)] == [1]  # one browser, one visit a day
    assert all("marketing" not in c for c in set_cookies(first))


def test_addresses_with_a_token_are_counted_by_their_pattern(client, session, make_user, outbox):
    make_user(email="anna@example.nl")
    choose(client, "alles")
    client.submit("/wachtwoord-vergeten", {"email": "anna@example.nl"})
    link = local_path(outbox.last_link())
    assert client.get(link).status_code == 200
    client.get("/artikelen/respijtzorg")
    paths = {r.path for r in rows(session, PageViewDay)}
    token = link.rsplit("/", 1)[1]
    assert not any(token in path for path in paths), paths
    assert {"/wachtwoord-herstellen/<token>", "/artikelen/respijtzorg"} <= paths


def test_live_search_keystrokes_are_not_counted(client, session):
    choose(client, "alles")
    headers = {**htmx_headers("zoekresultaten"), "HX-Trigger": "zoekveld"}
    client.get("/zoeken?q=resp", headers=headers)
    client.get("/zoeken?q=respijt", headers=headers)
    assert rows(session, SearchTermDay) == []


def test_p41_withdrawal_deletes_the_cookie_and_stops_counting_but_keeps_the_log(client, session):
    choose(client, "alles")
    client.get("/artikelen/")
    response = client.submit("/cookies/instellingen", {})  # the box left unticked
    deleted = set_cookies(response).get(STATS_COOKIE, "")
    assert "Max-Age=0" in deleted or "1970" in deleted
    before = sum(r.views for r in rows(session, PageViewDay))
    client.get("/artikelen/")
    client.get("/")
    assert sum(r.views for r in rows(session, PageViewDay)) == before
    methods = [
        r.method for r in session.exec(select(ConsentRecord).order_by(col(ConsentRecord.id)))
    ]
    assert methods == ["accept_all", "withdraw"]


def test_consent_log_is_proof_without_an_ip_address(app, client, session, login_as):
    user = login_as()
    choose(client, "alles")
    record = rows(session, ConsentRecord)[-1]
    cookie = client.get_cookie(CONSENT_COOKIE)
    with app.app_context():
        choice = service.read_choice(cookie.value)
    assert choice is not None
    assert record.consent_id == choice.consent_id
    assert record.user_id == user.id
    assert record.text_hash == banner_hash() and record.policy_version == "1"
    assert record.at is not None
    columns = set(ConsentRecord.model_fields)
    assert not columns & {"ip", "ip_address", "user_agent"}


def test_settings_page_has_nothing_pre_ticked_and_functional_always_on(client):
    html = client.get("/cookies/instellingen").get_data(as_text=True)
    analytical = re.search(r'<input[^>]*name="analytical"[^>]*>', html)
    assert analytical
    assert "checked" not in analytical.group(0)
    assert "Functionele cookies: altijd aan." in html
    assert "Marketingcookies: gebruiken we niet." in html


def test_settings_button_without_javascript_opens_the_settings_page(client):
    response = choose(client, "instellingen", page="/artikelen/")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/cookies/instellingen?next=")


def test_htmx_banner_swaps_itself_away(client):
    token = client.csrf_token("/")
    response = client.post(
        "/cookies/keuze",
        data={"keuze": "niets", "csrf_token": token},
        headers={**htmx_headers("cookiebanner"), **SAME_ORIGIN},
    )
    # In the banner's place: a short confirmation (it takes focus), not the banner again.
    confirmation = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="cookiebanner"' not in confirmation
    assert 'id="cookiekeuze"' in confirmation and 'role="status"' in confirmation
    assert "Je cookiekeuze is opgeslagen" in confirmation and "<html" not in confirmation
    assert CONSENT_COOKIE in set_cookies(response)
    settings = client.post(
        "/cookies/keuze",
        data={"keuze": "instellingen", "csrf_token": token},
        headers={**htmx_headers("cookiebanner"), **SAME_ORIGIN},
    )
    assert 'name="analytical"' in settings.get_data(as_text=True)


def test_expired_choice_asks_again(client, time_machine):
    time_machine.move_to("2026-01-01 12:00+00:00", tick=False)
    choose(client, "niets")
    time_machine.move_to("2026-06-30 12:00+00:00", tick=False)  # 180 days
    assert 'id="cookiebanner"' not in client.get("/").get_data(as_text=True)
    time_machine.move_to("2026-07-03 12:00+00:00", tick=False)  # 183 days
    assert 'id="cookiebanner"' in client.get("/").get_data(as_text=True)


def test_new_policy_version_asks_again_and_says_what_changed(client, monkeypatch):
    choose(client, "alles")
    from app.consent import register

    newer = register.Policy(
        version="2",
        date=register.POLICY.date + timedelta(days=30),
        changes="We tellen nu ook welke video's worden bekeken.",
    )
    monkeypatch.setattr(register, "POLICY", newer)
    html = client.get("/").get_data(as_text=True)
    assert 'id="cookiebanner"' in html
    assert "Wat is er veranderd:" in html and "welke video" in html


def test_tampered_consent_cookie_counts_as_no_choice(client, session):
    client.set_cookie(CONSENT_COOKIE, "eyJpZCI6ImZha2UiLCJhIjpbImFuYWx5dGljYWwiXX0.vals")
    html = client.get("/").get_data(as_text=True)
    assert 'id="cookiebanner"' in html
    assert rows(session, PageViewDay) == []


def test_unknown_choice_and_foreign_next_are_harmless(client):
    response = client.submit(
        "/cookies/keuze", {"keuze": "hack", "next": "https://kwaad.example/"}, page="/"
    )
    assert response.status_code == 303 and response.headers["Location"] == "/"
    response = client.submit(
        "/cookies/keuze", {"keuze": "niets", "next": "//kwaad.example/x"}, page="/"
    )
    assert response.headers["Location"] == "/"


def test_no_cookie_wall_after_refusing(client):
    choose(client, "niets")
    for path in (
        "/",
        "/artikelen/respijtzorg",
        "/videos/wat-is-respijtzorg",
        "/zoeken?q=pgb",
        "/registreren",
        "/inloggen",
        "/hulplijn",
    ):
        assert client.get(path).status_code == 200


WORDS = ("pgb", "zorg", "dementie", "kortdurend-zorgverlof", "financien")


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("Pgb aanvragen", ["pgb"]),
        ("bel 0612345678", ["overig"]),
        ("jan@example.nl zorg", ["zorg"]),
        ("3526 KS Utrecht", ["overig"]),
        ("12345", ["overig"]),
        ("<b>zorg</b>!!", ["zorg"]),
        ("Mijn moeder Jansen heeft DEMENTIE", ["dementie"]),
        ("kortdurend zorgverlof voor mijn zus", ["kortdurend-zorgverlof"]),
        ("Financiën en pgb", ["financien", "pgb"]),
        ("zorgverzekering", ["overig"]),
    ],
)
def test_searches_are_counted_only_as_known_words(query, terms):
    assert match_terms(WORDS, query) == terms


def test_every_page_has_the_cookie_settings_link(client):
    for path in ("/", "/artikelen/", "/inloggen", "/bestaat-niet"):
        assert 'href="/cookies/instellingen"' in client.get(path).get_data(as_text=True)


def test_withdrawing_on_the_settings_page_takes_one_click(client, session):
    choose(client, "alles")
    client.get("/artikelen/")
    response = client.submit("/cookies/instellingen", {"keuze": "niets", "analytical": "ja"})
    assert response.status_code == 200
    deleted = set_cookies(response).get(STATS_COOKIE, "")
    assert "Max-Age=0" in deleted or "1970" in deleted
    record = rows(session, ConsentRecord)[-1]
    assert record.accepted == "" and record.method == "withdraw"


def test_a_custom_choice_is_logged_as_custom(client, session):
    client.submit("/cookies/instellingen", {"analytical": "ja"})
    record = rows(session, ConsentRecord)[-1]
    assert record.method == "custom" and "analytical" in record.accepted


def test_a_choice_without_javascript_is_confirmed_on_the_page_it_was_made_on(client):
    response = choose(client, "alles", page="/artikelen/")
    assert response.headers["Location"] == "/artikelen/"
    page = client.get("/artikelen/").get_data(as_text=True)
    assert "Je cookiekeuze is opgeslagen" in page and 'id="cookiebanner"' not in page


def test_the_settings_page_never_shows_the_banner(client):
    """The banner's "Instellingen" without JavaScript opens this page: it is the banner's
    question in full, so the banner is not shown above it (nor on a first visit to it)."""
    response = choose(client, "instellingen", page="/artikelen/")
    page = client.get(local_path(response.headers["Location"])).get_data(as_text=True)
    assert "Welke cookies mogen we gebruiken?" in page
    assert 'id="cookiebanner"' not in page


@pytest.mark.parametrize("form", [{"analytical": "ja"}, {}, {"keuze": "alles"}, {"keuze": "niets"}])
def test_saving_on_the_settings_page_does_not_bring_the_banner_back(client, form):
    response = client.submit("/cookies/instellingen", form, page="/cookies/instellingen")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Je keuze is opgeslagen" in page
    assert 'id="cookiebanner"' not in page
    assert 'id="cookiebanner"' not in client.get("/artikelen/").get_data(as_text=True)
