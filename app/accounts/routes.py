"""Registration, login, logout, e-mail verification, password reset and the account page."""

from __future__ import annotations

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
from flask_login import current_user, login_required, login_user, logout_user

from app import db
from app.accounts import demo, models, service
from app.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DetailsForm,
    EmptyForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from app.accounts.privacy import AccountData
from app.core import personal_data
from app.core.cli import add_demo
from app.extensions import limiter, login_manager
from app.urls import is_safe_next

bp = Blueprint("accounts", __name__)

LOGIN_FAILED = (
    "Dit e-mailadres en wachtwoord horen niet bij elkaar. Controleer ze en probeer het opnieuw."
)
TOKEN_MESSAGES = {
    "expired": "Deze link is verlopen. Vraag hieronder een nieuwe aan.",
    "invalid": "Deze link klopt niet. Kopieer hem helemaal uit de e-mail, of vraag een nieuwe aan.",
    "used": "Deze link is al gebruikt.",
}


def _login_account_key() -> str:
    return "login:" + service.normalise_email(request.form.get("email", ""))[:254]


def _field_error(form, error: service.FieldError) -> None:
    getattr(form, error.field).errors.append(error.message)


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def register():
    """Create an account and send the verification e-mail."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = service.register_user(
                db.session(),
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                phone=form.phone.data,
                situation=form.situation.data,
            )
        except service.FieldError as error:
            _field_error(form, error)
        else:
            service.send_verification(db.session(), user)
            db.session().commit()
            _start_session(user, remember=False)
            flash(
                f"Welkom, {user.name}. We hebben een e-mail gestuurd naar {user.email}: "
                "klik op de link daarin om je e-mailadres te bevestigen.",
                "ok",
            )
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/register.html", form=form), 422 if form.errors else 200


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
@limiter.limit("5 per minute", methods=["POST"], key_func=_login_account_key)
def login():
    """Log in with e-mail and password."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = service.authenticate(
            db.session(), email=form.email.data, password=form.password.data
        )
        db.session().commit()
        if user is not None:
            _start_session(user, remember=form.remember.data)
            target = form.next.data if is_safe_next(form.next.data) else url_for("accounts.account")
            return redirect(target, code=303)
        form.password.errors.append(LOGIN_FAILED)
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


# What a visitor did before logging in that should survive it (a shop cart).
KEPT_AT_LOGIN = ("cart",)


def _start_session(user, *, remember: bool) -> None:
    # A fresh session at login: nothing set before logging in carries over (session fixation),
    # except the few harmless things a visitor expects to keep.
    kept = {key: session[key] for key in KEPT_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
    login_user(user, remember=remember)


@bp.post("/uitloggen")
def logout():
    """Log out on this device."""
    if EmptyForm().validate_on_submit():
        logout_user()
        session.clear()
        flash("Je bent uitgelogd.", "ok")
    return redirect(url_for("hub.home"), code=303)


@bp.get("/bevestigen/<token>")
def verify_email(token: str):
    """Follow the link from the verification e-mail."""
    try:
        user = service.verify_email(db.session(), token=token)
    except service.TokenError as error:
        return render_template(
            "accounts/verify_result.html", error=TOKEN_MESSAGES[error.reason]
        ), 400
    except service.FieldError as error:
        return render_template("accounts/verify_result.html", error=error.message), 409
    db.session().commit()
    return render_template("accounts/verify_result.html", user=user)


@bp.post("/account/bevestigingsmail")
@login_required
@limiter.limit("3 per minute")
def resend_verification():
    """Send the verification e-mail again."""
    if EmptyForm().validate_on_submit() and (
        current_user.pending_email or not current_user.is_verified
    ):
        service.send_verification(db.session(), current_user)
        db.session().commit()
        flash("We hebben de e-mail opnieuw gestuurd.", "ok")
    return redirect(url_for("accounts.account"), code=303)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    """Ask for a password-reset link."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        service.start_password_reset(db.session(), email=form.email.data)
        db.session().commit()
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    """Choose a new password from a reset link."""
    try:
        user = service.user_for_reset(db.session(), token)
    except service.TokenError as error:
        return render_template(
            "accounts/reset_invalid.html", error=TOKEN_MESSAGES[error.reason]
        ), 400
    form = ResetPasswordForm()
    form.account_email = user.email
    if form.validate_on_submit():
        try:
            service.reset_password(db.session(), token=token, password=form.password.data)
        except service.FieldError as error:
            _field_error(form, error)
        else:
            db.session().commit()
            logout_user()
            session.clear()
            flash("Je nieuwe wachtwoord is ingesteld. Log in met je nieuwe wachtwoord.", "ok")
            return redirect(url_for("accounts.login"), code=303)
    return render_template("accounts/reset.html", form=form), 422 if form.errors else 200


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show and change name, phone and situation."""
    form = DetailsForm(obj=current_user)
    if form.validate_on_submit():
        changed = service.update_details(
            db.session(),
            user=current_user,
            name=form.name.data,
            phone=form.phone.data,
            situation=form.situation.data,
        )
        if changed:
            labels = {"name": "naam", "phone": "telefoonnummer", "situation": "situatie"}
            personal_data.right_exercised.send(
                current_app._get_current_object(),
                session=db.session(),
                user_id=current_user.id,
                kind="correctie",
                outcome="gewijzigd: " + ", ".join(labels[c] for c in changed),
            )
        db.session().commit()
        flash("Je gegevens zijn opgeslagen.", "ok")
        return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/account.html", form=form), 422 if form.errors else 200


@bp.route("/account/e-mailadres", methods=["GET", "POST"])
@login_required
def change_email():
    """Change the e-mail address (the new one must be confirmed first)."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            service.request_email_change(
                db.session(),
                user=current_user,
                new_email=form.email.data,
                password=form.password.data,
            )
        except service.FieldError as error:
            _field_error(form, error)
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
                user=current_user,
                current=form.current_password.data,
                new=form.password.data,
            )
        except service.FieldError as error:
            _field_error(form, error)
        else:
            db.session().commit()
            # The session version changed: log this device in again with the real object
            # (never the proxy, which would then point at itself).
            _start_session(current_user._get_current_object(), remember=False)
            flash("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd.", "ok")
            return redirect(url_for("accounts.account"), code=303)
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in om deze pagina te zien."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(user_id: str):
        return service.load_user(db.session(), user_id)

    @app.before_request
    def _track_activity() -> None:
        if current_user.is_authenticated and service.touch_activity(current_user):
            db.session().commit()

    app.register_blueprint(bp)
    add_demo(app, demo.load)
    personal_data.register(app, *models.PERSONAL_DATA, handler=AccountData())
