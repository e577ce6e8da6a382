"""Dutch error pages; htmx requests get a small fragment instead of a whole page."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError, generate_csrf
from werkzeug.exceptions import HTTPException, InternalServerError

from app import db
from app.htmx import is_partial

log = logging.getLogger(__name__)

MESSAGES: dict[int, tuple[str, str]] = {
    400: (
        "Dit verzoek konden we niet verwerken",
        "Er ging iets mis met wat je verstuurde. Ga terug en probeer het nog eens.",
    ),
    403: (
        "Geen toegang",
        "Je hebt geen toegang tot deze pagina. Denk je dat dit niet klopt? "
        "Neem dan contact met ons op.",
    ),
    404: (
        "Pagina niet gevonden",
        "Deze pagina bestaat niet (meer). Misschien helpt zoeken, of ga naar de startpagina.",
    ),
    405: (
        "Dat kan hier niet",
        "Deze pagina kan niet op deze manier worden gebruikt. Ga terug en probeer het opnieuw.",
    ),
    413: (
        "Te veel gegevens",
        "Wat je verstuurde is te groot. Maak het kleiner of korter en probeer het opnieuw.",
    ),
    429: (
        "Even wachten",
        "Je hebt dit te vaak kort na elkaar geprobeerd. "
        "Wacht een minuut en probeer het dan opnieuw.",
    ),
    500: (
        "Er ging bij ons iets mis",
        "Dit ligt niet aan jou. Probeer het over een paar minuten opnieuw. "
        "Blijft het misgaan, bel dan gerust de Hulplijn.",
    ),
}


def render_error(code: int, detail: str | None = None) -> Response:
    """The Dutch page (or htmx fragment) for an HTTP error code."""
    title, text = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    template = "errors/_fragment.html" if is_partial() else "errors/page.html"
    html = render_template(template, code=code, title=title, text=detail or text)
    return Response(html, status=code, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> Response:
        # A browser that says nothing of where a form comes from needs the session's token:
        # start one, so the page asked for again carries it.
        generate_csrf()
        return render_error(
            400,
            "Deze pagina stond te lang open of kwam niet van onze site. "
            "Ga terug, vernieuw de pagina en probeer het opnieuw.",
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if error.code is None or error.code < 400:
            return error  # type: ignore[return-value]
        response = render_error(error.code)
        allow = error.get_response().headers.get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The request's work is rolled back: a failure must never half-save anything.
        db.session().rollback()
        log.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
