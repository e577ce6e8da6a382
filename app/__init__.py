"""The application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the site. `overrides` may hold environment names (as in the README) and Flask
    config keys; tests use it for a fresh database and instance folder."""
    from jinja2 import FileSystemBytecodeCache
    from werkzeug.local import LocalProxy
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app import (
        assets,
        compression,
        crypto,
        db,
        errors,
        extensions,
        htmx,
        httpcache,
        routing,
        security,
    )
    from app.accounts import routes as accounts
    from app.accounts.passwords import Hasher
    from app.admin import routes as admin
    from app.assistant import routes as assistant
    from app.audit import service as audit
    from app.config import ENV_NAMES, load_settings
    from app.consent import routes as consent
    from app.content import store as content
    from app.content.cli import content_cli
    from app.core import cli as core_cli
    from app.core import front, navigation, pagecache, structured_data
    from app.core import routes as core
    from app.core.formatting import dutch_date, dutch_datetime, euro, file_size
    from app.dashboard import routes as dashboard
    from app.disclosures import routes as disclosures
    from app.helpline import routes as helpline
    from app.hub import routes as hub
    from app.jobs import cli as jobs
    from app.mail import service as mail
    from app.newsletter import routes as newsletter
    from app.payments import routes as payments
    from app.privacy import routes as privacy
    from app.profile import routes as profile
    from app.search import routes as search
    from app.search import service as search_service
    from app.shop import routes as shop
    from app.shop import service as shop_service

    overrides = dict(overrides or {})
    env_overrides = {k: str(v) for k, v in overrides.items() if k in ENV_NAMES}
    settings = load_settings({**os.environ, **env_overrides})
    production = settings.is_production

    app = Flask(
        __name__,
        instance_path=str(settings.instance_dir),
    )
    app.config.update(
        APP_ENV=settings.app_env,
        SECRET_KEY=settings.secret_key,
        DATABASE_URL=settings.database_url,
        CONTENT_DIR=str(settings.content_dir),
        INSTANCE_DIR=str(settings.instance_dir),
        OUTBOX_DIR=str(settings.instance_dir / "outbox"),
        PUBLIC_BASE_URL=settings.public_base_url,
        MOLLIE_API_KEY=settings.mollie_api_key,
        MOLLIE_API_ENDPOINT=settings.mollie_api_endpoint,
        SMTP_URL=settings.smtp_url,
        REDIS_URL=settings.redis_url,
        ENCRYPTION_KEYS=settings.encryption_keys,
        ERASURE_LEDGER=str(settings.erasure_ledger),
        KEY_STORE_URL=settings.key_store_url,
        ASSISTANT_LLM_URL=settings.assistant_llm_url,
        ASSISTANT_LLM_MODEL=settings.assistant_llm_model,
        ASSISTANT_LLM_KEY=settings.assistant_llm_key,
        ASSISTANT_LLM_PROCESSOR=settings.assistant_llm_processor,
        SEARCH_SEMANTIC=settings.search_semantic,
        SEARCH_ENCODER=settings.search_encoder,
        # Each partner's signing secret, by variable name (PARTNER_SECRET_<SLUG>).
        PARTNER_SECRETS={
            name: value.strip()
            for name, value in os.environ.items()
            if name.startswith("PARTNER_SECRET_") and value.strip()
        },
        TESTING=settings.is_test,
        MAX_CONTENT_LENGTH=1024 * 1024,
        MAX_FORM_MEMORY_SIZE=512 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=production,
        REMEMBER_COOKIE_DURATION=timedelta(days=30),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,
        # Rate limits count in Redis when it is set (shared by every process), else in memory;
        # Redis down: in this process's memory instead of refusing every form (logged).
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        PREFERRED_URL_SCHEME="https" if production else "http",
    )
    app.config.update({k: v for k, v in overrides.items() if k not in ENV_NAMES})
    routing.install_converters(app)
    compression.init_app(app)  # first, so that it compresses what every other step left
    httpcache.init_app(app)  # then what may be kept of the page, before it is compressed
    if production:
        # One proxy (nginx, a load balancer) in front: trust its X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    app.extensions["hasher"] = Hasher(cheap=settings.is_test)
    assets.init_app(app, headers=security.static_headers(app))

    db.init_app(app)
    content.init_app(app)
    app.cli.add_command(content_cli)
    crypto.init_app(app)
    extensions.init_app(app)
    pagecache.init_app(app)
    security.init_app(app)
    routing.init_app(app)
    htmx.init_app(app)
    errors.init_app(app)
    accounts.init_app(app)
    audit.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)
    consent.init_app(app)
    payments.init_app(app)
    app.register_blueprint(core.bp)
    hub.init_app(app)
    search.init_app(app)
    profile.init_app(app)
    shop.init_app(app)
    privacy.init_app(app)
    admin.init_app(app)
    helpline.init_app(app)
    disclosures.init_app(app)
    dashboard.init_app(app)
    assistant.init_app(app)
    newsletter.init_app(app)
    core_cli.init_app(app)
    navigation.init_app(app)
    structured_data.init_app(app)
    extensions.apply_view_rules(app)

    search_service.build_at_start(app)
    shop_service.sync_at_start(app)

    # Compiled templates are kept in the instance folder, so a new worker or the next start
    # reads them instead of compiling every template again (Jinja compares each template's
    # source with what was compiled, so an edited one is compiled anew).
    compiled = settings.instance_dir / "templates-compiled"
    compiled.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(compiled))
    app.jinja_env.filters.update(
        datum=dutch_date, datumtijd=dutch_datetime, euro=euro, grootte=file_size
    )
    # `site` in templates is whatever content/site.toml says now (it is reloaded when edited):
    # asked once per page rendered, not at every `site.` in it.
    app.jinja_env.globals.update(site=LocalProxy(content.site))
    app.context_processor(lambda: {"site": content.site()})
    front.init_app(app)  # last: the outermost layer, before WhiteNoise and Flask
    return app
