"""Personal data in a question is found and masked before anything keeps it (issue 16, point 7)."""

import pytest

from app.assistant.masking import is_bsn, is_iban, mask


def test_a_valid_bsn_is_masked_and_an_invalid_nine_digit_number_is_not():
    assert is_bsn("111222333")
    assert not is_bsn("123456789")
    masked = mask("mijn bsn is 111222333, klopt dat?")
    assert masked.text == "mijn bsn is [BSN], klopt dat?"
    assert masked.found == ("bsn",)
    assert mask("het duurde 123456789 minuten").found == ()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("bel me op 06-12345678", "phone"),
        ("mijn nummer is 0612345678", "phone"),
        ("bel +31 6 12345678 maar", "phone"),
        ("of 030 123 4567 overdag", "phone"),
        ("mail naar jan.jansen@example.nl graag", "email"),
    ],
)
def test_phone_numbers_and_email_addresses_are_masked(text, kind):
    masked = mask(text)
    assert masked.found == (kind,)
    assert "[" in masked.text
    assert not any(ch.isdigit() for ch in masked.text.split("[")[1])


def test_an_iban_is_masked_once_and_not_also_reported_as_a_phone_number():
    assert is_iban("NL91 ABNA 0417 1643 00")
    masked = mask("maak het over op NL91 ABNA 0417 1643 00 alsjeblieft")
    assert masked.found == ("iban",)
    assert masked.text == "maak het over op [rekeningnummer] alsjeblieft"


def test_ordinary_questions_are_left_alone():
    for text in ("hoe vraag ik respijtzorg aan?", "ik zorg 20 uur per week", "wat kost 2026"):
        assert mask(text) == mask(text)
        assert mask(text).text == text
        assert mask(text).found == ()


@pytest.mark.parametrize(
    ("text", "masked_text"),
    [
        (
            "mijn moeder woont op de Kerkstraat 12a in Utrecht",
            "mijn moeder woont op de [adres] in Utrecht",
        ),
        ("adres: Europalaan 500, 3526 KS Utrecht", "adres: [adres], [adres] Utrecht"),
    ],
)
def test_a_street_address_and_postcode_are_masked(text, masked_text):
    masked = mask(text)
    assert masked.text == masked_text
    assert masked.found == ("address",)


def test_numbers_of_days_and_years_are_not_taken_for_an_address():
    for text in (
        "ik zorg al 3 jaar, sinds 2023",
        "we gaan de weg 2 keer per week",
        "ik ben 2 dagen weg",
    ):
        assert mask(text).found == (), text
