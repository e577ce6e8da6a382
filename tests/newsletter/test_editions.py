"""Editions are files in content/nieuwsbrieven/, checked by `flask content check`."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import PROJECT_ROOT, build_app


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", folder)
    return folder


def test_the_check_names_what_an_editor_must_fix(tmp_path, database_url, content):
    (content / "nieuwsbrieven" / "kapot.md").write_text(
        "---\nsubjet: Typfout\nplanned: morgen\ntopics: [tuinieren]\n---\n\n", encoding="utf-8"
    )
    app = build_app(tmp_path, database_url, CONTENT_DIR=str(content))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    app.extensions["db_engine"].dispose()
    assert result.exit_code == 1
    for message in (
        "nieuwsbrieven/kapot.md:2: het veld 'subjet' bestaat niet",
        "het veld 'subject' ontbreekt",
        "nieuwsbrieven/kapot.md:3: het veld 'planned' moet een datum zijn",
        "het onderwerp 'tuinieren' staat niet in site.toml",
        "de nieuwsbrief heeft geen tekst",
    ):
        assert message in result.output
    assert "2026-12-winter" not in result.output


def test_the_demo_editions_pass_the_check(app):
    from app.newsletter import editions

    with app.app_context():
        found = editions.current()
    assert found.problems == []
    assert set(found.by_slug) >= {"2026-12-winter", "2027-01-balans"}
    assert "<h2>Respijtzorg rond de feestdagen</h2>" in found.by_slug["2026-12-winter"].html
