"""R9: the privacy statement describes this software; its tables come from the registry."""

import re
from datetime import date

from cryptography.fernet import Fernet
from markupsafe import escape
from sqlmodel import Session, col, select

from app.consent import register
from app.consent.models import ConsentRecord
from app.consent.register import CONSENT_COOKIE
from app.jobs import service as jobs
from app.payments import mollie
from app.privacy import routes as statement_routes
from app.privacy.routes import AP_URL
from tests.conftest import (
    Client,
    Outbox,
    build_app,
    confirm_registration,
    database_dump,
    registered,
)
from tests.mail.test_mail import REGISTRATION, free_port, start_smtp
from tests.privacy.conftest import buy
from tests.shop.conftest import api_calls

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "PUBLIC_BASE_URL": "https://www.zorggenoot.nl",
    "MOLLIE_API_KEY": "live_abcdefghijklmnopqrstuvwxyz01",
    "MOLLIE_API_ENDPOINT": "https://api.mollie.com",
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
}


def site(tmp_path, database_url, **overrides):
    app = build_app(tmp_path, database_url, **overrides)
    app.test_client_class = Client
    return app


def statement(client) -> str:
    response = client.get("/privacy-verklaring")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def block(html: str, table: str) -> str:
    start = html.index(f'data-table="{table}"')
    following = html.find("data-table=", start + 1)
    return html[start : following if following != -1 else len(html)]


def test_p01_every_registered_category_with_purpose_basis_recipients_and_retention(app, client):
    html = statement(client)
    for category in registered(app):
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


def processors_named(html: str) -> list[str]:
    return re.findall(r'data-processor="([^"]+)"', block_of(html, "verwerkers"))


def block_of(html: str, section: str) -> str:
    start = html.index(f'<section aria-labelledby="{section}">')
    return html[start : html.index("</section>", start)]


def test_p28_as_tested_the_statement_names_no_mail_company_and_no_payment_provider(
    client, session, sandbox, caregiver
):
    """The test installation mails into a folder and pays in the local sandbox: a real order
    goes through the sandbox, and the statement names neither an e-mail company nor Mollie."""
    buy(client, session)
    assert api_calls(sandbox, "POST", "/v2/payments"), "the payment went to the sandbox"
    html = statement(client)
    assert processors_named(html) == ["hosting", "email-map", "betaal-test"]
    part = block_of(html, "verwerkers")
    assert "Mollie B.V." not in part and "mailserver" not in part
    assert "Met het hostingbedrijf hebben we een verwerkersovereenkomst" in part


def test_p28_with_an_smtp_server_the_mail_company_is_named(tmp_path, database_url):
    port = free_port()
    app = site(tmp_path, database_url, SMTP_URL=f"smtp://127.0.0.1:{port}")
    controller, handler = start_smtp(port)
    try:
        assert app.test_client().submit("/registreren", REGISTRATION).status_code == 200
        with app.app_context():
            jobs.run_due()
    finally:
        controller.stop()
    assert [m["To"] for m in handler.messages] == ["anna@example.nl"]  # really used
    html = statement(app.test_client())
    assert processors_named(html) == ["hosting", "email", "betaal-test"]
    part = block_of(html, "verwerkers")
    assert "via de mailserver 127.0.0.1" in part
    assert (
        "Met het hostingbedrijf en het e-mailbedrijf hebben we een verwerkersovereenkomst" in part
    )
    app.extensions["db_engine"].dispose()


def test_p28_in_production_mollie_is_named_and_is_whom_the_shop_calls(tmp_path, database_url):
    app = build_app(
        tmp_path, database_url, **PRODUCTION, SMTP_URL="smtps://u:Wachtw00rd-X7@smtp.example.nl"
    )
    response = app.test_client().get("/privacy-verklaring", base_url="https://www.zorggenoot.nl")
    html = response.get_data(as_text=True)
    assert processors_named(html) == ["hosting", "email", "mollie"]
    part = block_of(html, "verwerkers")
    assert "Mollie B.V. in Amsterdam" in part and "via de mailserver smtp.example.nl" in part
    assert "Wachtw00rd-X7" not in html  # the mail password in SMTP_URL is never shown
    with app.app_context():
        assert mollie.client().api_endpoint == "https://api.mollie.com"
    app.extensions["db_engine"].dispose()


def test_p29_the_statement_says_where_data_is_stored(client):
    assert "Je gegevens staan in de Europese Unie" in block_of(statement(client), "verwerkers")


def test_p43_a_new_version_is_shown_and_asks_for_cookie_consent_again(
    tmp_path, database_url, monkeypatch
):
    """A new statement version and a new cookie statement are deployed (the constants change,
    the site restarts): the pages show the new versions and dates, a visitor who chose under
    the old cookie statement is asked again, and the new choice is logged under the new one."""
    first = site(tmp_path, database_url)
    visitor = first.test_client()
    html = visitor.get("/privacy-verklaring").get_data(as_text=True)
    assert f"Versie {statement_routes.STATEMENT_VERSION}, bijgewerkt op 3 december 2026" in html
    assert "(versie 1, geldig vanaf 26 november 2026)" in html
    assert 'id="cookiebanner"' in html
    visitor.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/")
    assert 'id="cookiebanner"' not in visitor.get("/").get_data(as_text=True)
    choice = visitor.get_cookie(CONSENT_COOKIE).value
    first.extensions["db_engine"].dispose()

    monkeypatch.setattr(statement_routes, "STATEMENT_VERSION", "1.5")
    monkeypatch.setattr(statement_routes, "STATEMENT_DATE", date(2027, 3, 1))
    changes = "We tellen nu ook hoe vaak een video wordt afgespeeld."
    monkeypatch.setattr(register, "POLICY", register.Policy("2", date(2027, 3, 1), changes))
    second = site(tmp_path, database_url)
    again = second.test_client()
    again.set_cookie(CONSENT_COOKIE, choice)
    home = again.get("/").get_data(as_text=True)
    assert 'id="cookiebanner"' in home and changes in home
    html = again.get("/privacy-verklaring").get_data(as_text=True)
    assert "Versie 1.5, bijgewerkt op 1 maart 2027" in html
    assert "(versie 2, geldig vanaf 1 maart 2027)" in html
    assert "Versie 2, geldig vanaf 1 maart 2027" in again.get("/cookies").get_data(as_text=True)
    again.submit("/cookies/keuze", {"keuze": "niets", "next": "/"}, page="/")
    assert 'id="cookiebanner"' not in again.get("/").get_data(as_text=True)
    with Session(second.extensions["db_engine"]) as s:
        versions = s.exec(
            select(ConsentRecord.policy_version).order_by(col(ConsentRecord.id))
        ).all()
    assert versions == ["1", "2"]
    choice = again.get_cookie(CONSENT_COOKIE).value
    second.extensions["db_engine"].dispose()

    # Only the privacy statement changes: it shows the new version, nobody is asked again.
    monkeypatch.setattr(statement_routes, "STATEMENT_VERSION", "1.6")
    third = site(tmp_path, database_url)
    later = third.test_client()
    later.set_cookie(CONSENT_COOKIE, choice)
    html = later.get("/privacy-verklaring").get_data(as_text=True)
    assert "Versie 1.6, bijgewerkt op 1 maart 2027" in html
    assert 'id="cookiebanner"' not in html
    third.extensions["db_engine"].dispose()


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


def test_the_fields_are_described_in_words_with_the_download_name_aside(client):
    """People read what a field holds; the technical name is only a pointer into the download."""
    html = statement(client)
    assert (
        '<li>Je e-mailadres <span class="zg-meta">(in je download: <code>email</code>)</span></li>'
        in html
    )
    assert "<li><code>" not in html
