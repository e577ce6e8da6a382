"""Access: every page that needs a login or a role, in one table.

Anonymous visitors go to the login page, the wrong role gets 403.

The second test makes the table complete: a GET page that is in neither list fails, so a new
page must be classified the day it is added.
"""

import pytest

from app.accounts.models import Role

# path -> roles allowed (None: any logged-in account)
PROTECTED: dict[str, tuple[Role, ...] | None] = {
    "/account": None,
    "/account/e-mailadres": None,
    "/account/wachtwoord": None,
    "/account/tweestapsverificatie": None,
    "/hulplijn/mijn-vragen": None,
    "/inloggen/code": None,
    "/redactie": (Role.EDITOR, Role.ADMIN),
    "/redactie/nieuwsbrieven": (Role.EDITOR, Role.ADMIN),
    "/redactie/nieuwsbrieven/2026-12-winter": (Role.EDITOR, Role.ADMIN),
    "/redactie/assistent": (Role.EDITOR, Role.ADMIN),
    "/account/nieuwsbrief": None,
    "/profiel": (Role.CAREGIVER,),
    "/profiel/vragenlijst": (Role.CAREGIVER,),
    "/profiel/vragenlijst/1": (Role.CAREGIVER,),
    "/profiel/verwijderen": (Role.CAREGIVER,),
    "/winkel/afrekenen": None,
    "/winkel/bestellingen": None,
    "/staff/bestellingen": (Role.STAFF, Role.ADMIN),
    "/staff/fiscaal": (Role.STAFF, Role.ADMIN),
    "/staff/partners": (Role.STAFF, Role.ADMIN),
    "/staff/fiscaal/verkoopdagboek.csv": (Role.STAFF, Role.ADMIN),
    "/privacy": None,
    "/privacy/inzage": None,
    "/privacy/verwijderen": None,
    "/staff/privacy": (Role.STAFF, Role.ADMIN),
    "/staff/hulplijn": (Role.STAFF, Role.ADMIN),
    "/staff/hulplijn/dossiers": (Role.STAFF,),
    "/staff/verstrekkingen": (Role.STAFF, Role.ADMIN),
    "/admin/": (Role.ADMIN,),
}

PUBLIC = {
    "/",
    "/healthz",
    "/registreren",
    "/inloggen",
    "/wachtwoord-vergeten",
    "/bevestigen/<token>",
    "/account-bevestigen/<token>",
    "/wachtwoord-herstellen/<token>",
    "/static/<path:filename>",
    "/artikelen/",
    "/artikelen/<slug>",
    "/videos/",
    "/videos/<slug>",
    "/onderwerpen/",
    "/onderwerpen/<topic>",
    "/tags/<tag>",
    "/<slug>",
    "/feed.xml",
    "/sitemap.xml",
    "/robots.txt",
    "/zoeken",
    "/cookies",
    "/cookies/instellingen",
    "/winkel",
    "/winkel/<slug>",
    "/winkel/afbeeldingen/<name>.<fingerprint>.svg",
    "/winkel/mandje",
    "/privacy-verklaring",
    "/cijfers",
    "/cijfers/<key>.csv",
    "/hulplijn",
    "/assistent",
    "/hulplijn/ontvangen",
    # The newsletter: subscribing, and the personal links in its mails (no login needed).
    "/nieuwsbrief",
    "/nieuwsbrief/bijna-klaar",
    "/nieuwsbrief/bevestigen/<token>",
    "/nieuwsbrief/afmelden/<token>",
    "/nieuwsbrief/voorkeuren/<token>",
    "/nieuwsbrief/o/<token>",
    "/favicon.ico",
    "/apple-touch-icon.png",
    "/apple-touch-icon-precomposed.png",
    "/.well-known/security.txt",
}

POST_ONLY = {
    "/admin/account/<int:user_id>/tweede-stap",
    "/staff/hulplijn/<int:request_id>/oppakken",
    "/staff/hulplijn/dossiers/<int:client_id>/vragen",
    "/staff/hulplijn/dossiers/<int:client_id>/contact",
    "/staff/hulplijn/dossiers/<int:client_id>/documenten",
    "/staff/hulplijn/dossiers/<int:client_id>/verzekering/inzien",
    "/staff/hulplijn/dossiers/<int:client_id>/verzekering",
    "/staff/hulplijn/dossiers/<int:client_id>/wissen",
    "/hulplijn/mijn-vragen/<int:client_id>/documenten",
    "/hulplijn/mijn-vragen/<int:client_id>/correctie",
    "/staff/verstrekkingen/<int:disclosure_id>/niet-meer-geheim",
    "/staff/partners/<int:delivery_id>/opnieuw",
    "/betalen/webhook",
    "/winkel/bestelling/<number>/betalen",
    "/winkel/bestelling/<number>/opnieuw",
    "/uitloggen",
    "/account/bevestigingsmail",
    "/account/andere-apparaten-uitloggen",
    "/cookies/keuze",
    "/cookies/intrekken",
    "/profiel/toestemming/<scope>",
    "/profiel/antwoord/<key>/verwijderen",
    "/privacy/download",
    "/privacy/beperken",
    "/privacy/bezwaar/<kind>",
    "/privacy/intrekken/<scope>",
    "/staff/privacy/<int:request_id>/code-sturen",
    "/staff/privacy/<int:request_id>/code",
    "/staff/privacy/<int:request_id>/actie",
    "/staff/privacy/<int:request_id>/verwijderen",
    "/staff/privacy/<int:request_id>/verlengen",
    "/staff/privacy/<int:request_id>/afsluiten",
    "/redactie/nieuwsbrieven/<slug>/test",
    "/assistent/wissen",
    "/assistent/melden/<turn_id>",
    "/redactie/assistent/<int:report_id>/afgehandeld",
}
# Pages with a parameter, listed above with an example value.
EXAMPLES = {
    "/profiel/vragenlijst/<int:number>": "/profiel/vragenlijst/1",
    "/redactie/nieuwsbrieven/<slug>": "/redactie/nieuwsbrieven/2026-12-winter",
}


# Pages of one record: anonymous visitors go to the login page; that only the owner (or staff)
# sees the record, and others get 404 or 403, is tested with the feature (tests/shop).
OWN_RECORD = {
    "/winkel/bestelling/<number>": "/winkel/bestelling/ZG2026-000001",
    "/winkel/bestelling/<number>/factuur": "/winkel/bestelling/ZG2026-000001/factuur",
    "/staff/bestellingen/<number>": "/staff/bestellingen/ZG2026-000001",
    "/winkel/bestelling/<number>/creditnota/<credit_number>": (
        "/winkel/bestelling/ZG2026-000001/creditnota/C2026-000001"
    ),
    "/staff/bestellingen/<number>/creditnota/<credit_number>": (
        "/staff/bestellingen/ZG2026-000001/creditnota/C2026-000001"
    ),
    "/privacy/download/<int:export_id>": "/privacy/download/1",
    "/privacy/bestelling/<number>/corrigeren": "/privacy/bestelling/ZG2026-000001/corrigeren",
    "/staff/privacy/<int:request_id>": "/staff/privacy/1",
    "/staff/hulplijn/<int:request_id>": "/staff/hulplijn/1",
    "/staff/hulplijn/<int:request_id>/dossier": "/staff/hulplijn/1/dossier",
    "/staff/hulplijn/dossiers/<int:client_id>": "/staff/hulplijn/dossiers/1",
    "/staff/hulplijn/dossiers/<int:client_id>/reden": "/staff/hulplijn/dossiers/1/reden",
    "/staff/hulplijn/dossiers/<int:client_id>/contact/<int:contact_id>": (
        "/staff/hulplijn/dossiers/1/contact/1"
    ),
    "/staff/hulplijn/dossiers/<int:client_id>/vragen/<int:question_id>": (
        "/staff/hulplijn/dossiers/1/vragen/1"
    ),
    "/staff/hulplijn/dossiers/<int:client_id>/gegevens": "/staff/hulplijn/dossiers/1/gegevens",
    "/staff/hulplijn/dossiers/<int:client_id>/documenten": (
        "/staff/hulplijn/dossiers/1/documenten"
    ),
    "/staff/hulplijn/dossiers/<int:client_id>/documenten/<int:document_id>": (
        "/staff/hulplijn/dossiers/1/documenten/1"
    ),
    "/hulplijn/mijn-vragen/documenten/<int:document_id>": "/hulplijn/mijn-vragen/documenten/1",
    "/admin/account/<int:user_id>": "/admin/account/1",
    "/privacy/verstrekking/<int:disclosure_id>": "/privacy/verstrekking/1",
}


@pytest.mark.parametrize("path", sorted(PROTECTED) + sorted(OWN_RECORD.values()))
def test_anonymous_visitor_goes_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")


@pytest.mark.parametrize(
    ("path", "role"),
    [
        (p, r)
        for p, roles in PROTECTED.items()
        for r in Role
        if roles is not None and r not in roles
    ],
)
def test_wrong_role_gets_403(client, login_as, path, role):
    login_as(role)
    response = client.get(path)
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "role"),
    [(p, r) for p, roles in PROTECTED.items() for r in (roles or tuple(Role))],
)
def test_right_role_gets_the_page(client, login_as, path, role):
    login_as(role)
    response = client.get(path)
    assert response.status_code < 400
    assert not response.headers.get("Location", "").startswith("/inloggen")


def test_every_page_is_classified(app):
    pages = {EXAMPLES.get(r.rule, r.rule) for r in app.url_map.iter_rules() if "GET" in r.methods}
    unclassified = pages - PUBLIC - set(PROTECTED) - POST_ONLY - set(OWN_RECORD)
    assert not unclassified, f"add these pages to PUBLIC or PROTECTED: {sorted(unclassified)}"
    posts = {rule.rule for rule in app.url_map.iter_rules() if rule.methods == {"POST", "OPTIONS"}}
    assert posts <= POST_ONLY | PUBLIC | set(PROTECTED), sorted(posts - POST_ONLY)


def test_role_required_decorator(app, make_user):
    from app.accounts.access import role_required

    @app.get("/alleen-voor-staf")
    @role_required(Role.STAFF, Role.ADMIN)
    def staff_only():
        return "geheim"

    from tests.conftest import Client, second_step_code

    app.test_client_class = Client
    client = app.test_client()
    assert client.get("/alleen-voor-staf").status_code == 302
    for role, expected in (
        (Role.CAREGIVER, 403),
        (Role.EDITOR, 403),
        (Role.STAFF, 200),
        (Role.ADMIN, 200),
    ):
        user = make_user(role=role)
        client = app.test_client()
        client.submit(
            "/inloggen", {"email": user.email, "password": "een lange zin als wachtwoord"}
        )
        if role in (Role.STAFF, Role.ADMIN):
            # The password alone opens nothing: first the code from the app.
            response = client.get("/alleen-voor-staf")
            assert response.status_code == 302, role
            assert response.headers["Location"].startswith("/inloggen/code?next=/alleen-voor-staf")
            client.submit("/inloggen/code", {"code": second_step_code(user.email)})
        assert client.get("/alleen-voor-staf").status_code == expected, role
