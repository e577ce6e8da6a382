"""P17: what analytics counts is not linked to anything else about the visitor.

A caregiver who allows analytics browses the site logged in; an anonymous visitor who allows it
browses the same pages from another address. The statistics come out the same for both, and
nothing in them (no column, no value) points to the account, the session, the consent id or an
IP address. The caregiver's own pages are counted by their pattern only.
"""

import sqlalchemy as sa
from sqlmodel import delete

from app.consent.models import PageViewDay, SearchTermDay, VisitorDay
from app.consent.register import CONSENT_COOKIE, STATS_COOKIE
from app.tables import metadata

PUBLIC_PAGES = (
    "/",
    "/artikelen/",
    "/artikelen/respijtzorg",
    "/videos/",
    "/winkel",
    "/zoeken?q=respijtzorg aanvragen",
    "/zoeken?q=bel 0611122233 mantelzorg",
    "/cookies",
)
STATS_TABLES = ("stats_page_view", "stats_search_term", "stats_visitor")
EXPECTED_COLUMNS = {
    "stats_page_view": {"day", "path", "views"},
    "stats_search_term": {"day", "term", "searches"},
    "stats_visitor": {"day", "visitors"},
}


def statistics(app) -> dict[str, list[dict]]:
    """Every row of every statistics table, as it is stored."""
    with app.extensions["db_engine"].connect() as connection:
        return {
            table: [
                dict(row._mapping)
                for row in connection.execute(
                    sa.select(metadata.tables[table]).order_by(sa.text("1, 2"))
                )
            ]
            for table in STATS_TABLES
        }


def browse(client, pages, *, logged_in: bool):
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert ("Uitloggen" in response.get_data(as_text=True)) == logged_in, page


def from_address(client, remote: str, forwarded: str):
    client.environ_base.update(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    return client


def accept_analytics(client):
    response = client.submit("/cookies/keuze", {"keuze": "alles", "next": "/"}, page="/cookies")
    assert response.status_code == 303


def test_p17_statistics_hold_nothing_that_links_to_the_caregiver(app, session, make_user, outbox):
    visitor = from_address(app.test_client(), "198.51.100.7", "203.0.113.70")
    accept_analytics(visitor)
    browse(visitor, PUBLIC_PAGES, logged_in=False)
    anonymous = statistics(app)
    assert sum(r["views"] for r in anonymous["stats_page_view"]) == len(PUBLIC_PAGES)
    for model in (PageViewDay, SearchTermDay, VisitorDay):
        session.exec(delete(model))
    session.commit()

    user = make_user(email="carla.mantel@example.nl", name="Carla Mantel", phone="0611122233")
    caregiver = from_address(app.test_client(), "198.51.100.99", "203.0.113.99")
    login = {"email": user.email, "password": "een lange zin als wachtwoord"}
    assert caregiver.submit("/inloggen", login).status_code == 303
    accept_analytics(caregiver)
    browse(caregiver, PUBLIC_PAGES, logged_in=True)
    assert statistics(app) == anonymous  # logged in or not: the same counts, the same rows

    own_pages = ("/account", "/privacy", "/privacy/inzage", "/winkel/bestellingen")
    browse(caregiver, own_pages, logged_in=True)
    stored = statistics(app)
    for table, rows in stored.items():
        assert {column for row in rows for column in row} == EXPECTED_COLUMNS[table]
    paths = {row["path"] for row in stored["stats_page_view"]}
    assert {"/account", "/privacy", "/privacy/inzage"} <= paths
    assert [row["visitors"] for row in stored["stats_visitor"]] == [1]
    identifying = {
        str(user.id) + ":",  # the login id in the session
        user.email,
        "carla mantel",
        "0611122233",
        "198.51.100.99",
        "203.0.113.99",
        caregiver.get_cookie("session").value,
        caregiver.get_cookie(CONSENT_COOKIE).value,
        caregiver.csrf_token("/"),
    }
    text = repr(stored).lower()
    for value in identifying:
        assert value.lower() not in text, value
    # The statistics cookie holds only the day it was last counted.
    day = stored["stats_visitor"][0]["day"]
    assert caregiver.get_cookie(STATS_COOKIE).value == day.isoformat()
