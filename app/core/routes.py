"""The health check, the sitemap of what the features registered, and the files browsers and
tools look for at fixed addresses: /favicon.ico, /apple-touch-icon.png and
/.well-known/security.txt."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Response, current_app, jsonify, render_template, send_from_directory
from sqlalchemy import text

from app import db
from app.content import store as content
from app.core import sitemap as sitemap_registry
from app.core.pagecache import cached_page

bp = Blueprint("core", __name__)
log = logging.getLogger(__name__)

ICON_MAX_AGE = 7 * 24 * 3600
# RFC 9116 asks for an expiry less than a year away, so that a stale file is noticed.
SECURITY_TXT_DAYS = 180


def _redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        with client:
            return bool(client.ping())
    except redis.RedisError:
        return False


NOT_KEPT = {"Cache-Control": "no-store"}  # what a health check asks is now, never a copy


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 when the database answers (with "degraded" when an optional
    dependency such as Redis does not: the site still works, counting rate limits per process),
    503 when the database does not."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="fout", database="onbereikbaar"), 503, NOT_KEPT
    report = {"status": "ok", "database": "ok"}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        if _redis_answers(redis_url):
            report["redis"] = "ok"
        else:
            log.warning("healthz: Redis does not answer; rate limits are counted per process")
            report.update(status="beperkt", redis="onbereikbaar")
    return jsonify(report), 200, NOT_KEPT


@bp.get("/sitemap.xml")
@cached_page
def sitemap():
    """Every public page, with its last change where known, for search engines."""
    xml = render_template(
        "core/sitemap.xml",
        entries=sitemap_registry.entries(),
        base=current_app.config["PUBLIC_BASE_URL"],
    )
    return Response(xml, mimetype="application/xml")


def _image(filename: str) -> Response:
    folder = current_app.static_folder or "static"
    return send_from_directory(folder, f"img/{filename}", max_age=ICON_MAX_AGE)


@bp.get("/favicon.ico")
def favicon():
    """The site's icon where browsers and feed readers look for it first."""
    return _image("favicon.ico")


@bp.get("/apple-touch-icon.png")
@bp.get("/apple-touch-icon-precomposed.png")
def touch_icon():
    """The icon a phone puts on its home screen."""
    return _image("apple-touch-icon.png")


@bp.get("/.well-known/security.txt")
def security_txt():
    """How to report a security problem (RFC 9116): our address from content/site.toml."""
    expires = datetime.combine(
        datetime.now(UTC).date() + timedelta(days=SECURITY_TXT_DAYS), time(), tzinfo=UTC
    )
    lines = [
        f"Contact: mailto:{content.site().organisation.email}",
        f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        "Preferred-Languages: nl, en",
        f"Canonical: {current_app.config['PUBLIC_BASE_URL']}/.well-known/security.txt",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
