"""Key rotation: `flask keys rotate` re-encrypts every encrypted value with the newest key, after
which the old key can go; decrypting works with any configured key."""

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from app import crypto, db
from app.profile import service
from tests.conftest import TEST_FERNET_KEY, build_app
from tests.profile.conftest import STEP_1, STEP_2

KEY_A = TEST_FERNET_KEY  # what the `app` fixture encrypts with
KEY_B = Fernet.generate_key().decode()
HEALTH = {"aandoening": ["dementie", "ouderdom"]}


@pytest.fixture
def with_keys(tmp_path, database_url):
    """with_keys("B,A") -> an app on the same database with those ENCRYPTION_KEYS."""
    apps = []

    def make(keys: str):
        other = build_app(tmp_path, database_url, ENCRYPTION_KEYS=keys)
        apps.append(other)
        return other

    yield make
    for other in apps:
        other.extensions["db_engine"].dispose()


@pytest.fixture
def health_answers(client, caregiver, fill):
    """A caregiver with ordinary answers and health answers, encrypted with key A."""
    for number, data in enumerate([STEP_1, STEP_2, {}, {}], start=1):
        fill(number, data)
    fill(5, {"consent": "y"})
    assert fill(5, HEALTH).headers["Location"] == "/profiel"
    return caregiver


def stored(an_app) -> dict[str, tuple]:
    with an_app.extensions["db_engine"].connect() as connection:
        rows = connection.execute(
            sa.text("SELECT question_key, value, answer_label FROM profile_answer")
        )
        return {key: (value, label) for key, value, label in rows}


def shown(an_app, user_id: int) -> dict[str, str]:
    with an_app.app_context():
        return {k: a.answer for k, a in service.shown_answers(db.session(), user_id).items()}


def rotate(an_app):
    return an_app.test_cli_runner().invoke(args=["keys", "rotate"])


def test_rotate_moves_every_value_to_the_newest_key(app, health_answers, with_keys):
    before = stored(app)
    expected = shown(app, health_answers.id)
    assert expected["aandoening"] == "Dementie of geheugenproblemen, Ouderdom en kwetsbaarheid"

    new_and_old = with_keys(f"{KEY_B},{KEY_A}")
    assert shown(new_and_old, health_answers.id) == expected  # either key decrypts
    result = rotate(new_and_old)
    assert result.exit_code == 0, result.output
    # The health answer and its wording: two encrypted values.
    assert "2 waarde(n) opnieuw versleuteld" in result.output
    after = stored(app)
    assert after["aandoening"] != before["aandoening"]
    assert after["relatie"] == before["relatie"]  # plain answers are left alone
    assert after["aandoening"][0].startswith("gAAAA") and "dementie" not in after["aandoening"][0]

    # Idempotent: a second run finds nothing left to do and changes nothing.
    again = rotate(new_and_old)
    assert again.exit_code == 0 and "0 waarde(n) opnieuw versleuteld" in again.output
    assert "2 waren dat al" in again.output
    assert stored(app) == after

    # The old key can go: with only the new one everything still reads.
    assert shown(with_keys(KEY_B), health_answers.id) == expected
    with pytest.raises(crypto.DecryptionError):
        shown(with_keys(KEY_A), health_answers.id)


def test_rotate_changes_nothing_when_a_value_fits_no_key(app, health_answers, with_keys):
    before = stored(app)
    result = rotate(with_keys(KEY_B))  # key A, which made the values, is missing
    assert result.exit_code != 0
    assert "met geen enkele sleutel te ontsleutelen" in result.output
    assert stored(app) == before


def test_any_configured_key_decrypts_and_the_first_encrypts(with_keys):
    old_only, both = with_keys(KEY_A), with_keys(f"{KEY_B},{KEY_A}")
    with old_only.app_context():
        old_token = crypto.encrypt("mantelzorg")
        old_bytes = crypto.encrypt_bytes(b"export")
    with both.app_context():
        assert crypto.decrypt(old_token) == "mantelzorg"
        assert crypto.decrypt_bytes(old_bytes) == b"export"
        new_token = crypto.encrypt("mantelzorg")
        assert crypto.decrypt(new_token) == "mantelzorg"
        assert crypto.is_current(new_token) and not crypto.is_current(old_token)
    assert Fernet(KEY_B).decrypt(new_token.encode()) == b"mantelzorg"


def test_every_encrypted_answer_column_is_rotated(app):
    with app.app_context():
        declared = {(c.table, c.column, c.flag) for c in crypto.encrypted_columns()}
    assert ("profile_answer", "value", "health") in declared
    assert ("profile_answer", "answer_label", "health") in declared


def test_the_command_says_what_it_skips(app):
    help_text = app.test_cli_runner().invoke(args=["keys", "rotate", "--help"]).output
    assert "instance/exports" in help_text
