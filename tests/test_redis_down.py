"""Redis configured but down (or up): the site keeps working and says so on /healthz."""

import socket

import pytest
import redis

from tests.conftest import DEFAULT_PASSWORD, Client, Outbox, build_app, confirm_registration

LIVE_REDIS = "redis://127.0.0.1:6379/15"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def down_app(tmp_path, database_url):
    app = build_app(tmp_path, database_url, REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0")
    app.test_client_class = Client
    yield app
    app.extensions["db_engine"].dispose()


def test_with_redis_down_accounts_basket_and_forms_still_work(down_app):
    client = down_app.test_client()
    outbox = Outbox(down_app)
    registered = client.submit(
        "/registreren",
        {
            "name": "Ria",
            "email": "ria@example.nl",
            "password": DEFAULT_PASSWORD,
            "password_confirm": DEFAULT_PASSWORD,
        },
    )
    assert registered.status_code == 200
    assert confirm_registration(client, outbox, DEFAULT_PASSWORD).status_code == 303
    client.submit("/uitloggen", page="/")
    login = client.submit("/inloggen", {"email": "ria@example.nl", "password": DEFAULT_PASSWORD})
    assert login.status_code == 303
    reset = client.submit("/wachtwoord-vergeten", {"email": "ria@example.nl"})
    assert reset.status_code == 200
    basket = client.submit(
        "/winkel/mandje",
        {"product": "personenalarm-met-valdetectie", "aantal": "1", "actie": "toevoegen"},
        page="/winkel/personenalarm-met-valdetectie",
    )
    assert basket.status_code == 303


def test_with_redis_down_the_login_limit_still_counts(down_app):
    client = down_app.test_client()
    codes = [
        client.submit(
            "/inloggen", {"email": "x@example.nl", "password": "fout fout fout"}
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [422] * 5 and 429 in codes[5:]


def test_healthz_says_degraded_when_redis_is_down(down_app):
    response = down_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "beperkt", "database": "ok", "redis": "onbereikbaar"}


def test_healthz_says_ok_when_redis_answers(tmp_path, database_url):
    try:
        redis.Redis.from_url(LIVE_REDIS, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        pytest.fail("the Redis server of this machine (127.0.0.1:6379) does not answer")
    app = build_app(tmp_path, database_url, REDIS_URL=LIVE_REDIS)
    try:
        response = app.test_client().get("/healthz")
        assert response.json == {"status": "ok", "database": "ok", "redis": "ok"}
    finally:
        redis.Redis.from_url(LIVE_REDIS).flushdb()
        app.extensions["db_engine"].dispose()
