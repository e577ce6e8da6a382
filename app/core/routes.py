"""The health check."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        db.session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return jsonify(status="fout", database="onbereikbaar"), 503
    return jsonify(status="ok", database="ok")
