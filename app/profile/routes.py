"""The intake questionnaire (step by step, resumable) and the profile page."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, request, url_for
from flask_login import current_user

from app import crypto, db, htmx
from app.accounts.access import role_required
from app.accounts.models import Role
from app.consent import gate
from app.content.store import add_source
from app.core import personal_data
from app.core.statistics import add_series_provider
from app.forms import ButtonForm
from app.htmx import render
from app.privacy import requests, rights
from app.privacy.models import RequestKind
from app.profile import forms, models, service, statistics
from app.profile.cli import keys_cli
from app.profile.gemeenten import municipalities
from app.profile.privacy import ProfileData
from app.profile.questionnaire import SOURCE

bp = Blueprint("profile", __name__, url_prefix="/profiel")
TARGET = "vragenlijst"


def _user():
    return current_user._get_current_object()


@bp.get("")
@role_required(Role.CAREGIVER)
def overview():
    """Every answer, the consents, and links to change or delete them."""
    session = db.session()
    form = service.questionnaire()
    shown = service.shown_answers(session, current_user.id)
    asked = {question.key for question in form.questions}
    return render(
        "profile/overview.html",
        questionnaire=form,
        answers=shown,
        former=[answer for key, answer in shown.items() if key not in asked],
        progress=service.progress(session, current_user.id),
        personalise=gate.allows("personalisation"),
        health=gate.allows("health"),
        statistics=gate.allows("statistics"),
        consent_texts=service.CONSENTS,
        toggle=ButtonForm(),
    )


@bp.get("/vragenlijst")
@role_required(Role.CAREGIVER)
def resume():
    """Continue where the caregiver stopped."""
    row = service.progress(db.session(), current_user.id)
    return redirect(url_for("profile.step", number=row.furthest_step if row else 1))


@bp.route("/vragenlijst/<int:number>", methods=["GET", "POST"])
@role_required(Role.CAREGIVER)
def step(number: int):
    """One step: save, then go back or on. Health questions only after explicit consent."""
    session = db.session()
    questionnaire = service.questionnaire()
    total = len(questionnaire.steps)
    row = service.progress(session, current_user.id)
    furthest = row.furthest_step if row else 1
    if not 1 <= number <= total:
        return redirect(url_for("profile.step", number=min(max(number, 1), total)), code=303)
    if number > furthest:
        flash(f"Vul eerst stap {furthest} in; daarna kun je verder.", "warning")
        return redirect(url_for("profile.step", number=furthest), code=303)
    current = questionnaire.steps[number - 1]
    context = {"questionnaire": questionnaire, "number": number, "total": total, "step": current}

    if current.health_consent and not gate.allows("health"):
        return _health_consent(number, total, context)

    ask = number == 1
    form_class = forms.step_form(
        current,
        ask_personalisation=ask,
        personalisation_text=service.CONSENTS["personalisation"][1],
    )
    if request.method == "GET":
        form = form_class(data=_form_data(service.answers(session, current_user.id), current))
        if ask:
            form.personalisation.data = gate.allows("personalisation")
    else:
        form = form_class()
    if form.validate_on_submit():
        service.save_step(
            session,
            user=_user(),
            step_number=number,
            values=forms.values(form, current),
            health=gate.allows("health"),
        )
        if ask and form.personalisation.data != gate.allows("personalisation"):
            service.set_consent(
                session, user=_user(), scope="personalisation", granted=form.personalisation.data
            )
        session.commit()
        return _next(number, total)
    return render(
        "profile/step.html", fragment="profile/_step.html", target=TARGET, form=form, **context
    ), 422 if form.errors else 200


def _health_consent(number: int, total: int, context: dict):
    form = forms.HealthConsentForm()
    if form.validate_on_submit():
        if form.consent.data:
            service.set_consent(db.session(), user=_user(), scope="health", granted=True)
            db.session().commit()
            return redirect(url_for("profile.step", number=number), code=303)
        service.mark_progress(db.session(), user=_user(), reached=number + 1)
        db.session().commit()
        return _next(number, total)
    return render(
        "profile/health_consent.html",
        fragment="profile/_health_consent.html",
        target=TARGET,
        form=form,
        text=service.CONSENTS["health"][1],
        **context,
    )


def _next(number: int, total: int):
    if request.form.get("richting") == "terug" and number > 1:
        return redirect(url_for("profile.step", number=number - 1), code=303)
    if number >= total:
        flash(
            "Dank je wel. Je antwoorden zijn opgeslagen; "
            "je kunt ze hier altijd bekijken en wijzigen.",
            "ok",
        )
        # The profile page is a whole page, not a step: htmx must not swap it into the form.
        return htmx.redirect(url_for("profile.overview"))
    return redirect(url_for("profile.step", number=number + 1), code=303)


def _form_data(given: dict, current) -> dict:
    data = {}
    for question in current.questions:
        value = given.get(question.key)
        data[question.key] = (
            str(value) if question.type == "number" and value is not None else value
        )
    return data


@bp.post("/toestemming/<scope>")
@role_required(Role.CAREGIVER)
def consent(scope: str):
    """Switch the personalisation or health consent on or off from the profile page."""
    if scope not in service.CONSENTS or not ButtonForm().validate_on_submit():
        return redirect(url_for("profile.overview"), code=303)
    granted = request.form.get("aan") == "1"
    if granted:
        service.set_consent(db.session(), user=_user(), scope=scope, granted=True)
    else:
        rights.withdraw(db.session(), _user(), scope=scope)
    db.session().commit()
    if scope == "health" and not granted:
        flash(
            "Je toestemming is ingetrokken en je antwoorden over gezondheid zijn verwijderd.", "ok"
        )
    else:
        flash("Je keuze is opgeslagen.", "ok")
    return redirect(url_for("profile.overview"), code=303)


@bp.post("/antwoord/<key>/verwijderen")
@role_required(Role.CAREGIVER)
def delete_answer(key: str):
    """Delete one answer to a question that is no longer in the questionnaire."""
    form = ButtonForm()
    if form.validate_on_submit() and service.delete_answer(
        db.session(), user=_user(), question_key=key
    ):
        db.session().commit()
        flash("Het antwoord is verwijderd.", "ok")
    return redirect(url_for("profile.overview"), code=303)


@bp.route("/verwijderen", methods=["GET", "POST"])
@role_required(Role.CAREGIVER)
def delete():
    """Delete the whole profile (answers, progress, reading history), after a confirmation."""
    form = ButtonForm()
    if form.validate_on_submit():
        service.delete_profile(db.session(), user=_user())
        requests.record_done(
            db.session(),
            user_id=current_user.id,
            kind=RequestKind.ERASURE,
            outcome="profiel verwijderd: antwoorden, voortgang, gelezen onderwerpen",
        )
        db.session().commit()
        flash(
            "Je profiel is verwijderd: al je antwoorden en wat we bijhielden over wat je las.", "ok"
        )
        return redirect(url_for("profile.overview"), code=303)
    return render("profile/delete.html", form=form)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["municipality_names"] = lambda: municipalities().names
    add_source(app, SOURCE)
    personal_data.register(
        app,
        *models.PERSONAL_DATA,
        handler=ProfileData(),
        presenters={
            "profile_answer": service.present_answer,
            "profile_read_topic": service.present_reading,
        },
    )
    crypto.register_column(app, "profile_answer", "value", flag="health")
    crypto.register_column(app, "profile_answer", "answer_label", flag="health")
    app.cli.add_command(keys_cli)
    add_series_provider(app, statistics.series)
