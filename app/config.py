"""Typed settings from the environment.

The names and defaults are those of the README's configuration table. Development generates
its own secrets into the instance folder, so `make run` needs no set-up; production refuses
to start with a missing or placeholder secret, a non-HTTPS public address, a Mollie key that
does not fit the endpoint, or a non-Mollie endpoint (the built-in sandbox).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

# Templates, static files and migrations ship inside the package (they are package data).
PACKAGE_DIR = Path(__file__).resolve().parent
ENVIRONMENTS = ("development", "test", "production")
LIVE_MOLLIE_ENDPOINT = "https://api.mollie.com"
SANDBOX_MOLLIE_ENDPOINT = "http://127.0.0.1:5001"
SANDBOX_MOLLIE_KEY = "test_sandbox00000000000000000000000"
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "dev",
        "development",
        "test",
        "placeholder",
        "your-secret-key",
        "secret-key",
        "xxx",
        "todo",
        "replace-me",
    }
)
MIN_SECRET_LENGTH = 32
ENV_NAMES = frozenset(
    {
        "APP_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "CONTENT_DIR",
        "INSTANCE_DIR",
        "PUBLIC_BASE_URL",
        "MOLLIE_API_KEY",
        "MOLLIE_API_ENDPOINT",
        "SMTP_URL",
        "REDIS_URL",
        "ENCRYPTION_KEYS",
        "ERASURE_LEDGER",
        "KEY_STORE_URL",
        "ASSISTANT_LLM_URL",
        "ASSISTANT_LLM_MODEL",
        "ASSISTANT_LLM_KEY",
        "ASSISTANT_LLM_PROCESSOR",
        "SEARCH_SEMANTIC",
        "SEARCH_ENCODER",
    }
)
OFF = frozenset({"0", "false", "no", "off", "nee", "uit"})
# The sentence encoders search and the assistant can use (app/search/semantic.py, MODELS).
ENCODERS = ("use", "e5")


class ConfigError(Exception):
    """The environment asks for something the site refuses to run with."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    app_env: str
    secret_key: str
    database_url: str
    content_dir: Path
    instance_dir: Path
    public_base_url: str
    mollie_api_key: str
    mollie_api_endpoint: str
    smtp_url: str | None
    redis_url: str | None
    encryption_keys: tuple[str, ...]
    erasure_ledger: Path
    key_store_url: str
    # The optional language model that rephrases the assistant's passages (off when unset).
    assistant_llm_url: str | None = None
    assistant_llm_model: str = ""
    assistant_llm_key: str | None = None
    assistant_llm_processor: str = ""
    search_semantic: bool = True
    search_encoder: str = "use"

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def is_test(self) -> bool:
        return self.app_env == "test"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default: `os.environ`) and check them.

    Raises ConfigError with one clear line when the combination is refused.
    """
    env = dict(os.environ if environ is None else environ)
    app_env = env.get("APP_ENV", "development").strip() or "development"
    if app_env not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {app_env!r}.")
    production = app_env == "production"

    # Relative to the directory the site is started from (the checkout, or the deploy folder).
    instance_dir = Path(env.get("INSTANCE_DIR") or "instance").resolve()
    content_dir = Path(env.get("CONTENT_DIR") or "content").resolve()
    if not production:
        _owner_only_folder(instance_dir)

    secret_key = env.get("SECRET_KEY", "").strip()
    if production:
        if secret_key.lower() in PLACEHOLDER_SECRETS or len(secret_key) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"SECRET_KEY is missing or a placeholder; set a random value of at least "
                f"{MIN_SECRET_LENGTH} characters (python -c 'import secrets; "
                f"print(secrets.token_urlsafe(48))')."
            )
    elif not secret_key:
        secret_key = _generated(instance_dir / "secret_key", lambda: secrets.token_urlsafe(48))

    public_base_url = (env.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").strip().rstrip("/")
    parts = urlsplit(public_base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"PUBLIC_BASE_URL must be an absolute http(s) address, not {public_base_url!r}."
        )
    if production and parts.scheme != "https":
        raise ConfigError("PUBLIC_BASE_URL must start with https:// in production.")

    default_endpoint = LIVE_MOLLIE_ENDPOINT if production else SANDBOX_MOLLIE_ENDPOINT
    mollie_endpoint = (env.get("MOLLIE_API_ENDPOINT") or default_endpoint).strip().rstrip("/")
    mollie_key = (env.get("MOLLIE_API_KEY") or ("" if production else SANDBOX_MOLLIE_KEY)).strip()
    _check_mollie(production, mollie_key, mollie_endpoint)

    keys_raw = env.get("ENCRYPTION_KEYS", "").strip()
    if not keys_raw:
        if production:
            raise ConfigError(
                "ENCRYPTION_KEYS is missing; set one or more Fernet keys, newest first."
            )
        keys_raw = _generated(
            instance_dir / "encryption_keys", lambda: Fernet.generate_key().decode()
        )
    encryption_keys = tuple(k.strip() for k in keys_raw.split(",") if k.strip())
    for key in encryption_keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                "ENCRYPTION_KEYS holds a value that is not a Fernet key "
                "(32 url-safe base64-encoded bytes)."
            ) from None

    database_url = (
        env.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'zorggenoot.db'}"
    ).strip()

    llm_url = (env.get("ASSISTANT_LLM_URL") or "").strip().rstrip("/") or None
    llm_processor = (env.get("ASSISTANT_LLM_PROCESSOR") or "").strip()
    if llm_url:
        scheme = urlsplit(llm_url).scheme
        if scheme not in ("http", "https") or (production and scheme != "https"):
            raise ConfigError(
                "ASSISTANT_LLM_URL must be an https:// address (http:// only outside production)."
            )
        if not llm_processor:
            raise ConfigError(
                "ASSISTANT_LLM_PROCESSOR must name who runs the language model (the privacy "
                "statement names them) when ASSISTANT_LLM_URL is set."
            )

    search_encoder = (env.get("SEARCH_ENCODER") or ENCODERS[0]).strip().lower()
    if search_encoder not in ENCODERS:
        raise ConfigError(f"SEARCH_ENCODER must be one of: {', '.join(ENCODERS)}.")

    return Settings(
        app_env=app_env,
        secret_key=secret_key,
        database_url=database_url,
        content_dir=content_dir,
        instance_dir=instance_dir,
        public_base_url=public_base_url,
        mollie_api_key=mollie_key,
        mollie_api_endpoint=mollie_endpoint,
        smtp_url=(env.get("SMTP_URL") or "").strip() or None,
        redis_url=(env.get("REDIS_URL") or "").strip() or None,
        encryption_keys=encryption_keys,
        erasure_ledger=Path(
            env.get("ERASURE_LEDGER") or instance_dir / "erasure-ledger.jsonl"
        ).resolve(),
        # The data keys (crypto.py) live apart from the main database, backed up on their own.
        key_store_url=env.get("KEY_STORE_URL") or f"sqlite:///{instance_dir / 'keys.db'}",
        assistant_llm_url=llm_url,
        assistant_llm_model=(env.get("ASSISTANT_LLM_MODEL") or "").strip(),
        assistant_llm_key=(env.get("ASSISTANT_LLM_KEY") or "").strip() or None,
        assistant_llm_processor=llm_processor,
        # Dense vectors beside BM25 in search and the assistant (off: BM25 alone).
        search_semantic=(env.get("SEARCH_SEMANTIC") or "on").strip().lower() not in OFF,
        # Which sentence encoder: `use` (fast) or `e5` (finds more, slower to build).
        search_encoder=search_encoder,
    )


def _check_mollie(production: bool, key: str, endpoint: str) -> None:
    if production:
        if not key:
            raise ConfigError("MOLLIE_API_KEY is missing; production needs a live_ key.")
        if endpoint != LIVE_MOLLIE_ENDPOINT:
            raise ConfigError(
                f"MOLLIE_API_ENDPOINT must be {LIVE_MOLLIE_ENDPOINT} in production; "
                "the sandbox never runs in production."
            )
        if key.startswith("test_"):
            raise ConfigError(
                "MOLLIE_API_KEY is a test_ key but the endpoint is Mollie's live API."
            )
        if not key.startswith("live_"):
            raise ConfigError("MOLLIE_API_KEY must start with live_ in production.")
    elif key.startswith("live_"):
        raise ConfigError(
            "MOLLIE_API_KEY is a live_ key; development and tests only take test_ keys."
        )


def _owner_only_folder(path: Path) -> None:
    """The instance folder holds the database, keys and downloads: only its owner may enter it
    (0700), also when it already existed with a wider mode."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        # Someone else's folder is left as its owner set it.
        with contextlib.suppress(PermissionError):
            path.chmod(0o700)


def _generated(path: Path, make) -> str:
    """Return the secret stored at `path`, creating it once (development and test only)."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value
