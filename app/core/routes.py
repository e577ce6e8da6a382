"""The health check, and the sitemap of what the features registered."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, render_template
from sqlalchemy import text

from app import db
from app.core import sitemap as sitemap_registry
from app.core.pagecache import cached_page

bp = Blueprint("core", __name__)
log = logging.getLogger(__name__)


def _redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        with client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 when the database answers (with "degraded" when an optional
    dependency such as Redis does not: the site still works, counting rate limits per process),
    503 when the database does not."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="fout", database="onbereikbaar"), 503
    report = {"status": "ok", "database": "ok"}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        if _redis_answers(redis_url):
            report["redis"] = "ok"
        else:
            log.warning("healthz: Redis does not answer; rate limits are counted per process")
            report.update(status="beperkt", redis="onbereikbaar")
    return jsonify(report)


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
