"""Products that reveal health (Lindenapotheke, C-21/23): marked in the catalogue and checked
by `flask content check`; their partner consent names the health inference (art. 9(2)(a) AVG);
their order lines are encrypted at rest, readable through the site, covered by key rotation;
after erasure the fiscal record says only "hulpmiddel" with its amounts and BTW rate. A normal
product is unaffected."""

import csv
import io

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import select

from app import crypto, db
from app.accounts.models import User
from app.consent.models import ConsentRecord
from app.privacy import erasure
from app.shop import journal, lines, service
from app.shop.models import Order
from tests.conftest import DEFAULT_PASSWORD, TEST_FERNET_KEY, build_app
from tests.shop.conftest import MEALS, add, checkout, pay
from tests.shop.test_content import PRODUCT, line_of, run_check, write_product

PADS = "pakket-incontinentiebroekjes"  # zachtjes-zorgwaren, 29,95 at 21 %
PADS_TITLE = "Pakket incontinentiebroekjes voor overdag, maat M"
MEALS_TITLE = "Tien verse maaltijden"  # soepterrine, 79,50 at 9 %
INFERENCE = "uit deze bestelling iets kan afleiden over de gezondheid"
BOTH = ("zachtjes-zorgwaren", "soepterrine")


def stored_lines(app) -> list[dict]:
    """The order lines exactly as the database holds them (nothing decrypted)."""
    with app.extensions["db_engine"].connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT product_slug, title, sealed, quantity, vat_rate, line_total_cents "
                "FROM shop_order_line ORDER BY id"
            )
        )
        return [dict(row._mapping) for row in rows]


def test_the_catalogue_reads_the_flag_and_marks_the_starter_products(app):
    with app.app_context():
        products = service.catalogue().products
    assert products[PADS].reveals_health is True
    assert products["lichtgewicht-rollator-met-zitje"].reveals_health is True
    assert products[MEALS].reveals_health is False
    assert products["tuinbeurt-dagdeel"].reveals_health is False


def test_content_check_refuses_a_flag_that_is_not_true_or_false(content_app, content_dir):
    text = write_product(content_dir, reveals_health="ja")
    code, output = run_check(content_app)
    assert code != 0
    where = f"{PRODUCT}:{line_of(text, 'reveals_health')}"
    assert where in output
    assert "'reveals_health' moet true (ja) of false (nee) zijn" in output
    write_product(content_dir, reveals_health=True)
    code, output = run_check(content_app)
    assert code == 0, output


def test_the_consent_names_the_health_inference_only_for_such_an_order(client, buyer):
    add(client, MEALS)
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    assert "Soepterrine" in page
    assert INFERENCE not in page
    assert "uitdrukkelijke toestemming" not in page

    add(client, PADS)
    page = client.get("/winkel/afrekenen").get_data(as_text=True)
    assert page.count(INFERENCE) == 1  # in the box of the partner of the pads, not the meals
    assert (
        "Zachtjes Zorgwaren krijgt deze gegevens alleen met deze uitdrukkelijke toestemming" in page
    )


def test_the_consent_given_for_such_an_order_is_recorded_as_the_explicit_one(
    client, buyer, session
):
    add(client, PADS)
    add(client, MEALS)
    assert checkout(client, partners=BOTH).status_code == 303
    versions = {
        r.scope: r.policy_version
        for r in session.exec(select(ConsentRecord).where(ConsentRecord.user_id == buyer.id))
    }
    assert versions == {
        "partner:zachtjes-zorgwaren": service.HEALTH_CONSENT_VERSION,
        "partner:soepterrine": service.CONSENT_VERSION,
    }


def test_the_stored_line_is_unreadable_but_the_site_shows_it(app, client, buyer, session):
    add(client, PADS)
    add(client, MEALS)
    assert checkout(client, partners=BOTH).status_code == 303
    number = session.exec(select(Order)).one().number
    pads, meals = sorted(stored_lines(app), key=lambda row: row["vat_rate"], reverse=True)
    # As stored: no title, no product, only "hulpmiddel" and a token no one reads.
    assert (pads["title"], pads["product_slug"]) == ("hulpmiddel", None)
    assert "incontinentie" not in str(pads).lower()
    assert pads["sealed"].startswith("gAAAA")  # a Fernet token
    assert (pads["quantity"], pads["vat_rate"], pads["line_total_cents"]) == (1, 21, 2995)
    # A normal product is stored as before.
    assert (meals["title"], meals["product_slug"], meals["sealed"]) == (MEALS_TITLE, MEALS, None)
    # Through the site the caregiver reads what they ordered.
    page = client.get(f"/winkel/bestelling/{number}").get_data(as_text=True)
    assert PADS_TITLE in page and MEALS_TITLE in page
    assert "hulpmiddel" not in page


def test_key_rotation_covers_the_sealed_lines(app, client, buyer, session, tmp_path, database_url):
    add(client, PADS)
    assert checkout(client, partners=BOTH[:1]).status_code == 303
    number = session.exec(select(Order)).one().number
    with app.app_context():
        assert ("shop_order_line", "sealed") in {
            (c.table, c.column) for c in crypto.encrypted_columns()
        }
    before = stored_lines(app)[0]["sealed"]
    newer = Fernet.generate_key().decode()
    rotating = build_app(tmp_path, database_url, ENCRYPTION_KEYS=f"{newer},{TEST_FERNET_KEY}")
    result = rotating.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    # Sealed with the order's data key, the value stays as it is; the data key is wrapped
    # with the new key, so the old one can go.
    assert stored_lines(app)[0]["sealed"] == before
    assert "1 sleutel(s) in de sleutelopslag opnieuw ingepakt" in result.output
    only_new = build_app(tmp_path, database_url, ENCRYPTION_KEYS=newer)
    with only_new.app_context():
        order = db.session().exec(select(Order).where(Order.number == number)).one()
        assert [line.title for line in service.order_lines(db.session(), order)] == [PADS_TITLE]
    for other in (rotating, only_new):
        other.extensions["db_engine"].dispose()


def journal_row(app, number: str) -> list[str]:
    with app.app_context():
        session = db.session()
        text = journal.csv_text(journal.entries(session, journal.this_year()))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    header = rows[0]
    found = [row for row in rows[1:] if row[header.index("bestelnummer")] == number]
    assert len(found) == 1
    return found[0]


def test_after_erasure_the_fiscal_record_says_hulpmiddel_with_the_right_btw(
    app, client, buyer, session
):
    add(client, PADS, 2)
    add(client, MEALS)
    location = checkout(client, partners=BOTH).headers["Location"]
    pay(location, "paid")
    order = session.exec(select(Order)).one()
    session.refresh(order)
    assert order.invoice_number
    before = journal_row(app, str(order.number))
    # The journal never names the product, not even before the erasure.
    assert PADS_TITLE not in ";".join(before)
    assert before[-1] == "1× Tien verse maaltijden (9% btw); 2× hulpmiddel (21% btw)"

    with app.app_context():
        s = db.session()
        erasure.erase_account(s, s.get_one(User, buyer.id))
        s.commit()

    pads, meals = sorted(stored_lines(app), key=lambda row: row["vat_rate"], reverse=True)
    assert (pads["title"], pads["product_slug"], pads["sealed"]) == ("hulpmiddel", None, None)
    assert (pads["quantity"], pads["vat_rate"], pads["line_total_cents"]) == (2, 21, 5990)
    assert meals["title"] == MEALS_TITLE
    after = journal_row(app, str(order.number))
    assert after == before
    header = journal.HEADER
    # 59,90 at 21 %: 49,50 net and 10,40 BTW; 79,50 at 9 %: 72,94 net and 6,56 BTW.
    assert after[header.index("bruto 21%")] == "59,90"
    assert after[header.index("btw 21%")] == "10,40"
    assert after[header.index("btw 9%")] == "6,56"
    assert after[header.index("totaal bruto")] == "139,40"


def test_the_download_and_access_page_read_the_sealed_line(app, client, buyer):
    add(client, PADS)
    checkout(client, partners=BOTH[:1])
    page = client.get("/privacy/inzage").get_data(as_text=True)
    assert PADS_TITLE in page
    assert "gAAAA" not in page


def test_the_product_page_says_that_such_a_product_reveals_health(client):
    assert "Dit product zegt iets over gezondheid" in client.get(f"/winkel/{PADS}").get_data(
        as_text=True
    )
    assert "Dit product zegt iets over gezondheid" not in client.get(f"/winkel/{MEALS}").get_data(
        as_text=True
    )


def test_erasure_destroys_the_orders_key_so_no_copy_names_the_product(app, client, buyer, session):
    """The health-revealing line is sealed with a data key of its order, kept apart from the
    database: after the erasure, the value a backup of the database still holds cannot be read."""
    add(client, PADS)
    assert checkout(client, partners=BOTH[:1]).status_code == 303
    order = session.exec(select(Order)).one()
    copy = stored_lines(app)[0]["sealed"]  # what a backup taken now holds
    with app.app_context():
        assert lines.unsealed(copy, order.id)["title"] == PADS_TITLE
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(copy)  # ENCRYPTION_KEYS alone do not open it
    erased = client.submit("/privacy/verwijderen", {"password": DEFAULT_PASSWORD, "confirm": "y"})
    assert erased.status_code == 303
    assert stored_lines(app)[0]["sealed"] is None
    with app.app_context(), pytest.raises(crypto.KeyDestroyed):
        lines.unsealed(copy, order.id)


def test_an_order_whose_key_is_missing_still_shows_with_the_generic_title(
    app, client, buyer, session, tmp_path, database_url
):
    """A process whose key store lacks the order's key (a misconfigured KEY_STORE_URL) shows
    the order with 'hulpmiddel' instead of failing."""
    add(client, PADS)
    assert checkout(client, partners=BOTH[:1]).status_code == 303
    number = session.exec(select(Order)).one().number
    elsewhere = build_app(tmp_path / "elders", database_url)
    with elsewhere.app_context():
        order = db.session().exec(select(Order).where(Order.number == number)).one()
        [line] = service.order_lines(db.session(), order)
        assert line.title == "hulpmiddel"
    elsewhere.extensions["db_engine"].dispose()
