"""P2, P3, P11, P14: the profile shapes what is shown first, says why, and stops at once on
objection, restriction or without consent."""

import re

import pytest
from sqlmodel import select

from app import db
from app.profile import scoring, service
from app.profile.models import ReadTopic
from tests.hub.test_shared_pages import logged_in


def titles(html: str, section_id: str = "voor-jou-kop") -> list[str]:
    if section_id not in html:
        return []
    part = html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'class="zg-card__title"><a class="utrecht-link" href="([^"]+)"', part)


def recommended_cards(html: str) -> dict[str, str]:
    """The cards under "Aanbevolen voor jou", by link: {href: the card's html}."""
    part = html.split('id="voor-jou-kop"', 1)[1].split("</section>", 1)[0]
    cards = {}
    for card in part.split("<li>")[1:]:
        href = re.search(r'class="zg-card__title"><a class="utrecht-link" href="([^"]+)"', card)
        assert href, card
        cards[href.group(1)] = card
    return cards


def list_order(html: str) -> list[str]:
    part = html.split('id="artikelen-lijst"', 1)[1]
    return re.findall(r'class="zg-card__title"><a class="utrecht-link" href="([^"]+)"', part)


def test_p14_a_profile_puts_matching_articles_first_and_says_why(client, filled):
    page = client.get("/artikelen/").get_data(as_text=True)
    recommended = titles(page)
    assert recommended
    assert "/artikelen/gesprek-met-werkgever" in recommended[:6]
    cards = recommended_cards(page)
    assert list(cards) == recommended
    for card in cards.values():  # every recommendation says why, with a way to change it
        assert "<summary>Waarom zie ik dit?</summary>" in card
        assert '<a class="utrecht-link" href="/profiel">Antwoorden wijzigen</a>' in card
    why = cards["/artikelen/gesprek-met-werkgever"].split("Omdat je aangaf: ", 1)[1]
    why = why.split(". <a", 1)[0]
    # The article is for working, new and heavily loaded caregivers, about work: all answered.
    assert set(why.split(", ")) == {
        "je bent net mantelzorger",
        "veel uren zorg per week",
        "je zoekt hulp bij werk en studie",
        "werkende mantelzorger",
    }
    home = client.get("/").get_data(as_text=True)
    assert "Aanbevolen voor jou" in home and titles(home)


def test_the_explanation_names_the_answers_behind_it(app, filled):
    with app.test_request_context():
        profile = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=False
        )
        from app.hub.service import visible

        recs = scoring.recommend(visible("article"), profile)
    top = recs[0]
    expected = {
        "zorg voor je vader of moeder",
        "werkende mantelzorger",
        "veel uren zorg per week",
        "je net mantelzorger",
        "je zoekt hulp bij financiën",
        "je zoekt hulp bij werk en studie",
        "je naaste woont zelfstandig",
        "je bent net mantelzorger",
    }
    assert set(top.reasons) <= expected and top.reasons
    for rec in recs:
        meta = rec.item.meta
        carried = set(meta.audience) | set(meta.topics) | set(meta.tags)
        # Every profile tag the item carries is named, and nothing else.
        assert set(rec.matched) >= carried & set(profile.weights)
        assert rec.reasons == list(dict.fromkeys(profile.reasons[t] for t in rec.matched))


def start_page(app, visitor, *, kept: bool, address: str = "/") -> str:
    app.config["PAGE_CACHE"] = kept
    try:
        response = visitor.get(address)
    finally:
        app.config["PAGE_CACHE"] = True
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_start_page_around_her_recommendations_is_kept_and_gives_what_rendering_gives(
    app, client, filled, make_user, renders
):
    # The start page is rendered once for every caregiver; each request fills in her own
    # recommendations (and header): exactly what rendering her whole page gives.
    renders.clear()
    first = start_page(app, client, kept=True)
    again = start_page(app, client, kept=True)
    assert renders.count("hub/home.html") == 1
    whole = start_page(app, client, kept=False)
    assert first == again == whole
    assert titles(first) and "\x00" not in first
    # Another caregiver, without answers, gets the same page around nothing of hers.
    other, _ = logged_in(app, make_user, name="Bea Zonder", email="bea@example.nl")
    renders.clear()
    hers = start_page(app, other, kept=True)
    assert renders.count("hub/home.html") == 0
    assert titles(hers) == [] and "Aanbevolen voor jou" not in hers
    assert hers == start_page(app, other, kept=False)


# The lists that show her recommendations above them: their addresses, the template, how many
# pages are kept for them (one per filter and page, whichever list of hers is chosen), the
# addresses that show hers and those that show only the switch.
LISTS = {
    "articles": (
        [
            "/artikelen/",
            "/artikelen/?weergave=voor-jou",
            "/artikelen/?weergave=alles",
            "/artikelen/?onderwerp=werk",
            "/artikelen/?onderwerp=werk&weergave=alles",
            "/artikelen/?tag=respijtzorg",
            "/artikelen/?pagina=2",
            "/artikelen/?onderwerp=bestaat-niet&tag=%3Cb%3E",
        ],
        "hub/articles.html",
        5,  # all, werk, the tag, page 2, the unknown topic with a tag
        ["/artikelen/", "/artikelen/?weergave=voor-jou", "/artikelen/?onderwerp=werk"],
        ["/artikelen/?weergave=alles", "/artikelen/?onderwerp=werk&weergave=alles"],
    ),
    "shop": (
        [
            "/winkel",
            "/winkel?weergave=alles",
            "/winkel?weergave=voor-jou",
            "/winkel?categorie=maaltijden",
            "/winkel?categorie=bestaat-niet&weergave=voor-jou",
            "/winkel?pagina=2",
        ],
        "shop/catalogue.html",
        3,  # all, maaltijden, page 2
        ["/winkel", "/winkel?weergave=voor-jou"],
        ["/winkel?weergave=alles", "/winkel?categorie=maaltijden"],  # none with a category
    ),
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_around_her_recommendations_is_kept_and_gives_what_rendering_gives(
    app, client, filled, make_user, renders, name
):
    addresses, template, kept, with_hers, without = LISTS[name]
    renders.clear()
    pages = {}
    for address in addresses + addresses:
        pages[address] = start_page(app, client, kept=True, address=address)
        assert pages[address] == start_page(app, client, kept=False, address=address), address
        assert "\x00" not in pages[address]
    assert renders.count(template) == kept + len(addresses) * 2  # (whole: once per request)
    for address in with_hers:
        assert titles(pages[address]), address
    for address in without:
        assert titles(pages[address]) == [], address
        if "weergave=alles" in address:  # the switch says which list is shown
            assert 'aria-current="true">Alles</a></li>\n</ul>' in pages[address]
    other, _ = logged_in(app, make_user, name="Bea Zonder", email="bea@example.nl")
    for address in addresses:
        hers = start_page(app, other, kept=True, address=address)
        assert hers == start_page(app, other, kept=False, address=address), address
        assert "Aanbevolen voor jou" not in hers


def test_switch_between_recommended_and_all(client, filled):
    everything = client.get("/artikelen/?weergave=alles").get_data(as_text=True)
    assert 'aria-current="true">Alles</a>' in everything
    assert "voor-jou-kop" not in everything


def test_p11_objection_gives_exactly_the_anonymous_order_and_records_nothing(
    app, client, filled, session
):
    anonymous = app.test_client().get("/artikelen/").get_data(as_text=True)
    from app.accounts.models import User

    user = session.get(User, filled.id)
    user.objects_profiling = True
    session.add(user)
    session.commit()
    page = client.get("/artikelen/").get_data(as_text=True)
    assert titles(page) == [] and "Aanbevolen voor jou" not in page
    assert list_order(page) == list_order(anonymous)
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_restriction_also_stops_personalisation(app, client, filled, session):
    from app.accounts.models import User

    anonymous = app.test_client().get("/artikelen/").get_data(as_text=True)
    assert titles(client.get("/artikelen/").get_data(as_text=True))  # personalised before
    user = session.get(User, filled.id)
    user.restricted = True
    session.add(user)
    session.commit()
    page = client.get("/artikelen/").get_data(as_text=True)
    assert titles(page) == [] and "Aanbevolen voor jou" not in page
    assert list_order(page) == list_order(anonymous)
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_without_consent_nothing_is_scored_or_recorded(client, caregiver, fill, session):
    from tests.profile.conftest import STEP_1, STEP_3

    fill(1, {**STEP_1, "personalisation": ""})
    fill(2, {})
    fill(3, STEP_3)
    assert "Aanbevolen voor jou" not in client.get("/").get_data(as_text=True)
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_p11_reading_counts_only_with_consent(client, filled, session):
    client.get("/artikelen/respijtzorg")
    rows = {r.topic: r.reads for r in session.exec(select(ReadTopic))}
    assert rows == {"zorg": 1, "balans": 1}
    client.submit("/profiel/toestemming/personalisation", {"aan": "0"}, page="/profiel")
    assert session.exec(select(ReadTopic)).all() == []  # withdrawing also forgets the reading
    client.get("/artikelen/respijtzorg")
    assert session.exec(select(ReadTopic)).all() == []


def test_p11_reading_is_counted_up_to_what_still_weighs_and_by_the_day(
    app, client, filled, session
):
    """Five reads of a topic give it its full weight; more are not kept, and of the last reading
    only the day. A page read again on the same day then writes nothing at all."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import sqlalchemy as sa

    from app.core.formatting import dutch_date

    written: list[str] = []

    def note(conn, cursor, statement, *args):
        if "profile_read_topic" in statement and not statement.lstrip().startswith("SELECT"):
            written.append(statement)

    engine = app.extensions["db_engine"]
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        for _ in range(service.READS_KEPT):
            client.get("/artikelen/respijtzorg")
        assert written  # the first reads are counted
        written.clear()
        for _ in range(3):
            assert client.get("/artikelen/respijtzorg").status_code == 200
        assert written == []  # nothing more to keep today
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    rows = {r.topic: r for r in session.exec(select(ReadTopic))}
    assert {t: r.reads for t, r in rows.items()} == {"zorg": 5, "balans": 5}
    assert {r.last_read_at for r in rows.values()} == {today}
    with app.test_request_context():
        profile = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=False
        )
    assert profile.weights["balans"] == service.READ_WEIGHT_MAX
    # The access page shows the day, without a time of day that was never kept.
    access = client.get("/privacy/inzage").get_data(as_text=True)
    shown = access.split("De dag waarop je er het laatst over las</dt><dd>", 1)[1].split("</dd>")[0]
    assert shown == dutch_date(today.date())
    # The next day the day of the last reading moves on; the count stays at five.
    for row in rows.values():
        row.last_read_at = today.replace(year=today.year - 1)
        session.add(row)
    session.commit()
    client.get("/artikelen/respijtzorg")
    session.expire_all()
    rows = {r.topic: r for r in session.exec(select(ReadTopic))}
    assert {(r.reads, r.last_read_at) for r in rows.values()} == {(5, today)}


def test_p11_a_topic_with_its_full_count_today_stays_while_the_other_is_counted(
    client, filled, session
):
    """An article about two topics, one already read enough today: only the other is noted."""
    today = service.reading_day()
    session.add(
        ReadTopic(user_id=filled.id, topic="zorg", reads=service.READS_KEPT, last_read_at=today)
    )
    session.commit()
    assert client.get("/artikelen/respijtzorg").status_code == 200
    rows = {r.topic: (r.reads, r.last_read_at) for r in session.exec(select(ReadTopic))}
    assert rows == {"zorg": (service.READS_KEPT, today), "balans": (1, today)}


def test_p05_health_answers_feed_content_only_with_consent_and_never_the_shop(
    app, client, filled, fill, session
):
    fill(5, {"consent": "y"})
    fill(5, {"aandoening": ["dementie"]})
    with app.test_request_context():
        with_health = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=True
        )
        without = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=False
        )
        shop = service.build_profile(
            db.session(), user_id=filled.id, personalise=True, health=True, for_shop=True
        )
    assert "dementie" in with_health.weights
    assert "dementie" not in without.weights
    assert "dementie" not in shop.weights and "werkend" in shop.weights
    health_tags = {tag for tag, a in app.extensions["content"].site().audience.items() if a.health}
    assert not any(health_tags & tags for tags in shop.topic_tags.values())
    with app.test_request_context():
        from app.hub.service import visible
        from app.shop.service import catalogue

        articles = scoring.recommend(visible("article"), with_health, limit=100)
        products = scoring.recommend(catalogue().for_sale(), shop, limit=100)
    assert any("dementie" in r.matched for r in articles)  # health answers help with content
    assert products and not any(health_tags & set(r.matched) for r in products)
    health_labels = {
        a.label for a in app.extensions["content"].site().audience.values() if a.health
    }
    cards = shop_cards(client)
    assert cards
    for card in cards.values():
        assert not any(label in why(card) for label in health_labels)


def test_anonymous_visitors_get_no_scoring(client):
    page = client.get("/artikelen/").get_data(as_text=True)
    assert "Aanbevolen voor jou" not in page and "weergave=" not in page


def test_ties_are_broken_deterministically():
    from datetime import date
    from types import SimpleNamespace

    def item(title, published, featured=False):
        meta = SimpleNamespace(
            audience=["werkend"], topics=[], published=published, featured=featured
        )
        return SimpleNamespace(meta=meta, title=title)

    profile = scoring.Profile(
        weights={"werkend": 1.0}, reasons={"werkend": "werkende mantelzorger"}
    )
    items = [
        item("B", date(2026, 1, 1)),
        item("A", date(2026, 1, 1)),
        item("C", date(2026, 3, 1)),
        item("D", date(2025, 1, 1), featured=True),
    ]
    order = [r.item.title for r in scoring.recommend(items, profile)]
    assert order == ["D", "C", "A", "B"]
    assert order == [r.item.title for r in scoring.recommend(items[::-1], profile)]
    assert scoring.recommend(items, scoring.Profile()) == []


def test_audience_topics_and_tags_are_weighed_against_a_threshold():
    from datetime import date
    from types import SimpleNamespace

    def item(title, audience=(), topics=(), tags=()):
        meta = SimpleNamespace(
            audience=list(audience),
            topics=list(topics),
            tags=list(tags),
            published=date(2026, 1, 1),
            featured=False,
        )
        return SimpleNamespace(meta=meta, title=title)

    profile = scoring.Profile(
        weights={"partner": 1.0, "juridisch": 1.0, "zorg": 0.4},
        reasons={
            "partner": "zorg voor je partner",
            "juridisch": "je zoekt hulp bij juridische zaken",
            "zorg": "je las over zorg",
        },
        topic_tags={"juridisch": frozenset({"volmacht"}), "zorg": frozenset({"respijtzorg"})},
    )
    items = {
        "audience": item("audience", audience=["partner"]),
        "tag": item("tag", tags=["partner"]),
        "topic": item("topic", topics=["juridisch"]),
        "topic and its tag": item("topic and its tag", topics=["juridisch"], tags=["volmacht"]),
        "product tags": item("product tags", tags=["juridisch", "volmacht"]),
        "related tag only": item("related tag only", tags=["volmacht"]),
        "everything": item(
            "everything", audience=["partner"], topics=["zorg"], tags=["volmacht", "respijtzorg"]
        ),
        "nothing": item("nothing", audience=["kind"], topics=["wonen"], tags=["traplift"]),
    }
    points = {name: scoring.score(i, profile)[0] for name, i in items.items()}
    assert points == {
        "audience": scoring.AUDIENCE_WEIGHT,
        "tag": scoring.TAG_WEIGHT,
        "topic": scoring.TOPIC_WEIGHT,
        "topic and its tag": scoring.TOPIC_WEIGHT + scoring.RELATED_WEIGHT,
        "product tags": scoring.TAG_WEIGHT + scoring.RELATED_WEIGHT,
        "related tag only": scoring.RELATED_WEIGHT,
        "everything": pytest.approx(
            scoring.AUDIENCE_WEIGHT
            + scoring.RELATED_WEIGHT
            + 0.4 * (scoring.TOPIC_WEIGHT + scoring.RELATED_WEIGHT)
        ),
        "nothing": 0.0,
    }
    recs = scoring.recommend(list(items.values()), profile, limit=20)
    assert [r.item.title for r in recs] == [
        "everything",
        "audience",
        "product tags",
        "topic and its tag",
    ]
    assert all(r.score >= scoring.THRESHOLD for r in recs)
    assert recs[0].reasons == [
        "zorg voor je partner",
        "je las over zorg",
        "je zoekt hulp bij juridische zaken",
    ]


def shop_cards(client) -> dict[str, str]:
    page = client.get("/winkel").get_data(as_text=True)
    return recommended_cards(page) if 'id="voor-jou-kop"' in page else {}


def why(card: str) -> str:
    return card.split("Omdat je aangaf: ", 1)[1].split(". ", 1)[0]


def test_topic_answers_reach_the_shop(client, caregiver, fill):
    """Products have no topics: a topic answer reaches them through their tags. (No answer
    about the relationship: the product is meant for some relationships only.)"""
    fill(1, {"personalisation": "y"})
    fill(2, {})
    fill(3, {})
    fill(4, {"onderwerpen": ["zorg"]})
    assert "/winkel/adviesgesprek-volmacht-levenstestament" not in shop_cards(client)
    fill(4, {"onderwerpen": ["juridisch"]})
    cards = shop_cards(client)
    assert why(cards["/winkel/adviesgesprek-volmacht-levenstestament"]) == (
        "je zoekt hulp bij juridische zaken"
    )
    # "Wonen" and "zorg" are no product tags: they count through the tags that belong to them.
    fill(1, {"woonsituatie": "zelfstandig", "personalisation": "y"})
    fill(4, {})
    without = list(shop_cards(client))
    fill(4, {"onderwerpen": ["wonen"]})
    cards = shop_cards(client)
    assert list(cards) != without
    for card in cards.values():
        assert why(card) == "je naaste woont zelfstandig, je zoekt hulp bij wonen"
    assert "/winkel/sleutelkluis-met-cijfercode" in cards


def test_reading_history_reaches_the_shop(client, caregiver, fill, session):
    fill(1, {"woonsituatie": "zelfstandig", "personalisation": "y"})
    without = list(shop_cards(client))
    session.add(ReadTopic(user_id=caregiver.id, topic="zorg", reads=5))
    session.commit()
    cards = shop_cards(client)
    assert list(cards) != without
    first = next(iter(cards.values()))
    assert why(first) == "je naaste woont zelfstandig, je las over zorg"


def test_the_shop_page_kept_for_visitors_neither_hides_nor_shares_recommendations(
    app, client, filled
):
    """/winkel is kept in the page cache for visitors who are not logged in; a caregiver's
    recommendations are still made for them alone."""
    visitor = app.test_client()
    first = visitor.get("/winkel").get_data(as_text=True)
    assert 'id="voor-jou-kop"' not in first and 'id="producten"' in first
    cards = shop_cards(client)
    assert cards and all(why(card) for card in cards.values())
    assert visitor.get("/winkel").get_data(as_text=True) == first
