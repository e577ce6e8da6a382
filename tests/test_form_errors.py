"""Every form shows what went wrong in one way (issue 13, point 8): an error summary above the
form ("Er ging iets mis") that links to each field, and next to the field its message, tied to
the input with aria-describedby and marked aria-invalid, the typed value kept. Refusals by a
service reach the form through `app.forms.add_error`, never through a flash message.

Each case below sends one form a bad value, through the pages a caregiver or staff member uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from app import db
from app.accounts.models import Role, User
from app.db import utcnow
from app.privacy import requests
from app.privacy.models import RequestChannel, RequestKind
from app.shop.models import Order, OrderStatus
from tests.conftest import DEFAULT_PASSWORD, Client, Outbox, htmx_headers, local_path
from tests.profile.conftest import STEP_1

ALARM = "personenalarm-met-valdetectie"  # ships; its partner needs name, address and phone
PARTNER = "wakkerwijk-alarmering"
TEMPLATES = Path(__file__).resolve().parent.parent / "app" / "templates"
NEW_ACCOUNT = {
    "name": "Anna de Vries",
    "email": "anna@example.nl",
    "phone": "",
    "password": DEFAULT_PASSWORD,
    "password_confirm": DEFAULT_PASSWORD,
}


@dataclass
class World:
    app: Flask
    client: Client
    make_user: Callable[..., User]
    login_as: Callable[..., User]
    outbox: Outbox

    def staff(self) -> User:
        return self.login_as(Role.STAFF, email="medewerker@example.nl")

    def order(self, user: User, status: OrderStatus = OrderStatus.PAID) -> str:
        """A paid order of `user` with a delivery address, straight in the database."""
        with self.app.app_context():
            session = db.session()
            session.add(
                Order(
                    number="ZG2026-000042",
                    user_id=user.id,
                    checkout_token="een-formulier",
                    status=status,
                    total_cents=12900,
                    customer_name=user.name,
                    street="Europalaan",
                    house_number="500",
                    postcode="3526 KS",
                    city="Utrecht",
                )
            )
            session.commit()
        return "ZG2026-000042"

    def request(self, *, verified: bool = False, user: User | None = None) -> int:
        """An open privacy request by phone, from a caregiver (or `user`)."""
        subject = user or self.make_user(email="carla@example.nl")
        with self.app.app_context():
            session = db.session()
            row = requests.open_request(
                session,
                user_id=subject.id,
                kind=RequestKind.ACCESS,
                channel=RequestChannel.PHONE,
            )
            if verified:
                row.verified_at = utcnow()
            session.commit()
            return db.id_of(row)


@pytest.fixture
def world(app, client, make_user, login_as, outbox) -> World:
    return World(app, client, make_user, login_as, outbox)


# Each case: (response, id of the field the message belongs to, the value typed there or None
# for a password, which is never sent back).


def register(w: World):
    data = {**NEW_ACCOUNT, "email": "anna-at-example"}
    return w.client.submit("/registreren", data), "email", "anna-at-example"


def login(w: World):
    data = {"email": "anna-at-example", "password": "iets"}
    return w.client.submit("/inloggen", data), "email", "anna-at-example"


def login_wrong_password(w: World):
    user = w.make_user()
    data = {"email": user.email, "password": "niet het goede wachtwoord"}
    return w.client.submit("/inloggen", data), "password", None


def confirm_registration(w: World):
    assert w.client.submit("/registreren", NEW_ACCOUNT).status_code == 200
    link = local_path(w.outbox.last_link())
    data = {"password": "een heel ander wachtwoord"}
    return w.client.submit(link, data), "password", None


def forgot_password(w: World):
    data = {"email": "anna at example"}
    return w.client.submit("/wachtwoord-vergeten", data), "email", "anna at example"


def reset_password(w: World):
    user = w.make_user()
    w.client.submit("/wachtwoord-vergeten", {"email": user.email})
    link = local_path(w.outbox.last_link(to=user.email))
    data = {"password": "kort", "password_confirm": "kort"}
    return w.client.submit(link, data), "password", None


def account_details(w: World):
    w.login_as()
    data = {"name": "Anna", "phone": "bel me maar"}
    return w.client.submit("/account", data), "phone", "bel me maar"


def change_email(w: World):
    w.login_as()
    data = {"email": "nieuw-adres", "password": DEFAULT_PASSWORD}
    return w.client.submit("/account/e-mailadres", data), "email", "nieuw-adres"


def change_email_wrong_password(w: World):
    w.login_as()
    data = {"email": "nieuw@example.nl", "password": "niet het goede wachtwoord"}
    return w.client.submit("/account/e-mailadres", data), "password", None


def change_password(w: World):
    w.login_as()
    data = {
        "current_password": "niet het goede wachtwoord",
        "password": "een nieuwe lange zin",
        "password_confirm": "een nieuwe lange zin",
    }
    return w.client.submit("/account/wachtwoord", data), "current_password", None


def questionnaire_number(w: World):
    w.login_as()
    assert w.client.submit("/profiel/vragenlijst/1", STEP_1).status_code == 303
    data = {"uren": "veel", "duur": "kort"}
    return w.client.submit("/profiel/vragenlijst/2", data), "uren", "veel"


def questionnaire_choice(w: World):
    """A group of radio buttons: the summary links to its first option."""
    w.login_as()
    data = {**STEP_1, "relatie": "iets anders"}
    return w.client.submit("/profiel/vragenlijst/1", data), "relatie-1", None


def basket_add(w: World):
    data = {"product": ALARM, "aantal": "twee", "actie": "toevoegen"}
    response = w.client.submit("/winkel/mandje", data, page=f"/winkel/{ALARM}")
    return response, f"aantal-{ALARM}", "twee"


def basket_change(w: World):
    w.client.submit("/winkel/mandje", {"product": ALARM, "aantal": "1"}, page="/winkel")
    data = {"product": ALARM, "aantal": "25", "actie": "wijzigen"}
    response = w.client.submit("/winkel/mandje", data, page="/winkel/mandje")
    return response, f"aantal-{ALARM}", "25"


def _checkout(w: World, **changes):
    w.login_as()
    w.client.submit("/winkel/mandje", {"product": ALARM, "aantal": "1"}, page="/winkel")
    page = w.client.get("/winkel/afrekenen").get_data(as_text=True)
    token = re.findall(r'name="token" type="hidden" value="([^"]*)"', page)[0]
    data = {
        "token": token,
        "name": "Anna de Vries",
        "phone": "06 12345678",
        "street": "Europalaan",
        "house_number": "500",
        "postcode": "3526 KS",
        "city": "Utrecht",
        f"partner_{PARTNER}": "y",
        **changes,
    }
    return w.client.submit("/winkel/afrekenen", {k: v for k, v in data.items() if v is not None})


def checkout_postcode(w: World):
    return _checkout(w, postcode="12345"), "postcode", "12345"


def checkout_without_consent(w: World):
    """No partner may receive the details: the message sits at the (first) consent box."""
    return _checkout(w, **{f"partner_{PARTNER}": None}), f"partner_{PARTNER}", None


def correct_order(w: World):
    number = w.order(w.login_as())
    data = {"customer_name": "Anna", "street": "Europalaan", "house_number": "500"}
    data |= {"postcode": "Utrecht", "city": "Utrecht"}
    response = w.client.submit(f"/privacy/bestelling/{number}/corrigeren", data)
    return response, "postcode", "Utrecht"


def staff_refund(w: World):
    number = w.order(w.make_user())
    w.staff()
    data = {"amount": "twaalf euro"}
    return w.client.submit(f"/staff/bestellingen/{number}", data), "amount", "twaalf euro"


def erase_account(w: World):
    w.login_as()
    data = {"password": "niet het goede wachtwoord", "confirm": "y"}
    return w.client.submit("/privacy/verwijderen", data), "password", None


def staff_record_request(w: World):
    w.staff()
    data = {"email": "geen-adres", "kind": "inzage", "channel": "telefoon"}
    data["received_on"] = date.today().isoformat()
    return w.client.submit("/staff/privacy", data), "email", "geen-adres"


def staff_record_request_unknown_address(w: World):
    w.staff()
    data = {"email": "niemand@example.nl", "kind": "inzage", "channel": "telefoon"}
    data["received_on"] = date.today().isoformat()
    return w.client.submit("/staff/privacy", data), "email", "niemand@example.nl"


def staff_record_request_odd_kind(w: World):
    """A value that is not in the list (a changed page) gets WTForms' own message, in Dutch."""
    w.staff()
    data = {"email": "anna@example.nl", "kind": "alles-weg", "channel": "telefoon"}
    data["received_on"] = date.today().isoformat()
    return w.client.submit("/staff/privacy", data), "kind", None


def staff_record_disclosure(w: World):
    """A disclosure about an address without an account: refused next to the address."""
    w.staff()
    data = {
        "email": "niemand@example.nl",
        "authority": "Politie Midden-Nederland",
        "legal_basis": "art. 126nd Wetboek van Strafvordering",
        "what": "naam en e-mailadres",
        "disclosed_on": date.today().isoformat(),
    }
    return w.client.submit("/staff/verstrekkingen", data), "email", "niemand@example.nl"


def staff_record_disclosure_date(w: World):
    w.staff()
    data = {"email": "medewerker@example.nl", "authority": "Belastingdienst"}
    data |= {"legal_basis": "art. 53 AWR", "what": "bestellingen", "disclosed_on": "gisteren"}
    return w.client.submit("/staff/verstrekkingen", data), "disclosed_on", "gisteren"


def helpline_without_consent(w: World):
    data = {"kind": "terugbellen", "name": "Anna", "phone": "06 12345678", "moment": "ochtend"}
    data["explanation"] = "Mijn vader valt vaak."
    return w.client.submit("/hulplijn", data), "health_consent", None


def staff_code(w: World):
    """No code was sent yet: the service refuses, next to the code field."""
    request_id = w.request()
    w.staff()
    url = f"/staff/privacy/{request_id}"
    return w.client.submit(f"{url}/code", {"code": "123 456"}, page=url), "code", "123 456"


def staff_extend(w: World):
    request_id = w.request()
    w.staff()
    url = f"/staff/privacy/{request_id}"
    data = {"months": "1", "reason": "Druk"}
    return w.client.submit(f"{url}/verlengen", data, page=url), "reason", "Druk"


def staff_close(w: World):
    request_id = w.request()
    w.staff()
    url = f"/staff/privacy/{request_id}"
    return w.client.submit(f"{url}/afsluiten", {"outcome": ""}, page=url), "outcome", ""


def staff_erase(w: World):
    request_id = w.request(verified=True)
    w.staff()
    url = f"/staff/privacy/{request_id}"
    return w.client.submit(f"{url}/verwijderen", {}, page=url), "confirm", None


def admin_find_account(w: World):
    """A search form sent with GET shows its errors in the same way."""
    w.login_as(Role.ADMIN)
    response = w.client.get("/admin/?email=niemand@example.nl")
    return response, "email", "niemand@example.nl"


def admin_own_role(w: World):
    """The service refuses: an administrator cannot change their own role."""
    admin = w.login_as(Role.ADMIN)
    url = f"/admin/account/{admin.id}"
    return w.client.submit(url, {"role": "staff"}), "role-1", None


CASES = [
    register,
    login,
    login_wrong_password,
    confirm_registration,
    forgot_password,
    reset_password,
    account_details,
    change_email,
    change_email_wrong_password,
    change_password,
    questionnaire_number,
    questionnaire_choice,
    basket_add,
    basket_change,
    checkout_postcode,
    checkout_without_consent,
    correct_order,
    staff_refund,
    erase_account,
    staff_record_request,
    staff_record_request_unknown_address,
    staff_record_request_odd_kind,
    staff_record_disclosure,
    staff_record_disclosure_date,
    helpline_without_consent,
    staff_code,
    staff_extend,
    staff_close,
    staff_erase,
    admin_find_account,
    admin_own_role,
]


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    found = re.search(rf'<(?:input|textarea|select|fieldset)\b[^>]*\bid="{element_id}"[^>]*>', html)
    assert found, f"no field with id {element_id}"
    return found[0]


def summary_of(html: str) -> str:
    assert html.count('id="foutoverzicht"') == 1, "one error summary"
    return html.split('id="foutoverzicht"', 1)[1].split("</div>", 1)[0]


def assert_error_shown(html: str, field_id: str, typed: str | None) -> None:
    summary = summary_of(html)
    assert "Er ging iets mis" in summary
    # The summary links to the field, and the field comes after the summary.
    assert f'href="#{field_id}"' in summary
    assert html.index('id="foutoverzicht"') < html.index(f'id="{field_id}"')
    box = tag(html, field_id)
    assert 'aria-invalid="true"' in box
    # The message next to the field is tied to it; for a group of options, to its fieldset.
    group = 'type="radio"' in box or re.search(r"-\d+$", field_id) is not None
    error_id = (re.sub(r"-\d+$", "", field_id) if group else field_id) + "-fout"
    described = _fieldset_of(html, field_id) if group else box
    assert re.search(rf'aria-describedby="[^"]*\b{error_id}\b', described), described
    message = html.split(f'id="{error_id}"', 1)[1].split("</div>", 1)[0]
    assert "utrecht-form-field-error-message" in message and "Fout: " in message
    if typed:
        assert f'value="{typed}"' in box or re.search(rf">\s*{typed}</textarea>", html)


def _fieldset_of(html: str, option_id: str) -> str:
    before = html[: html.index(f'id="{option_id}"')]
    return before[before.rindex("<fieldset") :].split(">", 1)[0]


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_a_refused_form_shows_its_errors_in_the_one_way(world, case):
    response, field_id, typed = case(world)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:2000]
    assert_error_shown(html, field_id, typed)
    # A field error is no flash message: the page holds no message block besides the form.
    assert 'class="zg-messages"' not in html


def test_a_value_outside_a_list_is_refused_in_dutch(world):
    response, field_id, _ = staff_record_request_odd_kind(world)
    html = response.get_data(as_text=True)
    message = html.split(f'id="{field_id}-fout"', 1)[1].split("</div>", 1)[0]
    assert "Ongeldige keuze." in message
    assert "Not a valid" not in html


def test_a_refused_quantity_added_with_htmx_comes_back_next_to_its_box(client):
    data = {"product": ALARM, "aantal": "twee", "actie": "toevoegen"}
    response = client.submit(
        "/winkel/mandje", data, page=f"/winkel/{ALARM}", headers=htmx_headers("mandje-melding")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html
    # The form asked for its status line; the answer replaces the form instead.
    assert response.headers["HX-Retarget"] == "#kopen-formulier"
    assert response.headers["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith('<div id="kopen-formulier">')
    assert_error_shown(html, f"aantal-{ALARM}", "twee")
    # Corrected, the status line says so, and a form without the error replaces the old one.
    data["aantal"] = "2"
    response = client.submit(
        "/winkel/mandje", data, page=f"/winkel/{ALARM}", headers=htmx_headers("mandje-melding")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Retarget" not in response.headers
    assert html.startswith("<p") and "Toegevoegd aan je" in html
    assert '<div id="kopen-formulier" data-hx-swap-oob="true">' in html
    assert 'value="2"' in tag(html, f"aantal-{ALARM}")
    assert "foutoverzicht" not in html and "aria-invalid" not in html


def test_a_refusal_about_no_field_is_listed_in_the_summary(world):
    staff = world.staff()
    request_id = world.request(verified=True, user=staff)
    url = f"/staff/privacy/{request_id}"
    response = world.client.submit(f"{url}/verwijderen", {"confirm": "y"}, page=url)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = summary_of(html)
    assert "<li>Je eigen account verwijder je in je eigen privacycentrum.</li>" in summary
    assert 'class="zg-messages"' not in html
    with world.app.app_context():
        assert db.session().get(User, staff.id) is not None


def test_a_form_without_errors_shows_no_summary_and_no_invalid_field(client):
    html = client.get("/registreren").get_data(as_text=True)
    assert 'id="foutoverzicht"' not in html and "aria-invalid" not in html
    assert 'aria-describedby="phone-hulp"' in html  # the hint is tied to its field


def test_every_template_with_fields_shows_the_error_summary():
    """A template that renders fields through the macro also renders the summary."""
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if path.parent.name != "macros" and re.search(r"\{\{\s*field\(", text):
            assert "error_summary(" in text, path


# Inputs a person fills in that are not rendered by the macro, each with its reason.
NOT_A_FORM_FIELD = {
    # Search boxes: a GET form; any text is a search.
    ("_header.html", "kop-zoekveld"),
    ("hub/home.html", "home-zoek"),
    ("search/search.html", "zoekveld"),
    # Cookie choices: every combination is a valid answer.
    ("consent/_choices.html", "{{ prefix }}-analytical"),
    # Lets a password manager store the address with the password; hidden.
    ("accounts/confirm_registration.html", None),
}


def test_every_field_a_person_fills_in_is_rendered_by_the_macro():
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        if path.parent.name in ("macros", "email"):
            continue
        text = path.read_text(encoding="utf-8")
        for element in re.findall(r"<(?:input|textarea|select)\b[^>]*>", text):
            if 'type="hidden"' in element:
                continue
            named = re.search(r'\bid="([^"]+)"', element)
            found.add((str(path.relative_to(TEMPLATES)), named[1] if named else None))
    assert found == NOT_A_FORM_FIELD
