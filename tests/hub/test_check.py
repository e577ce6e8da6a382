"""`flask content check`: each kind of mistake gives the right `file:line: message` (H6)."""

from app.config import PROJECT_ROOT


def run_check(hub_app):
    result = hub_app.test_cli_runner().invoke(args=["content", "check"])
    return result.exit_code, result.output


def test_the_starter_content_passes_the_check(app):
    result = app.test_cli_runner().invoke(
        args=["content", "check", "--dir", str(PROJECT_ROOT / "content")]
    )
    assert result.exit_code == 0, result.output


def test_clean_content_exits_0(hub_app, content):
    content.write("artikelen/goed.md")
    code, output = run_check(hub_app)
    assert code == 0
    assert "0 problemen" in output


def test_missing_title(hub_app, content):
    content.write("artikelen/zonder-titel.md", title=None)
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/zonder-titel.md:1: het veld 'title' ontbreekt" in output


def test_unknown_topic_points_at_its_line(hub_app, content):
    content.write("artikelen/fout-onderwerp.md", topics=["tuinieren"])
    code, output = run_check(hub_app)
    assert code == 1
    # title, summary, topics: the third front-matter line is the fourth line of the file.
    assert "artikelen/fout-onderwerp.md:4: onbekend onderwerp 'tuinieren'" in output


def test_duplicate_slug(hub_app, content):
    content.write("artikelen/eerste.md", slug="zelfde")
    content.write("artikelen/tweede.md", slug="zelfde")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/tweede.md:" in output
    assert "de slug 'zelfde' wordt al gebruikt door artikelen/eerste.md" in output


def test_alias_that_collides_with_a_slug(hub_app, content):
    content.write("artikelen/bestaand.md")
    content.write("artikelen/nieuw.md", aliases=["bestaand"])
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/nieuw.md:" in output and "de alias 'bestaand' wordt al gebruikt" in output


def test_broken_link_is_reported_with_its_line(hub_app, content):
    content.write("artikelen/linkt.md", body="Eerste regel.\n\nZie [dit](bestaat-niet.md).\n")
    code, output = run_check(hub_app)
    assert code == 1
    lines = (content.root / "artikelen/linkt.md").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if "bestaat-niet.md" in text)
    expected = f"artikelen/linkt.md:{line}: de link 'bestaat-niet.md' verwijst naar een bestand"
    assert expected in output


def test_broken_anchor(hub_app, content):
    content.write("artikelen/doel.md", body="## Echte kop\n\nTekst.\n")
    content.write("artikelen/bron.md", body="Zie [kop](doel.md#verzonnen-kop).\n")
    code, output = run_check(hub_app)
    assert code == 1
    assert "het anker '#verzonnen-kop' bestaat niet in doel.md" in output
    content.write("artikelen/bron.md", body="Zie [kop](doel.md#echte-kop).\n")
    assert run_check(hub_app)[0] == 0


def test_image_without_alt_text(hub_app, content):
    content.write("artikelen/plaatje.md", body="![](../../static/img/logo.svg)\n")
    content.write("artikelen/omslag.md", image="logo.svg")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/plaatje.md:" in output and "heeft geen alt-tekst" in output
    assert "artikelen/omslag.md:" in output and "'image_alt'" in output


def test_incomplete_video_block(hub_app, content):
    content.write(
        "videos/film.md", video={"provider": "youtube", "id": "abcdefghijk", "duration": "3:10"}
    )
    code, output = run_check(hub_app)
    assert code == 1
    assert "videos/film.md:" in output and "'video.transcript'" in output


def test_video_without_video_block(hub_app, content):
    content.write("videos/geen-blok.md")
    code, output = run_check(hub_app)
    assert code == 1
    assert "een video heeft een blok 'video'" in output


def test_broken_yaml_and_missing_front_matter(hub_app, content):
    content.write_raw("artikelen/kapot.md", "---\ntitle: [niet gesloten\n---\nTekst\n")
    content.write_raw("artikelen/kaal.md", "Alleen tekst, geen front matter.\n")
    code, output = run_check(hub_app)
    assert code == 1
    assert "artikelen/kapot.md:" in output and "geen geldige YAML" in output
    assert "artikelen/kaal.md:1: het bestand begint niet met front matter" in output


def test_unknown_field_is_a_mistake(hub_app, content):
    content.write("artikelen/tikfout.md", publishd="2026-01-01")
    code, output = run_check(hub_app)
    assert code == 1
    assert "het veld 'publishd' bestaat niet" in output
