"""Registration, login, logout, e-mail verification, password reset and the account page."""

from __future__ import annotations

from typing import cast

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from werkzeug.local import LocalProxy

from app import crypto, db
from app.accounts import (
    demo,
    models,
    registration,
    reset,
    second_step,
    service,
    sessions,
    throttle,
    verification,
)
from app.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmRegistrationForm,
    DetailsForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.accounts.links import TokenError
from app.accounts.privacy import AccountData, present_account
from app.core import personal_data
from app.core.cli import add_demo, demo_cli
from app.extensions import client_address, rate_limit
from app.forms import ButtonForm, FieldError, add_error
from app.jobs import service as jobs
from app.urls import is_safe_next

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = (
    "Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw."
)
TRY_AGAIN_IN = "Je kunt het over {wait} opnieuw proberen."
WAIT_FIRST = (
    "Voor dit e-mailadres is vanaf dit apparaat een paar keer een verkeerd wachtwoord "
    "ingevuld. Wacht nog {wait} en probeer het dan opnieuw. Wachtwoord vergeten? Vraag dan "
    "een nieuw wachtwoord aan."
)
TOKEN_MESSAGES = {
    "expired": "Deze link is verlopen. Vraag hieronder een nieuwe aan.",
    "invalid": "Deze link klopt niet. Kopieer hem helemaal uit de e-mail, of vraag een nieuwe aan.",
    "used": "Deze link is al gebruikt.",
}
REGISTRATION_MESSAGES = {
    "expired": "Deze link is verlopen: hij werkt 24 uur. Maak je account opnieuw aan.",
    "invalid": "Deze link klopt niet. Kopieer hem helemaal uit de e-mail.",
    "used": "Deze link is al gebruikt: je account bestaat. Log in met je e-mailadres.",
}


@bp.route("/registreren", methods=["GET", "POST"])
@rate_limit("10 per minute", methods=["POST"])
def register():
    """Ask for an account; the answer is the same whether the address has one or not."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegisterForm()
    after = request.values.get("next")
    after = after if is_safe_next(after) else None
    if form.validate_on_submit():
        try:
            registration.request_registration(
                db.session(),
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data,
            )
        except FieldError as error:
            add_error(form, error)
        else:
            db.session().commit()
            if after:  # where the link from the e-mail leads, when opened in this browser
                session[AFTER_REGISTRATION] = after
            email = service.normalise_email(form.email.data)
            return render_template("accounts/register_sent.html", email=email)
    html = render_template("accounts/register.html", form=form, next=after)
    return html, 422 if form.errors else 200


@bp.route("/account-bevestigen/<token>", methods=["GET", "POST"])
@rate_limit("10 per minute", methods=["POST"])
def confirm_registration(token: str):
    """Follow the link from the registration e-mail and type the password: the account is
    made and this browser logged in."""
    try:
        email = registration.pending_address(db.session(), token)
    except TokenError as error:
        message = REGISTRATION_MESSAGES[error.reason]
        return render_template("accounts/verify_result.html", error=message, registering=True), 400
    form = ConfirmRegistrationForm()
    if form.validate_on_submit():
        try:
            user = registration.confirm_registration(
                db.session(), key=token, password=form.password.data
            )
        except FieldError as error:
            if error.field == "email":
                return render_template(
                    "accounts/verify_result.html", error=error.message, registering=True
                ), 409
            add_error(form, error)
        else:
            after = session.get(AFTER_REGISTRATION)
            _start_session(user, remember=False)
            flash(f"Welkom, {user.name}. Je e-mailadres is bevestigd en je account is klaar.", "ok")
            target = after if is_safe_next(after) else url_for("accounts.account")
            return redirect(target, code=303)
    html = render_template("accounts/confirm_registration.html", form=form, email=email)
    return html, 422 if form.errors else 200


@bp.route("/inloggen", methods=["GET", "POST"])
@rate_limit("5 per minute", methods=["POST"])
def login():
    """Log in with e-mail and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        attempt = service.log_in(
            db.session(),
            email=form.email.data,
            password=form.password.data,
            client=client_address(),
        )
        db.session().commit()
        if attempt.wait:
            wait = WAIT_FIRST.format(wait=throttle.in_words(attempt.wait))
            add_error(form, FieldError("password", wait))
            html = render_template("accounts/login.html", form=form)
            return html, 429, {"Retry-After": str(attempt.wait)}
        if attempt.user is not None:
            _start_session(attempt.user, remember=form.remember.data)
            target = form.next.data if is_safe_next(form.next.data) else url_for("accounts.account")
            return redirect(second_step.after_password(attempt.user, target), code=303)
        message = LOGIN_FAILED
        if attempt.try_again_in:
            message += " " + TRY_AGAIN_IN.format(wait=throttle.in_words(attempt.try_again_in))
        add_error(form, FieldError("password", message))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


# Where a new account goes after the link in the registration e-mail (the basket, for
# someone who wanted to order), when that link is opened in the same browser.
AFTER_REGISTRATION = "next_after_registration"

# What a visitor did before logging in that should survive it (a shop cart).
KEPT_AT_LOGIN = ("cart",)


def _start_session(user, *, remember: bool) -> None:
    # A fresh session at login: nothing set before logging in carries over (session fixation),
    # except the few harmless things a visitor expects to keep.
    kept = {key: session[key] for key in KEPT_AT_LOGIN if key in session}
    _end_session()
    session.update(kept)
    sessions.start(db.session(), user, remember=remember, user_agent=request.user_agent.string)
    login_user(user, remember=remember)
    db.session().commit()


def _end_session() -> None:
    """Log this device out: its login session ends on the server (so copies of its cookies stop
    working too), then its cookies are cleared."""
    if current_user.is_authenticated:
        sessions.end(db.session(), current_user._get_current_object())
        db.session().commit()
    # Clear first, log out second: flask-login's instruction to delete the remember-me cookie
    # lives in the session and must survive.
    session.clear()
    logout_user()


@bp.post("/uitloggen")
def logout():
    """Log out on this device: its session and remember-me cookies stop working everywhere."""
    if ButtonForm().validate_on_submit():
        _end_session()
        flash("Je bent uitgelogd.", "ok")
    return redirect(url_for("hub.home"), code=303)


@bp.post("/account/andere-apparaten-uitloggen")
@login_required
def logout_elsewhere():
    """Log out on every other device."""
    if ButtonForm().validate_on_submit():
        ended = sessions.end_others(db.session(), current_user._get_current_object())
        db.session().commit()
        flash(
            "Je bent op alle andere apparaten uitgelogd."
            if ended
            else "Je was nergens anders ingelogd.",
            "ok",
        )
    return redirect(url_for("accounts.account"), code=303)


@bp.get("/bevestigen/<token>")
def verify_email(token: str):
    """Follow the link that confirms a (new) e-mail address."""
    try:
        user = verification.verify_email(db.session(), key=token)
    except TokenError as error:
        return render_template(
            "accounts/verify_result.html", error=TOKEN_MESSAGES[error.reason]
        ), 400
    except FieldError as error:
        return render_template("accounts/verify_result.html", error=error.message), 409
    db.session().commit()
    return render_template("accounts/verify_result.html", user=user)


@bp.post("/account/bevestigingsmail")
@login_required
@rate_limit("3 per minute")
def resend_verification():
    """Send the verification e-mail again."""
    if ButtonForm().validate_on_submit() and (
        current_user.pending_email or not current_user.is_verified
    ):
        verification.queue_verification(db.session(), current_user)
        db.session().commit()
        flash("We hebben de e-mail opnieuw gestuurd.", "ok")
    return redirect(url_for("accounts.account"), code=303)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@rate_limit("5 per minute", methods=["POST"])
def forgot_password():
    """Ask for a password-reset link; the answer is the same for every address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset.request_password_reset(db.session(), email=form.email.data)
        db.session().commit()
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@rate_limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    try:
        user = reset.user_for_reset(db.session(), token)
    except TokenError as error:
        return render_template(
            "accounts/reset_invalid.html", error=TOKEN_MESSAGES[error.reason]
        ), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            reset.reset_password(db.session(), key=token, password=form.password.data)
        except FieldError as error:
            add_error(form, error)
        else:
            db.session().commit()
            _end_session()
            flash("Je nieuwe wachtwoord is ingesteld. Log in met je nieuwe wachtwoord.", "ok")
            return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and change name and phone."""
    form = DetailsForm(obj=current_user)
    if form.validate_on_submit():
        changed = service.update_details(
            db.session(),
            user=current_user,
            name=form.name.data,
            phone=form.phone.data,
        )
        if changed:
            labels = {"name": "naam", "phone": "telefoonnummer"}
            personal_data.right_exercised.send(
                cast("LocalProxy[Flask]", current_app)._get_current_object(),
                session=db.session(),
                user_id=current_user.id,
                kind="correctie",
                outcome="gewijzigd: " + ", ".join(labels[c] for c in changed),
            )
        db.session().commit()
        flash("Je gegevens zijn opgeslagen.", "ok")
        return redirect(url_for("accounts.account"), code=303)
    devices = sessions.of(db.session(), current_user.id)
    here = sessions.current(current_user._get_current_object())
    html = render_template("accounts/account.html", form=form, devices=devices, here=here)
    return html, 422 if form.errors else 200


@bp.route("/account/e-mailadres", methods=["GET", "POST"])
@login_required
def change_email():
    """Change the e-mail address (the new one must be confirmed first)."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            verification.request_email_change(
                db.session(),
                user=current_user,
                new_email=form.email.data,
                password=form.password.data,
            )
        except FieldError as error:
            add_error(form, error)
        else:
            db.session().commit()
            flash(
                f"We hebben een bevestigingslink gestuurd naar {current_user.pending_email}. "
                "Tot je die volgt, blijft je oude e-mailadres in gebruik.",
                "ok",
            )
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/change_email.html", form=form), 422 if form.errors else 200


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; other devices are logged out."""
    form = ChangePasswordForm()
    form.account_email = current_user.email
    if form.validate_on_submit():
        try:
            service.change_password(
                db.session(),
                user=current_user._get_current_object(),
                current=form.current_password.data,
                new=form.password.data,
            )
        except FieldError as error:
            add_error(form, error)
        else:
            db.session().commit()
            flash("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd.", "ok")
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


def init_app(app: Flask) -> None:
    login_manager = LoginManager(app)
    # Instead of flask-login's "session protection", every login is a server-side session row
    # (logging out, a password change or an erasure deletes it) that the loader checks on each
    # request, together with the kind of browser it was started in.
    login_manager.session_protection = None
    # Flask-Login hashes the visitor's IP address and user agent on every request for the
    # protection switched off above, and puts the hash in the session cookie at login: neither
    # is used, and the hash would be one more identifier derived from the IP address.
    login_manager._session_identifier_generator = lambda: None
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(user_id: str):
        agent = request.headers.get("User-Agent", "")
        return sessions.load(db.session(), user_id, user_agent=agent)

    @app.before_request
    def _track_activity() -> None:
        if not current_user.is_authenticated:
            return
        user = current_user._get_current_object()
        account_used = service.touch_activity(user)
        if sessions.touch(user) or account_used:
            db.session().commit()

    # A registration waiting for its link is kept encrypted (see links.create).
    crypto.register_column(app, "account_link", "payload")
    for kind in (
        jobs.JobKind(registration.KIND, registration.finish_registration),
        jobs.JobKind(reset.KIND, reset.send_reset),
        jobs.JobKind(verification.KIND, verification.send_verification),
        jobs.JobKind(service.LOGIN_WARNING, service.send_login_warning),
    ):
        jobs.register_kind(app, kind)
    app.register_blueprint(bp)
    app.register_blueprint(second_step.bp)
    crypto.register_column(app, "account_two_factor", "secret", key="user_id")
    add_demo(app, demo.load)
    demo_cli.add_command(demo.code_command)
    personal_data.register(
        app,
        *models.PERSONAL_DATA,
        handler=AccountData(),
        presenters={"user_account": present_account},
    )
