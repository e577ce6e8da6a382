"""P15: opens are counted per edition only; no pixel in transactional or Hulplijn mail, nor for
anyone who objected or whose processing is restricted; the objection is one click."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import select

from app import db
from app.accounts.models import User
from app.config import PACKAGE_DIR
from app.db import table_of
from app.newsletter import sending, service
from app.newsletter.models import Delivery, Subscriber

from .conftest import BALANCE, WINTER

TEMPLATES = Path(PACKAGE_DIR) / "templates"
# What a pixel would look like in a template: the newsletter's own, or any tiny or remote image.
PIXEL = re.compile(r"pixel|nieuwsbrief/o/|<img|width=\"?1\b|height=\"?1\b|url\(", re.I)
NEWSLETTER = {"email/newsletter.html", "email/newsletter.txt"}


def test_no_mail_template_but_the_newsletter_has_a_pixel():
    templates = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())
    mail = [p for p in templates if p.relative_to(TEMPLATES).parts[0] == "email"]
    assert len(mail) > 30
    for path in mail:
        name = path.relative_to(TEMPLATES).as_posix()
        if name in NEWSLETTER:
            continue
        found = PIXEL.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{name}: {found.group(0) if found else ''}"
    # Only the newsletter's mail template and no page template names the pixel.
    for path in templates:
        name = path.relative_to(TEMPLATES).as_posix()
        if name not in NEWSLETTER:
            assert "newsletter.pixel" not in path.read_text(encoding="utf-8"), name


def _account_subscriber(app, user: User, topics=("zorg", "balans")) -> Subscriber:
    with app.app_context():
        session = db.session()
        row = Subscriber(email=user.email, user_id=user.id, consent_id=service.new_id())
        session.add(row)
        session.flush()
        service.confirm(session, row, list(topics))
        session.commit()
        session.refresh(row)
        session.expunge(row)
        return row


def _pixels(outbox, edition_subject: str) -> dict[str, bool]:
    return {
        m["To"]: "/nieuwsbrief/o/" in m.get_body(preferencelist=("html",)).get_content()
        for m in outbox.messages()
        if m["List-Unsubscribe"] and edition_subject in str(m["Subject"])
    }


def test_p15_open_tracking_counts_per_campaign_only_never_in_care_mail_with_one_click_objection(
    app, client, auth, make_user, session, outbox, make_subscriber, edition
):
    objector = make_user(email="bezwaar@example.nl")
    restricted = make_user(email="beperkt@example.nl")
    _account_subscriber(app, objector)
    _account_subscriber(app, restricted)
    by_address = make_subscriber("adres@example.nl", topics=("zorg", "balans"))
    plain = make_subscriber("gewoon@example.nl", topics=("zorg", "balans"))

    with app.app_context():
        sending.send(db.session(), edition(WINTER), rate=0)
    assert _pixels(outbox, "Winternieuws") == {
        "bezwaar@example.nl": True,
        "beperkt@example.nl": True,
        "adres@example.nl": True,
        "gewoon@example.nl": True,
    }

    # One click each: the account's objection in the privacy centre, the address-only
    # subscriber's in the preferences behind the link in every newsletter.
    auth.login(objector.email)
    client.submit("/privacy/bezwaar/open_tracking", {"aan": "1"}, page="/privacy")
    auth.logout()
    with app.app_context():
        token = service.personal_token(by_address)
    client.submit(
        f"/nieuwsbrief/voorkeuren/{token}", {"topics": ["zorg", "balans"], "no_open_count": "y"}
    )
    account = session.get(User, restricted.id)
    account.restricted = True
    session.add(account)
    session.commit()

    with app.app_context():
        sending.send(db.session(), edition(BALANCE), rate=0)
    assert _pixels(outbox, "Nieuw jaar") == {
        "bezwaar@example.nl": False,
        "adres@example.nl": False,
        "gewoon@example.nl": True,
    }  # restricted: no newsletter at all
    assert session.get(Subscriber, plain.id) is not None

    # Per campaign only: the send log says who got an edition, never who opened it.
    assert not {c for c in table_of(Delivery).columns.keys() if "open" in c}  # noqa: SIM118
    with app.app_context():
        assert {r.slug for r in service.open_rates(db.session())} == {WINTER, BALANCE}

    # Care mail: a question to the Hulplijn from a newsletter subscriber carries no pixel.
    client.submit(
        "/hulplijn",
        {
            "kind": "vraag",
            "name": "Gewone Lezer",
            "email": "gewoon@example.nl",
            "moment": "maakt-niet-uit",
        },
    )
    care = [
        m for m in outbox.messages() if m["To"] == "gewoon@example.nl" and not m["List-Unsubscribe"]
    ]
    assert care, "the Hulplijn sent no confirmation"
    for message in care:
        for part in message.walk():
            if part.get_content_type() in ("text/html", "text/plain"):
                assert not PIXEL.search(part.get_content())
    assert session.exec(select(Delivery)).all()
