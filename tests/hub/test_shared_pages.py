"""An article, video or fixed page, and a list of what is published, is rendered once for
everyone logged in with the same role, and each person still gets only their own part of it:
menu, CSRF token, basket, messages."""

import re

import pytest
from sqlmodel import select

from app.accounts.models import Role, User
from app.profile.models import ReadTopic
from tests.conftest import AuthActions

ARTICLE = "/artikelen/respijtzorg"


def logged_in(app, make_user, role=Role.CAREGIVER, **kwargs):
    visitor = app.test_client()
    user = make_user(role=role, **kwargs)
    response = AuthActions(visitor).login(user.email)
    assert response.status_code == 303
    visitor.get("/")  # the welcome message is shown (and gone) before the tests look
    return visitor, user


def token(html: str) -> str:
    found = re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert found and found.group(1)
    return found.group(1)


def test_the_second_caregiver_gets_the_rendered_page_with_her_own_token(app, make_user, renders):
    first, _ = logged_in(app, make_user, name="Anna Eerste", email="anna@example.nl")
    second, _ = logged_in(app, make_user, name="Bea Tweede", email="bea@example.nl")
    renders.clear()
    mine = first.get(ARTICLE).get_data(as_text=True)
    response = second.get(ARTICLE)
    hers = response.get_data(as_text=True)
    assert renders.count("hub/article.html") == 1  # rendered once, shown twice
    assert "no-store" in response.headers["Cache-Control"]  # kept here, by no one else
    assert token(mine) != token(hers)
    assert "\x00" not in mine + hers
    assert "Uitloggen" in hers and "Mijn profiel" in hers
    # Her token from the shared page works for a form that says nothing of where it comes from.
    form = {"keuze": "niets", "csrf_token": token(second.get(ARTICLE).get_data(as_text=True))}
    assert second.post("/cookies/keuze", data=form).status_code == 303


def test_each_role_gets_its_own_menu(app, make_user, renders):
    editor, _ = logged_in(app, make_user, role=Role.EDITOR)
    caregiver, _ = logged_in(app, make_user)
    renders.clear()
    for_editor = editor.get(ARTICLE).get_data(as_text=True)
    for_caregiver = caregiver.get(ARTICLE).get_data(as_text=True)
    assert renders.count("hub/article.html") == 2
    editorial = 'href="/redactie"'
    assert editorial in for_editor and editorial not in for_caregiver
    assert "Mijn profiel" in for_caregiver and "Mijn profiel" not in for_editor


def test_restriction_shows_only_on_the_page_of_who_asked_for_it(app, make_user, session):
    restricted, user = logged_in(app, make_user)
    other, _ = logged_in(app, make_user)
    row = session.get(User, user.id)
    row.restricted = True
    session.add(row)
    session.commit()
    assert "Verwerking beperkt." in restricted.get(ARTICLE).get_data(as_text=True)
    assert "Verwerking beperkt." not in other.get(ARTICLE).get_data(as_text=True)
    assert "Verwerking beperkt." in restricted.get(ARTICLE).get_data(as_text=True)


def test_each_basket_count_is_filled_in_per_person(app, make_user):
    shopper, _ = logged_in(app, make_user)
    other, _ = logged_in(app, make_user)
    other.get(ARTICLE)  # the page is kept before anything is in a basket
    form = {"product": "personenalarm-met-valdetectie", "aantal": "2", "actie": "toevoegen"}
    assert shopper.submit("/winkel/mandje", form, page="/winkel").status_code == 303
    assert 'class="zg-cart-count">2<' in shopper.get(ARTICLE).get_data(as_text=True)
    assert 'class="zg-cart-count">0<' in other.get(ARTICLE).get_data(as_text=True)


def test_a_message_for_one_person_is_rendered_for_her_alone(app, make_user, renders):
    reader, _ = logged_in(app, make_user)
    other, _ = logged_in(app, make_user)
    reader.get(ARTICLE)
    with reader.session_transaction() as cookie_session:
        cookie_session["_flashes"] = [("ok", "Een bericht voor deze lezer alleen.")]
    renders.clear()
    assert "Een bericht voor deze lezer alleen." in reader.get(ARTICLE).get_data(as_text=True)
    assert renders.count("hub/article.html") == 1  # not taken from what was kept
    assert "Een bericht voor deze lezer alleen." not in other.get(ARTICLE).get_data(as_text=True)
    assert "Een bericht" not in reader.get(ARTICLE).get_data(as_text=True)  # shown once


def test_reading_is_noted_for_every_reader_of_a_shared_page(app, make_user, session):
    from tests.profile.conftest import STEP_1, STEP_2, STEP_3, STEP_4

    readers = []
    for _ in range(2):
        visitor, user = logged_in(app, make_user)
        for number, answers in enumerate((STEP_1, STEP_2, STEP_3, STEP_4), start=1):
            assert visitor.submit(f"/profiel/vragenlijst/{number}", answers).status_code == 303
        readers.append((visitor, user))
    for visitor, _ in readers:
        visitor.get(ARTICLE)
    noted = {row.user_id for row in session.exec(select(ReadTopic)).all()}
    assert noted == {user.id for _, user in readers}


def test_the_page_seen_while_rendering_knows_only_the_role():
    from app.core.pagecache import Viewer

    viewer = Viewer(role="caregiver", restricted=False)
    assert viewer.is_authenticated and not viewer.is_anonymous
    for personal in ("id", "email", "name", "pending_email", "get_id"):
        assert not hasattr(viewer, personal)


LISTED = [
    ("/onderwerpen/", "hub/topics.html"),
    ("/onderwerpen/zorg", "hub/topic.html"),
    ("/onderwerpen/zorg?pagina=2", "hub/topic.html"),
    ("/tags/respijtzorg", "hub/tag.html"),
    ("/videos/", "hub/videos.html"),
]


@pytest.mark.parametrize(("address", "template"), LISTED)
def test_a_list_of_what_is_published_is_rendered_once_per_role_and_is_what_rendering_gives(
    app, make_user, renders, address, template
):
    first, _ = logged_in(app, make_user, name="Anna Eerste", email="anna@example.nl")
    second, _ = logged_in(app, make_user, name="Bea Tweede", email="bea@example.nl")
    renders.clear()
    mine = first.get(address).get_data(as_text=True)
    hers = second.get(address).get_data(as_text=True)
    assert renders.count(template) == 1  # rendered once, shown twice
    assert token(mine) != token(hers) and "\x00" not in mine + hers
    app.config["PAGE_CACHE"] = False
    try:
        assert second.get(address).get_data(as_text=True) == hers
    finally:
        app.config["PAGE_CACHE"] = True


def test_a_partial_request_for_the_start_page_is_sent_to_the_whole_page_unrendered(
    app, make_user, monkeypatch
):
    """No part of the start page is swapped on its own: an htmx request for it (a redirect
    followed into a swap target) gets the whole page's address, and nothing of it is worked
    out for an answer that shows nothing."""
    from app.hub import service

    def not_needed():
        raise AssertionError("the start page's sections were worked out for a redirect")

    visitor, _ = logged_in(app, make_user)
    monkeypatch.setattr(service, "home_sections", not_needed)
    for client in (visitor, app.test_client()):
        response = client.get("/?van=elders", headers={"HX-Request": "true"})
        assert response.headers["HX-Redirect"] == "/?van=elders"
        assert b"<main" not in response.data
