"""/admin: accounts and their roles, and the health of the background jobs."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import db
from app.accounts import service as accounts
from app.accounts import two_factor
from app.accounts.access import role_required
from app.accounts.models import ROLE_LABELS, Role, User
from app.admin import service
from app.admin.cli import admin_cli
from app.admin.forms import FindForm, RoleForm
from app.core.navigation import Link, add_link
from app.db import utcnow
from app.forms import ButtonForm, FieldError, add_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    """The team, the jobs, and a search for one account by its exact address."""
    session = db.session()
    form = FindForm(request.args, meta={"csrf": False})
    status = 200
    if "email" in request.args:
        user = accounts.find_by_email(session, form.email.data or "") if form.validate() else None
        if user is not None:
            return redirect(url_for("admin.account", user_id=user.id))
        if not form.errors:
            add_error(form, FieldError("email", "Er is geen account met dit e-mailadres."))
        status = 422
    return render_template(
        "admin/index.html",
        team=service.team(session),
        health=service.health(session, utcnow()),
        find_form=form,
        roles=ROLE_LABELS,
    ), status


@bp.route("/account/<int:user_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def account(user_id: int):
    session = db.session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleForm(data={"role": user.role} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = service.change_role(session, user, Role(form.role.data), by=current_user)
        except service.RoleError as error:
            add_error(form, error)
        else:
            session.commit()
            flash(
                f"{user.name} is nu {Role(user.role).label}."
                if changed
                else f"{user.name} was al {Role(user.role).label}; er is niets veranderd.",
                "success",
            )
            return redirect(url_for("admin.account", user_id=user.id), code=303)
    status = 422 if form.errors else 200
    return render_template(
        "admin/account.html",
        user=user,
        form=form,
        roles=ROLE_LABELS,
        second_step=two_factor.enrolled(session, user),
        reset_form=ButtonForm(),
    ), status


@bp.post("/account/<int:user_id>/tweede-stap")
@role_required(Role.ADMIN)
def reset_second_step(user_id: int):
    """A lost phone: the person sets up a new app at their next login."""
    session = db.session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    if ButtonForm().validate_on_submit():
        if user.id == current_user.id:
            flash(
                "Je eigen tweede stap laat je door een andere beheerder opnieuw instellen.", "error"
            )
        elif two_factor.reset(session, user, by=current_user):
            session.commit()
            flash(f"{user.name} stelt bij de volgende keer inloggen een nieuwe app in.", "success")
    return redirect(url_for("admin.account", user_id=user.id), code=303)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.cli.add_command(admin_cli)
    add_link(app, Link("admin", "admin.index", "Beheer", roles=(Role.ADMIN.value,)))
