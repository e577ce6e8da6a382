"""/nieuwsbrief: subscribing (double opt-in), preferences and one-click unsubscribing without a
login, the open-counting pixel; /account/nieuwsbrief for accounts; /redactie/nieuwsbrieven for
editors (preview, a test to themselves, open rates)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app import db
from app.accounts.access import role_required
from app.accounts.models import Role
from app.consent import gate
from app.consent.privacy import add_scope_label
from app.content import store as content
from app.core import personal_data
from app.core.navigation import Link, add_link
from app.core.statistics import add_series_provider
from app.extensions import no_csrf, rate_limit
from app.forms import ButtonForm, FieldError, add_error
from app.mail import service as mail
from app.newsletter import editions, forms, sending, service, statistics
from app.newsletter.cli import newsletter_cli
from app.newsletter.models import PERSONAL_DATA, SubscriberStatus
from app.newsletter.privacy import NewsletterData

bp = Blueprint("newsletter", __name__)
editor_bp = Blueprint("newsletter_editor", __name__, url_prefix="/redactie/nieuwsbrieven")
EDITORS = (Role.EDITOR, Role.ADMIN)
# A transparent 1×1 GIF.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def _bad_link():
    return render_template("newsletter/bad_link.html"), 404


@bp.route("/nieuwsbrief", methods=["GET", "POST"])
@rate_limit("10 per hour")
def subscribe():
    """Subscribe with only an e-mail address; the confirmation link does the rest."""
    form = forms.with_topics(forms.SubscribeForm(), service.topic_labels())
    if form.validate_on_submit():
        try:
            service.request_subscription(
                db.session(), email=form.email.data, topics=form.topics.data
            )
        except FieldError as error:
            add_error(form, error)
        else:
            db.session().commit()
            return redirect(url_for("newsletter.requested"), code=303)
    html = render_template(
        "newsletter/subscribe.html", form=form, consent_text=service.CONSENT_TEXT
    )
    return html, 422 if form.errors else 200


@bp.get("/nieuwsbrief/bijna-klaar")
def requested():
    """Check your mail."""
    return render_template("newsletter/requested.html")


@bp.route("/nieuwsbrief/bevestigen/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """The link in the confirmation mail: a button (a mail scanner only looks, it never clicks)."""
    session = db.session()
    try:
        subscriber, topics = service.read_confirm_token(session, token)
    except service.TokenError:
        return _bad_link()
    form = ButtonForm()
    if form.validate_on_submit():
        service.confirm(session, subscriber, topics)
        session.commit()
        return render_template("newsletter/confirmed.html", subscriber=subscriber)
    labels = service.topic_labels()
    return render_template("newsletter/confirm.html", form=form, topics=[labels[t] for t in topics])


@bp.route("/nieuwsbrief/afmelden/<token>", methods=["GET", "POST"])
@no_csrf
def unsubscribe(token: str):
    """One click, no login: POST (RFC 8058, or the button) unsubscribes; GET asks first."""
    session = db.session()
    try:
        subscriber = service.subscriber_for_token(session, token)
    except service.TokenError:
        return _bad_link()
    if request.method == "POST":
        service.unsubscribe(session, subscriber)
        session.commit()
        return render_template("newsletter/unsubscribed.html")
    return render_template(
        "newsletter/unsubscribe.html",
        ended=subscriber.status == SubscriberStatus.ENDED,
        token=token,
    )


@bp.route("/nieuwsbrief/voorkeuren/<token>", methods=["GET", "POST"])
def preferences(token: str):
    """Change topics (and, without an account, object to counting opens) without a login."""
    session = db.session()
    try:
        subscriber = service.subscriber_for_token(session, token)
    except service.TokenError:
        return _bad_link()
    if subscriber.status != SubscriberStatus.ACTIVE:
        return render_template("newsletter/unsubscribe.html", ended=True, token=token)
    subject = service.subject_for(session, subscriber)
    form = forms.with_topics(
        forms.PreferencesForm(
            data={
                "topics": service.chosen_topics(subject),
                "no_open_count": subscriber.objects_open_tracking,
            }
        ),
        service.topic_labels(),
    )
    if form.validate_on_submit():
        try:
            service.change_topics(session, subscriber, form.topics.data)
        except FieldError as error:
            add_error(form, error)
        else:
            if subscriber.user_id is None:
                service.set_open_objection(
                    session, subscriber, objects=bool(form.no_open_count.data)
                )
            session.commit()
            flash("Je keuzes zijn opgeslagen.", "ok")
            return redirect(url_for("newsletter.preferences", token=token), code=303)
    html = render_template(
        "newsletter/preferences.html",
        form=form,
        account=subscriber.user_id is not None,
        unsubscribe_url=url_for("newsletter.unsubscribe", token=token),
    )
    return html, 422 if form.errors else 200


@bp.route("/account/nieuwsbrief", methods=["GET", "POST"])
@login_required
def account():
    """The newsletter on the account page: subscribe (confirmed by e-mail) or change topics."""
    session = db.session()
    subscriber = service.of_user(session, current_user.id)
    active = bool(subscriber and gate.allows(service.SCOPE))
    labels = service.topic_labels()
    chosen = service.chosen_topics(gate.current_subject()) if active else []
    form = forms.with_topics(forms.AccountSubscribeForm(data={"topics": chosen}), labels)
    if form.validate_on_submit():
        try:
            if active and subscriber is not None:
                service.change_topics(session, subscriber, form.topics.data)
                message = "Je keuzes zijn opgeslagen."
            else:
                service.request_subscription(
                    session,
                    email=current_user.email,
                    topics=form.topics.data,
                    user=current_user._get_current_object(),
                )
                message = (
                    "We hebben je een e-mail gestuurd. Klik op de link om je aanmelding te "
                    "bevestigen."
                )
        except FieldError as error:
            add_error(form, error)
        else:
            session.commit()
            gate.forget()
            flash(message, "ok")
            return redirect(url_for("newsletter.account"), code=303)
    html = render_template(
        "newsletter/account.html",
        form=form,
        active=active,
        subscriber=subscriber,
        token=service.personal_token(subscriber) if subscriber else None,
        consent_text=service.CONSENT_TEXT,
        restricted=current_user.restricted,
    )
    return html, 422 if form.errors else 200


@bp.get("/nieuwsbrief/o/<token>")
def pixel(token: str):
    """Counts one open of an edition (once per mail); knows nothing about who opened it."""
    session = db.session()
    try:
        if service.count_open(session, token):
            session.commit()
    except service.TokenError:
        pass  # the image is shown all the same; nothing is counted
    response = Response(PIXEL, mimetype="image/gif")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- editors ----------------------------------------------------------------------------------


@editor_bp.get("")
@role_required(*EDITORS)
def index():
    """Every edition with its planned date, what the check found, and its open rate."""
    found = editions.current()
    rates = {rate.slug: rate for rate in service.open_rates(db.session())}
    return render_template(
        "newsletter/editor_index.html",
        editions=found.ordered(),
        problems=found.problems,
        rates=rates,
        sent_only=[r for slug, r in rates.items() if slug not in found.by_slug],
    )


@editor_bp.get("/<slug>")
@role_required(*EDITORS)
def preview(slug: str):
    """The edition as subscribers will see it, with a button to send a test to yourself."""
    edition = editions.current().by_slug.get(slug)
    if edition is None:
        abort(404)
    return render_template(
        "newsletter/editor_preview.html",
        edition=edition,
        labels=service.topic_labels(),
        form=ButtonForm(),
        recipients=sending.send(db.session(), edition, dry_run=True).would_send,
    )


@editor_bp.post("/<slug>/test")
@role_required(*EDITORS)
def send_test(slug: str):
    """Send the edition to the editor's own address (no pixel, marked as a test)."""
    edition = editions.current().by_slug.get(slug)
    if edition is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        session = db.session()
        mail.send(
            session,
            to=current_user.email,
            subject="[TEST] " + edition.subject,
            template="newsletter",
            user_id=current_user.id,
            edition=edition,
            unsubscribe_url=None,
            preferences_url=None,
            pixel_url=None,
        )
        session.commit()
        flash(f"De test is naar {current_user.email} gestuurd.", "ok")
    return redirect(url_for("newsletter_editor.preview", slug=slug), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(editor_bp)
    app.cli.add_command(newsletter_cli)
    content.add_source(app, editions.SOURCE)
    personal_data.register(app, *PERSONAL_DATA, handler=NewsletterData())
    add_series_provider(app, statistics.series)
    add_scope_label(
        app,
        "newsletter:",
        lambda slug: f"Nieuwsbrief over {service.topic_labels().get(slug, slug)}",
    )
    for link in (
        Link("footer", "newsletter.subscribe", "Nieuwsbrief", order=60),
        Link("account", "newsletter.account", "Nieuwsbrief", order=50),
        Link(
            "editor",
            "newsletter_editor.index",
            "Nieuwsbrieven",
            roles=(Role.EDITOR.value, Role.ADMIN.value),
        ),
    ):
        add_link(app, link)
