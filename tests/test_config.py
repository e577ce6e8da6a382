"""Configuration: defaults for the offline demo, and what production refuses (one clear line)."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from app.config import ENCODERS, ConfigError, load_settings
from app.search import semantic
from tests.conftest import PROJECT_ROOT

GOOD_PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "PUBLIC_BASE_URL": "https://www.zorggenoot.nl",
    "MOLLIE_API_KEY": "live_abcdefghijklmnopqrstuvwxyz0123",
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "postgresql://app@db/zorggenoot",
}


def test_development_defaults_need_no_setup(tmp_path):
    settings = load_settings({"INSTANCE_DIR": str(tmp_path)})
    assert settings.app_env == "development"
    assert settings.database_url == f"sqlite:///{tmp_path / 'zorggenoot.db'}"
    assert settings.public_base_url == "http://127.0.0.1:5000"
    assert settings.mollie_api_key.startswith("test_")
    assert settings.mollie_api_endpoint == "http://127.0.0.1:5001"
    assert settings.smtp_url is None and settings.redis_url is None
    # Secrets are generated once into the instance folder and reused.
    assert (tmp_path / "secret_key").exists() and (tmp_path / "encryption_keys").exists()
    again = load_settings({"INSTANCE_DIR": str(tmp_path)})
    assert (again.secret_key, again.encryption_keys) == (
        settings.secret_key,
        settings.encryption_keys,
    )


def test_good_production_settings_are_accepted():
    settings = load_settings(GOOD_PRODUCTION)
    assert settings.is_production
    assert settings.mollie_api_endpoint == "https://api.mollie.com"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing or a placeholder"),
        ({"SECRET_KEY": "changeme"}, "SECRET_KEY is missing or a placeholder"),
        ({"SECRET_KEY": "short-secret"}, "SECRET_KEY is missing or a placeholder"),
        (
            {"PUBLIC_BASE_URL": "http://www.zorggenoot.nl"},
            "PUBLIC_BASE_URL must start with https://",
        ),
        (
            {"MOLLIE_API_KEY": "test_abcdefghijklmnopqrstuvwxyz0123"},
            "test_ key but the endpoint is Mollie's live API",
        ),
        ({"MOLLIE_API_ENDPOINT": "http://127.0.0.1:5001"}, "the sandbox never runs in production"),
        ({"MOLLIE_API_KEY": ""}, "MOLLIE_API_KEY is missing"),
        ({"ENCRYPTION_KEYS": ""}, "ENCRYPTION_KEYS is missing"),
        ({"ENCRYPTION_KEYS": "niet-een-sleutel"}, "not a Fernet key"),
    ],
)
def test_production_refuses(change, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({**GOOD_PRODUCTION, **change})


def test_development_refuses_a_live_key(tmp_path):
    with pytest.raises(ConfigError, match="live_ key"):
        load_settings(
            {"INSTANCE_DIR": str(tmp_path), "MOLLIE_API_KEY": "live_abcdefghijklmnopqrstuvwxyz0123"}
        )


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="APP_ENV must be one of"):
        load_settings({"INSTANCE_DIR": str(tmp_path), "APP_ENV": "staging"})


def test_the_sentence_encoder_is_one_the_site_knows(tmp_path):
    base = {"INSTANCE_DIR": str(tmp_path)}
    assert load_settings(base).search_encoder == semantic.DEFAULT == "use"
    assert load_settings({**base, "SEARCH_ENCODER": " E5 "}).search_encoder == "e5"
    with pytest.raises(ConfigError, match="SEARCH_ENCODER must be one of: use, e5"):
        load_settings({**base, "SEARCH_ENCODER": "gpt"})
    # Every name the settings accept is an encoder search can load, and the other way round.
    assert set(ENCODERS) == set(semantic.MODELS) == set(semantic.LOADERS)


def test_refusal_prints_one_line_and_exits(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in GOOD_PRODUCTION}
    env.update({**GOOD_PRODUCTION, "SECRET_KEY": "changeme", "INSTANCE_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-c", "import app.wsgi"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Configuration refused: SECRET_KEY is missing or a placeholder")
