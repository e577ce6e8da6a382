"""One reload mechanism for everything under content/: site.toml, articles, the shop catalogue
and the questionnaire are read again when their files change, on a running site."""

import os
import shutil
from datetime import date

import pytest

from app.content.store import ContentStore, Source
from tests.conftest import PROJECT_ROOT
from tests.conftest import build_app

NEW_TOPIC = """
[[topics]]
slug = "vrije-tijd"
label = "Vrije tijd"
description = "Ontspanning en tijd voor jezelf naast de zorg."
main = false
"""

ARTICLE = """---
title: Een middag voor jezelf
summary: Hoe je een vrije middag regelt terwijl iemand anders de zorg overneemt.
topics: [vrije-tijd]
published: {published}
---

Een middag voor jezelf is geen luxe. {words}
"""


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", folder)
    return folder


@pytest.fixture
def site_app(tmp_path, database_url, content):
    app = build_app(tmp_path, database_url, CONTENT_DIR=str(content), CONTENT_RECHECK_SECONDS=0)
    yield app
    app.extensions["db_engine"].dispose()


def test_a_new_topic_in_site_toml_shows_without_a_restart(site_app, content, runner):
    client = site_app.test_client()
    assert client.get("/onderwerpen/vrije-tijd").status_code == 404
    with (content / "site.toml").open("a", encoding="utf-8") as handle:
        handle.write(NEW_TOPIC)
    article = ARTICLE.format(published=date(2026, 1, 5), words="Rust " * 60)
    (content / "artikelen" / "een-middag-voor-jezelf.md").write_text(article, encoding="utf-8")

    page = client.get("/artikelen/een-middag-voor-jezelf")
    assert page.status_code == 200
    assert "Vrije tijd" in page.get_data(as_text=True)
    topic = client.get("/onderwerpen/vrije-tijd").get_data(as_text=True)
    assert "Een middag voor jezelf" in topic
    assert "Vrije tijd" in client.get("/onderwerpen/").get_data(as_text=True)
    result = site_app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output


def test_the_organisation_name_follows_site_toml(site_app, content):
    client = site_app.test_client()
    assert "Zorggenoot" in client.get("/").get_data(as_text=True)
    text = (content / "site.toml").read_text(encoding="utf-8")
    (content / "site.toml").write_text(
        text.replace('name = "Zorggenoot"', 'name = "Zorgmaatje"', 1), encoding="utf-8"
    )
    assert "Zorgmaatje" in client.get("/").get_data(as_text=True)


def test_a_broken_site_toml_keeps_the_last_good_one_and_the_check_says_so(site_app, content):
    client = site_app.test_client()
    assert client.get("/").status_code == 200
    (content / "site.toml").write_text("[organisation\nname = ", encoding="utf-8")
    assert client.get("/").status_code == 200
    assert client.get("/artikelen/respijtzorg").status_code == 200
    result = site_app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert result.output.startswith("site.toml:1: kan niet worden gelezen")


def test_catalogue_and_questionnaire_are_read_again_when_changed(site_app, content):
    client = site_app.test_client()
    product = content / "winkel" / "producten" / "personenalarm-met-valdetectie.md"
    assert "Personenalarm met valdetectie" in client.get("/winkel").get_data(as_text=True)
    product.write_text(
        product.read_text(encoding="utf-8").replace(
            'title: "Personenalarm met valdetectie"', 'title: "Alarmknop met valdetectie"'
        ),
        encoding="utf-8",
    )
    assert "Alarmknop met valdetectie" in client.get("/winkel").get_data(as_text=True)
    with site_app.app_context():
        from app.profile import service

        before = service.questionnaire().title
        intake = content / "vragenlijsten" / "intake.toml"
        intake.write_text(
            intake.read_text(encoding="utf-8").replace(f'title = "{before}"', 'title = "Nieuw"', 1),
            encoding="utf-8",
        )
        assert service.questionnaire().title == "Nieuw"


def test_a_source_sees_its_files_come_change_and_go(tmp_path):
    """The files a source reads are those matching its patterns (not folders, not other names),
    and its fingerprint changes when one is added, edited or removed."""
    folder = tmp_path / "content"
    (folder / "notities" / "oud.md").mkdir(parents=True)  # a folder with a matching name
    (folder / "site.toml").write_text("", encoding="utf-8")
    (folder / "notities" / "b.md").write_text("b", encoding="utf-8")
    (folder / "notities" / "a.md").write_text("a", encoding="utf-8")
    (folder / "notities" / "a.txt").write_text("niet", encoding="utf-8")
    store = ContentStore(folder)
    store.add(Source("notities", ("notities/*.md", "ontbreekt/*.md"), lambda *_: None))
    names = [p.relative_to(folder).as_posix() for p in store.files("notities")]
    assert names == ["notities/a.md", "notities/b.md"]
    seen = [store.fingerprint("notities")]
    (folder / "notities" / "c.md").write_text("c", encoding="utf-8")
    seen.append(store.fingerprint("notities"))
    edited = folder / "notities" / "a.md"
    edited.write_text("a, bijgewerkt", encoding="utf-8")
    seen.append(store.fingerprint("notities"))
    os.utime(edited, ns=(1, 1))  # the same size, another time
    seen.append(store.fingerprint("notities"))
    (folder / "notities" / "b.md").unlink()
    seen.append(store.fingerprint("notities"))
    assert len(set(seen)) == len(seen)
    assert store.fingerprint("notities") == seen[-1]


def test_a_source_may_use_wildcards_only_in_file_names(tmp_path):
    store = ContentStore(tmp_path)
    with pytest.raises(ValueError, match="wildcards only in the file name"):
        store.add(Source("fout", ("*/artikelen/*.md",), lambda *_: None))
