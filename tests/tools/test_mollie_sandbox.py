"""The Mollie sandbox, driven over HTTP by the real mollie-api-python client, as the shop will.

A webhook receiver stands in for the shop: like a real handler it fetches the payment from
the sandbox while the sandbox is still waiting for its answer, so these tests also prove that
the sandbox serves requests in parallel and changes the state before it calls out.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from flask import Flask, request
from mollie.api.client import Client
from mollie.api.error import (
    BadRequestError,
    NotFoundError,
    ResponseError,
    ResponseHandlingError,
    UnauthorizedError,
    UnprocessableEntityError,
)
from werkzeug.serving import WSGIRequestHandler, make_server

from tools.mollie_sandbox.model import ApiError
from tools.mollie_sandbox.server import SandboxServer, create_sandbox_app, post_webhook, sandbox_cli
from tools.mollie_sandbox.state import CachedResponse, SandboxState

API_KEY = "test_sandbox00000000000000000000000"
SHOP = "http://shop.test"
FINAL_STATES = ["paid", "canceled", "expired", "failed"]
ALL_STATES = ["open", "pending", "authorized", *FINAL_STATES]


def close_client(mollie: Client) -> None:
    # The client opens a requests.Session on first use and never closes it; left to the
    # garbage collector its sockets would raise ResourceWarning (an error in this suite).
    session = getattr(mollie, "_client", None)
    if session is not None:
        session.close()


def new_client(url: str, key: str = API_KEY) -> Client:
    mollie = Client(api_endpoint=url)
    mollie.set_api_key(key)
    return mollie


def fake(sandbox: SandboxServer, path: str, payload: dict | None = None) -> tuple[int, Any]:
    """POST to the sandbox's /_fake/ controls; the status and the JSON answer (if any)."""
    with requests.post(f"{sandbox.url}/_fake/{path}", json=payload, timeout=5) as response:
        return response.status_code, response.json() if response.content else None


def webhook_log(sandbox: SandboxServer) -> list[dict[str, Any]]:
    with requests.get(f"{sandbox.url}/_fake/webhook-log", timeout=5) as response:
        return response.json()["deliveries"]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class WebhookReceiver:
    """A stand-in for the shop's webhook route, on a real port."""

    def __init__(self, sandbox_url: str) -> None:
        self.calls: list[dict[str, Any]] = []
        self.answer = 200
        receiver = Flask("webhook_receiver")

        @receiver.post("/webhook")
        def webhook() -> tuple[str, int]:
            mollie = new_client(sandbox_url)
            try:
                payment = mollie.payments.get(request.form["id"])
            finally:
                close_client(mollie)
            self.calls.append(
                {
                    "form": request.form.to_dict(),
                    "user_agent": request.headers.get("User-Agent"),
                    "content_type": request.mimetype,
                    "status_seen": payment.status,
                }
            )
            return "", self.answer

        self._server = make_server("127.0.0.1", 0, receiver, threaded=True, request_handler=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}/webhook"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def mollie(sandbox: SandboxServer) -> Iterator[Client]:
    client = new_client(sandbox.url)
    yield client
    close_client(client)


@pytest.fixture
def receiver(sandbox: SandboxServer) -> Iterator[WebhookReceiver]:
    shop = WebhookReceiver(sandbox.url)
    yield shop
    shop.stop()


def create_payment(mollie: Client, **fields: Any):
    data = {
        "amount": {"currency": "EUR", "value": "12.34"},
        "description": "Bestelling 42",
        "redirectUrl": f"{SHOP}/winkel/bestelling/42",
        "metadata": {"order_id": 42},
    }
    data.update(fields)
    return mollie.payments.create(data)


@pytest.fixture
def make_payment(mollie: Client):
    return lambda **fields: create_payment(mollie, **fields)


# Creating and reading payments ---------------------------------------------------------------


def test_create_answers_201_with_an_open_payment_and_a_checkout_link(sandbox, mollie):
    body: dict[str, Any] = {
        "amount": {"currency": "EUR", "value": "12.34"},
        "description": "Bestelling 42",
        "redirectUrl": f"{SHOP}/winkel/bestelling/42",
    }
    with requests.post(
        f"{sandbox.url}/v2/payments",
        json=body,
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    ) as response:
        assert response.status_code == 201
        assert response.headers["Content-Type"] == "application/hal+json"

    payment = mollie.payments.create({**body, "webhookUrl": f"{SHOP}/webhook", "locale": "nl_NL"})
    assert re.fullmatch(r"tr_[A-Za-z0-9]{10}", payment.id)
    assert payment.is_open() and payment.mode == "test" and payment.is_cancelable is True
    assert payment.checkout_url == f"{sandbox.url}/checkout/{payment.id}"
    assert payment.amount == {"currency": "EUR", "value": "12.34"}
    assert payment.method is None and payment.is_paid() is False
    assert payment.webhook_url == f"{SHOP}/webhook" and payment.locale == "nl_NL"
    created = datetime.fromisoformat(payment.created_at)
    assert payment.created_at.endswith("+00:00")
    assert datetime.fromisoformat(payment.expires_at) - created == timedelta(minutes=15)
    assert payment.can_be_refunded() is False


def test_get_returns_what_was_created(mollie, make_payment):
    created = make_payment(cancelUrl=f"{SHOP}/winkel/mandje")
    payment = mollie.payments.get(created.id)
    assert payment.id == created.id
    assert payment.description == "Bestelling 42"
    assert payment.metadata == {"order_id": 42}
    assert payment.cancel_url == f"{SHOP}/winkel/mandje"
    assert payment.profile_id == "pfl_sandbox" and payment.sequence_type == "oneoff"
    assert payment["_links"]["self"]["href"] == f"{mollie.api_endpoint}/v2/payments/{created.id}"


def test_update_changes_what_a_merchant_may_change(mollie, make_payment):
    payment = make_payment()
    updated = mollie.payments.update(payment.id, {"description": "Nieuw", "metadata": {"a": 1}})
    assert (updated.description, updated.metadata) == ("Nieuw", {"a": 1})
    assert mollie.payments.get(payment.id).description == "Nieuw"


def test_same_idempotency_key_replays_the_first_answer(mollie, caplog):
    data = {
        "amount": {"currency": "EUR", "value": "12.34"},
        "description": "Bestelling 42",
        "redirectUrl": f"{SHOP}/winkel/bestelling/42",
    }
    first = mollie.payments.create(data, idempotency_key="order-42-pay-1")
    with caplog.at_level(logging.WARNING):
        again = mollie.payments.create(data, idempotency_key="order-42-pay-1")
    assert again.id == first.id
    assert "Idempotent-Replayed" in caplog.text  # the client noticed the header
    assert len(mollie.payments.list()) == 1

    with pytest.raises(BadRequestError):
        mollie.payments.create(
            {**data, "description": "Iets anders"}, idempotency_key="order-42-pay-1"
        )


def test_idempotency_keys_are_busy_while_running_and_forgotten_after_an_hour():
    now = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    state = SandboxState(lambda: now[0])
    assert state.claim_idempotency_key("key", "request A") is None
    with pytest.raises(ApiError) as busy:
        state.claim_idempotency_key("key", "request A")
    assert busy.value.status == 409
    state.settle_idempotency_key("key", CachedResponse(201, b"{}", "application/hal+json"))
    cached = state.claim_idempotency_key("key", "request A")
    assert cached is not None and cached.status == 201
    with pytest.raises(ApiError) as other:
        state.claim_idempotency_key("key", "request B")
    assert other.value.status == 400
    now[0] += timedelta(minutes=61)
    assert state.claim_idempotency_key("key", "request B") is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": {"currency": "EUR", "value": "10.1"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "10"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": 10.0}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "10,00"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "0.00"}}, "amount.value"),
        ({"amount": {"currency": "EUR", "value": "-1.00"}}, "amount.value"),
        ({"amount": {"currency": "JPY", "value": "100.00"}}, "amount.value"),
        ({"amount": {"currency": "eur", "value": "10.00"}}, "amount.currency"),
        ({"amount": None}, "amount"),
        ({"description": None}, "description"),
        ({"description": "  "}, "description"),
        ({"redirectUrl": None}, "redirectUrl"),
        ({"redirectUrl": "javascript:alert(1)"}, "redirectUrl"),
        ({"webhookUrl": "not a url"}, "webhookUrl"),
        ({"locale": "nl"}, "locale"),
    ],
)
def test_invalid_payments_are_refused_with_the_field(make_payment, change, field):
    with pytest.raises(UnprocessableEntityError) as refused:
        make_payment(**change)
    assert refused.value.status == 422
    assert refused.value.field == field


def test_zero_decimal_currencies_take_whole_amounts(make_payment):
    assert make_payment(amount={"currency": "JPY", "value": "1000"}).amount["value"] == "1000"


def test_unknown_payment_is_not_found(mollie):
    with pytest.raises(NotFoundError, match="tr_doesnotexist"):
        mollie.payments.get("tr_doesnotexist")


def test_a_key_the_sandbox_does_not_accept_is_unauthorized(sandbox, mollie):
    mollie.api_key = "sk_not_a_mollie_key"  # set_api_key() would refuse it before sending
    with pytest.raises(UnauthorizedError):
        mollie.payments.list()
    with requests.get(f"{sandbox.url}/v2/payments", timeout=5) as response:
        assert response.status_code == 401
        body = response.json()
    assert body["status"] == 401 and body["title"] and body["detail"]


def test_test_and_live_payments_are_separate(sandbox, make_payment):
    payment = make_payment()
    live = new_client(sandbox.url, "live_sandbox0000000000000000000000")
    try:
        with pytest.raises(NotFoundError):
            live.payments.get(payment.id)
        assert len(live.payments.list()) == 0
        assert create_payment(live).mode == "live"
    finally:
        close_client(live)


def test_lists_are_paginated_newest_first(mollie, make_payment):
    created = [make_payment(description=f"Bestelling {n}").id for n in range(5)]
    first = mollie.payments.list(limit=2)
    assert [p.id for p in first] == created[::-1][:2]
    assert first.has_next() and not first.has_previous()
    second = first.get_next()
    third = second.get_next()
    assert [p.id for p in second] == created[::-1][2:4]
    assert [p.id for p in third] == created[:1]
    assert not third.has_next() and third.get_next() is None
    assert [p.id for p in second.get_previous()] == created[::-1][:2]


# Status changes and webhooks ------------------------------------------------------------------


def test_paid_calls_the_webhook_with_only_the_id_after_the_change(
    sandbox, mollie, receiver, make_payment
):
    payment = make_payment(webhookUrl=receiver.url)
    status, answer = fake(sandbox, f"payments/{payment.id}/status", {"status": "paid"})
    assert status == 200
    assert answer == {"status": "paid", "webhook_status_code": 200}
    assert receiver.calls == [
        {
            "form": {"id": payment.id},
            "user_agent": "Mollie HTTP client/1.0 (sandbox)",
            "content_type": "application/x-www-form-urlencoded",
            "status_seen": "paid",
        }
    ]
    paid = mollie.payments.get(payment.id)
    assert paid.is_paid() and paid.paid_at and paid.method == "ideal"
    assert paid.checkout_url is None and paid.expires_at is None and paid.is_cancelable is None
    assert paid.amount_remaining == {"currency": "EUR", "value": "12.34"}
    assert paid.amount_refunded == {"currency": "EUR", "value": "0.00"}
    [logged] = webhook_log(sandbox)
    assert (logged["url"], logged["payment_id"], logged["status_code"]) == (
        receiver.url,
        payment.id,
        200,
    )
    assert logged["at"]


def test_the_shops_answer_is_reported_and_redelivery_repeats_the_id(
    sandbox, receiver, make_payment
):
    payment = make_payment(webhookUrl=receiver.url)
    receiver.answer = 500
    assert fake(sandbox, f"payments/{payment.id}/status", {"status": "failed"})[1] == {
        "status": "failed",
        "webhook_status_code": 500,
    }
    receiver.answer = 200
    status, answer = fake(sandbox, f"payments/{payment.id}/webhook")
    assert (status, answer["webhook_status_code"]) == (200, 200)
    assert [call["form"] for call in receiver.calls] == [{"id": payment.id}] * 2
    assert [entry["status_code"] for entry in webhook_log(sandbox)] == [500, 200]


def test_pending_is_silent_and_authorized_is_announced(sandbox, mollie, receiver, make_payment):
    first, second = make_payment(webhookUrl=receiver.url), make_payment(webhookUrl=receiver.url)
    assert fake(sandbox, f"payments/{first.id}/status", {"status": "pending"})[1] == {
        "status": "pending",
        "webhook_status_code": None,
    }
    assert receiver.calls == []
    _, answer = fake(sandbox, f"payments/{first.id}/status", {"status": "paid"})
    assert answer["webhook_status_code"] == 200
    fake(sandbox, f"payments/{second.id}/status", {"status": "authorized"})
    authorized = mollie.payments.get(second.id)
    assert authorized.is_authorized() and authorized.authorized_at and not authorized.is_paid()
    assert [call["status_seen"] for call in receiver.calls] == ["paid", "authorized"]


def test_webhook_false_changes_the_status_without_calling(sandbox, receiver, make_payment):
    payment = make_payment(webhookUrl=receiver.url)
    answer = fake(sandbox, f"payments/{payment.id}/status", {"status": "paid", "webhook": False})
    assert answer == (200, {"status": "paid", "webhook_status_code": None})
    assert receiver.calls == []


@pytest.mark.parametrize("final", FINAL_STATES)
def test_final_states_never_move(sandbox, mollie, make_payment, final):
    payment = make_payment()
    fake(sandbox, f"payments/{payment.id}/status", {"status": final})
    for status in ALL_STATES:
        assert fake(sandbox, f"payments/{payment.id}/status", {"status": status})[0] == 409
    with pytest.raises(UnprocessableEntityError):
        mollie.payments.delete(payment.id)
    assert mollie.payments.get(payment.id).status == final


def test_unknown_status_and_unknown_payment_are_refused(sandbox, make_payment):
    payment = make_payment()
    assert fake(sandbox, f"payments/{payment.id}/status", {"status": "refunded"})[0] == 400
    assert fake(sandbox, "payments/tr_missing/status", {"status": "paid"})[0] == 404


def test_delete_cancels_an_open_payment_and_calls_the_webhook(
    sandbox, mollie, receiver, make_payment
):
    payment = make_payment(webhookUrl=receiver.url)
    canceled = mollie.payments.delete(payment.id)
    assert canceled.is_canceled() and canceled.canceled_at and canceled.checkout_url is None
    deadline = time.monotonic() + 2  # delivered just after the DELETE answer, as at Mollie
    while not receiver.calls and time.monotonic() < deadline:
        time.sleep(0.01)
    assert receiver.calls[0]["form"] == {"id": payment.id}
    assert receiver.calls[0]["status_seen"] == "canceled"


def test_expire_open_expires_what_is_past_its_time():
    now = [datetime(2026, 3, 1, 12, 0, tzinfo=UTC)]
    with SandboxServer(clock=lambda: now[0]) as server:
        mollie = new_client(server.url)
        try:
            old = create_payment(mollie)
            now[0] += timedelta(minutes=16)
            young = create_payment(mollie)
            assert fake(server, "expire-open")[1]["expired"] == [old.id]
            expired = mollie.payments.get(old.id)
            assert expired.is_expired() and expired.expired_at == "2026-03-01T12:16:00+00:00"
            assert mollie.payments.get(young.id).is_open()
            assert fake(server, "expire-open", {"all": True})[1]["expired"] == [young.id]
        finally:
            close_client(mollie)


def test_reset_forgets_everything(sandbox, mollie, make_payment):
    payment = make_payment()
    assert fake(sandbox, "reset")[0] == 204
    with pytest.raises(NotFoundError):
        mollie.payments.get(payment.id)


# The hosted checkout ------------------------------------------------------------------------


def test_checkout_page_offers_the_outcomes_and_loads_nothing(sandbox, make_payment):
    payment = make_payment()
    with requests.get(payment.checkout_url, timeout=5) as response:
        html = response.text
        assert response.status_code == 200
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "<title>Testbetaling (sandbox, geen echt geld)</title>" in html
    assert "12,34" in html and "Bestelling 42" in html
    assert '<form method="post"' in html
    labels = re.findall(r'<button type="submit" name="status" value="(\w+)">([^<]+)</button>', html)
    assert labels == [
        ("paid", "Betaald"),
        ("failed", "Mislukt"),
        ("canceled", "Geannuleerd"),
        ("expired", "Verlopen"),
        ("open", "Open laten"),
    ]
    assert "<script" not in html and "src=" not in html and "<link" not in html


def test_checkout_calls_the_webhook_before_sending_the_customer_back(
    sandbox, mollie, receiver, make_payment
):
    payment = make_payment(webhookUrl=receiver.url)
    with requests.post(
        payment.checkout_url, data={"status": "paid"}, allow_redirects=False, timeout=5
    ) as response:
        # By the time the browser is sent back, the shop has heard of the payment.
        assert receiver.calls and receiver.calls[0]["status_seen"] == "paid"
        assert response.status_code == 303
        assert response.headers["Location"] == f"{SHOP}/winkel/bestelling/42"
    assert mollie.payments.get(payment.id).is_paid()

    with requests.get(payment.checkout_url, timeout=5) as response:
        html = response.text
    assert "niet meer open" in html and "<button" not in html
    assert f'href="{SHOP}/winkel/bestelling/42"' in html
    with requests.post(payment.checkout_url, data={"status": "failed"}, timeout=5) as response:
        assert response.status_code == 409
    assert mollie.payments.get(payment.id).is_paid()


@pytest.mark.parametrize(
    ("cancel_url", "location"),
    [(f"{SHOP}/winkel/mandje", f"{SHOP}/winkel/mandje"), (None, f"{SHOP}/winkel/bestelling/42")],
)
def test_canceling_at_checkout_goes_to_the_cancel_url_when_given(
    mollie, make_payment, cancel_url, location
):
    payment = make_payment(cancelUrl=cancel_url)
    with requests.post(
        payment.checkout_url, data={"status": "canceled"}, allow_redirects=False, timeout=5
    ) as response:
        assert (response.status_code, response.headers["Location"]) == (303, location)
    assert mollie.payments.get(payment.id).is_canceled()


def test_leaving_the_payment_open_changes_nothing(sandbox, mollie, receiver, make_payment):
    payment = make_payment(webhookUrl=receiver.url)
    with requests.post(
        payment.checkout_url, data={"status": "open"}, allow_redirects=False, timeout=5
    ) as response:
        assert response.status_code == 303
    assert mollie.payments.get(payment.id).is_open()
    assert receiver.calls == [] and webhook_log(sandbox) == []


def test_checkout_of_an_unknown_payment_is_404(sandbox):
    with requests.get(f"{sandbox.url}/checkout/tr_missing", timeout=5) as response:
        assert response.status_code == 404
        assert "bestaat niet" in response.text


# Refunds ------------------------------------------------------------------------------------


def test_refunds_move_the_amounts_and_cannot_exceed_what_remains(sandbox, mollie, make_payment):
    payment = make_payment()
    with pytest.raises(UnprocessableEntityError):  # not paid yet
        payment.refunds.create({"amount": {"currency": "EUR", "value": "1.00"}})
    fake(sandbox, f"payments/{payment.id}/status", {"status": "paid"})
    payment = mollie.payments.get(payment.id)
    assert payment.can_be_refunded() and not payment.has_refunds()

    refund = payment.refunds.create(
        {"amount": {"currency": "EUR", "value": "5.00"}, "description": "Retour"}
    )
    assert re.fullmatch(r"re_[A-Za-z0-9]{10}", refund.id)
    assert refund.is_pending() and refund.payment_id == payment.id
    assert refund.get_payment().id == payment.id
    payment = mollie.payments.get(payment.id)
    assert payment.has_refunds() and payment.is_paid() and payment.status == "paid"
    assert payment.amount_refunded["value"] == "5.00"
    assert payment.amount_remaining["value"] == "7.34"

    with pytest.raises(UnprocessableEntityError) as refused:
        payment.refunds.create({"amount": {"currency": "EUR", "value": "7.35"}})
    assert refused.value.field == "amount.value"
    with pytest.raises(UnprocessableEntityError) as refused:
        payment.refunds.create({"amount": {"currency": "USD", "value": "1.00"}})
    assert refused.value.field == "amount.currency"

    rest = payment.refunds.create({"amount": {"currency": "EUR", "value": "7.34"}})
    assert mollie.payments.get(payment.id).amount_remaining["value"] == "0.00"
    assert [r.id for r in payment.refunds.list()] == [rest.id, refund.id]
    assert payment.refunds.get(refund.id).amount == {"currency": "EUR", "value": "5.00"}
    assert len(mollie.refunds.list()) == 2
    embedded = mollie.payments.get(payment.id, embed="refunds")["_embedded"]["refunds"]
    assert len(embedded) == 2


def test_a_refund_is_canceled_only_while_pending_and_announced_when_done(
    sandbox, mollie, receiver, make_payment
):
    payment = make_payment(webhookUrl=receiver.url)
    fake(sandbox, f"payments/{payment.id}/status", {"status": "paid"})
    first = payment.refunds.create({"amount": {"currency": "EUR", "value": "2.00"}})
    second = payment.refunds.create({"amount": {"currency": "EUR", "value": "3.00"}})

    assert payment.refunds.delete(first.id) == {}
    assert payment.refunds.get(first.id).status == "canceled"
    assert mollie.payments.get(payment.id).amount_refunded["value"] == "3.00"

    status, answer = fake(sandbox, f"refunds/{second.id}/status", {"status": "refunded"})
    assert (status, answer) == (200, {"status": "refunded", "webhook_status_code": 200})
    # The refund's webhook carries the payment's id, never the refund's.
    assert [call["form"] for call in receiver.calls] == [{"id": payment.id}, {"id": payment.id}]
    with pytest.raises(UnprocessableEntityError):
        payment.refunds.delete(second.id)
    assert fake(sandbox, f"refunds/{second.id}/status", {"status": "failed"})[0] == 409


# Injected errors, the pluggable deliverer and the production guard -----------------------------


def test_next_error_answers_exactly_once(sandbox, mollie, make_payment):
    payment = make_payment()
    assert fake(sandbox, "next-error", {"http_status": 503})[0] == 204
    with pytest.raises(ResponseError) as failed:
        mollie.payments.get(payment.id)
    assert type(failed.value) is ResponseError and failed.value.status == 503
    assert mollie.payments.get(payment.id).id == payment.id

    fake(
        sandbox,
        "next-error",
        {"http_status": 502, "body": "<h1>Bad Gateway</h1>", "content_type": "text/html"},
    )
    with pytest.raises(ResponseHandlingError, match="Bad Gateway"):
        mollie.payments.get(payment.id)


def test_an_injected_error_is_not_remembered_for_the_idempotency_key(sandbox, mollie):
    data = {
        "amount": {"currency": "EUR", "value": "12.34"},
        "description": "Bestelling 42",
        "redirectUrl": f"{SHOP}/terug",
    }
    fake(sandbox, "next-error", {"http_status": 503})
    with pytest.raises(ResponseError) as failed:
        mollie.payments.create(data, idempotency_key="order-42-pay-1")
    assert failed.value.idempotency_key == "order-42-pay-1"
    assert mollie.payments.create(data, idempotency_key="order-42-pay-1").is_open()


def test_the_deliverer_is_pluggable():
    delivered: list[tuple[str, str]] = []

    def deliver(url: str, payment_id: str) -> int:
        delivered.append((url, payment_id))
        return 204

    sandbox = create_sandbox_app(deliver_webhook=deliver).test_client()
    created = sandbox.post(
        "/v2/payments",
        json={
            "amount": {"currency": "EUR", "value": "1.00"},
            "description": "Via de testclient",
            "redirectUrl": f"{SHOP}/terug",
            "webhookUrl": f"{SHOP}/webhook",
        },
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    payment_id = created.get_json()["id"]
    answer = sandbox.post(f"/_fake/payments/{payment_id}/status", json={"status": "expired"})
    assert answer.get_json() == {"status": "expired", "webhook_status_code": 204}
    assert delivered == [(f"{SHOP}/webhook", payment_id)]


def test_an_unreachable_webhook_is_reported_as_none():
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert post_webhook(f"http://127.0.0.1:{port}/webhook", "tr_x") is None


def test_the_sandbox_refuses_to_exist_in_production(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(RuntimeError):
        create_sandbox_app()
    with pytest.raises(RuntimeError):
        SandboxServer()
    result = CliRunner().invoke(sandbox_cli, ["run", "--port", "0"])
    assert result.exit_code == 1 and "production" in result.output
