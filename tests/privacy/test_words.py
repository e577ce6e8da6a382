"""The access page speaks Dutch: roles, statuses and what went to a partner in words, never the
stored values ("caregiver", "paid", {"name": ...})."""

import html
import re


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_access_page_shows_words_not_stored_values(client, ordered):
    text = visible_text(client.get("/privacy/inzage").get_data(as_text=True))
    for stored in ("caregiver", "paid", "pending", '"name"', '"address"', "name,address"):
        assert stored not in text, stored
    assert "mantelzorger" in text and "betaald" in text
    assert "naam: " in text
