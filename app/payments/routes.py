"""Mollie's webhook, the one page of payments (the paying itself happens on the pages of the
feature that sells something)."""

from __future__ import annotations

from flask import Blueprint, Flask, request

from app import db
from app.extensions import no_csrf
from app.payments import service

bp = Blueprint("payments", __name__)


@bp.post("/betalen/webhook")
@no_csrf
def webhook():
    """Mollie's webhook: only the id is read; the status comes from Mollie's API."""
    status = service.handle_webhook(db.session(), request.form.get("id", ""))
    return ("", status)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
