"""W1, W2: the catalogue from content, the cart with and without htmx, and bad quantities."""

import pytest

from app.shop.money import vat_breakdown, vat_in_gross
from tests.conftest import DEFAULT_PASSWORD, htmx_headers

ALARM = "personenalarm-met-valdetectie"
MEALS = "tien-verse-maaltijden"


def add(client, slug=ALARM, aantal="1", actie="toevoegen", **headers):
    return client.submit(
        "/winkel/mandje",
        {"product": slug, "aantal": aantal, "actie": actie},
        page="/winkel",
        headers=headers or None,
    )


def test_catalogue_has_at_least_20_items_from_5_partners(app):
    from pathlib import Path

    from app.content import store as content
    from app.shop.catalogue import load

    with app.app_context():
        catalogue = load(Path(app.config["CONTENT_DIR"]), content.site())
    assert catalogue.problems == []
    assert len(catalogue.products) >= 20
    assert len(catalogue.partners) >= 5
    assert {p.fields.kind for p in catalogue.products.values()} == {"product", "service"}


def test_catalogue_pages(client):
    page = client.get("/winkel").get_data(as_text=True)
    assert "Personenalarm met valdetectie" in page and "€\xa0129,00" in page
    assert (
        client.get("/winkel?categorie=maaltijden").get_data(as_text=True).count('zg-product-card"')
        >= 2
    )
    product = client.get(f"/winkel/{ALARM}").get_data(as_text=True)
    assert "Inclusief 21% btw" in product and "privacyverklaring van" in product.lower()
    assert client.get("/winkel/bestaat-niet").status_code == 404


def test_inactive_product_cannot_be_added(client):
    page = client.get("/winkel/bedbeugel").get_data(as_text=True)
    assert "tijdelijk niet te bestellen" in page
    response = add(client, "bedbeugel")
    assert response.status_code == 422 and "niet (meer) te koop" in response.get_data(as_text=True)


def test_add_change_remove_without_javascript(client):
    assert add(client).status_code == 303
    add(client, MEALS, "2")
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert "Personenalarm met valdetectie" in basket and "€\xa0288,00" in basket  # 129 + 2 × 79,50
    add(client, MEALS, "3", actie="wijzigen")
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert "€\xa0367,50" in basket
    assert "Het aantal is aangepast: 3× Tien verse maaltijden." in basket
    add(client, ALARM, actie="verwijderen")
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert ">Personenalarm met valdetectie</a>" not in basket
    assert "Personenalarm met valdetectie is uit je mandje gehaald." in basket  # said, once
    assert "uit je mandje gehaald" not in client.get("/winkel/mandje").get_data(as_text=True)


def test_with_htmx_a_change_swaps_the_basket_and_says_what_changed(client):
    add(client)
    add(client, MEALS, "2")
    response = add(client, ALARM, actie="verwijderen", **htmx_headers("mandje"))
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in fragment and "<main" not in fragment
    assert fragment.lstrip().startswith('<section id="mandje">')
    assert "Personenalarm met valdetectie is uit je mandje gehaald." in fragment
    assert 'role="status" tabindex="-1" data-zg-focus="swap"' in fragment  # it takes focus
    assert (
        '<span id="mandje-teller" class="zg-cart-count" data-hx-swap-oob="true">2</span>'
        in fragment
    )
    # Nothing is left over for the next whole page.
    assert "uit je mandje gehaald" not in client.get("/winkel/mandje").get_data(as_text=True)


def test_a_guest_is_told_that_ordering_needs_an_account(client, make_user):
    user = make_user(email="gast@example.nl")
    add(client)
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert "Bestellen doe je met een account" in basket and "Verder naar bestellen" not in basket
    assert 'href="/inloggen?next=/winkel/mandje"' in basket
    assert 'href="/registreren?next=/winkel/mandje"' in basket
    # The checkout's address itself says the same on the login page, not "log in to see this".
    response = client.get("/winkel/afrekenen")
    assert response.status_code == 302
    assert response.headers["Location"] == "/inloggen?next=/winkel/mandje"
    login = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bestellen doe je met een account." in login and "Log in om deze pagina" not in login
    assert 'href="/registreren?next=/winkel/mandje"' in login
    # Logging in leads back to the basket, which kept what was in it.
    back = client.submit(
        "/inloggen",
        {"email": user.email, "password": DEFAULT_PASSWORD, "next": "/winkel/mandje"},
    )
    assert back.headers["Location"] == "/winkel/mandje"
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert "Verder naar bestellen" in basket and "Personenalarm met valdetectie" in basket


def test_htmx_add_updates_the_cart_count_out_of_band(client):
    response = add(client, **{**htmx_headers("mandje-melding")})
    html = response.get_data(as_text=True)
    assert '<span id="mandje-teller" class="zg-cart-count" data-hx-swap-oob="true">1</span>' in html
    assert "<html" not in html


def test_cart_count_is_per_visitor_even_on_cached_pages(app, client):
    add(client, aantal="3")
    assert 'id="mandje-teller" class="zg-cart-count">3<' in client.get("/artikelen/").get_data(
        as_text=True
    )
    other = app.test_client()
    assert 'id="mandje-teller" class="zg-cart-count">0<' in other.get("/artikelen/").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("aantal", "message"),
    [
        ("0", None),
        ("-1", "niet negatief"),
        ("1000000000", "hoogstens 20"),
        ("twee", "met cijfers"),
        ("", "met cijfers"),
        ("21", "hoogstens 20"),
    ],
)
def test_bad_quantities(client, aantal, message):
    response = add(client, aantal=aantal, actie="wijzigen")
    if message is None:
        assert response.status_code == 303  # 0 removes the line
    else:
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)


def test_prices_from_the_browser_are_ignored(client):
    client.submit(
        "/winkel/mandje",
        {
            "product": ALARM,
            "aantal": "1",
            "actie": "toevoegen",
            "price_cents": "1",
            "total": "0.01",
        },
        page="/winkel",
    )
    assert "€\xa0129,00" in client.get("/winkel/mandje").get_data(as_text=True)


def test_cart_survives_logging_in(client, make_user):
    user = make_user()
    add(client, MEALS, "2")
    client.submit("/inloggen", {"email": user.email, "password": "een lange zin als wachtwoord"})
    assert "Tien verse maaltijden" in client.get("/winkel/mandje").get_data(as_text=True)


def test_tampered_cart_in_session_is_cleaned(client):
    with client.session_transaction() as s:
        s["cart"] = {ALARM: 999, "onbekend": 1, MEALS: "twee", "bedbeugel": 1}
    basket = client.get("/winkel/mandje").get_data(as_text=True)
    assert "Je mandje is leeg" in basket


def test_money_helpers():
    assert vat_in_gross(12100, 21) == 2100
    assert vat_in_gross(10900, 9) == 900
    assert vat_in_gross(9800, 0) == 0
    assert vat_in_gross(1, 21) == 0 and vat_in_gross(6, 21) == 1
    lines = vat_breakdown([(12900, 21), (7950, 9), (9800, 0), (100, 21)])
    assert [(v.rate, v.gross_cents) for v in lines] == [(21, 13000), (9, 7950), (0, 9800)]


def test_p20_shop_recommendations_use_the_profile_but_never_health(client, login_as, session):
    from tests.profile.conftest import STEP_1, STEP_2, STEP_3, STEP_4

    login_as()
    for number, data in enumerate((STEP_1, STEP_2, STEP_3, STEP_4), start=1):
        client.submit(f"/profiel/vragenlijst/{number}", data)
    page = client.get("/winkel").get_data(as_text=True)
    assert "Aanbevolen voor jou" in page and "Waarom zie ik dit?" in page
    assert "Gegevens over gezondheid gebruiken we nooit in de winkel" in page
    assert 'id="voor-jou-kop"' not in client.get("/winkel?weergave=alles").get_data(as_text=True)


def test_anonymous_shop_order_is_the_same_for_everyone(app, client):
    first = client.get("/winkel").get_data(as_text=True)
    second = app.test_client().get("/winkel").get_data(as_text=True)
    assert "Aanbevolen voor jou" not in first
    import re

    order = re.findall(r'href="/winkel/([a-z0-9-]+)">', first)
    assert order == re.findall(r'href="/winkel/([a-z0-9-]+)">', second)


def test_an_unknown_product_is_refused_plainly(client):
    response = add(client, "bestaat-niet")
    assert response.status_code == 422
    assert "Dit product is niet (meer) te koop." in response.get_data(as_text=True)
    fragment = add(client, "bestaat-niet", **htmx_headers("mandje-melding"))
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 422 and "<html" not in html
    assert "Dit product is niet (meer) te koop." in html
    assert '<span id="mandje-teller" class="zg-cart-count" data-hx-swap-oob="true">0</span>' in html
    assert "Je mandje is leeg" in client.get("/winkel/mandje").get_data(as_text=True)


def test_after_an_objection_to_profiling_the_shop_is_not_personalised(app, client, login_as):
    from tests.profile.conftest import STEP_1, STEP_2, STEP_3, STEP_4

    login_as()
    for number, data in enumerate((STEP_1, STEP_2, STEP_3, STEP_4), start=1):
        client.submit(f"/profiel/vragenlijst/{number}", data)
    personal = client.get("/winkel").get_data(as_text=True)
    anonymous = app.test_client().get("/winkel").get_data(as_text=True)
    assert "Aanbevolen voor jou" in personal
    assert product_order(personal) != product_order(anonymous)

    objection = client.submit("/privacy/bezwaar/profiling", {"aan": "1"}, page="/privacy")
    assert objection.status_code == 303
    page = client.get("/winkel").get_data(as_text=True)
    assert "Aanbevolen voor jou" not in page and "Waarom zie ik dit?" not in page
    assert product_order(page) == product_order(anonymous) != []


def product_order(html):
    """The products on a catalogue page, in the order shown (cards only, no navigation)."""
    import re

    return re.findall(r'zg-card__title"><a class="utrecht-link" href="/winkel/([a-z0-9-]+)"', html)
