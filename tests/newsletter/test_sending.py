"""`flask newsletter send`: to whom, each at most once, resumable, throttled, retried, and
what every mail carries (one-click unsubscribe, a pixel only where allowed)."""

from __future__ import annotations

import re
import time
from datetime import date
from urllib.parse import urlsplit

from sqlmodel import select

from app import db
from app.newsletter import sending, service
from app.newsletter.models import Delivery, DeliveryStatus, Edition, OpenToken, Subscriber

from .conftest import WINTER


def newsletters(outbox) -> list:
    return [m for m in outbox.messages() if "newsletter" in m["Subject"] or m["List-Unsubscribe"]]


def send(app, edition, **kwargs) -> sending.SendReport:
    with app.app_context():
        return sending.send(db.session(), edition, rate=0, **kwargs)


def pixel_path(message) -> str:
    found = re.search(r'<img src="([^"]+)"', html_of(message))
    assert found, "no pixel"
    return urlsplit(found.group(1)).path


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def test_each_mail_has_its_own_one_click_unsubscribe(
    app, client, session, outbox, make_subscriber, edition
):
    reader = make_subscriber("een@example.nl", topics=("zorg",))
    make_subscriber("twee@example.nl", topics=("financien",))
    make_subscriber("ander@example.nl", topics=("wonen",))  # not this edition's topics
    report = send(app, edition())
    assert (report.sent, report.skipped, report.failed) == (2, 1, 0)

    mails = {m["To"]: m for m in outbox.messages() if m["List-Unsubscribe"]}
    assert set(mails) == {"een@example.nl", "twee@example.nl"}
    links = set()
    for message in mails.values():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = re.fullmatch(
            r"<(http://localhost/nieuwsbrief/afmelden/[^>]+)>", message["List-Unsubscribe"]
        )
        assert link, message["List-Unsubscribe"]
        assert link.group(1) in outbox.text(message) and link.group(1) in html_of(message)
        links.add(link.group(1))
    assert len(links) == 2  # personal

    # One click, as a mail program does it: a POST to the header's address.
    header = re.search(r"<([^>]+)>", mails["een@example.nl"]["List-Unsubscribe"])
    assert header
    path = urlsplit(header.group(1)).path
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert session.get(Subscriber, reader.id).status == "afgemeld"


def test_a_second_run_sends_nobody_anything_again(app, outbox, make_subscriber, edition):
    for _ in range(3):
        make_subscriber()
    assert send(app, edition()).sent == 3
    report = send(app, edition())
    assert report.sent == 0 and report.totals == {"verstuurd": 3}
    assert len([m for m in outbox.messages() if m["List-Unsubscribe"]]) == 3


def test_someone_who_unsubscribes_during_a_send_gets_nothing(
    app, session, outbox, make_subscriber, edition
):
    first, second = make_subscriber(), make_subscriber()
    assert send(app, edition(), limit=1).sent == 1
    with app.app_context():
        s = db.session()
        row = s.get(Subscriber, second.id)
        assert row
        service.unsubscribe(s, row)
        s.commit()
    report = send(app, edition())
    assert report.sent == 0 and report.skipped == 1
    assert [m["To"] for m in outbox.messages() if m["List-Unsubscribe"]] == [first.email]


def test_dry_run_counts_and_changes_nothing(app, session, outbox, make_subscriber, edition):
    make_subscriber(), make_subscriber(topics=("wonen",))
    report = send(app, edition(), dry_run=True)
    assert report.would_send == 1 and "Proefrun" in report.text()
    assert session.exec(select(Delivery)).all() == [] and session.get(Edition, WINTER) is None
    assert [m for m in outbox.messages() if m["List-Unsubscribe"]] == []


def test_the_cli_sends_and_reports(app, runner, make_subscriber):
    make_subscriber()
    dry = runner.invoke(args=["newsletter", "send", WINTER, "--dry-run"])
    assert dry.exit_code == 0 and "1 ontvanger(s)" in dry.output
    result = runner.invoke(args=["newsletter", "send", WINTER, "--rate", "0"])
    assert result.exit_code == 0 and "deze keer 1 verstuurd" in result.output
    unknown = runner.invoke(args=["newsletter", "send", "bestaat-niet"])
    assert unknown.exit_code != 0 and "Geen bruikbare nieuwsbrief" in unknown.output


def test_sending_keeps_to_the_rate(app, make_subscriber, edition):
    for _ in range(6):
        make_subscriber()
    started = time.monotonic()
    with app.app_context():
        report = sending.send(db.session(), edition(), rate=10)
    assert report.sent == 6
    assert time.monotonic() - started >= 0.45  # 6 mails at 10 a second: 5 waits of 0.1 s


def test_a_refusing_mail_server_is_retried_then_reported(app, session, make_subscriber, edition):
    make_subscriber(), make_subscriber()
    app.config.update(
        SMTP_URL="smtp://127.0.0.1:9", NEWSLETTER_RETRY_PAUSE=0, NEWSLETTER_ATTEMPTS=3
    )
    report = send(app, edition())
    assert report.sent == 0 and report.failed == 2 and report.retried == 4
    rows = session.exec(select(Delivery)).all()
    assert {(r.status, r.attempts) for r in rows} == {(DeliveryStatus.FAILED, 3)}
    assert "mislukt 2" in report.text()
    app.config.update(SMTP_URL="")
    assert send(app, edition()).sent == 0  # failed stays failed: reported, not sent twice


def test_opens_are_counted_per_edition_and_once_per_mail(
    app, client, session, outbox, make_subscriber, edition
):
    for _ in range(3):
        make_subscriber()
    send(app, edition())
    pixels = [pixel_path(m) for m in outbox.messages() if m["List-Unsubscribe"]]
    assert len(pixels) == 3 and len(set(pixels)) == 3
    for path in (pixels[0], pixels[0], pixels[1]):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/gif"
        assert "Set-Cookie" not in response.headers
    assert client.get("/nieuwsbrief/o/verzonnen").status_code == 200  # counts nothing
    with app.app_context():
        [rate] = service.open_rates(db.session())
    assert (rate.slug, rate.subject, rate.sent, rate.opens) == (WINTER, edition().subject, 3, 2)
    # Nothing links an open to a person: only a hash of a random number, an edition, a time.
    assert set(OpenToken.__table__.columns.keys()) == {"token_hash", "edition_slug", "seen_at"}  # type: ignore[attr-defined]
    tokens = " ".join(t.token_hash for t in session.exec(select(OpenToken)).all())
    for row in session.exec(select(Subscriber)).all():
        assert str(row.id) not in tokens.split() and row.email not in tokens


def test_open_tokens_are_deleted_after_30_days(
    app, session, make_subscriber, edition, client, outbox
):
    from datetime import timedelta

    from app.newsletter.privacy import NewsletterData

    make_subscriber()
    send(app, edition())
    [mail] = [m for m in outbox.messages() if m["List-Unsubscribe"]]
    client.get(pixel_path(mail))
    with app.app_context():
        s = db.session()
        later = session.exec(select(OpenToken)).one().seen_at + timedelta(days=31)
        lines = NewsletterData().retention(s, now=later, dry_run=False)
        assert any(line.count == 1 and "30 dagen" in line.what for line in lines)
    assert session.exec(select(OpenToken)).all() == []
    assert session.get(Edition, WINTER).opens == 1  # the count stays


def test_editors_preview_send_a_test_and_see_open_rates(
    app, client, login_as, outbox, make_subscriber, edition
):
    from app.accounts.models import Role

    make_subscriber()
    send(app, edition())
    editor = login_as(Role.EDITOR)
    index = client.get("/redactie/nieuwsbrieven").get_data(as_text=True)
    assert edition().subject in index and "0%" in index
    page = client.get(f"/redactie/nieuwsbrieven/{WINTER}")
    assert page.status_code == 200 and "Respijtzorg rond de feestdagen" in page.get_data(
        as_text=True
    )
    response = client.submit(
        f"/redactie/nieuwsbrieven/{WINTER}/test", page=f"/redactie/nieuwsbrieven/{WINTER}"
    )
    assert response.status_code == 303
    test_mail = outbox.messages()[-1]
    assert test_mail["To"] == editor.email and test_mail["Subject"].strip().startswith("[TEST]")
    assert "<img" not in html_of(test_mail)
    assert client.get("/redactie/nieuwsbrieven/bestaat-niet").status_code == 404


def test_caregivers_cannot_see_the_editors_pages(client, login_as):
    login_as()
    assert client.get("/redactie/nieuwsbrieven").status_code in (403, 404)


def test_the_figures_get_opened_and_unopened_mails_per_month_of_sending(
    app, client, outbox, make_subscriber, edition
):
    from app.core.formatting import AMSTERDAM
    from app.newsletter import statistics

    for _ in range(4):
        make_subscriber()
    send(app, edition())
    for path in [pixel_path(m) for m in outbox.messages() if m["List-Unsubscribe"]][:3]:
        client.get(path)
    with app.app_context():
        session = db.session()
        [series] = statistics.series(session, date.today())
        started = session.get_one(Edition, WINTER).started_at
    month = started.astimezone(AMSTERDAM).strftime("%Y-%m")
    assert series.unit == "e-mails"
    assert dict(series.cells) == {(month, "geopend"): 3, (month, "niet-geopend"): 1}
    with app.app_context():  # the dashboard's nightly job asks the newsletter too
        from app.core.statistics import series_providers

        assert statistics.series in series_providers(app)
