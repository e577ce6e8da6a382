"""R1, R3, R5, R6, R7 in the privacy centre (P35, P36, P38, P40, P41)."""

import json

from sqlmodel import col, select

from app.accounts.models import User
from app.consent.models import ConsentRecord
from app.privacy.models import PrivacyRequest
from app.profile.models import ProfileAnswer
from app.shop.models import Order, PartnerNotice
from tests.privacy.conftest import PARTNER
from tests.shop.conftest import ALARM, add


def requests_of(session, user, kind=None):
    query = select(PrivacyRequest).where(PrivacyRequest.user_id == user.id)
    if kind:
        query = query.where(PrivacyRequest.kind == kind)
    return session.exec(query.order_by(col(PrivacyRequest.id))).all()


def notices(session, kind=None):
    query = select(PartnerNotice)
    if kind:
        query = query.where(PartnerNotice.kind == kind)
    return session.exec(query.order_by(col(PartnerNotice.id))).all()


# --- R1 access -----------------------------------------------------------------------------------


def test_p35_the_access_page_shows_every_value_and_why(client, profiled, ordered, session):
    html = client.get("/privacy/inzage").get_data(as_text=True)
    # The values themselves, health answers decrypted for their owner.
    for value in ("Carla Mantel", "carla@example.nl", "06 11122233"):
        assert value in html
    assert "dementie, ouderdom" in html and "Zwolle" in html
    assert ordered.number in html and "Europalaan" in html
    assert "argon2" not in html and "$argon2id$" not in html  # the password hash stays hidden
    # Why, on what ground, for how long, from where, and who received it with the date.
    for text in (
        "uitvoering van de overeenkomst (art. 6 lid 1 sub b AVG)",
        "uitdrukkelijke toestemming (art. 9 lid 2 sub a AVG)",
        "door jou ingevuld",
        "afgeleid uit andere gegevens",
        "na 3 jaar zonder activiteit",
        "Wakkerwijk",
        f"voor bestelling {ordered.number}",
    ):
        assert text in html, text
    # How recommendations are made, the consent history, the requests, the complaint route.
    assert "Je profiel en hoe we aanbevelingen maken" in html
    assert "toestemming voor health" in html or "toestemming voor personalisation" in html
    assert "Autoriteit Persoonsgegevens" in html
    assert "Inzage in gegevens (art. 15 AVG)" in html


def test_looking_is_logged_once_a_day(client, caregiver, session):
    client.get("/privacy/inzage")
    client.get("/privacy/inzage")
    rows = requests_of(session, caregiver, "inzage")
    assert len(rows) == 1 and rows[0].completed_at is not None and rows[0].channel == "zelf"


def test_the_centre_offers_every_right(client, caregiver):
    html = client.get("/privacy").get_data(as_text=True)
    for text in (
        "Inzien wat we van je hebben",
        "Je gegevens downloaden",
        "Gegevens corrigeren",
        "Je toestemmingen",
        "Bezwaar maken",
        "Verwerking beperken",
        "Je verzoeken",
        "Account verwijderen",
        "Autoriteit Persoonsgegevens",
    ):
        assert text in html


# --- R3 rectification ----------------------------------------------------------------------------


def test_p36_correcting_an_address_tells_the_partner_that_received_it(
    client, caregiver, ordered, session
):
    page = client.get("/privacy").get_data(as_text=True)
    url = f"/privacy/bestelling/{ordered.number}/corrigeren"
    assert url in page
    form = client.get(url).get_data(as_text=True)
    assert 'value="Europalaan"' in form and 'name="customer_email"' in form
    response = client.submit(
        url,
        {
            "customer_name": "Koos Koper",
            "customer_email": "carla@example.nl",
            "customer_phone": "06 12345678",
            "street": "Stationsstraat",
            "house_number": "12",
            "postcode": "7411 AB",
            "city": "Deventer",
        },
    )
    assert response.status_code == 303
    order = session.get(Order, ordered.id)
    assert (order.street, order.city) == ("Stationsstraat", "Deventer")
    [notice] = notices(session, "correctie")
    assert notice.partner_slug == PARTNER and notice.order_numbers == ordered.number
    # Only what this partner received and what changed: the address, not the e-mail.
    assert json.loads(notice.payload) == {"address": "Stationsstraat 12 7411 AB Deventer"}
    [logged] = requests_of(session, caregiver, "correctie")
    assert ordered.number in logged.outcome and PARTNER in logged.outcome


def test_an_unchanged_correction_tells_nobody(client, caregiver, ordered, session):
    url = f"/privacy/bestelling/{ordered.number}/corrigeren"
    data = {
        "customer_name": ordered.customer_name,
        "customer_email": ordered.customer_email,
        "customer_phone": ordered.customer_phone,
        "street": ordered.street,
        "house_number": ordered.house_number,
        "postcode": ordered.postcode,
        "city": ordered.city,
    }
    client.submit(url, data)
    client.submit(url, data)  # and again: a repeated submit
    assert notices(session) == [] and requests_of(session, caregiver, "correctie") == []


def test_a_bad_correction_keeps_what_was_typed(client, caregiver, ordered, session):
    url = f"/privacy/bestelling/{ordered.number}/corrigeren"
    response = client.submit(
        url,
        {
            "customer_name": "",
            "customer_email": "geen-adres",
            "customer_phone": "06 12345678",
            "street": "Straat\u0000",
            "house_number": "1",
            "postcode": "ABCD 12",
            "city": "Zwolle 🌷" * 50,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Vul je naam in.",
        "Vul een geldig e-mailadres in",
        "Vul een Nederlandse postcode in",
        "Gebruik hoogstens 80 tekens.",
        "stuurtekens",
    ):
        assert message in html, message
    assert 'value="geen-adres"' in html and 'value="ABCD 12"' in html
    assert session.get(Order, ordered.id).street == "Europalaan"


def test_someone_elses_order_cannot_be_corrected(app, client, caregiver, ordered, make_user, auth):
    other = make_user(email="ander@example.nl")
    auth.logout()
    auth.login(other.email)
    url = f"/privacy/bestelling/{ordered.number}/corrigeren"
    assert client.get(url).status_code == 404
    assert client.get("/privacy/bestelling/bestaat-niet/corrigeren").status_code == 404


def test_changing_account_details_is_logged_as_a_correction(client, caregiver, session):
    client.submit("/account", {"name": "Carla de Mantel", "phone": ""})
    [row] = requests_of(session, caregiver, "correctie")
    assert row.outcome == "gewijzigd: naam, telefoonnummer"
    assert session.get(User, caregiver.id).phone is None


# --- R5 restriction ------------------------------------------------------------------------------


def test_p38_restriction_freezes_processing_to_storage_and_lifting_tells_the_user(
    client, profiled, ordered, session, outbox
):
    response = client.submit("/privacy/beperken", {"aan": "1"}, page="/privacy")
    assert response.status_code == 303
    assert session.get(User, profiled.id).restricted
    # Shown on every page of the account.
    for path in ("/", "/account", "/privacy", "/profiel", "/winkel/bestellingen"):
        assert "Verwerking beperkt." in client.get(path).get_data(as_text=True), path
    # No profiling, no new orders, nothing to partners.
    assert "We kiezen niets voor je uit" in client.get("/privacy/inzage").get_data(as_text=True)
    add(client, ALARM)
    blocked = client.get("/winkel/afrekenen")
    assert blocked.status_code == 303 and blocked.headers["Location"] == "/winkel/mandje"
    assert [n.kind for n in notices(session)] == ["beperking"]
    # Lifting it: the user is told by e-mail, partners too.
    client.submit("/privacy/beperken", {"aan": "0"}, page="/privacy")
    assert not session.get(User, profiled.id).restricted
    assert outbox.last()["Subject"] == "De beperking van je gegevens is opgeheven"
    assert [n.kind for n in notices(session)] == ["beperking", "opheffing"]
    assert [r.kind for r in requests_of(session, profiled) if r.kind != "inzage"] == [
        "beperking",
        "opheffing",
    ]
    assert "Verwerking beperkt." not in client.get("/").get_data(as_text=True)


def test_restricting_twice_changes_nothing_the_second_time(client, caregiver, session):
    client.submit("/privacy/beperken", {"aan": "1"}, page="/privacy")
    client.submit("/privacy/beperken", {"aan": "1"}, page="/privacy")
    assert len(requests_of(session, caregiver, "beperking")) == 1


# --- R6 objection --------------------------------------------------------------------------------


def test_p40_each_objection_takes_effect_on_the_next_request(client, profiled, session):
    before = client.get("/privacy/inzage").get_data(as_text=True)
    assert "Dit is je profiel nu" in before
    for kind, attribute in (
        ("profiling", "objects_profiling"),
        ("marketing", "objects_marketing"),
        ("open_tracking", "objects_open_tracking"),
    ):
        client.submit(f"/privacy/bezwaar/{kind}", {"aan": "1"}, page="/privacy")
        assert getattr(session.get(User, profiled.id), attribute), kind
    after = client.get("/privacy/inzage").get_data(as_text=True)
    assert "Dit is je profiel nu" not in after and "We kiezen niets voor je uit" in after
    assert len(requests_of(session, profiled, "bezwaar")) == 3
    client.submit("/privacy/bezwaar/profiling", {"aan": "0"}, page="/privacy")
    assert "Dit is je profiel nu" in client.get("/privacy/inzage").get_data(as_text=True)
    unknown = client.submit("/privacy/bezwaar/iets-anders", {"aan": "1"}, page="/privacy")
    assert unknown.status_code == 404


# --- R7 withdrawal -------------------------------------------------------------------------------


def test_p41_each_consent_is_listed_with_its_date_and_withdrawn_on_its_own(
    client, profiled, session, ordered
):
    order = ordered
    client.submit("/cookies/keuze", {"keuze": "alles"}, page="/")
    html = client.get("/privacy").get_data(as_text=True)
    assert "Analytische cookies: aan" in html
    for label in (
        "Aanbevelingen op basis van het profiel: aan",
        "Gezondheidsgegevens gebruiken voor passende aanbevelingen: aan",
        "Gegevens doorgeven aan Wakkerwijk",
    ):
        assert label in html, label
    assert html.count("Gegeven op") == 3
    log_before = len(session.exec(select(ConsentRecord)).all())

    client.submit("/privacy/intrekken/health", page="/privacy")
    health = session.exec(
        select(ProfileAnswer).where(ProfileAnswer.user_id == profiled.id, ProfileAnswer.health)
    ).all()
    assert health == []  # later processing stops: the health answers are gone

    client.submit(f"/privacy/intrekken/partner:{PARTNER}", page="/privacy")
    [notice] = notices(session, "intrekking")
    assert notice.partner_slug == PARTNER and notice.order_numbers == order.number

    assert 'action="/cookies/intrekken"' in client.get("/privacy").get_data(as_text=True)
    response = client.submit("/cookies/intrekken", {"next": "/privacy"}, page="/privacy")
    assert response.headers["Location"] == "/privacy"
    assert "zg_toestemming=" in response.headers.get("Set-Cookie", "")
    assert "Analytische cookies: uit" in client.get("/privacy").get_data(as_text=True)

    client.submit("/privacy/intrekken/personalisation", page="/privacy")
    html = client.get("/privacy").get_data(as_text=True)
    assert "Gegeven op" not in html and html.count("Ingetrokken op") == 3
    # No retroactive effect: the earlier log stays, the withdrawals are added to it.
    assert len(session.exec(select(ConsentRecord)).all()) == log_before + 4
    assert len(requests_of(session, profiled, "intrekking")) == 4


def test_withdrawing_what_was_never_given_changes_nothing(client, caregiver, session):
    response = client.submit("/privacy/intrekken/newsletter", page="/privacy")
    assert response.status_code == 303
    assert requests_of(session, caregiver, "intrekking") == []
    assert client.submit("/privacy/intrekken/iets", page="/privacy").status_code == 303


def test_buttons_without_a_csrf_token_are_refused(client, caregiver, session):
    for path in ("/privacy/beperken", "/privacy/bezwaar/profiling", "/privacy/intrekken/health"):
        assert client.post(path, data={"aan": "1"}).status_code == 400
    assert not session.get(User, caregiver.id).restricted
