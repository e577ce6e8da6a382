"""W1: `flask content check` reports each kind of mistake in a product file, and `flask shop
sync` withdraws a product that left the content without deleting it."""

import re
import shutil

import pytest
import yaml
from sqlmodel import Session, select

from app.shop.models import ProductRow
from tests.conftest import PROJECT_ROOT

GOOD = {
    "title": "Proefproduct",
    "summary": "Een product om de controle mee te testen.",
    "partner": "wakkerwijk-alarmering",
    "kind": "product",
    "category": "veiligheid",
    "price_cents": 1995,
    "vat_rate": 21,
    "shipping": True,
    "tags": ["alarmknop"],
    "audience": ["senior"],
    "image": "personenalarm.svg",
    "image_alt": "Een polsband met een ronde alarmknop",
}
PRODUCT = "winkel/producten/proefproduct.md"


def write_product(content_dir, **changes):
    fields = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True, sort_keys=False) + "---\n\nTekst.\n"
    (content_dir / PRODUCT).write_text(text, encoding="utf-8")
    return text


def line_of(text, key):
    return next(
        n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(f"{key}:")
    )


def run_check(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    return result.exit_code, result.output


def test_a_good_product_passes(content_app, content_dir):
    write_product(content_dir)
    code, output = run_check(content_app)
    assert code == 0, output


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"vat_rate": 19}, "vat_rate", "het btw-tarief moet 21, 9 of 0 zijn, niet 19"),
        ({"partner": "onbekend-bedrijf"}, "partner", "onbekende partner 'onbekend-bedrijf'"),
        ({"category": "tuinieren"}, "category", "onbekende categorie 'tuinieren'"),
        (
            {"audience": ["senior", "dementie"]},
            "audience",
            "'dementie' is een gezondheidstag: die gebruiken we nooit in de winkel",
        ),
        ({"image_alt": None}, "image_alt", "bij 'image' hoort een beschrijving in 'image_alt'"),
        ({"image_alt": "  "}, "image_alt", "bij 'image' hoort een beschrijving in 'image_alt'"),
    ],
    ids=["btw", "partner", "categorie", "gezondheidstag", "zonder-alt", "lege-alt"],
)
def test_each_mistake_is_reported_with_file_and_line(
    content_app, content_dir, changes, key, message
):
    text = write_product(content_dir, **changes)
    code, output = run_check(content_app)
    assert code == 1
    # A key that is missing altogether has no line of its own: the check says line 1.
    line = line_of(text, key) if f"\n{key}:" in text else 1
    assert f"{PRODUCT}:{line}: {message}" in output
    assert output.count(PRODUCT) == 1  # exactly this one problem


def test_sync_withdraws_a_product_that_left_the_content_and_can_run_twice(content_app, content_dir):
    runner = content_app.test_cli_runner()
    first = runner.invoke(args=["shop", "sync"])
    assert first.exit_code == 0, first.output
    assert "0 uit het aanbod" in first.output
    engine = content_app.extensions["db_engine"]
    with Session(engine) as session:
        total = len(session.exec(select(ProductRow)).all())
        meals = session.get(ProductRow, "tien-verse-maaltijden")
        assert meals is not None and meals.active

    (content_dir / "winkel/producten/tien-verse-maaltijden.md").unlink()
    second = runner.invoke(args=["shop", "sync"])
    assert second.exit_code == 0, second.output
    assert f"{total - 1} producten, 1 uit het aanbod" in second.output
    third = runner.invoke(args=["shop", "sync"])
    assert third.exit_code == 0, third.output
    assert f"{total - 1} producten, 0 uit het aanbod" in third.output
    with Session(engine) as session:
        gone = session.get(ProductRow, "tien-verse-maaltijden")
        assert gone is not None and gone.active is False  # kept for the orders that name it
        assert len(session.exec(select(ProductRow)).all()) == total
        alarm = session.get(ProductRow, "personenalarm-met-valdetectie")
        assert alarm is not None and alarm.active
    client = content_app.test_client()
    assert client.get("/winkel/tien-verse-maaltijden").status_code == 404


def test_the_catalogue_is_synced_when_the_app_starts(tmp_path, database_url):
    from tests.conftest import build_app

    app = build_app(tmp_path, database_url, SHOP_SYNC_ON_START=True)
    with Session(app.extensions["db_engine"]) as session:
        active = session.exec(select(ProductRow).where(ProductRow.active)).all()
    with app.app_context():
        from app.shop import service

        products = service.catalogue().products.values()
        assert {row.slug for row in active} == {p.slug for p in products if p.active}
    app.extensions["db_engine"].dispose()


def test_an_app_starts_before_its_tables_exist(tmp_path):
    from tests.conftest import build_app

    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'leeg.db'}", SHOP_SYNC_ON_START=True)
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["db_engine"].dispose()


def test_a_product_image_is_shown_with_its_alt_text(content_app, content_dir):
    write_product(content_dir)
    html = content_app.test_client().get("/winkel/proefproduct").get_data(as_text=True)
    assert re.search(
        r'<img class="zg-buy__image" src="/winkel/afbeeldingen/personenalarm\.[0-9a-f]{12}\.svg" '
        r'alt="Een polsband met een ronde alarmknop" width="160" height="120">',
        html,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "vat_number ontbreekt: een factuur moet het btw-nummer noemen"),
        ("NL12345678B01", "vat_number 'NL12345678B01' is geen btw-nummer"),
        ("123456789B01", "vat_number '123456789B01' is geen btw-nummer"),
    ],
    ids=["leeg", "te-kort", "zonder-NL"],
)
def test_the_invoices_need_a_vat_number_in_site_toml(content_app, content_dir, value, message):
    site = content_dir / "site.toml"
    text = site.read_text(encoding="utf-8")
    assert 'vat_number = "NL000000000B01"' in text
    site.write_text(text.replace('"NL000000000B01"', f'"{value}"'), encoding="utf-8")
    code, output = run_check(content_app)
    assert code == 1
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("vat_number"))
    assert f"site.toml:{line}: {message}" in output


def test_a_start_syncs_the_catalogue_only_when_its_files_changed(tmp_path, database_url):
    """Workers after the first start without reading the catalogue; a changed product file
    is synced by the next start."""
    from tests.conftest import build_app

    content_dir = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content_dir)

    def start():
        app = build_app(
            tmp_path, database_url, CONTENT_DIR=str(content_dir), SHOP_SYNC_ON_START=True
        )
        app.extensions["db_engine"].dispose()
        return app

    def meals_active(app):
        with Session(app.extensions["db_engine"]) as session:
            row = session.get(ProductRow, "tien-verse-maaltijden")
            active = row is not None and row.active
        app.extensions["db_engine"].dispose()  # no connection left open for the next test
        return active

    app = start()
    assert meals_active(app)
    with Session(app.extensions["db_engine"]) as session:
        # Changed behind the catalogue's back: an unchanged catalogue is not synced again.
        row = session.get(ProductRow, "tien-verse-maaltijden")
        assert row is not None
        row.active = False
        session.add(row)
        session.commit()
    app.extensions["db_engine"].dispose()
    app = start()
    assert not meals_active(app)
    assert not app.extensions["content"]._values.keys() - {"site"}  # nothing but site.toml read

    product = content_dir / "winkel/producten/tien-verse-maaltijden.md"
    product.write_text(product.read_text(encoding="utf-8") + "\nNog een zin.\n", encoding="utf-8")
    assert meals_active(start())
