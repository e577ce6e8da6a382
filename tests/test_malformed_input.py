"""Malformed addresses and bodies get a 4xx answer, never a server error (issue 12, point 11).

The checks sit where every route gets them: the path converters (`app/routing.py`), the one
parser for typed numbers (`app.forms.whole_number`), the page cache's placeholders, and the
refusal of files and JSON where the site expects a form.
"""

import json
import re
from io import BytesIO

import pytest
from werkzeug.exceptions import NotFound

from app.accounts.models import Role
from app.core.pagination import page_number
from app.forms import is_digits, whole_number
from app.privacy import export
from app.routing import INT_MAX
from tests.conftest import DEFAULT_PASSWORD, SAME_ORIGIN


@pytest.mark.parametrize(
    "path",
    [
        "/winkel/bestelling/\x00",
        "/privacy/bestelling/a\x00b/corrigeren",
        "/staff/bestellingen/\x1b",
        "/artikelen/respijtzorg\x7f",
        "/wachtwoord-herstellen/\x00",
        f"/privacy/download/{INT_MAX + 1}",
        "/staff/privacy/99999999999999999999",
        "/profiel/vragenlijst/٣",
    ],
)
def test_path_variables_with_control_characters_or_odd_numbers_name_nothing(app, path):
    with pytest.raises(NotFound):
        app.url_map.bind("localhost").match(path)


def test_path_variables_still_take_what_the_site_links_to(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match("/artikelen/respijtzorg") == ("hub.article", {"slug": "respijtzorg"})
    assert adapter.match(f"/privacy/download/{INT_MAX}") == (
        "privacy.download",
        {"export_id": INT_MAX},
    )
    assert adapter.match("/winkel/bestelling/ZG2026-000001")[1] == {"number": "ZG2026-000001"}


@pytest.mark.parametrize(
    "path",
    [
        "/privacy/download/99999999999999999999999999",
        f"/privacy/download/{INT_MAX + 1}",
        "/winkel/bestelling/%00",
        "/winkel/bestelling/%00/factuur",
        "/privacy/bestelling/%00/corrigeren",
        "/profiel/vragenlijst/99999999999",
    ],
)
def test_a_caregiver_gets_404_for_a_malformed_address(client, login_as, path):
    login_as(Role.CAREGIVER)
    assert client.get(path).status_code == 404


def test_staff_get_404_for_a_request_id_past_the_database_range(client, login_as):
    login_as(Role.STAFF)
    assert client.get(f"/staff/privacy/{INT_MAX + 1}").status_code == 404
    assert client.submit(f"/staff/privacy/{2**63}/code", {}, page="/").status_code == 404


def test_a_download_id_in_arabic_digits_is_not_the_same_address(app, client, login_as, session):
    user = login_as(Role.CAREGIVER)
    with app.app_context():
        from app import db

        row = export.create(db.session(), user)
        db.session().commit()
        row_id = row.id
    assert client.get(f"/privacy/download/{row_id}").status_code == 200
    arabic = "".join(chr(0x0660 + int(d)) for d in str(row_id))
    assert client.get(f"/privacy/download/{arabic}").status_code == 404


@pytest.mark.parametrize(
    "forged", ["\x00pc:x\x00", "\x00pc:csrf_token\x00", "\x00pc:cart_count\x00"]
)
def test_a_query_string_cannot_forge_the_page_caches_placeholders(client, forged):
    for _ in range(2):  # rendered for the cache, then served from it
        response = client.get("/artikelen/", query_string={"tag": forged})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert forged.strip("\x00") in html  # shown as typed, not replaced by anything


def test_a_file_where_a_form_field_was_expected_is_refused(client, make_user):
    make_user(email="anna@example.nl")
    data = {
        "csrf_token": client.csrf_token("/inloggen"),
        "email": (BytesIO(b"\x00\xff"), "adres.bin"),
        "password": DEFAULT_PASSWORD,
    }
    response = client.post(
        "/inloggen", data=data, content_type="multipart/form-data", headers=SAME_ORIGIN
    )
    assert response.status_code == 400
    assert "Dit verzoek konden we niet verwerken" in response.get_data(as_text=True)


def test_a_json_body_where_a_form_was_expected_is_refused(client):
    token = client.csrf_token("/registreren")
    body = {"name": ["a", "b"], "email": {"x": 1}, "password": 12, "password_confirm": None}
    response = client.post(
        "/registreren",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": token, **SAME_ORIGIN},
    )
    assert response.status_code == 415


def test_a_number_question_in_other_digits_gets_a_dutch_message(client, login_as):
    login_as(Role.CAREGIVER)
    step_1 = {"relatie": "ouder", "woonsituatie": "zelfstandig"}
    assert client.submit("/profiel/vragenlijst/1", step_1).status_code == 303
    response = client.submit("/profiel/vragenlijst/2", {"uren": "²", "duur": "kort"})
    assert response.status_code == 422
    assert "Vul een heel getal in" in response.get_data(as_text=True)


def test_the_canonical_address_only_names_a_real_page_number(client):
    for odd in ("²", "٣", "1_0", "+2", "9" * 5000):
        html = client.get("/artikelen/", query_string={"pagina": odd}).get_data(as_text=True)
        assert re.search(r'rel="canonical" href="http://localhost/artikelen/"', html), odd
    html = client.get("/artikelen/?pagina=2").get_data(as_text=True)
    assert 'rel="canonical" href="http://localhost/artikelen/?pagina=2"' in html


def test_the_one_number_parser():
    assert [is_digits(t) for t in ("12", "²", "①", "٣", "", "1 2")] == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert whole_number(" 7 ") == 7 and whole_number("007") == 7
    for odd in ("²", "①", "٣", "+5", "-5", "1_000", "1e3", "", None, "9" * 10):
        assert whole_number(odd) is None, odd
    assert page_number("²") == 1 and page_number("9" * 5000) == 1 and page_number("3") == 3
    assert page_number("999999999") == 100_000
