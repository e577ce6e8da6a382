"""P1 and P08: the intake questionnaire, its steps, health consent, encryption and bad input."""

import json

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from app.consent.models import ConsentRecord
from app.profile.models import ProfileAnswer, ProfileProgress
from tests.conftest import htmx_headers
from tests.profile.conftest import STEP_1, STEP_2

HEALTH = {"aandoening": ["dementie", "ouderdom"]}


def answers(session, user):
    return {
        a.question_key: a
        for a in session.exec(select(ProfileAnswer).where(ProfileAnswer.user_id == user.id))
    }


def test_steps_show_progress_and_save_each_step(client, caregiver, fill, session):
    page = client.get("/profiel/vragenlijst/1").get_data(as_text=True)
    assert "Stap 1 van 5" in page and "Voor wie zorg je?" in page
    response = fill(1, STEP_1)
    assert response.headers["Location"] == "/profiel/vragenlijst/2"
    saved = answers(session, caregiver)
    assert json.loads(saved["relatie"].value) == "ouder"
    assert session.exec(select(ProfileProgress)).one().furthest_step == 2
    assert "Stap 2 van 5" in client.get("/profiel/vragenlijst/2").get_data(as_text=True)


def test_resume_later_and_go_back(client, caregiver, fill):
    fill(1, STEP_1)
    fill(2, STEP_2)
    assert client.get("/profiel/vragenlijst").headers["Location"] == "/profiel/vragenlijst/3"
    back = fill(2, STEP_2, richting="terug")
    assert back.headers["Location"] == "/profiel/vragenlijst/1"
    page = client.get("/profiel/vragenlijst/2").get_data(as_text=True)
    assert 'value="20"' in page  # what was saved comes back


def test_with_htmx_the_last_step_loads_the_profile_as_a_whole_page(client, caregiver):
    """The steps swap inside the page; the profile after the last one is a page of its own,
    so htmx is told to load it whole (a plain redirect would put it inside the form)."""
    swap = htmx_headers("vragenlijst")
    for number, data in enumerate([STEP_1, STEP_2, {}, {}], start=1):
        response = client.submit(
            f"/profiel/vragenlijst/{number}", {**data, "richting": "verder"}, headers=swap
        )
        assert response.status_code == 303  # the next step is a fragment of the same place
        step = client.get(response.headers["Location"], headers=swap).get_data(as_text=True)
        assert 'id="vragenlijst"' in step and "<main" not in step and "<html" not in step
    last = client.submit("/profiel/vragenlijst/5", {"richting": "verder"}, headers=swap)
    assert last.status_code == 204 and last.headers["HX-Redirect"] == "/profiel"
    assert "Location" not in last.headers
    profile = client.get("/profiel").get_data(as_text=True)
    assert profile.count("<main") == 1 and "Dank je wel. Je antwoorden zijn opgeslagen" in profile


def test_a_whole_page_is_never_swapped_into_a_fragment_target(client, caregiver, fill):
    """Should a redirect still lead a swap to a page without that fragment, htmx is told to
    load the page whole, before it is rendered: its message is still there for it."""
    fill(1, STEP_1)
    client.submit("/profiel/toestemming/personalisation", {"aan": "1"}, page="/profiel")
    response = client.get("/profiel", headers=htmx_headers("vragenlijst"))
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/profiel"
    assert response.get_data() == b""
    assert "Je keuze is opgeslagen." in client.get("/profiel").get_data(as_text=True)


def test_a_step_skipped_by_url_is_refused_with_a_message(client, caregiver):
    response = client.get("/profiel/vragenlijst/4")
    assert response.status_code == 303 and response.headers["Location"] == "/profiel/vragenlijst/1"
    assert "Vul eerst stap 1 in" in client.get("/profiel/vragenlijst/1").get_data(as_text=True)
    assert client.get("/profiel/vragenlijst/99").headers["Location"] == "/profiel/vragenlijst/5"


@pytest.mark.parametrize(
    ("step", "data", "message", "kept"),
    [
        (
            1,
            {"relatie": "buurman-van-de-buurman", "woonsituatie": "samen"},
            "Kies een van de antwoorden",
            ['value="samen" checked'],
        ),
        (
            2,
            {"uren": "veel", "duur": "kort"},
            "Vul een heel getal in",
            ['value="veel"', 'value="kort" checked'],
        ),
        (2, {"uren": "500", "duur": "kort"}, "van 0 tot en met 168", ['value="500"']),
        (2, {"uren": "-3", "duur": "kort"}, "Vul een heel getal in", ['value="-3"']),
        (
            4,
            {"onderwerpen": ["zorg"], "gemeente": "x" * 10_000},
            "Gebruik hoogstens 80 tekens.",
            ['value="zorg" checked', "x" * 10_000],
        ),
        (
            4,
            {"onderwerpen": ["zorg"], "gemeente": "Atlantis"},
            "Deze gemeente kennen we niet.",
            ['value="zorg" checked', 'value="Atlantis"'],
        ),
        (
            4,
            {"gemeente": "bergen"},
            "Bedoel je Bergen (L.), in Limburg of Bergen (NH.), in Noord-Holland?",
            ['value="bergen"'],
        ),
        (
            3,
            {"leeftijd": "25-64", "bezigheden": ["werk", "studie", "geen"]},
            "Je koos ‘Geen van beide’ en ook een ander antwoord.",
            ['value="werk" checked', 'value="studie" checked', 'value="geen" checked'],
        ),
        (
            4,
            {"onderwerpen": ["zorg", "hacken"], "gemeente": "Zwolle"},
            "Kies een van de antwoorden",
            ['value="zorg" checked', 'value="Zwolle"'],
        ),
    ],
)
def test_bad_input_gets_a_dutch_message_and_loses_nothing(
    client, caregiver, fill, session, step, data, message, kept
):
    for number, earlier in enumerate([STEP_1, STEP_2, {"leeftijd": "25-64"}][: step - 1], start=1):
        fill(number, earlier)
    before = {k: a.value for k, a in answers(session, caregiver).items()}
    response = fill(step, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert {k: a.value for k, a in answers(session, caregiver).items()} == before
    for fragment in kept:
        assert fragment in html  # what was typed or chosen is still there


def test_tampered_field_names_are_ignored(client, caregiver, fill, session):
    fill(1, {**STEP_1, "aandoening": "dementie", "user_id": "1"})
    assert "aandoening" not in answers(session, caregiver)


def test_health_questions_only_after_explicit_consent(client, caregiver, fill, session):
    for number, data in enumerate([STEP_1, STEP_2, {}, {}], start=1):
        fill(number, data)
    page = client.get("/profiel/vragenlijst/5").get_data(as_text=True)
    assert "apart toestemming" in page and 'type="checkbox"' in page
    assert "checked" not in page.split('id="consent"')[1].split(">")[0]
    assert "Dementie" not in page  # the questions themselves are not shown yet
    # Sending health answers without the consent stores nothing.
    response = fill(5, {**HEALTH, "richting": "verder"})
    assert response.headers["Location"] == "/profiel"
    assert "aandoening" not in answers(session, caregiver)
    assert (
        session.exec(select(ConsentRecord).where(ConsentRecord.scope == "health")).first() is None
    )


def test_health_consent_then_encrypted_answers(app, client, caregiver, fill, session):
    for number, data in enumerate([STEP_1, STEP_2, {}, {}], start=1):
        fill(number, data)
    assert fill(5, {"consent": "y"}).headers["Location"] == "/profiel/vragenlijst/5"
    record = session.exec(select(ConsentRecord).where(ConsentRecord.scope == "health")).one()
    assert (
        record.accepted == "health"
        and record.user_id == caregiver.id
        and len(record.text_hash) == 64
    )
    assert "Dementie" in client.get("/profiel/vragenlijst/5").get_data(as_text=True)
    assert fill(5, HEALTH).headers["Location"] == "/profiel"
    assert "Dementie of geheugenproblemen" in client.get("/profiel").get_data(as_text=True)
    with app.extensions["db_engine"].connect() as connection:
        raw = [row[0] for row in connection.execute(sa.text("SELECT value FROM profile_answer"))]
        dump = " ".join(
            str(r)
            for table in ("profile_answer", "consent_record", "audit_event")
            for r in connection.execute(sa.text(f"SELECT * FROM {table}"))  # noqa: S608
        )
    assert any(v.startswith("gAAAA") for v in raw)  # a Fernet token
    # Neither the values nor their wording ("Dementie of geheugenproblemen") are readable.
    assert "dementie" not in dump.lower() and "ouderdom" not in dump.lower()


def test_withdrawing_health_consent_deletes_health_answers_at_once(
    client, caregiver, fill, session
):
    for number, data in enumerate([STEP_1, STEP_2, {}, {}], start=1):
        fill(number, data)
    fill(5, {"consent": "y"})
    fill(5, HEALTH)
    assert "aandoening" in answers(session, caregiver)
    client.submit("/profiel/toestemming/health", {"aan": "0"}, page="/profiel")
    assert "aandoening" not in answers(session, caregiver)
    assert "relatie" in answers(session, caregiver)  # the rest stays
    assert "/profiel/vragenlijst/5" in client.get("/profiel").get_data(as_text=True)


def test_profile_page_shows_every_answer_and_deletes_everything(client, filled, session):
    page = client.get("/profiel").get_data(as_text=True)
    for shown in ("Mijn vader of moeder", "20 uur per week", "Ik heb betaald werk", "Zwolle"):
        assert shown in page
    assert client.get("/profiel/verwijderen").status_code == 200
    client.submit("/profiel/verwijderen", {})
    assert answers(session, filled) == {}
    assert session.exec(select(ProfileProgress)).first() is None
    latest = session.exec(
        select(ConsentRecord)
        .where(ConsentRecord.scope == "personalisation")
        .order_by(col(ConsentRecord.id).desc())
    ).first()
    assert latest.refused == "personalisation"


def newer_questionnaire():
    """Version 2 of the questionnaire: the question 'gemeente' and the option 'ouder' are gone."""
    import tomllib

    from app.profile.questionnaire import Questionnaire
    from tests.conftest import PROJECT_ROOT

    source = PROJECT_ROOT / "content" / "vragenlijsten" / "intake.toml"
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    data["version"] = "2"
    for step in data["steps"]:
        step["questions"] = [q for q in step["questions"] if q["key"] != "gemeente"]
        for question in step["questions"]:
            question["options"] = [o for o in question.get("options", []) if o["value"] != "ouder"]
    newer = Questionnaire.model_validate(data)
    assert newer.question("gemeente") is None
    relation = newer.question("relatie")
    assert relation is not None and relation.option("ouder") is None
    return newer


def test_old_answers_stay_readable_after_a_new_version(client, filled, session, monkeypatch):
    from app.profile import service

    monkeypatch.setattr(service, "questionnaire", newer_questionnaire)
    page = client.get("/profiel").get_data(as_text=True)
    # The answer to a question that still exists, but with an option that was removed.
    relatie = page.split("<dt>Voor wie zorg je?</dt>", 1)[1].split("</dd>", 1)[0]
    assert "Mijn vader of moeder (of schoonouder)" in relatie
    # The answer to a question that was removed, with the question as it was asked.
    former = page.split('id="eerdere-vragen"', 1)[1].split("</section>", 1)[0]
    assert "In welke gemeente woont degene voor wie je zorgt?" in former
    assert "Zwolle" in former
    assert answers(session, filled)["relatie"].version == "1"
    assert answers(session, filled)["gemeente"].version == "1"


def test_a_removed_question_can_be_deleted_by_its_own_button(client, filled, session, monkeypatch):
    from app.profile import service

    monkeypatch.setattr(service, "questionnaire", newer_questionnaire)
    response = client.submit("/profiel/antwoord/gemeente/verwijderen", {}, page="/profiel")
    assert response.status_code == 303
    assert "gemeente" not in answers(session, filled)
    assert "relatie" in answers(session, filled)  # nothing else goes
    assert 'id="eerdere-vragen"' not in client.get("/profiel").get_data(as_text=True)


def test_answers_stored_without_their_wording_fall_back_to_the_questionnaire(
    app, client, filled, session, monkeypatch
):
    """Answers saved before the wording was kept with them (the column is empty)."""
    from app.profile import service

    with app.extensions["db_engine"].begin() as connection:
        connection.execute(
            sa.text("UPDATE profile_answer SET question_label = NULL, answer_label = NULL")
        )
    page = client.get("/profiel").get_data(as_text=True)
    assert "Mijn vader of moeder (of schoonouder)" in page and "20 uur per week" in page
    monkeypatch.setattr(service, "questionnaire", newer_questionnaire)
    page = client.get("/profiel").get_data(as_text=True)
    relatie = page.split("<dt>Voor wie zorg je?</dt>", 1)[1].split("</dd>", 1)[0]
    assert "ouder" in relatie  # the stored value rather than nothing
    former = page.split('id="eerdere-vragen"', 1)[1].split("</section>", 1)[0]
    assert "gemeente" in former and "Zwolle" in former


def test_only_caregivers_have_a_profile(client, login_as):
    from app.accounts.models import Role

    login_as(Role.STAFF)
    assert client.get("/profiel").status_code == 403


def test_content_check_validates_the_questionnaire(tmp_path):
    import shutil

    from app.content.site import load_site
    from app.profile.questionnaire import read
    from tests.conftest import PROJECT_ROOT

    def check(folder, site):
        return read(folder, site).problems

    folder = tmp_path / "content"
    (folder / "vragenlijsten").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "content" / "site.toml", folder / "site.toml")
    source = (PROJECT_ROOT / "content" / "vragenlijsten" / "intake.toml").read_text(
        encoding="utf-8"
    )
    site = load_site(folder)
    (folder / "vragenlijsten" / "intake.toml").write_text(source, encoding="utf-8")
    assert check(folder, site) == []
    broken = source.replace('tags = ["partner"]', 'tags = ["onbestaand"]')
    (folder / "vragenlijsten" / "intake.toml").write_text(broken, encoding="utf-8")
    problems = [str(p) for p in check(folder, site)]
    assert any(
        "onbekende tag 'onbestaand'" in p and p.startswith("vragenlijsten/intake.toml:")
        for p in problems
    )
    health_topic = source.replace('wonen = ["veilig-thuis"', 'wonen = ["dementie"')
    (folder / "vragenlijsten" / "intake.toml").write_text(health_topic, encoding="utf-8")
    assert any("gezondheidstag 'dementie'" in str(p) for p in check(folder, site))
    unknown_topic = source.replace('wonen = ["veilig-thuis"', 'tuinieren = ["veilig-thuis"')
    (folder / "vragenlijsten" / "intake.toml").write_text(unknown_topic, encoding="utf-8")
    assert any("'tuinieren' is geen onderwerp" in str(p) for p in check(folder, site))
    (folder / "vragenlijsten" / "intake.toml").write_text("version = 1\n", encoding="utf-8")
    assert "ongeldig" in str(check(folder, site)[0])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Zwolle", "Zwolle"),
        ("  den haag ", "'s-Gravenhage"),
        ("Den Bosch", "'s-Hertogenbosch"),
        ("sudwest fryslan", "Súdwest-Fryslân"),
        ("GEMEENTE UTRECHT", "Utrecht"),
        ("Bergen NH", "Bergen (NH.)"),
        ("Voorne aan Zee", "Voorne aan Zee"),
    ],
)
def test_the_gemeente_is_a_dutch_municipality_however_it_is_written(
    client, caregiver, fill, session, typed, stored
):
    for number, earlier in enumerate([STEP_1, STEP_2, {}], start=1):
        fill(number, earlier)
    assert fill(4, {"gemeente": typed}).status_code == 303
    assert json.loads(answers(session, caregiver)["gemeente"].value) == stored


def test_the_municipality_list_is_the_cbs_list_of_2026():
    from app.profile.gemeenten import municipalities

    names = municipalities().names
    assert len(names) == len(set(names)) == 342
    assert {"Voorne aan Zee", "Dijk en Waard", "Land van Cuijk", "Maashorst"} <= set(names)
    assert "Brielle" not in names and "Weesp" not in names  # merged in 2023 and 2022


def test_the_gemeente_field_offers_the_list_without_javascript(client, caregiver, fill):
    for number, earlier in enumerate([STEP_1, STEP_2, {}], start=1):
        fill(number, earlier)
    page = client.get("/profiel/vragenlijst/4").get_data(as_text=True)
    assert 'list="gemeenten"' in page and '<datalist id="gemeenten">' in page
    assert page.count("<option value=") >= 342
