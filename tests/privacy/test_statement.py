"""R9: the privacy statement describes this software; its tables come from the registry."""

import re

from markupsafe import escape

from app.privacy.registry import categories
from app.privacy.routes import AP_URL, STATEMENT_VERSION
from tests.conftest import Outbox, confirm_registration, database_dump


def statement(client) -> str:
    response = client.get("/privacy-verklaring")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def block(html: str, table: str) -> str:
    start = html.index(f'data-table="{table}"')
    following = html.find("data-table=", start + 1)
    return html[start : following if following != -1 else len(html)]


def test_p01_every_registered_category_with_purpose_basis_recipients_and_retention(client):
    html = statement(client)
    for category in categories():
        part = block(html, category.table)
        for text in (
            category.name,
            category.purpose,
            category.legal_basis.value,
            category.recipients,
            category.retention.description,
        ):
            assert str(escape(text)).lower() in part.lower(), (category.table, text)


def test_p02_the_controller_with_kvk_address_and_email(client, app):
    org = app.extensions["content"].site().organisation
    html = statement(client)
    for fact in (org.legal_name, org.kvk, org.street, org.postcode, org.city, org.privacy_email):
        assert fact in html


def test_p13_account_and_order_data_rest_on_the_agreement(client):
    html = statement(client)
    for table in ("user_account", "shop_order", "profile_answer"):
        contract = "uitvoering van de overeenkomst (art. 6 lid 1 sub b avg)"
        assert contract in block(html, table).lower()


def test_p28_processors_are_named_with_their_agreements(client):
    html = statement(client)
    assert "Mollie" in html and "verwerkersovereenkomst" in html
    assert "hosting" in html.lower() and "e-mail" in html.lower()


def test_p29_data_stays_in_the_eu_and_the_page_loads_nothing_from_elsewhere(client):
    html = statement(client)
    assert "Europese Unie" in html or " EU" in html
    assets = re.findall(r'<(?:script|img|link|iframe)[^>]+(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") or a.startswith("http://localhost") for a in assets)


def test_p43_the_statement_is_versioned_with_its_date(client):
    html = statement(client)
    assert f"Versie {STATEMENT_VERSION}" in html and "2 december 2026" in html


def test_p44_complaints_go_to_us_or_to_the_autoriteit_persoonsgegevens(client, app):
    html = statement(client)
    assert app.extensions["content"].site().organisation.privacy_email in html
    assert "Autoriteit Persoonsgegevens" in html and AP_URL in html


def test_the_statement_links_the_centre_and_the_cookie_statement(client):
    html = statement(client)
    assert 'href="/privacy"' in html or 'href="/privacy#' in html
    assert 'href="/cookies"' in html


IP = "203.0.113.77"
FORWARDED = "198.51.100.23"


def test_p12_no_ip_address_is_stored_and_the_cookie_statement_says_so(app, client, session):
    client.environ_base["REMOTE_ADDR"] = IP
    headers = {"X-Forwarded-For": FORWARDED}
    registered = client.submit(
        "/registreren",
        {
            "name": "Ida Peters",
            "email": "ida@example.nl",
            "phone": "",
            "situation": "Ik zorg voor mijn vader.",
            "password": "mijn vader woont in Assen",
            "password_confirm": "mijn vader woont in Assen",
        },
        headers=headers,
    )
    assert registered.status_code == 200
    confirm_registration(client, Outbox(app), "mijn vader woont in Assen", headers=headers)
    client.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/", headers=headers)
    for path in ("/", "/artikelen/respijtzorg", "/zoeken?q=pgb", "/winkel"):
        assert client.get(path, headers=headers).status_code == 200
    client.submit("/uitloggen", page="/", headers=headers)
    client.submit("/inloggen", {"email": "ida@example.nl", "password": "fout"}, headers=headers)
    client.submit("/inloggen", {"email": "ida@example.nl", "password": "mijn vader woont in Assen"})
    assert client.submit("/privacy/download", page="/privacy").status_code == 303
    stored = database_dump(app)
    assert "ida@example.nl" in stored  # the dump does hold what was stored
    assert IP not in stored and FORWARDED not in stored
    cookies = client.get("/cookies").get_data(as_text=True)
    assert "Je IP-adres" in cookies and "We slaan het niet op" in cookies


def test_the_statement_says_how_long_backups_live_and_what_happens_to_erased_people(client):
    from app.privacy.ledger import BACKUP_DAYS

    html = statement(client)
    assert 'id="back-ups"' in html and "WAL-archief" in html
    assert f"hoogstens {BACKUP_DAYS} dagen" in html
    assert "verwijderen we je account meteen opnieuw" in html
    assert "geen naam, e-mailadres of andere gegevens" in html
    assert "op de dag dat die 3 jaar om zijn en nooit later" in html
    assert "30 dagen nadat de bestelling afliep" in html
